//! The MSRP URI parser: one forward pass over the input, no backtracking beyond the
//! authority, so the cost is linear in the input length (which is bounded by
//! [`ParseOptions::max_uri_len`]).
//!
//! Grammar (RFC 4975 section 9, with RFC 3986 section 3.2 for the authority and RFC 7977
//! section 5.2.1 for `ws`):
//!
//! ```text
//! MSRP-URI    = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter)
//! authority   = [ userinfo "@" ] host [ ":" port ]
//! session-id  = 1*( unreserved / "+" / "=" / "/" )
//! transport   = "tcp" / "ws" / 1*ALPHANUM
//! URI-parameter = token ["=" token]
//! ```
//!
//! As the conformance vectors read it (and every RFC example agrees), the authority ends at
//! the first `/` or `;` outside an IP-literal.

use core::net::{Ipv4Addr, Ipv6Addr};
use core::ops::Range;

use crate::chars::{self, ALPHANUM, HEXDIG, SCHEME, SESSION_ID, SUB_DELIM, TOKEN, UNRESERVED};
use crate::error::{UriError, UriErrorKind as K};
use crate::options::{ParseOptions, Quirk, Quirks};
use crate::scheme::Scheme;

/// What kind of host was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    RegName,
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    IpvFuture,
}

impl HostKind {
    /// Hosts printed inside `[...]`.
    pub(crate) fn bracketed(self) -> bool {
        matches!(self, HostKind::Ipv6(_) | HostKind::IpvFuture)
    }
}

/// The components of a parsed URI, as byte ranges of the (trimmed) input.
#[derive(Debug, Clone)]
pub(crate) struct Components<'a> {
    /// The URI's bytes (checked to be ASCII).
    pub(crate) text: &'a [u8],
    pub(crate) scheme: Scheme,
    pub(crate) userinfo: Option<Range<usize>>,
    pub(crate) host: Range<usize>,
    pub(crate) host_kind: HostKind,
    /// The digits of the port as written; `None` also when tolerant mode dropped an empty one.
    pub(crate) port: Option<(Range<usize>, u16)>,
    pub(crate) session_id: Option<Range<usize>>,
    /// `None` when tolerant mode accepted a URI without transport.
    pub(crate) transport: Option<Range<usize>>,
    /// From the `;` before the first parameter to the end.
    pub(crate) params: Range<usize>,
    /// Whether `text` is already the canonical spelling (nothing to rewrite).
    pub(crate) canonical: bool,
}

type Result<T> = core::result::Result<T, UriError>;

fn err<T>(kind: K, at: usize) -> Result<T> {
    Err(UriError::new(kind, at))
}

/// Parses one MSRP URI. Offsets in errors count from the start of `input`.
pub(crate) fn parse<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    quirks: &mut Quirks,
) -> Result<Components<'a>> {
    let max = opts.uri_len_limit();
    if input.len() > max {
        return err(K::TooLong { max }, max);
    }
    let (start, end) = if opts.tolerant() {
        let start = input.iter().position(|b| !is_ws(*b)).unwrap_or(input.len());
        let end = input
            .iter()
            .rposition(|b| !is_ws(*b))
            .map_or(start, |e| e + 1);
        if (start, end) != (0, input.len()) {
            quirks.insert(Quirk::Whitespace);
        }
        (start, end)
    } else {
        (0, input.len())
    };
    let s = &input[start..end];
    parse_trimmed(s, opts, quirks).map_err(|e| e.shifted(start))
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn parse_trimmed<'a>(
    s: &'a [u8],
    opts: &ParseOptions,
    quirks: &mut Quirks,
) -> Result<Components<'a>> {
    let n = s.len();
    if n == 0 {
        return err(K::Empty, 0);
    }
    if let Some(i) = s.iter().position(|b| !b.is_ascii()) {
        return err(K::NotAscii { byte: s[i] }, i);
    }
    let text = s;
    let tolerant = opts.tolerant();
    let mut canonical = true;

    // scheme "://"
    let scheme_end = s.iter().position(|b| !chars::is(*b, SCHEME)).unwrap_or(n);
    let scheme = match Scheme::from_name(&s[..scheme_end]) {
        Some(scheme) => scheme,
        None => return err(K::InvalidScheme, 0),
    };
    if !s[scheme_end..].starts_with(b"://") {
        return err(K::MissingSchemeSeparator, scheme_end);
    }
    if s[..scheme_end].iter().any(u8::is_ascii_uppercase) {
        quirks.insert(Quirk::SchemeCase);
        canonical = false;
    }

    // authority: up to the first "/" or ";" outside brackets
    let auth_start = scheme_end + 3;
    let mut auth_end = auth_start;
    let mut in_brackets = false;
    while auth_end < n {
        match s[auth_end] {
            b'[' => in_brackets = true,
            b']' => in_brackets = false,
            b'/' | b';' if !in_brackets => break,
            _ => {}
        }
        auth_end += 1;
    }

    let (userinfo, host_start) = match s[auth_start..auth_end].iter().position(|b| *b == b'@') {
        Some(at) => {
            let range = auth_start..auth_start + at;
            check_userinfo(s, range.clone(), tolerant, quirks)?;
            (Some(range), auth_start + at + 1)
        }
        None => (None, auth_start),
    };

    let (host, host_kind, port_digits) =
        parse_host_port(s, text, host_start..auth_end, tolerant, quirks)?;
    let port = match port_digits {
        None => None,
        Some(r) if r.is_empty() => {
            if !tolerant {
                return err(K::InvalidPort, r.start);
            }
            quirks.insert(Quirk::EmptyPort);
            canonical = false;
            None
        }
        Some(r) => Some((r.clone(), parse_port(s, r)?)),
    };
    if port.is_none() && host_kind != HostKind::RegName {
        if !tolerant {
            return err(K::PortRequired, host.start);
        }
        quirks.insert(Quirk::NumericHostWithoutPort);
    }
    if quirks.contains(Quirk::UnbracketedIpv6) {
        canonical = false;
    }

    // ["/" session-id]
    let mut pos = auth_end;
    let session_id = if pos < n && s[pos] == b'/' {
        let sid_start = pos + 1;
        let mut k = sid_start;
        while k < n && chars::is(s[k], SESSION_ID) {
            k += 1;
        }
        if k < n && s[k] != b';' {
            return err(K::InvalidSessionId { byte: s[k] }, k);
        }
        if k == sid_start {
            return err(K::EmptySessionId, sid_start);
        }
        pos = k;
        Some(sid_start..k)
    } else {
        None
    };

    // ";" transport
    let transport = if pos == n {
        if !tolerant {
            return err(K::MissingTransport, n);
        }
        quirks.insert(Quirk::MissingTransport);
        canonical = false;
        None
    } else {
        // The authority and session-id scans only stop at ";" here.
        let t_start = pos + 1;
        let mut k = t_start;
        while k < n && chars::is(s[k], ALPHANUM) {
            k += 1;
        }
        if k == t_start || (k < n && s[k] != b';') {
            return err(K::InvalidTransport, k);
        }
        pos = k;
        Some(t_start..k)
    };

    // *( ";" URI-parameter )
    let params = pos..n;
    while pos < n {
        let p_start = pos + 1;
        let p_end = s[p_start..]
            .iter()
            .position(|b| *b == b';')
            .map_or(n, |e| p_start + e);
        if p_end == p_start {
            if !tolerant {
                return err(K::InvalidParameter, p_start);
            }
            quirks.insert(Quirk::EmptyParameter);
            canonical = false;
        } else {
            check_param(s, p_start..p_end)?;
        }
        pos = p_end;
    }

    Ok(Components {
        text,
        scheme,
        userinfo,
        host,
        host_kind,
        port,
        session_id,
        transport,
        params,
        canonical,
    })
}

/// `userinfo = *( unreserved / pct-encoded / sub-delims / ":" )`; a `:` means a password,
/// which RFC 4975 section 6 forbids.
fn check_userinfo(s: &[u8], r: Range<usize>, tolerant: bool, quirks: &mut Quirks) -> Result<()> {
    let mut i = r.start;
    while i < r.end {
        let b = s[i];
        if b == b'%' {
            check_pct(s, i, r.end)?;
            i += 3;
            continue;
        }
        if b == b':' {
            if !tolerant {
                return err(K::PasswordInUserinfo, i);
            }
            quirks.insert(Quirk::PasswordInUserinfo);
        } else if !chars::is_any(b, UNRESERVED | SUB_DELIM) {
            return err(K::InvalidUserinfo { byte: b }, i);
        }
        i += 1;
    }
    Ok(())
}

fn check_pct(s: &[u8], at: usize, end: usize) -> Result<()> {
    if at + 2 < end && chars::is(s[at + 1], HEXDIG) && chars::is(s[at + 2], HEXDIG) {
        Ok(())
    } else {
        err(K::InvalidPercentEncoding, at)
    }
}

/// Host and optional port digits in `r` (the authority after any userinfo).
fn parse_host_port(
    s: &[u8],
    text: &[u8],
    r: Range<usize>,
    tolerant: bool,
    quirks: &mut Quirks,
) -> Result<(Range<usize>, HostKind, Option<Range<usize>>)> {
    if r.is_empty() {
        return err(K::EmptyHost, r.start);
    }
    if s[r.start] == b'[' {
        let close = match s[r.start..r.end].iter().position(|b| *b == b']') {
            Some(c) => r.start + c,
            None => return err(K::InvalidIpLiteral, r.start),
        };
        let lit = r.start + 1..close;
        let kind = match parse_ip_literal(&text[lit.clone()]) {
            Some(kind) => kind,
            None => return err(K::InvalidIpLiteral, lit.start),
        };
        let after = close + 1;
        let port = if after == r.end {
            None
        } else if s[after] == b':' {
            Some(after + 1..r.end)
        } else {
            return err(K::InvalidHost { byte: s[after] }, after);
        };
        return Ok((lit, kind, port));
    }

    let area = &s[r.clone()];
    let first_colon = area.iter().position(|b| *b == b':').map(|c| r.start + c);
    if let Some(c) = first_colon {
        if let Some(second) = s[c + 1..r.end].iter().position(|b| *b == b':') {
            if tolerant {
                if let Some(found) = unbracketed_ipv6(s, text, r.clone()) {
                    quirks.insert(Quirk::UnbracketedIpv6);
                    return Ok(found);
                }
            }
            return err(K::UnbracketedIpv6, c + 1 + second);
        }
    }
    let host = r.start..first_colon.unwrap_or(r.end);
    if host.is_empty() {
        return err(K::EmptyHost, host.start);
    }
    // RFC 3986 reads a host as IPv4address first; only text starting with a digit can be one.
    let ipv4 = match s[host.start].is_ascii_digit() {
        true => ascii(&text[host.clone()]).parse::<Ipv4Addr>().ok(),
        false => None,
    };
    let kind = match ipv4 {
        Some(addr) => HostKind::Ipv4(addr),
        None => {
            check_reg_name(s, host.clone())?;
            HostKind::RegName
        }
    };
    Ok((host, kind, first_colon.map(|c| c + 1..r.end)))
}

/// Tolerant reading of an IPv6 address written without brackets: the digits after the last
/// `:` are the port if what precedes them is an address (MSRP URIs carry ports); otherwise
/// the whole text may be an address without port.
fn unbracketed_ipv6(
    s: &[u8],
    text: &[u8],
    r: Range<usize>,
) -> Option<(Range<usize>, HostKind, Option<Range<usize>>)> {
    let last = r.start + s[r.clone()].iter().rposition(|b| *b == b':')?;
    let digits = last + 1..r.end;
    if !digits.is_empty() && s[digits.clone()].iter().all(u8::is_ascii_digit) {
        if let Ok(addr) = ascii(&text[r.start..last]).parse::<Ipv6Addr>() {
            return Some((r.start..last, HostKind::Ipv6(addr), Some(digits)));
        }
    }
    let addr = ascii(&text[r.clone()]).parse::<Ipv6Addr>().ok()?;
    Some((r, HostKind::Ipv6(addr), None))
}

/// The text of bytes already checked to be ASCII (the empty string otherwise, which no
/// address parser accepts).
fn ascii(b: &[u8]) -> &str {
    core::str::from_utf8(b).unwrap_or("")
}

/// `IP-literal = "[" ( IPv6address / IPvFuture ) "]"`, without the brackets.
fn parse_ip_literal(b: &[u8]) -> Option<HostKind> {
    if matches!(b.first(), Some(b'v' | b'V')) {
        // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
        let dot = b.iter().position(|c| *c == b'.')?;
        let ok = dot > 1
            && b[1..dot].iter().all(|c| chars::is(*c, HEXDIG))
            && dot + 1 < b.len()
            && b[dot + 1..]
                .iter()
                .all(|c| *c == b':' || chars::is_any(*c, UNRESERVED | SUB_DELIM));
        return ok.then_some(HostKind::IpvFuture);
    }
    ascii(b).parse::<Ipv6Addr>().ok().map(HostKind::Ipv6)
}

/// `reg-name = *( unreserved / pct-encoded / sub-delims )`.
fn check_reg_name(s: &[u8], r: Range<usize>) -> Result<()> {
    let mut i = r.start;
    while i < r.end {
        let b = s[i];
        if b == b'%' {
            check_pct(s, i, r.end)?;
            i += 3;
        } else if chars::is_any(b, UNRESERVED | SUB_DELIM) {
            i += 1;
        } else {
            return err(K::InvalidHost { byte: b }, i);
        }
    }
    Ok(())
}

/// `port = *DIGIT`, non-empty here, at most 65535.
fn parse_port(s: &[u8], r: Range<usize>) -> Result<u16> {
    let mut value: u32 = 0;
    for i in r.clone() {
        let b = s[i];
        if !b.is_ascii_digit() {
            return err(K::InvalidPort, i);
        }
        value = value * 10 + u32::from(b - b'0');
        if value > u32::from(u16::MAX) {
            return err(K::PortOutOfRange, r.start);
        }
    }
    // The loop returns before `value` leaves the u16 range.
    u16::try_from(value).map_err(|_| UriError::new(K::PortOutOfRange, r.start))
}

/// `URI-parameter = token ["=" token]`.
fn check_param(s: &[u8], r: Range<usize>) -> Result<()> {
    let eq = s[r.clone()]
        .iter()
        .position(|b| *b == b'=')
        .map(|e| r.start + e);
    let (name, value) = match eq {
        Some(e) => (r.start..e, Some(e + 1..r.end)),
        None => (r.clone(), None),
    };
    check_token(s, name)?;
    if let Some(value) = value {
        check_token(s, value)?;
    }
    Ok(())
}

fn check_token(s: &[u8], r: Range<usize>) -> Result<()> {
    if r.is_empty() {
        return err(K::InvalidParameter, r.start);
    }
    match s[r.clone()].iter().position(|b| !chars::is(*b, TOKEN)) {
        Some(i) => err(K::InvalidParameter, r.start + i),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Host, ParseOptions, Quirk, Transport, Uri, UriErrorKind};
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::net::Ipv6Addr;

    fn strict_err(s: &str) -> (UriErrorKind, usize) {
        let e = Uri::parse(s).expect_err(s);
        (e.kind(), e.offset())
    }

    #[test]
    fn strict_errors_name_the_rule_and_offset() {
        use UriErrorKind::*;
        let cases: &[(&str, UriErrorKind, usize)] = &[
            ("", Empty, 0),
            ("sip://h:1/s;tcp", InvalidScheme, 0),
            ("msrpx://h:1/s;tcp", InvalidScheme, 0),
            ("msrp:/h:1/s;tcp", MissingSchemeSeparator, 4),
            ("msrp", MissingSchemeSeparator, 4),
            ("msrp://;tcp", EmptyHost, 7),
            ("msrp://u@;tcp", EmptyHost, 9),
            ("msrp://h^st;tcp", InvalidHost { byte: b'^' }, 8),
            ("msrp://h%4;tcp", InvalidPercentEncoding, 8),
            ("msrp://h%zz;tcp", InvalidPercentEncoding, 8),
            ("msrp://u%;tcp", InvalidPercentEncoding, 8),
            ("msrp://a b@h;tcp", InvalidUserinfo { byte: b' ' }, 8),
            ("msrp://u:pw@h;tcp", PasswordInUserinfo, 8),
            ("msrp://h:;tcp", InvalidPort, 9),
            ("msrp://h:12x;tcp", InvalidPort, 11),
            ("msrp://h:65536;tcp", PortOutOfRange, 9),
            ("msrp://h:99999999999999999999;tcp", PortOutOfRange, 9),
            ("msrp://10.1.2.3/s;tcp", PortRequired, 7),
            ("msrp://[::1]/s;tcp", PortRequired, 8),
            ("msrp://[::1;tcp", InvalidIpLiteral, 7),
            ("msrp://[::g]:1;tcp", InvalidIpLiteral, 8),
            ("msrp://[v.x]:1;tcp", InvalidIpLiteral, 8),
            ("msrp://[vz.x]:1;tcp", InvalidIpLiteral, 8),
            ("msrp://[v1.]:1;tcp", InvalidIpLiteral, 8),
            ("msrp://[::1]x:1;tcp", InvalidHost { byte: b'x' }, 12),
            ("msrp://2001:db8::1:2855/s;tcp", UnbracketedIpv6, 15),
            ("msrp://h:1/;tcp", EmptySessionId, 11),
            ("msrp://h:1/", EmptySessionId, 11),
            ("msrp://h:1/a b;tcp", InvalidSessionId { byte: b' ' }, 12),
            ("msrp://h:1/s", MissingTransport, 12),
            ("msrp://h:1", MissingTransport, 10),
            ("msrp://h:1/s;", InvalidTransport, 13),
            ("msrp://h:1/s;t_p", InvalidTransport, 14),
            ("msrp://h:1/s;tcp ", InvalidTransport, 16),
            ("msrp://h:1/s;tcp;", InvalidParameter, 17),
            ("msrp://h:1/s;tcp;;a", InvalidParameter, 17),
            ("msrp://h:1/s;tcp;=v", InvalidParameter, 17),
            ("msrp://h:1/s;tcp;a=", InvalidParameter, 19),
            ("msrp://h:1/s;tcp;a=\"v\"", InvalidParameter, 19),
            (" msrp://h:1/s;tcp", InvalidScheme, 0),
            ("msrp://h\u{e9}:1/s;tcp", NotAscii { byte: 0xc3 }, 8),
        ];
        for (input, kind, offset) in cases {
            assert_eq!(strict_err(input), (*kind, *offset), "{input:?}");
        }
    }

    #[test]
    fn the_length_limit_is_checked_first() {
        let long: String = core::iter::repeat_n('a', 3000).collect();
        let input = alloc::format!("msrp://{long}:1/s;tcp");
        let e = Uri::parse(&input).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (UriErrorKind::TooLong { max: 2048 }, 2048)
        );
        let opts = ParseOptions {
            max_uri_len: 10_000,
            ..ParseOptions::STRICT
        };
        assert!(Uri::parse_with(input.as_bytes(), &opts).is_ok());
        // The hard cap holds whatever the options say.
        let huge: String = core::iter::repeat_n('a', 70_000).collect();
        let opts = ParseOptions {
            max_uri_len: usize::MAX,
            ..ParseOptions::STRICT
        };
        let e = Uri::parse_with(huge.as_bytes(), &opts).unwrap_err();
        assert_eq!(
            e.kind(),
            UriErrorKind::TooLong {
                max: crate::MAX_URI_LEN_CAP
            }
        );
        // At the cap, a tolerant rewrite (adding ";tcp" and brackets) still fits the spans.
        let host: String =
            core::iter::repeat_n('h', crate::MAX_URI_LEN_CAP - "msrp://:1".len()).collect();
        let at_cap = alloc::format!("msrp://{host}:1");
        assert_eq!(at_cap.len(), crate::MAX_URI_LEN_CAP);
        let tolerant = ParseOptions {
            max_uri_len: usize::MAX,
            ..ParseOptions::TOLERANT
        };
        let (u, _) = Uri::parse_with(at_cap.as_bytes(), &tolerant).unwrap();
        assert_eq!(u.transport_str(), "tcp");
        assert_eq!(u.host_str(), host);
        assert_eq!(u.port(), Some(1));
    }

    #[test]
    fn hosts() {
        let u = Uri::parse("msrp://[2001:DB8::1]:2855/s;tcp").unwrap();
        assert_eq!(
            u.host(),
            Host::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap())
        );
        assert_eq!(u.host_str(), "2001:DB8::1");
        assert_eq!(u.authority(), "[2001:DB8::1]:2855");
        let u = Uri::parse("msrp://[v7.a:b!]:1;tcp").unwrap();
        assert_eq!(u.host(), Host::IpvFuture("v7.a:b!"));
        let u = Uri::parse("msrp://1.2.3.256;tcp").unwrap();
        assert_eq!(u.host(), Host::RegName("1.2.3.256"));
        let u = Uri::parse("msrp://01.2.3.4;tcp").unwrap();
        assert_eq!(u.host(), Host::RegName("01.2.3.4"));
        let u = Uri::parse("msrp://%41lice!$&'()*+,=.x~_-:1;tcp").unwrap();
        assert_eq!(u.host_str(), "%41lice!$&'()*+,=.x~_-");
        let u = Uri::parse("msrp://u%20:x@h;tcp");
        assert!(u.is_err());
        let u = Uri::parse("msrp://us%20er!@h;tcp").unwrap();
        assert_eq!(u.userinfo(), Some("us%20er!"));
        assert_eq!(u.authority(), "us%20er!@h");
    }

    #[test]
    fn session_id_transport_and_params() {
        let u = Uri::parse("msrps://h:1/a/b+c=d.e_f~g-h;WS;maddr=x;lr").unwrap();
        assert_eq!(u.session_id(), Some("a/b+c=d.e_f~g-h"));
        assert_eq!(u.transport(), Transport::Ws);
        assert_eq!(u.transport_str(), "WS");
        let params: Vec<_> = u.params().map(|p| (p.name, p.value)).collect();
        assert_eq!(params, [("maddr", Some("x")), ("lr", None)]);
        assert_eq!(u.param("LR").map(|p| p.name), Some("lr"));
        assert!(u.param("ttl").is_none());
        let u = Uri::parse("msrp://h:1;sctp").unwrap();
        assert_eq!(u.transport(), Transport::Other("sctp"));
        assert_eq!(u.session_id(), None);
        assert_eq!(u.authority(), "h:1");
    }

    fn tolerant(s: &str) -> (Uri, Vec<Quirk>) {
        let (u, q) = Uri::parse_with(s.as_bytes(), &ParseOptions::TOLERANT).expect(s);
        (u, q.iter().collect())
    }

    #[test]
    fn tolerant_mode_reports_what_it_accepts() {
        use Quirk::*;
        let cases: &[(&str, &str, &[Quirk])] = &[
            ("msrp://h:1/s;tcp", "msrp://h:1/s;tcp", &[]),
            ("MSRP://h:1/s;tcp", "msrp://h:1/s;tcp", &[SchemeCase]),
            ("  msrp://h:1/s;tcp\r\n", "msrp://h:1/s;tcp", &[Whitespace]),
            (
                "msrp://192.0.2.1/s;tcp",
                "msrp://192.0.2.1/s;tcp",
                &[NumericHostWithoutPort],
            ),
            ("msrp://h:/s;tcp", "msrp://h/s;tcp", &[EmptyPort]),
            ("msrp://h:1/s", "msrp://h:1/s;tcp", &[MissingTransport]),
            ("msrp://h:1", "msrp://h:1;tcp", &[MissingTransport]),
            (
                "msrps://2001:db8::1:51444/di551fsaodes;dc",
                "msrps://[2001:db8::1]:51444/di551fsaodes;dc",
                &[UnbracketedIpv6],
            ),
            (
                "msrp://fe80::1/s;tcp",
                "msrp://[fe80::1]/s;tcp",
                &[NumericHostWithoutPort, UnbracketedIpv6],
            ),
            (
                "msrp://u:pw@h:1;tcp",
                "msrp://u:pw@h:1;tcp",
                &[PasswordInUserinfo],
            ),
            (
                "msrp://h:1/s;tcp;;a=b;",
                "msrp://h:1/s;tcp;a=b",
                &[EmptyParameter],
            ),
            (
                "MSRPS://H:/S",
                "msrps://H/S;tcp",
                &[SchemeCase, EmptyPort, MissingTransport],
            ),
        ];
        for (input, canonical, quirks) in cases {
            let (u, q) = tolerant(input);
            assert_eq!(u.as_str(), *canonical, "{input:?}");
            assert_eq!(q, *quirks, "{input:?}");
            // The canonical text is strictly valid unless a kept violation is in it.
            let kept = [NumericHostWithoutPort, PasswordInUserinfo];
            if !q.iter().any(|x| kept.contains(x)) {
                assert_eq!(Uri::parse(u.as_str()).as_ref(), Ok(&u), "{input:?}");
            }
            // And tolerant parsing of the canonical text is stable.
            assert_eq!(tolerant(u.as_str()).0, u, "{input:?}");
        }
        // Upper-case schemes are valid in strict mode too (RFC 3986 section 3.1).
        assert_eq!(
            Uri::parse("Msrps://h:1;tcp").unwrap().as_str(),
            "msrps://h:1;tcp"
        );
    }

    #[test]
    fn tolerant_mode_still_rejects_garbage() {
        for bad in [
            "",
            "   ",
            "msrp://",
            "http://h:1;tcp",
            "msrp://h:1/s;t-cp",
            "msrp://2001:db8::zz/s;tcp",
        ] {
            assert!(
                Uri::parse_with(bad.as_bytes(), &ParseOptions::TOLERANT).is_err(),
                "{bad:?}"
            );
        }
        let e = Uri::parse_with(b"  msrp://h:1/%;tcp", &ParseOptions::TOLERANT).unwrap_err();
        assert_eq!(e.offset(), 13, "offsets count from the untrimmed input");
    }
}
