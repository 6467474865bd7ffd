//! `msrp listen`: wait for MSRP peers, print what they send, stream files to disk and
//! check them against the offer (RFC 5547), answer by the RFC (413, 415, 481).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use msrp_cpim::CpimMessage;
use msrp_sdp::Direction;
use msrp_tokio::{Incoming, Received, Session};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::file_meta::{Expected, safe_name};
use crate::im::{self, Content};
use crate::listening::{ListenSettings, attach_and_offer, bind_and_offer};
use crate::output::{event, line, say};
use crate::relay_opts::RelayArgs;
use crate::save::{Saved, Sink};
use crate::signals::stop_requested;
use crate::size::parse_size;
use crate::tls_opts::{ClientTls, ServerTls};

/// Arguments of `msrp listen`.
#[derive(Debug, Args)]
#[command(after_help = LISTEN_AFTER)]
pub(crate) struct ListenArgs {
    /// The address to listen on (port 0: any free port).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:2855")]
    bind: String,
    #[command(flatten)]
    tls: ServerTls,
    #[command(flatten)]
    relay: RelayArgs,
    /// With an msrps --relay: trust the certificates in this PEM file for it.
    #[arg(long, value_name = "FILE", requires = "relay")]
    tls_ca: Option<PathBuf>,
    /// Serve MSRP over WebSocket (RFC 7977, subprotocol `msrp`): peers open
    /// ws://IP:PORT/ (wss:// with TLS); the session URI has the `ws` transport.
    #[arg(long)]
    ws: bool,
    /// Media types accepted, comma-separated (`a=accept-types`); others are refused with
    /// 415.
    #[arg(long, value_delimiter = ',', default_value = "*")]
    accept_types: Vec<String>,
    /// The largest message accepted (`a=max-size`), in bytes or with K, M, G; larger ones
    /// are refused with 413.
    #[arg(long, value_parser = parse_size, default_value = "1G")]
    max_size: u64,
    /// Connections served at once (a session is bound to one, the others are refused
    /// with 506 or 481); more are closed as soon as they are accepted.
    #[arg(long, value_name = "N", default_value_t = msrp_tokio::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Save received files (every message that is not text) in DIR; without it they are
    /// checked and discarded.
    #[arg(long, value_name = "DIR")]
    save_dir: Option<PathBuf>,
    /// Answer this SDP offer (a file sender's, with a=file-selector, RFC 5547) instead of
    /// offering: the answer is printed and the file that arrives is checked against the
    /// offer's size and sha-1.
    #[arg(long, value_name = "FILE")]
    offer: Option<PathBuf>,
    /// Take one session and exit when it ends.
    #[arg(long)]
    once: bool,
    /// Print one JSON object per event (NDJSON) instead of text.
    #[arg(long)]
    json: bool,
}

const LISTEN_AFTER: &str = "\
Output: the session's URI (give it to `msrp send --to` or `msrp chat --to`) on the first
line, then the SDP describing the session, then one line per message (text messages
as their text) and per file.

A message/cpim message (RFC 3862) is shown by the text it wraps (or stored when it
wraps something else); when it asks for a delivery notification (RFC 5438
positive-delivery), one is sent back over the session once the message is printed or
stored. Display notifications are not sent: listen shows no one the message.

With --json, one object per line, each with an \"event\" field:
  listening      uri, sdp, answering (bool)
  session        uri                        a peer bound the session
  message        message_id, content_type, size, text (UTF-8 text only; the text
                 inside a message/cpim wrapper), cpim (null, or from, to, datetime,
                 imdn_message_id, disposition_notification)
  imdn           message_id, notification, status    an IMDN arrived
  imdn_sent      message_id, notification, status    this side answered an IMDN request
  composing      state (active, idle)                an is-composing indication
  file_started   message_id, content_type, total (null when unknown)
  file           message_id, content_type, path (null when not saved), size, sha1,
                 verified (null without an offer to check), mismatches
  file_failed    message_id, reason (\"aborted\" | \"refused\" | \"closed\"), code
  duplicate      message_id     a chunk of a message already received came again
                                (acknowledged, not shown again)
  session_closed reason (null when closed by this side)

With --relay URI (and --user, --password): the session is reached through that MSRP
relay (RFC 4976): listen connects to it and authenticates (AUTH with Digest), then
prints the path the relay gave (the relay's URI, then this side's: give the whole line,
quoted, to `msrp send --to`) and an SDP with it in a=path; --bind is not used.

Exit status: 0 when stopped by SIGINT or SIGTERM (sessions are closed first) or, with
--once, when the session ended with every file intact; 1 with --once when a file was
aborted, refused or did not match the offer; 2 on usage or local errors (the address is
taken, a file cannot be written).";

/// Runs `msrp listen`.
pub(crate) fn run(args: ListenArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("msrp listen: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(listen(args)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("msrp listen: {e}");
            ExitCode::from(2)
        }
    }
}

async fn listen(args: ListenArgs) -> Result<u8, String> {
    if let Some(dir) = &args.save_dir
        && !dir.is_dir()
    {
        return Err(format!("--save-dir {}: not a directory", dir.display()));
    }
    if let Some(relay) = args.relay.relay()? {
        return through_relay(&args, &relay).await;
    }
    let mut offered = bind_and_offer(ListenSettings {
        bind: &args.bind,
        tls: &args.tls,
        accept_types: args.accept_types.clone(),
        max_size: args.max_size,
        direction: Direction::RecvOnly,
        offer: args.offer.as_deref(),
        ws: args.ws,
        max_connections: args.max_connections,
    })
    .await?;
    let json = args.json;
    say(json, || offered.uri.as_str().to_owned());
    say(json, || offered.sdp.trim_end().to_owned());
    event(
        json,
        "listening",
        json!({"uri": offered.uri.as_str(), "sdp": offered.sdp, "answering": offered.answering}),
    );
    let (stop_tx, stop) = watch::channel(false);
    let failed = Arc::new(AtomicBool::new(false));
    let ctx = Arc::new(Context {
        json,
        save_dir: args.save_dir.clone(),
        expected: offered.expected.clone(),
        failed: failed.clone(),
    });
    let mut sessions = JoinSet::new();
    let mut stop_signal = std::pin::pin!(stop_requested());
    let stopped_by_signal = loop {
        tokio::select! {
            _ = &mut stop_signal => break true,
            accepted = offered.listener.accept() => {
                let Some((session, incoming)) = accepted else { break false };
                sessions.spawn(serve(session, incoming, ctx.clone(), stop.clone()));
                if args.once {
                    // No one else may bind it (481 from now on).
                    offered.listener.withdraw(&offered.uri);
                    break false;
                }
            }
            Some(done) = sessions.join_next(), if !sessions.is_empty() => {
                if let Err(e) = done {
                    tracing::warn!(error = %e, "a session task failed");
                }
            }
        }
    };
    if stopped_by_signal {
        let _ = stop_tx.send(true);
    }
    // With --once the session is served to its end; a signal now closes it.
    loop {
        tokio::select! {
            _ = &mut stop_signal, if !stopped_by_signal => { let _ = stop_tx.send(true); }
            done = sessions.join_next() => match done {
                None => break,
                Some(Err(e)) => tracing::warn!(error = %e, "a session task failed"),
                Some(Ok(())) => {}
            }
        }
    }
    drop(offered);
    if stopped_by_signal || !failed.load(Ordering::Relaxed) {
        Ok(0)
    } else {
        Ok(1)
    }
}

/// What every session task shares.
struct Context {
    json: bool,
    save_dir: Option<PathBuf>,
    expected: Option<Expected>,
    failed: Arc<AtomicBool>,
}

/// `listen --relay`: one session, reached through the relay, served until a signal (the
/// relay keeps the authorisation; peers come and go through it).
async fn through_relay(args: &ListenArgs, relay: &msrp_tokio::Relay) -> Result<u8, String> {
    if args.offer.is_some() || args.ws || args.tls.tls_cert.is_some() || args.tls.tls_self_signed {
        return Err("--relay does not go with --offer, --ws or the --tls-* listening flags".into());
    }
    let tls = ClientTls {
        tls_ca: args.tls_ca.clone(),
    };
    let (attached, sdp) = attach_and_offer(
        relay,
        &tls,
        args.accept_types.clone(),
        args.max_size,
        Direction::RecvOnly,
    )
    .await?;
    let json = args.json;
    let path = attached.path.to_string();
    say(json, || path.clone());
    say(json, || sdp.trim_end().to_owned());
    event(
        json,
        "listening",
        json!({"uri": path, "sdp": sdp, "answering": false, "relay": relay.uri.as_str()}),
    );
    let (stop_tx, stop) = watch::channel(false);
    let failed = Arc::new(AtomicBool::new(false));
    let ctx = Arc::new(Context {
        json,
        save_dir: args.save_dir.clone(),
        expected: None,
        failed: failed.clone(),
    });
    let mut served = tokio::spawn(serve(attached.session, attached.incoming, ctx, stop));
    let stopped = tokio::select! {
        _ = stop_requested() => true,
        _ = &mut served => false,
    };
    if stopped {
        let _ = stop_tx.send(true);
        let _ = served.await;
        return Ok(0);
    }
    // The connection to the relay ended.
    Ok(if failed.load(Ordering::Relaxed) { 1 } else { 0 })
}

/// Serves one session until it closes (or `stop` asks to close it).
async fn serve(
    session: Session,
    mut incoming: Incoming,
    ctx: Arc<Context>,
    mut stop: watch::Receiver<bool>,
) {
    let json = ctx.json;
    say(json, || "--- a peer bound the session".to_owned());
    event(
        json,
        "session",
        json!({"uri": session.local_uri().as_str()}),
    );
    // RFC 5547 section 8.7: one file per session; the first one is the offered file.
    let mut expected = ctx.expected.clone();
    // Files in progress, by Message-ID (a peer may interleave messages).
    let mut receiving: HashMap<String, (String, Sink)> = HashMap::new();
    let mut closing = false;
    loop {
        let item = tokio::select! {
            item = incoming.recv() => item,
            changed = stop.changed(), if !closing => {
                if changed.is_ok() && *stop.borrow() {
                    closing = true;
                    session.close().await;
                }
                continue;
            }
        };
        let Some(item) = item else { break };
        match item {
            Received::Message {
                message_id,
                content_type,
                body,
            } => {
                let content = im::read(&content_type, &body);
                let cpim = match content {
                    Content::Im(m) => Some(m),
                    Content::Notification(n) => {
                        im::show_notification(json, &n);
                        continue;
                    }
                    Content::Composing(c) => {
                        im::show_composing(json, c.state);
                        continue;
                    }
                    Content::Plain => None,
                };
                if expected.is_none() {
                    let text = match &cpim {
                        Some(m) => im::text_of(m),
                        None if is_printable(&content_type) => std::str::from_utf8(&body).ok(),
                        None => None,
                    };
                    if let Some(text) = text {
                        print_text(json, &message_id, &content_type, text, cpim.as_ref());
                        if let Some(m) = &cpim {
                            im::answer_in_background(&session, m, false, json);
                        }
                        continue;
                    }
                }
                let name = file_name(&expected, &message_id);
                let result = async {
                    let mut sink =
                        Sink::open(ctx.save_dir.as_deref(), &name, expected.take()).await?;
                    sink.write(0, &body).await?;
                    sink.finish().await
                }
                .await;
                let stored = result.is_ok();
                report_file(&ctx, &message_id, &content_type, result);
                // RFC 5438 section 7.2.1.1: delivered once stored.
                if let (true, Some(m)) = (stored, &cpim) {
                    im::answer_in_background(&session, m, false, json);
                }
            }
            Received::Started {
                message_id,
                content_type,
                total,
            } => {
                say(json, || {
                    let size = total.map_or("unknown size".into(), |t| format!("{t} bytes"));
                    format!("--- receiving {message_id} ({content_type}, {size})")
                });
                event(
                    json,
                    "file_started",
                    json!({"message_id": message_id, "content_type": content_type, "total": total}),
                );
                let name = file_name(&expected, &message_id);
                match Sink::open(ctx.save_dir.as_deref(), &name, expected.take()).await {
                    Ok(sink) => {
                        receiving.insert(message_id, (content_type, sink));
                    }
                    Err(e) => {
                        eprintln!("msrp listen: cannot save {name}: {e}");
                        ctx.failed.store(true, Ordering::Relaxed);
                    }
                }
            }
            Received::Data {
                message_id,
                offset,
                data,
            } => {
                // A file that could not be opened was reported already.
                let Some((_, sink)) = receiving.get_mut(&message_id) else {
                    continue;
                };
                if let Err(e) = sink.write(offset, &data).await {
                    eprintln!("msrp listen: cannot write {message_id}: {e}");
                    ctx.failed.store(true, Ordering::Relaxed);
                    receiving.remove(&message_id);
                }
            }
            Received::Complete { message_id, .. } => {
                if let Some((content_type, sink)) = receiving.remove(&message_id) {
                    let result = sink.finish().await;
                    report_file(&ctx, &message_id, &content_type, result);
                }
            }
            Received::Aborted { message_id } => {
                end_file(&ctx, &mut receiving, &message_id, "aborted", None).await;
            }
            Received::Refused { message_id, code } => {
                end_file(&ctx, &mut receiving, &message_id, "refused", Some(code)).await;
            }
            Received::Duplicate { message_id } => {
                say(json, || {
                    format!("--- {message_id}: a chunk of a message already received came again")
                });
                event(json, "duplicate", json!({"message_id": message_id}));
            }
            Received::Closed { reason } => {
                for (id, (_, sink)) in receiving.drain() {
                    sink.discard().await;
                    file_failed(&ctx, &id, "closed", None);
                }
                let why = reason.map(|r| r.to_string());
                say(json, || match &why {
                    Some(r) => format!("--- session closed: {r}"),
                    None => "--- session closed".to_owned(),
                });
                event(json, "session_closed", json!({"reason": why}));
            }
            _ => {}
        }
    }
}

fn is_printable(content_type: &str) -> bool {
    let t = content_type.trim().to_ascii_lowercase();
    t.starts_with("text/") || t.starts_with("message/cpim")
}

fn print_text(
    json: bool,
    message_id: &str,
    content_type: &str,
    text: &str,
    cpim: Option<&CpimMessage>,
) {
    if json {
        event(
            true,
            "message",
            json!({"message_id": message_id, "content_type": content_type,
                   "size": text.len(), "text": text, "cpim": cpim.map(im::cpim_json)}),
        );
    } else {
        let _ = line(text);
    }
}

fn file_name(expected: &Option<Expected>, message_id: &str) -> String {
    safe_name(
        expected
            .as_ref()
            .and_then(|e| e.name.as_deref())
            .unwrap_or(message_id),
    )
}

async fn end_file(
    ctx: &Context,
    receiving: &mut HashMap<String, (String, Sink)>,
    message_id: &str,
    reason: &str,
    code: Option<u16>,
) {
    if let Some((_, sink)) = receiving.remove(message_id) {
        sink.discard().await;
    }
    file_failed(ctx, message_id, reason, code);
}

fn file_failed(ctx: &Context, message_id: &str, reason: &str, code: Option<u16>) {
    ctx.failed.store(true, Ordering::Relaxed);
    say(ctx.json, || match code {
        Some(c) => format!(
            "--- {message_id} {reason} with {c} {}",
            msrp_proto::report::reason_phrase(c)
        ),
        None => format!("--- {message_id} {reason} before its end"),
    });
    event(
        ctx.json,
        "file_failed",
        json!({"message_id": message_id, "reason": reason, "code": code}),
    );
}

fn report_file(
    ctx: &Context,
    message_id: &str,
    content_type: &str,
    result: std::io::Result<Saved>,
) {
    let saved = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("msrp listen: cannot save {message_id}: {e}");
            ctx.failed.store(true, Ordering::Relaxed);
            return;
        }
    };
    if saved.verified == Some(false) {
        ctx.failed.store(true, Ordering::Relaxed);
        eprintln!(
            "msrp listen: {message_id} does not match the offer: {}",
            saved.mismatches.join("; ")
        );
    }
    let path = saved.path.as_ref().map(|p| p.display().to_string());
    say(ctx.json, || {
        let whence = path
            .as_ref()
            .map_or("not saved".to_owned(), |p| format!("saved as {p}"));
        let check = match saved.verified {
            Some(true) => ", matches the offer",
            Some(false) => ", DOES NOT MATCH THE OFFER",
            None => "",
        };
        format!(
            "--- received {message_id} ({content_type}, {} bytes, sha-1 {}){check}, {whence}",
            saved.file_size,
            saved.sha1.as_deref().unwrap_or("unknown")
        )
    });
    event(
        ctx.json,
        "file",
        json!({"message_id": message_id, "content_type": content_type, "path": path,
               "size": saved.file_size, "received": saved.received, "sha1": saved.sha1,
               "verified": saved.verified, "mismatches": saved.mismatches}),
    );
}
