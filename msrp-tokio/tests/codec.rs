//! `msrp_tokio::codec`: chunks encoded then decoded come back as written, whole or fed a
//! byte at a time, and over a loopback socket through `Framed`; bad input is an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use msrp_tokio::codec::{CodecError, MsrpCodec};
use msrp_tokio::proto::wire::{Chunk, Continuation, ParseEvent, TransactionId};
use msrp_tokio::uri::Path;
use tokio_util::codec::{Decoder, Encoder, Framed};

fn path(s: &str) -> Path {
    Path::parse(s).unwrap()
}

fn send_chunk(tid: &str, body: &[u8], flag: Continuation) -> Chunk {
    let len = body.len() as u64;
    Chunk::send(
        TransactionId::new(tid.as_bytes()).unwrap(),
        path("msrp://bob.example.com:8888/9di4eae923wzd;tcp"),
        path("msrp://alice.example.com:7777/iau39soe2843z;tcp"),
    )
    .message_id("msg-42")
    .byte_range(1, Some(len), Some(len))
    .success_report(true)
    .body("text/plain", Bytes::copy_from_slice(body))
    .continuation(flag)
}

/// One chunk as decoded: its head's fields of interest, the joined body, the flag.
#[derive(Debug, PartialEq)]
struct Decoded {
    tid: String,
    method: Option<String>,
    status: Option<u16>,
    message_id: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    flag: Continuation,
    body_length: u64,
}

/// Decodes every complete chunk in `events`.
fn chunks(events: Vec<ParseEvent>) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut cur: Option<Decoded> = None;
    for ev in events {
        match ev {
            ParseEvent::Head(h) => {
                assert!(cur.is_none(), "a head inside a chunk");
                cur = Some(Decoded {
                    tid: h.transaction_id().as_str().to_owned(),
                    method: h.method_name().map(str::to_owned),
                    status: h.status_code(),
                    message_id: h.message_id().map(str::to_owned),
                    content_type: h.content_type().map(str::to_owned),
                    body: Vec::new(),
                    flag: Continuation::Complete,
                    body_length: 0,
                });
            }
            ParseEvent::Body(b) => cur
                .as_mut()
                .expect("a body piece after a head")
                .body
                .extend(&b),
            ParseEvent::End(e) => {
                let mut c = cur.take().expect("an end after a head");
                c.flag = e.continuation;
                c.body_length = e.body_length;
                out.push(c);
            }
        }
    }
    assert!(cur.is_none(), "a chunk without its end");
    out
}

fn decode_all(codec: &mut MsrpCodec, buf: &mut BytesMut) -> Vec<ParseEvent> {
    let mut events = Vec::new();
    while let Some(ev) = codec.decode(buf).expect("valid input") {
        events.push(ev);
    }
    events
}

/// Bytes of two chunks and a response, as the encoder writes them.
fn encoded() -> (BytesMut, Vec<Decoded>) {
    // A body holding something like an end-line of another transaction.
    let body1 = b"Hello\r\n-------other$\r\nstill the body".to_vec();
    let body2: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut codec = MsrpCodec::default();
    let mut buf = BytesMut::new();
    codec
        .encode(
            &send_chunk("tid1aaaa", &body1, Continuation::More),
            &mut buf,
        )
        .unwrap();
    codec
        .encode(
            send_chunk("tid2bbbb", &body2, Continuation::Complete),
            &mut buf,
        )
        .unwrap();
    let response = Chunk::response(
        TransactionId::new(b"tid1aaaa").unwrap(),
        path("msrp://alice.example.com:7777/iau39soe2843z;tcp"),
        path("msrp://bob.example.com:8888/9di4eae923wzd;tcp"),
        200,
        Some("OK"),
    );
    codec.encode(&response, &mut buf).unwrap();
    let expected = vec![
        Decoded {
            tid: "tid1aaaa".into(),
            method: Some("SEND".into()),
            status: None,
            message_id: Some("msg-42".into()),
            content_type: Some("text/plain".into()),
            body_length: body1.len() as u64,
            body: body1,
            flag: Continuation::More,
        },
        Decoded {
            tid: "tid2bbbb".into(),
            method: Some("SEND".into()),
            status: None,
            message_id: Some("msg-42".into()),
            content_type: Some("text/plain".into()),
            body_length: body2.len() as u64,
            body: body2,
            flag: Continuation::Complete,
        },
        Decoded {
            tid: "tid1aaaa".into(),
            method: None,
            status: Some(200),
            message_id: None,
            content_type: None,
            body: Vec::new(),
            flag: Continuation::Complete,
            body_length: 0,
        },
    ];
    (buf, expected)
}

#[test]
fn encode_then_decode_whole() {
    let (mut buf, expected) = encoded();
    let mut codec = MsrpCodec::default();
    let got = chunks(decode_all(&mut codec, &mut buf));
    assert_eq!(got, expected);
    assert!(buf.is_empty(), "{} bytes left over", buf.len());
}

#[test]
fn decode_input_split_anywhere() {
    let (whole, expected) = encoded();
    // One byte at a time, then in pieces of a few odd sizes.
    for piece in [1usize, 2, 3, 7, 64, 1000] {
        let mut codec = MsrpCodec::default();
        let mut buf = BytesMut::new();
        let mut events = Vec::new();
        for part in whole.chunks(piece) {
            buf.extend_from_slice(part);
            events.extend(decode_all(&mut codec, &mut buf));
        }
        assert_eq!(chunks(events), expected, "fed in pieces of {piece}");
    }
}

#[test]
fn unframeable_input_is_an_error() {
    let mut codec = MsrpCodec::default();
    let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"[..]);
    let mut result = Ok(None);
    for _ in 0..4 {
        result = codec.decode(&mut buf);
        if result.is_err() {
            break;
        }
    }
    assert!(matches!(result, Err(CodecError::Parse(_))), "{result:?}");
}

#[tokio::test]
async fn framed_over_a_loopback_socket() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (expected_buf, expected) = encoded();
    let writer = tokio::spawn(async move {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut framed = Framed::new(stream, MsrpCodec::default());
        let body1 = expected_body(&expected_buf, 0);
        let body2 = expected_body(&expected_buf, 1);
        framed
            .send(send_chunk("tid1aaaa", &body1, Continuation::More))
            .await
            .unwrap();
        framed
            .send(send_chunk("tid2bbbb", &body2, Continuation::Complete))
            .await
            .unwrap();
        let response = Chunk::response(
            TransactionId::new(b"tid1aaaa").unwrap(),
            path("msrp://alice.example.com:7777/iau39soe2843z;tcp"),
            path("msrp://bob.example.com:8888/9di4eae923wzd;tcp"),
            200,
            Some("OK"),
        );
        framed.send(&response).await.unwrap();
    });
    let (stream, _) = listener.accept().await.unwrap();
    let framed = Framed::new(stream, MsrpCodec::default());
    let events = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        framed.map(|r| r.expect("valid input")).collect::<Vec<_>>(),
    )
    .await
    .expect("the socket closes");
    writer.await.unwrap();
    assert_eq!(chunks(events), expected);
}

/// The body of the `n`th chunk in `buf` (decoded, to write the same again).
fn expected_body(buf: &BytesMut, n: usize) -> Vec<u8> {
    let mut copy = buf.clone();
    let decoded = chunks(decode_all(&mut MsrpCodec::default(), &mut copy));
    decoded[n].body.clone()
}
