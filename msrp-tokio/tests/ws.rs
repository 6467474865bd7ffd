//! MSRP over WebSocket (RFC 7977) on loopback: a message both ways over `ws`, a streamed
//! file of several MiB seen chunk by chunk through a WebSocket proxy (one chunk per
//! WebSocket message, section 5.1), `wss` with a self-signed certificate, handshakes
//! without the `msrp` subprotocol refused either way (section 4.1), and pings on a quiet
//! connection (section 6).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::sync::{Arc, Mutex};

use common::{Generated, StreamEnd, read_stream, within};
use futures_util::{SinkExt, StreamExt};
use msrp_tokio::tls::SelfSigned;
use msrp_tokio::uri::{Path, Scheme, Transport, Uri};
use msrp_tokio::ws::tokio_tungstenite::tungstenite;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use msrp_tokio::ws::tokio_tungstenite::tungstenite::http::HeaderValue;
use msrp_tokio::ws::{DEFAULT_MAX_CHUNK, tokio_tungstenite};
use msrp_tokio::{
    Config, Error, Incoming, Listener, Received, SendOptions, Sent, Session, connect, connect_ws,
};
use tokio::net::{TcpListener, TcpStream};

/// A WebSocket listener offering one session that learns its peer's path.
async fn ws_listener(config: Config) -> (Listener, Uri) {
    let listener = within("bind_ws", Listener::bind_ws("127.0.0.1:0", config.clone()))
        .await
        .expect("bind a loopback WebSocket listener");
    let uri = listener.new_uri().expect("a URI");
    listener
        .offer(
            config
                .session(uri.clone(), Path::new(uri.clone()))
                .learn_to_path(true),
        )
        .expect("a fresh URI");
    (listener, uri)
}

/// A WebSocket handshake request to `addr` offering `protocol` as its subprotocol.
fn request(
    addr: std::net::SocketAddr,
    protocol: &'static str,
) -> tungstenite::handshake::client::Request {
    let mut r =
        tungstenite::client::IntoClientRequest::into_client_request(format!("ws://{addr}/"))
            .unwrap();
    r.headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
    r
}

async fn message(incoming: &mut Incoming, what: &str) -> (String, Vec<u8>) {
    match within(what, incoming.recv()).await {
        Some(Received::Message {
            message_id, body, ..
        }) => (message_id, body.to_vec()),
        other => panic!("{what}: expected a message, got {other:?}"),
    }
}

/// Alice sends to Bob and Bob back to Alice.
async fn both_ways(alice: &Session, alice_in: &mut Incoming, bob: &Session, bob_in: &mut Incoming) {
    let sent = within(
        "alice sends",
        alice.send("text/plain", "Hello over WebSocket"),
    )
    .await
    .expect("delivered");
    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
    let (id, body) = message(bob_in, "bob receives").await;
    assert_eq!(id, sent.message_id());
    assert_eq!(body, b"Hello over WebSocket");

    // A binary body goes in a binary frame; it arrives as it was.
    let binary: Vec<u8> = (0..=255u8).rev().collect();
    let sent = within(
        "bob answers",
        bob.send("application/octet-stream", binary.clone()),
    )
    .await
    .expect("delivered");
    let (id, body) = message(alice_in, "alice receives").await;
    assert_eq!(id, sent.message_id());
    assert_eq!(body, binary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_both_ways_over_ws() {
    let (mut listener, bob_uri) = ws_listener(Config::default()).await;
    assert!(bob_uri.as_str().ends_with(";ws"), "{}", bob_uri.as_str());
    assert_eq!(bob_uri.scheme(), Scheme::Msrp);

    let (alice, mut alice_in) = within("connect", connect(&bob_uri.into(), &Config::default()))
        .await
        .expect("connect over ws");
    // RFC 7977 Appendix A: a random .invalid host, the ws transport.
    let me = alice.local_uri();
    assert!(me.host_str().ends_with(".invalid"), "{}", me.as_str());
    assert!(matches!(me.transport(), Transport::Ws), "{}", me.as_str());
    assert_eq!(me.scheme(), Scheme::Msrp);

    let (bob, mut bob_in) = within("accept", listener.accept())
        .await
        .expect("the session is bound");
    both_ways(&alice, &mut alice_in, &bob, &mut bob_in).await;

    // Alice ends the session: the connection closes with a Close frame, Bob sees the end.
    within("alice closes", alice.close()).await;
    let end = within("bob's session ends", bob_in.recv()).await;
    assert!(
        matches!(end, Some(Received::Closed { .. }) | None),
        "unexpected {end:?}"
    );
}

/// What the proxy saw of the WebSocket messages from the client to the listener.
#[derive(Debug, Default)]
struct Seen {
    messages: usize,
    largest: usize,
    text: usize,
    binary: usize,
    pings: usize,
}

/// Checks that `m` is exactly one MSRP chunk: it begins with the start line of a
/// transaction and ends with that transaction's end-line.
fn one_chunk(m: &[u8]) {
    assert!(
        m.starts_with(b"MSRP "),
        "{:?}",
        String::from_utf8_lossy(&m[..m.len().min(80)])
    );
    let line_end = m
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("a start line");
    let start = std::str::from_utf8(&m[..line_end]).expect("an ASCII start line");
    let tid = start.split(' ').nth(1).expect("a transaction id");
    let tail = format!("-------{tid}");
    let end = &m[m.len() - tail.len() - 3..];
    assert!(
        end.starts_with(tail.as_bytes()) && end.ends_with(b"\r\n"),
        "the message does not end with its end-line: {:?}",
        String::from_utf8_lossy(end)
    );
    assert!(matches!(end[tail.len()], b'$' | b'+' | b'#'));
    // No other end-line of this transaction before it.
    let inner = &m[..m.len() - tail.len() - 3];
    assert!(
        !inner
            .windows(tail.len() + 3)
            .any(|w| w.starts_with(tail.as_bytes()) && w.ends_with(b"\r\n")),
        "two chunks in one WebSocket message"
    );
}

/// A WebSocket proxy in front of `upstream` (a WebSocket listener): it selects `msrp`,
/// opens its own WebSocket connection with `msrp`, forwards messages both ways, and
/// records and checks what the client sends.
async fn proxy(upstream: std::net::SocketAddr) -> (std::net::SocketAddr, Arc<Mutex<Seen>>) {
    let front = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = front.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = seen.clone();
    tokio::spawn(async move {
        let (tcp, _) = front.accept().await.unwrap();
        #[allow(clippy::result_large_err)] // tungstenite's callback type
        let select = |_: &Request, mut r: Response| {
            r.headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("msrp"));
            Ok(r)
        };
        let client = tokio_tungstenite::accept_hdr_async(tcp, select)
            .await
            .unwrap();
        let mut request = tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{upstream}/"
        ))
        .unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("msrp"));
        let tcp = TcpStream::connect(upstream).await.unwrap();
        let (server, _) = tokio_tungstenite::client_async(request, tcp).await.unwrap();
        let (mut client_tx, mut client_rx) = client.split();
        let (mut server_tx, mut server_rx) = server.split();
        let up = async move {
            while let Some(Ok(m)) = client_rx.next().await {
                if m.is_ping() {
                    record.lock().unwrap().pings += 1;
                }
                if m.is_text() || m.is_binary() {
                    let data = m.clone().into_data();
                    one_chunk(&data);
                    let mut s = record.lock().unwrap();
                    s.messages += 1;
                    s.largest = s.largest.max(data.len());
                    if m.is_text() {
                        s.text += 1;
                    } else {
                        s.binary += 1;
                    }
                }
                if m.is_close() || server_tx.send(m).await.is_err() {
                    break;
                }
            }
            let _ = server_tx.close().await;
        };
        let down = async move {
            while let Some(Ok(m)) = server_rx.next().await {
                if m.is_close() || client_tx.send(m).await.is_err() {
                    break;
                }
            }
            let _ = client_tx.close().await;
        };
        tokio::join!(up, down);
    });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_mib_streamed_one_chunk_per_message() {
    let (mut listener, bob_uri) = ws_listener(Config::default()).await;
    let (proxy_addr, seen) = proxy(listener.local_addr()).await;
    // The WebSocket URL comes from elsewhere than the path (signaling): the proxy's.
    let url = format!("ws://{proxy_addr}/msrp");
    let (alice, _alice_in) = within(
        "connect_ws through the proxy",
        connect_ws(&url, &bob_uri.into(), &Config::default()),
    )
    .await
    .expect("connect_ws");
    let (_bob, mut bob_in) = within("accept", listener.accept()).await.unwrap();

    let len: u64 = 5 * 1024 * 1024 + 7;
    let reader = tokio::spawn(async move { read_stream(&mut bob_in).await });
    let sent = within(
        "a 5 MiB stream over ws",
        alice.send_stream(
            "application/octet-stream",
            Generated::new(len),
            Some(len),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await
    .expect("delivered");
    let got = within("bob reads the stream", reader).await.unwrap();
    assert_eq!(got.message_id, sent.message_id());
    assert_eq!(got.end, StreamEnd::Complete { total: len });
    assert_eq!(got.received, len);

    let s = seen.lock().unwrap();
    let chunks = len.div_ceil(DEFAULT_MAX_CHUNK) as usize;
    assert!(
        s.messages > chunks,
        "at least one message per {DEFAULT_MAX_CHUNK}-byte chunk and the binding SEND: {s:?}"
    );
    assert!(
        s.largest <= DEFAULT_MAX_CHUNK as usize + 1024,
        "a chunk holds at most {DEFAULT_MAX_CHUNK} body bytes: {s:?}"
    );
    // The generated bytes are not UTF-8; the binding SEND and the REPORT are.
    assert!(s.binary >= chunks && s.text >= 1, "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_both_ways_over_wss() {
    let cert = SelfSigned::generate(&["127.0.0.1"]).expect("a certificate");
    let server = Config::default().tls_server(cert.server_config().unwrap());
    let client = Config::default().tls_client(cert.client_config().unwrap());
    let (mut listener, bob_uri) = ws_listener(server).await;
    assert_eq!(bob_uri.scheme(), Scheme::Msrps);
    assert!(bob_uri.as_str().ends_with(";ws"), "{}", bob_uri.as_str());

    let (alice, mut alice_in) = within("connect over wss", connect(&bob_uri.into(), &client))
        .await
        .expect("connect over wss");
    assert_eq!(alice.local_uri().scheme(), Scheme::Msrps);
    let (bob, mut bob_in) = within("accept", listener.accept()).await.unwrap();
    both_ways(&alice, &mut alice_in, &bob, &mut bob_in).await;

    // The same through connect_ws and the URL; without tls_client it cannot be done.
    let url = format!("wss://{}/", listener.local_addr());
    let uri = listener.new_uri().unwrap();
    let err = within(
        "wss without a client configuration",
        connect_ws(&url, &uri.into(), &Config::default()),
    )
    .await
    .expect_err("no TLS configuration");
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}

#[tokio::test]
async fn handshake_without_msrp_is_refused() {
    let (listener, _) = ws_listener(Config::default()).await;
    let addr = listener.local_addr();
    // A WebSocket client that does not ask for msrp gets 400.
    let tcp = within("tcp connect", TcpStream::connect(addr))
        .await
        .unwrap();
    let r = within(
        "a handshake without a subprotocol",
        tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp),
    )
    .await;
    match r {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("the handshake succeeded without msrp"),
    }
    // One that asks for another subprotocol only, too.
    let tcp = within("tcp connect", TcpStream::connect(addr))
        .await
        .unwrap();
    let r = within(
        "a handshake for sip",
        tokio_tungstenite::client_async(request(addr, "sip"), tcp),
    )
    .await;
    assert!(matches!(r, Err(tungstenite::Error::Http(ref resp)) if resp.status() == 400));

    // A server that does not select msrp: our client fails clearly.
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_addr = plain.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = plain.accept().await.unwrap();
        // Accepts the WebSocket but selects no subprotocol.
        let ws = tokio_tungstenite::accept_async(tcp).await;
        drop(ws);
    });
    let uri = listener.new_uri().unwrap();
    let err = within(
        "connect_ws to a server without msrp",
        connect_ws(
            &format!("ws://{plain_addr}/"),
            &uri.into(),
            &Config::default(),
        ),
    )
    .await
    .expect_err("refused");
    match &err {
        Error::WebSocket(text) => assert!(text.contains("msrp subprotocol"), "{text}"),
        other => panic!("expected Error::WebSocket, got {other:?}"),
    }
    within("the plain server ends", server).await.unwrap();

    // A .invalid host (a WebSocket client's own URI) is not connected to.
    let invalid: Uri = "msrp://df7jal23ls0d.invalid:2855/98cjs;ws".parse().unwrap();
    let err = within(
        "connect to .invalid",
        connect(&invalid.into(), &Config::default()),
    )
    .await
    .expect_err("not connectable");
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_session_sends_pings() {
    let (mut listener, bob_uri) = ws_listener(Config::default()).await;
    let (proxy_addr, seen) = proxy(listener.local_addr()).await;
    let config = Config::default().ws_keepalive(Some(std::time::Duration::from_millis(30)));
    let (alice, _alice_in) = within(
        "connect_ws through the proxy",
        connect_ws(&format!("ws://{proxy_addr}/"), &bob_uri.into(), &config),
    )
    .await
    .expect("connect_ws");
    let (_bob, mut bob_in) = within("accept", listener.accept()).await.unwrap();
    // RFC 7977 section 6: a quiet connection pings.
    within("pings", async {
        while seen.lock().unwrap().pings < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    within(
        "a message after the pings",
        alice.send("text/plain", "still here"),
    )
    .await
    .expect("delivered");
    let (_, body) = message(&mut bob_in, "bob receives").await;
    assert_eq!(body, b"still here");
}

/// A WebSocket message over `Config::ws_max_message` closes the connection (status 1009,
/// message too big) instead of being held whole; one under it is a chunk like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_limit_closes_the_connection() {
    let (listener, uri) = ws_listener(Config::default().ws_max_message(64 * 1024)).await;
    let addr = listener.local_addr();
    let open = || async {
        let tcp = within("tcp connect", TcpStream::connect(addr))
            .await
            .unwrap();
        within(
            "handshake",
            tokio_tungstenite::client_async(request(addr, "msrp"), tcp),
        )
        .await
        .unwrap()
        .0
    };
    let send = |tid: &str, len: usize| {
        let mut c = format!(
            "MSRP {tid} SEND\r\nTo-Path: {}\r\nFrom-Path: msrp://x.invalid:1/me;ws\r\n\
             Message-ID: m{tid}\r\nByte-Range: 1-{len}/{len}\r\nContent-Type: text/plain\r\n\r\n",
            uri.as_str()
        )
        .into_bytes();
        c.extend(std::iter::repeat_n(b'x', len));
        c.extend_from_slice(format!("\r\n-------{tid}$\r\n").as_bytes());
        tungstenite::Message::binary(c)
    };
    // Under the limit: answered.
    let mut ws = open().await;
    ws.send(send("small001", 1000)).await.unwrap();
    let answer = within("an answer", ws.next()).await.unwrap().unwrap();
    assert!(
        answer.to_text().unwrap().starts_with("MSRP small001 200"),
        "{answer:?}"
    );
    // Over it: the connection ends, with 1009 when a close frame comes.
    let mut ws = open().await;
    let _ = ws.send(send("large001", 100 * 1024)).await;
    loop {
        match within("the end of the connection", ws.next()).await {
            Some(Ok(tungstenite::Message::Close(frame))) => {
                if let Some(f) = frame {
                    assert_eq!(u16::from(f.code), 1009, "{f:?}");
                }
                break;
            }
            Some(Ok(tungstenite::Message::Text(t))) => {
                panic!("an answer to a message over the limit: {t}")
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break,
        }
    }
}
