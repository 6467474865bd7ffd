//! What a [`Connection`](super::Connection) tells the application, and the handles it
//! gives out.

use alloc::string::String;
use bytes::Bytes;

use super::auth::{AuthFailure, AuthId};
use crate::link::CloseReason;
use crate::wire::{ByteRange, ParseError};

/// A session on a connection, as [`Connection::add_session`](super::Connection::add_session)
/// returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub(crate) usize);

/// A message this side is sending, as [`Connection::send`](super::Connection::send) and
/// its siblings returned it: found in O(1), never confused with a later message (a
/// handle of a message that ended is simply unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageHandle {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

/// Why a message could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailReason {
    /// The peer answered a chunk with this error code (RFC 4975 section 10). A 408 here
    /// came from a relay that timed out downstream.
    Response(u16),
    /// The peer sent a failure REPORT with this status code.
    Report(u16),
    /// This side's timer: no response within 30 seconds of the chunk's last byte (RFC
    /// 4975 section 7.1.1).
    Timeout,
    /// The session was closed ([`Connection::close_session`](super::Connection::close_session)).
    SessionClosed,
    /// The connection closed before the message was delivered.
    ConnectionClosed,
    /// Every chunk was accepted (or no response was asked for), but the success REPORT
    /// the message asked for did not come within
    /// [`ConnectionConfig::report_timeout`](super::ConnectionConfig::report_timeout): the
    /// peer may well have delivered it; this side stops waiting and frees it.
    NoReport,
}

/// Something the application should know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A whole message arrived (messages up to the gathering limit).
    MessageReceived {
        /// The session.
        session: SessionId,
        /// Its Message-ID.
        message_id: String,
        /// Its Content-Type.
        content_type: String,
        /// The body.
        body: Bytes,
    },
    /// A message too large to be delivered whole (or of unknown size) began: its bytes
    /// follow in [`Event::MessageData`], and it ends in [`Event::MessageComplete`],
    /// [`Event::MessageAborted`] or [`Event::MessageRefused`] (or with its session).
    MessageStarted {
        /// The session.
        session: SessionId,
        /// Its Message-ID.
        message_id: String,
        /// Its Content-Type.
        content_type: String,
        /// Its size, when the sender declared it (Byte-Range total).
        total: Option<u64>,
    },
    /// Part of a larger message arrived (streamed, so a receiver never holds a whole file).
    MessageData {
        /// The session.
        session: SessionId,
        /// Its Message-ID.
        message_id: String,
        /// Where `data` goes in the message, from 0.
        offset: u64,
        /// The bytes.
        data: Bytes,
    },
    /// Every byte of a streamed message has arrived.
    MessageComplete {
        /// The session.
        session: SessionId,
        /// Its Message-ID.
        message_id: String,
        /// Its size.
        total: u64,
    },
    /// The sender aborted a message (`#`); what it held was freed.
    MessageAborted {
        /// The session.
        session: SessionId,
        /// Its Message-ID.
        message_id: String,
    },
    /// This side stopped receiving a streamed message and answered its chunks with `code`
    /// (413: larger than allowed; 415: what a wrapper holds is not accepted; 400: its
    /// chunks do not fit together). The data already given out is all there will be.
    /// It also ends a streamed message whose session closes while the message is still
    /// arriving (code 481), and one this side refused with
    /// [`Connection::report_failure`](super::Connection::report_failure) (its code).
    MessageRefused {
        /// The session.
        session: SessionId,
        /// Its Message-ID.
        message_id: String,
        /// The code answered.
        code: u16,
    },
    /// A chunk of a message that already arrived whole (RFC 4975 section 5.4: a message
    /// with the Message-ID of an earlier one is a duplicate, as when a sender resends
    /// after a lost connection). It was acknowledged, and reported again when it ends and
    /// asks for a success REPORT, but its content is not delivered a second time; the
    /// RFC asks that a duplicate not reach the user without a warning, and this is the
    /// warning. One event per such chunk.
    DuplicateReceived {
        /// The session.
        session: SessionId,
        /// The Message-ID.
        message_id: String,
    },
    /// A REPORT arrived for a message this side sent.
    ReportReceived {
        /// The session.
        session: SessionId,
        /// The message.
        message: MessageHandle,
        /// Its Message-ID.
        message_id: String,
        /// The status code.
        status: u16,
        /// The range it covers.
        range: Option<ByteRange>,
    },
    /// Success REPORTs cover the whole message: it was delivered.
    MessageDelivered {
        /// The session.
        session: SessionId,
        /// The message.
        message: MessageHandle,
        /// Its Message-ID.
        message_id: String,
    },
    /// Every chunk of a message that asked for no success REPORT was accepted by the next
    /// hop (a 200 each, or written, for chunks that asked for no response): nothing more
    /// is sent or awaited for it. Through relays, a failure REPORT may still follow
    /// ([`Event::SendFailed`], RFC 4975 section 7.1.2); delivery is only known from a
    /// success REPORT ([`Event::MessageDelivered`]).
    MessageAccepted {
        /// The session.
        session: SessionId,
        /// The message.
        message: MessageHandle,
        /// Its Message-ID.
        message_id: String,
    },
    /// A message could not be sent; no more of it will be.
    SendFailed {
        /// The session.
        session: SessionId,
        /// The message.
        message: MessageHandle,
        /// Its Message-ID.
        message_id: String,
        /// Why.
        reason: FailReason,
    },
    /// A send or write was refused with `SendError::WouldBlock`; there is room for it now.
    Writable,
    /// A request on a connection accepted from a listener named a session of the
    /// [`SessionTable`](super::SessionTable): the session is now bound to this connection
    /// (RFC 4975 section 5.4) under this id.
    SessionBound {
        /// The session's id on this connection.
        session: SessionId,
        /// Its local URI, as in the table.
        local_uri: msrp_uri::Uri,
    },
    /// The peer sent something this side answered with an error code (400, 413, 415,
    /// 481, 501, 506); for diagnostics.
    Rejected {
        /// The session, when one matched.
        session: Option<SessionId>,
        /// The code answered (or that would have been, if Failure-Report forbade it).
        code: u16,
    },
    /// The session ended (closed by the application, or its connection closed); nothing
    /// more happens in it and its state is freed.
    SessionClosed {
        /// The session.
        session: SessionId,
    },
    /// A relay accepted an AUTH ([`Connection::authenticate`](super::Connection::authenticate),
    /// RFC 4976 section 5.1): put `use_path` in the sessions' paths
    /// ([`SessionConfig::relays`](super::SessionConfig::relays)). Comes again after each
    /// refresh.
    Authorized {
        /// The AUTH.
        auth: AuthId,
        /// The 200's Use-Path: the URIs to put first in To-Path (RFC 4976 section 4.2).
        use_path: msrp_uri::Path,
        /// The 200's Expires: how many seconds the URIs stay valid (section 4.6).
        expires: Option<u64>,
    },
    /// An AUTH failed, or a URI it gave is no longer valid; it is over (no refresh).
    AuthFailed {
        /// The AUTH.
        auth: AuthId,
        /// Why.
        reason: AuthFailure,
    },
    /// The peer's bytes could not be parsed. A fatal error is followed by
    /// [`Event::Closed`].
    PeerError(ParseError),
    /// The connection is over: every message still being sent failed, every session
    /// ended (events for each came first). Close the transport if it is still open.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}
