//! `handle_input_buf` (the driver's read buffer parsed in place) gives the same events and
//! answers as `handle_input` (bytes copied into the parser), however the bytes are split,
//! and hands out body pieces that share the read buffer's memory.

use bytes::{Bytes, BytesMut};
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig, SessionId};
use msrp_proto::testing::TestRng;
use msrp_proto::uri::{Path, Uri};
use proptest::prelude::*;

fn endpoint(seed: u64, local: &str, peer: &str) -> (Connection<TestRng>, SessionId) {
    let (local, peer): (Uri, Uri) = (local.parse().unwrap(), peer.parse().unwrap());
    let config = ConnectionConfig::default().max_queued_bytes(64 << 20);
    let mut c = Connection::new(config, TestRng::new(seed), Instant::ZERO);
    let s = c.add_session(SessionConfig::new(local, Path::new(peer)));
    (c, s)
}

const A: &str = "msrp://a.example.com:1/sa;tcp";
const B: &str = "msrp://b.example.com:2/sb;tcp";

fn bob() -> Connection<TestRng> {
    endpoint(2, B, A).0
}

/// What Alice writes for a few messages: text, a body full of near-miss end-lines, and a
/// 3 MiB one (streamed at Bob: above `max_gathered_message`), with a success REPORT asked.
fn wire() -> Vec<u8> {
    let (mut alice, s) = endpoint(1, A, B);
    let near: Vec<u8> = b"\r\n-------x$\r\n--".repeat(400);
    let big: Vec<u8> = (0..3 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let success = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    for (body, reports) in [
        (Bytes::from_static(b"Hi Bob"), ReportPrefs::default()),
        (Bytes::from(near), ReportPrefs::default()),
        (Bytes::from(big), success),
        (Bytes::new(), ReportPrefs::default()),
    ] {
        alice
            .send(Instant::ZERO, s, "text/plain", body, reports)
            .unwrap();
    }
    let mut out = BytesMut::new();
    while alice.poll_transmit(Instant::ZERO, &mut out).is_some() {}
    out.to_vec()
}

/// Bob's events and what he writes back, for `wire` cut at `cuts`, each piece fed with
/// `handle_input` (`copy[i]`) or appended to one read buffer and `handle_input_buf`.
fn run(wire: &[u8], cuts: &[usize], copy: impl Fn(usize) -> bool) -> Outcome {
    let mut bob = bob();
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    let mut at = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    ends.push(wire.len());
    ends.sort_unstable();
    for (i, end) in ends.into_iter().enumerate() {
        let piece = &wire[at..end];
        at = end;
        if copy(i) {
            bob.handle_input(Instant::ZERO, piece);
        } else {
            buf.extend_from_slice(piece);
            bob.handle_input_buf(Instant::ZERO, &mut buf);
        }
        events.extend(std::iter::from_fn(|| bob.poll_event()));
    }
    let mut out = BytesMut::new();
    while bob.poll_transmit(Instant::ZERO, &mut out).is_some() {}
    (events, out.to_vec())
}

fn received(events: &[Event]) -> Vec<u8> {
    let mut got = Vec::new();
    for e in events {
        match e {
            Event::MessageReceived { body, .. } => got.extend_from_slice(body),
            Event::MessageData { data, .. } => got.extend_from_slice(data),
            _ => {}
        }
    }
    got
}

/// Bob's events and the bytes he writes back.
type Outcome = (Vec<Event>, Vec<u8>);

/// The wire bytes and Bob's events and answers for them fed whole.
fn reference() -> &'static (Vec<u8>, Outcome) {
    static R: std::sync::OnceLock<(Vec<u8>, Outcome)> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let wire = wire();
        let whole = run(&wire, &[], |_| true);
        (wire, whole)
    })
}

#[test]
fn in_place_input_gives_the_same_events_as_copied_input() {
    let (wire, whole) = reference();
    let (wire, whole) = (wire.as_slice(), whole.clone());
    assert!(received(&whole.0).len() > 3 << 20);
    assert!(!whole.1.is_empty(), "the 200s and the REPORT");
    // Whole, in reads of 64 KiB, and in pieces of 1 byte for the first heads.
    let reads: Vec<usize> = (1..wire.len() / 65536 + 1).map(|i| i * 65536).collect();
    let bytes: Vec<usize> = (1..600).collect();
    for cuts in [&[][..], &reads, &bytes] {
        // Split reads cut streamed data events where they cut the bytes: compare with
        // the copied input of the same reads.
        let copied = run(wire, cuts, |_| true);
        assert_eq!(received(&copied.0), received(&whole.0));
        assert_eq!(copied.1, whole.1);
        assert_eq!(run(wire, cuts, |_| false), copied);
        // Copied first, then in place: what was copied and not consumed comes first.
        for k in [1, 2, 5, 50] {
            assert_eq!(run(wire, cuts, |i| i < k), copied);
        }
    }
}

#[test]
fn body_pieces_share_the_read_buffer() {
    let wire = wire();
    let mut bob = bob();
    let mut buf = BytesMut::with_capacity(wire.len());
    buf.extend_from_slice(&wire);
    let (start, end) = (buf.as_ptr() as usize, buf.as_ptr() as usize + wire.len());
    bob.handle_input_buf(Instant::ZERO, &mut buf);
    assert!(buf.is_empty(), "everything was consumed");
    let mut shared = 0;
    while let Some(e) = bob.poll_event() {
        if let Event::MessageData { data, .. } = e {
            assert!((start..end).contains(&(data.as_ptr() as usize)));
            shared += data.len();
        }
    }
    assert_eq!(shared, 3 << 20);
}

#[test]
fn a_closed_connection_empties_the_buffer() {
    let mut bob = bob();
    let mut buf = BytesMut::from(&b"NOT MSRP AT ALL\r\n"[..]);
    bob.handle_input_buf(Instant::ZERO, &mut buf);
    assert!(bob.is_closed());
    assert!(buf.is_empty());
    buf.extend_from_slice(&wire());
    bob.handle_input_buf(Instant::ZERO, &mut buf);
    assert!(buf.is_empty());
    let events: Vec<Event> = std::iter::from_fn(|| bob.poll_event()).collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. } | Event::MessageData { .. }))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_split_and_any_mix_give_the_same_events(
        cuts in proptest::collection::vec(any::<usize>(), 0..40),
        copied in 0usize..42,
    ) {
        let (wire, whole) = reference();
        let reference = run(wire, &cuts, |_| true);
        prop_assert!(received(&reference.0) == received(&whole.0));
        let got = run(wire, &cuts, |i| i < copied);
        prop_assert!(got == reference);
    }
}
