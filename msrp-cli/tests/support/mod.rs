//! Running `msrp` subcommands as a shell user would: a child process, its NDJSON events
//! read as they come, with deadlines so that a hang fails the test.

#![allow(dead_code)] // Each test file uses part of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub(crate) fn msrp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msrp"))
}

/// A running `msrp` whose stdout is NDJSON (`--json`).
pub(crate) struct Running {
    pub(crate) child: Child,
    events: mpsc::Receiver<Value>,
    stderr: mpsc::Receiver<String>,
    /// Every event seen so far.
    pub(crate) seen: Vec<Value>,
}

impl Running {
    /// Starts `msrp ARGS --json`; stdin is a pipe that stays open until dropped.
    pub(crate) fn start(args: &[&str]) -> Running {
        let mut child = msrp()
            .args(args)
            .arg("--json")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("msrp starts");
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let (etx, stderr) = mpsc::channel();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(err).read_to_string(&mut s);
            let _ = etx.send(s);
        });
        Running {
            child,
            events,
            stderr,
            seen: Vec::new(),
        }
    }

    /// The next event named `name` (others are kept in `seen`); panics after `within`.
    pub(crate) fn wait_for(&mut self, name: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if v["event"] == name {
                        return v;
                    }
                }
                Err(_) => panic!(
                    "no {name:?} event within {within:?}; seen: {:?}; stderr: {}",
                    self.seen,
                    self.stderr_now()
                ),
            }
        }
    }

    /// The exit status, waiting at most `within`.
    pub(crate) fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                // Collect what is left on stdout.
                while let Ok(v) = self.events.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(v);
                }
                return s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("msrp did not exit within {within:?}; seen: {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything written to stderr (after the process ended).
    pub(crate) fn stderr_now(&self) -> String {
        self.stderr
            .recv_timeout(Duration::from_millis(500))
            .unwrap_or_default()
    }

    /// Sends a signal (`kill -SIG pid`).
    pub(crate) fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([format!("-{sig}"), self.child.id().to_string()])
            .status()
            .expect("kill runs")
            .success();
        assert!(ok, "kill -{sig}");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `msrp listen --bind 127.0.0.1:0 EXTRA --json`, and the URI it listens on.
pub(crate) fn listen(extra: &[&str]) -> (Running, String) {
    let mut args = vec!["listen", "--bind", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut l = Running::start(&args);
    let ev = l.wait_for("listening", Duration::from_secs(20));
    let uri = ev["uri"].as_str().expect("uri").to_owned();
    (l, uri)
}

/// Runs `msrp send ARGS --json` to its end: exit status, events, stderr.
pub(crate) fn send(args: &[&str], within: Duration) -> (ExitStatus, Vec<Value>, String) {
    let mut s = Running::start(&[&["send"], args].concat());
    drop(s.child.stdin.take());
    let status = s.wait_exit(within);
    let err = s.stderr_now();
    (status, std::mem::take(&mut s.seen), err)
}

/// A fresh directory under the system's temporary directory.
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "msrp-cli-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Writes `len` bytes of a deterministic pattern that does not repeat within a chunk.
pub(crate) fn pattern_file(path: &Path, len: usize) {
    let data: Vec<u8> = (0..len as u64)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(path, data).expect("write the file");
}

/// SHA-1 of a file as RFC 5547 writes it.
pub(crate) fn sha1_of(path: &Path) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(std::fs::read(path).expect("read"));
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}
