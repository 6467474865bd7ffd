//! Sans-IO MSRP (RFC 4975): the wire codec, transactions, chunking, reassembly and the
//! endpoint connection state machine; relays are next.
//!
//! Bytes go in, events come out; nothing here opens a socket, spawns a task or reads a
//! clock. Feed a SEND, read its head and body, and answer it with a 200:
//!
//! ```
//! use bytes::BytesMut;
//! use msrp_proto::wire::{Chunk, ChunkParser, ParseEvent};
//!
//! let mut parser = ChunkParser::default(); // strict mode, default limits
//! parser.feed(b"MSRP a786hjs2 SEND\r\n\
//!     To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
//!     From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
//!     Message-ID: 87652491\r\nByte-Range: 1-25/25\r\nContent-Type: text/plain\r\n\r\n\
//!     Hey Bob, are you there?\r\n-------a786hjs2$\r\n");
//!
//! let Some(Ok(ParseEvent::Head(head))) = parser.next() else { panic!("a whole head was fed") };
//! assert_eq!(head.method_name(), Some("SEND"));
//! assert_eq!(head.byte_range().map(|r| r.total), Some(Some(25)));
//! let Some(Ok(ParseEvent::Body(body))) = parser.next() else { panic!() };
//! assert_eq!(&body[..], b"Hey Bob, are you there?");
//! let Some(Ok(ParseEvent::End(end))) = parser.next() else { panic!() };
//! // RFC 4975 section 4 declares 25 octets for this 23-octet body: framing follows the
//! // end-line, and the mismatch is reported.
//! assert_eq!(end.body_length, 23);
//! assert_eq!(end.byte_range_matches, Some(false));
//!
//! // The response goes to the previous hop, from the URI the request was sent to.
//! let me = head.to_path()?.last().cloned().expect("a To-Path has a URI");
//! let ok = Chunk::response_to(&head, me, 200, Some("OK")).expect("a request");
//! let mut out = BytesMut::new();
//! ok.encode(&mut out).expect("a valid response");
//! assert_eq!(
//!     &out[..],
//!     &b"MSRP a786hjs2 200 OK\r\n\
//!        To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
//!        From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
//!        -------a786hjs2$\r\n"[..]
//! );
//! # Ok::<(), msrp_proto::uri::UriError>(())
//! ```
//!
//! # Modules
//!
//! - [`wire`]: [`ChunkParser`](wire::ChunkParser) (incremental: `feed`/`next`, or `decode`
//!   on the caller's `BytesMut`), [`ChunkReader`](wire::ChunkReader) (whole chunks, body
//!   gathered up to a limit), [`HeadReader`](wire::HeadReader) (a head read in place from
//!   the caller's buffer, as an HTTP head parser does), [`Chunk`](wire::Chunk) (the
//!   serializer).
//! - [`connection`]: the endpoint state machine: sessions on one transport connection.
//! - [`chunking`]: sending a message as SEND chunks, interruptible, never containing its
//!   own end-line.
//! - [`transaction`]: outgoing transactions and their 30-second response timer.
//! - [`report`]: which responses and REPORTs a receiver owes, and building REPORTs.
//! - [`reassembly`]: putting incoming messages together from chunks, bounded.
//! - [`uri`]: the `msrp-uri` crate, re-exported.
//!
//! # Bad input
//!
//! Parsing never panics and never holds more than [`Limits`] allow, whatever a peer
//! declares. A malformed chunk gives a [`ParseError`](wire::ParseError) with its byte offset
//! and the response code to answer (400, 413); the parser then skips to that chunk's
//! end-line and goes on. A start line that cannot be framed is fatal for the stream.
//! [`Mode::Tolerant`] accepts what real peers send and records each deviation as a
//! [`Quirk`](wire::Quirk) on the chunk.
//!
//! By default the parser checks the value of every known header field before it hands a
//! head out ([`Validation::Full`](wire::Validation::Full)). With
//! [`Validation::Framing`](wire::Validation::Framing) it checks the framing only (as an
//! HTTP parser like httparse does) and leaves the values to
//! [`ChunkHead::validate`](wire::ChunkHead::validate), called when the consumer wants
//! them checked, which reports exactly what the default would have.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod chunking;
pub mod connection;
mod limits;
pub mod link;
pub mod reassembly;
pub mod report;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod time;
pub mod transaction;
pub mod wire;

pub use bytes::{Bytes, BytesMut};
pub use limits::{
    DEFAULT_MAX_GATHERED_BODY, DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADERS, DEFAULT_MAX_START_LINE,
    DEFAULT_MAX_TID_LEN, DEFAULT_MIN_BODY_PIECE, Limits,
};
pub use msrp_uri as uri;
pub use msrp_uri::Mode;
pub use time::Instant;
