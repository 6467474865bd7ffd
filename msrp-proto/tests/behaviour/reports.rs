//! Behaviour 6: reports for every delivery. A message sent again (same Message-ID, RFC
//! 4975 section 7.3.1) gets its success REPORT again; `Failure-Report: partial` and `no`
//! retire the sender's state without waiting for answers that never come.

use bytes::Bytes;
use core::time::Duration;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{ConnectionConfig, Event, FailReason};
use msrp_proto::testing::{Middlebox, Pair};
use msrp_proto::wire::Continuation::Complete;
use msrp_proto::wire::ReportRequest;

use crate::util::{chunks, drain, events, only_accepted, send_chunk};

#[test]
fn a_message_sent_again_is_reported_again() {
    let mut p = Pair::new(ConnectionConfig::default());
    let msg = send_chunk(
        "t0000001",
        "again1",
        (1, Some(5), Some(5)),
        b"hello",
        Complete,
        &[("Success-Report", "yes")],
    );
    for round in 0..3 {
        p.b.conn.handle_input(p.now, &msg);
        let out = chunks(&drain(&mut p.b.conn, p.now));
        let kinds: Vec<_> = out
            .iter()
            .map(|c| {
                c.method()
                    .map_or_else(|| c.status().unwrap().to_string(), String::from)
            })
            .collect();
        assert_eq!(kinds, ["200", "REPORT"], "round {round}");
        let report = &out[1];
        assert_eq!(report.head.message_id(), Some("again1"));
        assert_eq!(
            report.range().map(|r| (r.start, r.end, r.total)),
            Some((1, Some(5), Some(5)))
        );
        assert_eq!(report.head.status().map(|s| s.code), Some(200));
    }
    let delivered = events(&mut p.b.conn)
        .into_iter()
        .filter(|e| matches!(e, Event::MessageReceived { .. }))
        .count();
    assert_eq!(delivered, 1, "the application gets the message once");
}

#[test]
fn a_sender_resending_after_a_timeout_hears_of_the_delivery() {
    // The first success REPORT is lost; the application sends the message again and this
    // time hears that it was delivered.
    let mut p = Pair::new(ConnectionConfig::default());
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let s = p.a.session;
    p.b_to_a = Middlebox::new(9).blackhole();
    p.a.conn
        .send(
            p.now,
            s,
            "text/plain",
            Bytes::from_static(b"important"),
            reports,
        )
        .unwrap();
    p.run_for(Duration::from_secs(31));
    assert!(matches!(
        p.a.take_events().as_slice(),
        [Event::SendFailed {
            reason: FailReason::Timeout,
            ..
        }]
    ));
    p.b_to_a = Middlebox::new(10);
    let again =
        p.a.conn
            .send(
                p.now,
                s,
                "text/plain",
                Bytes::from_static(b"important"),
                reports,
            )
            .unwrap();
    p.run();
    assert!(
        p.a.events
            .iter()
            .any(|e| matches!(e, Event::MessageDelivered { message, .. } if *message == again)),
        "{:?}",
        p.a.events
    );
}

#[test]
fn failure_report_partial_and_no_retire_the_senders_state() {
    for failure in [ReportRequest::Partial, ReportRequest::No] {
        let mut p = Pair::new(ConnectionConfig::default().max_pending_transactions(8));
        let reports = ReportPrefs {
            success: None,
            failure: Some(failure),
        };
        let s = p.a.session;
        let mut handles = Vec::new();
        for i in 0..100 {
            let body = Bytes::from(format!("message {i}"));
            handles.push(
                p.a.conn
                    .send(p.now, s, "text/plain", body, reports)
                    .unwrap(),
            );
        }
        p.run();
        assert_eq!(p.b.received().len(), 100, "{failure:?}");
        assert!(
            handles.iter().all(|h| p.a.conn.progress(*h).is_none()),
            "{failure:?}: retired"
        );
        assert!(
            only_accepted(&p.a.events, &handles),
            "{failure:?}: {:?}",
            p.a.events
        );
        match failure {
            ReportRequest::No => assert_eq!(p.a.conn.pending_transactions(), 0),
            // Kept for 30 s, to match a late error response; then gone, silently.
            _ => {
                assert!(p.a.conn.pending_transactions() <= 8);
                p.run_for(Duration::from_secs(31));
                assert_eq!(p.a.conn.pending_transactions(), 0);
                assert!(only_accepted(&p.a.events, &handles), "{:?}", p.a.events);
            }
        }
        assert_eq!(p.a.conn.poll_timeout(), None);
    }
}

#[test]
fn a_late_error_to_a_partial_chunk_fails_its_message() {
    let mut p = Pair::new(ConnectionConfig::default());
    let reports = ReportPrefs {
        success: None,
        failure: Some(ReportRequest::Partial),
    };
    let h =
        p.a.conn
            .send(
                p.now,
                p.a.session,
                "text/plain",
                Bytes::from_static(b"x"),
                reports,
            )
            .unwrap();
    let sent = chunks(&drain(&mut p.a.conn, p.now));
    let tid = sent[0].head.transaction_id();
    let error = format!(
        "MSRP {tid} 400 Bad Request\r\nTo-Path: {}\r\nFrom-Path: {}\r\n-------{tid}$\r\n",
        msrp_proto::testing::A_URI,
        msrp_proto::testing::B_URI
    );
    p.now = p.now + Duration::from_secs(20);
    p.a.conn.handle_input(p.now, error.as_bytes());
    // Failure-Report: partial asks for no 200: once written, the message was accepted;
    // the late error fails it all the same.
    assert!(matches!(
        events(&mut p.a.conn).as_slice(),
        [
            Event::MessageAccepted { message: accepted, .. },
            Event::SendFailed { message, reason: FailReason::Response(400), .. },
        ] if *message == h && *accepted == h
    ),);
}
