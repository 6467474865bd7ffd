//! Sending one message as SEND chunks (RFC 4975 sections 5.1 and 7.1.1): as few chunks as
//! possible, interruptible at any point after a minimum (so responses and REPORTs can go
//! first), each with Message-ID and Byte-Range, never containing its own end-line.

use alloc::string::String;
use bytes::{BufMut, Bytes, BytesMut};

use crate::wire::{Chunk, Continuation, ReportRequest, TransactionId};
use memchr::memmem::Finder;
use msrp_uri::Path;

/// Bytes a chunk carries before it may be interrupted (RFC 4975 section 5.1: chunks larger
/// than 2048 octets MUST be interruptible; smaller ones are sent whole).
pub const MIN_BEFORE_INTERRUPT: u64 = 2048;

/// How a message is cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ChunkPolicy {
    /// One chunk while nothing else waits; interrupted (after [`MIN_BEFORE_INTERRUPT`]
    /// bytes) when other traffic needs the connection. Range-end is `*` for chunks that
    /// may be interrupted.
    #[default]
    AsFewAsPossible,
    /// Chunks of at most this many bytes (for peers and relays that want bounded chunks;
    /// Kamailio relays need <= 10 KiB). Chunks of up to 2048 bytes declare their exact
    /// range-end; larger ones declare `*`, as RFC 4975 section 7.1.1 wants every chunk
    /// over 2048 bytes interruptible.
    Fixed(u64),
}

/// Report preferences sent with every chunk of a message (RFC 4975 section 7.1.1: all
/// chunks of a message carry the same values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportPrefs {
    /// Success-Report (absent means no).
    pub success: Option<bool>,
    /// Failure-Report (absent means yes).
    pub failure: Option<ReportRequest>,
}

/// The sending state of one message whose body is known (a `Bytes`).
///
/// Drive it as a write loop does: [`Chunker::begin`] a chunk (its head), then
/// [`Chunker::take`] body pieces as the connection allows, and [`Chunker::end`] it, when
/// the chunk's body is done or when other traffic waits and [`Chunker::may_interrupt`].
///
/// ```
/// use bytes::Bytes;
/// use msrp_proto::chunking::{ChunkPolicy, Chunker, ReportPrefs};
/// use msrp_proto::wire::{Continuation, TransactionId};
///
/// let body = Bytes::from(vec![b'x'; 5000]);
/// let mut c = Chunker::new("m1234567", "text/plain", body, ChunkPolicy::Fixed(2048), ReportPrefs::default());
/// let (to, from) = ("msrp://b:1/s;tcp".parse()?, "msrp://a:1/t;tcp".parse()?);
/// let mut chunks = 0;
/// while !c.is_done() {
///     let tid = TransactionId::new(format!("tid{chunks:05}").as_bytes()).unwrap();
///     let head = c.begin(tid, &to, &from);
///     while c.take(1460).is_some() {}
///     let flag = c.end();
///     chunks += 1;
///     assert_eq!(flag == Continuation::Complete, c.is_done());
///     assert!(head.headers.iter().any(|(n, _)| n == "Byte-Range"));
/// }
/// assert_eq!(chunks, 3);
/// # Ok::<(), msrp_proto::uri::UriError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Chunker {
    message_id: String,
    content_type: String,
    body: Bytes,
    /// Where `body` starts in the message (0 unless it is one segment of a streamed message).
    base: u64,
    /// The Byte-Range total to declare (`None`: `*`, not known yet).
    declared_total: Option<u64>,
    /// Whether `body` ends the message (its last chunk gets `$`).
    last: bool,
    policy: ChunkPolicy,
    reports: ReportPrefs,
    /// Bytes of the body handed out in earlier chunks and the current one.
    sent: u64,
    current: Option<Current>,
    /// The chunk carrying the last byte (or the empty message's only chunk) has ended.
    finished: bool,
}

#[derive(Debug, Clone)]
struct Current {
    tid: TransactionId,
    start: u64,
    /// Whether the head declared an exact range-end (then the chunk is not interruptible).
    exact: bool,
    /// Where this chunk must end (exclusive): the policy's limit, or the body's end.
    limit: u64,
    /// Body bytes this chunk carried in earlier segments ([`Chunker::continue_with`]).
    carried: u64,
    /// The last bytes this chunk carried before this segment (fewer than the end-line
    /// sequence), as [`Chunker::continue_with`] leaves them.
    carry: Needle,
    /// Whether `carry` was searched together with this segment's first bytes.
    carry_searched: bool,
    /// The searcher for the end-line sequence, once a piece of [`SEARCHER_FROM`] bytes
    /// or more is taken.
    finder: Option<Finder<'static>>,
}

/// Pieces at least this long are searched with the chunk's own `memmem::Finder` (built
/// once per chunk, one allocation) rather than one built for each search.
const SEARCHER_FROM: usize = 8 * 1024;

impl Chunker {
    /// A message to send.
    pub fn new(
        message_id: &str,
        content_type: &str,
        body: Bytes,
        policy: ChunkPolicy,
        reports: ReportPrefs,
    ) -> Chunker {
        let total = body.len() as u64;
        Self::segment(
            message_id,
            content_type,
            body,
            0,
            Some(total),
            true,
            policy,
            reports,
        )
    }

    /// One segment of a message sent as it is produced: `body` holds the message's bytes
    /// from `base` on; `declared_total` is the message size if known; `last` says whether
    /// the segment ends the message.
    #[allow(clippy::too_many_arguments)] // a constructor of plain parts
    pub fn segment(
        message_id: &str,
        content_type: &str,
        body: Bytes,
        base: u64,
        declared_total: Option<u64>,
        last: bool,
        policy: ChunkPolicy,
        reports: ReportPrefs,
    ) -> Chunker {
        Chunker {
            message_id: message_id.into(),
            content_type: content_type.into(),
            body,
            base,
            declared_total,
            last,
            policy,
            reports,
            sent: 0,
            current: None,
            finished: false,
        }
    }

    /// Whether every byte has been sent and the last chunk ended.
    pub fn is_done(&self) -> bool {
        self.finished
    }

    /// Bytes of this body sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The size of this body (the whole message unless it is a segment).
    pub fn total(&self) -> u64 {
        self.body.len() as u64
    }

    /// Where this body ends in the message.
    pub fn end_offset(&self) -> u64 {
        self.base + self.body.len() as u64
    }

    /// The Byte-Range total declared (`None`: `*`).
    pub fn declared_total(&self) -> Option<u64> {
        self.declared_total
    }

    /// The segment that follows this one in a streamed message: same Message-ID, content
    /// type, policy, reports and declared total, starting where this one ends.
    pub fn next_segment(&self, body: Bytes, last: bool) -> Chunker {
        Chunker {
            message_id: self.message_id.clone(),
            content_type: self.content_type.clone(),
            body,
            base: self.end_offset(),
            declared_total: self.declared_total,
            last,
            policy: self.policy,
            reports: self.reports,
            sent: 0,
            current: None,
            finished: false,
        }
    }

    /// Starts a chunk with this transaction id; returns its head (Message-ID, Byte-Range,
    /// report headers, Content-Type; the body is streamed with [`Chunker::take`]).
    pub fn begin(&mut self, tid: TransactionId, to: &Path, from: &Path) -> Chunk {
        let (start, end) = self.plan(tid);
        self.head(tid, to, from, start, end)
    }

    /// [`Chunker::begin`] writing the head straight into `out`, byte for byte what
    /// [`Chunk::encode_head`] writes for the chunk `begin` returns, without building it:
    /// `to` and `from` are the paths as text (Display of the `Path`s).
    pub fn begin_into(&mut self, tid: TransactionId, to: &str, from: &str, out: &mut BytesMut) {
        let (start, end) = self.plan(tid);
        self.write_head(tid, to, from, start, end, out);
    }

    /// [`Chunker::begin_abort`] writing its head into `out` (as [`Chunker::begin_into`]).
    pub fn begin_abort_into(
        &mut self,
        tid: TransactionId,
        to: &str,
        from: &str,
        out: &mut BytesMut,
    ) {
        let start = self.plan_abort(tid);
        self.write_head(tid, to, from, start, Some(start), out);
    }

    fn write_head(
        &self,
        tid: TransactionId,
        to: &str,
        from: &str,
        start: u64,
        end: Option<u64>,
        out: &mut BytesMut,
    ) {
        let put = |out: &mut BytesMut, parts: &[&[u8]]| parts.iter().for_each(|p| out.put_slice(p));
        put(
            out,
            &[
                b"MSRP ",
                tid.as_bytes(),
                b" SEND\r\nTo-Path: ",
                to.as_bytes(),
            ],
        );
        put(
            out,
            &[b"\r\nFrom-Path: ", from.as_bytes(), b"\r\nMessage-ID: "],
        );
        put(out, &[self.message_id.as_bytes(), b"\r\n"]);
        if let Some(yes) = self.reports.success {
            put(
                out,
                &[
                    b"Success-Report: ",
                    if yes { b"yes\r\n" } else { b"no\r\n" },
                ],
            );
        }
        if let Some(f) = self.reports.failure {
            let v: &[u8] = match f {
                ReportRequest::Yes => b"yes\r\n",
                ReportRequest::No => b"no\r\n",
                ReportRequest::Partial => b"partial\r\n",
            };
            put(out, &[b"Failure-Report: ", v]);
        }
        out.put_slice(b"Byte-Range: ");
        put_decimal(out, self.base + start + 1);
        out.put_u8(b'-');
        match end {
            Some(e) => put_decimal(out, self.base + e),
            None => out.put_u8(b'*'),
        }
        out.put_u8(b'/');
        match self.declared_total {
            Some(t) => put_decimal(out, t),
            None => out.put_u8(b'*'),
        }
        put(
            out,
            &[
                b"\r\nContent-Type: ",
                self.content_type.as_bytes(),
                b"\r\n\r\n",
            ],
        );
    }

    /// Decides the next chunk's extent: returns its start (in this body) and its exact
    /// end, if it declares one.
    fn plan(&mut self, tid: TransactionId) -> (u64, Option<u64>) {
        let total = self.body.len() as u64;
        let start = self.sent;
        let mut limit = match self.policy {
            ChunkPolicy::AsFewAsPossible => total,
            ChunkPolicy::Fixed(n) => total.min(start + n.max(1)),
        };
        // Range-end is exact when the chunk is not interruptible. RFC 4975 section 7.1.1:
        // a chunk over 2048 octets must be interruptible, so only smaller ones (of any
        // policy) declare their end. Such a chunk is cut before its own end-line sequence
        // now, so that the range it declares is the range it carries.
        let exact = limit - start <= MIN_BEFORE_INTERRUPT;
        if exact {
            let needle = end_line_needle(&tid);
            let window = &self.body[start as usize..limit as usize];
            if let Some(at) = find_needle(window, &needle) {
                limit = start + (at + needle.len() - 1) as u64;
            }
        }
        let end = exact.then_some(limit);
        self.current = Some(Current {
            tid,
            start,
            limit,
            exact,
            carried: 0,
            carry: Needle::EMPTY,
            carry_searched: true,
            finder: None,
        });
        (start, end)
    }

    /// Starts an empty chunk that only carries the `#` end-line of a message aborted after
    /// some of it was sent (its Byte-Range covers nothing: `start-(start-1)/total`).
    pub fn begin_abort(&mut self, tid: TransactionId, to: &Path, from: &Path) -> Chunk {
        let start = self.plan_abort(tid);
        self.head(tid, to, from, start, Some(start))
    }

    fn plan_abort(&mut self, tid: TransactionId) -> u64 {
        let start = self.sent;
        self.current = Some(Current {
            tid,
            start,
            limit: start,
            exact: true,
            carried: 0,
            carry: Needle::EMPTY,
            carry_searched: true,
            finder: None,
        });
        start
    }

    fn head(
        &self,
        tid: TransactionId,
        to: &Path,
        from: &Path,
        start: u64,
        end: Option<u64>,
    ) -> Chunk {
        let mut chunk = Chunk::send(tid, to.clone(), from.clone()).message_id(&self.message_id);
        if let Some(s) = self.reports.success {
            chunk = chunk.success_report(s);
        }
        if let Some(f) = self.reports.failure {
            chunk = chunk.failure_report(f);
        }
        let end = end.map(|e| self.base + e);
        chunk
            .byte_range(self.base + start + 1, end, self.declared_total)
            .body(&self.content_type, Bytes::new())
    }

    /// The next piece of the current chunk's body, at most `max` bytes; `None` when the
    /// chunk's body is complete. A piece never completes the sequence `"-------" tid` of
    /// the chunk's own end-line: the chunk stops just before it (RFC 4975 section 7.1 lets a
    /// sender interrupt there), and the next chunk, with another id, carries it.
    pub fn take(&mut self, max: usize) -> Option<Bytes> {
        let cur = self.current.as_mut()?;
        if !cur.carry_searched {
            // The first bytes of a segment the chunk goes on into: the sequence may begin
            // in the last bytes of the previous ones (searched once, with what follows).
            cur.carry_searched = true;
            let needle = end_line_needle(&cur.tid);
            let carry = &cur.carry;
            let head = &self.body[..self.body.len().min(needle.len() - 1)];
            let mut joined = [0u8; 2 * (7 + crate::wire::MAX_TID_CAPACITY)];
            joined[..carry.len()].copy_from_slice(carry.as_slice());
            joined[carry.len()..carry.len() + head.len()].copy_from_slice(head);
            let joined = &joined[..carry.len() + head.len()];
            if let Some(at) = memchr::memmem::find(joined, needle.as_slice()) {
                // Its last byte is in this segment (the carry is shorter than it).
                let cut = (at + needle.len() - 1).saturating_sub(carry.len()) as u64;
                cur.limit = cur.limit.min(cut);
            }
        }
        if self.sent >= cur.limit || max == 0 {
            return None;
        }
        let from = self.sent as usize;
        let mut to = (cur.limit as usize).min(from.saturating_add(max));
        // Look for the end-line sequence in what this piece would complete.
        let needle = end_line_needle(&cur.tid);
        let needle_len = needle.len();
        let window_start = from.saturating_sub(needle_len - 1).max(cur.start as usize);
        let window = &self.body[window_start..to];
        let found = if window.len() < SEARCHER_FROM {
            find_needle(window, &needle)
        } else {
            // Large pieces: one searcher for the chunk, built at its first.
            memchr::memchr(b'-', window).and_then(|_| {
                cur.finder
                    .get_or_insert_with(|| Finder::new(needle.as_slice()).into_owned())
                    .find(window)
            })
        };
        if let Some(at) = found {
            // Stop before the sequence's last byte, so it never appears whole in this chunk.
            let cut = window_start + at + needle_len - 1;
            cur.limit = cut as u64;
            to = to.min(cut);
            if to <= from {
                return None;
            }
        }
        self.sent = to as u64;
        Some(self.body.slice(from..to))
    }

    /// Whether the current chunk may be interrupted now: its head said range-end `*` and it
    /// has carried at least [`MIN_BEFORE_INTERRUPT`] bytes (a chunk with an exact range-end
    /// must carry all of it, RFC 4975 section 7.3.1).
    pub fn may_interrupt(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|c| !c.exact && c.carried + (self.sent - c.start) >= MIN_BEFORE_INTERRUPT)
    }

    /// Whether the current chunk can go on into the next segment of a streamed message
    /// ([`Chunker::continue_with`]): it declared range-end `*`, under
    /// [`ChunkPolicy::AsFewAsPossible`], and has carried all of this segment.
    pub fn can_continue(&self) -> bool {
        self.policy == ChunkPolicy::AsFewAsPossible
            && self
                .current
                .as_ref()
                .is_some_and(|c| !c.exact && c.limit == self.body.len() as u64)
            && self.sent == self.body.len() as u64
    }

    /// Goes on with the next segment of a streamed message (what
    /// [`Chunker::next_segment`] would start) inside the current chunk, instead of ending
    /// the chunk and starting another for it: fewer chunks, heads and responses when a
    /// message is written piece by piece. `last` says whether the segment ends the
    /// message (an empty last segment lets the current chunk end with `$`). The end-line
    /// sequence is still never completed in the chunk, across the segments too. Returns
    /// `false`, changing nothing, unless [`Chunker::can_continue`].
    pub fn continue_with(&mut self, body: Bytes, last: bool) -> bool {
        if !self.can_continue() {
            return false;
        }
        let len = self.body.len();
        let Some(cur) = self.current.as_mut() else {
            return false;
        };
        // The last bytes of what the chunk carried so far: the earlier carry, then this
        // segment's part of the chunk.
        let want = end_line_needle(&cur.tid).len() - 1;
        let own = &self.body[cur.start as usize..];
        let mut carry = Needle::EMPTY;
        let from_old = want.saturating_sub(own.len()).min(cur.carry.len());
        let old = cur.carry.as_slice();
        carry.bytes[..from_old].copy_from_slice(&old[old.len() - from_old..]);
        let from_own = own.len().min(want);
        carry.bytes[from_old..from_old + from_own].copy_from_slice(&own[own.len() - from_own..]);
        carry.len = from_old + from_own;
        cur.carried += len as u64 - cur.start;
        cur.carry = carry;
        cur.carry_searched = false;
        cur.start = 0;
        cur.limit = body.len() as u64;
        self.base += len as u64;
        self.body = body;
        self.last = last;
        self.sent = 0;
        true
    }

    /// Ends the current chunk (whether its body is complete or it is interrupted) and
    /// returns its end-line flag: `$` when the message is complete, `+` otherwise.
    pub fn end(&mut self) -> Continuation {
        self.current = None;
        if self.sent == self.body.len() as u64 {
            self.finished = true;
            if self.last {
                return Continuation::Complete;
            }
        }
        Continuation::More
    }
}

/// Where the end-line sequence `needle` starts in `window`. A window without a `-` (most
/// text, and any body a small search finds none in) cannot hold it: one `memchr` instead
/// of building a substring searcher.
fn find_needle(window: &[u8], needle: &Needle) -> Option<usize> {
    memchr::memchr(b'-', window)?;
    memchr::memmem::find(window, needle.as_slice())
}

/// Writes `n` in decimal.
pub(crate) fn put_decimal(out: &mut BytesMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&digits[i..]);
}

/// `"-------" tid`, the part of an end-line a body must not contain.
fn end_line_needle(tid: &TransactionId) -> Needle {
    let t = tid.as_bytes();
    let mut bytes = [0u8; 7 + crate::wire::MAX_TID_CAPACITY];
    bytes[..7].copy_from_slice(b"-------");
    bytes[7..7 + t.len()].copy_from_slice(t);
    Needle {
        bytes,
        len: 7 + t.len(),
    }
}

#[derive(Debug, Clone)]
struct Needle {
    bytes: [u8; 7 + crate::wire::MAX_TID_CAPACITY],
    len: usize,
}

impl Needle {
    const EMPTY: Needle = Needle {
        bytes: [0; 7 + crate::wire::MAX_TID_CAPACITY],
        len: 0,
    };

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChunkParser, ParseEvent};
    use alloc::vec::Vec;
    use bytes::BytesMut;

    fn path(s: &str) -> Path {
        s.parse().unwrap()
    }

    /// Sends the message, interrupting whenever `interrupt(chunk_no)` says other traffic
    /// waits; returns the wire bytes.
    fn send_all(c: &mut Chunker, piece: usize, interrupt: impl Fn(usize) -> bool) -> Vec<u8> {
        let (to, from) = (path("msrp://b:1/s;tcp"), path("msrp://a:1/t;tcp"));
        let mut wire = BytesMut::new();
        let mut n = 0;
        while !c.is_done() {
            let tid = TransactionId::new(alloc::format!("tid{n:05}").as_bytes()).unwrap();
            let head = c.begin(tid, &to, &from);
            head.encode_head(&mut wire).unwrap();
            while let Some(p) = c.take(piece) {
                wire.extend_from_slice(&p);
                if interrupt(n) && c.may_interrupt() {
                    break;
                }
            }
            let flag = c.end();
            let mut end = head.clone().continuation(flag);
            end.body = Some(Bytes::new());
            end.encode_end(&mut wire);
            n += 1;
            assert!(n < 10_000);
        }
        wire.to_vec()
    }

    fn receive(wire: &[u8]) -> (Vec<u8>, usize, Vec<Continuation>) {
        let mut p = ChunkParser::default();
        p.feed(wire);
        let (mut body, mut heads, mut flags) = (Vec::new(), 0, Vec::new());
        while let Some(ev) = p.next() {
            match ev.unwrap() {
                ParseEvent::Head(h) => {
                    heads += 1;
                    let r = h.byte_range().unwrap();
                    assert_eq!(r.start, body.len() as u64 + 1, "chunks in order, no gap");
                }
                ParseEvent::Body(b) => body.extend_from_slice(&b),
                ParseEvent::End(e) => flags.push(e.continuation),
            }
        }
        assert!(p.is_idle());
        (body, heads, flags)
    }

    #[test]
    fn one_chunk_when_nothing_waits() {
        let body = Bytes::from(alloc::vec![7u8; 100_000]);
        let mut c = Chunker::new(
            "m1234567",
            "application/octet-stream",
            body.clone(),
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs::default(),
        );
        let wire = send_all(&mut c, 1460, |_| false);
        let (got, heads, flags) = receive(&wire);
        assert_eq!(
            (got, heads, flags),
            (body.to_vec(), 1, alloc::vec![Continuation::Complete])
        );
        assert!(
            core::str::from_utf8(&wire[..200])
                .unwrap()
                .contains("Byte-Range: 1-*/100000")
        );
    }

    #[test]
    fn interrupted_chunks_carry_at_least_the_minimum() {
        let body = Bytes::from(alloc::vec![1u8; 10_000]);
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            body.clone(),
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs {
                success: Some(true),
                failure: None,
            },
        );
        let wire = send_all(&mut c, 500, |_| true);
        let (got, heads, flags) = receive(&wire);
        assert_eq!(got, body.to_vec());
        assert_eq!(heads, 4); // each chunk stops at the first piece boundary past 2048: 2500 x 4
        assert_eq!(flags.last(), Some(&Continuation::Complete));
        assert!(
            flags[..flags.len() - 1]
                .iter()
                .all(|f| *f == Continuation::More)
        );
    }

    #[test]
    fn fixed_chunks_have_exact_ranges() {
        let body = Bytes::from(alloc::vec![2u8; 5000]);
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            body,
            ChunkPolicy::Fixed(2048),
            ReportPrefs::default(),
        );
        let wire = send_all(&mut c, 4096, |_| false);
        let text = alloc::string::String::from_utf8_lossy(&wire);
        for range in ["1-2048/5000", "2049-4096/5000", "4097-5000/5000"] {
            assert!(text.contains(range), "{range}");
        }
    }

    #[test]
    fn a_body_holding_the_end_line_is_cut_before_it() {
        // The body contains the end-line of the first chunk's transaction id.
        let evil = alloc::format!("{}\r\n-------tid00000$\r\nmore text", "a".repeat(3000));
        let body = Bytes::from(evil.clone());
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            body,
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs::default(),
        );
        let wire = send_all(&mut c, 1000, |_| false);
        let (got, heads, _) = receive(&wire);
        assert_eq!(got, evil.as_bytes());
        assert_eq!(heads, 2, "the chunk was cut before its own end-line");
    }

    #[test]
    fn fixed_chunks_holding_the_end_line_declare_the_shorter_range() {
        let evil = alloc::format!("{}-------tid00000$rest", "b".repeat(100));
        let body = Bytes::from(evil.clone());
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            body,
            ChunkPolicy::Fixed(1000),
            ReportPrefs::default(),
        );
        let wire = send_all(&mut c, 4096, |_| false);
        let (got, heads, _) = receive(&wire);
        assert_eq!(got, evil.as_bytes());
        assert_eq!(heads, 2);
        // 100 + 14 bytes before the sequence's last byte: the first chunk declares 1-114.
        assert!(alloc::string::String::from_utf8_lossy(&wire).contains("Byte-Range: 1-114/"));
        let mut p = ChunkParser::default();
        p.feed(&wire);
        while let Some(ev) = p.next() {
            if let ParseEvent::End(e) = ev.unwrap() {
                assert_eq!(e.byte_range_matches, Some(true));
            }
        }
    }

    #[test]
    fn exact_chunks_are_not_interruptible() {
        let body = Bytes::from(alloc::vec![3u8; 10_000]);
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            body,
            ChunkPolicy::Fixed(2048),
            ReportPrefs::default(),
        );
        let tid = TransactionId::new(b"tid00000").unwrap();
        c.begin(tid, &path("msrp://b:1/s;tcp"), &path("msrp://a:1/t;tcp"));
        c.take(2000).unwrap();
        assert!(!c.may_interrupt(), "range-end was declared exactly");
        // RFC 4975 section 7.1.1: a chunk over 2048 octets must be interruptible, whatever
        // the policy.
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            Bytes::from(alloc::vec![3u8; 10_000]),
            ChunkPolicy::Fixed(4096),
            ReportPrefs::default(),
        );
        let head = c.begin(tid, &path("msrp://b:1/s;tcp"), &path("msrp://a:1/t;tcp"));
        assert!(
            head.headers
                .iter()
                .any(|(n, v)| n == "Byte-Range" && v == "1-*/10000")
        );
        c.take(3000).unwrap();
        assert!(c.may_interrupt());
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            Bytes::from(alloc::vec![3u8; 10_000]),
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs::default(),
        );
        c.begin(tid, &path("msrp://b:1/s;tcp"), &path("msrp://a:1/t;tcp"));
        c.take(2000).unwrap();
        assert!(!c.may_interrupt(), "fewer than 2048 bytes so far");
        c.take(100).unwrap();
        assert!(c.may_interrupt());
    }

    #[test]
    fn an_empty_message_is_one_empty_chunk() {
        let mut c = Chunker::new(
            "m1234567",
            "text/plain",
            Bytes::new(),
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs::default(),
        );
        let wire = send_all(&mut c, 100, |_| false);
        let (got, heads, flags) = receive(&wire);
        assert_eq!(
            (got.len(), heads, flags),
            (0, 1, alloc::vec![Continuation::Complete])
        );
        assert!(alloc::string::String::from_utf8_lossy(&wire).contains("Byte-Range: 1-0/0"));
    }

    #[test]
    fn heads_written_directly_are_the_encoded_heads() {
        use crate::wire::ReportRequest;
        let (to, from) = (
            path("msrp://b.example.com:1/s;tcp"),
            path("msrp://a:1/t;tcp msrp://r:2/u;tcp"),
        );
        let (to_s, from_s) = (alloc::format!("{to}"), alloc::format!("{from}"));
        let prefs = [
            ReportPrefs::default(),
            ReportPrefs {
                success: Some(true),
                failure: Some(ReportRequest::Partial),
            },
            ReportPrefs {
                success: Some(false),
                failure: Some(ReportRequest::No),
            },
            ReportPrefs {
                success: None,
                failure: Some(ReportRequest::Yes),
            },
        ];
        for (k, reports) in prefs.into_iter().enumerate() {
            for policy in [
                ChunkPolicy::AsFewAsPossible,
                ChunkPolicy::Fixed(1000),
                ChunkPolicy::Fixed(3000),
            ] {
                for (body_len, base, total, last) in [
                    (0, 0, Some(0), true),
                    (5000, 0, Some(5000), true),
                    (700, 12_345, None, false),
                ] {
                    let body = Bytes::from(alloc::vec![b'x'; body_len]);
                    let mut a = Chunker::segment(
                        "mid12345",
                        "text/plain;charset=utf-8",
                        body,
                        base,
                        total,
                        last,
                        policy,
                        reports,
                    );
                    let mut b = a.clone();
                    let mut n = 0u32;
                    loop {
                        let tid =
                            TransactionId::new(alloc::format!("t{k}{n:06}").as_bytes()).unwrap();
                        let mut want = BytesMut::new();
                        a.begin(tid, &to, &from).encode_head(&mut want).unwrap();
                        let mut got = BytesMut::new();
                        b.begin_into(tid, &to_s, &from_s, &mut got);
                        assert_eq!(got, want);
                        while a.take(600).is_some() {}
                        while b.take(600).is_some() {}
                        assert_eq!(a.end(), b.end());
                        n += 1;
                        if a.is_done() || n == 3 {
                            break;
                        }
                    }
                    let tid = TransactionId::new(b"abort0001").unwrap();
                    let mut want = BytesMut::new();
                    a.begin_abort(tid, &to, &from)
                        .encode_head(&mut want)
                        .unwrap();
                    let mut got = BytesMut::new();
                    b.begin_abort_into(tid, &to_s, &from_s, &mut got);
                    assert_eq!(got, want);
                }
            }
        }
        let mut out = BytesMut::new();
        for n in [0u64, 7, 10, 99, 100, 12_345, u64::MAX] {
            out.clear();
            put_decimal(&mut out, n);
            assert_eq!(&out[..], alloc::format!("{n}").as_bytes());
        }
    }

    /// Sends `segments` as one streamed message, each chunk going on into the next
    /// segment while it can, taking pieces of at most `piece` bytes (cycled); returns the
    /// wire bytes and the chunks' (tid, body) pairs.
    /// A chunk's transaction id and body.
    type Sent = (Vec<u8>, Vec<u8>);

    fn send_segments(segments: &[&[u8]], pieces: &[usize]) -> (Vec<u8>, Vec<Sent>) {
        let (to, from) = (path("msrp://b:1/s;tcp"), path("msrp://a:1/t;tcp"));
        let total: usize = segments.iter().map(|s| s.len()).sum();
        let seg = |i: usize| Bytes::copy_from_slice(segments[i]);
        let mut c = Chunker::segment(
            "m1234567",
            "text/plain",
            seg(0),
            0,
            Some(total as u64),
            segments.len() == 1,
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs::default(),
        );
        let (mut next, mut n, mut k) = (1, 0, 0);
        let mut wire = BytesMut::new();
        let mut chunks = Vec::new();
        loop {
            let tid = TransactionId::new(alloc::format!("tid{n:05}").as_bytes()).unwrap();
            let head = c.begin(tid, &to, &from);
            head.encode_head(&mut wire).unwrap();
            let mut body = Vec::new();
            loop {
                let max = pieces[k % pieces.len()];
                k += 1;
                match c.take(max) {
                    Some(p) => body.extend_from_slice(&p),
                    None if next < segments.len() && c.can_continue() => {
                        assert!(c.continue_with(seg(next), next + 1 == segments.len()));
                        next += 1;
                    }
                    None => break,
                }
            }
            wire.extend_from_slice(&body);
            let flag = c.end();
            let mut end = head.clone().continuation(flag);
            end.body = Some(Bytes::new());
            end.encode_end(&mut wire);
            chunks.push((tid.as_bytes().to_vec(), body));
            n += 1;
            if c.is_done() {
                if next == segments.len() {
                    assert_eq!(flag, Continuation::Complete);
                    break;
                }
                c = c.next_segment(seg(next), next + 1 == segments.len());
                next += 1;
            }
            assert!(n < 10_000);
        }
        (wire.to_vec(), chunks)
    }

    fn check_segments(segments: &[&[u8]], pieces: &[usize]) -> usize {
        let (wire, chunks) = send_segments(segments, pieces);
        let (got, heads, flags) = receive(&wire);
        assert_eq!(got, segments.concat());
        assert_eq!(heads, chunks.len());
        assert_eq!(flags.last(), Some(&Continuation::Complete));
        for (tid, body) in &chunks {
            let mut needle = b"-------".to_vec();
            needle.extend_from_slice(tid);
            assert!(
                memchr::memmem::find(body, &needle).is_none(),
                "a chunk holds its own end-line sequence"
            );
        }
        heads
    }

    #[test]
    fn a_chunk_goes_on_into_the_next_segments() {
        let a = alloc::vec![b'a'; 5000];
        let b = alloc::vec![b'b'; 3000];
        assert_eq!(check_segments(&[&a, &b, &a], &[1460]), 1);
        // An empty last segment ends the chunk with `$`.
        assert_eq!(check_segments(&[&a, &b, b""], &[4096]), 1);
        assert_eq!(check_segments(&[&a, b"", b"x", &b], &[7, 100_000]), 1);
    }

    #[test]
    fn an_end_line_across_segments_is_cut_before() {
        // The first chunk's sequence `-------tid00000`, cut in two (or more) by segment
        // boundaries at every place.
        let seq = b"-------tid00000";
        for cut in 0..=seq.len() {
            let before = [&b"x".repeat(3000)[..], &seq[..cut]].concat();
            let after = [&seq[cut..], &b"$\r\ny"[..]].concat();
            // Cut before the sequence's last byte: a second chunk carries the rest of that
            // segment (and, with an exact range-end, only that: a third the next one).
            let chunks = if cut == seq.len() { 3 } else { 2 };
            assert_eq!(
                check_segments(&[&before, &after], &[1 << 20]),
                chunks,
                "{cut}"
            );
            // One byte a segment around it.
            let mut segs: Vec<&[u8]> = alloc::vec![&before[..2990]];
            for i in 2990..before.len() {
                segs.push(&before[i..i + 1]);
            }
            segs.push(&after);
            assert_eq!(check_segments(&segs, &[3, 1 << 20]), chunks, "{cut}");
        }
    }

    #[test]
    fn fixed_and_exact_chunks_do_not_go_on() {
        let mut c = Chunker::segment(
            "m1234567",
            "text/plain",
            Bytes::from_static(&[b'z'; 5000]),
            0,
            None,
            false,
            ChunkPolicy::Fixed(8000),
            ReportPrefs::default(),
        );
        let tid = TransactionId::new(b"tid00000").unwrap();
        c.begin_into(
            tid,
            "msrp://b:1/s;tcp",
            "msrp://a:1/t;tcp",
            &mut BytesMut::new(),
        );
        while c.take(1 << 20).is_some() {}
        assert!(!c.can_continue());
        assert!(!c.continue_with(Bytes::from_static(b"more"), true));
        let mut c = Chunker::segment(
            "m1234567",
            "text/plain",
            Bytes::from_static(b"small"),
            0,
            None,
            false,
            ChunkPolicy::AsFewAsPossible,
            ReportPrefs::default(),
        );
        c.begin_into(
            tid,
            "msrp://b:1/s;tcp",
            "msrp://a:1/t;tcp",
            &mut BytesMut::new(),
        );
        while c.take(1 << 20).is_some() {}
        assert!(!c.can_continue(), "an exact range-end was declared");
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn segments_never_complete_a_chunks_end_line(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(b"-------tid00000".to_vec()),
                    Just(b"-------tid00001".to_vec()),
                    Just(b"-".to_vec()),
                    Just(b"x".repeat(700)),
                    "[0-9dit-]{0,20}".prop_map(alloc::string::String::into_bytes),
                ],
                1..40,
            ),
            cuts in proptest::collection::vec(0usize..20_000, 0..12),
            pieces in proptest::collection::vec(1usize..5000, 1..4),
        ) {
            let body = parts.concat();
            let mut ends: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
            ends.push(body.len());
            ends.sort_unstable();
            let mut segs: Vec<&[u8]> = Vec::new();
            let mut at = 0;
            for e in ends {
                segs.push(&body[at..e]);
                at = e;
            }
            check_segments(&segs, &pieces);
        }
    }
}
