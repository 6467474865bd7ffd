//! `msrp chat`: an interactive line chat over one session: each line read from standard
//! input is a text/plain message, each text message from the peer a line on standard
//! output.

use std::process::ExitCode;

use clap::{ArgGroup, Args};
use msrp_sdp::Direction;
use msrp_tokio::uri::{Path, Scheme};
use msrp_tokio::{Config, Incoming, Received, Session, connect, connect_ws};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::task::JoinSet;

use crate::listening::{ListenSettings, bind_and_offer};
use crate::output::{event, line, say};
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
    /// Print one JSON object per event (NDJSON) instead of text.
    #[arg(long)]
    json: bool,
}

const CHAT_AFTER: &str = "\
Each line typed is sent as a text/plain message with a success REPORT asked for;
failures are printed on standard error. The peer's text messages are printed as
`peer> TEXT`. End of input (Ctrl-D) closes the session; so do SIGINT and SIGTERM.

With --json, one object per line: listening (uri, sdp), connected (uri), message
(message_id, content_type, text), delivered (message_id), failed (code, reason, text),
file (message_id, content_type, total: a non-text message, not kept), closed (reason).

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
    let (session, incoming) = if let Some(bind) = &args.listen {
        let mut offered = match bind_and_offer(ListenSettings {
            bind,
            tls: &args.server_tls,
            accept_types: vec!["*".into()],
            max_size: msrp_proto::connection::DEFAULT_MAX_MESSAGE_SIZE,
            direction: Direction::SendRecv,
            offer: None,
            ws: args.ws,
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
            match &args.ws_url {
                Some(url) => connect_ws(url, &to, &config).await,
                None => connect(&to, &config).await,
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
    talk(session, incoming, json, stop).await
}

async fn talk(
    session: Session,
    mut incoming: Incoming,
    json: bool,
    mut stop: std::pin::Pin<&mut impl std::future::Future<Output = u8>>,
) -> u8 {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut sends = JoinSet::new();
    let mut input_open = true;
    loop {
        tokio::select! {
            l = lines.next_line(), if input_open => match l {
                Ok(Some(text)) if text.is_empty() => {}
                Ok(Some(text)) => {
                    let s = session.clone();
                    sends.spawn(async move {
                        let r = s.send("text/plain", text.clone()).await;
                        (text, r)
                    });
                }
                Ok(None) | Err(_) => input_open = false,
            },
            Some(done) = sends.join_next(), if !sends.is_empty() => {
                if let Ok((text, r)) = done {
                    match r {
                        Ok(sent) => event(json, "delivered", json!({"message_id": sent.message_id()})),
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
                    if show(item, json) {
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

/// Prints what the peer sent; true once the session closed.
fn show(item: Received, json: bool) -> bool {
    match item {
        Received::Message {
            message_id,
            content_type,
            body,
        } => match std::str::from_utf8(&body) {
            Ok(text) if content_type.to_ascii_lowercase().starts_with("text/") => {
                if json {
                    event(
                        true,
                        "message",
                        json!({"message_id": message_id, "content_type": content_type, "text": text}),
                    );
                } else {
                    let _ = line(&format!("peer> {text}"));
                }
            }
            _ => file(json, &message_id, &content_type, Some(body.len() as u64)),
        },
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
