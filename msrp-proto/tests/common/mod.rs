//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use msrp_proto::wire::{ChunkHead, ChunkParser, EndLine, ParseEvent};
use msrp_proto::{Limits, Mode};

/// Parser output with body pieces joined and errors as text: what must not depend on how
/// the input was split.
#[derive(Debug, PartialEq)]
pub enum Ev {
    Head(Box<ChunkHead>),
    Body(Vec<u8>),
    End(EndLine),
    Err(String),
}

/// Feeds `pieces` one after the other and collects every event.
pub fn run(mode: Mode, pieces: &[&[u8]]) -> Vec<Ev> {
    let mut p = ChunkParser::new(Limits::DEFAULT, mode);
    let mut out: Vec<Ev> = Vec::new();
    for piece in pieces {
        p.feed(piece);
        while let Some(ev) = p.next() {
            match ev {
                Ok(ParseEvent::Head(h)) => out.push(Ev::Head(Box::new(h))),
                Ok(ParseEvent::Body(b)) => match out.last_mut() {
                    Some(Ev::Body(acc)) => acc.extend_from_slice(&b),
                    _ => out.push(Ev::Body(b.to_vec())),
                },
                Ok(ParseEvent::End(e)) => out.push(Ev::End(e)),
                Err(e) => out.push(Ev::Err(format!("{e}"))),
            }
        }
    }
    out
}

/// `data` cut at the given offsets (sorted, deduplicated, clamped).
pub fn split_at<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
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
