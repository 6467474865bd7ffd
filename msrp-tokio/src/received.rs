//! What arrives in a session, as [`Incoming`](crate::Incoming) hands it out.

use bytes::Bytes;
use msrp_proto::connection::CloseReason;

/// One thing that happened in a session's incoming direction.
///
/// Small messages come whole ([`Received::Message`]). A message too large to hold whole
/// (larger than [`ConnectionConfig::max_gathered_message`](msrp_proto::connection::ConnectionConfig::max_gathered_message),
/// or of unknown size) comes as [`Received::Started`], then [`Received::Data`] pieces in
/// order of arrival (with their offsets), then one of `Complete`, `Aborted` or `Refused`:
/// a file can go to disk as it arrives, never whole in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Received {
    /// A whole message.
    Message {
        /// Its Message-ID.
        message_id: String,
        /// Its Content-Type.
        content_type: String,
        /// The body.
        body: Bytes,
    },
    /// A streamed message began.
    Started {
        /// Its Message-ID.
        message_id: String,
        /// Its Content-Type.
        content_type: String,
        /// Its size, when the sender declared it.
        total: Option<u64>,
    },
    /// Part of a streamed message.
    Data {
        /// Its Message-ID.
        message_id: String,
        /// Where `data` goes in the message, from 0.
        offset: u64,
        /// The bytes.
        data: Bytes,
    },
    /// Every byte of a streamed message arrived.
    Complete {
        /// Its Message-ID.
        message_id: String,
        /// Its size.
        total: u64,
    },
    /// The sender aborted a streamed message (RFC 4975 section 7.1, `#`).
    Aborted {
        /// Its Message-ID.
        message_id: String,
    },
    /// This side refused the rest of a streamed message with `code` (413 too large, ...).
    Refused {
        /// Its Message-ID.
        message_id: String,
        /// The code answered.
        code: u16,
    },
    /// A chunk of a message that already arrived whole came again (the same Message-ID:
    /// RFC 4975 section 5.4 counts it a duplicate). It was acknowledged and not delivered
    /// again; this is the warning the RFC asks for.
    Duplicate {
        /// Its Message-ID.
        message_id: String,
    },
    /// The session ended; nothing follows. `reason` is the connection's, when it closed.
    Closed {
        /// Why the connection closed, if it did.
        reason: Option<CloseReason>,
    },
}

/// How a sent message ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sent {
    /// Success REPORTs covered the whole message: the peer has it (RFC 4975 section 7.1.2).
    Delivered {
        /// Its Message-ID.
        message_id: String,
    },
    /// No success REPORT was asked for, and every chunk got a 200 from the next hop.
    Accepted {
        /// Its Message-ID.
        message_id: String,
    },
}

impl Sent {
    /// The message's Message-ID.
    pub fn message_id(&self) -> &str {
        match self {
            Sent::Delivered { message_id } | Sent::Accepted { message_id } => message_id,
        }
    }
}
