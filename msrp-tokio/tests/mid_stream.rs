//! A file transfer ended part-way, by either side: the receiver never sees `Complete`, the
//! sender's `send_stream` returns an error, and nothing hangs (every wait has a timeout).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::time::Duration;

use common::{Generated, StreamEnd, pair, read_stream, within};
use msrp_tokio::{Config, Incoming, Received, SendOptions, Session};

/// Larger than the receiver gathers, and than what the tests let through before they end
/// the transfer.
const LEN: u64 = 64 * 1024 * 1024;
const CUT: u64 = 2 * 1024 * 1024;

/// Reads the stream's start and data until at least `at_least` bytes came; returns the
/// message id and the bytes so far.
async fn read_until(incoming: &mut Incoming, at_least: u64) -> (String, u64) {
    let first = within("the stream's start", incoming.recv()).await;
    let Some(Received::Started { message_id, .. }) = first else {
        panic!("expected Started, got {first:?}");
    };
    let mut got = 0;
    while got < at_least {
        match within("data", incoming.recv()).await {
            Some(Received::Data { offset, data, .. }) => {
                assert_eq!(offset, got);
                assert_eq!(&data[..], &common::bytes_from(offset, data.len())[..]);
                got += data.len() as u64;
            }
            other => panic!("expected data, got {other:?}"),
        }
    }
    (message_id, got)
}

/// Reads what follows until the message ends; it must not complete.
async fn rest_is_not_complete(incoming: &mut Incoming, message_id: &str) -> Vec<Received> {
    let mut rest = Vec::new();
    while let Some(item) = within("the rest of the stream", incoming.recv()).await {
        match &item {
            Received::Data { .. } => continue,
            Received::Complete { .. } => panic!("the message completed: {item:?}"),
            Received::Aborted { message_id: m } | Received::Refused { message_id: m, .. } => {
                assert_eq!(m, message_id);
                rest.push(item);
            }
            Received::Closed { .. } => {
                rest.push(item);
                break;
            }
            _ => rest.push(item),
        }
        if matches!(rest.last(), Some(Received::Aborted { .. })) {
            break;
        }
    }
    assert!(!rest.is_empty(), "the stream just stopped");
    rest
}

async fn stream(
    session: &Session,
    source: Generated,
) -> Result<msrp_tokio::Sent, msrp_tokio::Error> {
    session
        .send_stream(
            "application/octet-stream",
            source,
            Some(LEN),
            SendOptions::default(),
            |_| {},
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_drops_the_future_and_the_receiver_sees_aborted() {
    let mut p = pair(Config::default(), Config::default()).await;
    let source = Generated::new(LEN).stop_at(CUT);
    let stopped = source.stopped.clone();
    let reader = tokio::spawn(async move {
        let seen = read_stream(&mut p.bob_in).await;
        (seen, p.bob_in)
    });
    tokio::select! {
        r = stream(&p.alice, source) => panic!("the send ended by itself: {r:?}"),
        () = stopped.notified() => {}
        () = tokio::time::sleep(common::STEP) => panic!("the source was not read to {CUT}"),
    }
    // The future is dropped: the message is aborted (`#`).
    let (seen, mut bob_in) = within("the receiver", reader).await.unwrap();
    assert_eq!(seen.end, StreamEnd::Aborted, "{seen:?}");
    assert!(seen.received <= CUT, "{seen:?}");

    // The session goes on.
    let sent = within(
        "a message after the abort",
        p.alice.send("text/plain", "next"),
    )
    .await
    .expect("delivered");
    match within("bob reads on", bob_in.recv()).await {
        Some(Received::Message { message_id, .. }) => assert_eq!(message_id, sent.message_id()),
        other => panic!("expected the next message, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_closes_the_session_while_streaming() {
    let mut p = pair(Config::default(), Config::default()).await;
    let alice = p.alice.clone();
    // A source slow enough that the transfer is still going when the session closes.
    let sender = tokio::spawn(async move {
        stream(&alice, Generated::new(LEN).pause(Duration::from_millis(1))).await
    });
    let (message_id, _) = read_until(&mut p.bob_in, CUT).await;
    within("close", p.alice.close()).await;
    let r = within("the send after close", sender).await.unwrap();
    assert!(r.is_err(), "the send went on after close: {r:?}");
    let rest = rest_is_not_complete(&mut p.bob_in, &message_id).await;
    assert!(
        matches!(
            rest.last(),
            Some(Received::Closed { .. } | Received::Aborted { .. })
        ),
        "{rest:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_closes_while_its_source_hangs() {
    let mut p = pair(Config::default(), Config::default()).await;
    let alice = p.alice.clone();
    let source = Generated::new(LEN).stop_at(CUT);
    let stopped = source.stopped.clone();
    let sender = tokio::spawn(async move { stream(&alice, source).await });
    within("the source to stop", stopped.notified()).await;
    within("close", p.alice.close()).await;
    // The send is waiting for its source, which never yields again: closing the session
    // must still end it.
    let r = within("the send after close", sender).await.unwrap();
    assert!(r.is_err(), "{r:?}");
    let seen = read_stream(&mut p.bob_in).await;
    assert_ne!(seen.end, StreamEnd::Ended, "{seen:?}");
    assert!(!matches!(seen.end, StreamEnd::Complete { .. }), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_closes_while_the_file_arrives() {
    let mut p = pair(Config::default(), Config::default()).await;
    let alice = p.alice.clone();
    let sender = tokio::spawn(async move { stream(&alice, Generated::new(LEN)).await });
    let _ = read_until(&mut p.bob_in, CUT).await;
    within("bob closes", p.bob.close()).await;
    let r = within("the sender's send_stream", sender).await.unwrap();
    assert!(
        r.is_err(),
        "the send succeeded after the receiver closed: {r:?}"
    );
    // Alice's session ends with her connection.
    let items = common::drain(&mut p.alice_in).await;
    assert!(
        matches!(items.last(), Some(Received::Closed { .. })),
        "{items:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_closes_while_the_senders_source_hangs() {
    let mut p = pair(Config::default(), Config::default()).await;
    let alice = p.alice.clone();
    let source = Generated::new(LEN).stop_at(CUT);
    let sender = tokio::spawn(async move { stream(&alice, source).await });
    let _ = read_until(&mut p.bob_in, CUT).await;
    within("bob closes", p.bob.close()).await;
    let r = within("the sender's send_stream", sender).await.unwrap();
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_drops_everything_while_the_file_arrives() {
    let mut p = pair(Config::default(), Config::default()).await;
    let alice = p.alice.clone();
    let sender = tokio::spawn(async move { stream(&alice, Generated::new(LEN)).await });
    let _ = read_until(&mut p.bob_in, CUT).await;
    // The application goes away: the last handle of the session ends it.
    drop(p.bob);
    drop(p.bob_in);
    drop(p.listener);
    let r = within("the sender's send_stream", sender).await.unwrap();
    assert!(r.is_err(), "{r:?}");
}
