//! `msrp relay`: an MSRP relay (RFC 4976) on a socket, msrp-tokio's [`RelayServer`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use msrp_proto::relay::{RelayConfig, RelayEvent};
use msrp_tokio::relay_server::{RelayServer, RelayServerConfig, RelayStats};
use msrp_tokio::tls;
use msrp_tokio::uri::{Scheme, Uri};
use serde_json::json;

use crate::output::{event, say};
use crate::signals::stop_requested;
use crate::size::parse_size;
use crate::tls_opts::ServerTls;

/// Arguments of `msrp relay`.
#[derive(Debug, Args)]
#[command(after_help = RELAY_AFTER)]
pub(crate) struct RelayArgs {
    /// The address to listen on (port 0: any free port).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:2855")]
    listen: String,
    /// The relay's URI, as clients put it in the To-Path of their AUTH (default
    /// msrp://IP:PORT;tcp of the address bound, msrps:// with TLS).
    #[arg(long, value_name = "URI")]
    uri: Option<String>,
    #[command(flatten)]
    tls: ServerTls,
    /// Trust the certificates in this PEM file when opening msrps connections to next
    /// hops (other relays, endpoints over TLS).
    #[arg(long, value_name = "FILE")]
    tls_ca: Option<PathBuf>,
    /// The users who may AUTH: a file of `user:password` lines (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,
    /// A user who may AUTH, as USER:PASSWORD (repeatable; adds to --users).
    #[arg(long = "user", value_name = "USER:PASSWORD")]
    user: Vec<String>,
    /// The Digest realm of the challenges (default: the host of the relay's URI).
    #[arg(long, value_name = "REALM")]
    realm: Option<String>,
    /// An open relay: forward requests from clients that did not authenticate (AUTH
    /// is still needed to receive through the relay: it gives the Use-Path URI).
    #[arg(long)]
    open: bool,
    /// Transport connections at once (accepted and opened); more are closed at once.
    #[arg(long, value_name = "N", default_value_t = msrp_proto::relay::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Authorisations (Use-Path URIs) alive at once; an AUTH past it gets 403.
    #[arg(long, value_name = "N", default_value_t = msrp_proto::relay::DEFAULT_MAX_SESSIONS)]
    max_sessions: usize,
    /// Bytes held for one connection before its senders are stopped (back-pressure);
    /// bytes, or with K, M, G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_queued: Option<u64>,
    /// Runtime threads. The relay engine is one state machine behind a lock, so over
    /// TCP one thread is fastest (no hand-offs between threads); TLS work is done outside
    /// the lock and gains from more (default: 1 over TCP, the CPU count with TLS).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Print one JSON object per event (NDJSON) instead of text.
    #[arg(long)]
    json: bool,
}

const RELAY_AFTER: &str = "\
Output: `relay URI` on the first line (the URI clients AUTH to: `msrp listen --relay URI
--user U`), then one line per authorisation given, refused or ended, and the figures when
it stops. With --json, NDJSON events: listening {uri, addr}, authorized {conn, user, uri,
expires}, auth_refused {conn, reason}, authorization_ended {conn, uri, reason}, refused
{conn, code}, closing {conn, cause}, connecting {conn, uri}, stopped {connections,
sessions, accepted, refused, buffered_bytes, peak_buffered_bytes}.

AUTH is HTTP Digest (RFC 4976 section 5, MD5, qop=auth). Requests are forwarded with
their bodies cut through (never held whole), hop-by-hop 200s, failure REPORTs when a next
hop fails or is silent for 30 s, and 481 for unknown sessions.

Diagnostics go to standard error (RUST_LOG, --verbose). SIGINT or SIGTERM stops it:
connections are closed after what is queued for them is written.

Exit status: 0 after a stop by signal, 2 on a usage error (bad flags, an unreadable
--users file, a port in use).";

pub(crate) fn run(args: RelayArgs) -> ExitCode {
    let tls = args.tls.tls_cert.is_some() || args.tls.tls_self_signed;
    let threads = args.threads.map_or_else(
        || {
            if tls {
                std::thread::available_parallelism().map_or(1, usize::from)
            } else {
                1
            }
        },
        usize::from,
    );
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("msrp relay: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(serve(args)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("msrp relay: {e}");
            ExitCode::from(2)
        }
    }
}

async fn serve(args: RelayArgs) -> Result<u8, String> {
    let users = Arc::new(users(&args)?);
    if users.is_empty() {
        eprintln!("msrp relay: no --users or --user: every AUTH will be refused");
    }
    let addr: std::net::SocketAddr = args
        .listen
        .parse()
        .map_err(|e| format!("--listen {}: {e}", args.listen))?;
    let ip = addr.ip().to_string();
    let server_tls = args.tls.config(&[ip.as_str(), "localhost"])?;
    let uri = match &args.uri {
        Some(text) => text
            .parse::<Uri>()
            .map_err(|e| format!("--uri {text}: not an MSRP URI: {e}"))?,
        None => {
            let scheme = if server_tls.is_some() {
                "msrps"
            } else {
                "msrp"
            };
            let host = match addr.ip() {
                std::net::IpAddr::V6(a) => format!("[{a}]"),
                std::net::IpAddr::V4(a) => a.to_string(),
            };
            format!("{scheme}://{host}:{};tcp", addr.port())
                .parse::<Uri>()
                .map_err(|e| format!("no relay URI for {addr}: {e}"))?
        }
    };
    if server_tls.is_some() && uri.scheme() != Scheme::Msrps {
        return Err("with TLS the relay's URI must be msrps://".into());
    }
    let realm = args
        .realm
        .clone()
        .unwrap_or_else(|| uri.host_str().to_owned());
    let mut engine = RelayConfig::new(uri, realm);
    engine.require_auth = !args.open;
    engine.max_connections = args.max_connections;
    engine.max_sessions = args.max_sessions;
    if let Some(q) = args.max_queued {
        engine.max_queued_bytes = usize::try_from(q).unwrap_or(usize::MAX).max(1);
    }
    let mut config = RelayServerConfig::new(engine);
    config.tls_server = server_tls;
    if let Some(ca) = &args.tls_ca {
        config.tls_client = Some(tls::client_config_trusting_file(ca).map_err(|e| e.to_string())?);
    }
    let table = users.clone();
    let credentials = move |user: &str, _realm: &str| table.get(user).cloned();
    let mut server = RelayServer::bind(addr, config, credentials)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let json = args.json;
    say(json, || format!("relay {}", server.uri().as_str()));
    event(
        json,
        "listening",
        json!({"uri": server.uri().as_str(), "addr": server.local_addr().to_string()}),
    );
    let mut reports = server.reports();
    let mut stop = std::pin::pin!(stop_requested());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            r = async { match reports.as_mut() { Some(r) => r.recv().await, None => None } } => {
                match r {
                    Some(ev) => report(json, &ev),
                    None => reports = None,
                }
            }
        }
    }
    let stats = server.stats();
    server.shutdown().await;
    stopped(json, &stats);
    Ok(0)
}

/// The users of `--users` and `--user`.
fn users(args: &RelayArgs) -> Result<HashMap<String, String>, String> {
    let mut table = HashMap::new();
    if let Some(path) = &args.users {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--users {}: {e}", path.display()))?;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (user, pw) = line.split_once(':').ok_or_else(|| {
                format!(
                    "--users {}: line {}: not user:password",
                    path.display(),
                    i + 1
                )
            })?;
            if user.is_empty() {
                return Err(format!(
                    "--users {}: line {}: no user name",
                    path.display(),
                    i + 1
                ));
            }
            table.insert(user.to_owned(), pw.to_owned());
        }
    }
    for u in &args.user {
        let (user, pw) = u
            .split_once(':')
            .filter(|(user, _)| !user.is_empty())
            .ok_or_else(|| format!("--user {u}: not USER:PASSWORD"))?;
        table.insert(user.to_owned(), pw.to_owned());
    }
    Ok(table)
}

fn report(json: bool, ev: &RelayEvent) {
    match ev {
        RelayEvent::Authorized {
            conn,
            username,
            uri,
            expires,
        } => {
            say(json, || {
                format!("authorized {username} {} ({expires} s)", uri.as_str())
            });
            event(
                json,
                "authorized",
                json!({"conn": conn.0, "user": username, "uri": uri.as_str(), "expires": expires}),
            );
        }
        RelayEvent::AuthRefused { conn, reason } => {
            say(json, || format!("AUTH refused on {conn}: {reason:?}"));
            event(
                json,
                "auth_refused",
                json!({"conn": conn.0, "reason": format!("{reason:?}")}),
            );
        }
        RelayEvent::AuthorizationEnded { conn, uri, reason } => {
            say(json, || format!("ended {} ({reason:?})", uri.as_str()));
            event(
                json,
                "authorization_ended",
                json!({"conn": conn.0, "uri": uri.as_str(), "reason": format!("{reason:?}")}),
            );
        }
        RelayEvent::Refused { conn, code } => {
            event(json, "refused", json!({"conn": conn.0, "code": code}));
        }
        RelayEvent::Close { conn, cause } => {
            event(
                json,
                "closing",
                json!({"conn": conn.0, "cause": format!("{cause:?}")}),
            );
        }
        RelayEvent::Connect { conn, uri } => {
            event(
                json,
                "connecting",
                json!({"conn": conn.0, "uri": uri.as_str()}),
            );
        }
        _ => {}
    }
}

fn stopped(json: bool, s: &RelayStats) {
    say(json, || {
        format!(
            "stopped: {} connections accepted, {} refused, at most {} bytes buffered",
            s.accepted, s.refused, s.peak_buffered_bytes
        )
    });
    event(
        json,
        "stopped",
        json!({
            "connections": s.connections,
            "sessions": s.sessions,
            "accepted": s.accepted,
            "refused": s.refused,
            "buffered_bytes": s.buffered_bytes,
            "peak_buffered_bytes": s.peak_buffered_bytes,
        }),
    );
}
