//! A deterministic two-peer harness in memory with a simulated clock, and the session
//! behaviours of RFC 4975 sections 7 and 10 on top of it.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use bytes::Bytes;
use core::time::Duration;

use super::*;
use crate::chunking::ReportPrefs;

mod relay;

struct Rng(u64);

impl RandomSource for Rng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 24) as u8;
        }
    }
}

struct Peer {
    conn: Connection<Rng>,
    session: SessionId,
    events: Vec<Event>,
}

struct Pair {
    a: Peer,
    b: Peer,
    now: Instant,
    /// Bytes A wrote, when recording.
    a_wire: Option<Vec<u8>>,
    /// Drop everything A writes (a dead link).
    drop_a: bool,
}

fn uri(s: &str) -> Uri {
    s.parse().unwrap()
}

fn session(local: &str, peer: &str, accept: &[&str], max: u64) -> SessionConfig {
    SessionConfig {
        local_uri: uri(local),
        to_path: Path::new(uri(peer)),
        accept_types: accept.iter().map(|s| String::from(*s)).collect(),
        accept_wrapped_types: vec![],
        max_message_size: max,
        cema: false,
    }
}

const A: &str = "msrp://a.example.com:7777/sa1234;tcp";
const B: &str = "msrp://b.example.com:8888/sb5678;tcp";

impl Pair {
    fn new(b_accept: &[&str], b_max: u64, config: ConnectionConfig) -> Pair {
        let now = Instant::ZERO;
        let mut a = Connection::new(config, Rng(0x1234_5678), now);
        let mut b = Connection::new(config, Rng(0x8765_4321), now);
        let sa = a.add_session(session(A, B, &["*"], 1 << 30));
        let sb = b.add_session(session(B, A, b_accept, b_max));
        Pair {
            a: Peer {
                conn: a,
                session: sa,
                events: vec![],
            },
            b: Peer {
                conn: b,
                session: sb,
                events: vec![],
            },
            now,
            a_wire: None,
            drop_a: false,
        }
    }

    /// Moves A's next `n` outputs, which must be bytes, to B.
    fn deliver_a(&mut self, n: usize) {
        for _ in 0..n {
            let Output::Transmit(t) = self.a.conn.poll_output() else {
                panic!("A has no bytes to send")
            };
            self.b.conn.handle_input(self.now, &t);
        }
    }

    /// Moves bytes both ways until neither side has output.
    fn run(&mut self) {
        loop {
            let mut progress = false;
            loop {
                match self.a.conn.poll_output() {
                    Output::Transmit(t) => {
                        progress = true;
                        if let Some(w) = &mut self.a_wire {
                            w.extend_from_slice(&t);
                        }
                        if !self.drop_a {
                            self.b.conn.handle_input(self.now, &t);
                        }
                    }
                    Output::Event(e) => self.a.events.push(e),
                    Output::Timeout(_) => break,
                }
            }
            loop {
                match self.b.conn.poll_output() {
                    Output::Transmit(t) => {
                        progress = true;
                        self.a.conn.handle_input(self.now, &t);
                    }
                    Output::Event(e) => self.b.events.push(e),
                    Output::Timeout(_) => break,
                }
            }
            if !progress {
                return;
            }
        }
    }
}

impl Peer {
    /// Everything the peer writes now, as text; its events are kept.
    fn drain(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            match self.conn.poll_output() {
                Output::Transmit(t) => out.push(String::from_utf8_lossy(&t).into_owned()),
                Output::Event(e) => self.events.push(e),
                Output::Timeout(_) => return out,
            }
        }
    }
}

fn received(events: &[Event]) -> Vec<(String, Bytes)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived {
                content_type, body, ..
            } => Some((content_type.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_text_message() {
    let mut p = Pair::new(&["text/plain"], 1 << 20, ConnectionConfig::default());
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from_static(b"Hi, I'm Alice!"),
                ReportPrefs::default(),
            )
            .unwrap();
    p.run();
    assert_eq!(
        received(&p.b.events),
        [(
            String::from("text/plain"),
            Bytes::from_static(b"Hi, I'm Alice!")
        )]
    );
    assert!(p.a.events.is_empty(), "{:?}", p.a.events);
    assert!(p.a.conn.progress(&id).is_none(), "answered and forgotten");
    assert_eq!(p.a.conn.poll_output(), Output::Timeout(None));
    assert_eq!(p.a.conn.queued_bytes(), 0);
}

#[test]
fn a_large_message_streams_and_is_reported_delivered() {
    let config = ConnectionConfig {
        max_gathered_message: 64 * 1024,
        max_queued_bytes: 64 << 20,
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["application/octet-stream"], 1 << 30, config);
    let body: Vec<u8> = (0..50u32 << 20).map(|i| (i % 251) as u8).collect(); // 50 MiB
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    p.a.conn
        .send(
            p.a.session,
            "application/octet-stream",
            Bytes::from(body.clone()),
            reports,
        )
        .unwrap();
    p.run();
    let mut got = vec![0u8; body.len()];
    let mut total = None;
    for e in &p.b.events {
        match e {
            Event::MessageData { offset, data, .. } => {
                got[*offset as usize..*offset as usize + data.len()].copy_from_slice(data)
            }
            Event::MessageComplete { total: t, .. } => total = Some(*t),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(total, Some(body.len() as u64));
    assert!(got == body);
    assert!(
        matches!(
            p.a.events.as_slice(),
            [
                Event::ReportReceived { status: 200, .. },
                Event::MessageDelivered { .. }
            ]
        ),
        "{:?}",
        p.a.events
    );
}

#[test]
fn messages_interleave_and_control_traffic_goes_first() {
    let config = ConnectionConfig {
        max_transmit: 1000,
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    p.a_wire = Some(Vec::new());
    let big = Bytes::from(vec![b'x'; 20_000]);
    p.a.conn
        .send(
            p.a.session,
            "text/plain",
            big.clone(),
            ReportPrefs::default(),
        )
        .unwrap();
    p.a.conn
        .send(
            p.a.session,
            "text/plain",
            Bytes::from_static(b"small"),
            ReportPrefs::default(),
        )
        .unwrap();
    p.run();
    let got = received(&p.b.events);
    assert_eq!(got.len(), 2);
    assert!(got.iter().any(|(_, b)| b == &big));
    assert!(got.iter().any(|(_, b)| &b[..] == b"small"));
}

#[test]
fn unsupported_types_get_415() {
    let mut p = Pair::new(&["text/plain"], 1 << 20, ConnectionConfig::default());
    let id =
        p.a.conn
            .send(
                p.a.session,
                "image/png",
                Bytes::from_static(b"\x89PNG"),
                ReportPrefs::default(),
            )
            .unwrap();
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: p.a.session,
            message_id: id,
            reason: FailReason::Response(415)
        }]
    );
    assert!(matches!(
        p.b.events.as_slice(),
        [Event::Rejected { code: 415, .. }]
    ));
}

#[test]
fn too_large_gets_413() {
    let mut p = Pair::new(&["*"], 100, ConnectionConfig::default());
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from(vec![b'y'; 1000]),
                ReportPrefs::default(),
            )
            .unwrap();
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: p.a.session,
            message_id: id,
            reason: FailReason::Response(413)
        }]
    );
    assert!(received(&p.b.events).is_empty());
}

#[test]
fn unknown_sessions_get_481() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let lost = p.a.conn.add_session(session(
        A,
        "msrp://b.example.com:8888/nosuch;tcp",
        &["*"],
        1 << 20,
    ));
    let id =
        p.a.conn
            .send(
                lost,
                "text/plain",
                Bytes::from_static(b"hello?"),
                ReportPrefs::default(),
            )
            .unwrap();
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: lost,
            message_id: id,
            reason: FailReason::Response(481)
        }]
    );
}

#[test]
fn unknown_methods_get_501_and_reports_no_answer() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let foo = alloc::format!(
        "MSRP tid00001 FOO\r\nTo-Path: {B}\r\nFrom-Path: {A}\r\n-------tid00001$\r\n"
    );
    p.b.conn.handle_input(p.now, foo.as_bytes());
    let Output::Transmit(t) = p.b.conn.poll_output() else {
        panic!()
    };
    assert!(
        t.starts_with(b"MSRP tid00001 501 Not Implemented\r\n"),
        "{t:?}"
    );
    let report = alloc::format!(
        "MSRP tid00002 REPORT\r\nTo-Path: {B}\r\nFrom-Path: {A}\r\nMessage-ID: unknown123\r\nStatus: 000 200 OK\r\n-------tid00002$\r\n"
    );
    p.b.conn.handle_input(p.now, report.as_bytes());
    assert!(matches!(
        p.b.conn.poll_output(),
        Output::Event(Event::Rejected { code: 501, .. })
    ));
    assert_eq!(
        p.b.conn.poll_output(),
        Output::Timeout(None),
        "REPORTs are never answered"
    );
}

#[test]
fn no_response_in_30_seconds_fails_the_send() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    p.drop_a = true;
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from_static(b"anyone?"),
                ReportPrefs::default(),
            )
            .unwrap();
    p.run();
    let Output::Timeout(Some(deadline)) = p.a.conn.poll_output() else {
        panic!()
    };
    assert_eq!(deadline, Instant::ZERO + Duration::from_secs(30));
    p.a.conn
        .handle_timeout(Instant::from_elapsed(Duration::from_secs(29)));
    assert!(
        matches!(p.a.conn.poll_output(), Output::Timeout(Some(_))),
        "not yet"
    );
    p.a.conn.handle_timeout(deadline);
    assert_eq!(
        p.a.conn.poll_output(),
        Output::Event(Event::SendFailed {
            session: p.a.session,
            message_id: id,
            reason: FailReason::Timeout
        })
    );
}

#[test]
fn keepalive_is_answered_quietly() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    p.a.conn.send_keepalive(p.a.session).unwrap();
    p.a_wire = Some(Vec::new());
    p.run();
    // RFC 4975 section 7.1.1: an empty SEND still carries a Message-ID and `1-0/0`.
    let wire = String::from_utf8(p.a_wire.take().unwrap()).unwrap();
    assert!(
        wire.contains("\r\nMessage-ID: ") && wire.contains("\r\nByte-Range: 1-0/0\r\n"),
        "{wire}"
    );
    assert!(p.a.events.is_empty() && p.b.events.is_empty());
    assert_eq!(
        p.a.conn.poll_output(),
        Output::Timeout(None),
        "the 200 cleared the transaction"
    );
}

#[test]
fn the_send_queue_is_bounded() {
    let config = ConnectionConfig {
        max_queued_bytes: 1000,
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    p.a.conn
        .send(
            p.a.session,
            "text/plain",
            Bytes::from(vec![0; 800]),
            ReportPrefs::default(),
        )
        .unwrap();
    let e = p.a.conn.send(
        p.a.session,
        "text/plain",
        Bytes::from(vec![0; 300]),
        ReportPrefs::default(),
    );
    assert_eq!(e, Err(SendError::WouldBlock));
    p.run();
    p.a.conn
        .send(
            p.a.session,
            "text/plain",
            Bytes::from(vec![0; 300]),
            ReportPrefs::default(),
        )
        .unwrap();
    assert_eq!(
        p.a.conn.send(
            SessionId(9),
            "text/plain",
            Bytes::new(),
            ReportPrefs::default()
        ),
        Err(SendError::UnknownSession)
    );
}

impl Pair {
    /// Moves one output at a time, alternating sides: responses and REPORTs are produced
    /// while the other side's chunks are still being written.
    fn run_interleaved(&mut self) {
        loop {
            let mut progress = false;
            match self.a.conn.poll_output() {
                Output::Transmit(t) => {
                    progress = true;
                    self.b.conn.handle_input(self.now, &t);
                }
                Output::Event(e) => {
                    progress = true;
                    self.a.events.push(e);
                }
                Output::Timeout(_) => {}
            }
            match self.b.conn.poll_output() {
                Output::Transmit(t) => {
                    progress = true;
                    self.a.conn.handle_input(self.now, &t);
                }
                Output::Event(e) => {
                    progress = true;
                    self.b.events.push(e);
                }
                Output::Timeout(_) => {}
            }
            if !progress {
                return;
            }
        }
    }
}

#[test]
fn both_sides_send_at_once_and_responses_wait_for_chunk_boundaries() {
    let config = ConnectionConfig {
        max_transmit: 700,
        max_gathered_message: 1 << 20,
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let from_a: Vec<Bytes> = (0..3)
        .map(|i| Bytes::from(vec![b'a' + i; 10_000 + usize::from(i) * 777]))
        .collect();
    let from_b: Vec<Bytes> = (0..3)
        .map(|i| Bytes::from(vec![b'k' + i; 9_000 + usize::from(i) * 555]))
        .collect();
    for m in &from_a {
        p.a.conn
            .send(p.a.session, "text/plain", m.clone(), reports)
            .unwrap();
    }
    for m in &from_b {
        p.b.conn
            .send(p.b.session, "text/plain", m.clone(), reports)
            .unwrap();
    }
    p.run_interleaved();
    let mut got_b: Vec<Bytes> = received(&p.b.events).into_iter().map(|(_, b)| b).collect();
    let mut got_a: Vec<Bytes> = received(&p.a.events).into_iter().map(|(_, b)| b).collect();
    got_a.sort();
    got_b.sort();
    assert_eq!(got_b, from_a);
    assert_eq!(got_a, from_b);
    for events in [&p.a.events, &p.b.events] {
        assert!(
            !events.iter().any(|e| matches!(
                e,
                Event::PeerError(_) | Event::SendFailed { .. } | Event::Rejected { .. }
            )),
            "{events:?}"
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::MessageDelivered { .. }))
                .count(),
            3
        );
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Any messages, any chunking policy and write size, the byte stream cut anywhere:
        /// the receiver gets exactly the bytes that were sent, and the sender hears they
        /// were delivered.
        #[test]
        fn messages_arrive_intact(
            sizes in proptest::collection::vec(0usize..40_000, 1..5),
            fixed in proptest::option::of(1u64..5000),
            max_transmit in 1usize..10_000,
            gather_limit in 0u64..50_000,
            cut_seed in any::<u64>(),
        ) {
            let policy = fixed.map_or(ChunkPolicy::AsFewAsPossible, ChunkPolicy::Fixed);
            let config = ConnectionConfig { chunk_policy: policy, max_transmit, max_gathered_message: gather_limit, ..ConnectionConfig::default() };
            let mut p = Pair::new(&["*"], 1 << 20, config);
            let reports = ReportPrefs { success: Some(true), failure: None };
            let mut sent = BTreeMap::new();
            for (i, size) in sizes.iter().enumerate() {
                let body: Bytes = (0..*size).map(|j| (j * 7 + i) as u8).collect::<Vec<u8>>().into();
                let id = p.a.conn.send(p.a.session, "application/octet-stream", body.clone(), reports).unwrap();
                sent.insert(id, body);
            }
            // Deliver A's bytes to B in pseudo-random pieces; B's answers whole.
            let mut x = cut_seed | 1;
            loop {
                let mut progress = false;
                let mut a_bytes = Vec::new();
                loop {
                    match p.a.conn.poll_output() {
                        Output::Transmit(t) => a_bytes.extend_from_slice(&t),
                        Output::Event(e) => p.a.events.push(e),
                        Output::Timeout(_) => break,
                    }
                }
                let mut rest = &a_bytes[..];
                while !rest.is_empty() {
                    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                    let n = 1 + (x % 3000) as usize;
                    let (now, later) = rest.split_at(n.min(rest.len()));
                    p.b.conn.handle_input(p.now, now);
                    rest = later;
                    progress = true;
                }
                loop {
                    match p.b.conn.poll_output() {
                        Output::Transmit(t) => {
                            progress = true;
                            p.a.conn.handle_input(p.now, &t);
                        }
                        Output::Event(e) => p.b.events.push(e),
                        Output::Timeout(_) => break,
                    }
                }
                if !progress {
                    break;
                }
            }
            // Reassemble what B reported, whole or streamed.
            let mut got: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            for e in &p.b.events {
                match e {
                    Event::MessageReceived { message_id, body, .. } => {
                        got.insert(message_id.clone(), body.to_vec());
                    }
                    Event::MessageData { message_id, offset, data, .. } => {
                        let buf = got.entry(message_id.clone()).or_default();
                        let end = *offset as usize + data.len();
                        if buf.len() < end {
                            buf.resize(end, 0);
                        }
                        buf[*offset as usize..end].copy_from_slice(data);
                    }
                    Event::MessageComplete { .. } => {}
                    other => prop_assert!(false, "unexpected event at B: {:?}", other),
                }
            }
            for (id, body) in &sent {
                prop_assert_eq!(got.get(id).map(Vec::as_slice).unwrap_or_default(), &body[..], "message {}", id);
            }
            let delivered = p.a.events.iter().filter(|e| matches!(e, Event::MessageDelivered { .. })).count();
            prop_assert_eq!(delivered, sent.len(), "{:?}", p.a.events);
        }
    }
}

#[test]
fn aborting_a_message_in_progress_sends_a_hash_end_line() {
    let config = ConnectionConfig {
        max_transmit: 1000,
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from(vec![b'z'; 50_000]),
                ReportPrefs::default(),
            )
            .unwrap();
    // Head and a few body pieces go out, then the application gives up.
    p.deliver_a(4);
    p.a.conn.abort(&id).unwrap();
    assert_eq!(
        p.a.conn.abort("nosuchmessage"),
        Err(SendError::UnknownMessage)
    );
    p.run();
    assert!(p.a.events.is_empty(), "{:?}", p.a.events);
    assert!(received(&p.b.events).is_empty());
    assert!(
        matches!(p.b.events.as_slice(), [.., Event::MessageAborted { .. }]),
        "{:?}",
        p.b.events
    );
    assert_eq!(p.a.conn.queued_bytes(), 0);
    assert!(p.a.conn.progress(&id).is_none());

    // Aborted between chunks: one more, empty, chunk carries the `#`.
    let config = ConnectionConfig {
        chunk_policy: ChunkPolicy::Fixed(5000),
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    p.a_wire = Some(Vec::new());
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from(vec![b'q'; 20_000]),
                ReportPrefs::default(),
            )
            .unwrap();
    p.deliver_a(3);
    p.a.conn.abort(&id).unwrap();
    p.run();
    let wire = String::from_utf8_lossy(p.a_wire.as_ref().unwrap()).into_owned();
    assert!(wire.contains("Byte-Range: 5001-5000/20000"), "{wire}");
    assert!(wire.trim_end().ends_with('#'), "{wire}");
    assert!(
        matches!(p.b.events.as_slice(), [Event::MessageAborted { .. }]),
        "{:?}",
        p.b.events
    );
}

#[test]
fn cema_sessions_match_by_session_id() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    // B's middlebox rewrote the address: A sends to another host, same session-id.
    let rewritten = p.a.conn.add_session(session(
        A,
        "msrp://mbox.example.net:9999/sb5678;tcp",
        &["*"],
        1 << 20,
    ));
    p.a.conn
        .send(
            rewritten,
            "text/plain",
            Bytes::from_static(b"via a middlebox"),
            ReportPrefs::default(),
        )
        .unwrap();
    p.run();
    assert!(matches!(
        p.a.events.as_slice(),
        [Event::SendFailed {
            reason: FailReason::Response(481),
            ..
        }]
    ));
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let mut cema = session(B, A, &["*"], 1 << 20);
    cema.cema = true;
    p.b = Peer {
        conn: Connection::new(ConnectionConfig::default(), Rng(5), p.now),
        session: SessionId(0),
        events: vec![],
    };
    p.b.session = p.b.conn.add_session(cema);
    let rewritten = p.a.conn.add_session(session(
        A,
        "msrp://mbox.example.net:9999/sb5678;tcp",
        &["*"],
        1 << 20,
    ));
    p.a.conn
        .send(
            rewritten,
            "text/plain",
            Bytes::from_static(b"via a middlebox"),
            ReportPrefs::default(),
        )
        .unwrap();
    p.run();
    assert_eq!(received(&p.b.events).len(), 1, "{:?}", p.b.events);
    assert!(p.a.events.is_empty());
}

#[test]
fn websocket_framing_sends_one_chunk_per_message() {
    let config = ConnectionConfig {
        framing: Framing::WebSocket { max_chunk: 4000 },
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let body = Bytes::from(vec![b'w'; 10_000]);
    p.a.conn
        .send(p.a.session, "text/plain", body.clone(), reports)
        .unwrap();
    p.a.conn
        .send(
            p.a.session,
            "text/plain",
            Bytes::from_static(b"short"),
            ReportPrefs::default(),
        )
        .unwrap();
    let mut messages = 0;
    loop {
        let mut progress = false;
        loop {
            let t = match p.a.conn.poll_output() {
                Output::Transmit(t) => t,
                Output::Event(e) => {
                    p.a.events.push(e);
                    continue;
                }
                Output::Timeout(_) => break,
            };
            progress = true;
            messages += 1;
            // Exactly one whole chunk per WebSocket message.
            let mut parser = ChunkParser::default();
            parser.feed(&t);
            let mut ends = 0;
            while let Some(ev) = parser.next() {
                if let ParseEvent::End(_) = ev.unwrap() {
                    ends += 1;
                }
            }
            assert_eq!(ends, 1, "{:?}", String::from_utf8_lossy(&t));
            assert!(parser.is_idle());
            p.b.conn.handle_input(p.now, &t);
        }
        loop {
            match p.b.conn.poll_output() {
                Output::Transmit(t) => {
                    progress = true;
                    p.a.conn.handle_input(p.now, &t);
                }
                Output::Event(e) => p.b.events.push(e),
                Output::Timeout(_) => break,
            }
        }
        if !progress {
            break;
        }
    }
    assert_eq!(
        messages, 4,
        "three chunks of the 10 000-byte message and one of the short one"
    );
    assert!(
        matches!(
            p.a.events.as_slice(),
            [Event::ReportReceived { .. }, Event::MessageDelivered { .. }]
        ),
        "{:?}",
        p.a.events
    );
    let got = received(&p.b.events);
    assert!(got.iter().any(|(_, b)| b == &body) && got.iter().any(|(_, b)| &b[..] == b"short"));
}

#[test]
fn streamed_bodies_are_sent_as_they_are_written() {
    for total_known in [true, false] {
        let config = ConnectionConfig {
            max_gathered_message: 1000,
            max_queued_bytes: 64 * 1024,
            ..ConnectionConfig::default()
        };
        let mut p = Pair::new(&["*"], 1 << 30, config);
        let size = 1_000_000u64;
        let reports = ReportPrefs {
            success: Some(true),
            failure: None,
        };
        let id =
            p.a.conn
                .send_stream(
                    p.a.session,
                    "application/octet-stream",
                    total_known.then_some(size),
                    reports,
                )
                .unwrap();
        // Write in 10 000-byte pieces as the queue allows, pumping in between: the sender
        // never holds more than the queue bound.
        let mut written = 0u64;
        let mut pieces = 0;
        while written < size {
            let piece: Bytes = (written..written + 10_000)
                .map(|i| (i % 239) as u8)
                .collect::<Vec<u8>>()
                .into();
            match p.a.conn.write(&id, piece) {
                Ok(()) => {
                    written += 10_000;
                    pieces += 1;
                }
                Err(SendError::WouldBlock) => p.run(),
                Err(e) => panic!("{e}"),
            }
            assert!(p.a.conn.queued_bytes() <= 64 * 1024);
        }
        p.a.conn.finish(&id).unwrap();
        assert_eq!(
            p.a.conn.write(&id, Bytes::from_static(b"late")),
            Err(SendError::UnknownMessage)
        );
        p.run();
        assert_eq!(pieces, 100);
        let mut got = Vec::new();
        for e in &p.b.events {
            match e {
                Event::MessageData { offset, data, .. } => {
                    assert_eq!(*offset, got.len() as u64);
                    got.extend_from_slice(data);
                }
                Event::MessageComplete { total, .. } => assert_eq!(*total, size),
                other => panic!("{other:?}"),
            }
        }
        let expected: Vec<u8> = (0..size).map(|i| (i % 239) as u8).collect();
        assert!(got == expected, "total known: {total_known}");
        assert!(
            matches!(
                p.a.events.as_slice(),
                [Event::ReportReceived { .. }, Event::MessageDelivered { .. }]
            ),
            "{:?}",
            p.a.events
        );
        assert!(p.a.conn.progress(&id).is_none());
    }
}

#[test]
fn a_stream_finished_without_data_is_an_empty_message() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let id =
        p.a.conn
            .send_stream(p.a.session, "text/plain", None, ReportPrefs::default())
            .unwrap();
    p.run();
    assert!(
        p.b.events.is_empty(),
        "nothing is sent before data or finish"
    );
    p.a.conn.finish(&id).unwrap();
    p.run();
    assert!(
        matches!(
            p.b.events.as_slice(),
            [Event::MessageComplete { total: 0, .. }]
        ),
        "{:?}",
        p.b.events
    );
}

#[test]
fn contradicting_chunks_get_400() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let chunk = |tid: &str, range: &str, flag: char| {
        alloc::format!(
            "MSRP {tid} SEND\r\nTo-Path: {B}\r\nFrom-Path: {A}\r\nMessage-ID: msg12345\r\nByte-Range: {range}\r\n\
Content-Type: text/plain\r\n\r\nhello\r\n-------{tid}{flag}\r\n"
        )
    };
    p.b.conn
        .handle_input(p.now, chunk("tid00001", "1-5/20", '+').as_bytes());
    // The same message now claims to be 10 bytes long.
    p.b.conn
        .handle_input(p.now, chunk("tid00002", "6-10/10", '$').as_bytes());
    let answers = p.b.drain();
    assert!(
        answers[0].starts_with("MSRP tid00001 200 OK"),
        "{answers:?}"
    );
    assert!(
        answers[1].starts_with("MSRP tid00002 400 Bad Request"),
        "{answers:?}"
    );
    assert!(
        matches!(p.b.events.as_slice(), [Event::Rejected { code: 400, .. }]),
        "{:?}",
        p.b.events
    );
}

#[test]
fn malformed_requests_get_400_and_the_stream_goes_on() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let send = |tid: &str, extra: &str| {
        alloc::format!(
            "MSRP {tid} SEND\r\nTo-Path: {B}\r\nFrom-Path: {R} {A}\r\nMessage-ID: m{tid}\r\n{extra}\
Content-Type: text/plain\r\n\r\nhello\r\n-------{tid}$\r\n"
        )
    };
    const R: &str = "msrp://relay.example.com:9000/r1;tcp";
    let mut wire = send("tid00001", "Byte-Range: 1-five/5\r\n");
    wire += &send(
        "tid00002",
        "Byte-Range: 1-5/5\r\nFailure-Report: no\r\nSuccess-Report: maybe\r\n",
    );
    wire += &send("tid00003", "Byte-Range: 1-5/5\r\n");
    p.b.conn.handle_input(p.now, wire.as_bytes());
    let answers = p.b.drain();
    // The bad Byte-Range gets 400, sent to the previous hop (RFC 4975 section 7.2); the
    // request with Failure-Report: no gets nothing; the good one after them gets 200.
    assert_eq!(
        answers,
        [
            alloc::format!(
                "MSRP tid00001 400 Bad Request\r\nTo-Path: {R}\r\nFrom-Path: {B}\r\n-------tid00001$\r\n"
            ),
            alloc::format!(
                "MSRP tid00003 200 OK\r\nTo-Path: {R}\r\nFrom-Path: {B}\r\n-------tid00003$\r\n"
            ),
        ]
    );
    let errors: Vec<_> =
        p.b.events
            .iter()
            .filter_map(|e| match e {
                Event::PeerError(e) => Some((
                    e.transaction_id().unwrap().as_str().to_string(),
                    e.status_code(),
                )),
                _ => None,
            })
            .collect();
    assert_eq!(
        errors,
        [
            ("tid00001".into(), Some(400)),
            ("tid00002".into(), Some(400))
        ]
    );
    assert_eq!(received(&p.b.events).len(), 1);
}

#[test]
fn progress_reports_cover_what_has_arrived() {
    let config = ConnectionConfig {
        progress_reports: Some(256 * 1024),
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 30, config);
    let len = 1_000_000u64;
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let id =
        p.a.conn
            .send(
                p.a.session,
                "application/octet-stream",
                Bytes::from(vec![7u8; len as usize]),
                reports,
            )
            .unwrap();
    p.run();
    let mut ends = Vec::new();
    for e in &p.a.events {
        if let Event::ReportReceived {
            status: 200, range, ..
        } = e
        {
            let r = range.unwrap();
            assert_eq!((r.start, r.total), (1, Some(len)), "{r:?}");
            ends.push(r.end.unwrap());
        }
    }
    // Every 256 KiB from the start, then the whole message.
    assert_eq!(ends.len(), 4, "{ends:?}");
    let progress = &ends[..ends.len() - 1];
    assert!(progress[0] >= 256 * 1024, "{ends:?}");
    assert!(
        progress.windows(2).all(|w| w[1] - w[0] >= 256 * 1024),
        "{ends:?}"
    );
    assert_eq!(ends.last(), Some(&len));
    assert_eq!(
        p.a.events.last(),
        Some(&Event::MessageDelivered {
            session: p.a.session,
            message_id: id
        })
    );
}

#[test]
fn a_receiver_refuses_a_message_after_the_fact_with_a_failure_report() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let reports = ReportPrefs::default();
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from_static(b"hi"),
                reports,
            )
            .unwrap();
    p.run();
    assert_eq!(received(&p.b.events).len(), 1);
    // B, a gateway, learns that the next network refused it.
    assert_eq!(p.b.conn.report_failure(p.b.session, &id, 408), Ok(true));
    assert_eq!(
        p.b.conn.report_failure(p.b.session, "nosuchmsg", 408),
        Err(SendError::UnknownMessage)
    );
    assert_eq!(
        p.b.conn.report_failure(p.b.session, &id, 200),
        Err(SendError::InvalidStatus)
    );
    p.run();
    assert_eq!(
        p.a.events,
        [
            Event::ReportReceived {
                session: p.a.session,
                message_id: id.clone(),
                status: 408,
                range: Some(ByteRange {
                    start: 1,
                    end: Some(2),
                    total: Some(2)
                }),
            },
            Event::SendFailed {
                session: p.a.session,
                message_id: id,
                reason: FailReason::Report(408)
            }
        ]
    );
}

#[test]
fn refusing_a_message_in_progress_frees_it_and_refuses_its_other_chunks() {
    let config = ConnectionConfig {
        chunk_policy: ChunkPolicy::Fixed(1000),
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let reports = ReportPrefs {
        success: None,
        failure: Some(ReportRequest::No),
    };
    let id =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from(vec![b'x'; 5000]),
                reports,
            )
            .unwrap();
    // Two chunks arrive (their heads, bodies and end-lines: 3 transmits each).
    p.deliver_a(6);
    // Failure-Report: no, so no REPORT; the message is dropped all the same.
    assert_eq!(p.b.conn.report_failure(p.b.session, &id, 413), Ok(false));
    p.run();
    assert!(received(&p.b.events).is_empty(), "{:?}", p.b.events);
    let rejected =
        p.b.events
            .iter()
            .filter(|e| matches!(e, Event::Rejected { code: 413, .. }))
            .count();
    assert_eq!(rejected, 3, "the three remaining chunks: {:?}", p.b.events);
}

/// Moves bytes between an active connection `a` and a listener's connection `b` until
/// neither has output; returns their events.
fn pump_listener(
    a: &mut Connection<Rng>,
    b: &mut Connection<Rng>,
    table: &mut SessionTable,
) -> (Vec<Event>, Vec<Event>) {
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    loop {
        let mut progress = false;
        loop {
            match a.poll_output() {
                Output::Transmit(t) => {
                    progress = true;
                    b.handle_input_with(Instant::ZERO, &t, table);
                }
                Output::Event(e) => ea.push(e),
                Output::Timeout(_) => break,
            }
        }
        loop {
            match b.poll_output() {
                Output::Transmit(t) => {
                    progress = true;
                    a.handle_input(Instant::ZERO, &t);
                }
                Output::Event(e) => eb.push(e),
                Output::Timeout(_) => break,
            }
        }
        if !progress {
            return (ea, eb);
        }
    }
}

#[test]
fn a_listener_binds_sessions_to_the_first_connection_and_refuses_others_with_506() {
    let config = ConnectionConfig::default();
    let mut table = SessionTable::new();
    table.insert(session(B, A, &["*"], 1 << 20)).unwrap();
    assert_eq!(
        table.insert(session(B, A, &["text/plain"], 1)),
        Err(DuplicateSession)
    );
    let hello = || Bytes::from_static(b"hello");
    let prefs = ReportPrefs::default();
    // The first connection's first request binds the session.
    let mut a1 = Connection::new(config, Rng(1), Instant::ZERO);
    let s1 = a1.add_session(session(A, B, &["*"], 1 << 20));
    a1.send_keepalive(s1).unwrap();
    let mut b1 = Connection::new(config, Rng(2), Instant::ZERO);
    let (ea, eb) = pump_listener(&mut a1, &mut b1, &mut table);
    assert!(ea.is_empty(), "{ea:?}");
    let bound = SessionId(0);
    assert_eq!(
        eb,
        [Event::SessionBound {
            session: bound,
            local_uri: uri(B)
        }]
    );
    assert_eq!(table.bound_to(&uri(B)), b1.table_id());
    // A second connection asking for the same session gets 506 (RFC 4975 section 5.4).
    let mut a2 = Connection::new(config, Rng(3), Instant::ZERO);
    let s2 = a2.add_session(session(A, B, &["*"], 1 << 20));
    let id2 = a2.send(s2, "text/plain", hello(), prefs).unwrap();
    let mut b2 = Connection::new(config, Rng(4), Instant::ZERO);
    let (ea, eb) = pump_listener(&mut a2, &mut b2, &mut table);
    assert_eq!(
        ea,
        [Event::SendFailed {
            session: s2,
            message_id: id2,
            reason: FailReason::Response(506)
        }]
    );
    assert_eq!(
        eb,
        [Event::Rejected {
            session: None,
            code: 506
        }]
    );
    // A session the table does not have: 481.
    let s3 = a2.add_session(session(A, "msrp://b.example.com:8888/other;tcp", &["*"], 1));
    let id3 = a2.send(s3, "text/plain", hello(), prefs).unwrap();
    let (ea, _) = pump_listener(&mut a2, &mut b2, &mut table);
    assert_eq!(
        ea,
        [Event::SendFailed {
            session: s3,
            message_id: id3,
            reason: FailReason::Response(481)
        }]
    );
    // The bound connection goes on using it.
    let id1 = a1.send(s1, "text/plain", hello(), prefs).unwrap();
    let (_, eb) = pump_listener(&mut a1, &mut b1, &mut table);
    assert_eq!(
        eb,
        [Event::MessageReceived {
            session: bound,
            message_id: id1,
            content_type: "text/plain".into(),
            body: hello()
        }]
    );
    // Once the first connection closes, the session may be bound again.
    table.release(b1.table_id().unwrap());
    let id4 = a2.send(s2, "text/plain", hello(), prefs).unwrap();
    let (ea, eb) = pump_listener(&mut a2, &mut b2, &mut table);
    assert!(ea.is_empty(), "{ea:?}");
    assert!(
        matches!(eb.as_slice(), [Event::SessionBound { .. }, Event::MessageReceived { message_id, .. }] if *message_id == id4),
        "{eb:?}"
    );
    assert_eq!(table.bound_to(&uri(B)), b2.table_id());
    assert_ne!(b1.table_id(), b2.table_id());
}

#[test]
fn wrapped_types_are_checked_inside_cpim() {
    let mut p = Pair::new(&["message/cpim"], 1 << 20, ConnectionConfig::default());
    let mut cfg = session(B, A, &["message/cpim"], 1 << 24);
    cfg.accept_wrapped_types = vec!["text/*".into()];
    let mut b = Connection::new(ConnectionConfig::default(), Rng(9), Instant::ZERO);
    p.b.session = b.add_session(cfg);
    p.b.conn = b;
    let cpim = |inner: &str, filler: usize| {
        Bytes::from(alloc::format!(
            "From: <im:alice@example.com>\r\nTo: <im:bob@example.com>\r\n\r\n\
Content-Type: {inner}\r\n\r\n{}",
            "x".repeat(filler)
        ))
    };
    let prefs = ReportPrefs::default();
    let send =
        |p: &mut Pair, ct: &str, body: Bytes| p.a.conn.send(p.a.session, ct, body, prefs).unwrap();
    let ok = send(&mut p, "message/cpim", cpim("text/plain", 10));
    // Large enough to come in several pieces, and the wrapped type refused.
    let png = send(&mut p, "message/cpim", cpim("image/png", 300_000));
    // A wrapped-only type at the root is refused (RFC 4975 section 8.6).
    let root = send(&mut p, "text/plain", Bytes::from_static(b"hi"));
    let streamed = send(&mut p, "message/cpim", cpim("text/html", 3_000_000));
    p.run();
    let failed: Vec<_> =
        p.a.events
            .iter()
            .filter_map(|e| match e {
                Event::SendFailed {
                    message_id, reason, ..
                } => Some((message_id.clone(), *reason)),
                _ => None,
            })
            .collect();
    assert_eq!(
        failed,
        [
            (png, FailReason::Response(415)),
            (root, FailReason::Response(415))
        ]
    );
    let got = received(&p.b.events);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, cpim("text/plain", 10));
    let mut data = 0;
    for e in &p.b.events {
        match e {
            Event::MessageData { message_id, .. } => assert_eq!(message_id, &streamed),
            Event::MessageComplete {
                message_id, total, ..
            } => {
                assert_eq!(message_id, &streamed);
                data = *total;
            }
            Event::MessageReceived { message_id, .. } => assert_eq!(message_id, &ok),
            Event::Rejected { code: 415, .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(data, cpim("text/html", 3_000_000).len() as u64);
}

#[test]
fn closing_a_session_stops_its_messages_and_later_requests_get_481() {
    let config = ConnectionConfig {
        chunk_policy: ChunkPolicy::Fixed(1000),
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    // A second session keeps the connection in use.
    let _second = p.a.conn.add_session(session(
        "msrp://a.example.com:7777/second;tcp",
        "msrp://b.example.com:8888/second;tcp",
        &["*"],
        1 << 20,
    ));
    let prefs = ReportPrefs::default();
    let big =
        p.a.conn
            .send(
                p.a.session,
                "text/plain",
                Bytes::from(vec![b'x'; 10_000]),
                prefs,
            )
            .unwrap();
    p.deliver_a(4); // a chunk, and the head of the next one
    assert_eq!(p.a.conn.close_session(p.a.session), Ok(1));
    assert_eq!(
        p.a.conn.close_session(p.a.session),
        Err(SendError::UnknownSession)
    );
    assert_eq!(
        p.a.conn
            .send(p.a.session, "text/plain", Bytes::new(), prefs),
        Err(SendError::UnknownSession)
    );
    // The chunk being written ends with `#`; B drops what it had.
    p.run();
    assert_eq!(
        p.a.events,
        [
            Event::SendFailed {
                session: p.a.session,
                message_id: big,
                reason: FailReason::SessionClosed
            },
            Event::SessionClosed {
                session: p.a.session
            }
        ]
    );
    assert!(
        matches!(p.b.events.as_slice(), [Event::MessageAborted { .. }]),
        "{:?}",
        p.b.events
    );
    // B closes its side; A's next request for it gets 481.
    assert_eq!(p.b.conn.close_session(p.b.session), Ok(0));
    assert_eq!(p.b.conn.open_sessions(), 0);
    let mut a2 = Connection::new(ConnectionConfig::default(), Rng(5), Instant::ZERO);
    let s2 = a2.add_session(session(A, B, &["*"], 1 << 20));
    let id = a2
        .send(s2, "text/plain", Bytes::from_static(b"hi"), prefs)
        .unwrap();
    p.a.conn = a2;
    p.a.events.clear();
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: s2,
            message_id: id,
            reason: FailReason::Response(481)
        }]
    );
}

#[test]
fn the_gathering_budget_streams_what_does_not_fit() {
    let config = ConnectionConfig {
        chunk_policy: ChunkPolicy::Fixed(1000),
        max_gathered_message: 8000,
        max_gathered_bytes: 10_000,
        ..ConnectionConfig::default()
    };
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let prefs = ReportPrefs::default();
    for i in 0..3u8 {
        p.a.conn
            .send(p.a.session, "text/plain", Bytes::from(vec![i; 6000]), prefs)
            .unwrap();
    }
    p.run();
    // The three messages are in progress at once (chunks alternate): the first fits the
    // budget, the other two are streamed.
    let whole = received(&p.b.events);
    assert_eq!(whole.len(), 1);
    assert_eq!(whole[0].1, Bytes::from(vec![0u8; 6000]));
    let streamed =
        p.b.events
            .iter()
            .filter(|e| matches!(e, Event::MessageComplete { total: 6000, .. }))
            .count();
    assert_eq!(streamed, 2);
    // Everything was given back: the next message is gathered again.
    p.a.conn
        .send(p.a.session, "text/plain", Bytes::from(vec![9; 9000]), prefs)
        .unwrap();
    p.a.conn
        .send(p.a.session, "text/plain", Bytes::from(vec![8; 7000]), prefs)
        .unwrap();
    p.b.events.clear();
    p.run();
    // 9000 is over the per-message limit (streamed); 7000 fits.
    assert_eq!(received(&p.b.events).len(), 1);
    assert_eq!(received(&p.b.events)[0].1.len(), 7000);
}

#[test]
fn a_refused_binding_send_is_reported() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let lost = p.a.conn.add_session(session(
        A,
        "msrp://b.example.com:8888/nosuch;tcp",
        &["*"],
        1 << 20,
    ));
    let id = p.a.conn.send_keepalive(lost).unwrap();
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: lost,
            message_id: id,
            reason: FailReason::Response(481)
        }]
    );
    // And one that is never answered times out.
    p.drop_a = true;
    let id = p.a.conn.send_keepalive(p.a.session).unwrap();
    p.a.events.clear();
    p.run();
    p.now = p.now + Duration::from_secs(31);
    p.a.conn.handle_timeout(p.now);
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: p.a.session,
            message_id: id,
            reason: FailReason::Timeout
        }]
    );
}
