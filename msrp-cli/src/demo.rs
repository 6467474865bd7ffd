//! `msrp demo`: two endpoints on 127.0.0.1 negotiate with SDP, connect over TCP, exchange
//! text messages and transfer a generated file, all through the sans-IO core.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant as StdInstant};

use bytes::Bytes;
use clap::Args;
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{
    Connection, ConnectionConfig, Event, MessageHandle, SessionConfig, SessionId,
};
use msrp_sdp::{Answer, LocalPrefs, MsrpMediaBuilder, OfferBuilder, Setup, SetupChoice, answer};
use msrp_uri::{Path, Uri};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use crate::driver::{Command, OsSeeded, drive};

/// Arguments of `msrp demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Size of the generated file: bytes, or with a K, M or G suffix (powers of 1024).
    #[arg(long, default_value = "64M", value_parser = parse_size)]
    size: u64,
    /// Also write the bytes each side sends to DIR/alice.sent.msrp and DIR/bob.sent.msrp
    /// (for decoding them with another implementation).
    #[arg(long, value_name = "DIR")]
    record: Option<std::path::PathBuf>,
    /// Generate a text file (lines of lower-case letters) instead of binary data, e.g. for
    /// decoders that expect text bodies.
    #[arg(long)]
    text: bool,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim().trim_end_matches(['B', 'b']).trim_end_matches('i');
    let (digits, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("not a size: {s}"))?;
    n.checked_mul(mult)
        .filter(|n| *n <= 4 << 30)
        .ok_or_else(|| "at most 4G".to_string())
}

/// Runs the demo; exit code 0 only if everything arrived intact.
pub(crate) fn run(args: DemoArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("msrp demo: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(demo(args.size, args.text, args.record.as_deref())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("msrp demo: FAILED: {e}");
            ExitCode::from(1)
        }
    }
}

/// A deterministic pseudo-random file, produced piece by piece as it is sent (so neither
/// side ever holds it whole).
struct Generator {
    x: u64,
    size: u64,
    left: u64,
    text: bool,
}

impl Generator {
    fn new(size: u64, text: bool) -> Generator {
        Generator {
            x: 0x9E37_79B9_7F4A_7C15,
            size,
            left: size,
            text,
        }
    }

    /// How many bytes were generated so far.
    fn position(&self) -> u64 {
        self.size - self.left
    }

    /// The next piece, at most `max` bytes (a multiple of 8); `None` at the end.
    fn next_piece(&mut self, max: usize) -> Option<Bytes> {
        if self.left == 0 {
            return None;
        }
        let n = (max as u64).min(self.left) as usize;
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            self.x ^= self.x << 13;
            self.x ^= self.x >> 7;
            self.x ^= self.x << 17;
            out.extend_from_slice(&self.x.to_le_bytes());
        }
        out.truncate(n);
        if self.text {
            // Letters, and a line end every 64 bytes of the file.
            let at = self.position();
            for (i, b) in out.iter_mut().enumerate() {
                *b = if (at + i as u64) % 64 == 63 {
                    b'\n'
                } else {
                    b'a' + *b % 26
                };
            }
        }
        self.left -= n as u64;
        Some(Bytes::from(out))
    }
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Peak resident memory of this process (Linux), for the summary.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}

struct Endpoint {
    commands: mpsc::Sender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
    session: SessionId,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn start_endpoint(
    stream: TcpStream,
    session: SessionConfig,
    start: StdInstant,
    record: Option<std::fs::File>,
) -> Endpoint {
    // The send queue bounds what a sender holds: the file is written into it as it drains.
    let config = ConnectionConfig::default().max_queued_bytes(4 << 20);
    let mut conn = Connection::new(
        config,
        OsSeeded::new(),
        Instant::from_elapsed(start.elapsed()),
    );
    let id = conn.add_session(session);
    let (cmd_tx, cmd_rx) = mpsc::channel(16);
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(drive(conn, stream, cmd_rx, ev_tx, start, record));
    Endpoint {
        commands: cmd_tx,
        events: ev_rx,
        session: id,
        task,
    }
}

async fn send(
    ep: &Endpoint,
    content_type: &str,
    body: Bytes,
    reports: ReportPrefs,
) -> Result<MessageHandle, String> {
    let (tx, rx) = oneshot::channel();
    let cmd = Command::Send {
        session: ep.session,
        content_type: content_type.into(),
        body,
        reports,
        reply: tx,
    };
    ep.commands
        .send(cmd)
        .await
        .map_err(|_| "connection task ended")?;
    rx.await
        .map_err(|_| "connection task ended")?
        .map_err(|e| e.to_string())
}

async fn next_event(ep: &mut Endpoint, what: &str) -> Result<Event, String> {
    match tokio::time::timeout(Duration::from_secs(60), ep.events.recv()).await {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(format!("connection closed while waiting for {what}")),
        Err(_) => Err(format!("nothing for 60 s while waiting for {what}")),
    }
}

async fn demo(size: u64, text: bool, record: Option<&std::path::Path>) -> Result<(), String> {
    let start = StdInstant::now();
    let err = |e: std::io::Error| e.to_string();

    // Bob listens (he will answer passive); Alice connects.
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(err)?;
    let bob_port = listener.local_addr().map_err(err)?.port();
    let alice_uri: Uri = "msrp://127.0.0.1:9/alice8h3k2;tcp"
        .parse()
        .map_err(|e| format!("{e}"))?;
    let bob_uri: Uri = format!("msrp://127.0.0.1:{bob_port}/bob5m1q9;tcp")
        .parse()
        .map_err(|e| format!("{e}"))?;

    // SDP offer/answer, in-process.
    let offer_media = MsrpMediaBuilder::new(9, Path::new(alice_uri.clone()))
        .accept_types(["text/plain", "application/octet-stream"])
        .setup(Setup::ActPass)
        .build()
        .map_err(|e| e.to_string())?;
    let offer = OfferBuilder::new("alice", 1, 1, "127.0.0.1")
        .media(offer_media)
        .build()
        .map_err(|e| e.to_string())?;
    println!("--- SDP offer (Alice)\n{offer}");
    let prefs = LocalPrefs {
        port: bob_port,
        path: Path::new(bob_uri.clone()),
        accept_types: vec!["text/*".into(), "application/octet-stream".into()],
        accept_wrapped_types: vec![],
        max_size: Some(size.max(1 << 20)),
        protos: vec!["TCP/MSRP".into()],
        setup: SetupChoice::Passive,
        cema: false,
        accept_files: true,
    };
    let Answer::Accepted(answer_media) =
        answer(&offer.media[0], &prefs).map_err(|e| e.to_string())?
    else {
        return Err("Bob rejected the offer".into());
    };
    let bob_types: Vec<String> = answer_media
        .accept_types()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let answer_sdp = OfferBuilder::new("bob", 2, 1, "127.0.0.1")
        .media(answer_media)
        .build()
        .map_err(|e| e.to_string())?;
    println!("--- SDP answer (Bob)\n{answer_sdp}");
    let bob_path = answer_sdp.media[0]
        .path()
        .ok_or("no a=path in the answer")?
        .map_err(|e| e.to_string())?;
    let target = bob_path.first().ok_or("empty path")?.clone();

    // Connect: Alice is active (Bob answered passive).
    let addr = format!("{}:{}", target.host(), target.port().unwrap_or(2855));
    let accept = tokio::spawn(async move { listener.accept().await.map(|(s, _)| s) });
    let alice_stream = TcpStream::connect(&addr).await.map_err(err)?;
    let bob_stream = accept.await.map_err(|e| e.to_string())?.map_err(err)?;
    println!("--- connected: Alice -> Bob at {addr}");
    let recorder = |name: &str| -> Result<Option<std::fs::File>, String> {
        let Some(dir) = record else { return Ok(None) };
        let path = dir.join(format!("{name}.sent.msrp"));
        std::fs::File::create(&path)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    };

    let mut alice = start_endpoint(
        alice_stream,
        SessionConfig::new(alice_uri.clone(), bob_path.clone())
            .accept_types(["text/plain", "application/octet-stream"])
            .max_message_size(1 << 20),
        start,
        recorder("alice")?,
    );
    let mut bob = start_endpoint(
        bob_stream,
        SessionConfig::new(bob_uri, Path::new(alice_uri))
            .accept_types(bob_types)
            .max_message_size(size.max(1 << 20)),
        start,
        recorder("bob")?,
    );
    alice
        .commands
        .send(Command::Keepalive(alice.session))
        .await
        .map_err(|_| "connection task ended")?;

    // Text messages.
    let texts = [
        "Hi Bob, it's Alice.",
        "This chat runs over MSRP (RFC 4975).",
        "A file is coming next.",
    ];
    for t in texts {
        send(
            &alice,
            "text/plain",
            Bytes::from_static(t.as_bytes()),
            ReportPrefs::default(),
        )
        .await?;
    }
    let mut got = 0;
    while got < texts.len() {
        match next_event(&mut bob, "the text messages").await? {
            Event::MessageReceived {
                content_type, body, ..
            } => {
                let text = String::from_utf8_lossy(&body);
                if text != texts[got] {
                    return Err(format!("message {got} arrived as {text:?}"));
                }
                println!("Bob received ({content_type}): {text}");
                got += 1;
            }
            other => return Err(format!("unexpected event at Bob: {other:?}")),
        }
    }

    // The file, produced and sent piece by piece, with a success REPORT asked for.
    println!("--- sending a {size}-byte file, generated as it is sent");
    let t0 = StdInstant::now();
    let reports = ReportPrefs {
        success: Some(true),
        failure: None,
    };
    let (tx, rx) = oneshot::channel();
    let start_cmd = Command::StartStream {
        session: alice.session,
        content_type: if text {
            "text/plain"
        } else {
            "application/octet-stream"
        }
        .into(),
        total: Some(size),
        reports,
        reply: tx,
    };
    alice
        .commands
        .send(start_cmd)
        .await
        .map_err(|_| "connection task ended")?;
    let file_id = rx
        .await
        .map_err(|_| "connection task ended")?
        .map_err(|e| e.to_string())?;
    let writer_commands = alice.commands.clone();
    let writer = tokio::spawn(async move {
        let mut generator = Generator::new(size, text);
        let mut hasher = Sha256::new();
        while let Some(piece) = generator.next_piece(256 * 1024) {
            hasher.update(&piece);
            // The driver answers once the piece fits its send queue (it waits for the
            // connection's Writable event): no polling here.
            let (tx, rx) = oneshot::channel();
            let cmd = Command::Write {
                message: file_id,
                data: piece,
                reply: tx,
            };
            writer_commands
                .send(cmd)
                .await
                .map_err(|_| "connection task ended")?;
            rx.await
                .map_err(|_| "connection task ended")?
                .map_err(|e| e.to_string())?;
        }
        writer_commands
            .send(Command::Finish(file_id))
            .await
            .map_err(|_| "connection task ended")?;
        Ok::<String, String>(hex(&hasher.finalize()))
    });
    let mut hasher = Sha256::new();
    let mut received = 0u64;
    let mut last_draw = StdInstant::now();
    loop {
        match next_event(&mut bob, "the file").await? {
            Event::MessageData { offset, data, .. } => {
                if offset != received {
                    return Err(format!("data at {offset}, expected {received}"));
                }
                hasher.update(&data);
                received += data.len() as u64;
                if last_draw.elapsed() > Duration::from_millis(100) {
                    draw(received, size);
                    last_draw = StdInstant::now();
                }
            }
            Event::MessageReceived { body, .. } => {
                // Small sizes are delivered whole.
                hasher.update(&body);
                received += body.len() as u64;
                break;
            }
            Event::MessageStarted { .. } => {}
            Event::MessageComplete { .. } => break,
            other => return Err(format!("unexpected event at Bob: {other:?}")),
        }
    }
    draw(received, size);
    eprintln!();
    let elapsed = t0.elapsed();
    let got_hash = hex(&hasher.finalize());
    let sent_hash = writer.await.map_err(|e| e.to_string())??;
    // Alice waits for the success REPORT.
    loop {
        match next_event(&mut alice, "the success REPORT").await? {
            Event::ReportReceived { status, .. } => println!("Alice got a REPORT: status {status}"),
            Event::MessageDelivered { .. } => break,
            // The text messages asked for no REPORT: their 200s came back.
            Event::MessageAccepted { .. } => {}
            other => return Err(format!("unexpected event at Alice: {other:?}")),
        }
    }
    let mib = size as f64 / (1024.0 * 1024.0);
    println!(
        "--- {received} bytes in {:.3} s ({:.1} MiB/s), sha256 {got_hash}, peak memory {}",
        elapsed.as_secs_f64(),
        mib / elapsed.as_secs_f64().max(1e-9),
        peak_memory().unwrap_or_else(|| "unknown".into()),
    );
    drop(alice.commands);
    drop(bob.commands);
    let _ = tokio::time::timeout(Duration::from_secs(5), alice.task).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), bob.task).await;
    if received != size || got_hash != sent_hash {
        return Err(format!(
            "the file arrived damaged: {received} bytes, sha256 {got_hash}"
        ));
    }
    println!("--- OK: every message and every byte arrived intact");
    Ok(())
}

fn draw(done: u64, total: u64) {
    let width = 40;
    let filled = (done * width as u64)
        .checked_div(total)
        .map_or(width, |f| (f as usize).min(width));
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {:>5.1}%",
        "#".repeat(filled),
        " ".repeat(width - filled),
        done as f64 * 100.0 / total.max(1) as f64
    );
    let _ = err.flush();
}
