//! Header lines (RFC 4975 section 9, `header = hname ":" SP hval CRLF`): where a line's
//! name and value sit, and which known header field a name is. Shared by the line
//! reader, the one-pass reader and the value checks.

use core::ops::Range;

use super::values;

/// Where a header field's name and value sit in [`ChunkHead::raw`](super::ChunkHead::raw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderSpan {
    pub(crate) name: Range<usize>,
    /// The value with surrounding SP/HTAB removed.
    pub(crate) value: Range<usize>,
    /// Exactly one SP between the colon and the value, and nothing after the value.
    pub(crate) spaced: bool,
    /// The known header field it is (set by the parser), and whether its name is spelled
    /// canonically.
    pub(crate) known: Option<(Known, bool)>,
}

/// Splits a header line (without its line end) into name and trimmed value; `None` when it
/// is not `hname ":" hval` with `hname = ALPHA *token` (RFC 4975 section 9). One pass over
/// the name; the value is only looked at its ends.
pub(crate) fn split_header(line: &[u8], at: usize) -> Option<HeaderSpan> {
    if !line.first()?.is_ascii_alphabetic() {
        return None;
    }
    // ":" is not a token character, so the name ends at the first byte that is not one.
    let colon = 1 + line[1..].iter().position(|b| !values::is_token_char(*b))?;
    (line[colon] == b':').then(|| value_span(line, at, colon, None))
}

/// [`split_header`] for a line that must name `name` (a token, compared case-insensitively):
/// the same answer for such a line, found by comparing the line's first bytes with the
/// name instead of scanning the line for the end of its name; `None` for any other line.
#[inline]
pub(crate) fn split_named(line: &[u8], name: &[u8]) -> Option<HeaderSpan> {
    let n = name.len();
    if line.len() <= n || line[n] != b':' || !line[..n].eq_ignore_ascii_case(name) {
        return None;
    }
    // The name a caller asks for is a token starting with a letter (as split_header
    // requires of the line's), so the colon after it ends the line's name.
    if !name[0].is_ascii_alphabetic() || !name[1..].iter().all(|b| values::is_token_char(*b)) {
        return None;
    }
    Some(value_span(line, 0, n, None))
}

/// [`split_header`], and the known header field the name is ([`classify`]). A name spelled
/// exactly as a known one is not checked byte by byte: it is a token.
pub(crate) fn split_known_header(line: &[u8], at: usize) -> Option<HeaderSpan> {
    if let Some((kind, colon)) = canonical_name_at_start(line) {
        return Some(value_span(line, at, colon, Some((kind, true))));
    }
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    let known = classify(name);
    let valid_name = matches!(known, Some((_, true)))
        || (name.first()?.is_ascii_alphabetic() && name.iter().all(|b| values::is_token_char(*b)));
    valid_name.then(|| value_span(line, at, colon, known))
}

/// The known header field whose canonical name, then ":", starts `line` (the spelling
/// most peers use), and where the colon is: no search for the colon, no check of the name
/// byte by byte. Compares two (overlapping) words: the first eight bytes, then the last
/// eight of `name ":"` (and a middle one for the two longest names).
#[inline]
pub(crate) fn canonical_name_at_start(line: &[u8]) -> Option<(Known, usize)> {
    use Known::*;
    const fn word(s: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            w[i] = s[i];
            i += 1;
        }
        u64::from_le_bytes(w)
    }
    const TO: u64 = word(b"To-Path:");
    const FROM: u64 = word(b"From-Path:");
    const MESSAGE: u64 = word(b"Message-ID:");
    const SUCCESS: u64 = word(b"Success-Report:");
    const FAILURE: u64 = word(b"Failure-Report:");
    const BYTE: u64 = word(b"Byte-Range:");
    const CONTENT: u64 = word(b"Content-Type:");
    const USE: u64 = word(b"Use-Path:");
    const NICK: u64 = word(b"Use-Nickname:");
    const EXPIRES: u64 = word(b"Expires:");
    const MIN: u64 = word(b"Min-Expires:");
    const MAX: u64 = word(b"Max-Expires:");
    const WWW: u64 = word(b"WWW-Authenticate:");
    const AUTHZ: u64 = word(b"Authorization:");
    const AUTHN: u64 = word(b"Authentication-Info:");
    /// `Status:` is seven bytes: compared under a mask.
    const STATUS: u64 = word(b"Status:\0");
    const SEVEN: u64 = 0x00ff_ffff_ffff_ffff;

    /// The last eight bytes of `name`.
    const fn tail(name: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            w[i] = name[name.len() - 8 + i];
            i += 1;
        }
        u64::from_le_bytes(w)
    }

    let first = u64::from_le_bytes(line.get(..8)?.try_into().ok()?);
    let (kind, n, last) = match first {
        TO => return Some((ToPath, 7)),
        EXPIRES => return Some((Expires, 7)),
        FROM => (FromPath, 10, const { tail(b"From-Path:") }),
        MESSAGE => (MessageId, 11, const { tail(b"Message-ID:") }),
        SUCCESS => (SuccessReport, 15, const { tail(b"Success-Report:") }),
        FAILURE => (FailureReport, 15, const { tail(b"Failure-Report:") }),
        BYTE => (ByteRange, 11, const { tail(b"Byte-Range:") }),
        CONTENT => (ContentType, 13, const { tail(b"Content-Type:") }),
        USE => (UsePath, 9, const { tail(b"Use-Path:") }),
        NICK => (UseNickname, 13, const { tail(b"Use-Nickname:") }),
        MIN => (MinExpires, 12, const { tail(b"Min-Expires:") }),
        MAX => (MaxExpires, 12, const { tail(b"Max-Expires:") }),
        WWW => (WwwAuthenticate, 17, const { tail(b"WWW-Authenticate:") }),
        AUTHZ => (Authorization, 14, const { tail(b"Authorization:") }),
        AUTHN => (
            AuthenticationInfo,
            20,
            const { tail(b"Authentication-Info:") },
        ),
        _ if first & SEVEN == STATUS => return Some((Status, 6)),
        _ => return None,
    };
    let word_at = |at: usize| line.get(at..at + 8).and_then(|w| w.try_into().ok());
    let got = u64::from_le_bytes(word_at(n - 8)?);
    // The two longest names (17 and 20 bytes with the colon) leave bytes 8.. uncovered.
    let middle = match kind {
        WwwAuthenticate => const { word(b"enticate") },
        AuthenticationInfo => const { word(b"cation-I") },
        _ => return (got == last).then_some((kind, n - 1)),
    };
    (got == last && u64::from_le_bytes(word_at(8)?) == middle).then_some((kind, n - 1))
}

/// The span of a header line whose name ends at `colon`, the value trimmed of SP and HTAB.
#[inline]
fn value_span(line: &[u8], at: usize, colon: usize, known: Option<(Known, bool)>) -> HeaderSpan {
    let is_ws = |b: u8| matches!(b, b' ' | b'\t');
    let n = line.len();
    if n > colon + 2 && line[colon + 1] == b' ' && !is_ws(line[colon + 2]) && !is_ws(line[n - 1]) {
        // The common spelling: one SP, and a value without white space at its ends.
        return HeaderSpan {
            name: at..at + colon,
            value: at + colon + 2..at + n,
            spaced: true,
            known,
        };
    }
    let v_start = colon + 1 + line[colon + 1..].iter().take_while(|b| is_ws(**b)).count();
    let trailing = line[v_start..]
        .iter()
        .rev()
        .take_while(|b| is_ws(**b))
        .count();
    let v_end = n - trailing;
    HeaderSpan {
        name: at..at + colon,
        value: at + v_start..at + v_end,
        spaced: line.get(colon + 1) == Some(&b' ') && v_start == colon + 2 && v_end == n,
        known,
    }
}

/// The header fields whose syntax is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
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

impl Known {
    /// The canonical spelling of the name.
    pub(crate) fn canonical(self) -> &'static str {
        match self {
            Known::ToPath => "To-Path",
            Known::FromPath => "From-Path",
            Known::MessageId => "Message-ID",
            Known::SuccessReport => "Success-Report",
            Known::FailureReport => "Failure-Report",
            Known::ByteRange => "Byte-Range",
            Known::Status => "Status",
            Known::ContentType => "Content-Type",
            Known::UsePath => "Use-Path",
            Known::Expires => "Expires",
            Known::MinExpires => "Min-Expires",
            Known::MaxExpires => "Max-Expires",
            Known::WwwAuthenticate => "WWW-Authenticate",
            Known::Authorization => "Authorization",
            Known::AuthenticationInfo => "Authentication-Info",
            Known::UseNickname => "Use-Nickname",
        }
    }
}

/// The known header field with this name (case-insensitive), and whether the name has the
/// canonical spelling. Dispatches on length and first letters, then compares once (an
/// exact comparison first, as most peers use the canonical spelling).
pub(crate) fn classify(name: &[u8]) -> Option<(Known, bool)> {
    let first = name.first()?.to_ascii_lowercase();
    let second = name.get(1).map_or(0, u8::to_ascii_lowercase);
    let kind = match (name.len(), first, second) {
        (7, b't', _) => Known::ToPath,
        (9, b'f', _) => Known::FromPath,
        (10, b'm', _) => Known::MessageId,
        (14, b's', _) => Known::SuccessReport,
        (14, b'f', _) => Known::FailureReport,
        (10, b'b', _) => Known::ByteRange,
        (6, b's', _) => Known::Status,
        (12, b'c', _) => Known::ContentType,
        (8, b'u', _) => Known::UsePath,
        (7, b'e', _) => Known::Expires,
        (11, b'm', b'i') => Known::MinExpires,
        (11, b'm', b'a') => Known::MaxExpires,
        (16, b'w', _) => Known::WwwAuthenticate,
        (13, b'a', _) => Known::Authorization,
        (19, b'a', _) => Known::AuthenticationInfo,
        (12, b'u', _) => Known::UseNickname,
        _ => return None,
    };
    let canonical = kind.canonical().as_bytes();
    if same_bytes(canonical, name) {
        Some((kind, true))
    } else {
        canonical
            .eq_ignore_ascii_case(name)
            .then_some((kind, false))
    }
}

/// Whether two byte strings are equal, compared a word at a time (the last word overlaps
/// the one before it to cover every byte): header names and transaction ids are a few
/// words long, and a call to `bcmp` costs more than comparing them.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    }
    fn half(s: &[u8], at: usize) -> u32 {
        s.get(at..at + 4)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17.. => {
            let mut at = 0;
            while at + 8 < n {
                if word(a, at) != word(b, at) {
                    return false;
                }
                at += 8;
            }
            word(a, n - 8) == word(b, n - 8)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_named` answers as `split_header` followed by a case-insensitive comparison of
    /// the name, for every way a line can be spelled.
    #[test]
    fn split_named_agrees_with_split_header() {
        let lines: &[&[u8]] = &[
            b"To-Path: msrp://a",
            b"to-path:msrp://a",
            b"TO-PATH:   msrp://a  ",
            b"To-Path :msrp://a",
            b" To-Path: msrp://a",
            b"To-PathX: y",
            b"To-Pat: y",
            b"To-Path",
            b"To-Path:",
            b"To Path: y",
            b"X-To-Path: y",
            b"",
        ];
        for name in ["To-Path", "to-path", "To Path", "1To-Path", "X"] {
            for line in lines {
                let old = split_header(line, 0)
                    .filter(|s| line[s.name.clone()].eq_ignore_ascii_case(name.as_bytes()));
                let new = split_named(line, name.as_bytes());
                assert_eq!(
                    old.map(|s| (s.name, s.value, s.spaced)),
                    new.map(|s| (s.name, s.value, s.spaced)),
                    "{name:?} in {:?}",
                    core::str::from_utf8(line)
                );
            }
        }
    }
}
