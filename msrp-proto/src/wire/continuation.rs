//! The continuation flag that ends every chunk (RFC 4975 section 7.1).

/// The continuation flag of an end-line (RFC 4975 section 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Continuation {
    /// `$`: this chunk ends the message.
    Complete,
    /// `+`: more chunks of the message follow.
    More,
    /// `#`: the sender aborts the message.
    Aborted,
}

impl Continuation {
    /// The flag for a byte, if it is one.
    pub fn from_byte(b: u8) -> Option<Continuation> {
        match b {
            b'$' => Some(Continuation::Complete),
            b'+' => Some(Continuation::More),
            b'#' => Some(Continuation::Aborted),
            _ => None,
        }
    }

    /// The flag's byte.
    pub fn as_byte(self) -> u8 {
        match self {
            Continuation::Complete => b'$',
            Continuation::More => b'+',
            Continuation::Aborted => b'#',
        }
    }
}
