//! Playing scenarios against a target.
//!
//! Each scenario runs on its own connections (opened when a step first uses them, from
//! 127.0.0.1 or whatever address reaches the target), with its own variables:
//!
//! - `${to}`: the target's URI as given; `${wrong-session}`: the same URI with another
//!   session id (for 481);
//! - `${from}`: the tester's URI on the connection the step uses
//!   (`msrp://IP:PORT/conform-ID;tcp`, `msrps` over TLS);
//! - `${tid}`, `${tid2}`, ... and `${mid}`, `${mid2}`, ...: every variable whose name
//!   starts with `tid` or `mid` is a fresh random id the first time it is used;
//! - `${to-host}`: the target URI's host;
//! - `${from-NAME}`: the tester's URI on connection NAME (opened if it is not yet);
//! - `${seq}`: in a `send ... repeat N`, the repetition's number (from 0);
//! - `${last-tid}`, `${last-from-path}`: the transaction id and the From-Path of the
//!   last chunk an `expect` matched (to answer a request the target forwarded);
//! - `${use-path}`, `${use-path-NAME}`: the Use-Path the last `authenticate` step got
//!   (on connection NAME); `${authorization}`: the Authorization value it sent.
//!
//! The target's SENDs are answered 200 (unless their Failure-Report says not to): the
//! tester behaves as a peer. Chunks a step does not look for are kept for the steps after.

mod conn;
mod ws;

use std::collections::HashMap;
use std::time::Duration;

use msrp_proto::auth::{Challenge, Credentials};
use msrp_tokio::Config;
use msrp_uri::{Scheme, Uri};
use tokio::time::Instant;

use crate::outcome::{Outcome, ScenarioResult};
use crate::script::{Action, Applies, Expect, Scenario, Step, Suite, Transport, WsFrame};
use conn::{Conn, Frame, Read, Wire};

/// What to test.
#[derive(Clone)]
pub struct Target {
    /// The target's URI: an endpoint's session URI, or a relay's URI.
    pub uri: Uri,
    /// An endpoint or a relay.
    pub kind: Applies,
    /// How to connect (TLS trust for `msrps`).
    pub config: Config,
    /// The user name and password for `authenticate` steps that give none.
    pub credentials: Option<(String, String)>,
    /// The target's process, when it runs on this machine: its resident memory is
    /// watched during hostile scenarios (Linux `/proc`), before, at its peak and after.
    pub watch_pid: Option<u32>,
    /// With [`Target::watch_pid`]: a hostile scenario fails when the target's resident
    /// memory goes over this many bytes.
    pub max_memory: Option<u64>,
    /// For a `ws` or `wss` target: the WebSocket URL when it is not `ws://HOST:PORT/`
    /// (a server that serves MSRP under a path).
    pub ws_url: Option<String>,
}

impl Target {
    /// A target of `kind` at `uri`, with the default connection settings (no TLS trust,
    /// no credentials, no memory watch).
    pub fn new(uri: Uri, kind: Applies) -> Target {
        Target {
            uri,
            kind,
            config: Config::default(),
            credentials: None,
            watch_pid: None,
            max_memory: None,
            ws_url: None,
        }
    }

    /// What the target is reached over: WebSocket for a `ws` or `wss` transport in its
    /// URI (RFC 7977 section 5.2.1), a byte stream otherwise.
    pub fn transport(&self) -> Transport {
        match self.uri.transport() {
            msrp_uri::Transport::Ws | msrp_uri::Transport::Wss => Transport::WebSocket,
            _ => Transport::Stream,
        }
    }

    /// The WebSocket URL connected to: [`Target::ws_url`] when given, else
    /// `ws://HOST:PORT/` from the URI (`wss://` for `msrps`).
    pub fn ws_url(&self) -> String {
        if let Some(u) = &self.ws_url {
            return u.clone();
        }
        let host = match self.uri.host() {
            msrp_uri::Host::Ipv6(a) => format!("[{a}]"),
            _ => self.uri.host_str().to_owned(),
        };
        let scheme = match self.uri.scheme() {
            Scheme::Msrps => "wss",
            _ => "ws",
        };
        let port = self.uri.port().unwrap_or(msrp_tokio::DEFAULT_PORT);
        format!("{scheme}://{host}:{port}/")
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("uri", &self.uri.as_str())
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Which scenarios of the suites to play.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only this suite (by name), or every suite.
    pub suite: Option<String>,
    /// Only this scenario (by id).
    pub scenario: Option<String>,
    /// The hostile (robustness) scenarios too.
    pub hostile: bool,
}

impl Selection {
    /// Whether `sc` of `suite` is selected for a target of kind `kind`.
    pub fn includes(&self, suite: &Suite, sc: &Scenario, kind: Applies) -> bool {
        self.suite.as_deref().is_none_or(|s| s == suite.name)
            && self.scenario.as_deref().is_none_or(|s| s == sc.id)
            && (self.hostile || !sc.hostile)
            && sc.applies.includes(kind)
    }
}

/// Plays the selected scenarios of `suites` against `target`, one after the other;
/// `each` is called with every result as it comes.
pub async fn run(
    target: &Target,
    suites: &[Suite],
    selection: &Selection,
    mut each: impl FnMut(&ScenarioResult),
) -> Vec<ScenarioResult> {
    let mut results = Vec::new();
    for suite in suites {
        for sc in &suite.scenarios {
            if !selection.includes(suite, sc, target.kind) {
                continue;
            }
            let r = run_scenario(target, &suite.name, sc).await;
            each(&r);
            results.push(r);
        }
    }
    results
}

/// Plays one scenario.
pub async fn run_scenario(target: &Target, suite: &str, sc: &Scenario) -> ScenarioResult {
    let started = Instant::now();
    let over = target.transport();
    if sc.transport != Transport::Any && sc.transport != over {
        let why = match over {
            Transport::WebSocket => {
                "the target is reached over WebSocket, and the scenario \
                                     needs a byte stream (TCP or TLS)"
            }
            _ => "the target is not reached over WebSocket (RFC 7977: give a ws or wss URI)",
        };
        return ScenarioResult {
            suite: suite.to_owned(),
            id: sc.id.clone(),
            clause: sc.clause.clone(),
            title: sc.title.clone(),
            hostile: sc.hostile,
            outcome: Outcome::NotApplicable(why.to_owned()),
            duration: started.elapsed(),
            evidence: Vec::new(),
            notes: Vec::new(),
        };
    }
    let mut play = Play::new(target);
    play.hostile = sc.hostile;
    let watch = target.watch_pid.filter(|_| sc.hostile).map(Watch::start);
    let mut outcome = match tokio::time::timeout(sc.timeout, play.steps(&sc.steps)).await {
        Ok(o) => o,
        Err(_) => Outcome::Fail(format!(
            "the scenario took longer than its timeout ({} ms)",
            sc.timeout.as_millis()
        )),
    };
    // The held connections go first (no wait for each), then the others as a peer
    // ends them.
    for c in &mut play.held {
        c.shutdown().await;
    }
    play.held.clear();
    for c in play.conns.values_mut() {
        c.finish(Duration::from_secs(2)).await;
    }
    let mut notes = std::mem::take(&mut play.notes);
    if let Some(w) = watch {
        // A second for the target to let go of what the scenario made it hold.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let m = w.stop();
        notes.push(m.describe());
        if let (Some(max), Some(peak), Outcome::Pass) = (target.max_memory, m.peak, &outcome) {
            if peak > max {
                outcome = Outcome::Fail(format!(
                    "the target's resident memory reached {} MiB, over the limit of {} MiB",
                    peak >> 20,
                    max >> 20
                ));
            }
        }
    }
    let mut evidence = Vec::new();
    let mut names: Vec<&String> = play.conns.keys().collect();
    names.sort();
    for name in names {
        if let Some(c) = play.conns.get(name) {
            evidence.push(c.evidence.clone());
            notes.extend(c.notes.iter().map(|n| format!("{name}: {n}")));
        }
    }
    notes.dedup();
    ScenarioResult {
        suite: suite.to_owned(),
        id: sc.id.clone(),
        clause: sc.clause.clone(),
        title: sc.title.clone(),
        hostile: sc.hostile,
        outcome,
        duration: started.elapsed(),
        evidence,
        notes,
    }
}

/// One process's resident memory (VmRSS), in bytes, where `/proc` has it.
fn resident_one(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The resident memory of a process and all its descendants (a server that forks
/// workers, as Kamailio does), in bytes; `None` without `/proc` or the process.
fn resident(pid: u32) -> Option<u64> {
    let own = resident_one(pid)?;
    // Parent of every process, from /proc/N/stat (the field after the command's `)`).
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(n) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{n}/stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(pp) = ppid {
                children.entry(pp).or_default().push(n);
            }
        }
    }
    let mut total = own;
    let mut todo: Vec<u32> = children.get(&pid).cloned().unwrap_or_default();
    let mut seen = 0;
    while let Some(c) = todo.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        total += resident_one(c).unwrap_or(0);
        if let Some(more) = children.get(&c) {
            todo.extend(more);
        }
    }
    Some(total)
}

/// The target's memory over a scenario (the process and its descendants): sampled every
/// 20 ms.
struct Watch {
    pid: u32,
    before: Option<u64>,
    peak: std::sync::Arc<std::sync::atomic::AtomicU64>,
    sampler: tokio::task::JoinHandle<()>,
}

/// What [`Watch`] saw.
struct Memory {
    pid: u32,
    before: Option<u64>,
    peak: Option<u64>,
    after: Option<u64>,
}

impl Watch {
    fn start(pid: u32) -> Watch {
        use std::sync::atomic::Ordering;
        let before = resident(pid);
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before.unwrap_or(0)));
        let p = peak.clone();
        let sampler = tokio::spawn(async move {
            loop {
                if let Some(r) = resident(pid) {
                    p.fetch_max(r, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        Watch {
            pid,
            before,
            peak,
            sampler,
        }
    }

    fn stop(self) -> Memory {
        self.sampler.abort();
        let after = resident(self.pid);
        let peak = self.peak.load(std::sync::atomic::Ordering::Relaxed);
        Memory {
            pid: self.pid,
            before: self.before,
            peak: (peak > 0).then_some(peak),
            after,
        }
    }
}

impl Memory {
    fn describe(&self) -> String {
        let mib =
            |b: Option<u64>| b.map_or("?".to_owned(), |b| format!("{:.1}", b as f64 / 1048576.0));
        if self.before.is_none() {
            return format!(
                "the target's memory (pid {}) could not be read (no /proc)",
                self.pid
            );
        }
        format!(
            "the target's resident memory (pid {} and its children): before {} MiB, peak {} MiB, after {} MiB",
            self.pid,
            mib(self.before),
            mib(self.peak),
            mib(self.after)
        )
    }
}

/// A random id of 16 letters and digits (RFC 4975 transaction ids want 64 bits).
fn random_id() -> String {
    let mut b = [0u8; 16];
    // Without OS randomness ids would repeat across runs, which a tester survives.
    let _ = getrandom::fill(&mut b);
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    b.iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % 62]))
        .collect()
}

/// One scenario being played.
struct Play<'a> {
    target: &'a Target,
    conns: HashMap<String, Conn>,
    vars: HashMap<String, String>,
    /// The chunk the last `expect` matched.
    last: Option<Frame>,
    alive_count: usize,
    /// Connections a `send connections N` opened, held until the scenario ends.
    held: Vec<Conn>,
    /// Observations of the scenario's own (beside each connection's).
    notes: Vec<String>,
    /// A hostile scenario (what the target refuses is noted, not failed).
    hostile: bool,
}

/// How a `send` writes its bytes: in pieces of `split` bytes with `pause` between them,
/// `repeat` times, over WebSocket in messages of the kind `frame` says.
#[derive(Debug, Clone, Copy)]
struct Writes {
    split: Option<usize>,
    pause: Duration,
    repeat: u32,
    frame: Option<WsFrame>,
}

/// Whether the step failed: the outcome to end the scenario with.
type StepResult = Result<(), Outcome>;

fn fail(step: &Step, why: impl std::fmt::Display) -> Outcome {
    Outcome::Fail(format!("line {}: {why}", step.line))
}

fn not_ws(step: &Step) -> Outcome {
    Outcome::NotApplicable(format!(
        "line {}: not a WebSocket connection (RFC 7977)",
        step.line
    ))
}

impl<'a> Play<'a> {
    fn new(target: &'a Target) -> Play<'a> {
        let mut vars = HashMap::new();
        vars.insert("to".to_owned(), target.uri.as_str().to_owned());
        let text = target.uri.as_str();
        let wrong = match target.uri.session_id() {
            Some(id) => text.replacen(id, &format!("x{}", random_id()), 1),
            // A relay's URI: the same with a session id it never gave.
            None => match text.find(';') {
                Some(i) => format!("{}/x{}{}", &text[..i], random_id(), &text[i..]),
                None => format!("{text}/x{}", random_id()),
            },
        };
        vars.insert("wrong-session".to_owned(), wrong);
        vars.insert("to-host".to_owned(), target.uri.host_str().to_owned());
        Play {
            target,
            conns: HashMap::new(),
            vars,
            last: None,
            alive_count: 0,
            held: Vec::new(),
            notes: Vec::new(),
            hostile: false,
        }
    }

    /// The chunk an `expect` matched: for `expect header` and `${last-...}`.
    fn remember(&mut self, f: Frame) {
        self.vars.insert(
            "last-tid".to_owned(),
            f.head.transaction_id().as_str().to_owned(),
        );
        if let Some(v) = f.head.header_value("From-Path") {
            self.vars.insert(
                "last-from-path".to_owned(),
                String::from_utf8_lossy(v).into_owned(),
            );
        }
        self.last = Some(f);
    }

    async fn steps(&mut self, steps: &[Step]) -> Outcome {
        for step in steps {
            if let Err(o) = self.step(step).await {
                return o;
            }
        }
        Outcome::Pass
    }

    async fn open(&mut self, name: &str) -> Result<&mut Conn, String> {
        if !self.conns.contains_key(name) {
            let (wire, local) = self.open_wire().await?;
            let uri = self.local_uri(local);
            self.conns
                .insert(name.to_owned(), Conn::new(name, wire, uri));
        }
        self.conns
            .get_mut(name)
            .ok_or_else(|| "no connection".to_owned())
    }

    /// The template's bytes for a step on `conn` (fresh ids made as they are first used,
    /// connections named by `${from-NAME}` opened).
    async fn expand(
        &mut self,
        conn_uri: &str,
        t: &crate::script::Template,
    ) -> Result<Vec<u8>, String> {
        let names: Vec<String> = t.variables().map(str::to_owned).collect();
        for v in &names {
            if (v.starts_with("tid") || v.starts_with("mid")) && !self.vars.contains_key(v) {
                self.vars.insert(v.clone(), random_id());
            }
            if let Some(other) = v.strip_prefix("from-") {
                let uri = self.open(other).await?.uri.clone();
                self.vars.insert(v.clone(), uri);
            }
        }
        self.vars.insert("from".to_owned(), conn_uri.to_owned());
        t.expand(&self.vars)
            .map_err(|v| format!("the variable ${{{v}}} has no value here"))
    }

    async fn step(&mut self, step: &Step) -> StepResult {
        match &step.action {
            Action::Connect => {
                self.open(&step.conn).await.map_err(|e| fail(step, e))?;
            }
            Action::Close => {
                if let Some(c) = self.conns.get_mut(&step.conn) {
                    c.finish(Duration::from_secs(2)).await;
                }
            }
            Action::Wait(d) => {
                let deadline = Instant::now() + *d;
                if let Some(c) = self.conns.get_mut(&step.conn) {
                    // Read meanwhile: what comes is kept for the steps after.
                    while !c.closed {
                        match c.read(deadline).await {
                            Ok(Read::Frame(f)) => c.pending.push_back(f),
                            Ok(Read::Pong) => {}
                            Ok(Read::Closed | Read::Timeout) => break,
                            Err(g) => return Err(fail(step, g.0)),
                        }
                    }
                }
                tokio::time::sleep_until(deadline).await;
            }
            Action::Send {
                template,
                split,
                pause,
                repeat,
                connections,
                frame,
            } => {
                let w = Writes {
                    split: *split,
                    pause: *pause,
                    repeat: *repeat,
                    frame: *frame,
                };
                match connections {
                    Some(n) => self.hold(step, template, w, *n).await?,
                    None => self.send(step, template, w).await?,
                }
            }
            Action::Ping => {
                let c = self.open(&step.conn).await.map_err(|e| fail(step, e))?;
                if !c.is_ws() {
                    return Err(not_ws(step));
                }
                c.ping(b"msrp-conform")
                    .await
                    .map_err(|e| fail(step, format!("the Ping could not be sent: {e}")))?;
            }
            Action::Expect(e) => self.expect(step, e).await?,
            Action::Alive(within) => self.alive(step, *within).await?,
            Action::Authenticate {
                credentials,
                wrong_password,
                expires,
                answer,
            } => {
                let run = self.target.credentials.clone();
                let chosen = match (credentials.clone(), *wrong_password) {
                    (Some(c), _) => Some(c),
                    (None, true) => run.map(|(u, _)| (u, format!("not-{}", random_id()))),
                    (None, false) => run,
                };
                let Some((user, password)) = chosen else {
                    return Err(Outcome::NotApplicable(format!(
                        "line {}: no credentials to AUTH with (give a user and password)",
                        step.line
                    )));
                };
                let f = self
                    .authenticate(&step.conn, &user, &password, *expires)
                    .await
                    .map_err(|e| fail(step, e))?;
                let code = f.head.status_code().unwrap_or(0);
                if code == 200 {
                    let use_path = f
                        .head
                        .header_value("Use-Path")
                        .map(|v| String::from_utf8_lossy(v).trim().to_owned())
                        .ok_or_else(|| fail(step, "a 200 to AUTH without Use-Path"))?;
                    self.vars
                        .insert(format!("use-path-{}", step.conn), use_path.clone());
                    self.vars.insert("use-path".to_owned(), use_path);
                }
                self.remember(f);
                if !answer.contains(&code) {
                    return Err(fail(
                        step,
                        format!("AUTH was answered {code}, not {}", join(answer)),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `send`: the bytes on the step's connection, `repeat` times (expanded again each
    /// time when they use `${seq}`, the repetition's number from 0). In a hostile
    /// scenario a target that closes or stops reading is noted, not failed (refusing
    /// abuse is what it should do); the `alive` after tells whether it still serves.
    async fn send(
        &mut self,
        step: &Step,
        template: &crate::script::Template,
        w: Writes,
    ) -> StepResult {
        let Writes {
            split,
            pause,
            repeat,
            frame,
        } = w;
        let uri = self
            .open(&step.conn)
            .await
            .map_err(|e| fail(step, e))?
            .uri
            .clone();
        let per_repeat = template.variables().any(|v| v == "seq");
        let mut bytes = Vec::new();
        for i in 0..repeat {
            if i == 0 || per_repeat {
                self.vars.insert("seq".to_owned(), i.to_string());
                bytes = self
                    .expand(&uri, template)
                    .await
                    .map_err(|e| fail(step, e))?;
            }
            let hostile = self.hostile;
            let c = self.open(&step.conn).await.map_err(|e| fail(step, e))?;
            if c.closed {
                if hostile {
                    self.notes.push(format!(
                        "line {}: the target closed the connection after {i} of {repeat} sends",
                        step.line
                    ));
                    return Ok(());
                }
                return Err(fail(step, "the connection is closed"));
            }
            let pieces: Vec<&[u8]> = match split {
                Some(n) => bytes.chunks(n).collect(),
                None => vec![&bytes[..]],
            };
            for p in pieces {
                let w = if hostile {
                    // A target that stops reading a hostile peer is right to.
                    match tokio::time::timeout(Duration::from_secs(5), c.write_as(p, frame)).await {
                        Ok(r) => r,
                        Err(_) => Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "it took nothing for 5 s",
                        )),
                    }
                } else {
                    c.write_as(p, frame).await
                };
                if let Err(e) = w {
                    if hostile {
                        c.closed = true;
                        let sent = c.evidence.sent_total;
                        self.notes.push(format!(
                            "line {}: the target stopped taking bytes ({e}) after {sent} bytes",
                            step.line
                        ));
                        return Ok(());
                    }
                    return Err(fail(step, format!("the target stopped taking bytes: {e}")));
                }
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
        }
        Ok(())
    }

    /// `send connections N`: the bytes on N new connections, held open. A target that
    /// refuses some (a connection limit) or stops reading them is noted, not failed: the
    /// `alive` after tells whether it still serves.
    async fn hold(
        &mut self,
        step: &Step,
        template: &crate::script::Template,
        w: Writes,
        n: u32,
    ) -> StepResult {
        let Writes {
            split,
            pause,
            repeat,
            frame,
        } = w;
        let (mut refused, mut stalled) = (0u32, 0u32);
        for i in 0..n {
            let opened = tokio::time::timeout(Duration::from_secs(2), self.open_wire()).await;
            let Ok(Ok((wire, local))) = opened else {
                refused += 1;
                continue;
            };
            let name = format!("{}#{i}", step.conn);
            let uri = self.local_uri(local);
            let bytes = self
                .expand(&uri, template)
                .await
                .map_err(|e| fail(step, e))?;
            let mut c = Conn::new(&name, wire, uri);
            'write: for _ in 0..repeat {
                let pieces: Vec<&[u8]> = match split {
                    Some(k) => bytes.chunks(k).collect(),
                    None => vec![&bytes[..]],
                };
                for p in pieces {
                    let w =
                        tokio::time::timeout(Duration::from_secs(1), c.write_as(p, frame)).await;
                    if !matches!(w, Ok(Ok(()))) {
                        stalled += 1;
                        break 'write;
                    }
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
            }
            self.held.push(c);
        }
        self.notes.push(format!(
            "line {}: {} of {n} connections opened and written{}{}",
            step.line,
            n - refused,
            if refused > 0 {
                format!(", {refused} refused or not accepted within 2 s")
            } else {
                String::new()
            },
            if stalled > 0 {
                format!(", {stalled} stopped taking bytes")
            } else {
                String::new()
            },
        ));
        Ok(())
    }

    /// The tester's URI from a local address.
    fn local_uri(&self, local: std::net::SocketAddr) -> String {
        let scheme = match self.target.uri.scheme() {
            Scheme::Msrps => "msrps",
            _ => "msrp",
        };
        let host = match local.ip() {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            std::net::IpAddr::V4(a) => a.to_string(),
        };
        if self.target.transport() == Transport::WebSocket {
            // RFC 7977 Appendix A: a WebSocket client cannot know the address the server
            // sees, so its URI has a random host in the `.invalid` domain.
            return format!(
                "{scheme}://{}.invalid:{}/conform-{};ws",
                random_id().to_ascii_lowercase(),
                local.port(),
                random_id()
            );
        }
        format!(
            "{scheme}://{host}:{}/conform-{};tcp",
            local.port(),
            random_id()
        )
    }

    /// A new connection to the target: TCP (TLS for `msrps`), then for a `ws` or `wss`
    /// target the WebSocket handshake (RFC 7977 section 4.1), with the local address.
    async fn open_wire(&self) -> Result<(Wire, std::net::SocketAddr), String> {
        let (io, local) = msrp_tokio::open_stream(&self.target.uri, &self.target.config)
            .await
            .map_err(|e| format!("cannot connect to the target: {e}"))?;
        if self.target.transport() != Transport::WebSocket {
            return Ok((Wire::Stream(io), local));
        }
        let url = self.target.ws_url();
        let ws = ws::handshake(&url, io).await?;
        Ok((Wire::Ws(Box::new(ws)), local))
    }

    async fn expect(&mut self, step: &Step, e: &Expect) -> StepResult {
        match e {
            Expect::Response {
                codes,
                tid,
                within,
                na_on,
            } => {
                let want = self
                    .vars
                    .get(tid)
                    .cloned()
                    .ok_or_else(|| fail(step, format!("${{{tid}}} was never sent")))?;
                let f = self
                    .wait_for(step, *within, |f| {
                        f.head.status_code().is_some() && f.head.transaction_id().as_str() == want
                    })
                    .await?;
                let code = f.head.status_code().unwrap_or(0);
                self.remember(f);
                if codes.contains(&code) {
                    Ok(())
                } else if na_on.contains(&code) {
                    Err(Outcome::NotApplicable(format!(
                        "line {}: the target answered {code}",
                        step.line
                    )))
                } else {
                    Err(fail(
                        step,
                        format!("expected a response {} to {want}, got {code}", join(codes)),
                    ))
                }
            }
            Expect::Request {
                method,
                status,
                within,
            } => {
                let f = self
                    .wait_for(step, *within, |f| {
                        f.head.method_name() == Some(method.as_str())
                            && status.is_none_or(|s| status_code(f) == Some(s))
                    })
                    .await?;
                self.remember(f);
                Ok(())
            }
            Expect::Pong(within) => {
                let c = self.conn(step)?;
                if !c.is_ws() {
                    return Err(not_ws(step));
                }
                let deadline = Instant::now() + *within;
                loop {
                    if c.pongs > c.pongs_matched {
                        c.pongs_matched += 1;
                        return Ok(());
                    }
                    match c.read(deadline).await {
                        Ok(Read::Frame(f)) => c.pending.push_back(f),
                        Ok(Read::Pong) => {}
                        Ok(Read::Closed) => {
                            return Err(fail(step, "the target closed the connection, no Pong"));
                        }
                        Ok(Read::Timeout) => {
                            return Err(fail(
                                step,
                                format!("no Pong within {} ms", within.as_millis()),
                            ));
                        }
                        Err(g) => return Err(fail(step, g.0)),
                    }
                }
            }
            Expect::Framing => {
                let c = self.conn(step)?;
                if !c.is_ws() {
                    return Err(not_ws(step));
                }
                if c.ws_messages == 0 {
                    return Err(fail(step, "the target has sent no WebSocket message yet"));
                }
                if c.ws_fault_count > 0 {
                    return Err(fail(
                        step,
                        format!(
                            "{} of {} WebSocket messages did not hold exactly one chunk \
                             (RFC 7977 section 5.1): {}",
                            c.ws_fault_count,
                            c.ws_messages,
                            c.ws_faults.join("; ")
                        ),
                    ));
                }
                Ok(())
            }
            Expect::Nothing(within) => {
                let c = self.conn(step)?;
                if let Some(f) = c.pending.front() {
                    return Err(fail(
                        step,
                        format!("expected nothing, got {}", f.describe()),
                    ));
                }
                let deadline = Instant::now() + *within;
                loop {
                    return match c.read(deadline).await {
                        Ok(Read::Frame(f)) => Err(fail(
                            step,
                            format!("expected nothing, got {}", f.describe()),
                        )),
                        Ok(Read::Pong) => continue,
                        Ok(Read::Timeout | Read::Closed) => Ok(()),
                        Err(g) => Err(fail(step, g.0)),
                    };
                }
            }
            Expect::Closed(within) => {
                let c = self.conn(step)?;
                let deadline = Instant::now() + *within;
                loop {
                    match c.read(deadline).await {
                        Ok(Read::Frame(f)) => c.pending.push_back(f),
                        Ok(Read::Pong) => {}
                        Ok(Read::Closed) => return Ok(()),
                        Ok(Read::Timeout) => {
                            return Err(fail(
                                step,
                                format!(
                                    "the target kept the connection open for {} ms",
                                    within.as_millis()
                                ),
                            ));
                        }
                        // Garbage before the close is still a close.
                        Err(_) => return Ok(()),
                    }
                }
            }
            Expect::Body(contains) => {
                let (text, f) = self.on_last(step, contains)?;
                if memchr::memmem::find(&f.body, &text).is_some() {
                    Ok(())
                } else {
                    Err(fail(
                        step,
                        format!(
                            "the body of {} ({} bytes) does not contain `{}`",
                            f.describe(),
                            f.body.len(),
                            String::from_utf8_lossy(&text)
                        ),
                    ))
                }
            }
            Expect::Header { name, contains } => {
                let (text, f) = self.on_last(step, contains)?;
                let value = f.head.header_value(name).ok_or_else(|| {
                    fail(step, format!("{} has no {name} header field", f.describe()))
                })?;
                if memchr::memmem::find(value, &text).is_some() {
                    Ok(())
                } else {
                    Err(fail(
                        step,
                        format!(
                            "{name} of {} is `{}`, without `{}`",
                            f.describe(),
                            String::from_utf8_lossy(value),
                            String::from_utf8_lossy(&text)
                        ),
                    ))
                }
            }
        }
    }

    /// The text an `expect header` or `expect body` looks for, and the chunk it looks in
    /// (the one the last `expect` matched).
    fn on_last(
        &self,
        step: &Step,
        contains: &crate::script::Template,
    ) -> Result<(Vec<u8>, &Frame), Outcome> {
        let text = contains
            .expand(&self.vars)
            .map_err(|v| fail(step, format!("the variable ${{{v}}} has no value here")))?;
        let f = self
            .last
            .as_ref()
            .ok_or_else(|| fail(step, "no chunk was matched before"))?;
        Ok((text, f))
    }

    fn conn(&mut self, step: &Step) -> Result<&mut Conn, Outcome> {
        self.conns.get_mut(&step.conn).ok_or_else(|| {
            fail(
                step,
                format!("the connection {} was never opened", step.conn),
            )
        })
    }

    /// Waits for a chunk that `matches`; others are kept.
    async fn wait_for(
        &mut self,
        step: &Step,
        within: Duration,
        matches: impl Fn(&Frame) -> bool,
    ) -> Result<Frame, Outcome> {
        let c = self.conn(step)?;
        if let Some(i) = c.pending.iter().position(&matches) {
            if let Some(f) = c.pending.remove(i) {
                return Ok(f);
            }
        }
        let deadline = Instant::now() + within;
        loop {
            match c.read(deadline).await {
                Ok(Read::Frame(f)) if matches(&f) => return Ok(f),
                Ok(Read::Frame(f)) => c.pending.push_back(f),
                Ok(Read::Pong) => {}
                Ok(Read::Closed) => {
                    return Err(fail(
                        step,
                        format!("the target closed the connection{}", seen(c)),
                    ));
                }
                Ok(Read::Timeout) => {
                    return Err(fail(
                        step,
                        format!(
                            "nothing matching within {} ms{}",
                            within.as_millis(),
                            seen(c)
                        ),
                    ));
                }
                Err(g) => return Err(fail(step, g.0)),
            }
        }
    }

    /// A new connection, a normal request, an answer within `within`.
    async fn alive(&mut self, step: &Step, within: Duration) -> StepResult {
        self.alive_count += 1;
        let name = format!("alive{}", self.alive_count);
        let target = self.target;
        let c = self.open(&name).await.map_err(|e| {
            fail(
                step,
                format!("the target no longer accepts connections: {e}"),
            )
        })?;
        let tid = random_id();
        let to = target.uri.as_str().to_owned();
        let req = match target.kind {
            Applies::Relay => format!(
                "MSRP {tid} AUTH\r\nTo-Path: {to}\r\nFrom-Path: {}\r\n-------{tid}$\r\n",
                c.uri
            ),
            _ => format!(
                "MSRP {tid} SEND\r\nTo-Path: {to}\r\nFrom-Path: {}\r\nMessage-ID: {}\r\n\
                 Byte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nalive\r\n-------{tid}$\r\n",
                c.uri,
                random_id()
            ),
        };
        c.write(req.as_bytes())
            .await
            .map_err(|e| fail(step, format!("the target no longer takes a request: {e}")))?;
        let deadline = Instant::now() + within;
        loop {
            match c.read(deadline).await {
                Ok(Read::Frame(f)) if f.head.transaction_id().as_str() == tid => return Ok(()),
                Ok(Read::Frame(_) | Read::Pong) => {}
                Ok(Read::Closed) => {
                    return Err(fail(
                        step,
                        "the target closed a normal request's connection",
                    ));
                }
                Ok(Read::Timeout) => {
                    return Err(fail(
                        step,
                        format!(
                            "the target did not answer a normal request within {} ms",
                            within.as_millis()
                        ),
                    ));
                }
                Err(g) => return Err(fail(step, g.0)),
            }
        }
    }

    /// AUTH with Digest (RFC 4976 section 5): the final answer (after the challenge).
    async fn authenticate(
        &mut self,
        conn: &str,
        user: &str,
        password: &str,
        expires: Option<u64>,
    ) -> Result<Frame, String> {
        let relay = self.target.uri.as_str().to_owned();
        let c = self.open(conn).await?;
        let extra = expires.map_or(String::new(), |e| format!("Expires: {e}\r\n"));
        let auth = |tid: &str, uri: &str, more: &str| {
            format!(
                "MSRP {tid} AUTH\r\nTo-Path: {relay}\r\nFrom-Path: {uri}\r\n{more}{extra}-------{tid}$\r\n"
            )
        };
        let tid = random_id();
        let uri = c.uri.clone();
        c.write(auth(&tid, &uri, "").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let f = answer_to(c, &tid).await?;
        if f.head.status_code() != Some(401) {
            return Ok(f);
        }
        let www = f
            .head
            .header_value("WWW-Authenticate")
            .ok_or("a 401 without WWW-Authenticate")?;
        let ch = Challenge::parse_bytes(www).map_err(|e| format!("the challenge: {e}"))?;
        let value = ch
            .authorization(
                &Credentials::new(user, password),
                "AUTH",
                &relay,
                &random_id(),
                1,
            )
            .map_err(|e| format!("the challenge: {e}"))?;
        let tid = random_id();
        c.write(auth(&tid, &uri, &format!("Authorization: {value}\r\n")).as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let answer = answer_to(c, &tid).await?;
        self.vars.insert("authorization".to_owned(), value);
        Ok(answer)
    }
}

/// The response to `tid` on `c` (within 5 s).
async fn answer_to(c: &mut Conn, tid: &str) -> Result<Frame, String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match c.read(deadline).await {
            Ok(Read::Frame(f))
                if f.head.status_code().is_some() && f.head.transaction_id().as_str() == tid =>
            {
                return Ok(f);
            }
            Ok(Read::Frame(f)) => c.pending.push_back(f),
            Ok(Read::Pong) => {}
            Ok(Read::Closed) => return Err("the target closed the connection".into()),
            Ok(Read::Timeout) => return Err("no answer to AUTH within 5 s".into()),
            Err(g) => return Err(g.0),
        }
    }
}

/// The Status code of a REPORT.
fn status_code(f: &Frame) -> Option<u16> {
    let v = f.head.header_value("Status")?;
    let s = std::str::from_utf8(v).ok()?;
    s.split_whitespace().nth(1)?.parse().ok()
}

fn join(codes: &[u16]) -> String {
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// What came instead, for a failure's reason.
fn seen(c: &Conn) -> String {
    if c.pending.is_empty() {
        return String::new();
    }
    let got: Vec<String> = c.pending.iter().map(Frame::describe).collect();
    format!("; got {}", got.join(", "))
}
