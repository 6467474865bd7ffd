//! The built-in endpoint suite against msrp-tokio's own listener: every scenario passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use msrp_conform::run::{self, Selection, Target};
use msrp_conform::script::Transport;
use msrp_conform::{Applies, Outcome};
use msrp_tokio::{Config, Listener};
use msrp_uri::Path;

/// A listener offering one session (text/plain and application/octet-stream, at most
/// 1 MiB), its sessions drained; the session's URI.
async fn listening() -> msrp_uri::Uri {
    serve(false).await
}

/// [`listening`], over WebSocket (RFC 7977) when `ws`.
async fn serve(ws: bool) -> msrp_uri::Uri {
    let config = Config::default()
        .accept_types(["text/plain", "application/octet-stream"])
        .max_message_size(1 << 20);
    let mut l = if ws {
        Listener::bind_ws("127.0.0.1:0", config.clone())
            .await
            .unwrap()
    } else {
        Listener::bind("127.0.0.1:0", config.clone()).await.unwrap()
    };
    let uri = l.new_uri().unwrap();
    l.offer(
        config
            .session(uri.clone(), Path::new(uri.clone()))
            .learn_to_path(true),
    )
    .unwrap();
    tokio::spawn(async move {
        while let Some((session, mut incoming)) = l.accept().await {
            // The session handle lives as long as its messages come (dropping it would
            // close the session).
            tokio::spawn(async move {
                while incoming.recv().await.is_some() {}
                drop(session);
            });
        }
    });
    uri
}

fn endpoint(uri: msrp_uri::Uri) -> Target {
    Target::new(uri, Applies::Endpoint)
}

/// Every built-in endpoint scenario over `ws` or TCP: each passes, but for those that
/// need the other transport, which are not applicable.
async fn every_scenario_passes(ws: bool) {
    let uri = serve(ws).await;
    let target = endpoint(uri);
    let suites = msrp_conform::builtin();
    let results = run::run(&target, &suites, &Selection::default(), |_| {}).await;
    assert!(results.len() >= 20, "{} scenarios ran", results.len());
    let other = if ws {
        Transport::Stream
    } else {
        Transport::WebSocket
    };
    let needs_other = |id: &str| {
        suites
            .iter()
            .flat_map(|s| &s.scenarios)
            .any(|sc| sc.id == id && sc.transport == other)
    };
    let not_applicable = results
        .iter()
        .filter(|r| r.outcome != Outcome::Pass && needs_other(&r.id))
        .inspect(|r| assert_eq!(r.outcome.as_str(), "n/a", "{}", r.id))
        .count();
    assert!(not_applicable >= 2, "{not_applicable} scenarios were n/a");
    let played = results.len() - not_applicable;
    assert!(played >= 8, "{played} scenarios played");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.outcome != Outcome::Pass && !needs_other(&r.id))
        .map(|r| {
            format!(
                "{} {}: {:?}\n{}",
                r.id,
                r.outcome.as_str(),
                r.outcome.reason(),
                r.evidence
                    .iter()
                    .map(|e| format!(
                        "  {} sent {:?}\n  {} received {:?}",
                        e.conn,
                        String::from_utf8_lossy(&e.sent),
                        e.conn,
                        String::from_utf8_lossy(&e.received)
                    ))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_scenario_passes_against_msrp_tokio() {
    every_scenario_passes(false).await;
}

/// The same listener over WebSocket: the websocket suite (handshake, text and binary
/// messages, one chunk per message, Ping) and the endpoint suite's scenarios pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_against_msrp_tokio_over_websocket() {
    every_scenario_passes(true).await;
}

/// The runner fails what the target does not do: wrong codes, a response where none was
/// expected, a connection that stays open, a header without the text; and a 415 the
/// target does not give (it takes every type) is not applicable, not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_expectations_fail() {
    let uri = listening().await;
    let target = endpoint(uri);
    let send = "  send\n  | MSRP ${tid} SEND\n  | To-Path: ${to}\n  | From-Path: ${from}\n  \
                | Message-ID: ${mid}\n  | Byte-Range: 1-2/2\n  | Content-Type: text/plain\n  |\n  \
                | hi\n  | -------${tid}$\n";
    let cases = [
        ("expect response 404", "fail"),
        ("expect nothing within 1s", "fail"),
        ("expect closed within 500ms", "fail"),
        (
            "expect response 200\n  expect header To-Path contains nobody",
            "fail",
        ),
        ("expect response 415 na-on 200", "n/a"),
        ("expect response 200", "pass"),
    ];
    for (expect, want) in cases {
        let text = format!(
            "suite t\napplies endpoint\nscenario s\n  clause c\n  title t\n{send}  {expect}\n"
        );
        let suite = msrp_conform::script::parse(&text).unwrap();
        let r = run::run_scenario(&target, "t", &suite.scenarios[0]).await;
        assert_eq!(r.outcome.as_str(), want, "{expect}: {:?}", r.outcome);
    }
}
