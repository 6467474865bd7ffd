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
/// output is written. Writes happen before the next read: enough for one side sending in
/// bulk; a driver for two bulk senders would write and read concurrently.
pub(crate) async fn drive<R: RandomSource>(
    mut conn: Connection<R>,
    stream: TcpStream,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    start: StdInstant,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let mut buf = vec![0u8; 256 * 1024];
    let mut commands_open = true;
    loop {
        let deadline = loop {
            match conn.poll_output() {
                Output::Transmit(bytes) => wr.write_all(&bytes).await?,
                Output::Event(e) => {
                    // The application may have stopped listening; the protocol goes on.
                    let _ = events.send(e);
                }
                Output::Timeout(t) => break t,
            }
        };
        if !commands_open && conn.queued_bytes() == 0 && deadline.is_none() {
            wr.shutdown().await?;
            return Ok(());
        }
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until((start + t.elapsed()).into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
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
