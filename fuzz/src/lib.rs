//! Helpers shared by the fuzz targets.

use msrp_proto::wire::{ChunkHead, ChunkParser, EndLine, ParseEvent};
use msrp_proto::{Limits, Mode};

/// The integration tests' helpers, among them the check that values validated on demand
/// tell what the parser's own validation tells.
#[path = "../../msrp-proto/tests/common/mod.rs"]
mod common;
pub use common::{framing_then_validate_matches_full, head_reader_matches_parser};

/// Parser output with body pieces joined and errors as text.
#[derive(Debug, PartialEq)]
pub enum Ev {
    Head(Box<ChunkHead>),
    Body(Vec<u8>),
    End(EndLine),
    Err(String),
}

/// Feeds the pieces in order and collects the events, checking on the way that the
/// parser's own buffer stays within its limits.
pub fn run(mode: Mode, pieces: &[&[u8]]) -> Vec<Ev> {
    let limits = Limits::DEFAULT;
    let mut p = ChunkParser::new(limits, mode);
    let mut out: Vec<Ev> = Vec::new();
    let mut fed = 0u64;
    for piece in pieces {
        p.feed(piece);
        fed += piece.len() as u64;
        while let Some(ev) = p.next() {
            match ev {
                Ok(ParseEvent::Head(h)) => out.push(Ev::Head(Box::new(h))),
                Ok(ParseEvent::Body(b)) => match out.last_mut() {
                    Some(Ev::Body(acc)) => acc.extend_from_slice(&b),
                    _ => out.push(Ev::Body(b.to_vec())),
                },
                Ok(ParseEvent::End(e)) => out.push(Ev::End(e)),
                Err(e) => {
                    assert!(e.offset() <= fed, "error offset past the input");
                    out.push(Ev::Err(format!("{e}")));
                }
            }
        }
        assert!(p.offset() <= fed);
        if !p.is_failed() {
            // Between events the parser holds at most a head (plus the line being read)
            // or an end-line's worth of body.
            assert!(
                p.buffered() <= limits.max_head_bytes + piece.len().max(64),
                "parser holds {} bytes",
                p.buffered()
            );
        }
    }
    out
}

/// `data` cut at the given offsets.
pub fn split_at<'a>(data: &'a [u8], cuts: &[u16]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .map(|c| usize::from(*c) % (data.len() + 1))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in cuts {
        out.push(&data[prev..c]);
        prev = c;
    }
    out.push(&data[prev..]);
    out
}
