//! Why a link ended.

use crate::wire::ParseError;

/// Why a connection ended: given by the driver to `handle_close`, or found by the link
/// itself (a peer whose bytes cannot be framed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer closed the transport (end of stream).
    PeerClosed,
    /// The transport failed (an I/O or TLS error, a WebSocket close).
    TransportError,
    /// This side closed it.
    Local,
    /// The peer sent bytes that cannot be framed (a fatal [`ParseError`], RFC 4975
    /// section 7.3: the stream cannot be resynchronized). The driver should close the
    /// transport.
    PeerError(ParseError),
}

impl core::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CloseReason::PeerClosed => f.write_str("the peer closed the connection"),
            CloseReason::TransportError => f.write_str("the transport failed"),
            CloseReason::Local => f.write_str("closed by this side"),
            CloseReason::PeerError(e) => write!(f, "unframeable input from the peer: {e}"),
        }
    }
}
