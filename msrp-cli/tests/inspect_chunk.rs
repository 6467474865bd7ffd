//! `msrp inspect chunk` against every chunk vector: the JSON carries the vector's fields
//! with the vector's values; `--split` changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const FIELDS: &[&str] = &[
    "kind",
    "transaction_id",
    "method",
    "status_code",
    "comment",
    "continuation_flag",
    "headers",
    "to_path",
    "from_path",
    "use_path",
    "message_id",
    "success_report",
    "failure_report",
    "content_type",
    "use_nickname",
    "byte_range",
    "status",
    "expires",
    "has_body",
    "body_offset",
    "body_length",
    "body_sha256",
    "body_text",
    "frame_length",
    "byte_range_matches_body",
];

fn inspect(args: &[&str], file: &PathBuf) -> (Value, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_msrp"))
        .args(["inspect", "chunk"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

#[test]
fn every_chunk_vector_through_the_inspector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/chunks");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let raw = dir.join(v["file"].as_str().unwrap());
        let name = path.display();
        let lenient = v
            .get("lenient_ok")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let (strict, code) = inspect(&["--strict"], &raw);
        match v["result"].as_str().unwrap() {
            "ok" => {
                assert_eq!(code, Some(0), "{name}");
                for f in FIELDS {
                    if let Some(want) = v.get(*f) {
                        assert_eq!(&strict[f], want, "{name}: {f}");
                    }
                }
            }
            "error" => {
                assert_eq!(code, Some(1), "{name}");
                let result = strict
                    .get("result")
                    .or_else(|| strict["frames"][0].get("result"));
                assert_eq!(
                    result.and_then(Value::as_str),
                    Some("error"),
                    "{name}: {strict}"
                );
                if lenient {
                    let (tolerant, code) = inspect(&[], &raw);
                    assert_eq!(code, Some(0), "{name}");
                    for f in FIELDS {
                        if let Some(want) = v.get(*f) {
                            assert_eq!(&tolerant[f], want, "{name} (tolerant): {f}");
                        }
                    }
                }
            }
            "incomplete" => {
                assert_eq!(code, Some(1), "{name}");
                assert_eq!(strict["incomplete_from"], 0, "{name}");
            }
            other => panic!("{name}: result {other}"),
        }
        let (split, _) = inspect(&["--strict", "--split", "1,7,30,100,101"], &raw);
        assert_eq!(split, strict, "{name}: --split changed the result");
        checked += 1;
    }
    assert!(checked >= 107, "only {checked} vectors");
}
