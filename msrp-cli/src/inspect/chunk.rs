//! `msrp inspect chunk`: field names of the `chunks/*.json` conformance vectors.
//!
//! The input is read in pieces and fed to the incremental parser; each frame is printed
//! when it ends, and a body is never held: its length and SHA-256 are computed as it
//! streams, and its text is kept only while it is short enough for `body_text`.

use std::io::{ErrorKind, Read};

use msrp_proto::wire::{ChunkHead, ChunkParser, EndLine, ParseError, ParseEvent};
use msrp_proto::{Limits, Mode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Failure, error_json, mode_name, print};
use crate::output;

/// Bytes read from the input at a time.
const READ_SIZE: usize = 64 * 1024;
/// The longest body given as `body_text`.
const TEXT_CAP: usize = 1024;

/// A body as it streams: length, digest, and the text while it is short.
struct Body {
    len: u64,
    sha256: Sha256,
    /// The octets so far, dropped once there are more than [`TEXT_CAP`].
    text: Option<Vec<u8>>,
}

impl Body {
    fn new() -> Body {
        Body {
            len: 0,
            sha256: Sha256::new(),
            text: Some(Vec::new()),
        }
    }

    fn add(&mut self, piece: &[u8]) {
        self.len += piece.len() as u64;
        self.sha256.update(piece);
        if self.len > TEXT_CAP as u64 {
            self.text = None;
        } else if let Some(t) = &mut self.text {
            t.extend_from_slice(piece);
        }
    }
}

/// One frame as the parser reported it.
struct Frame {
    offset: u64,
    head: Option<ChunkHead>,
    body_offset: u64,
    body: Body,
    end: Option<(EndLine, u64)>,
    error: Option<Value>,
}

impl Frame {
    fn from_error(e: &ParseError) -> Frame {
        // `reason` is the vectors' name for the kind's text; `message` adds where.
        let error = error_json(
            e.kind().name(),
            Some(e.offset()),
            e.to_string(),
            json!({
                "reason": e.kind().to_string(),
                "fatal": e.is_fatal(),
                "status_code": e.status_code(),
            }),
        );
        Frame {
            offset: e.chunk_offset(),
            head: None,
            body_offset: 0,
            body: Body::new(),
            end: None,
            error: Some(json!({
                "transaction_id": e.transaction_id().map(|t| t.as_str().to_string()),
                "error": error,
            })),
        }
    }
}

/// Prints frames as they end. The indented document holds the first frame back until a
/// second one shows whether the input is one frame (its fields at the top level) or
/// several (a `frames` list, printed item by item, each held until the next one says
/// whether a comma follows).
struct Printer {
    json: bool,
    mode: Mode,
    /// Indented output: the first frame, until a second one comes.
    first: Option<Value>,
    /// Indented output: the `frames` list is open; the text of its last item so far.
    pending: Option<String>,
    frames: u64,
    complete: u64,
    all_ok: bool,
    /// The offset of the last frame printed.
    last_offset: u64,
    /// The last frame printed has a head and no end (it is where the input stops).
    last_unfinished: bool,
}

impl Printer {
    fn new(json: bool, mode: Mode) -> Printer {
        Printer {
            json,
            mode,
            first: None,
            pending: None,
            frames: 0,
            complete: 0,
            all_ok: true,
            last_offset: 0,
            last_unfinished: false,
        }
    }

    /// A frame with `mode` first, as one NDJSON line prints it.
    fn with_mode(&self, frame: Value) -> Value {
        let mut o = Map::new();
        o.insert("mode".into(), json!(mode_name(self.mode)));
        if let Value::Object(f) = frame {
            o.extend(f);
        }
        Value::Object(o)
    }

    fn frame(&mut self, f: &Frame) -> Result<(), Failure> {
        let (obj, ok) = frame_json(f);
        self.all_ok &= ok;
        self.frames += 1;
        if f.end.is_some() {
            self.complete += 1;
        }
        self.last_offset = f.offset;
        self.last_unfinished = f.head.is_some() && f.end.is_none();
        if self.json {
            return print(&self.with_mode(obj), true);
        }
        if let Some(first) = self.first.take() {
            // A second frame: the document has a `frames` list.
            output::line(&format!(
                "{{\n  \"mode\": {},\n  \"frames\": [",
                json!(mode_name(self.mode))
            ))
            .map_err(Failure::Write)?;
            self.pending = Some(indent(&first));
        }
        match self.pending.take() {
            Some(prev) => {
                output::line(&format!("{prev},")).map_err(Failure::Write)?;
                self.pending = Some(indent(&obj));
            }
            None => self.first = Some(obj),
        }
        Ok(())
    }

    /// Prints what is left; whether every frame was valid and complete.
    fn finish(mut self, consumed: u64, leftover: bool) -> Result<bool, Failure> {
        let all_ok = self.all_ok && !leftover;
        // A frame whose head was reported but whose end has not come, or bytes not yet
        // forming a head.
        let incomplete_from = leftover.then_some(if self.last_unfinished {
            self.last_offset
        } else {
            consumed
        });
        let mode = json!(mode_name(self.mode));
        if self.json {
            // Each frame has had its line.
            if let Some(at) = incomplete_from.filter(|_| !self.last_unfinished) {
                print(
                    &json!({"mode": mode, "result": "incomplete", "incomplete_from": at}),
                    true,
                )?;
            } else if self.frames == 0 {
                print(&json!({"mode": mode, "frame_count": 0, "frames": []}), true)?;
            }
            return Ok(all_ok);
        }
        if let Some(prev) = self.pending.take() {
            let mut close = format!("{prev}\n  ],\n  \"frame_count\": {}", self.complete);
            if let Some(at) = incomplete_from {
                close.push_str(&format!(",\n  \"incomplete_from\": {at}"));
            }
            close.push_str("\n}");
            output::line(&close).map_err(Failure::Write)?;
            return Ok(all_ok);
        }
        let mut out = Map::new();
        out.insert("mode".into(), mode);
        match self.first.take() {
            Some(Value::Object(fields)) if !leftover => out.extend(fields),
            None if leftover => {
                out.insert("result".into(), json!("incomplete"));
                out.insert("incomplete_from".into(), json!(incomplete_from));
            }
            first => {
                out.insert("frame_count".into(), json!(self.complete));
                out.insert("frames".into(), Value::Array(first.into_iter().collect()));
                if let Some(at) = incomplete_from {
                    out.insert("incomplete_from".into(), json!(at));
                }
            }
        }
        print(&Value::Object(out), false)?;
        Ok(all_ok)
    }
}

/// The indented text of one item of the `frames` list.
fn indent(frame: &Value) -> String {
    let text = serde_json::to_string_pretty(frame).unwrap_or_else(|_| frame.to_string());
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, l) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(l);
    }
    out
}

/// Parses every frame of `reader` and prints each as it ends; whether all of them are
/// valid and complete. `splits` are offsets at which the input is cut into separate feeds
/// (besides the cuts between reads).
pub(crate) fn inspect(
    mut reader: Box<dyn Read>,
    mode: Mode,
    splits: &[u64],
    json: bool,
) -> Result<bool, Failure> {
    let mut parser = ChunkParser::new(Limits::DEFAULT, mode);
    let mut printer = Printer::new(json, mode);
    let mut cuts: Vec<u64> = splits.to_vec();
    cuts.sort_unstable();
    cuts.dedup();
    let mut cuts = cuts.into_iter().peekable();
    let mut current: Option<Frame> = None;
    let mut buf = vec![0u8; READ_SIZE];
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Read(e)),
        };
        let mut piece = &buf[..n];
        let end = total + n as u64;
        while !piece.is_empty() {
            while cuts.next_if(|c| *c <= total).is_some() {}
            let take = match cuts.peek() {
                Some(c) if *c < end => (*c - total) as usize,
                _ => piece.len(),
            };
            let (now, rest) = piece.split_at(take);
            parser.feed(now);
            total += now.len() as u64;
            piece = rest;
            drain(&mut parser, &mut current, &mut printer)?;
            if output::stdout_closed() {
                // Nobody reads the result any more.
                return Ok(printer.all_ok);
            }
        }
        if parser.is_failed() {
            // A fatal error: nothing after it is parsed.
            break;
        }
    }
    if total == 0 {
        return Err(Failure::Empty);
    }
    if let Some(f) = current.take() {
        printer.frame(&f)?;
    }
    let consumed = parser.offset();
    let leftover = consumed < total && !parser.is_failed();
    printer.finish(consumed, leftover)
}

/// Handles every event the fed bytes give; frames are printed as they end.
fn drain(
    parser: &mut ChunkParser,
    current: &mut Option<Frame>,
    printer: &mut Printer,
) -> Result<(), Failure> {
    while let Some(event) = parser.next() {
        match event {
            Ok(ParseEvent::Head(head)) => {
                if let Some(f) = current.take() {
                    printer.frame(&f)?;
                }
                *current = Some(Frame {
                    offset: head.offset(),
                    head: Some(head),
                    body_offset: parser.offset(),
                    body: Body::new(),
                    end: None,
                    error: None,
                });
            }
            Ok(ParseEvent::Body(piece)) => {
                if let Some(f) = current {
                    f.body.add(&piece);
                }
            }
            Ok(ParseEvent::End(end)) => {
                if let Some(mut f) = current.take() {
                    f.end = Some((end, parser.offset()));
                    printer.frame(&f)?;
                }
            }
            Err(e) => {
                // A recoverable error is a frame of its own; a fatal one ends the stream.
                if let Some(f) = current.take() {
                    printer.frame(&f)?;
                }
                printer.frame(&Frame::from_error(&e))?;
            }
        }
    }
    Ok(())
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
            let hex: String = f
                .body
                .sha256
                .clone()
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            o.insert("body_sha256".into(), json!(hex));
            if let Some(t) = f
                .body
                .text
                .as_deref()
                .and_then(|t| std::str::from_utf8(t).ok())
            {
                o.insert("body_text".into(), json!(t));
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
