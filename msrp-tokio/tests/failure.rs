//! Peers that fail: a hand-written peer (a raw TCP listener and the codec) takes the
//! binding SEND with a 200 and then stays silent, never sends the REPORT, or goes away.
//! Sends end in a bounded time with `Failed(Timeout)`, `Failed(NoReport)` or a closed
//! connection; none hangs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::time::Duration;

use common::{Generated, within, within_for};
use futures_util::{SinkExt, StreamExt};
use msrp_tokio::codec::MsrpCodec;
use msrp_tokio::proto::wire::{Chunk, ChunkHead, ParseEvent};
use msrp_tokio::uri::{Path, Uri};
use msrp_tokio::{
    CloseReason, Config, ConnectionConfig, Error, FailReason, Received, SendOptions, Session,
    connect,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

/// What the hand-written peer does after answering the binding SEND.
#[derive(Clone, Copy, Debug)]
enum Then {
    /// Reads everything, answers nothing.
    Silent,
    /// Answers every request with 200, sends no REPORT.
    AnswerOnly,
    /// Closes the connection once `n` requests (after the binding one) have begun.
    CloseAfter(usize),
}

/// A peer on a raw socket. It answers the first request (the binding SEND) with a 200,
/// then behaves as `then` says; the heads of the requests it sees go to the channel.
async fn raw_peer(then: Then) -> (Uri, mpsc::UnboundedReceiver<ChunkHead>) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let uri: Uri = format!("msrp://127.0.0.1:{port}/rawpeer1;tcp")
        .parse()
        .unwrap();
    let (heads, rx) = mpsc::unbounded_channel();
    let me = uri.clone();
    tokio::spawn(async move {
        let (stream, _) = tcp.accept().await.unwrap();
        serve(stream, me, then, heads).await;
    });
    (uri, rx)
}

async fn serve(stream: TcpStream, me: Uri, then: Then, heads: mpsc::UnboundedSender<ChunkHead>) {
    let mut framed = Framed::new(stream, MsrpCodec::default());
    let mut requests = 0usize;
    while let Some(ev) = framed.next().await {
        let Ok(ParseEvent::Head(head)) = ev else {
            // Body pieces and end-lines: nothing to do with them.
            if ev.is_err() {
                return;
            }
            continue;
        };
        if !head.is_request() {
            continue;
        }
        requests += 1;
        let _ = heads.send(head.clone());
        let answer = match then {
            _ if requests == 1 => true,
            Then::Silent => false,
            Then::AnswerOnly => true,
            Then::CloseAfter(n) => {
                if requests > n {
                    // Gone, without a word (the socket is dropped).
                    return;
                }
                true
            }
        };
        if answer {
            let ok = Chunk::response_to(&head, me.clone(), 200, Some("OK")).unwrap();
            if framed.send(ok).await.is_err() {
                return;
            }
        }
    }
}

async fn connect_to(uri: Uri, config: &Config) -> (Session, msrp_tokio::Incoming) {
    within("connect to the raw peer", connect(&Path::new(uri), config))
        .await
        .expect("the raw peer takes the binding SEND")
}

/// RFC 4975 section 7.1.1: no response 30 seconds after a chunk was sent fails it. The
/// clock is tokio's, paused here: the 30 seconds pass at once, and are checked exactly.
#[tokio::test(start_paused = true)]
async fn silent_peer_times_out_after_30_seconds() {
    let (uri, mut heads) = raw_peer(Then::Silent).await;
    let (alice, _alice_in) = connect_to(uri, &Config::default()).await;
    let binding = within("the binding SEND", heads.recv()).await.unwrap();
    assert_eq!(
        binding.byte_range().map(|r| (r.start, r.end, r.total)),
        Some((1, Some(0), Some(0))),
        "the binding SEND is empty"
    );

    let started = tokio::time::Instant::now();
    let wall = std::time::Instant::now();
    let r = within_for(
        Duration::from_secs(120),
        "a send to a silent peer",
        alice.send("text/plain", "anyone there?"),
    )
    .await;
    let waited = started.elapsed();
    assert!(
        matches!(r, Err(Error::Failed(FailReason::Timeout))),
        "expected a timeout, got {r:?}"
    );
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(35),
        "timed out after {waited:?}"
    );
    assert!(wall.elapsed() < Duration::from_secs(10));
    let text = r.unwrap_err().to_string();
    assert!(text.contains("30 seconds"), "{text}");
    // The peer saw the message it did not answer.
    let seen = within("the unanswered SEND", heads.recv()).await.unwrap();
    assert_eq!(seen.content_type(), Some("text/plain"));
}

/// A streamed message to a silent peer times out too: its chunks are written, none is
/// answered.
#[tokio::test(start_paused = true)]
async fn silent_peer_times_out_a_stream() {
    let (uri, _heads) = raw_peer(Then::Silent).await;
    let (alice, _alice_in) = connect_to(uri, &Config::default()).await;
    let r = within_for(
        Duration::from_secs(120),
        "a stream to a silent peer",
        alice.send_stream(
            "application/octet-stream",
            Generated::new(256 * 1024),
            Some(256 * 1024),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await;
    assert!(
        matches!(r, Err(Error::Failed(FailReason::Timeout))),
        "expected a timeout, got {r:?}"
    );
}

/// A peer that answers 200 but never sends the success REPORT the message asked for:
/// the send gives up after `ConnectionConfig::report_timeout` (real time here).
#[tokio::test]
async fn missing_report_ends_after_report_timeout() {
    let (uri, _heads) = raw_peer(Then::AnswerOnly).await;
    let config = Config::default()
        .connection(ConnectionConfig::default().report_timeout(Duration::from_millis(300)));
    let (alice, _alice_in) = connect_to(uri, &config).await;
    let started = std::time::Instant::now();
    let r = within(
        "a send without its REPORT",
        alice.send("text/plain", "hello"),
    )
    .await;
    assert!(
        matches!(r, Err(Error::Failed(FailReason::NoReport))),
        "expected NoReport, got {r:?}"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // Without a success REPORT asked for, the 200 is enough.
    let sent = within(
        "a send asking no REPORT",
        alice.send_with("text/plain", "hello", SendOptions::no_report()),
    )
    .await
    .expect("accepted");
    assert!(
        matches!(sent, msrp_tokio::Sent::Accepted { .. }),
        "{sent:?}"
    );
}

/// A peer that goes away while a message is on its way: the send fails as closed.
#[tokio::test]
async fn peer_closing_fails_the_send() {
    let (uri, _heads) = raw_peer(Then::CloseAfter(0)).await;
    let (alice, mut alice_in) = connect_to(uri, &Config::default()).await;
    let r = within(
        "a send to a vanishing peer",
        alice.send("text/plain", "bye?"),
    )
    .await;
    assert!(
        matches!(
            r,
            Err(Error::Closed(_) | Error::Failed(FailReason::ConnectionClosed))
        ),
        "expected a closed connection, got {r:?}"
    );
    match within("alice's incoming", alice_in.recv()).await {
        Some(Received::Closed { reason }) => assert!(
            matches!(
                reason,
                Some(CloseReason::PeerClosed | CloseReason::TransportError)
            ),
            "{reason:?}"
        ),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(within("the end", alice_in.recv()).await.is_none());
    // Later sends fail at once.
    let r = within("a send after the end", alice.send("text/plain", "x")).await;
    assert!(r.is_err(), "{r:?}");
}

/// The peer goes away in the middle of a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_closing_fails_a_stream() {
    // Chunks of 64 KiB: the peer sees a few requests, then leaves.
    let config = Config::default().connection(
        ConnectionConfig::default()
            .chunk_policy(msrp_tokio::proto::chunking::ChunkPolicy::Fixed(64 * 1024)),
    );
    let (uri, _heads) = raw_peer(Then::CloseAfter(5)).await;
    let (alice, _alice_in) = connect_to(uri, &config).await;
    let len = 32 * 1024 * 1024;
    let r = within(
        "a stream to a vanishing peer",
        alice.send_stream(
            "application/octet-stream",
            Generated::new(len),
            Some(len),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await;
    assert!(
        matches!(
            r,
            Err(Error::Closed(_) | Error::Failed(FailReason::ConnectionClosed))
        ),
        "expected a closed connection, got {r:?}"
    );
}

/// An endpoint whose listener and sessions are dropped (the process gone) closes its
/// connections: the other side's sends fail, its incoming ends.
#[tokio::test]
async fn dropped_endpoint_closes_the_connection() {
    let p = common::pair(Config::default(), Config::default()).await;
    let (alice, mut alice_in) = (p.alice, p.alice_in);
    drop(p.bob);
    drop(p.bob_in);
    drop(p.listener);
    let mut closed = false;
    while let Some(item) = within("alice's incoming", alice_in.recv()).await {
        if let Received::Closed { reason } = item {
            assert_eq!(reason, Some(CloseReason::PeerClosed));
            closed = true;
        }
    }
    assert!(closed);
    let r = within("a send after the peer went", alice.send("text/plain", "x")).await;
    assert!(r.is_err(), "{r:?}");
}
