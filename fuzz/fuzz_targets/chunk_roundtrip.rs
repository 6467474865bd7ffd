//! An arbitrary chunk value is serialized, parsed back, and compared.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use msrp_fuzz::{Ev, run};
use msrp_proto::uri::Path;
use msrp_proto::wire::{Chunk, Continuation, TransactionId};
use msrp_proto::{Limits, Mode};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    tid: Vec<u8>,
    method: u8,
    to: Path,
    from: Path,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    flag: u8,
    seed: u64,
}

fuzz_target!(|input: Input| {
    let Some(tid) = TransactionId::new(&input.tid) else {
        return;
    };
    let method = ["SEND", "REPORT", "AUTH", "NICKNAME", "FOO"][usize::from(input.method % 5)];
    let flag = [
        Continuation::Complete,
        Continuation::More,
        Continuation::Aborted,
    ][usize::from(input.flag % 3)];
    let mut c = Chunk::request(method, tid, input.to, input.from).continuation(flag);
    for (n, v) in &input.headers {
        c = c.header(n, v);
    }
    if let Some(b) = input.body {
        c = c.body("application/octet-stream", Bytes::from(b));
    }
    let mut state = input.seed;
    if c.end_line_collides() {
        c.choose_transaction_id(&mut |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *b = (state >> 56) as u8;
            }
        });
    }
    let mut out = BytesMut::new();
    if c.encode(&mut out).is_err() {
        assert!(
            out.is_empty(),
            "nothing is written for a chunk that cannot be sent"
        );
        return;
    }
    // A REPORT echoes a Message-ID as received, which may be one only tolerant parsing
    // takes (too short or too long an ident); everything else is written strictly.
    let echoed = method == "REPORT"
        && c.headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("Message-ID")
                && !TransactionId::new(v.as_bytes()).is_some_and(|t| t.is_strictly_valid())
        });
    let mode = if echoed { Mode::Tolerant } else { Mode::Strict };
    let events = run(mode, &[&out]);
    // The serializer has no header limits (the RFC sets none); the parser's default limits
    // may refuse what it wrote, and must do so with an error.
    let limits = Limits::DEFAULT;
    let mut head = BytesMut::new();
    let _ = c.encode_head(&mut head);
    let fields = 2 + c.headers.len() + c.mime_headers.len() + usize::from(c.content_type.is_some());
    if fields > limits.max_headers || head.len() > limits.max_head_bytes {
        assert!(
            matches!(events.first(), Some(Ev::Err(_))),
            "limits not enforced: {events:?}"
        );
        return;
    }
    let (head, body, end) = match &events[..] {
        [Ev::Head(h), Ev::Body(b), Ev::End(e)] => (h, b.clone(), e),
        [Ev::Head(h), Ev::End(e)] => (h, Vec::new(), e),
        other => panic!("a serialized chunk did not parse back: {other:?}\n{out:?}"),
    };
    assert_eq!(head.transaction_id(), c.tid);
    assert_eq!(head.method_name(), Some(method));
    assert_eq!(head.to_path().ok().as_ref(), Some(&c.to_path));
    assert_eq!(head.from_path().ok().as_ref(), Some(&c.from_path));
    let got: Vec<(&str, &[u8])> = head.headers().skip(2).map(|h| (h.name, h.value)).collect();
    let mut want: Vec<(&str, &[u8])> = c
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    if let Some(ct) = &c.content_type {
        want.push(("Content-Type", ct.as_bytes()));
    }
    assert_eq!(got, want);
    assert_eq!(&body[..], c.body.as_deref().unwrap_or_default());
    assert_eq!(end.continuation, flag);
});
