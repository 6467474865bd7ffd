//! Forwarding through the relay: endpoints on both sides, hop-by-hop answers, REPORTs,
//! back-pressure, failures downstream.

use super::*;
use crate::chunking::ReportPrefs;
use crate::connection::FailReason;
use crate::relay::CloseCause;

fn prefs(success: bool) -> ReportPrefs {
    ReportPrefs {
        success: Some(success),
        failure: None,
    }
}

/// Bodies an endpoint received, gathered or streamed.
fn received(evs: &[Event]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in evs {
        match e {
            Event::MessageReceived { body, .. } => out.extend_from_slice(body),
            Event::MessageData { data, .. } => out.extend_from_slice(data),
            _ => {}
        }
    }
    out
}

fn failed(evs: &[Event]) -> Vec<FailReason> {
    evs.iter()
        .filter_map(|e| match e {
            Event::SendFailed { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

fn delivered(evs: &[Event]) -> usize {
    evs.iter()
        .filter(|e| matches!(e, Event::MessageDelivered { .. }))
        .count()
}

#[test]
fn message_both_ways_with_success_reports() {
    let mut p = pair(config());
    // Use-Path: one URI of ours with 128 random bits (RFC 4976 section 6.3).
    let ra = p.a_use.first().unwrap().clone();
    assert_eq!(p.a_use.len(), 1);
    assert!(super::super::route::is_ours(&uri(RELAY), &ra));
    assert_eq!(ra.session_id().unwrap().len(), 32);
    assert_ne!(p.a_use, p.b_use);
    let now = p.net.now;
    p.net
        .ep(p.alice)
        .send(
            now,
            p.a_session,
            "text/plain",
            Bytes::from("Hello, Bob"),
            prefs(true),
        )
        .unwrap();
    p.net.run();
    let bob = p.net.take_events(p.bob);
    assert_eq!(received(&bob), b"Hello, Bob");
    let alice = p.net.take_events(p.alice);
    assert_eq!(delivered(&alice), 1, "{alice:?}");
    assert!(failed(&alice).is_empty());
    p.net
        .ep(p.bob)
        .send(
            now,
            p.b_session,
            "text/plain",
            Bytes::from("Hi Alice"),
            prefs(true),
        )
        .unwrap();
    p.net.run();
    assert_eq!(received(&p.net.take_events(p.alice)), b"Hi Alice");
    assert_eq!(delivered(&p.net.take_events(p.bob)), 1);
    assert_eq!(p.net.relay.pending_transactions(p.alice), 0);
    assert_eq!(p.net.relay.pending_transactions(p.bob), 0);
    assert_eq!(p.net.relay.buffered_bytes(), 0);
}

#[test]
fn forwarded_request_is_rewritten() {
    let mut net = Net::new(config());
    let alice = net.endpoint(1, 7);
    let a_use = net.authenticate(alice, "alice", ALICE);
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    let cfg = SessionConfig::new(uri(ALICE), Path::new(uri(BOB))).relays(&a_use);
    let s = net.ep(alice).add_session(cfg);
    let now = net.now;
    net.ep(alice)
        .send(now, s, "text/plain", Bytes::from("abc"), prefs(false))
        .unwrap();
    net.run();
    let got = net.take_raw(bob);
    assert_eq!(got.len(), 1);
    let (head, body) = &got[0];
    assert_eq!(head.method_name(), Some("SEND"));
    // The relay's URI moved from To-Path to the front of From-Path (section 6.4.1).
    assert_eq!(head.to_path().unwrap().to_string(), BOB);
    assert_eq!(
        head.from_path().unwrap().to_string(),
        alloc::format!("{} {ALICE}", a_use.first().unwrap())
    );
    assert_eq!(body, b"abc");
    assert_eq!(head.content_type(), Some("text/plain"));
    assert!(head.message_id().is_some());
    assert_eq!(head.byte_range().unwrap().total, Some(3));
    assert_eq!(net.relay.pending_transactions(bob), 1);
    // Bob's 200 ends it.
    let ok = alloc::format!(
        "MSRP {} 200 OK\r\nTo-Path: {}\r\nFrom-Path: {BOB}\r\n-------{}$\r\n",
        head.transaction_id(),
        a_use.first().unwrap(),
        head.transaction_id()
    );
    net.send_raw(bob, ok.as_bytes());
    net.run();
    assert_eq!(net.relay.pending_transactions(bob), 0);
    assert!(failed(&net.take_events(alice)).is_empty());
}

#[test]
fn error_response_downstream_gives_failure_report() {
    let mut net = Net::new(config());
    let alice = net.endpoint(1, 7);
    let a_use = net.authenticate(alice, "alice", ALICE);
    let bob = net.raw(2, PeerInfo::new().remote("bob.example.com", 8145));
    let cfg = SessionConfig::new(uri(ALICE), Path::new(uri(BOB))).relays(&a_use);
    let s = net.ep(alice).add_session(cfg);
    let now = net.now;
    net.ep(alice)
        .send(now, s, "text/plain", Bytes::from("abc"), prefs(false))
        .unwrap();
    net.run();
    let (head, _) = net.take_raw(bob).remove(0);
    let refused = alloc::format!(
        "MSRP {} 415 Unsupported\r\nTo-Path: {}\r\nFrom-Path: {BOB}\r\n-------{}$\r\n",
        head.transaction_id(),
        a_use.first().unwrap(),
        head.transaction_id()
    );
    net.send_raw(bob, refused.as_bytes());
    net.run();
    // RFC 4976 section 6.4.3: the code received forms the REPORT's status.
    assert_eq!(failed(&net.take_events(alice)), [FailReason::Report(415)]);
}

#[test]
fn nickname_is_forwarded_and_its_response_comes_back() {
    let mut p = pair(config());
    let carol = p.net.raw(3, PeerInfo::new());
    let rb = p.b_use.first().unwrap().clone();
    let req = alloc::format!(
        "MSRP nick1 NICKNAME\r\nTo-Path: {rb} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
         Use-Nickname: \"carol\"\r\n-------nick1$\r\n"
    );
    p.net.send_raw(carol, req.as_bytes());
    p.net.run();
    // Bob, an endpoint, does not do NICKNAME (RFC 7701 is for chat rooms): 501, end to
    // end, back with Carol's transaction id and the relay's URI moved to From-Path.
    let got = p.net.take_raw(carol);
    assert_eq!(got.len(), 1, "{got:?}");
    let h = &got[0].0;
    assert_eq!(h.transaction_id().as_str(), "nick1");
    assert_eq!(h.status_code(), Some(501));
    assert_eq!(
        h.to_path().unwrap().to_string(),
        "msrp://carol.example.com:7000/c1;tcp"
    );
    assert_eq!(
        h.from_path().unwrap().to_string(),
        alloc::format!("{rb} {BOB}")
    );
}

#[test]
fn unknown_session_is_481() {
    let mut net = Net::new(config());
    let c = net.raw(3, PeerInfo::new());
    let req = alloc::format!(
        "MSRP s1xx SEND\r\nTo-Path: msrps://relay.example.net:2855/nosuchsession;tcp {BOB}\r\n\
         From-Path: msrp://carol.example.com:7000/c1;tcp\r\nMessage-ID: m1MsgId\r\nByte-Range: 1-2/2\r\n\
         Content-Type: text/plain\r\n\r\nhi\r\n-------s1xx$\r\n"
    );
    net.send_raw(c, req.as_bytes());
    // A REPORT to it is never answered.
    let rep = "MSRP r1xx REPORT\r\nTo-Path: msrps://relay.example.net:2855/nosuchsession;tcp\r\n\
         From-Path: msrp://carol.example.com:7000/c1;tcp\r\nMessage-ID: m1MsgId\r\nStatus: 000 200 OK\r\n-------r1xx$\r\n";
    net.send_raw(c, rep.as_bytes());
    net.run();
    let got = net.take_raw(c);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.status_code(), Some(481));
    assert_eq!(got[0].0.transaction_id().as_str(), "s1xx");
    assert!(net.relay.is_open(c));
}

#[test]
fn not_addressed_to_us_drops_the_connection() {
    let mut net = Net::new(config());
    let c = net.raw(3, PeerInfo::new());
    let req = alloc::format!(
        "MSRP s1xx SEND\r\nTo-Path: {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n-------s1xx$\r\n"
    );
    net.send_raw(c, req.as_bytes());
    net.run();
    assert!(net.events.contains(&RelayEvent::Close {
        conn: c,
        cause: CloseCause::NotAddressedToUs
    }));
    assert!(!net.relay.is_open(c));
}

#[test]
fn garbage_closes_only_that_connection() {
    let mut p = pair(config());
    let g = p.net.raw(3, PeerInfo::new());
    p.net.send_raw(g, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    p.net.run();
    assert!(p.net.events.contains(&RelayEvent::Close {
        conn: g,
        cause: CloseCause::Unframeable
    }));
    assert_eq!(p.net.relay.connections(), 2);
    let now = p.net.now;
    p.net
        .ep(p.alice)
        .send(
            now,
            p.a_session,
            "text/plain",
            Bytes::from("still here"),
            prefs(true),
        )
        .unwrap();
    p.net.run();
    assert_eq!(received(&p.net.take_events(p.bob)), b"still here");
    assert_eq!(delivered(&p.net.take_events(p.alice)), 1);
}

/// Kamailio ends a chunk at an end-line with a bad flag byte; the relay's parser does
/// not, so the body passes whole.
#[test]
fn end_line_with_bad_flag_is_body() {
    let mut p = pair(config());
    let c = p.net.raw(3, PeerInfo::new());
    let rb = p.b_use.first().unwrap().clone();
    let body = "x\r\n-------k1xx!\r\ny";
    let req = alloc::format!(
        "MSRP k1xx SEND\r\nTo-Path: {rb} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
         Message-ID: m1MsgId\r\nByte-Range: 1-{n}/{n}\r\nContent-Type: text/plain\r\n\r\n{body}\r\n-------k1xx$\r\n",
        n = body.len()
    );
    p.net.send_raw(c, req.as_bytes());
    p.net.run();
    assert_eq!(received(&p.net.take_events(p.bob)), body.as_bytes());
    let got = p.net.take_raw(c);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.status_code(), Some(200), "hop by hop");
}

/// A 10 MiB message, sent in chunks of 256 KiB, passes with the relay holding at most
/// `max_queued_bytes` for Bob plus one read of Alice's (and a chunk head): the writer to
/// Bob is 4 times slower than the reader from Alice, so the relay has to stop reading
/// Alice.
#[test]
fn ten_mib_with_bounded_memory() {
    let mut cfg = config();
    cfg.max_queued_bytes = 64 * 1024;
    cfg.max_transmit = 4 * 1024;
    let alice = ConnectionConfig {
        chunk_policy: crate::chunking::ChunkPolicy::Fixed(256 * 1024),
        ..ConnectionConfig::default()
    };
    let mut p = pair_with(cfg, alice);
    p.net.writes_per_step = 1;
    let read = p.net.read_size;
    let body = bytes_of(10 << 20);
    let now = p.net.now;
    p.net
        .ep(p.alice)
        .send(
            now,
            p.a_session,
            "application/octet-stream",
            body.clone(),
            prefs(true),
        )
        .unwrap();
    p.net.run();
    let bob_events = p.net.take_events(p.bob);
    let got = received(&bob_events);
    assert_eq!(got.len(), body.len());
    assert!(got == body[..]);
    assert_eq!(delivered(&p.net.take_events(p.alice)), 1);
    let stops = p
        .net
        .events
        .iter()
        .filter(|e| matches!(e, RelayEvent::StopReading { conn } if *conn == p.alice))
        .count();
    assert!(stops > 10, "back-pressure was needed: {stops}");
    let peak = p.net.relay.peak_buffered_bytes();
    let bound = 64 * 1024 + read + 2048;
    assert!(peak <= bound, "peak {peak} over {bound}");
    assert!(peak >= 64 * 1024, "the queue filled: {peak}");
    std::println!("10 MiB through the relay: peak buffered {peak} bytes (bound {bound})");
}

#[test]
fn downstream_closing_mid_message_reports_failure() {
    let mut cfg = config();
    cfg.max_transmit = 4 * 1024;
    let mut p = pair(cfg);
    p.net.writes_per_step = 1;
    let now = p.net.now;
    p.net
        .ep(p.alice)
        .send(
            now,
            p.a_session,
            "application/octet-stream",
            bytes_of(1 << 20),
            prefs(false),
        )
        .unwrap();
    for _ in 0..20 {
        p.net.step();
    }
    assert!(failed(&p.net.take_events(p.alice)).is_empty());
    let bob = p.bob;
    p.net.close(bob);
    p.net.run();
    let f = failed(&p.net.take_events(p.alice));
    assert_eq!(
        f,
        [FailReason::Report(408)],
        "a failure REPORT from the relay"
    );
    assert_eq!(p.net.relay.buffered_bytes(), 0);
    assert!(p.net.events.iter().any(|e| matches!(
        e,
        RelayEvent::AuthorizationEnded { conn, reason: crate::relay::AuthEnd::ConnectionClosed, .. } if *conn == bob
    )));
}

#[test]
fn downstream_silent_for_30_seconds_gives_408_report() {
    let mut p = pair(config());
    p.net.sides.get_mut(&p.bob).unwrap().blackhole = true;
    let now = p.net.now;
    p.net
        .ep(p.alice)
        .send(
            now,
            p.a_session,
            "text/plain",
            Bytes::from("anyone?"),
            prefs(false),
        )
        .unwrap();
    p.net.run();
    assert_eq!(
        p.net.relay.poll_timeout(),
        Some(now + Duration::from_secs(30))
    );
    p.net.advance(Duration::from_secs(29));
    assert!(failed(&p.net.take_events(p.alice)).is_empty());
    p.net.advance(Duration::from_secs(1));
    assert_eq!(
        failed(&p.net.take_events(p.alice)),
        [FailReason::Report(408)]
    );
    assert_eq!(p.net.relay.pending_transactions(p.bob), 0);
}

#[test]
fn next_hop_connection_is_opened_and_reused() {
    let mut net = Net::new(config());
    let alice = net.endpoint(1, 7);
    let a_use = net.authenticate(alice, "alice", ALICE);
    const CAROL: &str = "msrp://carol.example.com:7000/c1;tcp";
    let mut carol = Connection::new(ConnectionConfig::default(), TestRng::new(9), net.now);
    carol.add_session(SessionConfig::new(
        uri(CAROL),
        a_use.clone().into_iter().chain([uri(ALICE)]).collect(),
    ));
    net.reachable.insert("carol.example.com".into(), carol);
    let s = net
        .ep(alice)
        .add_session(SessionConfig::new(uri(ALICE), Path::new(uri(CAROL))).relays(&a_use));
    let now = net.now;
    for text in ["one", "two"] {
        net.ep(alice)
            .send(now, s, "text/plain", Bytes::from(text), prefs(true))
            .unwrap();
        net.run();
    }
    let connects: Vec<_> = net
        .events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Connect { .. }))
        .collect();
    assert_eq!(connects.len(), 1, "one connection to Carol, reused");
    let RelayEvent::Connect { conn, uri: to } = connects[0].clone() else {
        unreachable!()
    };
    assert!(conn.is_outgoing());
    assert_eq!(to.to_string(), CAROL);
    assert_eq!(received(&net.take_events(conn)), b"onetwo");
    assert_eq!(delivered(&net.take_events(alice)), 2);
}

#[test]
fn unreachable_next_hop_reports_failure() {
    let mut net = Net::new(config());
    let alice = net.endpoint(1, 7);
    let a_use = net.authenticate(alice, "alice", ALICE);
    net.unreachable.insert("dave.example.com".into());
    let s = net.ep(alice).add_session(
        SessionConfig::new(
            uri(ALICE),
            Path::new(uri("msrp://dave.example.com:7000/d;tcp")),
        )
        .relays(&a_use),
    );
    let now = net.now;
    net.ep(alice)
        .send(now, s, "text/plain", Bytes::from("hi"), prefs(false))
        .unwrap();
    net.run();
    assert_eq!(failed(&net.take_events(alice)), [FailReason::Report(408)]);
    assert_eq!(net.relay.connections(), 1);
}

/// One 16 MiB chunk from a raw sender to a raw receiver in 64 KiB reads, drained as it
/// comes: every byte passes, and the relay never holds more than about one read (cut
/// through, not buffered). Its speed belongs in a criterion bench, not here.
#[test]
fn a_large_chunk_passes_with_one_read_buffered() {
    let mut cfg = config();
    cfg.require_auth = false;
    let mut relay = Relay::new(cfg, TestRng::new(1), users as Users, Instant::ZERO);
    let (a, b) = (ConnId(1), ConnId(2));
    relay
        .connection_opened(Instant::ZERO, a, PeerInfo::new())
        .unwrap();
    relay
        .connection_opened(
            Instant::ZERO,
            b,
            PeerInfo::new().remote("bob.example.com", 8145),
        )
        .unwrap();
    const N: usize = 16 << 20;
    let head = alloc::format!(
        "MSRP big1 SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://c.example.com:7/c;tcp\r\n\
         Message-ID: bigMsgId\r\nByte-Range: 1-{N}/{N}\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let piece = alloc::vec![b'z'; 64 * 1024];
    let mut out = BytesMut::with_capacity(1 << 20);
    let mut written = 0usize;
    relay.handle_input(Instant::ZERO, a, head.as_bytes());
    for _ in 0..N / piece.len() {
        relay.handle_input(Instant::ZERO, a, &piece);
        while let Some(n) = relay.poll_transmit_conn(Instant::ZERO, b, &mut out) {
            written += n;
            out.clear();
        }
    }
    relay.handle_input(Instant::ZERO, a, b"\r\n-------big1$\r\n");
    while let Some(n) = relay.poll_transmit_conn(Instant::ZERO, b, &mut out) {
        written += n;
        out.clear();
    }
    assert!(written > N + head.len(), "{written}");
    let peak = relay.peak_buffered_bytes();
    assert!(peak <= piece.len() + 4096, "peak buffered {peak} bytes");
}

/// RFC 4976 section 6.4.1 re-chunking: a sender stalled in the middle of a chunk does
/// not hold the outgoing connection: its chunk is ended with `+`, another sender's
/// message goes out, and the rest follows as a new chunk whose Byte-Range starts at the
/// next byte.
#[test]
fn a_stalled_sender_is_interrupted_and_rechunked() {
    let mut cfg = config();
    cfg.require_auth = false;
    let mut net = Net::new(cfg);
    let carol = net.raw(1, PeerInfo::new());
    let dave = net.raw(2, PeerInfo::new());
    let bob = net.raw(3, PeerInfo::new().remote("bob.example.com", 8145));
    let n = 30_000;
    let body: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
    let head = alloc::format!(
        "MSRP stal1 SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
         Message-ID: stalledMsg\r\nByte-Range: 1-{n}/{n}\r\nContent-Type: text/plain\r\n\r\n"
    );
    net.send_raw(carol, head.as_bytes());
    net.send_raw(carol, &body[..20_000]);
    net.run();
    let hello = alloc::format!(
        "MSRP dave1 SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://dave.example.com:7000/d1;tcp\r\n\
         Message-ID: helloMsg\r\nByte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------dave1$\r\n"
    );
    net.send_raw(dave, hello.as_bytes());
    net.run();
    net.send_raw(carol, &body[20_000..]);
    net.send_raw(carol, b"\r\n-------stal1$\r\n");
    net.run();
    // What Bob got, chunk by chunk, with end flags.
    let mut p = ChunkParser::default();
    p.feed(&net.sides[&bob].received);
    let mut got: Vec<(ChunkHead, Vec<u8>, u8)> = Vec::new();
    while let Some(ev) = p.next() {
        match ev.unwrap() {
            ParseEvent::Head(h) => got.push((h, Vec::new(), 0)),
            ParseEvent::Body(b) => got.last_mut().unwrap().1.extend_from_slice(&b),
            ParseEvent::End(e) => got.last_mut().unwrap().2 = e.continuation.as_byte(),
        }
    }
    let ids: Vec<_> = got
        .iter()
        .map(|(h, _, f)| (h.message_id().unwrap().to_string(), *f))
        .collect();
    assert_eq!(
        ids,
        [
            ("stalledMsg".to_string(), b'+'),
            ("helloMsg".to_string(), b'$'),
            ("stalledMsg".to_string(), b'$')
        ]
    );
    let (first, second) = (&got[0], &got[2]);
    assert_eq!(first.0.byte_range().unwrap().end, None, "range-end `*`");
    assert!(!first.1.is_empty());
    let r2 = second.0.byte_range().unwrap();
    assert_eq!(r2.start, first.1.len() as u64 + 1);
    assert_eq!(r2.total, Some(n as u64));
    assert_ne!(first.0.transaction_id(), second.0.transaction_id());
    assert_eq!(second.0.content_type(), Some("text/plain"));
    let mut whole = first.1.clone();
    whole.extend_from_slice(&second.1);
    assert!(whole == body);
    // Both chunks of Carol's message are transactions the relay waits on.
    assert_eq!(net.relay.pending_transactions(bob), 3);
}

/// The same with Bob an endpoint: both messages arrive whole, the stalled one
/// reassembled from its two chunks.
#[test]
fn rechunked_message_reassembles_at_the_endpoint() {
    let mut p = pair(config());
    let carol = p.net.raw(3, PeerInfo::new());
    let rb = p.b_use.first().unwrap().clone();
    let n = 30_000;
    let body: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
    let head = alloc::format!(
        "MSRP stal1 SEND\r\nTo-Path: {rb} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
         Message-ID: stalledMsg\r\nByte-Range: 1-{n}/{n}\r\nContent-Type: text/plain\r\n\r\n"
    );
    p.net.send_raw(carol, head.as_bytes());
    p.net.send_raw(carol, &body[..20_000]);
    p.net.run();
    let now = p.net.now;
    p.net
        .ep(p.alice)
        .send(
            now,
            p.a_session,
            "text/plain",
            Bytes::from("hello"),
            prefs(true),
        )
        .unwrap();
    p.net.run();
    let evs = p.net.take_events(p.bob);
    assert_eq!(received(&evs), b"hello", "not held behind Carol's chunk");
    assert_eq!(delivered(&p.net.take_events(p.alice)), 1);
    p.net.send_raw(carol, &body[20_000..]);
    p.net.send_raw(carol, b"\r\n-------stal1$\r\n");
    p.net.run();
    assert!(received(&p.net.take_events(p.bob)) == body);
}

/// Every request is routed by its own paths: the relay remembers the route of a
/// connection's last request, and a request with other paths on the same connection (from
/// a URI that is not the one Bob authenticated, here: 403, RFC 4976 section 6.4) is
/// routed afresh, then the first paths again.
#[test]
fn each_request_is_routed_by_its_own_paths() {
    let mut p = pair(config());
    let bogus: Path = alloc::format!("msrps://relay.example.net:2855/nosuchsession;tcp {ALICE}")
        .parse()
        .unwrap();
    let other = "msrps://bob.example.com:8145/bob78;tcp";
    let wrong = p
        .net
        .ep(p.bob)
        .add_session(SessionConfig::new(uri(other), bogus).relays(&p.b_use));
    let now = p.net.now;
    let sends = [
        (p.b_session, "one"),
        (p.b_session, "two"),
        (wrong, "lost"),
        (p.b_session, "three"),
    ];
    let mut failures = 0;
    for (session, text) in sends {
        p.net
            .ep(p.bob)
            .send(now, session, "text/plain", Bytes::from(text), prefs(false))
            .unwrap();
        p.net.run();
        let bob = p.net.take_events(p.bob);
        let f = failed(&bob);
        failures += f.len();
        if session == wrong {
            assert_eq!(f, [FailReason::Response(403)], "{bob:?}");
        } else {
            assert!(f.is_empty(), "{text}: {bob:?}");
        }
    }
    assert_eq!(failures, 1);
    assert_eq!(received(&p.net.take_events(p.alice)), b"onetwothree");
}
