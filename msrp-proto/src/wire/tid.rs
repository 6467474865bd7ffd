//! Transaction identifiers, stored inline (no allocation).

use core::fmt;

/// Longest transaction id this type can hold (the grammar allows 32; tolerant mode takes
/// up to this many from peers that send longer ones); [`Limits::max_tid_len`](crate::Limits) is
/// capped at it.
pub const MAX_TID_CAPACITY: usize = 48;

/// A transaction id: `ident = ALPHANUM 3*31ident-char` (RFC 4975 section 9), held inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId {
    len: u8,
    bytes: [u8; MAX_TID_CAPACITY],
}

impl TransactionId {
    /// A transaction id from bytes already checked by the caller to be at most
    /// [`MAX_TID_CAPACITY`] ident characters; `None` if longer or empty.
    pub fn new(id: &[u8]) -> Option<TransactionId> {
        if id.is_empty() || id.len() > MAX_TID_CAPACITY || !id.iter().all(|b| is_ident_char(*b)) {
            return None;
        }
        let mut bytes = [0; MAX_TID_CAPACITY];
        bytes[..id.len()].copy_from_slice(id);
        Some(TransactionId {
            len: id.len() as u8,
            bytes,
        })
    }

    /// An id from bytes the caller produced as ident characters (truncated to the capacity).
    pub(crate) fn from_checked(id: &[u8]) -> TransactionId {
        let len = id.len().min(MAX_TID_CAPACITY);
        let mut bytes = [0; MAX_TID_CAPACITY];
        bytes[..len].copy_from_slice(&id[..len]);
        debug_assert!(id.iter().all(|b| is_ident_char(*b)));
        TransactionId {
            len: len as u8,
            bytes,
        }
    }

    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The id as text (ident characters are ASCII).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// Whether the id follows the grammar exactly: 4 to 32 characters, the first
    /// alphanumeric.
    pub fn is_strictly_valid(&self) -> bool {
        let b = self.as_bytes();
        (4..=32).contains(&b.len()) && b[0].is_ascii_alphanumeric()
    }
}

/// `ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="` (RFC 4975 section 9), as a
/// lookup table.
static IDENT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+' | b'%' | b'=');
        b += 1;
    }
    t
};

/// `ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="` (RFC 4975 section 9).
#[inline]
pub(crate) fn is_ident_char(b: u8) -> bool {
    IDENT[usize::from(b)]
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransactionId({:?})", self.as_str())
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
