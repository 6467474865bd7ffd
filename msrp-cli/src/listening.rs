//! The passive side of the command line (`listen`, `chat --listen`): bind, make a session
//! URI, offer it, and describe it in SDP: an offer of its own, or the answer to a peer's
//! offer read from a file (RFC 3264 offer/answer; RFC 6135 `setup:passive`).

use std::path::Path as FsPath;

use msrp_proto::wire::RandomSource;
use msrp_sdp::{
    Answer, Direction, LocalPrefs, MediaDescription, MsrpMediaBuilder, OfferBuilder, ParseOptions,
    SessionDescription, Setup, SetupChoice, answer,
};
use msrp_tokio::uri::{Path, Uri};
use msrp_tokio::{Attached, Config, Listener, OsRandom, Relay, attach};

use crate::file_meta::Expected;
use crate::tls_opts::ServerTls;

/// What the passive side is set up with.
pub(crate) struct ListenSettings<'a> {
    pub(crate) bind: &'a str,
    pub(crate) tls: &'a ServerTls,
    pub(crate) accept_types: Vec<String>,
    pub(crate) max_size: u64,
    pub(crate) direction: Direction,
    /// A peer's SDP offer to answer instead of offering.
    pub(crate) offer: Option<&'a FsPath>,
    /// MSRP over WebSocket (RFC 7977): peers open a WebSocket to the address.
    pub(crate) ws: bool,
    /// Connections served at once; more are closed when accepted.
    pub(crate) max_connections: usize,
}

/// A listener with one offered session.
pub(crate) struct Offered {
    pub(crate) listener: Listener,
    /// The session's URI (the last entry of the SDP's `a=path`).
    pub(crate) uri: Uri,
    /// The SDP printed for the peer: our offer, or our answer to theirs.
    pub(crate) sdp: String,
    /// Whether `sdp` answers an offer.
    pub(crate) answering: bool,
    /// The file the answered offer describes (RFC 5547), to check what arrives.
    pub(crate) expected: Option<Expected>,
}

/// Binds, offers a session that learns its peer's path from the first request (the peer
/// connects to our URI; RFC 4975 section 5.4), and makes its SDP.
pub(crate) async fn bind_and_offer(s: ListenSettings<'_>) -> Result<Offered, String> {
    let addr: std::net::SocketAddr = s
        .bind
        .parse()
        .map_err(|_| format!("--bind {}: not an IP address and port", s.bind))?;
    let ip = addr.ip().to_string();
    let tls = s.tls.config(&[ip.as_str(), "localhost"])?;
    let secure = tls.is_some();
    let mut config = Config::default()
        .accept_types(s.accept_types.iter().cloned())
        .max_message_size(s.max_size)
        .max_connections(s.max_connections);
    if let Some(t) = tls {
        config = config.tls_server(t);
    }
    let bound = if s.ws {
        Listener::bind_ws(addr, config.clone()).await
    } else {
        Listener::bind(addr, config.clone()).await
    };
    let listener = bound.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let uri = listener.new_uri().map_err(|e| e.to_string())?;
    let local = listener.local_addr();
    // RFC 7977 section 8.1 names the WebSocket protocols of the m= line.
    let proto = match (s.ws, secure) {
        (false, false) => "TCP/MSRP",
        (false, true) => "TCP/TLS/MSRP",
        (true, false) => "TCP/WS/MSRP",
        (true, true) => "TCP/WSS/MSRP",
    };
    let (media, answering, expected, to_path) = match s.offer {
        None => {
            let media = MsrpMediaBuilder::new(local.port(), Path::new(uri.clone()))
                .proto(proto)
                .direction(s.direction)
                .accept_types(s.accept_types.iter().map(String::as_str))
                .max_size(s.max_size)
                .setup(Setup::Passive)
                .build()
                .map_err(|e| format!("cannot describe the session in SDP: {e}"))?;
            (media, false, None, Path::new(uri.clone()))
        }
        Some(file) => {
            let (theirs, media) = answer_offer(file, &s, &uri, local.port(), proto)?;
            let expected = Expected::from_media(&theirs)?;
            let to_path = match theirs.path() {
                Some(Ok(p)) => p,
                _ => return Err(format!("{}: the offer has no valid a=path", file.display())),
            };
            (media, true, expected, to_path)
        }
    };
    // The peer's own URI may differ from an offer made elsewhere (a tool that connects
    // from an address it learns only then): the To-Path is taken from its first request.
    listener
        .offer(config.session(uri.clone(), to_path).learn_to_path(true))
        .map_err(|e| e.to_string())?;
    let sdp = session_around(media, &ip)?;
    Ok(Offered {
        listener,
        uri,
        sdp,
        answering,
        expected,
    })
}

/// A session reached through a relay (RFC 4976): AUTH to it, and the SDP offering the
/// path it gives (the relay, then this side: `a=path`), with the relay's address in the
/// `c=` and `m=` lines.
pub(crate) async fn attach_and_offer(
    relay: &Relay,
    tls: &crate::tls_opts::ClientTls,
    accept_types: Vec<String>,
    max_size: u64,
    direction: Direction,
) -> Result<(Attached, String), String> {
    let mut config = Config::default()
        .accept_types(accept_types.iter().cloned())
        .max_message_size(max_size);
    let secure = relay.uri.scheme() == msrp_tokio::uri::Scheme::Msrps;
    match tls.config()? {
        Some(c) => config = config.tls_client(c),
        None if secure => return Err("an msrps relay needs --tls-ca FILE".into()),
        None => {}
    }
    let attached = attach(relay, &config)
        .await
        .map_err(|e| format!("cannot use the relay {}: {e}", relay.uri.as_str()))?;
    let port = relay.uri.port().unwrap_or(msrp_tokio::DEFAULT_PORT);
    let proto = if secure { "TCP/TLS/MSRP" } else { "TCP/MSRP" };
    let media = MsrpMediaBuilder::new(port, attached.path.clone())
        .proto(proto)
        .direction(direction)
        .accept_types(accept_types.iter().map(String::as_str))
        .max_size(max_size)
        .setup(Setup::Active)
        .build()
        .map_err(|e| format!("cannot describe the session in SDP: {e}"))?;
    let host = relay.uri.host_str().to_owned();
    let sdp = session_around(media, &host)?;
    Ok((attached, sdp))
}

/// Reads a peer's offer and answers its first MSRP media description.
fn answer_offer(
    file: &FsPath,
    s: &ListenSettings<'_>,
    uri: &Uri,
    port: u16,
    proto: &str,
) -> Result<(MediaDescription, MediaDescription), String> {
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if text.is_empty() {
        return Err(format!("{}: the offer is empty", file.display()));
    }
    let opts = ParseOptions::TOLERANT;
    let offer = match SessionDescription::parse_with(&text, &opts) {
        Ok((sdp, _)) => sdp,
        // A media section alone (what `msrp send` prints) is fine too.
        Err(_) => SessionDescription::parse_with(&text, &opts.fragment())
            .map(|(sdp, _)| sdp)
            .map_err(|e| format!("{}: not SDP: {e}", file.display()))?,
    };
    let theirs = offer
        .media
        .into_iter()
        .find(|m| m.media() == "message" && m.proto().is_msrp())
        .ok_or_else(|| format!("{}: no MSRP media (m=message) in the offer", file.display()))?;
    let prefs = LocalPrefs {
        port,
        path: Path::new(uri.clone()),
        accept_types: s.accept_types.clone(),
        accept_wrapped_types: Vec::new(),
        max_size: Some(s.max_size),
        protos: vec![proto.to_owned()],
        setup: SetupChoice::Passive,
        cema: false,
        accept_files: true,
    };
    match answer(&theirs, &prefs).map_err(|e| format!("cannot answer the offer: {e}"))? {
        Answer::Accepted(media) => Ok((theirs, media)),
        Answer::Rejected { reason, .. } => Err(format!("the offer is rejected: {reason}")),
    }
}

/// A whole session description around one media description.
fn session_around(media: MediaDescription, address: &str) -> Result<String, String> {
    let mut rng = OsRandom::new();
    let mut id = [0u8; 4];
    rng.fill_bytes(&mut id);
    OfferBuilder::new("-", u64::from(u32::from_be_bytes(id)), 1, address)
        .media(media)
        .build()
        .map(|sdp| sdp.to_string())
        .map_err(|e| format!("cannot describe the session in SDP: {e}"))
}
