//! The same bytes fed whole and cut where the fuzzer says give the same events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrp_fuzz::{run, split_at};
use msrp_proto::Mode;

fuzz_target!(|input: (Vec<u16>, Vec<u8>)| {
    let (cuts, data) = input;
    let pieces = split_at(&data, &cuts);
    for mode in [Mode::Strict, Mode::Tolerant] {
        assert_eq!(run(mode, &pieces), run(mode, &[&data]));
    }
});
