//! Responses and REPORTs a receiver owes (RFC 4975 sections 7.1.2 to 7.2).

use msrp_uri::{Path, Uri};

use alloc::string::String;

use crate::wire::{Chunk, ChunkHead, Method, ReportRequest, TransactionId};

/// Whether a response with `code` is to be sent for `request` (RFC 4975 section 7.2):
/// never for REPORT requests; for `Failure-Report: no` never; for `partial` only errors;
/// otherwise (`yes` or absent) always.
pub fn response_wanted(request: &ChunkHead, code: u16) -> bool {
    if request.method() == Some(Method::Report) {
        return false;
    }
    match failure_report(request) {
        ReportRequest::No => false,
        ReportRequest::Partial => code != 200,
        ReportRequest::Yes => true,
    }
}

/// The request's Failure-Report, with the default `yes` when absent.
pub fn failure_report(request: &ChunkHead) -> ReportRequest {
    request.failure_report().unwrap_or(ReportRequest::Yes)
}

/// Whether the sender asked for success reports (`Success-Report: yes`; absent means no).
pub fn success_report_wanted(request: &ChunkHead) -> bool {
    request.success_report() == Some(ReportRequest::Yes)
}

/// Whether a failure REPORT may be sent for `request` (RFC 4975 section 7.1.4: not when
/// Failure-Report is `no`).
pub fn failure_report_allowed(request: &ChunkHead) -> bool {
    request.method() == Some(Method::Send) && failure_report(request) != ReportRequest::No
}

/// A REPORT about the message `request` belongs to (RFC 4975 section 7.1.3): To-Path is the
/// request's From-Path, From-Path is `local`, with the request's Message-ID, a Status of
/// `000 code comment` and the Byte-Range it covers (1-based `start..=end` of `total`).
/// `None` when the request has no Message-ID or no valid From-Path.
pub fn report(
    request: &ChunkHead,
    tid: TransactionId,
    local: Uri,
    code: u16,
    comment: Option<&str>,
    range: (u64, u64, Option<u64>),
) -> Option<Chunk> {
    Some(ReportTarget::from_request(request)?.report(tid, local, code, comment, range))
}

/// What REPORTs about a received message need from the SEND that started it: kept
/// instead of the chunk's head, so that a message in progress (or remembered after its
/// end) does not hold on to the buffer the head was read into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    /// Where REPORTs go: the request's From-Path.
    pub to_path: Path,
    /// The message's Message-ID.
    pub message_id: String,
    /// The request's Failure-Report (absent: `yes`).
    pub failure: ReportRequest,
}

impl ReportTarget {
    /// From a SEND; `None` without a Message-ID or a valid From-Path.
    pub fn from_request(request: &ChunkHead) -> Option<ReportTarget> {
        ReportTarget::new(request, request.from_path().ok()?)
    }

    /// As [`ReportTarget::from_request`], with the request's From-Path already parsed.
    pub fn new(request: &ChunkHead, from_path: Path) -> Option<ReportTarget> {
        Some(ReportTarget {
            to_path: from_path,
            message_id: request.message_id()?.into(),
            failure: failure_report(request),
        })
    }

    /// Whether a failure REPORT may be sent (RFC 4975 section 7.1.4: not for
    /// `Failure-Report: no`).
    pub fn failure_allowed(&self) -> bool {
        self.failure != ReportRequest::No
    }

    /// The REPORT, as [`report`] describes it.
    pub fn report(
        &self,
        tid: TransactionId,
        local: Uri,
        code: u16,
        comment: Option<&str>,
        (start, end, total): (u64, u64, Option<u64>),
    ) -> Chunk {
        // Header order as RFC 4975's examples write it: Message-ID, Byte-Range, Status.
        let status = crate::wire::status_value(code, comment);
        Chunk::request("REPORT", tid, self.to_path.clone(), Path::new(local))
            .message_id(&self.message_id)
            .byte_range(start, Some(end), total)
            .header("Status", &status)
    }
}

/// The comment of a response or REPORT status with `code` (RFC 4975 section 10, RFC 4976
/// section 10).
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Timeout",
        413 => "Too Large",
        415 => "Unsupported Media Type",
        423 => "Interval Out Of Bounds",
        481 => "Session Does Not Exist",
        501 => "Not Implemented",
        506 => "Session Already Bound",
        _ => "Error",
    }
}

/// How to answer one request, worked out once from its head and parsed paths (RFC 4975
/// section 7.2): the response goes to the first From-Path URI of a SEND, to the whole
/// From-Path otherwise, from the URI the request was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    tid: TransactionId,
    to: Path,
    from: Uri,
    failure: ReportRequest,
    is_report: bool,
}

impl Reply {
    /// `to` and `from` are the request's To-Path and From-Path; `None` when either is
    /// empty or the head is a response.
    pub(crate) fn new(request: &ChunkHead, to: &Path, from: &Path) -> Option<Reply> {
        let method = request.method()?;
        let reply_to = if method == Method::Send {
            Path::new(from.first()?.clone())
        } else {
            from.clone()
        };
        Some(Reply {
            tid: request.transaction_id(),
            to: reply_to,
            from: to.last()?.clone(),
            failure: failure_report(request),
            is_report: method == Method::Report,
        })
    }

    /// Whether a response with `code` is to be sent (REPORTs are never answered;
    /// Failure-Report `no` wants nothing, `partial` only errors).
    pub(crate) fn wanted(&self, code: u16) -> bool {
        !self.is_report
            && match self.failure {
                ReportRequest::No => false,
                ReportRequest::Partial => code != 200,
                ReportRequest::Yes => true,
            }
    }

    /// The response with `code`, if one is wanted.
    pub(crate) fn response(&self, code: u16) -> Option<Chunk> {
        self.wanted(code).then(|| {
            Chunk::response(
                self.tid,
                self.to.clone(),
                Path::new(self.from.clone()),
                code,
                Some(reason_phrase(code)),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChunkParser, ParseEvent};
    use bytes::BytesMut;

    fn head(extra: &str) -> ChunkHead {
        let text = alloc::format!(
            "MSRP a786hjs2 SEND\r\nTo-Path: msrp://bob.example.com:8888/9di4;tcp\r\n\
From-Path: msrp://relay:1/r;tcp msrp://alice.example.com:7777/iau39;tcp\r\nMessage-ID: 12339sdqwer\r\n{extra}-------a786hjs2$\r\n"
        );
        let mut p = ChunkParser::default();
        p.feed(text.as_bytes());
        match p.next() {
            Some(Ok(ParseEvent::Head(h))) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn responses_follow_failure_report() {
        assert!(response_wanted(&head(""), 200));
        assert!(!response_wanted(&head("Failure-Report: no\r\n"), 400));
        assert!(!response_wanted(&head("Failure-Report: partial\r\n"), 200));
        assert!(response_wanted(&head("Failure-Report: partial\r\n"), 415));
        assert!(!success_report_wanted(&head("")));
        assert!(success_report_wanted(&head("Success-Report: yes\r\n")));
        assert!(!failure_report_allowed(&head("Failure-Report: no\r\n")));
    }

    #[test]
    fn reports_go_back_along_the_from_path() {
        let me: Uri = "msrp://bob.example.com:8888/9di4;tcp".parse().unwrap();
        let tid = TransactionId::new(b"dkei38sd").unwrap();
        let r = report(
            &head("Success-Report: yes\r\n"),
            tid,
            me,
            200,
            Some("OK"),
            (1, 106, Some(106)),
        )
        .unwrap();
        let mut out = BytesMut::new();
        r.encode(&mut out).unwrap();
        assert_eq!(
            core::str::from_utf8(&out).unwrap(),
            "MSRP dkei38sd REPORT\r\nTo-Path: msrp://relay:1/r;tcp msrp://alice.example.com:7777/iau39;tcp\r\n\
From-Path: msrp://bob.example.com:8888/9di4;tcp\r\nMessage-ID: 12339sdqwer\r\n\
Byte-Range: 1-106/106\r\nStatus: 000 200 OK\r\n-------dkei38sd$\r\n"
        );
    }
}
