//! What the relay asks of its driver, and what it reports.

use alloc::string::String;
use core::fmt;

use bytes::Bytes;
use msrp_uri::Uri;

/// A transport connection of the relay. Connections the driver accepts get ids the
/// driver picks, below [`ConnId::OUTGOING`]; connections the relay asks to open
/// ([`RelayEvent::Connect`]) get ids the relay picks, at or above it. An id may be used
/// again after [`Relay::connection_closed`](super::Relay::connection_closed): nothing
/// of the old connection survives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u64);

impl ConnId {
    /// The first id of the relay's own range (outgoing connections).
    pub const OUTGOING: u64 = 1 << 63;

    /// Whether the relay picked this id (an outgoing connection).
    pub fn is_outgoing(self) -> bool {
        self.0 >= Self::OUTGOING
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conn#{}", self.0)
    }
}

/// What the driver knows of a connection's far end, given to
/// [`Relay::connection_opened`](super::Relay::connection_opened).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeerInfo {
    /// The remote address as host and port (`"192.0.2.4"`, `40123`), when known. A
    /// request whose next hop has this host and port goes over this connection (RFC 4976
    /// section 6.4.2: "If it already has a connection to the next hop, it SHOULD use
    /// this connection").
    pub remote: Option<(String, u16)>,
    /// Whether the transport is TLS.
    pub secure: bool,
}

impl PeerInfo {
    /// Nothing known.
    pub fn new() -> PeerInfo {
        PeerInfo::default()
    }

    /// With the remote host and port.
    #[must_use]
    pub fn remote(mut self, host: impl Into<String>, port: u16) -> PeerInfo {
        self.remote = Some((host.into(), port));
        self
    }

    /// Over TLS.
    #[must_use]
    pub fn secure(mut self, yes: bool) -> PeerInfo {
        self.secure = yes;
        self
    }
}

/// Bytes for one connection, from [`Relay::poll_transmit`](super::Relay::poll_transmit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to write them.
    pub conn: ConnId,
    /// What to write, in order after what was written before on `conn`.
    pub bytes: Bytes,
}

/// Why the relay wants a connection closed, or why it dropped a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseCause {
    /// A request whose first To-Path URI is not the relay's (RFC 4976 section 6.2: "the
    /// relay immediately drops the corresponding connection").
    NotAddressedToUs,
    /// Bytes that cannot be framed (RFC 4975 section 7.3).
    Unframeable,
    /// Too many failed AUTH attempts (RFC 4976 section 6.3).
    TooManyFailedAuths,
    /// No successful request within the probation time of an accepted connection (RFC
    /// 4976 section 6.1).
    Probation,
}

/// Why an authorisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthEnd {
    /// Its Expires ran out (RFC 4976 section 6.3: "the relay MUST ensure that the URI
    /// is invalidated after the expiry time").
    Expired,
    /// Its connection closed (section 6.3: "If the client's connection is closed ...
    /// the URI MUST be invalidated").
    ConnectionClosed,
}

/// Why an AUTH was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthRefusal {
    /// The Authorization is malformed or does not follow RFC 4976 section 9.1 (400).
    Malformed(&'static str),
    /// The nonce was not issued by this relay to this connection, or was forgotten (401).
    UnknownNonce,
    /// The nonce is ours but too old (401 with `stale=true`).
    StaleNonce,
    /// A nonce count not above the last one with this nonce: a replay (401).
    Replayed,
    /// Unknown user or wrong password (401).
    BadCredentials,
    /// The Expires asked for is out of bounds (423).
    IntervalOutOfBounds,
    /// No room for another authorisation (403).
    TooManySessions,
    /// Too many failures on this connection (403, then the connection closes).
    TooManyFailures,
    /// The relay was built without the `auth` feature (501).
    NotBuilt,
}

/// What the relay asks of its driver or reports, from
/// [`Relay::poll_event`](super::Relay::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RelayEvent {
    /// Open a transport connection to `uri`'s host and port (TLS for `msrps`), then call
    /// [`Relay::connection_opened`](super::Relay::connection_opened) with `conn`, or
    /// [`Relay::connect_failed`](super::Relay::connect_failed).
    Connect {
        /// The id to report it with.
        conn: ConnId,
        /// The next hop (RFC 4976 section 6.4.2: "If no suitable connection exists, the
        /// relay opens a new connection").
        uri: Uri,
    },
    /// Stop reading from `conn`: what it sends cannot be passed on as fast as it comes.
    /// Bytes already read may still be given to `handle_input`.
    StopReading {
        /// The connection.
        conn: ConnId,
    },
    /// Read from `conn` again.
    ResumeReading {
        /// The connection.
        conn: ConnId,
    },
    /// Write what `poll_transmit` still has for `conn`, then close it and call
    /// [`Relay::connection_closed`](super::Relay::connection_closed). Input on it is
    /// ignored from now on.
    Close {
        /// The connection.
        conn: ConnId,
        /// Why.
        cause: CloseCause,
    },
    /// An AUTH succeeded (RFC 4976 section 6.3): `uri` (the Use-Path URI) routes to
    /// `conn` for `expires` seconds.
    Authorized {
        /// The connection it is bound to.
        conn: ConnId,
        /// The Digest user name.
        username: String,
        /// The URI handed out in Use-Path.
        uri: Uri,
        /// Seconds granted.
        expires: u64,
    },
    /// An AUTH was refused.
    AuthRefused {
        /// The connection.
        conn: ConnId,
        /// Why.
        reason: AuthRefusal,
    },
    /// An authorisation ended: its URI no longer routes.
    AuthorizationEnded {
        /// The connection it was bound to.
        conn: ConnId,
        /// Its URI.
        uri: Uri,
        /// Why.
        reason: AuthEnd,
    },
    /// A request was refused with `code` (a diagnostic: the response, if one is due, is
    /// on its way), or a chunk that does not parse was dropped (`code` 400 or 413, also
    /// when no response is due: a response, or `Failure-Report: no`).
    Refused {
        /// The connection it came on.
        conn: ConnId,
        /// The response code (RFC 4975 section 10, RFC 4976 section 10).
        code: u16,
    },
}
