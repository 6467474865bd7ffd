//! Writes one chunk of every kind the serializer builds (SEND whole, interruptible and
//! aborted, bodiless SEND, the responses of RFC 4975 section 10, success and failure
//! REPORTs, AUTH with Digest and its 401 and 200, NICKNAME) to a file, after checking that
//! our own strict parser reads each back with no error and no RFC violation. Other
//! implementations can then decode the file (`scripts/interop-tshark.sh` does, with
//! tshark).
//!
//! `cargo run -p msrp-proto --example wire_samples -- OUT.msrp`: prints how many frames.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic
)] // an example

use bytes::{Bytes, BytesMut};
use msrp_proto::report::ReportTarget;
use msrp_proto::uri::Path;
use msrp_proto::wire::{
    Chunk, ChunkParser, Continuation, ParseEvent, ReportRequest, TransactionId, violations,
};
use msrp_proto::{Limits, Mode};

fn tid(n: u32) -> TransactionId {
    TransactionId::new(format!("sample{n:04}").as_bytes()).unwrap()
}

fn path(s: &str) -> Path {
    s.parse().unwrap()
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: wire_samples OUT.msrp");
    let alice = path("msrp://alice.example.com:7777/iau39soe2843z;tcp");
    let bob = path("msrp://bob.example.com:8888/9di4eae923wzd;tcp");
    let relay = path("msrp://relay.example.net:2855;tcp");
    let text = |s: &'static str| Bytes::from_static(s.as_bytes());

    let send = Chunk::send(tid(1), bob.clone(), alice.clone())
        .message_id("msg00001")
        .success_report(true)
        .failure_report(ReportRequest::Partial)
        .byte_range(1, Some(13), Some(13))
        .mime_header("Content-Disposition", "inline")
        .body("text/plain", text("Hello, world!"));
    let first = Chunk::send(tid(2), bob.clone(), alice.clone())
        .message_id("msg00002")
        .byte_range(1, None, Some(40))
        .body("text/plain", text("the first part of a long message, "))
        .continuation(Continuation::More);
    let aborted = Chunk::send(tid(3), bob.clone(), alice.clone())
        .message_id("msg00002")
        .byte_range(35, None, Some(40))
        .body("text/plain", text("then"))
        .continuation(Continuation::Aborted);
    let bodiless = Chunk::send(tid(4), bob.clone(), alice.clone())
        .message_id("msg00003")
        .byte_range(1, Some(0), Some(0));
    let mut chunks = vec![send, first, aborted, bodiless];

    // Responses to the first SEND, as its receiver writes them.
    let mut parser = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
    let mut encoded = BytesMut::new();
    chunks[0].encode(&mut encoded).unwrap();
    parser.feed(&encoded);
    let Some(Ok(ParseEvent::Head(head))) = parser.next() else {
        panic!("our SEND does not parse")
    };
    let me = bob.first().unwrap().clone();
    for (code, comment) in [
        (200, "OK"),
        (400, "Bad Request"),
        (403, "Forbidden"),
        (408, "Timeout"),
        (413, "Too Large"),
        (415, "Unsupported Media Type"),
        (423, "Interval Out Of Bounds"),
        (481, "Session Does Not Exist"),
        (501, "Not Implemented"),
        (506, "Session Already Bound"),
    ] {
        chunks.push(Chunk::response_to(&head, me.clone(), code, Some(comment)).unwrap());
    }
    let target = ReportTarget::from_request(&head).unwrap();
    chunks.push(target.report(tid(5), me.clone(), 200, Some("OK"), (1, 13, Some(13))));
    chunks.push(target.report(
        tid(6),
        me.clone(),
        413,
        Some("Too Large"),
        (1, 13, Some(13)),
    ));

    // A client and its relay (RFC 4976 section 5.1), and a chat room nickname (RFC 7701).
    let auth = Chunk::auth(tid(7), relay.clone(), alice.clone()).header("Expires", "900");
    let challenge = Chunk::response(tid(7), alice.clone(), relay.clone(), 401, Some("Unauthorized"))
        .header(
            "WWW-Authenticate",
            "Digest realm=\"relay.example.net\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", qop=\"auth\"",
        );
    let authorized = Chunk::auth(tid(8), relay.clone(), alice.clone()).header(
        "Authorization",
        "Digest username=\"alice\", realm=\"relay.example.net\", \
nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"msrp://relay.example.net:2855;tcp\", \
qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\"",
    );
    let granted = Chunk::response(tid(8), alice.clone(), relay.clone(), 200, Some("OK"))
        .header("Use-Path", "msrp://relay.example.net:2855/jui787s2f;tcp")
        .header("Expires", "900");
    let nickname = Chunk::nickname(
        tid(9),
        path("msrp://chat.example.com:12763/kjhd37s2s20w2a;tcp"),
        alice.clone(),
        "Alice",
    );
    chunks.extend([auth, challenge, authorized, granted, nickname]);

    // Our own strict parser must read each back as it was built.
    let mut bytes = BytesMut::new();
    for c in &chunks {
        c.encode(&mut bytes).unwrap();
    }
    let mut check = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
    check.feed(&bytes);
    let mut frames = 0;
    let mut head = None;
    while let Some(ev) = check.next() {
        match ev.expect("our own chunks parse strictly") {
            ParseEvent::Head(h) => head = Some(h),
            ParseEvent::Body(_) => {}
            ParseEvent::End(end) => {
                let h = head.take().unwrap();
                assert!(h.quirks().is_empty(), "{:?}", h.quirks());
                assert!(
                    violations(&h, Some(&end)).is_empty(),
                    "{:?}",
                    violations(&h, Some(&end))
                );
                frames += 1;
            }
        }
    }
    assert_eq!(frames, chunks.len());
    std::fs::write(&out, &bytes).unwrap();
    println!("{frames}");
}
