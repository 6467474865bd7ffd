//! HTTP Digest parameters of the RFC 4976 AUTH header fields (section 7):
//! WWW-Authenticate, Authorization and Authentication-Info.

use super::values::{Bad, is_token_char, quoted_string_end};

/// Where the parameters of a Digest header field are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `"Digest" SP param *("," SP param)` (WWW-Authenticate, Authorization).
    Challenge,
    /// `ainfo *("," ainfo)`: no scheme, no SP after the comma (Authentication-Info).
    Info,
}

/// Checks a Digest header value. `Ok(false)`: exact grammar; `Ok(true)`: accepted only by
/// allowing optional white space around commas (tolerant mode decides).
pub(crate) fn check(v: &[u8], form: Form) -> Result<bool, &'static str> {
    check_at(v, form)
        .map(|loose| loose.is_some())
        .map_err(|(reason, _)| reason)
}

/// [`check`], with places: `Ok(None)` for the exact grammar, `Ok(Some(at))` when it is
/// accepted only by allowing white space around commas (`at`: the first separator that
/// needs it); an error names the first byte that breaks the grammar.
pub(crate) fn check_at(v: &[u8], form: Form) -> Result<Option<usize>, Bad> {
    let mut loose = None;
    let mut i = 0;
    if form == Form::Challenge {
        if v.len() < 7 || !v[..6].eq_ignore_ascii_case(b"Digest") || v[6] != b' ' {
            let at = v
                .iter()
                .zip(b"Digest ")
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .count();
            return Err(("does not start with \"Digest\" SP", at));
        }
        i = 7;
    }
    loop {
        // name "=" (token / quoted-string)
        let name_start = i;
        while i < v.len() && is_token_char(v[i]) && v[i] != b'=' {
            i += 1;
        }
        if i == name_start || v.get(i) != Some(&b'=') {
            return Err(("parameter is not name \"=\" value", i));
        }
        i += 1;
        if v.get(i) == Some(&b'"') {
            i = quoted_string_end(v, i)?;
        } else {
            let s = i;
            while i < v.len() && is_token_char(v[i]) {
                i += 1;
            }
            if i == s {
                return Err(("empty parameter value", i));
            }
        }
        if i == v.len() {
            return Ok(loose);
        }
        // separator
        let ws = |i: &mut usize| {
            let s = *i;
            while *i < v.len() && matches!(v[*i], b' ' | b'\t') {
                *i += 1;
            }
            *i - s
        };
        let separator = i;
        let before = ws(&mut i);
        if v.get(i) != Some(&b',') {
            return Err(("parameters not separated by \",\"", separator));
        }
        i += 1;
        let after = ws(&mut i);
        let want = usize::from(form == Form::Challenge);
        if (before, after) != (0, want) && loose.is_none() {
            // The first byte that the exact separator does not have there.
            loose = Some(if before > 0 {
                separator
            } else {
                separator + 1 + after.min(want)
            });
        }
    }
}

/// The parameters of a Digest header field, in order: `name=value` pairs with quoted
/// values given without their quotes (backslash escapes are kept as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestParams<'a> {
    rest: &'a [u8],
}

impl<'a> DigestParams<'a> {
    /// The parameters of a value that passed [`check`].
    pub(crate) fn new(v: &'a [u8], form: Form) -> DigestParams<'a> {
        let rest = if form == Form::Challenge {
            v.get(7..).unwrap_or(&[])
        } else {
            v
        };
        DigestParams { rest }
    }

    /// The value of the first parameter with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for DigestParams<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = DigestIter<'a>;
    fn into_iter(self) -> DigestIter<'a> {
        DigestIter { rest: self.rest }
    }
}

/// Iterator over [`DigestParams`].
#[derive(Debug, Clone)]
pub struct DigestIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for DigestIter<'a> {
    type Item = (&'a str, &'a str);
    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let v = self.rest;
        let start = v.iter().position(|b| !matches!(b, b' ' | b'\t' | b','))?;
        let eq = start + v[start..].iter().position(|b| *b == b'=')?;
        let name = core::str::from_utf8(&v[start..eq]).ok()?;
        let (value, end) = if v.get(eq + 1) == Some(&b'"') {
            let end = quoted_string_end(v, eq + 1).ok()?;
            (&v[eq + 2..end - 1], end)
        } else {
            let end = eq
                + 1
                + v[eq + 1..]
                    .iter()
                    .position(|b| !is_token_char(*b))
                    .unwrap_or(v.len() - eq - 1);
            (&v[eq + 1..end], end)
        };
        self.rest = &v[end..];
        Some((name, core::str::from_utf8(value).ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn challenge_and_info() {
        let v = br#"Digest realm="relay.example.net", nonce="abc", qop="auth""#;
        assert_eq!(check(v, Form::Challenge), Ok(false));
        let p = DigestParams::new(v, Form::Challenge);
        assert_eq!(p.get("NONCE"), Some("abc"));
        assert_eq!(
            p.into_iter().collect::<Vec<_>>(),
            [
                ("realm", "relay.example.net"),
                ("nonce", "abc"),
                ("qop", "auth")
            ]
        );
        assert_eq!(
            check(br#"Digest realm="x",nonce="y""#, Form::Challenge),
            Ok(true)
        );
        assert!(check(br#"Basic realm="x""#, Form::Challenge).is_err());
        assert!(check(br#"Digest realm="x"#, Form::Challenge).is_err());
        let info = br#"nextnonce="40f2e879449675f288476d772627370a",rspauth="7327570c586207eca2afae94fc20903e",cnonce="dfd4",nc=00000001,qop=auth"#;
        assert_eq!(check(info, Form::Info), Ok(false));
        assert_eq!(
            DigestParams::new(info, Form::Info).get("nc"),
            Some("00000001")
        );
        assert_eq!(check(br#"nextnonce="a", qop=auth"#, Form::Info), Ok(true));
    }

    /// Errors, and the white space tolerant parsing takes, are placed at the first byte
    /// that breaks the grammar.
    #[test]
    fn places_of_errors_and_loose_separators() {
        let challenge = |v: &[u8]| check_at(v, Form::Challenge);
        assert_eq!(
            challenge(b"Digest realm=\"intra.ex\xe9mple.com\", qop=\"auth\""),
            Err(("not UTF-8 in quoted-string (qdtext = UTF8-NONASCII)", 22))
        );
        assert_eq!(
            check(b"Digest realm=\"intra.ex\xe9mple.com\"", Form::Challenge),
            Err("not UTF-8 in quoted-string (qdtext = UTF8-NONASCII)")
        );
        assert_eq!(
            challenge("Digest realm=\"caf\u{e9}\", qop=\"auth\"".as_bytes()),
            Ok(None)
        );
        let at = |r: Result<Option<usize>, Bad>| r.map_err(|(_, at)| at);
        assert_eq!(at(challenge(b"Basic realm=\"x\"")), Err(0));
        assert_eq!(at(challenge(b"Digestrealm=\"x\"")), Err(6));
        assert_eq!(at(challenge(b"Digest realm=\"x\" qop=a")), Err(16));
        assert_eq!(at(challenge(b"Digest qop=, nc=1")), Err(11));
        assert_eq!(at(challenge(b"Digest =x")), Err(7));
        assert_eq!(challenge(b"Digest a=\"x\",b=y"), Ok(Some(13)));
        assert_eq!(challenge(b"Digest a=\"x\" , b=y"), Ok(Some(12)));
        assert_eq!(challenge(b"Digest a=\"x\",  b=y, c=z"), Ok(Some(14)));
        assert_eq!(challenge(b"Digest a=x, b=y,c=z"), Ok(Some(16)));
        assert_eq!(check_at(b"a=x, b=y", Form::Info), Ok(Some(4)));
        assert_eq!(check_at(b"a=x,b=y", Form::Info), Ok(None));
    }
}
