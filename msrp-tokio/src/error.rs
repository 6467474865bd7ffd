//! What can go wrong, as the application sees it.

use std::io;

use msrp_proto::connection::{CloseReason, FailReason, SendError};

/// An error of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The socket, or the TLS or WebSocket layer on it, failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A message could not be sent: the peer's error response, its failure REPORT, a
    /// timeout (RFC 4975 sections 7.1.1 and 7.1.2), or the session or connection ended.
    #[error("message not delivered: {}", describe(.0))]
    Failed(FailReason),
    /// The core refused a command (bad content type, a stream's declared size, ...).
    #[error("refused: {0}")]
    Refused(#[from] SendError),
    /// The connection is closed; why, when known.
    #[error("the connection is closed{}", .0.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Closed(Option<CloseReason>),
    /// The URI cannot be connected to: no address, or a transport this build does not
    /// have (`msrps` needs the `tls` feature and a client configuration, `ws`/`wss` the
    /// `ws` feature).
    #[error("cannot connect to {uri}: {reason}")]
    Unsupported {
        /// The URI.
        uri: String,
        /// Why.
        reason: &'static str,
    },
    /// The peer did not take the session on this connection (RFC 4975 section 5.4: the
    /// binding SEND was answered with this code, e.g. 481 no such session or 506 bound
    /// to another connection).
    #[error("the peer refused the session with {0}")]
    SessionRefused(u16),
    /// The message was aborted by this side (a streamed send stopped part-way).
    #[error("aborted")]
    Aborted,
    /// Reading the body to send failed (the `AsyncRead` of a streamed send).
    #[error("reading the body failed: {0}")]
    Source(io::Error),
    /// TLS configuration (certificates, keys) could not be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The WebSocket handshake failed (RFC 7977 section 4.1): the server answered with
    /// another status than 101, did not select the `msrp` subprotocol, or a client did
    /// not ask for it; or a WebSocket URL could not be used.
    #[error("WebSocket: {0}")]
    WebSocket(String),
    /// The relay did not authorise this side (RFC 4976 section 5): its AUTH was answered
    /// with an error code (`code`: 403 forbidden, ...), the credentials were refused, or
    /// its challenge or answer could not be used.
    #[error("AUTH to the relay failed: {reason}{}", .code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Auth {
        /// Why, as the core says it.
        reason: String,
        /// The relay's status code, when it answered with one.
        code: Option<u16>,
    },
}

impl Error {
    /// The RFC 4975 status code that ended a send, when there is one (an error response
    /// or a failure REPORT): what a command line turns into its exit message.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Error::Failed(FailReason::Response(c) | FailReason::Report(c))
            | Error::SessionRefused(c)
            | Error::Auth { code: Some(c), .. } => Some(*c),
            _ => None,
        }
    }
}

/// A reason as a person reads it, with the RFC's reason phrase for codes.
pub(crate) fn describe(r: &FailReason) -> String {
    match r {
        FailReason::Response(c) => format!(
            "the peer answered {c} {}",
            msrp_proto::report::reason_phrase(*c)
        ),
        FailReason::Report(c) => format!(
            "failure REPORT {c} {}",
            msrp_proto::report::reason_phrase(*c)
        ),
        FailReason::Timeout => "no response within 30 seconds (RFC 4975 section 7.1.1)".into(),
        FailReason::SessionClosed => "the session was closed".into(),
        FailReason::ConnectionClosed => "the connection closed first".into(),
        FailReason::NoReport => "no success REPORT came in time".into(),
        _ => "failed".into(),
    }
}
