//! One transport connection carrying one or more MSRP sessions (RFC 4975 sections 5-8):
//! the sans-IO endpoint state machine.
//!
//! The driver owns the socket and the clock. It feeds received bytes with
//! [`Connection::handle_input`], calls [`Connection::handle_timeout`] when the deadline from
//! [`Output::Timeout`] passes, and drains [`Connection::poll_output`] until it returns
//! `Output::Timeout`, writing every `Output::Transmit` in order. Application commands
//! ([`Connection::send`], [`Connection::send_keepalive`]) only queue work.
//!
//! It sends messages held whole or written piece by piece, cut into chunks by RFC 4975
//! section 7.1.1 (control traffic first, messages and sessions alternating); receives
//! whole or streamed messages, reassembled from chunks in any order; answers by section
//! 7.2 and 10 (200, 400, 413, 415, 481, 501, 506); sends success REPORTs (one per message,
//! or incremental) and failure REPORTs on request; runs the 30-second response timer. A
//! listening endpoint binds sessions to connections with a [`SessionTable`].

mod event;
mod table;
mod wrapped;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};

use crate::Limits;
use crate::chunking::{ChunkPolicy, Chunker, ReportPrefs};
use crate::reassembly::{RangeSet, Reassembly, ReassemblyError};
use crate::report::{self, ReportTarget};
use crate::time::Instant;
use crate::transaction::{DEFAULT_MAX_PENDING, Expect, Transactions};
use crate::wire::{
    ByteRange, Chunk, ChunkHead, ChunkParser, Continuation, Method, ParseError, ParseEvent,
    RandomSource, ReportRequest, random_id,
};
use msrp_uri::{Mode, Path, Uri};

pub use event::{Event, FailReason, SessionId};
use table::Lookup;
pub use table::{ConnectionId, DuplicateSession, SessionTable};

/// One step of output for the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Bytes to write to the transport, in order.
    Transmit(Bytes),
    /// Something for the application.
    Event(Event),
    /// Nothing more for now: call [`Connection::handle_timeout`] at this instant, or
    /// sooner when input arrives. `None`: no timer is running.
    Timeout(Option<Instant>),
}

/// A session's parameters, usually from the SDP offer/answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// This endpoint's URI in the session (the last URI of its `a=path`).
    pub local_uri: Uri,
    /// Where requests go: the peer's `a=path`, after any local relays.
    pub to_path: Path,
    /// Types this endpoint accepts (local `a=accept-types`); others get 415.
    pub accept_types: Vec<String>,
    /// Types it accepts inside containers (local `a=accept-wrapped-types`).
    pub accept_wrapped_types: Vec<String>,
    /// Largest message it receives (local `a=max-size`); larger ones get 413.
    pub max_message_size: u64,
    /// Match incoming requests by session-id only (RFC 6714, CEMA).
    pub cema: bool,
}

/// How chunks map onto what the transport carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Framing {
    /// A byte stream (TCP, TLS): chunks are written in pieces as they are produced.
    #[default]
    Stream,
    /// WebSocket (RFC 7977 section 5.1): each chunk is one [`Output::Transmit`], to be sent
    /// as one WebSocket message, and no message holds more than one chunk. Outgoing
    /// messages are cut into chunks of at most `max_chunk` body bytes. Received WebSocket
    /// messages are fed to [`Connection::handle_input`] one by one.
    WebSocket {
        /// Most body bytes per chunk (and so, with its head, per WebSocket message).
        max_chunk: u64,
    },
}

/// Limits and policies of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// Codec limits.
    pub limits: Limits,
    /// Strict or tolerant parsing of what the peer sends.
    pub mode: Mode,
    /// Most bytes queued for sending (message bodies not yet sent plus control traffic);
    /// beyond it [`Connection::send`] refuses with [`SendError::WouldBlock`].
    pub max_queued_bytes: usize,
    /// Messages up to this size are delivered whole ([`Event::MessageReceived`]); larger
    /// or of unknown size, streamed ([`Event::MessageData`]).
    pub max_gathered_message: u64,
    /// Most bytes held at once for incoming messages being gathered (the sum of their
    /// declared sizes); a message that would exceed it is streamed instead. Each gathered
    /// message is also capped at `max_gathered_message` bytes.
    pub max_gathered_bytes: u64,
    /// Most incoming messages in progress at once; chunks of further messages are refused
    /// with 413 (the receiver cannot take them now).
    pub max_incoming_messages: usize,
    /// Most separate byte ranges tracked per incoming message.
    pub max_ranges: usize,
    /// How outgoing messages are cut into chunks.
    pub chunk_policy: ChunkPolicy,
    /// Largest body piece in one [`Output::Transmit`] (stream framing).
    pub max_transmit: usize,
    /// Byte stream or WebSocket messages.
    pub framing: Framing,
    /// Incremental success REPORTs (RFC 4975 section 7.1.3): when a message asks for
    /// success reports, also send one each time this many more bytes from its start have
    /// arrived, covering all of them (the sender's progress). `None`: one REPORT per
    /// message, when it is complete.
    pub progress_reports: Option<u64>,
    /// How many messages are remembered after their end (at least one): received ones
    /// (complete or refused), so that [`Connection::report_failure`] can still reach them
    /// and later chunks of a refused one are refused too; sent ones, so that a failure
    /// REPORT arriving after their 200 responses still ends in [`Event::SendFailed`].
    pub remembered_messages: usize,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            limits: Limits::DEFAULT,
            mode: Mode::Tolerant,
            max_queued_bytes: 16 * 1024 * 1024,
            max_gathered_message: 1024 * 1024,
            max_gathered_bytes: 16 * 1024 * 1024,
            max_incoming_messages: 64,
            max_ranges: 256,
            chunk_policy: ChunkPolicy::AsFewAsPossible,
            max_transmit: 64 * 1024,
            framing: Framing::Stream,
            progress_reports: None,
            remembered_messages: 64,
        }
    }
}

/// Why a command was refused (local misuse or back-pressure, never the peer's fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No such session.
    #[error("unknown session")]
    UnknownSession,
    /// The send queue is full; try again after some output has been written.
    #[error("send queue full")]
    WouldBlock,
    /// The content type is not a valid media type.
    #[error("invalid content type")]
    InvalidContentType,
    /// No message with this Message-ID is being sent (or, for
    /// [`Connection::report_failure`], was received recently).
    #[error("unknown message")]
    UnknownMessage,
    /// A failure status must be an error code (400 to 699).
    #[error("not an error status code")]
    InvalidStatus,
}

struct Session {
    config: SessionConfig,
    /// Not closed by [`Connection::close_session`].
    open: bool,
}

struct Outgoing {
    session: SessionId,
    message_id: String,
    /// The body being sent, or the current segment of a streamed one.
    chunker: Chunker,
    /// For a message sent as it is produced: what is still to come.
    stream: Option<Stream>,
    /// Body bytes handed out so far, over all segments.
    sent: u64,
    success_wanted: bool,
    /// Byte ranges covered by success REPORTs (0-based).
    reported: RangeSet,
    failed: bool,
    /// Aborted after some chunks went out: one more (empty) chunk ends it with `#`.
    abort_pending: bool,
    /// Chunks in flight (waiting for responses).
    in_flight: usize,
}

/// The part of a streamed outgoing message not yet in a segment.
/// (Content type, policy, reports and declared total live in the current segment's
/// `Chunker`, which makes the next one.)
struct Stream {
    /// Written by the application, not yet sent.
    pending: VecDeque<Bytes>,
    /// The application called `finish`.
    finished: bool,
    /// The segment that ends the message has been started.
    final_started: bool,
}

impl Outgoing {
    /// Whether every byte has been sent and the last chunk ended.
    fn all_sent(&self) -> bool {
        self.chunker.is_done()
            && self
                .stream
                .as_ref()
                .is_none_or(|st| st.final_started && st.pending.is_empty())
    }

    /// The message's size once known.
    fn message_len(&self) -> Option<u64> {
        match &self.stream {
            None => Some(self.chunker.total()),
            Some(st) if st.finished => Some(
                self.chunker.end_offset() + st.pending.iter().map(|b| b.len() as u64).sum::<u64>(),
            ),
            Some(_) => self.chunker.declared_total(),
        }
    }

    /// Bytes queued and not yet sent (current segment and pending ones).
    fn unsent(&self) -> u64 {
        let pending: u64 = self
            .stream
            .as_ref()
            .map_or(0, |st| st.pending.iter().map(|b| b.len() as u64).sum());
        self.chunker.total() - self.chunker.sent() + pending
    }

    /// Whether a chunk can be started now; moves to the next segment of a stream if needed.
    fn ready(&mut self) -> bool {
        if self.failed {
            return self.abort_pending;
        }
        if !self.chunker.is_done() {
            return true;
        }
        let Some(st) = &mut self.stream else {
            return false;
        };
        if let Some(body) = st.pending.pop_front() {
            let last = st.finished && st.pending.is_empty();
            st.final_started |= last;
            self.chunker = self.chunker.next_segment(body, last);
            return true;
        }
        if st.finished && !st.final_started {
            // The message ends after a segment already sent: an empty chunk carries the `$`.
            st.final_started = true;
            self.chunker = self.chunker.next_segment(Bytes::new(), true);
            return true;
        }
        false
    }
}

struct Incoming {
    reassembly: Reassembly,
    content_type: String,
    streamed: bool,
    success_wanted: bool,
    /// Where REPORTs about it go (from the SEND that first carried it); `None` when that
    /// SEND's From-Path was unusable.
    target: Option<ReportTarget>,
    /// The total its first chunk's Byte-Range declared.
    declared: Option<u64>,
    /// Bytes from the start covered by the last progress REPORT.
    reported: u64,
    /// Bytes of the gathering budget it holds (its declared size; 0 when streamed).
    reserved: u64,
}

/// A received message after its end: enough to send a failure REPORT about it later, and
/// to refuse the rest of it when the receiver refused it.
struct Finished {
    key: (SessionId, String),
    target: Option<ReportTarget>,
    /// 1-based range-end and total to report on.
    end: u64,
    total: Option<u64>,
    /// The receiver refused the message with this code: later chunks get it too.
    refused: Option<u16>,
}

/// What to do with the chunk being received.
enum Current {
    /// A SEND accepted into message `key` at 0-based `offset` of the message.
    Accept {
        head: ChunkHead,
        key: (SessionId, String),
        start: u64,
        received: u64,
    },
    /// A request answered (or not) with `code` once its end-line arrives; body ignored.
    Answer {
        head: ChunkHead,
        session: Option<SessionId>,
        code: u16,
    },
    /// A response or REPORT: handled at its head; body ignored.
    Ignore,
}

struct TxInfo {
    session: SessionId,
    message_id: Option<String>,
    /// A bodiless SEND from [`Connection::send_keepalive`] (no outgoing message behind it).
    keepalive: bool,
}

/// An MSRP endpoint's connection: see the module documentation.
pub struct Connection<R> {
    config: ConnectionConfig,
    rng: R,
    now: Instant,
    parser: ChunkParser,
    sessions: Vec<Session>,
    current: Option<Current>,
    incoming: BTreeMap<(SessionId, String), Incoming>,
    /// Recently ended incoming messages, oldest first (at most `remembered_messages`).
    finished: VecDeque<Finished>,
    /// Recently retired outgoing messages (at most `remembered_messages`).
    sent: VecDeque<(SessionId, String)>,
    /// Sum of the declared sizes of the gathered messages in progress.
    gathered_reserved: u64,
    outgoing: VecDeque<Outgoing>,
    /// The chunk being written: index into `outgoing` is always 0 while set.
    writing: Option<Chunk>,
    control: VecDeque<Bytes>,
    events: VecDeque<Event>,
    transactions: Transactions<TxInfo>,
    queued: usize,
    /// This connection's id in the [`SessionTable`] it was given, if any.
    table_id: Option<ConnectionId>,
    /// The current chunk starts a wrapper (`message/cpim`) whose wrapped type is not known
    /// yet: its start, and the pieces held back until it is.
    wrapper: Option<(Vec<u8>, Vec<Bytes>)>,
}

impl<R: RandomSource> Connection<R> {
    /// A connection; `rng` supplies transaction ids and Message-IDs.
    pub fn new(config: ConnectionConfig, rng: R, now: Instant) -> Connection<R> {
        Connection {
            config,
            rng,
            now,
            parser: ChunkParser::new(config.limits, config.mode),
            sessions: Vec::new(),
            current: None,
            incoming: BTreeMap::new(),
            finished: VecDeque::new(),
            sent: VecDeque::new(),
            gathered_reserved: 0,
            outgoing: VecDeque::new(),
            writing: None,
            control: VecDeque::new(),
            events: VecDeque::new(),
            transactions: Transactions::new(DEFAULT_MAX_PENDING),
            queued: 0,
            table_id: None,
            wrapper: None,
        }
    }

    /// Binds a session to this connection.
    pub fn add_session(&mut self, config: SessionConfig) -> SessionId {
        self.sessions.push(Session { config, open: true });
        SessionId(self.sessions.len() - 1)
    }

    /// Bytes queued for sending and not yet handed out.
    pub fn queued_bytes(&self) -> usize {
        self.queued
    }

    /// `(sent, acknowledged by success REPORTs, total)` for an outgoing message still
    /// tracked.
    pub fn progress(&self, message_id: &str) -> Option<(u64, u64, u64)> {
        let o = self.outgoing.iter().find(|o| o.message_id == message_id)?;
        Some((o.sent, o.reported.covered(), o.message_len().unwrap_or(0)))
    }

    /// Queues a message; returns its Message-ID.
    pub fn send(
        &mut self,
        session: SessionId,
        content_type: &str,
        body: Bytes,
        reports: ReportPrefs,
    ) -> Result<String, SendError> {
        if self.queued + body.len() > self.config.max_queued_bytes {
            return Err(SendError::WouldBlock);
        }
        let len = body.len();
        let id = self.enqueue(session, content_type, reports, |id, policy| {
            (Chunker::new(id, content_type, body, policy, reports), None)
        })?;
        self.queued += len;
        Ok(id)
    }

    /// Starts a message whose body the application writes piece by piece with
    /// [`Connection::write`] and ends with [`Connection::finish`] (a file read as it is
    /// sent, so the sender never holds it whole). `total` is its size if known (Byte-Range
    /// total; `*` otherwise). Returns its Message-ID.
    pub fn send_stream(
        &mut self,
        session: SessionId,
        content_type: &str,
        total: Option<u64>,
        reports: ReportPrefs,
    ) -> Result<String, SendError> {
        self.enqueue(session, content_type, reports, |id, policy| {
            // An empty, finished, non-final segment: `Outgoing::ready` moves on from it.
            let mut chunker = Chunker::segment(
                id,
                content_type,
                Bytes::new(),
                0,
                total,
                false,
                policy,
                reports,
            );
            let _ = chunker.end();
            let stream = Stream {
                pending: VecDeque::new(),
                finished: false,
                final_started: false,
            };
            (chunker, Some(stream))
        })
    }

    /// Checks a new message's session and content type, gives it a Message-ID and queues
    /// it with the chunker (and stream state) `make` builds for the chunk policy in force.
    fn enqueue(
        &mut self,
        session: SessionId,
        content_type: &str,
        reports: ReportPrefs,
        make: impl FnOnce(&str, ChunkPolicy) -> (Chunker, Option<Stream>),
    ) -> Result<String, SendError> {
        if !self.is_open(session) {
            return Err(SendError::UnknownSession);
        }
        if crate::wire::MediaType::parse(content_type).is_none() {
            return Err(SendError::InvalidContentType);
        }
        let message_id = random_id(&mut self.rng).as_str().to_string();
        let policy = match self.config.framing {
            Framing::Stream => self.config.chunk_policy,
            Framing::WebSocket { max_chunk } => ChunkPolicy::Fixed(max_chunk),
        };
        let (chunker, stream) = make(&message_id, policy);
        self.outgoing.push_back(Outgoing {
            session,
            message_id: message_id.clone(),
            chunker,
            stream,
            sent: 0,
            success_wanted: reports.success == Some(true),
            reported: RangeSet::new(self.config.max_ranges),
            failed: false,
            abort_pending: false,
            in_flight: 0,
        });
        Ok(message_id)
    }

    /// Adds bytes to a message started with [`Connection::send_stream`]. Refused with
    /// [`SendError::WouldBlock`] while the send queue is full (write again after output
    /// has been drained).
    pub fn write(&mut self, message_id: &str, data: Bytes) -> Result<(), SendError> {
        if self.queued + data.len() > self.config.max_queued_bytes {
            return Err(SendError::WouldBlock);
        }
        let o = self
            .outgoing
            .iter_mut()
            .find(|o| o.message_id == message_id)
            .ok_or(SendError::UnknownMessage)?;
        let st = o
            .stream
            .as_mut()
            .filter(|st| !st.finished)
            .ok_or(SendError::UnknownMessage)?;
        if o.failed {
            return Err(SendError::UnknownMessage);
        }
        if !data.is_empty() {
            self.queued += data.len();
            st.pending.push_back(data);
        }
        Ok(())
    }

    /// Ends a message started with [`Connection::send_stream`]: its last chunk gets `$`.
    pub fn finish(&mut self, message_id: &str) -> Result<(), SendError> {
        let o = self
            .outgoing
            .iter_mut()
            .find(|o| o.message_id == message_id)
            .ok_or(SendError::UnknownMessage)?;
        let st = o.stream.as_mut().ok_or(SendError::UnknownMessage)?;
        st.finished = true;
        Ok(())
    }

    /// Stops sending a message (RFC 4975 section 7.1: the chunk being written, or one more
    /// empty chunk if some were sent already, ends with `#`); nothing more of it is sent and
    /// no event follows. A message not yet started is simply dropped.
    pub fn abort(&mut self, message_id: &str) -> Result<(), SendError> {
        let i = self
            .outgoing
            .iter()
            .position(|o| o.message_id == message_id)
            .ok_or(SendError::UnknownMessage)?;
        let writing = i == 0 && self.writing.is_some();
        let o = &mut self.outgoing[i];
        if o.failed {
            return Ok(());
        }
        self.queued -= o.unsent() as usize;
        o.failed = true;
        if writing {
            return Ok(());
        }
        if o.sent > 0 && !o.all_sent() {
            o.abort_pending = true;
        } else {
            self.outgoing.remove(i);
        }
        Ok(())
    }

    /// Queues an empty SEND: a message of no bytes (`Byte-Range: 1-0/0`, RFC 4975 section
    /// 7.1.1) with its own Message-ID, for keep-alive, and the request the active side sends
    /// at once to bind a new connection to the session (section 5.4). Returns the
    /// Message-ID; an error response or no response in 30 seconds ends in
    /// [`Event::SendFailed`] for it (a 481 or 506 here means the peer does not take the
    /// session on this connection), success in nothing.
    pub fn send_keepalive(&mut self, session: SessionId) -> Result<String, SendError> {
        let s = self
            .sessions
            .get(session.0)
            .filter(|s| s.open)
            .ok_or(SendError::UnknownSession)?;
        let (to, from) = (s.config.to_path.clone(), s.config.local_uri.clone());
        let tid = random_id(&mut self.rng);
        let message_id = random_id(&mut self.rng).as_str().to_string();
        let chunk = Chunk::send(tid, to, Path::new(from))
            .message_id(&message_id)
            .byte_range(1, Some(0), Some(0));
        self.push_control(encode(&chunk));
        let _ = self.transactions.insert(
            tid,
            Expect::Response,
            self.now,
            TxInfo {
                session,
                message_id: Some(message_id.clone()),
                keepalive: true,
            },
        );
        Ok(message_id)
    }

    /// A transaction failed: its message fails.
    fn transaction_failed(&mut self, info: TxInfo, reason: FailReason) {
        let Some(id) = info.message_id else { return };
        if info.keepalive {
            self.events.push_back(Event::SendFailed {
                session: info.session,
                message_id: id,
                reason,
            });
        } else {
            self.fail(info.session, &id, reason);
        }
    }

    /// Feeds bytes received from the transport.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        self.input(now, bytes, None);
    }

    /// Feeds bytes received on a connection accepted by a listening socket: a request for
    /// none of this connection's sessions binds the session `table` offers for its
    /// To-Path to this connection ([`Event::SessionBound`]), or gets 506 if another
    /// connection has it, or 481 if the table has no such session (RFC 4975 section 5.4).
    /// Use the same table for every connection of the listener, and call
    /// [`SessionTable::release`] with [`Connection::table_id`] when this one closes.
    pub fn handle_input_with(&mut self, now: Instant, bytes: &[u8], table: &mut SessionTable) {
        if self.table_id.is_none() {
            self.table_id = Some(table.new_connection());
        }
        self.input(now, bytes, Some(table));
    }

    /// This connection's id in the [`SessionTable`] given to
    /// [`Connection::handle_input_with`], once it was given one.
    pub fn table_id(&self) -> Option<ConnectionId> {
        self.table_id
    }

    fn input(&mut self, now: Instant, bytes: &[u8], mut table: Option<&mut SessionTable>) {
        self.now = now;
        self.parser.feed(bytes);
        while let Some(ev) = self.parser.next() {
            match ev {
                Ok(ParseEvent::Head(head)) => self.on_head(head, table.as_deref_mut()),
                Ok(ParseEvent::Body(piece)) => self.on_body(piece),
                Ok(ParseEvent::End(end)) => self.on_end(end.continuation),
                Err(e) => {
                    self.current = None;
                    self.wrapper = None;
                    if let Some(r) = self.answer_rejected(&e) {
                        self.push_control(encode(&r));
                    }
                    self.events.push_back(Event::PeerError(e));
                }
            }
        }
    }

    /// Runs the timers due at `now` (safe to call early).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        for (_, info) in self.transactions.expire(now) {
            self.transaction_failed(info, FailReason::Timeout);
        }
    }

    /// The next output. Drain until it returns [`Output::Timeout`].
    pub fn poll_output(&mut self) -> Output {
        if let Some(t) = self.next_framed() {
            return Output::Transmit(t);
        }
        if let Some(e) = self.events.pop_front() {
            return Output::Event(e);
        }
        Output::Timeout(self.transactions.next_deadline())
    }

    fn session_for(&self, to: &Path) -> Option<SessionId> {
        let target = to.last()?;
        self.sessions
            .iter()
            .position(|s| {
                s.open
                    && (s.config.local_uri.matches(target)
                        || (s.config.cema && s.config.local_uri.matches_session_id(target)))
            })
            .map(SessionId)
    }

    fn is_open(&self, session: SessionId) -> bool {
        self.sessions.get(session.0).is_some_and(|s| s.open)
    }

    /// Sessions not closed, on this connection. RFC 4975 section 5.4: a connection should
    /// not be closed while sessions use it; once this is 0 the driver may close it.
    pub fn open_sessions(&self) -> usize {
        self.sessions.iter().filter(|s| s.open).count()
    }

    /// Ends a session on this connection (its SDP session ended, e.g. by a SIP BYE):
    /// messages it is still sending stop (a chunk being written ends with `#`) and each
    /// gets [`Event::SendFailed`] with [`FailReason::SessionClosed`]; messages it is
    /// receiving are dropped; later requests for it get 481. [`Event::SessionClosed`]
    /// follows. Returns how many sessions are still open on the connection.
    pub fn close_session(&mut self, session: SessionId) -> Result<usize, SendError> {
        if !self.is_open(session) {
            return Err(SendError::UnknownSession);
        }
        let sending: Vec<String> = self
            .outgoing
            .iter()
            .filter(|o| o.session == session && !o.failed)
            .map(|o| o.message_id.clone())
            .collect();
        for id in sending {
            self.fail(session, &id, FailReason::SessionClosed);
        }
        // The chunk being received is for a session that no longer exists.
        if matches!(&self.current, Some(Current::Accept { key, .. }) if key.0 == session) {
            self.refuse_current(481);
        }
        let keys: Vec<_> = self
            .incoming
            .keys()
            .filter(|k| k.0 == session)
            .cloned()
            .collect();
        for k in keys {
            self.take_incoming(&k);
        }
        self.finished.retain(|f| f.key.0 != session);
        self.sent.retain(|(s, _)| *s != session);
        self.sessions[session.0].open = false;
        self.events.push_back(Event::SessionClosed { session });
        Ok(self.open_sessions())
    }

    /// The session a request is for: one of this connection's, or one `table` binds to
    /// it now; `Err(code)` when there is none (481) or it is bound elsewhere (506).
    fn route(
        &mut self,
        head: &ChunkHead,
        table: Option<&mut SessionTable>,
    ) -> Result<SessionId, u16> {
        let to = head.to_path().map_err(|_| 481u16)?;
        if let Some(s) = self.session_for(&to) {
            return Ok(s);
        }
        let (Some(table), Some(id), Some(target)) = (table, self.table_id, to.last()) else {
            return Err(481);
        };
        match table.bind(target, id) {
            Lookup::Unknown => Err(481),
            Lookup::BoundElsewhere => Err(506),
            Lookup::Bound(config) => {
                let local_uri = config.local_uri.clone();
                let session = self.add_session(config);
                self.events
                    .push_back(Event::SessionBound { session, local_uri });
                Ok(session)
            }
        }
    }

    fn on_head(&mut self, head: ChunkHead, table: Option<&mut SessionTable>) {
        if !head.is_request() {
            self.on_response(&head);
            self.current = Some(Current::Ignore);
            return;
        }
        let session = self.route(&head, table);
        let method = head.method();
        let current = match (session, method) {
            (Err(code), _) => Current::Answer {
                head,
                session: None,
                code,
            },
            (Ok(s), Some(Method::Report)) => {
                self.on_report(s, &head);
                Current::Ignore
            }
            (Ok(s), Some(Method::Send)) => self.accept_send(s, head),
            (Ok(s), _) => Current::Answer {
                head,
                session: Some(s),
                code: 501,
            },
        };
        self.current = Some(current);
    }

    /// Decides what to do with a SEND to session `s`.
    fn accept_send(&mut self, s: SessionId, head: ChunkHead) -> Current {
        let cfg = &self.sessions[s.0].config;
        let Some(message_id) = head.message_id().map(str::to_string) else {
            // A bodiless SEND without Message-ID (keep-alive, binding): answer 200.
            let code = if head.has_body() { 400 } else { 200 };
            return Current::Answer {
                head,
                session: Some(s),
                code,
            };
        };
        if !head.has_body() {
            return Current::Answer {
                head,
                session: Some(s),
                code: 200,
            };
        }
        let content_type = head.content_type().unwrap_or("").to_string();
        let accepted = cfg
            .accept_types
            .iter()
            .any(|p| msrp_sdp::type_matches(p, &content_type));
        // What a wrapper holds is checked once its start has arrived (RFC 4975 section
        // 8.6), unless `*` accepts anything anyway.
        let check_wrapped = wrapped::is_wrapper(&content_type)
            && head.byte_range().is_none_or(|r| r.start == 1)
            && !cfg.accept_types.iter().any(|p| p.trim() == "*");
        if !accepted {
            return Current::Answer {
                head,
                session: Some(s),
                code: 415,
            };
        }
        let range = head.byte_range().unwrap_or(ByteRange {
            start: 1,
            end: None,
            total: None,
        });
        let max = cfg.max_message_size;
        if range.total.is_some_and(|t| t > max) || range.start.saturating_sub(1) > max {
            return Current::Answer {
                head,
                session: Some(s),
                code: 413,
            };
        }
        let key = (s, message_id);
        if let Some(f) = self.finished.iter().find(|f| f.key == key) {
            // A chunk of a message refused (its code again), or of one already complete:
            // a duplicate (RFC 4975 section 7.3.1), acknowledged and dropped.
            return Current::Answer {
                head,
                session: Some(s),
                code: f.refused.unwrap_or(200),
            };
        }
        if !self.incoming.contains_key(&key) {
            if self.incoming.len() >= self.config.max_incoming_messages {
                return Current::Answer {
                    head,
                    session: Some(s),
                    code: 413,
                };
            }
            // Gathered when small and known, and while the budget for gathered messages
            // lasts; streamed otherwise (so memory never depends on what peers declare).
            let gather = range.total.filter(|&t| {
                t <= self.config.max_gathered_message
                    && self.gathered_reserved + t <= self.config.max_gathered_bytes
            });
            let gathered = gather.is_some();
            self.gathered_reserved += gather.unwrap_or(0);
            let reassembly = if gathered {
                // A peer sending more than it declared is capped at the per-message limit.
                let cap = max.min(self.config.max_gathered_message);
                Reassembly::gathering(cap, self.config.max_ranges)
            } else {
                Reassembly::streaming(max, self.config.max_ranges)
            };
            self.incoming.insert(
                key.clone(),
                Incoming {
                    reassembly,
                    content_type,
                    streamed: !gathered,
                    success_wanted: report::success_report_wanted(&head),
                    target: ReportTarget::from_request(&head),
                    declared: range.total,
                    reported: 0,
                    reserved: gather.unwrap_or(0),
                },
            );
        }
        if check_wrapped {
            self.wrapper = Some((Vec::new(), Vec::new()));
        }
        Current::Accept {
            head,
            key,
            start: range.start.saturating_sub(1),
            received: 0,
        }
    }

    fn on_body(&mut self, piece: Bytes) {
        let Some((prefix, held)) = &mut self.wrapper else {
            return self.accept_piece(piece);
        };
        let room = wrapped::MAX_WRAPPER_HEAD.saturating_sub(prefix.len());
        prefix.extend_from_slice(&piece[..piece.len().min(room)]);
        held.push(piece);
        self.check_wrapper(false);
    }

    /// Decides on the wrapped type once it is known (or the chunk ended): the held pieces
    /// go on, or the message is refused with 415.
    fn check_wrapper(&mut self, chunk_ended: bool) {
        let Some((prefix, _)) = &self.wrapper else {
            return;
        };
        let inner = match wrapped::inner_type(prefix, chunk_ended) {
            wrapped::Inner::NotYet => return,
            wrapped::Inner::Found(t) => Some(String::from(t)),
            wrapped::Inner::Absent => None,
        };
        let Some((_, held)) = self.wrapper.take() else {
            return;
        };
        let Some(Current::Accept { key, .. }) = &self.current else {
            return;
        };
        let cfg = &self.sessions[key.0.0].config;
        let ok = inner.is_some_and(|t| {
            let mut types = cfg.accept_types.iter().chain(&cfg.accept_wrapped_types);
            types.any(|p| msrp_sdp::type_matches(p, &t))
        });
        if ok {
            for piece in held {
                self.accept_piece(piece);
            }
            return;
        }
        self.refuse_current(415);
    }

    /// Refuses the chunk being received with `code` (answered at its end-line, the rest of
    /// its body ignored) and drops its message; later chunks of it get `code` too.
    fn refuse_current(&mut self, code: u16) {
        if let Some(Current::Accept { head, key, .. }) = self.current.take() {
            self.wrapper = None;
            self.drop_incoming(&key, code);
            self.current = Some(Current::Answer {
                head,
                session: Some(key.0),
                code,
            });
        }
    }

    fn accept_piece(&mut self, piece: Bytes) {
        let Some(Current::Accept {
            key,
            start,
            received,
            ..
        }) = &mut self.current
        else {
            return;
        };
        let Some(msg) = self.incoming.get_mut(key) else {
            return;
        };
        let offset = *start + *received;
        let range = ByteRange {
            start: offset + 1,
            end: None,
            total: None,
        };
        match msg.reassembly.add(range, &piece, Continuation::More) {
            Ok(_) => {
                *received += piece.len() as u64;
                let prefix = msg.reassembly.ranges().prefix_len();
                let step = self.config.progress_reports.filter(|_| msg.success_wanted);
                let progress = step
                    .is_some_and(|n| prefix >= msg.reported.saturating_add(n.max(1)))
                    .then(|| {
                        msg.reported = prefix;
                        (msg.target.clone(), msg.reassembly.total().or(msg.declared))
                    });
                let session = key.0;
                if msg.streamed {
                    self.events.push_back(Event::MessageData {
                        session,
                        message_id: key.1.clone(),
                        offset,
                        data: piece,
                    });
                }
                if let Some((head, total)) = progress {
                    self.send_report(session, head.as_ref(), 200, (prefix, total));
                }
            }
            // Too large, or inconsistent: refuse the chunk and drop the message.
            Err(e) => self.refuse_current(reassembly_code(e)),
        }
    }

    fn on_end(&mut self, flag: Continuation) {
        self.check_wrapper(true);
        match self.current.take() {
            Some(Current::Accept {
                head,
                key,
                start,
                received,
            }) => {
                let Some(msg) = self.incoming.get_mut(&key) else {
                    return;
                };
                if flag == Continuation::Aborted {
                    self.take_incoming(&key);
                    self.respond(&head, 200);
                    self.events.push_back(Event::MessageAborted {
                        session: key.0,
                        message_id: key.1,
                    });
                    return;
                }
                let range = ByteRange {
                    start: start + received + 1,
                    end: None,
                    total: head.byte_range().and_then(|r| r.total),
                };
                let result = msg.reassembly.add(range, &[], flag);
                match result {
                    Err(e) => {
                        let code = reassembly_code(e);
                        self.drop_incoming(&key, code);
                        self.respond(&head, code);
                        self.events.push_back(Event::Rejected {
                            session: Some(key.0),
                            code,
                        });
                    }
                    Ok(p) => {
                        self.respond(&head, 200);
                        if p.complete {
                            self.complete(key);
                        }
                    }
                }
            }
            Some(Current::Answer {
                head,
                session,
                code,
            }) => {
                self.respond(&head, code);
                if code != 200 {
                    self.events.push_back(Event::Rejected { session, code });
                }
            }
            Some(Current::Ignore) | None => {}
        }
    }

    fn complete(&mut self, key: (SessionId, String)) {
        let Some(mut msg) = self.take_incoming(&key) else {
            return;
        };
        let total = msg.reassembly.total().unwrap_or(0);
        if msg.success_wanted {
            self.send_report(key.0, msg.target.as_ref(), 200, (total, Some(total)));
        }
        self.remember(Finished {
            key: key.clone(),
            target: msg.target.clone(),
            end: total,
            total: Some(total),
            refused: None,
        });
        if msg.streamed {
            self.events.push_back(Event::MessageComplete {
                session: key.0,
                message_id: key.1,
                total,
            });
        } else {
            let body = Bytes::from(msg.reassembly.take_data().unwrap_or_default());
            self.events.push_back(Event::MessageReceived {
                session: key.0,
                message_id: key.1,
                content_type: msg.content_type,
                body,
            });
        }
    }

    /// Queues a REPORT about the message `request` started: Status `000 code`, covering
    /// bytes `1..=end` of `total` (RFC 4975 sections 7.1.3 and 7.1.4).
    fn send_report(
        &mut self,
        session: SessionId,
        target: Option<&ReportTarget>,
        code: u16,
        (end, total): (u64, Option<u64>),
    ) {
        let Some(target) = target else { return };
        let local = self.sessions[session.0].config.local_uri.clone();
        let tid = random_id(&mut self.rng);
        let comment = Some(reason_phrase(code));
        let r = target.report(tid, local, code, comment, (1, end, total));
        self.push_control(encode(&r));
    }

    /// Drops a message being received that this side refused with `code`; its later
    /// chunks get `code` too.
    fn drop_incoming(&mut self, key: &(SessionId, String), code: u16) {
        if let Some(msg) = self.take_incoming(key) {
            self.remember(Finished {
                key: key.clone(),
                target: msg.target,
                end: msg.reassembly.ranges().iter().last().map_or(0, |r| r.1),
                total: msg.reassembly.total(),
                refused: Some(code),
            });
        }
    }

    /// Removes an incoming message, giving back its share of the gathering budget.
    fn take_incoming(&mut self, key: &(SessionId, String)) -> Option<Incoming> {
        let msg = self.incoming.remove(key)?;
        self.gathered_reserved -= msg.reserved;
        Some(msg)
    }

    fn remember(&mut self, f: Finished) {
        self.finished.retain(|old| old.key != f.key);
        while self.finished.len() >= self.config.remembered_messages.max(1) {
            self.finished.pop_front();
        }
        self.finished.push_back(f);
    }

    /// Refuses a message received (or being received) from the peer after the fact, as a
    /// gateway does when the next network rejects it (RFC 4975 section 7.1.4): sends a
    /// failure REPORT with Status `000 code` covering the bytes received, unless the
    /// sender's Failure-Report was `no`; a message still arriving is dropped (what it held
    /// is freed, no completion event follows) and its further chunks are answered `code`.
    /// Reaches messages in progress and the last
    /// [`ConnectionConfig::remembered_messages`] ended ones. Returns whether a REPORT was
    /// queued.
    pub fn report_failure(
        &mut self,
        session: SessionId,
        message_id: &str,
        code: u16,
    ) -> Result<bool, SendError> {
        if !(400..=699).contains(&code) {
            return Err(SendError::InvalidStatus);
        }
        let key = (session, String::from(message_id));
        if matches!(&self.current, Some(Current::Accept { key: k, .. }) if *k == key) {
            self.refuse_current(code);
        } else {
            self.drop_incoming(&key, code);
        }
        let f = self
            .finished
            .iter_mut()
            .find(|f| f.key == key)
            .ok_or(SendError::UnknownMessage)?;
        f.refused = Some(code);
        let (target, end, total) = (f.target.clone(), f.end, f.total);
        if !target.as_ref().is_some_and(ReportTarget::failure_allowed) {
            return Ok(false);
        }
        self.send_report(session, target.as_ref(), code, (end, total));
        Ok(true)
    }

    /// Queues a response or REPORT (counted in the queued bytes).
    fn push_control(&mut self, bytes: Bytes) {
        self.queued += bytes.len();
        self.control.push_back(bytes);
    }

    /// Queues the response to `request` if RFC 4975 section 7.2 wants one.
    fn respond(&mut self, request: &ChunkHead, code: u16) {
        if !report::response_wanted(request, code) {
            return;
        }
        let local = request.to_path().ok().and_then(|p| p.last().cloned());
        let Some(local) = local else { return };
        if let Some(r) = Chunk::response_to(request, local, code, Some(reason_phrase(code))) {
            self.push_control(encode(&r));
        }
    }

    /// The response to a request the parser skipped (RFC 4975 section 7.3: 400 for what
    /// cannot be understood), when its head got as far as a From-Path and a To-Path: the
    /// same rules as for any request (section 7.2), read from what was parsed.
    fn answer_rejected(&self, e: &ParseError) -> Option<Chunk> {
        let code = e.status_code()?;
        let tid = *e.transaction_id()?;
        let head = self.parser.rejected_head();
        let method = head.method()?;
        let wanted = match head.failure_report() {
            ReportRequest::No => false,
            ReportRequest::Partial | ReportRequest::Yes => true,
        };
        if method == Method::Report || !wanted || head.transaction_id() != Some(tid) {
            return None;
        }
        let local = head.to_path()?.last()?.clone();
        let from = head.from_path()?;
        let to = if method == Method::Send {
            Path::new(from.first()?.clone())
        } else {
            from
        };
        Some(Chunk::response(
            tid,
            to,
            Path::new(local),
            code,
            Some(reason_phrase(code)),
        ))
    }

    fn on_response(&mut self, head: &ChunkHead) {
        let Some(info) = self.transactions.on_response(&head.transaction_id()) else {
            return;
        };
        let code = head.status_code().unwrap_or(0);
        if let Some(id) = &info.message_id {
            if let Some(o) = self.outgoing.iter_mut().find(|o| &o.message_id == id) {
                o.in_flight = o.in_flight.saturating_sub(1);
            }
        }
        if code != 200 {
            self.transaction_failed(info, FailReason::Response(code));
        } else if let Some(id) = &info.message_id {
            self.retire_if_done(id);
        }
    }

    fn on_report(&mut self, session: SessionId, head: &ChunkHead) {
        let Some(id) = head.message_id() else { return };
        let status = head.status().map_or(0, |s| s.code);
        let range = head.byte_range();
        let Some(o) = self
            .outgoing
            .iter_mut()
            .find(|o| o.message_id == id && o.session == session)
        else {
            // A failure REPORT about a message sent and answered 200 (a gateway's late
            // refusal, RFC 4975 section 7.1.4).
            let known = self.sent.iter().any(|(s, m)| *s == session && m == id);
            if known && status != 200 {
                let id = String::from(id);
                self.sent.retain(|(s, m)| !(*s == session && *m == id));
                self.events.push_back(Event::ReportReceived {
                    session,
                    message_id: id.clone(),
                    status,
                    range,
                });
                self.events.push_back(Event::SendFailed {
                    session,
                    message_id: id,
                    reason: FailReason::Report(status),
                });
            }
            return; // RFC 4975 section 7.1.2: unknown Message-ID, ignored
        };
        let id = id.to_string();
        self.events.push_back(Event::ReportReceived {
            session,
            message_id: id.clone(),
            status,
            range,
        });
        if status != 200 {
            self.fail(session, &id, FailReason::Report(status));
            return;
        }
        if let Some(r) = range {
            let end = r.end.unwrap_or(r.start.saturating_sub(1));
            let _ = o.reported.insert(r.start.saturating_sub(1), end);
        }
        self.check_delivered(&id);
    }

    /// Reports `MessageDelivered` once success REPORTs cover a message whose last chunk has
    /// gone out (a REPORT can arrive before the sender ends its last, empty chunk).
    fn check_delivered(&mut self, message_id: &str) {
        let Some(o) = self
            .outgoing
            .iter_mut()
            .find(|o| o.message_id == message_id)
        else {
            return;
        };
        let len = o.message_len();
        if o.success_wanted
            && !o.failed
            && o.all_sent()
            && len.is_some_and(|n| o.reported.covers_prefix(n))
        {
            o.success_wanted = false;
            let (session, id) = (o.session, o.message_id.clone());
            self.events.push_back(Event::MessageDelivered {
                session,
                message_id: id.clone(),
            });
            self.retire_if_done(&id);
        }
    }

    fn fail(&mut self, session: SessionId, message_id: &str, reason: FailReason) {
        let Some(i) = self
            .outgoing
            .iter()
            .position(|o| o.message_id == message_id)
        else {
            return;
        };
        let o = &mut self.outgoing[i];
        if o.failed {
            return;
        }
        o.failed = true;
        self.queued -= o.unsent() as usize;
        // A chunk being written is ended (with `#`) by the next poll; others go now.
        if !(i == 0 && self.writing.is_some()) {
            self.outgoing.remove(i);
        }
        self.events.push_back(Event::SendFailed {
            session,
            message_id: message_id.into(),
            reason,
        });
    }

    /// Forgets a message once all its chunks are sent and answered and no report is awaited.
    fn retire_if_done(&mut self, message_id: &str) {
        if let Some(i) = self
            .outgoing
            .iter()
            .position(|o| o.message_id == message_id)
        {
            let o = &self.outgoing[i];
            let writing = i == 0 && self.writing.is_some();
            if o.all_sent() && o.in_flight == 0 && !o.success_wanted && !writing {
                if let Some(o) = self.outgoing.remove(i) {
                    // A failure REPORT may still come (RFC 4975 section 7.1.4).
                    while self.sent.len() >= self.config.remembered_messages.max(1) {
                        self.sent.pop_front();
                    }
                    self.sent.push_back((o.session, o.message_id));
                }
            }
        }
    }

    /// The next bytes to write: with WebSocket framing, a whole chunk at a time.
    fn next_framed(&mut self) -> Option<Bytes> {
        let first = self.next_transmit()?;
        if self.config.framing == Framing::Stream || self.writing.is_none() {
            return Some(first);
        }
        let mut message = BytesMut::from(&first[..]);
        while self.writing.is_some() {
            match self.next_transmit() {
                Some(b) => message.extend_from_slice(&b),
                None => break,
            }
        }
        Some(message.freeze())
    }

    fn next_transmit(&mut self) -> Option<Bytes> {
        // A chunk being written goes on until its body is done, or until responses and
        // REPORTs wait and it may be interrupted (RFC 4975 section 5.1); nothing else can
        // go between its head and its end-line.
        if self.writing.is_some() {
            let control_waits = !self.control.is_empty();
            let o = self.outgoing.front_mut()?;
            let interrupt = control_waits && o.chunker.may_interrupt();
            if !o.failed && !interrupt {
                if let Some(piece) = o.chunker.take(self.config.max_transmit) {
                    o.sent += piece.len() as u64;
                    self.queued -= piece.len();
                    return Some(piece);
                }
            }
            return Some(self.finish_chunk());
        }
        if let Some(c) = self.control.pop_front() {
            self.queued -= c.len();
            return Some(c);
        }
        // Start the next chunk of the next message that has something to send.
        let n = self.outgoing.len();
        for _ in 0..n {
            if self.outgoing.front_mut()?.ready() {
                break;
            }
            self.outgoing.rotate_left(1);
        }
        let o = self.outgoing.front_mut()?;
        if !o.ready() {
            return None;
        }
        let s = &self.sessions[o.session.0].config;
        let tid = random_id(&mut self.rng);
        let from = Path::new(s.local_uri.clone());
        let chunk = if o.abort_pending {
            o.chunker.begin_abort(tid, &s.to_path, &from)
        } else {
            o.chunker.begin(tid, &s.to_path, &from)
        };
        let mut head = BytesMut::new();
        // The chunker builds valid heads; an error here would be a bug, reported as a failure.
        if chunk.encode_head(&mut head).is_err() {
            let (session, id) = (o.session, o.message_id.clone());
            self.fail(session, &id, FailReason::Response(500));
            return None;
        }
        self.writing = Some(chunk);
        Some(head.freeze())
    }

    /// Ends the chunk being written; records its transaction; rotates for fairness.
    fn finish_chunk(&mut self) -> Bytes {
        let (Some(mut chunk), Some(o)) = (self.writing.take(), self.outgoing.front_mut()) else {
            return Bytes::new();
        };
        let flag = if o.failed {
            Continuation::Aborted
        } else {
            o.chunker.end()
        };
        chunk = chunk.continuation(flag);
        let mut end = BytesMut::new();
        chunk.encode_end(&mut end);
        let expect = Expect::from_failure_report(chunk_failure_report(&chunk));
        let info = TxInfo {
            session: o.session,
            message_id: Some(o.message_id.clone()),
            keepalive: false,
        };
        if self
            .transactions
            .insert(chunk.tid, expect, self.now, info)
            .is_ok()
            && expect != Expect::Nothing
        {
            o.in_flight += 1;
        }
        let id = o.message_id.clone();
        if o.failed {
            self.outgoing.pop_front();
        } else {
            self.outgoing.rotate_left(1);
            // Success REPORTs may already cover the message.
            self.check_delivered(&id);
            self.retire_if_done(&id);
        }
        end.freeze()
    }
}

/// The response code for a chunk that cannot be added to its message: 413 when the message
/// is too large for this receiver, 400 when the chunks contradict each other.
fn reassembly_code(e: ReassemblyError) -> u16 {
    match e {
        ReassemblyError::TooLarge { .. } | ReassemblyError::TooManyRanges { .. } => 413,
        _ => 400,
    }
}

/// A chunk's Failure-Report, read back from its headers.
fn chunk_failure_report(chunk: &Chunk) -> Option<ReportRequest> {
    let (_, v) = chunk.headers.iter().find(|(n, _)| n == "Failure-Report")?;
    match v.as_str() {
        "yes" => Some(ReportRequest::Yes),
        "no" => Some(ReportRequest::No),
        "partial" => Some(ReportRequest::Partial),
        _ => None,
    }
}

/// The comment of a response with `code` (RFC 4975 section 10).
fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Timeout",
        413 => "Too Large",
        415 => "Unsupported Media Type",
        423 => "Interval Out Of Bounds",
        481 => "Session Does Not Exist",
        501 => "Not Implemented",
        506 => "Session Already Bound",
        _ => "Error",
    }
}

fn encode(chunk: &Chunk) -> Bytes {
    let mut out = BytesMut::new();
    // Chunks built here from checked parts always encode.
    let _ = chunk.encode(&mut out);
    out.freeze()
}

#[cfg(test)]
mod tests;
