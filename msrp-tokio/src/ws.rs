//! MSRP over WebSocket (RFC 7977), with tokio-tungstenite: the `ws` feature.
//!
//! - **Handshake** (RFC 7977 section 4.1): a client asks for the `msrp` subprotocol in
//!   `Sec-WebSocket-Protocol` and fails unless the server's 101 selects it
//!   ([`connect_ws`], and [`connect`](crate::connect) for `;ws` URIs); a listener made
//!   with [`Listener::bind_ws`](crate::Listener::bind_ws) refuses a handshake that does
//!   not offer it with 400 Bad Request and selects it otherwise.
//! - **Encoding** (section 4.2): text and binary messages are both accepted and their
//!   payloads read as bytes. A chunk is sent as a text message when it is valid UTF-8 (what
//!   a browser's WebSocket API hands its application as a string) and as a binary
//!   message otherwise: a text frame may carry UTF-8 only, so binary bodies, and chunks
//!   that cut a character in two, go in binary frames.
//! - **One chunk per message** (section 5.1): connections over WebSocket use
//!   [`Framing::WebSocket`], so each write of the connection's task is exactly one chunk,
//!   and [`WebSocketIo`] sends each write as one WebSocket message. Messages are cut into
//!   chunks of at most [`DEFAULT_MAX_CHUNK`] body bytes unless
//!   [`ConnectionConfig::framing`](crate::ConnectionConfig::framing) in the
//!   [`Config`] already says `Framing::WebSocket { max_chunk }`.
//! - **URIs** (section 5.2.1 and Appendix A): the transport parameter is `ws`. A client
//!   cannot know the address its WebSocket connection comes from as the peer sees it, so
//!   its own URI is `msrp://RANDOM.invalid:PORT/ID;ws` (`msrps` over `wss`), with a random
//!   host in the `.invalid` domain, the local port and a random session id; it is used
//!   in From-Path only, never to route anything to.
//! - **Security** (sections 5.1 and 9): RFC 7977 requires `wss` (TLS) for MSRP traffic
//!   over WebSocket; plain `ws` is offered for tests and for deployments where TLS ends
//!   in front of this process. `wss` checks the server's certificate with
//!   [`Config::tls_client`](crate::Config::tls_client), as RFC 6455 asks.
//!
//! - **Keepalive** (section 6): connections made here send a WebSocket Ping every
//!   [`Config::ws_keepalive`](crate::Config::ws_keepalive) ([`DEFAULT_KEEPALIVE`], 30 s),
//!   so that proxies do not take a quiet session for a dead one; the peer's pings are
//!   answered. Bodiless SENDs from the peer (its keepalive when it has no pings) are
//!   taken as any other request.
//!
//! Not done here: HTTP authentication and cookies in the handshake (section 7), and MSRP
//! relays (RFC 4976; the `AUTH` of section 5.3.1).
//!
//! Why [`connect_ws`] takes the WebSocket URL as an argument rather than from a
//! [`Config`] field: the URL is where one connection goes, learnt from signaling along
//! with the path it serves, while a [`Config`] is shared by every connection and by
//! listeners, for which such a field would mean nothing.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Sink, Stream};
use msrp_proto::connection::{ConnectionConfig, Framing};
use msrp_proto::wire::{RandomSource, random_id};
use msrp_uri::{Host, Path, Scheme, Transport, Uri};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
pub use tokio_tungstenite;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN, SEC_WEBSOCKET_PROTOCOL,
};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};

use crate::random::OsRandom;
use crate::{Config, Error, Incoming, Session};

/// The WebSocket subprotocol name for MSRP (RFC 7977 section 4.1 and its IANA
/// registration in section 10).
pub const SUBPROTOCOL: &str = "msrp";

/// Most body bytes per chunk, and so about the size of each WebSocket message, on a
/// WebSocket connection whose configuration does not set `Framing::WebSocket` itself:
/// 16 KiB. RFC 7977 sets no size; it asks servers to chunk large messages (section 5.1)
/// so that no WebSocket message has to hold a whole one. 16 KiB keeps each message
/// small for a browser to take while a few MiB still go in a few hundred chunks.
pub const DEFAULT_MAX_CHUNK: u64 = 16 * 1024;

/// Default for [`Config::ws_max_message`](crate::Config::ws_max_message): 1 MiB, well
/// above the chunks WebSocket clients send (this side sends [`DEFAULT_MAX_CHUNK`]), and
/// with [`crate::DEFAULT_MAX_CONNECTIONS`] connections at most 1 GiB held even if every
/// peer sent the largest message at once.
pub const DEFAULT_MAX_WS_MESSAGE: usize = 1 << 20;

/// What each WebSocket connection buffers: a read buffer of 8 KiB rather than
/// tungstenite's 128 KiB allocated up front (a listener with a thousand idle connections
/// would hold 250 MiB in them), writes sent as they come (each is one chunk, and the
/// connection's task already batches), and messages up to `config.ws_max_message`.
fn ws_config(config: &Config) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(config.ws_max_message))
        .max_frame_size(Some(config.ws_max_message))
}

/// Default for [`Config::ws_keepalive`](crate::Config::ws_keepalive): a Ping every 30
/// seconds (RFC 7977 section 6 recommends periodic pings and sets no interval; 30 s is
/// well under the idle timeouts of common proxies, often 60 s).
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(30);

/// How long a listener waits for a client's WebSocket handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A WebSocket connection as the byte stream the connection's task reads and writes,
/// for a connection with [`Framing::WebSocket`] (RFC 7977 section 5.1).
///
/// - Each `poll_write(buf)` sends `buf` as exactly one WebSocket message, a text
///   message if `buf` is UTF-8 and a binary one otherwise, and returns `buf.len()`: a
///   write is never partial. It may stay buffered until `poll_flush`.
/// - `poll_flush` flushes the WebSocket; `poll_shutdown` sends a Close frame and flushes.
/// - Each `poll_read` hands out the payload of one received text or binary message (the
///   rest of it in the following reads when the buffer is smaller); it never joins two
///   messages. Pings and pongs are skipped (tungstenite answers a ping as it reads), and
///   a Close frame or the end of the connection is the end of the stream.
/// - With [`WebSocketIo::keepalive`], a Ping goes out periodically while it is read from
///   (RFC 7977 section 6).
///
/// Use it with [`connect_over`](crate::connect_over) for a WebSocket connection set up by
/// the application (with the `msrp` subprotocol), with a [`Config`] whose connection
/// framing is `Framing::WebSocket` ([`websocket_config`]).
#[derive(Debug)]
pub struct WebSocketIo<S> {
    ws: WebSocketStream<S>,
    /// What remains of the message being read.
    rest: Bytes,
    /// A Close frame came, or the connection ended.
    eof: bool,
    /// How often to send a Ping, and its timer once reading started.
    keepalive: Option<Duration>,
    timer: Option<tokio::time::Interval>,
    /// A Ping was queued and is not flushed yet.
    ping_unflushed: bool,
}

impl<S> WebSocketIo<S> {
    /// Wraps an established WebSocket connection.
    pub fn new(ws: WebSocketStream<S>) -> WebSocketIo<S> {
        WebSocketIo {
            ws,
            rest: Bytes::new(),
            eof: false,
            keepalive: None,
            timer: None,
            ping_unflushed: false,
        }
    }

    /// Sends a WebSocket Ping every `every` (none for `None` or zero; RFC 7977 section 6).
    /// The timer runs while the connection is read from: the first Ping goes `every`
    /// after the first read.
    #[must_use]
    pub fn keepalive(mut self, every: Option<Duration>) -> WebSocketIo<S> {
        self.keepalive = every.filter(|d| !d.is_zero());
        self.timer = None;
        self
    }

    /// The WebSocket connection.
    pub fn get_ref(&self) -> &WebSocketStream<S> {
        &self.ws
    }

    /// The WebSocket connection back (what was read of a message and not handed out yet
    /// is lost).
    pub fn into_inner(self) -> WebSocketStream<S> {
        self.ws
    }
}

fn io_error(e: WsError) -> io::Error {
    match e {
        WsError::Io(e) => e,
        WsError::ConnectionClosed | WsError::AlreadyClosed => {
            io::Error::new(io::ErrorKind::BrokenPipe, e)
        }
        other => io::Error::new(io::ErrorKind::InvalidData, other),
    }
}

impl<S> WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// Sends a Ping when one is due, and flushes it; a full socket leaves it for later
    /// (the connection is not idle then).
    fn poll_keepalive(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let Some(every) = self.keepalive else {
            return Ok(());
        };
        let timer = self.timer.get_or_insert_with(|| {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        if timer.poll_tick(cx).is_ready() && !self.ping_unflushed {
            match Pin::new(&mut self.ws).poll_ready(cx) {
                Poll::Ready(Ok(())) => {
                    Pin::new(&mut self.ws)
                        .start_send(Message::Ping(Bytes::new()))
                        .map_err(io_error)?;
                    self.ping_unflushed = true;
                }
                Poll::Ready(Err(e)) => return Err(io_error(e)),
                Poll::Pending => {}
            }
        }
        if self.ping_unflushed {
            match Pin::new(&mut self.ws).poll_flush(cx) {
                Poll::Ready(Ok(())) => self.ping_unflushed = false,
                Poll::Ready(Err(e)) => return Err(io_error(e)),
                Poll::Pending => {}
            }
        }
        Ok(())
    }
}

impl<S> AsyncRead for WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if !this.rest.is_empty() {
                let n = this.rest.len().min(buf.remaining());
                buf.put_slice(&this.rest.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            if let Err(e) = this.poll_keepalive(cx) {
                this.eof = true;
                return Poll::Ready(Err(e));
            }
            match ready!(Pin::new(&mut this.ws).poll_next(cx)) {
                // An empty message carries nothing; reading on keeps it from looking
                // like the end of the stream.
                Some(Ok(Message::Binary(b))) => this.rest = b,
                Some(Ok(Message::Text(t))) => this.rest = Bytes::from(t),
                Some(Ok(Message::Close(_))) | None => this.eof = true,
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Err(e)) => {
                    this.eof = true;
                    return Poll::Ready(Err(io_error(e)));
                }
            }
        }
    }
}

impl<S> WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// Sends the bytes `make` gives (`len` of them) as one message once the WebSocket
    /// takes one: they are copied only then.
    fn send(
        &mut self,
        cx: &mut Context<'_>,
        len: usize,
        make: impl FnOnce() -> Bytes,
    ) -> Poll<io::Result<usize>> {
        if len == 0 {
            // No message: an empty one would carry no chunk.
            return Poll::Ready(Ok(0));
        }
        ready!(Pin::new(&mut self.ws).poll_ready(cx)).map_err(io_error)?;
        let bytes = make();
        let message = match Utf8Bytes::try_from(bytes.clone()) {
            Ok(text) => Message::Text(text),
            Err(_) => Message::Binary(bytes),
        };
        Pin::new(&mut self.ws)
            .start_send(message)
            .map_err(io_error)?;
        Poll::Ready(Ok(len))
    }
}

impl<S> AsyncWrite for WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .send(cx, buf.len(), || Bytes::copy_from_slice(buf))
    }

    /// All the slices as one message (one write is one message, vectored or not).
    /// `is_write_vectored` stays `false`: a writer that cuts its writes to a number of
    /// slices then hands each chunk over in one buffer, never in two messages.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().map(|b| b.len()).sum();
        self.get_mut().send(cx, len, || {
            let mut all = Vec::with_capacity(len);
            for b in bufs {
                all.extend_from_slice(b);
            }
            Bytes::from(all)
        })
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().ws)
            .poll_flush(cx)
            .map_err(io_error)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().ws)
            .poll_close(cx)
            .map_err(io_error)
    }
}

/// `c` for a WebSocket connection: [`Framing::WebSocket`] with [`DEFAULT_MAX_CHUNK`],
/// unless it already has WebSocket framing (its own `max_chunk` is kept).
pub fn websocket_config(c: ConnectionConfig) -> ConnectionConfig {
    match c.framing {
        Framing::WebSocket { .. } => c,
        _ => c.framing(Framing::WebSocket {
            max_chunk: DEFAULT_MAX_CHUNK,
        }),
    }
}

fn ws_error(what: impl std::fmt::Display, e: WsError) -> Error {
    match e {
        WsError::Http(response) => Error::WebSocket(format!(
            "{what}: the server refused the handshake with {}",
            response.status()
        )),
        WsError::Protocol(
            tokio_tungstenite::tungstenite::error::ProtocolError::SecWebSocketSubProtocolError(_),
        ) => not_msrp(what),
        WsError::Io(e) => Error::Io(e),
        other => Error::WebSocket(format!("{what}: {other}")),
    }
}

fn not_msrp(what: impl std::fmt::Display) -> Error {
    Error::WebSocket(format!(
        "{what}: the server did not select the msrp subprotocol (RFC 7977 section 4.1)"
    ))
}

/// Opens a WebSocket connection to `url` (`ws://` or `wss://`, learnt from signaling),
/// asking for the `msrp` subprotocol (RFC 7977 section 4.1), then binds a new session to
/// the peer's path `to` over it as [`connect`](crate::connect) does: the first hop of
/// `to` is typically the MSRP WebSocket server's URI, whose host may be anything (often
/// a `.invalid` name). `wss` checks the server with [`Config::tls_client`]. Connections
/// use [`Framing::WebSocket`] ([`websocket_config`]).
///
/// This side's URI is `msrp://RANDOM.invalid:PORT/ID;ws` (`msrps` over `wss`; RFC 7977
/// Appendix A), see [`Session::local_uri`].
///
/// Fails with [`Error::WebSocket`] when the server answers the handshake with another
/// status than 101 or does not select `msrp`.
pub async fn connect_ws(
    url: &str,
    to: &Path,
    config: &Config,
) -> Result<(Session, Incoming), Error> {
    let unsupported = |reason| Error::Unsupported {
        uri: url.to_owned(),
        reason,
    };
    let mut request = url
        .into_client_request()
        .map_err(|e| Error::WebSocket(format!("{url}: {e}")))?;
    request.headers_mut().insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let target = request.uri();
    let secure = match target.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("ws") => false,
        Some(s) if s.eq_ignore_ascii_case("wss") => true,
        _ => return Err(unsupported("a WebSocket URL is ws:// or wss://")),
    };
    let host = target
        .host()
        .ok_or_else(|| unsupported("the URL has no host"))?;
    // An IPv6 literal is bracketed in a URL, not in an address or a server name.
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_owned();
    let port = target.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let tcp = TcpStream::connect((host.as_str(), port)).await?;
    tcp.set_nodelay(true)?;
    let local = tcp.local_addr()?;
    let scheme = if secure { Scheme::Msrps } else { Scheme::Msrp };
    let me = invalid_uri(scheme, local.port(), &mut OsRandom::new())?;
    let mut config = config.clone();
    config.connection = websocket_config(config.connection);
    if secure {
        #[cfg(feature = "tls")]
        {
            let client = config
                .tls_client
                .clone()
                .ok_or_else(|| unsupported("wss needs Config::tls_client"))?;
            let name = rustls_pki_types::ServerName::try_from(host.clone())
                .map_err(|e| Error::Tls(format!("server name {host}: {e}")))?;
            let tls = tokio_rustls::TlsConnector::from(client)
                .connect(name, tcp)
                .await?;
            let ws = handshake(url, request, tls, &config)
                .await?
                .keepalive(config.ws_keepalive);
            return crate::connect_over(ws, me, to, &config).await;
        }
        #[cfg(not(feature = "tls"))]
        return Err(unsupported("wss needs the tls feature"));
    }
    let ws = handshake(url, request, tcp, &config)
        .await?
        .keepalive(config.ws_keepalive);
    crate::connect_over(ws, me, to, &config).await
}

/// The client's handshake on `io`; the server must select `msrp`.
async fn handshake<S>(
    url: &str,
    request: Request,
    io: S,
    config: &Config,
) -> Result<WebSocketIo<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (ws, response) =
        tokio_tungstenite::client_async_with_config(request, io, Some(ws_config(config)))
            .await
            .map_err(|e| ws_error(url, e))?;
    // tungstenite checks that a selected subprotocol was asked for; that it is there at
    // all is checked here too.
    let selected = response.headers().get(SEC_WEBSOCKET_PROTOCOL);
    if selected.is_none_or(|v| v.as_bytes() != SUBPROTOCOL.as_bytes()) {
        return Err(not_msrp(url));
    }
    Ok(WebSocketIo::new(ws))
}

/// [`connect`](crate::connect) for a first hop with the `ws` (or `wss`) transport: the
/// URL is the URI's host and port (`ws://HOST:PORT/`, `wss://` for `msrps` or `;wss`).
pub(crate) async fn connect_uri(
    first: &Uri,
    to: &Path,
    config: &Config,
) -> Result<(Session, Incoming), Error> {
    let unsupported = |reason| Error::Unsupported {
        uri: first.as_str().to_owned(),
        reason,
    };
    let host = match first.host() {
        Host::Ipv4(a) => a.to_string(),
        Host::Ipv6(a) => format!("[{a}]"),
        Host::RegName(n) if n.to_ascii_lowercase().ends_with(".invalid") => {
            return Err(unsupported(
                "a .invalid host cannot be connected to: use connect_ws with the WebSocket URL",
            ));
        }
        Host::RegName(n) => n.to_owned(),
        Host::IpvFuture(_) => return Err(unsupported("an IPvFuture host")),
    };
    let secure = first.scheme() == Scheme::Msrps || matches!(first.transport(), Transport::Wss);
    let port = first.port().unwrap_or(crate::DEFAULT_PORT);
    let url = format!("{}://{host}:{port}/", if secure { "wss" } else { "ws" });
    connect_ws(&url, to, config).await
}

/// `msrp://RANDOM.invalid:PORT/ID;ws` (RFC 7977 Appendix A; RFC 2606 for `.invalid`).
fn invalid_uri(scheme: Scheme, port: u16, rng: &mut OsRandom) -> Result<Uri, Error> {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut name = String::with_capacity(20);
    let mut pool = [0u8; 32];
    while name.len() < 12 {
        rng.fill_bytes(&mut pool);
        // 252 = 7 * 36: the rest is rejected so that each character is equally likely.
        for b in pool.iter().filter(|b| **b < 252) {
            if name.len() < 12 {
                name.push(char::from(ALPHABET[usize::from(*b % 36)]));
            }
        }
    }
    name.push_str(".invalid");
    let id = random_id(rng);
    Uri::builder(scheme, Host::RegName(&name))
        .port(port)
        .session_id(id.as_str())
        .transport(Transport::Ws)
        .build()
        .map_err(|_| Error::Unsupported {
            uri: name.clone(),
            reason: "no URI can be made for this host",
        })
}

/// The server's handshake on an accepted connection: `msrp` must be offered and is
/// selected; a handshake without it gets 400 (RFC 7977 section 4.1).
pub(crate) async fn accept<S>(io: S, config: &Config) -> Result<WebSocketIo<S>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // The callback's type is tungstenite's: its refusal is a whole HTTP response.
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, mut response: Response| {
        let offered = request
            .headers()
            .get_all(SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim() == SUBPROTOCOL);
        if !offered {
            let mut refusal = ErrorResponse::new(Some(
                "MSRP over WebSocket needs the msrp subprotocol (RFC 7977 section 4.1)\n".into(),
            ));
            *refusal.status_mut() = StatusCode::BAD_REQUEST;
            return Err(refusal);
        }
        let headers = response.headers_mut();
        headers.insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(SUBPROTOCOL),
        );
        // RFC 7977 section 7: say so for cross-origin clients (a listener does not
        // authorize by Origin).
        if let Some(origin) = request.headers().get(ORIGIN) {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        }
        Ok(response)
    };
    let handshake =
        tokio_tungstenite::accept_hdr_async_with_config(io, check, Some(ws_config(config)));
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
        Ok(Ok(ws)) => Ok(WebSocketIo::new(ws).keepalive(config.ws_keepalive)),
        Ok(Err(e)) => Err(ws_error("WebSocket handshake", e)),
        Err(_) => Err(Error::WebSocket("the WebSocket handshake timed out".into())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use futures_util::{SinkExt, StreamExt};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_tungstenite::tungstenite::protocol::Role;

    use super::*;

    async fn pair() -> (
        WebSocketIo<tokio::io::DuplexStream>,
        WebSocketStream<tokio::io::DuplexStream>,
    ) {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let ours = WebSocketStream::from_raw_socket(a, Role::Client, None).await;
        let theirs = WebSocketStream::from_raw_socket(b, Role::Server, None).await;
        (WebSocketIo::new(ours), theirs)
    }

    /// Runs a test body, failing it instead of hanging.
    async fn within<F: std::future::Future<Output = ()>>(f: F) {
        tokio::time::timeout(Duration::from_secs(15), f)
            .await
            .expect("the test timed out");
    }

    #[tokio::test]
    async fn large_message_is_read_in_parts_never_joined_with_the_next() {
        within(large_message_body()).await;
    }

    async fn large_message_body() {
        let (mut io, mut peer) = pair().await;
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let sender = tokio::spawn(async move {
            peer.send(Message::Binary(Bytes::from(big))).await.unwrap();
            peer.send(Message::Ping(Bytes::from_static(b"p")))
                .await
                .unwrap();
            peer.send(Message::Binary(Bytes::new())).await.unwrap();
            peer.send(Message::Text("second".into())).await.unwrap();
            peer.send(Message::Close(None)).await.unwrap();
            // Reads on so that the pong and the reply to the Close get through.
            while peer.next().await.is_some() {}
        });
        let mut buf = [0u8; 7000];
        let mut first = Vec::new();
        while first.len() < 300_000 {
            let n = io.read(&mut buf).await.unwrap();
            assert!(n > 0, "no end before the message's");
            first.extend_from_slice(&buf[..n]);
        }
        // The last read of the first message held only its rest.
        assert_eq!(first.len(), 300_000);
        assert!(first.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
        // The ping and the empty message are skipped; the text comes as its bytes.
        let n = io.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"second");
        // The Close frame ends the stream, for good.
        assert_eq!(io.read(&mut buf).await.unwrap(), 0);
        assert_eq!(io.read(&mut buf).await.unwrap(), 0);
        io.shutdown().await.unwrap();
        sender.await.unwrap();
    }

    #[tokio::test]
    async fn each_write_is_one_message_text_when_utf8() {
        within(each_write_body()).await;
    }

    async fn each_write_body() {
        let (mut io, mut peer) = pair().await;
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(m) = peer.next().await {
                got.push(m.unwrap());
            }
            got
        });
        let chunk = b"MSRP a SEND\r\nTo-Path: msrp://h/x;tcp\r\n-------a$\r\n";
        assert_eq!(io.write(chunk).await.unwrap(), chunk.len());
        let binary = [0xffu8, 0x00, b'M'];
        assert_eq!(io.write(&binary).await.unwrap(), 3);
        let parts = [io::IoSlice::new(b"ab"), io::IoSlice::new(b"cd")];
        assert_eq!(io.write_vectored(&parts).await.unwrap(), 4);
        let large = vec![b'x'; 200_000];
        assert_eq!(io.write(&large).await.unwrap(), large.len());
        assert_eq!(io.write(b"").await.unwrap(), 0);
        io.flush().await.unwrap();
        io.shutdown().await.unwrap();
        let got = reader.await.unwrap();
        assert_eq!(got.len(), 5, "four messages and the Close frame");
        assert_eq!(
            got[0],
            Message::Text(std::str::from_utf8(chunk).unwrap().into())
        );
        assert_eq!(got[1], Message::Binary(Bytes::copy_from_slice(&binary)));
        assert_eq!(got[2], Message::Text("abcd".into()));
        assert_eq!(got[3].len(), 200_000);
        assert!(got[4].is_close());
    }

    #[tokio::test]
    async fn keepalive_pings_while_reading_and_none_without() {
        within(async {
            let (io, mut peer) = pair().await;
            let mut io = io.keepalive(Some(Duration::from_millis(20)));
            let reading = tokio::spawn(async move {
                let mut buf = [0u8; 64];
                let n = io.read(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], b"done");
            });
            // Nothing is sent but the pings, two of them at least.
            for _ in 0..2 {
                let m = peer.next().await.unwrap().unwrap();
                assert!(m.is_ping(), "{m:?}");
            }
            peer.send(Message::Binary(Bytes::from_static(b"done")))
                .await
                .unwrap();
            reading.await.unwrap();

            // Without keepalive nothing comes.
            let (mut io, mut peer) = pair().await;
            let reading = tokio::spawn(async move {
                let mut buf = [0u8; 64];
                io.read(&mut buf).await.unwrap()
            });
            let quiet = tokio::time::timeout(Duration::from_millis(100), peer.next()).await;
            assert!(quiet.is_err(), "{quiet:?}");
            reading.abort();
        })
        .await;
    }

    #[test]
    fn client_uri_is_in_the_invalid_domain() {
        let uri = invalid_uri(Scheme::Msrps, 2855, &mut OsRandom::new()).unwrap();
        let s = uri.as_str();
        assert!(s.starts_with("msrps://"), "{s}");
        assert!(s.ends_with(";ws"), "{s}");
        assert!(uri.host_str().ends_with(".invalid"), "{s}");
        assert_eq!(uri.host_str().len(), 12 + ".invalid".len());
        assert_eq!(uri.port(), Some(2855));
        assert!(matches!(uri.transport(), Transport::Ws));
    }

    #[test]
    fn websocket_framing_is_set_and_kept() {
        let c = websocket_config(ConnectionConfig::default());
        assert_eq!(
            c.framing,
            Framing::WebSocket {
                max_chunk: DEFAULT_MAX_CHUNK
            }
        );
        let own = ConnectionConfig::default().framing(Framing::WebSocket { max_chunk: 100 });
        assert_eq!(websocket_config(own).framing, own.framing);
    }
}
