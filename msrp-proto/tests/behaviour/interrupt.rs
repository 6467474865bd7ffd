//! Behaviour 2: a 413, or a failure REPORT, stops the chunk in flight at once (RFC 4975
//! sections 10.5 and 7.1.1): the transaction is known from its chunk's first byte.

use bytes::{Bytes, BytesMut};
use msrp_proto::connection::{ConnectionConfig, Event, FailReason};
use msrp_proto::testing::{A_URI, B_URI, Pair, session};
use msrp_proto::wire::Continuation;

use crate::util::{chunks, drain, events};

const LEN: usize = 4 << 20;

/// A pair where B takes at most 1 MiB and A writes 64 KiB per transmit.
fn pair() -> Pair {
    let config = ConnectionConfig::default().max_transmit(64 * 1024);
    Pair::with_sessions(
        config,
        session(A_URI, B_URI),
        config,
        session(B_URI, A_URI).max_message_size(1 << 20),
    )
}

#[test]
fn a_413_at_the_head_ends_the_chunk_being_written_with_a_hash() {
    let mut p = pair();
    let h =
        p.a.send(p.now, "text/plain", Bytes::from(vec![b'z'; LEN]))
            .unwrap();
    let mut wire = Vec::new();
    let mut buf = BytesMut::new();
    // The head and the first 64 KiB reach B, which refuses the message from its head at
    // once (RFC 4975 section 7.2: responses are generated immediately).
    assert!(p.a.conn.poll_transmit(p.now, &mut buf).is_some());
    wire.extend_from_slice(&buf);
    p.b.conn.handle_input(p.now, &buf);
    let answer = drain(&mut p.b.conn, p.now);
    let parsed = chunks(&answer);
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].status(), Some(413));
    p.a.conn.handle_input(p.now, &answer);
    // The next transmit ends the chunk with `#`; nothing more of the message follows.
    wire.extend_from_slice(&drain(&mut p.a.conn, p.now));
    let sent = chunks(&wire);
    assert_eq!(sent.len(), 1, "one chunk, interrupted");
    assert_eq!(sent[0].flag, Continuation::Aborted);
    assert!(
        sent[0].body.len() < 64 * 1024,
        "stopped right after the first transmit"
    );
    let ev = events(&mut p.a.conn);
    assert!(
        ev.iter().any(|e| matches!(e, Event::SendFailed { message, reason: FailReason::Response(413), .. } if *message == h)),
        "{ev:?}"
    );
    assert_eq!(
        p.a.conn.queued_bytes(),
        0,
        "what was left of the body is freed"
    );
    assert_eq!(p.a.conn.pending_transactions(), 0);
}

#[test]
fn a_failure_report_in_the_middle_of_a_chunk_stops_it() {
    // B took the message at first, then refuses it (a gateway, RFC 4975 section 7.1.4)
    // while the chunk is still arriving.
    let config = ConnectionConfig::default().max_transmit(64 * 1024);
    let mut p = Pair::new(config);
    p.a.send(p.now, "text/plain", Bytes::from(vec![b'z'; LEN]))
        .unwrap();
    let mut buf = BytesMut::new();
    assert!(p.a.conn.poll_transmit(p.now, &mut buf).is_some());
    let mut wire = buf.to_vec();
    p.b.conn.handle_input(p.now, &buf);
    let id = message_id(&wire);
    assert!(
        p.b.conn
            .report_failure(p.now, p.b.session, &id, 413)
            .unwrap()
    );
    let from_b = drain(&mut p.b.conn, p.now);
    // The chunk in flight is answered 413 at once, and the failure REPORT follows.
    let answers: Vec<_> = chunks(&from_b)
        .iter()
        .map(|c| (c.method().map(String::from), c.status()))
        .collect();
    assert_eq!(answers, [(None, Some(413)), (Some("REPORT".into()), None)]);
    p.a.conn.handle_input(p.now, &from_b);
    wire.extend_from_slice(&drain(&mut p.a.conn, p.now));
    let sent = chunks(&wire);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].flag, Continuation::Aborted);
    assert!(sent[0].body.len() < 64 * 1024);
    let failed: Vec<_> = events(&mut p.a.conn)
        .into_iter()
        .filter(|e| matches!(e, Event::SendFailed { .. }))
        .collect();
    assert!(
        matches!(
            failed.as_slice(),
            [Event::SendFailed {
                reason: FailReason::Response(413),
                ..
            }]
        ),
        "{failed:?}"
    );
}

#[test]
fn a_413_response_to_an_early_chunk_stops_the_chunk_in_flight() {
    // The first chunk is small and answered 413 while the second, long one is written.
    let config = ConnectionConfig::default().max_transmit(64 * 1024);
    let mut p = Pair::new(config);
    let stream = p.a.send_stream(p.now, "text/plain", None).unwrap();
    p.a.conn
        .write(p.now, stream, Bytes::from(vec![b'a'; 3000]))
        .unwrap();
    let first = drain(&mut p.a.conn, p.now);
    let c = chunks(&first);
    assert_eq!(c.len(), 1);
    p.a.conn
        .write(p.now, stream, Bytes::from(vec![b'b'; LEN]))
        .unwrap();
    let mut buf = BytesMut::new();
    assert!(
        p.a.conn.poll_transmit(p.now, &mut buf).is_some(),
        "the long chunk starts"
    );
    let mut wire = buf.to_vec();
    // The peer answers the first chunk with 413 now.
    let tid = c[0].head.transaction_id();
    let response = format!(
        "MSRP {tid} 413 Too Large\r\nTo-Path: {A_URI}\r\nFrom-Path: {B_URI}\r\n-------{tid}$\r\n"
    );
    p.a.conn.handle_input(p.now, response.as_bytes());
    wire.extend_from_slice(&drain(&mut p.a.conn, p.now));
    let c = chunks(&wire);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].flag, Continuation::Aborted);
    assert!(c[0].body.len() < 3 * 64 * 1024);
    assert!(events(&mut p.a.conn).iter().any(|e| matches!(
        e,
        Event::SendFailed {
            reason: FailReason::Response(413),
            ..
        }
    )));
    assert_eq!(
        p.a.conn.write(p.now, stream, Bytes::from_static(b"more")),
        Err(msrp_proto::connection::SendError::UnknownMessage),
        "a stopped stream takes no more"
    );
}

#[test]
fn the_refusal_reaches_the_sender_through_a_pair_and_nothing_more_is_sent() {
    let mut p = pair();
    p.a.record();
    p.a.send(p.now, "text/plain", Bytes::from(vec![b'q'; LEN]))
        .unwrap();
    p.run();
    let sent = chunks(p.a.wire.as_ref().unwrap());
    let sends: Vec<_> = sent.iter().filter(|c| c.method() == Some("SEND")).collect();
    assert_eq!(sends.len(), 1, "no chunk after the 413");
    assert!(p.a.events.iter().any(|e| matches!(
        e,
        Event::SendFailed {
            reason: FailReason::Response(413),
            ..
        }
    )));
    assert!(p.b.received().is_empty());
}

fn message_id(wire: &[u8]) -> String {
    let text = String::from_utf8_lossy(wire);
    let at = text.find("Message-ID: ").unwrap() + "Message-ID: ".len();
    text[at..].split("\r\n").next().unwrap().to_string()
}
