//! Our relay ([`RelayServer`]) under hostile peers on loopback: it keeps serving a normal
//! client (AUTH, a message both ways with its success REPORT) while others hold a
//! thousand idle or half-written connections, declare terabyte messages and stream their
//! bodies, send 100,000 headers, a header without end, garbage, and replay a Digest
//! nonce count. What the relay holds stays within its configured limits throughout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{within, within_for};
use msrp_proto::auth::{Challenge, Credentials};
use msrp_proto::relay::RelayConfig;
use msrp_proto::wire::{ChunkParser, ParseEvent};
use msrp_proto::{Limits, Mode};
use msrp_tokio::relay_server::{RelayServer, RelayServerConfig};
use msrp_tokio::{Attached, Config, Received, Relay, attach, connect_via};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn users(user: &str, _realm: &str) -> Option<String> {
    match user {
        "alice" | "bob" | "mallory" => Some(format!("{user}-pw")),
        _ => None,
    }
}

/// Bytes the relay may hold for one connection (its `max_queued_bytes`).
const QUEUED: usize = 128 * 1024;
/// Bytes read at a time (one read may land after `StopReading`).
const READ: usize = 32 * 1024;

async fn relay(max_connections: usize, open: bool) -> RelayServer {
    relay_with(max_connections, open, None).await
}

/// With a probation time (RFC 4976 section 6.1: a connection without a successful
/// request in that time is closed) other than the default 30 s.
async fn relay_with(
    max_connections: usize,
    open: bool,
    probation: Option<Duration>,
) -> RelayServer {
    let mut engine = RelayConfig::new("msrp://127.0.0.1:0;tcp".parse().unwrap(), "relay.test");
    if probation.is_some() {
        engine.probation = probation;
    }
    engine.max_connections = max_connections;
    engine.max_queued_bytes = QUEUED;
    engine.require_auth = !open;
    let mut config = RelayServerConfig::new(engine);
    config.read_size = READ;
    config.write_batch = READ;
    within("bind", RelayServer::bind("127.0.0.1:0", config, users))
        .await
        .unwrap()
}

fn client(server: &RelayServer, user: &str) -> Relay {
    Relay::new(
        server.uri().clone(),
        Credentials::new(user, format!("{user}-pw")),
    )
}

/// The normal client's round: Bob attaches, Alice connects through, one message each way
/// with its success REPORT.
async fn normal_round(server: &RelayServer, bob_config: &Config) -> Attached {
    let config = Config::default();
    let mut bob = within("bob attaches", attach(&client(server, "bob"), bob_config))
        .await
        .expect("bob authenticates");
    let (alice, mut alice_in) = within(
        "alice connects",
        connect_via(&client(server, "alice"), &bob.path, &config),
    )
    .await
    .expect("alice reaches bob");
    within("alice's message", alice.send("text/plain", "still there?"))
        .await
        .expect("delivered");
    let got = within("bob receives", bob.incoming.recv()).await;
    assert!(
        matches!(&got, Some(Received::Message { body, .. }) if &body[..] == b"still there?"),
        "{got:?}"
    );
    within("bob's answer", bob.session.send("text/plain", "yes"))
        .await
        .expect("delivered");
    let got = within("alice receives", alice_in.recv()).await;
    assert!(matches!(got, Some(Received::Message { .. })), "{got:?}");
    alice.close().await;
    bob
}

/// Whether the relay closed `s` (reads until EOF or an error, within `limit`).
async fn closed_by_relay(s: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = vec![0u8; 64 * 1024];
    tokio::time::timeout(limit, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// How many file descriptors this process may open.
fn fd_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_and_half_written_connections() {
    // Each connection is two descriptors here (both ends are in this process).
    let n = 1000.min(fd_limit().saturating_sub(300) / 2);
    assert!(
        n >= 400,
        "too few file descriptors for the test: {}",
        fd_limit()
    );
    let server = relay(n + 16, false).await;
    let addr = server.local_addr();
    let mut held = Vec::with_capacity(n);
    for i in 0..n {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 1 {
            // Half a request, then nothing.
            s.write_all(b"MSRP half1234 SEND\r\nTo-Path: msrp://127.0.0.1:1/x;tcp\r\nFrom-Pa")
                .await
                .unwrap();
        }
        held.push(s);
    }
    within_for(Duration::from_secs(30), "all accepted", async {
        while server.stats().accepted < n as u64 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let before = server.stats();
    assert_eq!(before.connections, n);
    let _bob = normal_round(&server, &Config::default()).await;
    let stats = server.stats();
    assert_eq!(stats.refused, 0);
    assert!(stats.peak_buffered_bytes <= QUEUED, "{stats:?}");
    drop(held);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terabyte_declared_size_streams_with_memory_bounded() {
    let server = relay(64, true).await;
    // Bob takes at most 1 MiB: he refuses the declared size at once (413), and the
    // relay passes the refusal back while the sender keeps writing body bytes.
    let bob_config = Config::default().max_message_size(1 << 20);
    let bob = normal_round(&server, &bob_config).await;
    let bob_path: Vec<String> = bob.path.iter().map(|u| u.as_str().to_owned()).collect();
    let mut m = TcpStream::connect(server.local_addr()).await.unwrap();
    let head = format!(
        "MSRP tera0001 SEND\r\nTo-Path: {} {}\r\nFrom-Path: msrp://127.0.0.1:9/mallory;tcp\r\n\
         Message-ID: tera\r\nByte-Range: 1-*/1099511627776000\r\nContent-Type: text/plain\r\n\r\n",
        server.uri().as_str(),
        bob_path.join(" ")
    );
    m.write_all(head.as_bytes()).await.unwrap();
    let junk = vec![b'z'; 1 << 20];
    let (mut rd, mut wr) = m.into_split();
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            if got.len() > 1 << 16 {
                break;
            }
        }
        got
    });
    // 64 MiB of body: the relay cuts it through (or drops it) and never holds more
    // than its limits.
    within_for(Duration::from_secs(60), "64 MiB of body", async {
        for _ in 0..64 {
            wr.write_all(&junk).await.unwrap();
        }
    })
    .await;
    let peak = server.stats().peak_buffered_bytes;
    assert!(peak <= QUEUED + READ, "peak {peak}");
    wr.write_all(b"\r\n-------tera0001#\r\n").await.unwrap();
    drop(wr);
    let answers = within("mallory's answers", reader).await.unwrap();
    let text = String::from_utf8_lossy(&answers);
    // The relay answers a SEND hop by hop, and Bob's 413 comes back as a failure
    // REPORT (RFC 4976 section 6.4.1), saying how far the relay had got.
    assert!(text.starts_with("MSRP "), "{text}");
    assert!(text.contains(" REPORT\r\n"), "{text}");
    assert!(text.contains("Message-ID: tera\r\n"), "{text}");
    assert!(text.contains("Status: 000 413"), "{text}");
    // And the relay still serves.
    let _bob2 = normal_round(&server, &Config::default()).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_headers_endless_header_and_garbage_are_closed() {
    // Each is closed at once (unframeable) or answered 400 and then skipped to an
    // end-line that never comes, with nothing held, until probation ends it.
    let server = relay_with(64, false, Some(Duration::from_secs(2))).await;
    let addr = server.local_addr();
    let to_path = format!("To-Path: {}\r\n", server.uri().as_str());

    // 100,000 headers.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut many =
        format!("MSRP many0001 SEND\r\n{to_path}From-Path: msrp://127.0.0.1:9/m;tcp\r\n");
    for i in 0..100_000 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    let writer = {
        let bytes = many.into_bytes();
        let (mut rd, mut wr) = s.into_split();
        let w = tokio::spawn(async move {
            let _ = wr.write_all(&bytes).await;
        });
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            let mut buf = vec![0u8; 4096];
            loop {
                match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return true,
                    Ok(_) => {}
                }
            }
        })
        .await
        .unwrap_or(false);
        assert!(closed, "100,000 headers: the connection stays open");
        w
    };
    let _ = writer.await;

    // A header line that never ends.
    s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"MSRP long0001 SEND\r\nTo-Path: msrp://")
        .await
        .unwrap();
    let endless = vec![b'a'; 64 * 1024];
    let mut closed = false;
    for _ in 0..64 {
        if s.write_all(&endless).await.is_err() {
            closed = true;
            break;
        }
    }
    closed = closed || closed_by_relay(&mut s, Duration::from_secs(10)).await;
    assert!(closed, "an endless header: the connection stays open");

    // Garbage.
    s = TcpStream::connect(addr).await.unwrap();
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let _ = s.write_all(&garbage).await;
    assert!(
        closed_by_relay(&mut s, Duration::from_secs(10)).await,
        "garbage: the connection stays open"
    );

    let peak = server.stats().peak_buffered_bytes;
    assert!(peak <= QUEUED, "peak {peak}");
    let _bob = normal_round(&server, &Config::default()).await;
    server.shutdown().await;
}

/// The heads the relay wrote on `s` until `count` arrived.
async fn heads(s: &mut TcpStream, count: usize) -> Vec<msrp_proto::wire::ChunkHead> {
    let mut parser = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    while out.len() < count {
        let n = within("the relay's answer", s.read(&mut buf))
            .await
            .unwrap();
        assert!(n > 0, "closed before {count} answers");
        parser.feed(&buf[..n]);
        while let Some(ev) = parser.next() {
            if let Ok(ParseEvent::Head(h)) = ev {
                out.push(h);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_replayed_digest_nonce_count_is_refused() {
    let server = relay(64, false).await;
    let relay_uri = server.uri().as_str().to_owned();
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    let auth = |tid: &str, extra: &str| {
        format!(
            "MSRP {tid} AUTH\r\nTo-Path: {relay_uri}\r\nFrom-Path: msrp://127.0.0.1:9/mal;tcp\r\n\
             {extra}-------{tid}$\r\n"
        )
    };
    s.write_all(auth("auth0001", "").as_bytes()).await.unwrap();
    let h = heads(&mut s, 1).await.remove(0);
    assert_eq!(h.status_code(), Some(401));
    let ch = Challenge::parse_bytes(h.header_value("WWW-Authenticate").unwrap()).unwrap();
    let value = ch
        .authorization(
            &Credentials::new("mallory", "mallory-pw"),
            "AUTH",
            &relay_uri,
            "c0ffee01",
            1,
        )
        .unwrap();
    let with = format!("Authorization: {value}\r\n");
    s.write_all(auth("auth0002", &with).as_bytes())
        .await
        .unwrap();
    let h = heads(&mut s, 1).await.remove(0);
    assert_eq!(h.status_code(), Some(200), "the first use is good");
    // The same Authorization again (same nonce, same nc): a replay.
    s.write_all(auth("auth0003", &with).as_bytes())
        .await
        .unwrap();
    let h = heads(&mut s, 1).await.remove(0);
    assert_eq!(
        h.status_code(),
        Some(401),
        "a replayed nonce count is refused"
    );
    assert_eq!(server.stats().sessions, 1);
    server.shutdown().await;
}
