//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use msrp_proto::wire::{ChunkHead, ChunkParser, EndLine, HeadReader, ParseEvent, Validation};
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
    run_with(mode, Validation::Full, pieces)
}

/// [`run`] with a parser that checks heads as `validation` says.
pub fn run_with(mode: Mode, validation: Validation, pieces: &[&[u8]]) -> Vec<Ev> {
    let mut p = ChunkParser::new(Limits::DEFAULT, mode).with_validation(validation);
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

/// Checks that a parser with [`Validation::Framing`] whose heads are then checked with
/// [`ChunkHead::validate`] tells what a [`Validation::Full`] parser tells about `data`:
/// the same heads (quirks compared as sets: they are found in another order), bodies,
/// end-lines and errors; where the framing check already rejects a chunk, the full parser
/// rejects it too (perhaps for an earlier value).
pub fn framing_then_validate_matches_full(mode: Mode, data: &[u8]) -> Result<(), String> {
    let full = run(mode, &[data]);
    let framing = run_with(mode, Validation::Framing, &[data]);
    let sorted = |q: &[(msrp_proto::wire::Quirk, u64)]| {
        let mut q = q.to_vec();
        q.sort_unstable();
        q
    };
    let mut f = full.iter();
    let mut l = framing.iter();
    while let Some(ev) = l.next() {
        let want = f.next();
        match (ev, want) {
            (Ev::Head(h), Some(w)) => match h.validate(mode, &Limits::DEFAULT) {
                Ok(more) => {
                    let Ev::Head(w) = w else {
                        return Err(format!("full parser: {w:?}, framing + validate: {h:?}"));
                    };
                    let mut all = h.quirks().to_vec();
                    all.extend(more);
                    if w.raw() != h.raw()
                        || w.offset() != h.offset()
                        || w.transaction_id() != h.transaction_id()
                        || w.has_body() != h.has_body()
                        || sorted(w.quirks()) != sorted(&all)
                    {
                        return Err(format!("heads differ: {w:?} / {h:?} + {all:?}"));
                    }
                }
                Err(e) => {
                    if *w != Ev::Err(format!("{e}")) {
                        return Err(format!("full parser: {w:?}, validate: {e}"));
                    }
                    // The full parser skipped the chunk: no body, no end-line.
                    for rest in l.by_ref() {
                        if matches!(rest, Ev::End(_)) {
                            break;
                        }
                    }
                }
            },
            (Ev::Err(_), Some(Ev::Err(_))) => {}
            (ev, w) if w == Some(ev) => {}
            (ev, w) => return Err(format!("full parser: {w:?}, framing: {ev:?}")),
        }
    }
    match f.next() {
        None => Ok(()),
        Some(extra) => Err(format!("the full parser has more: {extra:?}")),
    }
}

/// Checks that [`HeadReader::read`] on `buf` reports what a fresh [`ChunkParser`] with the
/// same settings reports as its first event for `buf`: nothing yet, the same error (and
/// the same rejected head), or the same head with the same length and, for a chunk
/// without body, the same end-line. Then the same for the chunks that follow, from where
/// each head's length says the next one starts, as long as each has no body.
pub fn head_reader_matches_parser(
    mode: Mode,
    validation: Validation,
    buf: &[u8],
) -> Result<(), String> {
    let mut reader = HeadReader::new(Limits::DEFAULT, mode).with_validation(validation);
    let mut at = 0;
    loop {
        let buf = &buf[at..];
        let mut p = ChunkParser::new(Limits::DEFAULT, mode).with_validation(validation);
        p.feed(buf);
        let read = reader.read(buf);
        match (p.next(), read) {
            (None, Ok(None)) => return Ok(()),
            (Some(Err(want)), Err(got)) => {
                if format!("{want}") != format!("{got}") || want.offset() != got.offset() {
                    return Err(format!("at {at}: parser: {want}, reader: {got}"));
                }
                if !want.is_fatal()
                    && p.rejected_head().as_bytes() != reader.rejected_head().as_bytes()
                {
                    return Err(format!("at {at}: rejected heads differ"));
                }
                return Ok(());
            }
            (Some(Ok(ParseEvent::Head(want))), Ok(Some(got))) => {
                if got.head.to_owned_head() != want {
                    return Err(format!("at {at}: parser: {want:?}, reader: {:?}", got.head));
                }
                let end = if want.has_body() {
                    None
                } else {
                    match p.next() {
                        Some(Ok(ParseEvent::End(end))) => Some(end),
                        other => return Err(format!("at {at}: after the head: {other:?}")),
                    }
                };
                if got.end != end || got.len as u64 != p.offset() {
                    return Err(format!(
                        "at {at}: parser: {end:?} after {} bytes, reader: {:?} after {}",
                        p.offset(),
                        got.end,
                        got.len
                    ));
                }
                if want.has_body() {
                    return Ok(());
                }
                at += got.len;
            }
            (want, got) => return Err(format!("at {at}: parser: {want:?}, reader: {got:?}")),
        }
    }
}
