//! One connection's outgoing queue: control chunks (responses, REPORTs, rewritten
//! responses) and forwarded chunks, written whole and in order, never interleaved.
//!
//! A forwarded chunk is a *stream*: its head, then body pieces as they arrive from the
//! upstream connection, then its end-line. The front stream's pieces go straight to the
//! ready queue (cut-through); a stream behind it keeps its pieces until it gets to the
//! front, and a control chunk queued while a stream is being written waits until that
//! stream's end-line (RFC 4975 section 5.1: a chunk is never split by another on the
//! wire unless it is ended with `+` first).
//!
//! Re-chunking (RFC 4976 section 6.4.1: a relay "MAY further break up the message
//! fragment"): when the front stream is a SEND that may be interrupted and it has nothing
//! to write (its sender is slow or stalled) while a control chunk or another stream
//! waits, [`OutQueue::interrupt`] ends its current chunk with `+` and queues the rest as
//! a new chunk (a new transaction id, Byte-Range starting at the next byte) behind the
//! others. So a stalled sender never blocks a connection.

use alloc::collections::VecDeque;
use bytes::Bytes;

use super::event::ConnId;
use super::forward::Fwd;
use crate::transaction::Expect;
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

/// What continuing an interrupted SEND takes.
#[derive(Debug, Clone)]
pub(crate) struct Resume {
    /// The head after the start line, up to where Byte-Range goes (To-Path, From-Path,
    /// the header fields before the MIME ones).
    pub(crate) before: Bytes,
    /// The MIME header fields (Content-Type last) and the empty line.
    pub(crate) after: Bytes,
    /// The 1-based position of the next body byte.
    pub(crate) next: u64,
    /// The Byte-Range total (`None`: `*`).
    pub(crate) total: Option<u64>,
    /// What a continuation chunk's transaction expects, and its data.
    pub(crate) expect: Expect,
    pub(crate) fwd: Fwd,
}

#[derive(Debug)]
struct Stream {
    id: u64,
    upstream: ConnRef,
    /// Pieces held while it waits behind the front stream.
    pieces: VecDeque<Piece>,
    bytes: usize,
    complete: bool,
    /// The current chunk's transaction id.
    tid: TransactionId,
    has_body: bool,
    /// Set when it may be interrupted.
    resume: Option<Resume>,
}

/// A chunk [`OutQueue::interrupt`] ended, and the one it queued for the rest.
#[derive(Debug)]
pub(crate) struct Interrupted {
    pub(crate) tid: TransactionId,
    pub(crate) expect: Expect,
    pub(crate) fwd: Fwd,
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

    /// Whether there is something to write now (ready bytes, or a chunk to interrupt).
    pub(crate) fn has_output(&self) -> bool {
        self.ready_bytes > 0 || self.can_interrupt()
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
    pub(crate) fn open_stream(
        &mut self,
        id: u64,
        upstream: ConnRef,
        head: Bytes,
        tid: TransactionId,
        has_body: bool,
        resume: Option<Resume>,
    ) {
        self.streams.push_back(Stream {
            id,
            upstream,
            pieces: VecDeque::new(),
            bytes: 0,
            complete: false,
            tid,
            has_body,
            resume,
        });
        let head = Piece {
            bytes: head,
            last_of: None,
        };
        self.push_stream(id, head, false);
    }

    /// Adds a body piece to stream `id`. Returns whether the stream is here.
    pub(crate) fn push_body(&mut self, id: u64, piece: Bytes) -> bool {
        let n = piece.len() as u64;
        let piece = Piece {
            bytes: piece,
            last_of: None,
        };
        if !self.push_stream(id, piece, false) {
            return false;
        }
        if let Some(r) = self
            .streams
            .iter_mut()
            .rfind(|s| s.id == id)
            .and_then(|s| s.resume.as_mut())
        {
            r.next += n;
        }
        true
    }

    /// Ends stream `id` with its end-line and `flag`.
    pub(crate) fn end_stream(&mut self, id: u64, flag: u8) {
        let Some(s) = self.streams.iter().rfind(|s| s.id == id && !s.complete) else {
            return;
        };
        let piece = end_line(&s.tid, s.has_body, flag);
        self.push_stream(id, piece, true);
    }

    /// The transaction id of stream `id`'s current chunk.
    pub(crate) fn stream_tid(&self, id: u64) -> Option<TransactionId> {
        self.streams.iter().rfind(|s| s.id == id).map(|s| s.tid)
    }

    /// Whether [`OutQueue::interrupt`] would interrupt now: the front stream may be
    /// interrupted, has nothing to write, and something else waits.
    pub(crate) fn can_interrupt(&self) -> bool {
        self.ready.is_empty()
            && (!self.control.is_empty() || self.streams.len() > 1)
            && self
                .streams
                .front()
                .is_some_and(|s| !s.complete && s.resume.is_some())
    }

    /// Ends the front stream's chunk with `+` and queues the rest of it, as a chunk with
    /// transaction id `tid`, behind the others (see the module documentation). Returns
    /// the new chunk's transaction, for the caller to track.
    pub(crate) fn interrupt(&mut self, tid: TransactionId) -> Option<Interrupted> {
        if !self.can_interrupt() {
            return None;
        }
        let front = self.streams.front_mut()?;
        let mut resume = front.resume.clone()?;
        let (id, upstream, old_tid, has_body) =
            (front.id, front.upstream, front.tid, front.has_body);
        front.complete = true;
        self.push_ready(end_line(&old_tid, has_body, b'+'));
        let mut head =
            bytes::BytesMut::with_capacity(resume.before.len() + resume.after.len() + 64);
        head.extend_from_slice(b"MSRP ");
        head.extend_from_slice(tid.as_bytes());
        head.extend_from_slice(b" SEND\r\n");
        head.extend_from_slice(&resume.before);
        let total = resume
            .total
            .map_or(alloc::string::String::from("*"), |t| alloc::format!("{t}"));
        head.extend_from_slice(
            alloc::format!("Byte-Range: {}-*/{total}\r\n", resume.next).as_bytes(),
        );
        head.extend_from_slice(&resume.after);
        resume.fwd.continued(resume.next);
        let out = Interrupted {
            tid,
            expect: resume.expect,
            fwd: resume.fwd.clone(),
        };
        let head = head.freeze();
        self.waiting_bytes += head.len();
        let mut pieces = VecDeque::new();
        let bytes = head.len();
        pieces.push_back(Piece {
            bytes: head,
            last_of: None,
        });
        self.streams.push_back(Stream {
            id,
            upstream,
            pieces,
            bytes,
            complete: false,
            tid,
            has_body,
            resume: Some(resume),
        });
        self.advance();
        Some(out)
    }

    /// Adds a piece to stream `id` (`end`: its last one). Returns whether the stream is
    /// here.
    fn push_stream(&mut self, id: u64, piece: Piece, end: bool) -> bool {
        let Some(pos) = self.streams.iter().rposition(|s| s.id == id && !s.complete) else {
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
        // An interrupted stream has its (complete) old part first: the live part is the
        // last with this id.
        let pos = self.streams.iter().rposition(|s| s.id == id)?;
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

/// `CRLF` (after a body) and the end-line of chunk `tid` with `flag`; the request's
/// last byte.
fn end_line(tid: &TransactionId, has_body: bool, flag: u8) -> Piece {
    let mut end = bytes::BytesMut::with_capacity(tid.as_bytes().len() + 12);
    if has_body {
        end.extend_from_slice(b"\r\n");
    }
    end.extend_from_slice(b"-------");
    end.extend_from_slice(tid.as_bytes());
    end.extend_from_slice(&[flag, b'\r', b'\n']);
    Piece {
        bytes: end.freeze(),
        last_of: Some(*tid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;

    fn drain(q: &mut OutQueue) -> alloc::string::String {
        let mut out = BytesMut::new();
        q.pop(usize::MAX, &mut out, |_| {});
        alloc::string::String::from_utf8(out.to_vec()).unwrap()
    }

    fn tid(s: &str) -> TransactionId {
        TransactionId::new(s.as_bytes()).unwrap()
    }

    #[test]
    fn streams_are_never_interleaved() {
        let up = ConnRef {
            id: ConnId(1),
            epoch: 1,
        };
        let mut q = OutQueue::default();
        q.open_stream(1, up, Bytes::from_static(b"H1 "), tid("aaaa"), false, None);
        q.open_stream(2, up, Bytes::from_static(b"H2 "), tid("bbbb"), false, None);
        q.push_control(Bytes::from_static(b"C "));
        assert!(q.push_body(2, Bytes::from_static(b"b2 ")));
        assert!(q.push_body(1, Bytes::from_static(b"b1 ")));
        assert_eq!(drain(&mut q), "H1 b1 ");
        assert_eq!(q.stream_position(2), Some((false, 6)));
        assert!(!q.can_interrupt(), "not interruptible");
        q.end_stream(1, b'$');
        assert_eq!(q.stream_position(2), Some((true, 0)));
        q.end_stream(2, b'$');
        assert_eq!(drain(&mut q), "-------aaaa$\r\nC H2 b2 -------bbbb$\r\n");
        assert!(q.is_empty());
        assert_eq!(q.total(), 0);
        assert!(!q.push_body(1, Bytes::from_static(b"x")));
    }
}
