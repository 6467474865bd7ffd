//! Sans-IO MSRP (RFC 4975): the wire codec, transactions, chunking, reassembly, the link
//! layer and the endpoint connection state machine, with the client side of relays (RFC
//! 4976: AUTH with HTTP Digest, paths through relays), and the [`relay`] engine.
//!
//! Bytes go in, events and bytes come out; nothing here opens a socket, spawns a task or
//! reads a clock. An application drives a [`Connection`](connection::Connection) per
//! transport connection: it feeds what it reads with `handle_input`, writes what
//! `poll_transmit` fills, acts on `poll_event`, and calls `handle_timeout` when
//! `poll_timeout` says. Here two endpoints are joined in memory:
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use msrp_proto::chunking::ReportPrefs;
//! use msrp_proto::connection::{Connection, ConnectionConfig, Event, SessionConfig};
//! use msrp_proto::wire::RandomSource;
//! use msrp_proto::Instant;
//!
//! # struct OsRandom(u64);
//! # impl RandomSource for OsRandom {
//! #     fn fill_bytes(&mut self, d: &mut [u8]) {
//! #         for b in d { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); *b = (self.0 >> 33) as u8 }
//! #     }
//! # }
//! // The URIs come from the SDP offer/answer (see the msrp-sdp crate).
//! let alice_uri = "msrp://alice.example.com:7777/iau39soe2843z;tcp";
//! let bob_uri = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";
//! let mut alice = Connection::new(ConnectionConfig::default(), OsRandom(1), Instant::ZERO);
//! let mut bob = Connection::new(ConnectionConfig::default(), OsRandom(2), Instant::ZERO);
//! let session = alice.add_session(SessionConfig::new(alice_uri.parse()?, bob_uri.parse()?));
//! bob.add_session(
//!     SessionConfig::new(bob_uri.parse()?, alice_uri.parse()?).accept_types(["text/plain"]),
//! );
//!
//! // Alice asks to hear when the message is delivered (a success REPORT).
//! let reports = ReportPrefs { success: Some(true), failure: None };
//! let now = Instant::ZERO; // the driver's clock
//! let hello = alice
//!     .send(now, session, "text/plain", Bytes::from("Hello, Bob"), reports)
//!     .expect("an open session with room in its queue");
//!
//! // The driver's loop: bytes written by one side are read by the other.
//! let mut wire = BytesMut::new();
//! for _ in 0..2 {
//!     while alice.poll_transmit(now, &mut wire).is_some() {}
//!     bob.handle_input(now, &wire.split());
//!     while bob.poll_transmit(now, &mut wire).is_some() {} // the 200 and the REPORT
//!     alice.handle_input(now, &wire.split());
//! }
//! let Some(Event::MessageReceived { body, content_type, .. }) = bob.poll_event() else {
//!     panic!("Bob got the message")
//! };
//! assert_eq!((content_type.as_str(), &body[..]), ("text/plain", &b"Hello, Bob"[..]));
//! let delivered = std::iter::from_fn(|| alice.poll_event())
//!     .any(|e| matches!(e, Event::MessageDelivered { message, .. } if message == hello));
//! assert!(delivered);
//! assert_eq!(alice.poll_timeout(), None, "nothing is waiting");
//! # Ok::<(), msrp_proto::uri::UriError>(())
//! ```
//!
//! Underneath, the [`wire`] codec works on its own. Feed a SEND, read its head and body,
//! and answer it with a 200:
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
//! - [`connection`]: the endpoint state machine: sessions on one transport connection,
//!   driven as its module documentation describes.
//! - [`link`]: what every MSRP transport needs, shared by the endpoint and the relay: the
//!   parser, the outgoing queue (whole chunks into the caller's buffer, interrupted when
//!   others wait), the transaction table and its timers, the close.
//! - `testing` (feature `testing`): two connections joined in memory with a simulated
//!   clock and a middlebox that re-segments, reorders, duplicates, delays or cuts.
//! - [`auth`]: HTTP Digest for AUTH to relays (RFC 4976 section 9.1); the AUTH
//!   transaction runs on the connection
//!   ([`Connection::authenticate`](connection::Connection::authenticate)).
//! - [`relay`]: the relay of RFC 4976 for many transport connections: AUTH (Digest,
//!   Use-Path, Expires), forwarding with cut-through bodies and back-pressure.
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

pub mod auth;
pub mod chunking;
pub mod connection;
mod limits;
pub mod link;
pub mod reassembly;
pub mod relay;
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
