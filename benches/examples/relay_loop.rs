//! The relay engine forwarding small chunks in memory, for profilers
//! (`valgrind --tool=callgrind target/release/examples/relay_loop 200`): `relay_loop [N]
//! [BODY]`, N batches (default 2000) of 64 SEND chunks of BODY bytes (default 100) from
//! one connection to another, as `benches/relay.rs` measures.
use bytes::BytesMut;
use msrp_benches::relay::{batch, forward, relay};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<usize>().ok());
    let n = args.next().unwrap_or(2000);
    let body = args.next().unwrap_or(100);
    let input = batch(64, body);
    let mut relay = relay();
    let mut out = BytesMut::with_capacity(256 * 1024);
    let mut written = 0;
    for _ in 0..n {
        written += forward(&mut relay, &input, &mut out);
    }
    println!("{n} batches of 64 chunks, {written} bytes written to bob");
}
