//! `msrp chat`: an interactive line chat over one session: each line read from standard
//! input is a text/plain message, each text message from the peer a line on standard
//! output.

use std::process::ExitCode;

use clap::{ArgGroup, Args};
use msrp_cpim::RemoteComposing;
use msrp_sdp::Direction;
use msrp_tokio::uri::{Path, Scheme};
use msrp_tokio::{Config, Incoming, Received, Session, connect, connect_via, connect_ws};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::task::JoinSet;

use crate::im::{self, CPIM_CONTENT_TYPE, Content, CpimArgs, Wrapper};
use crate::listening::{ListenSettings, attach_and_offer, bind_and_offer};
use crate::output::{event, line, say};
use crate::relay_opts::RelayArgs;
use crate::signals::stop_requested;
use crate::tls_opts::{ClientTls, ServerTls};

/// Arguments of `msrp chat`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("peer").required(true).args(["to", "listen"])))]
#[command(after_help = CHAT_AFTER)]
pub(crate) struct ChatArgs {
    /// Connect to this session URI (what the peer's `msrp listen` or `msrp chat
    /// --listen` printed, or an SDP a=path).
    #[arg(long, value_name = "URI")]
    to: Option<String>,
    /// Listen on this address, print the session URI, and chat with the first peer that
    /// binds it.
    #[arg(long, value_name = "IP:PORT")]
    listen: Option<String>,
    /// MSRP over WebSocket (RFC 7977): with --listen, serve ws://IP:PORT/ (wss with
    /// TLS); with --to, see --ws-url.
    #[arg(long, requires = "listen")]
    ws: bool,
    /// With --to: open a WebSocket to this URL (ws:// or wss://, as signaling gives it)
    /// and reach the peer through it; without it a `;ws` URI is reached at its own
    /// host and port.
    #[arg(long, value_name = "URL", requires = "to")]
    ws_url: Option<String>,
    #[command(flatten)]
    server_tls: ServerTls,
    #[command(flatten)]
    client_tls: ClientTls,
    #[command(flatten)]
    relay: RelayArgs,
    #[command(flatten)]
    cpim: CpimArgs,
    /// Print one JSON object per event (NDJSON) instead of text.
    #[arg(long)]
    json: bool,
}

const CHAT_AFTER: &str = "\
Each line typed is sent as a text/plain message with a success REPORT asked for
(wrapped in message/cpim with --cpim or --imdn); failures are printed on standard
error. The peer's text messages, bare or in message/cpim, are printed as `peer> TEXT`;
its IMDN requests are answered (delivery and display: the line was shown), its
notifications and is-composing indications (RFC 3994) are shown as `---` lines. End of
input (Ctrl-D) closes the session; so do SIGINT and SIGTERM.

With --json, one object per line: listening (uri, sdp), connected (uri), message
(message_id, content_type, text, cpim: null or from, to, datetime, imdn_message_id,
disposition_notification), delivered (message_id, imdn_id), failed (code, reason,
text), imdn (message_id, notification, status), imdn_sent (the same, for an answer
this side sent), composing (state: active or idle), file (message_id, content_type,
total: a non-text message, not kept), closed (reason).

With --relay URI (--user, --password): --to sends through the relay (AUTH first),
--listen waits for the peer on the path the relay gives (printed; the address is not
used).

Exit status: 0 when the session ended (by either side or by end of input), 2 on usage
or local errors, 3 when the peer cannot be reached, 130 or 143 after SIGINT or SIGTERM.";

/// Runs `msrp chat`.
pub(crate) fn run(args: ChatArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("msrp chat: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = rt.block_on(chat(args));
    // A read of standard input may still be blocked in a thread: do not wait for it.
    rt.shutdown_background();
    ExitCode::from(code)
}

async fn chat(args: ChatArgs) -> u8 {
    let json = args.json;
    let mut stop = std::pin::pin!(stop_requested());
    let relay = match args.relay.relay() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("msrp chat: {e}");
            return 2;
        }
    };
    let (session, incoming) = if let (Some(relay), Some(_)) = (&relay, &args.listen) {
        // Reached through the relay: its path is printed instead of a listening address.
        let attached = match attach_and_offer(
            relay,
            &args.client_tls,
            vec!["*".into()],
            msrp_proto::connection::DEFAULT_MAX_MESSAGE_SIZE,
            Direction::SendRecv,
        )
        .await
        {
            Ok(a) => a,
            Err(e) => {
                eprintln!("msrp chat: {e}");
                return 3;
            }
        };
        let (attached, sdp) = attached;
        let path = attached.path.to_string();
        say(json, || path.clone());
        say(json, || sdp.trim_end().to_owned());
        event(json, "listening", json!({"uri": path, "sdp": sdp}));
        (attached.session, attached.incoming)
    } else if let Some(bind) = &args.listen {
        let mut offered = match bind_and_offer(ListenSettings {
            bind,
            tls: &args.server_tls,
            accept_types: vec!["*".into()],
            max_size: msrp_proto::connection::DEFAULT_MAX_MESSAGE_SIZE,
            direction: Direction::SendRecv,
            offer: None,
            ws: args.ws,
            max_connections: msrp_tokio::DEFAULT_MAX_CONNECTIONS,
        })
        .await
        {
            Ok(o) => o,
            Err(e) => {
                eprintln!("msrp chat: {e}");
                return 2;
            }
        };
        say(json, || offered.uri.as_str().to_owned());
        say(json, || offered.sdp.trim_end().to_owned());
        event(
            json,
            "listening",
            json!({"uri": offered.uri.as_str(), "sdp": offered.sdp}),
        );
        tokio::select! {
            a = offered.listener.accept() => match a {
                Some(x) => x,
                None => {
                    eprintln!("msrp chat: the listener stopped");
                    return 2;
                }
            },
            code = &mut stop => return code,
        }
    } else {
        let to_text = args.to.clone().unwrap_or_default();
        let to = match Path::parse(&to_text) {
            Ok(p) if !p.is_empty() => p,
            _ => {
                eprintln!("msrp chat: --to {to_text}: not an MSRP URI");
                return 2;
            }
        };
        let mut config = Config::default();
        match args.client_tls.config() {
            Ok(Some(c)) => config = config.tls_client(c),
            Ok(None) if to.first().is_some_and(|u| u.scheme() == Scheme::Msrps) => {
                eprintln!("msrp chat: msrps needs --tls-ca FILE (the certificate to trust)");
                return 2;
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("msrp chat: {e}");
                return 2;
            }
        }
        let connecting = async {
            match (&relay, &args.ws_url) {
                (Some(r), _) => connect_via(r, &to, &config).await,
                (None, Some(url)) => connect_ws(url, &to, &config).await,
                (None, None) => connect(&to, &config).await,
            }
        };
        tokio::select! {
            c = connecting => match c {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("msrp chat: cannot reach the peer: {e}");
                    event(json, "failed", json!({"code": e.status_code(), "reason": e.to_string(), "text": null}));
                    return 3;
                }
            },
            code = &mut stop => return code,
        }
    };
    say(json, || {
        "--- connected; type lines to send, Ctrl-D to end".into()
    });
    event(
        json,
        "connected",
        json!({"uri": session.local_uri().as_str()}),
    );
    // The CPIM To: the peer's URI as given; a listening side does not know it before the
    // peer writes, and says the anonymous URI RCS clients use (--cpim-to to name it).
    let peer = args
        .to
        .clone()
        .unwrap_or_else(|| "sip:anonymous@anonymous.invalid".into());
    let wrapper = Wrapper::new(&args.cpim, session.local_uri().as_str(), &peer);
    talk(session, incoming, wrapper, json, stop).await
}

async fn talk(
    session: Session,
    mut incoming: Incoming,
    wrapper: Option<Wrapper>,
    json: bool,
    mut stop: std::pin::Pin<&mut impl std::future::Future<Output = u8>>,
) -> u8 {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut sends = JoinSet::new();
    let mut input_open = true;
    let started = tokio::time::Instant::now();
    let mut composing = RemoteComposing::new();
    loop {
        let lapse = composing.poll_timeout().map(|t| started + t);
        tokio::select! {
            l = lines.next_line(), if input_open => match l {
                Ok(Some(text)) if text.is_empty() => {}
                Ok(Some(text)) => {
                    let s = session.clone();
                    let wrapped = match &wrapper {
                        None => Ok(None),
                        Some(w) => w.wrap("text/plain", text.clone().into()).map(Some),
                    };
                    match wrapped {
                        Ok(wrapped) => {
                            let imdn_id = wrapped.as_ref().and_then(|w| w.imdn_id.clone());
                            sends.spawn(async move {
                                let r = match wrapped {
                                    None => s.send("text/plain", text.clone()).await,
                                    Some(w) => s.send(CPIM_CONTENT_TYPE, w.body).await,
                                };
                                (text, r, imdn_id)
                            });
                        }
                        Err(e) => eprintln!("msrp chat: {e}"),
                    }
                }
                Ok(None) | Err(_) => input_open = false,
            },
            () = sleep_until_opt(lapse) => {
                if composing.handle_timeout(started.elapsed()) {
                    im::show_composing(json, composing.state());
                }
            },
            Some(done) = sends.join_next(), if !sends.is_empty() => {
                if let Ok((text, r, imdn_id)) = done {
                    match r {
                        Ok(sent) => event(json, "delivered", json!({"message_id": sent.message_id(), "imdn_id": imdn_id})),
                        Err(e) => {
                            eprintln!("msrp chat: not delivered: {e}: {text}");
                            event(json, "failed", json!({"code": e.status_code(), "reason": e.to_string(), "text": text}));
                        }
                    }
                }
            },
            item = incoming.recv() => match item {
                None => break 0,
                Some(item) => {
                    if show(item, &session, &mut composing, started.elapsed(), json) {
                        break 0;
                    }
                }
            },
            code = &mut stop => {
                session.close().await;
                break code;
            }
        }
        if !input_open && sends.is_empty() {
            // End of input and every line answered: close.
            session.close().await;
            say(json, || "--- session closed".into());
            event(json, "closed", json!({"reason": null}));
            break 0;
        }
    }
}

/// Waits until `at`, or forever.
async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Prints what the peer sent (answering its IMDN requests); true once the session closed.
fn show(
    item: Received,
    session: &Session,
    composing: &mut RemoteComposing,
    now: std::time::Duration,
    json: bool,
) -> bool {
    match item {
        Received::Message {
            message_id,
            content_type,
            body,
        } => {
            let (text, cpim) = match im::read(&content_type, &body) {
                Content::Notification(n) => {
                    im::show_notification(json, &n);
                    return false;
                }
                Content::Composing(c) => {
                    if composing.on_indication(&c, now) {
                        im::show_composing(json, composing.state());
                    }
                    return false;
                }
                Content::Im(m) => (im::text_of(&m).map(str::to_owned), Some(m)),
                Content::Plain => {
                    let text = std::str::from_utf8(&body)
                        .ok()
                        .filter(|_| content_type.to_ascii_lowercase().starts_with("text/"));
                    (text.map(str::to_owned), None)
                }
            };
            let Some(text) = text else {
                file(json, &message_id, &content_type, Some(body.len() as u64));
                return false;
            };
            if composing.on_message(now) {
                im::show_composing(json, composing.state());
            }
            if json {
                event(
                    true,
                    "message",
                    json!({"message_id": message_id, "content_type": content_type, "text": text,
                           "cpim": cpim.as_ref().map(im::cpim_json)}),
                );
            } else {
                let _ = line(&format!("peer> {text}"));
            }
            if let Some(m) = &cpim {
                // Received and shown: both notifications, if asked (RFC 5438 7.2.1).
                im::answer_in_background(session, m, false, json);
                im::answer_in_background(session, m, true, json);
            }
        }
        Received::Started {
            message_id,
            content_type,
            total,
        } => file(json, &message_id, &content_type, total),
        Received::Closed { reason } => {
            let why = reason.map(|r| r.to_string());
            say(json, || match &why {
                Some(r) => format!("--- the session ended: {r}"),
                None => "--- the session ended".into(),
            });
            event(json, "closed", json!({"reason": why}));
            return true;
        }
        _ => {}
    }
    false
}

fn file(json: bool, message_id: &str, content_type: &str, total: Option<u64>) {
    say(json, || {
        format!("--- the peer sends a {content_type} message ({message_id}); chat does not keep it")
    });
    event(
        json,
        "file",
        json!({"message_id": message_id, "content_type": content_type, "total": total}),
    );
}
