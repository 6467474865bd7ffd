//! `msrps` over TLS with a self-signed certificate for 127.0.0.1: one message and one
//! streamed file, and a client that does not trust the certificate gets no session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{Generated, StreamEnd, pair, read_stream, within};
use msrp_tokio::tls::SelfSigned;
use msrp_tokio::uri::Scheme;
use msrp_tokio::{Config, Listener, Received, SendOptions, Sent, connect};

fn configs() -> (Config, Config) {
    let cert = SelfSigned::generate(&["127.0.0.1"]).expect("a certificate");
    let server = Config::default().tls_server(cert.server_config().expect("server config"));
    let client = Config::default().tls_client(cert.client_config().expect("client config"));
    (server, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_and_stream_over_msrps() {
    let (server, client) = configs();
    let mut p = pair(server, client).await;
    assert_eq!(p.bob.local_uri().scheme(), Scheme::Msrps);
    assert_eq!(p.alice.local_uri().scheme(), Scheme::Msrps);

    let sent = within("a message over TLS", p.alice.send("text/plain", "secret"))
        .await
        .expect("delivered");
    assert!(matches!(sent, Sent::Delivered { .. }), "{sent:?}");
    match within("bob's recv", p.bob_in.recv()).await {
        Some(Received::Message {
            message_id, body, ..
        }) => {
            assert_eq!(message_id, sent.message_id());
            assert_eq!(&body[..], b"secret");
        }
        other => panic!("expected the message, got {other:?}"),
    }

    let len = 3 * 1024 * 1024 + 5;
    let reader = tokio::spawn(async move { read_stream(&mut p.bob_in).await });
    let sent = within(
        "a stream over TLS",
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
    let seen = within("bob reads the stream", reader).await.unwrap();
    assert_eq!(seen.message_id, sent.message_id());
    assert_eq!(seen.end, StreamEnd::Complete { total: len });

    // And back, from the listener's side.
    within("bob answers", p.bob.send("text/plain", "ack"))
        .await
        .expect("delivered");
    assert!(matches!(
        within("alice's recv", p.alice_in.recv()).await,
        Some(Received::Message { .. })
    ));
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let (server, _) = configs();
    let other = SelfSigned::generate(&["127.0.0.1"]).unwrap();
    let client = Config::default().tls_client(other.client_config().unwrap());
    let listener = Listener::bind("127.0.0.1:0", server.clone()).await.unwrap();
    let uri = listener.new_uri().unwrap();
    listener
        .offer(
            server
                .session(uri.clone(), uri.clone().into())
                .learn_to_path(true),
        )
        .unwrap();
    let r = within(
        "connect with the wrong trust",
        connect(&uri.into(), &client),
    )
    .await;
    let Err(e) = r else {
        panic!("a session over an untrusted certificate")
    };
    assert!(matches!(e, msrp_tokio::Error::Io(_)), "{e:?}");
}

#[tokio::test]
async fn msrps_without_a_client_config_is_unsupported() {
    let (server, _) = configs();
    let listener = Listener::bind("127.0.0.1:0", server).await.unwrap();
    let uri = listener.new_uri().unwrap();
    let r = within("connect", connect(&uri.into(), &Config::default())).await;
    assert!(
        matches!(r, Err(msrp_tokio::Error::Unsupported { .. })),
        "{r:?}"
    );
}
