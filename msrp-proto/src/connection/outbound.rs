//! Every outgoing message of a connection, found by handle or Message-ID, and the queues
//! of the fair scheduler (RFC 4975 section 7.1.1): sessions take turns, and the messages
//! of a session; only messages with something to send are queued.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;
use bytes::Bytes;
use core::time::Duration;

use super::SendError;
use super::event::{Event, FailReason, MessageHandle, SessionId};
use super::outgoing::{Outgoing, Stream};
use crate::chunking::{ChunkPolicy, Chunker, ReportPrefs};
use crate::reassembly::RangeSet;
use crate::time::Instant;
use crate::transaction::Expect;

pub(super) struct Slot {
    pub(super) generation: u32,
    pub(super) message: Option<Outgoing>,
}

/// Every message being sent, the scheduler's queues, and recently finished ones.
pub(crate) struct Outbound {
    pub(super) slots: Vec<Slot>,
    free: Vec<u32>,
    /// Active messages by Message-ID (REPORTs name them so).
    by_id: BTreeMap<String, MessageHandle>,
    /// Sessions with scheduled messages, in turn order.
    pub(super) turns: VecDeque<SessionId>,
    /// Per session, its scheduled messages in turn order.
    pub(super) queues: BTreeMap<SessionId, VecDeque<MessageHandle>>,
    /// The message whose chunk is being written.
    pub(super) current: Option<MessageHandle>,
    /// Body bytes queued and not yet handed to the link.
    pub(super) unsent: usize,
    /// Messages retired after their last response: a failure REPORT may still come (RFC
    /// 4975 section 7.1.4), or an error response to a `Failure-Report: partial` chunk.
    retired: VecDeque<(MessageHandle, SessionId, String)>,
    remembered: usize,
    policy: ChunkPolicy,
    max_ranges: usize,
    pub(super) gather_delay: Duration,
    report_timeout: Duration,
}

impl Outbound {
    pub(crate) fn new(
        policy: ChunkPolicy,
        max_ranges: usize,
        remembered: usize,
        gather_delay: Duration,
        report_timeout: Duration,
    ) -> Outbound {
        Outbound {
            slots: Vec::new(),
            free: Vec::new(),
            by_id: BTreeMap::new(),
            turns: VecDeque::new(),
            queues: BTreeMap::new(),
            current: None,
            unsent: 0,
            retired: VecDeque::new(),
            remembered: remembered.max(1),
            policy,
            max_ranges,
            gather_delay,
            report_timeout,
        }
    }

    /// Body bytes queued and not yet written.
    pub(crate) fn unsent(&self) -> usize {
        self.unsent
    }

    pub(crate) fn get(&self, h: MessageHandle) -> Option<&Outgoing> {
        let slot = self.slots.get(h.index as usize)?;
        (slot.generation == h.generation).then_some(slot.message.as_ref()?)
    }

    pub(super) fn get_mut(&mut self, h: MessageHandle) -> Option<&mut Outgoing> {
        let slot = self.slots.get_mut(h.index as usize)?;
        if slot.generation != h.generation {
            return None;
        }
        slot.message.as_mut()
    }

    /// The active message with this Message-ID.
    pub(crate) fn find(&self, message_id: &str) -> Option<MessageHandle> {
        self.by_id.get(message_id).copied()
    }

    /// Whether a message being sent, or one retired and still remembered, has this
    /// Message-ID (in any session).
    pub(crate) fn id_in_use(&self, message_id: &str) -> bool {
        self.by_id.contains_key(message_id) || self.retired.iter().any(|(_, _, m)| m == message_id)
    }

    /// A retired message with this Message-ID in `session`: forgotten as it is returned.
    pub(crate) fn take_retired(
        &mut self,
        session: SessionId,
        message_id: &str,
    ) -> Option<MessageHandle> {
        let i = self
            .retired
            .iter()
            .position(|(_, s, m)| *s == session && m == message_id)?;
        self.retired.remove(i).map(|(h, _, _)| h)
    }

    /// A retired message by handle: forgotten as it is returned.
    pub(crate) fn take_retired_handle(&mut self, h: MessageHandle) -> Option<(SessionId, String)> {
        let i = self.retired.iter().position(|(r, _, _)| *r == h)?;
        self.retired.remove(i).map(|(_, s, m)| (s, m))
    }

    /// Queues a message. `stream`: sent as the application writes it, `total` its size if
    /// known; otherwise `body` is the whole message.
    pub(crate) fn add(
        &mut self,
        session: SessionId,
        message_id: String,
        content_type: &str,
        body: Bytes,
        stream: Option<Option<u64>>,
        reports: ReportPrefs,
    ) -> MessageHandle {
        let len = body.len();
        let (chunker, stream) = match stream {
            None => (
                Chunker::new(&message_id, content_type, body, self.policy, reports),
                None,
            ),
            Some(total) => {
                // An empty, finished, non-final segment: `Outgoing::ready` moves on from it.
                let mut chunker = Chunker::segment(
                    &message_id,
                    content_type,
                    Bytes::new(),
                    0,
                    total,
                    false,
                    self.policy,
                    reports,
                );
                let _ = chunker.end();
                let stream = Stream {
                    due: false,
                    pending: VecDeque::new(),
                    pending_bytes: 0,
                    since: None,
                    finished: false,
                    final_started: false,
                };
                (chunker, Some(stream))
            }
        };
        self.unsent += len;
        let h = self.insert(Outgoing {
            session,
            message_id,
            chunker,
            stream,
            sent: 0,
            success_wanted: reports.success == Some(true),
            delivered: false,
            reported_total: None,
            report_deadline: None,
            expect: Expect::from_failure_report(reports.failure),
            reported: RangeSet::new(self.max_ranges),
            failed: false,
            abort_pending: false,
            in_flight: 0,
            keepalive: false,
            scheduled: false,
        });
        self.schedule(h, session);
        h
    }

    /// Puts a message in its session's queue (at the back).
    fn schedule(&mut self, h: MessageHandle, session: SessionId) {
        if let Some(o) = self.get_mut(h) {
            o.scheduled = true;
        }
        self.queues.entry(session).or_default().push_back(h);
        if !self.turns.contains(&session) {
            self.turns.push_back(session);
        }
    }

    /// Takes a message out of its session's queue: it has nothing more to send. The
    /// scheduler then never looks at messages that only wait for responses.
    pub(super) fn unschedule(&mut self, h: MessageHandle, session: SessionId) {
        if let Some(o) = self.get_mut(h) {
            o.scheduled = false;
        }
        if let Some(q) = self.queues.get_mut(&session) {
            if let Some(i) = q.iter().position(|m| *m == h) {
                q.remove(i);
            }
            if q.is_empty() {
                self.queues.remove(&session);
                self.turns.retain(|s| *s != session);
            }
        }
    }

    /// Tracks a keep-alive (a bodiless SEND sent from the control queue) as a message, so
    /// that its response or timeout is reported like any other's.
    pub(crate) fn add_keepalive(
        &mut self,
        session: SessionId,
        message_id: String,
    ) -> MessageHandle {
        let mut chunker = Chunker::new(
            &message_id,
            "text/plain",
            Bytes::new(),
            self.policy,
            ReportPrefs::default(),
        );
        let _ = chunker.end();
        self.insert(Outgoing {
            session,
            message_id,
            chunker,
            stream: None,
            sent: 0,
            success_wanted: false,
            delivered: false,
            reported_total: None,
            report_deadline: None,
            expect: Expect::Response,
            reported: RangeSet::new(1),
            failed: false,
            abort_pending: false,
            in_flight: 1,
            keepalive: true,
            scheduled: false,
        })
    }

    fn insert(&mut self, message: Outgoing) -> MessageHandle {
        let id = message.message_id.clone();
        let h = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.generation = slot.generation.wrapping_add(1);
                slot.message = Some(message);
                MessageHandle {
                    index,
                    generation: slot.generation,
                }
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    message: Some(message),
                });
                MessageHandle {
                    index: (self.slots.len() - 1) as u32,
                    generation: 0,
                }
            }
        };
        self.by_id.insert(id, h);
        h
    }

    /// Forgets a message: out of the queues, its slot free. `retire`: remember it for
    /// late failure REPORTs.
    pub(super) fn remove(&mut self, h: MessageHandle, retire: bool) -> Option<Outgoing> {
        let slot = self.slots.get_mut(h.index as usize)?;
        if slot.generation != h.generation {
            return None;
        }
        let o = slot.message.take()?;
        self.free.push(h.index);
        self.by_id.remove(&o.message_id);
        if o.scheduled {
            self.unschedule(h, o.session);
        }
        if self.current == Some(h) {
            self.current = None;
        }
        if retire {
            while self.retired.len() >= self.remembered {
                self.retired.pop_front();
            }
            self.retired.push_back((h, o.session, o.message_id.clone()));
        }
        Some(o)
    }

    /// Adds written bytes to a streamed message.
    pub(crate) fn write(
        &mut self,
        h: MessageHandle,
        now: Instant,
        data: Bytes,
    ) -> Result<(), SendError> {
        let o = self.get_mut(h).ok_or(SendError::UnknownMessage)?;
        if o.failed {
            return Err(SendError::UnknownMessage);
        }
        let (declared, end) = (o.chunker.declared_total(), o.chunker.end_offset());
        let st = o
            .stream
            .as_mut()
            .filter(|st| !st.finished)
            .ok_or(SendError::UnknownMessage)?;
        let written = end + st.pending_bytes + data.len() as u64;
        if let Some(declared) = declared.filter(|d| written > *d) {
            return Err(SendError::TotalMismatch { declared, written });
        }
        if !data.is_empty() {
            st.pending_bytes += data.len() as u64;
            st.since.get_or_insert(now);
            let len = data.len();
            st.pending.push_back(data);
            self.unsent += len;
        }
        Ok(())
    }

    /// Ends a streamed message.
    pub(crate) fn finish(&mut self, h: MessageHandle) -> Result<(), SendError> {
        let o = self.get_mut(h).ok_or(SendError::UnknownMessage)?;
        let (declared, end) = (o.chunker.declared_total(), o.chunker.end_offset());
        let st = o
            .stream
            .as_mut()
            .filter(|_| !o.failed)
            .ok_or(SendError::UnknownMessage)?;
        let written = end + st.pending_bytes;
        if let Some(declared) = declared.filter(|d| written != *d) {
            return Err(SendError::TotalMismatch { declared, written });
        }
        st.finished = true;
        Ok(())
    }

    /// Whether `h` is a streamed message.
    pub(crate) fn is_stream(&self, h: MessageHandle) -> bool {
        self.get(h).is_some_and(|o| o.stream.is_some())
    }

    /// Stops a message: nothing more of it is sent; a chunk being written ends with `#`,
    /// and so does one more empty chunk when some of it went out already. `event`: why,
    /// for [`Event::SendFailed`]; `None` for the application's own abort. Returns whether
    /// the message was active.
    pub(crate) fn stop(
        &mut self,
        h: MessageHandle,
        reason: Option<FailReason>,
        events: &mut VecDeque<Event>,
    ) -> bool {
        let writing = self.current == Some(h);
        let Some(o) = self.get_mut(h) else {
            return false;
        };
        if o.failed {
            return false;
        }
        if o.delivered {
            // Its end was reported already: it goes quietly.
            self.remove(h, false);
            return true;
        }
        o.failed = true;
        let unsent = o.unsent() as usize;
        let partly_sent = o.sent > 0 && !o.all_sent() && !o.keepalive;
        let (session, message_id) = (o.session, o.message_id.clone());
        if !writing && partly_sent && reason.is_none() {
            o.abort_pending = true;
        }
        let keep = writing || (partly_sent && reason.is_none());
        self.unsent -= unsent;
        if !keep {
            self.remove(h, false);
        }
        if let Some(reason) = reason {
            events.push_back(Event::SendFailed {
                session,
                message: h,
                message_id,
                reason,
            });
        }
        true
    }

    /// The messages of a session still being sent.
    pub(crate) fn of_session(&self, session: SessionId) -> Vec<MessageHandle> {
        self.by_id
            .values()
            .copied()
            .filter(|h| {
                self.get(*h)
                    .is_some_and(|o| o.session == session && !o.failed)
            })
            .collect()
    }

    /// Every message still being sent.
    pub(crate) fn all(&self) -> Vec<MessageHandle> {
        self.by_id.values().copied().collect()
    }

    /// Forgets everything (the connection closed).
    pub(crate) fn clear(&mut self) {
        *self = Outbound::new(
            self.policy,
            self.max_ranges,
            self.remembered,
            self.gather_delay,
            self.report_timeout,
        );
    }

    /// A 200 arrived for one of `h`'s chunks.
    pub(crate) fn on_ok(&mut self, h: MessageHandle, now: Instant, events: &mut VecDeque<Event>) {
        if let Some(o) = self.get_mut(h) {
            o.in_flight = o.in_flight.saturating_sub(1);
        }
        self.check_delivered(h, events);
        self.arm_report_timer(h, now);
        self.retire_if_done(h, events);
    }

    /// A success REPORT covers `[start, end)` of `h`, of a message of `total` bytes.
    pub(crate) fn on_success_report(
        &mut self,
        h: MessageHandle,
        range: (u64, u64),
        total: Option<u64>,
        events: &mut VecDeque<Event>,
    ) {
        if let Some(o) = self.get_mut(h) {
            let _ = o.reported.insert(range.0, range.1);
            o.reported_total = o.reported_total.max(total);
        }
        self.check_delivered(h, events);
    }

    /// Once every chunk of a message asking for a success REPORT is sent and answered,
    /// it waits at most `report_timeout` for that REPORT.
    pub(super) fn arm_report_timer(&mut self, h: MessageHandle, now: Instant) {
        let timeout = self.report_timeout;
        if let Some(o) = self.get_mut(h) {
            if o.success_wanted && !o.failed && o.all_sent() && o.in_flight == 0 {
                o.report_deadline.get_or_insert(now + timeout);
            }
        }
    }

    /// Runs the timers due at `now`: held streamed writes become due; messages whose
    /// success REPORT did not come fail with [`FailReason::NoReport`].
    pub(crate) fn on_timeout(&mut self, now: Instant, events: &mut VecDeque<Event>) {
        let delay = self.gather_delay;
        let mut no_report = Vec::new();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(o) = slot.message.as_mut() else {
                continue;
            };
            if o.gather_deadline(delay).is_some_and(|t| t <= now) {
                if let Some(st) = o.stream.as_mut() {
                    st.due = true;
                }
            }
            if o.report_deadline.is_some_and(|t| t <= now) && o.success_wanted {
                no_report.push(MessageHandle {
                    index: i as u32,
                    generation: slot.generation,
                });
            }
        }
        for h in no_report {
            self.stop(h, Some(FailReason::NoReport), events);
        }
    }

    /// Reports [`Event::MessageDelivered`] once success REPORTs cover a message whose last
    /// chunk has gone out (a REPORT can arrive before the sender ends its last chunk).
    pub(super) fn check_delivered(&mut self, h: MessageHandle, events: &mut VecDeque<Event>) {
        let Some(o) = self.get_mut(h) else { return };
        let len = o.message_len();
        // The receiver must have seen the end: a REPORT giving the message's total (RFC
        // 4975 section 7.1.3), and REPORTs covering every byte.
        if o.success_wanted
            && !o.failed
            && o.all_sent()
            && len.is_some_and(|n| o.reported_total == Some(n) && o.reported.covers_prefix(n))
        {
            o.success_wanted = false;
            o.delivered = true;
            events.push_back(Event::MessageDelivered {
                session: o.session,
                message: h,
                message_id: o.message_id.clone(),
            });
            self.retire_if_done(h, events);
        }
    }

    /// Forgets a message once all its chunks are sent and answered and no report is
    /// awaited; one that asked for no success REPORT gets [`Event::MessageAccepted`].
    pub(super) fn retire_if_done(&mut self, h: MessageHandle, events: &mut VecDeque<Event>) {
        let writing = self.current == Some(h);
        if self.get(h).is_some_and(|o| {
            o.all_sent() && o.in_flight == 0 && !o.success_wanted && !writing && !o.failed
        }) {
            // A delivered message is not remembered: nothing may fail it later.
            let retire = self.get(h).is_some_and(|o| !o.delivered);
            if let Some(o) = self.remove(h, retire) {
                // A keep-alive's success is silent (`Connection::send_keepalive`).
                if !o.delivered && !o.keepalive {
                    events.push_back(Event::MessageAccepted {
                        session: o.session,
                        message: h,
                        message_id: o.message_id,
                    });
                }
            }
        }
    }

    /// When a held streamed write must go out, or a success REPORT stops being waited for.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter_map(|s| {
                let o = s.message.as_ref()?;
                let report = o.report_deadline.filter(|_| o.success_wanted);
                match (o.gather_deadline(self.gather_delay), report) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            })
            .min()
    }
}
