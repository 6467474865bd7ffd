//! Property: any message, cut into any chunks, delivered in any order with duplicates and
//! re-chunked overlaps, reassembles to exactly the bytes sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use msrp_proto::reassembly::Reassembly;
use msrp_proto::wire::{ByteRange, Continuation};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_any_order(
        message in proptest::collection::vec(any::<u8>(), 0..2000),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
        order in any::<u64>(),
        dups in proptest::collection::vec(any::<(usize, usize)>(), 0..4),
        declare_total in any::<bool>(),
    ) {
        let len = message.len();
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (len + 1)).collect();
        points.extend([0, len]);
        points.sort_unstable();
        points.dedup();
        let mut chunks: Vec<(usize, usize)> = points.windows(2).map(|w| (w[0], w[1])).collect();
        if chunks.is_empty() {
            chunks.push((0, 0));
        }
        // Overlapping re-sends (as a relay that re-chunks after a failure would do).
        for (a, b) in dups {
            let (a, b) = (a % (len + 1), b % (len + 1));
            chunks.push((a.min(b), a.max(b)));
        }
        // A deterministic shuffle.
        let mut x = order | 1;
        for i in (1..chunks.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            chunks.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut m = Reassembly::gathering(4096, 64);
        for &(s, e) in &chunks {
            let last = e == len;
            let range = ByteRange {
                start: s as u64 + 1,
                end: if last { Some(e as u64) } else { None },
                total: (declare_total || last).then_some(len as u64),
            };
            // Only a chunk that reaches the end may carry `$`.
            let flag = if last { Continuation::Complete } else { Continuation::More };
            m.add(range, &message[s..e], flag).unwrap();
        }
        prop_assert!(m.is_complete());
        prop_assert_eq!(m.received(), len as u64);
        prop_assert_eq!(m.take_data().unwrap(), message);
    }
}
