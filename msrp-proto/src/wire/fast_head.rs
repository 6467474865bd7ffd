//! One pass over a complete head in the spelling nearly every peer uses (RFC 4975
//! section 9): `MSRP` SP a grammatical transaction id SP an upper-case method or a status
//! code, CRLF line ends, header names either canonical known names or unknown tokens,
//! exactly one SP before each value and no white space after it, then the empty line or
//! the chunk's end-line.
//!
//! It answers only for heads that the general line reader of [`super::parser`] reads to
//! exactly the same start line and header spans without any quirk, in either mode, and
//! within every limit; for anything else (a head not complete yet, another spelling, any
//! error) it answers `None` and the general reader starts from the beginning. So it
//! changes speed, never results: the split-invariance tests and the `chunk_split` fuzz
//! target compare it with the general reader, which reads heads that arrive in pieces.

use alloc::vec::Vec;

use super::head::HeaderSpan;
use super::parser::Continuation;
use super::start_line::{Method, StartKind, StartLine, is_text};
use super::tid::{TransactionId, is_ident_char};
use super::validate::{self, canonical_name_at_start};
use super::values::is_token_char;
use crate::Limits;

/// A head read in one pass.
pub(crate) struct FastHead {
    pub(crate) start: StartLine,
    /// Where the first header line starts.
    pub(crate) first_header: usize,
    /// Where the empty line or the end-line starts (the head's length).
    pub(crate) head_end: usize,
    /// `None`: a body follows the empty line. `Some`: the chunk is bodiless and its
    /// end-line, `len` bytes with its CRLF, carries `flag`.
    pub(crate) end_line: Option<(Continuation, usize)>,
}

/// Reads the head at the start of `buf` if it is complete and in the common spelling,
/// pushing its header lines to `lines` (which must be empty). On `None`, `lines` is left
/// empty again.
pub(crate) fn read(buf: &[u8], limits: &Limits, lines: &mut Vec<HeaderSpan>) -> Option<FastHead> {
    let head = read_inner(buf, limits, lines);
    if head.is_none() {
        lines.clear();
    }
    head
}

#[inline]
fn read_inner(buf: &[u8], limits: &Limits, lines: &mut Vec<HeaderSpan>) -> Option<FastHead> {
    let (start, first_header) = start_line(buf, limits)?;
    let tid = start.tid;
    let tid = tid.as_bytes();
    let mut pos = first_header;
    loop {
        match *buf.get(pos)? {
            b'\r' => {
                // The empty line: a body follows. Its LF counts against the head limit as
                // in the general reader.
                if *buf.get(pos + 1)? != b'\n' || pos + 1 > limits.max_head_bytes {
                    return None;
                }
                return Some(FastHead {
                    start,
                    first_header,
                    head_end: pos,
                    end_line: None,
                });
            }
            b'-' => {
                // "-------" transact-id continuation-flag CRLF
                let len = 7 + tid.len() + 3;
                let line = buf.get(pos..pos + len)?;
                let flag = Continuation::from_byte(line[7 + tid.len()])?;
                let ok = &line[..7] == b"-------"
                    && &line[7..7 + tid.len()] == tid
                    && &line[len - 2..] == b"\r\n"
                    && pos + len - 1 <= limits.max_head_bytes;
                return ok.then_some(FastHead {
                    start,
                    first_header,
                    head_end: pos,
                    end_line: Some((flag, len)),
                });
            }
            _ => {}
        }
        if lines.len() == limits.max_headers {
            return None;
        }
        let rest = &buf[pos..];
        let (colon, known) = match canonical_name_at_start(rest) {
            Some(kind) => (kind.canonical().len(), Some((kind, true))),
            None => {
                // An unknown name: ALPHA *token, then ":". Known names in another case
                // (a quirk) go to the general reader.
                if !rest[0].is_ascii_alphabetic() {
                    return None;
                }
                let colon = 1 + rest[1..].iter().position(|b| !is_token_char(*b))?;
                if rest[colon] != b':' || validate::classify(&rest[..colon]).is_some() {
                    return None;
                }
                (colon, None)
            }
        };
        // ":" SP, a value that neither starts nor ends with white space, CRLF.
        let v = pos + colon + 2;
        if *buf.get(v - 1)? != b' ' || is_ws(*buf.get(v)?) {
            return None;
        }
        let nl = v + memchr::memchr(b'\n', &buf[v..])?;
        if nl <= v + 1 || buf[nl - 1] != b'\r' || is_ws(buf[nl - 2]) || nl > limits.max_head_bytes
        {
            return None;
        }
        lines.push(HeaderSpan {
            name: pos..pos + colon,
            value: v..nl - 1,
            spaced: true,
            known,
        });
        pos = nl + 1;
    }
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `MSRP SP transact-id SP (method / status-code [SP comment]) CRLF` with a transaction id
/// that follows the grammar and fits the limit; returns it and where the next line starts.
#[inline]
fn start_line(buf: &[u8], limits: &Limits) -> Option<(StartLine, usize)> {
    if buf.get(..5)? != b"MSRP " {
        return None;
    }
    let max_tid = limits.max_tid_len.min(32);
    let mut i = 5;
    while i < buf.len() && is_ident_char(buf[i]) && i - 5 < max_tid {
        i += 1;
    }
    if *buf.get(i)? != b' ' || i - 5 < 4 || !buf[5].is_ascii_alphanumeric() {
        return None;
    }
    let tid = TransactionId::from_checked(&buf[5..i]);
    let rest = i + 1;
    let mut j = rest;
    let kind = if buf.get(j)?.is_ascii_digit() {
        let code = buf.get(j..j + 3)?;
        if !code.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let code = code
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
        j += 3;
        let comment = if *buf.get(j)? == b' ' {
            j += 1;
            let c = j;
            while j < buf.len() && is_text(buf[j]) {
                j += 1;
            }
            Some(c..j)
        } else {
            None
        };
        StartKind::Response { code, comment }
    } else {
        while j < buf.len() && buf[j].is_ascii_uppercase() {
            j += 1;
        }
        if j == rest {
            return None;
        }
        StartKind::Request {
            method: Method::from_name(&buf[rest..j]),
            name: rest..j,
        }
    };
    // CRLF, its LF within the start line limit.
    if buf.get(j..j + 2)? != b"\r\n" || j + 1 >= limits.max_start_line {
        return None;
    }
    Some((StartLine { tid, kind }, j + 2))
}
