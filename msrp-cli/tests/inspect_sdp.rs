//! `msrp inspect sdp` against every SDP vector: the JSON carries the vector's session and
//! media fields with the vector's values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn inspect(args: &[&str], file: &PathBuf) -> (Value, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["inspect", "sdp"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

fn compare(name: &str, got: &Value, want: &Value) {
    assert_eq!(got["session"], want["session"], "{name}: session");
    let (g, w) = (
        got["media"].as_array().unwrap(),
        want["media"].as_array().unwrap(),
    );
    assert_eq!(g.len(), w.len(), "{name}: media count");
    for (gm, wm) in g.iter().zip(w) {
        for (k, v) in wm.as_object().unwrap() {
            assert_eq!(&gm[k], v, "{name}: media.{k}");
        }
    }
}

#[test]
fn every_sdp_vector_through_the_inspector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/sdp");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let raw = dir.join(v["file"].as_str().unwrap());
        let name = path.display().to_string();
        let mut args = vec!["--strict"];
        if v["fragment"].as_bool() == Some(true) {
            args.push("--fragment");
        }
        let (strict, code) = inspect(&args, &raw);
        if v["valid"].as_bool().unwrap() {
            assert_eq!(code, Some(0), "{name}: {strict}");
            compare(&name, &strict, &v);
        } else {
            assert_eq!(code, Some(1), "{name}");
            assert!(strict["error"]["line"].is_u64(), "{name}");
            if v["lenient_ok"].as_bool() == Some(true) {
                let (tolerant, code) = inspect(&args[1..], &raw);
                assert_eq!(code, Some(0), "{name}");
                compare(&name, &tolerant, &v);
                assert!(!tolerant["quirks"].as_array().unwrap().is_empty(), "{name}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 26, "only {checked} vectors");
}
