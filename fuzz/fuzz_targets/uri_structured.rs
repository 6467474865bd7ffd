//! Structured URIs and paths (from `arbitrary`): print, parse strictly, compare equal; the
//! comparison of RFC 4975 section 6.1 is reflexive and symmetric.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_uri::{Path, Uri};

fuzz_target!(|input: (Uri, Uri, Path)| {
    let (a, b, path) = input;
    assert_eq!(Uri::parse(a.as_str()).as_ref(), Ok(&a));
    assert_eq!(Path::parse(&path.to_string()).as_ref(), Ok(&path));
    assert!(a.matches(&a));
    assert_eq!(a.matches(&b), b.matches(&a));
    if a == b {
        assert!(a.matches(&b));
    }
});
