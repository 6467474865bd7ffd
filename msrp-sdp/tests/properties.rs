//! Property tests: printed descriptions parse back equal; no input panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use msrp_sdp::{Line, MediaDescription, ParseOptions, SessionDescription};
use proptest::prelude::*;

fn media() -> impl Strategy<Value = MediaDescription> {
    (
        1u16..,
        prop_oneof![Just("TCP/MSRP"), Just("TCP/TLS/MSRP")],
        proptest::collection::vec(
            prop_oneof![
                Just("text/plain"),
                Just("message/cpim"),
                Just("*"),
                Just("image/*")
            ],
            1..4,
        ),
        proptest::option::of(proptest::collection::vec(Just("text/html"), 1..2)),
        "[a-z]{1,10}\\.example\\.com",
        "[a-zA-Z0-9]{4,12}",
        proptest::option::of(0u64..1_000_000),
        proptest::option::of(prop_oneof![
            Just("active"),
            Just("passive"),
            Just("actpass")
        ]),
        proptest::option::of(prop_oneof![Just("sendonly"), Just("recvonly")]),
        proptest::option::of((1u64..100, proptest::option::of(100u64..1000))),
        any::<bool>(),
    )
        .prop_map(
            |(port, proto, accept, wrapped, host, sid, max, setup, dir, range, cema)| {
                let mut m = MediaDescription::new(&format!("message {port} {proto} *")).unwrap();
                if let Some(d) = dir {
                    m.push_attribute(d, None);
                }
                m.push_attribute("accept-types", Some(&accept.join(" ")));
                if let Some(w) = wrapped {
                    m.push_attribute("accept-wrapped-types", Some(&w.join(" ")));
                }
                m.push_attribute("path", Some(&format!("msrp://{host}:{port}/{sid};tcp")));
                if let Some(n) = max {
                    m.push_attribute("max-size", Some(&n.to_string()));
                }
                if let Some(s) = setup {
                    m.push_attribute("setup", Some(s));
                }
                if let Some((a, b)) = range {
                    let stop = b.map_or("*".to_string(), |b| b.to_string());
                    m.push_attribute("file-range", Some(&format!("{a}-{stop}")));
                }
                if cema {
                    m.push_attribute("msrp-cema", None);
                }
                m
            },
        )
}

fn session() -> impl Strategy<Value = SessionDescription> {
    proptest::collection::vec(media(), 1..3).prop_map(|media| SessionDescription {
        lines: vec![
            Line::new('v', "0"),
            Line::new('o', "alice 1 1 IN IP4 a.example.com"),
            Line::new('s', "-"),
            Line::new('c', "IN IP4 a.example.com"),
            Line::new('t', "0 0"),
        ],
        media,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn printed_descriptions_parse_back(sdp in session()) {
        let text = sdp.to_string();
        let back = SessionDescription::parse(&text).unwrap();
        prop_assert_eq!(&back, &sdp);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn any_input_parses_or_errors_without_panic(s in "[a-z=: \\r\\n/0-9*.;-]{0,200}") {
        for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT, ParseOptions::TOLERANT.fragment()] {
            if let Ok((sdp, _)) = SessionDescription::parse_with(s.as_bytes(), &opts) {
                // What was accepted prints to something accepted again, equal.
                let (again, _) = SessionDescription::parse_with(sdp.to_string().as_bytes(), &opts).unwrap();
                prop_assert_eq!(again, sdp.clone());
                for m in &sdp.media {
                    let _ = (m.accept_types(), m.path(), m.file_selector(), m.file_date(), m.file_range(), m.chatroom());
                }
            }
        }
    }
}

mod offer_answer {
    use msrp_sdp::{Answer, LocalPrefs, MsrpMediaBuilder, SetupChoice, answer, type_matches};
    use proptest::prelude::*;

    const TYPES: &[&str] = &[
        "*",
        "text/*",
        "text/plain",
        "text/html",
        "message/cpim",
        "image/*",
        "image/png",
        "application/octet-stream",
    ];

    fn types() -> impl Strategy<Value = Vec<&'static str>> {
        proptest::sample::subsequence(TYPES, 1..5)
    }

    fn prefs(accept: &[&str]) -> LocalPrefs {
        LocalPrefs {
            port: 8888,
            path: "msrp://b.example.com:8888/y2;tcp".parse().unwrap(),
            accept_types: accept.iter().map(|s| s.to_string()).collect(),
            accept_wrapped_types: vec!["*".into()],
            max_size: Some(4096),
            protos: vec!["TCP/MSRP".into()],
            setup: SetupChoice::Passive,
            cema: false,
            accept_files: true,
        }
    }

    proptest! {
        #[test]
        fn answer_types_are_accepted_by_both_sides(offered in types(), local in types()) {
            let offer = MsrpMediaBuilder::new(7394, "msrp://a.example.com:7394/x1;tcp".parse().unwrap())
                .accept_types(offered.iter().copied())
                .build()
                .unwrap();
            match answer(&offer, &prefs(&local)).unwrap() {
                Answer::Accepted(m) => {
                    let got = m.accept_types();
                    prop_assert!(!got.is_empty());
                    for t in &got {
                        // A wildcard in the answer must be within a wildcard of each side.
                        let within = |side: &[&str]| side.iter().any(|p| {
                            type_matches(p, t) && (!t.contains('*') || p == &"*" || p == t)
                        });
                        prop_assert!(within(&offered), "{} not offered in {:?}", t, offered);
                        prop_assert!(within(&local), "{} not local in {:?}", t, local);
                    }
                    // Answering the answer, taken as an offer, is stable.
                    let again = match answer(&m, &prefs(&local)).unwrap() {
                        Answer::Accepted(a) => a.accept_types().iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                        Answer::Rejected { .. } => vec![],
                    };
                    let mut a: Vec<String> = got.iter().map(|s| s.to_string()).collect();
                    let mut b = again;
                    a.sort();
                    b.sort();
                    prop_assert_eq!(a, b);
                }
                Answer::Rejected { media, .. } => {
                    prop_assert_eq!(media.port(), 0);
                    // Nothing in common: no local entry is accepted by the offer and vice versa.
                    for l in &local {
                        prop_assert!(!offered.iter().any(|o| type_matches(o, l) && type_matches(l, o) || (!l.contains('*') && type_matches(o, l)) || (!o.contains('*') && type_matches(l, o))));
                    }
                }
            }
        }
    }
}
