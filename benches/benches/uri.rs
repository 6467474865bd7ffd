//! URI parsing: one typical URI, and a five-URI To-Path.
#![allow(missing_docs, clippy::expect_used)] // criterion macros; fixed valid inputs
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_benches::{TO_PATH_5, TYPICAL_URI};
use msrp_uri::{ParseOptions, Path, Uri};
use std::hint::black_box;

fn uri(c: &mut Criterion) {
    let mut g = c.benchmark_group("uri");
    g.throughput(Throughput::Bytes(TYPICAL_URI.len() as u64));
    g.bench_function("parse_typical_strict", |b| {
        b.iter(|| Uri::parse_bytes(black_box(TYPICAL_URI.as_bytes())))
    });
    g.bench_function("parse_typical_tolerant", |b| {
        b.iter(|| Uri::parse_with(black_box(TYPICAL_URI.as_bytes()), &ParseOptions::TOLERANT))
    });
    let uri = Uri::parse(TYPICAL_URI).expect("valid");
    let upper = Uri::parse("MSRP://BOB.example.com:8888/9di4eae923wzd;TCP").expect("valid");
    g.bench_function("matches", |b| {
        b.iter(|| black_box(&uri).matches(black_box(&upper)))
    });
    g.finish();

    let mut g = c.benchmark_group("path");
    g.throughput(Throughput::Bytes(TO_PATH_5.len() as u64));
    g.bench_function("parse_to_path_5", |b| {
        b.iter(|| Path::parse(black_box(TO_PATH_5)))
    });
    let path = Path::parse(TO_PATH_5).expect("valid");
    g.bench_function("print_to_path_5", |b| {
        b.iter(|| black_box(&path).to_string())
    });
    g.finish();
}

criterion_group!(benches, uri);
criterion_main!(benches);
