//! A test harness (feature `testing`): two [`Connection`]s joined in memory, a simulated
//! clock, and a [`Middlebox`] in each direction that re-segments, reorders, duplicates,
//! delays or cuts what passes, as a relay or a bad network would.
//!
//! Nothing here reads a clock or opens a socket: a scenario of an hour runs in
//! microseconds, and every run is the same (seeded randomness).
//!
//! ```
//! use bytes::Bytes;
//! use msrp_proto::chunking::ReportPrefs;
//! use msrp_proto::connection::{ConnectionConfig, Event};
//! use msrp_proto::testing::{Middlebox, Pair};
//! use core::time::Duration;
//!
//! let mut p = Pair::new(ConnectionConfig::default());
//! p.a_to_b = Middlebox::new(7).max_piece(3).delay(Duration::from_millis(40));
//! p.advance(Duration::from_secs(3600)); // an idle hour
//! p.a.send(p.now, "text/plain", "Hi").unwrap();
//! p.run_for(Duration::from_secs(1));
//! assert_eq!(p.b.received(), [("text/plain".to_string(), Bytes::from("Hi"))]);
//! assert!(p.a.events.iter().all(|e| !matches!(e, Event::SendFailed { .. })));
//! ```

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};
use core::time::Duration;

use crate::chunking::ReportPrefs;
use crate::connection::{
    CloseReason, Connection, ConnectionConfig, Event, MessageHandle, SendError, SessionConfig,
    SessionId,
};
use crate::time::Instant;
use crate::wire::{ChunkParser, ParseEvent, RandomSource};
use crate::{Limits, Mode};
use msrp_uri::{Path, Uri};

/// A deterministic random source (xorshift) for tests. Never use it for real sessions:
/// ids must be unguessable (RFC 4975 section 14.1).
#[derive(Debug, Clone)]
pub struct TestRng(u64);

impl TestRng {
    /// A generator from a seed (any value).
    pub fn new(seed: u64) -> TestRng {
        TestRng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next value below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}

impl RandomSource for TestRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = (self.below(1 << 32) >> 8) as u8;
        }
    }
}

/// Alice's URI in [`Pair::new`].
pub const A_URI: &str = "msrp://a.example.com:7777/sa1234;tcp";
/// Bob's URI in [`Pair::new`].
pub const B_URI: &str = "msrp://b.example.com:8888/sb5678;tcp";

/// A session from `local` to `peer` accepting everything (a panic on a bad URI: test input).
#[allow(clippy::expect_used)]
pub fn session(local: &str, peer: &str) -> SessionConfig {
    let local: Uri = local.parse().expect("a valid local URI");
    let peer: Uri = peer.parse().expect("a valid peer URI");
    SessionConfig::new(local, Path::new(peer))
}

/// One side of a [`Pair`]: its connection, its session, and what it reported.
#[derive(Debug)]
pub struct Peer {
    /// The connection.
    pub conn: Connection<TestRng>,
    /// Its session with the other side.
    pub session: SessionId,
    /// Every event it reported, in order.
    pub events: Vec<Event>,
    /// Every byte it wrote, when [`Peer::record`] is on.
    pub wire: Option<Vec<u8>>,
}

impl Peer {
    /// Sends a whole message on its session, without reports.
    pub fn send(
        &mut self,
        now: Instant,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<MessageHandle, SendError> {
        let s = self.session;
        self.conn
            .send(now, s, content_type, body.into(), ReportPrefs::default())
    }

    /// Starts a streamed message on its session, without reports.
    pub fn send_stream(
        &mut self,
        now: Instant,
        content_type: &str,
        total: Option<u64>,
    ) -> Result<MessageHandle, SendError> {
        let s = self.session;
        self.conn
            .send_stream(now, s, content_type, total, ReportPrefs::default())
    }

    /// Starts recording what it writes (into [`Peer::wire`]).
    pub fn record(&mut self) {
        self.wire.get_or_insert_with(Vec::new);
    }

    /// The whole messages it received: content type and body.
    pub fn received(&self) -> Vec<(String, Bytes)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::MessageReceived {
                    content_type, body, ..
                } => Some((content_type.clone(), body.clone())),
                _ => None,
            })
            .collect()
    }

    /// The events it reported since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.events)
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.conn.poll_event() {
            self.events.push(e);
        }
    }
}

/// What stands between the two peers in one direction: by default a perfect wire. Each
/// setting changes what arrives, never what was sent.
#[derive(Debug)]
pub struct Middlebox {
    rng: TestRng,
    max_piece: Option<usize>,
    delay: Duration,
    reorder: bool,
    duplicate: Option<u64>,
    cut_after: Option<u64>,
    blackhole: bool,
    /// Bytes passed so far.
    passed: u64,
    /// Whether the link was cut.
    cut: bool,
    /// Chunk framing, for reordering and duplicating whole chunks.
    framer: Option<Framer>,
    /// Bytes on their way: when they arrive, what.
    in_flight: VecDeque<(Instant, Bytes)>,
}

#[derive(Debug)]
struct Framer {
    parser: ChunkParser,
    raw: BytesMut,
    /// Stream offset of `raw[0]`.
    base: u64,
    /// A chunk held back to be swapped with the next one.
    held: Option<Bytes>,
    /// The stream could not be framed: bytes pass through as they are.
    broken: bool,
}

impl Middlebox {
    /// A perfect wire; `seed` drives every random choice the settings make.
    pub fn new(seed: u64) -> Middlebox {
        Middlebox {
            rng: TestRng::new(seed),
            max_piece: None,
            delay: Duration::ZERO,
            reorder: false,
            duplicate: None,
            cut_after: None,
            blackhole: false,
            passed: 0,
            cut: false,
            framer: None,
            in_flight: VecDeque::new(),
        }
    }

    /// Re-segments the byte stream into pieces of 1 to `max` bytes (as TCP may).
    pub fn max_piece(mut self, max: usize) -> Middlebox {
        self.max_piece = Some(max.max(1));
        self
    }

    /// Delivers every byte `delay` after it was written.
    pub fn delay(mut self, delay: Duration) -> Middlebox {
        self.delay = delay;
        self
    }

    /// Swaps whole chunks with their successor at random (a relay forwarding chunks of
    /// different messages, or re-sent ones, in another order).
    pub fn reorder(mut self) -> Middlebox {
        self.reorder = true;
        self.framed()
    }

    /// Sends about one chunk in `n` twice.
    pub fn duplicate(mut self, n: u64) -> Middlebox {
        self.duplicate = Some(n.max(1));
        self.framed()
    }

    /// Cuts the link after `bytes` bytes have passed: the rest is lost and
    /// [`Pair`] closes both connections ([`CloseReason::TransportError`]).
    pub fn cut_after(mut self, bytes: u64) -> Middlebox {
        self.cut_after = Some(bytes);
        self
    }

    /// Loses everything from now on without closing anything (a dead path: only timers
    /// notice).
    pub fn blackhole(mut self) -> Middlebox {
        self.blackhole = true;
        self
    }

    /// Whether the link was cut.
    pub fn is_cut(&self) -> bool {
        self.cut
    }

    fn framed(mut self) -> Middlebox {
        let limits = Limits {
            max_gathered_body: usize::MAX,
            ..Limits::DEFAULT
        };
        self.framer.get_or_insert_with(|| Framer {
            parser: ChunkParser::new(limits, Mode::Tolerant),
            raw: BytesMut::new(),
            base: 0,
            held: None,
            broken: false,
        });
        self
    }

    /// Takes bytes written at `now`.
    pub fn push(&mut self, now: Instant, bytes: &[u8]) {
        if self.cut || self.blackhole {
            return;
        }
        let mut bytes = Bytes::copy_from_slice(bytes);
        if let Some(limit) = self.cut_after {
            let room = limit.saturating_sub(self.passed);
            if (bytes.len() as u64) >= room {
                bytes.truncate(room as usize);
                self.cut = true;
            }
        }
        self.passed += bytes.len() as u64;
        let at = now + self.delay;
        let Some(mut framer) = self.framer.take() else {
            self.schedule(at, bytes);
            return;
        };
        for chunk in framer.chunks(&bytes) {
            self.pass_chunk(at, chunk, &mut framer);
        }
        if self.cut {
            // What was framed so far is delivered; a partial chunk goes as it is.
            if let Some(h) = framer.held.take() {
                self.schedule(at, h);
            }
            let rest = framer.raw.split().freeze();
            self.schedule(at, rest);
        }
        self.framer = Some(framer);
    }

    fn pass_chunk(&mut self, at: Instant, chunk: Bytes, framer: &mut Framer) {
        let twice = self.duplicate.is_some_and(|n| self.rng.below(n) == 0);
        if self.reorder {
            match framer.held.take() {
                None if self.rng.below(2) == 0 => framer.held = Some(chunk.clone()),
                None => self.schedule(at, chunk.clone()),
                Some(held) => {
                    self.schedule(at, chunk.clone());
                    self.schedule(at, held);
                }
            }
        } else {
            self.schedule(at, chunk.clone());
        }
        if twice {
            self.schedule(at, chunk);
        }
    }

    fn schedule(&mut self, at: Instant, bytes: Bytes) {
        if bytes.is_empty() {
            return;
        }
        let Some(max) = self.max_piece else {
            self.in_flight.push_back((at, bytes));
            return;
        };
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = (1 + self.rng.below(max as u64) as usize).min(rest.len());
            self.in_flight.push_back((at, rest.split_to(n)));
        }
    }

    /// Releases a chunk held for reordering when nothing followed it (the sender went
    /// quiet): a relay does not keep a chunk forever.
    fn flush_held(&mut self, now: Instant) {
        if let Some(mut framer) = self.framer.take() {
            if let Some(h) = framer.held.take() {
                self.schedule(now + self.delay, h);
            }
            self.framer = Some(framer);
        }
    }

    /// The bytes due at `now`.
    fn due(&mut self, now: Instant) -> Vec<Bytes> {
        let mut out = Vec::new();
        while self.in_flight.front().is_some_and(|(t, _)| *t <= now) {
            if let Some((_, b)) = self.in_flight.pop_front() {
                out.push(b);
            }
        }
        out
    }

    /// When the next bytes arrive.
    fn next_arrival(&self) -> Option<Instant> {
        self.in_flight.front().map(|(t, _)| *t)
    }
}

impl Framer {
    /// The whole chunks completed by `bytes` (raw, as written).
    fn chunks(&mut self, bytes: &[u8]) -> Vec<Bytes> {
        let mut out = Vec::new();
        self.raw.extend_from_slice(bytes);
        if self.broken {
            out.push(self.raw.split().freeze());
            return out;
        }
        self.parser.feed(bytes);
        while let Some(ev) = self.parser.next() {
            match ev {
                Ok(ParseEvent::End(_)) => {
                    let end = (self.parser.offset() - self.base) as usize;
                    let end = end.min(self.raw.len());
                    out.push(self.raw.split_to(end).freeze());
                    self.base = self.parser.offset();
                }
                Ok(_) => {}
                Err(e) if e.is_fatal() => {
                    self.broken = true;
                    if let Some(h) = self.held.take() {
                        out.push(h);
                    }
                    out.push(self.raw.split().freeze());
                    return out;
                }
                Err(_) => {}
            }
        }
        out
    }
}

/// Two peers joined in memory (A's session is to B's and back), with a clock that only
/// moves when told and a [`Middlebox`] each way.
#[derive(Debug)]
pub struct Pair {
    /// Alice.
    pub a: Peer,
    /// Bob.
    pub b: Peer,
    /// The simulated clock.
    pub now: Instant,
    /// What A writes goes through this.
    pub a_to_b: Middlebox,
    /// What B writes goes through this.
    pub b_to_a: Middlebox,
    buf: BytesMut,
}

impl Pair {
    /// Two peers with the same connection config, sessions [`A_URI`] and [`B_URI`]
    /// accepting everything, at time zero.
    pub fn new(config: ConnectionConfig) -> Pair {
        Pair::with_sessions(config, session(A_URI, B_URI), config, session(B_URI, A_URI))
    }

    /// Two peers with their own configs and sessions.
    pub fn with_sessions(
        a_config: ConnectionConfig,
        a_session: SessionConfig,
        b_config: ConnectionConfig,
        b_session: SessionConfig,
    ) -> Pair {
        let now = Instant::ZERO;
        let peer = |config, seed, s| {
            let mut conn = Connection::new(config, TestRng::new(seed), now);
            let session = conn.add_session(s);
            Peer {
                conn,
                session,
                events: Vec::new(),
                wire: None,
            }
        };
        Pair {
            a: peer(a_config, 0x1234_5678, a_session),
            b: peer(b_config, 0x8765_4321, b_session),
            now,
            a_to_b: Middlebox::new(1),
            b_to_a: Middlebox::new(2),
            buf: BytesMut::new(),
        }
    }

    /// One round at the current time: both sides write everything they have into their
    /// middlebox, and what is due arrives. Returns whether anything moved.
    pub fn step(&mut self) -> bool {
        let mut moved = false;
        moved |= Self::send_side(self.now, &mut self.a, &mut self.a_to_b, &mut self.buf);
        moved |= Self::send_side(self.now, &mut self.b, &mut self.b_to_a, &mut self.buf);
        for piece in self.a_to_b.due(self.now) {
            moved = true;
            self.b.conn.handle_input(self.now, &piece);
        }
        for piece in self.b_to_a.due(self.now) {
            moved = true;
            self.a.conn.handle_input(self.now, &piece);
        }
        if self.a_to_b.is_cut() || self.b_to_a.is_cut() {
            self.close_both(CloseReason::TransportError);
        }
        self.a.drain_events();
        self.b.drain_events();
        moved
    }

    fn send_side(now: Instant, peer: &mut Peer, mbox: &mut Middlebox, buf: &mut BytesMut) -> bool {
        let mut moved = false;
        loop {
            buf.clear();
            if peer.conn.poll_transmit(now, buf).is_none() {
                break;
            }
            moved = true;
            if let Some(w) = &mut peer.wire {
                w.extend_from_slice(buf);
            }
            mbox.push(now, buf);
        }
        moved
    }

    /// Runs rounds until nothing moves at the current time.
    pub fn run(&mut self) {
        while self.step() {}
        self.a_to_b.flush_held(self.now);
        self.b_to_a.flush_held(self.now);
        while self.step() {}
    }

    /// Moves the clock forward by `d` in one jump, runs both sides' timers, then runs.
    pub fn advance(&mut self, d: Duration) {
        self.now = self.now + d;
        self.a.conn.handle_timeout(self.now);
        self.b.conn.handle_timeout(self.now);
        self.run();
    }

    /// Runs for `d` of simulated time: at each moment something is due (a timer, bytes
    /// arriving through a delay) the clock jumps there and the peers run.
    pub fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        self.run();
        loop {
            let next = [
                self.a.conn.poll_timeout(),
                self.b.conn.poll_timeout(),
                self.a_to_b.next_arrival(),
                self.b_to_a.next_arrival(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    self.a.conn.handle_timeout(self.now);
                    self.b.conn.handle_timeout(self.now);
                    self.run();
                }
                _ => break,
            }
        }
        self.now = end;
        self.a.conn.handle_timeout(self.now);
        self.b.conn.handle_timeout(self.now);
        self.run();
    }

    /// Both transports close (a reset link), as a driver would report it.
    pub fn close_both(&mut self, reason: CloseReason) {
        self.a.conn.handle_close(self.now, reason.clone());
        self.b.conn.handle_close(self.now, reason);
        self.a.drain_events();
        self.b.drain_events();
    }
}
