//! RFC MUSTs that a syntactically valid chunk can still break: what a conformance tester
//! wants reported, and what a tolerant receiver lets pass (the parser never rejects a
//! chunk for these).

use alloc::vec::Vec;

use super::head::ChunkHead;
use super::parser::EndLine;
use super::start_line::Method;

/// Largest body of a chunk whose range-end is not `*` (RFC 4975 section 7.1.1).
pub const MAX_UNINTERRUPTIBLE_BODY: u64 = 2048;
/// Largest body of a request other than SEND (RFC 4975 section 7.1).
pub const MAX_NON_SEND_BODY: u64 = 10240;

/// An RFC requirement a chunk breaks, although its syntax is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// A request without a body has Content-Type or another MIME header field (RFC 4975
    /// section 7.1).
    MimeHeaderWithoutBody,
    /// A SEND without Message-ID (RFC 4975 section 7.1.1: every chunk carries it).
    SendWithoutMessageId,
    /// A REPORT without Message-ID (RFC 4975 section 7.1.2).
    ReportWithoutMessageId,
    /// A REPORT without Status (RFC 4975 section 7.1.2).
    ReportWithoutStatus,
    /// A REPORT with Success-Report or Failure-Report (RFC 4975 section 7.1.2).
    ReportWithReportRequest,
    /// Byte-Range's range-end or range-start lies past its total (RFC 4975 section
    /// 7.1.1: positions within the message).
    RangeBeyondTotal,
    /// A body over 2048 octets in a chunk whose range-end is not `*`: the sender could
    /// not interrupt it (RFC 4975 section 7.1.1).
    UninterruptibleLargeChunk {
        /// Its body length.
        body_length: u64,
    },
    /// A request other than SEND with a body over 10240 octets (RFC 4975 section 7.1).
    NonSendBodyTooLarge {
        /// Its body length.
        body_length: u64,
    },
}

impl Violation {
    /// A short name for reports (as the inspector prints it).
    pub fn name(self) -> &'static str {
        match self {
            Violation::MimeHeaderWithoutBody => "mime-header-without-body",
            Violation::SendWithoutMessageId => "send-without-message-id",
            Violation::ReportWithoutMessageId => "report-without-message-id",
            Violation::ReportWithoutStatus => "report-without-status",
            Violation::ReportWithReportRequest => "report-with-report-request",
            Violation::RangeBeyondTotal => "range-beyond-total",
            Violation::UninterruptibleLargeChunk { .. } => "uninterruptible-large-chunk",
            Violation::NonSendBodyTooLarge { .. } => "non-send-body-too-large",
        }
    }

    /// The RFC 4975 section that states the requirement.
    pub fn section(self) -> &'static str {
        match self {
            Violation::MimeHeaderWithoutBody | Violation::NonSendBodyTooLarge { .. } => "7.1",
            Violation::SendWithoutMessageId
            | Violation::RangeBeyondTotal
            | Violation::UninterruptibleLargeChunk { .. } => "7.1.1",
            Violation::ReportWithoutMessageId
            | Violation::ReportWithoutStatus
            | Violation::ReportWithReportRequest => "7.1.2",
        }
    }
}

/// The requirements a parsed chunk breaks: from its head and, once its end-line has been
/// read, its body length. Empty for a conforming chunk; responses are not checked beyond
/// their syntax.
///
/// ```
/// use msrp_proto::wire::{ChunkParser, ParseEvent, Violation, violations};
///
/// let mut p = ChunkParser::default();
/// p.feed(b"MSRP abcd1234 SEND\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\n\
///     From-Path: msrp://a.example.com:2/a;tcp\r\nContent-Type: text/plain\r\n-------abcd1234$\r\n");
/// let Some(Ok(ParseEvent::Head(head))) = p.next() else { panic!() };
/// let Some(Ok(ParseEvent::End(end))) = p.next() else { panic!() };
/// assert_eq!(
///     violations(&head, Some(&end)),
///     [Violation::SendWithoutMessageId, Violation::MimeHeaderWithoutBody]
/// );
/// ```
pub fn violations(head: &ChunkHead, end: Option<&EndLine>) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(method) = head.method() else {
        return out;
    };
    let has = |name: &str| head.header(name).is_some();
    match method {
        Method::Send if head.message_id().is_none() => out.push(Violation::SendWithoutMessageId),
        Method::Report => {
            if !has("Message-ID") {
                out.push(Violation::ReportWithoutMessageId);
            }
            if !has("Status") {
                out.push(Violation::ReportWithoutStatus);
            }
            if has("Success-Report") || has("Failure-Report") {
                out.push(Violation::ReportWithReportRequest);
            }
        }
        _ => {}
    }
    if !head.has_body() && (has("Content-Type") || head.mime_headers().next().is_some()) {
        out.push(Violation::MimeHeaderWithoutBody);
    }
    let range = head.byte_range();
    if let Some(r) = range {
        if let Some(total) = r.total {
            let past_end = r.end.is_some_and(|e| e > total);
            // An empty message is `1-0/0`: its start is one past its total.
            if past_end || r.start > total.saturating_add(1) {
                out.push(Violation::RangeBeyondTotal);
            }
        }
    }
    if let Some(end) = end {
        let n = end.body_length;
        let star = range.is_some_and(|r| r.end.is_none());
        if method == Method::Send && n > MAX_UNINTERRUPTIBLE_BODY && !star {
            out.push(Violation::UninterruptibleLargeChunk { body_length: n });
        }
        if method != Method::Send && n > MAX_NON_SEND_BODY {
            out.push(Violation::NonSendBodyTooLarge { body_length: n });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChunkParser, ParseEvent};
    use alloc::format;

    fn check(method: &str, headers: &str, body: Option<&str>) -> Vec<&'static str> {
        let text = match body {
            Some(b) => format!(
                "MSRP abcd1234 {method}\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\n\
From-Path: msrp://a.example.com:2/a;tcp\r\n{headers}Content-Type: text/plain\r\n\r\n{b}\r\n-------abcd1234$\r\n"
            ),
            None => format!(
                "MSRP abcd1234 {method}\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\n\
From-Path: msrp://a.example.com:2/a;tcp\r\n{headers}-------abcd1234$\r\n"
            ),
        };
        let mut p = ChunkParser::default();
        p.feed(text.as_bytes());
        let (mut head, mut end) = (None, None);
        while let Some(ev) = p.next() {
            match ev.unwrap() {
                ParseEvent::Head(h) => head = Some(h),
                ParseEvent::End(e) => end = Some(e),
                ParseEvent::Body(_) => {}
            }
        }
        violations(&head.unwrap(), end.as_ref())
            .iter()
            .map(|v| v.name())
            .collect()
    }

    #[test]
    fn each_requirement() {
        let ok = "Message-ID: m1234\r\nByte-Range: 1-2/2\r\n";
        assert!(check("SEND", ok, Some("hi")).is_empty());
        assert!(check("SEND", "Message-ID: m1234\r\nByte-Range: 1-0/0\r\n", None).is_empty());
        assert_eq!(
            check("SEND", "Byte-Range: 1-2/2\r\n", Some("hi")),
            ["send-without-message-id"]
        );
        assert_eq!(
            check("SEND", "Message-ID: m1234\r\nContent-ID: <x@y>\r\n", None),
            ["mime-header-without-body"]
        );
        assert_eq!(
            check("REPORT", "Success-Report: yes\r\n", None),
            [
                "report-without-message-id",
                "report-without-status",
                "report-with-report-request"
            ]
        );
        assert!(
            check(
                "REPORT",
                "Message-ID: m1234\r\nStatus: 000 200 OK\r\n",
                None
            )
            .is_empty()
        );
        assert_eq!(
            check(
                "SEND",
                "Message-ID: m1234\r\nByte-Range: 1-5/2\r\n",
                Some("hi")
            ),
            ["range-beyond-total"]
        );
        let big = "x".repeat(3000);
        assert_eq!(
            check(
                "SEND",
                "Message-ID: m1234\r\nByte-Range: 1-3000/3000\r\n",
                Some(&big)
            ),
            ["uninterruptible-large-chunk"]
        );
        assert!(
            check(
                "SEND",
                "Message-ID: m1234\r\nByte-Range: 1-*/3000\r\n",
                Some(&big)
            )
            .is_empty()
        );
        let huge = "x".repeat(10241);
        assert_eq!(
            check("NICKNAME", "", Some(&huge)),
            ["non-send-body-too-large"]
        );
        assert_eq!(Violation::RangeBeyondTotal.section(), "7.1.1");
    }
}
