//! Two relays in a row (RFC 4976 section 5.1's intra/extra example): Alice authenticates
//! to her inner relay, then through it to the outer one, and sends to Bob, who is
//! reached by the outer relay; the success REPORT comes back through both.

use super::*;
use crate::chunking::ReportPrefs;

const INTRA: &str = "msrps://intra.example.com:2855;tcp";
const EXTRA: &str = "msrps://extra.example.com:2855;tcp";

#[allow(clippy::large_enum_variant)] // a test: a handful of nodes
enum Node {
    Relay(Relay<TestRng, Users>),
    Ep(Connection<TestRng>, Vec<Event>),
}

/// Nodes joined by links; a link end is a node and, for a relay, its connection id.
struct Chain {
    nodes: Vec<Node>,
    links: Vec<[(usize, ConnId); 2]>,
    /// Which node a relay's `Connect` to this host reaches.
    hosts: BTreeMap<String, usize>,
    next_id: u64,
    now: Instant,
}

impl Chain {
    fn output(&mut self, (n, c): (usize, ConnId)) -> Vec<u8> {
        let mut out = BytesMut::new();
        match &mut self.nodes[n] {
            Node::Relay(r) => while r.poll_transmit_conn(self.now, c, &mut out).is_some() {},
            Node::Ep(e, _) => while e.poll_transmit(self.now, &mut out).is_some() {},
        }
        out.to_vec()
    }

    fn input(&mut self, (n, c): (usize, ConnId), bytes: &[u8]) {
        match &mut self.nodes[n] {
            Node::Relay(r) => r.handle_input(self.now, c, bytes),
            Node::Ep(e, evs) => {
                e.handle_input(self.now, bytes);
                evs.extend(core::iter::from_fn(|| e.poll_event()));
            }
        }
    }

    fn step(&mut self) -> bool {
        let mut moved = false;
        for i in 0..self.links.len() {
            let [a, b] = self.links[i];
            for (from, to) in [(a, b), (b, a)] {
                let bytes = self.output(from);
                if !bytes.is_empty() {
                    moved = true;
                    self.input(to, &bytes);
                }
            }
        }
        for n in 0..self.nodes.len() {
            let evs: Vec<RelayEvent> = match &mut self.nodes[n] {
                Node::Relay(r) => core::iter::from_fn(|| r.poll_event()).collect(),
                Node::Ep(e, evs) => {
                    evs.extend(core::iter::from_fn(|| e.poll_event()));
                    Vec::new()
                }
            };
            for e in evs {
                moved = true;
                if let RelayEvent::Connect { conn, uri } = e {
                    let target = self.hosts[uri.host_str()];
                    self.next_id += 1;
                    let far = ConnId(self.next_id);
                    if let Node::Relay(r) = &mut self.nodes[target] {
                        r.connection_opened(self.now, far, PeerInfo::new()).unwrap();
                    }
                    if let Node::Relay(r) = &mut self.nodes[n] {
                        r.connection_opened(self.now, conn, PeerInfo::new())
                            .unwrap();
                    }
                    self.links.push([(n, conn), (target, far)]);
                }
            }
        }
        moved
    }

    fn run(&mut self) {
        for _ in 0..10_000 {
            if !self.step() {
                return;
            }
        }
        panic!("no rest");
    }

    fn ep(&mut self, n: usize) -> (&mut Connection<TestRng>, &mut Vec<Event>) {
        match &mut self.nodes[n] {
            Node::Ep(e, evs) => (e, evs),
            Node::Relay(_) => panic!("not an endpoint"),
        }
    }

    fn authorized(&mut self, n: usize) -> Path {
        let (_, evs) = self.ep(n);
        let p = evs.iter().find_map(|e| match e {
            Event::Authorized { use_path, .. } => Some(use_path.clone()),
            _ => None,
        });
        evs.clear();
        p.expect("authorized")
    }
}

#[test]
fn auth_through_a_relay_and_a_message_through_two() {
    let relay = |u: &str, seed| {
        Node::Relay(Relay::new(
            RelayConfig::new(uri(u), REALM),
            TestRng::new(seed),
            users as Users,
            Instant::ZERO,
        ))
    };
    let ep = |seed| {
        Node::Ep(
            Connection::new(
                ConnectionConfig::default(),
                TestRng::new(seed),
                Instant::ZERO,
            ),
            Vec::new(),
        )
    };
    // 0 intra, 1 extra, 2 Alice (connected to intra), 3 Bob (reached by extra).
    let mut chain = Chain {
        nodes: alloc::vec![relay(INTRA, 1), relay(EXTRA, 2), ep(3), ep(4)],
        links: alloc::vec![[(0, ConnId(1)), (2, ConnId(0))]],
        hosts: [
            ("extra.example.com".into(), 1),
            ("bob.example.com".into(), 3),
        ]
        .into(),
        next_id: 100,
        now: Instant::ZERO,
    };
    if let Node::Relay(r) = &mut chain.nodes[0] {
        r.connection_opened(Instant::ZERO, ConnId(1), PeerInfo::new())
            .unwrap();
    }
    let creds = || Credentials::new("alice", "alice-pw");
    let now = chain.now;
    chain
        .ep(2)
        .0
        .authenticate(now, AuthConfig::new(uri(INTRA), uri(ALICE), creds()))
        .unwrap();
    chain.run();
    let inner = chain.authorized(2);
    assert_eq!(inner.len(), 1);
    // The second AUTH goes through the first relay (To-Path: inner URI, outer relay).
    let cfg = AuthConfig::new(uri(EXTRA), uri(ALICE), creds()).via(&inner);
    chain.ep(2).0.authenticate(now, cfg).unwrap();
    chain.run();
    let both = chain.authorized(2);
    // RFC 4976 section 5.1: the outer relay's Use-Path is the inner URI, then its own.
    assert_eq!(both.len(), 2, "{both}");
    assert_eq!(both.first(), inner.first());
    assert!(super::super::route::is_ours(
        &uri(EXTRA),
        both.last().unwrap()
    ));
    // Alice's session to Bob, who has no relay.
    let a_cfg = SessionConfig::new(uri(ALICE), Path::new(uri(BOB))).relays(&both);
    let a_path = a_cfg.local_path();
    let s = chain.ep(2).0.add_session(a_cfg);
    chain
        .ep(3)
        .0
        .add_session(SessionConfig::new(uri(BOB), a_path));
    let yes = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    chain
        .ep(2)
        .0
        .send(now, s, "text/plain", Bytes::from("through two relays"), yes)
        .unwrap();
    chain.run();
    let (_, bob) = chain.ep(3);
    assert!(bob.iter().any(|e| matches!(
        e,
        Event::MessageReceived { body, .. } if &body[..] == b"through two relays"
    )));
    let (_, alice) = chain.ep(2);
    assert!(
        alice
            .iter()
            .any(|e| matches!(e, Event::MessageDelivered { .. })),
        "{alice:?}"
    );
    // One connection from intra to extra, reused for the AUTH and the message.
    assert_eq!(chain.links.len(), 3);
}
