//! A streamed 16 MiB message through one `Connection` at a time, as `msrp demo` moves
//! its file: the sender side (`send_stream`, 64 KiB writes, vectored transmits: chunk
//! heads, the end-line scan of the body, scheduling) and the receiver side (the same
//! message as 1 MiB chunks on the wire, fed in 64 KiB reads: parsing, routing, the
//! streamed `MessageData` events and the 200s).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // criterion harness

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_benches::session::{Rng, pair};
use msrp_proto::Instant;
use msrp_proto::chunking::{ChunkPolicy, Chunker, ReportPrefs};
use msrp_proto::connection::{Connection, Event};
use msrp_proto::link::Transmit;
use msrp_proto::uri::Path;
use msrp_proto::wire::TransactionId;
use std::hint::black_box;

const SIZE: usize = 16 << 20;
const WRITE: usize = 64 << 10;
const READ: usize = 64 << 10;

/// Pseudo-random bytes (xorshift), as the demo's file.
fn body() -> Bytes {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut v = Vec::with_capacity(SIZE);
    while v.len() < SIZE {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(SIZE);
    v.into()
}

/// The message as 1 MiB chunks from Alice to Bob of `session::pair`, each with its
/// end-line, written with a `Chunker` (so the bytes do not depend on the connection's
/// scheduling).
fn wire(body: &Bytes) -> Vec<u8> {
    let to: Path = "msrp://b.example.com:2/sb;tcp".parse().unwrap();
    let from: Path = "msrp://a.example.com:1/sa;tcp".parse().unwrap();
    let (to_text, from_text) = (to.to_string(), from.to_string());
    let mut c = Chunker::new(
        "m1234567",
        "application/octet-stream",
        body.clone(),
        ChunkPolicy::Fixed(1 << 20),
        ReportPrefs::default(),
    );
    let mut out = BytesMut::new();
    let mut n = 0;
    while !c.is_done() {
        let tid = TransactionId::new(format!("tid{n:08}").as_bytes()).unwrap();
        c.begin_into(tid, &to_text, &from_text, &mut out);
        while let Some(p) = c.take(usize::MAX) {
            out.extend_from_slice(&p);
        }
        let flag = c.end();
        out.extend_from_slice(b"\r\n-------");
        out.extend_from_slice(tid.as_bytes());
        out.extend_from_slice(&[flag.as_byte(), b'\r', b'\n']);
        n += 1;
    }
    out.to_vec()
}

/// Takes Bob's events; returns the message bytes they carried.
fn data_bytes(bob: &mut Connection<Rng>) -> usize {
    let mut got = 0;
    while let Some(e) = bob.poll_event() {
        if let Event::MessageData { data, .. } = e {
            got += data.len();
        }
    }
    got
}

fn stream(c: &mut Criterion) {
    let body = body();
    let mut g = c.benchmark_group("stream_16mib");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.sample_size(20);

    g.bench_function("send_64kib_writes", |b| {
        let mut t = Transmit::new();
        b.iter(|| {
            let (mut a, s, _bob) = pair();
            let m = a
                .send_stream(
                    Instant::ZERO,
                    s,
                    "application/octet-stream",
                    Some(SIZE as u64),
                    ReportPrefs::default(),
                )
                .unwrap();
            for at in (0..SIZE).step_by(WRITE) {
                a.write(Instant::ZERO, m, body.slice(at..at + WRITE))
                    .unwrap();
            }
            a.finish(Instant::ZERO, m).unwrap();
            let mut sent = 0;
            loop {
                t.clear();
                let Some(n) = a.poll_transmit_vectored(Instant::ZERO, &mut t) else {
                    break;
                };
                sent += n;
                black_box(t.parts());
            }
            assert!(sent > SIZE);
        })
    });

    let wire = wire(&body);
    // Each 64 KiB piece is first copied into a read buffer, as a socket read would.
    g.bench_function("receive_64kib_reads", |b| {
        let mut rbuf = vec![0u8; READ];
        b.iter(|| {
            let (_a, _, mut bob) = pair();
            let mut got = 0;
            for piece in wire.chunks(READ) {
                rbuf[..piece.len()].copy_from_slice(piece);
                bob.handle_input(Instant::ZERO, &rbuf[..piece.len()]);
                got += data_bytes(&mut bob);
            }
            assert_eq!(got, SIZE);
        })
    });
    g.bench_function("receive_64kib_reads_in_place", |b| {
        let mut rbuf = BytesMut::with_capacity(2 * READ);
        b.iter(|| {
            let (_a, _, mut bob) = pair();
            let mut got = 0;
            for piece in wire.chunks(READ) {
                rbuf.reserve(READ);
                rbuf.extend_from_slice(piece);
                bob.handle_input_buf(Instant::ZERO, &mut rbuf);
                got += data_bytes(&mut bob);
            }
            assert_eq!(got, SIZE);
            rbuf.clear();
        })
    });
    g.finish();
}

criterion_group!(benches, stream);
criterion_main!(benches);
