//! `msrp chat` between two processes: lines typed on one side come out on the other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use std::io::Write;
use std::time::Duration;

use support::Running;

const T: Duration = Duration::from_secs(30);

#[test]
fn two_chats_talk_both_ways_and_end_of_input_closes() {
    let mut bob = Running::start(&["chat", "--listen", "127.0.0.1:0"]);
    let uri = bob.wait_for("listening", T)["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut alice = Running::start(&["chat", "--to", &uri]);
    alice.wait_for("connected", T);
    bob.wait_for("connected", T);
    let mut alice_in = alice.child.stdin.take().unwrap();
    writeln!(alice_in, "hi bob").unwrap();
    alice_in.flush().unwrap();
    assert_eq!(bob.wait_for("message", T)["text"], "hi bob");
    alice.wait_for("delivered", T);
    let mut bob_in = bob.child.stdin.take().unwrap();
    writeln!(bob_in, "hello alice").unwrap();
    bob_in.flush().unwrap();
    assert_eq!(alice.wait_for("message", T)["text"], "hello alice");
    // Alice's input ends: her session closes, and Bob sees it.
    drop(alice_in);
    assert_eq!(alice.wait_exit(T).code(), Some(0));
    bob.wait_for("closed", T);
    assert_eq!(bob.wait_exit(T).code(), Some(0));
}
