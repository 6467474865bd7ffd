//! Behaviour 8: every message ends in an event a driver can resolve a future with. A
//! message without a success REPORT is accepted (`MessageAccepted`); a streamed one the
//! receiver starts is announced with its type (`MessageStarted`) and, when refused
//! part-way, ends in `MessageRefused`. A session without signalling learns its peer's
//! path from the first request.

use bytes::Bytes;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{ConnectionConfig, Event, SendError, SessionConfig};
use msrp_proto::testing::{A_URI, B_URI, Pair, session};

#[test]
fn a_message_without_success_report_is_accepted_once_every_chunk_has_its_200() {
    let mut p = Pair::new(ConnectionConfig::default());
    let now = p.now;
    let h = p.a.send(now, "text/plain", vec![b'x'; 10_000]).unwrap();
    p.run();
    let accepted: Vec<_> =
        p.a.events
            .iter()
            .filter(|e| matches!(e, Event::MessageAccepted { message, .. } if *message == h))
            .collect();
    assert_eq!(accepted.len(), 1, "{:?}", p.a.events);
    assert!(
        !p.a.events
            .iter()
            .any(|e| matches!(e, Event::MessageDelivered { .. } | Event::SendFailed { .. }))
    );
}

#[test]
fn a_message_with_success_report_is_delivered_not_accepted() {
    let mut p = Pair::new(ConnectionConfig::default());
    let (s, now) = (p.a.session, p.now);
    let prefs = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let h =
        p.a.conn
            .send(now, s, "text/plain", Bytes::from_static(b"hi"), prefs)
            .unwrap();
    p.run();
    assert!(
        p.a.events
            .iter()
            .any(|e| matches!(e, Event::MessageDelivered { message, .. } if *message == h))
    );
    assert!(
        !p.a.events
            .iter()
            .any(|e| matches!(e, Event::MessageAccepted { .. }))
    );
}

#[test]
fn a_streamed_message_starts_with_its_type_and_declared_size() {
    let config = ConnectionConfig::default().max_gathered_message(1000);
    let mut p = Pair::new(config);
    let now = p.now;
    p.a.send(now, "application/pdf", vec![7u8; 5000]).unwrap();
    p.run();
    let started: Vec<_> =
        p.b.events
            .iter()
            .filter_map(|e| match e {
                Event::MessageStarted {
                    content_type,
                    total,
                    ..
                } => Some((content_type.clone(), *total)),
                _ => None,
            })
            .collect();
    assert_eq!(started, [("application/pdf".to_string(), Some(5000))]);
    let first_data =
        p.b.events
            .iter()
            .position(|e| matches!(e, Event::MessageData { .. }))
            .unwrap();
    let start =
        p.b.events
            .iter()
            .position(|e| matches!(e, Event::MessageStarted { .. }))
            .unwrap();
    assert!(start < first_data);
}

#[test]
fn a_streamed_message_that_grows_past_the_limit_is_refused_with_an_event() {
    let b_session = session(B_URI, A_URI).max_message_size(3000);
    let config = ConnectionConfig::default().max_gathered_message(1000);
    let mut p = Pair::with_sessions(config, session(A_URI, B_URI), config, b_session);
    let now = p.now;
    // Unknown total: the receiver finds out part-way.
    let h = p.a.send_stream(now, "text/plain", None).unwrap();
    p.a.conn
        .write(now, h, Bytes::from(vec![b'y'; 8000]))
        .unwrap();
    p.a.conn.finish(now, h).unwrap();
    p.run();
    let refused: Vec<_> =
        p.b.events
            .iter()
            .filter_map(|e| match e {
                Event::MessageRefused { code, .. } => Some(*code),
                _ => None,
            })
            .collect();
    assert_eq!(refused, [413], "{:?}", p.b.events);
    assert!(
        !p.b.events
            .iter()
            .any(|e| matches!(e, Event::MessageComplete { .. }))
    );
}

#[test]
fn a_session_without_signalling_learns_the_peer_path_from_the_first_request() {
    // B knows only its own URI: its to_path is a placeholder until A's first request.
    let placeholder: msrp_uri::Path = B_URI.parse().unwrap();
    let b_session = SessionConfig::new(B_URI.parse().unwrap(), placeholder).learn_to_path(true);
    let config = ConnectionConfig::default();
    let mut p = Pair::with_sessions(config, session(A_URI, B_URI), config, b_session);
    let now = p.now;
    assert_eq!(
        p.b.send(now, "text/plain", "too early"),
        Err(SendError::NoPeerPath)
    );
    p.a.send(now, "text/plain", "hello").unwrap();
    p.run();
    let learned = p.b.conn.session_config(p.b.session).unwrap();
    assert_eq!(learned.to_path.to_string(), A_URI);
    p.b.send(now, "text/plain", "hello back").unwrap();
    p.run();
    assert_eq!(
        p.a.received(),
        [("text/plain".to_string(), Bytes::from_static(b"hello back"))]
    );
}
