//! Property tests: serialized chunks parse back to what was written; any bytes, fed in any
//! pieces, give the same events as fed whole; no input panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use bytes::{Bytes, BytesMut};
use common::{Ev, framing_then_validate_matches_full, head_reader_matches_parser, run, split_at};
use msrp_proto::uri::Path;
use msrp_proto::wire::{
    Chunk, ChunkParser, Continuation, ParseEvent, StartSpec, TransactionId, Validation,
};
use msrp_proto::{Limits, Mode};
use proptest::prelude::*;

fn uri() -> impl Strategy<Value = String> {
    (
        "[a-z]{1,10}(\\.[a-z]{1,8}){0,2}",
        1u16..,
        "[a-zA-Z0-9]{4,12}",
    )
        .prop_map(|(h, p, s)| format!("msrp://{h}:{p}/{s};tcp"))
}

fn path() -> impl Strategy<Value = Path> {
    proptest::collection::vec(uri(), 1..4).prop_map(|v| v.join(" ").parse().unwrap())
}

fn tid() -> impl Strategy<Value = TransactionId> {
    "[a-zA-Z0-9][a-zA-Z0-9.+%=-]{3,31}".prop_map(|s| TransactionId::new(s.as_bytes()).unwrap())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        // Bodies full of near-miss end-lines.
        proptest::collection::vec(
            prop_oneof![
                Just(b"\r\n".to_vec()),
                Just(b"-------".to_vec()),
                Just(b"$".to_vec()),
                "[a-z0-9+]{0,6}".prop_map(String::into_bytes)
            ],
            0..40
        )
        .prop_map(|v| v.concat()),
    ]
}

/// Header fields the RFCs define (beside the paths, Byte-Range and Content-Type), with
/// values their grammar allows, in any order and number (a second one of a name is kept
/// as written and never read).
fn known_fields() -> impl Strategy<Value = Vec<(String, String)>> {
    let one = prop_oneof![
        "[A-Za-z0-9][A-Za-z0-9.+%=-]{3,20}".prop_map(|v| ("Message-ID".to_owned(), v)),
        prop_oneof![Just("yes"), Just("no")]
            .prop_map(|v| ("Success-Report".to_owned(), v.to_owned())),
        prop_oneof![Just("yes"), Just("no"), Just("partial")]
            .prop_map(|v| ("Failure-Report".to_owned(), v.to_owned())),
        ("[0-9]{3}", proptest::option::of("[A-Za-z]{1,8}")).prop_map(|(code, comment)| {
            let v = match comment {
                Some(c) => format!("000 {code} {c}"),
                None => format!("000 {code}"),
            };
            ("Status".to_owned(), v)
        }),
    ];
    proptest::collection::vec(one, 0..4)
}

fn chunk() -> impl Strategy<Value = Chunk> {
    let ext = proptest::collection::vec(("X-[A-Za-z0-9-]{1,10}", "[ -~]{0,20}"), 0..4);
    let ext = (ext, known_fields()).prop_map(|(mut ext, known)| {
        ext.extend(known);
        ext
    });
    (
        tid(),
        prop_oneof![
            Just("SEND".to_string()),
            Just("REPORT".to_string()),
            Just("AUTH".to_string()),
            "[A-Z]{1,10}"
        ],
        path(),
        path(),
        ext,
        proptest::option::of((
            prop_oneof![
                Just("text/plain"),
                Just("message/cpim"),
                Just("text/plain;charset=utf-8")
            ],
            body(),
        )),
        prop_oneof![
            Just(Continuation::Complete),
            Just(Continuation::More),
            Just(Continuation::Aborted)
        ],
        proptest::option::of((
            1u64..1000,
            proptest::option::of(0u64..1000),
            proptest::option::of(0u64..5000),
        )),
    )
        .prop_map(|(tid, method, to, from, ext, body, flag, range)| {
            let mut c = Chunk::request(&method, tid, to, from).continuation(flag);
            if let Some((s, e, t)) = range {
                c = c.byte_range(s, e, t);
            }
            for (n, v) in ext {
                c = c.header(&n, v.trim());
            }
            if let Some((ct, b)) = body {
                c = c.body(ct, Bytes::from(b));
            }
            c
        })
}

/// The chunks serialized one after the other (those whose body would contain their
/// end-line left out), with `noise` inserted at `noise_at` (modulo the length).
fn stream_with_noise(chunks: &[Chunk], noise: Vec<u8>, noise_at: usize) -> Vec<u8> {
    let mut data = BytesMut::new();
    for c in chunks {
        if !c.end_line_collides() {
            c.encode(&mut data).unwrap();
        }
    }
    let mut data = data.to_vec();
    let at = noise_at % (data.len() + 1);
    data.splice(at..at, noise);
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn serialized_chunks_parse_back(mut c in chunk(), seed in any::<u64>()) {
        let mut state = seed;
        let mut rng = |buf: &mut [u8]| for b in buf.iter_mut() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *b = (state >> 56) as u8;
        };
        if c.end_line_collides() {
            c.choose_transaction_id(&mut rng);
        }
        let mut out = BytesMut::new();
        c.encode(&mut out).unwrap();
        let ev = run(Mode::Strict, &[&out]);
        let (head, body, end) = match &ev[..] {
            [Ev::Head(h), Ev::Body(b), Ev::End(e)] => (h, b.clone(), e),
            [Ev::Head(h), Ev::End(e)] => (h, Vec::new(), e),
            other => panic!("{other:?}"),
        };
        prop_assert_eq!(head.transaction_id(), c.tid);
        let StartSpec::Request(m) = &c.start else { unreachable!() };
        prop_assert_eq!(head.method_name(), Some(m.as_str()));
        prop_assert_eq!(head.to_path().unwrap(), c.to_path.clone());
        prop_assert_eq!(head.from_path().unwrap(), c.from_path.clone());
        let headers: Vec<(String, String)> = head.headers().skip(2)
            .map(|h| (h.name.to_string(), h.value_str().unwrap().to_string())).collect();
        let mut want = c.headers.clone();
        if let Some(ct) = &c.content_type {
            want.push(("Content-Type".into(), ct.clone()));
        }
        prop_assert_eq!(headers, want);
        prop_assert_eq!(head.has_body(), c.body.is_some());
        prop_assert_eq!(&body[..], c.body.as_deref().unwrap_or_default());
        prop_assert_eq!(end.continuation, c.continuation);
    }

    #[test]
    fn any_split_gives_the_same_events(
        data in proptest::collection::vec(any::<u8>(), 0..400),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        for mode in [Mode::Strict, Mode::Tolerant] {
            prop_assert_eq!(run(mode, &split_at(&data, &cuts)), run(mode, &[&data]));
        }
    }

    #[test]
    fn framing_validation_then_validate_matches_full(
        chunks in proptest::collection::vec(chunk(), 1..4),
        noise in proptest::collection::vec(any::<u8>(), 0..12),
        noise_at in any::<usize>(),
    ) {
        let data = stream_with_noise(&chunks, noise, noise_at);
        for mode in [Mode::Strict, Mode::Tolerant] {
            prop_assert_eq!(framing_then_validate_matches_full(mode, &data), Ok(()));
        }
    }

    #[test]
    fn head_reader_matches_the_parser(
        chunks in proptest::collection::vec(chunk(), 1..4),
        noise in proptest::collection::vec(any::<u8>(), 0..12),
        noise_at in any::<usize>(),
        cut in any::<usize>(),
    ) {
        let data = stream_with_noise(&chunks, noise, noise_at);
        let cut = cut % (data.len() + 1);
        for mode in [Mode::Strict, Mode::Tolerant] {
            for validation in [Validation::Full, Validation::Framing] {
                prop_assert_eq!(head_reader_matches_parser(mode, validation, &data), Ok(()));
                prop_assert_eq!(
                    head_reader_matches_parser(mode, validation, &data[..cut]),
                    Ok(())
                );
            }
        }
    }

    /// The fields of a head read in one pass (from the places noted as it was read) are
    /// those a head read line by line gives (found by a walk of its lines).
    #[test]
    fn fields_are_the_same_read_whole_or_split(
        chunks in proptest::collection::vec(chunk(), 1..4),
        noise in proptest::collection::vec(any::<u8>(), 0..20),
        noise_at in any::<usize>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let data = stream_with_noise(&chunks, noise, noise_at);
        // Cut into pieces of at most 7 bytes too, so that no head is read in one pass.
        let small: Vec<&[u8]> = data.chunks(7).collect();
        for mode in [Mode::Strict, Mode::Tolerant] {
            let whole = head_fields(mode, &[&data]);
            prop_assert_eq!(&head_fields(mode, &split_at(&data, &cuts)), &whole);
            prop_assert_eq!(&head_fields(mode, &small), &whole);
        }
    }

    #[test]
    fn valid_streams_with_noise_split_anywhere(
        chunks in proptest::collection::vec(chunk(), 1..4),
        noise in proptest::collection::vec(any::<u8>(), 0..20),
        noise_at in any::<usize>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let data = stream_with_noise(&chunks, noise, noise_at);
        for mode in [Mode::Strict, Mode::Tolerant] {
            prop_assert_eq!(run(mode, &split_at(&data, &cuts)), run(mode, &[&data]));
        }
    }
}

/// The fields of each head the parser gives for `pieces`, printed.
fn head_fields(mode: Mode, pieces: &[&[u8]]) -> Vec<String> {
    let mut p = ChunkParser::new(Limits::DEFAULT, mode);
    let mut out = Vec::new();
    for piece in pieces {
        p.feed(piece);
        while let Some(ev) = p.next() {
            if let Ok(ParseEvent::Head(h)) = ev {
                out.push(format!("{:?}", h.fields()));
            }
        }
    }
    out
}
