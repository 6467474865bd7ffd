//! Behaviour 1: timers run on the clock the driver passes (RFC 4975 section 7.1.1: 30
//! seconds from the last byte of the chunk).

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use msrp_proto::connection::{ConnectionConfig, Event, FailReason};
use msrp_proto::testing::{Middlebox, Pair};

use crate::util::{chunks, drain, events, only_accepted};

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn an_hour_idle_then_a_send_does_not_time_out() {
    let mut p = Pair::new(ConnectionConfig::default());
    p.advance(Duration::from_secs(3600));
    let h = p.a.send(p.now, "text/plain", "after an hour").unwrap();
    // The peer is slow: its response takes 20 s.
    p.b_to_a = Middlebox::new(3).delay(20 * SECOND);
    p.run_for(25 * SECOND);
    assert_eq!(p.b.received().len(), 1);
    assert!(only_accepted(&p.a.events, &[h]), "{:?}", p.a.events);
    assert!(p.a.conn.progress(h).is_none(), "the 200 came in time");
}

#[test]
fn the_timer_starts_when_the_last_byte_leaves() {
    let config = ConnectionConfig::default().max_transmit(64 * 1024);
    let mut p = Pair::new(config);
    p.advance(Duration::from_secs(3600));
    let start = p.now;
    let body = Bytes::from(vec![b'x'; 1 << 20]);
    p.a.send(p.now, "text/plain", body).unwrap();
    // The transport takes one 64 KiB transmit per second: 16 seconds for the chunk.
    let mut buf = BytesMut::new();
    let mut last = start;
    let mut timers = Vec::new();
    while p.a.conn.poll_transmit(p.now, &mut buf).is_some() {
        timers.push(p.a.conn.poll_timeout());
        last = p.now;
        p.now = p.now + SECOND;
        buf.clear();
    }
    let (during, after) = timers.split_at(timers.len() - 1);
    assert!(
        during.iter().all(Option::is_none),
        "no timer while the chunk goes out"
    );
    assert_eq!(after, [Some(last + 30 * SECOND)]);
    assert_eq!(last, start + 16 * SECOND);
    assert_eq!(p.a.conn.poll_timeout(), Some(last + 30 * SECOND));
    p.a.conn.handle_timeout(last + 29 * SECOND);
    assert!(events(&mut p.a.conn).is_empty(), "not yet");
    p.a.conn.handle_timeout(last + 30 * SECOND);
    assert!(matches!(
        events(&mut p.a.conn).as_slice(),
        [Event::SendFailed {
            reason: FailReason::Timeout,
            ..
        }]
    ));
}

#[test]
fn a_local_timeout_is_not_a_408() {
    let mut p = Pair::new(ConnectionConfig::default());
    p.a_to_b = Middlebox::new(1).blackhole();
    let h = p.a.send(p.now, "text/plain", "anyone?").unwrap();
    p.run_for(29 * SECOND);
    assert!(p.a.events.is_empty());
    p.run_for(2 * SECOND);
    assert!(
        matches!(
            p.a.events.as_slice(),
            [Event::SendFailed { message, reason: FailReason::Timeout, .. }] if *message == h
        ),
        "{:?}",
        p.a.events
    );

    // A relay's 408 (RFC 4976 section 9) is the peer's answer, reported as such.
    let mut p = Pair::new(ConnectionConfig::default());
    p.a.send(p.now, "text/plain", "via a relay").unwrap();
    let sent = chunks(&drain(&mut p.a.conn, p.now));
    let tid = sent[0].head.transaction_id();
    let response = format!(
        "MSRP {tid} 408 Timeout\r\nTo-Path: {}\r\nFrom-Path: {}\r\n-------{tid}$\r\n",
        msrp_proto::testing::A_URI,
        msrp_proto::testing::B_URI
    );
    p.a.conn.handle_input(p.now, response.as_bytes());
    assert!(matches!(
        events(&mut p.a.conn).as_slice(),
        [Event::SendFailed {
            reason: FailReason::Response(408),
            ..
        }]
    ));
}

#[test]
fn responses_arriving_late_but_in_time_keep_a_slow_transfer_alive() {
    // 10 chunks, each answered 25 s after it was sent (10 s on the way there, 15 back):
    // every answer is within 30 s of its own chunk's last byte, though the transfer takes
    // far longer than 30 s.
    let config =
        ConnectionConfig::default().chunk_policy(msrp_proto::chunking::ChunkPolicy::Fixed(1000));
    let mut p = Pair::new(config);
    p.b_to_a = Middlebox::new(5).delay(15 * SECOND);
    p.a_to_b = Middlebox::new(6).delay(10 * SECOND);
    let h =
        p.a.send(p.now, "text/plain", Bytes::from(vec![b'y'; 10_000]))
            .unwrap();
    p.run_for(120 * SECOND);
    assert_eq!(p.b.received().len(), 1);
    assert!(only_accepted(&p.a.events, &[h]), "{:?}", p.a.events);
    assert!(p.a.conn.progress(h).is_none());
}
