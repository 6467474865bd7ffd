//! AUTH, the server side: challenges, Digest checks, replays, Expires bounds, expiry.

use super::*;
use crate::auth::Challenge;
use crate::chunking::ReportPrefs;
use crate::connection::FailReason;
use crate::relay::{AuthEnd, AuthRefusal, CloseCause};

const CLIENT: &str = "msrps://alice.example.com:9892/98cjs;tcp";
const TARGET: &str = "msrps://alice@relay.example.net:2855;tcp";

fn auth_request(tid: &str, extra: &str) -> String {
    alloc::format!(
        "MSRP {tid} AUTH\r\nTo-Path: {TARGET}\r\nFrom-Path: {CLIENT}\r\n{extra}-------{tid}$\r\n"
    )
}

/// AUTH without Authorization: the 401's challenge.
fn challenge(net: &mut Net, c: ConnId, tid: &str) -> Challenge {
    net.send_raw(c, auth_request(tid, "").as_bytes());
    net.run();
    let got = net.take_raw(c);
    assert_eq!(got.len(), 1);
    let h = &got[0].0;
    assert_eq!(h.status_code(), Some(401));
    assert_eq!(h.transaction_id().as_str(), tid);
    assert_eq!(h.to_path().unwrap().to_string(), CLIENT);
    assert_eq!(h.from_path().unwrap().to_string(), TARGET);
    let ch = Challenge::parse_bytes(h.header_value("WWW-Authenticate").unwrap()).unwrap();
    assert_eq!(ch.realm, REALM);
    assert_eq!(ch.qop, ["auth"]);
    ch
}

fn authorization(ch: &Challenge, user: &str, pw: &str, nc: u32) -> String {
    let v = ch
        .authorization(&Credentials::new(user, pw), "AUTH", TARGET, "0a4f113b", nc)
        .unwrap();
    alloc::format!("Authorization: {v}\r\n")
}

/// Sends an AUTH with `extra` headers; returns the response head.
fn answer(net: &mut Net, c: ConnId, tid: &str, extra: &str) -> ChunkHead {
    net.send_raw(c, auth_request(tid, extra).as_bytes());
    net.run();
    let mut got = net.take_raw(c);
    assert_eq!(got.len(), 1, "{got:?}");
    got.remove(0).0
}

fn refusals(net: &mut Net) -> Vec<AuthRefusal> {
    net.take_relay_events()
        .into_iter()
        .filter_map(|e| match e {
            RelayEvent::AuthRefused { reason, .. } => Some(reason),
            _ => None,
        })
        .collect()
}

#[test]
fn digest_200_with_use_path_expires_and_rspauth() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let ch = challenge(&mut net, c, "t1xx");
    let h = answer(
        &mut net,
        c,
        "t2xx",
        &authorization(&ch, "alice", "alice-pw", 1),
    );
    assert_eq!(h.status_code(), Some(200));
    let use_path = h.use_path().unwrap().unwrap();
    assert_eq!(use_path.len(), 1);
    let u = use_path.first().unwrap();
    assert!(u.to_string().starts_with("msrps://relay.example.net:2855/"));
    assert_eq!(h.expires(), Some(3600));
    // rspauth proves the relay knows the password (RFC 2617 section 3.2.3).
    let info =
        crate::auth::AuthInfo::parse_bytes(h.header_value("Authentication-Info").unwrap()).unwrap();
    let input = crate::auth::digest::DigestInput {
        username: "alice",
        password: "alice-pw",
        realm: REALM,
        nonce: &ch.nonce,
        method: "AUTH",
        uri: TARGET,
        cnonce: "0a4f113b",
        nc: 1,
    };
    assert_eq!(info.verify(&input), Some(true));
    assert!(info.nextnonce.is_some());
    let evs = net.take_relay_events();
    assert!(evs.iter().any(|e| matches!(e,
        RelayEvent::Authorized { username, expires: 3600, uri, .. } if username == "alice" && uri == u)));
    assert_eq!(net.relay.sessions(), 1);
}

#[test]
fn replayed_nonce_count_is_refused() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let ch = challenge(&mut net, c, "t1xx");
    let auth1 = authorization(&ch, "alice", "alice-pw", 1);
    assert_eq!(answer(&mut net, c, "t2xx", &auth1).status_code(), Some(200));
    // The same Authorization again (Kamailio accepts this).
    let h = answer(&mut net, c, "t3xx", &auth1);
    assert_eq!(h.status_code(), Some(401));
    assert!(refusals(&mut net).contains(&AuthRefusal::Replayed));
    // The next count is fine.
    let auth2 = authorization(&ch, "alice", "alice-pw", 2);
    assert_eq!(answer(&mut net, c, "t4xx", &auth2).status_code(), Some(200));
    assert_eq!(net.relay.sessions(), 2, "a fresh URI per authorisation");
}

#[test]
fn nonce_not_ours_or_from_another_connection_is_refused() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let other = net.raw(2, PeerInfo::new());
    let mut ch = challenge(&mut net, c, "t1xx");
    let theirs = authorization(&ch, "alice", "alice-pw", 1);
    let h = answer(&mut net, other, "t2xx", &theirs);
    assert_eq!(h.status_code(), Some(401));
    ch.nonce = "00112233445566778899aabbccddeeff".into();
    let h = answer(
        &mut net,
        c,
        "t3xx",
        &authorization(&ch, "alice", "alice-pw", 1),
    );
    assert_eq!(h.status_code(), Some(401));
    let r = refusals(&mut net);
    assert_eq!(
        r.iter()
            .filter(|r| **r == AuthRefusal::UnknownNonce)
            .count(),
        2
    );
    assert_eq!(net.relay.sessions(), 0);
}

#[test]
fn stale_nonce_gets_stale_true() {
    let mut cfg = config();
    cfg.probation = None; // the client waits longer than 30 seconds
    let mut net = Net::new(cfg);
    let c = net.raw(1, PeerInfo::new());
    let ch = challenge(&mut net, c, "t1xx");
    net.advance(Duration::from_secs(301));
    let h = answer(
        &mut net,
        c,
        "t2xx",
        &authorization(&ch, "alice", "alice-pw", 1),
    );
    assert_eq!(h.status_code(), Some(401));
    let fresh = Challenge::parse_bytes(h.header_value("WWW-Authenticate").unwrap()).unwrap();
    assert!(fresh.stale);
    assert_ne!(fresh.nonce, ch.nonce);
    // A wrong password with the stale nonce is not stale: it is wrong.
    let h = answer(&mut net, c, "t3xx", &authorization(&ch, "alice", "nope", 2));
    assert!(
        !Challenge::parse_bytes(h.header_value("WWW-Authenticate").unwrap())
            .unwrap()
            .stale
    );
    let h = answer(
        &mut net,
        c,
        "t4xx",
        &authorization(&fresh, "alice", "alice-pw", 1),
    );
    assert_eq!(h.status_code(), Some(200));
}

#[test]
fn failed_attempts_end_with_403_and_close() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let ch = challenge(&mut net, c, "t1xx");
    for (i, pw) in ["a", "b"].iter().enumerate() {
        let h = answer(
            &mut net,
            c,
            &alloc::format!("w{i}xx"),
            &authorization(&ch, "alice", pw, i as u32 + 1),
        );
        assert_eq!(h.status_code(), Some(401));
    }
    let h = answer(&mut net, c, "w9xx", &authorization(&ch, "mallory", "x", 3));
    assert_eq!(h.status_code(), Some(403));
    assert!(net.events.contains(&RelayEvent::Close {
        conn: c,
        cause: CloseCause::TooManyFailedAuths
    }));
    assert!(!net.relay.is_open(c));
}

#[test]
fn malformed_authorization_is_400() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let ch = challenge(&mut net, c, "t1xx");
    // qop=auth-int is not allowed (RFC 4976 section 9.1).
    let a = authorization(&ch, "alice", "alice-pw", 1).replace("qop=auth", "qop=auth-int");
    assert_eq!(answer(&mut net, c, "t2xx", &a).status_code(), Some(400));
    // The digest uri must be the rightmost To-Path URI.
    let v = ch
        .authorization(
            &Credentials::new("alice", "alice-pw"),
            "AUTH",
            "msrps://elsewhere.example:2855;tcp",
            "c",
            1,
        )
        .unwrap();
    let a = alloc::format!("Authorization: {v}\r\n");
    assert_eq!(answer(&mut net, c, "t3xx", &a).status_code(), Some(400));
}

#[test]
fn expires_out_of_bounds_is_423() {
    let mut net = Net::new(config());
    let c = net.raw(1, PeerInfo::new());
    let ch = challenge(&mut net, c, "t1xx");
    let a = authorization(&ch, "alice", "alice-pw", 1);
    let h = answer(&mut net, c, "t2xx", &alloc::format!("{a}Expires: 10\r\n"));
    assert_eq!(h.status_code(), Some(423));
    assert_eq!(h.min_expires(), Some(60));
    let a = authorization(&ch, "alice", "alice-pw", 2);
    let h = answer(
        &mut net,
        c,
        "t3xx",
        &alloc::format!("{a}Expires: 1000000\r\n"),
    );
    assert_eq!(h.status_code(), Some(423));
    assert_eq!(h.max_expires(), Some(86_400));
    let a = authorization(&ch, "alice", "alice-pw", 3);
    let h = answer(&mut net, c, "t4xx", &alloc::format!("{a}Expires: 900\r\n"));
    assert_eq!(h.status_code(), Some(200));
    assert_eq!(h.expires(), Some(900));
}

#[test]
fn endpoint_retries_a_423_with_min_expires() {
    let mut net = Net::new(config());
    let alice = net.endpoint(1, 3);
    let cfg = AuthConfig::new(
        uri(RELAY),
        uri(ALICE),
        Credentials::new("alice", "alice-pw"),
    )
    .expires(10)
    .refresh(false);
    net.authenticate_with(alice, cfg);
    assert!(
        net.events
            .iter()
            .any(|e| matches!(e, RelayEvent::Authorized { expires: 60, .. }))
    );
}

#[test]
fn authorisation_expires_with_the_clock() {
    let mut net = Net::new(config());
    let alice = net.endpoint(1, 3);
    let cfg = AuthConfig::new(
        uri(RELAY),
        uri(ALICE),
        Credentials::new("alice", "alice-pw"),
    )
    .expires(60)
    .refresh(false);
    let a_use = net.authenticate_with(alice, cfg);
    net.ep(alice)
        .add_session(SessionConfig::new(uri(ALICE), Path::new(uri(BOB))).relays(&a_use));
    let bob = net.endpoint(2, 4);
    let a_sdp: Path = a_use.iter().cloned().chain([uri(ALICE)]).collect();
    // Bob has no relay of his own: he sends to Alice's a=path over his connection to
    // the relay.
    let s = net.ep(bob).add_session(SessionConfig::new(uri(BOB), a_sdp));
    let none = ReportPrefs {
        success: Some(false),
        failure: None,
    };
    let now = net.now;
    net.ep(bob)
        .send(now, s, "text/plain", Bytes::from("1"), none)
        .unwrap();
    net.run();
    assert!(
        net.take_events(alice)
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. }))
    );
    assert!(
        net.take_events(bob)
            .iter()
            .all(|e| !matches!(e, Event::SendFailed { .. }))
    );
    assert_eq!(net.relay.poll_timeout(), Some(at(60)));
    net.advance(Duration::from_secs(60));
    assert!(net.events.iter().any(|e| matches!(
        e,
        RelayEvent::AuthorizationEnded { reason: AuthEnd::Expired, conn, .. } if *conn == alice
    )));
    assert_eq!(net.relay.sessions(), 0);
    let now = net.now;
    net.ep(bob)
        .send(now, s, "text/plain", Bytes::from("2"), none)
        .unwrap();
    net.run();
    let failed: Vec<_> = net
        .take_events(bob)
        .into_iter()
        .filter_map(|e| match e {
            Event::SendFailed { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [FailReason::Response(481)]);
}

#[test]
fn forwarding_without_auth_is_403_when_required() {
    for require in [true, false] {
        let mut cfg = config();
        cfg.require_auth = require;
        let mut net = Net::new(cfg);
        let c = net.raw(3, PeerInfo::new());
        let req = alloc::format!(
            "MSRP s1xx SEND\r\nTo-Path: {RELAY} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
             Message-ID: m1MsgId\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------s1xx$\r\n"
        );
        net.send_raw(c, req.as_bytes());
        net.run();
        let got = net.take_raw(c);
        let connects = net
            .events
            .iter()
            .filter(|e| matches!(e, RelayEvent::Connect { .. }))
            .count();
        if require {
            assert_eq!(got[0].0.status_code(), Some(403));
            assert_eq!(connects, 0);
        } else {
            assert_eq!(got[0].0.status_code(), Some(200), "an open relay forwards");
            assert_eq!(connects, 1);
        }
    }
}

/// A sender who guesses Alice's Use-Path URI cannot send through it to anyone but Alice
/// (RFC 4976 section 6.4), nor claim to come from it.
#[test]
fn a_guessed_use_path_uri_is_no_hijack() {
    let mut p = pair(config());
    let m = p.net.raw(3, PeerInfo::new());
    let ra = p.a_use.first().unwrap().clone();
    let req = alloc::format!(
        "MSRP h1xx SEND\r\nTo-Path: {ra} msrp://mallory.example.com:666/m;tcp\r\nFrom-Path: msrp://mallory.example.com:666/m;tcp\r\n\
         Message-ID: m1MsgId\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------h1xx$\r\n"
    );
    p.net.send_raw(m, req.as_bytes());
    p.net.run();
    assert!(
        !p.net
            .events
            .iter()
            .any(|e| matches!(e, RelayEvent::Connect { .. }))
    );
    // Forged From-Path: the relay's URI as the previous hop.
    let rb = p.b_use.first().unwrap().clone();
    let req = alloc::format!(
        "MSRP h2xx SEND\r\nTo-Path: {rb} {BOB}\r\nFrom-Path: {ra} {ALICE}\r\n\
         Message-ID: m2MsgId\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------h2xx$\r\n"
    );
    p.net.send_raw(m, req.as_bytes());
    p.net.run();
    let got = p.net.take_raw(m);
    assert_eq!(got.last().unwrap().0.status_code(), Some(403));
    assert!(
        !p.net
            .take_events(p.bob)
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. })),
        "Bob got nothing forged"
    );
}

/// An authenticated client sending through its own URI cannot claim another sender.
#[test]
fn sender_must_be_the_client_that_authenticated() {
    for check in [true, false] {
        let mut cfg = config();
        cfg.check_sender = check;
        let mut p = pair(cfg);
        let ra = p.a_use.first().unwrap().clone();
        let rb = p.b_use.first().unwrap().clone();
        // Alice's connection, Alice's URI at the relay, but Carol as the sender.
        let forged = alloc::format!(
            "MSRP fake1 SEND\r\nTo-Path: {ra} {rb} {BOB}\r\nFrom-Path: msrp://carol.example.com:7000/c1;tcp\r\n\
             Message-ID: fakeMsgId\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------fake1$\r\n"
        );
        let now = p.net.now;
        p.net.relay.handle_input(now, p.alice, forged.as_bytes());
        p.net.run();
        let got_it = p
            .net
            .take_events(p.bob)
            .iter()
            .any(|e| matches!(e, Event::MessageReceived { .. }));
        assert_eq!(got_it, !check);
        let refused = p
            .net
            .events
            .iter()
            .any(|e| matches!(e, RelayEvent::Refused { code: 403, .. }));
        assert_eq!(refused, check);
    }
}
