//! The link layer: one transport connection's parser, outgoing queue, transaction table
//! and timers, shared by the endpoint ([`Connection`](crate::connection::Connection)) and
//! the relay engine. Its types are crate-internal; what a driver sees of it is the
//! endpoint's surface (`handle_input`, `poll_transmit`, `poll_timeout`, `handle_timeout`,
//! `handle_close`) and the public [`Framing`] and [`CloseReason`].
//!
//! A link knows bytes and chunks, not sessions or messages. What it sends comes from two
//! places: *control* chunks (responses, REPORTs, keep-alives), queued whole and sent
//! first, and *message* chunks that its owner produces on demand through its outbox (so a
//! 1 GiB file is never copied into a queue). It writes each chunk (head, body, end-line)
//! into the caller's buffer, so a driver makes one write per chunk or fewer; it
//! interrupts a chunk in flight when RFC 4975 section 5.1 lets it and others wait (a
//! response or REPORT at once, another message after its turn of `max_transmit` bytes);
//! it tracks each request's transaction from its first byte and starts its 30-second
//! timer (section 7.1.1) when its last byte leaves, at the `now` given; once closed it
//! drops what it held and ignores input.

mod close;
mod transmit;

use alloc::collections::VecDeque;
use bytes::{BufMut, Bytes, BytesMut};

use crate::time::Instant;
use crate::transaction::{Expect, Transactions};
use crate::wire::{ChunkParser, Continuation, ParseError, ParseEvent, TransactionId};
use crate::{Limits, Mode};

pub use close::CloseReason;
pub(crate) use transmit::Sink;
pub use transmit::{MIN_SHARED_PIECE, Transmit};

/// How chunks map onto what the transport carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Framing {
    /// A byte stream (TCP, TLS): each transmit holds up to `max_transmit` bytes, whole
    /// chunks packed together where they fit.
    #[default]
    Stream,
    /// WebSocket (RFC 7977 section 5.1): each transmit is exactly one chunk, to be sent as
    /// one WebSocket message. Outgoing messages are cut into chunks of at most
    /// `max_chunk` body bytes. Received WebSocket messages are fed to `handle_input` one
    /// by one.
    WebSocket {
        /// Most body bytes per chunk (and so, with its head, per WebSocket message).
        max_chunk: u64,
    },
}

/// A chunk the owner started, as [`Outbox::start`] returns it (its head written).
#[derive(Debug)]
pub(crate) struct Started<T> {
    /// Its transaction id (for the end-line).
    pub(crate) tid: TransactionId,
    /// Whether it has a body (then a CRLF precedes the end-line).
    pub(crate) has_body: bool,
    /// What its sender expects back.
    pub(crate) expect: Expect,
    /// The transaction's data.
    pub(crate) data: T,
}

/// Where a link's message chunks come from: the owner's outgoing messages.
///
/// The link calls [`Outbox::start`] when the transport is free, then [`Outbox::body`]
/// until the chunk's body is done or the link interrupts it, then [`Outbox::end`].
pub(crate) trait Outbox<T> {
    /// Starts the next chunk (the owner picks whose turn it is) and writes its head into
    /// `out`; `room` says whether the transaction table can take one more request
    /// expecting a response.
    fn start(&mut self, now: Instant, room: bool, out: &mut BytesMut) -> Option<Started<T>>;
    /// The next piece of the current chunk's body, at most `max` bytes; `None` when the
    /// body is done (or nothing more is available yet).
    fn body(&mut self, max: usize) -> Option<Bytes>;
    /// Whether the current chunk may be interrupted now (RFC 4975 section 5.1).
    fn may_interrupt(&self) -> bool;
    /// Whether another message than the current one could start a chunk now.
    fn others_waiting(&mut self, now: Instant) -> bool;
    /// Whether the current chunk's message was stopped (aborted, refused with 413 or a
    /// failure REPORT): the chunk ends at once with `#`.
    fn stopped(&self) -> bool;
    /// Ends the current chunk (body done, interrupted, or stopped: then `#`); returns its
    /// flag.
    fn end(&mut self) -> Continuation;
}

/// A control chunk: bytes written whole, and the transaction it opens, if any.
struct Control<T> {
    bytes: Bytes,
    transaction: Option<(TransactionId, Expect, T)>,
}

/// The message chunk being written.
struct Writing {
    tid: TransactionId,
    has_body: bool,
    /// Body bytes written since it last had its turn.
    turn: usize,
}

/// A link's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkConfig {
    pub(crate) limits: Limits,
    pub(crate) mode: Mode,
    pub(crate) framing: Framing,
    pub(crate) max_transmit: usize,
    pub(crate) max_pending: usize,
}

/// One transport's parser, outgoing queue, transactions and timers: see the module
/// documentation. `T` is what the owner keeps per transaction.
pub(crate) struct Link<T> {
    parser: ChunkParser,
    config: LinkConfig,
    control: VecDeque<Control<T>>,
    control_bytes: usize,
    transactions: Transactions<T>,
    writing: Option<Writing>,
    closed: Option<CloseReason>,
}

impl<T> Link<T> {
    pub(crate) fn new(config: LinkConfig) -> Link<T> {
        Link {
            parser: ChunkParser::new(config.limits, config.mode),
            config,
            control: VecDeque::new(),
            control_bytes: 0,
            transactions: Transactions::new(config.max_pending),
            writing: None,
            closed: None,
        }
    }

    /// Why the link closed, once it has.
    pub(crate) fn closed(&self) -> Option<&CloseReason> {
        self.closed.as_ref()
    }

    /// Takes received bytes; ignored once closed (nothing is buffered for a dead link).
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.closed.is_none() {
            self.parser.feed(bytes);
        }
    }

    /// The next parse event of what was fed.
    pub(crate) fn next_input(&mut self) -> Option<Result<ParseEvent, ParseError>> {
        if self.closed.is_some() {
            return None;
        }
        self.parser.next()
    }

    /// The next parse event of `src`, the caller's buffer of received bytes, parsed in
    /// place: what it consumed is split off `src` (body pieces share its memory), and what
    /// is left is the start of something incomplete, to be completed by the next bytes
    /// appended to `src`. Bytes given to [`Link::feed`] and not consumed yet come first:
    /// `src`'s are added to them (one copy) until they are consumed, then what is left
    /// moves to `src`. Once closed: `None`, and `src` is emptied.
    pub(crate) fn next_input_from(
        &mut self,
        src: &mut BytesMut,
    ) -> Option<Result<ParseEvent, ParseError>> {
        if self.closed.is_some() {
            src.clear();
            return None;
        }
        if self.parser.buffered() > 0 {
            self.parser.feed(src);
            src.clear();
            let ev = self.parser.next();
            if ev.is_none() {
                self.parser.move_buffered_to(src);
            }
            return ev;
        }
        self.parser.decode(src).transpose()
    }

    pub(crate) fn parser(&self) -> &ChunkParser {
        &self.parser
    }

    /// Queues a control chunk (sent before any message chunk, between chunks or in place
    /// of the rest of an interruptible one); `transaction` is registered when its first
    /// byte is written.
    pub(crate) fn push_control(
        &mut self,
        bytes: Bytes,
        transaction: Option<(TransactionId, Expect, T)>,
    ) {
        if self.closed.is_some() {
            return;
        }
        self.control_bytes += bytes.len();
        self.control.push_back(Control { bytes, transaction });
    }

    /// Bytes of control chunks waiting.
    pub(crate) fn control_bytes(&self) -> usize {
        self.control_bytes
    }

    pub(crate) fn transactions(&self) -> &Transactions<T> {
        &self.transactions
    }

    /// A response arrived: the transaction it ends, if one matches.
    pub(crate) fn on_response(&mut self, tid: &TransactionId) -> Option<(Expect, T)> {
        self.transactions.on_response(tid)
    }

    /// The transactions whose time ran out at `now`.
    pub(crate) fn expire(
        &mut self,
        now: Instant,
    ) -> alloc::vec::Vec<crate::transaction::Expired<T>> {
        self.transactions.expire(now)
    }

    /// When [`Link::expire`] next has something to do.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        if self.closed.is_some() {
            return None;
        }
        self.transactions.next_deadline()
    }

    /// Closes the link: drops what was queued and buffered; returns the transactions that
    /// were waiting (their requests failed). Later input is ignored and nothing more is
    /// written. Only the first reason counts.
    pub(crate) fn close(&mut self, reason: CloseReason) -> alloc::vec::Vec<(TransactionId, T)> {
        if self.closed.is_some() {
            return alloc::vec::Vec::new();
        }
        self.closed = Some(reason);
        self.control.clear();
        self.control_bytes = 0;
        self.writing = None;
        // Frees the receive buffer.
        self.parser = ChunkParser::new(self.config.limits, self.config.mode);
        self.transactions.drain()
    }

    /// Writes the next bytes to send into `buf` (appending): whole chunks where they fit,
    /// at most about `max_transmit` bytes (with WebSocket framing: exactly one chunk).
    /// Returns how many bytes were written, `None` when there is nothing to send.
    pub(crate) fn poll_transmit(
        &mut self,
        now: Instant,
        sink: &mut impl Sink,
        outbox: &mut impl Outbox<T>,
    ) -> Option<usize> {
        if self.closed.is_some() {
            return None;
        }
        let before = sink.written();
        let n = self.fill(now, sink, outbox, before);
        sink.finish();
        n
    }

    fn fill(
        &mut self,
        now: Instant,
        sink: &mut impl Sink,
        outbox: &mut impl Outbox<T>,
        before: usize,
    ) -> Option<usize> {
        let websocket = matches!(self.config.framing, Framing::WebSocket { .. });
        let budget = self.config.max_transmit.max(1);
        loop {
            let written = sink.written() - before;
            if let Some(w) = &mut self.writing {
                let stopped = outbox.stopped();
                let interrupt = outbox.may_interrupt()
                    && (!self.control.is_empty()
                        || (w.turn >= budget && outbox.others_waiting(now)));
                if !stopped && !interrupt {
                    // A WebSocket chunk goes out whole (its size is bounded by the policy).
                    let room = if websocket {
                        usize::MAX
                    } else {
                        budget.saturating_sub(written)
                    };
                    if room == 0 {
                        break;
                    }
                    if let Some(piece) = outbox.body(room) {
                        w.turn += piece.len();
                        sink.put_body(piece);
                        continue;
                    }
                }
                let flag = outbox.end();
                let Some(w) = self.writing.take() else { break };
                let buf = sink.buffer();
                if w.has_body {
                    buf.put_slice(b"\r\n");
                }
                buf.put_slice(b"-------");
                buf.put_slice(w.tid.as_bytes());
                buf.put_u8(flag.as_byte());
                buf.put_slice(b"\r\n");
                self.transactions.sent(&w.tid, now);
                if websocket {
                    break;
                }
                continue;
            }
            if written >= budget {
                break;
            }
            if let Some(c) = self.control.pop_front() {
                if websocket && written > 0 {
                    self.control.push_front(c);
                    break;
                }
                self.control_bytes -= c.bytes.len();
                sink.buffer().put_slice(&c.bytes);
                if let Some((tid, expect, data)) = c.transaction {
                    self.transactions.force_insert(tid, expect, data);
                    self.transactions.sent(&tid, now);
                }
                if websocket {
                    break;
                }
                continue;
            }
            if websocket && written > 0 {
                break;
            }
            let room = self.transactions.has_room();
            let Some(started) = outbox.start(now, room, sink.buffer()) else {
                break;
            };
            let tid = started.tid;
            // Registered at the first byte: a response may arrive before the last.
            let _ = self.transactions.insert(tid, started.expect, started.data);
            self.writing = Some(Writing {
                tid,
                has_body: started.has_body,
                turn: 0,
            });
        }
        let n = sink.written() - before;
        (n > 0).then_some(n)
    }
}
