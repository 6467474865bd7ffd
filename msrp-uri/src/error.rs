//! Parse errors: what was wrong, which grammar rule it broke, and where.

/// What was wrong with an MSRP URI or URI list.
///
/// Each kind names, through [`UriErrorKind::rule`], the ABNF rule or RFC text it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriErrorKind {
    /// The input is empty (or only white space in tolerant mode).
    #[error("empty URI")]
    Empty,
    /// The input is longer than [`ParseOptions::max_uri_len`](crate::ParseOptions::max_uri_len).
    #[error("URI longer than the limit of {max} bytes")]
    TooLong {
        /// The limit in force.
        max: usize,
    },
    /// MSRP URIs are US-ASCII (RFC 4975 section 6); this byte is not.
    #[error("byte 0x{byte:02x} is not US-ASCII")]
    NotAscii {
        /// The offending byte.
        byte: u8,
    },
    /// The scheme is not `msrp` or `msrps`.
    #[error("scheme is not \"msrp\" or \"msrps\"")]
    InvalidScheme,
    /// The scheme is not followed by `://`.
    #[error("missing \"://\" after the scheme")]
    MissingSchemeSeparator,
    /// A byte that `userinfo` (RFC 3986 section 3.2.1) does not allow.
    #[error("byte 0x{byte:02x} is not allowed in userinfo")]
    InvalidUserinfo {
        /// The offending byte.
        byte: u8,
    },
    /// The userinfo holds a password (`user:password`), which RFC 4975 section 6 forbids.
    #[error("userinfo MUST NOT contain password information")]
    PasswordInUserinfo,
    /// The host is empty.
    #[error("empty host")]
    EmptyHost,
    /// A byte that `reg-name` (RFC 3986 section 3.2.2) does not allow.
    #[error("byte 0x{byte:02x} is not allowed in a host name")]
    InvalidHost {
        /// The offending byte.
        byte: u8,
    },
    /// A `[...]` IP-literal that is neither an IPv6 address nor an IPvFuture.
    #[error("IP-literal is not a valid IPv6address or IPvFuture")]
    InvalidIpLiteral,
    /// More than one `:` outside brackets: an IPv6 address written without `[...]`.
    #[error("more than one \":\" outside an IP-literal; IPv6 addresses must be in brackets")]
    UnbracketedIpv6,
    /// A `%` not followed by two hex digits.
    #[error("\"%\" is not followed by two hex digits")]
    InvalidPercentEncoding,
    /// The port is empty or holds a non-digit.
    #[error("port is not *DIGIT (or is empty)")]
    InvalidPort,
    /// The port is larger than 65535.
    #[error("port is larger than 65535")]
    PortOutOfRange,
    /// A numeric IP address without a port (RFC 4975 section 6).
    #[error("authority with a numeric IP address MUST also contain a port")]
    PortRequired,
    /// A `/` not followed by a session-id.
    #[error("empty session-id after \"/\"")]
    EmptySessionId,
    /// A byte that `session-id` does not allow.
    #[error("byte 0x{byte:02x} is not allowed in a session-id")]
    InvalidSessionId {
        /// The offending byte.
        byte: u8,
    },
    /// The mandatory `;transport` part is missing.
    #[error("missing \";\" transport")]
    MissingTransport,
    /// The transport is empty or not `1*ALPHANUM`.
    #[error("transport must be \"tcp\" / 1*ALPHANUM")]
    InvalidTransport,
    /// A URI parameter that is not `token ["=" token]`.
    #[error("URI-parameter must be token [\"=\" token]")]
    InvalidParameter,
    /// A URI list (To-Path, From-Path, Use-Path, a=path) with no URI.
    #[error("empty URI list")]
    EmptyPath,
    /// URIs in a list separated by something other than one SP.
    #[error("URIs in a list must be separated by exactly one SP")]
    InvalidSeparator,
    /// A URI list with more URIs than
    /// [`ParseOptions::max_path_uris`](crate::ParseOptions::max_path_uris).
    #[error("URI list longer than the limit of {max} URIs")]
    TooManyUris {
        /// The limit in force.
        max: usize,
    },
}

impl UriErrorKind {
    /// A short snake_case name of the kind, stable for tools and JSON output (the
    /// variant's name; the fields are in the [`Display`](core::fmt::Display) text).
    pub fn name(&self) -> &'static str {
        use UriErrorKind::*;
        match self {
            Empty => "empty",
            TooLong { .. } => "too_long",
            NotAscii { .. } => "not_ascii",
            InvalidScheme => "invalid_scheme",
            MissingSchemeSeparator => "missing_scheme_separator",
            InvalidUserinfo { .. } => "invalid_userinfo",
            PasswordInUserinfo => "password_in_userinfo",
            EmptyHost => "empty_host",
            InvalidHost { .. } => "invalid_host",
            InvalidIpLiteral => "invalid_ip_literal",
            UnbracketedIpv6 => "unbracketed_ipv6",
            InvalidPercentEncoding => "invalid_percent_encoding",
            InvalidPort => "invalid_port",
            PortOutOfRange => "port_out_of_range",
            PortRequired => "port_required",
            EmptySessionId => "empty_session_id",
            InvalidSessionId { .. } => "invalid_session_id",
            MissingTransport => "missing_transport",
            InvalidTransport => "invalid_transport",
            InvalidParameter => "invalid_parameter",
            EmptyPath => "empty_path",
            InvalidSeparator => "invalid_separator",
            TooManyUris { .. } => "too_many_uris",
        }
    }

    /// The grammar rule (or RFC prose) the input breaks, as the conformance vectors name it.
    pub fn rule(&self) -> &'static str {
        use UriErrorKind::*;
        match self {
            Empty | MissingSchemeSeparator | MissingTransport => "MSRP-URI",
            TooLong { .. } | TooManyUris { .. } => "limit",
            NotAscii { .. } => "RFC 4975 section 6 prose",
            InvalidScheme => "msrp-scheme",
            InvalidUserinfo { .. } => "userinfo (RFC 3986)",
            PasswordInUserinfo => "RFC 4975 section 6 prose",
            EmptyHost | InvalidHost { .. } => "host (RFC 3986)",
            InvalidIpLiteral => "IP-literal (RFC 3986)",
            UnbracketedIpv6 => "authority (RFC 3986)",
            InvalidPercentEncoding => "pct-encoded (RFC 3986)",
            InvalidPort | PortOutOfRange => "port (RFC 3986)",
            PortRequired => "RFC 4975 section 6 prose",
            EmptySessionId | InvalidSessionId { .. } => "session-id",
            InvalidTransport => "transport",
            InvalidParameter => "URI-parameter",
            EmptyPath | InvalidSeparator => "To-Path / From-Path",
        }
    }
}

/// An MSRP URI (or URI list) that could not be parsed.
///
/// `offset` is the byte offset in the input where the problem was found; for a URI list it
/// counts from the start of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct UriError {
    kind: UriErrorKind,
    offset: usize,
}

impl UriError {
    pub(crate) fn new(kind: UriErrorKind, offset: usize) -> Self {
        UriError { kind, offset }
    }

    /// What was wrong.
    pub fn kind(&self) -> UriErrorKind {
        self.kind
    }

    /// The byte offset in the input where it was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The grammar rule broken (see [`UriErrorKind::rule`]).
    pub fn rule(&self) -> &'static str {
        self.kind.rule()
    }

    /// The same error, found `by` bytes further into a larger input.
    pub(crate) fn shifted(self, by: usize) -> Self {
        UriError {
            kind: self.kind,
            offset: self.offset + by,
        }
    }
}
