//! Feeds one 1 MiB chunk in pieces, in a loop, for profilers (`valgrind --tool=callgrind`).
//! `feed_loop [N] [PIECE]`: N times, in pieces of PIECE bytes (default 1460; 0 = whole).
#![allow(clippy::expect_used)]
use msrp_proto::wire::{ChunkParser, ParseEvent};

fn main() {
    let one = msrp_benches::big_chunks(1, 1024 * 1024, msrp_benches::random_byte);
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let piece = match args.next().and_then(|a| a.parse().ok()).unwrap_or(1460) {
        0 => one.len(),
        p => p,
    };
    let mut p = ChunkParser::default();
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
