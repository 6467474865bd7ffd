//! The small grammars of RFC 3862 section 3.6 and RFC 5438 section 10: character classes,
//! addresses, date-times, tokens and the escape mechanism.

use alloc::borrow::Cow;
use alloc::string::String;

/// NAMECHAR: any US-ASCII character except ".", CTLs or SEPARATORS.
pub(crate) fn is_namechar(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x27 | 0x2a | 0x2b | 0x2d | 0x5e..=0x60 | 0x7c | 0x7e)
        || b.is_ascii_alphanumeric()
}

/// TOKENCHAR: NAMECHAR, "." or any non-ASCII (UTF-8) byte.
pub(crate) fn is_tokenchar(b: u8) -> bool {
    is_namechar(b) || b == b'.' || b >= 0x80
}

/// CTL: %x00-1f and %x7f.
pub(crate) fn is_ctl(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// `Name = 1*NAMECHAR`.
pub(crate) fn is_name(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_namechar(b))
}

/// `Token = 1*TOKENCHAR`.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tokenchar(b))
}

/// `Header-name = [ Name-prefix "." ] Name`: the position of the `.`, if any.
pub(crate) fn header_name(s: &[u8]) -> Option<Option<usize>> {
    match memchr::memchr(b'.', s) {
        None => is_name(s).then_some(None),
        Some(dot) => {
            let (prefix, rest) = s.split_at(dot);
            let name = rest.get(1..)?;
            (is_name(prefix) && is_name(name)).then_some(Some(dot))
        }
    }
}

/// The end (exclusive) of `String = DQUOTE *( Str-char / Escape ) DQUOTE` starting at
/// `s[0] == '"'`, or `None`.
pub(crate) fn quoted_string_end(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while let Some(&b) = s.get(i) {
        match b {
            b'"' => return Some(i + 1),
            b'\\' => {
                let n = escape_len(s.get(i..)?)?;
                i += n;
            }
            _ if is_ctl(b) => return None,
            _ => i += 1,
        }
    }
    None
}

/// Length of the `Escape` at `s[0] == '\\'`.
fn escape_len(s: &[u8]) -> Option<usize> {
    match s.get(1)? {
        b'u' => {
            let hex = s.get(2..6)?;
            hex.iter().all(u8::is_ascii_hexdigit).then_some(6)
        }
        b'b' | b't' | b'n' | b'r' | b'"' | b'\'' | b'\\' => Some(2),
        _ => None,
    }
}

/// An address: `[ Formal-name ] "<" URI ">"` (RFC 3862 From, To, cc; RFC 5438 Original-To,
/// IMDN-Record-Route, IMDN-Route).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameAddr<'a> {
    name: Option<&'a str>,
    quoted: bool,
    uri: &'a str,
}

impl<'a> NameAddr<'a> {
    /// Parses `[ Formal-name ] "<" URI ">"`. One SP between a quoted Formal-name and the `<`
    /// is accepted (every client writes one).
    pub fn parse(value: &'a str) -> Option<NameAddr<'a>> {
        let b = value.as_bytes();
        let (name, quoted, rest) = if b.first() == Some(&b'"') {
            let end = quoted_string_end(b)?;
            let inner = value.get(1..end - 1)?;
            let mut rest = value.get(end..)?;
            rest = rest.strip_prefix(' ').unwrap_or(rest);
            (Some(inner), true, rest)
        } else {
            let lt = memchr::memchr(b'<', b)?;
            let head = value.get(..lt)?;
            if head.is_empty() {
                (None, false, value)
            } else {
                // 1*( Token SP ): tokens each followed by exactly one SP.
                let tokens = head.strip_suffix(' ')?;
                if !tokens.split(' ').all(|t| is_token(t.as_bytes())) {
                    return None;
                }
                (Some(tokens), false, value.get(lt..)?)
            }
        };
        let uri = rest.strip_prefix('<')?.strip_suffix('>')?;
        is_absolute_uri(uri).then_some(NameAddr { name, quoted, uri })
    }

    /// The Formal-name as written, without the quotes of a quoted one (escapes are still
    /// there: see [`NameAddr::display_name`]).
    pub fn name(&self) -> Option<&'a str> {
        self.name
    }

    /// The Formal-name with the escapes of a quoted one decoded.
    pub fn display_name(&self) -> Option<Cow<'a, str>> {
        let name = self.name?;
        Some(if self.quoted {
            unescape(name)
        } else {
            Cow::Borrowed(name)
        })
    }

    /// The URI between `<` and `>`.
    pub fn uri(&self) -> &'a str {
        self.uri
    }
}

/// Writes `[ Formal-name ] "<" URI ">"`: the name as tokens if it is a list of tokens with
/// single spaces, quoted and escaped otherwise.
pub(crate) fn format_name_addr(out: &mut String, name: Option<&str>, uri: &str) {
    if let Some(name) = name {
        if !name.is_empty() && name.split(' ').all(|t| is_token(t.as_bytes())) {
            out.push_str(name);
            out.push(' ');
        } else {
            out.push('"');
            out.push_str(&escape_quoted(name));
            out.push_str("\" ");
        }
    }
    out.push('<');
    out.push_str(uri);
    out.push('>');
}

/// `absolute-URI` (RFC 2396 / RFC 3986 section 4.3), checked as a scheme, a `:` and a
/// non-empty rest without white space, `<`, `>` or controls.
pub(crate) fn is_absolute_uri(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(colon) = memchr::memchr(b':', b) else {
        return false;
    };
    let (scheme, rest) = b.split_at(colon);
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    scheme_ok
        && rest.len() > 1
        && !rest.contains(&b'#')
        && rest
            .iter()
            .all(|&c| !is_ctl(c) && !matches!(c, b' ' | b'<' | b'>' | b'"'))
}

/// RFC 3339 `date-time`: `YYYY-MM-DD "T" hh:mm:ss [.frac] ("Z" / ("+" / "-") hh:mm)`, `T`
/// and `Z` in either case (RFC 3339 section 5.6 note).
pub fn is_date_time(s: &str) -> bool {
    fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
        let d = b.get(at..at + n)?;
        d.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    }
    let b = s.as_bytes();
    let ok = (|| {
        digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        let seps = b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b't'))
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        if !seps
            || !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        match b.get(i)? {
            b'Z' | b'z' => (i + 1 == b.len()).then_some(()),
            b'+' | b'-' => {
                let oh = digits(b, i + 1, 2)?;
                let om = digits(b, i + 4, 2)?;
                (b.get(i + 3) == Some(&b':') && oh <= 23 && om <= 59 && i + 6 == b.len())
                    .then_some(())
            }
            _ => None,
        }
    })();
    ok.is_some()
}

/// Escapes text for a CPIM header value (RFC 3862 section 2.3.1): backslash, backspace,
/// tab, LF and CR as `\\ \b \t \n \r`, other control characters as `\uxxxx`. Everything
/// else is kept. Borrowed when nothing needs escaping.
///
/// ```
/// assert_eq!(msrp_cpim::escape("a\tb\\c"), "a\\tb\\\\c");
/// assert_eq!(msrp_cpim::escape("plain"), "plain");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_inner(text, false)
}

/// [`escape`] for the inside of a quoted string: `"` becomes `\"` too.
pub(crate) fn escape_quoted(text: &str) -> Cow<'_, str> {
    escape_inner(text, true)
}

fn escape_inner(text: &str, quote: bool) -> Cow<'_, str> {
    let needs = |c: char| c == '\\' || (quote && c == '"') || (c as u32) < 0x20 || c == '\x7f';
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if quote => out.push_str("\\\""),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let v = c as u32;
                out.push_str("\\u00");
                for nibble in [v >> 4, v & 0xf] {
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Decodes the escapes of a CPIM header value (RFC 3862 section 2.3.1): `\uxxxx` (a UCS-2
/// code point; a lone surrogate becomes U+FFFD), `\\ \" \' \b \t \n \r`; an unknown escape
/// stands for the character after the backslash, and a backslash at the end is dropped.
/// Borrowed when there is no backslash.
///
/// ```
/// assert_eq!(msrp_cpim::unescape("a\\tb\\u0041\\q"), "a\tbAq");
/// ```
pub fn unescape(value: &str) -> Cow<'_, str> {
    if !value.contains('\\') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('u') => {
                let rest = chars.as_str();
                match rest.get(..4).and_then(|h| u32::from_str_radix(h, 16).ok()) {
                    Some(v) if rest.as_bytes().iter().take(4).all(u8::is_ascii_hexdigit) => {
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        chars = rest.get(4..).unwrap_or("").chars();
                    }
                    _ => out.push('u'),
                }
            }
            Some('b') => out.push('\u{8}'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_addr_forms() {
        let a = NameAddr::parse("Winnie the Pooh <im:pooh@100akerwood.com>").unwrap();
        assert_eq!(a.name(), Some("Winnie the Pooh"));
        assert_eq!(a.uri(), "im:pooh@100akerwood.com");
        let a = NameAddr::parse("<im:tigger@100akerwood.com>").unwrap();
        assert_eq!(a.name(), None);
        let a = NameAddr::parse("\"Mr \\\"S\\\"\" <sip:s@example.com>").unwrap();
        assert_eq!(a.display_name().as_deref(), Some("Mr \"S\""));
        assert!(NameAddr::parse("\"x\"<sip:s@example.com>").is_some());
        for bad in [
            "im:pooh@100akerwood.com",
            "Pooh<im:p@x>",
            "Pooh  <im:p@x>",
            "<im:p@x> trailing",
            "<nocolon>",
            "<im:>",
            "<1im:x>",
            "\"open <im:p@x>",
            "<im:a b>",
        ] {
            assert!(NameAddr::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn format_name_addr_quotes_when_needed() {
        let mut s = String::new();
        format_name_addr(&mut s, Some("MR SANDERS"), "im:piglet@100akerwood.com");
        assert_eq!(s, "MR SANDERS <im:piglet@100akerwood.com>");
        s.clear();
        format_name_addr(&mut s, Some("O'Brien, \"Pat\""), "im:p@x");
        assert_eq!(s, "\"O'Brien, \\\"Pat\\\"\" <im:p@x>");
        let a = NameAddr::parse(&s).unwrap();
        assert_eq!(a.display_name().as_deref(), Some("O'Brien, \"Pat\""));
    }

    #[test]
    fn date_times() {
        for ok in [
            "2000-12-13T13:40:00-08:00",
            "2006-04-04T12:16:49-05:00",
            "2008-04-04T12:16:49Z",
            "2008-04-04t12:16:49.123z",
            "1990-12-31T23:59:60Z",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "",
            "2008-04-04",
            "2008-04-04 12:16:49Z",
            "2008-13-04T12:16:49Z",
            "2008-04-04T12:16:49",
            "2008-04-04T12:16:49+0500",
            "2008-04-04T12:16:49.Z",
            "2008-04-04T12:16:49Zx",
            "２００８-04-04T12:16:49Z",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn escapes_round_trip() {
        let text = "tab\there \\ \"q\" \u{1} \u{7f} é";
        let e = escape(text);
        assert!(!e.bytes().any(is_ctl));
        assert_eq!(unescape(&e), text);
        assert_eq!(unescape("\\"), "");
        assert_eq!(unescape("\\uZZZZ"), "uZZZZ");
        assert_eq!(unescape("\\ud800"), "\u{fffd}");
    }

    #[test]
    fn header_names() {
        assert_eq!(header_name(b"From"), Some(None));
        assert_eq!(header_name(b"imdn.Message-ID"), Some(Some(4)));
        for bad in [
            &b""[..],
            b".x",
            b"x.",
            b"a.b.c",
            b"a b",
            b"a:b",
            b"\xc3\xa9",
        ] {
            assert_eq!(header_name(bad), None);
        }
    }
}
