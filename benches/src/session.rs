//! Two endpoint connections joined in memory (no sockets, one clock instant), as the
//! session benchmark and the `session_loop` profiling example drive them.

use bytes::BytesMut;
use msrp_proto::Instant;
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig, SessionId};
use msrp_proto::link::Transmit;
use msrp_proto::uri::{Path, Uri};

/// The deterministic source of the test harness (ids do not matter here).
pub use msrp_proto::testing::TestRng as Rng;

/// Alice (returned with her session) and Bob, sessions accepting everything, a 1 GiB
/// send queue.
#[allow(clippy::expect_used)] // fixed URIs
pub fn pair() -> (Connection<Rng>, SessionId, Connection<Rng>) {
    let a_uri: Uri = "msrp://a.example.com:1/sa;tcp".parse().expect("a URI");
    let b_uri: Uri = "msrp://b.example.com:2/sb;tcp".parse().expect("a URI");
    let cfg = |local: &Uri, peer: &Uri| SessionConfig::new(local.clone(), Path::new(peer.clone()));
    let config = ConnectionConfig::default().max_queued_bytes(1 << 30);
    let mut a = Connection::new(config, Rng::new(1), Instant::ZERO);
    let mut b = Connection::new(config, Rng::new(2), Instant::ZERO);
    let s = a.add_session(cfg(&a_uri, &b_uri));
    b.add_session(cfg(&b_uri, &a_uri));
    (a, s, b)
}

/// How the pump takes bytes from a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// `poll_transmit_vectored`: large body pieces shared, each part fed to the peer.
    Vectored,
    /// `poll_transmit`: everything copied into one buffer.
    Copied,
}

/// Pumps both ways until quiet (vectored transmits); returns the body bytes Bob received
/// and how many events Alice had.
pub fn run(a: &mut Connection<Rng>, b: &mut Connection<Rng>) -> (u64, usize) {
    run_with(a, b, Write::Vectored)
}

/// [`run`], taking bytes as `how` says.
pub fn run_with(a: &mut Connection<Rng>, b: &mut Connection<Rng>, how: Write) -> (u64, usize) {
    let (mut bytes, mut a_events) = (0, 0);
    let mut buf = BytesMut::with_capacity(128 * 1024);
    let mut t = Transmit::new();
    // Moves everything `from` writes now into `to`; whether anything moved.
    let mut pump = |from: &mut Connection<Rng>, to: &mut Connection<Rng>| {
        let mut moved = false;
        loop {
            match how {
                Write::Vectored => {
                    t.clear();
                    if from.poll_transmit_vectored(Instant::ZERO, &mut t).is_none() {
                        return moved;
                    }
                    for part in t.parts() {
                        to.handle_input(Instant::ZERO, part);
                    }
                }
                Write::Copied => {
                    buf.clear();
                    if from.poll_transmit(Instant::ZERO, &mut buf).is_none() {
                        return moved;
                    }
                    to.handle_input(Instant::ZERO, &buf);
                }
            }
            moved = true;
        }
    };
    loop {
        let mut progress = pump(a, b);
        while a.poll_event().is_some() {
            a_events += 1;
        }
        progress |= pump(b, a);
        while let Some(e) = b.poll_event() {
            match e {
                Event::MessageData { data, .. } => bytes += data.len() as u64,
                Event::MessageReceived { body, .. } => bytes += body.len() as u64,
                _ => {}
            }
        }
        if !progress {
            return (bytes, a_events);
        }
    }
}
