//! The relay engine in memory (no sockets): chunks from one connection forwarded to
//! another, as `msrp relay` does under `relay_load`. Each iteration feeds a batch of SEND
//! chunks (`Failure-Report: no`) read from the sender and takes everything the engine has
//! to write to the receiver, so the figure is the engine's cost per relayed chunk: parse,
//! route, rewrite the paths, queue, and transmit.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // criterion harness

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_proto::Instant;
use msrp_proto::relay::{ConnId, PeerInfo, Relay, RelayConfig};
use msrp_proto::testing::TestRng;
use msrp_uri::Uri;
use std::hint::black_box;

const RELAY: &str = "msrp://relay.example.com:2855;tcp";
const BOB: &str = "msrp://bob.example.com:8145/bob1;tcp";

fn no_users(_: &str, _: &str) -> Option<String> {
    None
}

/// `n` SEND chunks of `body` bytes from carol to bob through the relay.
fn batch(n: usize, body: usize) -> Vec<u8> {
    let mut all = Vec::new();
    let data = vec![b'x'; body];
    for i in 0..n {
        all.extend_from_slice(
            format!(
                "MSRP t{i:012} SEND\r\nTo-Path: {RELAY} {BOB}\r\n\
                 From-Path: msrp://carol.example.com:7000/c1;tcp\r\nMessage-ID: m{i:012}\r\n\
                 Failure-Report: no\r\nByte-Range: 1-{body}/{body}\r\nContent-Type: text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        all.extend_from_slice(&data);
        all.extend_from_slice(format!("\r\n-------t{i:012}$\r\n").as_bytes());
    }
    all
}

fn relay(c: &mut Criterion) {
    let mut g = c.benchmark_group("relay_forward");
    for (name, n, body) in [("100b", 64, 100), ("8kib", 16, 8192), ("1mib", 1, 1 << 20)] {
        let input = batch(n, body);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(name, |b| {
            let mut cfg = RelayConfig::new(Uri::parse(RELAY).unwrap(), "relay.example.com");
            cfg.require_auth = false;
            cfg.max_queued_bytes = 4 << 20;
            let mut relay = Relay::new(cfg, TestRng::new(7), no_users, Instant::ZERO);
            let (sender, bob) = (ConnId(1), ConnId(2));
            relay
                .connection_opened(Instant::ZERO, sender, PeerInfo::new())
                .unwrap();
            relay
                .connection_opened(
                    Instant::ZERO,
                    bob,
                    PeerInfo::new().remote("bob.example.com", 8145),
                )
                .unwrap();
            let mut out = BytesMut::with_capacity(256 * 1024);
            b.iter(|| {
                // Read as a driver reads: 64 KiB at a time.
                for piece in input.chunks(64 * 1024) {
                    relay.handle_input(Instant::ZERO, sender, piece);
                    while relay
                        .poll_transmit_conn(Instant::ZERO, bob, &mut out)
                        .is_some()
                    {
                        black_box(&out);
                        out.clear();
                    }
                }
                while relay.poll_event().is_some() {}
                while relay.poll_ready().is_some() {}
            });
            assert_eq!(relay.buffered_bytes(), 0, "everything was forwarded");
        });
    }
    g.finish();
}

criterion_group!(benches, relay);
criterion_main!(benches);
