//! Parse errors: what was wrong and where.

/// What was wrong with a CPIM message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CpimErrorKind {
    /// The input is empty.
    #[error("empty message")]
    Empty,
    /// A line ended by LF alone; RFC 3862 section 2.2 asks for CRLF.
    #[error("line ends in LF without CR")]
    BareLf,
    /// A header field longer than [`ParseOptions::max_header_len`](crate::ParseOptions).
    #[error("header longer than the limit of {max} bytes")]
    HeaderTooLong {
        /// The limit in force.
        max: usize,
    },
    /// More header fields in one block than
    /// [`ParseOptions::max_headers`](crate::ParseOptions).
    #[error("more than {max} headers in one header block")]
    TooManyHeaders {
        /// The limit in force.
        max: usize,
    },
    /// A header that is not UTF-8 (RFC 3862 section 2.2).
    #[error("header is not UTF-8")]
    InvalidUtf8,
    /// A control character in a header; RFC 3862 section 2.3 escapes them.
    #[error("control character 0x{byte:02x} in a header")]
    ControlCharacter {
        /// The offending byte.
        byte: u8,
    },
    /// A header name with a byte outside NAMECHAR, empty, or with more than one `.`
    /// (RFC 3862 section 3.6).
    #[error("invalid header name")]
    InvalidHeaderName,
    /// A header line without a `:`.
    #[error("header has no \":\"")]
    MissingColon,
    /// A `;name=value` header parameter that is not `Param-name "=" Param-value`.
    #[error("invalid header parameter")]
    InvalidParameter,
    /// No SP after the header name, colon and parameters.
    #[error("a SP must follow the header name and colon")]
    HeaderSpacing,
    /// White space at the end of a header line.
    #[error("white space at the end of a header line")]
    TrailingWhitespace,
    /// A CPIM header continued on a line beginning with white space; a CPIM header must be
    /// on one line.
    #[error("CPIM header continued on another line (folding)")]
    FoldedHeader,
    /// The input ends before the blank line that ends a header block.
    #[error("no blank line after the headers")]
    UnterminatedHeaders,
    /// A namespace prefix used before (or without) an `NS` header declaring it.
    #[error("namespace prefix not declared by an earlier NS header")]
    UndeclaredPrefix,
    /// An `NS` header that is not `[Name-prefix] "<" URI ">"`.
    #[error("NS header is not [Name-prefix] <URI>")]
    InvalidNamespace,
    /// An address header (From, To, cc, Original-To, IMDN-Record-Route, IMDN-Route) that is
    /// not `[Formal-name] "<" URI ">"`.
    #[error("address header is not [Formal-name] <URI>")]
    InvalidAddress,
    /// A DateTime that is not an RFC 3339 date-time.
    #[error("DateTime is not an RFC 3339 date-time")]
    InvalidDateTime,
    /// A Require header that is not a comma-separated list of header names.
    #[error("Require is not a list of header names")]
    InvalidRequire,
    /// An imdn Message-ID that is not a Token (RFC 5438 section 10).
    #[error("Message-ID is not a token")]
    InvalidMessageId,
    /// An imdn Disposition-Notification that does not follow RFC 5438 section 10.
    #[error("invalid Disposition-Notification")]
    InvalidDispositionNotification,
    /// IMDNs requested without a DateTime header (RFC 5438 section 7.1.1.2).
    #[error("IMDN requested without a DateTime header")]
    MissingDateTime,
    /// The encapsulated MIME headers have no Content-Type (RFC 3862 section 2.4).
    #[error("no Content-Type in the MIME headers")]
    MissingContentType,
    /// A MIME header that is not `field-name ":" value` (RFC 5322 section 2.2).
    #[error("invalid MIME header")]
    InvalidMimeHeader,
}

impl CpimErrorKind {
    /// A short snake_case name of the kind, stable for tools and JSON output (the
    /// variant's name; the fields are in the [`Display`](core::fmt::Display) text).
    pub fn name(&self) -> &'static str {
        use CpimErrorKind::*;
        match self {
            Empty => "empty",
            BareLf => "bare_lf",
            HeaderTooLong { .. } => "header_too_long",
            TooManyHeaders { .. } => "too_many_headers",
            InvalidUtf8 => "invalid_utf8",
            ControlCharacter { .. } => "control_character",
            InvalidHeaderName => "invalid_header_name",
            MissingColon => "missing_colon",
            InvalidParameter => "invalid_parameter",
            HeaderSpacing => "header_spacing",
            TrailingWhitespace => "trailing_whitespace",
            FoldedHeader => "folded_header",
            UnterminatedHeaders => "unterminated_headers",
            UndeclaredPrefix => "undeclared_prefix",
            InvalidNamespace => "invalid_namespace",
            InvalidAddress => "invalid_address",
            InvalidDateTime => "invalid_date_time",
            InvalidRequire => "invalid_require",
            InvalidMessageId => "invalid_message_id",
            InvalidDispositionNotification => "invalid_disposition_notification",
            MissingDateTime => "missing_date_time",
            MissingContentType => "missing_content_type",
            InvalidMimeHeader => "invalid_mime_header",
        }
    }
}

/// A CPIM message that could not be parsed (or built).
///
/// `offset` is the byte offset in the input where the problem was found (for a message
/// being built, in the bytes [`CpimBuilder::build`](crate::CpimBuilder::build) printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct CpimError {
    kind: CpimErrorKind,
    offset: usize,
}

impl CpimError {
    pub(crate) fn new(kind: CpimErrorKind, offset: usize) -> Self {
        CpimError { kind, offset }
    }

    /// What was wrong.
    pub fn kind(&self) -> CpimErrorKind {
        self.kind
    }

    /// The byte offset in the input where it was found.
    pub fn offset(&self) -> usize {
        self.offset
    }
}
