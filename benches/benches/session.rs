//! Two in-memory connections (no sockets): a 256 MiB message against memcpy of the same
//! bytes (transmits vectored, and copied into one buffer), and 1 KiB text messages with
//! their responses.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // criterion harness

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_benches::session::{Write, pair, run, run_with};
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use std::hint::black_box;

fn session(c: &mut Criterion) {
    const SIZE: usize = 256 << 20;
    let body: Bytes = (0..SIZE)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<u8>>()
        .into();
    let mut g = c.benchmark_group("transfer_256mib");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.sample_size(10);
    g.bench_function("memcpy_baseline", |b| {
        let mut dst = vec![0u8; SIZE];
        b.iter(|| {
            dst.copy_from_slice(black_box(&body));
            black_box(&dst);
        })
    });
    for (name, how) in [
        ("two_connections", Write::Vectored),
        ("two_connections_copied", Write::Copied),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let (mut a, s, mut bob) = pair();
                let body = body.clone();
                a.send(
                    Instant::ZERO,
                    s,
                    "application/octet-stream",
                    body,
                    ReportPrefs::default(),
                )
                .unwrap();
                let (got, _) = run_with(&mut a, &mut bob, how);
                assert_eq!(got, SIZE as u64);
            })
        });
    }
    g.finish();

    const N: usize = 1000;
    let text = Bytes::from(vec![b't'; 1024]);
    let mut g = c.benchmark_group("text_1kib");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("messages_with_responses", |b| {
        b.iter(|| {
            let (mut a, s, mut bob) = pair();
            for _ in 0..N {
                a.send(
                    Instant::ZERO,
                    s,
                    "text/plain",
                    text.clone(),
                    ReportPrefs::default(),
                )
                .unwrap();
            }
            let (got, _) = run(&mut a, &mut bob);
            assert_eq!(got, (N * 1024) as u64);
        })
    });
    g.finish();
}

criterion_group!(benches, session);
criterion_main!(benches);
