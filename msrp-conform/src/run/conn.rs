//! One connection of a scenario to the target: it writes bytes, reads and parses what
//! the target sends (tolerantly, noting each deviation), answers the target's SENDs as a
//! peer must, and keeps the chunks no step has looked at yet.

use std::collections::VecDeque;

use msrp_proto::wire::{ChunkHead, ChunkParser, Continuation, ParseEvent, ReportRequest};
use msrp_proto::{Limits, Mode};
use msrp_tokio::Io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::outcome::Evidence;

/// Most body bytes kept of one received chunk (for `expect header`, the evidence has all).
const BODY_KEPT: usize = 64 * 1024;

/// A chunk the target sent.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) head: ChunkHead,
    pub(crate) body: Vec<u8>,
    pub(crate) flag: Continuation,
}

impl Frame {
    /// A line describing it: `response 200 to T1`, `REPORT (Status 000 200 OK)`.
    pub(crate) fn describe(&self) -> String {
        let tid = self.head.transaction_id();
        match (self.head.status_code(), self.head.method_name()) {
            (Some(code), _) => format!("response {code} to {}", tid.as_str()),
            (None, Some(m)) => match self.head.header_value("Status") {
                Some(s) => format!(
                    "{m} {} (Status {})",
                    tid.as_str(),
                    String::from_utf8_lossy(s)
                ),
                None => format!("{m} {}", tid.as_str()),
            },
            (None, None) => format!("a chunk {}", tid.as_str()),
        }
    }
}

/// What reading gave.
#[derive(Debug)]
pub(crate) enum Read {
    /// A whole chunk.
    Frame(Frame),
    /// The target closed the connection.
    Closed,
    /// Nothing more before the deadline.
    Timeout,
}

/// The target sent something that is not MSRP (the reason, with its offset).
#[derive(Debug)]
pub(crate) struct Garbled(pub(crate) String);

pub(crate) struct Conn {
    io: Box<dyn Io>,
    /// Our URI on this connection (From-Path of what we send).
    pub(crate) uri: String,
    parser: ChunkParser,
    /// Chunks read and not yet matched by a step.
    pub(crate) pending: VecDeque<Frame>,
    /// The chunk being read.
    partial: Option<Frame>,
    pub(crate) closed: bool,
    pub(crate) evidence: Evidence,
    pub(crate) notes: Vec<String>,
    /// Responses owed to the target's requests, written before the next read.
    answers: Vec<u8>,
    buf: Vec<u8>,
}

impl Conn {
    pub(crate) fn new(name: &str, io: Box<dyn Io>, uri: String) -> Conn {
        Conn {
            io,
            uri,
            parser: ChunkParser::new(Limits::DEFAULT, Mode::Tolerant),
            pending: VecDeque::new(),
            partial: None,
            closed: false,
            evidence: Evidence::new(name),
            notes: Vec::new(),
            answers: Vec::new(),
            buf: vec![0; 64 * 1024],
        }
    }

    pub(crate) async fn write(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.evidence.on_sent(b);
        self.io.write_all(b).await?;
        self.io.flush().await
    }

    pub(crate) async fn shutdown(&mut self) {
        let _ = self.io.shutdown().await;
    }

    /// Ends the connection as a peer does: our side closed, then what the target still
    /// sends read (kept as evidence) until it closes its side, for at most `wait`; so
    /// that the next scenario finds the target done with this one (an endpoint binds a
    /// session to one connection at a time).
    pub(crate) async fn finish(&mut self, wait: std::time::Duration) {
        self.shutdown().await;
        let deadline = Instant::now() + wait;
        while !self.closed {
            match self.read(deadline).await {
                Ok(Read::Frame(f)) => self.pending.push_back(f),
                Ok(Read::Closed | Read::Timeout) | Err(_) => break,
            }
        }
        self.closed = true;
    }

    /// Reads until a whole chunk is parsed, the target closes, or `deadline`.
    pub(crate) async fn read(&mut self, deadline: Instant) -> Result<Read, Garbled> {
        loop {
            let got = self.parse()?;
            if !self.answers.is_empty() && !self.closed {
                let answers = std::mem::take(&mut self.answers);
                // A target that stopped reading does not fail the step that reads.
                let _ = self.write(&answers).await;
            }
            if let Some(f) = got {
                return Ok(Read::Frame(f));
            }
            if self.closed {
                return Ok(Read::Closed);
            }
            let n = match tokio::time::timeout_at(deadline, self.io.read(&mut self.buf)).await {
                Err(_) => return Ok(Read::Timeout),
                Ok(Ok(n)) => n,
                Ok(Err(_)) => 0,
            };
            if n == 0 {
                self.closed = true;
                continue;
            }
            self.evidence.on_received(&self.buf[..n]);
            self.parser.feed(&self.buf[..n]);
        }
    }

    /// The next whole chunk in what was read, answering the target's requests.
    fn parse(&mut self) -> Result<Option<Frame>, Garbled> {
        while let Some(ev) = self.parser.next() {
            match ev {
                Ok(ParseEvent::Head(head)) => {
                    for (q, at) in head.quirks() {
                        self.notes
                            .push(format!("the target's chunk at byte {at}: {q} (tolerated)"));
                    }
                    self.partial = Some(Frame {
                        head,
                        body: Vec::new(),
                        flag: Continuation::Complete,
                    });
                }
                Ok(ParseEvent::Body(piece)) => {
                    if let Some(f) = self.partial.as_mut() {
                        let room = BODY_KEPT.saturating_sub(f.body.len());
                        f.body.extend_from_slice(&piece[..piece.len().min(room)]);
                    }
                }
                Ok(ParseEvent::End(end)) => {
                    if end.bare_lf {
                        self.notes.push(format!(
                            "the target's end-line before byte {}: LF without CR (tolerated)",
                            self.evidence.received_total
                        ));
                    }
                    if let Some(mut f) = self.partial.take() {
                        f.flag = end.continuation;
                        self.answer(&f);
                        return Ok(Some(f));
                    }
                }
                Err(e) => {
                    return Err(Garbled(format!(
                        "the target's bytes do not parse as MSRP at byte {}: {e}",
                        e.offset()
                    )));
                }
            }
        }
        Ok(None)
    }

    /// A SEND from the target gets the 200 RFC 4975 section 7.2 asks for (written before
    /// the next read).
    fn answer(&mut self, f: &Frame) {
        let h = &f.head;
        if h.method_name() != Some("SEND") {
            return;
        }
        if matches!(
            h.failure_report(),
            Some(ReportRequest::No | ReportRequest::Partial)
        ) {
            return;
        }
        let Some(to) = h.from_path().ok().and_then(|p| p.first().cloned()) else {
            return;
        };
        let tid = h.transaction_id();
        let answer = format!(
            "MSRP {tid} 200 OK\r\nTo-Path: {}\r\nFrom-Path: {}\r\n-------{tid}$\r\n",
            to.as_str(),
            self.uri,
            tid = tid.as_str()
        );
        self.answers.extend_from_slice(answer.as_bytes());
    }
}
