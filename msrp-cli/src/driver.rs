//! A tokio driver for `msrp_proto::connection::Connection`: the socket, the clock and the
//! channels live here; the protocol stays in the sans-IO core.

use std::io;
use std::time::Instant as StdInstant;

use bytes::{Bytes, BytesMut};
use msrp_proto::Instant;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{CloseReason, Connection, Event, MessageHandle, SendError, SessionId};
use msrp_proto::wire::RandomSource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

/// What the application asks of a connection task.
pub(crate) enum Command {
    /// Queue a message; the reply is its handle.
    Send {
        session: SessionId,
        content_type: String,
        body: Bytes,
        reports: ReportPrefs,
        reply: oneshot::Sender<Result<MessageHandle, SendError>>,
    },
    /// Queue a bodiless SEND (binds the connection, RFC 4975 section 5.4).
    Keepalive(SessionId),
    /// Start a message whose body follows in `Write`s; the reply is its handle.
    StartStream {
        session: SessionId,
        content_type: String,
        total: Option<u64>,
        reports: ReportPrefs,
        reply: oneshot::Sender<Result<MessageHandle, SendError>>,
    },
    /// Add to a streamed message. While the send queue is full the reply waits: the
    /// driver retries when the connection reports `Writable` (no polling).
    Write {
        message: MessageHandle,
        data: Bytes,
        reply: oneshot::Sender<Result<(), SendError>>,
    },
    /// End a streamed message.
    Finish(MessageHandle),
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

/// A write refused for lack of room, retried on `Event::Writable`.
type HeldWrite = (MessageHandle, Bytes, oneshot::Sender<Result<(), SendError>>);

/// Runs one connection until the peer closes it or the command channel closes and all
/// output is written. Reading, writing, commands and the timer are served concurrently, so
/// two peers sending in bulk to each other never wait on each other's full socket buffers.
/// Each `poll_transmit` fills one reused buffer with whole chunks, written with as few
/// writes as the socket allows. `record`: a file that gets a copy of every byte written.
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
    let mut out = BytesMut::with_capacity(128 * 1024);
    let mut written = 0usize;
    let mut commands_open = true;
    let mut held: Option<HeldWrite> = None;
    loop {
        if written == out.len() {
            out.clear();
            written = 0;
            let _ = conn.poll_transmit(now(start), &mut out);
        }
        while let Some(e) = conn.poll_event() {
            if matches!(e, Event::Writable) {
                if let Some((message, data, reply)) = held.take() {
                    match conn.write(now(start), message, data.clone()) {
                        Err(SendError::WouldBlock) => held = Some((message, data, reply)),
                        r => {
                            let _ = reply.send(r);
                        }
                    }
                }
                continue;
            }
            if let Event::Closed { reason } = &e {
                let closed = reason.clone();
                let _ = events.send(e);
                return match closed {
                    CloseReason::PeerError(p) => Err(io::Error::new(io::ErrorKind::InvalidData, p)),
                    _ => Ok(()),
                };
            }
            // The application may have stopped listening; the protocol goes on.
            let _ = events.send(e);
        }
        let pending = written < out.len();
        let deadline = conn.poll_timeout();
        if !pending
            && !commands_open
            && held.is_none()
            && conn.queued_bytes() == 0
            && deadline.is_none()
        {
            wr.shutdown().await?;
            return Ok(());
        }
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until((start + t.elapsed()).into()).await,
                None => std::future::pending().await,
            }
        };
        let write = async {
            if pending {
                // `write` is cancel-safe: when another branch wins, nothing was written.
                wr.write(&out[written..]).await
            } else {
                std::future::pending().await
            }
        };
        // Commands wait while a write is held back (the application is paced by it).
        let take_commands = commands_open && held.is_none();
        tokio::select! {
            n = write => {
                let n = n?;
                if n == 0 {
                    conn.handle_close(now(start), CloseReason::TransportError);
                    continue;
                }
                if let Some(file) = &mut record {
                    std::io::Write::write_all(file, &out[written..written + n])?;
                }
                written += n;
            }
            read = rd.read(&mut buf), if conn.wants_input() => {
                match read {
                    Ok(0) => conn.handle_close(now(start), CloseReason::PeerClosed),
                    Ok(n) => conn.handle_input(now(start), &buf[..n]),
                    Err(_) => conn.handle_close(now(start), CloseReason::TransportError),
                }
            }
            cmd = commands.recv(), if take_commands => match cmd {
                Some(Command::Send { session, content_type, body, reports, reply }) => {
                    let _ = reply.send(conn.send(now(start), session, &content_type, body, reports));
                }
                Some(Command::Keepalive(session)) => {
                    let _ = conn.send_keepalive(now(start), session);
                }
                Some(Command::StartStream { session, content_type, total, reports, reply }) => {
                    let r = conn.send_stream(now(start), session, &content_type, total, reports);
                    let _ = reply.send(r);
                }
                Some(Command::Write { message, data, reply }) => {
                    match conn.write(now(start), message, data.clone()) {
                        Err(SendError::WouldBlock) => held = Some((message, data, reply)),
                        r => {
                            let _ = reply.send(r);
                        }
                    }
                }
                Some(Command::Finish(message)) => {
                    let _ = conn.finish(now(start), message);
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
        SessionConfig::new(local.parse().unwrap(), peer.parse().unwrap())
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
        let config = ConnectionConfig::default().max_queued_bytes(2 * LEN);
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
