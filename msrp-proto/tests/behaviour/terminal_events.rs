//! Every message ends in exactly one event, and only when it has ended: found in review
//! (a held write whose timer stayed in the past, deliveries reported before the peer saw
//! the end, failures after a delivery, messages waiting for a REPORT forever, streams that
//! contradict their declared total, closed sessions bound again).

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SendError};
use msrp_proto::testing::{A_URI, B_URI, TestRng, session};
use msrp_proto::wire::Continuation;

use crate::util::{chunks, drain, events, send_chunk};

fn at(ms: u64) -> Instant {
    Instant::from_elapsed(Duration::from_millis(ms))
}

fn alice(cfg: ConnectionConfig) -> (Connection<TestRng>, msrp_proto::connection::SessionId) {
    let mut c = Connection::new(cfg, TestRng::new(5), Instant::ZERO);
    let s = c.add_session(session(A_URI, B_URI));
    (c, s)
}

/// A held streamed write with a full transaction table: the timer must not stay in the
/// past (a driver would spin).
#[test]
fn held_stream_with_full_table_busy_loops() {
    let (mut a, s) = alice(ConnectionConfig::default().max_pending_transactions(1));
    let t0 = Instant::ZERO;
    a.send(
        t0,
        s,
        "text/plain",
        Bytes::from("first"),
        ReportPrefs::default(),
    )
    .unwrap();
    let _ = drain(&mut a, t0); // one transaction pending, never answered
    let m = a
        .send_stream(t0, s, "text/plain", None, ReportPrefs::default())
        .unwrap();
    a.write(t0, m, Bytes::from("small")).unwrap();
    let now = at(50);
    for _ in 0..3 {
        a.handle_timeout(now);
        let out = drain(&mut a, now);
        assert!(out.is_empty());
        let t = a.poll_timeout().unwrap();
        assert!(
            t > now,
            "poll_timeout {t:?} is not after now {now:?}: a driver spins"
        );
    }
}

fn report(tid: &str, mid: &str, range: (u64, u64, u64), status: &str) -> Bytes {
    use msrp_proto::wire::{Chunk, TransactionId};
    let c = Chunk::request(
        "REPORT",
        TransactionId::new(tid.as_bytes()).unwrap(),
        A_URI.parse().unwrap(),
        B_URI.parse().unwrap(),
    )
    .message_id(mid)
    .byte_range(range.0, Some(range.1), Some(range.2))
    .header("Status", status);
    let mut out = BytesMut::new();
    c.encode(&mut out).unwrap();
    out.freeze()
}

fn ok_for(wire: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in chunks(wire) {
        if w.method() == Some("SEND") {
            let tid = w.head.transaction_id();
            out.extend_from_slice(
                format!("MSRP {tid} 200 OK\r\nTo-Path: {A_URI}\r\nFrom-Path: {B_URI}\r\n-------{tid}$\r\n").as_bytes(),
            );
        }
    }
    out
}

fn terminal(ev: &[Event]) -> Vec<String> {
    ev.iter()
        .filter_map(|e| match e {
            Event::MessageDelivered { .. } => Some("Delivered".to_string()),
            Event::SendFailed { reason, .. } => Some(format!("Failed({reason:?})")),
            _ => None,
        })
        .collect()
}

const YES: ReportPrefs = ReportPrefs {
    success: Some(true),
    failure: None,
};

/// Success REPORT, 200, then a failure REPORT: two terminal events for one message.
#[test]
fn delivered_then_failure_report() {
    let (mut a, s) = alice(ConnectionConfig::default());
    let t0 = Instant::ZERO;
    let h = a
        .send(t0, s, "text/plain", Bytes::from("hello"), YES)
        .unwrap();
    let wire = drain(&mut a, t0);
    let mid = a.message_id(h).unwrap().to_string();
    a.handle_input(t0, &ok_for(&wire));
    a.handle_input(t0, &report("rep00001", &mid, (1, 5, 5), "000 200 OK"));
    a.handle_input(
        t0,
        &report("rep00002", &mid, (1, 5, 5), "000 415 Unsupported"),
    );
    let ev = events(&mut a);
    assert_eq!(terminal(&ev), ["Delivered"], "{ev:#?}");
}

/// A 5-byte message asking for a success REPORT, written, and reported delivered before
/// its 200 arrives.
fn reported_before_ok() -> (Connection<TestRng>, Instant) {
    let (mut a, s) = alice(ConnectionConfig::default());
    let t0 = Instant::ZERO;
    let h = a
        .send(t0, s, "text/plain", Bytes::from("hello"), YES)
        .unwrap();
    let _wire = drain(&mut a, t0);
    let mid = a.message_id(h).unwrap().to_string();
    a.handle_input(t0, &report("rep00001", &mid, (1, 5, 5), "000 200 OK"));
    (a, t0)
}

/// Success REPORT before the 200, then the connection closes.
#[test]
fn report_before_ok_then_close() {
    let (mut a, t0) = reported_before_ok();
    a.handle_close(t0, msrp_proto::connection::CloseReason::PeerClosed);
    let ev = events(&mut a);
    assert_eq!(terminal(&ev), ["Delivered"], "{ev:#?}");
}

/// Success REPORT before the 200, then the 200 never comes.
#[test]
fn report_before_ok_then_timeout() {
    let (mut a, _) = reported_before_ok();
    a.handle_timeout(at(31_000));
    let ev = events(&mut a);
    assert_eq!(terminal(&ev), ["Delivered"], "{ev:#?}");
}

/// A streamed message whose declared total differs from what is written.
#[test]
fn stream_total_mismatch() {
    for (total, len) in [(10u64, 20usize), (100, 10)] {
        let (mut a, s) = alice(ConnectionConfig::default());
        let t0 = Instant::ZERO;
        let h = a
            .send_stream(t0, s, "text/plain", Some(total), ReportPrefs::default())
            .unwrap();
        let w = a.write(t0, h, Bytes::from(vec![b'q'; len]));
        let f = a.finish(t0, h);
        let err = w.err().or(f.err());
        assert!(
            matches!(err, Some(SendError::TotalMismatch { declared, .. }) if declared == total),
            "{err:?}"
        );
    }
}

/// A peer that answers 200 but never sends the success REPORT asked for: after the report
/// timeout the message ends in `SendFailed(NoReport)` and is freed.
#[test]
fn success_report_never_comes() {
    let (mut a, s) = alice(ConnectionConfig::default());
    let t0 = Instant::ZERO;
    let h = a
        .send(t0, s, "text/plain", Bytes::from(vec![b'x'; 1 << 20]), YES)
        .unwrap();
    let wire = drain(&mut a, t0);
    a.handle_input(t0, &ok_for(&wire));
    assert_eq!(
        a.poll_timeout(),
        Some(t0 + msrp_proto::connection::DEFAULT_REPORT_TIMEOUT)
    );
    a.handle_timeout(at(119_000));
    assert!(a.progress(h).is_some(), "still waiting");
    a.handle_timeout(at(120_000));
    let ev = events(&mut a);
    assert_eq!(terminal(&ev), ["Failed(NoReport)"]);
    assert!(a.progress(h).is_none() && a.poll_timeout().is_none());
}

/// An empty message asking for a success REPORT is "delivered" as soon as it is written,
/// before the peer has even seen it.
#[test]
fn empty_message_delivered_without_report() {
    let (mut a, s) = alice(ConnectionConfig::default());
    let t0 = Instant::ZERO;
    let _h = a.send(t0, s, "text/plain", Bytes::new(), YES).unwrap();
    let wire = drain(&mut a, t0);
    assert!(!wire.is_empty());
    let ev = events(&mut a);
    assert_eq!(
        terminal(&ev),
        Vec::<String>::new(),
        "nothing was received from the peer yet: {ev:?}"
    );
}

/// A progress REPORT (total `*`) covering every byte written so far; then `finish`: the
/// empty `$` chunk is written and the message is "delivered" at once, before the peer saw
/// the end of the message (and whatever it answers to that chunk).
#[test]
fn progress_report_then_finish_is_delivered_early() {
    let (mut a, s) = alice(ConnectionConfig::default());
    let t0 = Instant::ZERO;
    let h = a.send_stream(t0, s, "text/plain", None, YES).unwrap();
    a.write(t0, h, Bytes::from(vec![b'x'; 5000])).unwrap();
    let wire = drain(&mut a, t0);
    let mid = a.message_id(h).unwrap().to_string();
    a.handle_input(t0, &ok_for(&wire));
    let mut r = BytesMut::new();
    {
        use msrp_proto::wire::{Chunk, TransactionId};
        Chunk::request(
            "REPORT",
            TransactionId::new(b"rep00001").unwrap(),
            A_URI.parse().unwrap(),
            B_URI.parse().unwrap(),
        )
        .message_id(&mid)
        .byte_range(1, Some(5000), None)
        .header("Status", "000 200 OK")
        .encode(&mut r)
        .unwrap();
    }
    a.handle_input(t0, &r);
    assert_eq!(terminal(&events(&mut a)), Vec::<String>::new());
    a.finish(t0, h).unwrap();
    let last = drain(&mut a, t0);
    let c = chunks(&last);
    let early = terminal(&events(&mut a));
    // the peer refuses the final chunk
    let tid = c[0].head.transaction_id();
    a.handle_input(t0, format!("MSRP {tid} 413 Too Large\r\nTo-Path: {A_URI}\r\nFrom-Path: {B_URI}\r\n-------{tid}$\r\n").as_bytes());
    let all = terminal(&events(&mut a));
    assert_eq!(
        (early, all),
        (vec![], vec!["Failed(Response(413))".to_string()]),
        "delivered before the peer saw the end, then failed too"
    );
}

/// A listener's connection: the application closes a bound session; the peer's next
/// request binds it again (SessionBound) instead of getting 481.
#[test]
fn closed_session_rebinds() {
    use msrp_proto::connection::SessionTable;
    let t0 = Instant::ZERO;
    let mut table = SessionTable::new();
    table.insert(session(B_URI, A_URI)).unwrap();
    let mut b = Connection::new(ConnectionConfig::default(), TestRng::new(3), t0);
    let mut bound = Vec::new();
    for i in 0..3 {
        let c = send_chunk(
            &format!("tid{i:05}"),
            &format!("mid{i:05}"),
            (1, Some(2), Some(2)),
            b"hi",
            Continuation::Complete,
            &[],
        );
        b.handle_input_with(t0, &c, &mut table);
        let out = chunks(&drain(&mut b, t0));
        for e in events(&mut b) {
            if let Event::SessionBound { session, .. } = e {
                bound.push(session);
                b.close_session(t0, session).unwrap();
            }
        }
        let expected = if i == 0 { 200 } else { 481 };
        assert_eq!(
            out.iter().filter_map(|w| w.status()).collect::<Vec<_>>(),
            [expected]
        );
    }
    assert_eq!(bound.len(), 1, "re-bound after close_session: {bound:?}");
}
