//! The relay engine of RFC 4976, sans-IO: AUTH with HTTP Digest (the server side),
//! Use-Path URIs bound to the connection that authenticated, and forwarding of requests
//! and responses between transport connections, bodies cut through with bounded memory.
//!
//! # Driving it
//!
//! Like quinn-proto's `Endpoint`, a [`Relay`] serves many transport connections and owns
//! no socket, clock or task. The driver:
//!
//! 1. gives each accepted connection a [`ConnId`] below [`ConnId::OUTGOING`] and calls
//!    [`Relay::connection_opened`]; feeds what it reads with [`Relay::handle_input`]; calls
//!    [`Relay::connection_closed`] when the transport ends;
//! 2. writes what [`Relay::poll_transmit`] (any connection, round robin) or
//!    [`Relay::poll_transmit_conn`] (one connection, for a task per connection) gives;
//!    [`Relay::poll_ready`] names the connections that got something to write, so a
//!    driver with a writer per connection wakes only those;
//! 3. acts on [`Relay::poll_event`]: [`RelayEvent::Connect`] (open a connection to the
//!    next hop, then `connection_opened` or [`Relay::connect_failed`] with the id given),
//!    [`RelayEvent::StopReading`] / [`RelayEvent::ResumeReading`] (back-pressure),
//!    [`RelayEvent::Close`]; the rest are reports;
//! 4. calls [`Relay::handle_timeout`] when [`Relay::poll_timeout`] says (early is fine).
//!
//! After any `handle_*` call, drain transmits and events, then wait for input or the
//! timeout.
//!
//! # What it does
//!
//! - **AUTH** (RFC 4976 sections 5.1, 6.3, 9.1), see [`RelayConfig`] and
//!   [`CredentialSource`]: an AUTH without Authorization gets 401 with a fresh nonce
//!   (`qop="auth"`, `algorithm=MD5`); a valid one (RFC 2617 response, the nonce issued
//!   by this relay to this connection, a nonce count above the last one) gets 200 with
//!   Use-Path (a fresh URI with 128 random bits as session id), Expires and
//!   Authentication-Info (`rspauth`, `nextnonce`). A stale nonce gets 401 `stale=true`; an
//!   Expires out of bounds 423 with Min-Expires or Max-Expires; after
//!   [`RelayConfig::max_failed_auths`] failures, 403 and the connection closes.
//!   Authorisations end with their Expires or their connection.
//! - **Forwarding** (section 6.4): the first To-Path URI must be the relay's (else the
//!   connection is dropped, section 6.2); the relay's URIs move from the front of To-Path
//!   to the front of From-Path; a Use-Path URI bound to another connection sends the
//!   request toward that client, one bound to the arriving connection lets the client
//!   send on to the next To-Path URI, over a connection to that host and port (reused, or
//!   opened through [`RelayEvent::Connect`]). Each forwarded request gets a new
//!   transaction id. A SEND is answered hop by hop (200 when its chunk has arrived,
//!   unless Failure-Report says otherwise, RFC 4975 section 7.2); an error response from
//!   downstream, a downstream that closes or cannot be reached (408), or no response in
//!   30 seconds after its last byte (408, section 6.4.1) gives a failure REPORT to the
//!   sender when Failure-Report allows. Responses to other requests (AUTH, NICKNAME of
//!   RFC 7701, unknown methods) travel back end to end, with the sender's transaction id
//!   (section 6.4.3). REPORTs are forwarded and never answered. 481 answers a request
//!   for a session id the relay does not know.
//! - **Bodies** are forwarded piece by piece as they arrive, never gathered: a chunk of
//!   1 GiB passes through in pieces of the parser's size. One forwarded chunk at a time
//!   is written per outgoing connection; a chunk arriving for a busy connection waits
//!   behind it. A SEND chunk of more than 2048 bytes goes out with range-end `*` (RFC
//!   4975 section 7.1.1) and is re-chunked (RFC 4976 section 6.4.1) when its sender
//!   falls behind while others wait: the chunk ends with `+` when nothing of it is left
//!   to write, and the rest follows behind the others as a new chunk (a new transaction
//!   id, Byte-Range from the next byte), so a slow or stalled sender never holds a
//!   connection. Other chunks are written whole. When more than
//!   [`RelayConfig::max_queued_bytes`] wait for a connection (or
//!   [`RelayConfig::max_waiting_bytes`] for a waiting chunk), the connection feeding them
//!   gets [`RelayEvent::StopReading`], then [`RelayEvent::ResumeReading`] below half.
//!   So what the relay holds for one connection is bounded by `max_queued_bytes`, plus what
//!   the driver hands over in one `handle_input` after `StopReading`, plus
//!   `max_waiting_bytes` per chunk waiting.
//!
//! ```
//! use msrp_proto::relay::{ConnId, PeerInfo, Relay, RelayConfig, RelayEvent};
//! use msrp_proto::{BytesMut, Instant};
//!
//! # fn rng(d: &mut [u8]) { d.iter_mut().enumerate().for_each(|(i, b)| *b = (i as u8).wrapping_mul(37)) }
//! // `rng` stands for a cryptographic random source (an OS RNG).
//! let config = RelayConfig::new("msrps://relay.example.com:2855;tcp".parse()?, "relay.example.com");
//! let users = |user: &str, _realm: &str| (user == "alice").then(|| String::from("secret"));
//! let mut relay = Relay::new(config, rng, users, Instant::ZERO);
//! let alice = ConnId(1);
//! relay.connection_opened(Instant::ZERO, alice, PeerInfo::new().secure(true))?;
//! relay.handle_input(Instant::ZERO, alice, b"MSRP 49fh AUTH\r\n\
//!     To-Path: msrps://alice@relay.example.com:2855;tcp\r\n\
//!     From-Path: msrps://alice.example.com:9892/98cjs;tcp\r\n-------49fh$\r\n");
//! let mut out = BytesMut::new();
//! relay.poll_transmit_conn(Instant::ZERO, alice, &mut out);
//! let text = std::str::from_utf8(&out).unwrap();
//! assert!(text.starts_with("MSRP 49fh 401 Unauthorized\r\n"));
//! assert!(text.contains("WWW-Authenticate: Digest realm=\"relay.example.com\", nonce=\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod config;
mod event;
mod forward;
mod memo;
mod paths;
mod queue;
mod route;
#[cfg(all(test, feature = "auth", feature = "std"))]
mod tests;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use bytes::{Bytes, BytesMut};

use crate::time::Instant;
use crate::transaction::Transactions;
use crate::wire::{ChunkParser, ParseEvent, RandomSource, random_id};

pub use config::{
    CredentialSource, DEFAULT_EXPIRES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_EXPIRES,
    DEFAULT_MAX_FAILED_AUTHS, DEFAULT_MAX_NONCES_PER_CONNECTION, DEFAULT_MAX_QUEUED_BYTES,
    DEFAULT_MAX_SESSIONS, DEFAULT_MAX_TRANSMIT, DEFAULT_MAX_WAITING_BYTES, DEFAULT_MIN_EXPIRES,
    DEFAULT_NONCE_LIFETIME, DEFAULT_PROBATION, RelayConfig,
};
pub use event::{AuthEnd, AuthRefusal, CloseCause, ConnId, PeerInfo, RelayEvent, Transmit};

use forward::Fwd;
use queue::{ConnRef, OutQueue};
use route::Sessions;

/// A local misuse of the relay's API (never the peer's doing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// [`Relay::connection_opened`] with an id that is open already.
    #[error("{0} is open already")]
    InUse(ConnId),
    /// [`Relay::connection_opened`] with an id of the relay's range that it did not ask
    /// to connect.
    #[error("{0} is in the relay's range and was not asked for")]
    NotRequested(ConnId),
    /// Over [`RelayConfig::max_connections`]: close the transport.
    #[error("too many connections")]
    TooManyConnections,
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Asked for with [`RelayEvent::Connect`], not open yet: it queues.
    Connecting,
    Open,
    /// [`RelayEvent::Close`] was given: input is ignored.
    Closing,
}

/// What the chunk being received on a connection is for.
#[derive(Debug)]
enum Rx {
    /// Between chunks, or a chunk whose body is dropped.
    Idle,
    /// Forwarding to `down`'s stream `stream` (transaction `tid` there).
    Forward {
        down: ConnRef,
        stream: u64,
        /// The hop-by-hop 200, sent when the chunk has arrived.
        ok: Option<Bytes>,
    },
}

/// One transport connection.
struct Conn {
    epoch: u64,
    state: State,
    /// The next hop it was opened to (outgoing), or the remote address (accepted).
    remote: Option<(String, u16)>,
    parser: ChunkParser,
    rx: Rx,
    out: OutQueue,
    tx: Transactions<Fwd>,
    failed_auths: u32,
    /// Nonces issued on it, oldest first.
    nonces: VecDeque<String>,
    /// Live authorisations bound to it.
    auths: usize,
    /// `StopReading` was given and not yet undone.
    stopped: bool,
    /// Until a successful request, it is closed at this instant (RFC 4976 section 6.1).
    probation: Option<Instant>,
    /// The connection its last forwarded request went to.
    feeds: Option<ConnRef>,
    /// Connections stopped because of what waits here: looked at again when it drains.
    blocked: Vec<ConnRef>,
    /// In [`Relay::poll_ready`]'s list, or given by it and not yet polled empty.
    announced: bool,
    /// Its last To-Path and From-Path, parsed.
    paths: paths::PathCache,
    /// The route its last forwarded request took.
    memo: Option<memo::RouteMemo>,
}

/// The relay: see the module documentation. `R` gives nonces, session ids and
/// transaction ids (use a cryptographic source: RFC 4976 section 6.3 asks for 64 bits
/// "of cryptographically random material"); `C` gives passwords.
pub struct Relay<R, C> {
    config: RelayConfig,
    rng: R,
    credentials: C,
    now: Instant,
    conns: BTreeMap<ConnId, Conn>,
    sessions: Sessions,
    nonces: auth::Nonces,
    events: VecDeque<RelayEvent>,
    next_outgoing: u64,
    next_epoch: u64,
    next_stream: u64,
    /// Where round-robin `poll_transmit` looks first.
    cursor: u64,
    peak: usize,
    /// Connections that got output to write, for [`Relay::poll_ready`].
    ready: VecDeque<ConnId>,
}

impl<R, C> core::fmt::Debug for Relay<R, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Relay")
            .field("uri", &self.config.uri)
            .field("connections", &self.conns.len())
            .field("sessions", &self.sessions.by_id.len())
            .finish_non_exhaustive()
    }
}

impl<R: RandomSource, C: CredentialSource> Relay<R, C> {
    /// A relay with no connection yet.
    pub fn new(config: RelayConfig, rng: R, credentials: C, now: Instant) -> Relay<R, C> {
        Relay {
            config,
            rng,
            credentials,
            now,
            conns: BTreeMap::new(),
            sessions: Sessions::default(),
            nonces: auth::Nonces::default(),
            events: VecDeque::new(),
            next_outgoing: ConnId::OUTGOING,
            next_epoch: 0,
            next_stream: 0,
            cursor: 0,
            peak: 0,
            ready: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    /// Connections open or being opened.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Live authorisations.
    pub fn sessions(&self) -> usize {
        self.sessions.by_id.len()
    }

    /// Bytes held in outgoing queues now (O(connections)).
    pub fn buffered_bytes(&self) -> usize {
        self.conns.values().map(|c| c.out.total()).sum()
    }

    /// The most [`Relay::buffered_bytes`] seen after any `handle_*` call.
    pub fn peak_buffered_bytes(&self) -> usize {
        self.peak
    }

    /// Bytes held for `conn` (0 for an unknown one).
    pub fn queued_bytes(&self, conn: ConnId) -> usize {
        self.conns.get(&conn).map_or(0, |c| c.out.total())
    }

    /// Whether `conn` is open (or being opened).
    pub fn is_open(&self, conn: ConnId) -> bool {
        self.conns
            .get(&conn)
            .is_some_and(|c| c.state != State::Closing)
    }

    /// Whether [`Relay::poll_transmit_conn`] has something for `conn` now.
    pub fn has_transmit(&self, conn: ConnId) -> bool {
        self.conns
            .get(&conn)
            .is_some_and(|c| c.state != State::Connecting && c.out.has_output())
    }

    /// Forwarded requests on `conn` waiting for their responses.
    pub fn pending_transactions(&self, conn: ConnId) -> usize {
        self.conns.get(&conn).map_or(0, |c| c.tx.len())
    }

    fn new_conn(&mut self, state: State, remote: Option<(String, u16)>) -> Conn {
        self.next_epoch += 1;
        Conn {
            epoch: self.next_epoch,
            state,
            remote,
            parser: ChunkParser::new(self.config.limits, self.config.mode),
            rx: Rx::Idle,
            out: OutQueue::default(),
            tx: Transactions::new(self.config.max_pending),
            failed_auths: 0,
            nonces: VecDeque::new(),
            auths: 0,
            stopped: false,
            probation: None,
            feeds: None,
            blocked: Vec::new(),
            announced: false,
            paths: paths::PathCache::default(),
            memo: None,
        }
    }

    /// A transport connection is open: one the driver accepted (`conn` below
    /// [`ConnId::OUTGOING`]), or one the relay asked for with [`RelayEvent::Connect`]
    /// (then what was queued for it can be written).
    pub fn connection_opened(
        &mut self,
        now: Instant,
        conn: ConnId,
        peer: PeerInfo,
    ) -> Result<(), RelayError> {
        self.now = self.now.max(now);
        if let Some(c) = self.conns.get_mut(&conn) {
            if c.state == State::Connecting {
                c.state = State::Open;
                self.mark_ready(conn);
                return Ok(());
            }
            return Err(RelayError::InUse(conn));
        }
        if conn.is_outgoing() {
            return Err(RelayError::NotRequested(conn));
        }
        if self.conns.len() >= self.config.max_connections {
            return Err(RelayError::TooManyConnections);
        }
        let mut c = self.new_conn(State::Open, peer.remote);
        c.probation = self.config.probation.map(|p| self.now + p);
        self.conns.insert(conn, c);
        Ok(())
    }

    /// A connection asked for with [`RelayEvent::Connect`] could not be opened: what
    /// waited for it fails (failure REPORTs, 408 responses).
    pub fn connect_failed(&mut self, now: Instant, conn: ConnId) {
        self.connection_closed(now, conn);
    }

    /// Bytes read from `conn`.
    pub fn handle_input(&mut self, now: Instant, conn: ConnId, bytes: &[u8]) {
        self.now = self.now.max(now);
        match self.conns.get_mut(&conn) {
            Some(c) if c.state == State::Open => c.parser.feed(bytes),
            _ => return,
        }
        loop {
            let ev = match self.conns.get_mut(&conn) {
                Some(c) if c.state == State::Open => c.parser.next(),
                _ => None,
            };
            let Some(ev) = ev else { break };
            match ev {
                Ok(ParseEvent::Head(head)) => self.on_head(conn, head),
                Ok(ParseEvent::Body(piece)) => self.on_body(conn, piece),
                Ok(ParseEvent::End(end)) => self.on_end(conn, end.continuation),
                Err(e) => self.on_parse_error(conn, &e),
            }
        }
        self.flow(conn);
        self.note_peak();
    }

    /// The transport of `conn` ended (or the driver closed it after
    /// [`RelayEvent::Close`]): its authorisations end, the chunk it was sending is
    /// ended with `#` downstream, requests waiting on it fail.
    pub fn connection_closed(&mut self, now: Instant, conn: ConnId) {
        self.now = self.now.max(now);
        let Some(mut c) = self.conns.remove(&conn) else {
            return;
        };
        let me = ConnRef {
            id: conn,
            epoch: c.epoch,
        };
        if let Rx::Forward { down, stream, .. } = core::mem::replace(&mut c.rx, Rx::Idle) {
            self.end_stream(down, stream, b'#');
        }
        // Those sending into it drop the rest of their chunk (their `Rx::Forward` finds
        // no connection), and may read again.
        let mut ups: Vec<ConnRef> = c.out.upstreams().collect();
        ups.append(&mut c.blocked);
        c.out.clear();
        for up in ups {
            if self.conn_mut(up).is_some() {
                self.flow(up.id);
            }
        }
        for (_, fwd) in c.tx.drain() {
            self.fail_forwarded(fwd, 408);
        }
        for id in self.sessions.of_conn(me) {
            if let Some(a) = self.sessions.remove(&id) {
                self.events.push_back(RelayEvent::AuthorizationEnded {
                    conn,
                    uri: a.uri,
                    reason: AuthEnd::ConnectionClosed,
                });
            }
        }
        for n in c.nonces {
            self.nonces.remove(&n);
        }
    }

    /// The next bytes to write, for whichever connection has some (round robin).
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let start = ConnId(self.cursor);
        let pick = self
            .conns
            .range(start..)
            .chain(self.conns.range(..start))
            .find(|(_, c)| c.state != State::Connecting && c.out.has_output())
            .map(|(id, _)| *id)?;
        self.cursor = pick.0.wrapping_add(1);
        let mut buf = BytesMut::new();
        self.poll_transmit_conn(now, pick, &mut buf)?;
        Some(Transmit {
            conn: pick,
            bytes: buf.freeze(),
        })
    }

    /// Appends the next bytes to write on `conn` to `buf` (about
    /// [`RelayConfig::max_transmit`] at most); returns how many, `None` when it has none.
    pub fn poll_transmit_conn(
        &mut self,
        now: Instant,
        conn: ConnId,
        buf: &mut BytesMut,
    ) -> Option<usize> {
        self.now = self.now.max(now);
        let max = self.config.max_transmit.max(1);
        let c = self.conns.get_mut(&conn)?;
        if c.state == State::Connecting {
            return None;
        }
        if c.out.can_interrupt() {
            let tid = random_id(&mut self.rng);
            if let Some(i) = c.out.interrupt(tid) {
                c.tx.force_insert(i.tid, i.expect, i.fwd);
            }
        }
        let tx = &mut c.tx;
        let n = c.out.pop(max, buf, |tid| tx.sent(&tid, now));
        if n == 0 {
            c.announced = false;
            return None;
        }
        let mut ups: Vec<ConnRef> = c.out.upstreams().collect();
        ups.append(&mut c.blocked);
        for up in ups {
            if self.conn_mut(up).is_some() {
                self.flow(up.id);
            }
        }
        self.flow(conn);
        Some(n)
    }

    /// The next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<RelayEvent> {
        self.events.pop_front()
    }

    /// The next connection that has bytes to write, for a driver with a writer per
    /// connection: each connection is given once, and again only after
    /// [`Relay::poll_transmit_conn`] has returned `None` for it (so the writer it wakes
    /// must poll until then, writing as it goes). Costs nothing per idle connection,
    /// unlike asking [`Relay::has_transmit`] of each. A connection that closed since may
    /// still be named (its poll then gives `None`).
    #[must_use]
    pub fn poll_ready(&mut self) -> Option<ConnId> {
        self.ready.pop_front()
    }

    /// Puts `conn` on the [`Relay::poll_ready`] list if it has output and is not on it.
    fn mark_ready(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.get_mut(&conn) {
            if !c.announced && c.state != State::Connecting && c.out.has_output() {
                c.announced = true;
                self.ready.push_back(conn);
            }
        }
    }

    /// When [`Relay::handle_timeout`] has something to do: a forwarded request's
    /// 30-second response timer, an authorisation's expiry.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let conns = self
            .conns
            .values()
            .filter_map(|c| match (c.tx.next_deadline(), c.probation) {
                _ if c.state == State::Closing => c.tx.next_deadline(),
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            })
            .min();
        match (conns, self.sessions.next_expiry()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs the timers due at `now` (safe to call early).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        let ids: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.tx.next_deadline().is_some_and(|t| t <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let expired = match self.conns.get_mut(&id) {
                Some(c) => c.tx.expire(now),
                None => continue,
            };
            for e in expired {
                if e.expect == crate::transaction::Expect::Response {
                    self.fail_forwarded(e.data, 408);
                }
            }
        }
        let idle: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.state == State::Open && c.probation.is_some_and(|t| t <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in idle {
            self.close_conn(id, CloseCause::Probation);
        }
        for id in self.sessions.expired(now) {
            if let Some(a) = self.sessions.remove(&id) {
                if let Some(c) = self.conn_mut(a.conn) {
                    c.auths = c.auths.saturating_sub(1);
                }
                self.events.push_back(RelayEvent::AuthorizationEnded {
                    conn: a.conn.id,
                    uri: a.uri,
                    reason: AuthEnd::Expired,
                });
            }
        }
        self.note_peak();
    }

    fn note_peak(&mut self) {
        self.peak = self.peak.max(self.buffered_bytes());
    }

    fn conn_ref(&self, conn: ConnId) -> Option<ConnRef> {
        self.conns.get(&conn).map(|c| ConnRef {
            id: conn,
            epoch: c.epoch,
        })
    }

    /// The connection `r` names, if it is still that one.
    fn conn_mut(&mut self, r: ConnRef) -> Option<&mut Conn> {
        self.conns.get_mut(&r.id).filter(|c| c.epoch == r.epoch)
    }

    /// Stops using `conn`: input is ignored, the driver is asked to close it after
    /// writing what is queued (a response explaining why, say).
    fn close_conn(&mut self, conn: ConnId, cause: CloseCause) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.state == State::Closing {
            return;
        }
        c.state = State::Closing;
        c.parser = ChunkParser::new(self.config.limits, self.config.mode);
        if let Rx::Forward { down, stream, .. } = core::mem::replace(&mut c.rx, Rx::Idle) {
            self.end_stream(down, stream, b'#');
        }
        self.events.push_back(RelayEvent::Close { conn, cause });
    }

    /// Back-pressure for `conn` as a sender: stop reading it while what it feeds piles
    /// up (its chunk's outgoing connection over `max_queued_bytes`, its chunk waiting
    /// with over `max_waiting_bytes`, or its own responses over `max_queued_bytes`),
    /// resume below half.
    fn flow(&mut self, conn: ConnId) {
        let (max_q, max_w) = (self.config.max_queued_bytes, self.config.max_waiting_bytes);
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let own = c.out.total();
        let live = |r: &ConnRef| self.conns.get(&r.id).filter(|d| d.epoch == r.epoch);
        // Its chunk in progress: the front one is bounded by what is ready to write,
        // one waiting behind others by what it holds. Between chunks: what waits for the
        // connection it fed last (complete chunks pile up there when that connection is
        // not written).
        let (level, limit, via) = match &c.rx {
            Rx::Forward { down, stream, .. } => {
                match live(down).and_then(|d| d.out.stream_position(*stream).map(|p| (d, p))) {
                    Some((d, (true, _))) => (d.out.ready_bytes(), max_q, Some(*down)),
                    Some((_, (false, held))) => (held, max_w, Some(*down)),
                    None => (0, max_q, None),
                }
            }
            Rx::Idle => match c.feeds.as_ref().and_then(|f| live(f).map(|d| (f, d))) {
                Some((f, d)) => (d.out.total(), max_q, Some(*f)),
                None => (0, max_q, None),
            },
        };
        let over = level >= limit || own >= max_q;
        let under = level < limit / 2 && own < max_q / 2;
        let (stopped, open) = (c.stopped, c.state == State::Open);
        let me = ConnRef {
            id: conn,
            epoch: c.epoch,
        };
        // Stopped now or still stopped (between half and full): the connection it waits
        // for looks at it again when it drains. A sender between two chunks is in no
        // stream of that connection's queue, so nothing else would.
        if over || (stopped && !under) {
            if let Some(d) = via.and_then(|v| self.conn_mut(v)) {
                if !d.blocked.contains(&me) {
                    d.blocked.push(me);
                }
            }
        }
        if !stopped && over && open {
            if let Some(c) = self.conns.get_mut(&conn) {
                c.stopped = true;
            }
            self.events.push_back(RelayEvent::StopReading { conn });
        } else if stopped && under {
            if let Some(c) = self.conns.get_mut(&conn) {
                c.stopped = false;
            }
            self.events.push_back(RelayEvent::ResumeReading { conn });
        }
    }

    fn on_head(&mut self, conn: ConnId, head: crate::wire::ChunkHead) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.rx = Rx::Idle;
        }
        if head.is_request() {
            self.on_request(conn, &head);
        } else {
            self.on_response(conn, &head);
        }
    }

    fn on_body(&mut self, conn: ConnId, piece: Bytes) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if let Rx::Forward { down, stream, .. } = c.rx {
            let len = piece.len() as u64;
            if let Some(d) = self.conn_mut(down) {
                d.out.push_body(stream, piece);
                if let Some(f) = d.out.stream_tid(stream).and_then(|t| d.tx.get_mut(&t)) {
                    f.received(len);
                }
                self.mark_ready(down.id);
            }
        }
    }

    fn on_end(&mut self, conn: ConnId, flag: crate::wire::Continuation) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if let Rx::Forward { down, stream, ok } = core::mem::replace(&mut c.rx, Rx::Idle) {
            if let Some(ok) = ok {
                c.out.push_control(ok);
                self.mark_ready(conn);
            }
            self.end_stream(down, stream, flag.as_byte());
        }
    }

    /// Writes the end-line of a forwarded chunk.
    fn end_stream(&mut self, down: ConnRef, stream: u64, flag: u8) {
        if let Some(d) = self.conn_mut(down) {
            d.out.end_stream(stream, flag);
            self.mark_ready(down.id);
        }
    }

    fn on_parse_error(&mut self, conn: ConnId, e: &crate::wire::ParseError) {
        if e.is_fatal() {
            self.close_conn(conn, CloseCause::Unframeable);
            return;
        }
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if let Rx::Forward { down, stream, .. } = core::mem::replace(&mut c.rx, Rx::Idle) {
            self.end_stream(down, stream, b'#');
        }
        let answer = self
            .conns
            .get(&conn)
            .and_then(|c| forward::answer_rejected(&c.parser, e));
        match answer {
            Some((code, bytes)) => {
                self.push_control(conn, bytes);
                self.events.push_back(RelayEvent::Refused { conn, code });
            }
            // No answer is due (a response, or `Failure-Report: no`): the chunk is still
            // dropped, and that is reported, never silent.
            None => {
                if let Some(code) = e.status_code() {
                    self.events.push_back(RelayEvent::Refused { conn, code });
                }
            }
        }
    }

    fn push_control(&mut self, conn: ConnId, bytes: Bytes) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.out.push_control(bytes);
        }
        self.mark_ready(conn);
    }
}
