//! Errors and tolerated deviations, with the line number they were found on.

use core::fmt;

/// What was wrong with a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpErrorKind {
    /// The input is longer than [`ParseOptions::max_len`](crate::ParseOptions::max_len).
    #[error("longer than the limit of {max} bytes")]
    TooLong {
        /// The limit in force.
        max: usize,
    },
    /// More lines than [`ParseOptions::max_lines`](crate::ParseOptions::max_lines).
    #[error("more than {max} lines")]
    TooManyLines {
        /// The limit in force.
        max: usize,
    },
    /// A line that is not `<letter>=<value>`.
    #[error("line is not <type>=<value>")]
    InvalidLine,
    /// A line ends in LF without CR (strict mode).
    #[error("line ends in LF without CR")]
    BareLf,
    /// Bytes that are not UTF-8.
    #[error("text is not UTF-8")]
    NotUtf8,
    /// A session-level line is missing or out of its place (RFC 8866 section 5).
    #[error("{0}")]
    Structure(&'static str),
    /// An `m=` line that is not `media SP port[/count] SP proto 1*(SP fmt)`.
    #[error("invalid m= line: {0}")]
    InvalidMediaLine(&'static str),
    /// An attribute whose value breaks its rule.
    #[error("invalid a={attribute}: {reason}")]
    InvalidAttribute {
        /// The attribute name.
        attribute: &'static str,
        /// What broke the rule.
        reason: &'static str,
    },
}

impl SdpErrorKind {
    /// A short snake_case name of the kind, stable for tools and JSON output (the
    /// variant's name; the fields are in the [`Display`](fmt::Display) text).
    pub fn name(&self) -> &'static str {
        use SdpErrorKind::*;
        match self {
            TooLong { .. } => "too_long",
            TooManyLines { .. } => "too_many_lines",
            InvalidLine => "invalid_line",
            BareLf => "bare_lf",
            NotUtf8 => "not_utf8",
            Structure(_) => "structure",
            InvalidMediaLine(_) => "invalid_media_line",
            InvalidAttribute { .. } => "invalid_attribute",
        }
    }
}

/// A session description that could not be parsed: what and on which line (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct SdpError {
    kind: SdpErrorKind,
    line: usize,
}

impl SdpError {
    pub(crate) fn new(kind: SdpErrorKind, line: usize) -> Self {
        SdpError { kind, line }
    }

    /// What was wrong.
    pub fn kind(&self) -> SdpErrorKind {
        self.kind
    }

    /// The line it was found on, counting from 1 (0 when it concerns the whole input).
    pub fn line(&self) -> usize {
        self.line
    }
}

/// A deviation tolerant parsing accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SdpQuirk {
    /// A line ending in LF without CR.
    BareLf,
    /// An empty `s=` line (RFC 8866 section 5.3 says it MUST NOT be empty; RFC 5547's
    /// examples write one).
    EmptySessionName,
    /// No `t=` line (RFC 7701's examples).
    MissingTiming,
    /// White space where an attribute's grammar has none (`a=accept-types: text/plain`, as
    /// RFC 4976 section 11 writes it).
    AttributeSpacing,
    /// `sha1:` instead of `sha-1:` in a file-selector hash (written by some peers).
    HashAlgorithmSpelling,
    /// Session-level lines out of the RFC 8866 order.
    LineOrder,
}

impl SdpQuirk {
    /// A short kebab-case name, stable for tools and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            SdpQuirk::BareLf => "bare-lf",
            SdpQuirk::EmptySessionName => "empty-session-name",
            SdpQuirk::MissingTiming => "missing-timing",
            SdpQuirk::AttributeSpacing => "attribute-spacing",
            SdpQuirk::HashAlgorithmSpelling => "hash-algorithm-spelling",
            SdpQuirk::LineOrder => "line-order",
        }
    }
}

impl fmt::Display for SdpQuirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
