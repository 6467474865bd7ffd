//! How strictly to parse, the limits that bound parsing, and what tolerant mode let pass.

use core::fmt;

/// How strictly input is checked.
///
/// The same two modes are used by the chunk and SDP parsers of this workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Follow the ABNF and the RFC prose; any deviation is an error.
    #[default]
    Strict,
    /// Accept what real peers send when the meaning is still clear, and report each
    /// deviation as a [`Quirk`].
    Tolerant,
}

/// Default for [`ParseOptions::max_uri_len`]: 2048 bytes.
///
/// The longest URI in the RFC examples is under 70 bytes; a 253-byte host name, a long
/// session-id and a few parameters still fit many times over. The limit bounds the memory
/// one URI of a hostile peer can cost.
pub const DEFAULT_MAX_URI_LEN: usize = 2048;

/// Hard upper bound for [`ParseOptions::max_uri_len`]: component offsets are stored as `u16`,
/// and tolerant parsing may add a few bytes (`;tcp`, IPv6 brackets) when it rewrites a URI.
pub const MAX_URI_LEN_CAP: usize = u16::MAX as usize - 64;

/// Default for [`ParseOptions::max_path_uris`]: 32 URIs.
///
/// A path holds one URI per relay plus the endpoint; RFC 4976 deployments use one or two
/// relays per side. 32 leaves room for long relay chains while bounding what a peer can make
/// a parser allocate for one header.
pub const DEFAULT_MAX_PATH_URIS: usize = 32;

/// Options for [`Uri::parse_with`](crate::Uri::parse_with) and
/// [`Path::parse_with`](crate::Path::parse_with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseOptions {
    /// Strict or tolerant.
    pub mode: Mode,
    /// Longest URI accepted, in bytes (capped at [`MAX_URI_LEN_CAP`]). Longer input is
    /// rejected before it is examined.
    pub max_uri_len: usize,
    /// Most URIs accepted in one URI list.
    pub max_path_uris: usize,
}

impl ParseOptions {
    /// Strict parsing with the default limits.
    pub const STRICT: ParseOptions = ParseOptions {
        mode: Mode::Strict,
        max_uri_len: DEFAULT_MAX_URI_LEN,
        max_path_uris: DEFAULT_MAX_PATH_URIS,
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

    pub(crate) fn uri_len_limit(&self) -> usize {
        self.max_uri_len.min(MAX_URI_LEN_CAP)
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

/// A deviation from the grammar that tolerant parsing accepted (or, for
/// [`Quirk::SchemeCase`], a non-canonical spelling that even strict parsing accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[repr(u8)]
pub enum Quirk {
    /// The scheme has upper-case letters (`MSRP://`). Valid: RFC 3986 section 3.1 makes
    /// schemes case-insensitive. Printed in lower case.
    SchemeCase,
    /// White space before or after the URI (or around and between the URIs of a list), or
    /// more than one SP between URIs. Dropped.
    Whitespace,
    /// A numeric IP address without a port, which RFC 4975 section 6 forbids. Kept.
    NumericHostWithoutPort,
    /// A `:` with no port after it. Dropped.
    EmptyPort,
    /// No `;transport` part. Taken as `;tcp`, the only transport RFC 4975 defines.
    MissingTransport,
    /// An IPv6 address without brackets (as RFC 8873's examples print); the digits after the
    /// last `:` are taken as the port. Printed in brackets.
    UnbracketedIpv6,
    /// `user:password` userinfo, which RFC 4975 section 6 forbids. Kept.
    PasswordInUserinfo,
    /// An empty URI parameter (`;;` or a trailing `;`). Dropped.
    EmptyParameter,
}

impl Quirk {
    const ALL: [Quirk; 8] = [
        Quirk::SchemeCase,
        Quirk::Whitespace,
        Quirk::NumericHostWithoutPort,
        Quirk::EmptyPort,
        Quirk::MissingTransport,
        Quirk::UnbracketedIpv6,
        Quirk::PasswordInUserinfo,
        Quirk::EmptyParameter,
    ];

    /// A short kebab-case name, stable for tools and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::SchemeCase => "scheme-case",
            Quirk::Whitespace => "whitespace",
            Quirk::NumericHostWithoutPort => "numeric-host-without-port",
            Quirk::EmptyPort => "empty-port",
            Quirk::MissingTransport => "missing-transport",
            Quirk::UnbracketedIpv6 => "unbracketed-ipv6",
            Quirk::PasswordInUserinfo => "password-in-userinfo",
            Quirk::EmptyParameter => "empty-parameter",
        }
    }

    /// Whether this is a violation of the RFCs (strict parsing rejects it), as opposed to a
    /// valid but non-canonical spelling.
    pub fn is_violation(self) -> bool {
        self != Quirk::SchemeCase
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The set of [`Quirk`]s met while parsing one URI or URI list.
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

    /// Whether any quirk met is an RFC violation (see [`Quirk::is_violation`]).
    pub fn has_violation(self) -> bool {
        self.iter().any(Quirk::is_violation)
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
        q.insert(Quirk::SchemeCase);
        assert!(!q.has_violation());
        q.insert(Quirk::EmptyParameter);
        assert!(q.contains(Quirk::EmptyParameter) && !q.contains(Quirk::EmptyPort));
        assert!(q.has_violation());
        let all: alloc::vec::Vec<_> = q.iter().collect();
        assert_eq!(all, [Quirk::SchemeCase, Quirk::EmptyParameter]);
        assert_eq!(alloc::format!("{q:?}"), "{SchemeCase, EmptyParameter}");
        for quirk in Quirk::ALL {
            let mut one = Quirks::NONE;
            one.insert(quirk);
            assert_eq!(one.iter().collect::<alloc::vec::Vec<_>>(), [quirk]);
        }
    }
}
