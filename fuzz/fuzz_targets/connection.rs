//! An endpoint `Connection` (tolerant, small limits, one session of its own and one offered
//! by a listener's table) driven through its whole surface: arbitrary bytes from a peer,
//! cut anywhere; sends, streams, aborts, keep-alives, session closes and failure REPORTs;
//! the clock moving (timers firing); the transport closing. No panic; everything it writes
//! parses as strict MSRP; after the close nothing is written, nothing is queued and no
//! timer runs.
#![no_main]

use core::time::Duration;

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use msrp_proto::chunking::{ChunkPolicy, ReportPrefs};
use msrp_proto::connection::{
    CloseReason, Connection, ConnectionConfig, Event, Framing, MessageHandle, SessionConfig,
    SessionTable,
};
use msrp_proto::wire::{ChunkParser, RandomSource, ReportRequest};
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
    SessionConfig::new(
        local.parse().expect("a valid URI"),
        peer.parse().expect("a valid path"),
    )
    .accept_types(["text/*", "message/cpim"])
    .accept_wrapped_types(["image/png"])
    .max_message_size(64 * 1024)
    .cema(true)
}

#[derive(Debug, Arbitrary)]
enum Op {
    /// Bytes from the peer.
    Input(Vec<u8>),
    /// A whole message of this many bytes, with these report settings.
    Send {
        len: u16,
        success: bool,
        failure: u8,
    },
    /// A streamed message; later writes go to the newest one.
    Stream {
        total: Option<u16>,
    },
    Write(u16),
    Finish,
    Abort,
    Keepalive,
    /// Closes the first session.
    CloseSession,
    ReportFailure(u16),
    /// The clock moves this many tenths of a second; timers run.
    Advance(u16),
    /// Written bytes are taken, up to this many transmits.
    Transmit(u8),
    /// The transport closes.
    Close,
}

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (flags, ops) = input;
    let max_queued = 16 * 1024;
    let framing = if flags & 8 == 8 {
        Framing::WebSocket { max_chunk: 1500 }
    } else {
        Framing::Stream
    };
    let config = ConnectionConfig::default()
        .mode(Mode::Tolerant)
        .max_queued_bytes(max_queued)
        .max_pending_transactions(4)
        .max_gathered_message(4096)
        .max_gathered_bytes(8192)
        .max_incoming_messages(4)
        .max_range_bytes(128)
        .max_transmit(3000)
        .framing(framing)
        .chunk_policy(if flags & 16 == 16 {
            ChunkPolicy::Fixed(700)
        } else {
            ChunkPolicy::AsFewAsPossible
        })
        .progress_reports((flags & 1 == 1).then_some(100))
        .remembered_messages(2);
    let mut now = Instant::ZERO;
    let mut conn = Connection::new(config, Counter(flags), now);
    let own = conn.add_session(session(
        "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp",
        "msrp://atlanta.example.com:7654/jshA7weztas;tcp",
    ));
    let mut table = SessionTable::new();
    let _ = table.insert(session(
        "msrp://bob.example.com:8888/9di4eae923wzd;tcp",
        "msrp://alice.example.com:7777/iau39soe2843z;tcp",
    ));
    let mut written = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
    let mut buf = BytesMut::new();
    let mut stream: Option<MessageHandle> = None;
    let mut last: Option<MessageHandle> = None;
    let mut closed = false;
    for op in ops {
        match op {
            Op::Input(bytes) => {
                if flags & 2 == 2 {
                    conn.handle_input_with(now, &bytes, &mut table);
                } else {
                    conn.handle_input(now, &bytes);
                }
            }
            Op::Send {
                len,
                success,
                failure,
            } => {
                let failure = match failure % 4 {
                    0 => None,
                    1 => Some(ReportRequest::Yes),
                    2 => Some(ReportRequest::Partial),
                    _ => Some(ReportRequest::No),
                };
                let reports = ReportPrefs {
                    success: Some(success),
                    failure,
                };
                let body = Bytes::from(vec![b'-'; usize::from(len)]);
                if let Ok(h) = conn.send(now, own, "text/plain", body, reports) {
                    last = Some(h);
                }
            }
            Op::Stream { total } => {
                let total = total.map(u64::from);
                if let Ok(h) =
                    conn.send_stream(now, own, "text/plain", total, ReportPrefs::default())
                {
                    stream = Some(h);
                    last = Some(h);
                }
            }
            Op::Write(len) => {
                if let Some(h) = stream {
                    let _ = conn.write(now, h, Bytes::from(vec![b'x'; usize::from(len)]));
                }
            }
            Op::Finish => {
                if let Some(h) = stream {
                    let _ = conn.finish(now, h);
                }
            }
            Op::Abort => {
                if let Some(h) = last {
                    let _ = conn.abort(now, h);
                }
            }
            Op::Keepalive => {
                let _ = conn.send_keepalive(now, own);
            }
            Op::CloseSession => {
                let _ = conn.close_session(now, own);
            }
            Op::ReportFailure(code) => {
                let _ = conn.report_failure(now, own, "msgid0001", code);
            }
            Op::Advance(tenths) => {
                now = now + Duration::from_millis(u64::from(tenths) * 100);
                conn.handle_timeout(now);
            }
            Op::Transmit(n) => {
                for _ in 0..n {
                    buf.clear();
                    if conn.poll_transmit(now, &mut buf).is_none() {
                        break;
                    }
                    assert!(!closed, "wrote after the close");
                    written.feed(&buf);
                    while let Some(ev) = written.next() {
                        if let Err(e) = ev {
                            panic!("wrote invalid MSRP: {e}");
                        }
                    }
                }
            }
            Op::Close => conn.handle_close(now, CloseReason::PeerClosed),
        }
        while let Some(e) = conn.poll_event() {
            if matches!(e, Event::Closed { .. }) {
                assert!(!closed, "closed twice");
                closed = true;
            }
        }
        if closed {
            assert!(conn.is_closed());
            assert_eq!(conn.poll_timeout(), None);
            assert_eq!(conn.queued_bytes(), 0);
        }
    }
});
