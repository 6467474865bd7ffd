//! Where a link writes what it sends: the caller's `BytesMut` (everything copied into one
//! buffer), or a [`Transmit`] (small pieces copied together, large body pieces shared as
//! they are, for a vectored write).

use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};

/// Body pieces at least this long go into a [`Transmit`] as parts of their own (shared,
/// not copied); shorter ones are copied next to their head.
pub const MIN_SHARED_PIECE: usize = 2048;

/// The bytes of one transmit as a list of parts, in order, for a vectored write
/// (`writev`, `AsyncWrite::poll_write_vectored`): heads, end-lines and small bodies are
/// gathered in a buffer of the transmit's own, large body pieces are the message's own
/// memory, never copied. Reuse one `Transmit` ([`Transmit::clear`] after writing).
///
/// ```
/// use bytes::Bytes;
/// use msrp_proto::link::Transmit;
///
/// let t = Transmit::new();
/// assert!(t.is_empty() && t.parts().is_empty());
/// assert_eq!(t.to_bytes(), Bytes::new());
/// ```
#[derive(Debug, Default, Clone)]
pub struct Transmit {
    parts: Vec<Bytes>,
    scratch: BytesMut,
    len: usize,
}

impl Transmit {
    /// An empty transmit.
    pub fn new() -> Transmit {
        Transmit::default()
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Bytes] {
        &self.parts
    }

    /// Bytes in all parts.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties it (keeping its buffer for the next transmit).
    pub fn clear(&mut self) {
        self.parts.clear();
        self.scratch.clear();
        self.len = 0;
    }

    /// All parts in one buffer (a copy): for tests and for transports without vectored
    /// writes.
    pub fn to_bytes(&self) -> Bytes {
        match self.parts.as_slice() {
            [] => Bytes::new(),
            [one] => one.clone(),
            parts => {
                let mut out = BytesMut::with_capacity(self.len);
                parts.iter().for_each(|p| out.extend_from_slice(p));
                out.freeze()
            }
        }
    }

    fn flush(&mut self) {
        if !self.scratch.is_empty() {
            self.len += self.scratch.len();
            self.parts.push(self.scratch.split().freeze());
        }
    }
}

/// What the link writes into.
pub(crate) trait Sink {
    /// Where heads and other small pieces are written.
    fn buffer(&mut self) -> &mut BytesMut;
    /// Adds a body piece.
    fn put_body(&mut self, piece: Bytes);
    /// Bytes written so far.
    fn written(&self) -> usize;
    /// The transmit is complete.
    fn finish(&mut self) {}
}

impl Sink for BytesMut {
    fn buffer(&mut self) -> &mut BytesMut {
        self
    }
    fn put_body(&mut self, piece: Bytes) {
        self.extend_from_slice(&piece);
    }
    fn written(&self) -> usize {
        self.len()
    }
}

impl Sink for Transmit {
    fn buffer(&mut self) -> &mut BytesMut {
        &mut self.scratch
    }
    fn put_body(&mut self, piece: Bytes) {
        if piece.len() >= MIN_SHARED_PIECE {
            self.flush();
            self.len += piece.len();
            self.parts.push(piece);
        } else {
            self.scratch.extend_from_slice(&piece);
        }
    }
    fn written(&self) -> usize {
        self.len + self.scratch.len()
    }
    fn finish(&mut self) {
        self.flush();
    }
}
