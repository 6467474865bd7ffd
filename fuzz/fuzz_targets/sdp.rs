//! Raw bytes as SDP, strict, tolerant and as a fragment: no panic; an accepted description
//! prints to text that parses back equal; every typed accessor runs without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_sdp::{ParseOptions, SessionDescription};

fuzz_target!(|data: &[u8]| {
    for opts in [
        ParseOptions::STRICT,
        ParseOptions::TOLERANT,
        ParseOptions::TOLERANT.fragment(),
    ] {
        let Ok((sdp, _)) = SessionDescription::parse_with(data, &opts) else {
            continue;
        };
        let text = sdp.to_string();
        let (again, _) = SessionDescription::parse_with(text.as_bytes(), &opts)
            .expect("a printed description parses");
        assert_eq!(again, sdp);
        for m in &sdp.media {
            let _ = (
                m.port(),
                m.proto(),
                m.fmt(),
                m.direction(),
                m.effective_connection(&sdp),
            );
            let _ = (
                m.accept_types(),
                m.accept_wrapped_types(),
                m.max_size(),
                m.setup(),
            );
            let _ = (m.connection_attr(), m.path(), m.chatroom(), m.msrp_cema());
            let _ = (
                m.file_selector().and_then(|s| s.name_decoded()),
                m.file_date(),
                m.file_range(),
            );
        }
    }
});
