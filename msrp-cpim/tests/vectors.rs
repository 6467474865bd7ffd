//! The CPIM test vectors in `tests/data/`: RFC 3862 and RFC 5438 examples and edge cases,
//! each a `.cpim` file with the wire bytes and a `.json` with the expected parse in strict
//! and tolerant mode (see `tests/data/README.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use msrp_cpim::{CpimMessage, NameAddr, ParseOptions};
use serde_json::{Map, Value, json};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn addr(a: &NameAddr<'_>, with_display: bool) -> Value {
    let mut v = json!({"name": a.name(), "uri": a.uri()});
    if with_display {
        v["display_name"] = json!(a.display_name());
    }
    v
}

#[cfg(feature = "xml")]
fn imdn_json(doc: &[u8]) -> Value {
    let imdn = msrp_cpim::Imdn::parse(doc).unwrap();
    let (kind, status) = (imdn.notification.kind(), imdn.notification.status());
    // Printing and parsing again gives the same document.
    assert_eq!(
        msrp_cpim::Imdn::parse(imdn.to_xml().as_bytes()).unwrap(),
        imdn
    );
    json!({
        "message_id": imdn.message_id,
        "datetime": imdn.datetime,
        "recipient_uri": imdn.recipient_uri,
        "original_recipient_uri": imdn.original_recipient_uri,
        "subject": imdn.subject.map(|s| s.text),
        "notification": kind,
        "status": status,
    })
}

/// The value of `key` for a parsed message, in the vectors' JSON form.
fn field(msg: &CpimMessage, key: &str, expected: &Value) -> Value {
    match key {
        "headers" => Value::Array(
            msg.headers()
                .iter()
                .map(|h| {
                    json!({"name": h.name(), "params": h.raw_params(), "value": h.value(),
                        "namespace": h.namespace()})
                })
                .collect(),
        ),
        "mime_headers" => Value::Array(
            msg.mime_headers()
                .iter()
                .map(|h| json!({"name": h.name(), "value": h.raw_value()}))
                .collect(),
        ),
        "from" => {
            let with_display = expected.get("display_name").is_some();
            msg.from().map_or(Value::Null, |a| addr(&a, with_display))
        }
        "to" => Value::Array(msg.to().map(|a| addr(&a, false)).collect()),
        "cc" => Value::Array(msg.cc().map(|a| addr(&a, false)).collect()),
        "datetime" => json!(msg.datetime()),
        "subjects" => Value::Array(
            msg.subjects()
                .map(|s| json!({"lang": s.lang, "text": s.text}))
                .collect(),
        ),
        "namespaces" => Value::Array(
            msg.namespaces()
                .map(|(p, u)| json!({"prefix": p, "uri": u}))
                .collect(),
        ),
        "require" => json!(msg.require().collect::<Vec<_>>()),
        "content_type" => json!(msg.content_type()),
        "imdn_message_id" => json!(msg.imdn_message_id()),
        "disposition_notification" => msg.disposition_notification().map_or(Value::Null, |d| {
            json!(d.requests().map(|(r, _)| r.as_str()).collect::<Vec<_>>())
        }),
        "is_imdn" => json!(msg.is_imdn()),
        "body_length" => json!(msg.body().len()),
        "body_text" => json!(std::str::from_utf8(msg.body()).ok()),
        "body_hex" => json!(
            msg.body()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
        #[cfg(feature = "xml")]
        "imdn_document" => imdn_json(msg.body()),
        #[cfg(feature = "xml")]
        "multipart_imdn_documents" => {
            let body = std::str::from_utf8(msg.body()).unwrap();
            let boundary = format!("--{}", expected_boundary(msg));
            let docs: Vec<Value> = body
                .split(boundary.as_str())
                .filter_map(|part| part.split_once("\r\n\r\n").map(|(_, doc)| doc))
                .map(|doc| imdn_json(doc.trim_end().as_bytes()))
                .collect();
            Value::Array(docs)
        }
        "multipart_boundary" => json!(expected_boundary(msg)),
        other => {
            if cfg!(feature = "xml") {
                panic!("unknown expected field {other}");
            }
            expected.clone()
        }
    }
}

fn expected_boundary(msg: &CpimMessage) -> String {
    let ct = msg.content_type().unwrap();
    let b = ct.split("boundary=").nth(1).unwrap();
    b.trim_matches('"').to_string()
}

fn check(name: &str, mode: &str, msg: &CpimMessage, expected: &Map<String, Value>) {
    for (key, want) in expected {
        let got = field(msg, key, want);
        assert_eq!(&got, want, "{name} ({mode}): {key}");
    }
    // Printing and parsing again in the same mode gives the same message (tolerant parsing
    // keeps what it let pass, such as a lower-case `from`, and prints it as it was).
    let options = if mode == "strict" {
        ParseOptions::STRICT
    } else {
        ParseOptions::TOLERANT
    };
    let (again, _) = CpimMessage::parse_with(msg.to_bytes(), &options).unwrap();
    assert_eq!(&again, msg, "{name} ({mode}): round trip");
}

#[test]
fn vectors() {
    let mut seen = 0;
    let mut files: Vec<_> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = v["file"].as_str().unwrap();
        let wire = std::fs::read(data_dir().join(name)).unwrap();
        let expected = v["expected"].as_object().unwrap();

        let strict = &v["strict"];
        match CpimMessage::parse(wire.clone()) {
            Ok(msg) => {
                assert_eq!(strict["result"], "ok", "{name}: strict parse should fail");
                let mut exp = expected.clone();
                if let Some(o) = strict.get("overrides").and_then(Value::as_object) {
                    for (k, val) in o {
                        exp.insert(k.clone(), val.clone());
                    }
                }
                check(name, "strict", &msg, &exp);
            }
            Err(e) => {
                assert_eq!(strict["result"], "error", "{name}: strict: {e}");
                assert_eq!(strict["error"]["kind"], e.kind().name(), "{name}: {e}");
                assert_eq!(strict["error"]["offset"], e.offset(), "{name}: {e}");
            }
        }

        let tolerant = &v["tolerant"];
        let (msg, quirks) = CpimMessage::parse_with(wire.clone(), &ParseOptions::TOLERANT)
            .unwrap_or_else(|e| panic!("{name}: tolerant: {e}"));
        assert_eq!(tolerant["result"], "ok");
        let names: Vec<&str> = quirks.iter().map(|q| q.name()).collect();
        let mut want: Vec<&str> = tolerant["quirks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_str().unwrap())
            .collect();
        let mut got = names.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{name}: quirks");
        check(name, "tolerant", &msg, expected);

        // Zero-copy: the body is a slice of the input.
        let input = bytes::Bytes::from(wire);
        let (m, _) = CpimMessage::parse_with(input.clone(), &ParseOptions::TOLERANT).unwrap();
        if !m.body().is_empty() {
            let range = input.as_ptr_range();
            assert!(range.contains(&m.body().as_ptr()), "{name}: body copied");
        }
        seen += 1;
    }
    assert!(seen >= 20, "only {seen} vectors");
}
