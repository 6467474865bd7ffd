//! Reassembly of incoming messages from chunks (RFC 4975 section 7.3.1): out of order,
//! re-chunked, duplicated or overlapping, totals learned late; bounded in size and in the
//! number of gaps tracked, whatever a peer declares.

use alloc::vec::Vec;

use crate::wire::{ByteRange, Continuation};

/// Disjoint, sorted byte ranges `[start, end)` with a bound on how many are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSet {
    ranges: Vec<(u64, u64)>,
    max_ranges: usize,
}

/// Why a chunk cannot be added to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReassemblyError {
    /// The message (as declared, or as received) is larger than the limit: 413
    /// (RFC 4975 section 10.5).
    #[error("message larger than {max} bytes")]
    TooLarge {
        /// The limit in force.
        max: u64,
    },
    /// Chunks leave more separate pieces than the limit allows (a peer sending many
    /// small, scattered ranges).
    #[error("more than {max} separate byte ranges")]
    TooManyRanges {
        /// The limit in force.
        max: usize,
    },
    /// Byte-Range starts at 0 (it counts from 1).
    #[error("Byte-Range start is 0")]
    ZeroStart,
    /// Two chunks give different totals (Byte-Range totals, or the end of the `$` chunk).
    #[error("total size {had} changed to {got}")]
    InconsistentTotal {
        /// The total known before.
        had: u64,
        /// The total this chunk implies.
        got: u64,
    },
    /// Data beyond the message's total size.
    #[error("data beyond the total size {total}")]
    BeyondTotal {
        /// The known total.
        total: u64,
    },
}

impl RangeSet {
    /// An empty set keeping at most `max_ranges` disjoint ranges.
    pub fn new(max_ranges: usize) -> RangeSet {
        RangeSet {
            ranges: Vec::new(),
            max_ranges,
        }
    }

    /// Adds `[start, end)`; returns how many bytes were not covered before. On error the
    /// set is unchanged.
    pub fn insert(&mut self, start: u64, end: u64) -> Result<u64, ReassemblyError> {
        if start >= end {
            return Ok(0);
        }
        // Ranges that touch or overlap [start, end) merge with it.
        let first = self.ranges.partition_point(|&(_, e)| e < start);
        let last = self.ranges.partition_point(|&(s, _)| s <= end);
        let merged = last - first;
        if merged == 0 && self.ranges.len() >= self.max_ranges {
            return Err(ReassemblyError::TooManyRanges {
                max: self.max_ranges,
            });
        }
        let mut covered_before = 0;
        let (mut new_start, mut new_end) = (start, end);
        for &(s, e) in &self.ranges[first..last] {
            covered_before += e.min(end).saturating_sub(s.max(start));
            new_start = new_start.min(s);
            new_end = new_end.max(e);
        }
        self.ranges.splice(first..last, [(new_start, new_end)]);
        Ok((end - start) - covered_before)
    }

    /// Bytes covered.
    pub fn covered(&self) -> u64 {
        self.ranges.iter().map(|(s, e)| e - s).sum()
    }

    /// Whether `[0, len)` is entirely covered.
    pub fn covers_prefix(&self, len: u64) -> bool {
        len == 0
            || self
                .ranges
                .first()
                .is_some_and(|&(s, e)| s == 0 && e >= len)
    }

    /// How many bytes from 0 are covered without a gap.
    pub fn prefix_len(&self) -> u64 {
        match self.ranges.first() {
            Some(&(0, e)) => e,
            _ => 0,
        }
    }

    /// The ranges, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.ranges.iter().copied()
    }

    /// How many disjoint ranges are held.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether nothing is covered.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

/// What adding a chunk did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes this chunk covered for the first time.
    pub new_bytes: u64,
    /// Whether the whole message has now been received.
    pub complete: bool,
}

/// One incoming message being put together.
///
/// Byte-Range says where a chunk goes; its length is the body's actual length (RFC 4975
/// section 7.3.1: a body may be shorter than range-end says). The message ends where the
/// `$` chunk ends; a Byte-Range total is only what the sender announced. Overlapping data is overwritten by the
/// chunk received last. Memory grows only with data actually received, never with what a
/// peer declared, and never past `max_size`.
///
/// ```
/// use msrp_proto::reassembly::Reassembly;
/// use msrp_proto::wire::{ByteRange, Continuation};
///
/// let mut m = Reassembly::gathering(1024, 16);
/// let r = |start, end, total| ByteRange { start, end: Some(end), total };
/// m.add(r(7, 11, None), b"world", Continuation::Complete)?;   // the end first
/// assert!(!m.is_complete());
/// m.add(r(1, 6, Some(11)), b"hello ", Continuation::More)?;
/// assert!(m.is_complete());
/// assert_eq!(m.take_data().as_deref(), Some(&b"hello world"[..]));
/// # Ok::<(), msrp_proto::reassembly::ReassemblyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reassembly {
    received: RangeSet,
    /// The total declared by Byte-Range headers.
    declared: Option<u64>,
    /// The message's length, set by the chunk flagged `$` (RFC 4975 section 7.3.1).
    length: Option<u64>,
    max_size: u64,
    data: Option<Vec<u8>>,
}

impl Reassembly {
    /// Tracks coverage only; the caller streams the data elsewhere (files).
    pub fn streaming(max_size: u64, max_ranges: usize) -> Reassembly {
        Reassembly {
            received: RangeSet::new(max_ranges),
            declared: None,
            length: None,
            max_size,
            data: None,
        }
    }

    /// Also gathers the data in memory (up to `max_size` bytes).
    pub fn gathering(max_size: u64, max_ranges: usize) -> Reassembly {
        Reassembly {
            data: Some(Vec::new()),
            ..Self::streaming(max_size, max_ranges)
        }
    }

    /// Adds one chunk's body. On error nothing changes.
    ///
    /// RFC 4975 section 7.3.1: the chunk flagged `$` defines the message's length (its
    /// range-start plus its actual body length), whatever a Byte-Range total said; a
    /// declared total only matters until then (and two chunks declaring different totals
    /// contradict each other).
    pub fn add(
        &mut self,
        range: ByteRange,
        body: &[u8],
        flag: Continuation,
    ) -> Result<Progress, ReassemblyError> {
        let start = range
            .start
            .checked_sub(1)
            .ok_or(ReassemblyError::ZeroStart)?;
        let end = start
            .checked_add(body.len() as u64)
            .ok_or(ReassemblyError::TooLarge { max: self.max_size })?;
        let declared = match (self.declared, range.total) {
            (Some(had), Some(got)) if had != got => {
                return Err(ReassemblyError::InconsistentTotal { had, got });
            }
            (had, got) => had.or(got),
        };
        let length = if flag == Continuation::Complete {
            match self.length {
                Some(had) if had != end => {
                    return Err(ReassemblyError::InconsistentTotal { had, got: end });
                }
                _ => Some(end),
            }
        } else {
            self.length
        };
        if end > self.max_size || declared.is_some_and(|t| t > self.max_size) {
            return Err(ReassemblyError::TooLarge { max: self.max_size });
        }
        if let Some(t) = length {
            if end > t || self.received.iter().last().is_some_and(|(_, e)| e > t) {
                return Err(ReassemblyError::BeyondTotal { total: t });
            }
        }
        let new_bytes = self.received.insert(start, end)?;
        self.declared = declared;
        self.length = length;
        if let Some(data) = &mut self.data {
            let (s, e) = (start as usize, end as usize);
            if data.len() < e {
                data.resize(e, 0);
            }
            data[s..e].copy_from_slice(body);
        }
        Ok(Progress {
            new_bytes,
            complete: self.is_complete(),
        })
    }

    /// Whether the `$` chunk has arrived and every byte up to its end has been received
    /// (a Byte-Range total alone does not end a message: more `+` chunks may follow).
    pub fn is_complete(&self) -> bool {
        self.length.is_some_and(|t| self.received.covers_prefix(t))
    }

    /// The message's size: its length once the `$` chunk has arrived, else the total a
    /// Byte-Range declared, if any.
    pub fn total(&self) -> Option<u64> {
        self.length.or(self.declared)
    }

    /// The total that Byte-Range headers declared (which the `$` chunk may contradict:
    /// compare with [`Reassembly::total`] once complete).
    pub fn declared_total(&self) -> Option<u64> {
        self.declared
    }

    /// Bytes received so far (each counted once).
    pub fn received(&self) -> u64 {
        self.received.covered()
    }

    /// The ranges received, 0-based `[start, end)`.
    pub fn ranges(&self) -> &RangeSet {
        &self.received
    }

    /// The gathered data (when gathering); call once complete.
    pub fn take_data(&mut self) -> Option<Vec<u8>> {
        self.data.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u64, end: Option<u64>, total: Option<u64>) -> ByteRange {
        ByteRange { start, end, total }
    }

    #[test]
    fn range_set_merges_and_counts_new_bytes() {
        let mut s = RangeSet::new(3);
        assert_eq!(s.insert(10, 20), Ok(10));
        assert_eq!(s.insert(30, 40), Ok(10));
        assert_eq!(s.insert(15, 35), Ok(10)); // fills the gap 20..30
        assert_eq!(s.iter().collect::<Vec<_>>(), [(10, 40)]);
        assert_eq!(s.insert(40, 45), Ok(5)); // touching ranges merge
        assert_eq!(s.insert(0, 1), Ok(1));
        assert_eq!(s.insert(50, 51), Ok(1));
        assert_eq!(
            s.insert(60, 61),
            Err(ReassemblyError::TooManyRanges { max: 3 })
        );
        assert_eq!(s.len(), 3);
        assert_eq!(s.insert(0, 100), Ok(100 - 1 - 35 - 1));
        assert!(s.covers_prefix(100) && !s.covers_prefix(101));
    }

    #[test]
    fn overlaps_take_the_last_chunk() {
        let mut m = Reassembly::gathering(1000, 8);
        m.add(r(1, Some(4), None), b"aaaa", Continuation::More)
            .unwrap();
        let p = m
            .add(r(3, Some(6), Some(6)), b"bbbb", Continuation::Complete)
            .unwrap();
        assert_eq!(
            p,
            Progress {
                new_bytes: 2,
                complete: true
            }
        );
        assert_eq!(m.take_data().unwrap(), b"aabbbb");
    }

    #[test]
    fn totals_are_learned_late_and_checked() {
        let mut m = Reassembly::streaming(1000, 8);
        m.add(r(1, None, None), &[0; 10], Continuation::More)
            .unwrap();
        assert_eq!(m.total(), None);
        m.add(r(11, None, None), &[0; 5], Continuation::Complete)
            .unwrap();
        assert_eq!(m.total(), Some(15));
        assert!(m.is_complete());
        // Two chunks announcing different totals contradict each other.
        let mut m = Reassembly::streaming(1000, 8);
        m.add(r(1, Some(10), Some(20)), &[0; 10], Continuation::More)
            .unwrap();
        let e = m
            .add(r(11, Some(15), Some(15)), &[0; 5], Continuation::More)
            .unwrap_err();
        assert_eq!(e, ReassemblyError::InconsistentTotal { had: 20, got: 15 });
        assert_eq!(m.received(), 10, "nothing changed on error");
        // The `$` chunk defines the length, whatever was announced (RFC 4975's section 4
        // example announces 25 bytes and sends 23).
        let p = m
            .add(r(11, Some(15), None), &[0; 5], Continuation::Complete)
            .unwrap();
        assert!(p.complete);
        assert_eq!((m.total(), m.declared_total()), (Some(15), Some(20)));
        let e = m
            .add(r(15, None, None), &[0; 10], Continuation::More)
            .unwrap_err();
        assert_eq!(e, ReassemblyError::BeyondTotal { total: 15 });
        let e = m
            .add(r(1, None, None), &[0; 3], Continuation::Complete)
            .unwrap_err();
        assert_eq!(e, ReassemblyError::InconsistentTotal { had: 15, got: 3 });
    }

    #[test]
    fn declared_sizes_cost_nothing() {
        let mut m = Reassembly::gathering(1 << 20, 8);
        let e = m
            .add(r(1, Some(10), Some(u64::MAX)), &[0; 10], Continuation::More)
            .unwrap_err();
        assert_eq!(e, ReassemblyError::TooLarge { max: 1 << 20 });
        let e = m
            .add(r(u64::MAX, None, None), &[0; 10], Continuation::More)
            .unwrap_err();
        assert_eq!(e, ReassemblyError::TooLarge { max: 1 << 20 });
        assert_eq!(
            m.add(r(0, None, None), b"x", Continuation::More),
            Err(ReassemblyError::ZeroStart)
        );
        assert_eq!(m.take_data().unwrap().capacity(), 0);
    }

    #[test]
    fn only_the_dollar_chunk_ends_a_message() {
        // Every byte and the total arrive with `+`: more chunks may follow (a sender that
        // ends with an empty `$` chunk), so the message is not complete yet.
        let mut m = Reassembly::streaming(100, 4);
        let p = m
            .add(r(1, Some(10), Some(10)), &[0; 10], Continuation::More)
            .unwrap();
        assert!(!p.complete && !m.is_complete());
        let p = m
            .add(r(11, Some(10), Some(10)), b"", Continuation::Complete)
            .unwrap();
        assert!(p.complete);
    }

    #[test]
    fn an_empty_message_is_complete() {
        let mut m = Reassembly::gathering(10, 1);
        let p = m
            .add(r(1, Some(0), Some(0)), b"", Continuation::Complete)
            .unwrap();
        assert!(p.complete);
        assert_eq!(m.take_data().unwrap(), b"");
    }
}
