//! Checks of a complete head: header order, spacing and the syntax of the known header
//! fields (RFC 4975 section 9, RFC 4976 section 9, RFC 7701).

use core::ops::Range;

use super::digest::{self, Form};
use super::error::ParseErrorKind as K;
use super::head::HeaderSpan;
use super::quirk::Quirk;
use super::start_line::{StartKind, StartLine};
use super::values::{self, ByteRange};
use crate::Limits;
use msrp_uri::{Mode, ParseOptions, Path};

/// Splits a header line (without its line end) into name and trimmed value; `None` when it
/// is not `hname ":" hval` with `hname = ALPHA *token`.
pub(crate) fn split_header(line: &[u8], at: usize) -> Option<HeaderSpan> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    if !name.first()?.is_ascii_alphabetic() || !name.iter().all(|b| values::is_token_char(*b)) {
        return None;
    }
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t');
    let v_start = colon + 1 + line[colon + 1..].iter().take_while(|b| is_ws(b)).count();
    let v_end = line.len()
        - line[v_start..]
            .iter()
            .rev()
            .take_while(|b| is_ws(b))
            .count();
    Some(HeaderSpan {
        name: at..at + colon,
        value: at + v_start..at + v_end,
    })
}

/// The header fields whose syntax is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    ToPath,
    FromPath,
    MessageId,
    SuccessReport,
    FailureReport,
    ByteRange,
    Status,
    ContentType,
    UsePath,
    Expires,
    MinExpires,
    MaxExpires,
    WwwAuthenticate,
    Authorization,
    AuthenticationInfo,
    UseNickname,
}

/// The known header field with this name (case-insensitive), with its canonical spelling.
/// Dispatches on length and first letters, then compares once.
fn known(name: &[u8]) -> Option<(&'static str, Known)> {
    let first = name.first()?.to_ascii_lowercase();
    let second = name.get(1).map_or(0, u8::to_ascii_lowercase);
    let candidate = match (name.len(), first, second) {
        (7, b't', _) => ("To-Path", Known::ToPath),
        (9, b'f', _) => ("From-Path", Known::FromPath),
        (10, b'm', _) => ("Message-ID", Known::MessageId),
        (14, b's', _) => ("Success-Report", Known::SuccessReport),
        (14, b'f', _) => ("Failure-Report", Known::FailureReport),
        (10, b'b', _) => ("Byte-Range", Known::ByteRange),
        (6, b's', _) => ("Status", Known::Status),
        (12, b'c', _) => ("Content-Type", Known::ContentType),
        (8, b'u', _) => ("Use-Path", Known::UsePath),
        (7, b'e', _) => ("Expires", Known::Expires),
        (11, b'm', b'i') => ("Min-Expires", Known::MinExpires),
        (11, b'm', b'a') => ("Max-Expires", Known::MaxExpires),
        (16, b'w', _) => ("WWW-Authenticate", Known::WwwAuthenticate),
        (13, b'a', _) => ("Authorization", Known::Authorization),
        (19, b'a', _) => ("Authentication-Info", Known::AuthenticationInfo),
        (12, b'u', _) => ("Use-Nickname", Known::UseNickname),
        _ => return None,
    };
    candidate
        .0
        .as_bytes()
        .eq_ignore_ascii_case(name)
        .then_some(candidate)
}

/// A violation: what and where (index into the head bytes).
pub(crate) type Violation = (K, usize);

/// Checks a complete head and returns its (first) Byte-Range. Strict mode turns every deviation into an error; tolerant mode
/// records a quirk where the meaning is still clear.
pub(crate) fn head(
    head: &[u8],
    lines: &[HeaderSpan],
    start: &StartLine,
    has_body: bool,
    mode: Mode,
    limits: &Limits,
    quirk: &mut impl FnMut(Quirk, usize),
) -> Result<Option<ByteRange>, Violation> {
    let tolerant = mode == Mode::Tolerant;
    let mut byte_range = None;
    let name_of = |h: &HeaderSpan| &head[h.name.clone()];
    let end_of_head = head.len();

    if has_body && matches!(start.kind, StartKind::Response { .. }) {
        return Err((K::ResponseWithBody, end_of_head));
    }

    // To-Path CRLF From-Path CRLF first.
    for (i, want) in ["To-Path", "From-Path"].into_iter().enumerate() {
        let here = lines
            .get(i)
            .is_some_and(|h| name_of(h).eq_ignore_ascii_case(want.as_bytes()));
        if here {
            continue;
        }
        let elsewhere = lines
            .iter()
            .position(|h| name_of(h).eq_ignore_ascii_case(want.as_bytes()));
        match elsewhere {
            Some(j) if tolerant => quirk(Quirk::HeaderOrder, lines[j].name.start),
            Some(j) => {
                let msg = if i == 0 {
                    "To-Path must be the first header field"
                } else {
                    "From-Path must be the second header field"
                };
                return Err((K::HeaderOrder(msg), lines[j].name.start));
            }
            None => {
                let msg = if i == 0 {
                    "no To-Path header field"
                } else {
                    "no From-Path header field"
                };
                return Err((
                    K::HeaderOrder(msg),
                    lines.get(i).map_or(end_of_head, |h| h.name.start),
                ));
            }
        }
    }

    let uri_opts = ParseOptions::with_mode(mode);
    for (i, h) in lines.iter().enumerate() {
        let Some((canonical, kind)) = known(name_of(h)) else {
            continue;
        };
        if !name_of(h).iter().eq(canonical.as_bytes()) {
            quirk(Quirk::HeaderNameCase, h.name.start);
        }
        // Known header fields take exactly one SP after the colon and nothing after the
        // value (the vectors' reading 2).
        let raw_start = h.name.end + 1;
        let line_end = line_end(head, h.value.end);
        if h.value.start != raw_start + 1 || head[raw_start] != b' ' || line_end != h.value.end {
            if !tolerant {
                return Err((
                    K::InvalidHeader {
                        header: canonical,
                        reason: "not exactly one SP before the value, or white space after it",
                    },
                    raw_start,
                ));
            }
            quirk(Quirk::HeaderSpacing, raw_start);
        }
        let v = &head[h.value.clone()];
        let bad = |reason: &'static str| {
            (
                K::InvalidHeader {
                    header: canonical,
                    reason,
                },
                h.value.start,
            )
        };
        match kind {
            Known::ToPath | Known::FromPath | Known::UsePath => {
                match Path::validate(v, &uri_opts) {
                    Err(_) => return Err(bad("not a list of MSRP URIs separated by SP")),
                    Ok(q) if q.has_violation() => quirk(Quirk::HeaderValue, h.value.start),
                    Ok(_) => {}
                }
            }
            Known::MessageId => {
                if let Err(reason) = values::ident(v, limits.max_tid_len) {
                    let loose = !v.is_empty()
                        && v.len() <= limits.max_tid_len
                        && v.iter().all(|b| super::tid::is_ident_char(*b));
                    if !(tolerant && loose) {
                        return Err(bad(reason));
                    }
                    quirk(Quirk::NonStandardId, h.value.start);
                }
            }
            Known::SuccessReport => values::report_request(v, false).map(|_| ()).map_err(bad)?,
            Known::FailureReport => values::report_request(v, true).map(|_| ()).map_err(bad)?,
            Known::ByteRange => {
                let r = values::byte_range(v).map_err(bad)?;
                byte_range.get_or_insert(r);
            }
            Known::Status => values::status(v).map(|_| ()).map_err(bad)?,
            Known::ContentType => {
                if let Err(reason) = values::media_type(v) {
                    if !(tolerant && v.contains(&b'/')) {
                        return Err(bad(reason));
                    }
                    quirk(Quirk::HeaderValue, h.value.start);
                }
                if has_body && i + 1 != lines.len() {
                    if !tolerant {
                        return Err((K::ContentTypeNotLast, h.name.start));
                    }
                    quirk(Quirk::HeaderOrder, h.name.start);
                }
            }
            Known::WwwAuthenticate | Known::Authorization | Known::AuthenticationInfo => {
                let form = if kind == Known::AuthenticationInfo {
                    Form::Info
                } else {
                    Form::Challenge
                };
                match digest::check(v, form) {
                    Ok(false) => {}
                    Ok(true) if tolerant => quirk(Quirk::HeaderValue, h.value.start),
                    Ok(true) => {
                        return Err(bad(
                            "white space around \",\" that the grammar does not allow",
                        ));
                    }
                    Err(reason) => return Err(bad(reason)),
                }
            }
            Known::UseNickname => {
                // nickname = DQUOTE 1*1023(qdtext / qd-esc) DQUOTE (RFC 7701 section 6.1)
                let ok = v.first() == Some(&b'"')
                    && values::quoted_string_end(v, 0) == Ok(v.len())
                    && v.len() > 2
                    && core::str::from_utf8(&v[1..v.len() - 1])
                        .is_ok_and(|t| t.chars().count() <= 1023);
                if !ok {
                    return Err(bad("not a quoted nickname of 1 to 1023 characters"));
                }
            }
            Known::Expires | Known::MinExpires | Known::MaxExpires
                if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) =>
            {
                return Err(bad("not 1*DIGIT"));
            }
            _ => {}
        }
    }
    Ok(byte_range)
}

/// Index of the line end (CR or LF) at or after `from`.
fn line_end(head: &[u8], from: usize) -> usize {
    let r: Range<usize> = from..head.len();
    r.clone()
        .find(|&i| matches!(head[i], b'\r' | b'\n'))
        .unwrap_or(r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_in_any_case() {
        for (name, kind) in [
            ("To-Path", Known::ToPath),
            ("from-path", Known::FromPath),
            ("MESSAGE-ID", Known::MessageId),
            ("Success-Report", Known::SuccessReport),
            ("Failure-Report", Known::FailureReport),
            ("Byte-Range", Known::ByteRange),
            ("Status", Known::Status),
            ("Content-Type", Known::ContentType),
            ("Use-Path", Known::UsePath),
            ("Expires", Known::Expires),
            ("Min-Expires", Known::MinExpires),
            ("max-expires", Known::MaxExpires),
            ("WWW-Authenticate", Known::WwwAuthenticate),
            ("Authorization", Known::Authorization),
            ("Authentication-Info", Known::AuthenticationInfo),
            ("Use-Nickname", Known::UseNickname),
        ] {
            let (canonical, k) = known(name.as_bytes()).unwrap();
            assert_eq!(k, kind);
            assert!(canonical.eq_ignore_ascii_case(name));
        }
        for other in [
            "To-Pat",
            "Tx-Path",
            "Keep-Alive",
            "Content-ID",
            "",
            "Mix-Expires",
        ] {
            assert!(known(other.as_bytes()).is_none(), "{other}");
        }
    }
}
