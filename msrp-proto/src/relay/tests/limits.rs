//! Limits: connections, sessions, pending transactions, nonces, declared sizes.

use super::*;
use crate::relay::{AuthRefusal, RelayError};

#[test]
fn connection_limit() {
    let mut cfg = config();
    cfg.max_connections = 2;
    let mut net = Net::new(cfg);
    net.raw(1, PeerInfo::new());
    net.raw(2, PeerInfo::new());
    assert_eq!(
        net.relay
            .connection_opened(net.now, ConnId(3), PeerInfo::new()),
        Err(RelayError::TooManyConnections)
    );
    assert_eq!(
        net.relay
            .connection_opened(net.now, ConnId(1), PeerInfo::new()),
        Err(RelayError::InUse(ConnId(1)))
    );
    assert_eq!(
        net.relay
            .connection_opened(net.now, ConnId(ConnId::OUTGOING + 5), PeerInfo::new()),
        Err(RelayError::NotRequested(ConnId(ConnId::OUTGOING + 5)))
    );
}

#[test]
fn session_limit() {
    let mut cfg = config();
    cfg.max_sessions = 1;
    let mut net = Net::new(cfg);
    let a = net.endpoint(1, 1);
    net.authenticate(a, "alice", ALICE);
    let b = net.endpoint(2, 2);
    let now = net.now;
    let cfg = AuthConfig::new(uri(RELAY), uri(BOB), Credentials::new("bob", "bob-pw"));
    net.ep(b).authenticate(now, cfg).unwrap();
    net.run();
    assert!(net.take_events(b).iter().any(|e| matches!(
        e,
        Event::AuthFailed {
            reason: crate::connection::AuthFailure::Rejected(403),
            ..
        }
    )));
    assert!(net.events.iter().any(|e| matches!(
        e,
        RelayEvent::AuthRefused {
            reason: AuthRefusal::TooManySessions,
            ..
        }
    )));
    assert_eq!(net.relay.sessions(), 1);
}

#[test]
fn pending_limit_per_outgoing_connection() {
    let mut cfg = config();
    cfg.max_pending = 1;
    cfg.require_auth = false;
    let mut net = Net::new(cfg);
    let c = net.raw(1, PeerInfo::new());
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    for tid in ["p1xx", "p2xx"] {
        let req = alloc::format!(
            "MSRP {tid} SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
             Message-ID: {tid}MsgId\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------{tid}$\r\n"
        );
        net.send_raw(c, req.as_bytes());
    }
    net.run();
    let codes: Vec<_> = net
        .take_raw(c)
        .iter()
        .map(|(h, _)| h.status_code())
        .collect();
    assert_eq!(codes, [Some(200), Some(403)]);
    assert_eq!(net.take_raw(bob).len(), 1);
    assert_eq!(net.relay.pending_transactions(bob), 1);
}

#[test]
fn nonces_per_connection_are_bounded() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let target = "msrps://relay.example.net:2855;tcp";
    let mut nonces = Vec::new();
    for i in 0..10 {
        let req = alloc::format!(
            "MSRP a{i}xx AUTH\r\nTo-Path: {target}\r\nFrom-Path: {ALICE}\r\n-------a{i}xx$\r\n"
        );
        net.send_raw(c, req.as_bytes());
        net.run();
        let (h, _) = net.take_raw(c).remove(0);
        let ch = crate::auth::Challenge::parse_bytes(h.header_value("WWW-Authenticate").unwrap())
            .unwrap();
        nonces.push(ch);
    }
    assert_eq!(net.relay.nonces.len(), 4);
    let creds = Credentials::new("alice", "alice-pw");
    let auth = |ch: &crate::auth::Challenge| {
        let v = ch.authorization(&creds, "AUTH", target, "cn", 1).unwrap();
        alloc::format!(
            "MSRP xxxx AUTH\r\nTo-Path: {target}\r\nFrom-Path: {ALICE}\r\nAuthorization: {v}\r\n-------xxxx$\r\n"
        )
    };
    net.send_raw(c, auth(&nonces[0]).as_bytes());
    net.run();
    assert_eq!(net.take_raw(c)[0].0.status_code(), Some(401), "forgotten");
    net.send_raw(c, auth(&nonces[9]).as_bytes());
    net.run();
    assert_eq!(net.take_raw(c)[0].0.status_code(), Some(200));
}

/// A Byte-Range total of 1 GiB costs nothing: only what arrives is held, and passed on
/// as it arrives (in the parser's pieces of `min_body_piece` bytes).
#[test]
fn declared_total_allocates_nothing() {
    let mut cfg = config();
    cfg.require_auth = false;
    let mut net = Net::new(cfg);
    let c = net.raw(1, PeerInfo::new());
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    let head = alloc::format!(
        "MSRP g1xx SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
         Message-ID: gMsgId\r\nByte-Range: 1-*/1073741824\r\nContent-Type: text/plain\r\n\r\n"
    );
    net.send_raw(c, head.as_bytes());
    net.send_raw(c, &[b'z'; 20_000]);
    net.run();
    let peak = net.relay.peak_buffered_bytes();
    assert!(peak < 20_000, "peak {peak}");
    let got = net.sides[&bob].received.clone();
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(text.contains("Byte-Range: 1-*/1073741824\r\n"));
    let zs = got.iter().filter(|b| **b == b'z').count();
    assert!(zs > 10_000, "cut-through: {zs} body bytes on already");
    assert_eq!(net.relay.buffered_bytes(), 0);
    // Carol goes away mid-chunk: it is ended with `#` downstream.
    net.close(c);
    net.run();
    let text = String::from_utf8_lossy(&net.sides[&bob].received).into_owned();
    assert!(text.ends_with("#\r\n"), "{text}");
}

/// RFC 4976 section 6.1: an accepted connection without a successful request in 30
/// seconds is closed; one that authenticated stays.
#[test]
fn probation() {
    let mut net = Net::new(config());
    let idle = net.raw(1, PeerInfo::new());
    let alice = net.endpoint(2, 2);
    net.advance(Duration::from_secs(10));
    let failing = net.raw(3, PeerInfo::new());
    net.authenticate(alice, "alice", ALICE);
    let req = alloc::format!(
        "MSRP bad1 SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://c.example.com:7/c;tcp\r\n-------bad1$\r\n"
    );
    net.send_raw(failing, req.as_bytes());
    net.run();
    assert_eq!(net.take_raw(failing)[0].0.status_code(), Some(403));
    assert_eq!(net.relay.poll_timeout(), Some(at(30)));
    net.advance(Duration::from_secs(20));
    assert!(!net.relay.is_open(idle));
    assert!(net.relay.is_open(failing));
    net.advance(Duration::from_secs(10));
    assert!(
        !net.relay.is_open(failing),
        "a 403 is no successful request"
    );
    assert!(net.relay.is_open(alice));
    let closes = net
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                RelayEvent::Close {
                    cause: crate::relay::CloseCause::Probation,
                    ..
                }
            )
        })
        .count();
    assert_eq!(closes, 2);
}

/// Many whole chunks for a connection that is not written: the sender is stopped once
/// `max_queued_bytes` wait, and resumed when they drain.
#[test]
fn complete_chunks_for_a_stuck_connection_stop_the_sender() {
    let mut cfg = config();
    cfg.require_auth = false;
    cfg.max_queued_bytes = 32 * 1024;
    let mut net = Net::new(cfg);
    net.read_size = 4096;
    let c = net.raw(1, PeerInfo::new());
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    net.sides.get_mut(&bob).unwrap().unwritable = true;
    let body = "x".repeat(1000);
    for i in 0..300 {
        let req = alloc::format!(
            "MSRP many{i} SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://c.example.com:7/c;tcp\r\n\
             Message-ID: msg{i}xx\r\nByte-Range: 1-1000/1000\r\nFailure-Report: no\r\nContent-Type: text/plain\r\n\r\n{body}\r\n-------many{i}$\r\n"
        );
        net.send_raw(c, req.as_bytes());
    }
    net.run();
    assert!(net.sides[&c].stopped, "the sender was stopped");
    let queued = net.relay.queued_bytes(bob);
    assert!(
        (32 * 1024..=32 * 1024 + 4096 + 2048).contains(&queued),
        "{queued}"
    );
    net.sides.get_mut(&bob).unwrap().unwritable = false;
    net.run();
    assert!(!net.sides[&c].stopped);
    assert_eq!(net.take_raw(bob).len(), 300);
    assert_eq!(net.relay.buffered_bytes(), 0);
}

/// Many 8 KiB SENDs (`Failure-Report: no`) written at once, far over the queue limit:
/// the sender is stopped and resumed as the receiver drains, and every chunk arrives.
#[test]
fn many_chunks_over_the_queue_limit_all_arrive() {
    many_chunks_arrive(usize::MAX, None);
}

/// The same with a slow writer (one transmit per step): the receiver's queue drains a
/// piece at a time.
#[test]
fn many_chunks_over_the_queue_limit_all_arrive_through_a_slow_writer() {
    many_chunks_arrive(1, None);
}

/// The receiver reads nothing at first and the sender's reads end on chunk boundaries,
/// so the sender is stopped between two chunks (in no stream of the receiver's queue);
/// then the receiver drains a transmit at a time. The sender stays stopped while the
/// queue is between half and full, and must be resumed below half: it once stayed
/// stopped for good (the 8 KiB stall of `relay_load` against `msrp relay`).
#[test]
fn a_sender_stopped_between_chunks_is_resumed_as_the_receiver_drains() {
    many_chunks_arrive(1, Some(8));
}

/// 256 SENDs of 8 KiB from one client to bob, read `net.read_size` at a time, or
/// `chunks_per_read` whole chunks at a time with bob unwritable until the sender stops.
fn many_chunks_arrive(writes_per_step: usize, chunks_per_read: Option<usize>) {
    let mut cfg = config();
    cfg.require_auth = false;
    let mut net = Net::new(cfg);
    net.read_size = 64 * 1024;
    net.writes_per_step = writes_per_step;
    let c = net.raw(1, PeerInfo::new());
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    let body = [b'x'; 8192];
    let mut all = Vec::new();
    for i in 0..256 {
        let head = alloc::format!(
            "MSRP t{i:08} SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
             Message-ID: m{i:08}\r\nFailure-Report: no\r\nByte-Range: 1-8192/8192\r\nContent-Type: text/plain\r\n\r\n"
        );
        all.extend_from_slice(head.as_bytes());
        all.extend_from_slice(&body);
        all.extend_from_slice(alloc::format!("\r\n-------t{i:08}$\r\n").as_bytes());
    }
    if let Some(k) = chunks_per_read {
        net.read_size = all.len() / 256 * k;
    }
    net.send_raw(c, &all);
    if chunks_per_read.is_some() {
        // Bob reads nothing at first: the sender is stopped between two chunks.
        net.sides.get_mut(&bob).unwrap().unwritable = true;
        net.run();
        assert!(net.sides[&c].stopped, "the sender was stopped");
        net.sides.get_mut(&bob).unwrap().unwritable = false;
    }
    net.run();
    let refused = net
        .take_relay_events()
        .into_iter()
        .filter(|e| matches!(e, RelayEvent::Refused { .. }))
        .count();
    assert_eq!(refused, 0);
    // Every chunk reached bob as a SEND (the relay gives each a new transaction id).
    let raw = net.sides[&bob].received.clone();
    let sends = raw.windows(6).filter(|w| w == b" SEND\r").count();
    assert_eq!(
        sends,
        256,
        "{sends} of 256 chunks reached bob ({} bytes)",
        raw.len()
    );
}

/// A chunk that does not parse is dropped with a `Refused` event even when no response
/// is due (`Failure-Report: no`): never silently.
#[test]
fn a_dropped_chunk_without_an_answer_is_still_reported() {
    let mut cfg = config();
    cfg.require_auth = false;
    let mut net = Net::new(cfg);
    let c = net.raw(1, PeerInfo::new());
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    let chunk = alloc::format!(
        "MSRP bad00001 SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
         Message-ID: m1\r\nFailure-Report: no\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------bad00001$\r\n"
    );
    net.send_raw(c, chunk.as_bytes());
    net.run();
    assert!(net.take_raw(c).is_empty(), "no answer is due");
    assert!(net.take_raw(bob).is_empty(), "nothing forwarded");
    let refused: Vec<RelayEvent> = net
        .take_relay_events()
        .into_iter()
        .filter(|e| matches!(e, RelayEvent::Refused { .. }))
        .collect();
    assert_eq!(refused, [RelayEvent::Refused { conn: c, code: 400 }]);
}
