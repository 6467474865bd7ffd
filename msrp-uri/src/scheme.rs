//! The URI scheme: `msrp` or `msrps`.

use core::fmt;

/// `msrp-scheme = "msrp" / "msrps"` (RFC 4975 section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `msrp`: MSRP over an unprotected connection.
    Msrp,
    /// `msrps`: the connection MUST be protected with TLS (RFC 4975 section 6).
    Msrps,
}

impl Scheme {
    /// The scheme in its canonical (lower-case) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Msrp => "msrp",
            Scheme::Msrps => "msrps",
        }
    }

    /// Whether the connection must use TLS.
    pub fn is_secure(self) -> bool {
        self == Scheme::Msrps
    }

    /// The scheme named by `name`, compared case-insensitively (RFC 3986 section 3.1).
    pub fn from_name(name: &[u8]) -> Option<Scheme> {
        if name.eq_ignore_ascii_case(b"msrp") {
            Some(Scheme::Msrp)
        } else if name.eq_ignore_ascii_case(b"msrps") {
            Some(Scheme::Msrps)
        } else {
            None
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
