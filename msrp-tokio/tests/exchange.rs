//! Two endpoints on loopback exchange whole messages both ways: the listener learns the
//! connecting side's path from its binding SEND, sends resolve on the success REPORT
//! (`Sent::Delivered`) or, without one, on the 200 (`Sent::Accepted`), and `Incoming`
//! works both with `recv` and as a `Stream`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{drain, pair, within};
use futures_util::StreamExt;
use msrp_tokio::{CloseReason, Config, Listener, Received, SendOptions, Sent, connect};

#[tokio::test]
async fn messages_both_ways_with_delivery() {
    let mut p = pair(Config::default(), Config::default()).await;

    let sent = within("alice's send", p.alice.send("text/plain", "Hello, Bob"))
        .await
        .expect("delivered");
    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
    let got = within("bob's recv", p.bob_in.recv()).await;
    let Some(Received::Message {
        message_id,
        content_type,
        body,
    }) = got
    else {
        panic!("expected a whole message, got {got:?}");
    };
    assert_eq!(message_id, sent.message_id());
    assert_eq!(content_type, "text/plain");
    assert_eq!(&body[..], b"Hello, Bob");

    // Bob learnt Alice's path from her first request and can answer.
    let reply = within(
        "bob's send",
        p.bob.send("text/plain;charset=utf-8", "Hi Alice"),
    )
    .await
    .expect("delivered");
    assert!(matches!(reply, Sent::Delivered { .. }), "{reply:?}");
    assert_ne!(reply.message_id(), sent.message_id());
    let got = within("alice's recv", p.alice_in.recv()).await;
    let Some(Received::Message {
        message_id,
        content_type,
        body,
    }) = got
    else {
        panic!("expected a whole message, got {got:?}");
    };
    assert_eq!(message_id, reply.message_id());
    assert_eq!(content_type, "text/plain;charset=utf-8");
    assert_eq!(&body[..], b"Hi Alice");
}

#[tokio::test]
async fn no_report_resolves_as_accepted() {
    let mut p = pair(Config::default(), Config::default()).await;
    let body = vec![b'x'; 10_000];
    let sent = within(
        "send without report",
        p.alice.send_with(
            "application/octet-stream",
            body.clone(),
            SendOptions::no_report(),
        ),
    )
    .await
    .expect("accepted");
    let Sent::Accepted { message_id } = &sent else {
        panic!("without a success REPORT a send is only accepted, got {sent:?}");
    };
    match within("bob's recv", p.bob_in.recv()).await {
        Some(Received::Message {
            message_id: got,
            body: b,
            ..
        }) => {
            assert_eq!(&got, message_id);
            assert_eq!(&b[..], &body[..]);
        }
        other => panic!("expected the message, got {other:?}"),
    }
    // And with the default options the same peer answers with a REPORT.
    let sent = within("send with report", p.alice.send("text/plain", "again"))
        .await
        .expect("delivered");
    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
}

#[tokio::test]
async fn incoming_as_a_stream_keeps_order() {
    let mut p = pair(Config::default(), Config::default()).await;
    const N: usize = 20;
    // Sends from both sides run at once; each side's messages arrive in order.
    let alice = p.alice.clone();
    let a = tokio::spawn(async move {
        let mut ids = Vec::new();
        for i in 0..N {
            let s = alice.send("text/plain", format!("a{i}")).await.unwrap();
            ids.push(s.message_id().to_owned());
        }
        ids
    });
    let bob = p.bob.clone();
    let b = tokio::spawn(async move {
        let mut ids = Vec::new();
        for i in 0..N {
            let s = bob.send("text/plain", format!("b{i}")).await.unwrap();
            ids.push(s.message_id().to_owned());
        }
        ids
    });
    let at_bob: Vec<Received> = within("bob's stream", (&mut p.bob_in).take(N).collect()).await;
    let at_alice: Vec<Received> =
        within("alice's stream", (&mut p.alice_in).take(N).collect()).await;
    let a_ids = within("alice's sends", a).await.unwrap();
    let b_ids = within("bob's sends", b).await.unwrap();

    let check = |items: &[Received], ids: &[String], prefix: &str| {
        assert_eq!(items.len(), N);
        for (i, item) in items.iter().enumerate() {
            let Received::Message {
                message_id, body, ..
            } = item
            else {
                panic!("expected a message, got {item:?}");
            };
            assert_eq!(message_id, &ids[i], "message {i} out of order");
            assert_eq!(&body[..], format!("{prefix}{i}").as_bytes());
        }
    };
    check(&at_bob, &a_ids, "a");
    check(&at_alice, &b_ids, "b");
}

#[tokio::test]
async fn closing_ends_both_incoming_streams() {
    let mut p = pair(Config::default(), Config::default()).await;
    within(
        "a first message",
        p.alice.send("text/plain", "before close"),
    )
    .await
    .unwrap();
    within("close", p.alice.close()).await;

    let bob_items = drain(&mut p.bob_in).await;
    let texts: Vec<_> = bob_items
        .iter()
        .filter_map(|r| match r {
            Received::Message { body, .. } => Some(body.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, [&b"before close"[..]]);
    assert!(
        matches!(
            bob_items.last(),
            Some(Received::Closed {
                reason: Some(CloseReason::PeerClosed)
            })
        ),
        "bob sees the peer close: {bob_items:?}"
    );
    let alice_items = drain(&mut p.alice_in).await;
    assert!(
        matches!(alice_items.last(), Some(Received::Closed { .. })),
        "{alice_items:?}"
    );
    // Sending on a closed session fails at once.
    let r = within("send after close", p.alice.send("text/plain", "late")).await;
    assert!(r.is_err(), "{r:?}");
    let r = within("peer sends after close", p.bob.send("text/plain", "late")).await;
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test]
async fn an_offered_session_serves_one_peer_after_another() {
    let mut listener = Listener::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap();
    let uri = listener.new_uri().unwrap();
    listener
        .offer(
            Config::default()
                .session(uri.clone(), uri.clone().into())
                .learn_to_path(true),
        )
        .unwrap();
    for round in 0..3 {
        let (alice, _alice_in) =
            within("connect", connect(&uri.clone().into(), &Config::default()))
                .await
                .expect("the offered session binds");
        let (bob, mut bob_in) = within("accept", listener.accept()).await.unwrap();
        assert_eq!(bob.local_uri(), &uri);
        let text = format!("round {round}");
        within("send", alice.send("text/plain", text.clone()))
            .await
            .expect("delivered");
        match within("recv", bob_in.recv()).await {
            Some(Received::Message { body, .. }) => assert_eq!(&body[..], text.as_bytes()),
            other => panic!("expected the message, got {other:?}"),
        }
        // While this connection holds the session, another one is refused (506).
        let e = within(
            "a second connection",
            connect(&uri.clone().into(), &Config::default()),
        )
        .await
        .expect_err("the session is bound to another connection");
        assert_eq!(e.status_code(), Some(506), "{e:?}");
        within("close", alice.close()).await;
        drain(&mut bob_in).await;
    }
}

#[tokio::test]
async fn two_sessions_on_one_listener_stay_apart() {
    let mut listener = Listener::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap();
    let uris = [listener.new_uri().unwrap(), listener.new_uri().unwrap()];
    for u in &uris {
        listener
            .offer(
                Config::default()
                    .session(u.clone(), u.clone().into())
                    .learn_to_path(true),
            )
            .unwrap();
    }
    let mut alices = Vec::new();
    for u in &uris {
        alices.push(
            within("connect", connect(&u.clone().into(), &Config::default()))
                .await
                .unwrap(),
        );
    }
    let mut bobs = Vec::new();
    for _ in 0..2 {
        bobs.push(within("accept", listener.accept()).await.unwrap());
    }
    for (i, (alice, _)) in alices.iter().enumerate() {
        within("send", alice.send("text/plain", format!("to {i}")))
            .await
            .unwrap();
    }
    for (bob, bob_in) in &mut bobs {
        let i = uris.iter().position(|u| u == bob.local_uri()).unwrap();
        match within("recv", bob_in.recv()).await {
            Some(Received::Message { body, .. }) => {
                assert_eq!(&body[..], format!("to {i}").as_bytes())
            }
            other => panic!("expected the message, got {other:?}"),
        }
    }
}
