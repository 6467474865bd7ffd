//! Streamed sends from an `AsyncRead` of several MiB: larger than the receiver gathers, so
//! they arrive as `Started`, `Data` pieces at contiguous offsets, `Complete`; the progress
//! callback climbs; the sender learns of delivery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{Generated, StreamEnd, pair, read_stream, within};
use msrp_tokio::{Config, ConnectionConfig, Progress, Received, SendOptions, Sent};

const LEN: u64 = 5 * 1024 * 1024 + 12_345;

/// Checks what the progress callback saw: `sent` never goes back, ends at `len`.
fn check_progress(seen: &[Progress], len: u64, total: Option<u64>) {
    assert!(
        seen.len() >= 2,
        "progress was reported {} times",
        seen.len()
    );
    for w in seen.windows(2) {
        assert!(
            w[1].sent >= w[0].sent && w[1].acknowledged >= w[0].acknowledged,
            "progress went back: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    for p in seen {
        assert!(p.sent <= len, "{p:?}");
        assert_eq!(p.total, total, "{p:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_of_several_mib_arrives_streamed() {
    let cfg = Config::default();
    assert!(LEN > cfg.connection.max_gathered_message);
    let mut p = pair(cfg.clone(), cfg).await;

    let reader = tokio::spawn(async move {
        let seen = read_stream(&mut p.bob_in).await;
        (seen, p.bob_in)
    });
    let mut progress = Vec::new();
    let sent = within(
        "the streamed send",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(LEN),
            Some(LEN),
            SendOptions::default(),
            |pr| progress.push(pr),
        ),
    )
    .await
    .expect("the stream is delivered");
    let (seen, _bob_in) = within("the receiver", reader).await.unwrap();

    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
    assert_eq!(seen.message_id, sent.message_id());
    assert_eq!(seen.content_type, "application/octet-stream");
    assert_eq!(seen.declared, Some(LEN));
    assert_eq!(seen.end, StreamEnd::Complete { total: LEN });
    assert_eq!(seen.received, LEN);
    assert!(seen.pieces > 1, "a streamed message comes in pieces");
    check_progress(&progress, LEN, Some(LEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_of_unknown_size_both_ways() {
    let mut p = pair(Config::default(), Config::default()).await;
    let len = 2 * 1024 * 1024 + 7;

    // Bob to Alice, with no declared total: streamed whatever its size.
    let mut alice_in = p.alice_in;
    let reader = tokio::spawn(async move { read_stream(&mut alice_in).await });
    // Bob learns Alice's path from her binding request: he can stream at once.
    let mut progress = Vec::new();
    let sent = within(
        "bob streams",
        p.bob.send_stream(
            "application/octet-stream",
            Generated::new(len),
            None,
            SendOptions::default(),
            |pr| progress.push(pr),
        ),
    )
    .await
    .expect("delivered");
    let seen = within("alice reads", reader).await.unwrap();
    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
    assert_eq!(seen.message_id, sent.message_id());
    assert_eq!(seen.declared, None);
    assert_eq!(seen.end, StreamEnd::Complete { total: len });
    assert_eq!(seen.received, len);
    check_progress(&progress, len, None);

    // And Alice to Bob without a success REPORT: accepted once every chunk got its 200.
    let reader = tokio::spawn(async move { read_stream(&mut p.bob_in).await });
    let sent = within(
        "alice streams",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(len),
            Some(len),
            SendOptions::no_report(),
            |_| {},
        ),
    )
    .await
    .expect("accepted");
    let seen = within("bob reads", reader).await.unwrap();
    assert!(matches!(sent, Sent::Accepted { .. }), "{sent:?}");
    assert_eq!(seen.end, StreamEnd::Complete { total: len });
}

#[tokio::test]
async fn small_stream_is_gathered_whole() {
    let mut p = pair(Config::default(), Config::default()).await;
    let len = 40_000;
    let sent = within(
        "a small streamed send",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(len),
            Some(len),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await
    .expect("delivered");
    match within("bob's recv", p.bob_in.recv()).await {
        Some(Received::Message {
            message_id, body, ..
        }) => {
            assert_eq!(message_id, sent.message_id());
            assert_eq!(&body[..], &common::bytes_from(0, len as usize)[..]);
        }
        other => panic!("a declared size under the gathering limit comes whole: {other:?}"),
    }
}

#[tokio::test]
async fn declared_total_that_the_source_does_not_match_fails() {
    let p = pair(Config::default(), Config::default()).await;
    // The source yields less than declared: finishing is refused.
    let short = within(
        "a short stream",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(1000),
            Some(2000),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await;
    assert!(short.is_err(), "{short:?}");
    // More than declared: a write is refused.
    let long = within(
        "a long stream",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(3000),
            Some(2000),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await;
    assert!(long.is_err(), "{long:?}");
    // The session still works.
    within(
        "a send afterwards",
        p.alice.send("text/plain", "still here"),
    )
    .await
    .expect("delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_in_small_fixed_chunks() {
    // Bounded chunks (as relays want): many chunks, each answered, still one message.
    let small = Config::default().connection(
        ConnectionConfig::default()
            .chunk_policy(msrp_tokio::proto::chunking::ChunkPolicy::Fixed(8 * 1024)),
    );
    let mut p = pair(Config::default(), small).await;
    let len = 1024 * 1024 + 999;
    let reader = tokio::spawn(async move { read_stream(&mut p.bob_in).await });
    let sent = within(
        "fixed-chunk stream",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(len),
            None,
            SendOptions::default(),
            |_| {},
        ),
    )
    .await
    .expect("delivered");
    let seen = within("bob reads", reader).await.unwrap();
    assert_eq!(seen.message_id, sent.message_id());
    assert_eq!(seen.end, StreamEnd::Complete { total: len });
    assert!(
        seen.pieces >= (len / (8 * 1024)) as usize,
        "{}",
        seen.pieces
    );
}
