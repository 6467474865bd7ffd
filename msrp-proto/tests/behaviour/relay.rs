//! The client side of RFC 4976 against a relay simulated in memory: AUTH and its Digest
//! challenge, 423 and 403, refresh before Expires, a relay that never answers, bad
//! challenges and responses, and messages sent through the relay to a peer. Time is
//! simulated: the clock moves only when a test says.

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use md5::{Digest, Md5};
use msrp_proto::Instant;
use msrp_proto::auth::{Credentials, DigestError};
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{
    AuthConfig, AuthFailure, AuthId, Connection, ConnectionConfig, Event, SessionConfig,
};
use msrp_proto::testing::TestRng;
use msrp_proto::uri::{Path, Uri};
use msrp_proto::wire::{Chunk, ChunkHead, TransactionId};

use crate::util::{Written, chunks, drain, events};

const RELAY: &str = "msrps://relay.example.net:2855;tcp";
const USE_PATH: &str = "msrps://relay.example.net:2855/jui787s2f;tcp";
const ALICE: &str = "msrps://alice.example.com:9892/98cjs;tcp";
const BOB: &str = "msrp://bob.example.com:8145/foo;tcp";
const REALM: &str = "relay.example.net";
const PASSWORD: &str = "msrp-secret";

fn at(secs: u64) -> Instant {
    Instant::from_elapsed(Duration::from_secs(secs))
}

fn uri(s: &str) -> Uri {
    s.parse().unwrap()
}

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the simulated relay does after checking the Digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// 200 with Use-Path and Expires.
    Accept,
    /// 403: authenticated, not authorized (RFC 4976 section 6.3).
    Forbid,
}

/// A relay's side of AUTH (RFC 4976 sections 5.1, 6.3, 9.1), and hop-by-hop forwarding
/// (section 6.4) between the client and one peer. Its Digest check is its own (the md-5
/// crate directly), not the client's code.
struct SimRelay {
    uri: Uri,
    nonce: String,
    /// Nonce counts seen with the current nonce, and cnonces ever seen.
    last_nc: u32,
    cnonces: BTreeSet<String>,
    /// Answer 401 with `stale=true` once to the next valid Authorization.
    stale_once: bool,
    /// The Expires to grant when none is asked for.
    grant: u64,
    /// 423 unless the asked Expires is within these.
    min_expires: Option<u64>,
    max_expires: Option<u64>,
    verdict: Verdict,
    /// Answers nothing at all.
    silent: bool,
    /// Replaces the whole 401 WWW-Authenticate / the 200's extra header fields.
    challenge_override: Option<String>,
    ok_headers: Vec<(String, String)>,
    /// AUTH requests received, and the Authorization each carried.
    auths: Vec<(ChunkHead, Option<String>)>,
    /// Why each Authorization was refused.
    refused: Vec<String>,
    next_tid: u32,
}

impl SimRelay {
    fn new() -> SimRelay {
        SimRelay {
            uri: uri(RELAY),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            last_nc: 0,
            cnonces: BTreeSet::new(),
            stale_once: false,
            grant: 600,
            min_expires: None,
            max_expires: None,
            verdict: Verdict::Accept,
            silent: false,
            challenge_override: None,
            ok_headers: vec![("Use-Path".into(), USE_PATH.into())],
            auths: Vec::new(),
            refused: Vec::new(),
            next_tid: 0,
        }
    }

    /// A response written by hand (header values as given, even ones our serializer
    /// would refuse: this relay may be broken).
    fn respond(head: &ChunkHead, from: &Uri, code: u16, extra: &[(String, String)]) -> Bytes {
        // RFC 4975 section 7.2: a non-SEND response goes back the whole From-Path.
        let tid = head.transaction_id();
        let mut s = format!(
            "MSRP {} {code}\r\nTo-Path: {}\r\nFrom-Path: {from}\r\n",
            tid.as_str(),
            head.from_path().unwrap()
        );
        for (n, v) in extra {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s.push_str(&format!("-------{}$\r\n", tid.as_str()));
        Bytes::from(s)
    }

    /// Whether `authorization` is the right Digest for this relay's nonce: RFC 2617
    /// section 3.2.2 computed here, and the profile of RFC 4976 section 9.1 checked.
    fn check_digest(&mut self, head: &ChunkHead) -> Result<(), String> {
        let p = head.authorization().ok_or("no Authorization")?;
        let get = |n: &str| p.get(n).ok_or(format!("no {n}"));
        let (user, realm, nonce) = (get("username")?, get("realm")?, get("nonce")?);
        let (uri, response, cnonce) = (get("uri")?, get("response")?, get("cnonce")?);
        let (qop, nc) = (get("qop")?, get("nc")?);
        if realm != REALM || nonce != self.nonce {
            return Err(format!("realm {realm} nonce {nonce}"));
        }
        // The request-URI of H(A2) is the rightmost To-Path URI.
        let rightmost = head.to_path().unwrap().last().unwrap().to_string();
        if uri != rightmost || qop != "auth" {
            return Err(format!("uri {uri} qop {qop}"));
        }
        if nc.len() != 8 || nc.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!("nc {nc}"));
        }
        let count = u32::from_str_radix(nc, 16).map_err(|e| e.to_string())?;
        if count <= self.last_nc {
            return Err(format!("nc {count} not above {}", self.last_nc));
        }
        if !self.cnonces.insert(cnonce.to_string()) {
            return Err(format!("cnonce {cnonce} reused"));
        }
        let ha1 = md5_hex(&format!("{user}:{realm}:{PASSWORD}"));
        let ha2 = md5_hex(&format!("AUTH:{uri}"));
        let want = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
        if response != want {
            return Err("wrong response".into());
        }
        self.last_nc = count;
        Ok(())
    }

    fn challenge(&self, stale: bool) -> String {
        self.challenge_override.clone().unwrap_or_else(|| {
            let stale = if stale { ", stale=true" } else { "" };
            format!(
                "Digest realm=\"{REALM}\", nonce=\"{}\", qop=\"auth\"{stale}",
                self.nonce
            )
        })
    }

    /// Takes what the client wrote; returns the relay's answers to it.
    fn take(&mut self, wire: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in chunks(wire) {
            if w.method() == Some("AUTH") {
                out.extend_from_slice(&self.on_auth(w));
            }
        }
        out
    }

    fn on_auth(&mut self, w: Written) -> Bytes {
        let head = w.head;
        let authorization = head
            .header("Authorization")
            .and_then(|h| h.value_str())
            .map(String::from);
        self.auths.push((head.clone(), authorization.clone()));
        assert_eq!(
            head.to_path().unwrap().first().unwrap().to_string(),
            RELAY,
            "AUTH goes to the relay"
        );
        if self.silent {
            return Bytes::new();
        }
        let me = self.uri.clone();
        if authorization.is_none() {
            let c = vec![("WWW-Authenticate".into(), self.challenge(false))];
            return Self::respond(&head, &me, 401, &c);
        }
        if let Err(why) = self.check_digest(&head) {
            self.refused.push(why);
            let c = vec![("WWW-Authenticate".into(), self.challenge(false))];
            return Self::respond(&head, &me, 401, &c);
        }
        if self.stale_once {
            self.stale_once = false;
            self.nonce = "f0e1d2c3b4a5968778695a4b3c2d1e0f".into();
            self.last_nc = 0;
            let c = vec![("WWW-Authenticate".into(), self.challenge(true))];
            return Self::respond(&head, &me, 401, &c);
        }
        if self.verdict == Verdict::Forbid {
            return Self::respond(&head, &me, 403, &[]);
        }
        let asked = head.expires();
        let low = asked.zip(self.min_expires).is_some_and(|(a, m)| a < m);
        let high = asked.zip(self.max_expires).is_some_and(|(a, m)| a > m);
        if low || high {
            let mut h = Vec::new();
            if let Some(m) = self.min_expires {
                h.push(("Min-Expires".into(), m.to_string()));
            }
            if let Some(m) = self.max_expires {
                h.push(("Max-Expires".into(), m.to_string()));
            }
            return Self::respond(&head, &me, 423, &h);
        }
        let mut h = self.ok_headers.clone();
        if !h.iter().any(|(n, _)| n == "Expires") {
            h.push(("Expires".into(), asked.unwrap_or(self.grant).to_string()));
        }
        Self::respond(&head, &me, 200, &h)
    }

    fn tid(&mut self) -> TransactionId {
        self.next_tid += 1;
        TransactionId::new(format!("relay{:08}", self.next_tid).as_bytes()).unwrap()
    }

    /// Forwards requests from one side (RFC 4976 section 6.4: its URI leaves To-Path
    /// and goes first in From-Path), answering SENDs hop by hop; returns (answers back,
    /// chunks onward). Responses addressed to the relay only (the 200s of SENDs it
    /// forwarded) end here.
    fn forward(&mut self, wire: &[u8], relay_uri: &Uri) -> (Vec<u8>, Vec<u8>) {
        let (mut back, mut on) = (Vec::new(), Vec::new());
        for w in chunks(wire) {
            let head = &w.head;
            let mut to = head.to_path().unwrap();
            assert!(to.first().unwrap().matches(relay_uri), "sent via the relay");
            if !head.is_request() {
                assert_eq!(to.len(), 1, "a SEND's 200 ends at the relay");
                continue;
            }
            to.pop_front();
            let mut from = head.from_path().unwrap();
            from.push_front(relay_uri.clone());
            if head.method() == Some(msrp_proto::wire::Method::Send) {
                let mut c = Chunk::response(
                    head.transaction_id(),
                    Path::new(head.from_path().unwrap().first().unwrap().clone()),
                    Path::new(relay_uri.clone()),
                    200,
                    Some("OK"),
                );
                c = c.header("Message-ID", head.message_id().unwrap_or(""));
                let mut o = BytesMut::new();
                c.encode(&mut o).unwrap();
                back.extend_from_slice(&o);
            }
            let mut c = Chunk::request(head.method_name().unwrap(), self.tid(), to, from);
            for h in head.headers() {
                if !matches!(h.name, "To-Path" | "From-Path" | "Content-Type") {
                    c = c.header(h.name, h.value_str().unwrap());
                }
            }
            if let Some(ct) = head.content_type() {
                c = c.body(ct, Bytes::from(w.body.clone()));
            }
            c = c.continuation(w.flag);
            let mut o = BytesMut::new();
            c.encode(&mut o).unwrap();
            on.extend_from_slice(&o);
        }
        (back, on)
    }
}

fn alice() -> Connection<TestRng> {
    Connection::new(
        ConnectionConfig::default(),
        TestRng::new(0xa11ce),
        Instant::ZERO,
    )
}

fn auth_config() -> AuthConfig {
    AuthConfig::new(uri(RELAY), uri(ALICE), Credentials::new("alice", PASSWORD))
}

/// Runs client and relay until neither writes, at `now`.
fn exchange(conn: &mut Connection<TestRng>, relay: &mut SimRelay, now: Instant) -> Vec<Event> {
    let mut evs = Vec::new();
    loop {
        let wire = drain(conn, now);
        evs.extend(events(conn));
        if wire.is_empty() {
            return evs;
        }
        let answer = relay.take(&wire);
        conn.handle_input(now, &answer);
        evs.extend(events(conn));
    }
}

fn authorized(evs: &[Event]) -> Vec<(AuthId, String, Option<u64>)> {
    evs.iter()
        .filter_map(|e| match e {
            Event::Authorized {
                auth,
                use_path,
                expires,
            } => Some((*auth, use_path.to_string(), *expires)),
            _ => None,
        })
        .collect()
}

fn failed(evs: &[Event]) -> Vec<AuthFailure> {
    evs.iter()
        .filter_map(|e| match e {
            Event::AuthFailed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn challenge_answered_then_use_path_surfaced() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(authorized(&evs), [(auth, USE_PATH.to_string(), Some(600))]);
    assert_eq!(failed(&evs), []);
    assert!(relay.refused.is_empty(), "{:?}", relay.refused);
    assert_eq!(conn.auth_use_path(auth).unwrap().to_string(), USE_PATH);
    // AUTH without credentials, then with the answer to the challenge (RFC 4976 5.1).
    assert_eq!(relay.auths.len(), 2);
    let (first, none) = &relay.auths[0];
    assert!(none.is_none());
    assert_eq!(first.to_path().unwrap().to_string(), RELAY);
    assert_eq!(first.from_path().unwrap().to_string(), ALICE);
    assert_eq!(first.expires(), None, "no Expires asked for");
    let (second, Some(a)) = &relay.auths[1] else {
        panic!("the second AUTH carries an Authorization")
    };
    assert_ne!(first.transaction_id(), second.transaction_id());
    assert!(a.starts_with("Digest username=\"alice\", realm=\"relay.example.net\""));
    assert!(a.contains(", qop=auth, nc=00000001, cnonce=\""), "{a}");
    // Nothing waits but the refresh: at nine tenths of 600 s.
    assert_eq!(conn.pending_transactions(), 0);
    assert_eq!(conn.poll_timeout(), Some(at(540)));
}

#[test]
fn refresh_goes_out_before_expires_with_a_fresh_cnonce_and_the_next_nc() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let auth = conn
        .authenticate(Instant::ZERO, auth_config().expires(600))
        .unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(authorized(&evs).len(), 1);
    // Nothing happens before the refresh is due.
    conn.handle_timeout(at(539));
    assert!(drain(&mut conn, at(539)).is_empty());
    // 590 s on, the URI (valid for 600 s) has been asked for again.
    conn.handle_timeout(at(590));
    let evs = exchange(&mut conn, &mut relay, at(590));
    assert_eq!(authorized(&evs), [(auth, USE_PATH.to_string(), Some(600))]);
    // The refresh answered the known nonce at once: nc 2, another cnonce.
    assert_eq!(relay.auths.len(), 3);
    let (refresh, Some(a)) = &relay.auths[2] else {
        panic!("the refresh carries an Authorization")
    };
    assert_eq!(refresh.expires(), Some(600));
    assert!(a.contains("nc=00000002"), "{a}");
    assert_eq!(relay.cnonces.len(), 2, "two different cnonces");
    assert_eq!(conn.poll_timeout(), Some(at(590 + 540)));
}

#[test]
fn refresh_after_a_new_nonce_answers_the_new_challenge() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    exchange(&mut conn, &mut relay, Instant::ZERO);
    // The relay forgot the nonce: the preemptive Authorization gets a 401, answered.
    relay.nonce = "0123456789abcdef".into();
    relay.last_nc = 0;
    conn.handle_timeout(at(540));
    let evs = exchange(&mut conn, &mut relay, at(540));
    assert_eq!(authorized(&evs), [(auth, USE_PATH.to_string(), Some(600))]);
    assert_eq!(relay.auths.len(), 4);
    assert!(relay.auths[3].1.as_ref().unwrap().contains("nc=00000001"));
}

#[test]
fn nextnonce_of_authentication_info_is_used_from_nc_1() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.ok_headers.push((
        "Authentication-Info".into(),
        "nextnonce=\"40f2e879449675f288476d772627370a\",qop=auth".into(),
    ));
    conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    exchange(&mut conn, &mut relay, Instant::ZERO);
    relay.nonce = "40f2e879449675f288476d772627370a".into();
    relay.last_nc = 0;
    conn.handle_timeout(at(540));
    let evs = exchange(&mut conn, &mut relay, at(540));
    assert_eq!(authorized(&evs).len(), 1);
    assert_eq!(relay.auths.len(), 3, "no new challenge needed");
    let a = relay.auths[2].1.as_ref().unwrap();
    assert!(
        a.contains("nonce=\"40f2e879449675f288476d772627370a\""),
        "{a}"
    );
    assert!(a.contains("nc=00000001"), "{a}");
}

#[test]
fn a_wrong_rspauth_fails() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.ok_headers.push((
        "Authentication-Info".into(),
        "rspauth=\"00000000000000000000000000000000\",qop=auth".into(),
    ));
    conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(failed(&evs), [AuthFailure::BadRspauth]);
    assert!(authorized(&evs).is_empty());
    assert!(relay.refused.is_empty(), "the client's Digest was right");
}

#[test]
fn interval_too_brief_is_retried_once_within_min_expires() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.min_expires = Some(300);
    let auth = conn
        .authenticate(Instant::ZERO, auth_config().expires(60))
        .unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(authorized(&evs), [(auth, USE_PATH.to_string(), Some(300))]);
    let asked: Vec<_> = relay.auths.iter().map(|(h, _)| h.expires()).collect();
    assert_eq!(asked, [Some(60), Some(60), Some(300)]);
    assert!(relay.auths[2].1.as_ref().unwrap().contains("nc=00000002"));
}

#[test]
fn interval_too_long_is_retried_within_max_expires() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.max_expires = Some(3600);
    let auth = conn
        .authenticate(Instant::ZERO, auth_config().expires(86400))
        .unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(authorized(&evs), [(auth, USE_PATH.to_string(), Some(3600))]);
}

#[test]
fn a_second_423_fails() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.min_expires = Some(300);
    relay.max_expires = Some(200); // contradictory: nothing the client asks will do
    conn.authenticate(Instant::ZERO, auth_config().expires(60))
        .unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(
        failed(&evs),
        [AuthFailure::IntervalOutOfBounds {
            min: Some(300),
            max: Some(200)
        }]
    );
    assert_eq!(conn.poll_timeout(), None, "nothing left to do");
}

#[test]
fn forbidden_is_a_failure_with_its_code() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.verdict = Verdict::Forbid;
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(failed(&evs), [AuthFailure::Rejected(403)]);
    assert_eq!(conn.auth_use_path(auth), None);
}

#[test]
fn wrong_password_fails_on_the_second_401() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let config = AuthConfig::new(uri(RELAY), uri(ALICE), Credentials::new("alice", "guess"));
    conn.authenticate(Instant::ZERO, config).unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(failed(&evs), [AuthFailure::Unauthorized]);
    assert_eq!(relay.auths.len(), 2, "one answer to the challenge, no more");
    assert_eq!(relay.refused, ["wrong response"]);
}

#[test]
fn a_stale_nonce_is_answered_again() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.stale_once = true;
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert_eq!(authorized(&evs), [(auth, USE_PATH.to_string(), Some(600))]);
    assert_eq!(relay.auths.len(), 3);
}

#[test]
fn credentials_for_another_realm_are_not_sent() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let creds = Credentials::new("alice", PASSWORD).realm("elsewhere.example.com");
    conn.authenticate(
        Instant::ZERO,
        AuthConfig::new(uri(RELAY), uri(ALICE), creds),
    )
    .unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    assert!(matches!(
        &failed(&evs)[..],
        [AuthFailure::BadChallenge(DigestError::RealmMismatch { .. })]
    ));
    assert_eq!(relay.auths.len(), 1);
}

#[test]
fn a_relay_that_never_answers_times_out() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    relay.silent = true;
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    assert!(exchange(&mut conn, &mut relay, Instant::ZERO).is_empty());
    // The transaction timer of RFC 4975 section 7.1.1: 30 s from the last byte.
    assert_eq!(conn.poll_timeout(), Some(at(30)));
    conn.handle_timeout(at(29));
    assert!(events(&mut conn).is_empty());
    conn.handle_timeout(at(30));
    assert_eq!(
        events(&mut conn),
        [Event::AuthFailed {
            auth,
            reason: AuthFailure::Timeout
        }]
    );
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn closing_the_connection_ends_the_auth() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    exchange(&mut conn, &mut relay, Instant::ZERO);
    conn.handle_close(at(5), msrp_proto::connection::CloseReason::PeerClosed);
    let evs = events(&mut conn);
    assert_eq!(failed(&evs), [AuthFailure::ConnectionClosed]);
    assert_eq!(conn.auth_use_path(auth), None);
    assert_eq!(
        conn.authenticate(at(5), auth_config()),
        Err(msrp_proto::connection::AuthError::Closed)
    );
}

#[test]
fn stop_auth_stops_the_refresh() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    exchange(&mut conn, &mut relay, Instant::ZERO);
    assert!(conn.stop_auth(at(1), auth));
    assert!(!conn.stop_auth(at(1), auth));
    assert_eq!(conn.poll_timeout(), None);
}

/// A bad challenge or response never panics: the AUTH fails with a typed reason.
#[test]
fn bad_challenges_and_responses_are_typed_failures() {
    // (the 401's WWW-Authenticate, the 200's header fields, the failure expected)
    type Case = (
        Option<&'static str>,
        Vec<(&'static str, &'static str)>,
        fn(&AuthFailure) -> bool,
    );
    let cases: Vec<Case> = vec![
        // A 401 without a nonce.
        (
            Some(r#"Digest realm="relay.example.net", qop="auth""#),
            vec![],
            |f| *f == AuthFailure::BadChallenge(DigestError::Missing("nonce")),
        ),
        // Garbage.
        (Some("Digest ,,,=\"\"\"=="), vec![], |f| {
            matches!(f, AuthFailure::BadChallenge(DigestError::Syntax(_)))
        }),
        (Some("NTLM abc"), vec![], |f| {
            matches!(f, AuthFailure::BadChallenge(DigestError::Syntax(_)))
        }),
        // Basic is never used (RFC 4976 section 9.1).
        (Some("Basic realm=\"x\""), vec![], |f| {
            matches!(f, AuthFailure::BadChallenge(_))
        }),
        (
            Some(r#"Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess"#),
            vec![],
            |f| {
                matches!(
                    f,
                    AuthFailure::BadChallenge(DigestError::UnsupportedAlgorithm(_))
                )
            },
        ),
        // An Expires of 2^64.
        (
            None,
            vec![("Use-Path", USE_PATH), ("Expires", "18446744073709551616")],
            |f| matches!(f, AuthFailure::BadResponse(_)),
        ),
        (None, vec![("Use-Path", USE_PATH), ("Expires", "-1")], |f| {
            matches!(f, AuthFailure::BadResponse(_))
        }),
        // A 200 without Use-Path, or with a broken one.
        (None, vec![("Expires", "600")], |f| {
            matches!(f, AuthFailure::BadResponse(_))
        }),
        (None, vec![("Use-Path", "not a uri")], |f| {
            matches!(f, AuthFailure::BadResponse(_))
        }),
        (
            None,
            vec![("Use-Path", USE_PATH), ("Authentication-Info", "nc=zz")],
            |f| matches!(f, AuthFailure::BadResponse(_)),
        ),
    ];
    for (challenge, ok_headers, expected) in cases {
        let (mut conn, mut relay) = (alice(), SimRelay::new());
        relay.challenge_override = challenge.map(String::from);
        relay.ok_headers = ok_headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        conn.authenticate(Instant::ZERO, auth_config()).unwrap();
        let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
        let f = failed(&evs);
        assert!(
            f.len() == 1 && expected(&f[0]),
            "{challenge:?} {ok_headers:?}: {evs:?}"
        );
        assert_eq!(conn.pending_transactions(), 0, "nothing left waiting");
        assert!(
            !conn.is_closed(),
            "a bad AUTH response does not end the connection"
        );
    }
}

/// A 401 without WWW-Authenticate at all.
#[test]
fn a_401_without_a_challenge_fails() {
    let mut conn = alice();
    conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    let wire = drain(&mut conn, Instant::ZERO);
    let auth = chunks(&wire).remove(0).head;
    conn.handle_input(
        Instant::ZERO,
        &SimRelay::respond(&auth, &uri(RELAY), 401, &[]),
    );
    assert_eq!(
        failed(&events(&mut conn)),
        [AuthFailure::BadChallenge(DigestError::Missing(
            "WWW-Authenticate"
        ))]
    );
}

/// Any bytes in WWW-Authenticate: no panic, and the AUTH ends (with a typed reason).
#[test]
fn arbitrary_challenges_never_panic() {
    let mut rng = TestRng::new(7);
    let alphabet = b"Digest realm=nonce\"qop,auth \\=stale=true opaque=x algorithm=MD5\t";
    for round in 0..300 {
        let len = rng.below(60) as usize;
        let mut v: String = (0..len)
            .map(|_| char::from(alphabet[rng.below(alphabet.len() as u64) as usize]))
            .collect();
        if round % 2 == 0 {
            v.insert_str(0, "Digest ");
        }
        let (mut conn, mut relay) = (alice(), SimRelay::new());
        relay.challenge_override = Some(v.clone());
        conn.authenticate(Instant::ZERO, auth_config()).unwrap();
        let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
        // A challenge that happened to be valid is answered: the relay then checks a
        // Digest against its own nonce, and says 401 again.
        assert_eq!(failed(&evs).len(), 1, "{v:?}: {evs:?}");
    }
}

/// After AUTH, a session's To-Path starts with the Use-Path (RFC 4976 section 5.1), its
/// SDP path is the Use-Path then the local URI; a message goes through the relay to Bob,
/// who answers, and Bob's success REPORT comes back through it.
#[test]
fn a_message_through_the_relay_carries_use_path_then_peer() {
    let (mut conn, mut relay) = (alice(), SimRelay::new());
    let auth = conn.authenticate(Instant::ZERO, auth_config()).unwrap();
    let evs = exchange(&mut conn, &mut relay, Instant::ZERO);
    let use_path = match &evs[..] {
        [Event::Authorized { use_path, .. }] => use_path.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(conn.auth_use_path(auth), Some(&use_path));
    let config = SessionConfig::new(uri(ALICE), Path::new(uri(BOB))).relays(&use_path);
    assert_eq!(config.to_path.to_string(), format!("{USE_PATH} {BOB}"));
    assert_eq!(
        config.local_path().to_string(),
        format!("{USE_PATH} {ALICE}")
    );
    let session = conn.add_session(config);
    // Bob has no relay: Alice's a=path is his To-Path.
    let mut bob = Connection::new(
        ConnectionConfig::default(),
        TestRng::new(0xb0b),
        Instant::ZERO,
    );
    bob.add_session(SessionConfig::new(
        uri(BOB),
        SessionConfig::new(uri(ALICE), Path::new(uri(BOB)))
            .relays(&use_path)
            .local_path(),
    ));

    let now = at(1);
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let hello = conn
        .send(now, session, "text/plain", Bytes::from("Hi Bob"), reports)
        .unwrap();
    let wire = drain(&mut conn, now);
    let sent = chunks(&wire);
    assert_eq!(sent.len(), 1);
    let to: Vec<String> = sent[0]
        .head
        .to_path()
        .unwrap()
        .iter()
        .map(|u| u.to_string())
        .collect();
    assert_eq!(to, [USE_PATH, BOB], "To-Path = relay URI + peer URI");
    assert_eq!(sent[0].head.from_path().unwrap().to_string(), ALICE);

    let relay_uri = uri(USE_PATH);
    let (back, on) = relay.forward(&wire, &relay_uri);
    conn.handle_input(now, &back); // the relay's hop-by-hop 200
    bob.handle_input(now, &on);
    let got = events(&mut bob);
    assert!(
        matches!(&got[..], [Event::MessageReceived { body, .. }] if body == "Hi Bob"),
        "{got:?}"
    );
    // Bob's 200 goes to the relay; his REPORT back along the From-Path he saw.
    let from_bob = drain(&mut bob, now);
    let bob_chunks = chunks(&from_bob);
    let report = bob_chunks
        .iter()
        .find(|c| c.method() == Some("REPORT"))
        .unwrap();
    assert_eq!(
        report.head.to_path().unwrap().to_string(),
        format!("{USE_PATH} {ALICE}")
    );
    let (_, to_alice) = relay.forward(&from_bob, &relay_uri);
    conn.handle_input(now, &to_alice);
    let evs = events(&mut conn);
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::MessageDelivered { message, .. } if *message == hello)),
        "{evs:?}"
    );
    assert!(!evs.iter().any(|e| matches!(e, Event::Rejected { .. })));
}

/// The second AUTH of RFC 4976 section 5.1 goes to the outer relay through the inner one:
/// To-Path = the inner Use-Path, then the outer relay; the digest's uri is the outer
/// relay (the rightmost To-Path URI).
#[test]
fn an_auth_through_a_first_relay() {
    let mut conn = alice();
    let inner: Path = USE_PATH.parse().unwrap();
    let outer = "msrps://extra.example.com;tcp";
    let config =
        AuthConfig::new(uri(outer), uri(ALICE), Credentials::new("alice", PASSWORD)).via(&inner);
    conn.authenticate(Instant::ZERO, config).unwrap();
    let wire = drain(&mut conn, Instant::ZERO);
    let head = chunks(&wire).remove(0).head;
    assert_eq!(
        head.to_path().unwrap().to_string(),
        format!("{USE_PATH} {outer}")
    );
    let challenge = "Digest realm=\"extra.example.com\", qop=\"auth\", nonce=\"Uumu8cAV38FGsEF31VLevIbNXj9HWO\"".to_string();
    let resp = SimRelay::respond(
        &head,
        &uri(outer),
        401,
        &[("WWW-Authenticate".into(), challenge)],
    );
    conn.handle_input(Instant::ZERO, &resp);
    let wire = drain(&mut conn, Instant::ZERO);
    let second = chunks(&wire).remove(0).head;
    let a = second.authorization().unwrap();
    assert_eq!(a.get("uri"), Some(outer));
    assert_eq!(a.get("realm"), Some("extra.example.com"));
}

/// An AUTH that reaches an endpoint: it is not a relay, so the method is one it does not
/// support (RFC 4976 section 5.3, RFC 4975 sections 10.9 and 12): 501, sent back along
/// the whole From-Path (RFC 4975 section 7.2). One for no session of its own: 481.
#[test]
fn an_endpoint_answers_auth_with_501() {
    let mut bob = Connection::new(
        ConnectionConfig::default(),
        TestRng::new(0xb0b),
        Instant::ZERO,
    );
    bob.add_session(SessionConfig::new(uri(BOB), Path::new(uri(ALICE))));
    for (to, code) in [(BOB, 501), ("msrp://bob.example.com:8145/other;tcp", 481)] {
        let request = format!(
            "MSRP a1b2c3d4 AUTH\r\nTo-Path: {to}\r\nFrom-Path: {USE_PATH} {ALICE}\r\n\
             -------a1b2c3d4$\r\n"
        );
        bob.handle_input(Instant::ZERO, request.as_bytes());
        let evs = events(&mut bob);
        assert!(
            matches!(&evs[..], [Event::Rejected { code: c, .. }] if *c == code),
            "{evs:?}"
        );
        let wire = drain(&mut bob, Instant::ZERO);
        let answer = chunks(&wire).remove(0);
        assert_eq!(answer.status(), Some(code));
        assert_eq!(answer.head.transaction_id().as_str(), "a1b2c3d4");
        assert_eq!(
            answer.head.to_path().unwrap().to_string(),
            format!("{USE_PATH} {ALICE}")
        );
        assert_eq!(answer.head.from_path().unwrap().to_string(), to);
    }
}
