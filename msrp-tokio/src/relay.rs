//! Sessions through an MSRP relay (RFC 4976): connect to the relay, authenticate with
//! AUTH (the core's Digest client), then bind a session whose To-Path starts with the
//! Use-Path the relay gave, or wait for peers that reach this side through the relay.

use std::net::SocketAddr;

use bytes::BytesMut;
use msrp_proto::auth::Credentials;
use msrp_proto::connection::{AuthConfig, AuthFailure, CloseReason, Connection, Event};
use msrp_uri::{Path, Scheme, Uri};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::clock::Clock;
use crate::connect::{Io, local_uri, open};
use crate::driver::{Binding, Driver};
use crate::random::OsRandom;
use crate::{Config, Error, Incoming, Session};

/// A relay to go through, and the credentials for its AUTH (RFC 4976 section 5).
#[derive(Debug, Clone)]
pub struct Relay {
    /// The relay's URI (`msrp://relay.example.com:2855;tcp`, `msrps://...` over TLS).
    pub uri: Uri,
    /// The user name and password the relay knows.
    pub credentials: Credentials,
    /// How long to ask the authorisation to last, in seconds (`None`: the relay decides);
    /// it is renewed before it expires while the connection lasts.
    pub expires: Option<u32>,
}

impl Relay {
    /// The relay at `uri`, with `credentials`.
    pub fn new(uri: Uri, credentials: Credentials) -> Relay {
        Relay {
            uri,
            credentials,
            expires: None,
        }
    }
}

/// A session that waits for peers reaching this side through a relay ([`attach`]).
#[derive(Debug)]
pub struct Attached {
    /// The session's handle (its To-Path is learnt from the first request that comes).
    pub session: Session,
    /// What arrives for it.
    pub incoming: Incoming,
    /// The path to advertise in the SDP `a=path`: the relay's Use-Path (reversed), then
    /// this side's URI (RFC 4976 section 5.1).
    pub path: Path,
}

/// Connects to `relay`, authenticates, and binds a session to the peer's path `to`
/// (its `a=path`, which starts with the peer's own relays, if any): the session's
/// To-Path is the Use-Path, then `to` (RFC 4976 section 5.1). Returns once the session
/// is bound (the binding SEND answered).
pub async fn connect_via(
    relay: &Relay,
    to: &Path,
    config: &Config,
) -> Result<(Session, Incoming), Error> {
    let (io, conn, clock, me, use_path, span) = authenticated(relay, config).await?;
    let mut conn = conn;
    let session_config = config.session(me, to.clone()).relays(&use_path);
    let id = conn.add_session(session_config);
    let keepalive = conn.send_keepalive(clock.now(), id)?;
    let (mut driver, commands) = Driver::new(conn, clock, None);
    let handles = driver.handle(id).ok_or(Error::Closed(None))?;
    let (reply, bound) = oneshot::channel();
    driver.set_binding(Binding { keepalive, reply });
    spawn(driver, io, commands, span);
    bound.await.map_err(|_| Error::Closed(None))??;
    Ok(handles)
}

/// Connects to `relay`, authenticates, and opens a session for peers that reach this side
/// through it: give [`Attached::path`] to them (in the SDP), and they send to it. The
/// session takes its To-Path from the first request that arrives; until then it has no
/// peer, and a message sent on it goes to the relay alone (which refuses or drops it):
/// wait for the first [`Received`](crate::Received) before sending.
pub async fn attach(relay: &Relay, config: &Config) -> Result<Attached, Error> {
    let (io, mut conn, clock, me, use_path, span) = authenticated(relay, config).await?;
    // Until a peer writes, the session's To-Path is the relay: nothing is sent on it.
    let session_config = config
        .session(me, use_path.clone())
        .relays(&use_path)
        .learn_to_path(true);
    let path = session_config.local_path();
    let id = conn.add_session(session_config);
    let (mut driver, commands) = Driver::new(conn, clock, None);
    let (session, incoming) = driver.handle(id).ok_or(Error::Closed(None))?;
    spawn(driver, io, commands, span);
    Ok(Attached {
        session,
        incoming,
        path,
    })
}

fn spawn(
    driver: Driver,
    io: Box<dyn Io>,
    commands: tokio::sync::mpsc::UnboundedReceiver<crate::command::Command>,
    span: tracing::Span,
) {
    tokio::spawn(
        async move {
            if let Err(e) = driver.run(io, commands).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        .instrument(span),
    );
}

type Authenticated = (
    Box<dyn Io>,
    Connection<OsRandom>,
    Clock,
    Uri,
    Path,
    tracing::Span,
);

/// Opens the connection to the relay and runs AUTH on it to its end: the connection (with
/// the AUTH's refresh timer in it), this side's URI and the Use-Path.
async fn authenticated(relay: &Relay, config: &Config) -> Result<Authenticated, Error> {
    let (mut io, local) = open(&relay.uri, config).await?;
    let span = tracing::info_span!("msrp.connection", relay = %relay.uri.as_str(), local = %local);
    // The relay routes by address (Kamailio does): this side's URI is the address the
    // connection comes from.
    let scheme = if relay.uri.scheme() == Scheme::Msrps {
        Scheme::Msrps
    } else {
        Scheme::Msrp
    };
    let me = local_uri(scheme, local, &mut OsRandom::new())?;
    let clock = Clock::new();
    let mut conn = Connection::new(config.connection, OsRandom::new(), clock.now());
    let mut auth = AuthConfig::new(relay.uri.clone(), me.clone(), relay.credentials.clone());
    auth.expires = relay.expires;
    let id = conn
        .authenticate(clock.now(), auth)
        .map_err(|e| Error::Auth {
            reason: e.to_string(),
            code: None,
        })?;
    let use_path = pump_auth(&mut io, &mut conn, &clock, local)
        .instrument(span.clone())
        .await?;
    tracing::debug!(parent: &span, ?id, use_path = %use_path, "authorized by the relay");
    Ok((io, conn, clock, me, use_path, span))
}

/// Writes and reads for `conn` until its AUTH ends; every byte read goes into `conn`
/// (what follows the 200 stays there for the session).
async fn pump_auth(
    io: &mut Box<dyn Io>,
    conn: &mut Connection<OsRandom>,
    clock: &Clock,
    local: SocketAddr,
) -> Result<Path, Error> {
    let mut out = BytesMut::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while conn.poll_transmit(clock.now(), &mut out).is_some() {
            io.write_all(&out).await?;
            out.clear();
        }
        io.flush().await?;
        while let Some(e) = conn.poll_event() {
            match e {
                Event::Authorized { use_path, .. } => return Ok(use_path),
                Event::AuthFailed { reason, .. } => return Err(auth_error(&reason)),
                Event::Closed { reason } => return Err(Error::Closed(Some(reason))),
                other => tracing::trace!(?other, %local, "event while authenticating"),
            }
        }
        let deadline = conn.poll_timeout().map(|t| clock.deadline(t));
        tokio::select! {
            n = io.read(&mut buf) => match n? {
                0 => conn.handle_close(clock.now(), CloseReason::PeerClosed),
                n => conn.handle_input(clock.now(), &buf[..n]),
            },
            () = sleep_until(deadline) => conn.handle_timeout(clock.now()),
        }
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn auth_error(reason: &AuthFailure) -> Error {
    let code = match reason {
        AuthFailure::Rejected(code) => Some(*code),
        AuthFailure::Unauthorized => Some(401),
        _ => None,
    };
    Error::Auth {
        reason: reason.to_string(),
        code,
    }
}
