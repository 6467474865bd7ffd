//! Errors and limits of the CPIM parser, the builder's checks, the XML documents and the
//! is-composing state machines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::time::Duration;

use msrp_cpim::{
    Composer, ComposerConfig, ComposingState, CpimErrorKind, CpimMessage, IsComposing,
    ParseOptions, Quirk, RemoteComposing,
};

const OK: &str = "From: <im:a@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nhi";

fn strict_err(input: &str) -> (CpimErrorKind, usize) {
    let e = CpimMessage::parse(input.to_string()).unwrap_err();
    (e.kind(), e.offset())
}

#[test]
fn strict_errors_name_the_rule_and_the_offset() {
    use CpimErrorKind::*;
    let cases: &[(&str, CpimErrorKind, usize)] = &[
        ("", Empty, 0),
        ("Subject x\r\n\r\n", MissingColon, 7),
        ("From <im:a@example.com>\r\n\r\n", InvalidHeaderName, 4),
        ("Fr@m: <im:a@example.com>\r\n\r\n", InvalidHeaderName, 2),
        (
            "a.b.c: x\r\n\r\nContent-Type: t/p\r\n\r\n",
            InvalidHeaderName,
            0,
        ),
        ("From:<im:a@example.com>\r\n\r\n", HeaderSpacing, 5),
        ("Subject: x \r\n\r\n", TrailingWhitespace, 10),
        (
            "Subject: a\tb\r\n\r\n",
            ControlCharacter { byte: b'\t' },
            10,
        ),
        ("Subject:;lang fr\r\n\r\n", InvalidParameter, 8),
        ("From: alice@example.com\r\n\r\n", InvalidAddress, 6),
        ("DateTime: yesterday\r\n\r\n", InvalidDateTime, 10),
        ("NS: imdn urn:ietf:params:imdn\r\n\r\n", InvalidNamespace, 4),
        ("Require: a,,b\r\n\r\n", InvalidRequire, 9),
        (
            "NS: i <urn:ietf:params:imdn>\r\ni.Message-ID: a b\r\n\r\n",
            InvalidMessageId,
            44,
        ),
        (
            "NS: i <urn:ietf:params:imdn>\r\ni.Disposition-Notification: display,\r\n\r\n",
            InvalidDispositionNotification,
            58,
        ),
        ("From: <im:a@example.com>\r\n", UnterminatedHeaders, 26),
        (
            "From: <im:a@example.com>\r\n\r\nContent-Type: t/p\r\n",
            UnterminatedHeaders,
            47,
        ),
        (
            "From: <im:a@example.com>\r\n\r\nContent Type: t/p\r\n\r\n",
            InvalidMimeHeader,
            28,
        ),
        (
            "From: <im:a@example.com>\r\n\r\n\r\nbody",
            MissingContentType,
            28,
        ),
        (" From: <im:a@example.com>\r\n\r\n", FoldedHeader, 0),
    ];
    for (input, kind, offset) in cases {
        assert_eq!(strict_err(input), (*kind, *offset), "{input:?}");
    }
    let e = CpimMessage::parse(&b"Subject: \xff\r\n\r\n"[..]).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (InvalidUtf8, 9));
    assert_eq!(e.kind().name(), "invalid_utf8");
    assert_eq!(e.to_string(), "header is not UTF-8 at byte 9");
    assert!(CpimMessage::parse(OK).is_ok());
}

#[test]
fn limits_bound_headers_and_their_length() {
    let opts = ParseOptions {
        max_headers: 3,
        ..ParseOptions::STRICT
    };
    let mut many = String::new();
    for _ in 0..4 {
        many.push_str("X: y\r\n");
    }
    many.push_str("\r\nContent-Type: t/p\r\n\r\n");
    let e = CpimMessage::parse_with(many, &opts).unwrap_err();
    assert_eq!(e.kind(), CpimErrorKind::TooManyHeaders { max: 3 });
    assert_eq!(e.offset(), 18);

    let opts = ParseOptions {
        max_header_len: 64,
        ..ParseOptions::STRICT
    };
    let long = format!(
        "Subject: {}\r\n\r\nContent-Type: t/p\r\n\r\n",
        "x".repeat(100)
    );
    let e = CpimMessage::parse_with(long, &opts).unwrap_err();
    assert_eq!(e.kind(), CpimErrorKind::HeaderTooLong { max: 64 });
    // A huge input without a line end is refused at the limit, not read to its end.
    let huge = "x".repeat(10 << 20);
    let e = CpimMessage::parse(huge).unwrap_err();
    assert_eq!(e.kind().name(), "header_too_long");
    // A folded MIME header counts all its lines.
    let folded = format!(
        "From: <im:a@example.com>\r\n\r\nContent-Type: t/p;\r\n{}\r\n\r\n",
        " a=b;\r\n".repeat(20).trim_end()
    );
    let e = CpimMessage::parse_with(folded, &opts).unwrap_err();
    assert_eq!(e.kind().name(), "header_too_long");
}

#[test]
fn tolerant_quirks() {
    let cases: &[(&str, &[Quirk])] = &[
        (
            "From:<im:a@example.com>\r\n\r\nContent-Type: t/p\r\n\r\n",
            &[Quirk::HeaderSpacing],
        ),
        (
            "Subject: x  \r\n\r\nContent-Type: t/p\r\n\r\n",
            &[Quirk::TrailingWhitespace],
        ),
        (
            "From: x\r\n\r\nContent-Type: t/p\r\n\r\n",
            &[Quirk::InvalidValue],
        ),
        (
            "From: <im:a@example.com>\r\n",
            &[Quirk::MissingSeparator, Quirk::MissingContentType],
        ),
        (
            "Content-Type: text/plain\r\n\r\nhi",
            &[Quirk::MissingSeparator],
        ),
    ];
    for (input, want) in cases {
        let (_, q) = CpimMessage::parse_with(input.to_string(), &ParseOptions::TOLERANT)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(q.iter().collect::<Vec<_>>(), *want, "{input:?}");
    }
    // The second case keeps the value without the trailing spaces.
    let (m, _) = CpimMessage::parse_with(
        "Subject: x  \r\n\r\nContent-Type: t/p\r\n\r\n",
        &ParseOptions::TOLERANT,
    )
    .unwrap();
    assert_eq!(m.subjects().next().unwrap().text, "x");
}

#[test]
fn namespace_prefixes_resolve_by_uri() {
    let wire = "NS: a <urn:ietf:params:imdn>\r\nNS: b <urn:ietf:params:imdn>\r\n\
        a.Message-ID: first\r\nb.IMDN-Record-Route: <sip:relay@example.com>\r\n\
        NS: a <urn:example:other>\r\na.Message-ID: not-imdn\r\n\r\nContent-Type: t/p\r\n\r\n";
    let m = CpimMessage::parse(wire).unwrap();
    let ids: Vec<_> = m
        .headers_in(msrp_cpim::IMDN_NAMESPACE, "Message-ID")
        .map(|h| h.value())
        .collect();
    assert_eq!(ids, ["first"]); // `a` was redeclared for the last one
    assert_eq!(m.imdn_message_id(), Some("first"));
    let rr: Vec<_> = m.imdn_record_routes().map(|a| a.uri()).collect();
    assert_eq!(rr, ["sip:relay@example.com"]);
    let last = m.headers().last().unwrap();
    assert_eq!(
        (last.prefix(), last.local_name()),
        (Some("a"), "Message-ID")
    );
    assert_eq!(last.namespace(), Some("urn:example:other"));
}

#[test]
fn builder_refuses_what_it_cannot_print() {
    let e = CpimMessage::builder()
        .header("X-A", "line\r\nInjected: yes")
        .content_type("t/p")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), CpimErrorKind::ControlCharacter { byte: b'\r' });
    assert_eq!(e.offset(), 9);
    let e = CpimMessage::builder().build().unwrap_err();
    assert_eq!(e.kind(), CpimErrorKind::MissingContentType);
    let e = CpimMessage::builder()
        .from("not an address")
        .content_type("t/p")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), CpimErrorKind::InvalidAddress);
    let e = CpimMessage::builder()
        .disposition_notification(&[msrp_cpim::Disposition::Display])
        .content_type("t/p")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), CpimErrorKind::MissingDateTime);
    // Subject text is escaped; control characters survive the round trip.
    let m = CpimMessage::builder()
        .subject("two\nlines\tand \\")
        .content_type("t/p")
        .build()
        .unwrap();
    assert_eq!(m.get("Subject").unwrap().value(), "two\\nlines\\tand \\\\");
    assert_eq!(m.subjects().next().unwrap().text, "two\nlines\tand \\");
}

#[test]
fn composer_sends_active_refresh_and_idle() {
    let s = Duration::from_secs;
    let mut c = Composer::new(ComposerConfig {
        content_type: Some("text/plain".into()),
        ..ComposerConfig::default()
    });
    assert_eq!(c.poll_timeout(), None);
    c.on_typing(s(0));
    let active = c.poll_send().unwrap();
    assert_eq!(active.state, ComposingState::Active);
    assert_eq!(active.refresh, Some(90));
    assert_eq!(active.content_type.as_deref(), Some("text/plain"));
    // Typing every 10 s keeps it active; the refresh comes at 90 s.
    for t in (10..=90).step_by(10) {
        c.handle_timeout(s(t));
        if t < 90 {
            assert_eq!(c.poll_send(), None, "at {t}");
        }
        c.on_typing(s(t));
    }
    let refresh = c.poll_send().unwrap();
    assert_eq!(refresh.state, ComposingState::Active);
    assert_eq!(c.poll_timeout(), Some(s(105)));
    c.handle_timeout(s(105));
    assert_eq!(c.poll_send().unwrap().state, ComposingState::Idle);
    assert_eq!(c.poll_timeout(), None);

    // Sending the message ends composing without an idle indication.
    c.on_typing(s(200));
    assert!(c.poll_send().is_some());
    c.on_sent(s(201));
    assert_eq!(c.state(), ComposingState::Idle);
    assert_eq!(c.poll_send(), None);
    assert_eq!(c.poll_timeout(), None);
    // An active not yet taken is dropped when the message goes first.
    c.on_typing(s(300));
    c.on_sent(s(300));
    assert_eq!(c.poll_send(), None);
}

#[test]
fn remote_composing_times_out() {
    let s = Duration::from_secs;
    let mut r = RemoteComposing::new();
    assert!(!r.handle_timeout(s(1000)));
    let mut doc = IsComposing::active(None);
    doc.content_type = Some("audio".into());
    assert!(r.on_indication(&doc, s(0)));
    assert_eq!(r.content_type(), Some("audio"));
    assert_eq!(r.poll_timeout(), Some(s(120))); // the default without <refresh>
    assert!(!r.on_indication(&IsComposing::active(Some(30)), s(100))); // refreshed
    assert!(!r.handle_timeout(s(120)));
    assert!(r.handle_timeout(s(130)));
    assert_eq!(r.state(), ComposingState::Idle);
    assert!(r.on_indication(&IsComposing::active(Some(60)), s(200)));
    assert!(r.on_message(s(201)));
    assert!(!r.is_active());
    assert!(r.on_indication(&IsComposing::active(Some(60)), s(300)));
    assert!(r.on_indication(&IsComposing::idle(), s(301)));
    assert_eq!(r.poll_timeout(), None);
}

#[cfg(feature = "xml")]
mod xml {
    use msrp_cpim::{
        CpimMessage, DeliveryStatus, DisplayStatus, Disposition, Imdn, IsComposing, Notification,
        ProcessingStatus, XmlErrorKind,
    };

    #[test]
    fn imdn_documents_round_trip() {
        for n in [
            Notification::Delivery(DeliveryStatus::Delivered),
            Notification::Delivery(DeliveryStatus::Failed),
            Notification::Delivery(DeliveryStatus::Forbidden),
            Notification::Delivery(DeliveryStatus::Error),
            Notification::Display(DisplayStatus::Displayed),
            Notification::Display(DisplayStatus::Forbidden),
            Notification::Display(DisplayStatus::Error),
            Notification::Processing(ProcessingStatus::Processed),
            Notification::Processing(ProcessingStatus::Stored),
            Notification::Processing(ProcessingStatus::Forbidden),
            Notification::Processing(ProcessingStatus::Error),
        ] {
            let mut imdn = Imdn::new("34jk324j", "2008-04-04T12:16:49-05:00", n)
                .with_recipient("im:bob@example.com");
            imdn.original_recipient_uri = Some("im:list@example.com".into());
            imdn.subject = Some(msrp_cpim::ImdnSubject {
                text: "a < b & \"c\"".into(),
                lang: Some("en".into()),
            });
            let xml = imdn.to_xml();
            assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
            assert_eq!(Imdn::parse(xml.as_bytes()).unwrap(), imdn, "{xml}");
        }
    }

    #[test]
    fn imdn_parse_skips_extensions_and_refuses_errors() {
        let ok = br#"<imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:x="urn:example:x">
            <message-id>m1</message-id><datetime>2008-04-04T12:16:49Z</datetime>
            <x:note>ignored <x:deep/></x:note>
            <display-notification><status><x:why/><displayed/></status></display-notification>
            <x:trailer/></imdn>"#;
        let imdn = Imdn::parse(ok).unwrap();
        assert_eq!(
            imdn.notification,
            Notification::Display(DisplayStatus::Displayed)
        );
        let p = |doc: &str| Imdn::parse(doc.as_bytes()).unwrap_err().kind();
        let head = r#"<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><datetime>d</datetime>"#;
        assert_eq!(p("<imdn/>"), XmlErrorKind::WrongRoot);
        assert_eq!(
            p(r#"<x xmlns="urn:ietf:params:xml:ns:imdn"/>"#),
            XmlErrorKind::WrongRoot
        );
        assert_eq!(p("not xml"), XmlErrorKind::WrongRoot);
        assert_eq!(
            p(&format!("{head}</imdn>")),
            XmlErrorKind::MissingElement {
                element: "delivery-notification"
            }
        );
        assert_eq!(
            p(&format!(
                "{head}<delivery-notification><status><displayed/></status></delivery-notification></imdn>"
            )),
            XmlErrorKind::UnexpectedElement
        );
        assert_eq!(
            p(&format!(
                "{head}<delivery-notification><status/></delivery-notification></imdn>"
            )),
            XmlErrorKind::MissingElement { element: "status" }
        );
        assert_eq!(
            p(&format!("{head}<message-id>again</message-id></imdn>")),
            XmlErrorKind::DuplicateElement {
                element: "message-id"
            }
        );
        assert_eq!(
            p(&format!("{head}<bogus/></imdn>")),
            XmlErrorKind::UnexpectedElement
        );
        assert_eq!(
            p(&format!("{head}<delivery-notification>")),
            XmlErrorKind::Syntax
        );
        assert_eq!(
            p(&format!("{head}<subject>&custom;</subject></imdn>")),
            XmlErrorKind::Syntax
        );
        let big = vec![b' '; msrp_cpim::MAX_XML_LEN + 1];
        assert_eq!(
            Imdn::parse(&big).unwrap_err().kind(),
            XmlErrorKind::TooLarge {
                max: msrp_cpim::MAX_XML_LEN
            }
        );
        assert_eq!(XmlErrorKind::Syntax.name(), "syntax");
    }

    #[test]
    fn an_imdn_answers_an_im() {
        let im = CpimMessage::builder()
            .from("Alice <im:alice@example.com>")
            .to("Bob <im:bob@example.com>")
            .datetime("2006-04-04T12:16:49-05:00")
            .subject("hello")
            .ns("imdn", msrp_cpim::IMDN_NAMESPACE)
            .imdn_message_id("34jk324j")
            .disposition_notification(&[Disposition::PositiveDelivery])
            .imdn_record_route(None, "sip:relay1@example.com")
            .imdn_record_route(None, "sip:relay2@example.com")
            .content_type("text/plain")
            .body("Hello World")
            .build()
            .unwrap();
        let imdn =
            Imdn::for_message(&im, Notification::Delivery(DeliveryStatus::Delivered)).unwrap();
        assert_eq!(imdn.message_id, "34jk324j");
        assert_eq!(imdn.recipient_uri.as_deref(), Some("im:bob@example.com"));
        assert_eq!(
            imdn.subject.as_ref().map(|s| s.text.as_str()),
            Some("hello")
        );
        let reply = imdn.to_message(&im, "d834jied93rf").unwrap();
        assert!(reply.is_imdn());
        assert_eq!(reply.from().unwrap().uri(), "im:bob@example.com");
        assert_eq!(reply.to().next().unwrap().uri(), "im:alice@example.com");
        assert_eq!(reply.imdn_message_id(), Some("d834jied93rf"));
        assert!(reply.disposition_notification().is_none());
        let routes: Vec<_> = reply.imdn_routes().map(|a| a.uri()).collect();
        assert_eq!(routes, ["sip:relay1@example.com", "sip:relay2@example.com"]);
        assert_eq!(Imdn::parse(reply.body()).unwrap(), imdn);
        assert_eq!(CpimMessage::parse(reply.to_bytes()).unwrap(), reply);
    }

    #[test]
    fn is_composing_documents() {
        // The RFC 3994 style document, with an extension element.
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
            <isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
              xmlns:x="urn:example:x">
              <state>active</state>
              <contenttype>text/plain</contenttype>
              <refresh>90</refresh>
              <x:mood>happy</x:mood>
              <lastactive>2003-01-27T10:43:00Z</lastactive>
            </isComposing>"#;
        let ic = IsComposing::parse(doc).unwrap();
        assert_eq!(ic.state, msrp_cpim::ComposingState::Active);
        assert_eq!(ic.refresh, Some(90));
        assert_eq!(ic.content_type.as_deref(), Some("text/plain"));
        assert_eq!(ic.last_active.as_deref(), Some("2003-01-27T10:43:00Z"));
        assert_eq!(IsComposing::parse(ic.to_xml().as_bytes()).unwrap(), ic);
        let idle = IsComposing::idle();
        assert_eq!(IsComposing::parse(idle.to_xml().as_bytes()).unwrap(), idle);

        let p = |d: &str| IsComposing::parse(d.as_bytes()).unwrap_err().kind();
        let ns = r#"xmlns="urn:ietf:params:xml:ns:im-iscomposing""#;
        assert_eq!(
            p(&format!("<isComposing {ns}/>")),
            XmlErrorKind::MissingElement { element: "state" }
        );
        assert_eq!(
            p(&format!(
                "<isComposing {ns}><state>typing</state></isComposing>"
            )),
            XmlErrorKind::InvalidValue { element: "state" }
        );
        for bad in ["0", "-1", "+5", "x", "99999999999"] {
            assert_eq!(
                p(&format!(
                    "<isComposing {ns}><state>idle</state><refresh>{bad}</refresh></isComposing>"
                )),
                XmlErrorKind::InvalidValue { element: "refresh" },
                "{bad}"
            );
        }
        assert_eq!(
            p("<isComposing><state>idle</state></isComposing>"),
            XmlErrorKind::WrongRoot
        );
        assert_eq!(
            p(&format!(
                "<isComposing {ns}><state>idle</state></isComposing><more/>"
            )),
            XmlErrorKind::Syntax
        );
    }
}

/// Found by the `cpim` fuzz target: a MIME header folded onto a line of white space only
/// kept the fold's line break as its value, which printed as an empty line and parsed back
/// as the end of the headers.
#[test]
fn a_mime_value_never_keeps_a_fold_at_its_ends() {
    let opts = ParseOptions::TOLERANT;
    for input in [
        &b"\ne:\n "[..],
        b"\r\ne:\r\n \r\n\r\nbody",
        b"\r\ne:\r\n x\r\n \r\n\r\n",
    ] {
        let (msg, _) = CpimMessage::parse_with(input.to_vec(), &opts).unwrap();
        let v = msg.mime_headers()[0].raw_value();
        assert!(
            !v.starts_with(['\r', '\n']) && !v.ends_with(['\r', '\n']),
            "{v:?}"
        );
        let (again, _) = CpimMessage::parse_with(msg.to_bytes(), &opts).unwrap();
        assert_eq!(again, msg);
    }
}
