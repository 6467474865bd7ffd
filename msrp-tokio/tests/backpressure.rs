//! A receiver that does not read its `Incoming` for a while: the connection stops reading
//! from the socket, the sender is held back by TCP (its send does not finish, and it has
//! written only part of the message), and when the reader resumes everything arrives,
//! in order, nothing lost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::{Generated, StreamEnd, pair, read_stream, within};
use msrp_tokio::proto::chunking::ChunkPolicy;
use msrp_tokio::{Config, ConnectionConfig, Received, SendOptions, Sent};

/// More than loopback socket buffers and the receiver's queue hold together.
const LEN: u64 = 40 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_reader_holds_the_sender_back_and_loses_nothing() {
    // Many chunks, so that the receiver's queue of pieces fills long before the message
    // is over; a small send queue, so that the sender's memory is bounded too.
    let alice = Config::default().connection(
        ConnectionConfig::default()
            .chunk_policy(ChunkPolicy::Fixed(16 * 1024))
            .max_queued_bytes(1024 * 1024),
    );
    let mut p = pair(Config::default(), alice).await;
    let sent_bytes = Arc::new(AtomicU64::new(0));
    let progress = sent_bytes.clone();
    let alice = p.alice.clone();
    let sender = tokio::spawn(async move {
        alice
            .send_stream(
                "application/octet-stream",
                Generated::new(LEN),
                Some(LEN),
                SendOptions::default(),
                move |pr| progress.store(pr.sent, Ordering::Relaxed),
            )
            .await
    });

    // Bob reads nothing until the sender stops making progress (its bytes wait in the
    // sockets and in Bob's queue), which it must do well before the end of the message.
    let mut last = u64::MAX;
    let mut still = 0;
    let waited = std::time::Instant::now();
    while still < 3 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = sent_bytes.load(Ordering::Relaxed);
        if now == last {
            still += 1;
        } else {
            still = 0;
            last = now;
        }
        assert!(
            waited.elapsed() < common::STEP,
            "the sender never stopped with nobody reading ({now} bytes written)"
        );
    }
    assert!(
        !sender.is_finished(),
        "the send finished with nobody reading"
    );
    assert!(
        last < LEN,
        "all {LEN} bytes were written with nobody reading"
    );

    // Bob resumes: every byte arrives, in order.
    let seen = read_stream(&mut p.bob_in).await;
    assert_eq!(seen.end, StreamEnd::Complete { total: LEN }, "{seen:?}");
    assert_eq!(seen.received, LEN);
    let sent = within("the send after the reader resumed", sender)
        .await
        .unwrap()
        .expect("delivered");
    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
    assert_eq!(sent.message_id(), seen.message_id);
}

#[tokio::test]
async fn many_small_messages_wait_for_a_slow_reader() {
    // More whole messages than the incoming queue holds, none read until all are sent
    // without a REPORT: they wait (in the queue, then in the socket) and all arrive.
    let mut p = pair(Config::default(), Config::default()).await;
    const N: usize = 1500;
    let alice = p.alice.clone();
    let sender = tokio::spawn(async move {
        let mut ids = Vec::with_capacity(N);
        for i in 0..N {
            let s = alice
                .send_with(
                    "text/plain",
                    format!("message {i}"),
                    SendOptions::no_report(),
                )
                .await
                .unwrap();
            ids.push(s.message_id().to_owned());
        }
        ids
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut got = Vec::with_capacity(N);
    while got.len() < N {
        match within("the next message", p.bob_in.recv()).await {
            Some(Received::Message {
                message_id, body, ..
            }) => {
                assert_eq!(&body[..], format!("message {}", got.len()).as_bytes());
                got.push(message_id);
            }
            other => panic!("expected a message, got {other:?}"),
        }
    }
    let ids = within("the sender", sender).await.unwrap();
    assert_eq!(got, ids);
}
