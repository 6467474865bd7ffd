//! One outgoing message: its chunker, what a streamed one still has to send, and what is
//! known of its delivery.

use alloc::collections::VecDeque;
use alloc::string::String;
use bytes::{Bytes, BytesMut};
use core::time::Duration;

use super::event::SessionId;
use crate::chunking::{Chunker, MIN_BEFORE_INTERRUPT};
use crate::reassembly::RangeSet;
use crate::time::Instant;
use crate::transaction::Expect;

/// Streamed writes smaller than this are gathered into one chunk body (copied together).
const GATHER_MAX: usize = 64 * 1024;

/// One message being sent.
pub(crate) struct Outgoing {
    pub(crate) session: SessionId,
    pub(crate) message_id: String,
    /// The body being sent, or the current segment of a streamed one.
    pub(super) chunker: Chunker,
    /// For a message sent as it is produced: what is still to come.
    pub(super) stream: Option<Stream>,
    /// Body bytes handed out so far, over all segments.
    pub(crate) sent: u64,
    pub(crate) success_wanted: bool,
    /// Reported delivered: nothing more is said of it (no failure follows).
    pub(super) delivered: bool,
    /// The largest message total a success REPORT gave (the receiver knew the end).
    pub(super) reported_total: Option<u64>,
    /// When to stop waiting for the success REPORT (set once every chunk is answered).
    pub(super) report_deadline: Option<Instant>,
    /// What each chunk's Failure-Report asks back.
    pub(super) expect: Expect,
    /// Byte ranges covered by success REPORTs (0-based).
    pub(crate) reported: RangeSet,
    /// Failed or aborted: nothing more of it is sent (but a `#` chunk, if pending).
    pub(crate) failed: bool,
    /// Aborted after some chunks went out: one more (empty) chunk ends it with `#`.
    pub(super) abort_pending: bool,
    /// Chunks waiting for a 200.
    pub(crate) in_flight: usize,
    /// A keep-alive: one bodiless SEND in the control queue, not scheduled.
    pub(super) keepalive: bool,
    /// In its session's queue: it has (or may have) chunks to send.
    pub(super) scheduled: bool,
}

/// The part of a streamed outgoing message not yet in a segment.
pub(super) struct Stream {
    /// Written by the application, not yet sent.
    pub(super) pending: VecDeque<Bytes>,
    pub(super) pending_bytes: u64,
    /// When the oldest pending bytes were written.
    pub(super) since: Option<Instant>,
    /// The application called `finish`.
    pub(super) finished: bool,
    /// The segment that ends the message has been started.
    pub(super) final_started: bool,
    /// The gathering delay of the pending bytes has passed (`handle_timeout` said so):
    /// they go as soon as a chunk can start.
    pub(super) due: bool,
}

impl Stream {
    /// The next segment's body: consecutive small pieces copied together (up to
    /// [`GATHER_MAX`]), a large piece as it is.
    fn take_gathered(&mut self) -> Bytes {
        let Some(first) = self.pending.pop_front() else {
            return Bytes::new();
        };
        let mut total = first.len();
        if total >= GATHER_MAX
            || self
                .pending
                .front()
                .is_none_or(|b| total + b.len() > GATHER_MAX)
        {
            self.pending_bytes -= first.len() as u64;
            return first;
        }
        let mut body = BytesMut::with_capacity(GATHER_MAX.min(self.pending_bytes as usize));
        body.extend_from_slice(&first);
        while let Some(next) = self.pending.front() {
            if total + next.len() > GATHER_MAX {
                break;
            }
            total += next.len();
            body.extend_from_slice(next);
            self.pending.pop_front();
        }
        self.pending_bytes -= total as u64;
        body.freeze()
    }
}

impl Outgoing {
    /// Whether every byte has been sent and the last chunk ended.
    pub(crate) fn all_sent(&self) -> bool {
        self.chunker.is_done()
            && self
                .stream
                .as_ref()
                .is_none_or(|st| st.final_started && st.pending.is_empty())
    }

    /// The message's size once known.
    pub(crate) fn message_len(&self) -> Option<u64> {
        match &self.stream {
            None => Some(self.chunker.total()),
            Some(st) if st.finished => Some(self.chunker.end_offset() + st.pending_bytes),
            Some(_) => self.chunker.declared_total(),
        }
    }

    /// Bytes queued and not yet sent (current segment and pending ones).
    pub(super) fn unsent(&self) -> u64 {
        let pending = self.stream.as_ref().map_or(0, |st| st.pending_bytes);
        self.chunker.total() - self.chunker.sent() + pending
    }

    /// When its written bytes must go out even if fewer than a chunk's worth.
    pub(super) fn gather_deadline(&self, delay: Duration) -> Option<Instant> {
        let st = self.stream.as_ref()?;
        if self.failed || st.finished || st.due || !self.chunker.is_done() || st.pending_bytes == 0
        {
            return None;
        }
        st.since.map(|t| t + delay)
    }

    /// When the current chunk has carried all of its segment: goes on inside it with what
    /// the application wrote since (each piece as it is, not gathered: the chunk is open
    /// already), or with an empty last segment once the message is finished, so that the
    /// chunk ends with `$`. `false` when there is nothing to go on with (the chunk ends).
    pub(super) fn continue_stream(&mut self, now: Instant) -> bool {
        if self.failed || !self.chunker.can_continue() {
            return false;
        }
        let Some(st) = &mut self.stream else {
            return false;
        };
        if st.final_started {
            return false;
        }
        let body = match st.pending.pop_front() {
            Some(piece) => {
                st.pending_bytes -= piece.len() as u64;
                piece
            }
            None if st.finished => Bytes::new(),
            None => return false,
        };
        let last = st.finished && st.pending.is_empty();
        st.final_started |= last;
        st.due = false;
        // What is still pending waits from now (as after a segment is started).
        st.since = (!st.pending.is_empty()).then_some(now);
        self.chunker.continue_with(body, last)
    }

    /// Whether a chunk can be started now; moves to the next segment of a stream if needed.
    pub(super) fn ready(&mut self, now: Instant, delay: Duration) -> bool {
        if self.failed {
            return self.abort_pending;
        }
        if self.keepalive {
            return false;
        }
        if !self.chunker.is_done() {
            return true;
        }
        let Some(st) = &mut self.stream else {
            return false;
        };
        if !st.pending.is_empty() {
            // Small writes wait a little to be sent together (never past the delay).
            let hold = !st.finished
                && !st.due
                && st.pending_bytes < MIN_BEFORE_INTERRUPT
                && st.since.is_some_and(|t| now < t + delay);
            if hold {
                return false;
            }
            let body = st.take_gathered();
            st.due = false;
            st.since = (!st.pending.is_empty()).then_some(now);
            let last = st.finished && st.pending.is_empty();
            st.final_started |= last;
            self.chunker = self.chunker.next_segment(body, last);
            return true;
        }
        if st.finished && !st.final_started {
            // The message ends after a segment already sent: an empty chunk carries the `$`.
            st.final_started = true;
            self.chunker = self.chunker.next_segment(Bytes::new(), true);
            return true;
        }
        false
    }
}
