//! Parses the httparse reference header blocks in a loop, for instruction counts
//! (`valgrind --tool=callgrind`): `httparse_loop [N] [response|report]`.
#![allow(clippy::expect_used)]

fn main() {
    let http = match std::env::args().nth(2).as_deref() {
        Some("response") => msrp_benches::HTTP_RESPONSE_200.to_vec(),
        Some("report") => msrp_benches::HTTP_REPORT.to_vec(),
        _ => msrp_benches::http_same_headers(),
    };
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut done = 0;
    for _ in 0..n {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let complete = if http.starts_with(b"HTTP") {
            let mut r = httparse::Response::new(&mut headers);
            r.parse(std::hint::black_box(&http))
                .expect("valid")
                .is_complete()
        } else {
            let mut r = httparse::Request::new(&mut headers);
            r.parse(std::hint::black_box(&http))
                .expect("valid")
                .is_complete()
        };
        done += usize::from(std::hint::black_box(complete));
    }
    std::hint::black_box(done);
}
