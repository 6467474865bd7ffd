//! Arbitrary bytes from a peer, cut anywhere, into an endpoint `Connection` (tolerant, small
//! limits, one session of its own and one offered by a listener's table): no panic, and
//! everything it writes back parses as strict MSRP.
#![no_main]

use core::time::Duration;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use msrp_fuzz::split_at;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{Connection, ConnectionConfig, Output, SessionConfig, SessionTable};
use msrp_proto::wire::{ChunkParser, RandomSource};
use msrp_proto::{Instant, Limits, Mode};

struct Counter(u8);

impl RandomSource for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_add(37);
            *b = self.0;
        }
    }
}

fn session(local: &str, peer: &str) -> SessionConfig {
    SessionConfig {
        local_uri: local.parse().expect("a valid URI"),
        to_path: peer.parse().expect("a valid path"),
        accept_types: vec!["text/*".into(), "message/cpim".into()],
        accept_wrapped_types: vec!["image/png".into()],
        max_message_size: 64 * 1024,
        cema: true,
    }
}

fuzz_target!(|input: (u8, Vec<u16>, Vec<u8>)| {
    let (flags, cuts, data) = input;
    let config = ConnectionConfig {
        mode: Mode::Tolerant,
        max_gathered_message: 4096,
        max_gathered_bytes: 8192,
        max_incoming_messages: 4,
        max_ranges: 8,
        progress_reports: (flags & 1 == 1).then_some(100),
        remembered_messages: 2,
        ..ConnectionConfig::default()
    };
    let mut conn = Connection::new(config, Counter(flags), Instant::ZERO);
    let own = conn.add_session(session(
        "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp",
        "msrp://atlanta.example.com:7654/jshA7weztas;tcp",
    ));
    let mut table = SessionTable::new();
    let _ = table.insert(session(
        "msrp://bob.example.com:8888/9di4eae923wzd;tcp",
        "msrp://alice.example.com:7777/iau39soe2843z;tcp",
    ));
    if flags & 2 == 2 {
        let _ = conn.send(
            own,
            "text/plain",
            Bytes::from_static(b"hello"),
            ReportPrefs::default(),
        );
    }
    let mut written = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
    let mut now = Instant::ZERO;
    for piece in split_at(&data, &cuts) {
        conn.handle_input_with(now, piece, &mut table);
        if flags & 4 == 4 {
            now = now + Duration::from_secs(11);
            conn.handle_timeout(now);
        }
        loop {
            match conn.poll_output() {
                Output::Transmit(t) => {
                    written.feed(&t);
                    while let Some(ev) = written.next() {
                        if let Err(e) = ev {
                            panic!("wrote invalid MSRP: {e}");
                        }
                    }
                }
                Output::Event(_) => {}
                Output::Timeout(_) => break,
            }
        }
    }
});
