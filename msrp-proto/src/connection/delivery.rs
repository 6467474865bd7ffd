//! What the peer says about the messages this side sends: responses to their chunks,
//! REPORTs about them (RFC 4975 sections 7.1.2 to 7.2, 10.5), and this side's own
//! timeouts.

use alloc::string::String;

use super::Connection;
use super::event::{Event, FailReason, MessageHandle, SessionId};
use super::sender::TxInfo;
use crate::transaction::Expect;
use crate::wire::{ChunkHead, HeadFields, RandomSource};

impl<R: RandomSource> Connection<R> {
    pub(crate) fn on_response(&mut self, head: &ChunkHead) {
        let info = match self.link.on_response(&head.transaction_id()) {
            Some((_, TxInfo::Message(h))) => h,
            Some((_, TxInfo::Auth(auth))) => return self.on_auth_response(auth, head),
            None => return,
        };
        let code = head.status_code().unwrap_or(0);
        if code == 200 {
            self.out.on_ok(info, self.now, &mut self.events);
        } else {
            self.transaction_failed(info, FailReason::Response(code));
        }
    }

    /// A transaction failed: its message fails (also one already retired, when an error
    /// answers a `Failure-Report: partial` chunk late).
    pub(crate) fn transaction_failed(&mut self, message: MessageHandle, reason: FailReason) {
        if self.out.stop(message, Some(reason), &mut self.events) {
            return;
        }
        if let Some((session, message_id)) = self.out.take_retired_handle(message) {
            self.events.push_back(Event::SendFailed {
                session,
                message,
                message_id,
                reason,
            });
        }
    }

    /// Handles the transactions that timed out.
    pub(crate) fn expire_transactions(&mut self, now: crate::Instant) {
        for e in self.link.expire(now) {
            match e.data {
                TxInfo::Message(h) if e.expect == Expect::Response => {
                    self.transaction_failed(h, FailReason::Timeout);
                }
                TxInfo::Auth(auth) => self.auth_failed(auth, super::AuthFailure::Timeout),
                TxInfo::Message(_) => {}
            }
        }
    }

    pub(crate) fn on_report(&mut self, session: SessionId, fields: &HeadFields<'_>) {
        let Some(id) = fields.message_id else { return };
        let status = fields.status.map_or(0, |s| s.code);
        let range = fields.byte_range;
        let active = self
            .out
            .find(id)
            .filter(|h| self.out.get(*h).is_some_and(|o| o.session == session));
        let Some(h) = active else {
            // A failure REPORT about a message sent and answered 200 (a gateway's late
            // refusal, RFC 4975 section 7.1.4).
            if status != 200 {
                if let Some(h) = self.out.take_retired(session, id) {
                    let message_id = String::from(id);
                    self.events.push_back(Event::ReportReceived {
                        session,
                        message: h,
                        message_id: message_id.clone(),
                        status,
                        range,
                    });
                    self.events.push_back(Event::SendFailed {
                        session,
                        message: h,
                        message_id,
                        reason: FailReason::Report(status),
                    });
                }
            }
            return; // RFC 4975 section 7.1.2: unknown Message-ID, ignored
        };
        self.events.push_back(Event::ReportReceived {
            session,
            message: h,
            message_id: String::from(id),
            status,
            range,
        });
        if status != 200 {
            // RFC 4975 section 10.5: a 413 in a REPORT stops the message at once.
            self.out
                .stop(h, Some(FailReason::Report(status)), &mut self.events);
            return;
        }
        if let Some(r) = range {
            let end = r.end.unwrap_or(r.start.saturating_sub(1));
            self.out.on_success_report(
                h,
                (r.start.saturating_sub(1), end),
                r.total,
                &mut self.events,
            );
        }
    }
}
