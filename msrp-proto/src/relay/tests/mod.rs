//! Tests of the relay engine: endpoints ([`Connection`]s) and raw byte clients joined to
//! one [`Relay`] in memory, with a simulated clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod chain;
mod forward;
mod limits;
mod props;

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
pub(super) use alloc::string::ToString as _;
use alloc::vec::Vec;
use core::time::Duration;

use bytes::{Bytes, BytesMut};
use msrp_uri::{Path, Uri};

use super::{ConnId, PeerInfo, Relay, RelayConfig, RelayEvent};
use crate::auth::Credentials;
use crate::connection::{AuthConfig, Connection, ConnectionConfig, Event, SessionConfig};
use crate::testing::TestRng;
use crate::time::Instant;
use crate::wire::{ChunkHead, ChunkParser, ParseEvent};

pub(super) const RELAY: &str = "msrps://relay.example.net:2855;tcp";
pub(super) const REALM: &str = "relay.example.net";
pub(super) const ALICE: &str = "msrps://alice.example.com:9892/98cjs;tcp";
pub(super) const BOB: &str = "msrps://bob.example.com:8145/bob77;tcp";

pub(super) fn uri(s: &str) -> Uri {
    s.parse().unwrap()
}

pub(super) fn at(secs: u64) -> Instant {
    Instant::from_elapsed(Duration::from_secs(secs))
}

pub(super) type Users = fn(&str, &str) -> Option<String>;

pub(super) fn users(user: &str, realm: &str) -> Option<String> {
    assert_eq!(realm, REALM);
    match user {
        "alice" => Some("alice-pw".into()),
        "bob" => Some("bob-pw".into()),
        _ => None,
    }
}

pub(super) fn config() -> RelayConfig {
    RelayConfig::new(uri(RELAY), REALM)
}

/// What the relay said about a connection's peer as the driver sees it.
#[derive(Default)]
pub(super) struct Side {
    /// An endpoint, if the connection has one (else raw bytes are collected).
    pub(super) endpoint: Option<Connection<TestRng>>,
    /// Bytes the relay wrote to it (raw sides only; endpoints consume them).
    pub(super) received: Vec<u8>,
    /// Bytes its peer wrote, waiting for the relay to read them.
    pub(super) to_relay: VecDeque<u8>,
    pub(super) events: Vec<Event>,
    /// The relay asked to stop reading it.
    pub(super) stopped: bool,
    /// The driver drops what the relay writes to it (a blackhole).
    pub(super) blackhole: bool,
    /// The driver does not write to it (its peer does not read).
    pub(super) unwritable: bool,
    pub(super) closed: bool,
}

/// A relay and the far ends of its connections.
pub(super) struct Net {
    pub(super) relay: Relay<TestRng, Users>,
    pub(super) now: Instant,
    pub(super) sides: BTreeMap<ConnId, Side>,
    pub(super) events: Vec<RelayEvent>,
    /// Bytes the driver reads from a connection per `handle_input` call.
    pub(super) read_size: usize,
    /// Transmits the driver writes per connection per step (a slow writer with 1).
    pub(super) writes_per_step: usize,
    /// Endpoints to connect when the relay asks for a connection to their URI's host.
    pub(super) reachable: BTreeMap<String, Connection<TestRng>>,
    pub(super) unreachable: BTreeSet<String>,
    /// Connections `poll_ready` named and not yet polled empty: every transmit must be
    /// for one of them (the driver of a task per connection relies on it).
    pub(super) awake: BTreeSet<ConnId>,
}

impl Net {
    pub(super) fn new(config: RelayConfig) -> Net {
        Net {
            relay: Relay::new(config, TestRng::new(0x5e1a), users as Users, Instant::ZERO),
            now: Instant::ZERO,
            sides: BTreeMap::new(),
            events: Vec::new(),
            read_size: 16 * 1024,
            writes_per_step: usize::MAX,
            reachable: BTreeMap::new(),
            unreachable: BTreeSet::new(),
            awake: BTreeSet::new(),
        }
    }

    /// An endpoint connected to the relay as `conn`.
    pub(super) fn endpoint(&mut self, conn: u64, seed: u64) -> ConnId {
        self.endpoint_with(conn, seed, ConnectionConfig::default())
    }

    pub(super) fn endpoint_with(&mut self, conn: u64, seed: u64, cfg: ConnectionConfig) -> ConnId {
        let id = ConnId(conn);
        self.relay
            .connection_opened(self.now, id, PeerInfo::new().secure(true))
            .unwrap();
        let c = Connection::new(cfg, TestRng::new(seed), self.now);
        self.sides.insert(
            id,
            Side {
                endpoint: Some(c),
                ..Side::default()
            },
        );
        id
    }

    /// A raw byte client connected as `conn`.
    pub(super) fn raw(&mut self, conn: u64, peer: PeerInfo) -> ConnId {
        let id = ConnId(conn);
        self.relay.connection_opened(self.now, id, peer).unwrap();
        self.sides.insert(id, Side::default());
        id
    }

    pub(super) fn ep(&mut self, conn: ConnId) -> &mut Connection<TestRng> {
        self.sides
            .get_mut(&conn)
            .and_then(|s| s.endpoint.as_mut())
            .unwrap()
    }

    /// Raw bytes from a raw client.
    pub(super) fn send_raw(&mut self, conn: ConnId, bytes: &[u8]) {
        self.sides
            .get_mut(&conn)
            .unwrap()
            .to_relay
            .extend(bytes.iter().copied());
    }

    /// The heads (and bodies) the relay wrote to a raw client since the last call.
    pub(super) fn take_raw(&mut self, conn: ConnId) -> Vec<(ChunkHead, Vec<u8>)> {
        let bytes = core::mem::take(&mut self.sides.get_mut(&conn).unwrap().received);
        chunks(&bytes)
    }

    pub(super) fn take_events(&mut self, conn: ConnId) -> Vec<Event> {
        core::mem::take(&mut self.sides.get_mut(&conn).unwrap().events)
    }

    pub(super) fn take_relay_events(&mut self) -> Vec<RelayEvent> {
        core::mem::take(&mut self.events)
    }

    /// One round: endpoints write, the relay reads, the relay writes, endpoints read,
    /// events are handled. Returns whether anything moved.
    pub(super) fn step(&mut self) -> bool {
        let now = self.now;
        let mut moved = false;
        if self.relay.poll_timeout().is_some_and(|t| t <= now) {
            self.relay.handle_timeout(now);
            moved = true;
        }
        let ids: Vec<ConnId> = self.sides.keys().copied().collect();
        for id in &ids {
            let side = self.sides.get_mut(id).unwrap();
            if side.closed {
                continue;
            }
            if let Some(ep) = side.endpoint.as_mut() {
                // The driver reads from the endpoint only while little is waiting.
                let mut buf = BytesMut::new();
                while side.to_relay.len() < 4 * self.read_size
                    && ep.poll_transmit(now, &mut buf).is_some()
                {
                    side.to_relay.extend(buf.split().iter().copied());
                }
                if ep.poll_timeout().is_some_and(|t| t <= now) {
                    ep.handle_timeout(now);
                    moved = true;
                }
                side.events.extend(core::iter::from_fn(|| ep.poll_event()));
            }
            if !side.stopped && !side.to_relay.is_empty() {
                let n = side.to_relay.len().min(self.read_size);
                let piece: Vec<u8> = side.to_relay.drain(..n).collect();
                self.relay.handle_input(now, *id, &piece);
                moved = true;
            }
        }
        for id in &ids {
            if self.sides.get(id).is_some_and(|s| s.unwritable) {
                continue;
            }
            let mut out = BytesMut::new();
            let mut writes = 0;
            while writes < self.writes_per_step {
                self.awake
                    .extend(core::iter::from_fn(|| self.relay.poll_ready()));
                if self.relay.poll_transmit_conn(now, *id, &mut out).is_none() {
                    self.awake.remove(id);
                    break;
                }
                assert!(
                    self.awake.contains(id),
                    "{id} had output poll_ready did not name"
                );
                writes += 1;
            }
            if out.is_empty() {
                continue;
            }
            moved = true;
            let side = self.sides.get_mut(id).unwrap();
            if side.blackhole || side.closed {
                continue;
            }
            match side.endpoint.as_mut() {
                Some(ep) => {
                    ep.handle_input(now, &out);
                    side.events.extend(core::iter::from_fn(|| ep.poll_event()));
                }
                None => side.received.extend_from_slice(&out),
            }
        }
        while let Some(e) = self.relay.poll_event() {
            moved = true;
            self.on_event(&e);
            self.events.push(e);
        }
        moved
    }

    fn on_event(&mut self, e: &RelayEvent) {
        match e {
            RelayEvent::StopReading { conn } => {
                if let Some(s) = self.sides.get_mut(conn) {
                    assert!(!s.stopped, "StopReading twice for {conn}");
                    s.stopped = true;
                }
            }
            RelayEvent::ResumeReading { conn } => {
                if let Some(s) = self.sides.get_mut(conn) {
                    assert!(s.stopped, "ResumeReading without StopReading for {conn}");
                    s.stopped = false;
                }
            }
            RelayEvent::Connect { conn, uri } => {
                let host = String::from(uri.host_str());
                if self.unreachable.contains(&host) {
                    self.relay.connect_failed(self.now, *conn);
                } else if let Some(ep) = self.reachable.remove(&host) {
                    self.relay
                        .connection_opened(self.now, *conn, PeerInfo::new())
                        .unwrap();
                    self.sides.insert(
                        *conn,
                        Side {
                            endpoint: Some(ep),
                            ..Side::default()
                        },
                    );
                }
            }
            RelayEvent::Close { conn, .. } => self.close(*conn),
            _ => {}
        }
    }

    /// The driver closes `conn` (the relay is told).
    pub(super) fn close(&mut self, conn: ConnId) {
        // What the relay still has for it is written first.
        let mut out = BytesMut::new();
        while self
            .relay
            .poll_transmit_conn(self.now, conn, &mut out)
            .is_some()
        {}
        if let Some(s) = self.sides.get_mut(&conn) {
            if s.endpoint.is_none() {
                s.received.extend_from_slice(&out);
            }
            s.closed = true;
            if let Some(ep) = s.endpoint.as_mut() {
                ep.handle_close(self.now, crate::connection::CloseReason::PeerClosed);
                s.events.extend(core::iter::from_fn(|| ep.poll_event()));
            }
        }
        self.relay.connection_closed(self.now, conn);
    }

    /// Steps until nothing moves.
    pub(super) fn run(&mut self) {
        for _ in 0..1_000_000 {
            if !self.step() {
                return;
            }
        }
        panic!("the net did not settle");
    }

    /// Moves the clock on and runs.
    pub(super) fn advance(&mut self, d: Duration) {
        self.now = self.now + d;
        self.run();
    }

    /// AUTH from an endpoint; returns the Use-Path.
    pub(super) fn authenticate(&mut self, conn: ConnId, user: &str, local: &str) -> Path {
        let pw = alloc::format!("{user}-pw");
        let cfg = AuthConfig::new(uri(RELAY), uri(local), Credentials::new(user, pw));
        self.authenticate_with(conn, cfg)
    }

    pub(super) fn authenticate_with(&mut self, conn: ConnId, cfg: AuthConfig) -> Path {
        let now = self.now;
        self.ep(conn).authenticate(now, cfg).unwrap();
        self.run();
        let evs = self.take_events(conn);
        evs.into_iter()
            .find_map(|e| match e {
                Event::Authorized { use_path, .. } => Some(use_path),
                _ => None,
            })
            .expect("authorized")
    }
}

/// The chunks in `bytes`, with their bodies.
pub(super) fn chunks(bytes: &[u8]) -> Vec<(ChunkHead, Vec<u8>)> {
    let mut p = ChunkParser::default();
    p.feed(bytes);
    let mut out: Vec<(ChunkHead, Vec<u8>)> = Vec::new();
    while let Some(ev) = p.next() {
        match ev.expect("the relay writes valid chunks") {
            ParseEvent::Head(h) => out.push((h, Vec::new())),
            ParseEvent::Body(b) => out.last_mut().unwrap().1.extend_from_slice(&b),
            ParseEvent::End(_) => {}
        }
    }
    out
}

/// Alice and Bob, both authenticated (Alice on conn 1, Bob on conn 2), with a session
/// each through the relay (RFC 4976 section 5.1: To-Path = own Use-Path + peer's a=path).
pub(super) struct Pair {
    pub(super) net: Net,
    pub(super) alice: ConnId,
    pub(super) bob: ConnId,
    pub(super) a_session: crate::connection::SessionId,
    pub(super) b_session: crate::connection::SessionId,
    pub(super) a_use: Path,
    pub(super) b_use: Path,
}

pub(super) fn pair(config: RelayConfig) -> Pair {
    pair_with(config, ConnectionConfig::default())
}

/// [`pair`] with Alice's connection configured.
pub(super) fn pair_with(config: RelayConfig, alice_config: ConnectionConfig) -> Pair {
    let mut net = Net::new(config);
    let alice = net.endpoint_with(1, 0xa11ce, alice_config);
    let bob = net.endpoint(2, 0xb0b);
    let a_use = net.authenticate(alice, "alice", ALICE);
    let b_use = net.authenticate(bob, "bob", BOB);
    // Each side's a=path: its relays reversed, then its URI.
    let a_sdp = SessionConfig::new(uri(ALICE), Path::new(uri(BOB)))
        .relays(&a_use)
        .local_path();
    let b_sdp = SessionConfig::new(uri(BOB), Path::new(uri(ALICE)))
        .relays(&b_use)
        .local_path();
    let a_cfg = SessionConfig::new(uri(ALICE), b_sdp).relays(&a_use);
    let b_cfg = SessionConfig::new(uri(BOB), a_sdp).relays(&b_use);
    let a_session = net.ep(alice).add_session(a_cfg);
    let b_session = net.ep(bob).add_session(b_cfg);
    Pair {
        net,
        alice,
        bob,
        a_session,
        b_session,
        a_use,
        b_use,
    }
}

pub(super) fn bytes_of(n: usize) -> Bytes {
    Bytes::from((0..n).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
}
