//! `msrp inspect sdp`: field names of the `sdp/*.json` conformance vectors.

use msrp_sdp::{MediaDescription, ParseOptions, SessionDescription};
use msrp_uri::Mode;
use serde_json::{Map, Value, json};

fn list(present: bool, items: Vec<&str>) -> Value {
    if present { json!(items) } else { Value::Null }
}

fn media_json(m: &MediaDescription, sdp: &SessionDescription) -> Value {
    let has = |n: &str| m.attribute(n).is_some();
    let path = m.path().map(|p| match p {
        Ok(p) => json!(p.iter().map(|u| u.to_string()).collect::<Vec<_>>()),
        Err(e) => json!({ "error": e.to_string() }),
    });
    let selector = m.file_selector().map(|s| {
        json!({
            "raw": s.raw, "name": s.name, "type": s.type_, "size": s.size,
            "hash": s.hash.map(|h| json!({"algorithm": h.algorithm, "value": h.value})),
        })
    });
    let dates: Vec<Value> = m
        .file_date()
        .iter()
        .map(|d| json!({"kind": d.kind, "date": d.date}))
        .collect();
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
        "path": path,
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
        "file_date": if has("file-date") { json!(dates) } else { Value::Null },
        "file_icon": m.file_icon(),
        "file_range": m.file_range().map(|r| json!({"start": r.start, "stop": r.stop.map_or(json!("*"), |s| json!(s))})),
        "attributes": attributes,
    })
}

/// The parse of `input` as JSON, and whether it is valid.
pub(crate) fn inspect(input: &[u8], mode: Mode, fragment: bool) -> (Value, bool) {
    let mut opts = ParseOptions {
        mode,
        ..ParseOptions::STRICT
    };
    opts.fragment = fragment;
    let mut out = Map::new();
    out.insert("mode".into(), json!(super::mode_name(mode)));
    out.insert("fragment".into(), json!(fragment));
    match SessionDescription::parse_with(input, &opts) {
        Ok((sdp, quirks)) => {
            out.insert("valid".into(), json!(true));
            let attrs: Vec<Value> = sdp
                .attributes()
                .map(|a| json!({"name": a.name, "value": a.value}))
                .collect();
            out.insert(
                "session".into(),
                json!({
                    "v": sdp.value('v'), "o": sdp.value('o'), "s": sdp.value('s'),
                    "c": sdp.value('c'), "t": sdp.value('t'), "attributes": attrs,
                }),
            );
            let media: Vec<Value> = sdp.media.iter().map(|m| media_json(m, &sdp)).collect();
            out.insert("media".into(), Value::Array(media));
            let quirks: Vec<Value> = quirks
                .iter()
                .map(|(q, line)| json!({"quirk": q.name(), "line": line}))
                .collect();
            out.insert("quirks".into(), Value::Array(quirks));
            (Value::Object(out), true)
        }
        Err(e) => {
            out.insert("valid".into(), json!(false));
            out.insert(
                "error".into(),
                // The parser names a line, not a byte offset.
                super::error_json(
                    e.kind().name(),
                    None,
                    e.to_string(),
                    json!({ "reason": e.kind().to_string(), "line": e.line() }),
                ),
            );
            (Value::Object(out), false)
        }
    }
}
