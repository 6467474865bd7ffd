//! Raw bytes as an MSRP URI and as a URI list, strict and tolerant: never a panic; an
//! accepted URI prints to text that parses back to an equal URI, matching itself; an error
//! points inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_uri::{ParseOptions, Path, Uri};

fuzz_target!(|data: &[u8]| {
    for opts in [ParseOptions::STRICT, ParseOptions::TOLERANT] {
        match Uri::parse_with(data, &opts) {
            Ok((uri, quirks)) => {
                if opts == ParseOptions::STRICT {
                    assert!(!quirks.has_violation(), "strict mode let a violation pass");
                }
                let (again, _) = Uri::parse_with(uri.as_str().as_bytes(), &opts)
                    .expect("the canonical text of an accepted URI parses");
                assert_eq!(again, uri);
                assert!(uri.matches(&again));
            }
            Err(e) => assert!(e.offset() <= data.len(), "error offset past the input"),
        }
        match Path::parse_with(data, &opts) {
            Ok((path, _)) => {
                assert!(!path.is_empty());
                let (again, _) = Path::parse_with(path.to_string().as_bytes(), &opts)
                    .expect("the printed path parses");
                assert_eq!(again, path);
            }
            Err(e) => assert!(e.offset() <= data.len(), "error offset past the input"),
        }
    }
});
