//! A deterministic two-peer harness in memory with a simulated clock, and the session
//! behaviours of RFC 4975 sections 7 and 10 on top of it.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};
use core::time::Duration;

use super::*;
use crate::chunking::{ChunkPolicy, ReportPrefs};
use crate::testing::TestRng;
use crate::wire::{ByteRange, ChunkParser, ParseEvent, ReportRequest};
use crate::{Limits, Mode};
use msrp_uri::{Path, Uri};

mod relay;

/// One step of a connection's output, in the order a driver takes them: bytes to write
/// first, then events, then when the next timer is due.
#[derive(Debug, PartialEq)]
enum Output {
    /// What one `poll_transmit` appended.
    Transmit(Bytes),
    Event(Event),
    Timeout(Option<Instant>),
}

/// The next [`Output`] of `conn` at `now`.
fn poll_output(conn: &mut Connection<TestRng>, now: Instant) -> Output {
    let mut buf = BytesMut::new();
    if conn.poll_transmit(now, &mut buf).is_some() {
        return Output::Transmit(buf.freeze());
    }
    if let Some(e) = conn.poll_event() {
        return Output::Event(e);
    }
    Output::Timeout(conn.poll_timeout())
}

/// A parser that reads anything a peer writes (whole bodies of any size).
fn tolerant_parser() -> ChunkParser {
    let limits = Limits {
        max_gathered_body: usize::MAX,
        ..Limits::DEFAULT
    };
    ChunkParser::new(limits, Mode::Tolerant)
}

/// Where each whole chunk of `bytes` ends (offsets just past its end-line).
fn chunk_ends(bytes: &[u8]) -> Vec<usize> {
    let mut parser = tolerant_parser();
    parser.feed(bytes);
    let mut ends = Vec::new();
    while let Some(ev) = parser.next() {
        if let ParseEvent::End(_) = ev.unwrap() {
            ends.push(parser.offset() as usize);
        }
    }
    ends
}

/// `bytes` cut into whole chunks, as text.
fn split_chunks(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for end in chunk_ends(bytes) {
        out.push(String::from_utf8_lossy(&bytes[start..end]).into_owned());
        start = end;
    }
    assert_eq!(start, bytes.len(), "a partial chunk");
    out
}

/// What has passed one way, counted as it parses.
struct Tap {
    parser: ChunkParser,
    /// Chunk heads, body bytes and end-lines seen.
    heads: usize,
    body: usize,
    ends: usize,
}

impl Tap {
    fn new() -> Tap {
        Tap {
            parser: tolerant_parser(),
            heads: 0,
            body: 0,
            ends: 0,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.parser.feed(bytes);
        while let Some(ev) = self.parser.next() {
            match ev.unwrap() {
                ParseEvent::Head(_) => self.heads += 1,
                ParseEvent::Body(b) => self.body += b.len(),
                ParseEvent::End(_) => self.ends += 1,
            }
        }
    }
}

/// The Message-ID of a message being sent.
fn id_of(conn: &Connection<TestRng>, message: MessageHandle) -> String {
    conn.message_id(message).unwrap().to_string()
}

struct Peer {
    conn: Connection<TestRng>,
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
    /// Bytes A wrote that B has not been given yet.
    a_pending: Vec<u8>,
}

fn uri(s: &str) -> Uri {
    s.parse().unwrap()
}

fn session(local: &str, peer: &str, accept: &[&str], max: u64) -> SessionConfig {
    SessionConfig::new(uri(local), Path::new(uri(peer)))
        .accept_types(accept.iter().copied())
        .max_message_size(max)
}

const A: &str = "msrp://a.example.com:7777/sa1234;tcp";
const B: &str = "msrp://b.example.com:8888/sb5678;tcp";

impl Pair {
    fn new(b_accept: &[&str], b_max: u64, config: ConnectionConfig) -> Pair {
        let now = Instant::ZERO;
        let mut a = Connection::new(config, TestRng::new(0x1234_5678), now);
        let mut b = Connection::new(config, TestRng::new(0x8765_4321), now);
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
            a_pending: Vec::new(),
        }
    }

    /// A's next transmit (recorded when recording).
    fn a_transmit(&mut self) -> Option<Bytes> {
        let t = self.a.transmit(self.now)?;
        if let Some(w) = &mut self.a_wire {
            w.extend_from_slice(&t);
        }
        Some(t)
    }

    /// Moves A's next `n` transmits to B.
    fn deliver_a(&mut self, n: usize) {
        for _ in 0..n {
            let t = self.a_transmit().expect("A has bytes to send");
            self.b.conn.handle_input(self.now, &t);
        }
        self.a.drain_events();
        self.b.drain_events();
    }

    /// Moves A's transmits to B one at a time until what B got from A since the call
    /// satisfies `done`.
    fn deliver_a_until(&mut self, done: impl Fn(&Tap) -> bool) {
        let mut tap = Tap::new();
        while !done(&tap) {
            let t = self.a_transmit().expect("A has bytes to send");
            tap.feed(&t);
            self.b.conn.handle_input(self.now, &t);
        }
        self.a.drain_events();
        self.b.drain_events();
    }

    /// Moves A's next `n` whole chunks to B; what A wrote after them waits for
    /// [`Pair::run`].
    fn deliver_a_chunks(&mut self, n: usize) {
        let mut ends = chunk_ends(&self.a_pending);
        while ends.len() < n {
            let t = self.a_transmit().expect("A has bytes to send");
            self.a_pending.extend_from_slice(&t);
            ends = chunk_ends(&self.a_pending);
        }
        let rest = self.a_pending.split_off(ends[n - 1]);
        let now = core::mem::replace(&mut self.a_pending, rest);
        self.b.conn.handle_input(self.now, &now);
        self.a.drain_events();
        self.b.drain_events();
    }

    /// Moves bytes both ways until neither side has any to write.
    fn run(&mut self) {
        loop {
            let mut progress = false;
            if !self.a_pending.is_empty() {
                progress = true;
                let held = core::mem::take(&mut self.a_pending);
                self.b.conn.handle_input(self.now, &held);
            }
            while let Some(t) = self.a_transmit() {
                progress = true;
                if !self.drop_a {
                    self.b.conn.handle_input(self.now, &t);
                }
            }
            self.a.drain_events();
            while let Some(t) = self.b.transmit(self.now) {
                progress = true;
                self.a.conn.handle_input(self.now, &t);
            }
            self.b.drain_events();
            if !progress {
                return;
            }
        }
    }
}

impl Peer {
    /// The bytes of one `poll_transmit`.
    fn transmit(&mut self, now: Instant) -> Option<Bytes> {
        let mut buf = BytesMut::new();
        self.conn.poll_transmit(now, &mut buf)?;
        Some(buf.freeze())
    }

    /// Keeps the events it has for the test.
    fn drain_events(&mut self) {
        while let Some(e) = self.conn.poll_event() {
            self.events.push(e);
        }
    }

    /// Sends a whole message on its session; returns its handle and Message-ID.
    fn send(
        &mut self,
        now: Instant,
        content_type: &str,
        body: impl Into<Bytes>,
        reports: ReportPrefs,
    ) -> (MessageHandle, String) {
        let h = self
            .conn
            .send(now, self.session, content_type, body.into(), reports)
            .unwrap();
        (h, id_of(&self.conn, h))
    }

    /// Everything the peer writes now, chunk by chunk, as text; its events are kept.
    fn drain(&mut self, now: Instant) -> Vec<String> {
        let mut wire = Vec::new();
        while let Some(t) = self.transmit(now) {
            wire.extend_from_slice(&t);
        }
        self.drain_events();
        split_chunks(&wire)
    }
}

/// What a sender sees once `message` of `session`, which asked for no success REPORT,
/// got through: [`Event::MessageAccepted`].
fn accepted(session: SessionId, message: MessageHandle, message_id: &str) -> Event {
    Event::MessageAccepted {
        session,
        message,
        message_id: message_id.into(),
    }
}

/// What a receiver sees first of a streamed (not gathered) message:
/// [`Event::MessageStarted`].
fn started(session: SessionId, message_id: &str, content_type: &str, total: Option<u64>) -> Event {
    Event::MessageStarted {
        session,
        message_id: message_id.into(),
        content_type: content_type.into(),
        total,
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
    let (h, id) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from_static(b"Hi, I'm Alice!"),
        ReportPrefs::default(),
    );
    p.run();
    assert_eq!(
        received(&p.b.events),
        [(
            String::from("text/plain"),
            Bytes::from_static(b"Hi, I'm Alice!")
        )]
    );
    // No success REPORT asked for: its 200 is all there is to hear.
    assert_eq!(p.a.events, [accepted(p.a.session, h, &id)]);
    assert!(p.a.conn.progress(h).is_none(), "answered and forgotten");
    assert_eq!(poll_output(&mut p.a.conn, p.now), Output::Timeout(None));
    assert_eq!(p.a.conn.queued_bytes(), 0);
}

#[test]
fn a_large_message_streams_and_is_reported_delivered() {
    let config = ConnectionConfig::default()
        .max_gathered_message(64 * 1024)
        .max_queued_bytes(64 << 20);
    let mut p = Pair::new(&["application/octet-stream"], 1 << 30, config);
    let body: Vec<u8> = (0..50u32 << 20).map(|i| (i % 251) as u8).collect(); // 50 MiB
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let (_, id) = p.a.send(
        p.now,
        "application/octet-stream",
        Bytes::from(body.clone()),
        reports,
    );
    p.run();
    let mut got = vec![0u8; body.len()];
    let mut total = None;
    let (first, rest) = p.b.events.split_first().expect("events at B");
    assert_eq!(
        *first,
        started(
            p.b.session,
            &id,
            "application/octet-stream",
            Some(body.len() as u64)
        )
    );
    for e in rest {
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
    let config = ConnectionConfig::default().max_transmit(1000);
    let mut p = Pair::new(&["*"], 1 << 20, config);
    p.a_wire = Some(Vec::new());
    let big = Bytes::from(vec![b'x'; 20_000]);
    p.a.send(p.now, "text/plain", big.clone(), ReportPrefs::default());
    p.a.send(
        p.now,
        "text/plain",
        Bytes::from_static(b"small"),
        ReportPrefs::default(),
    );
    p.run();
    let got = received(&p.b.events);
    assert_eq!(got.len(), 2);
    assert!(got.iter().any(|(_, b)| b == &big));
    assert!(got.iter().any(|(_, b)| &b[..] == b"small"));
}

#[test]
fn unsupported_types_get_415() {
    let mut p = Pair::new(&["text/plain"], 1 << 20, ConnectionConfig::default());
    let (h, id) = p.a.send(
        p.now,
        "image/png",
        Bytes::from_static(b"\x89PNG"),
        ReportPrefs::default(),
    );
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: p.a.session,
            message: h,
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
    let (h, id) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from(vec![b'y'; 1000]),
        ReportPrefs::default(),
    );
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: p.a.session,
            message: h,
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
    let h =
        p.a.conn
            .send(
                p.now,
                lost,
                "text/plain",
                Bytes::from_static(b"hello?"),
                ReportPrefs::default(),
            )
            .unwrap();
    let id = id_of(&p.a.conn, h);
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: lost,
            message: h,
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
    let Output::Transmit(t) = poll_output(&mut p.b.conn, p.now) else {
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
        poll_output(&mut p.b.conn, p.now),
        Output::Event(Event::Rejected { code: 501, .. })
    ));
    assert_eq!(
        poll_output(&mut p.b.conn, p.now),
        Output::Timeout(None),
        "REPORTs are never answered"
    );
}

#[test]
fn no_response_in_30_seconds_fails_the_send() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    p.drop_a = true;
    let (h, id) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from_static(b"anyone?"),
        ReportPrefs::default(),
    );
    p.run();
    let Output::Timeout(Some(deadline)) = poll_output(&mut p.a.conn, p.now) else {
        panic!()
    };
    assert_eq!(deadline, Instant::ZERO + Duration::from_secs(30));
    let early = Instant::from_elapsed(Duration::from_secs(29));
    p.a.conn.handle_timeout(early);
    assert!(
        matches!(poll_output(&mut p.a.conn, early), Output::Timeout(Some(_))),
        "not yet"
    );
    p.a.conn.handle_timeout(deadline);
    assert_eq!(
        poll_output(&mut p.a.conn, deadline),
        Output::Event(Event::SendFailed {
            session: p.a.session,
            message: h,
            message_id: id,
            reason: FailReason::Timeout
        })
    );
}

#[test]
fn keepalive_is_answered_quietly() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    p.a.conn.send_keepalive(p.now, p.a.session).unwrap();
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
        poll_output(&mut p.a.conn, p.now),
        Output::Timeout(None),
        "the 200 cleared the transaction"
    );
}

#[test]
fn the_send_queue_is_bounded() {
    let config = ConnectionConfig::default().max_queued_bytes(1000);
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let (h, id) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from(vec![0; 800]),
        ReportPrefs::default(),
    );
    let e = p.a.conn.send(
        p.now,
        p.a.session,
        "text/plain",
        Bytes::from(vec![0; 300]),
        ReportPrefs::default(),
    );
    assert_eq!(e, Err(SendError::WouldBlock));
    p.run();
    // Room again once its bytes are written; its 200 then retires it.
    assert_eq!(
        p.a.events,
        [Event::Writable, accepted(p.a.session, h, &id)],
        "room again"
    );
    p.a.send(
        p.now,
        "text/plain",
        Bytes::from(vec![0; 300]),
        ReportPrefs::default(),
    );
    assert_eq!(
        p.a.conn.send(
            p.now,
            SessionId(9),
            "text/plain",
            Bytes::new(),
            ReportPrefs::default()
        ),
        Err(SendError::UnknownSession)
    );
}

impl Pair {
    /// Moves one transmit at a time, alternating sides: responses and REPORTs are
    /// produced while the other side's chunks are still being written.
    fn run_interleaved(&mut self) {
        loop {
            let mut progress = false;
            if let Some(t) = self.a_transmit() {
                progress = true;
                self.b.conn.handle_input(self.now, &t);
            }
            if let Some(t) = self.b.transmit(self.now) {
                progress = true;
                self.a.conn.handle_input(self.now, &t);
            }
            self.a.drain_events();
            self.b.drain_events();
            if !progress {
                return;
            }
        }
    }
}

#[test]
fn both_sides_send_at_once_and_responses_wait_for_chunk_boundaries() {
    let config = ConnectionConfig::default()
        .max_transmit(700)
        .max_gathered_message(1 << 20);
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
        p.a.send(p.now, "text/plain", m.clone(), reports);
    }
    for m in &from_b {
        p.b.send(p.now, "text/plain", m.clone(), reports);
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
            let config = ConnectionConfig::default()
                .chunk_policy(policy)
                .max_transmit(max_transmit)
                .max_gathered_message(gather_limit);
            let mut p = Pair::new(&["*"], 1 << 20, config);
            let reports = ReportPrefs { success: Some(true), failure: None };
            let mut sent = BTreeMap::new();
            for (i, size) in sizes.iter().enumerate() {
                let body: Bytes = (0..*size).map(|j| (j * 7 + i) as u8).collect::<Vec<u8>>().into();
                let (_, id) = p.a.send(p.now, "application/octet-stream", body.clone(), reports);
                sent.insert(id, body);
            }
            // Deliver A's bytes to B in pseudo-random pieces; B's answers whole.
            let mut x = cut_seed | 1;
            loop {
                let mut progress = false;
                let mut a_bytes = Vec::new();
                while let Some(t) = p.a_transmit() {
                    a_bytes.extend_from_slice(&t);
                }
                p.a.drain_events();
                let mut rest = &a_bytes[..];
                while !rest.is_empty() {
                    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                    let n = 1 + (x % 3000) as usize;
                    let (now, later) = rest.split_at(n.min(rest.len()));
                    p.b.conn.handle_input(p.now, now);
                    rest = later;
                    progress = true;
                }
                while let Some(t) = p.b.transmit(p.now) {
                    progress = true;
                    p.a.conn.handle_input(p.now, &t);
                }
                p.b.drain_events();
                if !progress {
                    break;
                }
            }
            p.a.drain_events();
            // Reassemble what B reported, whole or streamed; a streamed message is started
            // once, before anything else of it, and a gathered one never.
            let mut got: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            let mut started = alloc::collections::BTreeSet::new();
            for e in &p.b.events {
                match e {
                    Event::MessageStarted { message_id, content_type, total, .. } => {
                        prop_assert!(started.insert(message_id.clone()), "started twice: {}", message_id);
                        prop_assert!(!got.contains_key(message_id), "started late: {}", message_id);
                        prop_assert_eq!(content_type, "application/octet-stream");
                        prop_assert_eq!(*total, sent.get(message_id).map(|b| b.len() as u64));
                    }
                    Event::MessageReceived { message_id, body, .. } => {
                        prop_assert!(!started.contains(message_id), "gathered, yet started: {}", message_id);
                        got.insert(message_id.clone(), body.to_vec());
                    }
                    Event::MessageData { message_id, offset, data, .. } => {
                        prop_assert!(started.contains(message_id), "data before its start: {}", message_id);
                        let buf = got.entry(message_id.clone()).or_default();
                        let end = *offset as usize + data.len();
                        if buf.len() < end {
                            buf.resize(end, 0);
                        }
                        buf[*offset as usize..end].copy_from_slice(data);
                    }
                    Event::MessageComplete { message_id, .. } => {
                        prop_assert!(started.contains(message_id), "complete, never started: {}", message_id);
                    }
                    other => prop_assert!(false, "unexpected event at B: {:?}", other),
                }
            }
            for (id, body) in &sent {
                prop_assert_eq!(got.get(id).map(Vec::as_slice).unwrap_or_default(), &body[..], "message {}", id);
            }
            let delivered = p.a.events.iter().filter(|e| matches!(e, Event::MessageDelivered { .. })).count();
            prop_assert_eq!(delivered, sent.len(), "{:?}", p.a.events);
            // Success REPORTs were asked for: delivered, never merely accepted.
            prop_assert!(!p.a.events.iter().any(|e| matches!(e, Event::MessageAccepted { .. })), "{:?}", p.a.events);
        }
    }
}

/// A handle no message of the connection ever had.
const NO_SUCH_MESSAGE: MessageHandle = MessageHandle {
    index: 9999,
    generation: 0,
};

#[test]
fn aborting_a_message_in_progress_sends_a_hash_end_line() {
    let config = ConnectionConfig::default().max_transmit(1000);
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let (h, _) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from(vec![b'z'; 50_000]),
        ReportPrefs::default(),
    );
    // Head and a few body pieces go out, then the application gives up.
    p.deliver_a(4);
    assert!(p.a.conn.progress(h).unwrap().sent < 50_000, "still sending");
    p.a.conn.abort(p.now, h).unwrap();
    assert_eq!(
        p.a.conn.abort(p.now, NO_SUCH_MESSAGE),
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
    assert!(p.a.conn.progress(h).is_none());

    // Aborted between chunks: one more, empty, chunk carries the `#`. (One byte per
    // transmit, so that A stops writing exactly where its first chunk ends.)
    let config = ConnectionConfig::default()
        .chunk_policy(ChunkPolicy::Fixed(5000))
        .max_transmit(1);
    let mut p = Pair::new(&["*"], 1 << 20, config);
    p.a_wire = Some(Vec::new());
    let (h, _) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from(vec![b'q'; 20_000]),
        ReportPrefs::default(),
    );
    p.deliver_a_until(|t| t.ends == 1);
    assert_eq!(p.a.conn.progress(h).unwrap().sent, 5000, "one whole chunk");
    p.a.conn.abort(p.now, h).unwrap();
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
            p.now,
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
    let cema = session(B, A, &["*"], 1 << 20).cema(true);
    p.b = Peer {
        conn: Connection::new(ConnectionConfig::default(), TestRng::new(5), p.now),
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
    let h =
        p.a.conn
            .send(
                p.now,
                rewritten,
                "text/plain",
                Bytes::from_static(b"via a middlebox"),
                ReportPrefs::default(),
            )
            .unwrap();
    let id = id_of(&p.a.conn, h);
    p.run();
    assert_eq!(received(&p.b.events).len(), 1, "{:?}", p.b.events);
    assert_eq!(p.a.events, [accepted(rewritten, h, &id)]);
}

#[test]
fn websocket_framing_sends_one_chunk_per_message() {
    let config = ConnectionConfig::default().framing(Framing::WebSocket { max_chunk: 4000 });
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let body = Bytes::from(vec![b'w'; 10_000]);
    let (big, _) = p.a.send(p.now, "text/plain", body.clone(), reports);
    let (short, short_id) = p.a.send(
        p.now,
        "text/plain",
        Bytes::from_static(b"short"),
        ReportPrefs::default(),
    );
    let mut messages = 0;
    loop {
        let mut progress = false;
        while let Some(t) = p.a_transmit() {
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
        p.a.drain_events();
        while let Some(t) = p.b.transmit(p.now) {
            progress = true;
            p.a.conn.handle_input(p.now, &t);
        }
        p.b.drain_events();
        if !progress {
            break;
        }
    }
    assert_eq!(
        messages, 4,
        "three chunks of the 10 000-byte message and one of the short one"
    );
    // The short one (no success REPORT) is accepted at its 200, before the large one's
    // REPORT.
    assert_eq!(p.a.events[0], accepted(p.a.session, short, &short_id));
    assert!(
        matches!(
            &p.a.events[1..],
            [
                Event::ReportReceived { message: r, .. },
                Event::MessageDelivered { message: d, .. }
            ] if *r == big && *d == big
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
        let config = ConnectionConfig::default()
            .max_gathered_message(1000)
            .max_queued_bytes(64 * 1024);
        let mut p = Pair::new(&["*"], 1 << 30, config);
        let size = 1_000_000u64;
        let reports = ReportPrefs {
            success: Some(true),
            failure: None,
        };
        let h =
            p.a.conn
                .send_stream(
                    p.now,
                    p.a.session,
                    "application/octet-stream",
                    total_known.then_some(size),
                    reports,
                )
                .unwrap();
        let id = id_of(&p.a.conn, h);
        // Write in 10 000-byte pieces as the queue allows, pumping in between: the sender
        // never holds more than the queue bound.
        let mut written = 0u64;
        let mut pieces = 0;
        let mut blocked = 0;
        while written < size {
            let piece: Bytes = (written..written + 10_000)
                .map(|i| (i % 239) as u8)
                .collect::<Vec<u8>>()
                .into();
            match p.a.conn.write(p.now, h, piece) {
                Ok(()) => {
                    written += 10_000;
                    pieces += 1;
                }
                Err(SendError::WouldBlock) => {
                    blocked += 1;
                    p.run();
                    assert_eq!(p.a.events.last(), Some(&Event::Writable), "room again");
                }
                Err(e) => panic!("{e}"),
            }
            assert!(p.a.conn.queued_bytes() <= 64 * 1024);
        }
        p.a.conn.finish(p.now, h).unwrap();
        assert_eq!(
            p.a.conn.write(p.now, h, Bytes::from_static(b"late")),
            Err(SendError::UnknownMessage)
        );
        p.run();
        assert_eq!(pieces, 100);
        let mut got = Vec::new();
        let (first, rest) = p.b.events.split_first().expect("events at B");
        assert_eq!(
            *first,
            started(
                p.b.session,
                &id,
                "application/octet-stream",
                total_known.then_some(size)
            )
        );
        for e in rest {
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
        // One Writable for each refused write; then the report and the delivery.
        let (writable, others): (Vec<&Event>, Vec<&Event>) =
            p.a.events.iter().partition(|e| **e == Event::Writable);
        assert_eq!(writable.len(), blocked);
        assert!(
            matches!(
                others.as_slice(),
                [Event::ReportReceived { .. }, Event::MessageDelivered { .. }]
            ),
            "{:?}",
            p.a.events
        );
        assert!(p.a.conn.progress(h).is_none());
    }
}

#[test]
fn a_stream_finished_without_data_is_an_empty_message() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let h =
        p.a.conn
            .send_stream(
                p.now,
                p.a.session,
                "text/plain",
                None,
                ReportPrefs::default(),
            )
            .unwrap();
    p.run();
    assert!(
        p.b.events.is_empty(),
        "nothing is sent before data or finish"
    );
    p.a.conn.finish(p.now, h).unwrap();
    let id = id_of(&p.a.conn, h);
    p.run();
    // Its one chunk declares no total (`1-0/*`): streamed, so started first.
    assert_eq!(
        p.b.events,
        [
            started(p.b.session, &id, "text/plain", None),
            Event::MessageComplete {
                session: p.b.session,
                message_id: id.clone(),
                total: 0
            }
        ]
    );
    assert_eq!(p.a.events, [accepted(p.a.session, h, &id)]);
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
    let answers = p.b.drain(p.now);
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
    let answers = p.b.drain(p.now);
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
    let config = ConnectionConfig::default().progress_reports(Some(256 * 1024));
    let mut p = Pair::new(&["*"], 1 << 30, config);
    let len = 1_000_000u64;
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let (h, id) = p.a.send(
        p.now,
        "application/octet-stream",
        Bytes::from(vec![7u8; len as usize]),
        reports,
    );
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
            message: h,
            message_id: id
        })
    );
}

#[test]
fn a_receiver_refuses_a_message_after_the_fact_with_a_failure_report() {
    let mut p = Pair::new(&["*"], 1 << 20, ConnectionConfig::default());
    let reports = ReportPrefs::default();
    let (h, id) =
        p.a.send(p.now, "text/plain", Bytes::from_static(b"hi"), reports);
    p.run();
    assert_eq!(received(&p.b.events).len(), 1);
    // B, a gateway, learns that the next network refused it.
    assert_eq!(
        p.b.conn.report_failure(p.now, p.b.session, &id, 408),
        Ok(true)
    );
    assert_eq!(
        p.b.conn
            .report_failure(p.now, p.b.session, "nosuchmsg", 408),
        Err(SendError::UnknownMessage)
    );
    assert_eq!(
        p.b.conn.report_failure(p.now, p.b.session, &id, 200),
        Err(SendError::InvalidStatus)
    );
    p.run();
    // Accepted by B (its 200), and failed by the later failure REPORT all the same.
    assert_eq!(
        p.a.events,
        [
            accepted(p.a.session, h, &id),
            Event::ReportReceived {
                session: p.a.session,
                message: h,
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
                message: h,
                message_id: id,
                reason: FailReason::Report(408)
            }
        ]
    );
}

#[test]
fn refusing_a_message_in_progress_frees_it_and_refuses_its_other_chunks() {
    let config = ConnectionConfig::default().chunk_policy(ChunkPolicy::Fixed(1000));
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let reports = ReportPrefs {
        success: None,
        failure: Some(ReportRequest::No),
    };
    let (_, id) =
        p.a.send(p.now, "text/plain", Bytes::from(vec![b'x'; 5000]), reports);
    // Two chunks arrive.
    p.deliver_a_chunks(2);
    // Failure-Report: no, so no REPORT; the message is dropped all the same.
    assert_eq!(
        p.b.conn.report_failure(p.now, p.b.session, &id, 413),
        Ok(false)
    );
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
/// neither has any to write; returns their events.
fn pump_listener(
    a: &mut Connection<TestRng>,
    b: &mut Connection<TestRng>,
    table: &mut SessionTable,
) -> (Vec<Event>, Vec<Event>) {
    let now = Instant::ZERO;
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    let mut buf = BytesMut::new();
    loop {
        let mut progress = false;
        while a.poll_transmit(now, &mut buf).is_some() {
            progress = true;
            b.handle_input_with(now, &buf, table);
            buf.clear();
        }
        ea.extend(core::iter::from_fn(|| a.poll_event()));
        while b.poll_transmit(now, &mut buf).is_some() {
            progress = true;
            a.handle_input(now, &buf);
            buf.clear();
        }
        eb.extend(core::iter::from_fn(|| b.poll_event()));
        if !progress {
            return (ea, eb);
        }
    }
}

#[test]
fn a_listener_binds_sessions_to_the_first_connection_and_refuses_others_with_506() {
    let config = ConnectionConfig::default();
    let now = Instant::ZERO;
    let mut table = SessionTable::new();
    table.insert(session(B, A, &["*"], 1 << 20)).unwrap();
    assert_eq!(
        table.insert(session(B, A, &["text/plain"], 1)),
        Err(DuplicateSession)
    );
    let hello = || Bytes::from_static(b"hello");
    let prefs = ReportPrefs::default();
    // The first connection's first request binds the session.
    let mut a1 = Connection::new(config, TestRng::new(1), now);
    let s1 = a1.add_session(session(A, B, &["*"], 1 << 20));
    a1.send_keepalive(now, s1).unwrap();
    let mut b1 = Connection::new(config, TestRng::new(2), now);
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
    let mut a2 = Connection::new(config, TestRng::new(3), now);
    let s2 = a2.add_session(session(A, B, &["*"], 1 << 20));
    let h2 = a2.send(now, s2, "text/plain", hello(), prefs).unwrap();
    let id2 = id_of(&a2, h2);
    let mut b2 = Connection::new(config, TestRng::new(4), now);
    let (ea, eb) = pump_listener(&mut a2, &mut b2, &mut table);
    assert_eq!(
        ea,
        [Event::SendFailed {
            session: s2,
            message: h2,
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
    let h3 = a2.send(now, s3, "text/plain", hello(), prefs).unwrap();
    let id3 = id_of(&a2, h3);
    let (ea, _) = pump_listener(&mut a2, &mut b2, &mut table);
    assert_eq!(
        ea,
        [Event::SendFailed {
            session: s3,
            message: h3,
            message_id: id3,
            reason: FailReason::Response(481)
        }]
    );
    // The bound connection goes on using it.
    let h1 = a1.send(now, s1, "text/plain", hello(), prefs).unwrap();
    let id1 = id_of(&a1, h1);
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
    let h4 = a2.send(now, s2, "text/plain", hello(), prefs).unwrap();
    let id4 = id_of(&a2, h4);
    let (ea, eb) = pump_listener(&mut a2, &mut b2, &mut table);
    assert_eq!(ea, [accepted(s2, h4, &id4)]);
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
    let cfg = session(B, A, &["message/cpim"], 1 << 24).accept_wrapped_types(["text/*"]);
    let mut b = Connection::new(ConnectionConfig::default(), TestRng::new(9), Instant::ZERO);
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
    let send = |p: &mut Pair, ct: &str, body: Bytes| p.a.send(p.now, ct, body, prefs);
    let (_, ok) = send(&mut p, "message/cpim", cpim("text/plain", 10));
    // Large enough to come in several pieces, and the wrapped type refused.
    let (_, png) = send(&mut p, "message/cpim", cpim("image/png", 300_000));
    // A wrapped-only type at the root is refused (RFC 4975 section 8.6).
    let (_, root) = send(&mut p, "text/plain", Bytes::from_static(b"hi"));
    let (_, streamed) = send(&mut p, "message/cpim", cpim("text/html", 3_000_000));
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
    let mut starts = 0;
    for e in &p.b.events {
        match e {
            // The 3 MB one is over `max_gathered_message` (1 MiB): streamed, announced
            // once, before its data. The refused one was gathered: no start.
            Event::MessageStarted {
                message_id,
                content_type,
                total,
                ..
            } => {
                assert_eq!(message_id, &streamed);
                assert_eq!(content_type, "message/cpim");
                assert_eq!(*total, Some(cpim("text/html", 3_000_000).len() as u64));
                starts += 1;
            }
            Event::MessageData { message_id, .. } => {
                assert_eq!(message_id, &streamed);
                assert_eq!(starts, 1, "data before its start");
            }
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
    assert_eq!(starts, 1);
}

#[test]
fn closing_a_session_stops_its_messages_and_later_requests_get_481() {
    // One byte per transmit, so that A can stop writing just after a chunk's head.
    let config = ConnectionConfig::default()
        .chunk_policy(ChunkPolicy::Fixed(1000))
        .max_transmit(1);
    let mut p = Pair::new(&["*"], 1 << 20, config);
    // A second session keeps the connection in use.
    let _second = p.a.conn.add_session(session(
        "msrp://a.example.com:7777/second;tcp",
        "msrp://b.example.com:8888/second;tcp",
        &["*"],
        1 << 20,
    ));
    let prefs = ReportPrefs::default();
    let (big_h, big) =
        p.a.send(p.now, "text/plain", Bytes::from(vec![b'x'; 10_000]), prefs);
    // A chunk, and the head of the next one.
    p.deliver_a_until(|t| t.ends == 1 && t.heads == 2);
    assert_eq!(
        p.a.conn.progress(big_h).unwrap().sent,
        1000,
        "no body of the second"
    );
    assert_eq!(p.a.conn.close_session(p.now, p.a.session), Ok(1));
    assert_eq!(
        p.a.conn.close_session(p.now, p.a.session),
        Err(SendError::UnknownSession)
    );
    assert_eq!(
        p.a.conn
            .send(p.now, p.a.session, "text/plain", Bytes::new(), prefs),
        Err(SendError::UnknownSession)
    );
    // The chunk being written ends with `#`; B drops what it had.
    p.run();
    assert_eq!(
        p.a.events,
        [
            Event::SendFailed {
                session: p.a.session,
                message: big_h,
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
    assert_eq!(p.b.conn.close_session(p.now, p.b.session), Ok(0));
    assert_eq!(p.b.conn.open_sessions(), 0);
    let mut a2 = Connection::new(ConnectionConfig::default(), TestRng::new(5), Instant::ZERO);
    let s2 = a2.add_session(session(A, B, &["*"], 1 << 20));
    let h = a2
        .send(p.now, s2, "text/plain", Bytes::from_static(b"hi"), prefs)
        .unwrap();
    let id = id_of(&a2, h);
    p.a.conn = a2;
    p.a.events.clear();
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: s2,
            message: h,
            message_id: id,
            reason: FailReason::Response(481)
        }]
    );
}

#[test]
fn the_gathering_budget_streams_what_does_not_fit() {
    let config = ConnectionConfig::default()
        .chunk_policy(ChunkPolicy::Fixed(1000))
        .max_gathered_message(8000)
        .max_gathered_bytes(10_000);
    let mut p = Pair::new(&["*"], 1 << 20, config);
    let prefs = ReportPrefs::default();
    for i in 0..3u8 {
        p.a.send(p.now, "text/plain", Bytes::from(vec![i; 6000]), prefs);
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
    p.a.send(p.now, "text/plain", Bytes::from(vec![9; 9000]), prefs);
    p.a.send(p.now, "text/plain", Bytes::from(vec![8; 7000]), prefs);
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
    let h = p.a.conn.send_keepalive(p.now, lost).unwrap();
    let id = id_of(&p.a.conn, h);
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: lost,
            message: h,
            message_id: id,
            reason: FailReason::Response(481)
        }]
    );
    // And one that is never answered times out.
    p.drop_a = true;
    let h = p.a.conn.send_keepalive(p.now, p.a.session).unwrap();
    let id = id_of(&p.a.conn, h);
    p.a.events.clear();
    p.run();
    p.now = p.now + Duration::from_secs(31);
    p.a.conn.handle_timeout(p.now);
    p.run();
    assert_eq!(
        p.a.events,
        [Event::SendFailed {
            session: p.a.session,
            message: h,
            message_id: id,
            reason: FailReason::Timeout
        }]
    );
}
