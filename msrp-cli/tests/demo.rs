//! `msrp demo` end to end over loopback TCP: exit code 0 and an intact transfer, its NDJSON
//! events, and a reader that goes away early.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_demo_transfers_intact() {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["demo", "--size", "3M"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("m=message"), "prints the SDP");
    assert!(stdout.contains("a=setup:passive"), "prints Bob's answer");
    assert!(stdout.contains("Bob received (text/plain): Hi Bob, it's Alice."));
    assert!(stdout.contains("Alice got the success REPORT"));
    assert!(stdout.contains("3145728 bytes in"));
    assert!(stdout.contains("MiB/s), every byte checked"));
    assert!(stdout.contains("OK: every message and every byte arrived intact"));
    assert!(
        !stdout.contains("sha256"),
        "no hash: the receiver compares bytes"
    );
}

#[test]
fn small_and_text_files_too() {
    // Below 1 MiB the file arrives whole rather than streamed.
    for args in [&["--size", "1000"][..], &["--size", "300K", "--text"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
            .arg("demo")
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}");
        assert!(stdout.contains("OK: every message and every byte arrived intact"));
    }
}

#[test]
fn json_prints_one_event_per_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["demo", "--json", "--size", "2M"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let events: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "offer",
            "answer",
            "connected",
            "message",
            "message",
            "message",
            "file",
            "delivered",
            "summary",
            "ok"
        ]
    );
    assert!(
        events[0]["sdp"]
            .as_str()
            .unwrap()
            .contains("a=setup:actpass")
    );
    assert_eq!(events[3]["text"], "Hi Bob, it's Alice.");
    assert_eq!(events[3]["content_type"], "text/plain");
    assert_eq!(events[6]["size"], 2 << 20);
    assert_eq!(events[8]["bytes"], 2 << 20);
    assert!(events[8]["mib_per_s"].as_f64().unwrap() > 0.0);
    assert!(events[8]["seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_reader_that_goes_away_ends_output_quietly() {
    // `msrp demo | head -1`
    let mut child = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["demo", "--size", "4M"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "--- SDP offer (Alice)\n");
    // The pipe is closed now; the demo runs to its end without printing.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn bad_sizes_are_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["demo", "--size", "lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn through_our_relay() {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["demo", "--relay", "--json", "--size", "8M"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "relay");
    assert_eq!(names.last(), Some(&"ok"));
    let relay = events[0]["uri"].as_str().unwrap();
    // Bob's answer carries the relay's Use-Path first (RFC 4976 section 5.1).
    let answer = events[2]["sdp"].as_str().unwrap();
    let path = answer
        .lines()
        .find_map(|l| l.strip_prefix("a=path:"))
        .expect("a=path in the answer");
    let uris: Vec<&str> = path.split(' ').collect();
    assert_eq!(uris.len(), 2, "{path}");
    assert!(
        uris[0].starts_with(relay.trim_end_matches(";tcp")),
        "{path}"
    );
    let connected = events.iter().find(|e| e["event"] == "connected").unwrap();
    assert!(
        relay.contains(connected["addr"].as_str().unwrap()),
        "{connected}"
    );
    let summary = events.iter().find(|e| e["event"] == "summary").unwrap();
    assert_eq!(summary["bytes"], 8 << 20);
    let held = summary["relay_peak_buffered_bytes"].as_u64().unwrap();
    assert!(held > 0 && held < 1 << 20, "the relay held {held} bytes");
}
