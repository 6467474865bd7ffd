//! Helpers: raw chunks as a peer would write them, and what a side wrote, read back.

use bytes::{Bytes, BytesMut};
use msrp_proto::connection::{Connection, Event};
use msrp_proto::testing::{A_URI, B_URI, TestRng};
use msrp_proto::wire::{
    ByteRange, Chunk, ChunkHead, ChunkParser, Continuation, ParseEvent, TransactionId,
};
use msrp_proto::{Instant, Limits, Mode};

/// A SEND from A to B, as written by a peer: `range` is `(start, end, total)`.
pub(crate) fn send_chunk(
    tid: &str,
    message_id: &str,
    range: (u64, Option<u64>, Option<u64>),
    body: &[u8],
    flag: Continuation,
    extra: &[(&str, &str)],
) -> Bytes {
    let mut c = Chunk::send(
        TransactionId::new(tid.as_bytes()).unwrap(),
        B_URI.parse().unwrap(),
        A_URI.parse().unwrap(),
    )
    .message_id(message_id)
    .byte_range(range.0, range.1, range.2);
    for (n, v) in extra {
        c = c.header(n, v);
    }
    let c = c
        .body("text/plain", Bytes::copy_from_slice(body))
        .continuation(flag);
    let mut out = BytesMut::new();
    c.encode(&mut out).unwrap();
    out.freeze()
}

/// Everything `conn` writes now, concatenated.
pub(crate) fn drain(conn: &mut Connection<TestRng>, now: Instant) -> Vec<u8> {
    let mut out = BytesMut::new();
    while conn.poll_transmit(now, &mut out).is_some() {}
    out.to_vec()
}

/// Every event `conn` has.
pub(crate) fn events(conn: &mut Connection<TestRng>) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = conn.poll_event() {
        out.push(e);
    }
    out
}

/// One chunk read back from bytes a side wrote.
#[derive(Debug)]
pub(crate) struct Written {
    pub(crate) head: ChunkHead,
    pub(crate) body: Vec<u8>,
    pub(crate) flag: Continuation,
}

impl Written {
    pub(crate) fn range(&self) -> Option<ByteRange> {
        self.head.byte_range()
    }

    pub(crate) fn status(&self) -> Option<u16> {
        self.head.status_code()
    }

    pub(crate) fn method(&self) -> Option<&str> {
        self.head.method_name()
    }
}

/// The chunks in `wire` (strict parse: what we write must be valid).
pub(crate) fn chunks(wire: &[u8]) -> Vec<Written> {
    let limits = Limits {
        max_gathered_body: usize::MAX,
        ..Limits::DEFAULT
    };
    let mut p = ChunkParser::new(limits, Mode::Strict);
    p.feed(wire);
    let mut out: Vec<Written> = Vec::new();
    let mut head = None;
    let mut body = Vec::new();
    while let Some(ev) = p.next() {
        match ev.expect("what we write parses strictly") {
            ParseEvent::Head(h) => head = Some(h),
            ParseEvent::Body(b) => body.extend_from_slice(&b),
            ParseEvent::End(e) => out.push(Written {
                head: head.take().unwrap(),
                body: std::mem::take(&mut body),
                flag: e.continuation,
            }),
        }
    }
    assert_eq!(p.buffered(), 0, "a partial chunk at the end");
    out
}

/// Whether `events` are exactly one `MessageAccepted` for each of `handles`, in order:
/// what a sender sees of messages that asked for no success REPORT and got through.
pub(crate) fn only_accepted(
    events: &[Event],
    handles: &[msrp_proto::connection::MessageHandle],
) -> bool {
    events.len() == handles.len()
        && events
            .iter()
            .zip(handles)
            .all(|(e, h)| matches!(e, Event::MessageAccepted { message, .. } if message == h))
}
