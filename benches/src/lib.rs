//! Inputs shared by the criterion benchmarks in `benches/` (run `cargo bench -p msrp-benches`).

/// A typical endpoint URI (RFC 4975 section 11.1).
pub const TYPICAL_URI: &str = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";

/// A To-Path of five URIs: three relays, a WebSocket hop and the endpoint.
pub const TO_PATH_5: &str = "msrps://relay-a.example.com:2855/aaa;tcp \
    msrps://relay-b.example.net:2855/bbb;tcp \
    msrps://[2001:db8::10]:2856/ccc;tcp \
    msrps://df7jal23ls0d.invalid:2855/98cjs;ws \
    msrp://bob.example.com:8888/9di4eae923wzd;tcp";
