//! The file transfer attributes of RFC 5547 section 6.

use alloc::string::String;
use alloc::vec::Vec;

/// `token` of RFC 8866 (and RFC 4566): printable ASCII except separators.
pub(crate) fn is_token_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E | 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E)
}

/// A hash selector: `hash:` algorithm `:` hex pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileHash<'a> {
    /// The hash algorithm (`sha-1`; some peers write `sha1`).
    pub algorithm: &'a str,
    /// The hash value, colon-separated hex pairs as written.
    pub value: &'a str,
}

/// `a=file-selector` (RFC 5547 section 6): what file an offer or answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileSelector<'a> {
    /// The attribute value as written; `None` for a bare `a=file-selector` (a capability
    /// query, RFC 5547 section 8.5).
    pub raw: Option<&'a str>,
    /// The `name` selector between its quotes, still percent-encoded.
    pub name: Option<&'a str>,
    /// The `type` selector (`type/subtype` with any parameters).
    pub type_: Option<&'a str>,
    /// The `size` selector, in octets.
    pub size: Option<u64>,
    /// The `hash` selector.
    pub hash: Option<FileHash<'a>>,
}

impl<'a> FileSelector<'a> {
    pub(crate) fn raw_only(raw: Option<&'a str>) -> FileSelector<'a> {
        FileSelector {
            raw,
            ..FileSelector::default()
        }
    }

    /// Parses the value of `a=file-selector` (`None` for the bare attribute).
    pub fn parse(value: Option<&'a str>) -> Result<FileSelector<'a>, &'static str> {
        let mut sel = FileSelector {
            raw: value,
            ..FileSelector::default()
        };
        let Some(v) = value else { return Ok(sel) };
        let b = v.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let rest = &v[i..];
            if let Some(r) = rest.strip_prefix("name:") {
                let end = quoted_end(r).ok_or("name selector is not a quoted string")?;
                if sel.name.replace(&r[1..end - 1]).is_some() {
                    return Err("two name selectors");
                }
                if end == 2 {
                    return Err("empty file name");
                }
                i += 5 + end;
            } else if let Some(r) = rest.strip_prefix("size:") {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 || n > 19 {
                    return Err("size selector is not an integer");
                }
                sel.size = Some(
                    r[..n]
                        .parse()
                        .map_err(|_| "size selector is not an integer")?,
                );
                i += 5 + n;
            } else if let Some(r) = rest.strip_prefix("type:") {
                let n =
                    type_len(r).ok_or("type selector is not type/subtype *(;param=\"value\")")?;
                sel.type_ = Some(&r[..n]);
                i += 5 + n;
            } else if let Some(r) = rest.strip_prefix("hash:") {
                let colon = r.find(':').ok_or("hash selector has no algorithm")?;
                let algorithm = &r[..colon];
                if algorithm.is_empty() || !algorithm.bytes().all(is_token_char) {
                    return Err("hash algorithm is not a token");
                }
                let hv = &r[colon + 1..];
                let n = hv.find(' ').unwrap_or(hv.len());
                let value = &hv[..n];
                let pairs_ok = value
                    .split(':')
                    .all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_hexdigit()));
                if value.is_empty() || !pairs_ok {
                    return Err("hash value is not 2HEXDIG *(\":\" 2HEXDIG)");
                }
                sel.hash = Some(FileHash { algorithm, value });
                i += 5 + colon + 1 + n;
            } else {
                return Err("unknown selector");
            }
            match b.get(i) {
                None => {}
                Some(b' ') if i + 1 < b.len() => i += 1,
                Some(_) => return Err("selectors are not separated by one SP"),
            }
        }
        if sel.name.is_none() && sel.type_.is_none() && sel.size.is_none() && sel.hash.is_none() {
            return Err("no selector");
        }
        Ok(sel)
    }

    /// The file name with percent-encoding decoded (invalid UTF-8 replaced).
    pub fn name_decoded(&self) -> Option<String> {
        let name = self.name?.as_bytes();
        let mut out = Vec::with_capacity(name.len());
        let mut i = 0;
        while i < name.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if name[i] == b'%' {
                if let (Some(h), Some(l)) = (
                    name.get(i + 1).and_then(|c| hex(*c)),
                    name.get(i + 2).and_then(|c| hex(*c)),
                ) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
            }
            out.push(name[i]);
            i += 1;
        }
        Some(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Index just past the quoted string at the start of `s` (which must start with DQUOTE).
fn quoted_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    b[1..].iter().position(|c| *c == b'"').map(|p| p + 2)
}

/// Length of `type "/" subtype *(";" attribute "=" DQUOTE value DQUOTE)` at the start of `s`.
fn type_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let tok = |from: usize| {
        b[from..]
            .iter()
            .take_while(|c| is_token_char(**c) && **c != b'/' && **c != b';' && **c != b'=')
            .count()
    };
    let t = tok(0);
    if t == 0 || b.get(t) != Some(&b'/') {
        return None;
    }
    let st = tok(t + 1);
    if st == 0 {
        return None;
    }
    let mut i = t + 1 + st;
    while b.get(i) == Some(&b';') {
        let a = tok(i + 1);
        if a == 0 || b.get(i + 1 + a) != Some(&b'=') {
            return None;
        }
        i += 1 + a + 1;
        i += quoted_end(&s[i..])?;
    }
    Some(i)
}

/// One `a=file-date` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileDate<'a> {
    /// `creation`, `modification` or `read`.
    pub kind: &'a str,
    /// The RFC 5322 date-time between the quotes.
    pub date: &'a str,
}

/// Parses `date-param *(SP date-param)`.
pub(crate) fn file_dates(v: &str) -> Result<Vec<FileDate<'_>>, &'static str> {
    let mut out = Vec::new();
    let mut rest = v;
    while !rest.is_empty() {
        let colon = rest.find(':').ok_or("date-param is not kind:\"date\"")?;
        let kind = &rest[..colon];
        if !matches!(kind, "creation" | "modification" | "read") {
            return Err("date kind is not creation, modification or read");
        }
        if out.iter().any(|d: &FileDate<'_>| d.kind == kind) {
            return Err("two dates of the same kind");
        }
        let q = &rest[colon + 1..];
        let end = quoted_end(q).ok_or("date is not a quoted string")?;
        out.push(FileDate {
            kind,
            date: &q[1..end - 1],
        });
        rest = &q[end..];
        if !rest.is_empty() {
            rest = rest
                .strip_prefix(' ')
                .filter(|r| !r.is_empty())
                .ok_or("date-params are not separated by one SP")?;
        }
    }
    if out.is_empty() {
        return Err("no date-param");
    }
    Ok(out)
}

/// `a=file-range`: `start-offset "-" stop-offset`, offsets counting from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileRange {
    /// The first octet.
    pub start: u64,
    /// The last octet, `None` for `*` (to the end of the file).
    pub stop: Option<u64>,
}

/// Parses a file-range value.
pub(crate) fn file_range(v: &str) -> Result<FileRange, &'static str> {
    let (a, b) = v.split_once('-').ok_or("not start-stop")?;
    let num = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let start = num(a).ok_or("start-offset is not an integer")?;
    let stop = if b == "*" {
        None
    } else {
        Some(num(b).ok_or("stop-offset is not an integer or \"*\"")?)
    };
    Ok(FileRange { start, stop })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        let s = FileSelector::parse(Some(
            "name:\"My cool%20picture.jpg\" type:image/jpeg;x=\"a b\" size:32349 hash:sha-1:72:24:5F",
        ))
        .unwrap();
        assert_eq!(s.name, Some("My cool%20picture.jpg"));
        assert_eq!(s.name_decoded().as_deref(), Some("My cool picture.jpg"));
        assert_eq!(s.type_, Some("image/jpeg;x=\"a b\""));
        assert_eq!(s.size, Some(32349));
        assert_eq!(
            s.hash,
            Some(FileHash {
                algorithm: "sha-1",
                value: "72:24:5F"
            })
        );
        assert_eq!(FileSelector::parse(None).unwrap().raw, None);
        for bad in [
            "name:x",
            "size:",
            "type:image",
            "hash:sha-1:7",
            "color:red",
            "size:1  size:2",
            "size:1 ",
        ] {
            assert!(FileSelector::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_ranges() {
        let d = file_dates("creation:\"Mon, 15 May 2006 15:01:31 +0300\" read:\"x\"").unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[1],
            FileDate {
                kind: "read",
                date: "x"
            }
        );
        assert!(file_dates("creation:\"a\" creation:\"b\"").is_err());
        assert!(file_dates("birth:\"a\"").is_err());
        assert_eq!(
            file_range("1-*").unwrap(),
            FileRange {
                start: 1,
                stop: None
            }
        );
        assert_eq!(
            file_range("10-20").unwrap(),
            FileRange {
                start: 10,
                stop: Some(20)
            }
        );
        assert!(file_range("-20").is_err());
    }
}
