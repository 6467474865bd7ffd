//! Two endpoint `Connection`s joined by a pipe that the fuzzer cuts anywhere: the link
//! layer end to end (chunking, one write buffer per transmit, the incremental parser on
//! the other side, responses and REPORTs back, reassembly). Messages of any size are
//! sent both ways with any report settings, bytes move a few at a time in either
//! direction, the clock moves (never past the 30 s transaction timeout). At the end the
//! pipe is drained: every message either side sent arrives at the other, byte for byte,
//! once; none is lost and none is made up.
#![no_main]

use core::time::Duration;
use std::collections::VecDeque;

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use msrp_proto::Instant;
use msrp_proto::chunking::{ChunkPolicy, ReportPrefs};
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig, SessionId};
use msrp_proto::wire::RandomSource;

struct Counter(u8);

impl RandomSource for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_add(37);
            *b = self.0;
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Op {
    /// A message from A (or B) of this many bytes, with a success REPORT or not.
    Send {
        from_a: bool,
        len: u16,
        success: bool,
    },
    /// Up to this many bytes move from A to B (or B to A).
    Move { a_to_b: bool, max: u16 },
    /// The clock moves this many hundredths of a second.
    Advance(u8),
}

struct Side {
    conn: Connection<Counter>,
    session: SessionId,
    /// Bytes it wrote that the other side has not read yet.
    pipe: VecDeque<u8>,
    /// Bodies it sent, not failed.
    sent: Vec<Bytes>,
    /// Bodies it received.
    received: Vec<Bytes>,
    /// Streamed messages being received, by Message-ID.
    streams: Vec<(String, BytesMut)>,
}

fn side(seed: u8, local: &str, peer: &str, chunk: u16) -> Side {
    let policy = if chunk == 0 {
        ChunkPolicy::AsFewAsPossible
    } else {
        ChunkPolicy::Fixed(u64::from(chunk.max(16)))
    };
    // Messages over 2 KiB are streamed to the receiver (MessageStarted, Data, Complete).
    let config = ConnectionConfig::default()
        .max_queued_bytes(1 << 22)
        .max_gathered_message(2048)
        .chunk_policy(policy);
    let mut conn = Connection::new(config, Counter(seed), Instant::ZERO);
    let session = conn.add_session(SessionConfig::new(
        local.parse().expect("a valid URI"),
        peer.parse().expect("a valid path"),
    ));
    Side {
        conn,
        session,
        pipe: VecDeque::new(),
        sent: Vec::new(),
        received: Vec::new(),
        streams: Vec::new(),
    }
}

/// What `s` wrote, into its pipe.
fn write(s: &mut Side, now: Instant) {
    let mut buf = BytesMut::new();
    while s.conn.poll_transmit(now, &mut buf).is_some() {
        s.pipe.extend(buf.split().iter().copied());
    }
}

/// `to` reads up to `max` bytes of `from`'s pipe; both handle their events.
fn deliver(from: &mut Side, to: &mut Side, max: usize, now: Instant) {
    write(from, now);
    let n = from.pipe.len().min(max);
    if n > 0 {
        let piece: Vec<u8> = from.pipe.drain(..n).collect();
        to.conn.handle_input(now, &piece);
    }
}

fn events(s: &mut Side, handles: &mut Vec<(msrp_proto::connection::MessageHandle, Bytes)>) {
    while let Some(e) = s.conn.poll_event() {
        match e {
            Event::MessageReceived { body, .. } => s.received.push(body),
            Event::MessageStarted { message_id, .. } => {
                s.streams.push((message_id, BytesMut::new()))
            }
            Event::MessageData {
                message_id,
                offset,
                data,
                ..
            } => {
                let st = s
                    .streams
                    .iter_mut()
                    .find(|(id, _)| *id == message_id)
                    .expect("data of a message that started");
                assert_eq!(offset, st.1.len() as u64, "data in order, without gaps");
                st.1.extend_from_slice(&data);
            }
            Event::MessageComplete {
                message_id, total, ..
            } => {
                let i = s
                    .streams
                    .iter()
                    .position(|(id, _)| *id == message_id)
                    .expect("a message that started");
                let (_, body) = s.streams.remove(i);
                assert_eq!(body.len() as u64, total);
                s.received.push(body.freeze());
            }
            Event::SendFailed { message, .. } => {
                // Not a loss: the sender was told. It is not expected at the other end.
                if let Some(i) = handles.iter().position(|(h, _)| *h == message) {
                    let (_, body) = handles.remove(i);
                    if let Some(j) = s.sent.iter().position(|b| *b == body) {
                        s.sent.remove(j);
                    }
                }
            }
            Event::MessageAborted { .. }
            | Event::MessageRefused { .. }
            | Event::DuplicateReceived { .. } => {
                panic!(
                    "a message between two of our endpoints was aborted, refused or duplicated: {e:?}"
                )
            }
            _ => {}
        }
    }
}

fuzz_target!(|input: (u16, Vec<Op>)| {
    let (chunk, ops) = input;
    let mut a = side(
        1,
        "msrp://a.example.com:1/sa;tcp",
        "msrp://b.example.com:2/sb;tcp",
        chunk,
    );
    let mut b = side(
        2,
        "msrp://b.example.com:2/sb;tcp",
        "msrp://a.example.com:1/sa;tcp",
        chunk,
    );
    let (mut ha, mut hb) = (Vec::new(), Vec::new());
    let mut now = Instant::ZERO;
    let mut elapsed = Duration::ZERO;
    let mut serial: u32 = 0;
    for op in ops.into_iter().take(512) {
        match op {
            Op::Send {
                from_a,
                len,
                success,
            } => {
                serial += 1;
                // Bodies differ from one another, so none can pass for another.
                let body: Bytes = (0..usize::from(len) + 4)
                    .map(|i| {
                        if i < 4 {
                            serial.to_be_bytes()[i]
                        } else {
                            (i as u8) ^ (serial as u8)
                        }
                    })
                    .collect::<Vec<u8>>()
                    .into();
                let (s, handles) = if from_a {
                    (&mut a, &mut ha)
                } else {
                    (&mut b, &mut hb)
                };
                let prefs = ReportPrefs {
                    success: Some(success),
                    ..ReportPrefs::default()
                };
                if let Ok(h) = s
                    .conn
                    .send(now, s.session, "text/plain", body.clone(), prefs)
                {
                    s.sent.push(body.clone());
                    handles.push((h, body));
                }
            }
            Op::Move { a_to_b, max } => {
                if a_to_b {
                    deliver(&mut a, &mut b, usize::from(max), now);
                } else {
                    deliver(&mut b, &mut a, usize::from(max), now);
                }
            }
            Op::Advance(t) => {
                let d = Duration::from_millis(u64::from(t) * 10);
                if elapsed + d < Duration::from_secs(25) {
                    elapsed += d;
                    now = now + d;
                    a.conn.handle_timeout(now);
                    b.conn.handle_timeout(now);
                }
            }
        }
        events(&mut a, &mut ha);
        events(&mut b, &mut hb);
    }
    // Drain: everything moves until nothing does.
    for _ in 0..100_000 {
        deliver(&mut a, &mut b, usize::MAX, now);
        deliver(&mut b, &mut a, usize::MAX, now);
        events(&mut a, &mut ha);
        events(&mut b, &mut hb);
        write(&mut a, now);
        write(&mut b, now);
        if a.pipe.is_empty() && b.pipe.is_empty() {
            break;
        }
    }
    let sorted = |v: &[Bytes]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    assert_eq!(sorted(&a.sent), sorted(&b.received), "A's messages at B");
    assert_eq!(sorted(&b.sent), sorted(&a.received), "B's messages at A");
});
