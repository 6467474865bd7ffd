//! The relay engine (RFC 4976) driven by arbitrary operations: connections accepted and
//! closed, arbitrary bytes from them (cut anywhere), the next-hop connections it asks for
//! opened or failed, the clock moving. AUTH is required, with one known user. No panic;
//! every transmit is for a connection that was opened; what it buffers stays within its
//! limits (queued bytes, waiting bytes, one read and one chunk head each).
#![no_main]

use core::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use msrp_proto::Instant;
use msrp_proto::relay::{ConnId, PeerInfo, Relay, RelayConfig, RelayEvent};
use msrp_proto::wire::RandomSource;

struct Counter(u8);

impl RandomSource for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_add(37);
            *b = self.0;
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    Accept(u8),
    Input(u8, Vec<u8>),
    Close(u8),
    /// Answer the oldest Connect asked for: opened or failed.
    Connected(bool),
    Advance(u16),
}

fuzz_target!(|ops: Vec<Op>| {
    let uri = "msrp://relay.example.com:2855;tcp"
        .parse()
        .expect("a valid URI");
    let mut config = RelayConfig::new(uri, "example.com");
    config.max_connections = 8;
    config.max_queued_bytes = 16 * 1024;
    config.max_waiting_bytes = 16 * 1024;
    let creds = |user: &str, _realm: &str| (user == "alice").then(|| "secret".to_string());
    let mut now = Instant::ZERO;
    let mut relay = Relay::new(config, Counter(1), creds, now);
    let mut asked: Vec<ConnId> = Vec::new();
    let mut known = std::collections::HashSet::new();
    for op in ops {
        match op {
            Op::Accept(i) => {
                let peer = PeerInfo::new().remote("127.0.0.1", 40000 + u16::from(i));
                if relay
                    .connection_opened(now, ConnId(u64::from(i % 16)), peer)
                    .is_ok()
                {
                    known.insert(ConnId(u64::from(i % 16)));
                }
            }
            Op::Input(i, bytes) => relay.handle_input(now, ConnId(u64::from(i % 16)), &bytes),
            Op::Close(i) => relay.connection_closed(now, ConnId(u64::from(i % 16))),
            Op::Connected(ok) => {
                if !asked.is_empty() {
                    let conn = asked.remove(0);
                    if ok {
                        if relay.connection_opened(now, conn, PeerInfo::new()).is_ok() {
                            known.insert(conn);
                        }
                    } else {
                        relay.connect_failed(now, conn);
                    }
                }
            }
            Op::Advance(ms) => {
                now = now + Duration::from_millis(u64::from(ms) * 100);
                if relay.poll_timeout().is_some_and(|t| t <= now) {
                    relay.handle_timeout(now);
                }
            }
        }
        while let Some(t) = relay.poll_transmit(now) {
            assert!(
                known.contains(&t.conn),
                "a transmit for {:?}, never opened",
                t.conn
            );
        }
        while let Some(e) = relay.poll_event() {
            if let RelayEvent::Connect { conn, .. } = e {
                asked.push(conn);
            }
        }
        assert!(
            relay.buffered_bytes() <= 16 * 1024 * 2 + 64 * 1024 * 8,
            "{}",
            relay.buffered_bytes()
        );
    }
});
