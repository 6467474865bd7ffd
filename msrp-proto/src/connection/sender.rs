//! The [`Outbox`] of an endpoint: which message's chunk goes next, its body, its end.

use alloc::collections::VecDeque;
use bytes::{Bytes, BytesMut};

use super::event::{Event, MessageHandle};
use super::outbound::Outbound;
use super::sessions::Session;
use crate::link::{Outbox, Started};
use crate::time::Instant;
use crate::transaction::Expect;
use crate::wire::{Continuation, RandomSource, random_id};

/// What the link keeps per transaction of ours.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TxInfo {
    /// A chunk (or keep-alive) of this message.
    Message(MessageHandle),
    /// An AUTH request (RFC 4976 section 5.1).
    Auth(super::auth::AuthId),
}

/// The [`Outbox`] of an endpoint: its outgoing messages, the sessions' paths and the
/// random source for transaction ids, borrowed for one `poll_transmit`.
pub(crate) struct Sender<'a, R> {
    pub(crate) out: &'a mut Outbound,
    pub(crate) sessions: &'a [Session],
    pub(crate) rng: &'a mut R,
    pub(crate) events: &'a mut VecDeque<Event>,
    /// The transmit's instant.
    pub(crate) now: Instant,
}

impl<R: RandomSource> Outbox<TxInfo> for Sender<'_, R> {
    fn start(&mut self, now: Instant, room: bool, buf: &mut BytesMut) -> Option<Started<TxInfo>> {
        let out = &mut *self.out;
        let delay = out.gather_delay;
        // Sessions in turn order; in each, its messages in turn order (the one served
        // last goes to the back when its chunk ends).
        for t in 0..out.turns.len() {
            let session = out.turns[t];
            let Some(queue) = out.queues.get_mut(&session) else {
                continue;
            };
            for &h in queue.iter() {
                let slot = &mut out.slots[h.index as usize];
                let Some(o) = slot.message.as_mut() else {
                    continue;
                };
                if !room && o.expect != Expect::Nothing {
                    continue;
                }
                if !o.ready(now, delay) {
                    continue;
                }
                let s = self.sessions.get(o.session.0)?;
                let tid = random_id(self.rng);
                if o.abort_pending {
                    o.chunker
                        .begin_abort_into(tid, &s.to_text, &s.from_text, buf);
                } else {
                    o.chunker.begin_into(tid, &s.to_text, &s.from_text, buf);
                }
                let expect = if o.abort_pending {
                    Expect::Nothing
                } else {
                    o.expect
                };
                if expect == Expect::Response {
                    o.in_flight += 1;
                }
                out.current = Some(h);
                return Some(Started {
                    tid,
                    has_body: true,
                    expect,
                    data: TxInfo::Message(h),
                });
            }
        }
        None
    }

    fn body(&mut self, max: usize) -> Option<Bytes> {
        let h = self.out.current?;
        let o = self.out.get_mut(h)?;
        if o.failed {
            return None;
        }
        let piece = match o.chunker.take(max) {
            Some(piece) => piece,
            // A streamed message goes on in the same chunk with what was written since.
            None if o.continue_stream(self.now) => o.chunker.take(max)?,
            None => return None,
        };
        o.sent += piece.len() as u64;
        self.out.unsent -= piece.len();
        Some(piece)
    }

    fn may_interrupt(&self) -> bool {
        self.out
            .current
            .and_then(|h| self.out.get(h))
            .is_some_and(|o| o.chunker.may_interrupt())
    }

    fn others_waiting(&mut self, now: Instant) -> bool {
        let current = self.out.current;
        let delay = self.out.gather_delay;
        let out = &mut *self.out;
        out.queues.values().flatten().any(|h| {
            Some(*h) != current
                && out.slots[h.index as usize]
                    .message
                    .as_mut()
                    .is_some_and(|o| o.ready(now, delay))
        })
    }

    fn stopped(&self) -> bool {
        self.out
            .current
            .and_then(|h| self.out.get(h))
            .is_none_or(|o| o.failed)
    }

    fn end(&mut self) -> Continuation {
        let Some(h) = self.out.current.take() else {
            return Continuation::Aborted;
        };
        let Some(o) = self.out.get_mut(h) else {
            return Continuation::Aborted;
        };
        if o.failed {
            // Stopped (aborted, refused): nothing more of it goes out.
            self.out.remove(h, false);
            return Continuation::Aborted;
        }
        let (flag, session) = (o.chunker.end(), o.session);
        if o.all_sent() {
            self.out.unschedule(h, session);
        } else if let Some(q) = self.out.queues.get_mut(&session) {
            // Its turn is over: the other messages of its session, and the other
            // sessions, go first.
            if let Some(i) = q.iter().position(|m| *m == h) {
                q.remove(i);
                q.push_back(h);
            }
        }
        if let Some(i) = self.out.turns.iter().position(|s| *s == session) {
            self.out.turns.remove(i);
            self.out.turns.push_back(session);
        }
        self.out.check_delivered(h, self.events);
        self.out.arm_report_timer(h, self.now);
        self.out.retire_if_done(h, self.events);
        flag
    }
}
