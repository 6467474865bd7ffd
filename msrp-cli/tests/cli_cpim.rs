//! CPIM and IMDN from the shell: `msrp send --cpim --imdn` to `msrp listen` (delivery
//! answered) and to `msrp chat` (delivery and display answered), the exit codes that say
//! whether the notifications came, and is-composing shown by chat.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use std::time::Duration;

use support::{Running, listen, send};

const T: Duration = Duration::from_secs(30);

fn event<'a>(events: &'a [serde_json::Value], name: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn listen_answers_a_delivery_request() {
    let (mut l, uri) = listen(&[]);
    let (status, events, err) = send(
        &[
            "--to",
            &uri,
            "--imdn",
            "delivery",
            "--cpim-from",
            "Alice <im:alice@example.com>",
            "hello",
            "bob",
        ],
        T,
    );
    assert_eq!(status.code(), Some(0), "{err} {events:?}");
    let delivered = event(&events, "delivered");
    let imdn_id = delivered[0]["imdn_id"]
        .as_str()
        .expect("an imdn.Message-ID")
        .to_owned();
    let imdn = event(&events, "imdn");
    assert_eq!(imdn.len(), 1, "{events:?}");
    assert_eq!(imdn[0]["message_id"], imdn_id.as_str());
    assert_eq!(
        (imdn[0]["notification"].as_str(), imdn[0]["status"].as_str()),
        (Some("delivery"), Some("delivered"))
    );

    // The listener showed the text inside the wrapper, with its CPIM headers.
    let m = l.wait_for("message", T);
    assert_eq!(m["content_type"], "message/cpim");
    assert_eq!(m["text"], "hello bob");
    assert_eq!(m["cpim"]["from"], "im:alice@example.com");
    assert_eq!(m["cpim"]["imdn_message_id"], imdn_id.as_str());
    assert_eq!(
        m["cpim"]["disposition_notification"],
        serde_json::json!(["positive-delivery"])
    );
    assert!(
        m["cpim"]["datetime"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    let sent = l.wait_for("imdn_sent", T);
    assert_eq!(sent["message_id"], imdn_id.as_str());
}

#[test]
fn a_display_request_to_listen_is_not_answered_and_exits_4() {
    let (_l, uri) = listen(&[]);
    let (status, events, err) = send(
        &[
            "--to",
            &uri,
            "--imdn",
            "delivery,display",
            "--imdn-wait",
            "2",
            "hi",
        ],
        T,
    );
    assert_eq!(status.code(), Some(4), "{err} {events:?}");
    assert_eq!(event(&events, "imdn").len(), 1, "delivery only: {events:?}");
    let missing = event(&events, "imdn_missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["notification"], "display");
    assert!(err.contains("no display notification within 2 s"), "{err}");
}

#[test]
fn plain_cpim_asks_nothing_and_bad_addresses_are_usage_errors() {
    let (mut l, uri) = listen(&[]);
    let (status, events, err) = send(&["--to", &uri, "--cpim", "just cpim"], T);
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(
        event(&events, "delivered")[0]["imdn_id"],
        serde_json::Value::Null
    );
    let m = l.wait_for("message", T);
    assert_eq!(
        (
            m["text"].as_str(),
            m["cpim"]["disposition_notification"].is_null()
        ),
        (Some("just cpim"), true)
    );
    let (status, _, err) = send(
        &["--to", &uri, "--cpim", "--cpim-from", "not an address", "x"],
        T,
    );
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("CPIM"), "{err}");
    let (status, _, err) = send(&["--to", &uri, "--cpim", "--file", "Cargo.toml"], T);
    assert_eq!(status.code(), Some(2), "{err}");
}

#[test]
fn chat_answers_delivery_and_display_and_shows_composing() {
    let mut bob = Running::start(&["chat", "--listen", "127.0.0.1:0"]);
    let uri = bob.wait_for("listening", T)["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, events, err) = send(
        &["--to", &uri, "--imdn", "delivery,display", "hi", "chat"],
        T,
    );
    assert_eq!(status.code(), Some(0), "{err} {events:?}");
    let mut got: Vec<_> = event(&events, "imdn")
        .iter()
        .map(|e| {
            (
                e["notification"].as_str().unwrap().to_owned(),
                e["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("delivery".into(), "delivered".into()),
            ("display".into(), "displayed".into())
        ]
    );
    assert_eq!(bob.wait_for("message", T)["text"], "hi chat");
    bob.wait_for("closed", T);
    drop(bob);

    // Is-composing (RFC 3994), bare, from a client that keeps its session: chat shows
    // active, then idle when the refresh lapses, then the message.
    let mut bob = Running::start(&["chat", "--listen", "127.0.0.1:0"]);
    let uri = bob.wait_for("listening", T)["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let to = msrp_tokio::uri::Path::parse(&uri).unwrap();
    let (session, _incoming) = rt
        .block_on(msrp_tokio::connect(&to, &msrp_tokio::Config::default()))
        .unwrap();
    let doc = msrp_cpim::IsComposing::active(Some(1)).to_xml();
    rt.block_on(session.send("application/im-iscomposing+xml", doc))
        .unwrap();
    assert_eq!(bob.wait_for("composing", T)["state"], "active");
    assert_eq!(bob.wait_for("composing", T)["state"], "idle");
    rt.block_on(session.send(
        "application/im-iscomposing+xml",
        msrp_cpim::IsComposing::active(Some(60)).to_xml(),
    ))
    .unwrap();
    assert_eq!(bob.wait_for("composing", T)["state"], "active");
    // A message ends composing (RFC 3994 section 3.2).
    rt.block_on(session.send("text/plain", "done")).unwrap();
    assert_eq!(bob.wait_for("composing", T)["state"], "idle");
    assert_eq!(bob.wait_for("message", T)["text"], "done");
    // The connection task writes what is left and closes the socket while the runtime
    // runs: give it the time to.
    rt.block_on(async {
        session.close().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    });
    bob.wait_for("closed", T);
}
