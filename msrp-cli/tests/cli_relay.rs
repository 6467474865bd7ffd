//! `msrp relay` end to end, as a shell user runs it: `listen --relay` and `send --relay`
//! through it (AUTH, a text and a file with their success REPORTs), refusals, usage
//! errors, and a clean stop on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use support::{Running, listen, msrp, pattern_file, send, sha1_of, temp_dir};

const T: Duration = Duration::from_secs(30);

/// `msrp relay` on a free port with alice and bob as users, and its URI.
fn relay(extra: &[&str]) -> (Running, String) {
    let mut args = vec![
        "relay",
        "--listen",
        "127.0.0.1:0",
        "--user",
        "alice:alice-pw",
        "--user",
        "bob:bob-pw",
    ];
    args.extend_from_slice(extra);
    let mut r = Running::start(&args);
    let ev = r.wait_for("listening", T);
    let uri = ev["uri"].as_str().expect("uri").to_owned();
    (r, uri)
}

#[test]
fn text_and_file_through_the_relay_with_reports_then_sigterm() {
    let (mut r, relay_uri) = relay(&[]);
    assert!(relay_uri.starts_with("msrp://127.0.0.1:"), "{relay_uri}");
    let dir = temp_dir("relay");
    let (mut bob, bob_path) = listen(&[
        "--relay",
        &relay_uri,
        "--user",
        "bob",
        "--password",
        "bob-pw",
        "--save-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(
        bob_path.starts_with(&relay_uri[..relay_uri.len() - 4]),
        "{bob_path}"
    );
    let authorized = r.wait_for("authorized", T);
    assert_eq!(authorized["user"], "bob");

    // Without --no-report: exit 0 only on the success REPORT, which bob sent back
    // through the relay.
    let alice = [
        "--relay",
        &relay_uri,
        "--user",
        "alice",
        "--password",
        "alice-pw",
    ];
    let (status, events, err) = send(&[&alice[..], &["--to", &bob_path, "hi bob"]].concat(), T);
    assert_eq!(status.code(), Some(0), "{err} {events:?}");
    let m = bob.wait_for("message", T);
    assert_eq!(m["text"], "hi bob");

    let file = dir.join("upload.bin");
    pattern_file(&file, 3 << 20);
    let (status, events, err) = send(
        &[
            &alice[..],
            &["--to", &bob_path, "--file", file.to_str().unwrap()],
        ]
        .concat(),
        T,
    );
    assert_eq!(status.code(), Some(0), "{err} {events:?}");
    let f = bob.wait_for("file", T);
    assert_eq!(f["sha1"], sha1_of(&file).as_str());

    r.signal("TERM");
    let stopped = r.wait_for("stopped", T);
    assert!(stopped["accepted"].as_u64().unwrap() >= 3, "{stopped}");
    assert_eq!(r.wait_exit(T).code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wrong_password_and_unknown_session_exit_1() {
    let (mut r, relay_uri) = relay(&[]);
    let (status, _, err) = send(
        &[
            "--relay",
            &relay_uri,
            "--user",
            "alice",
            "--password",
            "wrong",
            "--to",
            "msrp://127.0.0.1:9/x;tcp",
            "hi",
        ],
        T,
    );
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("401"), "{err}");
    let refused = r.wait_for("auth_refused", T);
    assert_eq!(refused["reason"], "BadCredentials");

    // A Use-Path URI this relay never gave out: 481.
    let fake = format!("{}/nosuchsession;tcp", &relay_uri[..relay_uri.len() - 4]);
    let (status, _, err) = send(
        &[
            "--relay",
            &relay_uri,
            "--user",
            "alice",
            "--password",
            "alice-pw",
            "--to",
            &fake,
            "hi",
        ],
        T,
    );
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("481"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("relay-usage");
    let users = dir.join("users");
    std::fs::write(&users, "# comment\nalice:pw\nnocolon\n").unwrap();
    let out = msrp()
        .args(["relay", "--listen", "127.0.0.1:0", "--users"])
        .arg(&users)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");

    let out = msrp()
        .args(["relay", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
