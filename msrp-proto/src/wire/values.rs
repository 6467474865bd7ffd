//! Typed values of the RFC 4975 header fields (section 9), parsed from header bytes.

use super::tid::is_ident_char;

/// `Byte-Range: range-start "-" range-end "/" total`; `None` stands for `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteRange {
    /// First octet of the chunk in the message, counting from 1.
    pub start: u64,
    /// Last octet, or `None` for `*` (not known yet: the chunk may be interrupted).
    pub end: Option<u64>,
    /// Size of the whole message, or `None` for `*` (not known yet).
    pub total: Option<u64>,
}

impl ByteRange {
    /// How many octets the range covers (`end - start + 1`), when its end is known and
    /// not before its start.
    pub fn octets(&self) -> Option<u64> {
        (self.end? + 1).checked_sub(self.start)
    }
}

/// A Success-Report or Failure-Report value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportRequest {
    /// `yes`.
    Yes,
    /// `no`.
    No,
    /// `partial` (Failure-Report only).
    Partial,
}

/// `Status: namespace SP status-code [SP comment]` of a REPORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status<'a> {
    /// Three digits; `000` for the codes of RFC 4975.
    pub namespace: u16,
    /// The status code.
    pub code: u16,
    /// The text after the code, if any.
    pub comment: Option<&'a str>,
}

fn digits_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')))
}

/// What is wrong with a header value, and where: the offset in the value of the first
/// byte that does not fit the rule (the value's length when it ends too early).
pub(crate) type Bad = (&'static str, usize);

/// Where `1*DIGIT` (at most 19 digits, which a u64 holds) stops fitting `b`: the first
/// byte that is not a digit, the 20th digit, or 0 for no digit at all.
fn digits_fault(b: &[u8]) -> usize {
    b.iter()
        .take(19)
        .position(|d| !d.is_ascii_digit())
        .unwrap_or(b.len().min(19))
}

/// `1*DIGIT / "*"` in `b` (a range-end or total), or where it stops fitting.
fn number_or_star_checked(b: &[u8]) -> Result<Option<u64>, usize> {
    match b {
        b"*" => Ok(None),
        [b'*', ..] => Err(1),
        _ => digits_u64(b).map(Some).ok_or_else(|| digits_fault(b)),
    }
}

/// Parses a Byte-Range value.
pub(crate) fn byte_range(v: &[u8]) -> Result<ByteRange, Bad> {
    match byte_range_one_pass(v) {
        Some(r) => Ok(r),
        None => byte_range_checked(v),
    }
}

/// One forward pass over a well-formed Byte-Range value; `None` for anything else (then
/// [`byte_range_checked`] finds the reason), so both give the same result on valid input.
fn byte_range_one_pass(v: &[u8]) -> Option<ByteRange> {
    let mut i = 0;
    let start = number_or_star(v, &mut i, false)??;
    (v.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let end = number_or_star(v, &mut i, true)?;
    (v.get(i) == Some(&b'/')).then_some(())?;
    i += 1;
    let total = number_or_star(v, &mut i, true)?;
    (i == v.len()).then_some(ByteRange { start, end, total })
}

/// 1 to 19 digits (u64 holds any 19-digit number) from `v[*i]`, or `*` when `star`
/// (`Some(None)`); moves `*i` past them.
#[inline(always)]
fn number_or_star(v: &[u8], i: &mut usize, star: bool) -> Option<Option<u64>> {
    if star && v.get(*i) == Some(&b'*') {
        *i += 1;
        return Some(None);
    }
    let from = *i;
    let mut n: u64 = 0;
    while let Some(d) = v.get(*i).filter(|d| d.is_ascii_digit()) {
        if *i - from == 19 {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
        *i += 1;
    }
    (*i > from).then_some(Some(n))
}

/// Parses a Byte-Range value, naming what is wrong and where.
fn byte_range_checked(v: &[u8]) -> Result<ByteRange, Bad> {
    // Where the digits (or the one "*", when `star`) that start at `from` end.
    let run = |from: usize, star: bool| {
        if star && v.get(from) == Some(&b'*') {
            return from + 1;
        }
        from + v[from..].iter().take_while(|b| b.is_ascii_digit()).count()
    };
    let dash = v
        .iter()
        .position(|b| *b == b'-')
        .ok_or(("no \"-\" after range-start", run(0, false)))?;
    let slash = v
        .iter()
        .position(|b| *b == b'/')
        .ok_or(("no \"/\" before total", run(dash + 1, true)))?;
    if slash < dash {
        return Err(("\"/\" before \"-\"", slash));
    }
    let start = &v[..dash];
    let start = digits_u64(start).ok_or(("range-start is not 1*DIGIT", digits_fault(start)))?;
    let end = number_or_star_checked(&v[dash + 1..slash])
        .map_err(|at| ("range-end is not 1*DIGIT or \"*\"", dash + 1 + at))?;
    let total = number_or_star_checked(&v[slash + 1..])
        .map_err(|at| ("total is not 1*DIGIT or \"*\"", slash + 1 + at))?;
    Ok(ByteRange { start, end, total })
}

/// Parses a Success-Report (`partial_allowed == false`) or Failure-Report value;
/// the literals are case-insensitive (RFC 5234 section 2.3).
pub(crate) fn report_request(v: &[u8], partial_allowed: bool) -> Result<ReportRequest, Bad> {
    if v.eq_ignore_ascii_case(b"yes") {
        Ok(ReportRequest::Yes)
    } else if v.eq_ignore_ascii_case(b"no") {
        Ok(ReportRequest::No)
    } else if partial_allowed && v.eq_ignore_ascii_case(b"partial") {
        Ok(ReportRequest::Partial)
    } else {
        Err(report_request_fault(v, partial_allowed))
    }
}

/// Why a Success-Report or Failure-Report value is wrong, and where: the first byte that
/// no allowed literal has there.
#[cold]
#[inline(never)]
fn report_request_fault(v: &[u8], partial_allowed: bool) -> Bad {
    let literals: &[&[u8]] = if partial_allowed {
        &[b"yes", b"no", b"partial"]
    } else {
        &[b"yes", b"no"]
    };
    let at = literals
        .iter()
        .map(|l| {
            l.iter()
                .zip(v)
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .count()
        })
        .max()
        .unwrap_or(0);
    let reason = if partial_allowed {
        "not \"yes\", \"no\" or \"partial\""
    } else {
        "not \"yes\" or \"no\""
    };
    (reason, at)
}

/// Parses a Status value.
pub(crate) fn status(v: &[u8]) -> Result<Status<'_>, Bad> {
    let three = |b: &[u8]| -> Option<u16> {
        (b.len() == 3 && b.iter().all(u8::is_ascii_digit))
            .then(|| b.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0')))
    };
    if v.len() >= 7 && v[3] == b' ' {
        if let (Some(namespace), Some(code)) = (three(&v[..3]), three(&v[4..7])) {
            let comment = match v.get(7) {
                None => None,
                Some(b' ') => match core::str::from_utf8(&v[8..]) {
                    Ok(c) => Some(c),
                    Err(_) => return Err(status_fault(v)),
                },
                Some(_) => return Err(status_fault(v)),
            };
            return Ok(Status {
                namespace,
                code,
                comment,
            });
        }
    }
    Err(status_fault(v))
}

/// Why a Status value is wrong, and where: the first byte that breaks
/// `namespace SP status-code [SP comment]`.
#[cold]
#[inline(never)]
fn status_fault(v: &[u8]) -> Bad {
    // Where 3DIGIT at `from` stops, if it does.
    let three = |from: usize| (from..from + 3).find(|&i| !v.get(i).is_some_and(u8::is_ascii_digit));
    if let Some(at) = three(0) {
        return ("namespace is not 3DIGIT", at.min(v.len()));
    }
    if v.get(3) != Some(&b' ') {
        return ("not namespace SP status-code", v.len().min(3));
    }
    if let Some(at) = three(4) {
        return ("status-code is not 3DIGIT", at.min(v.len()));
    }
    match v.get(7) {
        Some(b' ') => {
            let valid = core::str::from_utf8(&v[8..])
                .err()
                .map_or(0, |e| e.valid_up_to());
            ("comment is not UTF-8", 8 + valid)
        }
        _ => ("status-code not followed by SP or end", 7),
    }
}

/// Where the first byte of `text` that `utf8text` does not allow sits: a control
/// character other than HTAB (RFC 4975 section 9: `utf8text = *(HTAB / %x20-7E /
/// UTF8-NONASCII)`); the text is UTF-8 already.
pub(crate) fn control_in_text(text: &[u8]) -> Option<usize> {
    let is_control = |b: u8| (b < 0x20 && b != b'\t') || b == 0x7f;
    // Most text has none: one pass without an early exit, then the place if needed.
    if !text.iter().fold(false, |any, &b| any | is_control(b)) {
        return None;
    }
    text.iter().position(|&b| is_control(b))
}

/// Checks `ident = ALPHANUM 3*31ident-char`, as Message-ID needs. A character that is not
/// an ident-char is pointed at; an ident of the wrong shape (length, first character), as
/// the start line's transaction id, where it starts.
pub(crate) fn ident(v: &[u8], max_len: usize) -> Result<(), Bad> {
    if let Some(at) = v.iter().position(|b| !is_ident_char(*b)) {
        return Err(("not 1*ident-char", at));
    }
    if v.is_empty() {
        return Err(("not 1*ident-char", 0));
    }
    if v.len() > max_len {
        return Err(("longer than the limit", max_len));
    }
    if !(4..=32).contains(&v.len()) || !v[0].is_ascii_alphanumeric() {
        return Err(("not ALPHANUM 3*31ident-char", 0));
    }
    Ok(())
}

/// `1*DIGIT` (RFC 4976 Expires, Min-Expires, Max-Expires; at most 19 digits).
pub(crate) fn delta_seconds(v: &[u8]) -> Result<(), Bad> {
    if digits_u64(v).is_none() {
        return Err(("not 1*DIGIT", digits_fault(v)));
    }
    Ok(())
}

/// `token` of RFC 4975 section 9, as a lookup table.
static TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b, 0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E | 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E);
        b += 1;
    }
    t
};

/// `token` of RFC 4975 section 9.
#[inline]
pub(crate) fn is_token_char(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// The index just after the `quoted-string` that starts at `start` (a DQUOTE):
/// `DQUOTE *(qdtext / qd-esc) DQUOTE` (RFC 4975 section 9), where `qdtext` beyond ASCII
/// is whole UTF-8 sequences (`UTF8-NONASCII`).
pub(crate) fn quoted_string_end(v: &[u8], start: usize) -> Result<usize, Bad> {
    let mut i = start + 1;
    loop {
        match v.get(i) {
            None => return Err(("unterminated quoted-string", i.min(v.len()))),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') if matches!(v.get(i + 1), Some(b'\\' | b'"')) => i += 2,
            Some(b)
                if *b == b'\t'
                    || *b == b' '
                    || *b == 0x21
                    || (0x23..=0x5b).contains(b)
                    || (0x5d..=0x7e).contains(b) =>
            {
                i += 1
            }
            Some(b) if *b >= 0x80 => i += utf8_sequence(v, i)?,
            Some(_) => return Err(("bad character in quoted-string", i)),
        }
    }
}

/// The length of the UTF-8 sequence that starts at `v[i]` (a byte of 0x80 or above), or
/// the error for a byte that does not start a whole one. Out of line: rare.
#[cold]
#[inline(never)]
fn utf8_sequence(v: &[u8], i: usize) -> Result<usize, Bad> {
    let len = match v[i] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    };
    match v.get(i..i + len) {
        Some(seq) if len > 0 && core::str::from_utf8(seq).is_ok() => Ok(len),
        _ => Err(("not UTF-8 in quoted-string (qdtext = UTF8-NONASCII)", i)),
    }
}

/// Checks `media-type = type "/" subtype *( ";" gen-param )` with
/// `gen-param = pname [ "=" pval ]` and `pval = token / quoted-string`.
pub(crate) fn media_type(v: &[u8]) -> Result<(), Bad> {
    let mut i = 0;
    let token = |i: &mut usize| -> bool {
        let s = *i;
        while *i < v.len()
            && is_token_char(v[*i])
            && v[*i] != b'/'
            && v[*i] != b';'
            && v[*i] != b'='
        {
            *i += 1;
        }
        *i > s
    };
    // `/` is not a token character in RFC 4975 (it is in the 0x2F gap), nor `;` or `=`.
    if !token(&mut i) || v.get(i) != Some(&b'/') {
        return Err(("not type \"/\" subtype", i));
    }
    i += 1;
    if !token(&mut i) {
        return Err(("empty or invalid subtype", i));
    }
    while i < v.len() {
        if v[i] != b';' {
            return Err(("media-type has whitespace or a bad character", i));
        }
        i += 1;
        if !token(&mut i) {
            return Err(("invalid parameter name", i));
        }
        if v.get(i) == Some(&b'=') {
            i += 1;
            if v.get(i) == Some(&b'"') {
                i = quoted_string_end(v, i)?;
            } else if !token(&mut i) {
                return Err(("invalid parameter value", i));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octets_of_a_range() {
        let r = |start, end| ByteRange {
            start,
            end,
            total: None,
        };
        assert_eq!(r(1, Some(25)).octets(), Some(25));
        assert_eq!(r(26, Some(26)).octets(), Some(1));
        assert_eq!(r(1, Some(0)).octets(), Some(0));
        assert_eq!(r(5, Some(2)).octets(), None);
        assert_eq!(r(1, None).octets(), None);
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(
            byte_range(b"1-25/25"),
            Ok(ByteRange {
                start: 1,
                end: Some(25),
                total: Some(25)
            })
        );
        assert_eq!(
            byte_range(b"1-*/*"),
            Ok(ByteRange {
                start: 1,
                end: None,
                total: None
            })
        );
        assert!(byte_range(b"*-5/5").is_err());
        assert!(byte_range(b"1-5").is_err());
        assert!(byte_range(b"1-5/99999999999999999999").is_err());
        for v in [
            "1-25/25",
            "1-*/*",
            "9999999999999999999-1/*",
            "1-5/99999999999999999999",
            "1-5/",
            "-5/5",
            "1--5/5",
            "1-5//5",
            "1-5/5/",
            "1-**/5",
            "1/5-5",
            "01-005/0005",
            "",
            "1-5/5 ",
        ] {
            let one = byte_range_one_pass(v.as_bytes());
            let checked = byte_range_checked(v.as_bytes()).ok();
            assert_eq!(one.or(checked), checked, "{v}");
            if checked.is_some() {
                assert_eq!(one, checked, "{v}");
            }
        }
    }

    #[test]
    fn media_types() {
        assert!(media_type(b"text/plain").is_ok());
        assert!(media_type(b"message/cpim").is_ok());
        assert!(media_type(b"text/plain;charset=utf-8").is_ok());
        assert!(
            media_type(b"application/pkcs7-mime;smime-type=enveloped-data;name=\"a b.p7m\"")
                .is_ok()
        );
        assert!(media_type(b"text/plain; charset=utf-8").is_err());
        assert!(media_type(b"text").is_err());
        assert!(media_type(b"text/").is_err());
    }

    #[test]
    fn status_values() {
        assert_eq!(
            status(b"000 200 OK"),
            Ok(Status {
                namespace: 0,
                code: 200,
                comment: Some("OK")
            })
        );
        assert_eq!(
            status(b"000 413"),
            Ok(Status {
                namespace: 0,
                code: 413,
                comment: None
            })
        );
        assert!(status(b"000 20").is_err());
        assert!(status(b"0000 200").is_err());
    }

    /// Errors name the first byte that breaks the rule, or the value's end when it ends
    /// too early.
    #[test]
    fn errors_point_at_the_offending_byte() {
        let at = |r: Result<(), Bad>| r.err().map(|(_, at)| at);
        for (v, want) in [
            ("000 200 OK", None),
            ("000 200", None),
            ("000 200 ", None),
            ("0O0 200 OK", Some(1)),
            ("00", Some(2)),
            ("000200 OK", Some(3)),
            ("000 2OO OK", Some(5)),
            ("000 20", Some(6)),
            ("000 2000 OK", Some(7)),
        ] {
            assert_eq!(at(status(v.as_bytes()).map(|_| ())), want, "{v}");
        }
        assert_eq!(at(status(b"000 200 O\xc9").map(|_| ())), Some(9));
        for (text, want) in [
            ("OK", None),
            ("a\tb \u{e9}", None),
            ("O\u{1}K", Some(1)),
            ("del\u{7f}", Some(3)),
            ("\u{e9}\r\n", Some(2)),
            ("", None),
        ] {
            assert_eq!(control_in_text(text.as_bytes()), want, "{text:?}");
        }
        for (v, want) in [
            ("1-/23", 2),
            ("1-23/", 5),
            ("1/23", 1),
            ("1/23-23", 1),
            ("1-23/2x", 6),
            ("x", 0),
            ("-5/5", 0),
            ("1-**/5", 3),
            ("1-5", 3),
            ("12345678901234567890-1/*", 19),
        ] {
            assert_eq!(at(byte_range(v.as_bytes()).map(|_| ())), Some(want), "{v}");
        }
        for (v, want) in [
            ("text", 4),
            ("text/", 5),
            ("text/plain;=utf-8", 11),
            ("text/plain;charset=", 19),
            ("text/plain;charset=\"utf-8", 25),
            ("text/plain; charset=utf-8", 11),
            ("text/plain;charset=\"a\x01\"", 21),
        ] {
            assert_eq!(at(media_type(v.as_bytes())), Some(want), "{v}");
        }
        assert_eq!(at(report_request(b"maybe", false).map(|_| ())), Some(0));
        assert_eq!(at(report_request(b"yess", false).map(|_| ())), Some(3));
        assert_eq!(at(report_request(b"partial", false).map(|_| ())), Some(0));
        assert_eq!(at(report_request(b"parti", true).map(|_| ())), Some(5));
        assert_eq!(at(ident(b"8765\x002491", 32)), Some(4));
        assert_eq!(at(ident(b".bad", 32)), Some(0));
        assert_eq!(at(ident(b"", 32)), Some(0));
        assert_eq!(at(ident(b"abcdefgh", 6)), Some(6));
        assert_eq!(at(delta_seconds(b"900s")), Some(3));
        assert_eq!(at(delta_seconds(b"")), Some(0));
        assert_eq!(at(delta_seconds(b"12345678901234567890")), Some(19));
        assert_eq!(at(delta_seconds(b"1234567890123456789")), None);
    }

    /// `qdtext` beyond ASCII is `UTF8-NONASCII`: whole UTF-8 sequences only.
    #[test]
    fn quoted_strings_hold_utf8() {
        for v in [
            "\"caf\u{e9}\"",
            "\"\u{20ac}\u{1f600} \\\" \u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}\"",
        ] {
            assert_eq!(quoted_string_end(v.as_bytes(), 0), Ok(v.len()), "{v}");
        }
        for (v, at) in [
            (&b"\"caf\xe9\""[..], 4),
            (b"\"intra.ex\xe9mple.com\"", 9),
            (b"\"\x80\"", 1),
            (b"\"\xc0\xaf\"", 1),
            (b"\"\xc1\xbf\"", 1),
            (b"\"\xe0\x80\xaf\"", 1),
            (b"\"\xed\xa0\x80\"", 1),
            (b"\"\xf4\x90\x80\x80\"", 1),
            (b"\"\xf5\x80\x80\x80\"", 1),
            (b"\"ab\xe2\x82", 3),
            (b"\"\xff\"", 1),
        ] {
            let got = quoted_string_end(v, 0);
            assert_eq!(got.map_err(|(_, at)| at), Err(at), "{v:?}");
        }
        assert_eq!(
            media_type(b"text/plain;name=\"caf\xe9\""),
            Err(("not UTF-8 in quoted-string (qdtext = UTF8-NONASCII)", 20))
        );
        assert!(media_type("text/plain;name=\"caf\u{e9}\"".as_bytes()).is_ok());
    }
}

/// A Content-Type value: `type "/" subtype *( ";" gen-param )` (RFC 4975 section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType<'a> {
    /// The type (`text`), as written; compare case-insensitively.
    pub type_: &'a str,
    /// The subtype (`plain`), as written.
    pub subtype: &'a str,
    params: &'a str,
}

impl<'a> MediaType<'a> {
    /// Splits a Content-Type value; tolerant of white space around `;` and `=`.
    pub fn parse(v: &'a str) -> Option<MediaType<'a>> {
        let (essence, params) = v.split_once(';').unwrap_or((v, ""));
        let (type_, subtype) = essence.trim().split_once('/')?;
        if type_.is_empty() || subtype.is_empty() {
            return None;
        }
        Some(MediaType {
            type_,
            subtype: subtype.trim(),
            params,
        })
    }

    /// Whether this is `type/subtype`, case-insensitively.
    pub fn is(&self, type_: &str, subtype: &str) -> bool {
        self.type_.eq_ignore_ascii_case(type_) && self.subtype.eq_ignore_ascii_case(subtype)
    }

    /// The parameters in order, names and values trimmed, quoted values without quotes
    /// (escapes kept as written).
    pub fn params(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let mut rest = self.params;
        core::iter::from_fn(move || {
            loop {
                if rest.is_empty() {
                    return None;
                }
                // Split at the next ";" outside a quoted-string.
                let bytes = rest.as_bytes();
                let mut i = 0;
                let mut quoted = false;
                while i < bytes.len() && (quoted || bytes[i] != b';') {
                    match bytes[i] {
                        b'"' => quoted = !quoted,
                        b'\\' if quoted => i += 1,
                        _ => {}
                    }
                    i += 1;
                }
                let (param, next) = rest.split_at(i.min(rest.len()));
                rest = next.strip_prefix(';').unwrap_or(next);
                let param = param.trim();
                if param.is_empty() {
                    continue;
                }
                let (name, value) = param.split_once('=').unwrap_or((param, ""));
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                return Some((name.trim(), value));
            }
        })
    }

    /// The value of the first parameter with this name (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod media_type_tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn splits_type_subtype_and_parameters() {
        let m =
            MediaType::parse("application/pkcs7-mime; smime-type=enveloped-data; name=\"a;b.p7m\"")
                .unwrap();
        assert!(m.is("Application", "PKCS7-MIME"));
        assert_eq!(
            m.params().collect::<Vec<_>>(),
            [("smime-type", "enveloped-data"), ("name", "a;b.p7m")]
        );
        assert_eq!(m.param("NAME"), Some("a;b.p7m"));
        assert!(MediaType::parse("text").is_none());
        assert!(
            MediaType::parse("text/plain")
                .unwrap()
                .params()
                .next()
                .is_none()
        );
    }
}
