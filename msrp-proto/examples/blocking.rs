//! The core driven by plain `std::net` and threads, no async runtime: Alice sends a text
//! message and an 8 MiB message to Bob over loopback TCP; Bob checks what arrived.
//!
//! `cargo run -p msrp-proto --example blocking`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic
)] // an example

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant as StdInstant};

use bytes::Bytes;
use msrp_proto::BytesMut;
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{CloseReason, Connection, ConnectionConfig, Event, SessionConfig};
use msrp_proto::uri::{Path, Uri};

/// Ids from the test harness's deterministic source; an application uses a source seeded
/// from the OS (RFC 4975 section 14.1: session ids must be hard to guess).
use msrp_proto::testing::TestRng as Rng;

fn config(local: &Uri, peer: &Uri) -> SessionConfig {
    SessionConfig::new(local.clone(), Path::new(peer.clone()))
        .accept_types(["text/plain", "application/octet-stream"])
        .max_message_size(64 << 20)
}

/// One pass of the run loop: write all output, read what is there, run timers.
/// Returns the events and whether the connection ended.
fn pump(
    conn: &mut Connection<Rng>,
    stream: &mut TcpStream,
    start: StdInstant,
    buf: &mut [u8],
    out: &mut BytesMut,
) -> (Vec<Event>, bool) {
    let now = || Instant::from_elapsed(start.elapsed());
    out.clear();
    while conn.poll_transmit(now(), out).is_some() {
        // One write per buffer of whole chunks.
        if stream.write_all(out).is_err() {
            conn.handle_close(now(), CloseReason::TransportError);
        }
        out.clear();
    }
    match stream.read(buf) {
        Ok(0) => conn.handle_close(now(), CloseReason::PeerClosed),
        Ok(n) => conn.handle_input(now(), &buf[..n]),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        Err(_) => conn.handle_close(now(), CloseReason::TransportError),
    }
    if conn.poll_timeout().is_some_and(|t| t <= now()) {
        conn.handle_timeout(now());
    }
    let mut events = Vec::new();
    let mut closed = false;
    while let Some(e) = conn.poll_event() {
        closed |= matches!(e, Event::Closed { .. } | Event::SessionClosed { .. });
        if !matches!(e, Event::Closed { .. } | Event::SessionClosed { .. }) {
            events.push(e);
        }
    }
    (events, closed)
}

fn main() {
    let start = StdInstant::now();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let alice: Uri = "msrp://127.0.0.1:9/alice;tcp".parse().unwrap();
    let bob: Uri = format!("msrp://127.0.0.1:{port}/bob;tcp").parse().unwrap();
    let big: Bytes = (0..8u32 << 20)
        .map(|i| (i % 253) as u8)
        .collect::<Vec<u8>>()
        .into();

    let (a, b) = (alice.clone(), bob.clone());
    let expected = big.clone();
    let bob_thread = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(5)))
            .unwrap();
        let mut conn = Connection::new(ConnectionConfig::default(), Rng::new(7), Instant::ZERO);
        conn.add_session(config(&b, &a));
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = BytesMut::new();
        let (mut text, mut data) = (None, vec![0u8; expected.len()]);
        let mut complete = false;
        while !(complete && text.is_some()) {
            let (events, closed) = pump(&mut conn, &mut stream, start, &mut buf, &mut out);
            for e in events {
                match e {
                    Event::MessageReceived { body, .. } => text = Some(body),
                    Event::MessageData {
                        offset,
                        data: piece,
                        ..
                    } => {
                        data[offset as usize..offset as usize + piece.len()].copy_from_slice(&piece)
                    }
                    Event::MessageComplete { .. } => complete = true,
                    // A streamed message is announced before its data.
                    Event::MessageStarted { total, .. } => {
                        assert_eq!(total, Some(expected.len() as u64));
                    }
                    other => panic!("Bob: {other:?}"),
                }
            }
            assert!(!closed || (complete && text.is_some()), "closed early");
        }
        // Flush the last responses and REPORTs.
        pump(&mut conn, &mut stream, start, &mut buf, &mut out);
        (text.unwrap(), data == expected[..])
    });

    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    let mut conn = Connection::new(ConnectionConfig::default(), Rng::new(3), Instant::ZERO);
    let s = conn.add_session(config(&alice, &bob));
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    conn.send(
        Instant::from_elapsed(start.elapsed()),
        s,
        "text/plain",
        Bytes::from_static(b"Hello from a thread"),
        ReportPrefs::default(),
    )
    .unwrap();
    let now = Instant::from_elapsed(start.elapsed());
    conn.send(now, s, "application/octet-stream", big, reports)
        .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = BytesMut::new();
    let mut delivered = false;
    while !delivered {
        let (events, closed) = pump(&mut conn, &mut stream, start, &mut buf, &mut out);
        for e in events {
            match e {
                // The text asked for no REPORT: its 200 says the peer took it.
                Event::ReportReceived { .. } | Event::MessageAccepted { .. } => {}
                Event::MessageDelivered { .. } => delivered = true,
                other => panic!("Alice: {other:?}"),
            }
        }
        assert!(!closed || delivered, "Bob closed before the success REPORT");
    }
    let (text, intact) = bob_thread.join().unwrap();
    println!(
        "Bob got {:?} and an 8 MiB message, intact: {intact}",
        String::from_utf8_lossy(&text)
    );
    println!("done in {:.3} s", start.elapsed().as_secs_f64());
    assert!(intact);
}
