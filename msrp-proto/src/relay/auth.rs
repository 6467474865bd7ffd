//! The server side of AUTH (RFC 4976 sections 5.1, 6.3 and 9.1): Digest challenges,
//! checking Authorizations (RFC 2617 section 3.2.2, with the nonce count of each nonce
//! increasing, so a replayed Authorization is refused), Expires bounds, Use-Path URIs.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use msrp_uri::{Path, Uri};

use super::event::{AuthRefusal, CloseCause, ConnId, RelayEvent};
use super::forward::encode;
use super::queue::ConnRef;
use super::route::{Authorization, Routed};
use super::{CredentialSource, Relay};
use crate::auth::digest::{DigestInput, nc_hex};
use crate::report::reason_phrase;
use crate::time::Instant;
use crate::wire::{Chunk, ChunkHead, RandomSource};

/// A nonce this relay issued.
#[derive(Debug, Clone)]
pub(crate) struct NonceState {
    conn: ConnRef,
    issued: Instant,
    /// The highest nonce count accepted with it (0: none yet).
    last_nc: u32,
}

/// Nonces by value (each connection also lists its own, to bound them).
pub(crate) type Nonces = BTreeMap<String, NonceState>;

/// 16 random bytes in lower-case hex: 128 bits (RFC 4976 section 6.3 asks for at least
/// 64 in a Use-Path URI).
fn random_hex(rng: &mut impl RandomSource) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A quoted-string value with its backslash escapes removed.
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut esc = false;
    for ch in v.chars() {
        if esc || ch != '\\' {
            out.push(ch);
            esc = false;
        } else {
            esc = true;
        }
    }
    out
}

/// The Use-Path URI with session id `id` on the relay's `base` URI.
fn session_uri(base: &Uri, id: &str) -> Option<Uri> {
    let authority = base.authority();
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let s = format!(
        "{}://{}/{};{}",
        base.scheme().as_str(),
        host,
        id,
        base.transport_str()
    );
    Uri::parse(&s).ok()
}

/// The Authorization parameters, unescaped.
struct Answer {
    username: String,
    realm: String,
    nonce: String,
    uri: String,
    response: String,
    cnonce: String,
    nc: u32,
}

fn parse_authorization(head: &ChunkHead) -> Result<Answer, &'static str> {
    let p = head
        .authorization()
        .ok_or("malformed Authorization (RFC 4976 section 7)")?;
    let get = |n: &'static str| p.get(n).map(unescape).ok_or(n);
    if p.get("qop").is_none_or(|q| q != "auth") {
        return Err("qop is not auth (RFC 4976 section 9.1)");
    }
    if p.get("algorithm")
        .is_some_and(|a| !a.eq_ignore_ascii_case("MD5"))
    {
        return Err("algorithm is not MD5 (RFC 4976 section 9.1)");
    }
    let nc = p.get("nc").ok_or("nc")?;
    if nc.len() != 8 || !nc.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("nc is not 8 hex digits");
    }
    Ok(Answer {
        username: get("username")?,
        realm: get("realm")?,
        nonce: get("nonce")?,
        uri: get("uri")?,
        response: get("response")?,
        cnonce: get("cnonce")?,
        nc: u32::from_str_radix(nc, 16).map_err(|_| "nc")?,
    })
}

impl<R: RandomSource, C: CredentialSource> Relay<R, C> {
    /// A new nonce for `conn`, remembered (its oldest forgotten past the bound).
    fn issue_nonce(&mut self, conn: ConnId) -> String {
        let nonce = random_hex(&mut self.rng);
        let max = self.config.max_nonces_per_connection.max(1);
        let Some(c) = self.conns.get_mut(&conn) else {
            return nonce;
        };
        let r = ConnRef {
            id: conn,
            epoch: c.epoch,
        };
        c.nonces.push_back(nonce.clone());
        let mut dropped = Vec::new();
        while c.nonces.len() > max {
            if let Some(old) = c.nonces.pop_front() {
                dropped.push(old);
            }
        }
        for d in dropped {
            self.nonces.remove(&d);
        }
        self.nonces.insert(
            nonce.clone(),
            NonceState {
                conn: r,
                issued: self.now,
                last_nc: 0,
            },
        );
        nonce
    }

    /// An AUTH addressed to this relay (its URI the last of To-Path).
    pub(super) fn on_auth(&mut self, conn: ConnId, head: &ChunkHead, routed: &Routed) {
        // A non-SEND response goes back the whole From-Path (RFC 4975 section 7.2), from
        // the URI the AUTH was sent to.
        let Ok(from) = head.from_path() else { return };
        let reply = |code: u16, extra: &[(&str, String)]| {
            let mut c = Chunk::response(
                head.transaction_id(),
                from.clone(),
                Path::new(routed.local.clone()),
                code,
                Some(reason_phrase(code)),
            );
            for (n, v) in extra {
                c = c.header(n, v);
            }
            encode(&c)
        };
        if !cfg!(feature = "auth") {
            return self.auth_refused(conn, reply(501, &[]), AuthRefusal::NotBuilt);
        }
        if head.header_value("Authorization").is_none() {
            let www = self.challenge(conn, false);
            if let Some(b) = reply(401, &[("WWW-Authenticate", www)]) {
                self.push_control(conn, b);
            }
            return;
        }
        let answer = match parse_authorization(head) {
            Ok(a) => a,
            Err(why) => {
                return self.auth_failure(
                    conn,
                    [reply(400, &[]), reply(403, &[])],
                    AuthRefusal::Malformed(why),
                );
            }
        };
        // The request-URI of H(A2) is the rightmost To-Path URI (RFC 4976 section 9.1).
        let rightmost = head
            .header_value("To-Path")
            .and_then(|v| v.rsplit(|&b| b == b' ').next())
            .and_then(|v| core::str::from_utf8(v).ok())
            .unwrap_or("");
        let uri_ok = answer.uri == rightmost
            || (Uri::parse(&answer.uri).ok())
                .zip(Uri::parse(rightmost).ok())
                .is_some_and(|(a, b)| a.matches(&b));
        if answer.realm != self.config.realm || !uri_ok {
            let why = AuthRefusal::Malformed("realm or uri is not this relay's");
            return self.auth_failure(conn, [reply(400, &[]), reply(403, &[])], why);
        }
        let me = self.conn_ref(conn);
        let known = self
            .nonces
            .get(&answer.nonce)
            .filter(|n| Some(n.conn) == me)
            .cloned();
        let Some(state) = known else {
            let www = self.challenge(conn, false);
            let r = reply(401, &[("WWW-Authenticate", www)]);
            return self.auth_failure(conn, [r, reply(403, &[])], AuthRefusal::UnknownNonce);
        };
        let password = self.credentials.password(&answer.username, &answer.realm);
        let input = password.as_deref().map(|password| DigestInput {
            username: &answer.username,
            password,
            realm: &answer.realm,
            nonce: &answer.nonce,
            method: "AUTH",
            uri: &answer.uri,
            cnonce: &answer.cnonce,
            nc: answer.nc,
        });
        let expected = input.as_ref().map(DigestInput::response);
        let rspauth = match (expected, input.as_ref()) {
            (Some(Ok(e)), Some(i)) if e.as_str().eq_ignore_ascii_case(&answer.response) => {
                i.rspauth().ok()
            }
            (Some(Err(_)), _) => {
                return self.auth_refused(conn, reply(501, &[]), AuthRefusal::NotBuilt);
            }
            _ => {
                let www = self.challenge(conn, false);
                let r = reply(401, &[("WWW-Authenticate", www)]);
                return self.auth_failure(conn, [r, reply(403, &[])], AuthRefusal::BadCredentials);
            }
        };
        // Right credentials: a nonce too old is stale (RFC 2617 section 3.2.1), not a
        // failure.
        if self.now.saturating_duration_since(state.issued) > self.config.nonce_lifetime {
            self.nonces.remove(&answer.nonce);
            let www = self.challenge(conn, true);
            let r = reply(401, &[("WWW-Authenticate", www)]);
            return self.auth_refused(conn, r, AuthRefusal::StaleNonce);
        }
        if answer.nc <= state.last_nc {
            let www = self.challenge(conn, false);
            let r = reply(401, &[("WWW-Authenticate", www)]);
            return self.auth_failure(conn, [r, reply(403, &[])], AuthRefusal::Replayed);
        }
        if let Some(n) = self.nonces.get_mut(&answer.nonce) {
            n.last_nc = answer.nc;
        }
        // Expires (RFC 4976 section 6.3): out of bounds is refused with the bound.
        let (min, max) = (self.config.min_expires, self.config.max_expires);
        let expires = match head.expires() {
            Some(e) if e < min => {
                let r = reply(423, &[("Min-Expires", min.to_string())]);
                return self.auth_refused(conn, r, AuthRefusal::IntervalOutOfBounds);
            }
            Some(e) if e > max => {
                let r = reply(423, &[("Max-Expires", max.to_string())]);
                return self.auth_refused(conn, r, AuthRefusal::IntervalOutOfBounds);
            }
            Some(e) => e,
            None => self.config.default_expires.clamp(min, max.max(min)),
        };
        if self.sessions.by_id.len() >= self.config.max_sessions {
            return self.auth_refused(conn, reply(403, &[]), AuthRefusal::TooManySessions);
        }
        let id = random_hex(&mut self.rng);
        let (Some(uri), Some(me), Some(client)) =
            (session_uri(&self.config.uri, &id), me, from.last().cloned())
        else {
            return;
        };
        // Use-Path: the relays between the client and us, client side first, then our
        // URI (RFC 4976 section 5.1's second example).
        let mut use_path: Path = from.iter().rev().skip(1).cloned().collect();
        use_path.push_back(uri.clone());
        let next = self.issue_nonce(conn);
        let mut info = format!("nextnonce=\"{next}\"");
        if let Some(r) = rspauth {
            info.push_str(&format!(",rspauth=\"{r}\""));
        }
        info.push_str(&format!(
            ",cnonce=\"{}\",nc={},qop=auth",
            answer.cnonce,
            nc_hex(answer.nc)
        ));
        let extra = [
            ("Use-Path", use_path.to_string()),
            ("Expires", expires.to_string()),
            ("Authentication-Info", info),
        ];
        let Some(ok) = reply(200, &extra) else { return };
        let expires_at = self.now + Duration::from_secs(expires);
        self.sessions.insert(
            id,
            Authorization {
                uri: uri.clone(),
                conn: me,
                expires_at,
                client,
            },
        );
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auths += 1;
            c.failed_auths = 0;
            c.probation = None;
        }
        self.push_control(conn, ok);
        self.events.push_back(RelayEvent::Authorized {
            conn,
            username: answer.username,
            uri,
            expires,
        });
    }

    /// A WWW-Authenticate value with a fresh nonce (RFC 4976 section 7; `qop="auth"`,
    /// MD5 only, section 9.1).
    fn challenge(&mut self, conn: ConnId, stale: bool) -> String {
        let nonce = self.issue_nonce(conn);
        let realm = self.config.realm.replace('\\', "\\\\").replace('"', "\\\"");
        let stale = if stale { ", stale=true" } else { "" };
        format!("Digest realm=\"{realm}\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5{stale}")
    }

    fn auth_refused(&mut self, conn: ConnId, bytes: Option<bytes::Bytes>, reason: AuthRefusal) {
        if let Some(b) = bytes {
            self.push_control(conn, b);
        }
        self.events
            .push_back(RelayEvent::AuthRefused { conn, reason });
    }

    /// A failed Authorization: counted; past the bound, 403 and the connection closes
    /// (RFC 4976 section 6.3). `bytes`: the answer, and the 403.
    fn auth_failure(
        &mut self,
        conn: ConnId,
        bytes: [Option<bytes::Bytes>; 2],
        reason: AuthRefusal,
    ) {
        let max = self.config.max_failed_auths;
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.failed_auths += 1;
        let [answer, forbidden] = bytes;
        if c.failed_auths < max {
            return self.auth_refused(conn, answer, reason);
        }
        self.auth_refused(conn, forbidden, AuthRefusal::TooManyFailures);
        self.close_conn(conn, CloseCause::TooManyFailedAuths);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::{PeerInfo, RelayConfig};
    use crate::testing::TestRng;
    use crate::wire::{ChunkParser, ParseEvent};

    fn nobody(_: &str, _: &str) -> Option<String> {
        None
    }

    /// The first AUTH gets a challenge with the feature, 501 without it.
    #[test]
    fn auth_answer_depends_on_the_feature() {
        let config = RelayConfig::new(
            Uri::parse("msrps://relay.example.net:2855;tcp").unwrap(),
            "relay.example.net",
        );
        let mut relay = Relay::new(config, TestRng::new(1), nobody, Instant::ZERO);
        let c = ConnId(1);
        relay
            .connection_opened(Instant::ZERO, c, PeerInfo::new())
            .unwrap();
        relay.handle_input(
            Instant::ZERO,
            c,
            b"MSRP auth1 AUTH\r\nTo-Path: msrps://relay.example.net:2855;tcp\r\n\
              From-Path: msrps://a.example.com:9/s;tcp\r\n-------auth1$\r\n",
        );
        let mut out = bytes::BytesMut::new();
        relay
            .poll_transmit_conn(Instant::ZERO, c, &mut out)
            .unwrap();
        let mut p = ChunkParser::default();
        p.feed(&out);
        let Some(Ok(ParseEvent::Head(h))) = p.next() else {
            panic!("a response")
        };
        if cfg!(feature = "auth") {
            assert_eq!(h.status_code(), Some(401));
            assert_eq!(relay.nonces.len(), 1);
        } else {
            assert_eq!(h.status_code(), Some(501));
            assert_eq!(
                relay.poll_event(),
                Some(RelayEvent::AuthRefused {
                    conn: c,
                    reason: AuthRefusal::NotBuilt
                })
            );
        }
    }
}
