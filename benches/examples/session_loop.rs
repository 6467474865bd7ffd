//! 1 KiB text messages through two connections in memory, for profilers
//! (`valgrind --tool=callgrind target/release/examples/session_loop 2000`): `session_loop
//! [N] [batch]`, N messages (default 20 000) sent in batches of `batch` (default 1000)
//! and pumped with their responses; `session_loop bulk [MiB]`: one large message.
#![allow(clippy::expect_used)]
use bytes::Bytes;
use msrp_benches::session::{pair, run};
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;

fn main() {
    if std::env::args().any(|a| a == "bulk") {
        // `session_loop bulk [MiB]`: one message of that many MiB (default 64).
        let mib: usize = std::env::args()
            .filter_map(|a| a.parse().ok())
            .next()
            .unwrap_or(64);
        let body: Bytes = (0..mib << 20)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>()
            .into();
        let (mut a, s, mut b) = pair();
        a.send(
            Instant::ZERO,
            s,
            "application/octet-stream",
            body,
            ReportPrefs::default(),
        )
        .expect("room");
        let t0 = std::time::Instant::now();
        assert_eq!(run(&mut a, &mut b).0, (mib << 20) as u64);
        if std::env::args().any(|a| a == "time") {
            println!("{:?}", t0.elapsed());
        }
        return;
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(20_000);
    let batch = args.get(1).copied().unwrap_or(1000).max(1);
    let text = Bytes::from(vec![b't'; 1024]);
    let (mut a, s, mut b) = pair();
    let mut got = 0;
    for start in (0..n).step_by(batch) {
        for _ in start..n.min(start + batch) {
            a.send(
                Instant::ZERO,
                s,
                "text/plain",
                text.clone(),
                ReportPrefs::default(),
            )
            .expect("room");
        }
        got += run(&mut a, &mut b).0;
    }
    assert_eq!(got, (n * 1024) as u64);
}
