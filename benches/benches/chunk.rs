//! Chunk parsing: streaming 1 MiB bodies against a raw memmem scan, near-miss bodies,
//! small heads against httparse, and split feeding.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // criterion harness

use bytes::BytesMut;
use criterion::{BatchSize, Bencher, Criterion, Throughput, criterion_group, criterion_main};
use memchr::memmem::Finder;
use msrp_benches::*;
use msrp_proto::wire::{ChunkParser, HeadReader, ParseEvent, Validation};
use msrp_proto::{Limits, Mode};
use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};

const MIB: usize = 1024 * 1024;

/// Parses all of `buf` with `decode` (zero-copy); returns the body bytes seen, and the
/// emptied buffer, for the next iteration to reuse (untimed).
fn parse_all(parser: &mut ChunkParser, mut buf: BytesMut) -> (usize, BytesMut) {
    let mut body = 0;
    while let Some(ev) = parser.decode(&mut buf).expect("valid") {
        if let ParseEvent::Body(b) = ev {
            body += b.len();
        }
    }
    (body, buf)
}

/// Feeds `data` in pieces of `piece` bytes; returns the body bytes seen.
fn feed_pieces(parser: &mut ChunkParser, data: &[u8], piece: usize) -> usize {
    let mut body = 0;
    for p in data.chunks(piece) {
        parser.feed(p);
        while let Some(ev) = parser.next() {
            if let ParseEvent::Body(b) = ev.expect("valid") {
                body += b.len();
            }
        }
    }
    body
}

/// Times [`parse_all`] over a copy of `data` made before each timed call, in one buffer
/// reused across iterations as a connection reuses its read buffer. The bytes are then
/// parsed from memory that is mapped and warm, as the memmem baseline's are: a fresh
/// 8 MiB buffer per iteration (`iter_batched`) put first-touch costs of new pages into
/// the timed part that the baseline does not pay.
fn time_decode(b: &mut Bencher<'_>, data: &[u8]) {
    let mut p = ChunkParser::default();
    let mut buf = BytesMut::with_capacity(data.len());
    let home = buf.as_ptr();
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            buf.clear();
            buf.extend_from_slice(data);
            assert_eq!(buf.as_ptr(), home, "the buffer is reused, not reallocated");
            let start = Instant::now();
            let (body, rest) = parse_all(&mut p, std::mem::take(&mut buf));
            total += start.elapsed();
            black_box(body);
            buf = rest;
        }
        total
    })
}

fn streams(c: &mut Criterion) {
    let random = big_chunks(8, MIB, random_byte);
    let near = big_chunks(8, MIB, near_miss_byte);
    let hyphens = big_chunks(8, MIB, hyphens_byte);
    let finder = Finder::new(b"\r\n-------");
    let mut g = c.benchmark_group("stream_1mib_chunks");
    g.throughput(Throughput::Bytes(random.len() as u64));
    g.sample_size(30);
    g.bench_function("memmem_baseline", |b| {
        b.iter(|| finder.find_iter(black_box(&random)).count())
    });
    g.bench_function("parse_random_body", |b| time_decode(b, &random));
    g.bench_function("memmem_baseline_near_miss", |b| {
        b.iter(|| finder.find_iter(black_box(&near)).count())
    });
    g.bench_function("parse_hyphens_body", |b| time_decode(b, &hyphens));
    g.bench_function("parse_near_miss_body", |b| time_decode(b, &near));
    g.finish();

    let one = big_chunks(1, MIB, random_byte);
    let mut g = c.benchmark_group("feed_1mib_chunk");
    g.throughput(Throughput::Bytes(one.len() as u64));
    g.sample_size(30);
    g.bench_function("whole", |b| {
        let mut p = ChunkParser::default();
        b.iter(|| feed_pieces(&mut p, black_box(&one), one.len()))
    });
    // The floor for piecewise feeding: copy each piece into a growing buffer and search
    // only the new bytes (plus an end-line's overlap) for the end-line prefix.
    g.bench_function("memmem_pieces_1460_baseline", |b| {
        let finder = Finder::new(b"\r\n-------");
        let mut buf = BytesMut::with_capacity(one.len());
        b.iter(|| {
            buf.clear();
            let mut found = 0;
            for p in black_box(&one).chunks(1460) {
                let from = buf.len().saturating_sub(8);
                buf.extend_from_slice(p);
                found += finder.find_iter(&buf[from..]).count();
            }
            found
        })
    });
    g.bench_function("pieces_1460", |b| {
        let mut p = ChunkParser::default();
        b.iter(|| feed_pieces(&mut p, black_box(&one), 1460))
    });
    g.finish();
}

/// Idle parsers for the head-only benches, boxed so that the timed routine moves a pointer,
/// not a parser.
#[allow(clippy::vec_box)]
type Pool = Rc<RefCell<Vec<Box<ChunkParser>>>>;

/// A parser that has parsed a head, with the bytes that finish its chunk: dropping it
/// (outside the timed part of `iter_batched`) finishes the chunk and puts the parser back
/// in the pool, idle and with a warm buffer.
struct Parsed {
    parser: Option<Box<ChunkParser>>,
    rest: &'static [u8],
    pool: Pool,
}

impl Drop for Parsed {
    fn drop(&mut self) {
        if let Some(mut p) = self.parser.take() {
            p.feed(self.rest);
            while let Some(ev) = p.next() {
                ev.expect("valid");
            }
            assert!(p.is_idle());
            self.pool.borrow_mut().push(p);
        }
    }
}

/// Times `feed` of a head's bytes (start line to the empty line, or the whole bodiless
/// chunk, whose end-line ends the head) and the `next` call that returns the head, on
/// idle parsers with warm buffers; the rest of the chunk is parsed untimed.
fn bench_head_only(
    b: &mut criterion::Bencher<'_>,
    chunk: &'static [u8],
    head: usize,
    v: Validation,
) {
    let pool = Pool::default();
    b.iter_batched(
        || {
            pool.borrow_mut().pop().unwrap_or_else(|| {
                let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Strict).with_validation(v);
                // Warm the buffer: one whole chunk.
                p.feed(chunk);
                while p.next().is_some() {}
                Box::new(p)
            })
        },
        |mut p| {
            p.feed(&chunk[..head]);
            let ev = p.next();
            assert!(matches!(ev, Some(Ok(ParseEvent::Head(_)))));
            (
                ev,
                Parsed {
                    parser: Some(p),
                    rest: &chunk[head..],
                    pool: Rc::clone(&pool),
                },
            )
        },
        BatchSize::NumIterations(16),
    )
}

fn heads(c: &mut Criterion) {
    let cases: [(&str, Vec<u8>, Vec<u8>); 3] = [
        ("send_small", small_send(), http_same_headers()),
        (
            "response_200",
            RESPONSE_200.to_vec(),
            HTTP_RESPONSE_200.to_vec(),
        ),
        ("report", REPORT.to_vec(), HTTP_REPORT.to_vec()),
    ];
    for (name, msrp, http) in cases {
        let mut g = c.benchmark_group(format!("head_{name}"));
        g.bench_function("httparse", |b| {
            b.iter(|| {
                let mut headers = [httparse::EMPTY_HEADER; 16];
                if http.starts_with(b"HTTP") {
                    let mut r = httparse::Response::new(&mut headers);
                    black_box(r.parse(black_box(&http)).expect("valid").is_complete())
                } else {
                    let mut r = httparse::Request::new(&mut headers);
                    black_box(r.parse(black_box(&http)).expect("valid").is_complete())
                }
            })
        });
        for (label, v) in [("", Validation::Full), ("_framing", Validation::Framing)] {
            g.bench_function(format!("msrp_whole_chunk{label}"), |b| {
                // Steady state: the parser's own buffer is reused (no allocation per
                // chunk); the time includes copying the chunk in.
                let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Strict).with_validation(v);
                b.iter(|| {
                    p.feed(black_box(&msrp));
                    while let Some(ev) = p.next() {
                        black_box(ev.expect("valid"));
                    }
                })
            });
            // The head alone: what httparse is given. For the SEND, up to the empty
            // line; the bodiless chunks end their head with their end-line.
            let chunk: &'static [u8] = Vec::leak(msrp.clone());
            let head = match chunk.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(i) => i + 4,
                None => chunk.len(),
            };
            g.bench_function(format!("msrp_head{label}"), |b| {
                bench_head_only(b, chunk, head, v)
            });
            // The head read in place (httparse's shape): the whole chunk is in the
            // buffer, the reader reads through the empty line (or the end-line).
            g.bench_function(format!("msrp_head_reader{label}"), |b| {
                let mut reader = HeadReader::new(Limits::DEFAULT, Mode::Strict).with_validation(v);
                b.iter(|| {
                    let read = reader.read(black_box(&msrp)).expect("valid");
                    black_box(read.expect("complete"));
                })
            });
        }
        if name == "send_small" {
            // Full validation when the paths are new each time: three sessions' heads in
            // turn, more than a parser remembers, so every URI list is checked in full (the
            // rows above are a connection's steady state: the same session's paths again).
            let sessions: Vec<Vec<u8>> = ["kjhd37s2s20w2a", "x9k2mmq0s8vva1", "pq0wnb3ya7sd2e"]
                .iter()
                .map(|sid| {
                    let text = String::from_utf8(msrp.clone()).expect("ASCII");
                    text.replace("kjhd37s2s20w2a", sid)
                        .replace("jshA7weztas", &sid[..11])
                        .into_bytes()
                })
                .collect();
            g.bench_function("msrp_head_reader_new_paths", |b| {
                assert!(sessions[0] != sessions[1], "three different sessions");
                let mut reader = HeadReader::new(Limits::DEFAULT, Mode::Strict);
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % sessions.len();
                    let read = reader.read(black_box(&sessions[i])).expect("valid");
                    black_box(read.expect("complete"));
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, streams, heads);
criterion_main!(benches);
