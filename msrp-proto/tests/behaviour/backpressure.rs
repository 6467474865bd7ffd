//! Behaviour 8: back-pressure with a wake-up. A refused send is followed by
//! `Event::Writable` once there is room; a full transaction table makes sending wait;
//! nothing is dropped silently.

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{ConnectionConfig, Event, FailReason, SendError};
use msrp_proto::testing::{Middlebox, Pair};

use crate::util::{events, only_accepted};

#[test]
fn a_refused_send_is_followed_by_writable() {
    let mut p = Pair::new(
        ConnectionConfig::default()
            .max_queued_bytes(10_000)
            .max_transmit(1000),
    );
    let (s, now) = (p.a.session, p.now);
    let send = |p: &mut Pair, n: usize| {
        p.a.conn.send(
            now,
            s,
            "text/plain",
            Bytes::from(vec![b'w'; n]),
            ReportPrefs::default(),
        )
    };
    send(&mut p, 8000).unwrap();
    assert_eq!(send(&mut p, 5000), Err(SendError::WouldBlock));
    assert_eq!(
        send(&mut p, 20_000),
        Err(SendError::TooLarge {
            len: 20_000,
            max: 10_000
        })
    );
    let mut buf = BytesMut::new();
    // Writable comes once 5000 bytes fit again, and only once.
    let mut writable_at = None;
    for i in 0..20 {
        buf.clear();
        if p.a.conn.poll_transmit(now, &mut buf).is_none() {
            break;
        }
        let ev = events(&mut p.a.conn);
        let n = ev.iter().filter(|e| matches!(e, Event::Writable)).count();
        assert!(n <= 1);
        if n == 1 {
            assert!(writable_at.is_none(), "Writable twice");
            writable_at = Some(i);
            assert!(p.a.conn.queued_bytes() + 5000 <= 10_000);
        }
    }
    assert!(writable_at.is_some());
    send(&mut p, 5000).unwrap();
    // No refusal, no Writable.
    p.run();
    assert!(!p.a.events.iter().any(|e| matches!(e, Event::Writable)));
}

#[test]
fn a_refused_write_is_followed_by_writable() {
    let mut p = Pair::new(ConnectionConfig::default().max_queued_bytes(64 * 1024));
    let h =
        p.a.send_stream(p.now, "application/octet-stream", Some(1 << 20))
            .unwrap();
    let piece = Bytes::from(vec![3; 16 * 1024]);
    let mut written = 0;
    let mut wakeups = 0;
    // A writer that writes until refused and then waits for Writable, as a driver does.
    while written < 1 << 20 {
        match p.a.conn.write(p.now, h, piece.clone()) {
            Ok(()) => written += piece.len(),
            Err(SendError::WouldBlock) => {
                let mut woken = false;
                for _ in 0..100 {
                    p.step();
                    if p.a
                        .take_events()
                        .iter()
                        .any(|e| matches!(e, Event::Writable))
                    {
                        woken = true;
                        break;
                    }
                }
                assert!(woken, "no Writable after {written} bytes");
                wakeups += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    p.a.conn.finish(p.now, h).unwrap();
    p.run();
    assert!(wakeups > 5, "{wakeups}");
    assert!(
        p.b.events
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { body, .. } if body.len() == 1 << 20))
    );
}

#[test]
fn a_full_transaction_table_makes_sending_wait() {
    let mut p = Pair::new(ConnectionConfig::default().max_pending_transactions(2));
    let s = p.a.session;
    p.a_to_b = Middlebox::new(4).delay(Duration::from_secs(20));
    let handles: Vec<_> = (0..7)
        .map(|i| p.a.send(p.now, "text/plain", format!("m{i}")).unwrap())
        .collect();
    let mut buf = BytesMut::new();
    while p.a.conn.poll_transmit(p.now, &mut buf).is_some() {}
    assert_eq!(
        p.a.conn.pending_transactions(),
        2,
        "two chunks out, the rest wait"
    );
    assert_eq!(
        p.a.conn.send_keepalive(p.now, s),
        Err(SendError::TooManyPending)
    );
    p.a_to_b.push(p.now, &buf);
    // Every message gets through in time, two at a time.
    p.run_for(Duration::from_secs(200));
    assert_eq!(p.b.received().len(), 7);
    assert!(only_accepted(&p.a.events, &handles), "{:?}", p.a.events);
    assert!(handles.iter().all(|h| p.a.conn.progress(*h).is_none()));
}

#[test]
fn with_a_dead_peer_every_message_ends_in_an_event() {
    let mut p = Pair::new(ConnectionConfig::default().max_pending_transactions(3));
    p.a_to_b = Middlebox::new(4).blackhole();
    let handles: Vec<_> = (0..10)
        .map(|i| p.a.send(p.now, "text/plain", format!("m{i}")).unwrap())
        .collect();
    p.run_for(Duration::from_secs(200));
    for h in &handles {
        assert_eq!(
            p.a.events
                .iter()
                .filter(|e| matches!(e, Event::SendFailed { message, reason: FailReason::Timeout, .. } if message == h))
                .count(),
            1,
            "{:?}",
            p.a.events
        );
    }
}
