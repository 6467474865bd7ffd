//! A relay simulated between the two peers (the topology of RFC 4976 section 3): it
//! answers every chunk hop by hop, cuts message bodies into chunks at other boundaries,
//! delivers them in another order with some duplicated, and forwards REPORTs back. The
//! receiver must put every message together from whatever arrives (RFC 4975 section
//! 7.3.1), and the sender must hear that each was delivered.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};
use proptest::prelude::*;

use super::{A, B, Peer, id_of, session};
use crate::chunking::ReportPrefs;
use crate::connection::{Connection, ConnectionConfig, Event};
use crate::testing::TestRng;
use crate::time::Instant;
use crate::wire::{Chunk, ChunkHead, ChunkReader, Continuation, TransactionId};
use crate::{Limits, Mode};
use msrp_uri::{Path, Uri};

const R: &str = "msrp://relay.example.net:9000/r1;tcp";

struct Relay {
    uri: Uri,
    /// Chunks from A, from B.
    from_a: ChunkReader,
    from_b: ChunkReader,
    seed: u64,
    next_tid: u32,
    /// Largest body piece when re-chunking.
    max_piece: usize,
}

impl Relay {
    fn new(seed: u64, max_piece: usize) -> Relay {
        let limits = Limits {
            max_gathered_body: 64 << 20,
            ..Limits::DEFAULT
        };
        Relay {
            uri: R.parse().unwrap(),
            from_a: ChunkReader::new(limits, Mode::Strict),
            from_b: ChunkReader::new(limits, Mode::Strict),
            seed: seed | 1,
            next_tid: 0,
            max_piece: max_piece.max(1),
        }
    }

    fn random(&mut self, below: usize) -> usize {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        (self.seed % below.max(1) as u64) as usize
    }

    fn tid(&mut self) -> TransactionId {
        self.next_tid += 1;
        TransactionId::new(format!("relay{:08}", self.next_tid).as_bytes()).unwrap()
    }

    /// The next hop's paths (RFC 4976 section 6.4 hop by hop: this relay leaves To-Path
    /// and joins From-Path).
    fn paths(&self, head: &ChunkHead) -> (Path, Path) {
        let mut to = head.to_path().unwrap();
        assert!(to.first().unwrap().matches(&self.uri), "sent to the relay");
        to.pop_front();
        let mut from = head.from_path().unwrap();
        from.push_front(self.uri.clone());
        (to, from)
    }

    /// Takes bytes from one side; returns the answers for that side and the chunks for
    /// the other, in the order the relay sends them.
    fn take(&mut self, from_a: bool, bytes: &[u8]) -> (Vec<Bytes>, Vec<Chunk>) {
        let reader = if from_a {
            &mut self.from_a
        } else {
            &mut self.from_b
        };
        reader.feed(bytes);
        let mut got = Vec::new();
        while let Some(c) = reader.next() {
            got.push(c.unwrap());
        }
        let (mut answers, mut forward) = (Vec::new(), Vec::new());
        for c in got {
            let head = c.head;
            if !head.is_request() {
                continue; // answers to the relay's own chunks
            }
            if crate::report::response_wanted(&head, 200) {
                let ok = Chunk::response_to(&head, self.uri.clone(), 200, Some("OK")).unwrap();
                answers.push(encode(&ok));
            }
            let (to, from) = self.paths(&head);
            if head.method_name() == Some("REPORT") {
                let mut r = Chunk::request("REPORT", self.tid(), to, from)
                    .message_id(head.message_id().unwrap());
                for h in head.headers().skip(2) {
                    if h.name != "Message-ID" {
                        r = r.header(h.name, h.value_str().unwrap());
                    }
                }
                forward.push(r);
                continue;
            }
            let body = c.body.unwrap_or_default();
            forward.extend(self.rechunk(&head, to, from, body, c.end.continuation));
        }
        (answers, forward)
    }

    /// One SEND cut into pieces of random sizes, the last keeping the original flag.
    fn rechunk(
        &mut self,
        head: &ChunkHead,
        to: Path,
        from: Path,
        body: Bytes,
        flag: Continuation,
    ) -> Vec<Chunk> {
        let range = head.byte_range().unwrap();
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let n = 1 + self.random(self.max_piece);
            let piece = body.slice(at..(at + n).min(body.len()));
            let last = at + piece.len() == body.len();
            let start = range.start + at as u64;
            let end = start + piece.len() as u64 - 1;
            let mut c = Chunk::send(self.tid(), to.clone(), from.clone())
                .message_id(head.message_id().unwrap())
                .byte_range(start, Some(end), range.total);
            for name in ["Success-Report", "Failure-Report"] {
                if let Some(v) = head.header(name).and_then(|h| h.value_str()) {
                    c = c.header(name, v);
                }
            }
            let c = c
                .body(head.content_type().unwrap(), piece.clone())
                .continuation(if last { flag } else { Continuation::More });
            assert!(!c.end_line_collides());
            out.push(c);
            at += piece.len();
            if last {
                return out;
            }
        }
    }

    /// Shuffles chunks within windows of 128 (so that a message has fewer holes than
    /// the receiver's default `max_range_bytes`, 64 KiB or 4096 ranges, allows: a relay
    /// reorders locally) and repeats about one in eight.
    fn scramble(&mut self, mut chunks: Vec<Chunk>) -> Vec<Chunk> {
        for window in chunks.chunks_mut(128) {
            for i in (1..window.len()).rev() {
                let j = self.random(i + 1);
                window.swap(i, j);
            }
        }
        let mut out = Vec::new();
        for c in chunks {
            if self.random(8) == 0 {
                out.push(c.clone());
            }
            out.push(c);
        }
        out
    }
}

fn encode(c: &Chunk) -> Bytes {
    let mut out = BytesMut::new();
    c.encode(&mut out).unwrap();
    out.freeze()
}

/// A and B talking through the relay; `reorder`: scramble what the relay forwards to B.
fn run(a: &mut Peer, b: &mut Peer, relay: &mut Relay, reorder: bool) {
    let now = Instant::ZERO;
    loop {
        let mut progress = false;
        let out_a = drain(&mut a.conn, &mut a.events);
        let (to_a, mut to_b) = relay.take(true, &out_a);
        if reorder {
            to_b = relay.scramble(to_b);
        }
        for t in &to_a {
            a.conn.handle_input(now, t);
        }
        for c in &to_b {
            b.conn.handle_input(now, &encode(c));
        }
        progress |= !out_a.is_empty();
        let out_b = drain(&mut b.conn, &mut b.events);
        let (to_b, to_a) = relay.take(false, &out_b);
        for t in &to_b {
            b.conn.handle_input(now, t);
        }
        for c in &to_a {
            a.conn.handle_input(now, &encode(c));
        }
        progress |= !out_b.is_empty();
        if !progress {
            return;
        }
    }
}

/// Everything `conn` writes now; its events go to `events`.
fn drain(conn: &mut Connection<TestRng>, events: &mut Vec<Event>) -> BytesMut {
    let mut out = BytesMut::new();
    while conn.poll_transmit(Instant::ZERO, &mut out).is_some() {}
    events.extend(core::iter::from_fn(|| conn.poll_event()));
    out
}

fn peers(config: ConnectionConfig) -> (Peer, Peer) {
    let via = |peer: &str| {
        let mut c = session(if peer == B { A } else { B }, peer, &["*"], 1 << 30);
        c.to_path.push_front(R.parse().unwrap());
        c
    };
    let mut a = Connection::new(config, TestRng::new(0x1234_5678), Instant::ZERO);
    let mut b = Connection::new(config, TestRng::new(0x8765_4321), Instant::ZERO);
    let sa = a.add_session(via(B));
    let sb = b.add_session(via(A));
    (
        Peer {
            conn: a,
            session: sa,
            events: vec![],
        },
        Peer {
            conn: b,
            session: sb,
            events: vec![],
        },
    )
}

/// What B received, by Message-ID, from whole or streamed messages. A streamed message
/// is started once, with its declared size, before anything else of it; a gathered one
/// never.
fn received(events: &[Event]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut got: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut complete = BTreeMap::new();
    let mut started = BTreeMap::new();
    let check_started = |started: &BTreeMap<String, Option<u64>>, id: &String| {
        if started.contains_key(id) {
            Ok(())
        } else {
            Err(format!("{id}: streamed, never started"))
        }
    };
    for e in events {
        match e {
            Event::MessageStarted {
                message_id, total, ..
            } => {
                if got.contains_key(message_id) || complete.contains_key(message_id) {
                    return Err(format!("{message_id}: started late"));
                }
                if started.insert(message_id.clone(), *total).is_some() {
                    return Err(format!("{message_id}: started twice"));
                }
            }
            Event::MessageReceived {
                message_id, body, ..
            } => {
                if started.contains_key(message_id) {
                    return Err(format!("{message_id}: gathered, yet started"));
                }
                got.insert(message_id.clone(), body.to_vec());
                complete.insert(message_id.clone(), body.len() as u64);
            }
            Event::MessageData {
                message_id,
                offset,
                data,
                ..
            } => {
                check_started(&started, message_id)?;
                let buf = got.entry(message_id.clone()).or_default();
                let end = *offset as usize + data.len();
                if buf.len() < end {
                    buf.resize(end, 0);
                }
                buf[*offset as usize..end].copy_from_slice(data);
            }
            Event::MessageComplete {
                message_id, total, ..
            } => {
                check_started(&started, message_id)?;
                complete.insert(message_id.clone(), *total);
            }
            // A chunk sent twice that comes after its message ended.
            Event::DuplicateReceived { message_id, .. } if complete.contains_key(message_id) => {}
            other => return Err(format!("unexpected event at B: {other:?}")),
        }
    }
    for (id, total) in &started {
        // Every chunk the relay forwards keeps the sender's Byte-Range total.
        if total.is_none() || *total != complete.get(id).copied() {
            return Err(format!(
                "{id}: started with total {total:?}, complete {:?}",
                complete.get(id)
            ));
        }
    }
    for (id, data) in &got {
        if complete.get(id) != Some(&(data.len() as u64)) {
            return Err(format!(
                "{id}: {} bytes, complete {:?}",
                data.len(),
                complete.get(id)
            ));
        }
    }
    Ok(got)
}

fn exchange(
    sizes: &[usize],
    seed: u64,
    max_piece: usize,
    config: ConnectionConfig,
) -> Result<(), TestCaseError> {
    let (mut a, mut b) = peers(config);
    let mut relay = Relay::new(seed, max_piece);
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let mut sent = BTreeMap::new();
    for (i, size) in sizes.iter().enumerate() {
        let body: Bytes = (0..*size)
            .map(|j| (j * 13 + i) as u8)
            .collect::<Vec<u8>>()
            .into();
        let h = a
            .conn
            .send(
                Instant::ZERO,
                a.session,
                "application/octet-stream",
                body.clone(),
                reports,
            )
            .unwrap();
        sent.insert(id_of(&a.conn, h), body.to_vec());
    }
    run(&mut a, &mut b, &mut relay, true);
    let got = received(&b.events).map_err(TestCaseError::fail)?;
    prop_assert_eq!(got.len(), sent.len());
    for (id, body) in &sent {
        prop_assert!(got.get(id) == Some(body), "message {} differs", id);
    }
    let delivered = a
        .events
        .iter()
        .filter(|e| matches!(e, Event::MessageDelivered { .. }))
        .count();
    prop_assert_eq!(delivered, sent.len(), "{:?}", a.events);
    // Success REPORTs were asked for: delivered, never merely accepted.
    prop_assert!(
        !a.events
            .iter()
            .any(|e| matches!(e, Event::MessageAccepted { .. })),
        "{:?}",
        a.events
    );
    Ok(())
}

#[test]
fn a_relay_rechunks_and_reorders_and_every_message_arrives() {
    let config = ConnectionConfig::default().max_gathered_message(4096);
    // Small messages gathered, a large one streamed, an empty one.
    exchange(&[10, 3000, 200_000, 0, 5000], 42, 700, config).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any messages, any chunking on either side of the relay, any order of arrival, some
    /// chunks twice: the receiver gets exactly the bytes sent, and the sender hears each
    /// message was delivered.
    #[test]
    fn any_rechunking_and_reordering(
        sizes in proptest::collection::vec(0usize..20_000, 1..4),
        seed in any::<u64>(),
        max_piece in 1usize..6000,
        fixed in proptest::option::of(1u64..5000),
        gather_limit in 0u64..30_000,
    ) {
        let policy = fixed.map_or(crate::chunking::ChunkPolicy::AsFewAsPossible, crate::chunking::ChunkPolicy::Fixed);
        let config = ConnectionConfig::default()
            .chunk_policy(policy)
            .max_gathered_message(gather_limit);
        exchange(&sizes, seed, max_piece, config)?;
    }
}
