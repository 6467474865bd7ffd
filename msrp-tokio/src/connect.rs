//! The active side: open a connection to a peer's path and bind a session to it.

use std::net::SocketAddr;

use msrp_proto::connection::Connection;
use msrp_proto::wire::random_id;
use msrp_uri::{Host, Path, Scheme, Transport, Uri};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::clock::Clock;
use crate::driver::{Binding, Driver};
use crate::random::OsRandom;
use crate::{Config, Error, Incoming, Session};

/// The port of an MSRP URI without one (RFC 4975 section 15.5, the IANA registration).
pub const DEFAULT_PORT: u16 = 2855;

/// Connects to the first hop of `to` (the peer's `a=path`, after any relays), binds a new
/// session to the connection with an empty SEND (RFC 4975 section 5.4), and returns its
/// handles once the peer took it. `msrps` URIs are reached over TLS (with
/// [`Config::tls_client`]).
///
/// With the `ws` feature, a first hop with the `ws` transport (RFC 7977 section 5.2.1) is
/// reached over WebSocket at `ws://HOST:PORT/` (`wss://` for `msrps`, or for the `wss`
/// transport some peers write), as `ws::connect_ws` does; a `.invalid` host is refused,
/// since a WebSocket server's URL comes from signaling (give it to `connect_ws`). Without
/// the feature, `ws` is an [`Error::Unsupported`].
///
/// This side's URI is `msrp://ADDR:PORT/ID;tcp`, with the socket's local address and a
/// random session id ([`Session::local_uri`]); over WebSocket,
/// `msrp://RANDOM.invalid:PORT/ID;ws`.
pub async fn connect(to: &Path, config: &Config) -> Result<(Session, Incoming), Error> {
    let first = to.first().ok_or(Error::Unsupported {
        uri: String::new(),
        reason: "the path is empty",
    })?;
    let unsupported = |reason| Error::Unsupported {
        uri: first.as_str().to_owned(),
        reason,
    };
    match first.transport() {
        Transport::Tcp => {}
        #[cfg(feature = "ws")]
        Transport::Ws | Transport::Wss => return crate::ws::connect_uri(first, to, config).await,
        #[cfg(not(feature = "ws"))]
        Transport::Ws | Transport::Wss => return Err(unsupported("ws needs the ws feature")),
        _ => return Err(unsupported("only the tcp and ws transports are supported")),
    }
    let (io, local) = open(first, config).await?;
    let span = tracing::info_span!("msrp.connection", peer = %first.as_str(), local = %local);
    bind(io, local, first.scheme(), to, config, span).await
}

/// A byte stream a connection task can own: TCP, or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Opens the transport of an MSRP connection to `uri` and hands over its bytes: TCP to
/// its host and port (2855 when absent), TLS over it for `msrps` (with
/// [`Config::tls_client`]). No session is made: for tools that write and read chunks
/// themselves (a conformance tester, a proxy), with [`crate::codec`] or their own parser.
/// Returns the stream and the local address it comes from.
///
/// # Errors
/// [`Error::Io`] when the connection fails, [`Error::Tls`] when the handshake does,
/// [`Error::Unsupported`] for an IPvFuture host or `msrps` without a TLS configuration.
pub async fn open_stream(uri: &Uri, config: &Config) -> Result<(Box<dyn Io>, SocketAddr), Error> {
    open(uri, config).await
}

/// Opens a TCP connection to `uri`'s host and port (TLS for `msrps`), with the local
/// address it comes from.
pub(crate) async fn open(uri: &Uri, config: &Config) -> Result<(Box<dyn Io>, SocketAddr), Error> {
    let unsupported = |reason| Error::Unsupported {
        uri: uri.as_str().to_owned(),
        reason,
    };
    let host = match uri.host() {
        Host::Ipv4(a) => a.to_string(),
        Host::Ipv6(a) => a.to_string(),
        Host::RegName(n) => n.to_owned(),
        Host::IpvFuture(_) => return Err(unsupported("an IPvFuture host")),
    };
    let port = uri.port().unwrap_or(DEFAULT_PORT);
    let tcp = TcpStream::connect((host.as_str(), port)).await?;
    tcp.set_nodelay(true)?;
    let local = tcp.local_addr()?;
    if uri.scheme() == Scheme::Msrps {
        #[cfg(feature = "tls")]
        {
            let client = config
                .tls_client
                .clone()
                .ok_or_else(|| unsupported("msrps needs Config::tls_client"))?;
            let name = rustls_pki_types::ServerName::try_from(host.clone())
                .map_err(|e| Error::Tls(format!("server name {host}: {e}")))?;
            let tls = tokio_rustls::TlsConnector::from(client)
                .connect(name, tcp)
                .await?;
            return Ok((Box::new(tls), local));
        }
        #[cfg(not(feature = "tls"))]
        {
            let _ = config;
            return Err(unsupported("msrps needs the tls feature"));
        }
    }
    Ok((Box::new(tcp), local))
}

/// This side's URI on a connection from `local`.
pub(crate) fn local_uri(
    scheme: Scheme,
    local: SocketAddr,
    rng: &mut OsRandom,
) -> Result<Uri, Error> {
    local_uri_on(scheme, Transport::Tcp, local, rng)
}

/// [`local_uri`] with another transport parameter.
pub(crate) fn local_uri_on(
    scheme: Scheme,
    transport: Transport<'_>,
    local: SocketAddr,
    rng: &mut OsRandom,
) -> Result<Uri, Error> {
    let id = random_id(rng);
    let host = match local.ip() {
        std::net::IpAddr::V4(a) => Host::Ipv4(a),
        std::net::IpAddr::V6(a) => Host::Ipv6(a),
    };
    Uri::builder(scheme, host)
        .port(local.port())
        .session_id(id.as_str())
        .transport(transport)
        .build()
        .map_err(|_| Error::Unsupported {
            uri: local.to_string(),
            reason: "no URI can be made for this address",
        })
}

async fn bind<T>(
    io: T,
    local: SocketAddr,
    scheme: Scheme,
    to: &Path,
    config: &Config,
    span: tracing::Span,
) -> Result<(Session, Incoming), Error>
where
    T: AsyncRead + AsyncWrite + Send + 'static,
{
    let me = local_uri(scheme, local, &mut OsRandom::new())?;
    bind_as(io, me, to, config, span).await
}

/// Binds a new session with this side's URI `local_uri` to the peer's path `to`, over a
/// transport the caller opened: what [`connect`] does once it has a connection, for
/// streams it cannot open itself (a TCP stream wrapped to record or shape its bytes, a
/// TLS or SOCKS stream set up by the application, an in-memory pipe in a test). Returns
/// once the peer took the session (its answer to the empty binding SEND, RFC 4975
/// section 5.4); the connection's task then owns `io` and closes it with the session.
///
/// `local_uri` is what the peer sees in From-Path, typically the `a=path` this side put
/// in its SDP (so it can be chosen before the connection exists, unlike [`connect`]'s).
/// TCP options such as `set_nodelay` are the caller's to set.
pub async fn connect_over<T>(
    io: T,
    local_uri: Uri,
    to: &Path,
    config: &Config,
) -> Result<(Session, Incoming), Error>
where
    T: AsyncRead + AsyncWrite + Send + 'static,
{
    let span = tracing::info_span!("msrp.connection", local = %local_uri.as_str());
    bind_as(io, local_uri, to, config, span).await
}

async fn bind_as<T>(
    io: T,
    me: Uri,
    to: &Path,
    config: &Config,
    span: tracing::Span,
) -> Result<(Session, Incoming), Error>
where
    T: AsyncRead + AsyncWrite + Send + 'static,
{
    let clock = Clock::new();
    let mut conn = Connection::new(config.connection, OsRandom::new(), clock.now());
    let id = conn.add_session(config.session(me, to.clone()));
    let keepalive = conn.send_keepalive(clock.now(), id)?;
    let (mut driver, commands) = Driver::new(conn, clock, None);
    let handles = driver.handle(id).ok_or(Error::Closed(None))?;
    let (reply, bound) = oneshot::channel();
    driver.set_binding(Binding { keepalive, reply });
    tokio::spawn(
        async move {
            if let Err(e) = driver.run(io, commands).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        .instrument(span),
    );
    bound.await.map_err(|_| Error::Closed(None))??;
    Ok(handles)
}
