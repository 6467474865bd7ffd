//! `msrp demo` end to end over loopback TCP: exit code 0 and an intact transfer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::process::Command;

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
    assert!(stdout.contains("Bob received (text/plain): Hi Bob, it's Alice."));
    assert!(stdout.contains("3145728 bytes in"));
    assert!(stdout.contains("OK: every message and every byte arrived intact"));
}

#[test]
fn bad_sizes_are_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["demo", "--size", "lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
