//! The websocket suite finds what a WebSocket target gets wrong: a 101 without the msrp
//! subprotocol (RFC 7977 section 4.1), and a chunk spread over two WebSocket messages
//! (section 5.1), from a small server written here to do just that.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures_util::{SinkExt, StreamExt};
use msrp_conform::run::{self, Target};
use msrp_conform::{Applies, Outcome};
use msrp_tokio::ws::tokio_tungstenite::accept_hdr_async;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::Message;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use msrp_tokio::ws::tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio::net::TcpListener;

#[derive(Clone, Copy)]
enum Fault {
    /// The 101 selects no subprotocol.
    NoSubprotocol,
    /// Each response goes in two WebSocket messages.
    SplitResponses,
}

/// A server that answers every SEND 200, with `fault`; its session URI.
async fn faulty(fault: Fault) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            tokio::spawn(async move {
                // The callback's type is tungstenite's: its refusal is a whole response.
                #[allow(clippy::result_large_err)]
                let select = |_: &Request, mut r: Response| {
                    if !matches!(fault, Fault::NoSubprotocol) {
                        r.headers_mut()
                            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("msrp"));
                    }
                    Ok(r)
                };
                let Ok(mut ws) = accept_hdr_async(tcp, select).await else {
                    return;
                };
                while let Some(Ok(m)) = ws.next().await {
                    let text = match m {
                        Message::Text(t) => t.to_string(),
                        Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                        _ => continue,
                    };
                    let mut lines = text.split("\r\n");
                    let start: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
                    let field = |name: &str| {
                        text.split("\r\n")
                            .find_map(|l| l.strip_prefix(name))
                            .unwrap_or("")
                            .to_owned()
                    };
                    if start.len() != 3 || start[2] != "SEND" {
                        continue;
                    }
                    let tid = start[1];
                    let answer = format!(
                        "MSRP {tid} 200 OK\r\nTo-Path: {}\r\nFrom-Path: {}\r\n-------{tid}$\r\n",
                        field("From-Path: "),
                        field("To-Path: ")
                    );
                    let (a, b) = answer.split_at(answer.len() / 2);
                    let _ = ws.send(Message::text(a.to_owned())).await;
                    let _ = ws.send(Message::text(b.to_owned())).await;
                }
            });
        }
    });
    format!("msrp://127.0.0.1:{port}/session1;ws")
}

async fn play(uri: &str, id: &str) -> Outcome {
    let target = Target::new(uri.parse().unwrap(), Applies::Endpoint);
    let suites = msrp_conform::builtin();
    let sc = suites
        .iter()
        .flat_map(|s| &s.scenarios)
        .find(|s| s.id == id)
        .unwrap();
    run::run_scenario(&target, "websocket", sc).await.outcome
}

#[tokio::test]
async fn a_101_without_the_msrp_subprotocol_fails() {
    let uri = faulty(Fault::NoSubprotocol).await;
    let o = play(&uri, "rfc7977-4.1-msrp-subprotocol").await;
    assert_eq!(o.as_str(), "fail", "{o:?}");
    assert!(o.reason().unwrap().contains("subprotocol"), "{o:?}");
}

#[tokio::test]
async fn a_response_in_two_websocket_messages_fails() {
    let uri = faulty(Fault::SplitResponses).await;
    let o = play(&uri, "rfc7977-4.1-msrp-subprotocol").await;
    assert_eq!(o.as_str(), "fail", "{o:?}");
    let why = o.reason().unwrap();
    assert!(why.contains("2 of 2 WebSocket messages"), "{why}");
    assert!(
        why.contains("message 1 (89 bytes) holds the start of a chunk head"),
        "{why}"
    );
    assert!(
        why.contains("message 2 (90 bytes) does not parse alone"),
        "{why}"
    );
}
