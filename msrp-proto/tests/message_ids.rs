//! Message-IDs: a sender never gives two of its messages the same one, whatever its random
//! source does, and a receiver that gets a message again says so (RFC 4975 section 5.4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::{BTreeSet, VecDeque};

use bytes::{Bytes, BytesMut};
use msrp_proto::Instant;
use msrp_proto::chunking::{ChunkPolicy, ReportPrefs};
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig, SessionId};
use msrp_proto::wire::{RandomSource, TransactionId};

const A: &str = "msrp://a.example.com:1/sa;tcp";
const B: &str = "msrp://b.example.com:2/sb;tcp";

/// The `link` fuzz target's random source: a byte counter that repeats every 256 bytes,
/// so that it gives at most 256 different ids.
struct Counter(u8);

impl RandomSource for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_add(37);
            *b = self.0;
        }
    }
}

struct Side<R> {
    conn: Connection<R>,
    session: SessionId,
    pipe: VecDeque<u8>,
    received: Vec<Bytes>,
    streams: Vec<(String, BytesMut)>,
}

fn side<R: RandomSource>(rng: R, local: &str, peer: &str, config: ConnectionConfig) -> Side<R> {
    let mut conn = Connection::new(config, rng, Instant::ZERO);
    let session = conn.add_session(SessionConfig::new(
        local.parse().unwrap(),
        peer.parse().unwrap(),
    ));
    Side {
        conn,
        session,
        pipe: VecDeque::new(),
        received: Vec::new(),
        streams: Vec::new(),
    }
}

fn write<R: RandomSource>(s: &mut Side<R>, now: Instant) {
    let mut buf = BytesMut::new();
    while s.conn.poll_transmit(now, &mut buf).is_some() {
        s.pipe.extend(buf.split().iter().copied());
    }
}

fn deliver<R: RandomSource>(from: &mut Side<R>, to: &mut Side<R>, max: usize, now: Instant) {
    write(from, now);
    let n = from.pipe.len().min(max);
    if n > 0 {
        let piece: Vec<u8> = from.pipe.drain(..n).collect();
        to.conn.handle_input(now, &piece);
    }
}

/// Handles `s`'s events; returns the Message-IDs reported as duplicates.
fn events<R: RandomSource>(s: &mut Side<R>) -> Vec<String> {
    let mut duplicates = Vec::new();
    while let Some(e) = s.conn.poll_event() {
        match e {
            Event::MessageReceived { body, .. } => s.received.push(body),
            Event::MessageStarted { message_id, .. } => {
                s.streams.push((message_id, BytesMut::new()))
            }
            Event::MessageData {
                message_id, data, ..
            } => {
                let st = s.streams.iter_mut().find(|(id, _)| *id == message_id);
                st.expect("data of a started message")
                    .1
                    .extend_from_slice(&data);
            }
            Event::MessageComplete { message_id, .. } => {
                let i = s.streams.iter().position(|(id, _)| *id == message_id);
                let (_, body) = s.streams.remove(i.expect("a started message"));
                s.received.push(body.freeze());
            }
            Event::DuplicateReceived { message_id, .. } => duplicates.push(message_id),
            Event::SendFailed { .. } | Event::MessageAborted { .. } => panic!("{e:?}"),
            _ => {}
        }
    }
    duplicates
}

fn body(serial: u8, len: usize) -> Bytes {
    (0..len)
        .map(|i| (i as u8) ^ serial)
        .collect::<Vec<u8>>()
        .into()
}

/// The `link` fuzz target's connection settings, with chunks of `chunk` bytes.
fn link_config(chunk: u64) -> ConnectionConfig {
    ConnectionConfig::default()
        .max_queued_bytes(1 << 22)
        .max_gathered_message(2048)
        .chunk_policy(ChunkPolicy::Fixed(chunk))
}

/// Asks for a success REPORT or not.
fn success(yes: bool) -> ReportPrefs {
    ReportPrefs {
        success: Some(yes),
        ..ReportPrefs::default()
    }
}

/// Moves everything both ways until nothing moves; then A must have received exactly
/// `sent` (in any order), none of it reported as a duplicate.
fn drain_and_check<R: RandomSource>(
    a: &mut Side<R>,
    b: &mut Side<R>,
    now: Instant,
    sent: &[Bytes],
) {
    let mut duplicates = Vec::new();
    for _ in 0..1000 {
        deliver(a, b, usize::MAX, now);
        deliver(b, a, usize::MAX, now);
        duplicates.extend(events(a));
        events(b);
        write(a, now);
        write(b, now);
        if a.pipe.is_empty() && b.pipe.is_empty() {
            break;
        }
    }
    assert!(duplicates.is_empty(), "{duplicates:?}");
    let mut got = a.received.clone();
    got.sort();
    let mut want = sent.to_vec();
    want.sort();
    assert_eq!(got, want);
}

/// Found by the `link` fuzz target: B streams a 64 KiB message in 551-byte chunks, and
/// sends a 4-byte one while the first is still going. B's random source repeats itself,
/// and the second message used to get the first one's Message-ID: A took its chunk for a
/// duplicate of the first message, acknowledged it, and never delivered it.
#[test]
fn a_message_sent_while_another_is_in_flight_gets_its_own_id() {
    let now = Instant::ZERO;
    let mut a = side(Counter(1), A, B, link_config(551));
    let mut b = side(Counter(2), B, A, link_config(551));
    let (first, second) = (body(1, 65027), body(2, 4));
    let h1 = b
        .conn
        .send(now, b.session, "text/plain", first.clone(), success(true));
    deliver(&mut b, &mut a, 28015, now);
    let h2 = b
        .conn
        .send(now, b.session, "text/plain", second.clone(), success(false));
    let (id1, id2) = (
        b.conn.message_id(h1.unwrap()).unwrap().to_owned(),
        b.conn.message_id(h2.unwrap()).unwrap().to_owned(),
    );
    assert_ne!(id1, id2);
    drain_and_check(&mut a, &mut b, now, &[first, second]);
}

/// Found by the `link` fuzz target too: with the same repeating source, a message sent
/// after two others had ended got the id of one of them, which the receiver still
/// remembered, and was taken for a duplicate.
#[test]
fn a_message_sent_after_others_ended_gets_an_id_of_its_own() {
    let mut now = Instant::ZERO;
    let mut a = side(Counter(1), A, B, link_config(39));
    let mut b = side(Counter(2), B, A, link_config(39));
    let bodies = [body(1, 4), body(2, 161), body(3, 4)];
    b.conn
        .send(
            now,
            b.session,
            "text/plain",
            bodies[0].clone(),
            success(false),
        )
        .unwrap();
    b.conn
        .send(
            now,
            b.session,
            "text/plain",
            bodies[1].clone(),
            success(true),
        )
        .unwrap();
    deliver(&mut b, &mut a, 7535, now);
    now = now + std::time::Duration::from_millis(2550);
    a.conn.handle_timeout(now);
    b.conn.handle_timeout(now);
    deliver(&mut a, &mut b, 32100, now);
    assert!(events(&mut a).is_empty());
    events(&mut b);
    b.conn
        .send(
            now,
            b.session,
            "text/plain",
            bodies[2].clone(),
            success(false),
        )
        .unwrap();
    drain_and_check(&mut a, &mut b, now, &bodies);
}

/// A random source that gives the same bytes every time still yields distinct, valid
/// Message-IDs for every message in flight.
#[test]
fn a_constant_random_source_still_gives_distinct_valid_ids() {
    let now = Instant::ZERO;
    let mut s = side(
        |buf: &mut [u8]| buf.fill(7),
        A,
        B,
        ConnectionConfig::default(),
    );
    let mut ids = BTreeSet::new();
    for i in 0..50u8 {
        let h = s.conn.send(
            now,
            s.session,
            "text/plain",
            body(i, 10),
            ReportPrefs::default(),
        );
        let id = s.conn.message_id(h.unwrap()).unwrap().to_owned();
        // Message-ID = ident: ALPHANUM 3*31ident-char (RFC 4975 section 9).
        assert!(
            TransactionId::new(id.as_bytes()).is_some_and(|t| t.is_strictly_valid()),
            "{id}"
        );
        assert!(ids.insert(id.clone()), "{id} given twice");
    }
}

/// A message received whole and then again (a sender resending after a lost connection,
/// RFC 4975 section 5.4) is acknowledged, not delivered again, and reported as a
/// duplicate.
#[test]
fn a_message_received_again_is_reported_as_a_duplicate() {
    let now = Instant::ZERO;
    let mut a = side(Counter(1), A, B, ConnectionConfig::default());
    let chunk = |tid: &str| {
        format!(
            "MSRP {tid} SEND\r\nTo-Path: {A}\r\nFrom-Path: {B}\r\nMessage-ID: m1234\r\n\
             Byte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------{tid}$\r\n"
        )
    };
    a.conn.handle_input(now, chunk("t0001").as_bytes());
    assert!(events(&mut a).is_empty());
    assert_eq!(a.received, vec![Bytes::from_static(b"hello")]);
    a.conn.handle_input(now, chunk("t0002").as_bytes());
    assert_eq!(events(&mut a), vec!["m1234".to_owned()]);
    assert_eq!(a.received.len(), 1, "not delivered twice");
    write(&mut a, now);
    let out = String::from_utf8(a.pipe.drain(..).collect()).unwrap();
    assert!(out.contains("MSRP t0001 200 OK\r\n"), "{out}");
    assert!(out.contains("MSRP t0002 200 OK\r\n"), "{out}");
}
