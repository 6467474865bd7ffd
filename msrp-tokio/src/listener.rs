//! The passive side: a listening socket whose connections bind the sessions it offers
//! (RFC 4975 section 5.4).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use msrp_proto::connection::{Connection, DuplicateSession, SessionConfig, SessionTable};
use msrp_uri::{Scheme, Transport, Uri};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::clock::Clock;
use crate::connect::local_uri_on;
use crate::driver::{Driver, ListenerLink};
use crate::random::OsRandom;
use crate::{Config, Error, Incoming, Session};

/// A listening endpoint. It offers sessions ([`Listener::offer`]); each accepted connection
/// is bound to the session its first request names, and the session comes out of
/// [`Listener::accept`]. A request for no offered session gets 481, one for a session
/// bound to another connection 506. When a connection closes, its sessions can be bound
/// again by the next one (so one offered URI serves one peer after another).
#[derive(Debug)]
pub struct Listener {
    local_addr: SocketAddr,
    scheme: Scheme,
    /// WebSocket connections (RFC 7977), offering `;ws` URIs.
    websocket: bool,
    table: Arc<Mutex<SessionTable>>,
    accepted: mpsc::UnboundedReceiver<(Session, Incoming)>,
    task: JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Connections already accepted go on; no new ones are taken.
        self.task.abort();
    }
}

impl Listener {
    /// Listens on `addr`. With [`Config::tls_server`], connections are TLS and offered
    /// URIs are `msrps`.
    pub async fn bind(addr: impl ToSocketAddrs, config: Config) -> Result<Listener, Error> {
        Listener::start(addr, config, false).await
    }

    /// Listens on `addr` for MSRP over WebSocket (RFC 7977): each accepted connection
    /// (TLS first with [`Config::tls_server`], `wss`) must complete a WebSocket handshake
    /// that offers the `msrp` subprotocol, which is selected; one that does not is refused
    /// with 400 (section 4.1). Connections use WebSocket framing, one chunk per WebSocket
    /// message (section 5.1; see [`crate::ws`] for the chunk size), and
    /// [`Listener::new_uri`] makes `;ws` URIs. Any request path is accepted.
    #[cfg(feature = "ws")]
    pub async fn bind_ws(addr: impl ToSocketAddrs, mut config: Config) -> Result<Listener, Error> {
        config.connection = crate::ws::websocket_config(config.connection);
        Listener::start(addr, config, true).await
    }

    async fn start(
        addr: impl ToSocketAddrs,
        config: Config,
        websocket: bool,
    ) -> Result<Listener, Error> {
        let tcp = TcpListener::bind(addr).await?;
        let local_addr = tcp.local_addr()?;
        #[cfg(feature = "tls")]
        let scheme = if config.tls_server.is_some() {
            Scheme::Msrps
        } else {
            Scheme::Msrp
        };
        #[cfg(not(feature = "tls"))]
        let scheme = Scheme::Msrp;
        let table = Arc::new(Mutex::new(SessionTable::new()));
        let (tx, accepted) = mpsc::unbounded_channel();
        let task = tokio::spawn(accept_loop(tcp, config, table.clone(), tx, websocket));
        Ok(Listener {
            local_addr,
            scheme,
            websocket,
            table,
            accepted,
            task,
        })
    }

    /// The socket's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A new URI for a session on this listener: its address and a random session id,
    /// to put in an SDP `a=path` and then [`Listener::offer`]. Its transport is `ws` on a
    /// WebSocket listener, `tcp` otherwise.
    pub fn new_uri(&self) -> Result<Uri, Error> {
        let transport = if self.websocket {
            Transport::Ws
        } else {
            Transport::Tcp
        };
        local_uri_on(
            self.scheme,
            transport,
            self.local_addr,
            &mut OsRandom::new(),
        )
    }

    /// Offers a session: the first connection whose request names `config.local_uri`
    /// gets it (use [`Config::session`] to make one with the listener's settings).
    pub fn offer(&self, config: SessionConfig) -> Result<(), DuplicateSession> {
        self.table
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(config)
    }

    /// Withdraws an offered session (its SDP session ended).
    pub fn withdraw(&self, local_uri: &Uri) -> bool {
        self.table
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(local_uri)
            .is_some()
    }

    /// The next session a connection bound; `None` once the listener stopped.
    pub async fn accept(&mut self) -> Option<(Session, Incoming)> {
        self.accepted.recv().await
    }
}

async fn accept_loop(
    tcp: TcpListener,
    config: Config,
    table: Arc<Mutex<SessionTable>>,
    accepted: mpsc::UnboundedSender<(Session, Incoming)>,
    websocket: bool,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let ended = Arc::new(tokio::sync::Notify::new());
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of descriptors and the like: accept again once one of ours has
                // ended, or after a second if none does (the descriptors may be
                // another's), rather than spin.
                tracing::warn!(error = %e, "accept failed");
                let _ =
                    tokio::time::timeout(std::time::Duration::from_secs(1), ended.notified()).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "over the connection limit: closed");
            continue;
        };
        let slot = Slot {
            _permit: permit,
            ended: ended.clone(),
        };
        let _ = stream.set_nodelay(true);
        let link = ListenerLink {
            table: table.clone(),
            accepted: accepted.clone(),
        };
        let config = config.clone();
        let span = tracing::info_span!("msrp.connection", peer = %peer);
        tokio::spawn(
            async move {
                let _slot = slot;
                #[cfg(feature = "tls")]
                if let Some(server) = config.tls_server.clone() {
                    let acceptor = tokio_rustls::TlsAcceptor::from(server);
                    let handshake = tokio::time::timeout(
                        std::time::Duration::from_secs(10),
                        acceptor.accept(stream),
                    );
                    match handshake.await {
                        Ok(Ok(tls)) => open(tls, &config, link, websocket).await,
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                    return;
                }
                open(stream, &config, link, websocket).await;
            }
            .instrument(span),
        );
    }
}

/// A connection's place under [`Config::max_connections`]: given back, and an accept
/// waiting for descriptors woken, when the connection's task ends (however it ends).
struct Slot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    ended: Arc<tokio::sync::Notify>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.ended.notify_waiters();
    }
}

/// Serves an accepted connection, after the WebSocket handshake on a WebSocket listener.
async fn open<T>(io: T, config: &Config, link: ListenerLink, websocket: bool)
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    #[cfg(feature = "ws")]
    if websocket {
        match crate::ws::accept(io, config).await {
            Ok(ws) => serve(ws, config, link).await,
            Err(e) => tracing::debug!(error = %e, "WebSocket handshake failed"),
        }
        return;
    }
    // Only a WebSocket listener says so, and only with the feature.
    debug_assert!(!websocket);
    serve(io, config, link).await;
}

async fn serve<T>(io: T, config: &Config, link: ListenerLink)
where
    T: AsyncRead + AsyncWrite + Send + 'static,
{
    let clock = Clock::new();
    let conn = Connection::new(config.connection, OsRandom::new(), clock.now());
    let (driver, commands) = Driver::new(conn, clock, Some(link));
    if let Err(e) = driver.run(io, commands).await {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
