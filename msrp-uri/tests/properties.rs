//! Property tests: round trips, comparison laws, and no panic on any input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::net::{Ipv4Addr, Ipv6Addr};

use msrp_uri::{Host, ParseOptions, Path, Scheme, Transport, Uri};
use proptest::prelude::*;

/// The parts of a URI, generated independently of the parser.
#[derive(Debug, Clone)]
struct Parts {
    secure: bool,
    userinfo: Option<String>,
    host: HostPart,
    port: Option<u16>,
    session_id: Option<String>,
    transport: String,
    params: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone)]
enum HostPart {
    Name(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

fn reg_name() -> impl Strategy<Value = String> {
    // Labels of letters, digits and hyphens, sometimes with other reg-name characters and
    // percent-encodings; never all digits and dots (that would read as IPv4).
    "[a-zA-Z][a-zA-Z0-9-]{0,15}(\\.[a-zA-Z0-9-]{1,15}){0,3}(%[0-9A-Fa-f]{2}|[!$&'()*+,=_~])?"
}

fn parts() -> impl Strategy<Value = Parts> {
    let host = prop_oneof![
        3 => reg_name().prop_map(HostPart::Name),
        1 => any::<u32>().prop_map(|a| HostPart::V4(Ipv4Addr::from(a))),
        1 => any::<u128>().prop_map(|a| HostPart::V6(Ipv6Addr::from(a))),
    ];
    (
        any::<bool>(),
        proptest::option::of("[a-zA-Z0-9._~!$&'()*+,=-]{1,12}"),
        host,
        proptest::option::of(any::<u16>()),
        proptest::option::of("[a-zA-Z0-9._~+=/-]{1,32}"),
        prop_oneof![
            Just("tcp".to_string()),
            Just("ws".to_string()),
            "[a-zA-Z0-9]{1,6}"
        ],
        proptest::collection::vec(
            (
                "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,8}",
                proptest::option::of("[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,8}"),
            ),
            0..3,
        ),
    )
        .prop_map(
            |(secure, userinfo, host, port, session_id, transport, params)| {
                // RFC 4975 section 6: a numeric host needs a port.
                let port = match host {
                    HostPart::Name(_) => port,
                    _ => Some(port.unwrap_or(2855)),
                };
                Parts {
                    secure,
                    userinfo,
                    host,
                    port,
                    session_id,
                    transport,
                    params,
                }
            },
        )
}

fn build(p: &Parts) -> Uri {
    let scheme = if p.secure {
        Scheme::Msrps
    } else {
        Scheme::Msrp
    };
    let host = match &p.host {
        HostPart::Name(n) => Host::RegName(n),
        HostPart::V4(a) => Host::Ipv4(*a),
        HostPart::V6(a) => Host::Ipv6(*a),
    };
    let mut b = Uri::builder(scheme, host).transport(Transport::from_token(&p.transport));
    if let Some(u) = &p.userinfo {
        b = b.userinfo(u);
    }
    if let Some(port) = p.port {
        b = b.port(port);
    }
    if let Some(s) = &p.session_id {
        b = b.session_id(s);
    }
    for (n, v) in &p.params {
        b = b.param(n, v.as_deref());
    }
    b.build()
        .unwrap_or_else(|e| panic!("{p:?} does not build: {e}"))
}

/// A spelling of `uri` that RFC 4975 section 6.1 says is equivalent: other case in scheme,
/// host and transport, userinfo added or dropped, unreserved host characters
/// percent-encoded, leading zeros in the port.
fn equivalent_spelling(uri: &Uri, flips: &[bool]) -> String {
    let mut flip = flips.iter().copied().cycle();
    let mut recase = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if flip.next().unwrap_or(false) {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let scheme = recase(uri.scheme().as_str());
    let host = match uri.host() {
        Host::RegName(name) => {
            let mut out = String::new();
            let mut chars = name.chars().peekable();
            let mut i = 0;
            while let Some(c) = chars.next() {
                if c == '%' {
                    // keep existing percent-encodings, in either case
                    let h: String = [chars.next().unwrap(), chars.next().unwrap()]
                        .iter()
                        .collect();
                    out.push('%');
                    out.push_str(&recase(&h));
                } else if c.is_ascii_alphanumeric() && i % 3 == 1 {
                    out.push_str(&format!("%{:02X}", c as u32));
                } else {
                    out.push_str(&recase(&c.to_string()));
                }
                i += 1;
            }
            out
        }
        Host::Ipv6(a) => format!("[{a}]"),
        other => other.to_string(),
    };
    let user = if uri.userinfo().is_some() {
        String::new()
    } else {
        "someone@".to_string()
    };
    let port = uri.port().map(|p| format!(":00{p}")).unwrap_or_default();
    let sid = uri
        .session_id()
        .map(|s| format!("/{s}"))
        .unwrap_or_default();
    format!(
        "{scheme}://{user}{host}{port}{sid};{}",
        recase(uri.transport_str())
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(p in parts()) {
        let uri = build(&p);
        let printed = uri.to_string();
        let back = Uri::parse(&printed).unwrap();
        prop_assert_eq!(&back, &uri);
        prop_assert_eq!(back.port(), p.port);
        prop_assert_eq!(back.session_id(), p.session_id.as_deref());
        prop_assert_eq!(back.userinfo(), p.userinfo.as_deref());
        // Known transports (tcp, ws, wss) are written in lower case by the builder.
        prop_assert_eq!(back.transport(), Transport::from_token(&p.transport));
        prop_assert!(back.transport_str().eq_ignore_ascii_case(&p.transport));
        let params: Vec<(String, Option<String>)> =
            back.params().map(|x| (x.name.to_string(), x.value.map(str::to_string))).collect();
        prop_assert_eq!(params, p.params.clone());
        match (&p.host, back.host()) {
            (HostPart::Name(n), Host::RegName(m)) => prop_assert_eq!(n.as_str(), m),
            (HostPart::V4(a), Host::Ipv4(b)) => prop_assert_eq!(*a, b),
            (HostPart::V6(a), Host::Ipv6(b)) => prop_assert_eq!(*a, b),
            (want, got) => prop_assert!(false, "host {:?} came back as {:?}", want, got),
        }
    }

    #[test]
    fn paths_round_trip(ps in proptest::collection::vec(parts(), 1..6)) {
        let path: Path = ps.iter().map(build).collect();
        let back = Path::parse(&path.to_string()).unwrap();
        prop_assert_eq!(back, path);
    }

    #[test]
    fn matching_is_reflexive_and_symmetric(a in parts(), b in parts(), flips in proptest::collection::vec(any::<bool>(), 1..16)) {
        let (a, b) = (build(&a), build(&b));
        prop_assert!(a.matches(&a));
        prop_assert_eq!(a.matches(&b), b.matches(&a));
        let spelled = equivalent_spelling(&a, &flips);
        let c = Uri::parse(&spelled).unwrap();
        prop_assert!(a.matches(&c), "{} should match {}", a, c);
        prop_assert!(c.matches(&a), "{} should match {}", c, a);
        prop_assert!(a.matches_session_id(&c) == a.session_id().is_some());
    }

    #[test]
    fn validate_agrees_with_parse_on_paths_and_their_mutations(
        ps in proptest::collection::vec(parts(), 1..4),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..3),
    ) {
        // Path::validate takes a fast path for common spellings; it must give the same
        // answer as the full parser on valid lists and on lists with a few bytes changed.
        let path: Path = ps.iter().map(build).collect();
        let mut s = path.to_string().into_bytes();
        for (at, byte, op) in edits {
            let at = at % (s.len() + 1);
            let pool = b"azAZ09:/;@%[]. \t\r-+=~";
            let byte = pool[usize::from(byte) % pool.len()];
            match op {
                0 if at < s.len() => s[at] = byte,
                1 => s.insert(at, byte),
                _ if at < s.len() => { s.remove(at); }
                _ => {}
            }
        }
        for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT] {
            let parsed = Path::parse_with(&s, &opts).map(|(_, q)| q);
            prop_assert_eq!(Path::validate(&s, &opts), parsed);
        }
    }

    #[test]
    fn any_string_parses_or_errors_without_panic(s in ".{0,80}") {
        for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT] {
            if let Ok((uri, _)) = Uri::parse_with(s.as_bytes(), &opts) {
                let again = Uri::parse_with(uri.as_str().as_bytes(), &opts).map(|(u, _)| u);
                prop_assert_eq!(again, Ok(uri));
            }
            let parsed = Path::parse_with(s.as_bytes(), &opts).map(|(_, q)| q);
            prop_assert_eq!(Path::validate(s.as_bytes(), &opts), parsed);
        }
    }

    #[test]
    fn uri_like_strings_parse_or_error_without_panic(
        s in "(msrps?|MSRP)?(://)?[a-z0-9%:@\\[\\]./;=+~ v-]{0,60}"
    ) {
        for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT] {
            match Uri::parse_with(s.as_bytes(), &opts) {
                Ok((uri, _)) => {
                    let again = Uri::parse_with(uri.as_str().as_bytes(), &opts).map(|(u, _)| u);
                    prop_assert_eq!(again, Ok(uri));
                }
                Err(e) => prop_assert!(e.offset() <= s.len()),
            }
            let parsed = Path::parse_with(s.as_bytes(), &opts).map(|(_, q)| q);
            if let Err(e) = &parsed {
                prop_assert!(e.offset() <= s.len());
            }
            prop_assert_eq!(Path::validate(s.as_bytes(), &opts), parsed);
        }
    }
}
