//! Behaviour 5: refusals are remembered. After a receiver answered a chunk of a message
//! with 413 (or 415), later chunks of that message get the same answer, not 200 (RFC 4975
//! section 10.5: the sender must stop; a receiver that then accepted the rest would hold
//! a message with a hole).

use msrp_proto::connection::{ConnectionConfig, Event};
use msrp_proto::testing::{A_URI, B_URI, Pair, session};
use msrp_proto::wire::Continuation::{Complete, More};

use crate::util::{chunks, drain, events, send_chunk};

fn answers(p: &mut Pair, input: &[u8]) -> Vec<u16> {
    p.b.conn.handle_input(p.now, input);
    chunks(&drain(&mut p.b.conn, p.now))
        .iter()
        .filter_map(|c| c.status())
        .collect()
}

#[test]
fn a_message_refused_for_lack_of_room_stays_refused() {
    let b = ConnectionConfig::default().max_incoming_messages(1);
    let mut p = Pair::with_sessions(
        ConnectionConfig::default(),
        session(A_URI, B_URI),
        b,
        session(B_URI, A_URI),
    );
    let first = send_chunk(
        "t0000001",
        "msg-one",
        (1, Some(10), Some(20)),
        b"0123456789",
        More,
        &[],
    );
    assert_eq!(answers(&mut p, &first), [200]);
    // A second message while the first is in progress: no room.
    let other = send_chunk(
        "t0000002",
        "msg-two",
        (1, Some(10), Some(20)),
        b"abcdefghij",
        More,
        &[],
    );
    assert_eq!(answers(&mut p, &other), [413]);
    // The first completes; now there is room, but msg-two was refused.
    let end = send_chunk(
        "t0000003",
        "msg-one",
        (11, Some(20), Some(20)),
        b"0123456789",
        Complete,
        &[],
    );
    assert_eq!(answers(&mut p, &end), [200]);
    let rest = send_chunk(
        "t0000004",
        "msg-two",
        (11, Some(20), Some(20)),
        b"klmnopqrst",
        Complete,
        &[],
    );
    assert_eq!(
        answers(&mut p, &rest),
        [413],
        "msg-two's other chunks are refused too"
    );
    let got: Vec<_> = events(&mut p.b.conn)
        .into_iter()
        .filter(|e| matches!(e, Event::MessageReceived { .. }))
        .collect();
    assert_eq!(got.len(), 1, "only msg-one");
}

#[test]
fn a_message_that_grew_too_large_stays_refused() {
    let mut p = Pair::with_sessions(
        ConnectionConfig::default(),
        session(A_URI, B_URI),
        ConnectionConfig::default(),
        session(B_URI, A_URI).max_message_size(15),
    );
    // No total declared: the size is learned as chunks come.
    let one = send_chunk(
        "t0000001",
        "grower",
        (1, Some(10), None),
        b"0123456789",
        More,
        &[],
    );
    assert_eq!(answers(&mut p, &one), [200]);
    let two = send_chunk(
        "t0000002",
        "grower",
        (11, Some(20), None),
        b"0123456789",
        More,
        &[],
    );
    assert_eq!(answers(&mut p, &two), [413]);
    let three = send_chunk(
        "t0000003",
        "grower",
        (21, Some(22), None),
        b"01",
        Complete,
        &[],
    );
    assert_eq!(answers(&mut p, &three), [413]);
    // A chunk re-sending the start is refused as well (the message is dropped, not
    // restarted).
    assert_eq!(answers(&mut p, &one), [413]);
}

#[test]
fn a_message_of_a_refused_type_stays_refused() {
    let mut p = Pair::with_sessions(
        ConnectionConfig::default(),
        session(A_URI, B_URI),
        ConnectionConfig::default(),
        session(B_URI, A_URI).accept_types(["image/png"]),
    );
    let one = send_chunk(
        "t0000001",
        "text1",
        (1, Some(5), Some(10)),
        b"hello",
        More,
        &[],
    );
    assert_eq!(answers(&mut p, &one), [415]);
    let two = send_chunk(
        "t0000002",
        "text1",
        (6, Some(10), Some(10)),
        b"world",
        Complete,
        &[],
    );
    assert_eq!(answers(&mut p, &two), [415]);
}

#[test]
fn a_refusal_is_answered_before_the_chunk_ends() {
    // RFC 4975 section 7.2: the response is generated at once; the sender of a long
    // chunk learns of the 413 while it is still writing.
    let mut p = Pair::with_sessions(
        ConnectionConfig::default(),
        session(A_URI, B_URI),
        ConnectionConfig::default(),
        session(B_URI, A_URI).max_message_size(1000),
    );
    let whole = send_chunk(
        "t0000001",
        "big1",
        (1, None, Some(5000)),
        &[b'x'; 3000],
        Complete,
        &[],
    );
    let head_and_some = &whole[..whole.len() - 1000];
    assert_eq!(answers(&mut p, head_and_some), [413]);
    assert_eq!(
        answers(&mut p, &whole[whole.len() - 1000..]),
        Vec::<u16>::new(),
        "answered once"
    );
}
