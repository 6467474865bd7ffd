//! The relay engine in memory, for `benches/relay.rs` and `examples/relay_loop.rs`: a
//! relay with two connections (a sender and bob) and batches of SEND chunks from the
//! sender to bob.

use bytes::BytesMut;
use msrp_proto::Instant;
use msrp_proto::relay::{ConnId, PeerInfo, Relay, RelayConfig};
use msrp_proto::testing::TestRng;
use msrp_uri::Uri;

/// The relay's URI.
pub const RELAY: &str = "msrp://relay.example.com:2855;tcp";
/// The receiver, a client connected to the relay.
pub const BOB: &str = "msrp://bob.example.com:8145/bob1;tcp";
/// The sender's connection.
pub const SENDER: ConnId = ConnId(1);
/// Bob's connection.
pub const BOB_CONN: ConnId = ConnId(2);

/// The relay's user lookup: nobody (AUTH is not asked for).
pub type NoUsers = fn(&str, &str) -> Option<String>;

fn no_users(_: &str, _: &str) -> Option<String> {
    None
}

/// `n` SEND chunks of `body` bytes from carol to bob through the relay
/// (`Failure-Report: no`, so that nothing comes back).
pub fn batch(n: usize, body: usize) -> Vec<u8> {
    let mut all = Vec::new();
    let data = vec![b'x'; body];
    for i in 0..n {
        all.extend_from_slice(
            format!(
                "MSRP t{i:012} SEND\r\nTo-Path: {RELAY} {BOB}\r\n\
                 From-Path: msrp://carol.example.com:7000/c1;tcp\r\nMessage-ID: m{i:012}\r\n\
                 Failure-Report: no\r\nByte-Range: 1-{body}/{body}\r\nContent-Type: text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        all.extend_from_slice(&data);
        all.extend_from_slice(format!("\r\n-------t{i:012}$\r\n").as_bytes());
    }
    all
}

/// A relay without AUTH with the sender and bob connected.
#[allow(clippy::expect_used)] // a fixed URI, two connections of a fresh relay
pub fn relay() -> Relay<TestRng, NoUsers> {
    let mut cfg = RelayConfig::new(Uri::parse(RELAY).expect("a URI"), "relay.example.com");
    cfg.require_auth = false;
    cfg.max_queued_bytes = 4 << 20;
    let mut relay = Relay::new(cfg, TestRng::new(7), no_users as NoUsers, Instant::ZERO);
    relay
        .connection_opened(Instant::ZERO, SENDER, PeerInfo::new())
        .expect("room");
    relay
        .connection_opened(
            Instant::ZERO,
            BOB_CONN,
            PeerInfo::new().remote("bob.example.com", 8145),
        )
        .expect("room");
    relay
}

/// Feeds `input` from the sender 64 KiB at a time (as a driver reads), taking what the
/// relay writes to bob after each piece; returns the bytes written to bob.
pub fn forward(relay: &mut Relay<TestRng, NoUsers>, input: &[u8], out: &mut BytesMut) -> usize {
    let mut written = 0;
    for piece in input.chunks(64 * 1024) {
        relay.handle_input(Instant::ZERO, SENDER, piece);
        while relay
            .poll_transmit_conn(Instant::ZERO, BOB_CONN, out)
            .is_some()
        {
            written += out.len();
            out.clear();
        }
    }
    while relay.poll_event().is_some() {}
    while relay.poll_ready().is_some() {}
    written
}
