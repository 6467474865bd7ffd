//! Every vector in `vectors/sdp/`: valid ones parse strictly (as fragments where the vector
//! says so) with exactly the vector's fields and print back byte for byte; invalid ones are
//! rejected strictly and, where `lenient_ok`, parse tolerantly with the vector's fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs;
use std::path::PathBuf;

use msrp_sdp::{MediaDescription, ParseOptions, SessionDescription};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/sdp")
}

fn list(present: bool, items: Vec<&str>) -> Value {
    if present { json!(items) } else { Value::Null }
}

fn media_fields(m: &MediaDescription, sdp: &SessionDescription) -> Value {
    let has = |n: &str| m.attribute(n).is_some();
    let selector = m.file_selector().map(|s| {
        json!({
            "raw": s.raw, "name": s.name, "type": s.type_, "size": s.size,
            "hash": s.hash.map(|h| json!({"algorithm": h.algorithm, "value": h.value})),
        })
    });
    let attributes: Vec<Value> = m
        .attributes()
        .map(|a| json!({"name": a.name, "value": a.value}))
        .collect();
    json!({
        "media": m.media(),
        "port": m.port(),
        "proto": m.proto_str(),
        "fmt": m.fmt(),
        "c": m.connection(),
        "c_effective": m.effective_connection(sdp),
        "i": m.title(),
        "direction": m.direction().map(|d| d.as_str()),
        "path": m.path().map(|p| p.unwrap().iter().map(|u| u.to_string()).collect::<Vec<_>>()),
        "accept_types": list(has("accept-types"), m.accept_types()),
        "accept_wrapped_types": list(has("accept-wrapped-types"), m.accept_wrapped_types()),
        "max_size": m.max_size(),
        "setup": m.setup().map(|s| s.as_str()),
        "connection": m.connection_attr().map(|c| c.as_str()),
        "fingerprint": m.fingerprint(),
        "msrp_cema": m.msrp_cema(),
        "chatroom": m.chatroom(),
        "file_selector": selector,
        "file_transfer_id": m.file_transfer_id(),
        "file_disposition": m.file_disposition(),
        "file_date": if has("file-date") {
            json!(m.file_date().iter().map(|d| json!({"kind": d.kind, "date": d.date})).collect::<Vec<_>>())
        } else { Value::Null },
        "file_icon": m.file_icon(),
        "file_range": m.file_range().map(|r| json!({"start": r.start, "stop": r.stop.map_or(json!("*"), |s| json!(s))})),
        "attributes": attributes,
    })
}

fn check(name: &str, v: &Value, sdp: &SessionDescription, failures: &mut Vec<String>) {
    let session = &v["session"];
    for k in ['v', 'o', 's', 'c', 't'] {
        let got = json!(sdp.value(k));
        if session[k.to_string()] != got {
            failures.push(format!(
                "{name}: session {k}: expected {}, got {got}",
                session[k.to_string()]
            ));
        }
    }
    let attrs: Vec<Value> = sdp
        .attributes()
        .map(|a| json!({"name": a.name, "value": a.value}))
        .collect();
    if session["attributes"] != json!(attrs) {
        failures.push(format!("{name}: session attributes differ"));
    }
    let media = v["media"].as_array().unwrap();
    if media.len() != sdp.media.len() {
        failures.push(format!(
            "{name}: {} media, expected {}",
            sdp.media.len(),
            media.len()
        ));
        return;
    }
    for (i, (want, m)) in media.iter().zip(&sdp.media).enumerate() {
        let got = media_fields(m, sdp);
        for (k, g) in got.as_object().unwrap() {
            if want.get(k).is_some_and(|w| w != g) {
                failures.push(format!(
                    "{name}: media[{i}].{k}: expected {}, got {g}",
                    want[k]
                ));
            }
        }
    }
}

#[test]
fn every_sdp_vector() {
    let mut failures = Vec::new();
    let (mut valid, mut lenient, mut total) = (0, 0, 0);
    for entry in fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        total += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let raw = fs::read(dir().join(v["file"].as_str().unwrap())).unwrap();
        let fragment = v["fragment"].as_bool().unwrap_or(false);
        let strict = if fragment {
            ParseOptions::STRICT.fragment()
        } else {
            ParseOptions::STRICT
        };
        let tolerant = if fragment {
            ParseOptions::TOLERANT.fragment()
        } else {
            ParseOptions::TOLERANT
        };
        let parsed = SessionDescription::parse_with(&raw, &strict);
        if v["valid"].as_bool().unwrap() {
            valid += 1;
            match parsed {
                Ok((sdp, quirks)) => {
                    assert!(quirks.is_empty(), "{name}: {quirks:?}");
                    check(&name, &v, &sdp, &mut failures);
                    if sdp.to_string().as_bytes() != raw.as_slice() {
                        failures.push(format!("{name}: does not print back byte for byte"));
                    }
                }
                Err(e) => failures.push(format!("{name}: rejected: {e}")),
            }
        } else {
            if let Ok((sdp, _)) = parsed {
                failures.push(format!("{name}: accepted strictly: {sdp:?}"));
            }
            if v.get("lenient_ok").and_then(Value::as_bool) == Some(true) {
                lenient += 1;
                match SessionDescription::parse_with(&raw, &tolerant) {
                    Ok((sdp, quirks)) => {
                        if quirks.is_empty() {
                            failures.push(format!("{name}: tolerated without reporting a quirk"));
                        }
                        check(&name, &v, &sdp, &mut failures);
                    }
                    Err(e) => failures.push(format!("{name}: rejected tolerantly: {e}")),
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
    assert!(total >= 26, "{total} vectors");
    println!("sdp vectors: {total} ({valid} valid, {lenient} lenient_ok), all passed");
}
