//! Parses the small SEND in a loop, for profilers (`valgrind --tool=callgrind`).
//! `head_loop [N] [decode|response|report]`: N chunks through `feed`/`next` (default) or
//! `decode`; `response` and `report` parse the 200 response or the REPORT instead.
#![allow(clippy::expect_used)]
use bytes::BytesMut;
use msrp_proto::wire::ChunkParser;

fn main() {
    let msg = match std::env::args().nth(2).as_deref() {
        Some("response") => msrp_benches::RESPONSE_200.to_vec(),
        Some("report") => msrp_benches::REPORT.to_vec(),
        _ => msrp_benches::small_send(),
    };
    let mut p = ChunkParser::default();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut events = 0;
    let copy = std::env::args().nth(2).is_some_and(|a| a == "decode");
    for _ in 0..n {
        if copy {
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
