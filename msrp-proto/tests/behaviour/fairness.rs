//! Behaviour 3: fair sharing of one connection (RFC 4975 section 7.1.1): responses and
//! REPORTs jump the queue, a short message is not stuck behind a large one, sessions take
//! turns.

use bytes::{Bytes, BytesMut};
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{ConnectionConfig, Event};
use msrp_proto::testing::{Pair, session};

use crate::util::{chunks, drain};

const FILE: usize = 5_000_000;

fn delivered_order(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived { body, .. } => Some(body.len() as u64),
            Event::MessageComplete { total, .. } => Some(*total),
            _ => None,
        })
        .collect()
}

#[test]
fn a_line_started_with_a_large_file_arrives_first() {
    let mut p = Pair::new(ConnectionConfig::default());
    let (s, now) = (p.a.session, p.now);
    p.a.conn
        .send(
            now,
            s,
            "application/octet-stream",
            Bytes::from(vec![0; FILE]),
            ReportPrefs::default(),
        )
        .unwrap();
    p.a.conn
        .send(
            now,
            s,
            "text/plain",
            Bytes::from_static(b"one line"),
            ReportPrefs::default(),
        )
        .unwrap();
    p.run();
    assert_eq!(delivered_order(&p.b.events), [8, FILE as u64]);
}

#[test]
fn a_line_sent_during_a_large_file_arrives_long_before_it_ends() {
    let mut p = Pair::new(ConnectionConfig::default());
    let (s, now) = (p.a.session, p.now);
    p.a.conn
        .send(
            now,
            s,
            "application/octet-stream",
            Bytes::from(vec![0; FILE]),
            ReportPrefs::default(),
        )
        .unwrap();
    let mut buf = BytesMut::new();
    for _ in 0..3 {
        buf.clear();
        let _ = p.a.conn.poll_transmit(now, &mut buf);
        p.b.conn.handle_input(now, &buf);
    }
    p.a.conn
        .send(
            now,
            s,
            "text/plain",
            Bytes::from_static(b"urgent"),
            ReportPrefs::default(),
        )
        .unwrap();
    // Within the next two transmits (one more turn of the file at most), the line is out.
    for _ in 0..2 {
        buf.clear();
        let _ = p.a.conn.poll_transmit(now, &mut buf);
        p.b.conn.handle_input(now, &buf);
    }
    let mut got = Vec::new();
    while let Some(e) = p.b.conn.poll_event() {
        got.push(e);
    }
    assert_eq!(delivered_order(&got), [6]);
}

#[test]
fn responses_and_reports_go_before_the_rest_of_a_chunk() {
    let mut p = Pair::new(ConnectionConfig::default().max_transmit(16 * 1024));
    let (s, now) = (p.a.session, p.now);
    p.a.conn
        .send(
            now,
            s,
            "application/octet-stream",
            Bytes::from(vec![7; FILE]),
            ReportPrefs::default(),
        )
        .unwrap();
    let mut buf = BytesMut::new();
    let _ = p.a.conn.poll_transmit(now, &mut buf);
    let mut wire = buf.to_vec();
    // B sends A a message; A's 200 must not wait for the 5 MB chunk to end.
    p.b.send(now, "text/plain", "ping").unwrap();
    let ping = drain(&mut p.b.conn, now);
    p.a.conn.handle_input(now, &ping);
    buf.clear();
    let _ = p.a.conn.poll_transmit(now, &mut buf);
    wire.extend_from_slice(&buf);
    // The file's chunk was interrupted (`+`) and the 200 follows in the same transmit.
    let c = chunks(&wire);
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[0].method(), Some("SEND"));
    assert_eq!(c[0].flag, msrp_proto::wire::Continuation::More);
    assert!(
        c[0].range().unwrap().end.is_none(),
        "an interruptible chunk declares `*`"
    );
    assert_eq!(c[1].status(), Some(200));
    assert!(wire.len() <= 2 * 16 * 1024 + 1024);
}

#[test]
fn two_sessions_on_one_connection_take_turns() {
    const C: &str = "msrp://a.example.com:7777/second;tcp";
    const D: &str = "msrp://b.example.com:8888/second;tcp";
    let mut p = Pair::new(ConnectionConfig::default());
    let second = p.a.conn.add_session(session(C, D));
    p.b.conn.add_session(session(D, C));
    let now = p.now;
    let s1 = p.a.session;
    for s in [s1, second] {
        p.a.conn
            .send(
                now,
                s,
                "application/octet-stream",
                Bytes::from(vec![1; 2_000_000]),
                ReportPrefs::default(),
            )
            .unwrap();
    }
    p.a.record();
    p.run();
    // Chunks alternate between the two sessions' To-Paths.
    let sends: Vec<String> = chunks(p.a.wire.as_ref().unwrap())
        .into_iter()
        .filter(|c| c.method() == Some("SEND"))
        .map(|c| c.head.to_path().unwrap().to_string())
        .collect();
    assert!(sends.len() > 10, "{}", sends.len());
    for pair in sends.windows(2).take(sends.len() - 2) {
        assert_ne!(pair[0], pair[1], "{sends:?}");
    }
    let completes =
        p.b.events
            .iter()
            .filter(|e| matches!(e, Event::MessageComplete { .. }))
            .count();
    assert_eq!(completes, 2);
}
