//! The incremental chunk parser.
//!
//! Bytes go in (`feed`, or `decode` on the caller's `BytesMut`), events come out: the head
//! of a chunk, its body in pieces, and its end. Memory held is bounded by
//! [`Limits::max_head_bytes`] while a head is read and by the length of one end-line while a
//! body streams, whatever the body's size.
//!
//! A head that is complete when the parser first looks at it, and spelled as nearly every
//! peer spells it, is read in one pass ([`super::fast_head`]); any other head (arriving in
//! pieces, or with another spelling, or wrong) is read line by line by the general reader,
//! from its start: at most one more pass over at most [`Limits::max_head_bytes`] per chunk.
//!
//! Scanning never goes back over examined bytes: header lines are found with `memchr` from
//! where the last search stopped, and the end-line of a body is found with one
//! `memmem::Finder` for `CRLF "-------"` (built once per parser), then checked in place
//! byte by byte, keeping how far a candidate end-line was verified across feeds. Because
//! the first byte of the searched sequence occurs nowhere else in it, a failed candidate
//! never needs a step back.

use super::values::ByteRange;
use alloc::vec::Vec;
use bytes::{Buf, Bytes, BytesMut};
use memchr::memmem::Finder;

use super::continuation::Continuation;
use super::error::{ParseError, ParseErrorKind as K};
use super::fast_head;
use super::head::ChunkHead;
use super::header_line::{self, HeaderSpan};
use super::path_cache::PathCache;
use super::quirk::Quirk;
use super::rejected::RejectedHead;
use super::spans::{Noted, Spans};
use super::start_line::{self, StartLine};
use super::tid::TransactionId;
use super::validate;
use super::validation::Validation;
use crate::Limits;
use msrp_uri::Mode;

/// The end of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndLine {
    /// The continuation flag.
    pub continuation: Continuation,
    /// Body octets the chunk carried, as framed by the end-line (not as Byte-Range said).
    pub body_length: u64,
    /// Whether the end-line (or the line end before it) used LF without CR (tolerant mode).
    pub bare_lf: bool,
    /// When Byte-Range has a numeric range-end: whether `end - start + 1` equals
    /// `body_length`. Framing never relies on Byte-Range (peers send wrong ones, and so do
    /// RFC examples); a mismatch is only reported here.
    pub byte_range_matches: Option<bool>,
}

impl EndLine {
    /// The end-line of a chunk without body whose Byte-Range announced `expected` octets.
    pub(crate) fn without_body(
        continuation: Continuation,
        bare_lf: bool,
        expected: Option<u64>,
    ) -> EndLine {
        EndLine {
            continuation,
            body_length: 0,
            bare_lf,
            byte_range_matches: expected.map(|n| n == 0),
        }
    }
}

/// One step of parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseEvent {
    /// A chunk's start line and header fields.
    Head(ChunkHead),
    /// A piece of the body of the chunk whose head came last (zero or more per chunk).
    Body(Bytes),
    /// The end of that chunk.
    End(EndLine),
}

const PREFIX_CRLF: &[u8] = b"\r\n-------";
const PREFIX_LF: &[u8] = b"\n-------";

#[derive(Debug)]
enum State {
    /// Reading the start line.
    Start,
    /// Reading header lines.
    Head,
    /// Streaming a body (or skipping a bad chunk, with `discard`).
    Body(Scan),
    /// The end-line was found at the front of the buffer: `len` bytes to drop.
    End {
        len: usize,
        end: EndLine,
        discard: bool,
    },
    /// A fatal error was reported; nothing more is parsed.
    Failed,
}

#[derive(Debug)]
struct Scan {
    tid: TransactionId,
    /// No end-line starts before this index.
    from: usize,
    /// A candidate end-line: where it starts and how many of its bytes are verified.
    cand: Option<(usize, usize)>,
    body_len: u64,
    /// The body length Byte-Range announces, when it has a numeric range-end.
    expected: Option<u64>,
    discard: bool,
    /// Candidates that turned out not to be this chunk's end-line.
    misses: u32,
    /// Whether the search uses the parser's finder for prefix and transaction id together.
    full: bool,
}

impl Scan {
    fn new(tid: TransactionId, from: usize, expected: Option<u64>, discard: bool) -> Scan {
        Scan {
            tid,
            from,
            cand: None,
            body_len: 0,
            expected,
            discard,
            misses: 0,
            full: false,
        }
    }
}

/// The capacity of the buffer [`ChunkParser::feed`] copies into, at first (it grows as
/// needed): several small chunks, so that the room consumed chunks leave at its front is
/// reclaimed once every few chunks rather than on every feed.
const INITIAL_BUFFER: usize = 4096;

/// After this many failed candidates in one chunk, the end-line is searched with a finder
/// for `CRLF "-------" transact-id` (built for that chunk) instead of `CRLF "-------"`:
/// bodies dense with other end-lines then cost one search per real candidate. Small chunks
/// never get there, so they build nothing.
const FULL_FINDER_AFTER: u32 = 16;

/// Which reader read a head.
enum ReadBy {
    /// The general line reader: nothing is checked yet but the lines' syntax.
    Lines,
    /// The one-pass reader: the framing is checked (and the values, if they are to be),
    /// and the first Byte-Range was read.
    OnePass {
        byte_range: Option<ByteRange>,
        spans: Option<Spans>,
    },
}

/// What the end-line scanner found.
enum Scanned {
    /// The body ends at `body_end`; the end-line (with the line end before it) is `len` bytes.
    Found {
        body_end: usize,
        len: usize,
        flag: Continuation,
        bare_lf: bool,
    },
    /// No end-line yet; bytes before `safe` are body.
    NeedMore { safe: usize },
}

/// The incremental, sans-IO chunk parser (RFC 4975 section 9 framing).
///
/// ```
/// use msrp_proto::wire::{ChunkParser, Continuation, ParseEvent};
///
/// let mut parser = ChunkParser::default();
/// parser.feed(b"MSRP a786hjs2 SEND\r\nTo-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n");
/// assert!(parser.next().is_none()); // the head is not complete yet
/// parser.feed(b"From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
///     Message-ID: 87652491\r\nByte-Range: 1-25/25\r\nContent-Type: text/plain\r\n\r\n\
///     Hey Bob, are you there?\r\n-------a786hjs2$\r\n");
/// let Some(Ok(ParseEvent::Head(head))) = parser.next() else { panic!() };
/// assert_eq!(head.transaction_id().as_str(), "a786hjs2");
/// assert_eq!(head.message_id(), Some("87652491"));
/// let Some(Ok(ParseEvent::Body(body))) = parser.next() else { panic!() };
/// assert_eq!(&body[..], b"Hey Bob, are you there?");
/// let Some(Ok(ParseEvent::End(end))) = parser.next() else { panic!() };
/// assert_eq!(end.continuation, Continuation::Complete);
/// assert!(parser.next().is_none());
/// ```
pub struct ChunkParser {
    buf: BytesMut,
    core: Core,
}

/// Everything but the buffer, so that [`ChunkParser::next`] borrows the two apart (no
/// moving the buffer in and out on every call).
struct Core {
    mode: Mode,
    limits: Limits,
    validation: Validation,
    state: State,
    /// Stream offset of the first byte of the buffer.
    base: u64,
    crlf: Finder<'static>,
    lf: Finder<'static>,
    /// The finder for the current chunk's whole end-line prefix, once it has many misses.
    full: Option<Finder<'static>>,
    /// Head reading: the buffer was searched for LF up to here.
    searched: usize,
    /// Head reading: where the current line starts.
    line_start: usize,
    start: Option<StartLine>,
    /// Header lines of the current head (reused between chunks: no allocation once warm).
    lines: Vec<HeaderSpan>,
    /// The URI lists found valid last.
    paths: PathCache,
    /// Where the first header line starts (after the start line).
    first_header: usize,
    /// The body length the current head's Byte-Range announces.
    expected: Option<u64>,
    quirks: Vec<(Quirk, u64)>,
    /// The head of the chunk the last recoverable error skipped, as far as it was read.
    rejected: Bytes,
    /// How many bytes of the buffer that head is (set with the error).
    skipped_head: usize,
}

impl core::fmt::Debug for ChunkParser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChunkParser")
            .field("mode", &self.core.mode)
            .field("validation", &self.core.validation)
            .field("limits", &self.core.limits)
            .field("state", &self.core.state)
            .field("offset", &self.core.base)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Default for ChunkParser {
    fn default() -> Self {
        ChunkParser::new(Limits::DEFAULT, Mode::Strict)
    }
}

impl ChunkParser {
    /// A parser with these limits and mode.
    pub fn new(limits: Limits, mode: Mode) -> ChunkParser {
        ChunkParser {
            buf: BytesMut::with_capacity(INITIAL_BUFFER),
            core: Core {
                mode,
                limits,
                validation: Validation::Full,
                state: State::Start,
                base: 0,
                crlf: Finder::new(PREFIX_CRLF),
                lf: Finder::new(PREFIX_LF),
                full: None,
                searched: 0,
                line_start: 0,
                start: None,
                lines: Vec::new(),
                paths: PathCache::default(),
                first_header: 0,
                expected: None,
                quirks: Vec::new(),
                rejected: Bytes::new(),
                skipped_head: 0,
            },
        }
    }

    /// The same parser, checking heads as `validation` says (the default is
    /// [`Validation::Full`]).
    pub fn with_validation(mut self, validation: Validation) -> ChunkParser {
        self.core.validation = validation;
        self
    }

    /// How much of each head is checked before it is handed out.
    pub fn validation(&self) -> Validation {
        self.core.validation
    }

    /// Appends received bytes to the parser's buffer (one copy). Then call
    /// [`ChunkParser::next`] until it returns `None`.
    pub fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next event from the fed bytes; `None` when more bytes are needed (or after a
    /// fatal error).
    #[allow(clippy::should_implement_trait)] // not an Iterator: None means "feed more"
    pub fn next(&mut self) -> Option<Result<ParseEvent, ParseError>> {
        if self.core.wait_for_body(&self.buf) {
            return None;
        }
        self.core.step(&mut self.buf)
    }

    /// The zero-copy path, shaped like a tokio-util `Decoder`: parses from the caller's
    /// buffer, splitting off what it consumed. `Ok(None)` means "read more into `src` and
    /// call again". Use one parser per stream and always the same buffer.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ParseEvent>, ParseError> {
        if self.core.wait_for_body(src) {
            return Ok(None);
        }
        self.core.step(src).transpose()
    }

    /// Hands the bytes buffered by [`ChunkParser::feed`] to `dst`, which must be empty,
    /// taking `dst`'s (empty) buffer in exchange, so that parsing goes on with
    /// [`ChunkParser::decode`] on `dst`: the parser's positions are relative to the
    /// buffer's start, which the bytes keep. Does nothing when `dst` is not empty.
    pub(crate) fn move_buffered_to(&mut self, dst: &mut BytesMut) {
        if dst.is_empty() {
            core::mem::swap(&mut self.buf, dst);
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.core.limits
    }

    /// Bytes consumed from the stream so far.
    pub fn offset(&self) -> u64 {
        self.core.base
    }

    /// Bytes held in the parser's own buffer (fed but not yet returned as events).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// What was read of the head of the chunk that the last recoverable error made the
    /// parser skip: its start line and the header lines before the error (all of them when
    /// a header value was wrong). A session reads the request's From-Path from it to answer
    /// 400 (RFC 4975 section 7.3). Empty before any such error.
    pub fn rejected_head(&self) -> RejectedHead<'_> {
        RejectedHead::new(&self.core.rejected)
    }

    /// Whether a fatal error stopped the parser.
    pub fn is_failed(&self) -> bool {
        matches!(self.core.state, State::Failed)
    }

    /// Whether the parser is between chunks (nothing partial is held).
    pub fn is_idle(&self) -> bool {
        matches!(self.core.state, State::Start) && self.buf.is_empty()
    }
}

impl Core {
    /// The most common call while a body streams in small feeds, answered outside `step`
    /// (whose stack frame is large): no candidate end-line is pending, the new bytes hold
    /// none, and too few body bytes are buffered for a piece (`Limits::min_body_piece`).
    /// Returns `true` when that is so. Any other state costs one comparison here, so that
    /// heads do not pay for it.
    #[inline]
    fn wait_for_body(&mut self, buf: &[u8]) -> bool {
        match &mut self.state {
            State::Body(scan) if scan.cand.is_none() && !scan.full && !scan.discard => {
                let tolerant = self.mode == Mode::Tolerant;
                let finder = if tolerant { &self.lf } else { &self.crlf };
                search_new_body(scan, finder, tolerant, self.limits.min_body_piece, buf)
            }
            _ => false,
        }
    }

    fn step(&mut self, buf: &mut BytesMut) -> Option<Result<ParseEvent, ParseError>> {
        loop {
            match &mut self.state {
                State::Failed => return None,
                State::Start | State::Head => {
                    let read = self.read_head(buf);
                    if let (Some(Err(_)), State::Body(_)) = (&read, &self.state) {
                        // Keep what was read of a skipped chunk's head (errors only: a copy).
                        let n = self.skipped_head.min(buf.len());
                        self.rejected = Bytes::copy_from_slice(&buf[..n]);
                    }
                    return read;
                }
                State::End { len, end, discard } => {
                    let (len, end, discard) = (*len, *end, *discard);
                    if buf.len() < len {
                        return None;
                    }
                    self.consume(buf, len);
                    self.state = State::Start;
                    if !discard {
                        return Some(Ok(ParseEvent::End(end)));
                    }
                }
                State::Body(scan) => {
                    let tolerant = self.mode == Mode::Tolerant;
                    let finder = if tolerant { &self.lf } else { &self.crlf };
                    match scan_end(finder, &mut self.full, tolerant, buf, scan) {
                        Scanned::Found {
                            body_end,
                            len,
                            flag,
                            bare_lf,
                        } => {
                            scan.body_len += body_end as u64;
                            let end = EndLine {
                                continuation: flag,
                                body_length: scan.body_len,
                                bare_lf,
                                byte_range_matches: scan.expected.map(|n| n == scan.body_len),
                            };
                            let discard = scan.discard;
                            self.state = State::End { len, end, discard };
                            if body_end > 0 {
                                let piece = self.split(buf, body_end);
                                if !discard {
                                    return Some(Ok(ParseEvent::Body(piece)));
                                }
                            }
                        }
                        Scanned::NeedMore { safe } => {
                            // Small pieces wait for more (bounded by `min_body_piece`), so that
                            // many small feeds do not cost one event each; skipped bytes go at
                            // once.
                            if safe == 0 || (!scan.discard && safe < self.limits.min_body_piece) {
                                return None;
                            }
                            scan.body_len += safe as u64;
                            scan.from -= safe;
                            if let Some((c, _)) = &mut scan.cand {
                                *c -= safe;
                            }
                            let discard = scan.discard;
                            let piece = self.split(buf, safe);
                            if !discard {
                                return Some(Ok(ParseEvent::Body(piece)));
                            }
                        }
                    }
                }
            }
        }
    }

    fn consume(&mut self, buf: &mut BytesMut, n: usize) {
        self.base += n as u64;
        buf.advance(n);
    }

    fn split(&mut self, buf: &mut BytesMut, n: usize) -> Bytes {
        self.base += n as u64;
        buf.split_to(n).freeze()
    }

    fn fatal(&mut self, kind: K, at: usize) -> ParseError {
        self.state = State::Failed;
        ParseError::new(kind, self.base + at as u64, self.base, None)
    }

    /// Reports a recoverable error for the current chunk and skips to its end-line, searching
    /// from `from` (which must be at or before the line end that precedes it).
    fn skip_chunk(&mut self, kind: K, at: usize, from: usize) -> ParseError {
        let tid = self.start.as_ref().map(|s| s.tid);
        let err = ParseError::new(kind, self.base + at as u64, self.base, tid);
        self.skipped_head = from;
        match tid {
            Some(tid) => {
                self.state = State::Body(Scan::new(tid, from, None, true));
            }
            None => self.state = State::Failed,
        }
        self.reset_head();
        err
    }

    fn reset_head(&mut self) {
        self.searched = 0;
        self.line_start = 0;
        self.lines.clear();
        self.quirks.clear();
    }

    fn quirk(&mut self, q: Quirk, at: usize) {
        self.quirks.push((q, self.base + at as u64));
    }

    /// Reads the start line and header lines; returns the head when complete. Not inlined,
    /// so that streaming a body (the other branch of `step`) keeps a small stack frame.
    #[inline(never)]
    fn read_head(&mut self, buf: &mut BytesMut) -> Option<Result<ParseEvent, ParseError>> {
        if buf.is_empty() {
            // Between chunks with nothing fed: nothing to check (an empty start line so far
            // is a valid beginning, and within every limit).
            return None;
        }
        if self.searched == 0 && matches!(self.state, State::Start) {
            // A head not looked at yet: most arrive whole and in the common spelling.
            // Its values are checked as it is read, when they are to be; a head with a
            // value that fails or gives a quirk goes to the general reader, which reports
            // it as it reports any other.
            let fast = if self.validation.checks_after_framing() == validate::Checks::NONE {
                fast_head::read::<false>(buf, &self.limits, self.mode, &mut self.paths)
            } else {
                fast_head::read::<true>(buf, &self.limits, self.mode, &mut self.paths)
            };
            if let Some(fast) = fast {
                self.start = Some(StartLine {
                    tid: TransactionId::from_checked(&buf[5..5 + fast.tid_len]),
                    kind: fast.kind,
                });
                self.first_header = fast.first_header;
                let by = ReadBy::OnePass {
                    byte_range: fast.byte_range,
                    spans: fast.spans,
                };
                return Some(match fast.end_line {
                    None => self.finish_head(buf, fast.head_end, true, by),
                    Some((flag, len)) => {
                        self.finish_bodiless(buf, fast.head_end, flag, len, false, by)
                    }
                });
            }
        }
        self.read_lines(buf).transpose()
    }

    /// The general line reader: any spelling, any split of the input.
    fn read_lines(&mut self, buf: &mut BytesMut) -> Result<Option<ParseEvent>, ParseError> {
        let tolerant = self.mode == Mode::Tolerant;
        loop {
            let nl = memchr::memchr(b'\n', &buf[self.searched..]).map(|i| self.searched + i);
            if matches!(self.state, State::Start) {
                self.check_start_line(buf, nl)?;
            }
            let Some(nl) = nl else {
                self.searched = buf.len();
                return self.check_partial_line(buf).map(|()| None);
            };
            self.searched = nl + 1;
            let line_start = self.line_start;
            self.line_start = nl + 1;
            let mut line_end = nl;
            if line_end > line_start && buf[line_end - 1] == b'\r' {
                line_end -= 1;
            } else if tolerant {
                self.quirk(Quirk::BareLf, nl);
            } else if matches!(self.state, State::Start) {
                return Err(self.fatal(
                    K::InvalidStartLine {
                        reason: "line ends in LF without CR",
                    },
                    nl,
                ));
            } else {
                return Err(self.skip_chunk(K::BareLf, nl, line_start.saturating_sub(2)));
            }
            let line = line_start..line_end;

            if matches!(self.state, State::Start) {
                let mut found = Vec::new();
                let parsed = start_line::parse(
                    &buf[line.clone()],
                    true,
                    self.mode,
                    &self.limits,
                    &mut |q, at| found.push((q, at)),
                );
                match parsed {
                    Ok(Some(start)) => {
                        for (q, at) in found {
                            self.quirk(q, at);
                        }
                        self.start = Some(start);
                        self.state = State::Head;
                        self.first_header = nl + 1;
                        continue;
                    }
                    Ok(None) => {
                        return Err(self.fatal(
                            K::InvalidStartLine {
                                reason: "incomplete start line",
                            },
                            line.end,
                        ));
                    }
                    Err((reason, at)) => return Err(self.fatal(K::InvalidStartLine { reason }, at)),
                }
            }

            // Same condition as the partial check (`buf.len() > max`), so that the error
            // does not depend on how the input was split.
            if nl > self.limits.max_head_bytes {
                let max = self.limits.max_head_bytes;
                return Err(self.skip_chunk(
                    K::HeadTooLarge { max },
                    max,
                    line_start.saturating_sub(2),
                ));
            }
            if line.is_empty() {
                // CRLF CRLF: a body follows.
                return self
                    .finish_head(buf, line_start, true, ReadBy::Lines)
                    .map(Some);
            }
            if buf[line.clone()].starts_with(b"-------") {
                // The end-line of a bodiless chunk.
                let tid = self.start.as_ref().map(|s| s.tid);
                let Some(tid) = tid else { continue };
                let l = &buf[line.clone()];
                let t = tid.as_bytes();
                let flag = l
                    .get(7 + t.len())
                    .copied()
                    .and_then(Continuation::from_byte);
                if l.len() != 8 + t.len() || &l[7..7 + t.len()] != t || flag.is_none() {
                    return Err(self.skip_chunk(
                        K::InvalidEndLine,
                        line_start,
                        line_start.saturating_sub(2),
                    ));
                }
                let bare_lf = line_end == nl;
                let flag = flag.unwrap_or(Continuation::Complete);
                return self
                    .finish_bodiless(
                        buf,
                        line_start,
                        flag,
                        nl + 1 - line_start,
                        bare_lf,
                        ReadBy::Lines,
                    )
                    .map(Some);
            }
            if self.lines.len() == self.limits.max_headers {
                let max = self.limits.max_headers;
                return Err(self.skip_chunk(
                    K::TooManyHeaders { max },
                    line_start,
                    line_start.saturating_sub(2),
                ));
            }
            match header_line::split_known_header(&buf[line.clone()], line_start) {
                Some(span) => self.lines.push(span),
                None => {
                    return Err(self.skip_chunk(
                        K::InvalidHeaderLine,
                        line_start,
                        line_start.saturating_sub(2),
                    ));
                }
            }
        }
    }

    /// Rejects a start line as soon as no continuation could make it valid, and enforces
    /// its length limit. `nl` is the LF that ends it, if received. The bytes examined and
    /// the order of the checks do not depend on how the input was split.
    fn check_start_line(&mut self, buf: &BytesMut, nl: Option<usize>) -> Result<(), ParseError> {
        let max = self.limits.max_start_line;
        if nl.is_some_and(|nl| nl < max && nl > 0 && buf[nl - 1] == b'\r') {
            // A whole CRLF line within the limit: the complete parse that follows at once
            // reports the same first violation as this check would.
            return Ok(());
        }
        let end = nl.unwrap_or(buf.len()).min(max);
        let line = &buf[..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Err((reason, at)) =
            start_line::parse(line, false, self.mode, &self.limits, &mut |_, _| {})
        {
            return Err(self.fatal(K::InvalidStartLine { reason }, at));
        }
        // The start line, CRLF included, must fit in `max` bytes: its LF at index < max.
        if nl.map_or(buf.len() >= max, |nl| nl >= max) {
            return Err(self.fatal(K::StartLineTooLong { max }, max));
        }
        Ok(())
    }

    /// Enforces the head size limit on a line still being received.
    fn check_partial_line(&mut self, buf: &BytesMut) -> Result<(), ParseError> {
        if matches!(self.state, State::Head) && buf.len() > self.limits.max_head_bytes {
            let max = self.limits.max_head_bytes;
            let from = self.line_start.saturating_sub(2);
            return Err(self.skip_chunk(K::HeadTooLarge { max }, max, from));
        }
        Ok(())
    }

    /// The head of a bodiless chunk ends at `head_end`, where its end-line of `len` bytes
    /// starts (the end-line is dropped by the next step).
    fn finish_bodiless(
        &mut self,
        buf: &mut BytesMut,
        head_end: usize,
        flag: Continuation,
        len: usize,
        bare_lf: bool,
        by: ReadBy,
    ) -> Result<ParseEvent, ParseError> {
        let event = self.finish_head(buf, head_end, false, by)?;
        let end = EndLine::without_body(flag, bare_lf, self.expected);
        self.state = State::End {
            len,
            end,
            discard: false,
        };
        Ok(event)
    }

    /// The head ends at `head_end` (the start of the empty line or of the end-line).
    fn finish_head(
        &mut self,
        buf: &mut BytesMut,
        head_end: usize,
        has_body: bool,
        by: ReadBy,
    ) -> Result<ParseEvent, ParseError> {
        let Some(start) = self.start.take() else {
            return Err(self.fatal(
                K::InvalidStartLine {
                    reason: "no start line",
                },
                0,
            ));
        };
        let checks = match by {
            ReadBy::Lines => self.validation.checks(),
            // The one-pass reader checked the framing, and the values if they are to be.
            ReadBy::OnePass { .. } => validate::Checks::NONE,
        };
        let spans = match by {
            ReadBy::OnePass { spans, .. } => spans,
            ReadBy::Lines => None,
        };
        let check =
            if let (validate::Checks::NONE, ReadBy::OnePass { byte_range, .. }) = (checks, by) {
                // Nothing left to check (the one-pass reader kept no header spans): only
                // Byte-Range is read, for the end-line's diagnostic.
                Ok(byte_range)
            } else {
                let mut found = Vec::new();
                let check = validate::head(
                    &buf[..head_end],
                    &self.lines,
                    &start.kind,
                    has_body,
                    self.mode,
                    &self.limits,
                    checks,
                    Some(&mut self.paths),
                    &mut |q, at| found.push((q, at)),
                );
                for (q, at) in found {
                    self.quirk(q, at);
                }
                check
            };
        let byte_range = match check {
            Ok(r) => r,
            Err((kind, at)) => {
                self.start = Some(start);
                // Skip to the end-line as if the head were good: right after the head of a
                // bodiless chunk (its last line end precedes the end-line), or after the
                // empty line (whose line end does not count as the end-line's CRLF).
                let from = if has_body {
                    head_end
                        + if buf.get(head_end) == Some(&b'\r') {
                            2
                        } else {
                            1
                        }
                } else {
                    head_end.saturating_sub(2)
                };
                let err = self.skip_chunk(kind, at, from);
                self.skipped_head = head_end.saturating_sub(2);
                return Err(err);
            }
        };
        // The body length Byte-Range announces, for the diagnostic on the end-line.
        self.expected = byte_range.and_then(|r| r.octets());
        let offset = self.base;
        let raw = self.split(buf, head_end);
        let tid = start.tid;
        let head = ChunkHead {
            raw,
            offset,
            tid_len: tid.as_bytes().len() as u8,
            kind: start.kind,
            first_header: self.first_header,
            has_body,
            quirks: core::mem::take(&mut self.quirks),
            spans: Noted(spans),
        };
        if has_body {
            // Drop the empty line's line end ("\r\n", or "\n" in tolerant mode) but keep
            // the CR or LF that an empty body's end-line may need as its preceding CRLF:
            // the body starts right after the empty line.
            let blank = if buf.first() == Some(&b'\r') { 2 } else { 1 };
            self.consume(buf, blank);
            let expected = self.expected;
            self.state = State::Body(Scan::new(tid, 0, expected, false));
        }
        self.reset_head();
        Ok(ParseEvent::Head(head))
    }
}

/// Looks for the end-line of `scan.tid` in `buf`, from where the last call stopped.
/// `finder` searches for the end-line prefix; `full`, once built for this chunk (see
/// [`FULL_FINDER_AFTER`]), for the prefix and the transaction id.
fn scan_end(
    finder: &Finder<'static>,
    full: &mut Option<Finder<'static>>,
    tolerant: bool,
    buf: &[u8],
    scan: &mut Scan,
) -> Scanned {
    let prefix = if tolerant { PREFIX_LF } else { PREFIX_CRLF };
    let tid = scan.tid;
    let tid = tid.as_bytes();
    // Tolerant mode holds back one byte: a CR before the LF that starts an end-line is not
    // body.
    let hold = usize::from(tolerant);
    loop {
        if let Some((c, verified)) = scan.cand {
            match verify(buf, c, verified, prefix, tid, tolerant) {
                Verify::Complete { len, flag, bare_lf } => {
                    let (body_end, len) = if tolerant && c > 0 && buf[c - 1] == b'\r' {
                        (c - 1, len + 1)
                    } else {
                        (c, len)
                    };
                    let bare_lf = bare_lf || (tolerant && body_end == c);
                    scan.cand = None;
                    return Scanned::Found {
                        body_end,
                        len,
                        flag,
                        bare_lf,
                    };
                }
                Verify::Partial(k) => {
                    scan.cand = Some((c, k));
                    return Scanned::NeedMore {
                        safe: c.saturating_sub(hold),
                    };
                }
                Verify::Mismatch(p) => {
                    scan.cand = None;
                    scan.from = p;
                    if !scan.full {
                        scan.misses += 1;
                        if scan.misses >= FULL_FINDER_AFTER {
                            *full = Some(full_finder(prefix, tid));
                            scan.full = true;
                        }
                    }
                }
            }
        } else {
            // What is searched: the prefix, or the prefix and the transaction id. Either way
            // its first byte occurs nowhere else in it, so a failed candidate needs no step
            // back.
            let f = match full {
                Some(f) if scan.full => f,
                _ => finder,
            };
            if !search_new_bytes(scan, f, buf) {
                let safe = scan.cand.map_or(buf.len(), |(at, _)| at);
                return Scanned::NeedMore {
                    safe: safe.saturating_sub(hold),
                };
            }
        }
    }
}

/// [`Core::wait_for_body`]'s search: when fewer than `min_piece` body bytes are buffered,
/// [`search_new_bytes`]. `true` when it found no end-line candidate, and so there is
/// nothing to hand out yet; `false` leaves the call to `step`, which goes on from what was
/// recorded.
#[inline(never)]
fn search_new_body(
    scan: &mut Scan,
    finder: &Finder<'static>,
    tolerant: bool,
    min_piece: usize,
    buf: &[u8],
) -> bool {
    buf.len().saturating_sub(usize::from(tolerant)) < min_piece
        && !search_new_bytes(scan, finder, buf)
}

/// Searches the bytes after `scan.from` once for `finder`'s needle (which starts with a
/// byte that occurs nowhere else in it). Found: records the candidate there and returns
/// `true`. Not found: records an end-line cut off at the end of `buf`, if any, moves
/// `scan.from` to the end (no byte is searched twice) and returns `false`.
#[inline]
fn search_new_bytes(scan: &mut Scan, finder: &Finder<'static>, buf: &[u8]) -> bool {
    let needle = finder.needle();
    match finder.find(buf.get(scan.from..).unwrap_or_default()) {
        Some(m) => {
            scan.from += m;
            scan.cand = Some((scan.from, needle.len()));
            true
        }
        None => {
            // A candidate may begin in the last needle.len() - 1 bytes.
            let tail = scan.from.max(buf.len().saturating_sub(needle.len() - 1));
            scan.from = buf.len();
            scan.cand = partial_end_line(buf, tail, needle);
            false
        }
    }
}

/// The start of an end-line cut off by the end of `buf`, looked for from `tail` (at most
/// `needle.len() - 1` bytes before the end): where it starts and how many bytes of it are
/// there. Only the last occurrence of `needle[0]` can start one, as that byte occurs
/// nowhere else in `needle`.
#[inline]
fn partial_end_line(buf: &[u8], tail: usize, needle: &[u8]) -> Option<(usize, usize)> {
    if tail >= buf.len() {
        return None;
    }
    let at = match buf.last_chunk::<8>() {
        // The usual case: the last 8 bytes as one word, each byte equal to `needle[0]`
        // marked by its top bit (exactly: no borrow between bytes), those before `tail`
        // cleared.
        Some(last) if buf.len() - tail <= 8 => {
            const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
            let x = u64::from_le_bytes(*last) ^ (u64::from(needle[0]) * 0x0101_0101_0101_0101);
            let zero = !(((x & LOW7) + LOW7) | x | LOW7);
            let zero = zero & (u64::MAX << (8 * (8 - (buf.len() - tail))));
            if zero == 0 {
                return None;
            }
            buf.len() - 8 + (63 - zero.leading_zeros() as usize) / 8
        }
        _ => tail + buf.get(tail..)?.iter().rposition(|&b| b == needle[0])?,
    };
    needle
        .starts_with(&buf[at..])
        .then_some((at, buf.len() - at))
}

/// An owned finder for `prefix` followed by `tid` (one allocation).
fn full_finder(prefix: &[u8], tid: &[u8]) -> Finder<'static> {
    let mut needle = [0u8; PREFIX_CRLF.len() + super::tid::MAX_TID_CAPACITY];
    let n = prefix.len() + tid.len();
    needle[..prefix.len()].copy_from_slice(prefix);
    needle[prefix.len()..n].copy_from_slice(tid);
    Finder::new(&needle[..n]).into_owned()
}

enum Verify {
    Complete {
        len: usize,
        flag: Continuation,
        bare_lf: bool,
    },
    Partial(usize),
    Mismatch(usize),
}

/// Checks the candidate end-line at `c`, of which `k` bytes are already verified:
/// prefix, tid, flag, then CRLF (or LF alone in tolerant mode).
fn verify(buf: &[u8], c: usize, mut k: usize, prefix: &[u8], tid: &[u8], tolerant: bool) -> Verify {
    let flag_at = prefix.len() + tid.len();
    // Prefix and transaction id: a run of equal bytes each, then the byte-wise checks.
    for (part, from) in [(prefix, 0), (tid, prefix.len())] {
        if k >= from + part.len() {
            continue;
        }
        let have = buf.get(c + k..).unwrap_or_default();
        let want = &part[k - from..];
        let same = have.iter().zip(want).take_while(|(a, b)| a == b).count();
        k += same;
        if same < want.len() {
            return if same == have.len() {
                Verify::Partial(k)
            } else {
                Verify::Mismatch(c + k)
            };
        }
    }
    loop {
        let Some(&b) = buf.get(c + k) else {
            return Verify::Partial(k);
        };
        let ok = if k < prefix.len() {
            b == prefix[k]
        } else if k < flag_at {
            b == tid[k - prefix.len()]
        } else if k == flag_at {
            Continuation::from_byte(b).is_some()
        } else if k == flag_at + 1 {
            if tolerant && b == b'\n' {
                let flag =
                    Continuation::from_byte(buf[c + flag_at]).unwrap_or(Continuation::Complete);
                return Verify::Complete {
                    len: k + 1,
                    flag,
                    bare_lf: true,
                };
            }
            b == b'\r'
        } else {
            if b == b'\n' {
                let flag =
                    Continuation::from_byte(buf[c + flag_at]).unwrap_or(Continuation::Complete);
                return Verify::Complete {
                    len: k + 1,
                    flag,
                    bare_lf: false,
                };
            }
            false
        };
        if !ok {
            return Verify::Mismatch(c + k);
        }
        k += 1;
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
