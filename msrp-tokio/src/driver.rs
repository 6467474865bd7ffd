//! The task that owns one transport connection and its [`Connection`]: the socket, the
//! clock and the channels live here; the protocol stays in the sans-IO core.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use msrp_proto::connection::{
    CloseReason, Connection, Event, MessageHandle, SendError, SessionId, SessionTable,
};
use msrp_proto::link::Transmit;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, trace, warn};

use crate::clock::Clock;
use crate::command::{Command, Outcome};
use crate::random::OsRandom;
use crate::session::Shared;
use crate::{Error, Incoming, Received, Sent, Session};

/// Items waiting in a session's incoming channel before reading from the peer stops.
pub(crate) const INCOMING_QUEUE: usize = 256;
/// Bytes read from the transport at a time.
const READ_BUFFER: usize = 256 * 1024;
/// The first read's room. The room doubles (up to [`READ_BUFFER`]) each time a read fills
/// it, so a busy connection reads 256 KiB at a time and an idle one holds 16 KiB: a
/// thousand idle connections took 140 MiB before (found by `msrp conform --hostile`).
const FIRST_READ: usize = 16 * 1024;

/// Where a listener's connections hand the sessions they bind.
pub(crate) struct ListenerLink {
    pub(crate) table: Arc<Mutex<SessionTable>>,
    pub(crate) accepted: mpsc::UnboundedSender<(Session, Incoming)>,
}

/// The binding request of a connection this side opened (RFC 4975 section 5.4): the
/// connect call waits for its answer.
pub(crate) struct Binding {
    pub(crate) keepalive: MessageHandle,
    pub(crate) reply: oneshot::Sender<Result<(), Error>>,
}

/// A command that waits for room in the send queue.
enum Held {
    Send(Command),
    Write {
        message: MessageHandle,
        data: Bytes,
        reply: oneshot::Sender<Result<msrp_proto::connection::Progress, Error>>,
    },
}

/// What the connection gave to write, and how much of it is written: one buffer the core
/// copies everything into, or, for transports with vectored writes (TCP), a [`Transmit`]
/// whose large body pieces are the messages' own memory, written with one `writev` and
/// never copied here.
struct Output {
    vectored: bool,
    flat: BytesMut,
    parts: Transmit,
    written: usize,
}

impl Output {
    fn new(vectored: bool) -> Output {
        Output {
            vectored,
            // Grown by the first transmits that need it: an idle connection holds none.
            flat: BytesMut::new(),
            parts: Transmit::new(),
            written: 0,
        }
    }

    fn len(&self) -> usize {
        if self.vectored {
            self.parts.len()
        } else {
            self.flat.len()
        }
    }

    fn pending(&self) -> bool {
        self.written < self.len()
    }

    fn clear(&mut self) {
        self.flat.clear();
        self.parts.clear();
        self.written = 0;
    }

    /// The connection's next bytes to write, if any.
    fn fill(&mut self, conn: &mut Connection<OsRandom>, now: msrp_proto::Instant) {
        if self.vectored {
            let _ = conn.poll_transmit_vectored(now, &mut self.parts);
        } else {
            let _ = conn.poll_transmit(now, &mut self.flat);
        }
    }

    /// One write of what is not written yet (cancel-safe, as `write` is).
    async fn write_to<W: AsyncWrite + Unpin>(&self, wr: &mut W) -> io::Result<usize> {
        if !self.vectored {
            return wr.write(&self.flat[self.written..]).await;
        }
        // At most 64 slices a write (well under any system's IOV_MAX); the rest follows.
        let mut skip = self.written;
        let mut slices = Vec::with_capacity(self.parts.parts().len().min(64));
        for p in self.parts.parts() {
            if slices.len() == 64 {
                break;
            }
            if skip >= p.len() {
                skip -= p.len();
                continue;
            }
            slices.push(io::IoSlice::new(&p[skip..]));
            skip = 0;
        }
        wr.write_vectored(&slices).await
    }

    fn advance(&mut self, n: usize) {
        self.written += n;
    }
}

/// The task's state, apart from the transport halves.
pub(crate) struct Driver {
    conn: Connection<OsRandom>,
    clock: Clock,
    commands_tx: mpsc::UnboundedSender<Command>,
    sinks: HashMap<SessionId, mpsc::Sender<Received>>,
    outcomes: HashMap<MessageHandle, Outcome>,
    held: VecDeque<Held>,
    /// Received items for full channels, in order; reading stops while any wait.
    backlog: VecDeque<(SessionId, Received)>,
    listener: Option<ListenerLink>,
    binding: Option<Binding>,
    /// A session was ever open here (the connection ends with its last one).
    had_session: bool,
    closed: Option<CloseReason>,
    /// Items went to the application since the task last yielded.
    handed_out: bool,
}

impl Driver {
    /// A driver for `conn`, whose sessions already added get handles from
    /// [`Driver::handle`].
    pub(crate) fn new(
        conn: Connection<OsRandom>,
        clock: Clock,
        listener: Option<ListenerLink>,
    ) -> (Driver, mpsc::UnboundedReceiver<Command>) {
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let d = Driver {
            conn,
            clock,
            commands_tx,
            sinks: HashMap::new(),
            outcomes: HashMap::new(),
            held: VecDeque::new(),
            backlog: VecDeque::new(),
            listener,
            binding: None,
            had_session: false,
            closed: None,
            handed_out: false,
        };
        (d, commands)
    }

    pub(crate) fn now(&self) -> msrp_proto::Instant {
        self.clock.now()
    }

    pub(crate) fn set_binding(&mut self, b: Binding) {
        self.binding = Some(b);
    }

    /// The application's handles for a session of this connection.
    pub(crate) fn handle(&mut self, id: SessionId) -> Option<(Session, Incoming)> {
        let local_uri = self.conn.session_config(id)?.local_uri.clone();
        let (tx, rx) = mpsc::channel(INCOMING_QUEUE);
        self.sinks.insert(id, tx);
        self.had_session = true;
        let session = Session::new(Shared {
            id,
            local_uri,
            commands: self.commands_tx.clone(),
        });
        Some((session, Incoming::new(rx)))
    }

    fn deliver(&mut self, session: SessionId, item: Received) {
        if !self.backlog.is_empty() {
            self.backlog.push_back((session, item));
            return;
        }
        let Some(tx) = self.sinks.get(&session) else {
            return;
        };
        match tx.try_send(item) {
            Ok(()) => self.handed_out = true,
            Err(mpsc::error::TrySendError::Full(item)) => self.backlog.push_back((session, item)),
            // The application dropped its `Incoming`: it does not want these.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn resolve(&mut self, message: MessageHandle, r: Result<Sent, Error>) {
        if let Some(done) = self.outcomes.remove(&message) {
            let _ = done.send(r);
        }
    }

    fn on_events(&mut self) {
        // Collected first: a closing connection's reason comes last, after the sessions
        // it ended, and each session's `Closed` item carries it.
        let events: Vec<Event> = std::iter::from_fn(|| self.conn.poll_event()).collect();
        let reason = events.iter().find_map(|e| match e {
            Event::Closed { reason } => Some(reason.clone()),
            _ => None,
        });
        for e in events {
            self.on_event(e, reason.as_ref());
        }
        if let Some(b) = self.binding.take() {
            if self.conn.progress(b.keepalive).is_none() {
                // Answered with a 200 (a failure came as `SendFailed` and took it).
                let _ = b.reply.send(Ok(()));
            } else {
                self.binding = Some(b);
            }
        }
    }

    fn on_event(&mut self, e: Event, closing: Option<&CloseReason>) {
        match e {
            Event::MessageReceived {
                session,
                message_id,
                content_type,
                body,
            } => {
                debug!(%message_id, %content_type, len = body.len(), "message received");
                self.deliver(
                    session,
                    Received::Message {
                        message_id,
                        content_type,
                        body,
                    },
                );
            }
            Event::MessageStarted {
                session,
                message_id,
                content_type,
                total,
            } => {
                debug!(%message_id, %content_type, ?total, "streamed message started");
                self.deliver(
                    session,
                    Received::Started {
                        message_id,
                        content_type,
                        total,
                    },
                );
            }
            Event::MessageData {
                session,
                message_id,
                offset,
                data,
            } => {
                trace!(%message_id, offset, len = data.len(), "message data");
                self.deliver(
                    session,
                    Received::Data {
                        message_id,
                        offset,
                        data,
                    },
                );
            }
            Event::MessageComplete {
                session,
                message_id,
                total,
            } => {
                debug!(%message_id, total, "streamed message complete");
                self.deliver(session, Received::Complete { message_id, total });
            }
            Event::MessageAborted {
                session,
                message_id,
            } => {
                debug!(%message_id, "message aborted by the sender");
                self.deliver(session, Received::Aborted { message_id });
            }
            Event::MessageRefused {
                session,
                message_id,
                code,
            } => {
                debug!(%message_id, code, "streamed message refused");
                self.deliver(session, Received::Refused { message_id, code });
            }
            Event::DuplicateReceived {
                session,
                message_id,
            } => {
                debug!(%message_id, "duplicate chunk of a message already received");
                self.deliver(session, Received::Duplicate { message_id });
            }
            Event::MessageDelivered {
                message,
                message_id,
                ..
            } => {
                debug!(%message_id, "delivered");
                self.resolve(message, Ok(Sent::Delivered { message_id }));
            }
            Event::MessageAccepted {
                message,
                message_id,
                ..
            } => {
                debug!(%message_id, "accepted");
                self.resolve(message, Ok(Sent::Accepted { message_id }));
            }
            Event::SendFailed {
                message,
                message_id,
                reason,
                ..
            } => {
                debug!(%message_id, ?reason, "send failed");
                if self
                    .binding
                    .as_ref()
                    .is_some_and(|b| b.keepalive == message)
                {
                    if let Some(b) = self.binding.take() {
                        let e = match reason {
                            msrp_proto::connection::FailReason::Response(c) => {
                                Error::SessionRefused(c)
                            }
                            other => Error::Failed(other),
                        };
                        let _ = b.reply.send(Err(e));
                    }
                }
                self.resolve(message, Err(Error::Failed(reason)));
            }
            Event::Writable => self.retry_held(),
            Event::SessionBound { session, local_uri } => {
                debug!(local_uri = %local_uri.as_str(), "session bound");
                let accepted = self.listener.as_ref().map(|l| l.accepted.clone());
                if let (Some(accepted), Some(handles)) = (accepted, self.handle(session)) {
                    if accepted.send(handles).is_err() {
                        // Nobody accepts sessions any more.
                        let now = self.now();
                        let _ = self.conn.close_session(now, session);
                    }
                }
            }
            Event::SessionClosed { session } => {
                debug!("session closed");
                self.deliver(
                    session,
                    Received::Closed {
                        reason: closing.cloned(),
                    },
                );
                // The channel closes once its backlog is out.
                if !self.backlog.iter().any(|(s, _)| *s == session) {
                    self.sinks.remove(&session);
                }
            }
            Event::Rejected { code, .. } => debug!(code, "refused a request from the peer"),
            Event::Authorized { expires, .. } => {
                debug!(?expires, "the relay renewed the authorisation")
            }
            // With the connection it was bound to: that closing says it all.
            Event::AuthFailed {
                reason: msrp_proto::connection::AuthFailure::ConnectionClosed,
                ..
            } => debug!("the relay's authorisation ended with the connection"),
            Event::AuthFailed { reason, .. } => {
                warn!(%reason, "the relay's authorisation ended: peers can no longer reach this side through it");
            }
            Event::PeerError(e) => warn!(error = %e, "the peer's bytes do not parse"),
            Event::Closed { reason } => {
                debug!(%reason, "connection closed");
                self.closed = Some(reason.clone());
                let outcomes: Vec<_> = self.outcomes.drain().collect();
                for (_, done) in outcomes {
                    let _ = done.send(Err(Error::Closed(Some(reason.clone()))));
                }
                for h in self.held.drain(..) {
                    let e = Error::Closed(Some(reason.clone()));
                    match h {
                        Held::Send(Command::Send { done, .. }) => {
                            let _ = done.send(Err(e));
                        }
                        Held::Write { reply, .. } => {
                            let _ = reply.send(Err(e));
                        }
                        Held::Send(_) => {}
                    }
                }
                if let Some(b) = self.binding.take() {
                    let _ = b.reply.send(Err(Error::Closed(Some(reason))));
                }
            }
            other => trace!(?other, "event"),
        }
    }

    fn retry_held(&mut self) {
        while let Some(h) = self.held.pop_front() {
            if let Some(again) = self.try_held(h) {
                self.held.push_front(again);
                break;
            }
        }
    }

    /// Tries a held command; gives it back when there is still no room.
    fn try_held(&mut self, h: Held) -> Option<Held> {
        let now = self.now();
        match h {
            Held::Send(Command::Send {
                session,
                content_type,
                body,
                reports,
                done,
            }) => match self
                .conn
                .send(now, session, &content_type, body.clone(), reports)
            {
                Ok(m) => {
                    self.outcomes.insert(m, done);
                    None
                }
                Err(SendError::WouldBlock) => Some(Held::Send(Command::Send {
                    session,
                    content_type,
                    body,
                    reports,
                    done,
                })),
                Err(e) => {
                    let _ = done.send(Err(Error::Refused(e)));
                    None
                }
            },
            Held::Write {
                message,
                data,
                reply,
            } => match self.conn.write(now, message, data.clone()) {
                Ok(()) => {
                    let p = self.conn.progress(message);
                    let _ = reply.send(p.ok_or(Error::Closed(None)));
                    None
                }
                Err(SendError::WouldBlock) => Some(Held::Write {
                    message,
                    data,
                    reply,
                }),
                Err(e) => {
                    let _ = reply.send(Err(Error::Refused(e)));
                    None
                }
            },
            Held::Send(_) => None,
        }
    }

    fn on_command(&mut self, c: Command) {
        let now = self.now();
        match c {
            c @ Command::Send { .. } => {
                if self.held.is_empty() {
                    if let Some(again) = self.try_held(Held::Send(c)) {
                        self.held.push_back(again);
                    }
                } else {
                    // Behind what already waits, in order.
                    self.held.push_back(Held::Send(c));
                }
            }
            Command::StartStream {
                session,
                content_type,
                total,
                reports,
                reply,
                done,
            } => match self
                .conn
                .send_stream(now, session, &content_type, total, reports)
            {
                Ok(m) => {
                    self.outcomes.insert(m, done);
                    let _ = reply.send(Ok(m));
                }
                Err(e) => {
                    let _ = reply.send(Err(Error::Refused(e)));
                }
            },
            Command::Write {
                message,
                data,
                reply,
            } => {
                let h = Held::Write {
                    message,
                    data,
                    reply,
                };
                if self.held.is_empty() {
                    if let Some(again) = self.try_held(h) {
                        self.held.push_back(again);
                    }
                } else {
                    self.held.push_back(h);
                }
            }
            Command::Finish { message, reply } => {
                let _ = reply.send(self.conn.finish(now, message).map_err(Error::Refused));
            }
            Command::Abort { message } => {
                if self.conn.abort(now, message).is_ok() {
                    self.resolve(message, Err(Error::Aborted));
                }
            }
            Command::Close { session, reply } => {
                let _ = self.conn.close_session(now, session);
                let _ = reply.send(());
            }
            Command::Release { session } => {
                let _ = self.conn.close_session(now, session);
            }
        }
    }

    /// Runs the connection until it is over: the peer closed it, or this side's last
    /// session ended and everything queued was written. Reading, writing, commands and the
    /// timer are served concurrently, so two peers sending in bulk to each other never
    /// wait on each other's full socket buffers.
    pub(crate) async fn run<T>(
        mut self,
        io: T,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) -> io::Result<()>
    where
        T: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (mut rd, mut wr) = tokio::io::split(io);
        // Parsed in place (`handle_input_buf`): body pieces handed to the application are
        // this buffer's memory; what a read leaves incomplete stays for the next one.
        let mut buf = BytesMut::with_capacity(FIRST_READ);
        let mut want = FIRST_READ;
        let mut out = Output::new(wr.is_write_vectored());
        let mut write_open = true;
        // Written bytes may wait in the transport's buffers (TLS, WebSocket): flushed
        // once nothing more is to be written.
        let mut unflushed = false;
        loop {
            if !out.pending() {
                out.clear();
                if write_open {
                    // What the application queued meanwhile goes into this transmit too
                    // (a streamed message's pieces then go on in one chunk).
                    while let Ok(c) = commands.try_recv() {
                        self.on_command(c);
                    }
                    let now = self.now();
                    out.fill(&mut self.conn, now);
                }
            }
            self.on_events();
            if std::mem::take(&mut self.handed_out) {
                // Let the application take what arrived while it is still in the cache
                // (and free the read buffers' pieces before the next read), rather than
                // reading on until its queue is full.
                tokio::task::yield_now().await;
            }
            let pending = out.pending();
            if self.closed.is_some() && !pending {
                break;
            }
            let ended = self.had_session && self.conn.open_sessions() == 0;
            if ended && !pending && self.closed.is_none() {
                // RFC 4975 section 5.4: no session uses the connection any more.
                let now = self.now();
                self.conn.handle_close(now, CloseReason::Local);
                continue;
            }
            let deadline = self.conn.poll_timeout().map(|t| self.clock.deadline(t));
            let sleep = async {
                match deadline {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending().await,
                }
            };
            let write = async {
                if pending {
                    // Cancel-safe: when another branch wins, nothing was written.
                    out.write_to(&mut wr).await.map(Some)
                } else if unflushed {
                    // So is a flush: the next turn goes on with it.
                    wr.flush().await.map(|()| None)
                } else {
                    std::future::pending().await
                }
            };
            let reserve_tx = self
                .backlog
                .front()
                .and_then(|(s, _)| self.sinks.get(s))
                .cloned();
            let stalled = !self.backlog.is_empty();
            let reserve = async {
                match &reserve_tx {
                    Some(tx) => tx.reserve().await.map(|_| ()),
                    None => std::future::pending().await,
                }
            };
            let reading = self.conn.wants_input() && !stalled;
            if reading && buf.capacity() - buf.len() < want / 4 {
                // Room for a large read: reclaimed at the front once the application
                // dropped the pieces it was given, newly allocated otherwise.
                buf.reserve(want);
            }
            let room = buf.capacity() - buf.len();
            tokio::select! {
                n = write => match n {
                    Ok(Some(0)) | Err(_) => {
                        write_open = false;
                        out.clear();
                        let now = self.now();
                        self.conn.handle_close(now, CloseReason::TransportError);
                    }
                    Ok(Some(n)) => {
                        out.advance(n);
                        unflushed = true;
                    }
                    Ok(None) => unflushed = false,
                },
                read = rd.read_buf(&mut buf), if reading => {
                    let now = self.now();
                    match read {
                        Ok(0) => self.conn.handle_close(now, CloseReason::PeerClosed),
                        Ok(n) => {
                            if n >= room {
                                want = (want * 2).min(READ_BUFFER);
                            }
                            match &self.listener {
                            Some(l) => {
                                let mut table = l.table.lock().unwrap_or_else(|p| p.into_inner());
                                self.conn.handle_input_buf_with(now, &mut buf, &mut table);
                            }
                            None => self.conn.handle_input_buf(now, &mut buf),
                            }
                        }
                        Err(e) => {
                            debug!(error = %e, "read failed");
                            self.conn.handle_close(now, CloseReason::TransportError);
                        }
                    }
                }
                r = reserve, if stalled => self.flush_backlog(r.is_ok()),
                Some(c) = commands.recv() => self.on_command(c),
                () = sleep => {
                    let now = self.now();
                    self.conn.handle_timeout(now);
                }
            }
        }
        // The protocol is over. The listener's sessions are released first, then the peer
        // is told (FIN): a peer that reconnects as soon as it sees the close finds its
        // session free, not bound to this connection (it got 506 before). Then what is
        // still queued for the application is handed out (it may be reading slowly).
        self.release_table();
        if write_open {
            let _ = wr.shutdown().await;
        }
        while let Some((s, item)) = self.backlog.pop_front() {
            if let Some(tx) = self.sinks.get(&s) {
                let _ = tx.send(item).await;
            }
        }
        match &self.closed {
            Some(CloseReason::PeerError(e)) => Err(io::Error::new(io::ErrorKind::InvalidData, *e)),
            _ => Ok(()),
        }
    }

    /// The front channel has room (or is gone): move what fits.
    fn flush_backlog(&mut self, open: bool) {
        if !open {
            if let Some((s, _)) = self.backlog.front() {
                let s = *s;
                self.backlog.retain(|(x, _)| *x != s);
                self.sinks.remove(&s);
            }
            return;
        }
        while let Some((s, item)) = self.backlog.pop_front() {
            let Some(tx) = self.sinks.get(&s) else {
                continue;
            };
            let last = matches!(item, Received::Closed { .. });
            match tx.try_send(item) {
                Ok(()) if last => {
                    // The session's last item is out: its `Incoming` ends.
                    self.sinks.remove(&s);
                }
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(item)) => {
                    self.backlog.push_front((s, item));
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
    }

    fn release_table(&mut self) {
        if let (Some(l), Some(id)) = (&self.listener, self.conn.table_id()) {
            let mut table = l.table.lock().unwrap_or_else(|p| p.into_inner());
            table.release(id);
        }
    }
}
