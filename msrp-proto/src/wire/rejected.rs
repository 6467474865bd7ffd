//! What can still be read from the head of a chunk the parser rejected, so that a session
//! can answer it (RFC 4975 section 7.3: a request that cannot be understood gets 400, sent
//! back along its From-Path).

use msrp_uri::{ParseOptions, Path};

use super::start_line::Method;
use super::tid::TransactionId;
use super::values::ReportRequest;

/// The start line and header lines of a chunk skipped after a recoverable
/// [`ParseError`](super::ParseError), as far as they had been read when the error was
/// found (the header with the error may be missing). Read tolerantly: header names in any
/// case, the first occurrence of each.
///
/// From [`ChunkParser::rejected_head`](super::ChunkParser::rejected_head).
#[derive(Debug, Clone, Copy)]
pub struct RejectedHead<'a> {
    bytes: &'a [u8],
}

impl<'a> RejectedHead<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> RejectedHead<'a> {
        RejectedHead { bytes }
    }

    /// The raw bytes (start line and header lines, line ends included).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    fn lines(&self) -> impl Iterator<Item = &'a [u8]> {
        self.bytes.split(|&b| b == b'\n').map(|l| match l {
            [rest @ .., b'\r'] => rest,
            l => l,
        })
    }

    /// The start line's words: `MSRP tid METHOD` or `MSRP tid code ...`.
    fn start(&self) -> Option<(&'a [u8], &'a [u8], &'a [u8])> {
        let line = self.lines().next()?;
        let mut words = line.split(|&b| b == b' ');
        Some((words.next()?, words.next()?, words.next()?))
    }

    /// The transaction id, if the start line had one.
    pub fn transaction_id(&self) -> Option<TransactionId> {
        TransactionId::new(self.start()?.1)
    }

    /// The method of a request; `None` for a response (or no start line).
    pub fn method(&self) -> Option<Method> {
        let (_, _, third) = self.start()?;
        let is_code = third.len() == 3 && third.iter().all(u8::is_ascii_digit);
        (!is_code).then(|| Method::from_name(third))
    }

    /// The trimmed value of the first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.lines().skip(1).find_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let (n, v) = (&line[..colon], &line[colon + 1..]);
            if !n.eq_ignore_ascii_case(name.as_bytes()) {
                return None;
            }
            core::str::from_utf8(v).ok().map(str::trim)
        })
    }

    fn path(&self, name: &str) -> Option<Path> {
        let v = self.header(name)?;
        Path::parse_with(v.as_bytes(), &ParseOptions::TOLERANT)
            .ok()
            .map(|(p, _)| p)
    }

    /// To-Path, if it was read and parses (tolerantly).
    pub fn to_path(&self) -> Option<Path> {
        self.path("To-Path")
    }

    /// From-Path, if it was read and parses (tolerantly).
    pub fn from_path(&self) -> Option<Path> {
        self.path("From-Path")
    }

    /// Failure-Report, with the default `yes` when absent or unreadable (RFC 4975 section
    /// 7.1.2).
    pub fn failure_report(&self) -> ReportRequest {
        match self.header("Failure-Report") {
            Some(v) if v.eq_ignore_ascii_case("no") => ReportRequest::No,
            Some(v) if v.eq_ignore_ascii_case("partial") => ReportRequest::Partial,
            _ => ReportRequest::Yes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_can() {
        let h = RejectedHead::new(
            b"MSRP abcd1234 SEND\r\nto-path: msrp://b.example.com:1/s;tcp\r\n\
From-Path:  msrp://r.example.com:2/r;tcp msrp://a.example.com:3/a;tcp\r\nFailure-Report: partial\r\n",
        );
        assert_eq!(h.transaction_id().unwrap().as_str(), "abcd1234");
        assert_eq!(h.method(), Some(Method::Send));
        assert_eq!(h.to_path().unwrap().len(), 1);
        assert_eq!(
            h.from_path().unwrap().first().unwrap().as_str(),
            "msrp://r.example.com:2/r;tcp"
        );
        assert_eq!(h.failure_report(), ReportRequest::Partial);
        let r = RejectedHead::new(b"MSRP abcd1234 200 OK\r\nTo-Path: x\r\n");
        assert_eq!(r.method(), None);
        assert!(r.to_path().is_none() && r.from_path().is_none());
        assert_eq!(r.failure_report(), ReportRequest::Yes);
        assert!(RejectedHead::new(b"").transaction_id().is_none());
    }
}
