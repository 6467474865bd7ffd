//! The application's side of a session: a cloneable [`Session`] to send with and an
//! [`Incoming`] stream of what arrives.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{MessageHandle, Progress, SessionId};
use msrp_uri::Uri;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, oneshot};

use crate::command::Command;
use crate::{Error, Received, Sent};

/// How much a streamed send reads from its source at a time.
const READ_PIECE: usize = 64 * 1024;
/// Bytes a streamed send hands to the connection before it waits for the first of them
/// to be taken (the connection's own send queue bounds what it holds).
const WRITE_AHEAD: usize = 1024 * 1024;

pub(crate) struct Shared {
    pub(crate) id: SessionId,
    pub(crate) local_uri: Uri,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The task may be gone already; then there is nothing to end.
        let _ = self.commands.send(Command::Release { session: self.id });
    }
}

/// A session on a connection (RFC 4975 section 5): send messages with it, close it.
/// Clones share the session; it ends when [`Session::close`] is called or the last clone
/// is dropped, and the connection closes with its last session.
#[derive(Clone)]
pub struct Session {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("local_uri", &self.shared.local_uri.as_str())
            .finish()
    }
}

/// Report settings for a message (RFC 4975 section 7.1.2). The default asks for a success
/// REPORT, so that a send resolves when the peer has the whole message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendOptions {
    /// The report headers the message carries.
    pub reports: ReportPrefs,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            reports: ReportPrefs {
                success: Some(true),
                failure: None,
            },
        }
    }
}

impl SendOptions {
    /// No success REPORT: the send resolves with [`Sent::Accepted`] once every chunk got
    /// its 200 from the next hop.
    pub fn no_report() -> SendOptions {
        SendOptions {
            reports: ReportPrefs::default(),
        }
    }
}

impl Session {
    pub(crate) fn new(shared: Shared) -> Session {
        Session {
            shared: Arc::new(shared),
        }
    }

    /// This endpoint's URI in the session (what its SDP `a=path` ends with).
    pub fn local_uri(&self) -> &Uri {
        &self.shared.local_uri
    }

    fn command(&self, c: Command) -> Result<(), Error> {
        self.shared
            .commands
            .send(c)
            .map_err(|_| Error::Closed(None))
    }

    /// Sends a message and waits for its outcome: [`Sent::Delivered`] when success
    /// REPORTs cover it (asked for by default), an [`Error`] with the RFC reason
    /// otherwise. While the connection's send queue is full the send waits for room.
    pub async fn send(&self, content_type: &str, body: impl Into<Bytes>) -> Result<Sent, Error> {
        self.send_with(content_type, body, SendOptions::default())
            .await
    }

    /// [`Session::send`] with report settings.
    pub async fn send_with(
        &self,
        content_type: &str,
        body: impl Into<Bytes>,
        options: SendOptions,
    ) -> Result<Sent, Error> {
        let (done, outcome) = oneshot::channel();
        self.command(Command::Send {
            session: self.shared.id,
            content_type: content_type.to_owned(),
            body: body.into(),
            reports: options.reports,
            done,
        })?;
        outcome.await.map_err(|_| Error::Closed(None))?
    }

    /// Sends what `source` yields as one message, read 64 KiB at a time as the connection
    /// takes it, at most 1 MiB ahead (a file is never held whole). `total` is its size if known (the Byte-Range
    /// total; a size that does not match what `source` yields fails the send). `progress`
    /// is called after each piece with how far the message has got. Dropping the future
    /// part-way aborts the message (`#`, RFC 4975 section 7.1).
    pub async fn send_stream<R, F>(
        &self,
        content_type: &str,
        source: R,
        total: Option<u64>,
        options: SendOptions,
        progress: F,
    ) -> Result<Sent, Error>
    where
        R: AsyncRead + Unpin,
        F: FnMut(Progress),
    {
        let pieces = ReadPieces {
            source,
            buf: BytesMut::new(),
        };
        self.send_pieces(content_type, pieces, total, options, progress)
            .await
    }

    /// [`Session::send_stream`] from a stream of pieces already in memory (slices of a
    /// mapped file, of a buffer shared with other sends, of what another connection
    /// received): each piece goes to the connection as it is, never copied here, and is
    /// written to the transport from its own memory (vectored writes). Pieces of 64 KiB or
    /// more avoid the copy that gathers smaller ones into a chunk body. A stream error
    /// fails the send with [`Error::Source`].
    pub async fn send_stream_bytes<S, F>(
        &self,
        content_type: &str,
        pieces: S,
        total: Option<u64>,
        options: SendOptions,
        progress: F,
    ) -> Result<Sent, Error>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Unpin,
        F: FnMut(Progress),
    {
        self.send_pieces(content_type, pieces, total, options, progress)
            .await
    }

    async fn send_pieces<S, F>(
        &self,
        content_type: &str,
        mut pieces: S,
        total: Option<u64>,
        options: SendOptions,
        mut progress: F,
    ) -> Result<Sent, Error>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Unpin,
        F: FnMut(Progress),
    {
        let (reply, handle) = oneshot::channel();
        let (done, mut outcome) = oneshot::channel();
        self.command(Command::StartStream {
            session: self.shared.id,
            content_type: content_type.to_owned(),
            total,
            reports: options.reports,
            reply,
            done,
        })?;
        let message = handle.await.map_err(|_| Error::Closed(None))??;
        let mut guard = AbortOnDrop {
            commands: &self.shared.commands,
            message: Some(message),
        };
        // Writes not answered yet, oldest first, and their bytes: up to `WRITE_AHEAD`
        // bytes are handed over before waiting for the first answer, so that the
        // connection finds several pieces queued and sends them in one chunk and transmit.
        let mut pending: VecDeque<(oneshot::Receiver<Result<Progress, Error>>, usize)> =
            VecDeque::new();
        let mut ahead = 0;
        let mut source_done = false;
        while !source_done || !pending.is_empty() {
            if source_done || ahead >= WRITE_AHEAD {
                let Some((written, n)) = pending.pop_front() else {
                    continue;
                };
                ahead -= n;
                match written.await.map_err(|_| Error::Closed(None))? {
                    Ok(p) => progress(p),
                    Err(e) => return Err(settled(&mut outcome, e).await),
                }
                continue;
            }
            // A source that does not yield (a pipe, a stalled disk) must not hold a send
            // whose message is over already (its session closed, the peer went away).
            let next = std::future::poll_fn(|cx| Pin::new(&mut pieces).poll_next(cx));
            let data = match unless_ended(next, &mut outcome).await {
                Ok(Some(piece)) => piece.map_err(Error::Source)?,
                Ok(None) => {
                    source_done = true;
                    continue;
                }
                Err(ended) => return ended,
            };
            if data.is_empty() {
                continue;
            }
            let n = data.len();
            let (reply, written) = oneshot::channel();
            self.command(Command::Write {
                message,
                data,
                reply,
            })?;
            pending.push_back((written, n));
            ahead += n;
        }
        let (reply, finished) = oneshot::channel();
        self.command(Command::Finish { message, reply })?;
        if let Err(e) = finished.await.map_err(|_| Error::Closed(None))? {
            return Err(settled(&mut outcome, e).await);
        }
        guard.message = None;
        outcome.await.map_err(|_| Error::Closed(None))?
    }

    /// Ends the session: messages still being sent fail with
    /// [`FailReason::SessionClosed`](msrp_proto::connection::FailReason::SessionClosed),
    /// [`Incoming`] ends with [`Received::Closed`], and the connection closes once no
    /// session uses it (after what is queued for the peer, such as REPORTs, is written).
    pub async fn close(&self) {
        let (reply, closed) = oneshot::channel();
        if self
            .command(Command::Close {
                session: self.shared.id,
                reply,
            })
            .is_ok()
        {
            let _ = closed.await;
        }
    }
}

/// An `AsyncRead` as a stream of pieces of up to [`READ_PIECE`] bytes, each read into
/// memory of its own (frozen and handed to the connection, which keeps it until written).
struct ReadPieces<R> {
    source: R,
    buf: BytesMut,
}

impl<R: AsyncRead + Unpin> Stream for ReadPieces<R> {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        this.buf.reserve(READ_PIECE);
        // `read_buf` is cancel-safe: a read that is not ready reads nothing.
        let read = std::pin::pin!(this.source.read_buf(&mut this.buf)).poll(cx);
        match std::task::ready!(read) {
            Ok(0) => Poll::Ready(None),
            Ok(_) => Poll::Ready(Some(Ok(this.buf.split().freeze()))),
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }
}

/// Why a streamed send stopped: when the message already ended (the peer refused it with
/// 413, a failure REPORT came, the session closed), its outcome says why, and a write
/// to it was refused only as a consequence.
///
/// A refused write means the core no longer has the message, so its outcome is on its way
/// (the connection task may answer the held writes before it): it is awaited, for a
/// second at most.
async fn settled(outcome: &mut oneshot::Receiver<Result<Sent, Error>>, e: Error) -> Error {
    match tokio::time::timeout(std::time::Duration::from_secs(1), outcome).await {
        Ok(Ok(Err(reason))) => reason,
        _ => e,
    }
}

/// Awaits `f` unless the message's outcome comes first (it failed: its session or
/// connection closed, the peer refused it); then that outcome is the `Err`.
async fn unless_ended<T>(
    f: impl Future<Output = T>,
    outcome: &mut oneshot::Receiver<Result<Sent, Error>>,
) -> Result<T, Result<Sent, Error>> {
    let mut f = std::pin::pin!(f);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = Pin::new(&mut *outcome).poll(cx) {
            return Poll::Ready(Err(r.unwrap_or(Err(Error::Closed(None)))));
        }
        f.as_mut().poll(cx).map(Ok)
    })
    .await
}

/// Aborts a streamed message whose sender went away before finishing it.
struct AbortOnDrop<'a> {
    commands: &'a mpsc::UnboundedSender<Command>,
    message: Option<MessageHandle>,
}

impl Drop for AbortOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(message) = self.message.take() {
            let _ = self.commands.send(Command::Abort { message });
        }
    }
}

/// What arrives in a session, in order: [`Incoming::recv`], or as a
/// [`Stream`](futures_core::Stream). It ends after [`Received::Closed`]. While it is not
/// read, the connection stops reading from the peer once a few hundred items wait (TCP
/// back-pressure); dropping it discards what arrives.
#[derive(Debug)]
pub struct Incoming {
    rx: mpsc::Receiver<Received>,
}

impl Incoming {
    pub(crate) fn new(rx: mpsc::Receiver<Received>) -> Incoming {
        Incoming { rx }
    }

    /// The next thing that arrived; `None` once the session has ended and all was read.
    pub async fn recv(&mut self) -> Option<Received> {
        self.rx.recv().await
    }
}

impl futures_core::Stream for Incoming {
    type Item = Received;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Received>> {
        self.rx.poll_recv(cx)
    }
}
