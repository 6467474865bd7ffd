//! The host of an MSRP URI authority (RFC 3986 section 3.2.2).

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

/// `host = IP-literal / IPv4address / reg-name` (RFC 3986 section 3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A registered name (usually a DNS name), as written: percent-encoding and case kept.
    RegName(&'a str),
    /// A dotted-decimal IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets in a URI).
    Ipv6(Ipv6Addr),
    /// An `IPvFuture` literal (`v1.xyz`), without its brackets.
    IpvFuture(&'a str),
}

impl Host<'_> {
    /// `host_type` as the conformance vectors name it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Host::RegName(_) => "reg-name",
            Host::Ipv4(_) => "ipv4",
            Host::Ipv6(_) => "ipv6",
            Host::IpvFuture(_) => "ipvfuture",
        }
    }

    /// Whether this is a numeric address (IPv4, IPv6 or IPvFuture), which RFC 4975
    /// section 6 says MUST come with a port.
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Host::RegName(_))
    }
}

/// Prints the host as it appears in an authority: IPv6 and IPvFuture in brackets.
impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::RegName(s) => f.write_str(s),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "[{a}]"),
            Host::IpvFuture(s) => write!(f, "[{s}]"),
        }
    }
}
