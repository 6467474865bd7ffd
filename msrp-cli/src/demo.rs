//! `msrp demo`: two endpoints on 127.0.0.1 negotiate with SDP, connect over TCP with
//! msrp-tokio, exchange text messages and transfer a generated file, which the receiver
//! checks byte for byte as it arrives.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use futures_core::Stream;
use msrp_sdp::{Answer, LocalPrefs, MsrpMediaBuilder, OfferBuilder, Setup, SetupChoice, answer};
use msrp_tokio::proto::auth::Credentials;
use msrp_tokio::proto::chunking::ChunkPolicy;
use msrp_tokio::proto::connection::{ConnectionConfig, SessionConfig};
use msrp_tokio::proto::relay::RelayConfig;
use msrp_tokio::proto::wire::random_id;
use msrp_tokio::relay_server::{RelayServer, RelayServerConfig};
use msrp_tokio::uri::{Host, Path, Scheme, Transport, Uri};
use msrp_tokio::{
    Config, Incoming, Listener, OsRandom, Received, Relay as MsrpRelay, SendOptions, Sent, attach,
    connect_over, connect_via,
};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::output::{event, say};
use crate::progress::Progress;
use crate::size::parse_size;

const DEMO_AFTER: &str = "\
The file is deterministic pseudo-random bytes (with --text, lines of lower-case letters):
the sender produces it as it is read and the receiver compares every byte that arrives
with the same bytes, so neither side ever holds it whole.

With --json, one object per line, each with an \"event\" field:
  offer      sdp                      (Alice's SDP offer)
  answer     sdp                      (Bob's SDP answer)
  relay      uri                      (--relay: the relay's URI)
  connected  from, to, addr           (Alice's and Bob's session URIs, the socket
                                       Alice connected to: Bob's, or the relay's)
  message    content_type, text       (a text message Bob received)
  file       size, content_type       (the transfer starts)
  delivered  message_id               (Alice got the file's success REPORT)
  summary    bytes, seconds, mib_per_s, peak_memory_kb (null when unknown),
             relay_peak_buffered_bytes (--relay: the most the relay held)
  ok                                  (every message and every byte arrived intact)
  failed     reason, offset           (offset: the file's first wrong byte, or null)

Exit status: 0 everything arrived intact; 1 something did not; 2 usage or local errors.";

/// Arguments of `msrp demo`.
#[derive(Debug, Args)]
#[command(after_help = DEMO_AFTER)]
pub(crate) struct DemoArgs {
    /// Size of the generated file: bytes, or with a K, M or G suffix (powers of 1024).
    #[arg(long, default_value = "64M", value_parser = parse_size)]
    size: u64,
    /// Also write the bytes each side sends to DIR/alice.sent.msrp and DIR/bob.sent.msrp
    /// (for decoding them with another implementation; meant for small sizes).
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// Generate a text file (lines of lower-case letters) instead of binary data, e.g. for
    /// decoders that expect text bodies.
    #[arg(long)]
    text: bool,
    /// Go through an MSRP relay (RFC 4976): start our relay (`msrp relay`) on a third
    /// thread; Bob authenticates to it and answers with its Use-Path in his a=path, Alice
    /// authenticates and sends through it. Every byte crosses two TCP connections.
    #[arg(long, conflicts_with = "record")]
    relay: bool,
    /// Print one JSON object per event (NDJSON) instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the demo; exit code 0 only if everything arrived intact.
///
/// Each endpoint runs on its own thread with its own single-threaded runtime, as two
/// processes would: Alice's connection and the story on this thread, Bob's listener,
/// connection and file check on another. They meet only through the TCP connection
/// (and the SDP handed across in-process).
pub(crate) fn run(args: DemoArgs) -> ExitCode {
    let json = args.json;
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    let (alice_rt, bob_rt) = match (runtime(), runtime()) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("msrp demo: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let relay_rt = match args.relay.then(runtime).transpose() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("msrp demo: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let bob = bob_rt.handle().clone();
    let relay = relay_rt.as_ref().map(|rt| rt.handle().clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (stop_relay, relay_stopped) = tokio::sync::oneshot::channel::<()>();
    let bob_thread = std::thread::Builder::new()
        .name("bob".into())
        .spawn(move || bob_rt.block_on(async move { drop(stopped.await) }));
    let relay_thread = relay_rt.map(|rt| {
        std::thread::Builder::new()
            .name("relay".into())
            .spawn(move || rt.block_on(async move { drop(relay_stopped.await) }))
    });
    let result = match (bob_thread, relay_thread.transpose()) {
        (Ok(thread), Ok(relay_thread)) => {
            let r = alice_rt.block_on(demo(args, bob, relay));
            drop(stop);
            drop(stop_relay);
            let _ = thread.join();
            if let Some(t) = relay_thread {
                let _ = t.join();
            }
            r
        }
        (Err(e), _) | (_, Err(e)) => Err(local(format!("cannot start a thread: {e}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("msrp demo: FAILED: {}", f.reason);
            event(
                json,
                "failed",
                json!({"reason": f.reason, "offset": f.offset}),
            );
            ExitCode::from(f.exit)
        }
    }
}

/// Why the demo failed.
struct Failure {
    reason: String,
    /// The file's first wrong byte, for a damaged transfer.
    offset: Option<u64>,
    exit: u8,
}

impl From<String> for Failure {
    fn from(reason: String) -> Failure {
        Failure {
            reason,
            offset: None,
            exit: 1,
        }
    }
}

impl From<&str> for Failure {
    fn from(reason: &str) -> Failure {
        Failure::from(reason.to_owned())
    }
}

fn local(e: impl std::fmt::Display) -> Failure {
    Failure {
        reason: e.to_string(),
        offset: None,
        exit: 2,
    }
}

/// Bytes of the file made from one window of the table.
const BLOCK: usize = 64 * 1024;
/// Bytes of the table the windows are taken from (small enough to stay in the cache).
const TABLE: usize = 1 << 18;

/// The file both sides agree on: block `i` (64 KiB) is a window of a 256 KiB table of
/// xorshift output, at a place (a multiple of 64) picked by a hash of `i`. Producing
/// the file is a copy and checking it a comparison, as fast as memory, so the check does
/// not slow the transfer it measures while still covering every byte.
struct Pattern {
    table: Bytes,
}

impl Pattern {
    fn new(text: bool) -> Pattern {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut table = Vec::with_capacity(TABLE + BLOCK);
        while table.len() < TABLE + BLOCK {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            table.extend_from_slice(&x.to_le_bytes());
        }
        if text {
            // Letters, and a line end every 64 bytes of the file (windows start at
            // multiples of 64, so the table's lines are the file's).
            for (i, b) in table.iter_mut().enumerate() {
                *b = if i % 64 == 63 { b'\n' } else { b'a' + *b % 26 };
            }
        }
        Pattern {
            table: table.into(),
        }
    }

    /// The file's bytes from `offset` to the end of their block.
    fn at(&self, offset: u64) -> &[u8] {
        let (start, end) = self.window(offset);
        &self.table[start..end]
    }

    /// [`Pattern::at`] as a slice of the table (shared, not copied).
    fn piece(&self, offset: u64) -> Bytes {
        let (start, end) = self.window(offset);
        self.table.slice(start..end)
    }

    /// Where the file's bytes from `offset` to the end of their block are in the table.
    fn window(&self, offset: u64) -> (usize, usize) {
        let block = offset / BLOCK as u64;
        // splitmix64's finalizer.
        let mut z = block.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let start = (z % (TABLE as u64 / 64)) as usize * 64;
        let within = (offset % BLOCK as u64) as usize;
        (start + within, start + BLOCK)
    }

    /// The offset of the first byte of `data` (found at `offset` in the file) that is not
    /// the file's.
    fn first_difference(&self, mut offset: u64, mut data: &[u8]) -> Option<u64> {
        while !data.is_empty() {
            let want = self.at(offset);
            let n = want.len().min(data.len());
            if data[..n] != want[..n] {
                let i = data.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
                return Some(offset + i as u64);
            }
            offset += n as u64;
            data = &data[n..];
        }
        None
    }
}

/// The file as a stream of pieces, each a block (64 KiB) of the file as a slice of the
/// pattern's table: produced as it is sent, without a copy (the connection writes each
/// piece from the table with a vectored write, as the plain copy writes from one buffer).
struct Source {
    pattern: Arc<Pattern>,
    at: u64,
    size: u64,
}

impl Stream for Source {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.at >= self.size {
            return Poll::Ready(None);
        }
        let left = self.size - self.at;
        let mut piece = self.pattern.piece(self.at);
        piece.truncate(piece.len().min(left as usize));
        self.at += piece.len() as u64;
        Poll::Ready(Some(Ok(piece)))
    }
}

/// Alice's TCP stream, recording both directions for `--record`: what Alice writes, and
/// what she reads, which is exactly what Bob wrote (the one connection between them).
struct Recorder {
    tcp: TcpStream,
    alice: std::fs::File,
    bob: std::fs::File,
}

impl AsyncRead for Recorder {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.tcp).poll_read(cx, buf))?;
        io::Write::write_all(&mut self.bob, &buf.filled()[before..])?;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Recorder {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let n = ready!(Pin::new(&mut self.tcp).poll_write(cx, buf))?;
        io::Write::write_all(&mut self.alice, &buf[..n])?;
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let n = ready!(Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs))?;
        let mut left = n;
        for b in bufs {
            let take = left.min(b.len());
            io::Write::write_all(&mut self.alice, &b[..take])?;
            left -= take;
            if left == 0 {
                break;
            }
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// Peak resident memory of this process in kB (Linux), for the summary.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The next thing Bob's session got, within a minute.
async fn next(incoming: &mut Incoming, what: &str) -> Result<Received, Failure> {
    match tokio::time::timeout(Duration::from_secs(60), incoming.recv()).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(format!("the session ended while waiting for {what}").into()),
        Err(_) => Err(format!("nothing for 60 s while waiting for {what}").into()),
    }
}

/// Bob's side of the file: every piece in order and equal to the file's bytes, then its
/// end. Gives back his `Incoming` and when the last byte arrived.
async fn check_file(
    mut incoming: Incoming,
    pattern: Arc<Pattern>,
    size: u64,
    bar: Progress,
) -> (Result<(), Failure>, Instant, Incoming) {
    let mut received = 0u64;
    let check = |at: u64, data: &[u8]| match pattern.first_difference(at, data) {
        None => Ok(()),
        Some(offset) => Err(Failure {
            reason: format!("the file arrived damaged: byte {offset} differs"),
            offset: Some(offset),
            exit: 1,
        }),
    };
    let r = async {
        loop {
            match next(&mut incoming, "the file").await? {
                Received::Started { .. } => {}
                Received::Data { offset, data, .. } => {
                    if offset != received {
                        return Err(format!("data at {offset}, expected {received}").into());
                    }
                    check(offset, &data)?;
                    received += data.len() as u64;
                    bar.set(received);
                }
                Received::Complete { .. } => break,
                // Small sizes come whole.
                Received::Message { body, .. } => {
                    check(0, &body)?;
                    received = body.len() as u64;
                    break;
                }
                other => return Err(format!("unexpected at Bob: {other:?}").into()),
            }
        }
        if received != size {
            return Err(Failure {
                reason: format!("the file arrived short: {received} of {size} bytes"),
                offset: Some(received),
                exit: 1,
            });
        }
        Ok(())
    }
    .await;
    bar.finish();
    (r, Instant::now(), incoming)
}

/// Alice and Bob, connected (directly or through the relay), before the first message.
struct Meeting {
    alice: msrp_tokio::Session,
    alice_uri: Uri,
    bob_uri: Uri,
    bob_in: Incoming,
    /// The socket Alice connected to.
    addr: String,
    relay: Option<RelayServer>,
    /// Kept open for the whole demo.
    _bob_session: msrp_tokio::Session,
}

/// A URI for Alice's offer (RFC 4975 section 8: port 9, she does not listen).
fn alice_offer_uri() -> Result<Uri, Failure> {
    Uri::builder(Scheme::Msrp, Host::Ipv4([127, 0, 0, 1].into()))
        .port(9)
        .session_id(random_id(&mut OsRandom::new()).as_str())
        .transport(Transport::Tcp)
        .build()
        .map_err(local)
}

/// The SDP offer/answer, in-process: Alice offers `alice_uri`, Bob answers with `bob_path`
/// on `port`. Returns the path of the answer and the types Bob accepts.
fn negotiate(
    alice_uri: &Uri,
    bob_path: Path,
    port: u16,
    types: [&str; 2],
    max_size: u64,
    json: bool,
) -> Result<(Path, Vec<String>), Failure> {
    let offer_media = MsrpMediaBuilder::new(9, Path::new(alice_uri.clone()))
        .accept_types(types)
        .setup(Setup::ActPass)
        .build()
        .map_err(local)?;
    let offer = OfferBuilder::new("alice", 1, 1, "127.0.0.1")
        .media(offer_media)
        .build()
        .map_err(local)?;
    say(json, || format!("--- SDP offer (Alice)\n{offer}"));
    event(json, "offer", json!({"sdp": offer.to_string()}));
    let prefs = LocalPrefs {
        port,
        path: bob_path,
        accept_types: vec!["text/*".into(), "application/octet-stream".into()],
        accept_wrapped_types: vec![],
        max_size: Some(max_size),
        protos: vec!["TCP/MSRP".into()],
        setup: SetupChoice::Passive,
        cema: false,
        accept_files: true,
    };
    let Answer::Accepted(answer_media) = answer(&offer.media[0], &prefs).map_err(local)? else {
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
        .map_err(local)?;
    say(json, || format!("--- SDP answer (Bob)\n{answer_sdp}"));
    event(json, "answer", json!({"sdp": answer_sdp.to_string()}));
    let path = answer_sdp.media[0]
        .path()
        .ok_or("no a=path in the answer")?
        .map_err(local)?;
    Ok((path, bob_types))
}

/// Bob listens (he answers passive) and Alice connects to him.
async fn meet_directly(
    config: &Config,
    bob_rt: &tokio::runtime::Handle,
    record: Option<&PathBuf>,
    types: [&str; 2],
    max_size: u64,
    json: bool,
) -> Result<Meeting, Failure> {
    let bob_config = config.clone();
    // Bound on Bob's runtime: his connections' tasks run there.
    let mut bob = bob_rt
        .spawn(async move { Listener::bind("127.0.0.1:0", bob_config).await })
        .await
        .map_err(local)?
        .map_err(local)?;
    let bob_port = bob.local_addr().port();
    let bob_uri = bob.new_uri().map_err(local)?;
    let alice_uri = alice_offer_uri()?;
    let (bob_path, bob_types) = negotiate(
        &alice_uri,
        Path::new(bob_uri.clone()),
        bob_port,
        types,
        max_size,
        json,
    )?;
    let target = bob_path
        .first()
        .ok_or("empty a=path in the answer")?
        .clone();

    // Bob expects Alice's session; Alice connects (active, Bob answered passive).
    bob.offer(
        SessionConfig::new(bob_uri.clone(), Path::new(alice_uri.clone()))
            .accept_types(bob_types)
            .max_message_size(max_size),
    )
    .map_err(local)?;
    let addr = format!("{}:{}", target.host(), target.port().unwrap_or(2855));
    let tcp = TcpStream::connect(&addr).await.map_err(local)?;
    tcp.set_nodelay(true).map_err(local)?;
    let (alice, _alice_in) = match record {
        None => connect_over(tcp, alice_uri.clone(), &bob_path, config).await,
        Some(dir) => {
            let file = |name: &str| {
                let p = dir.join(format!("{name}.sent.msrp"));
                std::fs::File::create(&p).map_err(|e| local(format!("{}: {e}", p.display())))
            };
            let io = Recorder {
                tcp,
                alice: file("alice")?,
                bob: file("bob")?,
            };
            connect_over(io, alice_uri.clone(), &bob_path, config).await
        }
    }
    .map_err(|e| format!("Alice cannot connect: {e}"))?;
    let (bob_session, bob_in) = tokio::time::timeout(Duration::from_secs(10), bob.accept())
        .await
        .ok()
        .flatten()
        .ok_or("Bob got no session")?;
    Ok(Meeting {
        alice,
        alice_uri,
        bob_uri,
        bob_in,
        addr,
        relay: None,
        _bob_session: bob_session,
    })
}

/// Our relay on its own runtime; Bob authenticates to it and answers with the path it
/// gave him (its Use-Path, then his URI, RFC 4976 section 5.1); Alice authenticates and
/// connects through it. Her offer carries only her own URI (msrp-tokio's `connect_via`
/// authenticates when it connects, after the offer/answer); Bob's session learns her
/// whole path (her Use-Path, then her URI) from her first request.
async fn meet_through_relay(
    config: &Config,
    bob_rt: &tokio::runtime::Handle,
    relay_rt: &tokio::runtime::Handle,
    types: [&str; 2],
    json: bool,
) -> Result<Meeting, Failure> {
    let mut secret = [0u8; 16];
    msrp_tokio::proto::wire::RandomSource::fill_bytes(&mut OsRandom::new(), &mut secret);
    let password: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let pw = password.clone();
    let credentials =
        move |user: &str, _realm: &str| (user == "alice" || user == "bob").then(|| pw.clone());
    let engine = RelayConfig::new(
        "msrp://127.0.0.1:0;tcp".parse().map_err(local)?,
        "127.0.0.1",
    );
    // Bound on the relay's runtime: its tasks run there.
    let relay = relay_rt
        .spawn(async move {
            RelayServer::bind("127.0.0.1:0", RelayServerConfig::new(engine), credentials).await
        })
        .await
        .map_err(local)?
        .map_err(local)?;
    let relay_uri = relay.uri().clone();
    say(json, || format!("--- relay at {}", relay_uri.as_str()));
    event(json, "relay", json!({"uri": relay_uri.as_str()}));
    let via = |user: &str| MsrpRelay::new(relay_uri.clone(), Credentials::new(user, &password));

    let bob_config = config.clone();
    let bob_relay = via("bob");
    let attached = bob_rt
        .spawn(async move { attach(&bob_relay, &bob_config).await })
        .await
        .map_err(local)?
        .map_err(|e| format!("Bob cannot authenticate to the relay: {e}"))?;
    let bob_uri = attached
        .path
        .last()
        .ok_or("an empty path from the relay")?
        .clone();
    let alice_uri = alice_offer_uri()?;
    let port = relay.local_addr().port();
    let (bob_path, _) = negotiate(
        &alice_uri,
        attached.path,
        port,
        types,
        config.max_message_size,
        json,
    )?;
    let (alice, _alice_in) = connect_via(&via("alice"), &bob_path, config)
        .await
        .map_err(|e| format!("Alice cannot connect through the relay: {e}"))?;
    Ok(Meeting {
        alice_uri: alice.local_uri().clone(),
        alice,
        bob_uri,
        bob_in: attached.incoming,
        addr: relay.local_addr().to_string(),
        relay: Some(relay),
        _bob_session: attached.session,
    })
}

async fn demo(
    args: DemoArgs,
    bob_rt: tokio::runtime::Handle,
    relay_rt: Option<tokio::runtime::Handle>,
) -> Result<(), Failure> {
    let DemoArgs {
        size,
        record,
        text,
        relay: _,
        json,
    } = args;

    // Bob listens (he will answer passive); Alice will connect. Her URI is the one her
    // offer carries (RFC 4975 section 8: port 9, she does not listen).
    let types = ["text/plain", "application/octet-stream"];
    // Up to 1 MiB per transmit, written with one `writev` (the file's pieces are shared,
    // not copied): fewer system calls and larger chunks than the default 64 KiB.
    // Recorded runs are for decoders: chunks of at most 16 KiB there, as tshark 4.0 cuts
    // the end-lines of some chunks of 64 KiB and more.
    let mut connection = ConnectionConfig::default().max_transmit(1 << 20);
    if record.is_some() {
        connection = connection.chunk_policy(ChunkPolicy::Fixed(16 << 10));
    }
    let config = Config::default().accept_types(types).connection(connection);
    let max_size = size.max(1 << 20);
    let meeting = match relay_rt {
        None => meet_directly(&config, &bob_rt, record.as_ref(), types, max_size, json).await?,
        Some(relay_rt) => {
            let config = config.clone().max_message_size(max_size);
            meet_through_relay(&config, &bob_rt, &relay_rt, types, json).await?
        }
    };
    let Meeting {
        alice,
        alice_uri,
        bob_uri,
        mut bob_in,
        addr,
        relay,
        _bob_session: bob_session,
    } = meeting;
    say(json, || format!("--- connected: Alice -> Bob at {addr}"));
    event(
        json,
        "connected",
        json!({"from": alice_uri.as_str(), "to": bob_uri.as_str(), "addr": addr}),
    );

    // Text messages, each done once its 200 came back (no REPORT asked for).
    let texts = [
        "Hi Bob, it's Alice.",
        "This chat runs over MSRP (RFC 4975).",
        "A file is coming next.",
    ];
    for t in texts {
        alice
            .send_with("text/plain", t, SendOptions::no_report())
            .await
            .map_err(|e| format!("text message: {e}"))?;
    }
    for (i, t) in texts.iter().enumerate() {
        match next(&mut bob_in, "the text messages").await? {
            Received::Message {
                content_type, body, ..
            } => {
                let got = String::from_utf8_lossy(&body);
                if got != *t {
                    return Err(format!("message {i} arrived as {got:?}").into());
                }
                say(json, || format!("Bob received ({content_type}): {got}"));
                event(
                    json,
                    "message",
                    json!({"content_type": content_type, "text": got}),
                );
            }
            other => return Err(format!("unexpected at Bob: {other:?}").into()),
        }
    }

    // The file, produced as it is sent, with a success REPORT asked for.
    let content_type = if text {
        "text/plain"
    } else {
        "application/octet-stream"
    };
    say(json, || {
        format!("--- sending a {size}-byte file, generated as it is sent")
    });
    event(
        json,
        "file",
        json!({"size": size, "content_type": content_type}),
    );
    let pattern = Arc::new(Pattern::new(text));
    let t0 = Instant::now();
    let source = Source {
        pattern: pattern.clone(),
        at: 0,
        size,
    };
    // Bob checks the file on his thread as it arrives.
    let bar = Progress::new("file", Some(size), json);
    let checking = bob_rt.spawn(check_file(bob_in, pattern, size, bar));
    let sent = alice
        .send_stream_bytes(
            content_type,
            source,
            Some(size),
            SendOptions::default(),
            |_| {},
        )
        .await;
    let delivered = Instant::now();
    let (checked, arrived, mut bob_in) = checking.await.map_err(|e| e.to_string())?;
    checked?;
    match sent.map_err(|e| format!("the file was not delivered: {e}"))? {
        Sent::Delivered { message_id } => {
            say(json, || "Alice got the success REPORT".to_owned());
            event(json, "delivered", json!({"message_id": message_id}));
        }
        other => return Err(format!("the file was not reported delivered: {other:?}").into()),
    }
    let received = size;
    let secs = delivered.max(arrived).duration_since(t0).as_secs_f64();
    let mib_per_s = size as f64 / (1024.0 * 1024.0) / secs.max(1e-9);
    let peak = peak_memory_kb();
    let relay_peak = relay.as_ref().map(|r| r.stats().peak_buffered_bytes);
    say(json, || {
        format!(
            "--- {received} bytes in {secs:.3} s ({mib_per_s:.1} MiB/s), every byte checked, \
             peak memory {}{}",
            peak.map_or_else(|| "unknown".to_owned(), |k| format!("{k} kB")),
            relay_peak.map_or_else(String::new, |b| format!(
                ", the relay held at most {b} bytes"
            ))
        )
    });
    event(
        json,
        "summary",
        json!({"bytes": received, "seconds": secs, "mib_per_s": mib_per_s,
               "peak_memory_kb": peak, "relay_peak_buffered_bytes": relay_peak}),
    );

    // Alice ends the session; Bob's ends with it once the connection is closed (so every
    // byte either side wrote is recorded by then).
    alice.close().await;
    let closed = async {
        while let Some(r) = bob_in.recv().await {
            if matches!(r, Received::Closed { .. }) {
                break;
            }
        }
    };
    if let Some(r) = relay {
        // Bob's connection is to the relay: Alice's close does not end it. Bob
        // closes his session, then the relay stops.
        bob_session.close().await;
        r.shutdown().await;
    } else {
        let _ = tokio::time::timeout(Duration::from_secs(5), closed).await;
    }
    say(json, || {
        "--- OK: every message and every byte arrived intact".to_owned()
    });
    event(json, "ok", json!({}));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_is_deterministic_and_checks_every_byte() {
        let p = Pattern::new(false);
        let q = Pattern::new(false);
        let mut a = vec![0u8; 3 * BLOCK + 17];
        let mut at = 0;
        while at < a.len() {
            let piece = p.at(at as u64);
            let n = piece.len().min(a.len() - at);
            a[at..at + n].copy_from_slice(&piece[..n]);
            at += n;
        }
        assert_eq!(q.first_difference(0, &a), None);
        assert_eq!(q.first_difference(5, &a[5..]), None);
        a[BLOCK + 3] ^= 1;
        assert_eq!(q.first_difference(0, &a), Some(BLOCK as u64 + 3));
        assert_eq!(
            q.first_difference(BLOCK as u64, &a[BLOCK..]),
            Some(BLOCK as u64 + 3)
        );
        // Blocks differ from each other.
        assert_ne!(p.at(0), p.at(BLOCK as u64));
    }

    #[test]
    fn text_files_are_lines_of_letters() {
        let p = Pattern::new(true);
        for block in 0..4u64 {
            let b = p.at(block * BLOCK as u64);
            for (i, c) in b.iter().enumerate() {
                if i % 64 == 63 {
                    assert_eq!(*c, b'\n');
                } else {
                    assert!(c.is_ascii_lowercase());
                }
            }
        }
    }
}
