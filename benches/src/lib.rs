//! Inputs shared by the criterion benchmarks in `benches/` (run `cargo bench -p msrp-benches`).

pub mod relay;
pub mod session;

/// A typical endpoint URI (RFC 4975 section 11.1).
pub const TYPICAL_URI: &str = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";

/// A To-Path of five URIs: three relays, a WebSocket hop and the endpoint.
pub const TO_PATH_5: &str = "msrps://relay-a.example.com:2855/aaa;tcp \
    msrps://relay-b.example.net:2855/bbb;tcp \
    msrps://[2001:db8::10]:2856/ccc;tcp \
    msrps://df7jal23ls0d.invalid:2855/98cjs;ws \
    msrp://bob.example.com:8888/9di4eae923wzd;tcp";

/// A small SEND as RFC 4975 section 4 writes it: 7 header fields, a ~200-byte body.
pub fn small_send() -> Vec<u8> {
    let body = "Hey Bob, are you there? ".repeat(8);
    format!(
        "MSRP a786hjs2 SEND\r\n\
To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
Message-ID: 87652491\r\n\
Success-Report: yes\r\n\
Failure-Report: yes\r\n\
Byte-Range: 1-{len}/{len}\r\n\
Content-Type: text/plain\r\n\r\n\
{body}\r\n-------a786hjs2$\r\n",
        len = body.len()
    )
    .into_bytes()
}

/// The head of [`small_send`] as an HTTP/1.1 request with the same header block (the
/// httparse reference).
pub fn http_same_headers() -> Vec<u8> {
    b"POST /a786hjs2 HTTP/1.1\r\n\
To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
Message-ID: 87652491\r\n\
Success-Report: yes\r\n\
Failure-Report: yes\r\n\
Byte-Range: 1-192/192\r\n\
Content-Type: text/plain\r\n\r\n"
        .to_vec()
}

/// A 200 response (RFC 4975 section 4).
pub const RESPONSE_200: &[u8] = b"MSRP a786hjs2 200 OK\r\n\
To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
-------a786hjs2$\r\n";

/// The same block as an HTTP response.
pub const HTTP_RESPONSE_200: &[u8] = b"HTTP/1.1 200 OK\r\n\
To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\r\n";

/// A success REPORT (RFC 4975 section 11.6).
pub const REPORT: &[u8] = b"MSRP dkei38sd REPORT\r\n\
To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n\
From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n\
Message-ID: 12339sdqwer\r\n\
Byte-Range: 1-106/106\r\n\
Status: 000 200 OK\r\n\
-------dkei38sd$\r\n";

/// The same block as an HTTP request.
pub const HTTP_REPORT: &[u8] = b"POST /dkei38sd HTTP/1.1\r\n\
To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n\
From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n\
Message-ID: 12339sdqwer\r\n\
Byte-Range: 1-106/106\r\n\
Status: 000 200 OK\r\n\r\n";

/// `count` chunks of one message, each with a body of `size` bytes made by `fill`.
pub fn big_chunks(count: usize, size: usize, fill: impl Fn(usize) -> u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * (size + 300));
    for i in 0..count {
        let start = i * size + 1;
        out.extend_from_slice(
            format!(
                "MSRP bigtid{i:04} SEND\r\nTo-Path: msrp://b.example.com:2855/s;tcp\r\n\
From-Path: msrp://a.example.com:2855/t;tcp\r\nMessage-ID: m1234567\r\n\
Byte-Range: {start}-{end}/{total}\r\nContent-Type: application/octet-stream\r\n\r\n",
                end = start + size - 1,
                total = count * size
            )
            .as_bytes(),
        );
        out.extend((0..size).map(&fill));
        out.extend_from_slice(format!("\r\n-------bigtid{i:04}+\r\n").as_bytes());
    }
    out
}

/// Pseudo-random bytes (xorshift), deterministic.
pub fn random_byte(i: usize) -> u8 {
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x >> 24) as u8
}

/// A body full of hyphens and near-miss end-lines (`CRLF "-------"` with other ids).
pub fn near_miss_byte(i: usize) -> u8 {
    const PATTERN: &[u8] = b"\r\n-------bigtid9999+\r\n-------x\r\n---------------";
    PATTERN[i % PATTERN.len()]
}

/// A body of hyphens with a line break every 1000 bytes: text that looks like separator
/// lines, with an end-line prefix candidate (`CRLF "-------"`) per line.
pub fn hyphens_byte(i: usize) -> u8 {
    match i % 1000 {
        0 => b'\r',
        1 => b'\n',
        _ => b'-',
    }
}
