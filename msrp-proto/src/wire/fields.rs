//! The values of the header fields an endpoint or relay acts on, found in one pass over a
//! head (RFC 4975 section 9): what each typed accessor of [`ChunkHead`] finds, without a
//! search of the header lines per accessor.

use super::head::ChunkHead;
use super::header_line::{self, Known};
use super::spans::Spans;
use super::values::{self, ByteRange, ReportRequest, Status};

/// The header fields of one head that routing, answering and reassembly need, each as
/// the first field of its name (case-insensitive), exactly as the accessors of
/// [`ChunkHead`] read them.
///
/// ```
/// use msrp_proto::wire::{ChunkParser, ParseEvent, ReportRequest};
///
/// let mut p = ChunkParser::default();
/// p.feed(b"MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:8888/s1;tcp\r\n\
///     From-Path: msrp://a.example.com:7777/s2;tcp\r\nMessage-ID: m1x7q\r\n\
///     Failure-Report: partial\r\n-------a786hjs2$\r\n");
/// let Some(Ok(ParseEvent::Head(head))) = p.next() else { panic!() };
/// let f = head.fields();
/// assert_eq!(f.to_path, Some(&b"msrp://b.example.com:8888/s1;tcp"[..]));
/// assert_eq!(f.message_id, head.message_id());
/// assert_eq!(f.failure_report, Some(ReportRequest::Partial));
/// assert_eq!(f.byte_range, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HeadFields<'a> {
    /// To-Path, as written (not parsed).
    pub to_path: Option<&'a [u8]>,
    /// From-Path, as written (not parsed).
    pub from_path: Option<&'a [u8]>,
    /// Message-ID ([`ChunkHead::message_id`]).
    pub message_id: Option<&'a str>,
    /// Byte-Range ([`ChunkHead::byte_range`]).
    pub byte_range: Option<ByteRange>,
    /// Success-Report ([`ChunkHead::success_report`]).
    pub success_report: Option<ReportRequest>,
    /// Failure-Report ([`ChunkHead::failure_report`]).
    pub failure_report: Option<ReportRequest>,
    /// Status ([`ChunkHead::status`]).
    pub status: Option<Status<'a>>,
    /// Content-Type ([`ChunkHead::content_type`]).
    pub content_type: Option<&'a str>,
}

impl<R: AsRef<[u8]>> ChunkHead<R> {
    /// The header fields routing, answering and reassembly need, in one pass.
    pub fn fields(&self) -> HeadFields<'_> {
        if let Some(spans) = &self.spans.0 {
            return self.fields_at(spans);
        }
        let mut f = HeadFields::default();
        // Which fields have been seen (the first of each name counts, even if malformed).
        let mut seen = 0u16;
        for (_, line) in self.header_lines() {
            let Some(span) = header_line::split_known_header(line, 0) else {
                continue;
            };
            let Some((kind, _)) = span.known else {
                continue;
            };
            let bit = 1u16 << (kind as u16);
            if seen & bit != 0 {
                continue;
            }
            seen |= bit;
            let v = &line[span.value];
            match kind {
                Known::ToPath => f.to_path = Some(v),
                Known::FromPath => f.from_path = Some(v),
                Known::MessageId => f.message_id = core::str::from_utf8(v).ok(),
                Known::ByteRange => f.byte_range = values::byte_range(v).ok(),
                Known::SuccessReport => f.success_report = values::report_request(v, false).ok(),
                Known::FailureReport => f.failure_report = values::report_request(v, true).ok(),
                Known::Status => f.status = values::status(v).ok(),
                Known::ContentType => f.content_type = core::str::from_utf8(v).ok(),
                _ => {}
            }
        }
        f
    }

    /// [`ChunkHead::fields`] from the places the one-pass reader noted.
    fn fields_at(&self, spans: &Spans) -> HeadFields<'_> {
        let raw = self.raw.as_ref();
        let at = |kind| spans.get(raw, kind);
        HeadFields {
            to_path: at(Known::ToPath),
            from_path: at(Known::FromPath),
            message_id: at(Known::MessageId).and_then(|v| core::str::from_utf8(v).ok()),
            byte_range: at(Known::ByteRange).and_then(|v| values::byte_range(v).ok()),
            success_report: at(Known::SuccessReport)
                .and_then(|v| values::report_request(v, false).ok()),
            failure_report: at(Known::FailureReport)
                .and_then(|v| values::report_request(v, true).ok()),
            status: at(Known::Status).and_then(|v| values::status(v).ok()),
            content_type: at(Known::ContentType).and_then(|v| core::str::from_utf8(v).ok()),
        }
    }

    /// The header lines after To-Path and From-Path as received, each with its CRLF, when
    /// the head was read in one pass (those two lines first, CRLF line ends); `None`
    /// otherwise.
    pub(crate) fn lines_after_paths(&self) -> Option<&[u8]> {
        let spans = self.spans.0.as_ref()?;
        self.raw.as_ref().get(spans.after_paths()..)
    }
}

#[cfg(test)]
mod tests {
    use crate::wire::{ChunkParser, ParseEvent};
    use crate::{Limits, Mode};

    /// A head read in one pass has its fields' places noted: the same fields, and the
    /// lines after the paths as received; a head read line by line has no note.
    #[test]
    fn one_pass_heads_note_where_their_fields_are() {
        let text = "MSRP t1234567 SEND\r\nTo-Path: msrp://b.example.com:8888/s1;tcp\r\n\
From-Path: msrp://a.example.com:7777/s2;tcp\r\nMessage-ID: m1x7q\r\nX-Extra: a b\r\n\
Byte-Range: 1-3/3\r\nFailure-Report: partial\r\nContent-Type: text/plain\r\n\r\nabc\r\n\
-------t1234567$\r\n";
        let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
        p.feed(text.as_bytes());
        let Some(Ok(ParseEvent::Head(whole))) = p.next() else {
            panic!()
        };
        assert!(whole.spans.0.is_some());
        assert_eq!(
            whole.lines_after_paths(),
            Some(
                &b"Message-ID: m1x7q\r\nX-Extra: a b\r\nByte-Range: 1-3/3\r\n\
Failure-Report: partial\r\nContent-Type: text/plain\r\n"[..]
            )
        );
        let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
        for b in text.as_bytes() {
            p.feed(core::slice::from_ref(b));
            if let Some(Ok(ParseEvent::Head(split))) = p.next() {
                assert!(split.spans.0.is_none());
                assert_eq!(split.lines_after_paths(), None);
                assert_eq!(split.fields(), whole.fields());
                assert_eq!(whole.fields().message_id, Some("m1x7q"));
                return;
            }
        }
        panic!("no head");
    }

    #[test]
    fn fields_agree_with_the_accessors() {
        let text = "MSRP t1234567 REPORT\r\nTo-Path: msrp://b.example.com:8888/s1;tcp\r\n\
from-path: msrp://a.example.com:7777/s2;tcp\r\nmessage-id: m1x\r\nByte-Range: 1-10/20\r\n\
Byte-Range: 5-6/7\r\nSTATUS: 000 413 Too Large\r\nSuccess-Report: no\r\n-------t1234567$\r\n";
        let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Tolerant);
        p.feed(text.as_bytes());
        let Some(Ok(ParseEvent::Head(h))) = p.next() else {
            panic!()
        };
        let f = h.fields();
        assert_eq!(f.to_path, h.header_value("To-Path"));
        assert_eq!(f.from_path, h.header_value("From-Path"));
        assert_eq!(f.message_id, h.message_id());
        assert_eq!(f.byte_range, h.byte_range(), "the first one");
        assert_eq!(f.status, h.status());
        assert_eq!(f.success_report, h.success_report());
        assert_eq!(f.failure_report, h.failure_report());
        assert_eq!(f.content_type, None);
    }
}
