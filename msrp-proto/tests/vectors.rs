//! Every vector in `vectors/chunks/` (the shared conformance vectors) and in
//! `msrp-proto/tests/data/chunks/` (this crate's own, in the same format, for the strict
//! grammar rules the shared ones do not cover; they may also give the strict error's
//! `error.offset` and the `tolerant_quirks` noted): `ok` frames give the vector's fields, `error` frames
//! are rejected in strict mode, `lenient_ok` frames parse in tolerant mode with the
//! vector's fields, `incomplete` frames give no chunk. Each is also fed split at every byte
//! offset and one byte at a time, with the same events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::PathBuf;

mod common;

use common::{Ev, framing_then_validate_matches_full, head_reader_matches_parser, run, split_at};
use msrp_proto::Mode;
use msrp_proto::wire::{Validation, violations};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn dirs() -> [PathBuf; 2] {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../vectors/chunks"),
        root.join("tests/data/chunks"),
    ]
}

fn check_fields(name: &str, v: &Value, events: &[Ev], failures: &mut Vec<String>) {
    let mut fail = |s: String| failures.push(format!("{name}: {s}"));
    let (head, body, end) = match events {
        [Ev::Head(h), Ev::Body(b), Ev::End(e)] => (h, b.clone(), e),
        [Ev::Head(h), Ev::End(e)] => (h, Vec::new(), e),
        other => return fail(format!("expected one chunk, got {other:?}")),
    };
    let flag = (end.continuation.as_byte() as char).to_string();
    let headers: Vec<Value> = head
        .headers()
        .map(|h| json!({"name": h.name, "value": String::from_utf8_lossy(h.value)}))
        .collect();
    let got = json!({
        "transaction_id": head.transaction_id().as_str(),
        "kind": if head.is_request() { "request" } else { "response" },
        "method": head.method_name(),
        "status_code": head.status_code(),
        "comment": head.comment(),
        "continuation_flag": flag,
        "headers": headers,
        "has_body": head.has_body(),
        "body_length": end.body_length,
        "byte_range_matches_body": end.byte_range_matches,
        "message_id": head.message_id(),
        "content_type": head.content_type(),
        "use_nickname": head.header("Use-Nickname").and_then(|h| h.value_str()),
        "success_report": head.header("Success-Report").and_then(|h| h.value_str()),
        "failure_report": head.header("Failure-Report").and_then(|h| h.value_str()),
        "expires": head.expires(),
        "status": head.status().map(|s| json!({
            "namespace": format!("{:03}", s.namespace), "code": s.code, "comment": s.comment
        })),
        "use_path": head.use_path().map(|p| p.unwrap().iter().map(|u| u.to_string()).collect::<Vec<_>>()),
    });
    for (k, want) in got.as_object().unwrap() {
        if let Some(expected) = v.get(k) {
            if expected != want {
                fail(format!("{k}: expected {expected}, got {want}"));
            }
        }
    }
    if let Some(sha) = v.get("body_sha256").and_then(Value::as_str) {
        let hex: String = Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if hex != sha {
            fail("body_sha256 differs".into());
        }
    }
    if let Some(br) = v.get("byte_range").filter(|b| !b.is_null()) {
        let star = |x: Option<u64>| x.map_or(json!("*"), |n| json!(n));
        let got = head
            .byte_range()
            .map(|r| json!({"start": r.start, "end": star(r.end), "total": star(r.total)}));
        if got.as_ref() != Some(br) {
            fail(format!("byte_range: expected {br}, got {got:?}"));
        }
    }
    // RFC MUSTs beyond the syntax: a vector lists them in `semantic_errors` (free text,
    // so only their presence is compared); none listed means none may be found.
    let found: Vec<&str> = violations(head, Some(end))
        .iter()
        .map(|v| v.name())
        .collect();
    let listed = v
        .get("semantic_errors")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if listed == found.is_empty() {
        fail(format!(
            "semantic errors: vector lists {listed}, found {found:?}"
        ));
    }
    for (key, path) in [("to_path", head.to_path()), ("from_path", head.from_path())] {
        if let Some(want) = v.get(key) {
            let got: Vec<String> = path.unwrap().iter().map(|u| u.to_string()).collect();
            if json!(got) != *want {
                fail(format!("{key}: expected {want}, got {got:?}"));
            }
        }
    }
}

#[test]
fn every_chunk_vector() {
    let mut counts = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    let mut entries: Vec<_> = dirs()
        .iter()
        .flat_map(|d| fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .collect();
    entries.sort();
    for path in entries {
        let dir = path.parent().unwrap().to_path_buf();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let raw = fs::read(dir.join(v["file"].as_str().unwrap())).unwrap();
        if let Some(frames) = v.get("frames").and_then(Value::as_array) {
            // Several frames back to back: each one has the per-frame fields.
            *counts.entry("multi-frame".to_string()).or_insert(0) += 1;
            let events = run(Mode::Strict, &[&raw]);
            let mut groups: Vec<&[Ev]> = Vec::new();
            let mut start = 0;
            for (i, e) in events.iter().enumerate() {
                if matches!(e, Ev::End(_) | Ev::Err(_)) {
                    groups.push(&events[start..=i]);
                    start = i + 1;
                }
            }
            if let Some(n) = v.get("frame_count").and_then(Value::as_u64) {
                let complete = events.iter().filter(|e| matches!(e, Ev::End(_))).count();
                if complete as u64 != n {
                    failures.push(format!("{name}: {complete} frames, the vector says {n}"));
                }
            }
            for (i, f) in frames.iter().enumerate() {
                match (f["result"].as_str(), groups.get(i)) {
                    (Some("ok") | None, Some(g)) => {
                        check_fields(&format!("{name}[{i}]"), f, g, &mut failures)
                    }
                    (Some("error"), Some(g)) if matches!(g.last(), Some(Ev::Err(_))) => {}
                    (Some("incomplete"), None) => {}
                    (want, got) => {
                        failures.push(format!("{name}[{i}]: expected {want:?}, got {got:?}"))
                    }
                }
            }
        } else {
            let result = v["result"].as_str().unwrap().to_string();
            let result = result.as_str();
            let lenient = v
                .get("lenient_ok")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let strict = run(Mode::Strict, &[&raw]);
            let key = if lenient {
                "lenient_ok".to_string()
            } else {
                result.to_string()
            };
            *counts.entry(key).or_insert(0) += 1;
            if let Some(at) = v["error"].get("offset").and_then(Value::as_u64) {
                let says = format!("at byte {at}");
                if !strict
                    .iter()
                    .any(|e| matches!(e, Ev::Err(m) if m.ends_with(&says)))
                {
                    failures.push(format!("{name}: no strict error {says}: {strict:?}"));
                }
            }
            match (result, lenient) {
                ("ok", _) => check_fields(&name, &v, &strict, &mut failures),
                ("error", false) => {
                    if !strict.iter().any(|e| matches!(e, Ev::Err(_))) {
                        failures.push(format!("{name}: strict mode accepted it: {strict:?}"));
                    }
                }
                ("error", true) => {
                    if !strict.iter().any(|e| matches!(e, Ev::Err(_))) {
                        failures.push(format!("{name}: strict mode accepted it"));
                    }
                    let tolerant = run(Mode::Tolerant, &[&raw]);
                    check_fields(&name, &v, &tolerant, &mut failures);
                    if let Some(want) = v.get("tolerant_quirks").and_then(Value::as_array) {
                        let got: Vec<Value> = match tolerant.first() {
                            Some(Ev::Head(h)) => h
                                .quirks()
                                .iter()
                                .map(|(q, at)| json!({"quirk": q.name(), "offset": at}))
                                .collect(),
                            _ => Vec::new(),
                        };
                        if &got != want {
                            failures
                                .push(format!("{name}: quirks {got:?}, the vector says {want:?}"));
                        }
                    }
                }
                ("incomplete", _) => {
                    if strict.iter().any(|e| matches!(e, Ev::End(_) | Ev::Err(_))) {
                        failures.push(format!(
                            "{name}: expected no chunk and no error, got {strict:?}"
                        ));
                    }
                }
                _ => failures.push(format!("{name}: unknown result {result}")),
            }
        }
        // Split invariance, both modes: at every offset, byte by byte, at the vector's own
        // feed_splits, and at pseudo-random cuts.
        let mut cut_sets: Vec<Vec<usize>> = Vec::new();
        if let Some(splits) = v.get("feed_splits").and_then(Value::as_array) {
            cut_sets.push(
                splits
                    .iter()
                    .filter_map(Value::as_u64)
                    .map(|c| c as usize)
                    .collect(),
            );
        }
        let mut x = raw.len() as u64 | 1;
        for _ in 0..8 {
            let cuts = (0..6)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as usize
                })
                .collect();
            cut_sets.push(cuts);
        }
        for mode in [Mode::Strict, Mode::Tolerant] {
            let whole = run(mode, &[&raw]);
            for cut in 1..raw.len() {
                if run(mode, &[&raw[..cut], &raw[cut..]]) != whole {
                    failures.push(format!("{name} ({mode:?}): split at {cut} differs"));
                    break;
                }
            }
            for cuts in &cut_sets {
                if run(mode, &split_at(&raw, cuts)) != whole {
                    failures.push(format!("{name} ({mode:?}): cuts {cuts:?} differ"));
                }
            }
            let bytes: Vec<&[u8]> = raw.chunks(1).collect();
            if run(mode, &bytes) != whole {
                failures.push(format!("{name} ({mode:?}): byte-by-byte feed differs"));
            }
            // Values checked on demand tell the same as values checked by the parser.
            if let Err(e) = framing_then_validate_matches_full(mode, &raw) {
                failures.push(format!("{name} ({mode:?}): Validation::Framing: {e}"));
            }
            // Heads read in place tell what the parser tells, for every prefix.
            for validation in [Validation::Full, Validation::Framing] {
                for cut in 0..=raw.len() {
                    if let Err(e) = head_reader_matches_parser(mode, validation, &raw[..cut]) {
                        failures.push(format!(
                            "{name} ({mode:?}, {validation:?}): HeadReader: {e}"
                        ));
                        break;
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("chunk vectors: {counts:?}");
}
