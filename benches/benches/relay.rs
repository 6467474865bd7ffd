//! The relay engine in memory (no sockets): chunks from one connection forwarded to
//! another, as `msrp relay` does under `relay_load`. Each iteration feeds a batch of SEND
//! chunks (`Failure-Report: no`) read from the sender and takes everything the engine has
//! to write to the receiver, so the figure is the engine's cost per relayed chunk: parse,
//! route, rewrite the paths, queue, and transmit.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // criterion harness

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_benches::relay::{batch, forward, relay};
use std::hint::black_box;

fn relay_forward(c: &mut Criterion) {
    let mut g = c.benchmark_group("relay_forward");
    for (name, n, body) in [("100b", 64, 100), ("8kib", 16, 8192), ("1mib", 1, 1 << 20)] {
        let input = batch(n, body);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(name, |b| {
            let mut relay = relay();
            let mut out = BytesMut::with_capacity(256 * 1024);
            b.iter(|| black_box(forward(&mut relay, &input, &mut out)));
            assert_eq!(relay.buffered_bytes(), 0, "everything was forwarded");
        });
    }
    g.finish();
}

criterion_group!(benches, relay_forward);
criterion_main!(benches);
