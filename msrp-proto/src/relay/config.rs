//! The relay's configuration and the credential source it checks Digests against.

use alloc::string::String;
use core::time::Duration;

use msrp_uri::Uri;

use crate::transaction::DEFAULT_MAX_PENDING;
use crate::{Limits, Mode};

/// Default for [`RelayConfig::default_expires`]: one hour (what Kamailio grants too).
pub const DEFAULT_EXPIRES: u64 = 3600;
/// Default for [`RelayConfig::min_expires`]: a minute; shorter authorisations would make
/// clients re-authenticate all the time (RFC 4976 section 6.3, 423 with Min-Expires).
pub const DEFAULT_MIN_EXPIRES: u64 = 60;
/// Default for [`RelayConfig::max_expires`]: a day (RFC 4976 section 6.3, 423 with
/// Max-Expires).
pub const DEFAULT_MAX_EXPIRES: u64 = 86_400;
/// Default for [`RelayConfig::nonce_lifetime`]: five minutes; an older nonce is answered
/// with `stale=true` (RFC 2617 section 3.2.1).
pub const DEFAULT_NONCE_LIFETIME: Duration = Duration::from_secs(300);
/// Default for [`RelayConfig::max_nonces_per_connection`]: a client needs one nonce at a
/// time (AUTH cannot be pipelined, RFC 4976 section 9.1); a few more cover retries.
pub const DEFAULT_MAX_NONCES_PER_CONNECTION: usize = 4;
/// Default for [`RelayConfig::max_failed_auths`]: RFC 4976 section 6.3 asks a relay to
/// close a connection after "several unsuccessful AUTH requests".
pub const DEFAULT_MAX_FAILED_AUTHS: u32 = 3;
/// Default for [`RelayConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default for [`RelayConfig::max_sessions`]: authorisations (Use-Path URIs) alive at once.
pub const DEFAULT_MAX_SESSIONS: usize = 4096;
/// Default for [`RelayConfig::max_queued_bytes`]: 256 KiB waiting for one connection
/// before its senders are told to stop reading.
pub const DEFAULT_MAX_QUEUED_BYTES: usize = 256 * 1024;
/// Default for [`RelayConfig::max_waiting_bytes`]: what a chunk waiting behind another
/// one on the same outgoing connection may hold before its sender is told to stop reading.
pub const DEFAULT_MAX_WAITING_BYTES: usize = 16 * 1024;
/// Default for [`RelayConfig::probation`]: RFC 4976 section 6.1, "the server waits for
/// up to 30 seconds to receive an MSRP request over the channel".
pub const DEFAULT_PROBATION: Duration = Duration::from_secs(30);
/// Default for [`RelayConfig::max_transmit`]: bytes per transmit.
pub const DEFAULT_MAX_TRANSMIT: usize = 64 * 1024;

/// Where the relay looks up passwords (RFC 4976 section 6.3: "the relay checks the
/// credentials (username and password) provided by the client"). The application
/// implements it over its user database; closures `Fn(&str, &str) -> Option<String>`
/// implement it too.
pub trait CredentialSource {
    /// The password of `username` in `realm`, or `None` for an unknown user (answered as
    /// a wrong password: 401).
    fn password(&self, username: &str, realm: &str) -> Option<String>;
}

impl<F: Fn(&str, &str) -> Option<String>> CredentialSource for F {
    fn password(&self, username: &str, realm: &str) -> Option<String> {
        self(username, realm)
    }
}

/// A relay's configuration (RFC 4976 sections 5 and 6). Every limit has a `DEFAULT_*`
/// constant saying why.
///
/// ```
/// use msrp_proto::relay::RelayConfig;
///
/// let config = RelayConfig::new("msrps://relay.example.com:2855;tcp".parse()?, "relay.example.com");
/// assert!(config.require_auth);
/// assert_eq!(config.default_expires, 3600);
/// # Ok::<(), msrp_proto::uri::UriError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelayConfig {
    /// The relay's own URI, without a session id (`msrps://relay.example.com:2855;tcp`):
    /// what clients put in the To-Path of AUTH, and the base of every Use-Path URI. A
    /// To-Path URI is the relay's when its scheme, host, port (absent = 2855) and
    /// transport are equal to these.
    pub uri: Uri,
    /// The Digest realm of the challenges (RFC 4976 section 5.1: "not unreasonable to
    /// always use the relay's hostname").
    pub realm: String,
    /// Requests that are not addressed to a Use-Path URI (forwarding through the relay's
    /// bare URI) are refused with 403 unless the connection they come on holds a live
    /// authorisation. Default `true`; `false` makes an open relay (trusted networks,
    /// tests).
    pub require_auth: bool,
    /// A request a client sends through its own Use-Path URI must come from the URI it
    /// authenticated from (the last From-Path URI equals the last From-Path URI of the
    /// AUTH), else 403: an authenticated client cannot pose as another sender (RFC 4976
    /// section 6.4 checks that "the previous hop was the correct previous hop coming
    /// from the client that obtained this URI"). Default `true`; turn it off for clients
    /// that authenticate from another URI than their sessions use.
    pub check_sender: bool,
    /// Expires granted when an AUTH asks for none (clamped to the bounds below).
    pub default_expires: u64,
    /// Below this an AUTH's Expires is refused with 423 and Min-Expires.
    pub min_expires: u64,
    /// Above this an AUTH's Expires is refused with 423 and Max-Expires.
    pub max_expires: u64,
    /// How long a nonce stays fresh; an Authorization with an older one of ours gets a
    /// 401 with `stale=true`.
    pub nonce_lifetime: Duration,
    /// Nonces kept per connection (the oldest is forgotten first).
    pub max_nonces_per_connection: usize,
    /// Failed Authorizations on one connection before it gets 403 and is closed (RFC
    /// 4976 section 6.3).
    pub max_failed_auths: u32,
    /// Transport connections at once (accepted and opened); more are refused.
    pub max_connections: usize,
    /// Authorisations (Use-Path URIs) alive at once; an AUTH past it gets 403.
    pub max_sessions: usize,
    /// Forwarded requests waiting for their responses, per outgoing connection; a request
    /// past it is refused with 403 (and, for a SEND, reported).
    pub max_pending: usize,
    /// Bytes waiting for one connection (ready to write) before the connection feeding
    /// it is told to stop reading ([`RelayEvent::StopReading`](super::RelayEvent)).
    pub max_queued_bytes: usize,
    /// Bytes a forwarded chunk waiting behind another chunk on its outgoing connection
    /// may hold before its sender is told to stop reading.
    pub max_waiting_bytes: usize,
    /// Bytes per transmit, about.
    pub max_transmit: usize,
    /// An accepted connection that has not sent a successful request (one forwarded, or
    /// an AUTH that succeeded) within this time is closed (RFC 4976 section 6.1);
    /// `None`: never.
    pub probation: Option<Duration>,
    /// The parser's limits (header sizes and counts) for every connection.
    pub limits: Limits,
    /// Strict or tolerant parsing.
    pub mode: Mode,
}

impl RelayConfig {
    /// A relay at `uri` for `realm`, with the `DEFAULT_*` limits and AUTH required.
    pub fn new(uri: Uri, realm: impl Into<String>) -> RelayConfig {
        RelayConfig {
            uri,
            realm: realm.into(),
            require_auth: true,
            check_sender: true,
            default_expires: DEFAULT_EXPIRES,
            min_expires: DEFAULT_MIN_EXPIRES,
            max_expires: DEFAULT_MAX_EXPIRES,
            nonce_lifetime: DEFAULT_NONCE_LIFETIME,
            max_nonces_per_connection: DEFAULT_MAX_NONCES_PER_CONNECTION,
            max_failed_auths: DEFAULT_MAX_FAILED_AUTHS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_sessions: DEFAULT_MAX_SESSIONS,
            max_pending: DEFAULT_MAX_PENDING,
            max_queued_bytes: DEFAULT_MAX_QUEUED_BYTES,
            max_waiting_bytes: DEFAULT_MAX_WAITING_BYTES,
            max_transmit: DEFAULT_MAX_TRANSMIT,
            probation: Some(DEFAULT_PROBATION),
            limits: Limits::DEFAULT,
            mode: Mode::Strict,
        }
    }
}
