//! The RFC message flows in `vectors/chunks/`, replayed against a receiving [`Connection`].
//!
//! Every SEND printed in the RFCs (chunks of one message fed in order into one connection)
//! is given to an endpoint whose session URI is the last URI of the SEND's To-Path. Its
//! response must equal, byte for byte, the response the RFC prints from that endpoint
//! (same section, same transaction id, same addressee) when there is one, and otherwise be a 200
//! addressed by RFC 4975 section 7.2. A message whose chunks cover it without gaps up to
//! its `$` chunk must be delivered with exactly the framed bytes, in Byte-Range order (the
//! `$` chunk defines the length, RFC 4975 section 7.3.1, even where the RFC's Byte-Range
//! disagrees); one with gaps (RFC 5547's elided chunks) must not be. A success REPORT the RFC prints for the hop must match the one generated,
//! transaction id aside.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig};
use msrp_proto::uri::Path;
use msrp_proto::wire::{ChunkHead, ChunkParser, ParseEvent, RandomSource};
use msrp_proto::{Instant, Limits, Mode};
use serde_json::Value;

struct Rng(u64);

impl RandomSource for Rng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
            *b = (self.0 >> 33) as u8;
        }
    }
}

struct Vector {
    name: String,
    json: Value,
    bytes: Vec<u8>,
}

fn load() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/chunks");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let json: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            let bytes = fs::read(dir.join(json["file"].as_str().unwrap())).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push(Vector { name, json, bytes });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Whether the vector is a frame a tolerant parser accepts.
fn parses(v: &Vector) -> bool {
    v.json["result"] == "ok" || v.json["lenient_ok"] == true
}

fn section(v: &Vector) -> (i64, String) {
    let s = &v.json["source"];
    (
        s["rfc"].as_i64().unwrap(),
        s["section"].as_str().unwrap().to_string(),
    )
}

/// Head, body and flag of a one-chunk vector, parsed tolerantly.
fn parse(bytes: &[u8]) -> (ChunkHead, Vec<u8>, u8) {
    let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Tolerant);
    p.feed(bytes);
    let (mut head, mut body, mut flag) = (None, Vec::new(), 0);
    while let Some(ev) = p.next() {
        match ev.unwrap() {
            ParseEvent::Head(h) => head = Some(h),
            ParseEvent::Body(b) => body.extend_from_slice(&b),
            ParseEvent::End(e) => flag = e.continuation.as_byte(),
        }
    }
    (head.unwrap(), body, flag)
}

fn uris(p: &Path) -> Vec<String> {
    p.iter().map(|u| u.to_string()).collect()
}

/// `bytes` cut into whole chunks, exactly as written.
fn split_chunks(bytes: Bytes) -> Vec<Bytes> {
    let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Tolerant);
    p.feed(&bytes);
    let (mut out, mut start) = (Vec::new(), 0);
    while let Some(ev) = p.next() {
        if let ParseEvent::End(_) = ev.unwrap() {
            let end = p.offset() as usize;
            out.push(bytes.slice(start..end));
            start = end;
        }
    }
    assert_eq!(start, bytes.len(), "a partial chunk");
    out
}

/// Everything the connection wrote (chunk by chunk) and told, after `input`.
fn drive(conn: &mut Connection<Rng>, input: &[u8]) -> (Vec<Bytes>, Vec<Event>) {
    conn.handle_input(Instant::ZERO, input);
    let mut wire = BytesMut::new();
    while conn.poll_transmit(Instant::ZERO, &mut wire).is_some() {}
    let ev = std::iter::from_fn(|| conn.poll_event()).collect();
    (split_chunks(wire.freeze()), ev)
}

/// The SENDs of the vectors, grouped into messages (`-chunkN` files of one stem).
fn messages(all: &[Vector]) -> BTreeMap<String, Vec<&Vector>> {
    let mut groups: BTreeMap<String, Vec<&Vector>> = BTreeMap::new();
    for v in all {
        if !parses(v) || v.json["kind"] != "request" || v.json["method"] != "SEND" {
            continue;
        }
        let stem = match v.name.rfind("-chunk") {
            Some(i) => v.name[..i].to_string(),
            None => v.name.clone(),
        };
        groups.entry(stem).or_default().push(v);
    }
    groups
}

/// The response the RFC prints for `request` on the same hop, if any.
fn printed_response<'a>(
    all: &'a [Vector],
    request: &Vector,
    to: &str,
    from: &str,
) -> Option<&'a Vector> {
    all.iter().find(|r| {
        parses(r)
            && r.json["kind"] == "response"
            && section(r) == section(request)
            && r.json["transaction_id"] == request.json["transaction_id"]
            && r.json["to_path"][0] == to
            && r.json["from_path"][0] == from
    })
}

/// The success REPORT the RFC prints from `from` to `to` about `message_id`, if any.
fn printed_report<'a>(
    all: &'a [Vector],
    from: &str,
    to: &[String],
    message_id: &str,
) -> Option<&'a Vector> {
    all.iter().find(|r| {
        parses(r)
            && r.json["method"] == "REPORT"
            && r.json["message_id"] == message_id
            && r.json["from_path"][0] == from
            && r.json["to_path"] == serde_json::json!(to)
    })
}

/// The messages a receiver delivers from `(range-start, body, flag)` chunks fed in this
/// order: a message ends with its `$` chunk (RFC 4975 section 7.3.1: that chunk defines its
/// length) once every byte before that chunk's end has arrived.
fn expected_messages(parts: &[(u64, Vec<u8>, u8)]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut open: Vec<&(u64, Vec<u8>, u8)> = Vec::new();
    for part in parts {
        open.push(part);
        let Some(last) = open.iter().find(|p| p.2 == b'$') else {
            continue;
        };
        let len = last.0 - 1 + last.1.len() as u64;
        let mut data = vec![None; len as usize];
        for (start, body, _) in &open {
            for (i, b) in body.iter().enumerate() {
                if let Some(slot) = data.get_mut((start - 1) as usize + i) {
                    *slot = Some(*b);
                }
            }
        }
        if data.iter().all(Option::is_some) {
            out.push(data.into_iter().flatten().collect());
            open.clear();
        }
    }
    out
}

#[test]
fn rfc_sends_replayed_against_a_session() {
    let all = load();
    let groups = messages(&all);
    let (mut responses_compared, mut reports_compared, mut delivered) = (0, 0, 0);
    assert!(groups.len() >= 20, "only {} SEND flows found", groups.len());
    for (stem, chunks) in &groups {
        let (first, _, _) = parse(&chunks[0].bytes);
        let to = first.to_path().unwrap();
        let from = first.from_path().unwrap();
        // The session is the first To-Path URI's (RFC 4975 section 7.3; through relays,
        // RFC 4976 section 6.4: each hop is addressed by the first URI in turn).
        let local = to.first().unwrap().clone();
        let mut conn = Connection::new(
            ConnectionConfig::default().mode(Mode::Tolerant),
            Rng(7),
            Instant::ZERO,
        );
        let session = conn.add_session(
            SessionConfig::new(local.clone(), from.reversed())
                .accept_types(["*"])
                .max_message_size(1 << 20),
        );
        let mut parts = Vec::new();
        let mut events = Vec::new();
        let mut reports = Vec::new();
        for chunk in chunks {
            let (head, body, flag) = parse(&chunk.bytes);
            let start = head.byte_range().map_or(1, |r| r.start);
            // RFC 8591 section 10.4 prints the second chunk to another session (a typo):
            // that one gets 481 (RFC 4975 section 7.3).
            let ours = head.to_path().unwrap().first().unwrap().matches(&local);
            let (tx, mut ev) = drive(&mut conn, &chunk.bytes);
            if ours {
                parts.push((start, body, flag));
            } else {
                let at = ev.iter().position(|e| {
                    matches!(
                        e,
                        Event::Rejected {
                            session: None,
                            code: 481
                        }
                    )
                });
                ev.remove(at.expect("a 481 event"));
            }
            events.extend(ev);
            let tid = head.transaction_id().as_str().to_string();
            let mut response = None;
            for t in tx {
                let (h, _, _) = parse(&t);
                if h.is_request() {
                    reports.push((t, h));
                } else {
                    assert_eq!(h.transaction_id().as_str(), tid, "{}", chunk.name);
                    response = Some((t, h));
                }
            }
            let failure = head.failure_report().map(|r| format!("{r:?}"));
            let Some((bytes, h)) = response else {
                // Only Failure-Report no/partial silences a 200 (RFC 4975 section 7.2).
                assert!(
                    matches!(failure.as_deref(), Some("No" | "Partial")),
                    "{}: no response",
                    chunk.name
                );
                continue;
            };
            let code = if ours { 200 } else { 481 };
            assert_eq!(h.status_code(), Some(code), "{}", chunk.name);
            // RFC 4975 section 7.2: to the previous hop, from the URI the request was for.
            let hop = head.from_path().unwrap().first().unwrap().to_string();
            let me = head.to_path().unwrap().first().unwrap().to_string();
            assert_eq!(
                uris(&h.to_path().unwrap()),
                std::slice::from_ref(&hop),
                "{}",
                chunk.name
            );
            assert_eq!(uris(&h.from_path().unwrap()), std::slice::from_ref(&me));
            if let Some(printed) = printed_response(&all, chunk, &hop, &me) {
                let (p, _, _) = parse(&printed.bytes);
                let strict = printed.json["strict_errors"].is_null();
                if strict && p.headers().count() == 2 {
                    assert_eq!(
                        String::from_utf8_lossy(&bytes),
                        String::from_utf8_lossy(&printed.bytes),
                        "{}: response differs from {}",
                        chunk.name,
                        printed.name
                    );
                } else {
                    // RFC 4976's responses also carry Message-ID, which RFC 4975 section
                    // 7.2 does not ask for, and RFC 7977 prints two SP after the header
                    // names: compare the start line and the paths.
                    assert_eq!(h.comment(), p.comment(), "{}", printed.name);
                    assert_eq!(uris(&h.to_path().unwrap()), uris(&p.to_path().unwrap()));
                    assert_eq!(uris(&h.from_path().unwrap()), uris(&p.from_path().unwrap()));
                }
                responses_compared += 1;
            }
        }
        let expected = expected_messages(&parts);
        // Whole (small, known size) or streamed (unknown total): the same bytes.
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut streamed = Vec::new();
        // A streamed message is started once, before its data; a whole one never.
        let mut in_stream = false;
        for e in &events {
            match e {
                Event::MessageStarted {
                    session: s, total, ..
                } => {
                    assert_eq!(*s, session, "{stem}");
                    assert!(!in_stream, "{stem}: started twice");
                    assert_eq!(*total, None, "{stem}: only an unknown total is streamed");
                    in_stream = true;
                }
                Event::MessageReceived {
                    session: s, body, ..
                } => {
                    assert_eq!(*s, session, "{stem}");
                    assert!(!in_stream, "{stem}: whole, yet started");
                    got.push(body.to_vec());
                }
                Event::MessageData { offset, data, .. } => {
                    assert!(in_stream, "{stem}: data before its start");
                    assert_eq!(*offset, streamed.len() as u64, "{stem}: in order");
                    streamed.extend_from_slice(data);
                }
                Event::MessageComplete { total, .. } => {
                    assert!(in_stream, "{stem}: complete, never started");
                    assert_eq!(*total, streamed.len() as u64);
                    got.push(std::mem::take(&mut streamed));
                    in_stream = false;
                }
                // RFC 7701 section 9.5 ends its first chunk with `$`: that ends the
                // message, and the second chunk comes as a duplicate of it.
                Event::DuplicateReceived { .. } if !got.is_empty() => {}
                other => panic!("{stem}: {other:?}"),
            }
        }
        assert_eq!(got, expected, "{stem}: {events:?}");
        delivered += got.len();
        // Success REPORTs.
        let wants = first.success_report().map(|r| format!("{r:?}")) == Some("Yes".into());
        if wants && !got.is_empty() {
            assert_eq!(
                reports.len(),
                got.len(),
                "{stem}: a success REPORT per message"
            );
            let (_, h) = &reports[0];
            assert_eq!(h.method_name(), Some("REPORT"));
            assert_eq!(h.message_id(), first.message_id());
            assert_eq!(uris(&h.to_path().unwrap()), uris(&from));
            let n = got[0].len() as u64;
            let r = h.byte_range().unwrap();
            assert_eq!((r.start, r.end, r.total), (1, Some(n), Some(n)), "{stem}");
            if let Some(printed) = printed_report(
                &all,
                local.as_ref(),
                &uris(&from),
                first.message_id().unwrap(),
            ) {
                let (p, _, _) = parse(&printed.bytes);
                assert_eq!(uris(&h.to_path().unwrap()), uris(&p.to_path().unwrap()));
                // The reporter's URI first; a REPORT the RFC prints after relays
                // forwarded it (RFC 4976 section 3) has their URIs after it.
                let printed_from = uris(&p.from_path().unwrap());
                assert_eq!(uris(&h.from_path().unwrap())[..], printed_from[..1]);
                // Where the RFC's SEND announced a Byte-Range its body does not have (RFC
                // 4975 section 11.6: 106 announced, 121 framed), its REPORT repeats the
                // announced one; ours covers the bytes received, as checked above.
                if chunks
                    .iter()
                    .all(|c| c.json["byte_range_matches_body"] == true)
                {
                    assert_eq!(h.byte_range(), p.byte_range(), "{stem} vs {}", printed.name);
                }
                assert_eq!(h.status().map(|s| s.code), p.status().map(|s| s.code));
                reports_compared += 1;
            }
        } else {
            assert!(reports.is_empty(), "{stem}: unasked REPORT");
        }
    }
    println!(
        "{} SEND flows, {responses_compared} responses checked against the RFC's, \
         {reports_compared} REPORTs compared, {delivered} messages delivered",
        groups.len()
    );
    assert!(responses_compared >= 10 && reports_compared >= 1 && delivered >= 10);
}
