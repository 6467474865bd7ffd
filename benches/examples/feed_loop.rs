//! Feeds one 1 MiB chunk in pieces, in a loop, for profilers (`valgrind --tool=callgrind`).
//! `feed_loop [N] [PIECE] [MIN_BODY_PIECE]`: N times, in pieces of PIECE bytes (default 1460;
//! 0 = whole), with `Limits::min_body_piece` set to MIN_BODY_PIECE (default: the default).
#![allow(clippy::expect_used)]
use msrp_proto::Limits;
use msrp_proto::wire::{ChunkParser, ParseEvent};
use msrp_uri::Mode;

fn main() {
    let one = msrp_benches::big_chunks(1, 1024 * 1024, msrp_benches::random_byte);
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let piece = match args.next().and_then(|a| a.parse().ok()).unwrap_or(1460) {
        0 => one.len(),
        p => p,
    };
    let mut limits = Limits::DEFAULT;
    if let Some(min) = args.next().and_then(|a| a.parse().ok()) {
        limits.min_body_piece = min;
    }
    let mut p = ChunkParser::new(limits, Mode::Strict);
    let mut body = 0;
    for _ in 0..n {
        for part in one.chunks(piece) {
            p.feed(part);
            while let Some(ev) = p.next() {
                if let ParseEvent::Body(b) = ev.expect("valid") {
                    body += b.len();
                }
            }
        }
    }
    std::hint::black_box(body);
}
