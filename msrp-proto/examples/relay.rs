//! The client side of RFC 4976 against a real relay, over plain `std::net`: Alice connects
//! to her relay and authenticates (AUTH, the 401's Digest challenge, AUTH again); Bob,
//! who has no relay, sends to the path she advertises (the relay's URI, then hers), and
//! the message reaches her through the relay.
//!
//! (Alice's own sends would go to the Use-Path, then Bob. Kamailio's connection-map
//! configuration in `../shared/peers` delivers every request for her session's URI to
//! her, so it cannot relay those onward.)
//!
//! ```text
//! ../shared/peers/kamailio/start.sh auth     # Kamailio on 127.0.0.1:2857, password msrp-secret
//! cargo run -p msrp-proto --features testing --example relay -- [RELAY_ADDR [PASSWORD]]
//! ```
//!
//! Kamailio routes by address: Alice's URI is the address her connection comes from.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::panic
)] // an example

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant as StdInstant};

use bytes::Bytes;
use msrp_proto::auth::Credentials;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{
    AuthConfig, CloseReason, Connection, ConnectionConfig, Event, SessionConfig,
};
use msrp_proto::uri::{Path, Uri};
use msrp_proto::{BytesMut, Instant};

/// Ids from the test harness's deterministic source; an application uses a source seeded
/// from the OS (RFC 4975 section 14.1 and RFC 4976 section 9.1: ids and cnonces must be
/// hard to guess).
use msrp_proto::testing::TestRng as Rng;

/// Writes what `conn` has, reads what is there, runs its timers; returns its events.
fn pump(conn: &mut Connection<Rng>, stream: &mut TcpStream, start: StdInstant) -> Vec<Event> {
    let now = || Instant::from_elapsed(start.elapsed());
    let mut out = BytesMut::new();
    while conn.poll_transmit(now(), &mut out).is_some() {
        if stream.write_all(&out).is_err() {
            conn.handle_close(now(), CloseReason::TransportError);
        }
        out.clear();
    }
    let mut buf = [0u8; 16 * 1024];
    match stream.read(&mut buf) {
        Ok(0) => conn.handle_close(now(), CloseReason::PeerClosed),
        Ok(n) => conn.handle_input(now(), &buf[..n]),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        Err(_) => conn.handle_close(now(), CloseReason::TransportError),
    }
    if conn.poll_timeout().is_some_and(|t| t <= now()) {
        conn.handle_timeout(now());
    }
    std::iter::from_fn(|| conn.poll_event()).collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let relay_addr = args.next().unwrap_or_else(|| "127.0.0.1:2857".into());
    let password = args.next().unwrap_or_else(|| "msrp-secret".into());
    let start = StdInstant::now();
    let now = || Instant::from_elapsed(start.elapsed());
    let deadline = start + Duration::from_secs(10);

    // Alice's connection to her relay.
    let mut to_relay = TcpStream::connect(&relay_addr).expect("the relay listens");
    to_relay
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let local = to_relay.local_addr().unwrap();
    let relay: Uri = format!("msrp://{relay_addr};tcp").parse().unwrap();
    let alice_uri: Uri = format!("msrp://{local}/alice8s7dj2;tcp").parse().unwrap();
    let mut alice = Connection::new(ConnectionConfig::default(), Rng::new(0xa11ce), now());
    let config = AuthConfig::new(
        relay,
        alice_uri.clone(),
        Credentials::new("alice", password),
    );
    let auth = alice.authenticate(now(), config).unwrap();
    let use_path = loop {
        assert!(StdInstant::now() < deadline, "no answer to AUTH");
        let evs = pump(&mut alice, &mut to_relay, start);
        if let Some(e) = evs.into_iter().find_map(|e| match e {
            Event::Authorized {
                use_path, expires, ..
            } => Some(Ok((use_path, expires))),
            Event::AuthFailed { reason, .. } => Some(Err(reason)),
            _ => None,
        }) {
            match e {
                Ok((p, expires)) => {
                    println!("authorized: Use-Path {p}, Expires {expires:?}");
                    break p;
                }
                Err(reason) => panic!("AUTH failed: {reason}"),
            }
        }
    };
    assert_eq!(alice.auth_use_path(auth), Some(&use_path));

    // Alice advertises her relay's URI, then hers (RFC 4976 section 5.1), in SDP; her own
    // requests would go to the Use-Path, then Bob.
    let bob_conn = TcpStream::connect(&relay_addr).expect("the relay listens");
    let bob_uri: Uri = format!("msrp://{}/bob2kd93j;tcp", bob_conn.local_addr().unwrap())
        .parse()
        .unwrap();
    let alice_config =
        SessionConfig::new(alice_uri.clone(), Path::new(bob_uri.clone())).relays(&use_path);
    let a_path = alice_config.local_path();
    println!("Alice's a=path: {a_path}");
    println!("Alice's To-Path: {}", alice_config.to_path);
    alice.add_session(alice_config);

    // Bob has no relay: he connects to the first URI of Alice's path (RFC 4975 section
    // 8.3), the relay, and sends there; the relay takes its URI off the To-Path and
    // forwards the SEND over Alice's connection (RFC 4976 section 6.4).
    let mut bob_conn = bob_conn;
    bob_conn
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut bob = Connection::new(ConnectionConfig::default(), Rng::new(0xb0b), now());
    let session = bob.add_session(SessionConfig::new(bob_uri, a_path));
    let hello = bob
        .send(
            now(),
            session,
            "text/plain",
            Bytes::from("Hello through the relay"),
            ReportPrefs::default(),
        )
        .unwrap();

    let (mut received, mut accepted) = (false, false);
    while !(received && accepted) {
        assert!(
            StdInstant::now() < deadline,
            "received {received}, accepted {accepted}"
        );
        for e in pump(&mut bob, &mut bob_conn, start) {
            match e {
                Event::MessageAccepted { message, .. } if message == hello => {
                    println!("Bob: accepted by the relay (its hop-by-hop 200)");
                    accepted = true;
                }
                Event::SendFailed { reason, .. } => panic!("Bob: failed: {reason:?}"),
                other => println!("Bob: {other:?}"),
            }
        }
        for e in pump(&mut alice, &mut to_relay, start) {
            match e {
                Event::MessageReceived { body, .. } => {
                    println!("Alice: {:?}", String::from_utf8_lossy(&body));
                    received = true;
                }
                other => panic!("Alice: {other:?}"),
            }
        }
    }
}
