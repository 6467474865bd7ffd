//! Checks of a complete head: header order, spacing and the syntax of the known header
//! fields (RFC 4975 section 9, RFC 4976 section 9, RFC 7701).

use super::digest::{self, Form};
use super::error::ParseErrorKind as K;
use super::header_line::{HeaderSpan, Known};
use super::path_cache::PathCache;
use super::quirk::Quirk;
use super::start_line::StartKind;
use super::values::{self, Bad, ByteRange};
use crate::Limits;
use msrp_uri::{Mode, ParseOptions, Path};

/// A violation: what and where (index into the head bytes).
pub(crate) type Violation = (K, usize);

/// Which checks [`head`] makes (Byte-Range is read in every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checks {
    /// The shape of the head: no body on a response, To-Path and From-Path first,
    /// Content-Type last, known names' case and the spacing around their values.
    pub(crate) framing: bool,
    /// The values of the known header fields against their rules.
    pub(crate) values: bool,
}

impl Checks {
    /// Both, line by line (the first violation in the head is reported).
    pub(crate) const FULL: Checks = Checks {
        framing: true,
        values: true,
    };
    /// The shape only.
    pub(crate) const FRAMING: Checks = Checks {
        framing: true,
        values: false,
    };
    /// The values only.
    pub(crate) const VALUES: Checks = Checks {
        framing: false,
        values: true,
    };
    /// Neither.
    pub(crate) const NONE: Checks = Checks {
        framing: false,
        values: false,
    };
}

/// Checks a complete head and returns its first Byte-Range (`None` when it has none, or
/// when only the framing is checked and that value is not well formed). Strict mode turns
/// every deviation into an error; tolerant mode records a quirk where the meaning is still
/// clear.
#[allow(clippy::too_many_arguments)]
pub(crate) fn head(
    head: &[u8],
    lines: &[HeaderSpan],
    start: &StartKind,
    has_body: bool,
    mode: Mode,
    limits: &Limits,
    checks: Checks,
    mut paths: Option<&mut PathCache>,
    quirk: &mut impl FnMut(Quirk, usize),
) -> Result<Option<ByteRange>, Violation> {
    let tolerant = mode == Mode::Tolerant;
    let Checks { framing, values } = checks;
    let mut byte_range = None;
    let mut seen_byte_range = false;
    let end_of_head = head.len();

    if framing {
        framing_order(lines, start, has_body, end_of_head, tolerant, quirk)?;
    }

    let uri_opts = ParseOptions::with_mode(mode);
    for (i, h) in lines.iter().enumerate() {
        let Some((kind, exact)) = h.known else {
            extension(head, h, checks, tolerant, quirk)?;
            continue;
        };
        let canonical = kind.canonical();
        if framing {
            if !exact {
                quirk(Quirk::HeaderNameCase, h.name.start);
            }
            // Known header fields take exactly one SP after the colon and nothing after
            // the value (the vectors' reading 2).
            if !h.spaced {
                let raw_start = h.name.end + 1;
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
        }
        let v = &head[h.value.clone()];
        // An error in the value, at the byte that breaks the rule.
        let at = h.value.start;
        let bad = |(reason, offset): Bad| {
            (
                K::InvalidHeader {
                    header: canonical,
                    reason,
                },
                at + offset,
            )
        };
        match kind {
            Known::ByteRange => {
                // Read in every mode: the end-line's diagnostic compares it with the body.
                let parsed = values::byte_range(v);
                if !seen_byte_range {
                    seen_byte_range = true;
                    byte_range = parsed.ok();
                }
                if values {
                    parsed.map_err(bad)?;
                }
            }
            Known::ContentType => {
                // A connection's messages mostly share a few types: checked once each.
                let known = paths.as_deref().is_some_and(|c| c.hit(kind, v));
                if values && !known {
                    match values::media_type(v) {
                        Ok(_) => {
                            if let Some(c) = paths.as_deref_mut() {
                                c.insert(kind, v);
                            }
                        }
                        Err(e) => {
                            if !(tolerant && v.contains(&b'/')) {
                                return Err(bad(e));
                            }
                            quirk(Quirk::HeaderValue, at + e.1);
                        }
                    }
                }
                if framing && has_body && i + 1 != lines.len() {
                    if !tolerant {
                        return Err((K::ContentTypeNotLast, h.name.start));
                    }
                    quirk(Quirk::HeaderOrder, h.name.start);
                }
            }
            _ if values => {
                let paths = paths.as_deref_mut();
                let quirk = &mut |q, offset| quirk(q, at + offset);
                value(kind, v, tolerant, limits, &uri_opts, paths, quirk).map_err(bad)?
            }
            _ => {}
        }
    }
    Ok(byte_range)
}

/// An extension header field (RFC 4975 section 9: `ext-header = hname ":" SP hval`,
/// `hval = utf8text`, `utf8text = *(HTAB / %x20-7E / UTF8-NONASCII)`): one SP after the
/// colon (then anything the value allows, white space included), and a value of UTF-8
/// text without control characters other than HTAB. Strict parsing refuses a deviation,
/// tolerant parsing notes it (`HeaderSpacing`, `HeaderValue`).
fn extension(
    head: &[u8],
    h: &HeaderSpan,
    checks: Checks,
    tolerant: bool,
    quirk: &mut impl FnMut(Quirk, usize),
) -> Result<(), Violation> {
    let deviation =
        |q: Quirk, reason: &'static str, at: usize, quirk: &mut dyn FnMut(Quirk, usize)| {
            if tolerant {
                quirk(q, at);
                Ok(())
            } else {
                Err((
                    K::InvalidHeader {
                        header: "extension",
                        reason,
                    },
                    at,
                ))
            }
        };
    let after_colon = h.name.end + 1;
    if checks.framing && head.get(after_colon) != Some(&b' ') {
        let reason = "no SP after the colon (ext-header = hname \":\" SP hval)";
        deviation(Quirk::HeaderSpacing, reason, after_colon, quirk)?;
    }
    if checks.values {
        let v = head.get(h.value.clone()).unwrap_or_default();
        if let Some(i) = v
            .iter()
            .position(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            let reason = "a control character in the value (hval = utf8text)";
            deviation(Quirk::HeaderValue, reason, h.value.start + i, quirk)?;
        }
        if let Err(e) = core::str::from_utf8(v) {
            let reason = "the value is not UTF-8 (hval = utf8text)";
            deviation(
                Quirk::HeaderValue,
                reason,
                h.value.start + e.valid_up_to(),
                quirk,
            )?;
        }
    }
    Ok(())
}

/// Whether the value `v` of the known header field `kind` passes the checks [`head`]
/// makes of it in `mode`, without a quirk: for the one-pass reader, which leaves anything
/// else to the general reader (so a head it answers is one `head` accepts as it stands).
#[inline]
pub(crate) fn value_is_clean(
    kind: Known,
    v: &[u8],
    opts: &ParseOptions,
    limits: &Limits,
    cache: &mut PathCache,
) -> bool {
    match kind {
        Known::ByteRange => values::byte_range(v).is_ok(),
        Known::ContentType => {
            if cache.hit(kind, v) {
                return true;
            }
            let ok = values::media_type(v).is_ok();
            if ok {
                cache.insert(kind, v);
            }
            ok
        }
        _ => {
            let mut quirk = false;
            let tolerant = opts.mode == Mode::Tolerant;
            let checked = value(kind, v, tolerant, limits, opts, Some(cache), &mut |_, _| {
                quirk = true
            });
            checked.is_ok() && !quirk
        }
    }
}

/// No body on a response; To-Path CRLF From-Path CRLF first (RFC 4975 sections 7.2, 9).
fn framing_order(
    lines: &[HeaderSpan],
    start: &StartKind,
    has_body: bool,
    end_of_head: usize,
    tolerant: bool,
    quirk: &mut impl FnMut(Quirk, usize),
) -> Result<(), Violation> {
    if has_body && matches!(start, StartKind::Response { .. }) {
        return Err((K::ResponseWithBody, end_of_head));
    }
    for (i, want) in [Known::ToPath, Known::FromPath].into_iter().enumerate() {
        let is_want = |h: &HeaderSpan| matches!(h.known, Some((k, _)) if k == want);
        if lines.get(i).is_some_and(is_want) {
            continue;
        }
        match lines.iter().position(is_want) {
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

    Ok(())
}

/// Checks the value of a known header field as a sender must write it: the RFC's grammar
/// with nothing tolerated (the serializer's check, so that strict parsing takes back what
/// it wrote). Byte-Range included (Content-Type is checked where the serializer writes
/// it); an error gives the rule and the offset in `v`.
pub(crate) fn known_value(kind: Known, v: &[u8]) -> Result<(), Bad> {
    match kind {
        Known::ByteRange => values::byte_range(v).map(|_| ()),
        _ => {
            let opts = ParseOptions::with_mode(Mode::Strict);
            value(
                kind,
                v,
                false,
                &Limits::DEFAULT,
                &opts,
                None,
                &mut |_, _| {},
            )
        }
    }
}

/// Checks the value `v` of a known header field other than Byte-Range and Content-Type
/// (which [`head`] checks itself). Errors and quirks give offsets in `v`: the first byte
/// that breaks the rule (or the place where an ident of the wrong shape starts).
fn value(
    kind: Known,
    v: &[u8],
    tolerant: bool,
    limits: &Limits,
    uri_opts: &ParseOptions,
    paths: Option<&mut PathCache>,
    quirk: &mut impl FnMut(Quirk, usize),
) -> Result<(), Bad> {
    match kind {
        Known::ToPath | Known::FromPath | Known::UsePath => {
            // The same session's paths come on every chunk: checked once per parser.
            if paths.as_deref().is_some_and(|c| c.hit(kind, v)) {
                return Ok(());
            }
            match Path::validate(v, uri_opts) {
                Err(e) => return Err(("not a list of MSRP URIs separated by SP", e.offset())),
                Ok(q) if q.has_violation() => {
                    // Where: the first place strict parsing would refuse.
                    let strict = ParseOptions::with_mode(Mode::Strict);
                    let at = Path::validate(v, &strict).err().map_or(0, |e| e.offset());
                    quirk(Quirk::HeaderValue, at)
                }
                Ok(_) => {
                    if let Some(c) = paths {
                        c.insert(kind, v);
                    }
                }
            }
        }
        Known::MessageId => {
            if let Err(e) = values::ident(v, limits.max_tid_len) {
                let loose = !v.is_empty()
                    && v.len() <= limits.max_tid_len
                    && v.iter().all(|b| super::tid::is_ident_char(*b));
                if !(tolerant && loose) {
                    return Err(e);
                }
                quirk(Quirk::NonStandardId, 0);
            }
        }
        Known::SuccessReport => {
            values::report_request(v, false)?;
        }
        Known::FailureReport => {
            values::report_request(v, true)?;
        }
        Known::Status => {
            // comment = utf8text: UTF-8 (checked by the parse) without control characters
            // but HTAB. The code says what the report means: tolerant parsing takes a
            // control character in the comment, and notes it.
            let status = values::status(v)?;
            let control = status
                .comment
                .and_then(|c| values::control_in_text(c.as_bytes()));
            if let Some(k) = control {
                // The comment follows `namespace SP status-code SP`.
                let at = 8 + k;
                if !tolerant {
                    return Err(("a control character in the comment (utf8text)", at));
                }
                quirk(Quirk::HeaderValue, at);
            }
        }
        Known::WwwAuthenticate | Known::Authorization | Known::AuthenticationInfo => {
            let form = if kind == Known::AuthenticationInfo {
                Form::Info
            } else {
                Form::Challenge
            };
            match digest::check_at(v, form)? {
                None => {}
                Some(at) if tolerant => quirk(Quirk::HeaderValue, at),
                Some(at) => {
                    return Err((
                        "white space around \",\" that the grammar does not allow",
                        at,
                    ));
                }
            }
        }
        Known::UseNickname => {
            // nickname = DQUOTE 1*1023(qdtext / qd-esc) DQUOTE (RFC 7701 section 6.1)
            const WHY: &str = "not a quoted nickname of 1 to 1023 characters";
            if v.first() != Some(&b'"') {
                return Err((WHY, 0));
            }
            let end = values::quoted_string_end(v, 0)?;
            if end != v.len() {
                return Err((WHY, end));
            }
            if v.len() == 2 {
                return Err((WHY, 1));
            }
            // quoted_string_end let only whole UTF-8 sequences through.
            let text =
                core::str::from_utf8(&v[1..v.len() - 1]).map_err(|e| (WHY, 1 + e.valid_up_to()))?;
            if let Some((k, _)) = text.char_indices().nth(1023) {
                return Err((WHY, 1 + k));
            }
        }
        Known::Expires | Known::MinExpires | Known::MaxExpires => {
            values::delta_seconds(v)?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::header_line::{
        canonical_name_at_start, classify, same_bytes, split_header, split_known_header,
    };
    use alloc::format;

    #[test]
    fn both_splitters_agree() {
        for line in [
            "To-Path: msrp://h:1/s;tcp",
            "to-path: x",
            "To-Path:x",
            "To-Path :x",
            "To-Path:  x ",
            "X-Custom:\tv\t",
            "1X: v",
            ": v",
            "No colon",
            "Bad\"name: v",
            "Message-ID: a:b",
            "Message-ID:a",
            "From-Path: x y",
            "Failure-Report: yes",
            "Failure-Repor: yes",
            "Min-Expires: 5",
            "Max-Expires:",
            "Status: 000 200 OK",
            "Authentication-Info: x",
            "Use-Nickname: \"n\"",
            "WWW-Authenticate:  a ",
            "Content-Type-X: a",
            "Content-Type",
            "Content-Type:",
            "",
        ] {
            let a = split_header(line.as_bytes(), 3).map(|mut h| {
                h.known = classify(&line.as_bytes()[h.name.start - 3..h.name.end - 3]);
                h
            });
            assert_eq!(split_known_header(line.as_bytes(), 3), a, "{line}");
        }
    }

    #[test]
    fn same_bytes_compares_every_byte() {
        let a: alloc::vec::Vec<u8> = (0..60).collect();
        for n in 0..=a.len() {
            assert!(same_bytes(&a[..n], &a[..n]));
            for at in 0..n {
                let mut b = a[..n].to_vec();
                b[at] ^= 1;
                assert!(!same_bytes(&a[..n], &b), "byte {at} of {n}");
            }
        }
        assert!(!same_bytes(b"abcd", b"abc"));
    }

    #[test]
    fn canonical_names_are_recognised_by_every_byte() {
        // Every known header field, by its canonical name.
        let all = [
            "To-Path",
            "From-Path",
            "Message-ID",
            "Success-Report",
            "Failure-Report",
            "Byte-Range",
            "Status",
            "Content-Type",
            "Use-Path",
            "Expires",
            "Min-Expires",
            "Max-Expires",
            "WWW-Authenticate",
            "Authorization",
            "Authentication-Info",
            "Use-Nickname",
        ]
        .map(|name| classify(name.as_bytes()).unwrap().0);
        for kind in all {
            let line = format!("{}: value", kind.canonical()).into_bytes();
            let colon = kind.canonical().len();
            assert_eq!(canonical_name_at_start(&line), Some((kind, colon)));
            // Any other byte in the name or the colon: not this name.
            for at in 0..=kind.canonical().len() {
                let mut other = line.clone();
                other[at] ^= 0x01;
                assert_ne!(
                    canonical_name_at_start(&other),
                    Some((kind, colon)),
                    "{other:?}"
                );
            }
            let bare = format!("{}:", kind.canonical()).into_bytes();
            let whole = canonical_name_at_start(&bare);
            assert!(whole == Some((kind, colon)) || (whole.is_none() && bare.len() < 8));
        }
    }

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
            let (k, exact) = classify(name.as_bytes()).unwrap();
            assert_eq!(k, kind);
            assert!(k.canonical().eq_ignore_ascii_case(name));
            assert_eq!(exact, k.canonical() == name);
        }
        for other in [
            "To-Pat",
            "Tx-Path",
            "Keep-Alive",
            "Content-ID",
            "",
            "Mix-Expires",
        ] {
            assert!(classify(other.as_bytes()).is_none(), "{other}");
        }
    }
}
