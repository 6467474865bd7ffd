//! Every vector in `vectors/uris/` (a copy of the shared conformance vectors): valid URIs
//! parse strictly to exactly the vector's fields and print back to their input; invalid
//! ones are rejected strictly, for the reason the vector names.
//!
//! The folder is listed at run time, so a new vector is tested without code changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::PathBuf;

use msrp_uri::{ParseOptions, Uri};
use serde_json::{Value, json};

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/uris")
}

fn load() -> Vec<(String, Value, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(vector_dir()).expect("vectors/uris exists") {
        let path = entry.expect("readable dir").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let json: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let raw_name = json["file"].as_str().expect("\"file\" field");
        let raw = fs::read(vector_dir().join(raw_name)).unwrap();
        assert_eq!(
            raw,
            json["uri"].as_str().unwrap().as_bytes(),
            "{name}: file and \"uri\" differ"
        );
        out.push((name, json, raw));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn fields(uri: &Uri) -> Value {
    let params: Vec<Value> = uri
        .params()
        .map(|p| json!({"name": p.name, "value": p.value}))
        .collect();
    json!({
        "scheme": uri.scheme().as_str(),
        "user": uri.userinfo(),
        "host": uri.host_str(),
        "host_type": uri.host().kind_name(),
        "port": uri.port(),
        "session_id": uri.session_id(),
        "transport": uri.transport_str(),
        "params": params,
    })
}

#[test]
fn every_uri_vector() {
    let vectors = load();
    assert!(
        vectors.len() >= 63,
        "expected the 63 shared vectors, found {}",
        vectors.len()
    );
    let (mut valid, mut invalid) = (0, 0);
    let mut failures = Vec::new();
    for (name, v, raw) in &vectors {
        let parsed = Uri::parse_bytes(raw);
        if v["valid"].as_bool().unwrap() {
            valid += 1;
            match parsed {
                Err(e) => failures.push(format!("{name}: rejected: {e} ({})", e.rule())),
                Ok(uri) => {
                    let got = fields(&uri);
                    for (key, want) in got.as_object().unwrap() {
                        let expected = &v[key.as_str()];
                        if expected != want {
                            failures
                                .push(format!("{name}: {key}: expected {expected}, got {want}"));
                        }
                    }
                    if uri.as_str().as_bytes() != raw.as_slice() {
                        failures.push(format!("{name}: prints as {uri}"));
                    }
                    if Uri::parse(uri.as_str()).as_ref() != Ok(&uri) {
                        failures.push(format!("{name}: print does not parse back"));
                    }
                }
            }
        } else {
            invalid += 1;
            let want_rule = v["error"]["rule"].as_str().unwrap();
            match parsed {
                Ok(uri) => failures.push(format!("{name}: accepted as {uri:?}")),
                Err(e) if e.rule() != want_rule => failures.push(format!(
                    "{name}: rejected for {:?} ({}), the vector says {want_rule:?}",
                    e.rule(),
                    e.kind()
                )),
                Err(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("uri vectors: {valid} valid and {invalid} invalid, all passed");
}

/// Tolerant mode accepts every valid vector unchanged, with no RFC violation reported.
#[test]
fn tolerant_mode_agrees_on_valid_vectors() {
    for (name, v, raw) in load() {
        if !v["valid"].as_bool().unwrap() {
            continue;
        }
        let (tolerant, quirks) = Uri::parse_with(&raw, &ParseOptions::TOLERANT).unwrap();
        assert_eq!(Ok(&tolerant), Uri::parse_bytes(&raw).as_ref(), "{name}");
        assert!(!quirks.has_violation(), "{name}: {quirks:?}");
    }
}
