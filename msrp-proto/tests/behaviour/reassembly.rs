//! Behaviour 9: bounded, not brittle, reassembly (RFC 4975 section 7.3.1). Many tiny
//! chunks in any order make a message; the limit that protects memory counts bytes.

use bytes::Bytes;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{ConnectionConfig, Event};
use msrp_proto::testing::{A_URI, B_URI, Middlebox, Pair, TestRng, session};
use msrp_proto::wire::Continuation::{Complete, More};

use crate::util::{chunks, drain, events, send_chunk};

const N: u64 = 10_000;

fn shuffled(seed: u64) -> Vec<u64> {
    let mut order: Vec<u64> = (0..N).collect();
    let mut rng = TestRng::new(seed);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    order
}

fn body_byte(i: u64) -> u8 {
    (i * 7 % 251) as u8
}

fn one_byte_chunks(p: &mut Pair, total: Option<u64>, seed: u64) -> Vec<u16> {
    let mut codes = Vec::new();
    for (n, i) in shuffled(seed).into_iter().enumerate() {
        let flag = if i == N - 1 { Complete } else { More };
        let tid = format!("t{n:07}");
        let c = send_chunk(
            &tid,
            "tiny1",
            (i + 1, Some(i + 1), total),
            &[body_byte(i)],
            flag,
            &[],
        );
        p.b.conn.handle_input(p.now, &c);
        codes.extend(
            chunks(&drain(&mut p.b.conn, p.now))
                .iter()
                .filter_map(|c| c.status()),
        );
    }
    codes
}

#[test]
fn ten_thousand_one_byte_chunks_in_random_order_make_the_message() {
    let mut p = Pair::new(ConnectionConfig::default());
    let codes = one_byte_chunks(&mut p, Some(N), 11);
    assert!(codes.iter().all(|c| *c == 200) && codes.len() == N as usize);
    let ev = events(&mut p.b.conn);
    let [Event::MessageReceived { body, .. }] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    let expected: Vec<u8> = (0..N).map(body_byte).collect();
    assert_eq!(&body[..], &expected[..]);
}

#[test]
fn streamed_the_same_way_every_byte_is_handed_out_once() {
    // No total declared: streamed, with data events as bytes arrive.
    let mut p = Pair::new(ConnectionConfig::default());
    let codes = one_byte_chunks(&mut p, None, 12);
    assert!(codes.iter().all(|c| *c == 200));
    let mut got = vec![None; N as usize];
    let mut complete = false;
    let mut started = 0;
    for e in events(&mut p.b.conn) {
        match e {
            Event::MessageStarted { total: None, .. } => started += 1,
            Event::MessageData { offset, data, .. } => {
                for (k, b) in data.iter().enumerate() {
                    let slot = &mut got[offset as usize + k];
                    assert!(slot.is_none(), "byte {} twice", offset as usize + k);
                    *slot = Some(*b);
                }
            }
            Event::MessageComplete { total, .. } => {
                assert_eq!(total, N);
                complete = true;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(complete);
    assert_eq!(started, 1);
    assert!(
        got.iter()
            .enumerate()
            .all(|(i, b)| *b == Some(body_byte(i as u64)))
    );
}

#[test]
fn the_limit_is_on_bytes_of_bookkeeping() {
    // 1 KiB of range bookkeeping (64 separate ranges): every other byte of a message
    // leaves gaps; past the budget the message is refused with 413, never before.
    let b = ConnectionConfig::default().max_range_bytes(1024);
    let mut p = Pair::with_sessions(
        ConnectionConfig::default(),
        session(A_URI, B_URI),
        b,
        session(B_URI, A_URI),
    );
    let mut codes = Vec::new();
    for k in 0..100u64 {
        let i = 2 * k;
        let c = send_chunk(
            &format!("t{k:07}"),
            "gappy",
            (i + 1, Some(i + 1), Some(1000)),
            b"g",
            More,
            &[],
        );
        p.b.conn.handle_input(p.now, &c);
        codes.extend(
            chunks(&drain(&mut p.b.conn, p.now))
                .iter()
                .filter_map(|c| c.status()),
        );
    }
    let first_refusal = codes.iter().position(|c| *c == 413).unwrap();
    assert_eq!(first_refusal, 64, "{codes:?}");
    assert!(codes[64..].iter().all(|c| *c == 413));
}

#[test]
fn through_a_relay_like_middlebox_every_message_arrives() {
    // Re-segmented, reordered, duplicated and delayed on the way; small chunks.
    let config =
        ConnectionConfig::default().chunk_policy(msrp_proto::chunking::ChunkPolicy::Fixed(97));
    let mut p = Pair::new(config);
    p.a_to_b = Middlebox::new(21)
        .max_piece(50)
        .reorder()
        .duplicate(5)
        .delay(core::time::Duration::from_millis(30));
    p.b_to_a = Middlebox::new(22).max_piece(7).reorder();
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let bodies: Vec<Bytes> = (0..20u8)
        .map(|i| Bytes::from(vec![b'a' + i; 100 + usize::from(i) * 331]))
        .collect();
    for b in &bodies {
        p.a.conn
            .send(p.now, p.a.session, "text/plain", b.clone(), reports)
            .unwrap();
    }
    p.run_for(core::time::Duration::from_secs(5));
    let mut got: Vec<Bytes> = p.b.received().into_iter().map(|(_, b)| b).collect();
    got.sort_by_key(|b| b.len());
    assert_eq!(got, bodies);
    let delivered =
        p.a.events
            .iter()
            .filter(|e| matches!(e, Event::MessageDelivered { .. }))
            .count();
    assert_eq!(delivered, 20, "{:?}", p.a.events);
}
