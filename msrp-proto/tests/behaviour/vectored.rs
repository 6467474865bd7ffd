//! The vectored transmit writes the same bytes as the copying one, and shares large body
//! pieces with the message instead of copying them.

use bytes::{Bytes, BytesMut};
use msrp_proto::connection::ConnectionConfig;
use msrp_proto::link::{MIN_SHARED_PIECE, Transmit};
use msrp_proto::testing::Pair;

#[test]
fn vectored_and_copied_transmits_are_the_same_bytes() {
    let bodies: Vec<Bytes> = [10, 2047, 2048, 5000, 300_000]
        .iter()
        .map(|n| Bytes::from(vec![b'v'; *n]))
        .collect();
    let mut copied = Pair::new(ConnectionConfig::default().max_transmit(16 * 1024));
    let mut vectored = Pair::new(ConnectionConfig::default().max_transmit(16 * 1024));
    for p in [&mut copied, &mut vectored] {
        for b in &bodies {
            p.a.send(p.now, "text/plain", b.clone()).unwrap();
        }
    }
    let now = copied.now;
    let mut a = Vec::new();
    let mut buf = BytesMut::new();
    while copied.a.conn.poll_transmit(now, &mut buf).is_some() {
        a.push(buf.split().freeze());
    }
    let mut b = Vec::new();
    let mut t = Transmit::new();
    let mut shared = 0;
    while let Some(n) = vectored.a.conn.poll_transmit_vectored(now, &mut t) {
        assert_eq!(n, t.len());
        for part in t.parts() {
            let inside = bodies.iter().any(|body| {
                let (start, end) = (body.as_ptr() as usize, body.as_ptr() as usize + body.len());
                (start..end).contains(&(part.as_ptr() as usize))
            });
            if inside {
                assert!(part.len() >= MIN_SHARED_PIECE);
                shared += part.len();
            }
        }
        b.push(t.to_bytes());
        t.clear();
    }
    assert_eq!(a, b, "transmit by transmit, the same bytes");
    assert!(
        shared >= 300_000 + 5000 - MIN_SHARED_PIECE,
        "large pieces are not copied: {shared}"
    );
}
