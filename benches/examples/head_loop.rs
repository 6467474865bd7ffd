//! Parses the small SEND in a loop, for profilers (`valgrind --tool=callgrind`).
#![allow(clippy::expect_used)]
use bytes::BytesMut;
use msrp_proto::wire::ChunkParser;

fn main() {
    let msg = msrp_benches::small_send();
    let mut p = ChunkParser::default();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut events = 0;
    for _ in 0..n {
        let mut buf = BytesMut::from(&msg[..]);
        while let Some(ev) = p.decode(&mut buf).expect("valid") {
            std::hint::black_box(&ev);
            events += 1;
        }
    }
    std::hint::black_box(events);
}
