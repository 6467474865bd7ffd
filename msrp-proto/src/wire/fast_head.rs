//! One pass over a complete head in the spelling nearly every peer uses (RFC 4975
//! section 9): `MSRP` SP a grammatical transaction id SP an upper-case method or a status
//! code, CRLF line ends, header names either canonical known names or unknown tokens,
//! exactly one SP before each value and no white space after it, then the empty line or
//! the chunk's end-line.
//!
//! It answers only for heads that the general line reader of [`super::parser`] reads to
//! exactly the same start line and header spans without any quirk, in either mode, within
//! every limit, and whose framing (To-Path and From-Path first, Content-Type last, no body
//! on a response) is right, so that only the values remain to be checked. For anything
//! else (a head not complete yet, another spelling, any error) it answers `None` and the
//! general reader starts from the beginning. So it changes speed, never results: the
//! split-invariance tests and the `chunk_split` fuzz target compare it with the general
//! reader, which reads heads that arrive in pieces.

use super::continuation::Continuation;
use super::header_line::{self, Known, canonical_name_at_start};
use super::path_cache::PathCache;
use super::spans::Spans;
use super::start_line::{Method, StartKind};
use super::tid::is_ident_char;
use super::validate;
use super::values::is_token_char;
use super::values::{self, ByteRange};
use crate::Limits;
use msrp_uri::{Mode, ParseOptions};

/// A head read in one pass.
pub(crate) struct FastHead {
    /// The transaction id is `buf[5..5 + tid_len]` (built by the caller, once: a
    /// [`TransactionId`](super::tid::TransactionId) is a 49-byte value, costly to move around).
    pub(crate) tid_len: usize,
    pub(crate) kind: StartKind,
    /// Where the first header line starts.
    pub(crate) first_header: usize,
    /// Where the empty line or the end-line starts (the head's length).
    pub(crate) head_end: usize,
    /// `None`: a body follows the empty line. `Some`: the chunk is bodiless and its
    /// end-line, `len` bytes with its CRLF, carries `flag`.
    pub(crate) end_line: Option<(Continuation, usize)>,
    /// The first Byte-Range, if it has one and it is well formed (what the general
    /// reader finds for the end-line's diagnostic).
    pub(crate) byte_range: Option<ByteRange>,
    /// Where the fields [`super::HeadFields`] holds are (`None` for a head too large to
    /// note them in).
    pub(crate) spans: Option<Spans>,
}

/// Reads the head at the start of `buf` if it is complete and in the common spelling;
/// with `VALUES`, also checks each known header field's value as the general reader's
/// `Validation::Full` does (through `cache`, in `mode`), answering only if every value
/// passes without a quirk (anything else is the general reader's to report). Inlined: its
/// result then stays in registers rather than going through memory, where reading it
/// back with wider loads than it was written with stalls.
#[inline(always)]
pub(crate) fn read<const VALUES: bool>(
    buf: &[u8],
    limits: &Limits,
    mode: Mode,
    cache: &mut PathCache,
) -> Option<FastHead> {
    let (tid_len, kind, first_header) = start_line(buf, limits)?;
    let tid = &buf[5..5 + tid_len];
    let mut pos = first_header;
    // Header lines so far; whether they began To-Path, From-Path (RFC 4975 section 9).
    let mut count = 0;
    let mut paths_first = true;
    let mut byte_range = None;
    let mut seen_byte_range = false;
    let opts = ParseOptions::with_mode(mode);
    // A Content-Type line that another line follows (wrong when a body follows).
    let mut content_type_not_last = false;
    let mut previous_was_content_type = false;
    let mut spans = Spans::EMPTY;
    let mut spans_fit = true;
    loop {
        match *buf.get(pos)? {
            b'\r' => {
                // The empty line: a body follows. Its LF counts against the head limit as
                // in the general reader.
                if *buf.get(pos + 1)? != b'\n' || pos + 1 > limits.max_head_bytes {
                    return None;
                }
                let response = matches!(kind, StartKind::Response { .. });
                if response || content_type_not_last || !paths_first || count < 2 {
                    return None;
                }
                return Some(FastHead {
                    tid_len,
                    kind,
                    first_header,
                    head_end: pos,
                    end_line: None,
                    byte_range,
                    spans: spans_fit.then_some(spans),
                });
            }
            b'-' => {
                // "-------" transact-id continuation-flag CRLF
                let len = 7 + tid.len() + 3;
                let line = buf.get(pos..pos + len)?;
                let flag = Continuation::from_byte(line[7 + tid.len()])?;
                let ok = &line[..7] == b"-------"
                    && header_line::same_bytes(&line[7..7 + tid.len()], tid)
                    && &line[len - 2..] == b"\r\n"
                    && pos + len - 1 <= limits.max_head_bytes
                    && paths_first
                    && count >= 2;
                return ok.then_some(FastHead {
                    tid_len,
                    kind,
                    first_header,
                    head_end: pos,
                    end_line: Some((flag, len)),
                    byte_range,
                    spans: spans_fit.then_some(spans),
                });
            }
            _ => {}
        }
        if count == limits.max_headers {
            return None;
        }
        let rest = &buf[pos..];
        let (colon, known) = match canonical_name_at_start(rest) {
            Some((kind, colon)) => (colon, Some((kind, true))),
            None => {
                // An unknown name: ALPHA *token, then ":". Known names in another case
                // (a quirk) go to the general reader.
                if !rest[0].is_ascii_alphabetic() {
                    return None;
                }
                let colon = 1 + rest[1..].iter().position(|b| !is_token_char(*b))?;
                if rest[colon] != b':' || header_line::classify(&rest[..colon]).is_some() {
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
        // The value ends at the first control byte, which must be the CR of CRLF (an HTAB
        // or any other control byte in a value: the general reader).
        let cr = first_control(buf, v)?;
        let nl = cr + 1;
        if cr == v || buf[cr] != b'\r' || *buf.get(nl)? != b'\n' || is_ws(buf[cr - 1]) {
            return None;
        }
        if nl > limits.max_head_bytes {
            return None;
        }
        content_type_not_last |= previous_was_content_type;
        let kind = known.map(|(k, _)| k);
        previous_was_content_type = kind == Some(Known::ContentType);
        if count < 2 {
            paths_first &= kind == Some([Known::ToPath, Known::FromPath][count]);
        }
        if let Some(k) = kind {
            spans_fit &= spans.note(k, v);
        }
        if count == 1 {
            spans_fit &= spans.note_after_paths(nl + 1);
        }
        let value = &buf[v..nl - 1];
        if kind == Some(Known::ByteRange) && !seen_byte_range {
            // Parsed once: it is checked here when values are, and read in every case.
            seen_byte_range = true;
            let parsed = values::byte_range(value);
            if VALUES && parsed.is_err() {
                return None;
            }
            byte_range = parsed.ok();
        } else if let (true, Some(kind)) = (VALUES, kind) {
            if !validate::value_is_clean(kind, value, &opts, limits, cache) {
                return None;
            }
        } else if VALUES && kind.is_none() && value.iter().any(|&b| b >= 0x7f) {
            // An extension value with DEL or non-ASCII bytes: the general reader checks
            // it is UTF-8 text (RFC 4975 section 9, hval = utf8text).
            return None;
        }
        count += 1;
        pos = nl + 1;
    }
}

/// The index of the first byte below 0x20 at or after `from`, eight bytes a step.
#[inline]
fn first_control(buf: &[u8], from: usize) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let s = buf.get(from..)?;
    let mut words = s.chunks_exact(8);
    let mut i = from;
    for w in words.by_ref() {
        let Ok(w) = <[u8; 8]>::try_from(w) else {
            break;
        };
        let x = u64::from_le_bytes(w);
        // The high bit of a byte is set where it is below 0x20 (bytes of 0x80 and above
        // are excluded by `!x`); a borrow only marks bytes after a marked one, so the
        // lowest mark is exact.
        let marks = x.wrapping_sub(LOW * 0x20) & !x & HIGH;
        if marks != 0 {
            return Some(i + (marks.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    words
        .remainder()
        .iter()
        .position(|b| *b < 0x20)
        .map(|k| i + k)
}

/// `utf8text` octets within ASCII: HTAB and %x20-7E.
#[inline]
fn is_ascii_text(b: u8) -> bool {
    b == b'\t' || (0x20..=0x7e).contains(&b)
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A method of RFC 4975, 4976 or 7701 and the CRLF after it, at the start of `rest`: the
/// method and its length. The same answer as scanning the upper-case run and naming it,
/// for these four, in a few word compares.
#[inline]
fn known_method(rest: &[u8]) -> Option<(Method, usize)> {
    match rest.first()? {
        b'S' if rest.starts_with(b"SEND\r\n") => Some((Method::Send, 4)),
        b'R' if rest.starts_with(b"REPORT\r\n") => Some((Method::Report, 6)),
        b'A' if rest.starts_with(b"AUTH\r\n") => Some((Method::Auth, 4)),
        b'N' if rest.starts_with(b"NICKNAME\r\n") => Some((Method::Nickname, 8)),
        _ => None,
    }
}

/// `MSRP SP transact-id SP (method / status-code [SP comment]) CRLF` with a transaction id
/// that follows the grammar and fits the limit; returns the id's length, the line's kind
/// and where the next line starts.
#[inline]
fn start_line(buf: &[u8], limits: &Limits) -> Option<(usize, StartKind, usize)> {
    if buf.get(..5)? != b"MSRP " {
        return None;
    }
    // At most `max_tid` ident characters, then SP.
    let max_tid = limits.max_tid_len.min(32);
    let window = &buf[5..buf.len().min(5 + max_tid + 1)];
    let i = 5 + window.iter().position(|b| !is_ident_char(*b))?;
    if buf[i] != b' ' || i - 5 < 4 || !buf[5].is_ascii_alphanumeric() {
        return None;
    }
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
            // ASCII text only: a comment with other bytes goes to the general reader,
            // which checks that they are UTF-8.
            while j < buf.len() && is_ascii_text(buf[j]) {
                j += 1;
            }
            Some(c..j)
        } else {
            None
        };
        StartKind::Response { code, comment }
    } else if let Some((method, len)) = known_method(&buf[rest..]) {
        j += len;
        StartKind::Request {
            method,
            name: rest..j,
        }
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
    Some((i - 5, kind, j + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_control_finds_the_first_byte_below_0x20() {
        for b in 0..=255u8 {
            for at in 0..19 {
                let mut s = [b'a'; 20];
                s[at] = b;
                let want = (b < 0x20).then_some(at);
                assert_eq!(first_control(&s, 0), want, "byte {b:#x} at {at}");
                // A later control byte does not hide the first.
                s[19] = b'\r';
                let want = Some(if b < 0x20 { at } else { 19 });
                assert_eq!(first_control(&s, 0), want, "byte {b:#x} at {at}");
                // Searching from after it finds the later one.
                assert_eq!(first_control(&s, at + 1), Some(19));
            }
        }
        assert_eq!(first_control(b"", 0), None);
        assert_eq!(first_control(b"ab", 2), None);
    }
}
