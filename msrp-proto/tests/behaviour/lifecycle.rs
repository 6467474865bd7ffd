//! Behaviour 7: lifecycle (RFC 4975 sections 5.4 and 8). A closed transport fails every
//! pending send with an event, ends its sessions and frees their state; after a fatal
//! parse error the connection says "close the transport" and stops buffering input.

use bytes::Bytes;
use core::time::Duration;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{CloseReason, ConnectionConfig, Event, FailReason, SendError};
use msrp_proto::testing::{Middlebox, Pair};

use crate::util::events;

#[test]
fn closing_the_transport_fails_what_was_pending_and_frees_everything() {
    let mut p = Pair::new(ConnectionConfig::default());
    let (s, now) = (p.a.session, p.now);
    p.a_to_b = Middlebox::new(1).blackhole();
    let sent = p.a.send(now, "text/plain", "in flight").unwrap();
    p.run();
    let queued =
        p.a.conn
            .send(
                now,
                s,
                "text/plain",
                Bytes::from(vec![0; 100_000]),
                ReportPrefs::default(),
            )
            .unwrap();
    let stream =
        p.a.conn
            .send_stream(now, s, "text/plain", None, ReportPrefs::default())
            .unwrap();
    p.a.conn
        .write(now, stream, Bytes::from_static(b"partial"))
        .unwrap();
    p.a.conn.handle_close(now, CloseReason::PeerClosed);
    let ev = events(&mut p.a.conn);
    for h in [sent, queued, stream] {
        assert!(
            ev.iter().any(|e| matches!(e, Event::SendFailed { message, reason: FailReason::ConnectionClosed, .. } if *message == h)),
            "{ev:?}"
        );
    }
    assert!(matches!(ev[ev.len() - 2], Event::SessionClosed { session } if session == s));
    assert_eq!(
        ev.last(),
        Some(&Event::Closed {
            reason: CloseReason::PeerClosed
        })
    );
    let c = &mut p.a.conn;
    assert!(c.is_closed());
    assert_eq!(
        (
            c.queued_bytes(),
            c.pending_transactions(),
            c.open_sessions()
        ),
        (0, 0, 0)
    );
    assert_eq!(c.poll_timeout(), None);
    let mut buf = bytes::BytesMut::new();
    assert_eq!(c.poll_transmit(now, &mut buf), None);
    assert_eq!(
        c.send(now, s, "text/plain", Bytes::new(), ReportPrefs::default()),
        Err(SendError::UnknownSession)
    );
    assert_eq!(c.send_keepalive(now, s), Err(SendError::Closed));
    // Nothing more happens, whatever the clock or the input.
    c.handle_timeout(now + Duration::from_secs(100));
    c.handle_input(now, b"MSRP abcd SEND\r\n");
    assert!(events(c).is_empty());
    assert_eq!(c.buffered_input(), 0);
}

#[test]
fn a_link_cut_mid_message_ends_both_sides() {
    let mut p = Pair::new(ConnectionConfig::default());
    p.a_to_b = Middlebox::new(3).cut_after(300_000);
    let h =
        p.a.send(
            p.now,
            "application/octet-stream",
            Bytes::from(vec![5; 2 << 20]),
        )
        .unwrap();
    p.run();
    assert!(p.a.events.iter().any(|e| matches!(
        e,
        Event::SendFailed { message, reason: FailReason::ConnectionClosed, .. } if *message == h
    )));
    for events in [&p.a.events, &p.b.events] {
        assert!(
            matches!(
                events.last(),
                Some(Event::Closed {
                    reason: CloseReason::TransportError
                })
            ),
            "{events:?}"
        );
    }
    assert!(
        !p.b.events.iter().any(|e| matches!(
            e,
            Event::MessageComplete { .. } | Event::MessageReceived { .. }
        )),
        "the partial message is dropped"
    );
    assert!(
        p.b.events
            .iter()
            .any(|e| matches!(e, Event::MessageData { .. })),
        "some of it streamed"
    );
}

#[test]
fn a_fatal_parse_error_closes_and_stops_buffering() {
    let mut p = Pair::new(ConnectionConfig::default());
    let c = &mut p.b.conn;
    c.handle_input(p.now, b"HTTP/1.1 GET /\r\n\r\n");
    let ev = events(c);
    assert!(
        matches!(ev.first(), Some(Event::PeerError(e)) if e.is_fatal()),
        "{ev:?}"
    );
    assert!(matches!(
        ev.last(),
        Some(Event::Closed {
            reason: CloseReason::PeerError(_)
        })
    ));
    assert!(c.is_closed());
    assert!(!c.wants_input());
    for _ in 0..100 {
        c.handle_input(p.now, &[b'x'; 10_000]);
    }
    assert_eq!(c.buffered_input(), 0, "nothing is kept for a dead link");
    assert!(events(c).is_empty());
}

#[test]
fn closing_a_session_frees_only_that_session() {
    const C: &str = "msrp://a.example.com:7777/other;tcp";
    const D: &str = "msrp://b.example.com:8888/other;tcp";
    let mut p = Pair::new(ConnectionConfig::default());
    let other = p.a.conn.add_session(msrp_proto::testing::session(C, D));
    p.b.conn.add_session(msrp_proto::testing::session(D, C));
    let now = p.now;
    let s = p.a.session;
    let big = Bytes::from(vec![1; 1 << 20]);
    let h1 =
        p.a.conn
            .send(now, s, "text/plain", big.clone(), ReportPrefs::default())
            .unwrap();
    let h2 =
        p.a.conn
            .send(now, other, "text/plain", big, ReportPrefs::default())
            .unwrap();
    assert_eq!(p.a.conn.close_session(now, s), Ok(1));
    p.run();
    assert!(p.a.events.iter().any(|e| matches!(
        e,
        Event::SendFailed { message, reason: FailReason::SessionClosed, .. } if *message == h1
    )));
    assert!(
        !p.a.events
            .iter()
            .any(|e| matches!(e, Event::SendFailed { message, .. } if *message == h2))
    );
    assert_eq!(
        p.b.events
            .iter()
            .filter(|e| matches!(
                e,
                Event::MessageComplete { .. } | Event::MessageReceived { .. }
            ))
            .count(),
        1
    );
    assert!(!p.a.conn.is_closed());
}
