//! Behaviour 4: chunk sizes (RFC 4975 section 7.1.1): no chunk body over 2048 octets
//! unless it is interruptible (range-end `*`), whatever the policy; small streamed writes
//! are gathered.

use bytes::Bytes;
use core::time::Duration;
use msrp_proto::chunking::{ChunkPolicy, ReportPrefs};
use msrp_proto::connection::{ConnectionConfig, Framing};
use msrp_proto::testing::Pair;

use crate::util::chunks;

fn check_sizes(config: ConnectionConfig, what: &str) -> usize {
    let mut p = Pair::new(config);
    p.a.record();
    let now = p.now;
    let s = p.a.session;
    for len in [1, 2048, 2049, 5000, 70_000, 1 << 20] {
        p.a.conn
            .send(
                now,
                s,
                "text/plain",
                Bytes::from(vec![b'a'; len]),
                ReportPrefs::default(),
            )
            .unwrap();
    }
    // And B talks back, so that A's chunks get interrupted by responses.
    p.b.send(now, "text/plain", "hello").unwrap();
    p.run();
    assert_eq!(p.b.received().len() + complete(&p.b.events), 6, "{what}");
    let sent = chunks(p.a.wire.as_ref().unwrap());
    let mut n = 0;
    for c in sent.iter().filter(|c| c.method() == Some("SEND")) {
        n += 1;
        let r = c.range().unwrap();
        if c.body.len() > 2048 {
            assert_eq!(
                r.end,
                None,
                "{what}: a {}-byte chunk must declare `*`",
                c.body.len()
            );
        }
        if let Some(end) = r.end {
            assert_eq!(
                end + 1 - r.start,
                c.body.len() as u64,
                "{what}: exact range"
            );
        }
    }
    n
}

fn complete(events: &[msrp_proto::connection::Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, msrp_proto::connection::Event::MessageComplete { .. }))
        .count()
}

#[test]
fn every_policy_keeps_large_chunks_interruptible() {
    let base = ConnectionConfig::default().max_gathered_message(1 << 21);
    check_sizes(base, "as few as possible");
    assert!(check_sizes(base.chunk_policy(ChunkPolicy::Fixed(700)), "fixed 700") > 1500);
    check_sizes(base.chunk_policy(ChunkPolicy::Fixed(5000)), "fixed 5000");
    check_sizes(
        base.framing(Framing::WebSocket { max_chunk: 4096 }),
        "websocket 4096",
    );
    check_sizes(base.max_transmit(1000), "small transmits");
}

#[test]
fn small_streamed_writes_are_gathered() {
    let mut p = Pair::new(ConnectionConfig::default());
    p.a.record();
    let h = p.a.send_stream(p.now, "text/plain", None).unwrap();
    // 2000 writes of 10 bytes, one every 50 microseconds, polled after each (as a driver
    // does): 20 KB in 100 ms.
    for i in 0..2000u32 {
        p.a.conn
            .write(p.now, h, Bytes::from(format!("{:09}\n", i)))
            .unwrap();
        p.advance(Duration::from_micros(50));
    }
    p.a.conn.finish(p.now, h).unwrap();
    p.run_for(Duration::from_secs(1));
    let sends: Vec<usize> = chunks(p.a.wire.as_ref().unwrap())
        .iter()
        .filter(|c| c.method() == Some("SEND"))
        .map(|c| c.body.len())
        .collect();
    assert_eq!(sends.iter().sum::<usize>(), 20_000);
    assert!(sends.len() <= 12, "{sends:?}");
    // Every chunk but the last waited for 2048 bytes or for the gathering delay (10 ms:
    // 2000 bytes at this rate).
    for len in &sends[..sends.len() - 1] {
        assert!(*len >= 1900, "{sends:?}");
    }
    let mut body = Vec::new();
    for e in &p.b.events {
        if let msrp_proto::connection::Event::MessageData { offset, data, .. } = e {
            assert_eq!(*offset, body.len() as u64);
            body.extend_from_slice(data);
        }
    }
    assert_eq!(body.len(), 20_000);
    assert!(body.starts_with(b"000000000\n000000001\n"));
}

#[test]
fn a_trickle_is_not_held_past_the_gathering_delay() {
    let mut p = Pair::new(ConnectionConfig::default());
    let h = p.a.send_stream(p.now, "text/plain", None).unwrap();
    p.a.conn
        .write(p.now, h, Bytes::from_static(b"typing..."))
        .unwrap();
    p.run();
    assert!(p.b.events.is_empty(), "held to be gathered");
    assert_eq!(
        p.a.conn.poll_timeout(),
        Some(p.now + msrp_proto::connection::DEFAULT_STREAM_GATHER_DELAY)
    );
    p.run_for(Duration::from_millis(10));
    assert!(
        p.b.events.iter().any(|e| matches!(e, msrp_proto::connection::Event::MessageData { data, .. } if &data[..] == b"typing...")),
        "{:?}",
        p.b.events
    );
}

#[test]
fn a_chunk_goes_on_with_the_writes_that_follow() {
    // 64 KiB writes queued ahead of the transmits (as `msrp-tokio`'s streamed send does):
    // the first chunk carries them all and ends with `$`, instead of one chunk a write.
    let mut p = Pair::new(ConnectionConfig::default());
    p.a.record();
    let h =
        p.a.send_stream(p.now, "application/octet-stream", Some(16 << 16))
            .unwrap();
    let piece: Vec<u8> = (0..1u32 << 16).map(|i| (i % 251) as u8).collect();
    for _ in 0..16 {
        p.a.conn
            .write(p.now, h, Bytes::from(piece.clone()))
            .unwrap();
    }
    p.a.conn.finish(p.now, h).unwrap();
    p.run_for(Duration::from_secs(1));
    let sends: Vec<_> = chunks(p.a.wire.as_ref().unwrap())
        .into_iter()
        .filter(|c| c.method() == Some("SEND"))
        .collect();
    assert_eq!(sends.len(), 1, "one chunk");
    assert_eq!(sends[0].body.len(), 16 << 16);
    // 1 MiB: gathered whole at Bob (`max_gathered_message`).
    let got = p.b.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].1 == piece.repeat(16), "the bytes arrived intact");
}
