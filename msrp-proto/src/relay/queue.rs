//! One connection's outgoing queue: control chunks (responses, REPORTs, rewritten
//! responses) and forwarded chunks, written whole and in order, never interleaved.
//!
//! A forwarded chunk is a *stream*: its head, then body pieces as they arrive from the
//! upstream connection, then its end-line. The front stream's pieces go straight to the
//! ready queue (cut-through); a stream behind it keeps its pieces until it gets to the
//! front, and a control chunk queued while a stream is being written waits until that
//! stream's end-line (RFC 4975 section 5.1: a chunk is never split by another on the
//! wire unless it is ended with `+` first; this queue never interrupts).

use alloc::collections::VecDeque;
use bytes::Bytes;

use super::event::ConnId;
use crate::wire::TransactionId;

/// Bytes to write, and the forwarded request whose last byte they are.
#[derive(Debug)]
pub(crate) struct Piece {
    pub(crate) bytes: Bytes,
    pub(crate) last_of: Option<TransactionId>,
}

/// Which connection (and which incarnation of it) a stream comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnRef {
    pub(crate) id: ConnId,
    pub(crate) epoch: u64,
}

#[derive(Debug)]
struct Stream {
    id: u64,
    upstream: ConnRef,
    /// Pieces held while it waits behind the front stream.
    pieces: VecDeque<Piece>,
    bytes: usize,
    complete: bool,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct OutQueue {
    ready: VecDeque<Piece>,
    ready_bytes: usize,
    control: VecDeque<Bytes>,
    control_bytes: usize,
    streams: VecDeque<Stream>,
    waiting_bytes: usize,
}

impl OutQueue {
    /// All bytes held.
    pub(crate) fn total(&self) -> usize {
        self.ready_bytes + self.control_bytes + self.waiting_bytes
    }

    /// Bytes ready to write now.
    pub(crate) fn ready_bytes(&self) -> usize {
        self.ready_bytes
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.ready.is_empty() && self.control.is_empty() && self.streams.is_empty()
    }

    fn push_ready(&mut self, piece: Piece) {
        self.ready_bytes += piece.bytes.len();
        self.ready.push_back(piece);
    }

    /// Queues a whole chunk: now if no forwarded chunk is being written, else after it.
    pub(crate) fn push_control(&mut self, bytes: Bytes) {
        if self.streams.is_empty() {
            self.push_ready(Piece {
                bytes,
                last_of: None,
            });
        } else {
            self.control_bytes += bytes.len();
            self.control.push_back(bytes);
        }
    }

    /// Starts a forwarded chunk with its head.
    pub(crate) fn open_stream(&mut self, id: u64, upstream: ConnRef, head: Piece) {
        self.streams.push_back(Stream {
            id,
            upstream,
            pieces: VecDeque::new(),
            bytes: 0,
            complete: false,
        });
        self.push_stream(id, head, false);
    }

    /// Adds a piece to stream `id` (`end`: its last one). Returns whether the stream is
    /// here.
    pub(crate) fn push_stream(&mut self, id: u64, piece: Piece, end: bool) -> bool {
        let Some(pos) = self.streams.iter().position(|s| s.id == id) else {
            return false;
        };
        if pos == 0 {
            self.push_ready(piece);
        } else if let Some(s) = self.streams.get_mut(pos) {
            s.bytes += piece.bytes.len();
            self.waiting_bytes += piece.bytes.len();
            s.pieces.push_back(piece);
        }
        if end {
            if let Some(s) = self.streams.get_mut(pos) {
                s.complete = true;
            }
            self.advance();
        }
        true
    }

    /// Pops complete front streams, releasing the control chunks that waited for them
    /// and the pieces of the stream that comes to the front.
    fn advance(&mut self) {
        while self.streams.front().is_some_and(|s| s.complete) {
            self.streams.pop_front();
            while let Some(c) = self.control.pop_front() {
                self.control_bytes -= c.len();
                self.push_ready(Piece {
                    bytes: c,
                    last_of: None,
                });
            }
            if let Some(next) = self.streams.front_mut() {
                let pieces = core::mem::take(&mut next.pieces);
                self.waiting_bytes -= next.bytes;
                next.bytes = 0;
                for p in pieces {
                    self.push_ready(p);
                }
            }
        }
    }

    /// Where stream `id` is: `Some(true)` at the front, `Some(false)` waiting (with the
    /// bytes it holds), `None` gone.
    pub(crate) fn stream_position(&self, id: u64) -> Option<(bool, usize)> {
        let pos = self.streams.iter().position(|s| s.id == id)?;
        let held = self.streams.get(pos).map_or(0, |s| s.bytes);
        Some((pos == 0, held))
    }

    /// The connections whose chunks are queued here.
    pub(crate) fn upstreams(&self) -> impl Iterator<Item = ConnRef> + '_ {
        self.streams.iter().map(|s| s.upstream)
    }

    /// Takes up to about `max` bytes to write (at least one piece, split if larger),
    /// appending to `out`; calls `sent` with each forwarded request whose last byte is
    /// taken. Returns the bytes taken.
    pub(crate) fn pop(
        &mut self,
        max: usize,
        out: &mut bytes::BytesMut,
        mut sent: impl FnMut(TransactionId),
    ) -> usize {
        let mut n = 0;
        while let Some(front) = self.ready.front_mut() {
            let room = max.saturating_sub(n);
            if room == 0 {
                break;
            }
            if front.bytes.len() > room {
                let part = front.bytes.split_to(room);
                out.extend_from_slice(&part);
                n += part.len();
                self.ready_bytes -= part.len();
                break;
            }
            let Some(p) = self.ready.pop_front() else {
                break;
            };
            out.extend_from_slice(&p.bytes);
            n += p.bytes.len();
            self.ready_bytes -= p.bytes.len();
            if let Some(tid) = p.last_of {
                sent(tid);
            }
        }
        n
    }

    /// Drops everything (the connection closed); returns the bytes dropped.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.total();
        *self = OutQueue::default();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;

    fn piece(s: &'static str) -> Piece {
        Piece {
            bytes: Bytes::from_static(s.as_bytes()),
            last_of: None,
        }
    }

    fn drain(q: &mut OutQueue) -> alloc::string::String {
        let mut out = BytesMut::new();
        q.pop(usize::MAX, &mut out, |_| {});
        alloc::string::String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn streams_are_never_interleaved() {
        let up = ConnRef {
            id: ConnId(1),
            epoch: 1,
        };
        let mut q = OutQueue::default();
        q.open_stream(1, up, piece("H1 "));
        q.open_stream(2, up, piece("H2 "));
        q.push_control(Bytes::from_static(b"C "));
        assert!(q.push_stream(2, piece("b2 "), false));
        assert!(q.push_stream(1, piece("b1 "), false));
        assert_eq!(drain(&mut q), "H1 b1 ");
        assert_eq!(q.stream_position(2), Some((false, 6)));
        assert!(q.push_stream(1, piece("E1 "), true));
        assert_eq!(q.stream_position(2), Some((true, 0)));
        assert!(q.push_stream(2, piece("E2 "), true));
        assert_eq!(drain(&mut q), "E1 C H2 b2 E2 ");
        assert!(q.is_empty());
        assert_eq!(q.total(), 0);
        assert!(!q.push_stream(1, piece("x"), false));
    }
}
