//! `msrp conform` as a shell user runs it: against `msrp listen` every built-in endpoint
//! scenario passes (exit 0, NDJSON and JUnit written); a scenario file of one's own that
//! fails makes the exit status the number of failures; an unreachable target, a bad
//! scenario file and bad flags exit 255; `--list` lists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::{listen, msrp, temp_dir};

#[test]
fn every_endpoint_scenario_passes_against_msrp_listen() {
    let (_l, uri) = listen(&[
        "--accept-types",
        "text/plain,application/octet-stream",
        "--max-size",
        "1M",
    ]);
    let dir = temp_dir("conform");
    let junit = dir.join("report.xml");
    let out = msrp()
        .args(["conform", "--json", "--target", &uri, "--junit"])
        .arg(&junit)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let results: Vec<&Value> = events.iter().filter(|e| e["event"] == "result").collect();
    assert!(results.len() >= 20, "{text}");
    let mut not_applicable = 0;
    for r in &results {
        if r["suite"] == "websocket" {
            // The target is not reached over WebSocket.
            assert_eq!(r["outcome"], "n/a", "{r}");
            assert!(r["reason"].as_str().unwrap().contains("WebSocket"), "{r}");
            not_applicable += 1;
            continue;
        }
        assert_eq!(r["outcome"], "pass", "{r}");
        assert_eq!(r["suite"], "endpoint");
        assert!(r["evidence"][0]["sent_bytes"].as_u64().unwrap() > 0, "{r}");
    }
    assert!(not_applicable >= 5, "{text}");
    let summary = events.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["not_applicable"], not_applicable);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<testsuite name=\"endpoint\""), "{xml}");
    assert!(xml.contains("failures=\"0\""), "{xml}");
}

/// Over WebSocket (`msrp listen --ws`, a `;ws` target URI): the websocket suite's
/// scenarios pass, and those that need a byte stream are n/a.
#[test]
fn the_websocket_suite_passes_against_msrp_listen_ws() {
    let (_l, uri) = listen(&["--ws"]);
    assert!(uri.ends_with(";ws"), "{uri}");
    let out = msrp()
        .args(["conform", "--json", "--target", &uri])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let results: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["event"] == "result")
        .collect();
    let ws: Vec<&Value> = results
        .iter()
        .filter(|r| r["suite"] == "websocket")
        .collect();
    assert!(ws.len() >= 8, "{text}");
    for r in &ws {
        assert_eq!(r["outcome"], "pass", "{r}");
    }
    let na: Vec<&Value> = results.iter().filter(|r| r["outcome"] == "n/a").collect();
    assert!(
        na.iter().any(|r| r["id"] == "rfc4975-7.1.1-split-input"
            && r["reason"].as_str().unwrap().contains("byte stream")),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn failures_of_ones_own_scenarios_are_the_exit_status() {
    let (_l, uri) = listen(&[]);
    let dir = temp_dir("conform-own");
    let file = dir.join("mine.msrpt");
    // Two scenarios that cannot pass (msrp listen answers 200 and 501), one that does.
    let send = |method: &str| {
        format!(
            "  send\n  | MSRP ${{tid}} {method}\n  | To-Path: ${{to}}\n  | From-Path: ${{from}}\n  \
             | Message-ID: ${{mid}}\n  | Byte-Range: 1-2/2\n  | Content-Type: text/plain\n  |\n  \
             | hi\n  | -------${{tid}}$\n"
        )
    };
    let text = format!(
        "suite mine\napplies endpoint\n\
         scenario wants-404\n  clause X 1\n  title a SEND answered 404\n{}  expect response 404\n\
         scenario wants-200-to-an-unknown-method\n  clause X 2\n  title 200 to FOO\n{}  expect response 200\n\
         scenario gets-200\n  clause X 3\n  title a SEND answered 200\n{}  expect response 200\n",
        send("SEND"),
        send("FOO"),
        send("SEND")
    );
    std::fs::write(&file, text).unwrap();
    let out = msrp()
        .args(["conform", "--suite", "mine", "--target", &uri, "--file"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("FAIL  wants-404"), "{stdout}");
    assert!(stdout.contains("expected a response 404"), "{stdout}");
    assert!(stdout.contains("PASS  gets-200"), "{stdout}");
    assert!(
        stdout.contains("3 scenarios: 1 passed, 2 failed, 0 not applicable"),
        "{stdout}"
    );
}

#[test]
fn a_run_that_cannot_start_exits_255() {
    let dir = temp_dir("conform-bad");
    let bad = dir.join("bad.msrpt");
    std::fs::write(&bad, "suite x\nscenario s\n  frobnicate\n").unwrap();
    let cases: Vec<Vec<String>> = vec![
        // Nothing listens on port 1.
        vec!["--target".into(), "msrp://127.0.0.1:1/x;tcp".into()],
        vec!["--target".into(), "not a uri".into()],
        vec![
            "--target".into(),
            "msrp://127.0.0.1:1/x;tcp".into(),
            "--file".into(),
            bad.display().to_string(),
        ],
        vec!["--bogus-flag".into()],
        vec!["--target".into(), "msrps://127.0.0.1:1/x;tcp".into()],
        vec!["--list".into(), "--suite".into(), "nosuch".into()],
    ];
    for args in cases {
        let out = msrp().arg("conform").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(255), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: a reason on stderr");
    }
}

#[test]
fn list_names_the_scenarios_of_the_target_kind() {
    let out = msrp()
        .args(["conform", "--list", "--relay"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rfc4976-5.1-replayed-nonce-count"), "{text}");
    assert!(!text.contains("rfc4975-7.2-send-answered-200"), "{text}");
}
