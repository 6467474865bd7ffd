//! Raw bytes as a message/cpim body (strict and tolerant), as its first bytes
//! (`parse_prefix`), and as the IMDN and is-composing XML documents: no panic; an accepted
//! message prints to bytes that parse back equal; a prefix parses as the whole does as
//! far as it goes; an accepted document prints to XML that parses back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_cpim::{CpimMessage, Imdn, IsComposing, ParseOptions};

fuzz_target!(|data: &[u8]| {
    for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT] {
        let whole = CpimMessage::parse_with(data.to_vec(), &opts);
        if let Ok((msg, _)) = &whole {
            let (again, _) =
                CpimMessage::parse_with(msg.to_bytes(), &opts).expect("a printed message parses");
            assert_eq!(&again, msg);
            let _ = (
                msg.from(),
                msg.to().count(),
                msg.datetime(),
                msg.content_type(),
            );
            let _ = (
                msg.imdn_message_id(),
                msg.disposition_notification(),
                msg.is_imdn(),
            );
            let _ = (
                msg.subjects().count(),
                msg.namespaces().count(),
                msg.require().count(),
            );
        }
        let cut = data.len() / 2;
        match CpimMessage::parse_prefix(data[..cut].to_vec(), &opts) {
            Ok(None) => {}
            Ok(Some((m, _))) => {
                let (w, _) = whole.as_ref().expect("a parsed prefix: the whole parses");
                assert_eq!(m.headers(), w.headers());
                assert_eq!(m.mime_headers(), w.mime_headers());
                assert!(w.body().starts_with(m.body()));
            }
            Err(e) => assert_eq!(whole.as_ref().err(), Some(&e)),
        }
    }
    if let Ok(doc) = Imdn::parse(data) {
        assert_eq!(
            Imdn::parse(doc.to_xml().as_bytes()).expect("printed IMDN parses"),
            doc
        );
    }
    if let Ok(doc) = IsComposing::parse(data) {
        let again = IsComposing::parse(doc.to_xml().as_bytes()).expect("printed document parses");
        assert_eq!(again, doc);
    }
});
