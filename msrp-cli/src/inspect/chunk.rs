//! `msrp inspect chunk`: field names of the `chunks/*.json` conformance vectors.

use msrp_proto::wire::{ChunkHead, ChunkParser, EndLine, ParseEvent};
use msrp_proto::{Limits, Mode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// One frame as the parser reported it.
struct Frame {
    offset: u64,
    head: Option<ChunkHead>,
    body_offset: u64,
    body: Vec<u8>,
    end: Option<(EndLine, u64)>,
    error: Option<Value>,
}

/// The parse of every frame in `input` as JSON, and whether all of them are valid and
/// complete. `splits` are the offsets at which the input is cut into separate feeds.
pub(crate) fn inspect(input: &[u8], mode: Mode, splits: &[usize]) -> (Value, bool) {
    let mut parser = ChunkParser::new(Limits::DEFAULT, mode);
    let mut frames: Vec<Frame> = Vec::new();
    let mut cuts: Vec<usize> = splits
        .iter()
        .copied()
        .filter(|c| *c <= input.len())
        .collect();
    cuts.sort_unstable();
    cuts.push(input.len());
    let mut prev = 0;
    for cut in cuts {
        parser.feed(&input[prev..cut]);
        prev = cut;
        while let Some(event) = parser.next() {
            match event {
                Ok(ParseEvent::Head(head)) => frames.push(Frame {
                    offset: head.offset(),
                    head: Some(head),
                    body_offset: parser.offset(),
                    body: Vec::new(),
                    end: None,
                    error: None,
                }),
                Ok(ParseEvent::Body(piece)) => {
                    if let Some(f) = frames.last_mut() {
                        f.body.extend_from_slice(&piece);
                    }
                }
                Ok(ParseEvent::End(end)) => {
                    if let Some(f) = frames.last_mut() {
                        f.end = Some((end, parser.offset()));
                    }
                }
                Err(e) => {
                    // A recoverable error replaces the frame it names; a fatal one ends the
                    // stream.
                    let error = json!({
                        "kind": format!("{:?}", e.kind()),
                        "reason": e.kind().to_string(),
                        "offset": e.offset(),
                        "fatal": e.is_fatal(),
                        "status_code": e.status_code(),
                    });
                    frames.push(Frame {
                        offset: e.chunk_offset(),
                        head: None,
                        body_offset: 0,
                        body: Vec::new(),
                        end: None,
                        error: Some(json!({
                            "transaction_id": e.transaction_id().map(|t| t.as_str().to_string()),
                            "error": error,
                        })),
                    });
                }
            }
        }
    }
    let consumed = parser.offset();
    let leftover = consumed < input.len() as u64 && !parser.is_failed();
    let mut all_ok = !leftover;
    let mut objects: Vec<Value> = Vec::new();
    for f in &frames {
        let (obj, ok) = frame_json(f);
        all_ok &= ok;
        objects.push(obj);
    }
    let mut out = Map::new();
    out.insert("mode".into(), json!(super::mode_name(mode)));
    let incomplete_from = if leftover {
        // A frame whose head was reported but whose end has not come, or bytes not yet
        // forming a head.
        Some(
            frames
                .last()
                .filter(|f| f.head.is_some() && f.end.is_none())
                .map_or(consumed, |f| f.offset),
        )
    } else {
        None
    };
    if objects.len() == 1 && !leftover {
        if let Some(Value::Object(fields)) = objects.pop() {
            out.extend(fields);
        }
    } else if objects.is_empty() && leftover {
        out.insert("result".into(), json!("incomplete"));
        out.insert("incomplete_from".into(), json!(incomplete_from));
    } else {
        out.insert(
            "frame_count".into(),
            json!(frames.iter().filter(|f| f.end.is_some()).count()),
        );
        out.insert("frames".into(), Value::Array(objects));
        if let Some(at) = incomplete_from {
            out.insert("incomplete_from".into(), json!(at));
        }
    }
    (Value::Object(out), all_ok)
}

fn frame_json(f: &Frame) -> (Value, bool) {
    let mut o = Map::new();
    o.insert("offset".into(), json!(f.offset));
    if let Some(err) = &f.error {
        o.insert("result".into(), json!("error"));
        if let Value::Object(e) = err {
            o.extend(e.clone());
        }
        return (Value::Object(o), false);
    }
    let Some(h) = &f.head else {
        return (Value::Object(o), false);
    };
    let complete = f.end.is_some();
    o.insert(
        "result".into(),
        json!(if complete { "ok" } else { "incomplete" }),
    );
    o.insert(
        "kind".into(),
        json!(if h.is_request() {
            "request"
        } else {
            "response"
        }),
    );
    o.insert("transaction_id".into(), json!(h.transaction_id().as_str()));
    o.insert("method".into(), json!(h.method_name()));
    o.insert("status_code".into(), json!(h.status_code()));
    o.insert("comment".into(), json!(h.comment()));
    if let Some((end, _)) = &f.end {
        o.insert(
            "continuation_flag".into(),
            json!((end.continuation.as_byte() as char).to_string()),
        );
    }
    let headers: Vec<Value> = h
        .headers()
        .map(|x| json!({"name": x.name, "value": String::from_utf8_lossy(x.value)}))
        .collect();
    o.insert("headers".into(), Value::Array(headers));
    let uris = |p: Result<msrp_proto::uri::Path, _>| -> Value {
        match p {
            Ok(p) => json!(p.iter().map(|u| u.to_string()).collect::<Vec<_>>()),
            Err(e) => json!({ "error": format!("{e}") }),
        }
    };
    o.insert("to_path".into(), uris(h.to_path()));
    o.insert("from_path".into(), uris(h.from_path()));
    if let Some(p) = h.use_path() {
        o.insert("use_path".into(), uris(p));
    }
    let text = |name: &str| {
        h.header(name)
            .map(|x| String::from_utf8_lossy(x.value).into_owned())
    };
    for (key, name) in [
        ("message_id", "Message-ID"),
        ("success_report", "Success-Report"),
        ("failure_report", "Failure-Report"),
        ("content_type", "Content-Type"),
        ("use_nickname", "Use-Nickname"),
    ] {
        if let Some(v) = text(name) {
            o.insert(key.into(), json!(v));
        }
    }
    if let Some(r) = h.byte_range() {
        let star = |x: Option<u64>| x.map_or(json!("*"), |n| json!(n));
        o.insert(
            "byte_range".into(),
            json!({"start": r.start, "end": star(r.end), "total": star(r.total)}),
        );
    }
    if let Some(s) = h.status() {
        o.insert(
            "status".into(),
            json!({"namespace": format!("{:03}", s.namespace), "code": s.code, "comment": s.comment}),
        );
    }
    if let Some(e) = h.expires() {
        o.insert("expires".into(), json!(e));
    }
    o.insert("has_body".into(), json!(h.has_body()));
    if let Some((end, end_offset)) = &f.end {
        if h.has_body() {
            o.insert("body_offset".into(), json!(f.body_offset));
            let hex: String = Sha256::digest(&f.body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            o.insert("body_sha256".into(), json!(hex));
            if f.body.len() <= 1024 {
                if let Ok(t) = std::str::from_utf8(&f.body) {
                    o.insert("body_text".into(), json!(t));
                }
            }
        }
        o.insert("body_length".into(), json!(end.body_length));
        o.insert("frame_length".into(), json!(end_offset - f.offset));
        o.insert(
            "byte_range_matches_body".into(),
            json!(end.byte_range_matches),
        );
        o.insert("bare_lf".into(), json!(end.bare_lf));
    }
    // RFC MUSTs the chunk breaks although its syntax is valid (never a parse error).
    let end = f.end.as_ref().map(|(end, _)| end);
    let semantic: Vec<Value> = msrp_proto::wire::violations(h, end)
        .iter()
        .map(|v| json!(v.name()))
        .collect();
    o.insert("semantic_errors".into(), Value::Array(semantic));
    let quirks: Vec<Value> = h
        .quirks()
        .iter()
        .map(|(q, at)| json!({"quirk": q.name(), "offset": at}))
        .collect();
    o.insert("quirks".into(), Value::Array(quirks));
    (Value::Object(o), complete)
}
