//! Our relay ([`RelayServer`]) with our clients on loopback: AUTH, a message both ways
//! with its success REPORT, refusals, a large streamed transfer with the relay's memory
//! bounded, and the connection limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Generated, StreamEnd, read_stream, within, within_for};
use msrp_proto::auth::Credentials;
use msrp_proto::relay::RelayConfig;
use msrp_tokio::relay_server::{RelayServer, RelayServerConfig};
use msrp_tokio::{Config, Error, Received, Relay, SendOptions, attach, connect_via};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn users(user: &str, _realm: &str) -> Option<String> {
    match user {
        "alice" => Some("alice-pw".into()),
        "bob" => Some("bob-pw".into()),
        _ => None,
    }
}

fn engine() -> RelayConfig {
    RelayConfig::new("msrp://127.0.0.1:0;tcp".parse().unwrap(), "relay.test")
}

async fn relay_with(config: RelayServerConfig) -> RelayServer {
    within(
        "bind the relay",
        RelayServer::bind("127.0.0.1:0", config, users),
    )
    .await
    .expect("bind on loopback")
}

fn client(server: &RelayServer, user: &str, pw: &str) -> Relay {
    Relay::new(server.uri().clone(), Credentials::new(user, pw))
}

#[tokio::test]
async fn message_through_our_relay_with_success_report() {
    let server = relay_with(RelayServerConfig::new(engine())).await;
    let config = Config::default();
    let mut bob = within(
        "bob attaches",
        attach(&client(&server, "bob", "bob-pw"), &config),
    )
    .await
    .expect("bob authenticates");
    assert_eq!(bob.path.len(), 2, "relay URI, then bob's");
    let (alice, mut alice_in) = within(
        "alice connects",
        connect_via(&client(&server, "alice", "alice-pw"), &bob.path, &config),
    )
    .await
    .expect("alice reaches bob through the relay");
    assert_eq!(server.stats().sessions, 2);

    // send() resolves on the success REPORT, which came back through the relay.
    let sent = within(
        "alice's message",
        alice.send("text/plain", "hello via relay"),
    )
    .await
    .expect("delivered");
    let got = within("bob receives", bob.incoming.recv()).await;
    let Some(Received::Message {
        body, message_id, ..
    }) = got
    else {
        panic!("expected a message, got {got:?}");
    };
    assert_eq!(&body[..], b"hello via relay");
    assert_eq!(message_id, sent.message_id());

    // And back: bob's session learnt alice's path from her binding SEND.
    within("bob's answer", bob.session.send("text/plain", "hi alice"))
        .await
        .expect("delivered to alice");
    let got = within("alice receives", alice_in.recv()).await;
    assert!(
        matches!(&got, Some(Received::Message { body, .. }) if &body[..] == b"hi alice"),
        "{got:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_session_are_refused() {
    let server = relay_with(RelayServerConfig::new(engine())).await;
    let config = Config::default();
    let err = within(
        "bad password",
        attach(&client(&server, "bob", "nope"), &config),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, Error::Auth { .. }), "{err}");

    // A Use-Path URI the relay never issued: 481 (RFC 4976 section 6.4).
    let fake = format!(
        "msrp://127.0.0.1:{}/notissued;tcp",
        server.local_addr().port()
    );
    let to = msrp_tokio::uri::Path::new(fake.parse().unwrap());
    let err = within(
        "unknown session",
        connect_via(&client(&server, "alice", "alice-pw"), &to, &config),
    )
    .await
    .expect_err("481");
    assert_eq!(err.status_code(), Some(481), "{err}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_large_stream_passes_with_the_relay_memory_bounded() {
    const LEN: u64 = 64 << 20;
    let mut engine = engine();
    engine.max_queued_bytes = 256 * 1024;
    engine.max_waiting_bytes = 256 * 1024;
    let mut config = RelayServerConfig::new(engine);
    config.read_size = 64 * 1024;
    let server = relay_with(config).await;
    let config = Config::default();
    let mut bob = within(
        "bob attaches",
        attach(&client(&server, "bob", "bob-pw"), &config),
    )
    .await
    .unwrap();
    let (alice, _alice_in) = within(
        "alice connects",
        connect_via(&client(&server, "alice", "alice-pw"), &bob.path, &config),
    )
    .await
    .unwrap();
    let send = alice.send_stream(
        "application/octet-stream",
        Generated::new(LEN),
        Some(LEN),
        SendOptions::default(),
        |_| {},
    );
    let (sent, seen) = within_for(
        Duration::from_secs(120),
        "64 MiB through the relay",
        async { tokio::join!(send, read_stream(&mut bob.incoming)) },
    )
    .await;
    sent.expect("delivered");
    assert_eq!(seen.end, StreamEnd::Complete { total: LEN });
    assert_eq!(seen.received, LEN);
    let peak = server.stats().peak_buffered_bytes;
    // The queue limit, one read handed over after StopReading, and a write batch.
    let bound = 256 * 1024 + 64 * 1024 + 64 * 1024;
    assert!(peak <= bound, "peak {peak} over {bound}");
    server.shutdown().await;
}

#[tokio::test]
async fn connections_over_the_limit_are_refused_and_others_still_served() {
    let mut engine = engine();
    engine.max_connections = 4;
    let server = relay_with(RelayServerConfig::new(engine)).await;
    let addr = server.local_addr();
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    // The fifth is closed at once.
    let mut extra = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut b = [0u8; 16];
    let n = within("the refused connection ends", extra.read(&mut b))
        .await
        .unwrap_or(0);
    assert_eq!(n, 0);
    assert!(server.stats().refused >= 1);
    // Freeing one lets a client in (once the relay has seen it close).
    drop(idle.pop());
    let auth = format!(
        "MSRP a1b2c3 AUTH\r\nTo-Path: {}\r\nFrom-Path: msrp://127.0.0.1:9/x;tcp\r\n-------a1b2c3$\r\n",
        server.uri().as_str()
    );
    let mut answer = Vec::new();
    for _ in 0..100 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(auth.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = within("an answer or a close", s.read(&mut buf))
            .await
            .unwrap_or(0);
        if n > 0 {
            answer = buf[..n].to_vec();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        answer.starts_with(b"MSRP a1b2c3 401"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    drop(idle);
    server.shutdown().await;
}
