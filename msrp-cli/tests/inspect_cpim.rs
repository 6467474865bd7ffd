//! `msrp inspect cpim` against every CPIM vector of msrp-cpim (`msrp-cpim/tests/data`): the
//! strict result or error, the tolerant quirks, and every expected field the inspector
//! prints, with the vector's values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

fn inspect(strict: bool, file: &Path) -> (Value, Option<i32>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msrp"));
    cmd.args(["inspect", "cpim", "--json"]);
    if strict {
        cmd.arg("--strict");
    }
    let out = cmd.arg(file).output().unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

/// `want` is in `got`: objects key by key (the inspector may print more keys, such as
/// `display_name` on every address), arrays item by item, other values equal.
fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| contains(gv, v))),
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(a, b)| contains(a, b))
        }
        _ => got == want,
    }
}

fn check(name: &str, mode: &str, got: &Value, expected: &serde_json::Map<String, Value>) {
    for (key, want) in expected {
        match key.as_str() {
            // The inspector gives every body's SHA-256, not its hex.
            "body_hex" => {
                let bytes: Vec<u8> = (0..want.as_str().unwrap().len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&want.as_str().unwrap()[i..i + 2], 16).unwrap())
                    .collect();
                let hex: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(got["body_sha256"], hex, "{name} ({mode}): body");
            }
            // An aggregated IMDN (multipart/mixed): the inspector does not split MIME
            // multiparts; msrp-cpim's own vector test checks these two.
            "multipart_boundary" | "multipart_imdn_documents" => {}
            _ => assert!(
                contains(&got[key], want),
                "{name} ({mode}): {key}: got {} want {want}",
                got[key]
            ),
        }
    }
}

#[test]
fn every_cpim_vector_through_the_inspector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../msrp-cpim/tests/data");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let name = v["file"].as_str().unwrap();
        let wire = dir.join(name);
        let expected = v["expected"].as_object().unwrap();

        let (got, code) = inspect(true, &wire);
        assert_eq!(got["mode"], "strict");
        if v["strict"]["result"] == "ok" {
            assert_eq!(
                (code, &got["valid"]),
                (Some(0), &Value::Bool(true)),
                "{name}"
            );
            let mut exp = expected.clone();
            if let Some(o) = v["strict"].get("overrides").and_then(Value::as_object) {
                exp.extend(o.clone());
            }
            check(name, "strict", &got, &exp);
        } else {
            assert_eq!(
                (code, &got["valid"]),
                (Some(1), &Value::Bool(false)),
                "{name}"
            );
            assert_eq!(got["error"]["kind"], v["strict"]["error"]["kind"], "{name}");
            assert_eq!(
                got["error"]["offset"], v["strict"]["error"]["offset"],
                "{name}"
            );
            assert!(
                got["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }

        let (got, code) = inspect(false, &wire);
        assert_eq!(
            (code, &got["valid"]),
            (Some(0), &Value::Bool(true)),
            "{name}"
        );
        let mut quirks: Vec<String> = serde_json::from_value(got["quirks"].clone()).unwrap();
        let mut want: Vec<String> =
            serde_json::from_value(v["tolerant"]["quirks"].clone()).unwrap();
        quirks.sort();
        want.sort();
        assert_eq!(quirks, want, "{name}: quirks");
        check(name, "tolerant", &got, expected);
        seen += 1;
    }
    assert!(seen >= 20, "only {seen} vectors");
}

#[test]
fn an_is_composing_body_is_decoded() {
    let dir = std::env::temp_dir().join(format!("msrp-inspect-cpim-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("composing.cpim");
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
        <isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\
        <state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh>\
        </isComposing>";
    let wire = format!(
        "From: <im:alice@example.com>\r\nTo: <im:bob@example.com>\r\n\
         DateTime: 2026-12-03T10:00:00Z\r\n\r\n\
         Content-Type: application/im-iscomposing+xml\r\n\r\n{xml}"
    );
    fs::write(&file, wire).unwrap();
    let (got, code) = inspect(true, &file);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, Some(0), "{got}");
    assert_eq!(got["is_composing"]["state"], "active");
    assert_eq!(got["is_composing"]["contenttype"], "text/plain");
    assert_eq!(got["is_composing"]["refresh"], 60);
}
