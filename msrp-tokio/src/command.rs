//! What session handles ask of their connection's task.

use bytes::Bytes;
use msrp_proto::chunking::ReportPrefs;
use msrp_proto::connection::{MessageHandle, Progress, SessionId};
use tokio::sync::oneshot;

use crate::{Error, Sent};

/// Where a message's outcome goes.
pub(crate) type Outcome = oneshot::Sender<Result<Sent, Error>>;

/// A command to the connection task. Every command that can wait for room carries its
/// reply, so a caller is paced by the connection (never by polling).
pub(crate) enum Command {
    /// Queue a whole message; `done` gets its outcome.
    Send {
        session: SessionId,
        content_type: String,
        body: Bytes,
        reports: ReportPrefs,
        done: Outcome,
    },
    /// Start a streamed message: `reply` gets its handle, `done` its outcome.
    StartStream {
        session: SessionId,
        content_type: String,
        total: Option<u64>,
        reports: ReportPrefs,
        reply: oneshot::Sender<Result<MessageHandle, Error>>,
        done: Outcome,
    },
    /// Add to a streamed message; the reply waits while the send queue is full.
    Write {
        message: MessageHandle,
        data: Bytes,
        reply: oneshot::Sender<Result<Progress, Error>>,
    },
    /// End a streamed message.
    Finish {
        message: MessageHandle,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    /// Stop a streamed message (`#`); its outcome becomes [`Error::Aborted`].
    Abort { message: MessageHandle },
    /// End a session (RFC 4975 section 5.4: the connection closes with its last session).
    Close {
        session: SessionId,
        reply: oneshot::Sender<()>,
    },
    /// The last handle of a session was dropped: end it.
    Release { session: SessionId },
}
