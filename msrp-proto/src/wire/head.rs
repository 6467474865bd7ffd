//! The head of a chunk: its start line and header fields, as views into its bytes (an owned
//! `Bytes` from [`super::ChunkParser`], or the caller's buffer from [`super::HeadReader`]).

use alloc::vec::Vec;
use bytes::Bytes;
use core::ops::Range;

use super::digest::{DigestParams, Form};
use super::quirk::Quirk;
use super::spans::Noted;
use super::start_line::{Method, StartKind};
use super::tid::TransactionId;
use super::values::{self, ByteRange, MediaType, ReportRequest, Status};
use msrp_uri::{ParseOptions, Path, UriError};

/// One header field as received: the name with its original spelling, the value trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The name as written on the wire.
    pub name: &'a str,
    /// The value, without the SP after the colon and without surrounding SP/HTAB.
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// The value as text, if it is UTF-8 (`utf8text`, RFC 4975 section 9).
    pub fn value_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value).ok()
    }
}

/// The header lines of a head's bytes from `pos` on, without their line ends, each with
/// where it starts.
#[derive(Debug, Clone)]
pub(crate) struct HeaderLines<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for HeaderLines<'a> {
    type Item = (usize, &'a [u8]);
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        let rest = self.raw.get(self.pos..).filter(|r| !r.is_empty())?;
        let nl = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..nl];
        let at = self.pos;
        self.pos += nl + 1;
        Some((at, line.strip_suffix(b"\r").unwrap_or(line)))
    }
}

/// Iterator over the header fields of a [`ChunkHead`].
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    lines: HeaderLines<'a>,
}

impl<'a> Iterator for Headers<'a> {
    type Item = Header<'a>;
    fn next(&mut self) -> Option<Header<'a>> {
        self.lines.find_map(|(_, line)| {
            let span = super::header_line::split_header(line, 0)?;
            Some(Header {
                name: core::str::from_utf8(&line[span.name]).unwrap_or(""),
                value: &line[span.value],
            })
        })
    }
}

/// The start line and header fields of one chunk.
///
/// Values are parsed on demand by the typed accessors; the parser has already checked the
/// syntax of the RFC 4975 header fields (strictly, or tolerantly with [`Quirk`]s recorded),
/// unless it was told to check the framing only ([`super::Validation::Framing`]).
///
/// `R` holds the head's bytes: [`Bytes`] (the default) for heads from
/// [`ChunkParser`](super::ChunkParser), which own them; `&[u8]` for heads that
/// [`HeadReader`](super::HeadReader) reads in place from the caller's buffer
/// ([`ChunkHead::to_owned_head`] copies one out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkHead<R = Bytes> {
    pub(crate) raw: R,
    pub(crate) offset: u64,
    /// The transaction id is `raw[5..5 + tid_len]` (every start line begins `MSRP SP`):
    /// built when asked for, since a [`TransactionId`] is a 49-byte value.
    pub(crate) tid_len: u8,
    pub(crate) kind: StartKind,
    /// Where the first header line starts in `raw` (after the start line).
    pub(crate) first_header: usize,
    pub(crate) has_body: bool,
    pub(crate) quirks: Vec<(Quirk, u64)>,
    /// Where the fields [`ChunkHead::fields`] reads are, when the head was read in one
    /// pass (see `spans`); otherwise `fields` looks for them.
    pub(crate) spans: Noted,
}

impl ChunkHead<&[u8]> {
    /// The same head holding a copy of its bytes (one allocation).
    pub fn to_owned_head(&self) -> ChunkHead {
        ChunkHead {
            raw: Bytes::copy_from_slice(self.raw),
            offset: self.offset,
            tid_len: self.tid_len,
            kind: self.kind.clone(),
            first_header: self.first_header,
            has_body: self.has_body,
            quirks: self.quirks.clone(),
            spans: self.spans,
        }
    }
}

impl<R: AsRef<[u8]>> ChunkHead<R> {
    /// The bytes of the start line and header fields, line ends included.
    pub fn raw(&self) -> &R {
        &self.raw
    }

    /// Where the chunk starts, in bytes from the start of the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The transaction id of the start line (copied out of [`ChunkHead::raw`]).
    pub fn transaction_id(&self) -> TransactionId {
        let raw = self.raw.as_ref();
        TransactionId::from_checked(
            raw.get(5..5 + usize::from(self.tid_len))
                .unwrap_or_default(),
        )
    }

    /// Whether this is a request (else a response).
    pub fn is_request(&self) -> bool {
        matches!(self.kind, StartKind::Request { .. })
    }

    /// The method of a request.
    pub fn method(&self) -> Option<Method> {
        match &self.kind {
            StartKind::Request { method, .. } => Some(*method),
            StartKind::Response { .. } => None,
        }
    }

    /// The method name of a request as written (also for [`Method::Other`]).
    pub fn method_name(&self) -> Option<&str> {
        match &self.kind {
            StartKind::Request { name, .. } => self.text(name.clone()),
            StartKind::Response { .. } => None,
        }
    }

    /// The status code of a response.
    pub fn status_code(&self) -> Option<u16> {
        match &self.kind {
            StartKind::Response { code, .. } => Some(*code),
            StartKind::Request { .. } => None,
        }
    }

    /// The comment after a response's status code: `None` without SP, `Some("")` with SP
    /// and nothing after it.
    pub fn comment(&self) -> Option<&str> {
        match &self.kind {
            StartKind::Response {
                comment: Some(c), ..
            } => self.text(c.clone()),
            _ => None,
        }
    }

    /// Whether a body follows (the header section ended with an empty line).
    pub fn has_body(&self) -> bool {
        self.has_body
    }

    /// The deviations tolerant parsing accepted, with stream offsets.
    pub fn quirks(&self) -> &[(Quirk, u64)] {
        &self.quirks
    }

    /// The header fields in wire order. They are read from [`ChunkHead::raw`] on each call
    /// (the parser checked them already), so a head holds no per-header storage.
    pub fn headers(&self) -> Headers<'_> {
        Headers {
            lines: self.header_lines(),
        }
    }

    /// The header lines, each with where it starts in [`ChunkHead::raw`].
    pub(crate) fn header_lines(&self) -> HeaderLines<'_> {
        HeaderLines {
            raw: self.raw.as_ref(),
            pos: self.first_header,
        }
    }

    /// The first header field with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<Header<'_>> {
        if name.is_empty() {
            return None;
        }
        // The relay and the endpoints look fields up many times per chunk: a line is
        // compared with the name at its start, not split and checked first.
        self.header_lines().find_map(|(_, line)| {
            let span = super::header_line::split_named(line, name.as_bytes())?;
            Some(Header {
                // The line's spelling of the name: a token, so ASCII.
                name: core::str::from_utf8(&line[span.name]).unwrap_or(""),
                value: &line[span.value],
            })
        })
    }

    /// The value of the first header field with this name.
    pub fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.header(name).map(|h| h.value)
    }

    fn text(&self, r: Range<usize>) -> Option<&str> {
        core::str::from_utf8(self.raw.as_ref().get(r)?).ok()
    }

    fn path(&self, name: &str) -> Option<Result<Path, UriError>> {
        let v = self.header_value(name)?;
        Some(Path::parse_with(v, &ParseOptions::TOLERANT).map(|(p, _)| p))
    }

    /// To-Path (the parser guarantees it is present).
    pub fn to_path(&self) -> Result<Path, UriError> {
        self.path("To-Path").unwrap_or_else(|| Path::parse(""))
    }

    /// From-Path (the parser guarantees it is present).
    pub fn from_path(&self) -> Result<Path, UriError> {
        self.path("From-Path").unwrap_or_else(|| Path::parse(""))
    }

    /// Use-Path (RFC 4976), if present.
    pub fn use_path(&self) -> Option<Result<Path, UriError>> {
        self.path("Use-Path")
    }

    /// Message-ID, if present.
    pub fn message_id(&self) -> Option<&str> {
        self.header("Message-ID").and_then(|h| h.value_str())
    }

    /// Byte-Range, if present and well formed.
    pub fn byte_range(&self) -> Option<ByteRange> {
        values::byte_range(self.header_value("Byte-Range")?).ok()
    }

    /// Success-Report, if present and well formed.
    pub fn success_report(&self) -> Option<ReportRequest> {
        values::report_request(self.header_value("Success-Report")?, false).ok()
    }

    /// Failure-Report, if present and well formed.
    pub fn failure_report(&self) -> Option<ReportRequest> {
        values::report_request(self.header_value("Failure-Report")?, true).ok()
    }

    /// Status (REPORT requests), if present and well formed.
    pub fn status(&self) -> Option<Status<'_>> {
        values::status(self.header_value("Status")?).ok()
    }

    /// Content-Type, as written.
    pub fn content_type(&self) -> Option<&str> {
        self.header("Content-Type").and_then(|h| h.value_str())
    }

    /// Content-Type as a typed value (type, subtype, parameters).
    pub fn media_type(&self) -> Option<MediaType<'_>> {
        MediaType::parse(self.content_type()?)
    }

    /// The MIME header fields other than Content-Type (Content-ID, Content-Description,
    /// Content-Disposition and other `Content-*` fields, RFC 4975 section 9), in order.
    pub fn mime_headers(&self) -> impl Iterator<Item = Header<'_>> + '_ {
        self.headers().filter(|h| {
            h.name.len() > 8
                && h.name
                    .get(..8)
                    .is_some_and(|p| p.eq_ignore_ascii_case("Content-"))
                && !h.name.eq_ignore_ascii_case("Content-Type")
        })
    }

    fn number(&self, name: &str) -> Option<u64> {
        let v = self.header_value(name)?;
        if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(v.iter().fold(0, |a, d| a * 10 + u64::from(d - b'0')))
    }

    /// Expires (RFC 4976 section 7), in seconds, if present and a number.
    pub fn expires(&self) -> Option<u64> {
        self.number("Expires")
    }

    /// Min-Expires (RFC 4976 section 7), in seconds, if present and a number.
    pub fn min_expires(&self) -> Option<u64> {
        self.number("Min-Expires")
    }

    /// Max-Expires (RFC 4976 section 7), in seconds, if present and a number.
    pub fn max_expires(&self) -> Option<u64> {
        self.number("Max-Expires")
    }

    /// WWW-Authenticate (RFC 4976 section 7), if present.
    pub fn www_authenticate(&self) -> Option<DigestParams<'_>> {
        Some(DigestParams::new(
            self.header_value("WWW-Authenticate")?,
            Form::Challenge,
        ))
    }

    /// Authorization (RFC 4976 section 7), if present.
    pub fn authorization(&self) -> Option<DigestParams<'_>> {
        Some(DigestParams::new(
            self.header_value("Authorization")?,
            Form::Challenge,
        ))
    }

    /// Authentication-Info (RFC 4976 section 7), if present.
    pub fn authentication_info(&self) -> Option<DigestParams<'_>> {
        Some(DigestParams::new(
            self.header_value("Authentication-Info")?,
            Form::Info,
        ))
    }

    /// Use-Nickname (RFC 7701 section 6.1) without its quotes, if present (escapes kept).
    pub fn use_nickname(&self) -> Option<&str> {
        let v = self.header("Use-Nickname")?.value_str()?;
        v.strip_prefix('"')?.strip_suffix('"')
    }
}
