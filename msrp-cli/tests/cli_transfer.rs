//! `msrp listen` and `msrp send` over real sockets, as a shell user runs them: text and
//! a 50 MiB file over TCP and TLS with the hash checked, refusals (413, 415) as exit
//! codes, an offer checked by the receiver, a peer killed mid-transfer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use std::time::Duration;

use support::{listen, pattern_file, send, sha1_of, temp_dir};

const T: Duration = Duration::from_secs(60);

#[test]
fn text_over_tcp_arrives_and_send_exits_zero() {
    let (mut l, uri) = listen(&[]);
    let (status, events, err) = send(&["--to", &uri, "hello", "over", "msrp"], T);
    assert_eq!(status.code(), Some(0), "{err}");
    let delivered = events
        .iter()
        .find(|e| e["event"] == "delivered")
        .expect("delivered");
    assert_eq!(delivered["report"], true);
    let msg = l.wait_for("message", T);
    assert_eq!(msg["text"], "hello over msrp");
    assert_eq!(msg["content_type"], "text/plain");
    assert_eq!(msg["message_id"], delivered["message_id"]);
}

fn file_transfer(tls: bool) {
    let dir = temp_dir(if tls { "tls" } else { "tcp" });
    let save = dir.join("saved");
    std::fs::create_dir(&save).unwrap();
    let file = dir.join("fifty.bin");
    pattern_file(&file, 50 << 20);
    let cert = dir.join("cert.pem");
    let cert_s = cert.to_str().unwrap();
    let mut extra = vec!["--save-dir", save.to_str().unwrap(), "--once"];
    if tls {
        extra.extend(["--tls-self-signed", "--write-cert", cert_s]);
    }
    let (mut l, uri) = listen(&extra);
    assert_eq!(uri.starts_with("msrps://"), tls, "{uri}");
    let mut args = vec!["--to", uri.as_str(), "--file", file.to_str().unwrap()];
    if tls {
        args.extend(["--tls-ca", cert_s]);
    }
    let (status, events, err) = send(&args, T);
    assert_eq!(status.code(), Some(0), "{err}");
    let want = sha1_of(&file);
    let offer = events
        .iter()
        .find(|e| e["event"] == "offer")
        .expect("offer");
    assert_eq!(offer["sha1"], want.as_str());
    let sdp = offer["sdp"].as_str().unwrap();
    assert!(
        sdp.contains(&format!("size:{} hash:sha-1:{want}", 50 << 20)),
        "{sdp}"
    );
    let got = l.wait_for("file", T);
    assert_eq!(got["size"], 50 << 20);
    assert_eq!(got["sha1"], want.as_str());
    let saved = got["path"].as_str().expect("saved");
    assert_eq!(sha1_of(std::path::Path::new(saved)), want);
    assert_eq!(l.wait_exit(T).code(), Some(0));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn fifty_mib_over_tcp_hash_checked() {
    file_transfer(false);
}

#[test]
fn fifty_mib_over_tls_hash_checked() {
    file_transfer(true);
}

#[test]
fn refusals_are_exit_one_with_the_code() {
    let dir = temp_dir("refuse");
    let (_l, uri) = listen(&["--max-size", "64K", "--accept-types", "text/plain"]);
    // 415: a type the listener does not accept.
    let (status, events, err) = send(&["--to", &uri, "--content-type", "image/png", "x"], T);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("415"), "{err}");
    let failed = events
        .iter()
        .find(|e| e["event"] == "failed")
        .expect("failed");
    assert_eq!(failed["code"], 415);
    // 413: larger than a=max-size, whole and streamed.
    let big = dir.join("big.txt");
    pattern_file(&big, 200 << 10);
    for extra in [&[][..], &["--no-report"][..]] {
        let mut args = vec!["--to", uri.as_str(), "--file", big.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (status, events, err) = send(&args, T);
        assert_eq!(status.code(), Some(1), "{err}");
        assert!(err.contains("413"), "{err}");
        let failed = events
            .iter()
            .find(|e| e["event"] == "failed")
            .expect("failed");
        assert_eq!(failed["code"], 413);
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_receiver_checks_a_file_against_the_offer() {
    let dir = temp_dir("offer");
    let file = dir.join("photo.jpg");
    pattern_file(&file, 300_000);
    let sha1 = sha1_of(&file);
    for (hash, verified, exit) in [(sha1.as_str(), true, 0), ("AA:BB:CC", false, 1)] {
        let save = dir.join(format!("saved-{verified}"));
        std::fs::create_dir(&save).unwrap();
        // The offer a file sender makes (RFC 5547 section 8.2), as another client would.
        let offer = dir.join("offer.sdp");
        std::fs::write(
            &offer,
            format!(
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                 m=message 9 TCP/MSRP *\r\na=sendonly\r\na=accept-types:image/jpeg\r\n\
                 a=path:msrp://127.0.0.1:9/offerer;tcp\r\n\
                 a=file-selector:name:\"photo.jpg\" type:image/jpeg size:300000 hash:sha-1:{hash}\r\n\
                 a=file-transfer-id:t1\r\n"
            ),
        )
        .unwrap();
        let (mut l, uri) = listen(&[
            "--offer",
            offer.to_str().unwrap(),
            "--save-dir",
            save.to_str().unwrap(),
            "--once",
        ]);
        let answer = l.seen[0]["sdp"].as_str().unwrap().to_owned();
        assert!(answer.contains("a=recvonly"), "{answer}");
        assert!(
            answer.contains("a=file-selector:name:\"photo.jpg\""),
            "{answer}"
        );
        let (status, _, err) = send(&["--to", &uri, "--file", file.to_str().unwrap()], T);
        assert_eq!(status.code(), Some(0), "{err}");
        let got = l.wait_for("file", T);
        assert_eq!(got["verified"], verified, "{got}");
        assert!(
            got["path"].as_str().unwrap().ends_with("photo.jpg"),
            "{got}"
        );
        assert_eq!(l.wait_exit(T).code(), Some(exit));
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_resumed_transfer_completes_the_file() {
    let dir = temp_dir("resume");
    let save = dir.join("saved");
    std::fs::create_dir(&save).unwrap();
    let file = dir.join("doc.bin");
    pattern_file(&file, 1 << 20);
    let whole = std::fs::read(&file).unwrap();
    // The first 400000 octets arrived in an earlier session.
    std::fs::write(save.join("doc.bin"), &whole[..400_000]).unwrap();
    let offer = dir.join("offer.sdp");
    std::fs::write(
        &offer,
        format!(
            "m=message 9 TCP/MSRP *\r\na=sendonly\r\na=accept-types:*\r\n\
             a=path:msrp://127.0.0.1:9/offerer;tcp\r\n\
             a=file-selector:name:\"doc.bin\" size:{} hash:sha-1:{}\r\n\
             a=file-transfer-id:t2\r\na=file-range:400001-*\r\n",
            1 << 20,
            sha1_of(&file)
        ),
    )
    .unwrap();
    let (mut l, uri) = listen(&[
        "--offer",
        offer.to_str().unwrap(),
        "--save-dir",
        save.to_str().unwrap(),
        "--once",
    ]);
    let (status, events, err) = send(
        &[
            "--to",
            &uri,
            "--file",
            file.to_str().unwrap(),
            "--range",
            "400001-*",
        ],
        T,
    );
    assert_eq!(status.code(), Some(0), "{err}");
    let offer_ev = events.iter().find(|e| e["event"] == "offer").unwrap();
    assert!(
        offer_ev["sdp"]
            .as_str()
            .unwrap()
            .contains("a=file-range:400001-*")
    );
    let got = l.wait_for("file", T);
    assert_eq!(got["received"], (1 << 20) - 400_000);
    assert_eq!(got["verified"], true, "{got}");
    assert_eq!(std::fs::read(save.join("doc.bin")).unwrap(), whole);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_killed_peer_fails_the_send_promptly() {
    let dir = temp_dir("kill");
    let file = dir.join("huge.bin");
    // Sparse: large enough to be in flight when the listener dies.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(256 << 20)
        .unwrap();
    let (mut l, uri) = listen(&[]);
    let mut s = support::Running::start(&["send", "--to", &uri, "--file", file.to_str().unwrap()]);
    l.wait_for("file_started", T);
    l.signal("KILL");
    let started = std::time::Instant::now();
    let status = s.wait_exit(Duration::from_secs(40));
    assert_eq!(status.code(), Some(3), "{}", s.stderr_now());
    assert!(started.elapsed() < Duration::from_secs(35));
    let err = s.stderr_now();
    assert!(err.contains("not delivered"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn missing_and_empty_files_are_usage_errors() {
    let dir = temp_dir("empty");
    let empty = dir.join("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.join("missing.bin");
    for f in [&empty, &missing] {
        let (status, _, err) = send(
            &[
                "--to",
                "msrp://127.0.0.1:9/x;tcp",
                "--file",
                f.to_str().unwrap(),
            ],
            T,
        );
        assert_eq!(status.code(), Some(2), "{err}");
        assert!(
            err.contains(f.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sigterm_closes_the_listener_and_its_sessions() {
    let (mut l, uri) = listen(&[]);
    let mut chat = support::Running::start(&["chat", "--to", &uri]);
    chat.wait_for("connected", T);
    l.wait_for("session", T);
    l.signal("TERM");
    assert_eq!(l.wait_exit(T).code(), Some(0));
    let closed = chat.wait_for("closed", T);
    assert!(closed["reason"].is_string(), "{closed}");
    assert_eq!(chat.wait_exit(T).code(), Some(0));
}

#[test]
fn text_and_a_file_over_websocket() {
    let dir = temp_dir("ws");
    let save = dir.join("saved");
    std::fs::create_dir(&save).unwrap();
    let (mut l, uri) = listen(&["--ws", "--save-dir", save.to_str().unwrap()]);
    assert!(uri.ends_with(";ws"), "{uri}");
    assert!(l.seen[0]["sdp"].as_str().unwrap().contains("TCP/WS/MSRP"));
    let (status, _, err) = send(&["--to", &uri, "over", "websocket"], T);
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(l.wait_for("message", T)["text"], "over websocket");
    let file = dir.join("five.bin");
    pattern_file(&file, 5 << 20);
    // The WebSocket URL given apart from the URI, as signaling gives it (RFC 7977).
    let url = format!("ws://{}/", uri.split('/').nth(2).unwrap());
    let (status, _, err) = send(
        &[
            "--to",
            &uri,
            "--ws-url",
            &url,
            "--file",
            file.to_str().unwrap(),
        ],
        T,
    );
    assert_eq!(status.code(), Some(0), "{err}");
    let got = l.wait_for("file", T);
    assert_eq!(got["sha1"], sha1_of(&file).as_str());
    std::fs::remove_dir_all(dir).ok();
}
