//! `msrp inspect uri` against every URI vector: the JSON carries the vector's fields with the
//! vector's values, and the exit code says valid (0) or invalid (1).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

const FIELDS: &[&str] = &[
    "uri",
    "valid",
    "scheme",
    "user",
    "host",
    "host_type",
    "port",
    "session_id",
    "transport",
    "params",
];

fn msrp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msrp"))
}

#[test]
fn every_uri_vector_through_the_inspector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/uris");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let vector: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let raw = dir.join(vector["file"].as_str().unwrap());
        let out = msrp()
            .args(["inspect", "uri", "--strict"])
            .arg(&raw)
            .output()
            .unwrap();
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let valid = vector["valid"].as_bool().unwrap();
        assert_eq!(
            out.status.code(),
            Some(if valid { 0 } else { 1 }),
            "{}",
            path.display()
        );
        if valid {
            for field in FIELDS {
                assert_eq!(got[field], vector[field], "{}: {field}", path.display());
            }
        } else {
            assert_eq!(got["valid"], Value::Bool(false));
            assert_eq!(
                got["error"]["rule"],
                vector["error"]["rule"],
                "{}",
                path.display()
            );
            assert!(got["error"]["offset"].is_u64());
        }
        checked += 1;
    }
    assert!(checked >= 63, "only {checked} vectors");
}

#[test]
fn stdin_tolerant_mode_and_usage_errors() {
    let mut child = msrp()
        .args(["inspect", "uri", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"MSRP://192.0.2.1:2855/s;tcp\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["canonical"], "msrp://192.0.2.1:2855/s;tcp");
    assert_eq!(
        got["quirks"],
        serde_json::json!(["scheme-case", "whitespace"])
    );
    assert_eq!(got["host_type"], "ipv4");

    let out = msrp().args(["inspect", "uri"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "missing argument");
    let out = msrp()
        .args(["inspect", "uri", "/nonexistent/file.uri"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "unreadable file");
    let out = msrp().args(["inspect", "nothing", "-"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "unknown subcommand");
}

#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let mut child = msrp()
        .args([
            "inspect",
            "uri",
            "../vectors/uris/rfc4975-6-host.example.com-asfd34-tcp.uri",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the output is written
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
