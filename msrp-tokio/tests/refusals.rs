//! The receiver's limits reach the sender as status codes: 413 (larger than its
//! `max_message_size`), 415 (a type outside its `accept_types`), 481 (no such session);
//! `Error::status_code` gives the code and the error's text names it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{Generated, pair, within};
use msrp_tokio::{Config, Error, Listener, Received, SendOptions, connect};

fn assert_code(e: &Error, code: u16) {
    assert_eq!(e.status_code(), Some(code), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains(&code.to_string()),
        "{text:?} does not name {code}"
    );
}

#[tokio::test]
async fn too_large_message_gets_413() {
    let bob = Config::default().max_message_size(1000);
    let mut p = pair(bob, Config::default()).await;
    let e = within(
        "an oversized send",
        p.alice.send("text/plain", vec![b'a'; 1001]),
    )
    .await
    .expect_err("refused");
    assert_code(&e, 413);

    // At the limit it goes through, and it is the first thing Bob gets.
    let ok = within(
        "a send at the limit",
        p.alice.send("text/plain", vec![b'b'; 1000]),
    )
    .await
    .expect("delivered");
    match within("bob's recv", p.bob_in.recv()).await {
        Some(Received::Message {
            message_id, body, ..
        }) => {
            assert_eq!(message_id, ok.message_id());
            assert_eq!(body.len(), 1000);
        }
        other => panic!("expected the message at the limit, got {other:?}"),
    }
}

#[tokio::test]
async fn too_large_stream_gets_413() {
    let bob = Config::default().max_message_size(100_000);
    let mut p = pair(bob, Config::default()).await;
    // Declared too large: refused from its first chunk.
    let e = within(
        "a stream declared too large",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(300_000),
            Some(300_000),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await
    .expect_err("refused");
    assert_code(&e, 413);

    // Of unknown size, found too large on the way: Bob's side says it refused it.
    let e = within(
        "a stream of unknown size, too large",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(3 * 1024 * 1024),
            None,
            SendOptions::default(),
            |_| {},
        ),
    )
    .await
    .expect_err("refused");
    assert_code(&e, 413);
    let mut refused = None;
    while let Some(item) = within("bob's side of the refusal", p.bob_in.recv()).await {
        match item {
            Received::Refused { code, .. } => {
                refused = Some(code);
                break;
            }
            Received::Complete { .. } | Received::Message { .. } => {
                panic!("an oversized message was delivered: {item:?}")
            }
            _ => {}
        }
    }
    assert_eq!(refused, Some(413));

    // The session goes on.
    within("a small send after", p.alice.send("text/plain", "small"))
        .await
        .expect("delivered");
}

#[tokio::test]
async fn unaccepted_type_gets_415() {
    let bob = Config::default().accept_types(["text/plain", "message/cpim"]);
    let mut p = pair(bob, Config::default()).await;
    let e = within(
        "an unaccepted type",
        p.alice.send("image/png", vec![0u8; 64]),
    )
    .await
    .expect_err("refused");
    assert_code(&e, 415);

    let ok = within("an accepted type", p.alice.send("text/plain", "fine"))
        .await
        .expect("delivered");
    // Nothing of the refused messages reached Bob's application: the accepted one is
    // the first thing he gets.
    match within("bob's recv", p.bob_in.recv()).await {
        Some(Received::Message { message_id, .. }) => assert_eq!(message_id, ok.message_id()),
        other => panic!("expected only the accepted message, got {other:?}"),
    }
}

#[tokio::test]
async fn connecting_to_a_session_not_offered_gets_481() {
    let listener = Listener::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap();
    let offered = listener.new_uri().unwrap();
    listener
        .offer(
            Config::default()
                .session(offered.clone(), offered.clone().into())
                .learn_to_path(true),
        )
        .unwrap();
    let other = listener.new_uri().unwrap();
    assert_ne!(other, offered);
    let e = within(
        "connect to an unknown session",
        connect(&other.into(), &Config::default()),
    )
    .await
    .expect_err("no such session");
    assert!(matches!(e, Error::SessionRefused(481)), "{e:?}");
    assert_code(&e, 481);
    // The offered one still binds.
    within(
        "connect to the offered session",
        connect(&offered.into(), &Config::default()),
    )
    .await
    .expect("bound");
}

#[tokio::test]
async fn unaccepted_streamed_type_gets_415() {
    let bob = Config::default().accept_types(["text/plain"]);
    let mut p = pair(bob, Config::default()).await;
    let e = within(
        "an unaccepted streamed type",
        p.alice.send_stream(
            "application/octet-stream",
            Generated::new(2 * 1024 * 1024),
            Some(2 * 1024 * 1024),
            SendOptions::default(),
            |_| {},
        ),
    )
    .await
    .expect_err("refused");
    assert_code(&e, 415);
    let ok = within("an accepted type", p.alice.send("text/plain", "fine"))
        .await
        .expect("delivered");
    loop {
        match within("bob's recv", p.bob_in.recv()).await {
            Some(Received::Message { message_id, .. }) => {
                assert_eq!(message_id, ok.message_id());
                return;
            }
            Some(Received::Started { .. } | Received::Refused { code: 415, .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}
