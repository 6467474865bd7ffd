//! Parses one small chunk in a loop, for profilers (`valgrind --tool=callgrind`).
//! `head_loop [N] [response|report] [decode|head|reader] [framing]`: N chunks (default
//! 100 000) of the small SEND, or of the 200 response or the REPORT, through `feed`/`next`
//! (default), `decode` on a fresh buffer each, `head`: the head's bytes fed and the head
//! taken in `head_only` (for `valgrind --tool=callgrind --toggle-collect='*head_only*'`),
//! the rest of the chunk after it, or `reader`: the head read in place by a `HeadReader`;
//! with `Validation::Full` (default) or `Framing`.
#![allow(clippy::expect_used)]
use bytes::BytesMut;
use msrp_proto::wire::{ChunkParser, HeadReader, ParseError, ParseEvent, Validation};
use msrp_proto::{Limits, Mode};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |w: &str| args.iter().any(|a| a == w);
    let msg = if has("response") {
        msrp_benches::RESPONSE_200.to_vec()
    } else if has("report") {
        msrp_benches::REPORT.to_vec()
    } else {
        msrp_benches::small_send()
    };
    let validation = if has("framing") {
        Validation::Framing
    } else {
        Validation::Full
    };
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Strict).with_validation(validation);
    let mut events = 0;
    // Where the head ends: after the empty line, or the whole bodiless chunk.
    let head_len = msg
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(msg.len(), |i| i + 4);
    let mut reader = HeadReader::new(Limits::DEFAULT, Mode::Strict).with_validation(validation);
    // Decided once, so that the loop measures the parser only.
    let (reading, head, decode) = (has("reader"), has("head"), has("decode"));
    for _ in 0..n {
        if reading {
            let read = reader.read(std::hint::black_box(&msg)).expect("valid");
            std::hint::black_box(&read.expect("complete"));
            events += 1;
        } else if head {
            let ev = head_only(&mut p, &msg[..head_len]);
            std::hint::black_box(&ev.expect("a head").expect("valid"));
            p.feed(&msg[head_len..]);
            while let Some(ev) = p.next() {
                std::hint::black_box(&ev.expect("valid"));
                events += 1;
            }
        } else if decode {
            // A fresh caller buffer per chunk (one allocation each).
            let mut buf = BytesMut::from(&msg[..]);
            while let Some(ev) = p.decode(&mut buf).expect("valid") {
                std::hint::black_box(&ev);
                events += 1;
            }
        } else {
            // The parser's own buffer, reused (no allocation in steady state).
            p.feed(&msg);
            while let Some(ev) = p.next() {
                std::hint::black_box(&ev.expect("valid"));
                events += 1;
            }
        }
    }
    std::hint::black_box(events);
}

/// Feeds a head and returns the event it gives.
#[inline(never)]
fn head_only(p: &mut ChunkParser, head: &[u8]) -> Option<Result<ParseEvent, ParseError>> {
    p.feed(head);
    p.next()
}
