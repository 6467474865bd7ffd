//! One transport connection carrying one or more MSRP sessions (RFC 4975 sections 5-8):
//! the sans-IO endpoint state machine, on top of the [`link`](crate::link) layer.
//!
//! # Driving it
//!
//! The driver owns the socket and the clock; every call that depends on time takes `now`.
//! Its methods come in four groups:
//!
//! - **input**: [`Connection::handle_input`] with received bytes (or
//!   [`Connection::handle_input_with`] on a listener's connections; or, parsing the
//!   driver's read buffer in place without a copy, [`Connection::handle_input_buf`] and
//!   [`Connection::handle_input_buf_with`]),
//!   [`Connection::handle_timeout`] once [`Connection::poll_timeout`]'s instant has
//!   passed, and [`Connection::handle_close`] when the transport closed or failed;
//! - **output**: [`Connection::poll_transmit`] fills a buffer with the next bytes to write
//!   (whole chunks where they fit: one write per chunk or fewer), until it returns `None`;
//!   [`Connection::poll_event`] hands out events, independently of transmits;
//!   [`Connection::poll_timeout`] says when to call `handle_timeout`;
//! - **commands**: [`Connection::send`], [`Connection::send_stream`] /
//!   [`Connection::write`] / [`Connection::finish`], [`Connection::abort`],
//!   [`Connection::send_keepalive`], [`Connection::close_session`],
//!   [`Connection::report_failure`], [`Connection::authenticate`] (AUTH to a relay, RFC
//!   4976) and [`Connection::stop_auth`]: they queue work and never write by themselves;
//! - **getters**: [`Connection::queued_bytes`], [`Connection::progress`],
//!   [`Connection::is_closed`], ...
//!
//! After any input or command: drain `poll_transmit`, then `poll_event`, then wait for
//! input, a command or `poll_timeout`.
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig};
//! use msrp_proto::chunking::ReportPrefs;
//! use msrp_proto::wire::RandomSource;
//! use msrp_proto::Instant;
//!
//! // Use a cryptographically secure source in an application (ids must be unguessable).
//! struct Counter(u8);
//! impl RandomSource for Counter {
//!     fn fill_bytes(&mut self, dest: &mut [u8]) {
//!         dest.iter_mut().for_each(|b| { self.0 = self.0.wrapping_add(97); *b = self.0 });
//!     }
//! }
//!
//! let (a, b) = ("msrp://a.example.com:1/sa;tcp", "msrp://b.example.com:2/sb;tcp");
//! let now = Instant::ZERO;
//! let mut alice = Connection::new(ConnectionConfig::default(), Counter(1), now);
//! let mut bob = Connection::new(ConnectionConfig::default(), Counter(2), now);
//! let to_bob = alice.add_session(SessionConfig::new(a.parse()?, b.parse()?));
//! bob.add_session(SessionConfig::new(b.parse()?, a.parse()?));
//!
//! let hi = alice.send(now, to_bob, "text/plain", Bytes::from("Hi Bob"), ReportPrefs::default())
//!     .expect("an open session");
//! // The driver's loop, with a "socket" in memory.
//! let mut wire = BytesMut::new();
//! while alice.poll_transmit(now, &mut wire).is_some() {}
//! bob.handle_input(now, &wire);
//! let Some(Event::MessageReceived { body, .. }) = bob.poll_event() else { panic!() };
//! assert_eq!(body, "Hi Bob");
//! wire.clear();
//! while bob.poll_transmit(now, &mut wire).is_some() {} // the 200
//! alice.handle_input(now, &wire);
//! assert!(alice.progress(hi).is_none(), "answered and forgotten");
//! # Ok::<(), msrp_proto::uri::UriError>(())
//! ```
//!
//! # What it does
//!
//! It sends messages held whole or written piece by piece, cut into chunks by RFC 4975
//! section 7.1.1 (responses and REPORTs first, messages and sessions taking turns, no
//! uninterruptible chunk over 2048 bytes); receives whole or streamed messages,
//! reassembled from chunks in any order; answers by sections 7.2 and 10 (200, 400, 413,
//! 415, 481, 501, 506), remembering refusals; sends success REPORTs (one per message, or
//! incremental) and failure REPORTs on request; runs the 30-second response timer from
//! each chunk's last byte. A listening endpoint binds sessions to connections with a
//! [`SessionTable`].
//!
//! # Through relays (RFC 4976)
//!
//! On a connection to its relay, a client calls [`Connection::authenticate`]; the
//! relay's URI comes in [`Event::Authorized`] (its Use-Path), and the AUTH is refreshed
//! before it expires. A session through the relay is configured with
//! [`SessionConfig::relays`]: its To-Path is the Use-Path, then the peer's `a=path`; the
//! path to advertise in SDP is [`SessionConfig::local_path`]. Requests from the peer
//! arrive with only this side's URI left in their To-Path (each relay removes its own,
//! RFC 4976 section 6.4) and responses go back along their From-Path.

mod accept;
mod auth;
mod config;
mod delivery;
mod event;
mod inbound;
mod outbound;
mod outgoing;
mod remembered;
mod reports;
mod sender;
mod sessions;
mod table;
mod wrapped;

use alloc::collections::VecDeque;
use alloc::string::String;
use bytes::{Bytes, BytesMut};

use crate::chunking::ReportPrefs;
use crate::link::{Link, LinkConfig};
use crate::time::Instant;
use crate::transaction::Expect;
use crate::wire::{Chunk, RandomSource, random_id};

pub use crate::link::{CloseReason, Framing};
pub use accept::type_matches;
pub use auth::{AuthConfig, AuthError, AuthFailure, AuthId};
pub use config::{
    ConnectionConfig, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_REPORT_TIMEOUT,
    DEFAULT_STREAM_GATHER_DELAY, SessionConfig,
};
pub use event::{Event, FailReason, MessageHandle, SessionId};
pub use table::{ConnectionId, DuplicateSession, SessionTable};

use inbound::Inbound;
use outbound::Outbound;
use sender::{Sender, TxInfo};
use sessions::Session;

/// Why a command was refused (local misuse or back-pressure, never the peer's fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No such session, or it was closed.
    #[error("unknown or closed session")]
    UnknownSession,
    /// The send queue is full; [`Event::Writable`] follows once there is room.
    #[error("send queue full")]
    WouldBlock,
    /// More bytes than the whole send queue holds
    /// ([`ConnectionConfig::max_queued_bytes`]): write it in smaller pieces.
    #[error("{len} bytes is more than the send queue holds ({max})")]
    TooLarge {
        /// Bytes offered.
        len: usize,
        /// The queue's limit.
        max: usize,
    },
    /// The transaction table is full ([`ConnectionConfig::max_pending_transactions`]).
    #[error("too many transactions waiting for responses")]
    TooManyPending,
    /// The content type is not a media type as RFC 4975 section 9 writes it
    /// (`type/subtype` and `;name=value` parameters, no white space).
    #[error("invalid content type")]
    InvalidContentType,
    /// No such message is being sent (or, for [`Connection::report_failure`], was
    /// received recently); for `write` and `finish`, also one that is not a stream.
    #[error("unknown message")]
    UnknownMessage,
    /// A failure status must be an error code (400 to 699).
    #[error("not an error status code")]
    InvalidStatus,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// The session learns its peer's path from the first request
    /// ([`SessionConfig::learn_to_path`]), and none has come yet.
    #[error("the peer's path is not known yet")]
    NoPeerPath,
    /// A streamed message declared its total (`send_stream`), and a `write` would go
    /// past it, or `finish` came short of it.
    #[error("the stream declared {declared} bytes; {written} written")]
    TotalMismatch {
        /// The declared total.
        declared: u64,
        /// Bytes written (with the refused write, for `write`).
        written: u64,
    },
}

/// How far an outgoing message has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Body bytes written to the transport.
    pub sent: u64,
    /// Bytes covered by success REPORTs.
    pub acknowledged: u64,
    /// The message's size, when known.
    pub total: Option<u64>,
}

/// An MSRP endpoint's connection: see the module documentation.
pub struct Connection<R> {
    config: ConnectionConfig,
    rng: R,
    link: Link<TxInfo>,
    sessions: alloc::vec::Vec<Session>,
    out: Outbound,
    inbound: Inbound,
    events: VecDeque<Event>,
    /// This connection's id in the [`SessionTable`] it was given, if any.
    table_id: Option<ConnectionId>,
    /// A send or write of this many bytes was refused for lack of room.
    blocked: Option<usize>,
    /// The To-Path (as received) that routed last, and its session.
    route_cache: Option<(Bytes, SessionId)>,
    /// The latest instant the driver passed (for timers armed by received responses).
    now: Instant,
    /// AUTHs to relays, by [`AuthId`]; `None` once ended.
    auths: alloc::vec::Vec<Option<auth::AuthState>>,
    /// The last serial used to make a Message-ID unique when the random source repeats.
    id_serial: u64,
    /// Hashes of the Message-IDs of the messages sent last, oldest first.
    recent_ids: VecDeque<u64>,
}

impl<R> core::fmt::Debug for Connection<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("sessions", &self.open_sessions_count())
            .field("queued_bytes", &self.queued_bytes())
            .field("pending_transactions", &self.link.transactions().len())
            .field("closed", &self.link.closed())
            .finish_non_exhaustive()
    }
}

impl<R> Connection<R> {
    fn open_sessions_count(&self) -> usize {
        self.sessions.iter().filter(|s| s.open).count()
    }

    /// Bytes queued for sending and not yet written: control chunks plus message bodies.
    pub fn queued_bytes(&self) -> usize {
        self.link.control_bytes() + self.out.unsent()
    }

    /// Whether the driver should read more from the transport: `false` while the
    /// responses and REPORTs owed to the peer fill the send queue
    /// ([`ConnectionConfig::max_queued_bytes`]), i.e. while the peer sends requests faster
    /// than it reads our answers. Reading resumes once they are written; what was fed is
    /// always handled.
    pub fn wants_input(&self) -> bool {
        !self.is_closed() && self.link.control_bytes() < self.config.max_queued_bytes
    }

    /// Received bytes held in the parser (a chunk's head or a body piece not complete
    /// yet); 0 once the connection is closed.
    pub fn buffered_input(&self) -> usize {
        self.link.parser().buffered()
    }

    /// Transactions waiting for a response.
    pub fn pending_transactions(&self) -> usize {
        self.link.transactions().len()
    }

    /// Whether the connection is over (after [`Connection::handle_close`] or a fatal
    /// parse error): nothing more is read or written.
    pub fn is_closed(&self) -> bool {
        self.link.closed().is_some()
    }

    /// This connection's id in the [`SessionTable`] given to
    /// [`Connection::handle_input_with`], once it was given one.
    pub fn table_id(&self) -> Option<ConnectionId> {
        self.table_id
    }

    /// How far a message still being sent (or waiting for its reports) has got; `None`
    /// once it is done, failed or unknown.
    pub fn progress(&self, message: MessageHandle) -> Option<Progress> {
        let o = self.out.get(message).filter(|o| !o.failed)?;
        Some(Progress {
            sent: o.sent,
            acknowledged: o.reported.covered(),
            total: o.message_len(),
        })
    }

    /// The Message-ID of a message still being sent.
    pub fn message_id(&self, message: MessageHandle) -> Option<&str> {
        self.out
            .get(message)
            .filter(|o| !o.failed)
            .map(|o| o.message_id.as_str())
    }
}

impl<R: RandomSource> Connection<R> {
    /// A connection; `rng` supplies transaction ids and Message-IDs (use a
    /// cryptographically secure source: RFC 4975 section 14.1 relies on ids being hard to
    /// guess). `now` is when it starts.
    pub fn new(config: ConnectionConfig, rng: R, now: Instant) -> Connection<R> {
        let link = Link::new(LinkConfig {
            limits: config.limits,
            mode: config.mode,
            framing: config.framing,
            max_transmit: config.max_transmit,
            max_pending: config.max_pending_transactions,
        });
        let out = Outbound::new(
            config.effective_policy(),
            config.max_ranges(),
            config.remembered_messages,
            config.stream_gather_delay,
            config.report_timeout,
        );
        Connection {
            config,
            rng,
            link,
            sessions: alloc::vec::Vec::new(),
            out,
            inbound: Inbound::new(config.remembered_messages),
            events: VecDeque::new(),
            table_id: None,
            blocked: None,
            route_cache: None,
            now,
            auths: alloc::vec::Vec::new(),
            id_serial: 0,
            recent_ids: VecDeque::new(),
        }
    }

    // ---- input ----

    /// Feeds bytes received from the transport (with WebSocket framing: one WebSocket
    /// message). Ignored once the connection is closed.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        self.now = self.now.max(now);
        self.link.feed(bytes);
        self.input(None, None);
    }

    /// Feeds bytes received on a connection accepted by a listening socket: a request for
    /// none of this connection's sessions binds the session `table` offers for its
    /// To-Path to this connection ([`Event::SessionBound`]), or gets 506 if another
    /// connection has it, or 481 if the table has no such session (RFC 4975 section 5.4).
    /// Use the same table for every connection of the listener, and call
    /// [`SessionTable::release`] with [`Connection::table_id`] when this one closes.
    pub fn handle_input_with(&mut self, now: Instant, bytes: &[u8], table: &mut SessionTable) {
        self.now = self.now.max(now);
        if self.table_id.is_none() {
            self.table_id = Some(table.new_connection());
        }
        self.link.feed(bytes);
        self.input(Some(table), None);
    }

    /// [`Connection::handle_input`] without copying: parses the received bytes in `buf`,
    /// the driver's read buffer, in place. What was consumed is split off `buf` (body
    /// pieces handed out in events share its memory); what is left (the start of a head
    /// or of an end-line not complete yet) stays in `buf`: append the next bytes read to
    /// it, and pass the same buffer each time. Bytes given to
    /// [`Connection::handle_input`] earlier and not consumed yet come first (do not go
    /// back to `handle_input` afterwards: its bytes would be parsed before those left in
    /// `buf`). Once the connection is closed, `buf` is emptied (nothing more is read).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use msrp_proto::Instant;
    /// use msrp_proto::connection::{Connection, ConnectionConfig};
    /// use msrp_proto::wire::RandomSource;
    ///
    /// struct Counter(u8); // use a cryptographically secure source in an application
    /// impl RandomSource for Counter {
    ///     fn fill_bytes(&mut self, dest: &mut [u8]) {
    ///         dest.iter_mut().for_each(|b| { self.0 = self.0.wrapping_add(97); *b = self.0 });
    ///     }
    /// }
    /// let mut conn = Connection::new(ConnectionConfig::default(), Counter(1), Instant::ZERO);
    /// let mut buf = BytesMut::with_capacity(64 * 1024);
    /// // A read from the transport appends to `buf` (here: the first bytes of a head).
    /// let read = b"MSRP a786hjs2 SEND\r\nTo-Path: msrp://b";
    /// buf.extend_from_slice(read);
    /// conn.handle_input_buf(Instant::ZERO, &mut buf);
    /// assert_eq!(&buf[..], &read[..]); // incomplete: kept for the next read to complete
    /// ```
    pub fn handle_input_buf(&mut self, now: Instant, buf: &mut BytesMut) {
        self.now = self.now.max(now);
        self.input(None, Some(buf));
        if self.is_closed() {
            buf.clear();
        }
    }

    /// [`Connection::handle_input_with`] without copying, parsing `buf` in place as
    /// [`Connection::handle_input_buf`] does.
    pub fn handle_input_buf_with(
        &mut self,
        now: Instant,
        buf: &mut BytesMut,
        table: &mut SessionTable,
    ) {
        self.now = self.now.max(now);
        if self.table_id.is_none() {
            self.table_id = Some(table.new_connection());
        }
        self.input(Some(table), Some(buf));
        if self.is_closed() {
            buf.clear();
        }
    }

    /// Runs the timers due at `now`: transactions without a response fail with
    /// [`FailReason::Timeout`] (an AUTH with [`AuthFailure::Timeout`]); AUTHs due for a
    /// refresh are sent. Safe to call early or late. Call
    /// [`Connection::poll_transmit`] afterwards (held streamed writes may be due).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.expire_transactions(now);
        self.out.on_timeout(now, &mut self.events);
        self.auth_timers(now);
    }

    /// The transport closed or failed: every message still being sent fails with
    /// [`FailReason::ConnectionClosed`], every session ends ([`Event::SessionClosed`]),
    /// state is freed, and [`Event::Closed`] follows. Later input is ignored and nothing
    /// more is written. A connection from a listener releases nothing in its
    /// [`SessionTable`] by itself: call [`SessionTable::release`].
    pub fn handle_close(&mut self, now: Instant, reason: CloseReason) {
        let _ = now;
        self.close(reason);
    }

    pub(crate) fn close(&mut self, reason: CloseReason) {
        if self.is_closed() {
            return;
        }
        let _ = self.link.close(reason.clone());
        for h in self.out.all() {
            self.out
                .stop(h, Some(FailReason::ConnectionClosed), &mut self.events);
        }
        for i in 0..self.sessions.len() {
            if self.sessions[i].open {
                self.end_session(SessionId(i), FailReason::ConnectionClosed);
            }
        }
        self.out.clear();
        self.inbound_clear();
        self.auth_close();
        self.blocked = None;
        self.events.push_back(Event::Closed { reason });
    }

    // ---- output ----

    /// Appends the next bytes to write to `buf`: whole chunks where they fit, up to about
    /// [`ConnectionConfig::max_transmit`] bytes (with WebSocket framing, exactly one chunk:
    /// send it as one WebSocket message). Returns how many bytes were appended; `None`
    /// when there is nothing to write now. A chunk's response timer starts when its last
    /// byte has been handed out here, at `now`.
    #[must_use = "the bytes appended to `buf` must be written to the transport"]
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut BytesMut) -> Option<usize> {
        self.transmit(now, buf)
    }

    /// [`Connection::poll_transmit`] for a vectored write: the same bytes, as parts of a
    /// [`Transmit`](crate::link::Transmit) in which large body pieces are the message's own
    /// memory (shared, not copied). Appends to `out`; clear it after writing it.
    #[must_use = "the parts added to `out` must be written to the transport"]
    pub fn poll_transmit_vectored(
        &mut self,
        now: Instant,
        out: &mut crate::link::Transmit,
    ) -> Option<usize> {
        self.transmit(now, out)
    }

    /// Both transmits: the link writes into `sink`, drawing chunks from the messages.
    fn transmit(&mut self, now: Instant, sink: &mut impl crate::link::Sink) -> Option<usize> {
        self.now = self.now.max(now);
        let mut sender = Sender {
            out: &mut self.out,
            sessions: &self.sessions,
            rng: &mut self.rng,
            events: &mut self.events,
            now,
        };
        let n = self.link.poll_transmit(now, sink, &mut sender);
        self.check_writable();
        n
    }

    /// The next event for the application.
    #[must_use = "events report deliveries, failures and received messages"]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Connection::handle_timeout`] is next due: the earliest response deadline,
    /// when held streamed writes must go out, or when an AUTH is to be refreshed. `None`: no timer runs.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        [
            self.link.next_deadline(),
            self.out.next_deadline(),
            self.auth_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn check_writable(&mut self) {
        if let Some(len) = self.blocked {
            if self.queued_bytes() + len <= self.config.max_queued_bytes {
                self.blocked = None;
                self.events.push_back(Event::Writable);
            }
        }
    }

    /// Whether `len` more bytes fit the send queue; remembers a refusal for
    /// [`Event::Writable`].
    fn reserve(&mut self, len: usize) -> Result<(), SendError> {
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        let max = self.config.max_queued_bytes;
        if len > max {
            return Err(SendError::TooLarge { len, max });
        }
        if self.queued_bytes() + len > max {
            self.blocked = Some(self.blocked.map_or(len, |b| b.min(len)));
            return Err(SendError::WouldBlock);
        }
        Ok(())
    }

    // ---- commands ----

    /// Queues a message whose body is known. Refused with [`SendError::WouldBlock`] while
    /// the send queue is full.
    pub fn send(
        &mut self,
        now: Instant,
        session: SessionId,
        content_type: &str,
        body: Bytes,
        reports: ReportPrefs,
    ) -> Result<MessageHandle, SendError> {
        let _ = now;
        self.check_new(session, content_type)?;
        self.reserve(body.len())?;
        let id = self.new_message_id();
        Ok(self.out.add(session, id, content_type, body, None, reports))
    }

    /// Starts a message whose body the application writes piece by piece with
    /// [`Connection::write`] and ends with [`Connection::finish`] (a file read as it is
    /// sent, so the sender never holds it whole). `total` is its size if known (Byte-Range
    /// total; `*` otherwise). Small writes are gathered into chunks of at least 2048 bytes
    /// for up to [`ConnectionConfig::stream_gather_delay`].
    pub fn send_stream(
        &mut self,
        now: Instant,
        session: SessionId,
        content_type: &str,
        total: Option<u64>,
        reports: ReportPrefs,
    ) -> Result<MessageHandle, SendError> {
        let _ = now;
        self.check_new(session, content_type)?;
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        let id = self.new_message_id();
        Ok(self.out.add(
            session,
            id,
            content_type,
            Bytes::new(),
            Some(total),
            reports,
        ))
    }

    fn check_new(&self, session: SessionId, content_type: &str) -> Result<(), SendError> {
        if !self.is_open(session) {
            return Err(SendError::UnknownSession);
        }
        if self.sessions[session.0].learning {
            return Err(SendError::NoPeerPath);
        }
        // What is sent is strict (RFC 4975 section 9: no white space in a media-type).
        if crate::wire::strict_media_type(content_type.as_bytes()).is_err() {
            return Err(SendError::InvalidContentType);
        }
        Ok(())
    }

    /// A Message-ID no message this connection sends or remembers has (RFC 4975 section
    /// 7.1.1: unique within the session; a REPORT names the message by it). With a sound
    /// random source the first draw is new; a few more are tried, and if the source keeps
    /// repeating itself (a weak PRNG), a serial suffix makes the id unique anyway.
    fn new_message_id(&mut self) -> String {
        let id = self.draw_message_id();
        // The receiver remembers finished messages by id (`remembered_messages` of them
        // here): a new message must not take the id of one sent lately either, or it
        // would be taken for a duplicate (found by the `link` fuzz target).
        let keep = self.config.remembered_messages.max(64);
        while self.recent_ids.len() >= keep {
            self.recent_ids.pop_front();
        }
        self.recent_ids.push_back(id_hash(&id));
        id
    }

    fn draw_message_id(&mut self) -> String {
        for _ in 0..4 {
            let id = random_id(&mut self.rng);
            if !self.id_taken(id.as_str()) {
                return String::from(id.as_str());
            }
        }
        let base = String::from(random_id(&mut self.rng).as_str());
        loop {
            self.id_serial += 1;
            // 16 random characters, "-" and at most 13 base-36 digits: within ident's 32.
            let mut id = base.clone();
            id.push('-');
            push_base36(&mut id, self.id_serial);
            if !self.id_taken(&id) {
                return id;
            }
        }
    }

    /// Whether a message being sent, remembered, or sent lately has (or may have, for a
    /// hash that collides) the id `id`.
    fn id_taken(&self, id: &str) -> bool {
        let h = id_hash(id);
        self.out.id_in_use(id) || self.recent_ids.contains(&h)
    }

    /// Adds bytes to a message started with [`Connection::send_stream`]. Refused with
    /// [`SendError::WouldBlock`] while the send queue is full ([`Event::Writable`] says
    /// when to write again).
    pub fn write(
        &mut self,
        now: Instant,
        message: MessageHandle,
        data: Bytes,
    ) -> Result<(), SendError> {
        if !self.out.is_stream(message) {
            return Err(SendError::UnknownMessage);
        }
        self.reserve(data.len())?;
        self.out.write(message, now, data)
    }

    /// Ends a message started with [`Connection::send_stream`]: its last chunk gets `$`.
    pub fn finish(&mut self, now: Instant, message: MessageHandle) -> Result<(), SendError> {
        let _ = now;
        self.out.finish(message)
    }

    /// Stops sending a message (RFC 4975 section 7.1: the chunk being written, or one more
    /// empty chunk if some were sent already, ends with `#`); nothing more of it is sent and
    /// no event follows. A message not yet started is simply dropped.
    pub fn abort(&mut self, now: Instant, message: MessageHandle) -> Result<(), SendError> {
        let _ = now;
        if self.out.get(message).is_none_or(|o| o.failed) {
            return Err(SendError::UnknownMessage);
        }
        self.out.stop(message, None, &mut self.events);
        Ok(())
    }

    /// Queues an empty SEND: a message of no bytes (`Byte-Range: 1-0/0`, RFC 4975 section
    /// 7.1.1) with its own Message-ID, for keep-alive, and the request the active side sends
    /// at once to bind a new connection to the session (section 5.4). It goes ahead of
    /// message chunks. An error response or no response in 30 seconds ends in
    /// [`Event::SendFailed`] (a 481 or 506 here means the peer does not take the session
    /// on this connection); success in nothing.
    pub fn send_keepalive(
        &mut self,
        now: Instant,
        session: SessionId,
    ) -> Result<MessageHandle, SendError> {
        let _ = now;
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        let s = self
            .sessions
            .get(session.0)
            .filter(|s| s.open)
            .ok_or(SendError::UnknownSession)?;
        if s.learning {
            return Err(SendError::NoPeerPath);
        }
        if !self.link.transactions().has_room() {
            return Err(SendError::TooManyPending);
        }
        let (to, from) = (s.config.to_path.clone(), s.from_path.clone());
        let tid = random_id(&mut self.rng);
        let message_id = self.new_message_id();
        let chunk = Chunk::send(tid, to, from)
            .message_id(&message_id)
            .byte_range(1, Some(0), Some(0));
        let h = self.out.add_keepalive(session, message_id);
        let tx = (tid, Expect::Response, TxInfo::Message(h));
        self.link.push_control(encode(&chunk), Some(tx));
        Ok(h)
    }
}

fn encode(chunk: &Chunk) -> Bytes {
    let mut out = BytesMut::new();
    // Chunks built here from checked parts always encode.
    let _ = chunk.encode(&mut out);
    out.freeze()
}

/// FNV-1a of a Message-ID (for [`Connection::id_taken`]: a collision only costs a
/// fresh draw).
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Appends `n` in base 36 (lower case): at most 13 digits for a `u64`.
fn push_base36(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 13];
    let mut len = 0;
    loop {
        digits[len] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize];
        len += 1;
        n /= 36;
        if n == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests;
