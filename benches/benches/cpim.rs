//! CPIM parsing (RFC 3862): an RCS chat message with IMDN headers (RFC 5438), strict and
//! tolerant, its first bytes (`parse_prefix`, as the accept-wrapped-types check reads
//! them), building and printing; and the IMDN document that answers it.
#![allow(missing_docs, clippy::expect_used)] // criterion harness; fixed valid inputs

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_cpim::{CpimMessage, DeliveryStatus, Imdn, Notification, ParseOptions};
use std::hint::black_box;

const RCS_MESSAGE: &[u8] = b"From: <sip:anonymous@anonymous.invalid>\r\n\
To: <sip:anonymous@anonymous.invalid>\r\n\
NS: imdn <urn:ietf:params:imdn>\r\n\
imdn.Message-ID: Sv7Zxq8VtV4ylXdQ1SrrS1VPfNdBwQ2b\r\n\
DateTime: 2026-12-03T10:21:07.000Z\r\n\
imdn.Disposition-Notification: positive-delivery, display\r\n\
\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Length: 30\r\n\
\r\n\
See you at the station at 6 pm";

fn cpim(c: &mut Criterion) {
    let input = Bytes::from_static(RCS_MESSAGE);
    let mut g = c.benchmark_group("cpim_rcs_message");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("parse_strict", |b| {
        b.iter(|| CpimMessage::parse(black_box(input.clone())).expect("valid"))
    });
    g.bench_function("parse_tolerant", |b| {
        b.iter(|| {
            CpimMessage::parse_with(black_box(input.clone()), &ParseOptions::TOLERANT)
                .expect("valid")
        })
    });
    let head = input.slice(..RCS_MESSAGE.len() - 10);
    g.bench_function("parse_prefix", |b| {
        b.iter(|| {
            CpimMessage::parse_prefix(black_box(head.clone()), &ParseOptions::TOLERANT)
                .expect("valid")
                .expect("the head is there")
        })
    });
    let msg = CpimMessage::parse(input.clone()).expect("valid");
    g.bench_function("print", |b| b.iter(|| black_box(&msg).to_bytes()));
    g.bench_function("build", |b| {
        b.iter(|| {
            CpimMessage::builder()
                .from("<sip:anonymous@anonymous.invalid>")
                .to("<sip:anonymous@anonymous.invalid>")
                .ns("imdn", "urn:ietf:params:imdn")
                .imdn_message_id("Sv7Zxq8VtV4ylXdQ1SrrS1VPfNdBwQ2b")
                .datetime("2026-12-03T10:21:07.000Z")
                .content_type("text/plain; charset=utf-8")
                .body(black_box("See you at the station at 6 pm"))
                .build()
                .expect("valid")
        })
    });
    g.finish();

    let imdn = Imdn::for_message(&msg, Notification::Delivery(DeliveryStatus::Delivered))
        .expect("an IMDN request");
    let xml = imdn.to_xml();
    let mut g = c.benchmark_group("imdn_document");
    g.throughput(Throughput::Bytes(xml.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| Imdn::parse(black_box(xml.as_bytes())).expect("valid"))
    });
    g.bench_function("print", |b| b.iter(|| black_box(&imdn).to_xml()));
    g.finish();
}

criterion_group!(benches, cpim);
criterion_main!(benches);
