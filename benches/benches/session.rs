//! Two in-memory connections (no sockets): a 256 MiB message against memcpy of the same
//! bytes, and 1 KiB text messages with their responses.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // criterion harness

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig, SessionId};
use msrp_proto::uri::{Path, Uri};
use msrp_proto::wire::RandomSource;
use std::hint::black_box;

struct Rng(u64);

impl RandomSource for Rng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 24) as u8;
        }
    }
}

fn pair() -> (Connection<Rng>, SessionId, Connection<Rng>) {
    let a_uri: Uri = "msrp://a.example.com:1/sa;tcp".parse().unwrap();
    let b_uri: Uri = "msrp://b.example.com:2/sb;tcp".parse().unwrap();
    let cfg = |local: &Uri, peer: &Uri| SessionConfig::new(local.clone(), Path::new(peer.clone()));
    let config = ConnectionConfig::default().max_queued_bytes(1 << 30);
    let mut a = Connection::new(config, Rng(1), Instant::ZERO);
    let mut b = Connection::new(config, Rng(2), Instant::ZERO);
    let s = a.add_session(cfg(&a_uri, &b_uri));
    b.add_session(cfg(&b_uri, &a_uri));
    (a, s, b)
}

/// Pumps both ways until quiet, one reused transmit buffer per side; returns body bytes B
/// received and A's events seen.
fn run(a: &mut Connection<Rng>, b: &mut Connection<Rng>) -> (u64, usize) {
    let (mut bytes, mut a_events) = (0, 0);
    let mut buf = BytesMut::with_capacity(128 * 1024);
    loop {
        let mut progress = false;
        loop {
            buf.clear();
            if a.poll_transmit(Instant::ZERO, &mut buf).is_none() {
                break;
            }
            progress = true;
            b.handle_input(Instant::ZERO, &buf);
        }
        while a.poll_event().is_some() {
            a_events += 1;
        }
        loop {
            buf.clear();
            if b.poll_transmit(Instant::ZERO, &mut buf).is_none() {
                break;
            }
            progress = true;
            a.handle_input(Instant::ZERO, &buf);
        }
        while let Some(e) = b.poll_event() {
            match e {
                Event::MessageData { data, .. } => bytes += data.len() as u64,
                Event::MessageReceived { body, .. } => bytes += body.len() as u64,
                _ => {}
            }
        }
        if !progress {
            return (bytes, a_events);
        }
    }
}

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
    g.bench_function("two_connections", |b| {
        b.iter(|| {
            let (mut a, s, mut bob) = pair();
            a.send(
                Instant::ZERO,
                s,
                "application/octet-stream",
                body.clone(),
                ReportPrefs::default(),
            )
            .unwrap();
            let (got, _) = run(&mut a, &mut bob);
            assert_eq!(got, SIZE as u64);
        })
    });
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
