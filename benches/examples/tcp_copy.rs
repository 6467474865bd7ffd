//! The reference for `msrp demo`'s throughput (`benches/demo-vs-copy.sh`): a plain tokio
//! copy over loopback TCP, with the demo's runtimes: the writer and the reader each on a
//! thread of its own with a single-threaded runtime, as the demo runs Alice and Bob.
//! `--pool` runs both on one multi-threaded runtime of 2 workers instead (the demo's
//! setup before it moved to a thread per endpoint).
//!
//! `tcp_copy [SIZE] [--pool]` writes SIZE bytes (default 1 GiB; a number of bytes or with a K, M or
//! G suffix) through a loopback `TcpStream` in 256 KiB writes, reads them on the other
//! side into a 256 KiB buffer, and prints one line: `tcp_copy BYTES bytes in SECONDS s
//! (MIB_PER_S MiB/s)`. The clock runs from the first write to the last byte read.
#![allow(clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PIECE: usize = 256 * 1024;

fn parse_size(s: &str) -> u64 {
    let s = s.trim().trim_end_matches(['B', 'b']).trim_end_matches('i');
    let (digits, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    digits.parse::<u64>().expect("a size") * mult
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or(1 << 30, |s| parse_size(s));
    let (bytes, secs) = if args.iter().any(|a| a == "--pool") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(pooled(size))
    } else {
        threads(size)
    };
    assert_eq!(bytes, size, "every byte arrived");
    println!(
        "tcp_copy {bytes} bytes in {secs:.3} s ({:.1} MiB/s)",
        bytes as f64 / (1024.0 * 1024.0) / secs.max(1e-9)
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The writer and the reader on threads of their own.
fn threads(size: u64) -> (u64, f64) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("an address");
    listener.set_nonblocking(true).expect("nonblocking");
    let reader = std::thread::spawn(move || {
        runtime().block_on(async move {
            let listener = TcpListener::from_std(listener).expect("a tokio listener");
            let rx = listener.accept().await.expect("accept").0;
            read_all(rx).await
        })
    });
    let start = runtime().block_on(async move {
        let tx = TcpStream::connect(addr).await.expect("connect");
        write_all(tx, size).await
    });
    let (got, end) = reader.join().expect("the reader thread");
    (got, end.duration_since(start).as_secs_f64())
}

/// Both on one runtime of 2 workers.
async fn pooled(size: u64) -> (u64, f64) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    let accept = tokio::spawn(async move { listener.accept().await.expect("accept").0 });
    let tx = TcpStream::connect(addr).await.expect("connect");
    let rx = accept.await.expect("the accept task");
    let reader = tokio::spawn(read_all(rx));
    let start = write_all(tx, size).await;
    let (got, end) = reader.await.expect("the reader task");
    (got, end.duration_since(start).as_secs_f64())
}

/// Reads until the end; the bytes read and when the last came.
async fn read_all(mut rx: TcpStream) -> (u64, Instant) {
    let mut buf = vec![0u8; PIECE];
    let mut got = 0u64;
    loop {
        let n = rx.read(&mut buf).await.expect("read");
        if n == 0 {
            return (got, Instant::now());
        }
        got += n as u64;
    }
}

/// Writes `size` bytes in 256 KiB writes and shuts down; when the first write began.
async fn write_all(mut tx: TcpStream, size: u64) -> Instant {
    tx.set_nodelay(true).expect("nodelay");
    // Non-constant bytes, made before the clock starts.
    let piece: Vec<u8> = (0..PIECE).map(|i| (i % 251) as u8).collect();
    let start = Instant::now();
    let mut left = size;
    while left > 0 {
        let n = left.min(PIECE as u64) as usize;
        tx.write_all(&piece[..n]).await.expect("write");
        left -= n as u64;
    }
    tx.shutdown().await.expect("shutdown");
    start
}
