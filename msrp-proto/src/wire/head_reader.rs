//! Reading a chunk's head in place, from a buffer the caller holds (the shape of an HTTP
//! head parser such as httparse): no copy, and no allocation for heads in the common
//! spelling.

use alloc::vec::Vec;

use super::error::ParseError;
use super::fast_head;
use super::head::ChunkHead;
use super::parser::{ChunkParser, EndLine, ParseEvent};
use super::path_cache::PathCache;
use super::rejected::RejectedHead;
use super::validate::Checks;
use super::validation::Validation;
use crate::Limits;
use msrp_uri::Mode;

/// Reads the head of the chunk at the start of a buffer, borrowing from it.
///
/// Where [`ChunkParser`] takes a stream in pieces and hands out owned events, a
/// `HeadReader` looks at bytes the caller already has (a receive buffer, a capture) and
/// returns a [`ChunkHead<&[u8]>`](ChunkHead) that points into them, with the same typed
/// accessors. It reports exactly what a fresh [`ChunkParser`] with the same settings
/// reports as its first event for the same bytes: the same head and quirks, or the same
/// [`ParseError`] (kind, offset, response code), with offsets counted from the start of
/// the buffer.
///
/// A head that has arrived whole, in the spelling nearly every peer uses (CRLF line
/// ends, header names in their canonical case, one SP before each value, To-Path and
/// From-Path first), is read in one pass without allocating. Any other head is read by the general line reader from a copy of at most
/// [`Limits::max_head_bytes`] + 1 bytes. `Ok(None)` means the head is not complete: call
/// again when the buffer holds more. Each call reads from the start, so for heads that
/// arrive in many small pieces [`ChunkParser`] (which never reads a byte twice) is the
/// better fit. The body after the head is the caller's to read.
///
/// ```
/// use msrp_proto::wire::{Continuation, HeadReader};
/// use msrp_proto::{Limits, Mode};
///
/// let mut reader = HeadReader::new(Limits::DEFAULT, Mode::Strict);
/// let buf = b"MSRP a786hjs2 200 OK\r\n\
///     To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
///     From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
///     -------a786hjs2$\r\nMSRP ...";
/// let read = reader.read(buf)?.expect("a whole head");
/// assert_eq!(read.head.status_code(), Some(200));
/// assert_eq!(read.head.transaction_id().as_str(), "a786hjs2");
/// // A chunk without body: its end-line was read too, and the next chunk starts here.
/// assert_eq!(read.end.map(|e| e.continuation), Some(Continuation::Complete));
/// assert_eq!(&buf[read.len..], b"MSRP ...");
///
/// // Not complete yet:
/// assert!(reader.read(&buf[..40])?.is_none());
/// # Ok::<(), msrp_proto::wire::ParseError>(())
/// ```
pub struct HeadReader {
    limits: Limits,
    mode: Mode,
    validation: Validation,
    /// The URI lists found valid last.
    paths: PathCache,
    /// The parser that reported the last recoverable error, kept for
    /// [`HeadReader::rejected_head`].
    fallback: Option<ChunkParser>,
}

/// A head read by [`HeadReader::read`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRead<'b> {
    /// The start line and header fields, pointing into the buffer.
    pub head: ChunkHead<&'b [u8]>,
    /// How many bytes of the buffer the chunk's head took: through the empty line when a
    /// body follows (the body starts here), or through the end-line of a chunk without
    /// body (the next chunk starts here).
    pub len: usize,
    /// The end-line of a chunk without body (`None` when a body follows).
    pub end: Option<EndLine>,
}

impl core::fmt::Debug for HeadReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HeadReader")
            .field("mode", &self.mode)
            .field("validation", &self.validation)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for HeadReader {
    fn default() -> Self {
        HeadReader::new(Limits::DEFAULT, Mode::Strict)
    }
}

impl HeadReader {
    /// A reader with these limits and mode, checking values as [`Validation::Full`] says.
    pub fn new(limits: Limits, mode: Mode) -> HeadReader {
        HeadReader {
            limits,
            mode,
            validation: Validation::Full,
            paths: PathCache::default(),
            fallback: None,
        }
    }

    /// The same reader, checking heads as `validation` says.
    pub fn with_validation(mut self, validation: Validation) -> HeadReader {
        self.validation = validation;
        self
    }

    /// How much of each head is checked before it is returned.
    pub fn validation(&self) -> Validation {
        self.validation
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Reads the head of the chunk that starts at `buf[0]`. `Ok(None)`: not complete yet.
    /// An error is the one a [`ChunkParser`] reports for these bytes: recoverable ones
    /// (the chunk's start line was read, see [`ParseError::is_fatal`]) leave the chunk's
    /// head for [`HeadReader::rejected_head`].
    pub fn read<'b>(&mut self, buf: &'b [u8]) -> Result<Option<HeadRead<'b>>, ParseError> {
        if let Some(read) = self.read_fast(buf) {
            return Ok(Some(read));
        }
        self.read_general(buf)
    }

    /// What was read of the head of the chunk that the last recoverable error was about
    /// (as [`ChunkParser::rejected_head`]); empty before any.
    pub fn rejected_head(&self) -> RejectedHead<'_> {
        match &self.fallback {
            Some(p) => p.rejected_head(),
            None => RejectedHead::new(&[]),
        }
    }

    /// The one-pass reader; `None` for anything it does not answer (another spelling, an
    /// incomplete head, a value that is wrong or gives a quirk), which the general reader
    /// then reads.
    fn read_fast<'b>(&mut self, buf: &'b [u8]) -> Option<HeadRead<'b>> {
        // The values are checked as the head is read, when they are to be.
        let fast = if self.validation.checks_after_framing() == Checks::NONE {
            fast_head::read::<false>(buf, &self.limits, self.mode, &mut self.paths)?
        } else {
            fast_head::read::<true>(buf, &self.limits, self.mode, &mut self.paths)?
        };
        let head = &buf[..fast.head_end];
        let byte_range = fast.byte_range;
        let (len, end) = match fast.end_line {
            // The fast reader takes CRLF line ends only.
            None => (fast.head_end + 2, None),
            Some((continuation, len)) => {
                let expected = byte_range.and_then(|r| r.octets());
                let end = EndLine::without_body(continuation, false, expected);
                (fast.head_end + len, Some(end))
            }
        };
        let head = ChunkHead {
            raw: head,
            offset: 0,
            // At most 32: the one-pass reader takes only ids within the grammar's length.
            tid_len: fast.tid_len as u8,
            kind: fast.kind,
            first_header: fast.first_header,
            has_body: end.is_none(),
            quirks: Vec::new(),
            spans: super::spans::Noted(fast.spans),
        };
        Some(HeadRead { head, len, end })
    }

    /// The general line reader, on a copy of the bytes a head can take.
    #[inline(never)]
    fn read_general<'b>(&mut self, buf: &'b [u8]) -> Result<Option<HeadRead<'b>>, ParseError> {
        // A head, with its empty line or the end-line of a chunk without body, ends by
        // byte `max_head_bytes` (a limit the parser enforces); a buffer that holds more
        // and no complete head gives the parser's error for a head too large.
        let n = buf.len().min(self.limits.max_head_bytes.saturating_add(1));
        let mut p = ChunkParser::new(self.limits, self.mode).with_validation(self.validation);
        p.feed(&buf[..n]);
        let first = p.next();
        let read = match first {
            None => None,
            Some(Err(e)) => {
                if !e.is_fatal() {
                    self.fallback = Some(p);
                }
                return Err(e);
            }
            Some(Ok(ParseEvent::Head(owned))) => {
                let end = if owned.has_body() {
                    None
                } else {
                    match p.next() {
                        Some(Ok(ParseEvent::End(end))) => Some(end),
                        // The parser hands out a bodiless head with its end-line read.
                        _ => return Ok(None),
                    }
                };
                let len = usize::try_from(p.offset()).unwrap_or(usize::MAX);
                let head = ChunkHead {
                    raw: &buf[..owned.raw.len()],
                    offset: 0,
                    tid_len: owned.tid_len,
                    kind: owned.kind,
                    first_header: owned.first_header,
                    has_body: owned.has_body,
                    quirks: owned.quirks,
                    spans: owned.spans,
                };
                Some(HeadRead { head, len, end })
            }
            // A fresh parser's first event is a head or an error.
            Some(Ok(ParseEvent::Body(_) | ParseEvent::End(_))) => None,
        };
        Ok(read)
    }
}
