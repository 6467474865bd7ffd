//! The start line: `pMSRP SP transact-id SP method CRLF` or
//! `pMSRP SP transact-id SP status-code [SP comment] CRLF` (RFC 4975 section 9).

use super::quirk::Quirk;
use super::tid::{TransactionId, is_ident_char};
use crate::Limits;
use msrp_uri::Mode;

/// The method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `SEND` (RFC 4975 section 7.1.1).
    Send,
    /// `REPORT` (RFC 4975 section 7.1.2).
    Report,
    /// `AUTH` (RFC 4976 section 5).
    Auth,
    /// `NICKNAME` (RFC 7701 section 6).
    Nickname,
    /// Any other method; the name is in [`ChunkHead::method_name`](super::ChunkHead::method_name).
    Other,
}

impl Method {
    /// The method for a name (exact, upper-case: the RFC writes them with `%x`).
    pub fn from_name(name: &[u8]) -> Method {
        match name {
            b"SEND" => Method::Send,
            b"REPORT" => Method::Report,
            b"AUTH" => Method::Auth,
            b"NICKNAME" => Method::Nickname,
            _ => Method::Other,
        }
    }
}

/// What the start line says, with byte ranges into the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartLine {
    pub(crate) tid: TransactionId,
    pub(crate) kind: StartKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StartKind {
    Request {
        method: Method,
        name: core::ops::Range<usize>,
    },
    Response {
        code: u16,
        comment: Option<core::ops::Range<usize>>,
    },
}

/// A definite violation: what and where (offset in the line).
pub(crate) type Violation = (&'static str, usize);

/// Parses a start line (without its line end). With `complete == false` the line is still
/// being received: `Ok(None)` means the bytes so far can still become a valid start line.
pub(crate) fn parse(
    line: &[u8],
    complete: bool,
    mode: Mode,
    limits: &Limits,
    quirks: &mut impl FnMut(Quirk, usize),
) -> Result<Option<StartLine>, Violation> {
    let tolerant = mode == Mode::Tolerant;
    // pMSRP SP
    let magic = b"MSRP ";
    let head = &line[..line.len().min(5)];
    if !line.starts_with(magic) && head != &magic[..head.len()] {
        if tolerant && head.eq_ignore_ascii_case(&magic[..head.len()]) {
            if head.len() == 5 {
                quirks(Quirk::LowerCaseMsrp, 0);
            }
        } else {
            return Err(("the line does not start with \"MSRP\" SP", 0));
        }
    }
    if line.len() < 5 {
        return if complete {
            Err(("the line ends before the transaction id", line.len()))
        } else {
            Ok(None)
        };
    }
    // transact-id SP
    let tid_start = 5;
    let max_tid = limits.max_tid_len.min(super::tid::MAX_TID_CAPACITY);
    let mut i = tid_start;
    while i < line.len() && is_ident_char(line[i]) {
        i += 1;
        if i - tid_start > max_tid {
            return Err(("transaction id longer than the limit", tid_start));
        }
    }
    if i == line.len() {
        return if complete {
            Err(("the line ends after the transaction id", i))
        } else {
            Ok(None)
        };
    }
    if line[i] != b' ' {
        return Err(("transaction id followed by something else than SP", i));
    }
    let tid_bytes = &line[tid_start..i];
    if tid_bytes.is_empty() {
        return Err(("empty transaction id", tid_start));
    }
    // Non-empty, at most `max_tid` (capped at the capacity) ident characters: checked above.
    let tid = TransactionId::from_checked(tid_bytes);
    if !tid.is_strictly_valid() {
        if !tolerant {
            return Err(("transaction id is not ALPHANUM 3*31ident-char", tid_start));
        }
        quirks(Quirk::NonStandardId, tid_start);
    }
    let rest_start = i + 1;
    let rest = &line[rest_start..];
    if rest.is_empty() {
        return if complete {
            Err(("nothing after the transaction id", rest_start))
        } else {
            Ok(None)
        };
    }
    if rest[0].is_ascii_digit() {
        // status-code [SP comment]
        let digits = rest
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits < rest.len().min(3) {
            return Err(("status-code is not 3DIGIT", rest_start + digits));
        }
        if rest.len() < 3 {
            return if complete {
                Err(("status-code is not 3DIGIT", rest_start + rest.len()))
            } else {
                Ok(None)
            };
        }
        let code = rest[..3]
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
        let comment = match rest.get(3) {
            None => None,
            Some(b' ') => {
                let c = rest_start + 4..line.len();
                comment(&line[c.clone()], c.start, complete, tolerant, quirks)?;
                Some(c)
            }
            Some(_) => {
                return Err((
                    "status-code is not 3DIGIT followed by SP or CRLF",
                    rest_start + 3,
                ));
            }
        };
        if !complete {
            return Ok(None);
        }
        return Ok(Some(StartLine {
            tid,
            kind: StartKind::Response { code, comment },
        }));
    }
    // method = 1*UPALPHA
    let mut nonstandard = false;
    for (k, b) in rest.iter().enumerate() {
        if b.is_ascii_uppercase() {
            continue;
        }
        if tolerant && (b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')) {
            nonstandard = true;
            continue;
        }
        return Err(("method is not 1*UPALPHA", rest_start + k));
    }
    if !complete {
        return Ok(None);
    }
    if nonstandard {
        quirks(Quirk::NonStandardMethod, rest_start);
    }
    let name = rest_start..line.len();
    Ok(Some(StartLine {
        tid,
        kind: StartKind::Request {
            method: Method::from_name(&line[name.clone()]),
            name,
        },
    }))
}

/// Checks a response's `comment = utf8text` (RFC 4975 section 9: `*(HTAB / %x20-7E /
/// UTF8-NONASCII)`), which starts at `at` in the line. A control character is a fatal
/// violation in either mode; bytes that are not UTF-8 are one in strict mode (whichever
/// comes first is reported), and a [`Quirk::HeaderValue`] in tolerant mode (the response's
/// code still says what it means; [`ChunkHead::comment`](super::ChunkHead::comment) gives
/// `None`). A UTF-8 sequence cut by the end of a line still being received is no violation
/// yet, so that the answer does not depend on how the input was split.
fn comment(
    text: &[u8],
    at: usize,
    complete: bool,
    tolerant: bool,
    quirks: &mut impl FnMut(Quirk, usize),
) -> Result<(), Violation> {
    let control = text.iter().position(|b| !is_text(*b));
    let not_utf8 = match core::str::from_utf8(text) {
        Err(e) if complete || e.error_len().is_some() => Some(e.valid_up_to()),
        _ => None,
    };
    let not_utf8_err = |n: usize| Err(("comment is not UTF-8 (utf8text)", at + n));
    match (control, not_utf8) {
        (Some(c), Some(n)) if !tolerant && n < c => not_utf8_err(n),
        (Some(c), _) => Err(("comment is not utf8text", at + c)),
        (None, Some(n)) if !tolerant => not_utf8_err(n),
        (None, Some(n)) => {
            quirks(Quirk::HeaderValue, at + n);
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

/// `utf8text` octets: HTAB, printable ASCII, and any octet of a multi-byte UTF-8 sequence
/// (the sequences themselves are checked by [`comment`]).
pub(crate) fn is_text(b: u8) -> bool {
    b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    type Parsed = Result<Option<StartLine>, Violation>;

    fn parse_line(line: &[u8], complete: bool, mode: Mode) -> (Parsed, Vec<(Quirk, usize)>) {
        let mut found = Vec::new();
        let r = parse(line, complete, mode, &Limits::DEFAULT, &mut |q, at| {
            found.push((q, at))
        });
        (r, found)
    }

    /// `comment = utf8text`: whole UTF-8 sequences, no control characters but HTAB.
    /// Strict parsing refuses other bytes where they are; tolerant parsing notes bytes
    /// that are not UTF-8 and refuses control characters.
    #[test]
    fn a_comment_is_utf8_text() {
        let comment = |r: &Parsed| match r {
            Ok(Some(StartLine {
                kind: StartKind::Response { comment, .. },
                ..
            })) => comment.clone(),
            other => panic!("{other:?}"),
        };
        // Valid: UTF-8 beyond ASCII, HTAB.
        for mode in [Mode::Strict, Mode::Tolerant] {
            let (r, q) = parse_line(
                "MSRP d93kswow 200 R\u{e9}ussi\t\u{1f600}".as_bytes(),
                true,
                mode,
            );
            assert_eq!(comment(&r), Some(18..30));
            assert!(q.is_empty());
        }
        // Latin-1: refused in strict mode at the byte, noted there in tolerant mode.
        let latin1 = b"MSRP d93kswow 200 O\xc9";
        let (r, _) = parse_line(latin1, true, Mode::Strict);
        assert_eq!(r, Err(("comment is not UTF-8 (utf8text)", 19)));
        let (r, q) = parse_line(latin1, true, Mode::Tolerant);
        assert_eq!(comment(&r), Some(18..20));
        assert_eq!(q, [(Quirk::HeaderValue, 19)]);
        // Bad sequences in the middle: a lone continuation byte, an overlong form, a
        // surrogate, a lead byte followed by ASCII.
        for (text, at) in [
            (&b"ok \x80"[..], 21),
            (b"\xc0\xaf", 18),
            (b"a\xed\xa0\x80", 19),
            (b"caf\xe9 ok", 21),
        ] {
            let mut line = b"MSRP d93kswow 200 ".to_vec();
            line.extend_from_slice(text);
            for complete in [true, false] {
                let (r, _) = parse_line(&line, complete, Mode::Strict);
                assert_eq!(r, Err(("comment is not UTF-8 (utf8text)", at)), "{text:?}");
            }
        }
        // A sequence cut by the end of a line still being received may yet be whole.
        let cut = "MSRP d93kswow 200 \u{20ac}".as_bytes();
        let cut = &cut[..cut.len() - 1];
        assert_eq!(parse_line(cut, false, Mode::Strict).0, Ok(None));
        assert_eq!(
            parse_line(cut, true, Mode::Strict).0,
            Err(("comment is not UTF-8 (utf8text)", 18))
        );
        // The first violation in strict mode; a control character in tolerant mode.
        let both = b"MSRP d93kswow 200 \xe9A\x01";
        assert_eq!(
            parse_line(both, true, Mode::Strict).0,
            Err(("comment is not UTF-8 (utf8text)", 18))
        );
        assert_eq!(
            parse_line(both, true, Mode::Tolerant).0,
            Err(("comment is not utf8text", 20))
        );
        let control_first = b"MSRP d93kswow 200 \x01\xe9";
        for mode in [Mode::Strict, Mode::Tolerant] {
            assert_eq!(
                parse_line(control_first, true, mode).0,
                Err(("comment is not utf8text", 18))
            );
        }
    }
}
