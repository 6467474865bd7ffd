//! `msrp inspect` behaves like a Unix tool: a closed output pipe ends it quietly, a
//! missing or empty input is an error with exit code 2 and a message naming it, `--json`
//! prints one JSON object per line, every kind reports errors as
//! `{"kind", "offset", "message"}`, and a 64 MiB chunk capture streams through in
//! bounded memory. The inputs are written here, so this test needs no repository files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

const URI: &[u8] = b"msrp://bob.example.com:8888/9di4eae923wzd;tcp";
/// Invalid in either mode: the port is larger than 65535.
const BAD_URI: &[u8] = b"msrp://bob.example.com:99999/s;tcp";
const SDP: &[u8] = b"v=0\r\no=alice 2890844526 2890844527 IN IP4 alice.example.com\r\n\
s= \r\nc=IN IP4 alice.example.com\r\nt=0 0\r\nm=message 7394 TCP/MSRP *\r\n\
a=accept-types:text/plain\r\na=path:msrp://alice.example.com:7394/2s93i93idj;tcp\r\n";
/// Invalid: the first line is not `<type>=<value>`.
const BAD_SDP: &[u8] = b"v=0\r\nnot a line\r\n";
/// Invalid: the third header line has no colon.
const BAD_CHUNK: &[u8] = b"MSRP a786hjs2 SEND\r\n\
To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n\
From-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n\
Message-ID 87652491\r\n\
-------a786hjs2$\r\n";

/// The head of a SEND whose body has `len` octets, with transaction id `tid`.
fn send_head(tid: &str, len: u64) -> Vec<u8> {
    format!(
        "MSRP {tid} SEND\r\n\
         To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n\
         From-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n\
         Message-ID: 12339sdqwer\r\n\
         Byte-Range: 1-{len}/{len}\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes()
}

/// One whole SEND chunk with `body`.
fn send(tid: &str, body: &[u8]) -> Vec<u8> {
    let mut out = send_head(tid, body.len() as u64);
    out.extend_from_slice(body);
    out.extend_from_slice(format!("\r\n-------{tid}$\r\n").as_bytes());
    out
}

/// `n` SEND chunks of 2000 octets each, back to back.
fn many_sends(n: usize) -> Vec<u8> {
    let body = [b'x'; 2000];
    let mut out = Vec::new();
    for i in 0..n {
        out.extend(send(&format!("t{i:07}"), &body));
    }
    out
}

/// A fresh directory for this test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msrp-unix-habits-{}-{name}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn msrp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msrp"))
}

fn inspect(kind: &str, args: &[&str], file: &Path) -> Output {
    msrp()
        .args(["inspect", kind])
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A valid and an invalid input of each kind.
fn inputs(dir: &Path) -> [(&'static str, PathBuf, PathBuf); 3] {
    [
        (
            "uri",
            write(dir, "ok.uri", URI),
            write(dir, "bad.uri", BAD_URI),
        ),
        (
            "chunk",
            write(
                dir,
                "ok.msrp",
                &send("a786hjs2", b"Hey Bob, are you there?"),
            ),
            write(dir, "bad.msrp", BAD_CHUNK),
        ),
        (
            "sdp",
            write(dir, "ok.sdp", SDP),
            write(dir, "bad.sdp", BAD_SDP),
        ),
    ]
}

/// A closed pipe must not make the command panic or complain; its exit code still says
/// whether the input was valid (0) or not (1).
fn assert_quiet(kind: &str, out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{kind}: {err}");
    assert!(err.is_empty(), "{kind}: {err}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{kind}: {:?}",
        out.status
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let dir = temp_dir("pipe");
    // Far more output than a pipe buffers, so that the writes meet the closed pipe.
    let many = write(&dir, "many.msrp", &many_sends(2000));
    let mut cases = inputs(&dir).map(|(kind, ok, _)| (kind, ok)).to_vec();
    cases.push(("chunk", many.clone()));
    for (kind, file) in cases {
        for json in [false, true] {
            let mut child = msrp()
                .args(["inspect", kind])
                .args(json.then_some("--json"))
                .arg(&file)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take()); // the reader goes away before anything is read
            assert_quiet(kind, &child.wait_with_output().unwrap());
        }
    }
    // `| head -c1`: one byte is read, then the reader goes away mid-output.
    let mut child = msrp()
        .args(["inspect", "chunk"])
        .arg(&many)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_eq!(&first, b"{");
    assert_quiet("chunk | head -c1", &child.wait_with_output().unwrap());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_or_empty_input_is_exit_code_2_with_a_message_naming_it() {
    let dir = temp_dir("missing");
    let missing = dir.join("no-such-file");
    let empty = write(&dir, "empty-input", b"");
    for kind in ["uri", "chunk", "sdp"] {
        for (what, file) in [("missing", &missing), ("empty", &empty)] {
            let out = inspect(kind, &[], file);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{kind} {what}: {err}");
            assert!(out.stdout.is_empty(), "{kind} {what}: something on stdout");
            assert_eq!(err.lines().count(), 1, "{kind} {what}: {err}");
            assert!(
                err.contains(&file.display().to_string()),
                "{kind} {what}: {err}"
            );
            assert!(!err.contains("panicked"), "{kind} {what}: {err}");
        }
        let err = stderr(&inspect(kind, &[], &empty));
        assert!(err.contains("empty"), "{kind}: {err}");
        // An empty standard input too.
        let out = msrp()
            .args(["inspect", kind, "-"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{kind} empty stdin");
        assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// The lines of `out`'s stdout, each parsed as JSON.
fn json_lines(out: &Output) -> Vec<Value> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.ends_with('\n'), "{text}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn json_is_one_object_per_line() {
    let dir = temp_dir("json");
    for (kind, ok, bad) in inputs(&dir) {
        for (file, code) in [(&ok, 0), (&bad, 1)] {
            let out = inspect(kind, &["--json"], file);
            assert_eq!(out.status.code(), Some(code), "{kind}: {}", stderr(&out));
            let lines = json_lines(&out);
            assert_eq!(lines.len(), 1, "{kind}: {lines:?}");
            assert!(lines[0].is_object(), "{kind}");
            // The same object as the indented document.
            let pretty = inspect(kind, &[], file);
            assert!(String::from_utf8_lossy(&pretty.stdout).lines().count() > 1);
            let doc: Value = serde_json::from_slice(&pretty.stdout).unwrap();
            assert_eq!(doc, lines[0], "{kind}");
        }
    }
    // Several frames: one line per frame, in order, each with the mode.
    let mut three = many_sends(2);
    three.extend_from_slice(BAD_CHUNK);
    let file = write(&dir, "three.msrp", &three);
    let out = inspect("chunk", &["--json"], &file);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    let results: Vec<&str> = lines
        .iter()
        .map(|l| l["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["ok", "ok", "error"]);
    let doc: Value = serde_json::from_slice(&inspect("chunk", &[], &file).stdout).unwrap();
    assert_eq!(doc["frame_count"], 2);
    let frames = doc["frames"].as_array().unwrap();
    for (line, frame) in lines.iter().zip(frames) {
        assert_eq!(line["mode"], "tolerant");
        for (k, v) in frame.as_object().unwrap() {
            assert_eq!(&line[k], v, "{k}");
        }
    }
    // An unfinished tail that does not start a frame is a line of its own.
    let mut tail = many_sends(1);
    tail.extend_from_slice(b"MSRP abc");
    let out = inspect("chunk", &["--json"], &write(&dir, "tail.msrp", &tail));
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[1]["result"], "incomplete");
    assert_eq!(lines[1]["incomplete_from"], tail.len() - 8);
    fs::remove_dir_all(&dir).unwrap();
}

fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn every_kind_reports_errors_as_kind_offset_message() {
    let dir = temp_dir("errors");
    for (kind, _, bad) in inputs(&dir) {
        for json in [false, true] {
            let out = inspect(kind, if json { &["--json"] } else { &[] }, &bad);
            assert_eq!(out.status.code(), Some(1), "{kind}");
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            let e = &doc["error"];
            let name = e["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{kind}: {doc}"));
            assert!(is_snake_case(name), "{kind}: kind {name:?}");
            assert!(!e["message"].as_str().unwrap().is_empty(), "{kind}: {doc}");
            assert!(e.get("offset").is_some(), "{kind}: {doc}");
        }
    }
    let doc = |kind: &str, file: &Path| -> Value {
        serde_json::from_slice(&inspect(kind, &["--strict"], file).stdout).unwrap()
    };
    // What each parser finds, and where.
    let uri = doc("uri", &dir.join("bad.uri"));
    assert_eq!(uri["error"]["kind"], "port_out_of_range");
    assert_eq!(uri["error"]["offset"], 23);
    assert_eq!(uri["error"]["rule"], "port (RFC 3986)");
    let chunk = doc("chunk", &dir.join("bad.msrp"));
    assert_eq!(chunk["result"], "error");
    assert_eq!(chunk["error"]["kind"], "invalid_header_line");
    let line3 = BAD_CHUNK
        .windows(10)
        .position(|w| w == b"Message-ID")
        .unwrap();
    assert_eq!(chunk["error"]["offset"], line3);
    assert!(
        chunk["error"]["message"]
            .as_str()
            .unwrap()
            .contains("hname"),
        "{chunk}"
    );
    let sdp = doc("sdp", &dir.join("bad.sdp"));
    assert_eq!(sdp["error"]["kind"], "invalid_line");
    assert_eq!(
        sdp["error"]["offset"],
        Value::Null,
        "SDP errors name a line"
    );
    assert_eq!(sdp["error"]["line"], 2);
    fs::remove_dir_all(&dir).unwrap();
}

/// A body of `len` octets in pieces of at most 1 MiB (a repeating byte pattern).
fn body_pieces(len: usize) -> impl Iterator<Item = Vec<u8>> {
    let piece: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    (0..len.div_ceil(piece.len())).map(move |i| {
        let n = piece.len().min(len - i * piece.len());
        piece[..n].to_vec()
    })
}

const BIG: usize = 64 << 20;

#[test]
fn a_64_mib_capture_is_inspected() {
    let dir = temp_dir("big");
    let path = dir.join("big.msrp");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    file.write_all(&send_head("big1tid", BIG as u64)).unwrap();
    let mut sha = Sha256::new();
    for piece in body_pieces(BIG) {
        sha.update(&piece);
        file.write_all(&piece).unwrap();
    }
    file.write_all(b"\r\n-------big1tid$\r\n").unwrap();
    drop(file);
    let out = inspect("chunk", &[], &path);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["body_length"], BIG);
    let want: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(doc["body_sha256"], want);
    assert!(
        doc.get("body_text").is_none(),
        "a long body has no body_text"
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// Peak memory, read from `/proc` (Linux only).
#[cfg(target_os = "linux")]
mod memory {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::process::Child;

    /// The peak resident memory (VmHWM) of a running process, in bytes (Linux).
    fn peak_rss(child: &Child) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kb: u64 = line
            .trim_start_matches("VmHWM:")
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap();
        kb * 1024
    }

    /// Feeds `inspect chunk -` through standard input; before the last bytes go in (the
    /// inspector has read all but what the pipe holds), reads its peak memory.
    fn streamed(
        args: &[&str],
        pieces: impl Iterator<Item = Vec<u8>>,
        last: &[u8],
    ) -> (u64, Output) {
        let mut child = msrp()
            .args(["inspect", "chunk"])
            .args(args)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read stdout as it comes, so that the inspector never waits on us.
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                lines.push(line.unwrap());
            }
            lines
        });
        let mut stdin = child.stdin.take().unwrap();
        for piece in pieces {
            stdin.write_all(&piece).unwrap();
        }
        let peak = peak_rss(&child);
        stdin.write_all(last).unwrap();
        drop(stdin);
        let mut out = child.wait_with_output().unwrap();
        out.stdout = reader.join().unwrap().join("\n").into_bytes();
        (peak, out)
    }

    #[test]
    fn inspect_chunk_streams_in_bounded_memory() {
        const LIMIT: u64 = 32 << 20;
        // One 64 MiB body.
        let pieces = std::iter::once(send_head("big1tid", BIG as u64)).chain(body_pieces(BIG));
        let (peak, out) = streamed(&[], pieces, b"\r\n-------big1tid$\r\n");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["body_length"], BIG);
        assert!(peak < LIMIT, "peak resident memory {peak} bytes");

        // Many small chunks (2000-octet bodies), 16 MiB in all, one NDJSON line each.
        let n = (16 << 20) / 2200;
        let all = many_sends(n);
        let (head, last) = all.split_at(all.len() - 10);
        let pieces = head.chunks(1 << 20).map(<[u8]>::to_vec).collect::<Vec<_>>();
        let (peak, out) = streamed(&["--json"], pieces.into_iter(), last);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), n);
        assert!(peak < LIMIT, "peak resident memory {peak} bytes");
    }
}
