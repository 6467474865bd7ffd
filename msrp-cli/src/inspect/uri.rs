//! `msrp inspect uri`: field names of the `uris/*.json` conformance vectors.

use super::mode_name;
use msrp_uri::{Mode, ParseOptions, Uri};
use serde_json::{Map, Value, json};

/// The parse of `input` as JSON, and whether it is valid.
pub(crate) fn inspect(input: &[u8], mode: Mode) -> (Value, bool) {
    let mut out = Map::new();
    out.insert(
        "uri".into(),
        Value::String(String::from_utf8_lossy(input).into_owned()),
    );
    out.insert("mode".into(), json!(mode_name(mode)));
    match Uri::parse_with(input, &ParseOptions::with_mode(mode)) {
        Ok((uri, quirks)) => {
            out.insert("valid".into(), json!(true));
            out.insert("scheme".into(), json!(uri.scheme().as_str()));
            out.insert("user".into(), json!(uri.userinfo()));
            out.insert("host".into(), json!(uri.host_str()));
            out.insert("host_type".into(), json!(uri.host().kind_name()));
            out.insert("port".into(), json!(uri.port()));
            out.insert("session_id".into(), json!(uri.session_id()));
            out.insert("transport".into(), json!(uri.transport_str()));
            let params: Vec<Value> = uri
                .params()
                .map(|p| json!({ "name": p.name, "value": p.value }))
                .collect();
            out.insert("params".into(), Value::Array(params));
            out.insert("canonical".into(), json!(uri.as_str()));
            let quirks: Vec<&str> = quirks.iter().map(|q| q.name()).collect();
            out.insert("quirks".into(), json!(quirks));
            (Value::Object(out), true)
        }
        Err(e) => {
            out.insert("valid".into(), json!(false));
            out.insert(
                "error".into(),
                super::error_json(
                    e.kind().name(),
                    Some(e.offset() as u64),
                    e.to_string(),
                    json!({ "rule": e.rule(), "reason": e.kind().to_string() }),
                ),
            );
            (Value::Object(out), false)
        }
    }
}
