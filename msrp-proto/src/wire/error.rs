//! Errors of the chunk parser: what was wrong, where in the stream, and what to answer.

use super::tid::TransactionId;

/// What was wrong with the bytes of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The start line does not follow
    /// `pMSRP SP transact-id SP (method / status-code [SP comment]) CRLF`. Fatal: the
    /// stream cannot be framed any more (RFC 4975 section 9).
    #[error("invalid start line: {reason}")]
    InvalidStartLine {
        /// What broke the rule.
        reason: &'static str,
    },
    /// The start line is longer than [`Limits::max_start_line`](crate::Limits). Fatal.
    #[error("start line longer than {max} bytes")]
    StartLineTooLong {
        /// The limit in force.
        max: usize,
    },
    /// The start line and header fields are longer than
    /// [`Limits::max_head_bytes`](crate::Limits); the chunk is skipped.
    #[error("header section longer than {max} bytes")]
    HeadTooLarge {
        /// The limit in force.
        max: usize,
    },
    /// More header fields than [`Limits::max_headers`](crate::Limits); the chunk is skipped.
    #[error("more than {max} header fields")]
    TooManyHeaders {
        /// The limit in force.
        max: usize,
    },
    /// A header line without `:` or with a name that is not `ALPHA *token`.
    #[error("header line is not hname \":\" SP hval")]
    InvalidHeaderLine,
    /// A known header field whose value breaks its rule.
    #[error("invalid {header} header field: {reason}")]
    InvalidHeader {
        /// The header field's canonical name.
        header: &'static str,
        /// What broke the rule.
        reason: &'static str,
    },
    /// To-Path and From-Path must be the first two header fields, in this order.
    #[error("{0}")]
    HeaderOrder(&'static str),
    /// A line of the chunk ends in LF without CR (strict mode).
    #[error("line ends in LF without CR")]
    BareLf,
    /// A bodiless chunk has a line that starts like an end-line but is not this chunk's.
    #[error("invalid end-line")]
    InvalidEndLine,
    /// A response carries a body, which RFC 4975 section 7.2 does not allow.
    #[error("response with a body")]
    ResponseWithBody,
    /// A body longer than [`Limits::max_gathered_body`](crate::Limits), met by a consumer
    /// that gathers whole chunks ([`ChunkReader`](super::ChunkReader)); the rest of the
    /// chunk is skipped. Answered with 413 (RFC 4975 section 10.5).
    #[error("body longer than {max} bytes")]
    BodyTooLarge {
        /// The limit in force.
        max: usize,
    },
    /// Content-Type is not the last header field before a body (RFC 4975 section 7.1).
    #[error("Content-Type must be the last header field")]
    ContentTypeNotLast,
}

impl ParseErrorKind {
    /// A short snake_case name of the kind, stable for tools and JSON output (the
    /// variant's name; the fields are in the [`Display`](core::fmt::Display) text).
    pub fn name(&self) -> &'static str {
        use ParseErrorKind::*;
        match self {
            InvalidStartLine { .. } => "invalid_start_line",
            StartLineTooLong { .. } => "start_line_too_long",
            HeadTooLarge { .. } => "head_too_large",
            TooManyHeaders { .. } => "too_many_headers",
            InvalidHeaderLine => "invalid_header_line",
            InvalidHeader { .. } => "invalid_header",
            HeaderOrder(_) => "header_order",
            BareLf => "bare_lf",
            InvalidEndLine => "invalid_end_line",
            ResponseWithBody => "response_with_body",
            BodyTooLarge { .. } => "body_too_large",
            ContentTypeNotLast => "content_type_not_last",
        }
    }
}

/// An error found while parsing a stream of chunks.
///
/// `offset` counts bytes from the start of the stream. When [`ParseError::is_fatal`] is
/// false, the parser has skipped the bad chunk up to its end-line and goes on with the next
/// one; [`ParseError::transaction_id`] names it so that a session can answer
/// [`ParseError::status_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    kind: ParseErrorKind,
    offset: u64,
    chunk_offset: u64,
    tid: Option<TransactionId>,
}

impl ParseError {
    pub(crate) fn new(
        kind: ParseErrorKind,
        offset: u64,
        chunk_offset: u64,
        tid: Option<TransactionId>,
    ) -> Self {
        ParseError {
            kind,
            offset,
            chunk_offset,
            tid,
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// Where, in bytes from the start of the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Where the bad chunk starts, in bytes from the start of the stream.
    pub fn chunk_offset(&self) -> u64 {
        self.chunk_offset
    }

    /// The transaction id of the bad chunk, when its start line could be read.
    pub fn transaction_id(&self) -> Option<&TransactionId> {
        self.tid.as_ref()
    }

    /// Whether the stream can no longer be framed (the connection should be closed).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            ParseErrorKind::InvalidStartLine { .. } | ParseErrorKind::StartLineTooLong { .. }
        )
    }

    /// The response code RFC 4975 section 10 asks for when the bad chunk is a request:
    /// 413 for a body over the gathering limit, 400 (unintelligible) for every other
    /// recoverable error; `None` when fatal.
    pub fn status_code(&self) -> Option<u16> {
        match self.kind {
            _ if self.is_fatal() => None,
            ParseErrorKind::BodyTooLarge { .. } => Some(413),
            _ => Some(400),
        }
    }
}
