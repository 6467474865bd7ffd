//! A listener serves at most `Config::max_connections` connections: one more is closed as
//! soon as it is accepted, and once a served one ends, a new one is served again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use msrp_tokio::{Config, Listener};
use msrp_uri::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A SEND to `uri` for a session nobody offered: answered 481 by a served connection.
fn request(uri: &str) -> Vec<u8> {
    format!(
        "MSRP t1limit SEND\r\nTo-Path: {uri}\r\nFrom-Path: msrp://127.0.0.1:9/c;tcp\r\n\
         Message-ID: m1limit\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------t1limit$\r\n"
    )
    .into_bytes()
}

/// Whether the connection answers (`Some(bytes)`) or is closed without a word (`None`).
async fn answer(c: &mut TcpStream, uri: &str) -> Option<Vec<u8>> {
    let _ = c.write_all(&request(uri)).await;
    let mut buf = vec![0u8; 4096];
    match tokio::time::timeout(Duration::from_secs(5), c.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => None,
        Ok(Ok(n)) => Some(buf[..n].to_vec()),
        Err(_) => panic!("neither answered nor closed within 5 s"),
    }
}

#[tokio::test]
async fn connections_over_the_limit_are_closed_and_slots_come_back() {
    let config = Config::default().max_connections(2);
    let l = Listener::bind("127.0.0.1:0", config.clone()).await.unwrap();
    let uri = l.new_uri().unwrap();
    l.offer(
        config
            .session(uri.clone(), Path::new(uri.clone()))
            .learn_to_path(true),
    )
    .unwrap();
    let addr = l.local_addr();
    let wrong = uri
        .as_str()
        .replace(uri.session_id().unwrap(), "nosuchsession");
    let mut a = TcpStream::connect(addr).await.unwrap();
    let mut b = TcpStream::connect(addr).await.unwrap();
    // Both served (481: no such session).
    assert!(
        answer(&mut a, &wrong)
            .await
            .unwrap()
            .starts_with(b"MSRP t1limit 481")
    );
    assert!(
        answer(&mut b, &wrong)
            .await
            .unwrap()
            .starts_with(b"MSRP t1limit 481")
    );
    // A third is closed at once.
    let mut c = TcpStream::connect(addr).await.unwrap();
    assert_eq!(answer(&mut c, &wrong).await, None);
    // One of the two ends: its slot is given back.
    drop(a);
    let mut served = false;
    for _ in 0..50 {
        let mut d = TcpStream::connect(addr).await.unwrap();
        if let Some(bytes) = answer(&mut d, &wrong).await {
            assert!(bytes.starts_with(b"MSRP t1limit 481"));
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "a new connection is served once one has ended");
}
