//! The client side of AUTH (RFC 4976 section 5.1): asking a relay for a URI to use in
//! paths, answering its Digest challenge, retrying a refused Expires, and asking again
//! before the URI expires.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use msrp_uri::{Path, Uri};

use super::event::Event;
use super::sender::TxInfo;
use super::{Connection, encode};
use crate::auth::{AuthInfo, Challenge, Credentials, DigestError, digest::DigestInput};
use crate::time::Instant;
use crate::transaction::Expect;
use crate::wire::{Chunk, ChunkHead, RandomSource, TransactionId, random_id};

/// An AUTH this connection runs, as [`Connection::authenticate`] returned it. Never
/// reused on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuthId(pub(crate) usize);

/// What to authenticate to, and how (RFC 4976 section 5.1).
///
/// ```
/// use msrp_proto::auth::Credentials;
/// use msrp_proto::connection::AuthConfig;
///
/// let config = AuthConfig::new(
///     "msrps://relay.example.com:2855;tcp".parse()?,
///     "msrps://127.0.0.1:40123/jd73hdq;tcp".parse()?,
///     Credentials::new("alice", "secret"),
/// )
/// .expires(900);
/// assert_eq!(config.to_path().to_string(), "msrps://relay.example.com:2855;tcp");
/// # Ok::<(), msrp_proto::uri::UriError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthConfig {
    /// The relay to authenticate to: the rightmost To-Path URI, and the `uri` of the
    /// Digest response (RFC 4976 section 9.1).
    pub relay: Uri,
    /// Relays the AUTH goes through first: the Use-Path an earlier AUTH gave, for a relay
    /// reached through another one (RFC 4976 section 5.1: the client "will then send a
    /// second AUTH destined to extra-org but sent through intra-org"). Empty for the
    /// first relay.
    pub via: Vec<Uri>,
    /// This side's URI, the From-Path. (Kamailio routes responses by it: use the address
    /// and port the connection comes from.)
    pub local_uri: Uri,
    /// The user name and password, from the application.
    pub credentials: Credentials,
    /// How long to ask the URI to stay valid, in seconds (the AUTH's Expires header,
    /// RFC 4976 section 4.6); `None`: the relay decides.
    pub expires: Option<u32>,
    /// Ask again before the URI expires (default): at nine tenths of the Expires the
    /// relay granted.
    pub refresh: bool,
}

impl AuthConfig {
    /// An AUTH to `relay` from `local_uri`, asking no particular Expires, refreshed
    /// before it expires.
    pub fn new(relay: Uri, local_uri: Uri, credentials: Credentials) -> AuthConfig {
        AuthConfig {
            relay,
            via: Vec::new(),
            local_uri,
            credentials,
            expires: None,
            refresh: true,
        }
    }

    /// Goes through the relays of `use_path` first ([`AuthConfig::via`]).
    #[must_use]
    pub fn via(mut self, use_path: &Path) -> AuthConfig {
        self.via = use_path.iter().cloned().collect();
        self
    }

    /// Asks for this Expires ([`AuthConfig::expires`]).
    #[must_use]
    pub fn expires(mut self, seconds: u32) -> AuthConfig {
        self.expires = Some(seconds);
        self
    }

    /// Whether to ask again before expiry ([`AuthConfig::refresh`]).
    #[must_use]
    pub fn refresh(mut self, yes: bool) -> AuthConfig {
        self.refresh = yes;
        self
    }

    /// The AUTH's To-Path: [`AuthConfig::via`], then the relay.
    pub fn to_path(&self) -> Path {
        let mut p: Path = self.via.iter().cloned().collect();
        p.push_back(self.relay.clone());
        p
    }
}

/// Why [`Connection::authenticate`] was refused (local, never the relay's doing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The crate was built without its `auth` feature: no MD5, no Digest.
    #[error("AUTH needs the `auth` feature of msrp-proto")]
    NotBuilt,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// The transaction table is full.
    #[error("too many transactions waiting for responses")]
    TooManyPending,
}

/// Why an AUTH ended without a URI, or why a URI it gave is no longer to be used
/// ([`Event::AuthFailed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The relay answered with this code: 403 (not authorized, RFC 4976 section 6.3) or
    /// any other error but 401 and 423.
    #[error("the relay answered {0}")]
    Rejected(u16),
    /// A 401 answered a request that carried the answer to this attempt's challenge, and
    /// the nonce was not `stale`: the credentials are wrong (RFC 4976 section 6.3).
    #[error("the relay refused the credentials")]
    Unauthorized,
    /// A 401 whose challenge cannot be answered: no or a malformed WWW-Authenticate, no
    /// nonce, no `qop=auth`, another algorithm than MD5, another realm than the
    /// credentials are for (RFC 4976 section 9.1).
    #[error("unusable challenge: {0}")]
    BadChallenge(#[source] DigestError),
    /// A 423 (RFC 4976 section 6.3) after a retry, or without a Min-Expires or
    /// Max-Expires to retry with.
    #[error("Expires out of bounds (Min-Expires {min:?}, Max-Expires {max:?})")]
    IntervalOutOfBounds {
        /// Its Min-Expires.
        min: Option<u64>,
        /// Its Max-Expires.
        max: Option<u64>,
    },
    /// The relay's response could not be used: malformed, a 200 without a readable
    /// Use-Path, an Expires that is not a number of seconds, a malformed
    /// Authentication-Info.
    #[error("unusable response: {0}")]
    BadResponse(&'static str),
    /// The 200's `rspauth` does not prove that the relay knows the password (RFC 2617
    /// section 3.2.3): it is not the relay it claims to be.
    #[error("the relay's rspauth does not match")]
    BadRspauth,
    /// No response within 30 seconds (RFC 4975 section 7.1.1's transaction timer).
    #[error("no response in time")]
    Timeout,
    /// The connection closed: a URI it gave is no longer valid (RFC 4976 section 6.3: the
    /// relay invalidates it with the connection).
    #[error("the connection closed")]
    ConnectionClosed,
}

/// The request waiting for a response.
#[derive(Debug, Clone)]
struct Sent {
    tid: TransactionId,
    /// The cnonce and nonce count of its Authorization, if it had one.
    digest: Option<(String, u32)>,
}

/// One AUTH's state.
#[derive(Debug)]
pub(crate) struct AuthState {
    config: AuthConfig,
    to_path: Path,
    from_path: Path,
    /// The rightmost To-Path URI as written: H(A2)'s request-URI.
    uri_text: String,
    /// The nonce in use (from the last challenge, or a nextnonce).
    challenge: Option<Challenge>,
    /// The last nonce count sent with it.
    nc: u32,
    /// This attempt answered a challenge already.
    answered: bool,
    /// `stale=true` challenges answered in this attempt.
    stale: u8,
    /// This attempt retried after a 423.
    interval_retried: bool,
    /// The Expires asked for now.
    expires: Option<u32>,
    sent: Option<Sent>,
    /// The URI the relay gave (RFC 4976 section 4.2), once it did.
    use_path: Option<Path>,
    refresh_at: Option<Instant>,
}

/// Most `stale=true` challenges answered in one attempt (a relay that keeps calling every
/// nonce stale would otherwise make this side loop).
const MAX_STALE: u8 = 2;

impl<R: RandomSource> Connection<R> {
    /// Authenticates to a relay (RFC 4976 section 5.1): sends AUTH (To-Path
    /// `config.to_path()`, From-Path `config.local_uri`, Expires if asked for); answers a
    /// 401 once with the Digest Authorization (RFC 2617, as section 9.1 profiles it: MD5,
    /// `qop=auth`, a fresh cnonce from the connection's random source, the nonce count
    /// per nonce); on a 423 retries once with an Expires within the Min-Expires or
    /// Max-Expires given; on a 200 reports the Use-Path and Expires in
    /// [`Event::Authorized`]; and, unless [`AuthConfig::refresh`] is off, sends AUTH
    /// again at nine tenths of the Expires granted (with the last nonce, or the
    /// `nextnonce` of Authentication-Info, a fresh cnonce and the next nonce count;
    /// a 401 to it is answered like a first challenge). Each success gives another
    /// [`Event::Authorized`] (a relay may hand out another URI); any failure ends the
    /// AUTH with [`Event::AuthFailed`]. A request without a response in 30 seconds fails
    /// with [`AuthFailure::Timeout`].
    ///
    /// Use the Use-Path with [`SessionConfig::relays`](super::SessionConfig::relays).
    /// Each URI should serve one session only (RFC 4976 section 3.1): authenticate once
    /// per session.
    pub fn authenticate(&mut self, now: Instant, config: AuthConfig) -> Result<AuthId, AuthError> {
        self.now = self.now.max(now);
        if !cfg!(feature = "auth") {
            return Err(AuthError::NotBuilt);
        }
        if self.is_closed() {
            return Err(AuthError::Closed);
        }
        if !self.link.transactions().has_room() {
            return Err(AuthError::TooManyPending);
        }
        let to_path = config.to_path();
        let state = AuthState {
            uri_text: config.relay.to_string(),
            from_path: Path::new(config.local_uri.clone()),
            to_path,
            challenge: None,
            nc: 0,
            answered: false,
            stale: 0,
            interval_retried: false,
            expires: config.expires,
            sent: None,
            use_path: None,
            refresh_at: None,
            config,
        };
        let id = AuthId(self.auths.len());
        self.auths.push(Some(state));
        self.send_auth(id);
        Ok(id)
    }

    /// The Use-Path an AUTH got, while it is valid (from its [`Event::Authorized`] until
    /// its [`Event::AuthFailed`] or [`Connection::stop_auth`]).
    pub fn auth_use_path(&self, auth: AuthId) -> Option<&Path> {
        self.auths.get(auth.0)?.as_ref()?.use_path.as_ref()
    }

    /// Stops an AUTH: no refresh, a response still due is ignored, no event follows.
    /// (MSRP has no way to give a URI back; it expires, or ends with the connection.)
    /// Returns whether it was running.
    pub fn stop_auth(&mut self, now: Instant, auth: AuthId) -> bool {
        let _ = now;
        self.auths.get_mut(auth.0).and_then(Option::take).is_some()
    }

    fn auth_mut(&mut self, auth: AuthId) -> Option<&mut AuthState> {
        self.auths.get_mut(auth.0)?.as_mut()
    }

    /// Sends the AUTH request of `auth`'s current state.
    fn send_auth(&mut self, auth: AuthId) {
        let tid = random_id(&mut self.rng);
        let cnonce = random_id(&mut self.rng);
        let Some(st) = self.auths.get_mut(auth.0).and_then(Option::as_mut) else {
            return;
        };
        let mut chunk = Chunk::auth(tid, st.to_path.clone(), st.from_path.clone());
        let mut digest = None;
        if let Some(c) = &st.challenge {
            let nc = st.nc.saturating_add(1);
            let cnonce = String::from(cnonce.as_str());
            match c.authorization(&st.config.credentials, "AUTH", &st.uri_text, &cnonce, nc) {
                Ok(value) => chunk = chunk.header("Authorization", &value),
                Err(e) => return self.auth_failed(auth, AuthFailure::BadChallenge(e)),
            }
            st.nc = nc;
            digest = Some((cnonce, nc));
        }
        if let Some(e) = st.expires {
            chunk = chunk.header("Expires", &e.to_string());
        }
        st.sent = Some(Sent { tid, digest });
        let tx = (tid, Expect::Response, TxInfo::Auth(auth));
        self.link.push_control(encode(&chunk), Some(tx));
    }

    /// Ends `auth` with `reason` (nothing if it was stopped or ended already).
    pub(crate) fn auth_failed(&mut self, auth: AuthId, reason: AuthFailure) {
        if self.auths.get_mut(auth.0).and_then(Option::take).is_some() {
            self.events.push_back(Event::AuthFailed { auth, reason });
        }
    }

    /// The response to an AUTH of ours.
    pub(crate) fn on_auth_response(&mut self, auth: AuthId, head: &ChunkHead) {
        let tid = head.transaction_id();
        let Some(st) = self.auth_mut(auth) else {
            return;
        };
        if st.sent.as_ref().is_none_or(|s| s.tid != tid) {
            return;
        }
        match head.status_code().unwrap_or(0) {
            200 => self.auth_ok(auth, head),
            401 => self.auth_challenged(auth, head),
            423 => self.auth_interval(auth, head),
            code => self.auth_failed(auth, AuthFailure::Rejected(code)),
        }
    }

    /// A response to an AUTH of ours that the parser refused (a malformed header field,
    /// e.g. an Expires of 20 digits): the AUTH fails now rather than by its timer.
    pub(crate) fn on_malformed_response(&mut self, tid: &TransactionId) {
        let head = self.link.parser().rejected_head();
        if head.method().is_some() || head.transaction_id().as_ref() != Some(tid) {
            return;
        }
        let Some(&TxInfo::Auth(auth)) = self.link.transactions().get(tid) else {
            return;
        };
        let code = head
            .as_bytes()
            .split(|&b| b == b' ')
            .nth(2)
            .and_then(|c| c.get(..3));
        let reason = if code == Some(b"401") {
            AuthFailure::BadChallenge(DigestError::Syntax("malformed response head"))
        } else {
            AuthFailure::BadResponse("malformed response head")
        };
        let _ = self.link.on_response(tid);
        self.auth_failed(auth, reason);
    }

    /// 401 (RFC 4976 section 5.1): answer the challenge, once per attempt (again only for
    /// `stale=true`).
    fn auth_challenged(&mut self, auth: AuthId, head: &ChunkHead) {
        let challenge = match head.header_value("WWW-Authenticate") {
            None => Err(DigestError::Missing("WWW-Authenticate")),
            Some(v) => Challenge::parse_bytes(v),
        };
        let Some(st) = self.auth_mut(auth) else {
            return;
        };
        let challenge = match challenge.and_then(|c| c.accepts(&st.config.credentials).map(|()| c))
        {
            Ok(c) => c,
            Err(e) => return self.auth_failed(auth, AuthFailure::BadChallenge(e)),
        };
        let carried = st.sent.as_ref().is_some_and(|s| s.digest.is_some());
        if st.answered && carried {
            if !challenge.stale || st.stale >= MAX_STALE {
                return self.auth_failed(auth, AuthFailure::Unauthorized);
            }
            st.stale += 1;
        }
        st.answered = true;
        st.challenge = Some(challenge);
        st.nc = 0;
        self.send_auth(auth);
    }

    /// 423 (RFC 4976 section 6.3): retry once with an Expires within the bounds given.
    fn auth_interval(&mut self, auth: AuthId, head: &ChunkHead) {
        let (min, max) = (head.min_expires(), head.max_expires());
        let Some(st) = self.auth_mut(auth) else {
            return;
        };
        let fail = AuthFailure::IntervalOutOfBounds { min, max };
        if st.interval_retried {
            return self.auth_failed(auth, fail);
        }
        let asked = st.expires.map(u64::from);
        let wanted = match (asked, min, max) {
            (Some(a), Some(lo), _) if a < lo => Some(lo),
            (Some(a), _, Some(hi)) if a > hi => Some(hi),
            (None, Some(lo), _) => Some(lo),
            (None, None, Some(hi)) => Some(hi),
            _ => None,
        };
        let usable = wanted
            .filter(|w| min.is_none_or(|lo| *w >= lo) && max.is_none_or(|hi| *w <= hi))
            .and_then(|w| u32::try_from(w).ok())
            .filter(|w| Some(u64::from(*w)) != asked);
        let Some(expires) = usable else {
            return self.auth_failed(auth, fail);
        };
        st.interval_retried = true;
        st.expires = Some(expires);
        self.send_auth(auth);
    }

    /// 200: the Use-Path and Expires (RFC 4976 sections 4.2, 4.6, 6.3), the
    /// Authentication-Info (RFC 2617 section 3.2.3).
    fn auth_ok(&mut self, auth: AuthId, head: &ChunkHead) {
        let now = self.now;
        let use_path = match head.use_path() {
            Some(Ok(p)) if !p.is_empty() => p,
            Some(_) => return self.auth_failed(auth, AuthFailure::BadResponse("bad Use-Path")),
            None => {
                let why = AuthFailure::BadResponse("a 200 without Use-Path");
                return self.auth_failed(auth, why);
            }
        };
        let expires = match (head.header_value("Expires"), head.expires()) {
            (None, _) => None,
            (Some(_), Some(e)) => Some(e),
            (Some(_), None) => {
                let why = AuthFailure::BadResponse("Expires is not a number of seconds");
                return self.auth_failed(auth, why);
            }
        };
        let info = match head
            .header_value("Authentication-Info")
            .map(AuthInfo::parse_bytes)
        {
            None => None,
            Some(Ok(info)) => Some(info),
            Some(Err(_)) => {
                let why = AuthFailure::BadResponse("malformed Authentication-Info");
                return self.auth_failed(auth, why);
            }
        };
        let Some(st) = self.auth_mut(auth) else {
            return;
        };
        if let Some(info) = info {
            if let (Some(c), Some((cnonce, nc))) = (
                &st.challenge,
                st.sent.as_ref().and_then(|s| s.digest.as_ref()),
            ) {
                let input = DigestInput {
                    username: &st.config.credentials.username,
                    password: st.config.credentials.password(),
                    realm: &c.realm,
                    nonce: &c.nonce,
                    method: "AUTH",
                    uri: &st.uri_text,
                    cnonce,
                    nc: *nc,
                };
                if info.verify(&input) == Some(false) {
                    return self.auth_failed(auth, AuthFailure::BadRspauth);
                }
            }
            if let (Some(next), Some(c)) = (info.nextnonce, st.challenge.as_mut()) {
                c.nonce = next;
                c.stale = false;
                st.nc = 0;
            }
        }
        st.sent = None;
        st.answered = false;
        st.stale = 0;
        st.interval_retried = false;
        st.use_path = Some(use_path.clone());
        st.refresh_at = expires
            .filter(|&e| e > 0 && st.config.refresh)
            .map(|e| now + Duration::from_secs(e - e / 10));
        self.events.push_back(Event::Authorized {
            auth,
            use_path,
            expires,
        });
    }

    /// When the next refresh is due.
    pub(crate) fn auth_deadline(&self) -> Option<Instant> {
        self.auths
            .iter()
            .flatten()
            .filter_map(|s| s.refresh_at)
            .min()
    }

    /// Sends the refreshes due at `now`.
    pub(crate) fn auth_timers(&mut self, now: Instant) {
        for i in 0..self.auths.len() {
            let Some(st) = self.auths[i].as_mut() else {
                continue;
            };
            if st.refresh_at.is_some_and(|t| t <= now) {
                st.refresh_at = None;
                self.send_auth(AuthId(i));
            }
        }
    }

    /// The connection closed: every AUTH ends, and the URIs they gave with it.
    pub(crate) fn auth_close(&mut self) {
        for i in 0..self.auths.len() {
            self.auth_failed(AuthId(i), AuthFailure::ConnectionClosed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::ConnectionConfig;
    use crate::testing::TestRng;

    fn config() -> AuthConfig {
        AuthConfig::new(
            "msrp://relay.example.net:2855;tcp".parse().unwrap(),
            "msrp://127.0.0.1:40000/s;tcp".parse().unwrap(),
            Credentials::new("u", "p"),
        )
    }

    /// Without the `auth` feature there is no MD5: AUTH is refused, typed.
    #[cfg(not(feature = "auth"))]
    #[test]
    fn not_built() {
        let mut c = Connection::new(ConnectionConfig::default(), TestRng::new(1), Instant::ZERO);
        assert_eq!(
            c.authenticate(Instant::ZERO, config()),
            Err(AuthError::NotBuilt)
        );
        assert_eq!(c.poll_timeout(), None);
    }

    #[cfg(feature = "auth")]
    #[test]
    fn auth_request_as_written() {
        let mut c = Connection::new(ConnectionConfig::default(), TestRng::new(1), Instant::ZERO);
        let id = c
            .authenticate(Instant::ZERO, config().expires(900))
            .unwrap();
        assert_eq!(id, AuthId(0));
        let mut out = bytes::BytesMut::new();
        while c.poll_transmit(Instant::ZERO, &mut out).is_some() {}
        let text = core::str::from_utf8(&out).unwrap();
        let tid = &text[5..21];
        assert_eq!(
            text,
            alloc::format!(
                "MSRP {tid} AUTH\r\nTo-Path: msrp://relay.example.net:2855;tcp\r\n\
                 From-Path: msrp://127.0.0.1:40000/s;tcp\r\nExpires: 900\r\n-------{tid}$\r\n"
            )
        );
        assert_eq!(c.pending_transactions(), 1);
    }

    #[test]
    fn config_paths() {
        let via: Path = "msrps://intra.example.com:9000/jui787s2f;tcp"
            .parse()
            .unwrap();
        let c = config().via(&via).refresh(false);
        assert_eq!(
            c.to_path().to_string(),
            "msrps://intra.example.com:9000/jui787s2f;tcp msrp://relay.example.net:2855;tcp"
        );
        assert!(!c.refresh);
    }
}
