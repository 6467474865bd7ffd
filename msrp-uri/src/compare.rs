//! URI comparison as MSRP defines it (RFC 4975 section 6.1, RFC 6714).

use crate::chars::{self, UNRESERVED};
use crate::host::Host;
use crate::uri::Uri;

impl Uri {
    /// Whether two URIs are equivalent by RFC 4975 section 6.1, the rule MSRP uses to match
    /// a To-Path URI to a session:
    ///
    /// 1. the schemes match (case-insensitive; both are stored lower-case);
    /// 2. the hosts are equivalent: IP addresses by value, other hosts as case-insensitive
    ///    strings after decoding percent-encoded unreserved characters; userinfo is ignored;
    /// 3. the ports are equal, and an explicit port never equals an absent one;
    /// 4. the session-ids are equal, case-sensitively, and an absent one never equals a
    ///    present one;
    /// 5. the transports are equal, case-insensitively.
    ///
    /// URI parameters other than the transport are not part of the comparison.
    ///
    /// ```
    /// use msrp_uri::Uri;
    ///
    /// let a: Uri = "msrp://Alice.Example.COM:7777/iau39;tcp".parse()?;
    /// let b: Uri = "MSRP://user@alice.%65xample.com:7777/iau39;TCP".parse()?;
    /// assert!(a.matches(&b));
    /// let other_session: Uri = "msrp://alice.example.com:7777/IAU39;tcp".parse()?;
    /// assert!(!a.matches(&other_session));
    /// # Ok::<(), msrp_uri::UriError>(())
    /// ```
    pub fn matches(&self, other: &Uri) -> bool {
        self.scheme() == other.scheme()
            && self.port() == other.port()
            && self.session_id() == other.session_id()
            && self.transport() == other.transport()
            && hosts_equivalent(self.host(), other.host())
    }

    /// Session matching by session-id alone, as an endpoint using MSRP-CEMA (RFC 6714) does
    /// when a middlebox has rewritten the address part of the URIs: both URIs have a
    /// session-id and the two are equal, case-sensitively (RFC 4975 section 6.1 rule 4).
    pub fn matches_session_id(&self, other: &Uri) -> bool {
        matches!((self.session_id(), other.session_id()), (Some(a), Some(b)) if a == b)
    }
}

fn hosts_equivalent(a: Host<'_>, b: Host<'_>) -> bool {
    match (a, b) {
        (Host::Ipv4(x), Host::Ipv4(y)) => x == y,
        (Host::Ipv6(x), Host::Ipv6(y)) => x == y,
        (Host::RegName(x), Host::RegName(y)) | (Host::IpvFuture(x), Host::IpvFuture(y)) => {
            // Without percent-encoding, normalization is only case folding.
            if !x.contains('%') && !y.contains('%') {
                x.eq_ignore_ascii_case(y)
            } else {
                normalized(x).eq(normalized(y))
            }
        }
        // A reg-name never equals an IP address: RFC 3986 reads a host as an IPv4 address
        // first, so the same text cannot be both.
        _ => false,
    }
}

/// The bytes of a host with percent-encoded unreserved characters decoded (RFC 3986
/// section 6.2.2.2) and everything in lower case (hosts and the hex digits of the remaining
/// percent-encodings are case-insensitive).
fn normalized(s: &str) -> impl Iterator<Item = u8> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    let mut pending: [u8; 2] = [0; 2];
    let mut pending_len = 0;
    core::iter::from_fn(move || {
        if pending_len > 0 {
            let out = pending[2 - pending_len];
            pending_len -= 1;
            return Some(out);
        }
        let c = *b.get(i)?;
        if c == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (chars::hex_value(b[i + 1]), chars::hex_value(b[i + 2])) {
                let decoded = h << 4 | l;
                i += 3;
                if chars::is(decoded, UNRESERVED) {
                    return Some(decoded.to_ascii_lowercase());
                }
                pending = [b[i - 2].to_ascii_lowercase(), b[i - 1].to_ascii_lowercase()];
                pending_len = 2;
                return Some(b'%');
            }
        }
        i += 1;
        Some(c.to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn norm(s: &str) -> Vec<u8> {
        normalized(s).collect()
    }

    #[test]
    fn normalization_decodes_unreserved_only() {
        assert_eq!(norm("Ex%41mple"), b"example");
        assert_eq!(norm("a%2fb"), b"a%2fb");
        assert_eq!(norm("a%2Fb"), b"a%2fb");
        assert_eq!(norm("a%7e"), b"a~");
        assert_eq!(norm("x%4"), b"x%4");
        assert_eq!(norm("%"), b"%");
    }

    fn u(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn rfc4975_6_1_rules() {
        let base = u("msrp://host.example.com:8493/asfd34;tcp");
        // 1. scheme
        assert!(!base.matches(&u("msrps://host.example.com:8493/asfd34;tcp")));
        assert!(base.matches(&u("MSRP://host.example.com:8493/asfd34;tcp")));
        // 2. authority: userinfo ignored, case-insensitive, %-decoding of unreserved
        assert!(base.matches(&u("msrp://bob@HOST.example.com:8493/asfd34;tcp")));
        assert!(base.matches(&u("msrp://%68ost.example.com:8493/asfd34;tcp")));
        assert!(!base.matches(&u("msrp://other.example.com:8493/asfd34;tcp")));
        // 3. port
        assert!(!base.matches(&u("msrp://host.example.com/asfd34;tcp")));
        assert!(!base.matches(&u("msrp://host.example.com:8494/asfd34;tcp")));
        assert!(base.matches(&u("msrp://host.example.com:08493/asfd34;tcp")));
        // 4. session-id
        assert!(!base.matches(&u("msrp://host.example.com:8493/ASFD34;tcp")));
        assert!(!base.matches(&u("msrp://host.example.com:8493;tcp")));
        // 5. transport
        assert!(base.matches(&u("msrp://host.example.com:8493/asfd34;TCP")));
        assert!(!base.matches(&u("msrp://host.example.com:8493/asfd34;ws")));
        // parameters do not count
        assert!(base.matches(&u("msrp://host.example.com:8493/asfd34;tcp;x=y")));
    }

    #[test]
    fn ip_addresses_compare_by_value() {
        let a = u("msrp://[2001:db8::1]:2855/s;tcp");
        assert!(a.matches(&u("msrp://[2001:DB8:0:0::0001]:2855/s;tcp")));
        assert!(!a.matches(&u("msrp://[2001:db8::2]:2855/s;tcp")));
        let v4 = u("msrp://192.0.2.1:2855/s;tcp");
        assert!(v4.matches(&u("msrp://192.0.2.1:2855/s;tcp")));
        assert!(!v4.matches(&u("msrp://[::ffff:192.0.2.1]:2855/s;tcp")));
    }

    #[test]
    fn session_id_matching_ignores_the_address() {
        let a = u("msrp://10.0.0.1:1234/abc;tcp");
        assert!(a.matches_session_id(&u("msrps://mbox.example.net:9/abc;tcp")));
        assert!(!a.matches_session_id(&u("msrp://10.0.0.1:1234/ABC;tcp")));
        let no_sid = u("msrp://relay.example.net;tcp");
        assert!(!no_sid.matches_session_id(&no_sid));
    }
}
