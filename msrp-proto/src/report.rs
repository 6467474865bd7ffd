//! Responses and REPORTs a receiver owes (RFC 4975 sections 7.1.2 to 7.2).

use msrp_uri::{Path, Uri};

use alloc::string::String;
use bytes::{Bytes, BytesMut};

use crate::wire::{Chunk, ChunkHead, HeadFields, Method, ReportRequest, TransactionId};

/// Whether a response with `code` is to be sent for `request` (RFC 4975 section 7.2):
/// never for REPORT requests; for `Failure-Report: no` never; for `partial` only errors;
/// otherwise (`yes` or absent) always.
pub fn response_wanted(request: &ChunkHead, code: u16) -> bool {
    response_due(request.method(), request.failure_report(), code)
}

/// [`response_wanted`] from the method and the Failure-Report value already read
/// (absent: `yes`).
pub(crate) fn response_due(
    method: Option<Method>,
    failure: Option<ReportRequest>,
    code: u16,
) -> bool {
    if method == Some(Method::Report) {
        return false;
    }
    match failure.unwrap_or(ReportRequest::Yes) {
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
        401 => "Unauthorized",
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

/// How to answer one request, worked out once from its head (RFC 4975 section 7.2): the
/// response goes to the first From-Path URI of a SEND, to the whole From-Path otherwise,
/// from the URI the request was sent to (the last To-Path URI). The paths are copied as
/// received, without being parsed (the parser checked them), unless the parser let
/// something pass in tolerant mode: then they are parsed and printed in the strict
/// spelling, since what this side writes is always strict. The paths are parts of the
/// head's bytes: a reply lives only while its chunk is being received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    tid: TransactionId,
    /// The response's To-Path and From-Path values.
    to: Bytes,
    from: Bytes,
    failure: ReportRequest,
    is_report: bool,
}

/// `sub`, a part of `raw`, as a `Bytes` sharing `raw`'s memory (a copy if it is not a
/// part of it).
pub(crate) fn sub_bytes(raw: &Bytes, sub: &[u8]) -> Bytes {
    let start = (sub.as_ptr() as usize).wrapping_sub(raw.as_ptr() as usize);
    match start.checked_add(sub.len()) {
        Some(end) if end <= raw.len() => raw.slice(start..end),
        _ => Bytes::copy_from_slice(sub),
    }
}

/// Splits a URI list at its first and last SP: the first URI, the last URI.
fn first_and_last(list: &[u8]) -> (&[u8], &[u8]) {
    let first = list.split(|b| *b == b' ').next().unwrap_or(list);
    let last = list.rsplit(|b| *b == b' ').next().unwrap_or(list);
    (first, last)
}

impl Reply {
    /// `None` for a response head, or when the paths are missing or cannot be read.
    pub(crate) fn new(request: &ChunkHead, fields: &HeadFields<'_>) -> Option<Reply> {
        let method = request.method()?;
        let (to_path, from_path) = (fields.to_path?, fields.from_path?);
        let raw = request.raw();
        let (to, from) = if request.quirks().is_empty() {
            let (first_from, _) = first_and_last(from_path);
            // The responder is the URI the request was routed by: the first (and, at an
            // endpoint, only) To-Path URI.
            let (first_to, _) = first_and_last(to_path);
            let reply_to = if method == Method::Send {
                first_from
            } else {
                from_path
            };
            (sub_bytes(raw, reply_to), sub_bytes(raw, first_to))
        } else {
            let opts = msrp_uri::ParseOptions::TOLERANT;
            let (to_p, _) = Path::parse_with(to_path, &opts).ok()?;
            let (from_p, _) = Path::parse_with(from_path, &opts).ok()?;
            let reply_to = if method == Method::Send {
                Path::new(from_p.first()?.clone())
            } else {
                from_p
            };
            let text = |p: &dyn core::fmt::Display| Bytes::from(alloc::format!("{p}").into_bytes());
            (text(&reply_to), text(to_p.first()?))
        };
        if to.is_empty() || from.is_empty() {
            return None;
        }
        Some(Reply {
            tid: request.transaction_id(),
            to,
            from,
            failure: fields.failure_report.unwrap_or(ReportRequest::Yes),
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

    /// Writes the response with `code`, if one is wanted; returns whether it did. The
    /// bytes are those [`Chunk::response`] encodes, written without building it.
    pub(crate) fn write(&self, code: u16, out: &mut BytesMut) -> bool {
        if !self.wanted(code) {
            return false;
        }
        let code = code.min(999);
        let digits = [
            b'0' + (code / 100) as u8,
            b'0' + (code / 10 % 10) as u8,
            b'0' + (code % 10) as u8,
        ];
        for part in [
            &b"MSRP "[..],
            self.tid.as_bytes(),
            b" ",
            &digits,
            b" ",
            reason_phrase(code).as_bytes(),
            b"\r\nTo-Path: ",
            &self.to,
            b"\r\nFrom-Path: ",
            &self.from,
            b"\r\n-------",
            self.tid.as_bytes(),
            b"$\r\n",
        ] {
            out.extend_from_slice(part);
        }
        true
    }
}

/// Where REPORTs about a received message go, kept as received: its SEND's From-Path is
/// parsed only if a REPORT is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LazyTarget {
    from_path: Bytes,
    message_id: String,
    failure: ReportRequest,
}

impl LazyTarget {
    pub(crate) fn new(fields: &HeadFields<'_>) -> Option<LazyTarget> {
        Some(LazyTarget {
            // A copy: a part of the head would keep the parser's whole buffer alive for
            // as long as the message is remembered.
            from_path: Bytes::copy_from_slice(fields.from_path?),
            message_id: fields.message_id?.into(),
            failure: fields.failure_report.unwrap_or(ReportRequest::Yes),
        })
    }

    /// Whether a failure REPORT may be sent (not with `Failure-Report: no`).
    pub(crate) fn failure_allowed(&self) -> bool {
        self.failure != ReportRequest::No
    }

    /// The target, its From-Path parsed now.
    pub(crate) fn resolve(&self) -> Option<ReportTarget> {
        let (to_path, _) =
            Path::parse_with(&self.from_path, &msrp_uri::ParseOptions::TOLERANT).ok()?;
        Some(ReportTarget {
            to_path,
            message_id: self.message_id.clone(),
            failure: self.failure,
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

    #[test]
    fn replies_are_the_responses_chunk_would_encode() {
        for (extra, method) in [
            ("", "SEND"),
            ("", "NICKNAME"),
            ("Failure-Report: partial\r\n", "SEND"),
        ] {
            let text = alloc::format!(
                "MSRP a786hjs2 {method}\r\nTo-Path: msrp://relay:2/r;tcp msrp://bob.example.com:8888/9di4;tcp\r\n\
From-Path: msrp://relay:1/r;tcp msrp://alice.example.com:7777/iau39;tcp\r\n{extra}-------a786hjs2$\r\n"
            );
            let mut p = ChunkParser::default();
            p.feed(text.as_bytes());
            let Some(Ok(ParseEvent::Head(h))) = p.next() else {
                panic!("{text}")
            };
            let reply = Reply::new(&h, &h.fields()).unwrap();
            for code in [200, 413, 481] {
                let mut got = BytesMut::new();
                let wrote = reply.write(code, &mut got);
                assert_eq!(wrote, response_wanted(&h, code), "{method} {code}");
                if wrote {
                    let me = h.to_path().unwrap().first().cloned().unwrap();
                    let want = Chunk::response_to(&h, me, code, Some(reason_phrase(code))).unwrap();
                    let mut out = BytesMut::new();
                    want.encode(&mut out).unwrap();
                    assert_eq!(got, out, "{method} {code}");
                }
            }
        }
    }
}
