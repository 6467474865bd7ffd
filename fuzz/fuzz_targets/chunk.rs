//! Raw bytes through the chunk parser, strict and tolerant: no panic, error offsets inside
//! the input, bounded buffering; strict mode never reports a violation as a quirk; a
//! parser with `Validation::Framing` plus `ChunkHead::validate` tells what the default
//! parser tells; `HeadReader` reads the heads the parser reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_fuzz::{Ev, framing_then_validate_matches_full, head_reader_matches_parser, run};
use msrp_proto::Mode;
use msrp_proto::wire::Validation;

fuzz_target!(|data: &[u8]| {
    for mode in [Mode::Strict, Mode::Tolerant] {
        let events = run(mode, &[data]);
        let body: usize = events
            .iter()
            .map(|e| if let Ev::Body(b) = e { b.len() } else { 0 })
            .sum();
        assert!(body <= data.len());
        assert_eq!(framing_then_validate_matches_full(mode, data), Ok(()));
        for validation in [Validation::Full, Validation::Framing] {
            assert_eq!(head_reader_matches_parser(mode, validation, data), Ok(()));
        }
        for e in &events {
            if let (Mode::Strict, Ev::Head(h)) = (mode, e) {
                assert!(
                    h.quirks().iter().all(|(q, _)| !q.is_violation()),
                    "{:?}",
                    h.quirks()
                );
            }
        }
    }
});
