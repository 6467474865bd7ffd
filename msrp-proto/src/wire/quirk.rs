//! Deviations that tolerant parsing accepted, recorded on the chunk with their offsets.

use core::fmt;

/// A deviation from RFC 4975's grammar that tolerant parsing accepted (or, where
/// [`Quirk::is_violation`] is false, a valid but unusual spelling noted in both modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Quirk {
    /// `msrp` instead of `MSRP` at the start of the start line.
    LowerCaseMsrp,
    /// A transaction id or Message-ID outside `ALPHANUM 3*31ident-char` (too short, too
    /// long, or starting with a non-alphanumeric character).
    NonStandardId,
    /// A method name that is not `1*UPALPHA` (such as `FILE_OFFSET`).
    NonStandardMethod,
    /// A line ending in LF without CR.
    BareLf,
    /// A known header name not in its canonical case (`to-path`). Valid: header names are
    /// case-insensitive (RFC 5234 section 2.3).
    HeaderNameCase,
    /// Missing, extra or trailing white space around a known header's value.
    HeaderSpacing,
    /// To-Path and From-Path not first and second, or Content-Type not last.
    HeaderOrder,
    /// A value that breaks its header's rule but whose meaning is clear (such as white
    /// space inside a Content-Type, a control character in a Status comment, or an
    /// extension header's value that is not UTF-8 text), or a response's comment that is
    /// not UTF-8 (its code says what the response means). Noted at the first byte that
    /// breaks the rule (for a URI list, where strict parsing would refuse it).
    HeaderValue,
}

impl Quirk {
    /// A short kebab-case name, stable for tools and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::LowerCaseMsrp => "lower-case-msrp",
            Quirk::NonStandardId => "non-standard-id",
            Quirk::NonStandardMethod => "non-standard-method",
            Quirk::BareLf => "bare-lf",
            Quirk::HeaderNameCase => "header-name-case",
            Quirk::HeaderSpacing => "header-spacing",
            Quirk::HeaderOrder => "header-order",
            Quirk::HeaderValue => "header-value",
        }
    }

    /// Whether strict parsing rejects it.
    pub fn is_violation(self) -> bool {
        self != Quirk::HeaderNameCase
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
