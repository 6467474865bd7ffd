//! The REPORTs this side sends about messages it receives: success (whole or
//! incremental, RFC 4975 section 7.1.3) and failure (section 7.1.4, a gateway's late
//! refusal).

use alloc::string::String;

use super::event::SessionId;
use super::inbound::Current;
use super::{Connection, SendError};
use crate::report::{self, LazyTarget};
use crate::wire::{RandomSource, random_id};

impl<R: RandomSource> Connection<R> {
    /// Refuses a message received (or being received) from the peer after the fact, as a
    /// gateway does when the next network rejects it (RFC 4975 section 7.1.4): sends a
    /// failure REPORT with Status `000 code` covering the bytes received, unless the
    /// sender's Failure-Report was `no`; a message still arriving is dropped (what it held
    /// is freed, no completion event follows) and its further chunks are answered `code`;
    /// a streamed one ends with [`Event::MessageRefused`](super::Event::MessageRefused).
    /// Reaches messages in progress and the last
    /// [`ConnectionConfig::remembered_messages`](super::ConnectionConfig::remembered_messages)
    /// ended ones. Returns whether a REPORT was queued.
    pub fn report_failure(
        &mut self,
        now: crate::Instant,
        session: SessionId,
        message_id: &str,
        code: u16,
    ) -> Result<bool, SendError> {
        let _ = now;
        if !(400..=699).contains(&code) {
            return Err(SendError::InvalidStatus);
        }
        let key = (session, String::from(message_id));
        if matches!(&self.inbound.current, Some(Current::Accept { key: k, .. }) if *k == key) {
            self.refuse_current(code);
        } else {
            self.drop_incoming(&key, code);
        }
        let f = self
            .inbound
            .finished
            .get_mut(&key)
            .ok_or(SendError::UnknownMessage)?;
        f.refused = Some(code);
        let (target, end, total) = (f.target.clone(), f.end, f.total);
        if !target.as_ref().is_some_and(LazyTarget::failure_allowed) {
            return Ok(false);
        }
        self.send_report(session, target.as_ref(), code, (end, total));
        Ok(true)
    }

    /// Queues a REPORT about a received message: Status `000 code`, covering bytes
    /// `1..=end` of `total` (RFC 4975 sections 7.1.3 and 7.1.4).
    pub(super) fn send_report(
        &mut self,
        session: SessionId,
        target: Option<&LazyTarget>,
        code: u16,
        (end, total): (u64, Option<u64>),
    ) {
        let Some(target) = target else { return };
        let Some(s) = self.sessions.get(session.0) else {
            return;
        };
        let local = s.config.local_uri.clone();
        let tid = random_id(&mut self.rng);
        let comment = Some(report::reason_phrase(code));
        let Some(target) = target.resolve() else {
            return;
        };
        let r = target.report(tid, local, code, comment, (1, end, total));
        self.push_control(&r);
    }
}
