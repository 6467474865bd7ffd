//! Unit tests of the chunk parser: recovery, fatal errors, limits, tolerant quirks,
//! bounded memory and linear scanning.

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use bytes::BytesMut;

use super::*;
use crate::DEFAULT_MIN_BODY_PIECE;
use crate::wire::{Method, ParseErrorKind, Quirk};

const TO: &str = "To-Path: msrp://b.example.com:2855/s1;tcp\r\n";
const FROM: &str = "From-Path: msrp://a.example.com:2855/s2;tcp\r\n";

fn send(tid: &str, extra: &str, body: Option<&str>, flag: char) -> Vec<u8> {
    let mut s = format!("MSRP {tid} SEND\r\n{TO}{FROM}{extra}");
    match body {
        Some(b) => s.push_str(&format!(
            "Content-Type: text/plain\r\n\r\n{b}\r\n-------{tid}{flag}\r\n"
        )),
        None => s.push_str(&format!("-------{tid}{flag}\r\n")),
    }
    s.into_bytes()
}

#[derive(Debug, PartialEq)]
enum E {
    Head(alloc::string::String),
    Body(Vec<u8>),
    End(Continuation, u64),
    Err(ParseErrorKind, u64, Option<alloc::string::String>),
}

fn events(p: &mut ChunkParser, input: &[u8]) -> Vec<E> {
    p.feed(input);
    let mut out = Vec::new();
    while let Some(ev) = p.next() {
        let e = match ev {
            Ok(ParseEvent::Head(h)) => E::Head(h.transaction_id().as_str().into()),
            Ok(ParseEvent::Body(b)) => {
                if let Some(E::Body(acc)) = out.last_mut() {
                    acc.extend_from_slice(&b);
                    continue;
                }
                E::Body(b.to_vec())
            }
            Ok(ParseEvent::End(e)) => E::End(e.continuation, e.body_length),
            Err(e) => E::Err(
                e.kind(),
                e.offset(),
                e.transaction_id().map(|t| t.as_str().into()),
            ),
        };
        out.push(e);
    }
    out
}

fn strict() -> ChunkParser {
    ChunkParser::default()
}

fn tolerant() -> ChunkParser {
    ChunkParser::new(Limits::DEFAULT, Mode::Tolerant)
}

#[test]
fn a_bad_header_skips_only_that_chunk() {
    let mut input = send("tid00001", "Byte-Range: x\r\n", Some("one"), '$');
    let bad_len = input.len();
    input.extend(send("tid00002", "", Some("two"), '$'));
    let ev = events(&mut strict(), &input);
    let bad_at = (bad_len
        - "Byte-Range: x\r\nContent-Type: text/plain\r\n\r\none\r\n-------tid00001$\r\n".len()
        + "Byte-Range: ".len()) as u64;
    assert_eq!(
        ev,
        vec![
            E::Err(
                ParseErrorKind::InvalidHeader {
                    header: "Byte-Range",
                    reason: "no \"-\" after range-start"
                },
                bad_at,
                Some("tid00001".into())
            ),
            E::Head("tid00002".into()),
            E::Body(b"two".to_vec()),
            E::End(Continuation::Complete, 3),
        ]
    );
}

#[test]
fn errors_map_to_400_and_garbage_is_fatal() {
    let mut p = strict();
    let mut input = send("tid00001", "Success-Report: maybe\r\n", None, '$');
    input.extend_from_slice(b"GET / HTTP/1.1\r\n");
    p.feed(&input);
    let e = p.next().unwrap().unwrap_err();
    assert_eq!(e.status_code(), Some(400));
    assert!(!e.is_fatal());
    let e = p.next().unwrap().unwrap_err();
    assert!(e.is_fatal() && e.status_code().is_none());
    assert_eq!(e.offset(), (input.len() - 16) as u64);
    assert!(p.is_failed());
    p.feed(&send("tid00003", "", None, '$'));
    assert!(p.next().is_none(), "nothing is parsed after a fatal error");
}

#[test]
fn garbage_is_rejected_before_the_line_ends() {
    let mut p = strict();
    p.feed(b"HTTP/1.1 200");
    let e = p.next().unwrap().unwrap_err();
    assert!(matches!(e.kind(), ParseErrorKind::InvalidStartLine { .. }));
    let mut p = strict();
    p.feed(b"MSRP abcd sEND");
    assert_eq!(p.next().unwrap().unwrap_err().offset(), 10);
    let mut p = strict();
    p.feed(b"MSRP abcd SEN");
    assert!(p.next().is_none(), "still a possible start line");
}

#[test]
fn limits_are_enforced() {
    let limits = Limits {
        max_headers: 3,
        ..Limits::DEFAULT
    };
    let mut p = ChunkParser::new(limits, Mode::Strict);
    let mut input = send("tid00001", "A: 1\r\nB: 2\r\n", None, '$');
    input.extend(send("tid00002", "", None, '+'));
    let ev = events(&mut p, &input);
    assert!(matches!(
        ev[0],
        E::Err(ParseErrorKind::TooManyHeaders { max: 3 }, _, _)
    ));
    assert_eq!(
        ev[1..],
        [E::Head("tid00002".into()), E::End(Continuation::More, 0)]
    );

    // A head that never ends is cut at the limit, and its bytes are not kept.
    let limits = Limits {
        max_head_bytes: 1024,
        ..Limits::DEFAULT
    };
    let mut p = ChunkParser::new(limits, Mode::Strict);
    let mut input = format!("MSRP tid00003 SEND\r\n{TO}X: ").into_bytes();
    input.extend(core::iter::repeat_n(b'a', 4000));
    let ev = events(&mut p, &input);
    assert!(matches!(
        ev[..],
        [E::Err(ParseErrorKind::HeadTooLarge { max: 1024 }, _, _)]
    ));
    assert!(p.buffered() < 64, "held {} bytes", p.buffered());

    let limits = Limits {
        max_start_line: 20,
        ..Limits::DEFAULT
    };
    let mut p = ChunkParser::new(limits, Mode::Strict);
    let ev = events(&mut p, b"MSRP abcdefghijklmnopqrstu");
    assert!(matches!(
        ev[..],
        [E::Err(
            ParseErrorKind::StartLineTooLong { max: 20 },
            20,
            None
        )]
    ));
}

#[test]
fn a_streamed_body_holds_only_a_bounded_number_of_bytes() {
    for min_piece in [1, 4096, DEFAULT_MIN_BODY_PIECE] {
        let limits = Limits {
            min_body_piece: min_piece,
            ..Limits::DEFAULT
        };
        let mut p = ChunkParser::new(limits, Mode::Strict);
        p.feed(&send("tid00001", "", Some(""), '$')[..]); // warm up: one whole chunk
        while p.next().is_some() {}
        let head = format!("MSRP bigbody1 SEND\r\n{TO}{FROM}Content-Type: text/plain\r\n\r\n");
        p.feed(head.as_bytes());
        assert!(matches!(p.next(), Some(Ok(ParseEvent::Head(_)))));
        let piece = [b'x'; 1460];
        let mut total = 0u64;
        for _ in 0..2000 {
            p.feed(&piece);
            while let Some(ev) = p.next() {
                match ev.unwrap() {
                    ParseEvent::Body(b) => {
                        assert!(b.len() >= min_piece);
                        total += b.len() as u64
                    }
                    other => panic!("{other:?}"),
                }
            }
            // Less than one batch, plus a candidate end-line.
            let bound = min_piece - 1 + 9 + 32 + 3;
            assert!(
                p.buffered() <= bound,
                "held {} bytes with min_body_piece {min_piece}",
                p.buffered()
            );
        }
        p.feed(b"\r\n-------bigbody1$\r\n");
        while let Some(ev) = p.next() {
            match ev.unwrap() {
                ParseEvent::Body(b) => total += b.len() as u64,
                ParseEvent::End(e) => assert_eq!(e.body_length, 1460 * 2000),
                ParseEvent::Head(_) => panic!(),
            }
        }
        assert_eq!(total, 1460 * 2000);
        assert!(p.is_idle());
    }
}

#[test]
fn near_miss_end_lines_are_body() {
    let tid = "tid00001";
    let body = format!(
        "a\r\n-------tid00002$\r\nb-------{tid}$\r\nc\r\n-------{tid}x\r\nd\r\n-------{tid}$\re\r\n-------{tid}\r\n-------tid0000"
    );
    for mode in [Mode::Strict, Mode::Tolerant] {
        let mut p = ChunkParser::new(Limits::DEFAULT, mode);
        let ev = events(&mut p, &send(tid, "", Some(&body), '+'));
        assert_eq!(
            ev,
            vec![
                E::Head(tid.into()),
                E::Body(body.clone().into_bytes()),
                E::End(Continuation::More, body.len() as u64)
            ],
            "{mode:?}"
        );
    }
}

#[test]
fn bodiless_requests_and_responses() {
    let ev = events(
        &mut strict(),
        &send("tid00001", "Byte-Range: 1-0/0\r\n", None, '$'),
    );
    assert_eq!(
        ev,
        vec![
            E::Head("tid00001".into()),
            E::End(Continuation::Complete, 0)
        ]
    );
    let resp = format!("MSRP tid00001 200 OK\r\n{TO}{FROM}-------tid00001$\r\n");
    let mut p = strict();
    p.feed(resp.as_bytes());
    let Some(Ok(ParseEvent::Head(h))) = p.next() else {
        panic!()
    };
    assert_eq!(
        (h.status_code(), h.comment(), h.has_body()),
        (Some(200), Some("OK"), false)
    );
    // An empty body is not a bodiless request.
    let mut p = strict();
    p.feed(&send("tid00002", "", Some(""), '$'));
    let Some(Ok(ParseEvent::Head(h))) = p.next() else {
        panic!()
    };
    assert!(h.has_body());
    assert!(matches!(
        p.next(),
        Some(Ok(ParseEvent::End(EndLine { body_length: 0, .. })))
    ));
}

#[test]
fn tolerant_mode_accepts_what_real_peers_send() {
    let input = "msrp x1 FILE_OFFSET\nfrom-path:msrp://a.example.com:2855/s2;tcp \nto-path: msrp://b.example.com:2855/s1;tcp\nKeep-Alive: yes\nbyte-range: 1-*/5\nContent-Type: text/plain\n\nhello\n-------x1$\n";
    assert!(
        events(&mut strict(), input.as_bytes())
            .iter()
            .any(|e| matches!(e, E::Err(..)))
    );
    let mut p = tolerant();
    p.feed(input.as_bytes());
    let Some(Ok(ParseEvent::Head(h))) = p.next() else {
        panic!()
    };
    assert_eq!(h.method(), Some(Method::Other));
    assert_eq!(h.method_name(), Some("FILE_OFFSET"));
    assert_eq!(
        h.to_path().unwrap().to_string(),
        "msrp://b.example.com:2855/s1;tcp"
    );
    assert_eq!(h.header("keep-alive").map(|x| x.value), Some(&b"yes"[..]));
    assert_eq!(
        h.byte_range().map(|r| (r.start, r.end, r.total)),
        Some((1, None, Some(5)))
    );
    let quirks: Vec<Quirk> = h.quirks().iter().map(|(q, _)| *q).collect();
    for q in [
        Quirk::LowerCaseMsrp,
        Quirk::NonStandardId,
        Quirk::NonStandardMethod,
        Quirk::BareLf,
        Quirk::HeaderOrder,
        Quirk::HeaderNameCase,
        Quirk::HeaderSpacing,
    ] {
        assert!(quirks.contains(&q), "{q:?} missing from {quirks:?}");
    }
    assert!(matches!(p.next(), Some(Ok(ParseEvent::Body(b))) if &b[..] == b"hello"));
    assert!(matches!(
        p.next(),
        Some(Ok(ParseEvent::End(EndLine {
            bare_lf: true,
            body_length: 5,
            ..
        })))
    ));
}

#[test]
fn decode_works_on_the_callers_buffer() {
    let mut p = strict();
    let mut src = BytesMut::new();
    let input = send("tid00001", "", Some("hello"), '$');
    let mut got = Vec::new();
    for b in &input {
        src.extend_from_slice(&[*b]);
        while let Some(ev) = p.decode(&mut src).unwrap() {
            got.push(ev);
        }
    }
    assert!(matches!(got.first(), Some(ParseEvent::Head(_))));
    assert!(matches!(
        got.last(),
        Some(ParseEvent::End(EndLine { body_length: 5, .. }))
    ));
    let body: Vec<u8> = got
        .iter()
        .filter_map(|e| match e {
            ParseEvent::Body(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(body, b"hello");
    assert!(src.is_empty());
    assert_eq!(p.offset(), input.len() as u64);
}

#[test]
fn dense_near_misses_switch_finders_without_changing_events() {
    // More failed candidates than FULL_FINDER_AFTER, of every kind: another id, a prefix
    // of the id, the id with a bad flag, a bad line end; then the real end-line.
    let tid = "tid00001";
    let unit = format!(
        "\r\n-------tid00002$\r\n\r\n-------tid0000\r\n-------{tid}x\r\n-------{tid}$\re\r\n-------{tid}$x-------\r\n"
    );
    let body = unit.repeat(12);
    let input = [
        send(tid, "", Some(&body), '+'),
        send("tid00003", "", Some(&body), '$'),
    ]
    .concat();
    for mode in [Mode::Strict, Mode::Tolerant] {
        let whole = events(&mut ChunkParser::new(Limits::DEFAULT, mode), &input);
        assert_eq!(
            whole[..3],
            [
                E::Head(tid.into()),
                E::Body(body.clone().into_bytes()),
                E::End(Continuation::More, body.len() as u64)
            ],
            "{mode:?}"
        );
        assert_eq!(whole.len(), 6, "{mode:?}");
        let mut pieces = Vec::new();
        for size in 1..=7 {
            pieces.push(input.chunks(size).map(<[u8]>::to_vec).collect::<Vec<_>>());
        }
        for cut in 0..=input.len() {
            pieces.push(vec![input[..cut].to_vec(), input[cut..].to_vec()]);
        }
        for feeds in pieces {
            let mut p = ChunkParser::new(Limits::DEFAULT, mode);
            let mut got: Vec<E> = Vec::new();
            for f in &feeds {
                for e in events(&mut p, f) {
                    match (got.last_mut(), e) {
                        (Some(E::Body(acc)), E::Body(b)) => acc.extend_from_slice(&b),
                        (_, e) => got.push(e),
                    }
                }
            }
            assert_eq!(got, whole, "{mode:?}");
        }
    }
}

#[test]
fn a_skipped_chunk_ends_where_a_good_one_would() {
    // The body starts with what would be an end-line, were the empty line's CRLF the
    // CRLF before it: it is body, whether the head is good or not.
    let chunk = |to: &str| {
        format!(
            "MSRP t1234 SEND\r\n{to}{FROM}Content-Type: text/plain\r\n\r\n\
             -------t1234$\r\n\r\n-------t1234$\r\n"
        )
        .into_bytes()
    };
    let mut input = chunk(TO);
    input.extend_from_slice(&send("next1", "", None, '$'));
    let good = events(&mut strict(), &input);
    assert_eq!(
        good,
        vec![
            E::Head("t1234".into()),
            E::Body(b"-------t1234$\r\n".to_vec()),
            E::End(Continuation::Complete, 15),
            E::Head("next1".into()),
            E::End(Continuation::Complete, 0),
        ]
    );
    let mut input = chunk("To-Path: not-a-uri\r\n");
    input.extend_from_slice(&send("next1", "", None, '$'));
    let mut p = strict();
    let bad = events(&mut p, &input);
    assert!(
        matches!(&bad[..], [E::Err(ParseErrorKind::InvalidHeader { .. }, _, _), E::Head(t), E::End(..)] if t == "next1"),
        "{bad:?}"
    );
    // What was read of the head, without the empty line.
    assert!(
        p.rejected_head().as_bytes().ends_with(b"text/plain"),
        "{:?}",
        p.rejected_head()
    );
}

#[test]
fn partial_end_lines_are_found_as_a_byte_loop_finds_them() {
    // Every tail of every short buffer over an alphabet dense in end-line bytes, against
    // the first position whose rest is a prefix of the needle.
    for needle in [PREFIX_CRLF, PREFIX_LF] {
        let alphabet = [b'\r', b'\n', b'-', b'x'];
        for len in 0..=12usize {
            for seed in 0..(4usize.pow(len.min(6) as u32)) {
                let mut buf: Vec<u8> = (0..len)
                    .map(|i| alphabet[(seed >> (2 * (i % 6))) & 3])
                    .collect();
                if len > 6 {
                    // Longer buffers: the same pattern, with the needle's opening in the middle.
                    buf[len / 2] = needle[0];
                }
                for tail in len.saturating_sub(needle.len() - 1)..=len + 1 {
                    let want = (tail..len)
                        .find(|&at| buf[at] == needle[0] && needle.starts_with(&buf[at..]))
                        .map(|at| (at, len - at));
                    assert_eq!(
                        partial_end_line(&buf, tail, needle),
                        want,
                        "{buf:?} from {tail}"
                    );
                }
            }
        }
    }
}

#[test]
fn paths_checked_once_give_the_same_answers_every_time() {
    // A valid path is remembered; a quirky one (a numeric host without a port, which
    // tolerant mode lets pass) is reported on every chunk; a bad one is refused every
    // time, even right after the good one it resembles.
    let quirky = "To-Path: msrp://10.0.0.1/s1;tcp\r\n";
    let chunk = |tid: &str, to: &str| {
        format!("MSRP {tid} SEND\r\n{to}{FROM}Message-ID: m1\r\n-------{tid}$\r\n").into_bytes()
    };
    let mut p = tolerant();
    for round in 0..3 {
        for (i, to) in [TO, quirky].into_iter().enumerate() {
            let tid = format!("tid{round}{i}xx");
            p.feed(&chunk(&tid, to));
            let Some(Ok(ParseEvent::Head(h))) = p.next() else {
                panic!("round {round}")
            };
            let flagged = h.quirks().iter().any(|(q, _)| *q == Quirk::HeaderValue);
            assert_eq!(flagged, i == 1, "round {round}, path {i}");
            while let Some(ev) = p.next() {
                ev.unwrap();
            }
        }
        let bad = chunk(
            &format!("bad{round}xxxx"),
            "To-Path: http://b.example.com:2855/s1;tcp\r\n",
        );
        p.feed(&bad);
        let first = p.next();
        assert!(
            matches!(first, Some(Err(ref e)) if e.status_code() == Some(400)),
            "{first:?}"
        );
        while let Some(ev) = p.next() {
            assert!(ev.is_err() || matches!(ev, Ok(ParseEvent::End(_))));
        }
    }
}

#[test]
fn an_empty_path_is_refused_by_a_fresh_parser() {
    // Found by the `chunk` fuzz target: the value cache's empty slots matched an empty
    // value, so a fresh parser took an empty From-Path for a valid one.
    for mut p in [strict(), tolerant()] {
        p.feed(format!("MSRP tid12345 SEND\r\n{TO}From-Path:\r\n-------tid12345$\r\n").as_bytes());
        let first = p.next();
        assert!(
            matches!(&first, Some(Err(e)) if e.status_code() == Some(400)),
            "{first:?}"
        );
    }
}

/// RFC 4975 section 9: `ext-header = hname ":" SP hval`, `hval = utf8text` (HTAB,
/// %x20-7E, UTF-8 beyond ASCII). Strict parsing refuses a deviation in an extension
/// header, naming it and where it is; tolerant parsing takes it and notes it. Fed whole
/// and a byte at a time, so the one-pass reader and the line reader agree.
#[test]
fn extension_headers_follow_the_grammar() {
    let prefix = send("tid00001", "", None, '$');
    let head_start = prefix.len() - "-------tid00001$\r\n".len();
    let cases: [(&[u8], Option<usize>, Option<Quirk>); 9] = [
        (b"X-Ext: fine", None, None),
        (b"X-Ext:  two spaces, tab\tinside ", None, None),
        (b"X-Ext: ", None, None),
        ("X-Ext: h\u{e9}llo \u{1f600}".as_bytes(), None, None),
        (b"X-Ext:nospace", Some(6), Some(Quirk::HeaderSpacing)),
        (b"X-Ext:", Some(6), Some(Quirk::HeaderSpacing)),
        (b"X-Ext: a\x01b", Some(8), Some(Quirk::HeaderValue)),
        (b"X-Ext: del\x7f", Some(10), Some(Quirk::HeaderValue)),
        (
            b"X-Ext: bad\xff\xfeutf8",
            Some(10),
            Some(Quirk::HeaderValue),
        ),
    ];
    for (line, refused_at, quirk) in cases {
        let mut input = prefix[..head_start].to_vec();
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n-------tid00001$\r\n");
        let at = |i: usize| (head_start + i) as u64;
        let whole = events(&mut strict(), &input);
        let mut p = strict();
        let mut bytewise = Vec::new();
        for b in &input {
            bytewise.extend(events(&mut p, core::slice::from_ref(b)));
        }
        assert_eq!(whole, bytewise, "{line:?}");
        match refused_at {
            None => assert_eq!(whole[0], E::Head("tid00001".into()), "{line:?}: {whole:?}"),
            Some(i) => assert!(
                matches!(&whole[0], E::Err(ParseErrorKind::InvalidHeader { header: "extension", .. }, o, _) if *o == at(i)),
                "{line:?}: {whole:?}"
            ),
        }
        let mut t = tolerant();
        t.feed(&input);
        let Some(Ok(ParseEvent::Head(h))) = t.next() else {
            panic!("{line:?}: tolerant parsing takes it")
        };
        let noted: Vec<(Quirk, u64)> = h.quirks().iter().map(|(q, o)| (*q, *o)).collect();
        match (quirk, refused_at) {
            (Some(q), Some(i)) => assert!(noted.contains(&(q, at(i))), "{line:?}: {noted:?}"),
            _ => assert!(noted.is_empty(), "{line:?}: {noted:?}"),
        }
    }
}

/// RFC 4975 section 9: `comment = utf8text` and `qdtext` beyond ASCII are whole UTF-8
/// sequences (`UTF8-NONASCII`), and `utf8text` has no control characters but HTAB.
/// Strict parsing refuses a deviation at the offending byte: fatally in the start line,
/// with 400 in a header field. Tolerant parsing notes it where the meaning is still clear
/// (a response's code, a Status's code and text, a Content-Type) and refuses a Digest
/// parameter that cannot be read as text. Fed whole and a byte at a time, so the
/// one-pass reader and the line reader agree.
#[test]
fn text_in_comments_and_quoted_strings_is_utf8() {
    /// A head; where the offending byte is (`None`: valid); whether strict refusal is
    /// fatal; whether tolerant parsing takes it (noting `HeaderValue` there).
    type Case = (Vec<u8>, Option<usize>, bool, bool);
    let response = |comment: &[u8]| {
        let mut h = b"MSRP d93kswow 200 ".to_vec();
        h.extend_from_slice(comment);
        h.extend_from_slice(format!("\r\n{TO}{FROM}-------d93kswow$\r\n").as_bytes());
        h
    };
    // A head with `line` after From-Path, and where the bad byte is: after `before`.
    let with_header = |method: &str, before: &str, bad: &[u8], after: &str| {
        let mut h = format!("MSRP tid00001 {method}\r\n{TO}{FROM}{before}").into_bytes();
        let at = h.len();
        h.extend_from_slice(bad);
        h.extend_from_slice(after.as_bytes());
        if method == "SEND" {
            h.extend_from_slice(b"\r\n\r\nhi\r\n-------tid00001$\r\n");
        } else {
            h.extend_from_slice(b"\r\n-------tid00001$\r\n");
        }
        (h, at)
    };
    let status = |bad: &[u8]| with_header("REPORT", "Status: 000 200 O", bad, "K");
    let content_type =
        |bad: &[u8]| with_header("SEND", "Content-Type: text/plain;name=\"caf", bad, "\"");
    let realm = |bad: &[u8]| {
        let after = "mple.com\", qop=\"auth\", nonce=\"n\"";
        with_header(
            "AUTH",
            "WWW-Authenticate: Digest realm=\"intra.ex",
            bad,
            after,
        )
    };
    let mut cases: Vec<Case> = vec![
        (response(b"O\xc9"), Some(19), true, true),
        (response("R\u{e9}ussi".as_bytes()), None, false, true),
    ];
    for (bad, ok) in [
        (&b"\x01"[..], false),
        (b"\x7f", false),
        (b"\t", true),
        ("\u{e9}".as_bytes(), true),
    ] {
        let (h, at) = status(bad);
        cases.push((h, (!ok).then_some(at), false, true));
    }
    for (bad, ok) in [(&b"\xe9"[..], false), ("\u{e9}".as_bytes(), true)] {
        let (h, at) = content_type(bad);
        cases.push((h, (!ok).then_some(at), false, true));
    }
    for (bad, ok) in [
        (&b"\xe9"[..], false),
        (b"\x80", false),
        ("\u{e9}".as_bytes(), true),
    ] {
        let (h, at) = realm(bad);
        cases.push((h, (!ok).then_some(at), false, false));
    }
    for (n, (input, at, fatal, tolerated)) in cases.iter().enumerate() {
        let whole = events(&mut strict(), input);
        let mut p = strict();
        let mut bytewise = Vec::new();
        for b in input {
            bytewise.extend(events(&mut p, core::slice::from_ref(b)));
        }
        assert_eq!(whole, bytewise, "case {n}");
        let Some(at) = at else {
            for mut p in [strict(), tolerant()] {
                p.feed(input);
                let Some(Ok(ParseEvent::Head(h))) = p.next() else {
                    panic!("case {n}: valid")
                };
                assert!(h.quirks().is_empty(), "case {n}");
            }
            continue;
        };
        let at = *at as u64;
        let mut p = strict();
        p.feed(input);
        let e = p.next().unwrap().unwrap_err();
        assert_eq!((e.offset(), e.is_fatal()), (at, *fatal), "case {n}: {e}");
        if !fatal {
            assert!(matches!(e.kind(), ParseErrorKind::InvalidHeader { .. }));
            assert_eq!(e.status_code(), Some(400), "case {n}");
        }
        let mut t = tolerant();
        t.feed(input);
        match t.next() {
            Some(Ok(ParseEvent::Head(h))) if *tolerated => {
                assert_eq!(h.quirks(), [(Quirk::HeaderValue, at)], "case {n}");
            }
            Some(Err(e)) if !tolerated => {
                assert_eq!(
                    (e.offset(), e.status_code()),
                    (at, Some(400)),
                    "case {n}: {e}"
                );
            }
            other => panic!("case {n}: {other:?}"),
        }
    }
    // What tolerant parsing hands on: the code without a comment, the Status's text.
    let mut t = tolerant();
    t.feed(&cases[0].0);
    let Some(Ok(ParseEvent::Head(h))) = t.next() else {
        panic!()
    };
    assert_eq!((h.status_code(), h.comment()), (Some(200), None));
    let mut t = tolerant();
    t.feed(&cases[2].0);
    let Some(Ok(ParseEvent::Head(h))) = t.next() else {
        panic!()
    };
    let s = h.status().unwrap();
    assert_eq!((s.code, s.comment), (200, Some("O\u{1}K")));
}
