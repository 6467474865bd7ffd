//! Property tests: built messages print and parse back to themselves; no input makes the
//! parser panic; what parses strictly also parses tolerantly and prints back the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use msrp_cpim::{CpimMessage, Disposition, ParseOptions};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Spec {
    from: Option<(Option<String>, String)>,
    to: Vec<(Option<String>, String)>,
    datetime: Option<String>,
    subjects: Vec<(Option<String>, String)>,
    ext: Vec<(String, String, String)>,
    message_id: Option<String>,
    dispositions: Vec<u8>,
    content_type: String,
    mime: Vec<(String, String)>,
    body: Vec<u8>,
}

fn uri() -> impl Strategy<Value = String> {
    "(im|sip|tel):[a-z0-9.+-]{1,12}(@[a-z]{1,8}\\.example)?"
}

fn name() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[^\\x00-\\x1f\\x7f]{0,16}")
}

fn spec() -> impl Strategy<Value = Spec> {
    let value = "([^\\x00-\\x1f\\x7f ]([^\\x00-\\x1f\\x7f]{0,20}[^\\x00-\\x1f\\x7f ])?)?";
    (
        proptest::option::of((name(), uri())),
        proptest::collection::vec((name(), uri()), 0..3),
        proptest::option::of(
            "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?(Z|[+-]0[0-9]:[0-5][0-9])",
        ),
        proptest::collection::vec(
            (
                proptest::option::of("[a-z]{2}(-[A-Z]{2})?"),
                "\\PC{0,20}".prop_map(|s: String| s.trim_end_matches(' ').to_string()),
            ),
            0..3,
        ),
        proptest::collection::vec(
            ("[a-z][a-z0-9]{0,6}", "X-[A-Za-z0-9]{1,10}", value),
            0..4,
        ),
        proptest::option::of("[A-Za-z0-9]{8,20}"),
        proptest::collection::vec(0u8..5, 0..4),
        "(text/plain|application/octet-stream|text/plain; charset=utf-8|message/imdn\\+xml)",
        proptest::collection::vec(("Content-[A-Z][a-z]{1,8}", "[ -~]{1,20}"), 0..3),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(
            |(from, to, datetime, subjects, ext, message_id, dispositions, ct, mime, body)| Spec {
                from,
                to,
                datetime,
                subjects,
                ext,
                message_id,
                dispositions,
                content_type: ct,
                mime: mime
                    .into_iter()
                    .filter(|(n, _)| !n.eq_ignore_ascii_case("Content-Type"))
                    .map(|(n, v)| (n, v.trim().to_string()))
                    .collect(),
                body,
            },
        )
}

fn disposition(n: u8) -> Disposition<'static> {
    match n {
        0 => Disposition::PositiveDelivery,
        1 => Disposition::NegativeDelivery,
        2 => Disposition::Processing,
        3 => Disposition::Display,
        _ => Disposition::Other("x-future"),
    }
}

fn build(spec: &Spec) -> CpimMessage {
    let mut b = CpimMessage::builder();
    if let Some((n, u)) = &spec.from {
        b = b.from_addr(n.as_deref(), u);
    }
    for (n, u) in &spec.to {
        b = b.to_addr(n.as_deref(), u);
    }
    let datetime = if spec.dispositions.is_empty() {
        spec.datetime.clone()
    } else {
        Some(
            spec.datetime
                .clone()
                .unwrap_or_else(|| "2006-04-04T12:16:49-05:00".into()),
        )
    };
    if let Some(d) = &datetime {
        b = b.datetime(d);
    }
    for (lang, text) in &spec.subjects {
        b = match lang {
            Some(l) => b.subject_lang(l, text),
            None => b.subject(text),
        };
    }
    for (i, (prefix, name, value)) in spec.ext.iter().enumerate() {
        let uri = format!("urn:example:ns{i}");
        b = b
            .ns(prefix, &uri)
            .header(&format!("{prefix}.{name}"), value);
    }
    if let Some(id) = &spec.message_id {
        b = b.imdn_message_id(id);
    }
    if !spec.dispositions.is_empty() {
        let d: Vec<_> = spec.dispositions.iter().map(|&n| disposition(n)).collect();
        b = b.disposition_notification(&d);
    }
    b = b.content_type(&spec.content_type);
    for (n, v) in &spec.mime {
        b = b.mime_header(n, v);
    }
    b.body(spec.body.clone()).build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn built_messages_round_trip(spec in spec()) {
        let msg = build(&spec);
        let wire = msg.to_bytes();
        prop_assert_eq!(wire.len(), msg.encoded_len());
        let parsed = CpimMessage::parse(wire.clone()).unwrap();
        prop_assert_eq!(&parsed, &msg);
        prop_assert_eq!(parsed.to_bytes(), wire.clone());
        let (tolerant, quirks) = CpimMessage::parse_with(wire, &ParseOptions::TOLERANT).unwrap();
        prop_assert!(quirks.is_empty(), "{:?}", quirks);
        prop_assert_eq!(&tolerant, &msg);

        // The typed accessors give back what was put in.
        prop_assert_eq!(parsed.from().map(|a| a.uri().to_string()), spec.from.as_ref().map(|f| f.1.clone()));
        if let Some((Some(n), _)) = &spec.from {
            let display = parsed.from().and_then(|a| a.display_name()).map(|d| d.into_owned());
            prop_assert_eq!(display.as_deref(), Some(n.as_str()));
        }
        let to: Vec<_> = parsed.to().map(|a| a.uri().to_string()).collect();
        prop_assert_eq!(to, spec.to.iter().map(|t| t.1.clone()).collect::<Vec<_>>());
        let subjects: Vec<_> = parsed.subjects().map(|s| (s.lang.map(String::from), s.text.into_owned())).collect();
        prop_assert_eq!(subjects, spec.subjects.clone());
        prop_assert_eq!(parsed.imdn_message_id(), spec.message_id.as_deref());
        for (i, (_, name, value)) in spec.ext.iter().enumerate() {
            let ns = format!("urn:example:ns{i}");
            prop_assert_eq!(parsed.headers_in(&ns, name).next().map(|h| h.value()), Some(value.as_str()));
        }
        if let Some(dn) = parsed.disposition_notification() {
            let got: Vec<_> = dn.requests().map(|(d, _)| d.as_str().to_string()).collect();
            let want: Vec<_> = spec.dispositions.iter().map(|&n| disposition(n).as_str().to_string()).collect();
            prop_assert_eq!(got, want);
        }
        prop_assert_eq!(&parsed.body()[..], &spec.body[..]);
    }

    #[test]
    fn prefixes_parse_once_the_head_is_there(spec in spec(), cuts in proptest::collection::vec(any::<usize>(), 1..8)) {
        let msg = build(&spec);
        let wire = msg.to_bytes();
        let head_len = wire.len() - msg.body().len();
        let strict = ParseOptions::STRICT;
        for k in cuts.into_iter().map(|c| c % (wire.len() + 1)).chain([head_len, wire.len()]) {
            let got = CpimMessage::parse_prefix(wire.slice(..k), &strict).unwrap();
            match got {
                None => prop_assert!(k < head_len, "the head ({head_len} bytes) was in {k}"),
                Some((m, quirks)) => {
                    prop_assert!(k >= head_len && quirks.is_empty());
                    prop_assert_eq!(m.headers(), msg.headers());
                    prop_assert_eq!(m.mime_headers(), msg.mime_headers());
                    prop_assert_eq!(&m.body()[..], &msg.body()[..k - head_len]);
                }
            }
        }
    }

    #[test]
    fn arbitrary_input_never_panics(input in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_any(&input);
    }

    #[test]
    fn mutated_messages_never_panic(spec in spec(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut wire = build(&spec).to_bytes().to_vec();
        for (at, byte) in edits {
            let at = at % (wire.len() + 1);
            if byte % 3 == 0 && at < wire.len() {
                wire.remove(at);
            } else {
                wire.insert(at, byte);
            }
        }
        check_any(&wire);
    }
}

/// Parses in both modes; whatever parses strictly parses tolerantly and round-trips; a
/// prefix parses as the whole does as far as it goes.
fn check_any(input: &[u8]) {
    for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT] {
        let whole = CpimMessage::parse_with(input.to_vec(), &opts);
        for k in [
            0,
            1,
            input.len() / 3,
            input.len() / 2,
            input.len().saturating_sub(1),
            input.len(),
        ] {
            let k = k.min(input.len());
            match CpimMessage::parse_prefix(input[..k].to_vec(), &opts) {
                Ok(None) => {}
                Ok(Some((m, _))) => {
                    let (w, _) = whole.as_ref().expect("a parsed prefix: the whole parses");
                    assert_eq!(
                        (m.headers(), m.mime_headers()),
                        (w.headers(), w.mime_headers())
                    );
                    assert!(w.body().starts_with(m.body()));
                }
                Err(e) => assert_eq!(whole.as_ref().err(), Some(&e), "prefix of {k}"),
            }
        }
    }
    let strict = CpimMessage::parse(input.to_vec());
    let tolerant = CpimMessage::parse_with(input.to_vec(), &ParseOptions::TOLERANT);
    if let Ok(msg) = &strict {
        assert!(tolerant.is_ok(), "strict ok, tolerant {tolerant:?}");
        let again = CpimMessage::parse(msg.to_bytes()).unwrap();
        assert_eq!(&again, msg);
        // Accessors never panic.
        let _ = (
            msg.from(),
            msg.to().count(),
            msg.datetime(),
            msg.subjects().count(),
        );
        let _ = (
            msg.namespaces().count(),
            msg.require().count(),
            msg.content_type(),
        );
        let _ = (
            msg.imdn_message_id(),
            msg.disposition_notification(),
            msg.is_imdn(),
        );
    }
    if let Ok((msg, _)) = &tolerant {
        let (again, _) = CpimMessage::parse_with(msg.to_bytes(), &ParseOptions::TOLERANT).unwrap();
        assert_eq!(&again, msg);
    }
    if let Err(e) = &strict {
        assert!(e.offset() <= input.len(), "{e} beyond {}", input.len());
        assert!(!e.kind().name().is_empty());
    }
}
