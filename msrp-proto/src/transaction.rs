//! Outgoing transactions waiting for their responses (RFC 4975 section 7.1.1).
//!
//! A transaction is tracked from the moment its chunk's first byte is written, so that a
//! response arriving while the chunk is still going out (a 413 for a long chunk, RFC 4975
//! section 10.5) finds it. Its 30-second timer starts when the chunk's last byte has been
//! written, at the instant the driver passed then.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::time::Duration;

use crate::time::Instant;
use crate::wire::{ReportRequest, TransactionId};

/// How long a sender waits for the response to a request with `Failure-Report: yes` after
/// its last byte was sent (RFC 4975 section 7.1.1: 30 seconds).
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Default for the most transactions waiting at once on one connection.
pub const DEFAULT_MAX_PENDING: usize = 1024;

/// What a sender expects back for a request, from its Failure-Report value (RFC 4975
/// section 7.1.1; absent means `yes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// Every response, and a timeout after [`RESPONSE_TIMEOUT`].
    Response,
    /// Only error responses (`Failure-Report: partial`): no 200 will come and no timeout
    /// is reported; the transaction is kept for [`RESPONSE_TIMEOUT`] after its last byte,
    /// to match a late error response, then forgotten.
    ErrorsOnly,
    /// Nothing (`Failure-Report: no`): the request is not tracked.
    Nothing,
}

impl Expect {
    /// From a Failure-Report value (`None` when the header is absent).
    pub fn from_failure_report(value: Option<ReportRequest>) -> Expect {
        match value {
            None | Some(ReportRequest::Yes) => Expect::Response,
            Some(ReportRequest::Partial) => Expect::ErrorsOnly,
            Some(ReportRequest::No) => Expect::Nothing,
        }
    }
}

/// The table is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than {max} transactions waiting for responses")]
pub struct TooManyPending {
    /// The limit in force.
    pub max: usize,
}

/// A transaction whose time ran out, as [`Transactions::expire`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired<T> {
    /// Its id.
    pub tid: TransactionId,
    /// What it expected: [`Expect::Response`] is a failure (no response in time);
    /// [`Expect::ErrorsOnly`] just ends quietly.
    pub expect: Expect,
    /// The caller's data.
    pub data: T,
}

#[derive(Debug, Clone)]
struct Pending<T> {
    expect: Expect,
    /// Set once the last byte is written.
    deadline: Option<Instant>,
    /// Which entry of the deadline queue is this one's (older entries are stale).
    seq: u64,
    data: T,
}

/// Outgoing transactions by id, each with the caller's data (which message and byte range
/// it carried, for instance) and, once its last byte is out, a deadline.
///
/// Deadlines are kept in order, so [`Transactions::next_deadline`] is O(1) and lookups by
/// id O(log n).
///
/// ```
/// use core::time::Duration;
/// use msrp_proto::transaction::{Expect, Expired, Transactions};
/// use msrp_proto::wire::TransactionId;
/// use msrp_proto::Instant;
///
/// let mut t = Transactions::new(16);
/// let tid = TransactionId::new(b"a786hjs2").unwrap();
/// t.insert(tid, Expect::Response, "chunk 1")?; // its first byte is being written
/// assert_eq!(t.next_deadline(), None, "no timer while the chunk is still going out");
/// let sent = Instant::from_elapsed(Duration::from_secs(3600));
/// t.sent(&tid, sent); // its last byte left at `sent`
/// assert_eq!(t.next_deadline(), Some(sent + Duration::from_secs(30)));
/// let expired = t.expire(sent + Duration::from_secs(31));
/// assert_eq!(expired, vec![Expired { tid, expect: Expect::Response, data: "chunk 1" }]);
/// assert!(t.is_empty());
/// # Ok::<(), msrp_proto::transaction::TooManyPending>(())
/// ```
#[derive(Debug, Clone)]
pub struct Transactions<T> {
    pending: BTreeMap<TransactionId, Pending<T>>,
    /// `(deadline, tid, seq)` in deadline order; entries whose transaction is gone or has
    /// another seq are stale and skipped.
    deadlines: VecDeque<(Instant, TransactionId, u64)>,
    /// `Expect::ErrorsOnly` transactions, oldest first (entries whose transaction is gone
    /// are skipped).
    errors_only: VecDeque<TransactionId>,
    /// How many of `pending` expect a response (the ones the limit counts).
    responses: usize,
    next_seq: u64,
    max: usize,
}

impl<T> Transactions<T> {
    /// An empty table holding at most `max` transactions.
    pub fn new(max: usize) -> Transactions<T> {
        Transactions {
            pending: BTreeMap::new(),
            deadlines: VecDeque::new(),
            errors_only: VecDeque::new(),
            responses: 0,
            next_seq: 0,
            max,
        }
    }

    /// Whether another transaction expecting a response fits. Transactions that only
    /// expect errors (`Failure-Report: partial`) do not count: at most `max` of them are
    /// kept, the oldest forgotten first (a late error to one of those is then ignored, as
    /// any response that matches nothing).
    pub fn has_room(&self) -> bool {
        self.responses < self.max
    }

    /// The most transactions held at once.
    pub fn capacity(&self) -> usize {
        self.max
    }

    /// Tracks a request whose first byte is being written; requests that expect nothing
    /// are not tracked (returns `Ok` without storing). No timer runs until
    /// [`Transactions::sent`].
    pub fn insert(
        &mut self,
        tid: TransactionId,
        expect: Expect,
        data: T,
    ) -> Result<(), TooManyPending> {
        if expect == Expect::Nothing {
            return Ok(());
        }
        if expect == Expect::Response && !self.has_room() && !self.pending.contains_key(&tid) {
            return Err(TooManyPending { max: self.max });
        }
        self.force_insert(tid, expect, data);
        Ok(())
    }

    /// As [`Transactions::insert`], past the limit if need be: for the few requests that
    /// were admitted when there was room and are written later.
    pub(crate) fn force_insert(&mut self, tid: TransactionId, expect: Expect, data: T) {
        if expect == Expect::Nothing {
            return;
        }
        let seq = self.bump();
        let old = self.pending.insert(
            tid,
            Pending {
                expect,
                deadline: None,
                seq,
                data,
            },
        );
        if let Some(old) = old {
            self.forget(old.expect);
        }
        match expect {
            Expect::Response => self.responses += 1,
            _ => {
                self.errors_only.push_back(tid);
                self.trim_errors_only();
            }
        }
    }

    /// Bookkeeping for a transaction removed from `pending`.
    fn forget(&mut self, expect: Expect) {
        if expect == Expect::Response {
            self.responses -= 1;
        }
    }

    /// Keeps at most `max` errors-only transactions (and the queue of them small).
    fn trim_errors_only(&mut self) {
        let live = self.pending.len() - self.responses;
        let mut excess = live.saturating_sub(self.max.max(1));
        while excess > 0 {
            let Some(tid) = self.errors_only.pop_front() else {
                break;
            };
            if self
                .pending
                .get(&tid)
                .is_some_and(|p| p.expect == Expect::ErrorsOnly)
            {
                self.pending.remove(&tid);
                excess -= 1;
            }
        }
        if self.errors_only.len() > 2 * (self.pending.len() - self.responses) + 16 {
            let queue = core::mem::take(&mut self.errors_only);
            self.errors_only = queue
                .into_iter()
                .filter(|t| {
                    self.pending
                        .get(t)
                        .is_some_and(|p| p.expect == Expect::ErrorsOnly)
                })
                .collect();
        }
        self.clean_front();
    }

    /// The request's last byte was written at `now`: its timer starts.
    pub fn sent(&mut self, tid: &TransactionId, now: Instant) {
        let seq = self.bump();
        let Some(p) = self.pending.get_mut(tid) else {
            return;
        };
        let deadline = now + RESPONSE_TIMEOUT;
        p.deadline = Some(deadline);
        p.seq = seq;
        // Instants from a monotonic clock arrive in order: usually a push at the back.
        let at = if self.deadlines.back().is_none_or(|b| b.0 <= deadline) {
            self.deadlines.len()
        } else {
            self.deadlines.partition_point(|e| e.0 <= deadline)
        };
        self.deadlines.insert(at, (deadline, *tid, seq));
        self.compact();
    }

    fn bump(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The response to `tid` arrived: what it expected and its data, or `None` for a
    /// response that matches nothing (RFC 4975 section 7.2: ignored).
    pub fn on_response(&mut self, tid: &TransactionId) -> Option<(Expect, T)> {
        let p = self.pending.remove(tid)?;
        self.forget(p.expect);
        self.clean_front();
        self.compact();
        Some((p.expect, p.data))
    }

    /// The caller's data for a transaction still waiting.
    pub fn get(&self, tid: &TransactionId) -> Option<&T> {
        self.pending.get(tid).map(|p| &p.data)
    }

    /// The caller's data for a transaction still waiting, to update.
    pub(crate) fn get_mut(&mut self, tid: &TransactionId) -> Option<&mut T> {
        self.pending.get_mut(tid).map(|p| &mut p.data)
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.front().map(|e| e.0)
    }

    /// Removes and returns the transactions whose deadline is at or before `now`, in
    /// deadline order. Safe to call early: nothing expires before its deadline.
    pub fn expire(&mut self, now: Instant) -> Vec<Expired<T>> {
        let mut out = Vec::new();
        while let Some(&(deadline, tid, seq)) = self.deadlines.front() {
            if deadline > now {
                break;
            }
            self.deadlines.pop_front();
            if self.pending.get(&tid).is_some_and(|p| p.seq == seq) {
                if let Some(p) = self.pending.remove(&tid) {
                    self.forget(p.expect);
                    out.push(Expired {
                        tid,
                        expect: p.expect,
                        data: p.data,
                    });
                }
            }
        }
        self.clean_front();
        out
    }

    /// Removes every transaction (the connection closed); returns their data.
    pub fn drain(&mut self) -> Vec<(TransactionId, T)> {
        self.deadlines.clear();
        self.errors_only.clear();
        self.responses = 0;
        core::mem::take(&mut self.pending)
            .into_iter()
            .map(|(t, p)| (t, p.data))
            .collect()
    }

    /// How many are waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn is_live(&self, e: &(Instant, TransactionId, u64)) -> bool {
        self.pending.get(&e.1).is_some_and(|p| p.seq == e.2)
    }

    /// Drops stale entries at the front, so that the front is always a live deadline.
    fn clean_front(&mut self) {
        while let Some(e) = self.deadlines.front() {
            if self.is_live(e) {
                break;
            }
            self.deadlines.pop_front();
        }
    }

    /// Keeps the queue within twice the live entries (amortized O(1) per operation).
    fn compact(&mut self) {
        if self.deadlines.len() > 2 * self.pending.len() + 16 {
            let queue = core::mem::take(&mut self.deadlines);
            self.deadlines = queue.into_iter().filter(|e| self.is_live(e)).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tid(s: &str) -> TransactionId {
        TransactionId::new(s.as_bytes()).unwrap()
    }

    fn at(secs: u64) -> Instant {
        Instant::from_elapsed(Duration::from_secs(secs))
    }

    #[test]
    fn failure_report_decides_what_is_tracked() {
        let mut t = Transactions::new(2);
        t.insert(tid("aaaa1"), Expect::Response, 1).unwrap();
        t.insert(tid("bbbb2"), Expect::ErrorsOnly, 2).unwrap();
        t.insert(tid("cccc3"), Expect::Nothing, 3).unwrap();
        assert_eq!(t.len(), 2);
        assert!(t.has_room(), "errors-only transactions do not count");
        t.insert(tid("eeee5"), Expect::Response, 5).unwrap();
        assert_eq!(
            t.insert(tid("dddd4"), Expect::Response, 4),
            Err(TooManyPending { max: 2 })
        );
        assert_eq!(t.on_response(&tid("eeee5")), Some((Expect::Response, 5)));
        assert_eq!(t.next_deadline(), None, "nothing fully sent yet");
        t.sent(&tid("aaaa1"), at(0));
        t.sent(&tid("bbbb2"), at(5));
        assert_eq!(t.expire(at(29)), []);
        assert_eq!(
            t.expire(at(30)),
            [Expired {
                tid: tid("aaaa1"),
                expect: Expect::Response,
                data: 1
            }]
        );
        assert_eq!(
            t.next_deadline(),
            Some(at(35)),
            "partial: kept for late errors"
        );
        assert_eq!(t.on_response(&tid("bbbb2")), Some((Expect::ErrorsOnly, 2)));
        assert_eq!(
            t.on_response(&tid("bbbb2")),
            None,
            "unknown responses are ignored"
        );
        assert_eq!(t.next_deadline(), None);
        assert_eq!(Expect::from_failure_report(None), Expect::Response);
        assert_eq!(
            Expect::from_failure_report(Some(ReportRequest::No)),
            Expect::Nothing
        );
    }

    #[test]
    fn errors_only_transactions_are_kept_up_to_the_limit() {
        let mut t = Transactions::new(3);
        for i in 0..10u32 {
            let id = tid(&alloc::format!("p{i:07}"));
            t.insert(id, Expect::ErrorsOnly, i).unwrap();
            t.sent(&id, at(u64::from(i)));
        }
        assert_eq!(t.len(), 3, "the oldest are forgotten");
        assert!(t.get(&tid("p0000009")).is_some() && t.get(&tid("p0000006")).is_none());
        assert_eq!(
            t.next_deadline(),
            Some(at(37)),
            "deadlines of forgotten ones are gone"
        );
        t.insert(tid("r0000001"), Expect::Response, 99).unwrap();
        assert_eq!(t.len(), 4);
        let quiet: Vec<_> = t.expire(at(100)).into_iter().map(|e| e.expect).collect();
        assert_eq!(quiet, [Expect::ErrorsOnly; 3]);
        assert!(t.deadlines.len() <= 16 && t.errors_only.len() <= 16);
    }

    #[test]
    fn the_deadline_queue_stays_small_and_ordered() {
        let mut t = Transactions::new(4);
        for i in 0..10_000u32 {
            let id = tid(&alloc::format!("t{i:07}"));
            t.insert(id, Expect::Response, i).unwrap();
            t.sent(&id, at(u64::from(i)));
            assert_eq!(t.on_response(&id), Some((Expect::Response, i)));
            assert!(
                t.deadlines.len() <= 16 + 2 * t.len(),
                "{}",
                t.deadlines.len()
            );
        }
        assert!(t.is_empty());
        assert_eq!(t.next_deadline(), None);
        // Out-of-order instants still expire in deadline order.
        t.insert(tid("late1"), Expect::Response, 1).unwrap();
        t.insert(tid("early"), Expect::Response, 2).unwrap();
        t.sent(&tid("late1"), at(100));
        t.sent(&tid("early"), at(50));
        assert_eq!(t.next_deadline(), Some(at(80)));
        let order: Vec<u32> = t.expire(at(1000)).into_iter().map(|e| e.data).collect();
        assert_eq!(order, [2, 1]);
    }
}
