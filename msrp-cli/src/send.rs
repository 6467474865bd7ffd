//! `msrp send`: one message to a peer's session URI, text or a file (streamed, with the
//! RFC 5547 description of it), and an exit status that says whether it was delivered.

use std::io::SeekFrom;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use bytes::Bytes;
use clap::Args;
use msrp_proto::chunking::ChunkPolicy;
use msrp_proto::wire::random_id;
use msrp_sdp::{Direction, FileRange, MsrpMediaBuilder};
use msrp_tokio::uri::{Path, Scheme, Transport};
use msrp_tokio::{
    Config, Error, Incoming, OsRandom, Received, SendOptions, Sent, Session, connect, connect_via,
    connect_ws,
};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

use crate::file_meta::{FileMeta, guess_type, parse_range};
use crate::im::{self, CPIM_CONTENT_TYPE, Content, CpimArgs, Want, Wrapper};
use crate::output::{event, say};
use crate::progress::Progress;
use crate::relay_opts::RelayArgs;
use crate::signals::stop_requested;
use crate::size::parse_size;
use crate::tls_opts::ClientTls;

/// Arguments of `msrp send`.
#[derive(Debug, Args)]
#[command(after_help = SEND_AFTER)]
pub(crate) struct SendArgs {
    /// The peer's session URI, as `msrp listen` prints it (its SDP a=path; a path
    /// through relays is several URIs separated by spaces, the peer's last).
    #[arg(long, value_name = "URI")]
    to: String,
    /// The text to send; several words are joined with spaces.
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    text: Vec<String>,
    /// Send this file as one message, streamed; `-` reads standard input to its end.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// The message's Content-Type (default: text/plain for text, a guess from the file
    /// name's extension for files).
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// Send only octets START to STOP of the file (1-based, inclusive, STOP may be `*`):
    /// resumes a partial transfer (RFC 5547 a=file-range).
    #[arg(long, value_name = "START-STOP", requires = "file", value_parser = parse_range)]
    range: Option<FileRange>,
    /// Ask for no success REPORT: the send is done once every chunk got its 200 from the
    /// next hop (RFC 4975 section 7.1.2), which does not prove that the peer has it all.
    #[arg(long)]
    no_report: bool,
    /// Cut the message into chunks of at most SIZE body bytes (K, M, G suffixes), for
    /// peers and relays that want bounded chunks (Kamailio relays need 10K or less).
    /// Default: as few chunks as possible.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_chunk: Option<u64>,
    /// Open a WebSocket to this URL (ws:// or wss://, as signaling gives it) and reach
    /// the peer through it (RFC 7977); without it a `;ws` URI is reached at its own host
    /// and port.
    #[arg(long, value_name = "URL")]
    ws_url: Option<String>,
    #[command(flatten)]
    tls: ClientTls,
    #[command(flatten)]
    relay: RelayArgs,
    #[command(flatten)]
    cpim: CpimArgs,
    /// With --imdn: how long to wait for the notifications after the message was
    /// delivered, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, requires = "imdn")]
    imdn_wait: u64,
    /// Print one JSON object per event (NDJSON) instead of text.
    #[arg(long)]
    json: bool,
}

const SEND_AFTER: &str = "\
A file is described first with the SDP media section a file sender offers (RFC 5547:
a=file-selector with name, type, size and hash:sha-1, a=file-transfer-id,
a=file-disposition, a=file-range with --range); `msrp listen --offer FILE` checks what
it receives against such an offer.

With --json, one object per line, each with an \"event\" field:
  connected  uri (this side's session URI), to
  offer      sdp, name, size, sha1                  (files only)
  delivered  message_id, size, seconds, report (false with --no-report), imdn_id
             (the imdn.Message-ID with --imdn, else null)
  imdn       message_id (the imdn.Message-ID), notification (delivery, display),
             status (delivered, displayed, failed, forbidden, error)
  imdn_missing  notification, seconds                 (not in time)
  failed     code (the RFC 4975 status code, or null), reason

--cpim and --imdn wrap text messages (not --file) in message/cpim. The peer answers
IMDN requests over the same session: `msrp listen` answers delivery, `msrp chat`
delivery and display.

With --relay, the connection goes to the relay, which must authorise this side first
(AUTH, RFC 4976 section 5; a refusal exits 1 with the relay's code); the message then
goes through it to --to (the peer's path, which may start with its own relays). Relays
such as Kamailio take chunks of 10K or less: use --max-chunk.

Exit status: 0 delivered (the success REPORT arrived, or every 200 with --no-report);
1 the peer refused it (the status code is printed: 413 too large, 415 type not
accepted, 481 no such session, ...); 3 no answer: the connection could not be made,
closed, or a response did not come within 30 s (RFC 4975 section 7.1.1); 4 delivered,
but a notification asked for with --imdn did not come within --imdn-wait or reported
a failure; 2 usage or local errors (the file cannot be read, is empty); 130 or 143
after SIGINT or SIGTERM (the message is aborted and the session closed).";

/// Runs `msrp send`.
pub(crate) fn run(args: SendArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("msrp send: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = rt.block_on(send(args));
    // A read of standard input may still be blocked in a thread: do not wait for it.
    rt.shutdown_background();
    ExitCode::from(code)
}

/// What is sent.
enum Body {
    Text(String),
    File { path: PathBuf, meta: FileMeta },
    Stdin,
}

async fn send(args: SendArgs) -> u8 {
    let usage = |msg: String| {
        eprintln!("msrp send: {msg}");
        2
    };
    let to: Path = match Path::parse(&args.to) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => return usage("--to is empty".into()),
        Err(e) => return usage(format!("--to {}: not an MSRP URI: {e}", args.to)),
    };
    let relay = match args.relay.relay() {
        Ok(r) => r,
        Err(e) => return usage(e),
    };
    if relay.is_some() && args.ws_url.is_some() {
        return usage("--relay and --ws-url cannot be used together".into());
    }
    let mut config = Config::default();
    if let Some(n) = args.max_chunk {
        if n == 0 {
            return usage("--max-chunk must be at least 1 byte".into());
        }
        config.connection = config.connection.chunk_policy(ChunkPolicy::Fixed(n));
    }
    match args.tls.config() {
        Ok(Some(c)) => config = config.tls_client(c),
        Ok(None)
            if to.first().is_some_and(|u| u.scheme() == Scheme::Msrps)
                || relay
                    .as_ref()
                    .is_some_and(|r| r.uri.scheme() == Scheme::Msrps) =>
        {
            return usage("msrps needs --tls-ca FILE (the certificate to trust)".into());
        }
        Ok(None) => {}
        Err(e) => return usage(e),
    }
    if args.file.is_some() && (args.cpim.cpim || !args.cpim.imdn.is_empty()) {
        return usage("--cpim and --imdn wrap text messages, not --file".into());
    }
    if let Some(w) = Wrapper::new(&args.cpim, "msrp://check.invalid:1/x;tcp", &args.to) {
        // The same wrap is made once connected, with this side's URI: a bad address or
        // type is a usage error now, not a failed send later.
        let ct = args.content_type.as_deref().unwrap_or("text/plain");
        if let Err(e) = w.wrap(ct, Bytes::from(args.text.join(" "))) {
            return usage(e);
        }
    }
    let body = match &args.file {
        None => Body::Text(args.text.join(" ")),
        Some(p) if p.as_os_str() == "-" => Body::Stdin,
        Some(p) => {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let ct = args
                .content_type
                .clone()
                .unwrap_or_else(|| guess_type(name.as_deref().unwrap_or("")).to_owned());
            match FileMeta::of_file(p, ct, args.range).await {
                Ok(meta) if meta.size == 0 => {
                    return usage(format!("{}: the file is empty", p.display()));
                }
                Ok(meta) => {
                    if let Some(r) = meta.range
                        && r.start > meta.size
                    {
                        return usage(format!(
                            "--range starts after the end of the file ({} bytes)",
                            meta.size
                        ));
                    }
                    Body::File {
                        path: p.clone(),
                        meta,
                    }
                }
                Err(e) => return usage(format!("{}: {e}", p.display())),
            }
        }
    };
    let json = args.json;
    let mut stop = std::pin::pin!(stop_requested());
    let connecting = async {
        match (&relay, &args.ws_url) {
            (Some(r), _) => connect_via(r, &to, &config).await,
            (None, Some(url)) => connect_ws(url, &to, &config).await,
            (None, None) => connect(&to, &config).await,
        }
    };
    let (session, mut incoming) = tokio::select! {
        c = connecting => match c {
            Ok(x) => x,
            Err(e) => return failed(json, &e, "cannot reach the peer"),
        },
        code = &mut stop => return code,
    };
    say(json, || format!("--- connected to {}", args.to));
    event(
        json,
        "connected",
        json!({"uri": session.local_uri().as_str(), "to": args.to}),
    );
    let options = if args.no_report {
        SendOptions::no_report()
    } else {
        SendOptions::default()
    };
    let wrapper = Wrapper::new(&args.cpim, session.local_uri().as_str(), &args.to);
    let started = Instant::now();
    let outcome = tokio::select! {
        r = deliver(&session, &args, wrapper.as_ref(), body, options, json) => r,
        code = &mut stop => {
            // Dropping the send aborts a streamed message (`#`).
            session.close().await;
            return code;
        }
    };
    let code = match outcome {
        Ok((sent, size, imdn_id)) => {
            let report = matches!(sent, Sent::Delivered { .. });
            let secs = started.elapsed().as_secs_f64();
            say(json, || {
                let how = if report {
                    "delivered (success REPORT)"
                } else {
                    "accepted (200 responses, no REPORT asked)"
                };
                format!(
                    "--- {} {how}: {size} bytes in {secs:.3} s",
                    sent.message_id()
                )
            });
            event(
                json,
                "delivered",
                json!({"message_id": sent.message_id(), "size": size, "seconds": secs,
                       "report": report, "imdn_id": imdn_id}),
            );
            match (&wrapper, imdn_id) {
                (Some(w), Some(id)) => {
                    let wait = std::time::Duration::from_secs(args.imdn_wait);
                    tokio::select! {
                        c = notifications(&mut incoming, &id, w.wanted(), wait, json) => c,
                        code = &mut stop => {
                            session.close().await;
                            return code;
                        }
                    }
                }
                _ => 0,
            }
        }
        Err(e) => failed(json, &e, "not delivered"),
    };
    session.close().await;
    code
}

/// Waits up to `wait` for the IMDNs `wanted` about the message `imdn_id`; the exit status:
/// 0 when each came with a positive status, 4 otherwise.
async fn notifications(
    incoming: &mut Incoming,
    imdn_id: &str,
    wanted: &[Want],
    wait: std::time::Duration,
    json: bool,
) -> u8 {
    let mut missing: Vec<Want> = wanted.to_vec();
    let mut failed = false;
    let deadline = tokio::time::Instant::now() + wait;
    while !missing.is_empty() {
        let item = tokio::select! {
            item = incoming.recv() => item,
            () = tokio::time::sleep_until(deadline) => break,
        };
        let Some(item) = item else { break };
        let Received::Message {
            content_type, body, ..
        } = item
        else {
            continue;
        };
        let Content::Notification(n) = im::read(&content_type, &body) else {
            continue;
        };
        if n.message_id != imdn_id {
            continue;
        }
        let Some(i) = missing.iter().position(|w| w.answered_by(&n.notification)) else {
            continue;
        };
        missing.remove(i);
        let status = n.notification.status();
        failed |= !matches!(status, "delivered" | "displayed");
        say(json, || {
            format!("--- {} notification: {status}", n.notification.kind())
        });
        event(json, "imdn", im::notification_json(&n));
    }
    for w in &missing {
        eprintln!(
            "msrp send: no {} notification within {} s",
            w.name(),
            wait.as_secs()
        );
        event(
            json,
            "imdn_missing",
            json!({"notification": w.name(), "seconds": wait.as_secs()}),
        );
    }
    if failed || !missing.is_empty() { 4 } else { 0 }
}

/// Sends the body; the message's outcome, its size and its imdn.Message-ID.
async fn deliver(
    session: &Session,
    args: &SendArgs,
    wrapper: Option<&Wrapper>,
    body: Body,
    options: SendOptions,
    json: bool,
) -> Result<(Sent, u64, Option<String>), Error> {
    match body {
        Body::Text(text) => {
            let ct = args.content_type.as_deref().unwrap_or("text/plain");
            let size = text.len() as u64;
            let Some(w) = wrapper else {
                return Ok((session.send_with(ct, text, options).await?, size, None));
            };
            let wrapped = w.wrap(ct, text.into()).map_err(|e| {
                Error::Source(std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
            })?;
            let sent = session
                .send_with(CPIM_CONTENT_TYPE, wrapped.body, options)
                .await?;
            Ok((sent, size, wrapped.imdn_id))
        }
        Body::Stdin => {
            let ct = args
                .content_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            let bar = Progress::new("sending", None, json);
            let mut size = 0;
            let sent = session
                .send_stream(ct, tokio::io::stdin(), None, options, |p| {
                    size = p.sent;
                    bar.set(p.sent);
                })
                .await?;
            Ok((sent, size, None))
        }
        Body::File { path, meta } => {
            print_offer(session, &meta, json);
            let (offset, len) = meta.sent_part();
            let mut f = tokio::fs::File::open(&path).await.map_err(Error::Source)?;
            f.seek(SeekFrom::Start(offset))
                .await
                .map_err(Error::Source)?;
            let source: Box<dyn AsyncRead + Unpin + Send> = Box::new(f.take(len));
            let bar = Progress::new(&meta.name, Some(len), json);
            let sent = session
                .send_stream(&meta.content_type, source, Some(len), options, |p| {
                    bar.set(p.sent)
                })
                .await?;
            Ok((sent, len, None))
        }
    }
}

/// Prints the SDP media section a file sender offers (RFC 5547 section 8.2).
fn print_offer(session: &Session, meta: &FileMeta, json: bool) {
    let uri = session.local_uri();
    let mut rng = OsRandom::new();
    let transfer_id = random_id(&mut rng);
    let ws = matches!(uri.transport(), Transport::Ws | Transport::Wss);
    let proto = match (ws, uri.scheme() == Scheme::Msrps) {
        (false, false) => "TCP/MSRP",
        (false, true) => "TCP/TLS/MSRP",
        (true, false) => "TCP/WS/MSRP",
        (true, true) => "TCP/WSS/MSRP",
    };
    let mut b = MsrpMediaBuilder::new(uri.port().unwrap_or(9), Path::new(uri.clone()))
        .proto(proto)
        .direction(Direction::SendOnly)
        .accept_types([meta.content_type.as_str()])
        .attribute("file-selector", Some(&meta.selector()))
        .attribute("file-transfer-id", Some(transfer_id.as_str()))
        .attribute("file-disposition", Some("attachment"));
    if let Some(r) = meta.range_value() {
        b = b.attribute("file-range", Some(&r));
    }
    let sdp = match b.build() {
        Ok(m) => m.to_string(),
        Err(e) => {
            tracing::warn!(error = %e, "the file offer cannot be written as SDP");
            return;
        }
    };
    say(json, || sdp.trim_end().to_owned());
    event(
        json,
        "offer",
        json!({"sdp": sdp, "name": meta.name, "size": meta.size, "sha1": meta.sha1}),
    );
}

/// Reports a failed send; the exit status for it.
fn failed(json: bool, e: &Error, what: &str) -> u8 {
    let code = e.status_code();
    eprintln!("msrp send: {what}: {e}");
    event(
        json,
        "failed",
        json!({"code": code, "reason": e.to_string()}),
    );
    if code.is_some() { 1 } else { 3 }
}
