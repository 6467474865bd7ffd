//! A tokio driver for `msrp_proto::connection::Connection`: the socket, the clock and the
//! channels live here; the protocol stays in the sans-IO core.

use std::io;
use std::time::Instant as StdInstant;

use bytes::Bytes;
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{Connection, Event, Output, SendError, SessionId};
use msrp_proto::wire::RandomSource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

/// What the application asks of a connection task.
pub(crate) enum Command {
    /// Queue a message; the reply is its Message-ID.
    Send {
        session: SessionId,
        content_type: String,
        body: Bytes,
        reports: ReportPrefs,
        reply: oneshot::Sender<Result<String, SendError>>,
    },
    /// Queue a bodiless SEND (binds the connection, RFC 4975 section 5.4).
    Keepalive(SessionId),
    /// Start a message whose body follows in `Write`s; the reply is its Message-ID.
    StartStream {
        session: SessionId,
        content_type: String,
        total: Option<u64>,
        reports: ReportPrefs,
        reply: oneshot::Sender<Result<String, SendError>>,
    },
    /// Add to a streamed message; `WouldBlock` while the send queue is full.
    Write {
        message_id: String,
        data: Bytes,
        reply: oneshot::Sender<Result<(), SendError>>,
    },
    /// End a streamed message.
    Finish(String),
}

/// Random bytes for transaction ids and Message-IDs: xorshift seeded from the OS (through
/// the standard library's hasher keys).
pub(crate) struct OsSeeded(u64);

impl OsSeeded {
    pub(crate) fn new() -> OsSeeded {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x6d73_7270);
        OsSeeded(h.finish() | 1)
    }
}

impl RandomSource for OsSeeded {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 32) as u8;
        }
    }
}

fn now(start: StdInstant) -> Instant {
    Instant::from_elapsed(start.elapsed())
}

/// Runs one connection until the peer closes it or the command channel closes and all
/// output is written. Reading, writing, commands and the timer are served concurrently, so
/// two peers sending in bulk to each other never wait on each other's full socket buffers.
/// `record`: a file that gets a copy of every byte written to the socket.
pub(crate) async fn drive<R: RandomSource>(
    mut conn: Connection<R>,
    stream: TcpStream,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    start: StdInstant,
    mut record: Option<std::fs::File>,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let mut buf = vec![0u8; 256 * 1024];
    let mut commands_open = true;
    // The bytes being written and how many of them have been.
    let mut out: Option<(Bytes, usize)> = None;
    let mut deadline = None;
    loop {
        while out.is_none() {
            match conn.poll_output() {
                Output::Transmit(bytes) => out = Some((bytes, 0)),
                Output::Event(e) => {
                    // The application may have stopped listening; the protocol goes on.
                    let _ = events.send(e);
                }
                Output::Timeout(t) => {
                    deadline = t;
                    break;
                }
            }
        }
        if out.is_none() && !commands_open && conn.queued_bytes() == 0 && deadline.is_none() {
            wr.shutdown().await?;
            return Ok(());
        }
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until((start + t.elapsed()).into()).await,
                None => std::future::pending().await,
            }
        };
        let pending = out.clone();
        let write = async {
            match &pending {
                // `write` is cancel-safe: when another branch wins, nothing was written.
                Some((bytes, done)) => wr.write(&bytes[*done..]).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            written = write => {
                let n = written?;
                if n == 0 {
                    return Err(io::ErrorKind::WriteZero.into());
                }
                if let Some((bytes, done)) = &mut out {
                    if let Some(file) = &mut record {
                        std::io::Write::write_all(file, &bytes[*done..*done + n])?;
                    }
                    *done += n;
                    if *done == bytes.len() {
                        out = None;
                    }
                }
            }
            read = rd.read(&mut buf) => {
                let n = read?;
                if n == 0 {
                    return Ok(());
                }
                conn.handle_input(now(start), &buf[..n]);
            }
            cmd = commands.recv(), if commands_open => match cmd {
                Some(Command::Send { session, content_type, body, reports, reply }) => {
                    let _ = reply.send(conn.send(session, &content_type, body, reports));
                }
                Some(Command::Keepalive(session)) => {
                    let _ = conn.send_keepalive(session);
                }
                Some(Command::StartStream { session, content_type, total, reports, reply }) => {
                    let _ = reply.send(conn.send_stream(session, &content_type, total, reports));
                }
                Some(Command::Write { message_id, data, reply }) => {
                    let _ = reply.send(conn.write(&message_id, data));
                }
                Some(Command::Finish(message_id)) => {
                    let _ = conn.finish(&message_id);
                }
                None => commands_open = false,
            },
            () = sleep => conn.handle_timeout(now(start)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use msrp_proto::connection::{ConnectionConfig, SessionConfig};
    use tokio::net::TcpListener;

    fn session(local: &str, peer: &str) -> SessionConfig {
        SessionConfig {
            local_uri: local.parse().unwrap(),
            to_path: peer.parse().unwrap(),
            accept_types: vec!["*".into()],
            accept_wrapped_types: vec![],
            max_message_size: 1 << 30,
            cema: false,
        }
    }

    /// Both peers send 32 MiB at once: far more than the socket buffers hold, so a driver
    /// that wrote everything before reading would stall with both sides blocked in writes.
    #[tokio::test]
    async fn two_bulk_senders_do_not_deadlock() {
        const A: &str = "msrp://127.0.0.1:1/alice;tcp";
        const B: &str = "msrp://127.0.0.1:2/bob;tcp";
        const LEN: usize = 32 << 20;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let start = StdInstant::now();
        let config = ConnectionConfig {
            max_queued_bytes: 2 * LEN,
            ..ConnectionConfig::default()
        };
        let mut tasks = Vec::new();
        let mut channels = Vec::new();
        let (accepted, connected) = tokio::join!(listener.accept(), TcpStream::connect(addr));
        for (stream, local, peer) in [(accepted.unwrap().0, B, A), (connected.unwrap(), A, B)] {
            let mut conn = Connection::new(config, OsSeeded::new(), Instant::ZERO);
            let s = conn.add_session(session(local, peer));
            let (cmd_tx, cmd_rx) = mpsc::channel(4);
            let (ev_tx, ev_rx) = mpsc::unbounded_channel();
            tasks.push(tokio::spawn(drive(
                conn, stream, cmd_rx, ev_tx, start, None,
            )));
            channels.push((s, cmd_tx, ev_rx));
        }
        for (s, cmd, _) in &channels {
            let (reply, answer) = oneshot::channel();
            let body = Bytes::from(vec![b'x'; LEN]);
            let send = Command::Send {
                session: *s,
                content_type: "application/octet-stream".into(),
                body,
                reports: ReportPrefs::default(),
                reply,
            };
            assert!(cmd.send(send).await.is_ok());
            answer.await.unwrap().unwrap();
        }
        let wait = async {
            for (_, _, events) in &mut channels {
                let mut got = 0u64;
                while let Some(e) = events.recv().await {
                    match e {
                        Event::MessageData { data, .. } => got += data.len() as u64,
                        Event::MessageComplete { total, .. } => {
                            assert_eq!((got, total), (LEN as u64, LEN as u64));
                            break;
                        }
                        _ => {}
                    }
                }
                assert_eq!(got, LEN as u64);
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), wait)
            .await
            .expect("both messages arrive");
        drop(channels);
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    }
}
