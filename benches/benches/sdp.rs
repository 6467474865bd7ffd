//! SDP parsing: a typical MSRP offer and a file-transfer offer (RFC 5547).
#![allow(missing_docs, clippy::expect_used)] // criterion harness; fixed valid inputs

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp_sdp::{ParseOptions, SessionDescription};
use std::hint::black_box;

const OFFER: &[u8] = b"v=0\r\no=usera 2890844526 2890844527 IN IP4 alice.example.com\r\ns=-\r\n\
c=IN IP4 alice.example.com\r\nt=0 0\r\nm=message 7394 TCP/MSRP *\r\n\
a=accept-types:message/cpim text/plain text/html\r\na=accept-wrapped-types:*\r\n\
a=path:msrp://alice.example.com:7394/2s93i9ek2a;tcp\r\na=setup:actpass\r\n";

const FILE_OFFER: &[u8] = b"v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=-\r\n\
c=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=message 7654 TCP/MSRP *\r\n\
i=This is my latest picture\r\na=sendonly\r\na=accept-types:message/cpim\r\n\
a=accept-wrapped-types:*\r\na=path:msrp://atlanta.example.com:7654/jshA7we;tcp\r\n\
a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:32349 hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n\
a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd\r\na=file-disposition:attachment\r\n\
a=file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"\r\na=file-icon:cid:id2@alicepc.example.com\r\n\
a=file-range:1-32349\r\n";

fn sdp(c: &mut Criterion) {
    for (name, input) in [("msrp_offer", OFFER), ("file_transfer_offer", FILE_OFFER)] {
        let mut g = c.benchmark_group(format!("sdp_{name}"));
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("parse_strict", |b| {
            b.iter(|| {
                SessionDescription::parse_with(black_box(input), &ParseOptions::STRICT)
                    .expect("valid")
            })
        });
        let parsed = SessionDescription::parse_with(input, &ParseOptions::STRICT)
            .expect("valid")
            .0;
        g.bench_function("print", |b| b.iter(|| black_box(&parsed).to_string()));
        g.finish();
    }
}

criterion_group!(benches, sdp);
criterion_main!(benches);
