//! A `tokio_util::codec` for users who want MSRP frames, not sessions: wrap a socket in
//! [`Framed`](tokio_util::codec::Framed) with [`MsrpCodec`] and read [`ParseEvent`]s,
//! write [`Chunk`]s.
//!
//! ```
//! use bytes::BytesMut;
//! use msrp_tokio::codec::MsrpCodec;
//! use msrp_tokio::proto::wire::ParseEvent;
//! use tokio_util::codec::Decoder;
//!
//! let mut codec = MsrpCodec::default();
//! let mut buf = BytesMut::from(
//!     &b"MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:8888/9di4;tcp\r\n\
//!        From-Path: msrp://a.example.com:7777/iau39;tcp\r\nMessage-ID: 87652\r\n\
//!        Byte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nHi\r\n-------a786hjs2$\r\n"[..],
//! );
//! let Some(ParseEvent::Head(head)) = codec.decode(&mut buf)? else { panic!() };
//! assert_eq!(head.message_id(), Some("87652"));
//! let Some(ParseEvent::Body(body)) = codec.decode(&mut buf)? else { panic!() };
//! assert_eq!(&body[..], b"Hi");
//! assert!(matches!(codec.decode(&mut buf)?, Some(ParseEvent::End(_))));
//! # Ok::<(), msrp_tokio::codec::CodecError>(())
//! ```

use bytes::BytesMut;
use msrp_proto::wire::{Chunk, ChunkParser, EncodeError, ParseError, ParseEvent};
use msrp_proto::{Limits, Mode};
use tokio_util::codec::{Decoder, Encoder};

/// Frames MSRP chunks: decodes into a stream of [`ParseEvent`]s (a head, body pieces as
/// they arrive, an end-line: bodies are never held whole, whatever a peer declares),
/// encodes [`Chunk`]s.
#[derive(Debug)]
pub struct MsrpCodec {
    parser: ChunkParser,
}

impl MsrpCodec {
    /// A codec with these parse limits and mode (strict or tolerant).
    pub fn new(limits: Limits, mode: Mode) -> MsrpCodec {
        MsrpCodec {
            parser: ChunkParser::new(limits, mode),
        }
    }
}

impl Default for MsrpCodec {
    /// Default limits, tolerant of what real peers send.
    fn default() -> Self {
        MsrpCodec::new(Limits::default(), Mode::Tolerant)
    }
}

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The bytes do not parse; a fatal error ends the stream (RFC 4975 section 7.3: it
    /// cannot be resynchronized).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The chunk cannot be written (see [`EncodeError`]).
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The socket failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Decoder for MsrpCodec {
    type Item = ParseEvent;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ParseEvent>, CodecError> {
        Ok(self.parser.decode(src)?)
    }
}

impl Encoder<&Chunk> for MsrpCodec {
    type Error = CodecError;

    fn encode(&mut self, chunk: &Chunk, dst: &mut BytesMut) -> Result<(), CodecError> {
        Ok(chunk.encode(dst)?)
    }
}

impl Encoder<Chunk> for MsrpCodec {
    type Error = CodecError;

    fn encode(&mut self, chunk: Chunk, dst: &mut BytesMut) -> Result<(), CodecError> {
        Ok(chunk.encode(dst)?)
    }
}
