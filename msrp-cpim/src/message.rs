//! A parsed (or built) CPIM message: its CPIM headers, MIME headers and body.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use bytes::{BufMut, Bytes, BytesMut};

use crate::imdn::{DispositionNotification, IMDN_NAMESPACE};
use crate::syntax::{self, NameAddr};
use crate::{CpimBuilder, CpimError, ParseOptions, Quirks};

/// The namespace of the RFC 3862 headers, the default namespace of `message/CPIM`
/// (RFC 3862 section 7.1).
pub const CPIM_NAMESPACE: &str = "urn:ietf:params:cpim-headers:";

/// The RFC 3862 section 4 headers, once their name and namespace are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Known {
    From,
    To,
    Cc,
    DateTime,
    Subject,
    Ns,
    Require,
}

impl Known {
    pub(crate) const ALL: [(&'static str, Known); 7] = [
        ("From", Known::From),
        ("To", Known::To),
        ("cc", Known::Cc),
        ("DateTime", Known::DateTime),
        ("Subject", Known::Subject),
        ("NS", Known::Ns),
        ("Require", Known::Require),
    ];
}

/// One CPIM message header (RFC 3862 section 3): `Header-name ":" *( ";" Parameter ) SP
/// Header-value`.
///
/// The name, parameters and value are slices of the parsed input (no copy), except for a
/// header that tolerant parsing unfolded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    pub(crate) name: Bytes,
    pub(crate) dot: Option<usize>,
    pub(crate) params: Bytes,
    pub(crate) value: Bytes,
    pub(crate) namespace: Option<Bytes>,
    pub(crate) known: Option<Known>,
}

/// The text of bytes that parsing or building checked to be UTF-8.
pub(crate) fn text(b: &[u8]) -> &str {
    core::str::from_utf8(b).unwrap_or_default()
}

impl Header {
    /// The header name as written, with its namespace prefix (`imdn.Message-ID`).
    pub fn name(&self) -> &str {
        text(&self.name)
    }

    /// The namespace prefix (`imdn` of `imdn.Message-ID`), if the name has one.
    pub fn prefix(&self) -> Option<&str> {
        self.dot.and_then(|d| self.name().get(..d))
    }

    /// The name without its namespace prefix (`Message-ID`).
    pub fn local_name(&self) -> &str {
        let name = self.name();
        match self.dot {
            Some(d) => name.get(d + 1..).unwrap_or(name),
            None => name,
        }
    }

    /// The URI of the namespace the header belongs to: the one an `NS` header gave its
    /// prefix, or the default namespace (normally [`CPIM_NAMESPACE`]). `None` for a prefix
    /// no `NS` header declared (tolerant parsing only).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref().map(text)
    }

    /// Whether the header is `local_name` in `namespace`.
    pub fn is(&self, namespace: &str, local_name: &str) -> bool {
        self.namespace() == Some(namespace) && self.local_name() == local_name
    }

    /// The value as written (escapes not decoded: see [`crate::unescape`]).
    pub fn value(&self) -> &str {
        text(&self.value)
    }

    /// The value as a slice of the input.
    pub fn value_bytes(&self) -> &Bytes {
        &self.value
    }

    /// The parameters between the colon and the value, as written (`;lang=fr`), or "".
    pub fn raw_params(&self) -> &str {
        text(&self.params)
    }

    /// The parameters as `(name, value)`; a quoted value keeps its quotes.
    pub fn params(&self) -> Params<'_> {
        Params {
            rest: self.raw_params(),
        }
    }

    /// The `lang` parameter (RFC 3862 section 3.3), if any.
    pub fn lang(&self) -> Option<&str> {
        self.params().find(|(n, _)| *n == "lang").map(|(_, v)| v)
    }

    fn encoded_len(&self) -> usize {
        self.name.len() + 2 + self.params.len() + self.value.len() + 2
    }

    fn write(&self, out: &mut BytesMut) {
        out.put_slice(&self.name);
        out.put_u8(b':');
        out.put_slice(&self.params);
        out.put_u8(b' ');
        out.put_slice(&self.value);
        out.put_slice(b"\r\n");
    }
}

/// The `;name=value` parameters of a [`Header`].
#[derive(Debug, Clone)]
pub struct Params<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Params<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest.strip_prefix(';')?;
        let eq = s.find('=')?;
        let (name, after) = s.split_at(eq);
        let after = after.get(1..)?;
        let end = if after.starts_with('"') {
            syntax::quoted_string_end(after.as_bytes())?
        } else {
            after.find(';').unwrap_or(after.len())
        };
        let (value, rest) = after.split_at(end);
        self.rest = rest;
        Some((name, value))
    }
}

/// One header of the encapsulated MIME entity (RFC 3862 section 2.4): `Content-Type`,
/// `Content-ID`, `Content-Disposition`, ... Names compare case-insensitively, as in MIME.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MimeHeader {
    pub(crate) name: Bytes,
    pub(crate) value: Bytes,
}

impl MimeHeader {
    /// The name as written.
    pub fn name(&self) -> &str {
        text(&self.name)
    }

    /// The value as written after the colon and white space, with the line breaks of a
    /// folded header still in it.
    pub fn raw_value(&self) -> &str {
        text(&self.value)
    }

    /// The value unfolded (RFC 5322 section 2.2.3: each line break before white space
    /// removed). Borrowed when the header was on one line.
    pub fn value(&self) -> Cow<'_, str> {
        let raw = self.raw_value();
        if !raw.contains('\n') {
            return Cow::Borrowed(raw);
        }
        Cow::Owned(raw.chars().filter(|&c| c != '\r' && c != '\n').collect())
    }

    fn write(&self, out: &mut BytesMut) {
        out.put_slice(&self.name);
        out.put_slice(b": ");
        out.put_slice(&self.value);
        out.put_slice(b"\r\n");
    }
}

/// A `Subject` header: its text (escapes decoded) and `lang` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject<'a> {
    /// The `;lang=` tag, if any.
    pub lang: Option<&'a str>,
    /// The text.
    pub text: Cow<'a, str>,
}

/// A `message/CPIM` object (RFC 3862): the CPIM message headers, the headers of the
/// encapsulated MIME entity, and its body.
///
/// Parsing is zero-copy: header names, values and the body are slices of the input
/// [`Bytes`]. Equality compares the headers (name, parameters, value, resolved namespace)
/// and the body, not how the input spelled line ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CpimMessage {
    pub(crate) headers: Vec<Header>,
    pub(crate) mime_headers: Vec<MimeHeader>,
    pub(crate) body: Bytes,
}

impl CpimMessage {
    /// A builder for a new message.
    pub fn builder() -> CpimBuilder {
        CpimBuilder::new()
    }

    /// Parses a message strictly (RFC 3862).
    pub fn parse(input: impl Into<Bytes>) -> Result<CpimMessage, CpimError> {
        Self::parse_with(input, &ParseOptions::STRICT).map(|(m, _)| m)
    }

    /// Parses a message with the given options; tolerant parsing says what it let pass.
    pub fn parse_with(
        input: impl Into<Bytes>,
        options: &ParseOptions,
    ) -> Result<(CpimMessage, Quirks), CpimError> {
        crate::parse::parse_all(input.into(), options, true)
    }

    /// Parses the first bytes of a message, as they arrive: `Ok(None)` while they end
    /// inside the header blocks (more is needed), otherwise the message with the part of
    /// the body the prefix holds. An error is one the whole message would have too, found
    /// in the bytes given. The header limits of `options` bound how long it waits: a
    /// prefix longer than a header block can be is refused.
    ///
    /// ```
    /// use msrp_cpim::{CpimMessage, ParseOptions};
    ///
    /// let wire = b"From: <im:alice@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nHel";
    /// let opts = ParseOptions::STRICT;
    /// assert!(CpimMessage::parse_prefix(&wire[..40], &opts)?.is_none());
    /// let (msg, _) = CpimMessage::parse_prefix(&wire[..], &opts)?.expect("the head is there");
    /// assert_eq!(msg.content_type().as_deref(), Some("text/plain"));
    /// assert_eq!(&msg.body()[..], b"Hel");
    /// # Ok::<(), msrp_cpim::CpimError>(())
    /// ```
    pub fn parse_prefix(
        prefix: impl Into<Bytes>,
        options: &ParseOptions,
    ) -> Result<Option<(CpimMessage, Quirks)>, CpimError> {
        crate::parse::parse(prefix.into(), options, crate::parse::Extent::Prefix)
    }

    /// The CPIM message headers, in order.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The encapsulated MIME headers, in order.
    pub fn mime_headers(&self) -> &[MimeHeader] {
        &self.mime_headers
    }

    /// The body of the encapsulated MIME entity (any bytes).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The first CPIM header whose name (with prefix) is exactly `name`.
    pub fn get(&self, name: &str) -> Option<&Header> {
        self.headers.iter().find(|h| h.name() == name)
    }

    /// The CPIM headers named `local_name` in the namespace `namespace`, whatever prefix the
    /// message gave that namespace.
    pub fn headers_in<'a>(
        &'a self,
        namespace: &'a str,
        local_name: &'a str,
    ) -> impl Iterator<Item = &'a Header> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.is(namespace, local_name))
    }

    fn known(&self, k: Known) -> impl Iterator<Item = &Header> {
        self.headers.iter().filter(move |h| h.known == Some(k))
    }

    /// The sender (`From`), if present and well-formed.
    pub fn from(&self) -> Option<NameAddr<'_>> {
        self.known(Known::From)
            .find_map(|h| NameAddr::parse(h.value()))
    }

    /// The recipients (`To` headers).
    pub fn to(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.known(Known::To)
            .filter_map(|h| NameAddr::parse(h.value()))
    }

    /// The courtesy-copy recipients (`cc` headers).
    pub fn cc(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.known(Known::Cc)
            .filter_map(|h| NameAddr::parse(h.value()))
    }

    /// The `DateTime` value (an RFC 3339 date-time, kept as text: no clock or calendar
    /// here), if present and well-formed.
    pub fn datetime(&self) -> Option<&str> {
        self.known(Known::DateTime)
            .map(Header::value)
            .find(|v| syntax::is_date_time(v))
    }

    /// The `Subject` headers (one per language, RFC 3862 section 4.5).
    pub fn subjects(&self) -> impl Iterator<Item = Subject<'_>> {
        self.known(Known::Subject).map(|h| Subject {
            lang: h.lang(),
            text: syntax::unescape(h.value()),
        })
    }

    /// The namespace declarations (`NS` headers) as `(prefix, URI)`; the prefix is `None`
    /// for a default namespace declaration.
    pub fn namespaces(&self) -> impl Iterator<Item = (Option<&str>, &str)> {
        self.known(Known::Ns)
            .filter_map(|h| crate::parse::ns_value(h.value()))
    }

    /// The header names and features a `Require` header asks the receiver to understand.
    pub fn require(&self) -> impl Iterator<Item = &str> {
        self.known(Known::Require)
            .flat_map(|h| h.value().split(','))
            .map(|s| s.trim_matches(' '))
            .filter(|s| !s.is_empty())
    }

    /// The first MIME header named `name` (case-insensitive).
    pub fn mime_header(&self, name: &str) -> Option<&MimeHeader> {
        self.mime_headers
            .iter()
            .find(|h| h.name().eq_ignore_ascii_case(name))
    }

    /// The Content-Type of the encapsulated entity, unfolded.
    pub fn content_type(&self) -> Option<Cow<'_, str>> {
        self.mime_header("Content-Type").map(MimeHeader::value)
    }

    /// The media type of the Content-Type without parameters, lower-cased
    /// (`message/imdn+xml`): what accept-wrapped-types is matched against.
    pub fn media_type(&self) -> Option<alloc::string::String> {
        let ct = self.content_type()?;
        let mt = ct.split(';').next().unwrap_or("").trim_matches([' ', '\t']);
        Some(mt.to_ascii_lowercase())
    }

    /// `imdn.Message-ID` (RFC 5438 section 6.3), whatever prefix the IMDN namespace has.
    pub fn imdn_message_id(&self) -> Option<&str> {
        self.headers_in(IMDN_NAMESPACE, "Message-ID")
            .map(Header::value)
            .find(|v| syntax::is_token(v.as_bytes()))
    }

    /// `imdn.Disposition-Notification` (RFC 5438 section 6.2): the notifications asked for.
    pub fn disposition_notification(&self) -> Option<DispositionNotification<'_>> {
        self.headers_in(IMDN_NAMESPACE, "Disposition-Notification")
            .find_map(|h| DispositionNotification::parse(h.value()))
    }

    /// `imdn.Original-To` (RFC 5438 section 6.4).
    pub fn imdn_original_to(&self) -> Option<NameAddr<'_>> {
        self.headers_in(IMDN_NAMESPACE, "Original-To")
            .find_map(|h| NameAddr::parse(h.value()))
    }

    /// The `imdn.IMDN-Record-Route` headers, in order (RFC 5438 section 6.5).
    pub fn imdn_record_routes(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.headers_in(IMDN_NAMESPACE, "IMDN-Record-Route")
            .filter_map(|h| NameAddr::parse(h.value()))
    }

    /// The `imdn.IMDN-Route` headers, in order (RFC 5438 section 6.6).
    pub fn imdn_routes(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.headers_in(IMDN_NAMESPACE, "IMDN-Route")
            .filter_map(|h| NameAddr::parse(h.value()))
    }

    /// Whether this is an IMDN (RFC 5438 section 9): Content-Type `message/imdn+xml` and
    /// Content-Disposition `notification`.
    pub fn is_imdn(&self) -> bool {
        self.media_type().as_deref() == Some("message/imdn+xml")
            && self.mime_header("Content-Disposition").is_some_and(|h| {
                h.value().split(';').next().is_some_and(|d| {
                    d.trim_matches([' ', '\t'])
                        .eq_ignore_ascii_case("notification")
                })
            })
    }

    /// The number of bytes [`CpimMessage::to_bytes`] writes.
    pub fn encoded_len(&self) -> usize {
        self.headers.iter().map(Header::encoded_len).sum::<usize>()
            + 2
            + self
                .mime_headers
                .iter()
                .map(|h| h.name.len() + 2 + h.value.len() + 2)
                .sum::<usize>()
            + 2
            + self.body.len()
    }

    /// Prints the message: CPIM headers, a blank line, MIME headers, a blank line, the body;
    /// CRLF line ends.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.encoded_len());
        self.write_head(&mut out);
        out.put_slice(&self.body);
        out.freeze()
    }

    /// Writes everything before the body.
    pub(crate) fn write_head(&self, out: &mut BytesMut) {
        for h in &self.headers {
            h.write(out);
        }
        out.put_slice(b"\r\n");
        for h in &self.mime_headers {
            h.write(out);
        }
        out.put_slice(b"\r\n");
    }
}
