//! URI lists: To-Path, From-Path, Use-Path (RFC 4975 section 9, RFC 4976) and the SDP
//! `a=path` attribute (RFC 4975 section 8.2).

use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::error::{UriError, UriErrorKind};
use crate::options::{Mode, ParseOptions, Quirk, Quirks};
use crate::uri::Uri;

/// A list of MSRP URIs separated by SP, in wire order: `MSRP-URI *( SP MSRP-URI )`.
///
/// For a To-Path the first URI is the next hop and the last is the destination endpoint;
/// for a From-Path the first is the previous hop and the last is the sender. A relay takes
/// its own URI off the front of To-Path ([`Path::pop_front`]) and puts it on the front of
/// From-Path ([`Path::push_front`]) (RFC 4976 section 7).
///
/// A parsed path is never empty; one built or edited by hand may be, and then prints as an
/// empty string, which does not parse back.
///
/// ```
/// use msrp_uri::Path;
///
/// let mut to: Path = "msrp://relay.example.net:2855/r1;tcp msrp://bob.example.com:8888/9di4;tcp"
///     .parse()?;
/// assert_eq!(to.len(), 2);
/// assert_eq!(to.last().map(|u| u.host_str()), Some("bob.example.com"));
/// let hop = to.pop_front().expect("two URIs");
/// assert_eq!(hop.session_id(), Some("r1"));
/// assert_eq!(to.to_string(), "msrp://bob.example.com:8888/9di4;tcp");
/// # Ok::<(), msrp_uri::UriError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Path {
    uris: Vec<Uri>,
}

impl Path {
    /// A path of one URI.
    pub fn new(uri: Uri) -> Path {
        Path {
            uris: alloc::vec![uri],
        }
    }

    /// Parses a URI list strictly: URIs separated by exactly one SP, at least one, at most
    /// [`DEFAULT_MAX_PATH_URIS`](crate::DEFAULT_MAX_PATH_URIS).
    pub fn parse(s: &str) -> Result<Path, UriError> {
        Self::parse_with(s.as_bytes(), &ParseOptions::STRICT).map(|(p, _)| p)
    }

    /// Parses a URI list with the given mode and limits. Tolerant mode also accepts runs of
    /// SP and HTAB between URIs and around the list ([`Quirk::Whitespace`]). Error offsets
    /// count from the start of `input`.
    pub fn parse_with(input: &[u8], opts: &ParseOptions) -> Result<(Path, Quirks), UriError> {
        let mut uris = Vec::new();
        let quirks = walk(input, opts, |uri| {
            let (uri, q) = Uri::parse_with(uri, opts)?;
            uris.push(uri);
            Ok(q)
        })?;
        Ok((Path { uris }, quirks))
    }

    /// Checks a URI list as [`Path::parse_with`] does, without building it (no
    /// allocation): for parsers that must reject bad lists but read them later, if at all.
    pub fn validate(input: &[u8], opts: &ParseOptions) -> Result<Quirks, UriError> {
        if crate::fast::is_common_path(input, opts) {
            return Ok(Quirks::NONE);
        }
        walk(input, opts, |uri| {
            let mut q = Quirks::NONE;
            crate::parser::parse(uri, opts, &mut q)?;
            Ok(q)
        })
    }

    /// The first URI (the next hop of a To-Path, the previous hop of a From-Path).
    pub fn first(&self) -> Option<&Uri> {
        self.uris.first()
    }

    /// The last URI (the destination of a To-Path, the sender of a From-Path).
    pub fn last(&self) -> Option<&Uri> {
        self.uris.last()
    }

    /// The URIs in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Uri> {
        self.uris.iter()
    }

    /// The URIs as a slice.
    pub fn as_slice(&self) -> &[Uri] {
        &self.uris
    }

    /// How many URIs the path holds.
    pub fn len(&self) -> usize {
        self.uris.len()
    }

    /// Whether the path holds no URI.
    pub fn is_empty(&self) -> bool {
        self.uris.is_empty()
    }

    /// Adds a URI in front (a relay adding itself to From-Path).
    pub fn push_front(&mut self, uri: Uri) {
        self.uris.insert(0, uri);
    }

    /// Removes the first URI (a relay taking itself off To-Path).
    pub fn pop_front(&mut self) -> Option<Uri> {
        if self.uris.is_empty() {
            None
        } else {
            Some(self.uris.remove(0))
        }
    }

    /// Adds a URI at the end.
    pub fn push_back(&mut self, uri: Uri) {
        self.uris.push(uri);
    }

    /// Removes the last URI.
    pub fn pop_back(&mut self) -> Option<Uri> {
        self.uris.pop()
    }

    /// The path in reverse order (a From-Path turned into the To-Path of a response or
    /// REPORT, RFC 4975 section 7.2 and 7.1.2).
    pub fn reversed(&self) -> Path {
        Path {
            uris: self.uris.iter().rev().cloned().collect(),
        }
    }

    /// Whether both paths have the same length and their URIs match pairwise by RFC 4975
    /// section 6.1 ([`Uri::matches`]).
    pub fn matches(&self, other: &Path) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a.matches(b))
    }
}

/// Splits a URI list at its separators, checks them, and hands each URI to `f` (whose
/// error offsets are relative to the URI).
fn walk(
    input: &[u8],
    opts: &ParseOptions,
    mut f: impl FnMut(&[u8]) -> Result<Quirks, UriError>,
) -> Result<Quirks, UriError> {
    let tolerant = opts.mode == Mode::Tolerant;
    let mut quirks = Quirks::NONE;
    let mut count = 0;
    let mut pos = 0;
    let n = input.len();
    loop {
        // separator (or leading white space)
        let sep_start = pos;
        while pos < n && matches!(input[pos], b' ' | b'\t') {
            pos += 1;
        }
        let sep = &input[sep_start..pos];
        let at_end = pos == n;
        if at_end && count == 0 {
            return Err(UriError::new(UriErrorKind::EmptyPath, pos));
        }
        // Exactly one SP between URIs; nothing before the first or after the last.
        let one_space = sep.len() == 1 && sep[0] == b' ';
        let ok = if count == 0 || at_end {
            sep.is_empty()
        } else {
            one_space
        };
        if !ok {
            if !tolerant {
                let at = if sep.is_empty() { pos } else { sep_start };
                return Err(UriError::new(UriErrorKind::InvalidSeparator, at));
            }
            quirks.insert(Quirk::Whitespace);
        }
        if at_end {
            return Ok(quirks);
        }
        let end = memchr::memchr2(b' ', b'\t', &input[pos..]).map_or(n, |e| pos + e);
        if count == opts.max_path_uris {
            let max = opts.max_path_uris;
            return Err(UriError::new(UriErrorKind::TooManyUris { max }, pos));
        }
        quirks |= f(&input[pos..end]).map_err(|e| e.shifted(pos))?;
        count += 1;
        pos = end;
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, uri) in self.uris.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(uri.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.uris.iter()).finish()
    }
}

impl FromStr for Path {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Path, UriError> {
        Path::parse(s)
    }
}

impl From<Uri> for Path {
    fn from(uri: Uri) -> Path {
        Path::new(uri)
    }
}

impl From<Vec<Uri>> for Path {
    fn from(uris: Vec<Uri>) -> Path {
        Path { uris }
    }
}

impl From<Path> for Vec<Uri> {
    fn from(path: Path) -> Vec<Uri> {
        path.uris
    }
}

impl FromIterator<Uri> for Path {
    fn from_iter<I: IntoIterator<Item = Uri>>(iter: I) -> Path {
        Path {
            uris: iter.into_iter().collect(),
        }
    }
}

impl Extend<Uri> for Path {
    fn extend<I: IntoIterator<Item = Uri>>(&mut self, iter: I) {
        self.uris.extend(iter);
    }
}

impl IntoIterator for Path {
    type Item = Uri;
    type IntoIter = alloc::vec::IntoIter<Uri>;
    fn into_iter(self) -> Self::IntoIter {
        self.uris.into_iter()
    }
}

impl<'a> IntoIterator for &'a Path {
    type Item = &'a Uri;
    type IntoIter = core::slice::Iter<'a, Uri>;
    fn into_iter(self) -> Self::IntoIter {
        self.uris.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    const A: &str = "msrp://a.example.com:1/x;tcp";
    const B: &str = "msrp://b.example.com:2/y;tcp";

    #[test]
    fn strict_separator_is_one_space() {
        let two = alloc::format!("{A} {B}");
        assert_eq!(Path::parse(&two).unwrap().len(), 2);
        for bad in [
            alloc::format!("{A}  {B}"),
            alloc::format!(" {A}"),
            alloc::format!("{A} "),
            alloc::format!("{A}\t{B}"),
        ] {
            let e = Path::parse(&bad).unwrap_err();
            assert_eq!(e.kind(), UriErrorKind::InvalidSeparator, "{bad:?}");
        }
        assert_eq!(Path::parse("").unwrap_err().kind(), UriErrorKind::EmptyPath);
    }

    #[test]
    fn tolerant_whitespace_is_reported() {
        let (p, q) = Path::parse_with(
            alloc::format!(" {A} \t {B}  ").as_bytes(),
            &ParseOptions::TOLERANT,
        )
        .unwrap();
        assert_eq!(p.to_string(), alloc::format!("{A} {B}"));
        assert!(q.contains(Quirk::Whitespace));
        assert_eq!(
            Path::parse_with(b"  ", &ParseOptions::TOLERANT)
                .unwrap_err()
                .kind(),
            UriErrorKind::EmptyPath
        );
    }

    #[test]
    fn errors_point_into_the_list() {
        let text = alloc::format!("{A} msrp://b.example.com:2/y");
        let e = Path::parse(&text).unwrap_err();
        assert_eq!(e.kind(), UriErrorKind::MissingTransport);
        assert_eq!(e.offset(), text.len());
    }

    #[test]
    fn uri_count_is_limited() {
        let opts = ParseOptions {
            max_path_uris: 2,
            ..ParseOptions::STRICT
        };
        let three = alloc::format!("{A} {B} {A}");
        let e = Path::parse_with(three.as_bytes(), &opts).unwrap_err();
        assert_eq!(e.kind(), UriErrorKind::TooManyUris { max: 2 });
        assert_eq!(e.offset(), 2 * (A.len() + 1));
    }

    #[test]
    fn relay_edits() {
        let mut to: Path = alloc::format!("{A} {B}").parse().unwrap();
        let mut from: Path = "msrp://c.example.com:3/z;tcp".parse().unwrap();
        let me = to.pop_front().unwrap();
        from.push_front(me);
        assert_eq!(to.to_string(), B);
        assert_eq!(from.first().unwrap().as_str(), A);
        assert_eq!(from.reversed().last().unwrap().as_str(), A);
        assert!(to.matches(&Path::parse("msrp://B.example.com:2/y;TCP").unwrap()));
        assert_eq!(to.pop_back().unwrap().as_str(), B);
        assert!(to.is_empty() && to.pop_front().is_none());
        assert_eq!(to.to_string(), "");
    }
}
