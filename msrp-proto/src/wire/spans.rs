//! Where the fields routing and answering read sit in a head, noted by the one-pass head
//! reader as it walks the lines ([`super::fast_head`]), so that [`ChunkHead::fields`] and
//! the relay's copy of the other header fields do not walk them again.
//!
//! [`ChunkHead::fields`]: super::ChunkHead::fields

use core::ops::Range;

use super::header_line::Known;

/// A value's place in the head: `start..start + len`; `start == ABSENT` for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u16,
    len: u16,
}

const ABSENT: u16 = u16::MAX;

impl Span {
    const NONE: Span = Span {
        start: ABSENT,
        len: 0,
    };

    fn range(self) -> Option<Range<usize>> {
        (self.start != ABSENT).then(|| {
            let s = usize::from(self.start);
            s..s + usize::from(self.len)
        })
    }
}

/// The first value of each field of [`super::HeadFields`], and where the header fields
/// after From-Path start. Only for heads of at most 64 KiB whose known names are in their
/// canonical spelling (as the one-pass reader takes them), To-Path and From-Path first,
/// every line ended by CRLF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spans {
    /// By [`slot`]: To-Path, From-Path, Message-ID, Byte-Range, Success-Report,
    /// Failure-Report, Status, Content-Type.
    slots: [Span; SLOTS],
    /// Where the line after From-Path starts.
    after_paths: u16,
}

const SLOTS: usize = 8;

/// The slot of a field [`super::HeadFields`] holds (one table load per header line, as
/// the one-pass reader notes each).
fn slot(kind: Known) -> Option<usize> {
    const NONE: u8 = u8::MAX;
    const TABLE: [u8; 16] = {
        let mut t = [NONE; 16];
        t[Known::ToPath as usize] = 0;
        t[Known::FromPath as usize] = 1;
        t[Known::MessageId as usize] = 2;
        t[Known::ByteRange as usize] = 3;
        t[Known::SuccessReport as usize] = 4;
        t[Known::FailureReport as usize] = 5;
        t[Known::Status as usize] = 6;
        t[Known::ContentType as usize] = 7;
        t
    };
    match TABLE.get(kind as usize) {
        Some(&s) if s != NONE => Some(usize::from(s)),
        _ => None,
    }
}

impl Spans {
    pub(crate) const EMPTY: Spans = Spans {
        slots: [Span::NONE; SLOTS],
        after_paths: 0,
    };

    /// Notes the value at `value` of a field of `kind` (the first of each kind counts);
    /// `false` when the head is too large to note places in.
    #[inline]
    pub(crate) fn note(&mut self, kind: Known, value: Range<usize>) -> bool {
        let Some(i) = slot(kind) else {
            return true;
        };
        if value.end >= usize::from(ABSENT) {
            return false;
        }
        let s = &mut self.slots[i];
        if s.start == ABSENT {
            // Both fit: `value.start <= value.end < ABSENT`.
            *s = Span {
                start: value.start as u16,
                len: (value.end - value.start) as u16,
            };
        }
        true
    }

    /// Notes where the line after From-Path starts; `false` when too far for a note.
    pub(crate) fn note_after_paths(&mut self, at: usize) -> bool {
        match u16::try_from(at) {
            Ok(a) => {
                self.after_paths = a;
                true
            }
            Err(_) => false,
        }
    }

    /// The value of the first field of `kind` that [`super::HeadFields`] holds.
    pub(crate) fn get(&self, kind: Known) -> Option<Range<usize>> {
        self.slots[slot(kind)?].range()
    }

    /// Where the header lines after To-Path and From-Path start.
    pub(crate) fn after_paths(&self) -> usize {
        usize::from(self.after_paths)
    }
}

/// [`Spans`] as a head holds them: a cache of what its bytes say, so that two heads with
/// the same bytes are equal (and print the same) whether or not they were read in one
/// pass.
#[derive(Clone, Copy, Default)]
pub(crate) struct Noted(pub(crate) Option<Spans>);

impl PartialEq for Noted {
    fn eq(&self, _: &Noted) -> bool {
        true
    }
}

impl Eq for Noted {}

impl core::fmt::Debug for Noted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("..")
    }
}
