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
    to_path: Span,
    from_path: Span,
    message_id: Span,
    byte_range: Span,
    success_report: Span,
    failure_report: Span,
    status: Span,
    content_type: Span,
    /// Where the line after From-Path starts.
    after_paths: u16,
}

impl Spans {
    pub(crate) const EMPTY: Spans = Spans {
        to_path: Span::NONE,
        from_path: Span::NONE,
        message_id: Span::NONE,
        byte_range: Span::NONE,
        success_report: Span::NONE,
        failure_report: Span::NONE,
        status: Span::NONE,
        content_type: Span::NONE,
        after_paths: 0,
    };

    /// Notes the value at `value` of a field of `kind` (the first of each kind counts);
    /// `false` when the head is too large to note places in.
    pub(crate) fn note(&mut self, kind: Known, value: Range<usize>) -> bool {
        let (Ok(start), Ok(len)) = (u16::try_from(value.start), u16::try_from(value.len())) else {
            return false;
        };
        if start == ABSENT {
            return false;
        }
        let slot = match kind {
            Known::ToPath => &mut self.to_path,
            Known::FromPath => &mut self.from_path,
            Known::MessageId => &mut self.message_id,
            Known::ByteRange => &mut self.byte_range,
            Known::SuccessReport => &mut self.success_report,
            Known::FailureReport => &mut self.failure_report,
            Known::Status => &mut self.status,
            Known::ContentType => &mut self.content_type,
            _ => return true,
        };
        if slot.start == ABSENT {
            *slot = Span { start, len };
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
        match kind {
            Known::ToPath => self.to_path,
            Known::FromPath => self.from_path,
            Known::MessageId => self.message_id,
            Known::ByteRange => self.byte_range,
            Known::SuccessReport => self.success_report,
            Known::FailureReport => self.failure_report,
            Known::Status => self.status,
            Known::ContentType => self.content_type,
            _ => Span::NONE,
        }
        .range()
    }

    /// Where the header lines after From-Path start.
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
