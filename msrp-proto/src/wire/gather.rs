//! Whole chunks, for consumers that do not stream: the body gathered up to a limit.

use bytes::{Bytes, BytesMut};

use super::error::{ParseError, ParseErrorKind};
use super::head::ChunkHead;
use super::parser::{ChunkParser, EndLine, ParseEvent};
use crate::Limits;
use msrp_uri::Mode;

/// A chunk with its whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatheredChunk {
    /// Start line and header fields.
    pub head: ChunkHead,
    /// The body; `None` for a bodiless chunk (distinct from an empty body).
    pub body: Option<Bytes>,
    /// The end-line.
    pub end: EndLine,
}

/// Reads whole chunks on top of [`ChunkParser`], holding at most
/// [`Limits::max_gathered_body`] body bytes. A longer body gives
/// [`ParseErrorKind::BodyTooLarge`] (413) and the rest of that chunk is skipped.
///
/// ```
/// use msrp_proto::wire::ChunkReader;
///
/// let mut reader = ChunkReader::default();
/// reader.feed(b"MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\n\
///     From-Path: msrp://a.example.com:2/t;tcp\r\nContent-Type: text/plain\r\n\r\nHi\r\n-------a786hjs2$\r\n");
/// let chunk = reader.next().unwrap().unwrap();
/// assert_eq!(chunk.body.as_deref(), Some(&b"Hi"[..]));
/// ```
#[derive(Debug, Default)]
pub struct ChunkReader {
    parser: ChunkParser,
    head: Option<ChunkHead>,
    body: Body,
    /// Skipping the rest of a chunk whose body was too large.
    skipping: bool,
}

#[derive(Debug, Default)]
enum Body {
    #[default]
    Empty,
    /// One piece so far: kept as it came, without a copy.
    One(Bytes),
    Many(BytesMut),
}

impl ChunkReader {
    /// A reader with these limits and mode.
    pub fn new(limits: Limits, mode: Mode) -> ChunkReader {
        ChunkReader {
            parser: ChunkParser::new(limits, mode),
            ..ChunkReader::default()
        }
    }

    /// Appends received bytes.
    pub fn feed(&mut self, data: &[u8]) {
        self.parser.feed(data);
    }

    /// The next whole chunk, or a parse error; `None` when more bytes are needed.
    #[allow(clippy::should_implement_trait)] // not an Iterator: None means "feed more"
    pub fn next(&mut self) -> Option<Result<GatheredChunk, ParseError>> {
        let max = self.parser.limits().max_gathered_body;
        loop {
            match self.parser.next()? {
                Err(e) => return Some(Err(e)),
                Ok(ParseEvent::Head(h)) => {
                    self.head = Some(h);
                    self.body = Body::Empty;
                    self.skipping = false;
                }
                Ok(ParseEvent::Body(piece)) => {
                    if self.skipping {
                        continue;
                    }
                    let held = match &self.body {
                        Body::Empty => 0,
                        Body::One(b) => b.len(),
                        Body::Many(b) => b.len(),
                    };
                    if held + piece.len() > max {
                        self.skipping = true;
                        self.body = Body::Empty;
                        let head = self.head.take();
                        let tid = head.as_ref().map(|h| h.transaction_id());
                        let chunk = head.as_ref().map_or(0, ChunkHead::offset);
                        let at = self.parser.offset() - piece.len() as u64 + (max - held) as u64;
                        return Some(Err(ParseError::new(
                            ParseErrorKind::BodyTooLarge { max },
                            at,
                            chunk,
                            tid,
                        )));
                    }
                    self.body = match core::mem::take(&mut self.body) {
                        Body::Empty => Body::One(piece),
                        Body::One(first) => {
                            let mut all = BytesMut::with_capacity(first.len() + piece.len());
                            all.extend_from_slice(&first);
                            all.extend_from_slice(&piece);
                            Body::Many(all)
                        }
                        Body::Many(mut all) => {
                            all.extend_from_slice(&piece);
                            Body::Many(all)
                        }
                    };
                }
                Ok(ParseEvent::End(end)) => {
                    if core::mem::take(&mut self.skipping) {
                        continue;
                    }
                    let Some(head) = self.head.take() else {
                        continue;
                    };
                    let body = match core::mem::take(&mut self.body) {
                        _ if !head.has_body() => None,
                        Body::Empty => Some(Bytes::new()),
                        Body::One(b) => Some(b),
                        Body::Many(b) => Some(b.freeze()),
                    };
                    return Some(Ok(GatheredChunk { head, body, end }));
                }
            }
        }
    }

    /// The parser underneath (offsets, state).
    pub fn parser(&self) -> &ChunkParser {
        &self.parser
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    fn send(tid: &str, body: &str) -> alloc::vec::Vec<u8> {
        format!(
            "MSRP {tid} SEND\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\nFrom-Path: msrp://a.example.com:2/t;tcp\r\n\
Content-Type: text/plain\r\n\r\n{body}\r\n-------{tid}$\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn bodies_over_the_limit_get_413_and_the_stream_goes_on() {
        let limits = Limits {
            max_gathered_body: 10,
            ..Limits::DEFAULT
        };
        let mut r = ChunkReader::new(limits, Mode::Strict);
        let mut input = send("tid00001", "0123456789abcdef");
        input.extend(send("tid00002", "0123456789"));
        for b in &input {
            r.feed(&[*b]);
        }
        let e = r.next().unwrap().unwrap_err();
        assert_eq!(e.status_code(), Some(413));
        assert_eq!(e.transaction_id().map(|t| t.as_str()), Some("tid00001"));
        assert_eq!(e.chunk_offset(), 0);
        let c = r.next().unwrap().unwrap();
        assert_eq!(c.head.transaction_id().as_str(), "tid00002");
        assert_eq!(c.body.as_deref(), Some(&b"0123456789"[..]));
        assert!(r.next().is_none());
    }

    #[test]
    fn a_whole_chunk_in_one_feed() {
        let mut r = ChunkReader::default();
        let input = Bytes::from(send("tid00001", "hello"));
        r.feed(&input);
        let c = r.next().unwrap().unwrap();
        assert_eq!(c.body.as_deref(), Some(&b"hello"[..]));
        assert!(c.end.byte_range_matches.is_none());
    }
}
