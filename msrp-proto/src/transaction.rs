//! Outgoing transactions waiting for their responses (RFC 4975 section 7.1.1).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::time::Duration;

use crate::time::Instant;
use crate::wire::{ReportRequest, TransactionId};

/// How long a sender waits for the response to a request with `Failure-Report: yes` after
/// its last byte was sent (RFC 4975 section 7.1.1: 30 seconds).
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Default for the most transactions waiting at once (per connection or session).
pub const DEFAULT_MAX_PENDING: usize = 1024;

/// What a sender expects back for a request, from its Failure-Report value (RFC 4975
/// section 7.1.1; absent means `yes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// Every response, and a timeout after [`RESPONSE_TIMEOUT`].
    Response,
    /// Only error responses; no timer.
    ErrorsOnly,
    /// Nothing: the request is not tracked.
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

#[derive(Debug, Clone)]
struct Pending<T> {
    deadline: Option<Instant>,
    data: T,
}

/// Outgoing transactions by id, each with an optional deadline and the caller's data (which
/// message and byte range it carried, for instance).
///
/// ```
/// use core::time::Duration;
/// use msrp_proto::transaction::{Expect, Transactions};
/// use msrp_proto::wire::TransactionId;
/// use msrp_proto::Instant;
///
/// let mut t = Transactions::new(16);
/// let tid = TransactionId::new(b"a786hjs2").unwrap();
/// let sent = Instant::from_elapsed(Duration::from_secs(1));
/// t.insert(tid, Expect::Response, sent, "chunk 1")?;
/// assert_eq!(t.next_deadline(), Some(sent + Duration::from_secs(30)));
/// assert_eq!(t.expire(sent + Duration::from_secs(31)), vec![(tid, "chunk 1")]);
/// assert!(t.is_empty());
/// # Ok::<(), msrp_proto::transaction::TooManyPending>(())
/// ```
#[derive(Debug, Clone)]
pub struct Transactions<T> {
    pending: BTreeMap<TransactionId, Pending<T>>,
    max: usize,
}

impl<T> Transactions<T> {
    /// An empty table holding at most `max` transactions.
    pub fn new(max: usize) -> Transactions<T> {
        Transactions {
            pending: BTreeMap::new(),
            max,
        }
    }

    /// Tracks a request whose last byte went out at `sent`; requests that expect nothing are
    /// not tracked (returns `Ok` without storing).
    pub fn insert(
        &mut self,
        tid: TransactionId,
        expect: Expect,
        sent: Instant,
        data: T,
    ) -> Result<(), TooManyPending> {
        let deadline = match expect {
            Expect::Nothing => return Ok(()),
            Expect::ErrorsOnly => None,
            Expect::Response => Some(sent + RESPONSE_TIMEOUT),
        };
        if self.pending.len() >= self.max && !self.pending.contains_key(&tid) {
            return Err(TooManyPending { max: self.max });
        }
        self.pending.insert(tid, Pending { deadline, data });
        Ok(())
    }

    /// The response to `tid` arrived: its data, or `None` for a response that matches
    /// nothing (RFC 4975 section 7.2: ignored).
    pub fn on_response(&mut self, tid: &TransactionId) -> Option<T> {
        self.pending.remove(tid).map(|p| p.data)
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().filter_map(|p| p.deadline).min()
    }

    /// Removes and returns the transactions whose deadline is at or before `now`, in id
    /// order. Safe to call early: nothing expires before its deadline.
    pub fn expire(&mut self, now: Instant) -> Vec<(TransactionId, T)> {
        let due: Vec<TransactionId> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
            .map(|(t, _)| *t)
            .collect();
        due.into_iter()
            .filter_map(|t| self.pending.remove(&t).map(|p| (t, p.data)))
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
        t.insert(tid("aaaa1"), Expect::Response, at(0), 1).unwrap();
        t.insert(tid("bbbb2"), Expect::ErrorsOnly, at(0), 2)
            .unwrap();
        t.insert(tid("cccc3"), Expect::Nothing, at(0), 3).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.insert(tid("dddd4"), Expect::Response, at(0), 4),
            Err(TooManyPending { max: 2 })
        );
        assert_eq!(t.expire(at(29)), []);
        assert_eq!(t.expire(at(30)), [(tid("aaaa1"), 1)]);
        assert_eq!(t.next_deadline(), None, "partial: no timer");
        assert_eq!(t.on_response(&tid("bbbb2")), Some(2));
        assert_eq!(
            t.on_response(&tid("bbbb2")),
            None,
            "unknown responses are ignored"
        );
        assert_eq!(Expect::from_failure_report(None), Expect::Response);
        assert_eq!(
            Expect::from_failure_report(Some(ReportRequest::No)),
            Expect::Nothing
        );
    }
}
