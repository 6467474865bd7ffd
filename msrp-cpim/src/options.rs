//! How strictly to parse, the limits that bound parsing, and what tolerant mode let pass.

use core::fmt;

/// How strictly input is checked.
///
/// The same two modes as the URI, chunk and SDP parsers of this workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Follow the RFC 3862 grammar and prose (and the RFC 5438 header rules); any deviation
    /// is an error.
    #[default]
    Strict,
    /// Accept what real clients send when the meaning is still clear, and report each
    /// deviation as a [`Quirk`].
    Tolerant,
}

/// Default for [`ParseOptions::max_headers`]: 64 header fields in each header block.
///
/// The RFC examples use up to 9 CPIM headers and 3 MIME headers; RCS clients send about 8.
pub const DEFAULT_MAX_HEADERS: usize = 64;

/// Default for [`ParseOptions::max_header_len`]: 4096 bytes for one header field.
///
/// RFC 3862 section 2.2 asks processors not to limit line length; the limit bounds what one
/// header of a hostile peer can cost, and is far above what the headers carry in practice.
pub const DEFAULT_MAX_HEADER_LEN: usize = 4096;

/// Options for [`CpimMessage::parse_with`](crate::CpimMessage::parse_with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseOptions {
    /// Strict or tolerant.
    pub mode: Mode,
    /// Most header fields accepted in each of the two header blocks (CPIM and MIME).
    pub max_headers: usize,
    /// Longest header field accepted, in bytes, with its folded continuation lines and
    /// without the line end.
    pub max_header_len: usize,
}

impl ParseOptions {
    /// Strict parsing with the default limits.
    pub const STRICT: ParseOptions = ParseOptions {
        mode: Mode::Strict,
        max_headers: DEFAULT_MAX_HEADERS,
        max_header_len: DEFAULT_MAX_HEADER_LEN,
    };

    /// Tolerant parsing with the default limits.
    pub const TOLERANT: ParseOptions = ParseOptions {
        mode: Mode::Tolerant,
        ..Self::STRICT
    };

    /// Default limits with the given mode.
    pub const fn with_mode(mode: Mode) -> ParseOptions {
        ParseOptions {
            mode,
            ..Self::STRICT
        }
    }

    pub(crate) fn tolerant(&self) -> bool {
        self.mode == Mode::Tolerant
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::STRICT
    }
}

/// A deviation from RFC 3862 (or RFC 5438) that tolerant parsing accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[repr(u8)]
pub enum Quirk {
    /// A line ended by LF alone instead of CRLF (RFC 3862 section 2.2).
    BareLf,
    /// A CPIM header of RFC 3862 section 4 (`From`, `To`, `cc`, `DateTime`, `Subject`, `NS`,
    /// `Require`) spelled in another case (`from:`), which strict parsing takes as another,
    /// unknown header (header names are case-sensitive). Taken as the RFC 3862 header.
    HeaderNameCase,
    /// No SP after the colon (and parameters) of a CPIM header. Read as if there were one.
    /// (More than one is not a quirk: the value begins with the second, as the grammar
    /// `":" SP Header-value` reads.)
    HeaderSpacing,
    /// White space at the end of a CPIM header line. Dropped.
    TrailingWhitespace,
    /// A CPIM header continued on a line that begins with white space (MIME folding, which
    /// RFC 3862 section 2.2 forbids: one header, one line). Unfolded: the line break is
    /// dropped, the white space kept.
    FoldedHeader,
    /// The blank line after a header block is missing: the MIME headers follow the CPIM
    /// headers directly (every example of RFC 5438, erratum 3013), or the input ends after
    /// the headers. A CPIM-block header named `Content-*` is taken as the first MIME header.
    MissingSeparator,
    /// The input starts with the outer `Content-Type: message/CPIM` header (RFC 5438
    /// section 8.1 prints one), which belongs to the transport. Skipped.
    OuterContentType,
    /// A header name uses a namespace prefix that no earlier `NS` header declared (RFC 3862
    /// section 3.4). Kept, with no namespace.
    UndeclaredPrefix,
    /// The MIME headers have no Content-Type (RFC 3862 section 2.4).
    MissingContentType,
    /// The message asks for IMDNs (a non-empty Disposition-Notification) without a DateTime
    /// header, which RFC 5438 section 7.1.1.2 requires.
    MissingDateTime,
    /// A header defined by RFC 3862 or RFC 5438 whose value does not follow its rule (an
    /// address without `<...>`, a malformed DateTime, a Message-ID that is not a token, an
    /// unusable `NS`). Kept as text; its typed accessor skips it.
    InvalidValue,
}

impl Quirk {
    const ALL: [Quirk; 11] = [
        Quirk::BareLf,
        Quirk::HeaderNameCase,
        Quirk::HeaderSpacing,
        Quirk::TrailingWhitespace,
        Quirk::FoldedHeader,
        Quirk::MissingSeparator,
        Quirk::OuterContentType,
        Quirk::UndeclaredPrefix,
        Quirk::MissingContentType,
        Quirk::MissingDateTime,
        Quirk::InvalidValue,
    ];

    /// A short kebab-case name, stable for tools and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::BareLf => "bare-lf",
            Quirk::HeaderNameCase => "header-name-case",
            Quirk::HeaderSpacing => "header-spacing",
            Quirk::TrailingWhitespace => "trailing-whitespace",
            Quirk::FoldedHeader => "folded-header",
            Quirk::MissingSeparator => "missing-separator",
            Quirk::OuterContentType => "outer-content-type",
            Quirk::UndeclaredPrefix => "undeclared-prefix",
            Quirk::MissingContentType => "missing-content-type",
            Quirk::MissingDateTime => "missing-datetime",
            Quirk::InvalidValue => "invalid-value",
        }
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The set of [`Quirk`]s met while parsing one message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Quirks(u16);

impl Quirks {
    /// No quirk.
    pub const NONE: Quirks = Quirks(0);

    /// Whether no quirk was met.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `quirk` was met.
    pub fn contains(self, quirk: Quirk) -> bool {
        self.0 & (1 << quirk as u16) != 0
    }

    /// Adds `quirk`.
    pub fn insert(&mut self, quirk: Quirk) {
        self.0 |= 1 << quirk as u16;
    }

    /// The quirks met, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Quirk> {
        Quirk::ALL.into_iter().filter(move |q| self.contains(*q))
    }
}

impl core::ops::BitOr for Quirks {
    type Output = Quirks;
    fn bitor(self, rhs: Quirks) -> Quirks {
        Quirks(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for Quirks {
    fn bitor_assign(&mut self, rhs: Quirks) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quirk_set_operations() {
        let mut q = Quirks::NONE;
        assert!(q.is_empty());
        q.insert(Quirk::BareLf);
        q.insert(Quirk::InvalidValue);
        assert!(q.contains(Quirk::InvalidValue) && !q.contains(Quirk::FoldedHeader));
        let all: alloc::vec::Vec<_> = q.iter().collect();
        assert_eq!(all, [Quirk::BareLf, Quirk::InvalidValue]);
        assert_eq!(alloc::format!("{q:?}"), "{BareLf, InvalidValue}");
        for quirk in Quirk::ALL {
            let mut one = Quirks::NONE;
            one.insert(quirk);
            assert_eq!(one.iter().collect::<alloc::vec::Vec<_>>(), [quirk]);
            assert!(!quirk.name().is_empty());
        }
    }
}
