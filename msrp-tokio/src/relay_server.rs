//! An MSRP relay (RFC 4976) on tokio: the sans-IO [`msrp_proto::relay::Relay`] engine
//! behind a listening socket.
//!
//! # How it is driven
//!
//! One engine serves every connection, behind a mutex that is never held across an
//! `await`. Each transport connection has two tasks:
//!
//! - a **reader** reads into a reused buffer (at most [`RelayServerConfig::read_size`] at a
//!   time) and hands the bytes to the engine; it stops reading while the engine says so
//!   ([`RelayEvent::StopReading`]), which is how a sender faster than its receiver is held
//!   back without the relay buffering more than its configured limits;
//! - a **writer** sleeps until the engine names its connection
//!   ([`Relay::poll_ready`]), then takes what the engine has for it, up to
//!   [`RelayServerConfig::write_batch`] bytes per write, and writes it. The engine hands
//!   out bytes only as fast as the writer writes them, so a peer that does not read
//!   makes the engine hold back (and stop its senders) rather than queue without end.
//!
//! A third task runs the engine's timers (30-second transaction timeouts, probation,
//! authorisation expiry). It sleeps until the engine's next deadline, and looks again at
//! least once a second, so a deadline set meanwhile is met within a second (the RFC's
//! timers are tens of seconds or more; asking the engine for its next deadline after every
//! read would cost a scan of all connections per read).
//!
//! Connections the engine asks for ([`RelayEvent::Connect`]: the next hop of a request)
//! are opened by a task of their own, TCP or TLS (`msrps`, with
//! [`RelayServerConfig::tls_client`]), within [`RelayServerConfig::connect_timeout`].
//!
//! ```
//! use msrp_proto::relay::RelayConfig;
//! use msrp_tokio::relay_server::{RelayServer, RelayServerConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), msrp_tokio::Error> {
//! // Port 0 in the relay's URI is replaced by the port bound.
//! let engine = RelayConfig::new("msrp://127.0.0.1:0;tcp".parse().expect("a URI"), "example.net");
//! let users = |user: &str, _realm: &str| (user == "alice").then(|| String::from("secret"));
//! let relay = RelayServer::bind("127.0.0.1:0", RelayServerConfig::new(engine), users).await?;
//! assert_eq!(relay.uri().port(), Some(relay.local_addr().port()));
//! assert_eq!(relay.stats().connections, 0);
//! relay.shutdown().await;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::BytesMut;
use msrp_proto::relay::{ConnId, CredentialSource, PeerInfo, Relay, RelayConfig, RelayEvent};
use msrp_uri::{Scheme, Uri};
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::clock::Clock;
use crate::connect::{Io, open};
use crate::random::OsRandom;
use crate::{Config, Error};

/// How often the timer task looks at the engine's deadlines at least.
const TIMER_TICK: Duration = Duration::from_secs(1);

/// The configuration of a [`RelayServer`]: the engine's, and the driver's own.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RelayServerConfig {
    /// The engine's configuration: its URI (a port of 0 is replaced by the port bound),
    /// realm, AUTH policy and limits (connections, sessions, queued bytes per
    /// connection, ...).
    pub relay: RelayConfig,
    /// Accepted connections are TLS with this configuration (`msrps` relays).
    #[cfg(feature = "tls")]
    pub tls_server: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// Outgoing `msrps` connections (to next hops) use this configuration; without it,
    /// a next hop over TLS cannot be reached (the request fails with 408 and a failure
    /// REPORT, as for any unreachable hop).
    #[cfg(feature = "tls")]
    pub tls_client: Option<Arc<tokio_rustls::rustls::ClientConfig>>,
    /// Most bytes read from a connection at a time. The reader's buffer starts at 16 KiB
    /// and doubles up to this while reads fill it (a busy sender), and shrinks back when
    /// they do not, so an idle connection holds little. Default 256 KiB.
    pub read_size: usize,
    /// Most bytes gathered from the engine for one write. The writer's buffer is given
    /// back when it has nothing to write. Default 256 KiB.
    pub write_batch: usize,
    /// How long opening a connection to a next hop may take (TCP and TLS). Default 10 s.
    pub connect_timeout: Duration,
    /// How long an accepted TLS connection may take to finish its handshake. Default 10 s.
    pub handshake_timeout: Duration,
}

impl RelayServerConfig {
    /// The driver's defaults around the engine's configuration `relay`.
    pub fn new(relay: RelayConfig) -> RelayServerConfig {
        RelayServerConfig {
            relay,
            #[cfg(feature = "tls")]
            tls_server: None,
            #[cfg(feature = "tls")]
            tls_client: None,
            read_size: 256 * 1024,
            write_batch: 256 * 1024,
            connect_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// Figures of a running relay, from [`RelayServer::stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RelayStats {
    /// Transport connections open (accepted and opened to next hops).
    pub connections: usize,
    /// Live authorisations (Use-Path URIs).
    pub sessions: usize,
    /// Bytes the engine holds in its outgoing queues now.
    pub buffered_bytes: usize,
    /// The most bytes it has held.
    pub peak_buffered_bytes: usize,
    /// Connections accepted since the start.
    pub accepted: u64,
    /// Connections refused (over the connection limit, or a failed TLS handshake).
    pub refused: u64,
}

/// A running relay: see the module documentation.
#[derive(Debug)]
pub struct RelayServer {
    local_addr: SocketAddr,
    uri: Uri,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
    timer: JoinHandle<()>,
    reports: Option<mpsc::Receiver<RelayEvent>>,
}

/// Reports kept for [`RelayServer::reports`] before the oldest unread are dropped.
const REPORTS: usize = 1024;

impl Drop for RelayServer {
    fn drop(&mut self) {
        self.accept.abort();
        self.timer.abort();
        self.shared.close_all();
    }
}

type Engine = Relay<OsRandom, Credentials>;

/// The application's credential source, behind one type.
struct Credentials(Box<dyn CredentialSource + Send>);

impl CredentialSource for Credentials {
    fn password(&self, username: &str, realm: &str) -> Option<String> {
        self.0.password(username, realm)
    }
}

/// What the tasks share.
struct Shared {
    core: Mutex<Core>,
    clock: Clock,
    config: RelayServerConfig,
    /// Outgoing connections use it (TLS client configuration).
    connect_config: Config,
    /// One permit per connection the engine may hold (accepted or being handshaken).
    permits: Arc<Semaphore>,
    /// Set when the relay shuts down: no new connections.
    closing: AtomicBool,
    /// Where reports go (bounded: when no one reads them, new ones are dropped).
    reports: mpsc::Sender<RelayEvent>,
    /// Signalled each time a connection's tasks end (a descriptor and a slot are free).
    conn_ended: Notify,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

struct Core {
    relay: Engine,
    conns: HashMap<ConnId, Arc<Ctl>>,
    next_id: u64,
    accepted: u64,
    refused: u64,
}

/// The reader may read.
const READ: u8 = 0;
/// The engine said [`RelayEvent::StopReading`].
const STOPPED: u8 = 1;
/// The connection is closing: the reader ends.
const CLOSED: u8 = 2;

/// How the engine's events reach a connection's tasks.
struct Ctl {
    /// The writer: the engine has bytes for it, or it is to close.
    wake: Notify,
    /// The reader's gate: `READ`, `STOPPED` or `CLOSED`. A watch (a state, not a wake-up)
    /// so that no change is lost to a reader busy in a read when it happens.
    gate: watch::Sender<u8>,
    /// The engine asked to close it ([`RelayEvent::Close`]) or the relay shuts down.
    close: AtomicBool,
}

impl Ctl {
    fn new() -> Ctl {
        Ctl {
            wake: Notify::new(),
            gate: watch::channel(READ).0,
            close: AtomicBool::new(false),
        }
    }

    fn close(&self) {
        self.close.store(true, Ordering::Release);
        self.wake.notify_one();
        self.gate.send_replace(CLOSED);
    }

    /// Moves the gate from `from` to `to` (never out of `CLOSED`).
    fn set_gate(&self, from: u8, to: u8) {
        self.gate.send_if_modified(|g| {
            let change = *g == from;
            if change {
                *g = to;
            }
            change
        });
    }
}

impl RelayServer {
    /// Listens on `addr` and serves as the relay `config.relay` describes, with
    /// `credentials` for AUTH (a closure `|user, realm| -> Option<String>` will do).
    pub async fn bind<C>(
        addr: impl ToSocketAddrs,
        mut config: RelayServerConfig,
        credentials: C,
    ) -> Result<RelayServer, Error>
    where
        C: CredentialSource + Send + 'static,
    {
        let tcp = TcpListener::bind(addr).await?;
        let local_addr = tcp.local_addr()?;
        if config.relay.uri.port() == Some(0) {
            config.relay.uri = with_port(&config.relay.uri, local_addr.port())?;
        }
        let uri = config.relay.uri.clone();
        let clock = Clock::new();
        let credentials = Credentials(Box::new(credentials));
        let relay = Relay::new(
            config.relay.clone(),
            OsRandom::new(),
            credentials,
            clock.now(),
        );
        #[allow(unused_mut)]
        let mut connect_config = Config::default();
        #[cfg(feature = "tls")]
        if let Some(c) = config.tls_client.clone() {
            connect_config = connect_config.tls_client(c);
        }
        let permits = Arc::new(Semaphore::new(config.relay.max_connections));
        let (reports, reports_rx) = mpsc::channel(REPORTS);
        let shared = Arc::new(Shared {
            core: Mutex::new(Core {
                relay,
                conns: HashMap::new(),
                next_id: 1,
                accepted: 0,
                refused: 0,
            }),
            clock,
            config,
            connect_config,
            permits,
            closing: AtomicBool::new(false),
            reports,
            conn_ended: Notify::new(),
        });
        let span = tracing::info_span!("msrp.relay", uri = %uri.as_str());
        let accept = tokio::spawn(accept_loop(tcp, shared.clone()).instrument(span.clone()));
        let timer = tokio::spawn(timer_loop(shared.clone()).instrument(span));
        tracing::info!(uri = %uri.as_str(), addr = %local_addr, "relay listening");
        Ok(RelayServer {
            local_addr,
            uri,
            shared,
            accept,
            timer,
            reports: Some(reports_rx),
        })
    }

    /// What the relay reports, once (later calls give `None`): authorisations given,
    /// refused and ended, requests refused, connections it closes or opens to next hops
    /// ([`RelayEvent`]s other than the back-pressure ones). At most 1024 unread are kept;
    /// later ones are dropped until the receiver catches up (tracing logs them all).
    pub fn reports(&mut self) -> Option<mpsc::Receiver<RelayEvent>> {
        self.reports.take()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The relay's URI: what clients send their AUTH to.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// Figures of the moment.
    pub fn stats(&self) -> RelayStats {
        let core = self.shared.lock();
        RelayStats {
            connections: core.relay.connections(),
            sessions: core.relay.sessions(),
            buffered_bytes: core.relay.buffered_bytes(),
            peak_buffered_bytes: core.relay.peak_buffered_bytes(),
            accepted: core.accepted,
            refused: core.refused,
        }
    }

    /// Stops accepting, closes every connection (after writing what the engine holds for
    /// it, for at most two seconds) and returns.
    pub async fn shutdown(self) {
        self.accept.abort();
        self.shared.close_all();
        let drained = async {
            loop {
                // Registered before looking, so an end between the look and the wait
                // is not missed.
                let mut ended = std::pin::pin!(self.shared.conn_ended.notified());
                ended.as_mut().enable();
                if self.shared.lock().conns.is_empty() {
                    break;
                }
                ended.await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), drained).await;
        tracing::info!("relay stopped");
    }
}

/// `uri` with another port.
fn with_port(uri: &Uri, port: u16) -> Result<Uri, Error> {
    Uri::builder(uri.scheme(), uri.host())
        .port(port)
        .transport(uri.transport())
        .build()
        .map_err(|_| Error::Unsupported {
            uri: uri.as_str().to_owned(),
            reason: "no URI can be made with the port bound",
        })
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Core> {
        // A task that panicked while holding the lock leaves the engine as it was between
        // two calls; serving on is better than failing every connection.
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn close_all(&self) {
        self.closing.store(true, Ordering::Release);
        for ctl in self.lock().conns.values() {
            ctl.close();
        }
    }
}

impl Core {
    /// Acts on what the engine asks after a call: connections to open, reading to stop
    /// or resume, connections to close, writers to wake.
    fn dispatch(&mut self, shared: &Arc<Shared>) {
        while let Some(ev) = self.relay.poll_event() {
            if !matches!(
                ev,
                RelayEvent::StopReading { .. } | RelayEvent::ResumeReading { .. }
            ) {
                let _ = shared.reports.try_send(ev.clone());
            }
            match ev {
                RelayEvent::Connect { conn, uri } => {
                    let span = tracing::info_span!("msrp.relay.conn", %conn, peer = %uri.as_str());
                    tokio::spawn(connect(shared.clone(), conn, uri).instrument(span));
                }
                RelayEvent::StopReading { conn } => {
                    tracing::trace!(%conn, "stop reading");
                    if let Some(c) = self.conns.get(&conn) {
                        c.set_gate(READ, STOPPED);
                    }
                }
                RelayEvent::ResumeReading { conn } => {
                    tracing::trace!(%conn, "resume reading");
                    if let Some(c) = self.conns.get(&conn) {
                        c.set_gate(STOPPED, READ);
                    }
                }
                RelayEvent::Close { conn, cause } => {
                    tracing::debug!(%conn, ?cause, "closing");
                    if let Some(c) = self.conns.get(&conn) {
                        c.close();
                    }
                }
                RelayEvent::Authorized {
                    conn,
                    username,
                    uri,
                    expires,
                } => tracing::info!(%conn, %username, uri = %uri.as_str(), expires, "authorized"),
                RelayEvent::AuthRefused { conn, reason } => {
                    tracing::info!(%conn, ?reason, "AUTH refused");
                }
                RelayEvent::AuthorizationEnded { conn, uri, reason } => {
                    tracing::info!(%conn, uri = %uri.as_str(), ?reason, "authorization ended");
                }
                RelayEvent::Refused { conn, code } => tracing::debug!(%conn, code, "refused"),
                other => tracing::debug!(event = ?other, "relay event"),
            }
        }
        while let Some(conn) = self.relay.poll_ready() {
            if let Some(c) = self.conns.get(&conn) {
                c.wake.notify_one();
            }
        }
    }
}

async fn accept_loop(tcp: TcpListener, shared: Arc<Shared>) {
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of descriptors and the like: accept again once one of ours has
                // closed, or after a second if none does (the descriptors may be
                // another's), rather than spin.
                tracing::warn!(error = %e, "accept failed");
                let ended = shared.conn_ended.notified();
                let _ = tokio::time::timeout(Duration::from_secs(1), ended).await;
                continue;
            }
        };
        let Ok(permit) = shared.permits.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "over the connection limit: refused");
            shared.lock().refused += 1;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let span = tracing::info_span!("msrp.relay.conn", %peer);
        tokio::spawn(
            async move {
                let Some(io) = handshake(&shared, stream).await else {
                    shared.lock().refused += 1;
                    return;
                };
                let mut core = shared.lock();
                let id = ConnId(core.next_id);
                core.next_id += 1;
                let info = PeerInfo::new()
                    .remote(peer.ip().to_string(), peer.port())
                    .secure(is_tls(&shared));
                let now = shared.clock.now();
                if let Err(e) = core.relay.connection_opened(now, id, info) {
                    tracing::debug!(error = %e, "refused");
                    core.refused += 1;
                    return;
                }
                core.accepted += 1;
                tracing::debug!(conn = %id, "accepted");
                start(&shared, &mut core, id, io, permit);
            }
            .instrument(span),
        );
    }
}

#[cfg(feature = "tls")]
fn is_tls(shared: &Shared) -> bool {
    shared.config.tls_server.is_some()
}

#[cfg(not(feature = "tls"))]
fn is_tls(_: &Shared) -> bool {
    false
}

/// The TLS handshake of an accepted connection, if the relay is TLS.
async fn handshake(shared: &Shared, stream: TcpStream) -> Option<Box<dyn Io>> {
    #[cfg(feature = "tls")]
    if let Some(server) = shared.config.tls_server.clone() {
        let acceptor = tokio_rustls::TlsAcceptor::from(server);
        let t = shared.config.handshake_timeout;
        return match tokio::time::timeout(t, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => Some(Box::new(tls)),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                None
            }
            Err(_) => {
                tracing::debug!("TLS handshake timed out");
                None
            }
        };
    }
    let _ = shared;
    Some(Box::new(stream))
}

/// Opens the connection the engine asked for.
async fn connect(shared: Arc<Shared>, conn: ConnId, uri: Uri) {
    let permit = shared.permits.clone().try_acquire_owned().ok();
    let opened = match permit {
        None => None,
        Some(_) if shared.closing.load(Ordering::Acquire) => None,
        Some(_) => {
            let t = shared.config.connect_timeout;
            match tokio::time::timeout(t, open(&uri, &shared.connect_config)).await {
                Ok(Ok((io, _))) => Some(io),
                Ok(Err(e)) => {
                    tracing::info!(error = %e, "connecting to the next hop failed");
                    None
                }
                Err(_) => {
                    tracing::info!("connecting to the next hop timed out");
                    None
                }
            }
        }
    };
    let mut core = shared.lock();
    let now = shared.clock.now();
    match (opened, permit) {
        (Some(io), Some(permit)) => {
            let port = uri.port().unwrap_or(crate::DEFAULT_PORT);
            let info = PeerInfo::new()
                .remote(uri.host_str(), port)
                .secure(uri.scheme() == Scheme::Msrps);
            if core.relay.connection_opened(now, conn, info).is_ok() {
                start(&shared, &mut core, conn, io, permit);
                return;
            }
            core.relay.connect_failed(now, conn);
        }
        _ => core.relay.connect_failed(now, conn),
    }
    core.dispatch(&shared);
}

/// Starts the reader and writer of a connection the engine has just opened.
fn start(
    shared: &Arc<Shared>,
    core: &mut Core,
    id: ConnId,
    io: Box<dyn Io>,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    let ctl = Arc::new(Ctl::new());
    if shared.closing.load(Ordering::Acquire) {
        ctl.close();
    }
    core.conns.insert(id, ctl.clone());
    let (rd, wr) = tokio::io::split(io);
    let reader = tokio::spawn(read_loop(shared.clone(), id, ctl.clone(), rd).in_current_span());
    tokio::spawn(write_loop(shared.clone(), id, ctl, wr, reader, permit).in_current_span());
    // What was queued for it before it opened (an outgoing connection), or an answer due.
    core.dispatch(shared);
}

/// The reader's first and smallest buffer.
const MIN_READ: usize = 16 * 1024;

/// How long a reader or writer keeps a large buffer with nothing to read or write.
const IDLE: Duration = Duration::from_secs(1);

async fn read_loop(shared: Arc<Shared>, id: ConnId, ctl: Arc<Ctl>, mut rd: ReadHalf<Box<dyn Io>>) {
    let size = shared.config.read_size.max(1);
    let mut want = MIN_READ.min(size);
    let mut buf = BytesMut::new();
    let mut gate = ctl.gate.subscribe();
    loop {
        let state = *gate.borrow_and_update();
        match state {
            READ => {}
            STOPPED => {
                if gate.changed().await.is_err() {
                    break;
                }
                continue;
            }
            _ => break,
        }
        buf.clear();
        if buf.capacity() > 2 * want {
            // Reads got small: give the large buffer back.
            buf = BytesMut::new();
        }
        buf.reserve(want);
        // A large buffer is given back when the peer goes quiet for a second, so that
        // connections idle after a burst hold little (no timer at the smallest size).
        let large = buf.capacity() > MIN_READ;
        let quiet = async {
            if large {
                tokio::time::sleep(IDLE).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let n = tokio::select! {
            r = rd.read_buf(&mut buf) => match r {
                Ok(n) => n,
                Err(e) => {
                    tracing::debug!(error = %e, "read failed");
                    0
                }
            },
            changed = gate.changed() => match changed {
                Ok(()) => continue,
                Err(_) => break,
            },
            () = quiet => {
                // Nothing was read (read_buf takes bytes only when it completes).
                want = MIN_READ.min(size);
                buf = BytesMut::new();
                continue;
            }
        };
        let mut core = shared.lock();
        let now = shared.clock.now();
        if n == 0 {
            tracing::debug!("peer closed");
            core.relay.connection_closed(now, id);
            core.dispatch(&shared);
            break;
        }
        core.relay.handle_input(now, id, &buf);
        core.dispatch(&shared);
        drop(core);
        // A read that filled the buffer: more is waiting, read more at once next time;
        // one far from it: a slow or idle peer.
        if n >= want {
            want = (want * 2).min(size);
        } else if n < want / 4 {
            want = (want / 2).max(MIN_READ.min(size));
        }
    }
    ctl.close();
}

async fn write_loop(
    shared: Arc<Shared>,
    id: ConnId,
    ctl: Arc<Ctl>,
    mut wr: WriteHalf<Box<dyn Io>>,
    reader: JoinHandle<()>,
    _permit: tokio::sync::OwnedSemaphorePermit,
) {
    let batch = shared.config.write_batch.max(1);
    let mut buf = BytesMut::new();
    'run: loop {
        // The buffer is kept while the connection is busy; one idle for a second gives
        // it back, so that idle connections hold none.
        if tokio::time::timeout(IDLE, ctl.wake.notified())
            .await
            .is_err()
        {
            buf = BytesMut::new();
            ctl.wake.notified().await;
        }
        loop {
            {
                let mut core = shared.lock();
                let now = shared.clock.now();
                while buf.len() < batch {
                    if core.relay.poll_transmit_conn(now, id, &mut buf).is_none() {
                        break;
                    }
                }
                core.dispatch(&shared);
            }
            if buf.is_empty() {
                break;
            }
            if let Err(e) = wr.write_all(&buf).await {
                tracing::debug!(error = %e, "write failed");
                break 'run;
            }
            buf.clear();
        }
        if ctl.close.load(Ordering::Acquire) {
            let _ = tokio::time::timeout(Duration::from_secs(1), wr.shutdown()).await;
            break;
        }
    }
    reader.abort();
    let mut core = shared.lock();
    core.relay.connection_closed(shared.clock.now(), id);
    core.conns.remove(&id);
    core.dispatch(&shared);
    drop(core);
    shared.conn_ended.notify_waiters();
    tracing::debug!("closed");
}

async fn timer_loop(shared: Arc<Shared>) {
    loop {
        let next = shared.lock().relay.poll_timeout();
        let tick = tokio::time::Instant::now() + TIMER_TICK;
        let at = next.map_or(tick, |t| shared.clock.deadline(t).min(tick));
        tokio::time::sleep_until(at).await;
        let mut core = shared.lock();
        core.relay.handle_timeout(shared.clock.now());
        core.dispatch(&shared);
    }
}
