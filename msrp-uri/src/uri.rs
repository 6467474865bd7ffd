//! The `Uri` type: an owned, cheaply cloned MSRP URI.

use alloc::string::String;
use alloc::sync::Arc;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Range;
use core::str::FromStr;

use crate::error::UriError;
use crate::host::Host;
use crate::options::{ParseOptions, Quirks};
use crate::parser::{self, Components, HostKind};
use crate::scheme::Scheme;
use crate::transport::Transport;

/// A byte range of `Uri::text`; `u16` is enough because URIs are capped at
/// [`MAX_URI_LEN_CAP`](crate::MAX_URI_LEN_CAP) bytes before parsing and a rewrite adds at
/// most a few bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u16,
    end: u16,
}

impl Span {
    fn new(r: Range<usize>) -> Span {
        debug_assert!(
            r.end <= usize::from(u16::MAX),
            "URI longer than the span type allows"
        );
        Span {
            start: r.start as u16,
            end: r.end as u16,
        }
    }

    fn range(self) -> Range<usize> {
        usize::from(self.start)..usize::from(self.end)
    }
}

/// An MSRP URI (RFC 4975 section 6):
/// `msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter)`.
///
/// A `Uri` holds its canonical text in one shared allocation, so `clone` is a reference-count
/// increment, and the components are views into that text.
///
/// # Equality
///
/// `==`, `Hash` and `Ord` compare the canonical text: two `Uri`s are equal when they print
/// the same. That is identity, not the equivalence MSRP uses to match sessions: for that,
/// call [`Uri::matches`] (RFC 4975 section 6.1), or [`Uri::matches_session_id`] (RFC 6714).
///
/// # Canonical form
///
/// The text is the input with the scheme in lower case; in tolerant mode, also without the
/// surrounding white space, empty port and empty parameters, with `;tcp` added when the
/// transport was missing and brackets added around an unbracketed IPv6 address. Everything
/// else (host case, percent-encoding, port digits, parameters) stays as written, so that a
/// URI echoed back to a peer is the one it sent.
///
/// ```
/// use msrp_uri::{Host, Scheme, Transport, Uri};
///
/// let uri: Uri = "msrp://bob.example.com:8888/9di4eae923wzd;tcp".parse()?;
/// assert_eq!(uri.scheme(), Scheme::Msrp);
/// assert_eq!(uri.host(), Host::RegName("bob.example.com"));
/// assert_eq!(uri.port(), Some(8888));
/// assert_eq!(uri.session_id(), Some("9di4eae923wzd"));
/// assert_eq!(uri.transport(), Transport::Tcp);
/// assert_eq!(uri.to_string(), "msrp://bob.example.com:8888/9di4eae923wzd;tcp");
/// # Ok::<(), msrp_uri::UriError>(())
/// ```
#[derive(Clone)]
pub struct Uri {
    text: Arc<str>,
    scheme: Scheme,
    host_kind: HostKind,
    userinfo: Option<Span>,
    host: Span,
    port: Option<u16>,
    session_id: Option<Span>,
    transport: Span,
}

/// One `;name[=value]` URI parameter after the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Param<'a> {
    /// The parameter name, as written.
    pub name: &'a str,
    /// The value after `=`, as written; `None` when there is no `=`.
    pub value: Option<&'a str>,
}

impl Uri {
    /// Parses a URI strictly (RFC 4975 section 9 and the section 6 prose), with the default
    /// limits. Same as `s.parse::<Uri>()`.
    pub fn parse(s: &str) -> Result<Uri, UriError> {
        Self::parse_bytes(s.as_bytes())
    }

    /// Parses a URI strictly from bytes (as found in a chunk header).
    pub fn parse_bytes(input: &[u8]) -> Result<Uri, UriError> {
        Self::parse_with(input, &ParseOptions::STRICT).map(|(uri, _)| uri)
    }

    /// Parses a URI with the given mode and limits, and tells which [`Quirks`] were met.
    ///
    /// ```
    /// use msrp_uri::{ParseOptions, Quirk, Uri};
    ///
    /// let (uri, quirks) = Uri::parse_with(b" MSRP://192.0.2.1/s1 ", &ParseOptions::TOLERANT)?;
    /// assert_eq!(uri.as_str(), "msrp://192.0.2.1/s1;tcp");
    /// assert!(quirks.contains(Quirk::NumericHostWithoutPort));
    /// assert!(quirks.contains(Quirk::MissingTransport));
    /// assert!(Uri::parse("msrp://192.0.2.1/s1").is_err());
    /// # Ok::<(), msrp_uri::UriError>(())
    /// ```
    pub fn parse_with(input: &[u8], opts: &ParseOptions) -> Result<(Uri, Quirks), UriError> {
        let mut quirks = Quirks::NONE;
        let components = parser::parse(input, opts, &mut quirks)?;
        // The parser checked that every byte is ASCII.
        let text = core::str::from_utf8(components.text).map_err(|e| {
            UriError::new(crate::UriErrorKind::NotAscii { byte: 0 }, e.valid_up_to())
        })?;
        Ok((Uri::from_components(&components, text), quirks))
    }

    fn from_components(c: &Components<'_>, text: &str) -> Uri {
        if c.canonical {
            if let Some(t) = &c.transport {
                return Uri {
                    text: Arc::from(text),
                    scheme: c.scheme,
                    host_kind: c.host_kind,
                    userinfo: c.userinfo.clone().map(Span::new),
                    host: Span::new(c.host.clone()),
                    port: c.port.as_ref().map(|(_, p)| *p),
                    session_id: c.session_id.clone().map(Span::new),
                    transport: Span::new(t.clone()),
                };
            }
        }
        Self::rebuild(c, text)
    }

    /// Writes the canonical text of components that need a rewrite.
    fn rebuild(c: &Components<'_>, text: &str) -> Uri {
        let mut out = String::with_capacity(text.len() + 8);
        fn push(out: &mut String, s: &str) -> Span {
            let start = out.len();
            out.push_str(s);
            Span::new(start..out.len())
        }
        out.push_str(c.scheme.as_str());
        out.push_str("://");
        let userinfo = c.userinfo.clone().map(|r| {
            let span = push(&mut out, &text[r]);
            out.push('@');
            span
        });
        let bracketed = c.host_kind.bracketed();
        if bracketed {
            out.push('[');
        }
        let host = push(&mut out, &text[c.host.clone()]);
        if bracketed {
            out.push(']');
        }
        if let Some((digits, _)) = &c.port {
            out.push(':');
            out.push_str(&text[digits.clone()]);
        }
        let session_id = c.session_id.clone().map(|r| {
            out.push('/');
            push(&mut out, &text[r])
        });
        out.push(';');
        let transport = push(&mut out, c.transport.clone().map_or("tcp", |r| &text[r]));
        for p in text[c.params.clone()].split(';').filter(|p| !p.is_empty()) {
            out.push(';');
            out.push_str(p);
        }
        Uri {
            text: Arc::from(out),
            scheme: c.scheme,
            host_kind: c.host_kind,
            userinfo,
            host,
            port: c.port.as_ref().map(|(_, p)| *p),
            session_id,
            transport,
        }
    }

    /// The canonical text of the URI.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `msrp` or `msrps`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether the scheme is `msrps` (TLS required).
    pub fn is_secure(&self) -> bool {
        self.scheme.is_secure()
    }

    /// The userinfo (without `@`), still percent-encoded.
    pub fn userinfo(&self) -> Option<&str> {
        self.userinfo.map(|s| &self.text[s.range()])
    }

    /// The host.
    pub fn host(&self) -> Host<'_> {
        let text = &self.text[self.host.range()];
        match self.host_kind {
            HostKind::RegName => Host::RegName(text),
            HostKind::Ipv4(a) => Host::Ipv4(a),
            HostKind::Ipv6(a) => Host::Ipv6(a),
            HostKind::IpvFuture => Host::IpvFuture(text),
        }
    }

    /// The host as written (an IP-literal without its brackets).
    pub fn host_str(&self) -> &str {
        &self.text[self.host.range()]
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The authority: `[userinfo "@"] host [":" port]`, as written.
    pub fn authority(&self) -> &str {
        let start = self.scheme.as_str().len() + 3;
        // The authority ends before the "/" of the session-id or the ";" of the transport.
        let next = self.session_id.map_or(self.transport.start, |s| s.start);
        &self.text[start..usize::from(next) - 1]
    }

    /// The session-id (after `/`), if any.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.map(|s| &self.text[s.range()])
    }

    /// The transport.
    pub fn transport(&self) -> Transport<'_> {
        Transport::from_token(self.transport_str())
    }

    /// The transport token as written.
    pub fn transport_str(&self) -> &str {
        &self.text[self.transport.range()]
    }

    /// The URI parameters after the transport, in order.
    pub fn params(&self) -> impl Iterator<Item = Param<'_>> + '_ {
        self.text[usize::from(self.transport.end)..]
            .split(';')
            .skip(1)
            .map(|p| match p.split_once('=') {
                Some((name, value)) => Param {
                    name,
                    value: Some(value),
                },
                None => Param {
                    name: p,
                    value: None,
                },
            })
    }

    /// The first parameter with this name (compared case-insensitively: names are tokens).
    pub fn param(&self, name: &str) -> Option<Param<'_>> {
        self.params().find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Uri").field(&&*self.text).finish()
    }
}

impl FromStr for Uri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Uri, UriError> {
        Uri::parse(s)
    }
}

impl TryFrom<&str> for Uri {
    type Error = UriError;
    fn try_from(s: &str) -> Result<Uri, UriError> {
        Uri::parse(s)
    }
}

impl AsRef<str> for Uri {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Identity of the canonical text; see the type's docs for RFC 4975 matching.
impl PartialEq for Uri {
    fn eq(&self, other: &Uri) -> bool {
        self.text == other.text
    }
}

impl Eq for Uri {}

impl Hash for Uri {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for Uri {
    fn partial_cmp(&self, other: &Uri) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Uri {
    fn cmp(&self, other: &Uri) -> Ordering {
        self.text.cmp(&other.text)
    }
}
