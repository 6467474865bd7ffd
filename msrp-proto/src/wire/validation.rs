//! How much of a head the parser checks before handing it out, and the check of the
//! rest on demand.

use alloc::vec::Vec;

use super::error::ParseError;
use super::head::ChunkHead;
use super::header_line::{self, HeaderSpan};
use super::quirk::Quirk;
use super::validate::{self, Checks};
use crate::Limits;
use msrp_uri::Mode;

/// How much of each head a [`ChunkParser`](super::ChunkParser) checks before it hands
/// the head out. Both settings frame chunks identically and enforce every [`Limits`]
/// field; they differ in when the values of known header fields are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Validation {
    /// The default: the value of every known header field (To-Path, From-Path, Use-Path,
    /// Message-ID, Success-Report, Failure-Report, Byte-Range, Status, Content-Type,
    /// Expires, Min-Expires, Max-Expires, WWW-Authenticate, Authorization,
    /// Authentication-Info, Use-Nickname) is checked against its rule (RFC 4975 section
    /// 9, RFC 4976 section 7, RFC 7701 section 6.1) before the head is handed out. A head
    /// that breaks one is a recoverable error: the chunk is skipped and a session answers
    /// 400.
    #[default]
    Full,
    /// Only the framing is checked before the head is handed out: the start line, the
    /// header lines (`hname ":" SP hval`), the limits, To-Path and From-Path first,
    /// Content-Type last, no body on a response, the case of known names and the spacing
    /// around their values. Byte-Range is read for [`EndLine::byte_range_matches`]
    /// (`None` when it is not well formed). [`ChunkHead::validate`] then checks the
    /// values, reporting what a parser with [`Validation::Full`] would have. The typed
    /// accessors of [`ChunkHead`] parse a value when called and give `None` or an error
    /// for one they cannot read, but they are lenient (a path is read tolerantly,
    /// [`ChunkHead::message_id`] returns the text as written): they are no check.
    ///
    /// For consumers that read few header fields, or check them later: a relay routing
    /// by To-Path, a capture tool. The body of a chunk whose values are wrong is still
    /// handed out; a consumer that answers 400 drops it.
    ///
    /// [`EndLine::byte_range_matches`]: super::EndLine::byte_range_matches
    Framing,
}

impl Validation {
    /// What a head read line by line is checked for.
    pub(crate) fn checks(self) -> Checks {
        match self {
            Validation::Full => Checks::FULL,
            Validation::Framing => Checks::FRAMING,
        }
    }

    /// What a head whose framing the one-pass reader already checked is checked for.
    pub(crate) fn checks_after_framing(self) -> Checks {
        match self {
            Validation::Full => Checks::VALUES,
            Validation::Framing => Checks::NONE,
        }
    }
}

impl<R: AsRef<[u8]>> ChunkHead<R> {
    /// Checks the values of the known header fields, as a parser with
    /// [`Validation::Full`] does before it hands a head out; for heads read with
    /// [`Validation::Framing`] (for others it checks again what was checked).
    ///
    /// Returns the deviations that tolerant `mode` accepted, with stream offsets (they
    /// complete [`ChunkHead::quirks`]), or the first violation: the same error, at the
    /// same offset, as a [`Validation::Full`] parser in `mode` with `limits` reports for
    /// this chunk (so [`ParseError::status_code`] gives the answer, 400).
    ///
    /// ```
    /// use msrp_proto::wire::{ChunkParser, ParseEvent, Validation};
    /// use msrp_proto::{Limits, Mode};
    ///
    /// let mut parser = ChunkParser::new(Limits::DEFAULT, Mode::Strict)
    ///     .with_validation(Validation::Framing);
    /// parser.feed(b"MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:8888/s;tcp\r\n\
    ///     From-Path: not-a-uri\r\nMessage-ID: 87652491\r\n-------a786hjs2$\r\n");
    /// let Some(Ok(ParseEvent::Head(head))) = parser.next() else { panic!() };
    /// let err = head.validate(Mode::Strict, &Limits::DEFAULT).unwrap_err();
    /// assert_eq!(err.status_code(), Some(400));
    /// assert_eq!(err.offset(), 73); // the first byte of From-Path that is not an MSRP URI
    /// ```
    pub fn validate(&self, mode: Mode, limits: &Limits) -> Result<Vec<(Quirk, u64)>, ParseError> {
        let lines: Vec<HeaderSpan> = self
            .header_lines()
            .filter_map(|(at, line)| header_line::split_known_header(line, at))
            .collect();
        let base = self.offset;
        let mut quirks = Vec::new();
        validate::head(
            self.raw.as_ref(),
            &lines,
            &self.kind,
            self.has_body,
            mode,
            limits,
            Checks::VALUES,
            None,
            &mut |q, at| quirks.push((q, base + at as u64)),
        )
        .map(|_| quirks)
        .map_err(|(kind, at)| {
            ParseError::new(kind, base + at as u64, base, Some(self.transaction_id()))
        })
    }
}
