//! Raw bytes as the Digest header values of RFC 4976 AUTH (WWW-Authenticate from a relay,
//! Authentication-Info): no panic; an accepted challenge gives an Authorization value that
//! is one header line (no CR or LF, whatever the relay's realm, nonce and opaque held).
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_proto::auth::{AuthInfo, Challenge, Credentials};

fuzz_target!(|data: &[u8]| {
    if let Ok(challenge) = Challenge::parse_bytes(data) {
        let creds = Credentials::new("alice", "secret");
        let uri = "msrp://relay.example.com:2855;tcp";
        if let Ok(v) = challenge.authorization(&creds, "AUTH", uri, "0a4f113b", 1) {
            assert!(!v.contains(['\r', '\n']), "{v:?}");
            assert!(v.starts_with("Digest username=\"alice\""));
        }
    }
    let _ = AuthInfo::parse_bytes(data);
});
