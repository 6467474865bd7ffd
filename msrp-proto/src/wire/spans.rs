//! Where the fields routing and answering read sit in a head, noted by the one-pass head
//! reader as it walks the lines ([`super::fast_head`]), so that [`ChunkHead::fields`] and
//! the relay's copy of the other header fields do not walk them again.
//!
//! [`ChunkHead::fields`]: super::ChunkHead::fields

use super::header_line::Known;

/// `start` of a value not noted.
const ABSENT: u16 = u16::MAX;

/// The first value of each field of [`super::HeadFields`] (where it starts: it ends at
/// the CR of its line, as the one-pass reader takes only CRLF lines without control
/// characters in values), and where the header fields after From-Path start. Only for
/// heads of at most 64 KiB whose known names are in their canonical spelling (as the
/// one-pass reader takes them), To-Path and From-Path first. Small (18 bytes): every head
/// the parser hands out carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spans {
    /// By [`slot`]: To-Path, From-Path, Message-ID, Byte-Range, Success-Report,
    /// Failure-Report, Status, Content-Type.
    starts: [u16; SLOTS],
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
        starts: [ABSENT; SLOTS],
        after_paths: 0,
    };

    /// Notes that a value of a field of `kind` starts at `start` (the first of each kind
    /// counts); `false` when the head is too large to note places in.
    #[inline]
    pub(crate) fn note(&mut self, kind: Known, start: usize) -> bool {
        let Some(i) = slot(kind) else {
            return true;
        };
        if start >= usize::from(ABSENT) {
            return false;
        }
        let s = &mut self.starts[i];
        if *s == ABSENT {
            *s = start as u16;
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

    /// The value in `raw` of the first field of `kind` that [`super::HeadFields`] holds.
    pub(crate) fn get<'a>(&self, raw: &'a [u8], kind: Known) -> Option<&'a [u8]> {
        let start = self.starts[slot(kind)?];
        if start == ABSENT {
            return None;
        }
        let rest = raw.get(usize::from(start)..)?;
        let end = memchr::memchr(b'\r', rest)?;
        Some(&rest[..end])
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
