//! One connection of a scenario to the target: it writes bytes, reads and parses what
//! the target sends (tolerantly, noting each deviation), answers the target's SENDs as a
//! peer must, and keeps the chunks no step has looked at yet. Over WebSocket (RFC 7977)
//! each write is one WebSocket message, and each message from the target is checked to
//! hold exactly one whole chunk (section 5.1).

use std::collections::VecDeque;

use futures_util::{SinkExt, StreamExt};
use msrp_proto::wire::{ChunkHead, ChunkParser, Continuation, ParseEvent, ReportRequest};
use msrp_proto::{Limits, Mode};
use msrp_tokio::Io;
use msrp_tokio::ws::tokio_tungstenite::WebSocketStream;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::script::WsFrame;

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
    /// A WebSocket Pong (counted in [`Conn::pongs`]).
    Pong,
}

/// The target sent something that is not MSRP (the reason, with its offset).
#[derive(Debug)]
pub(crate) struct Garbled(pub(crate) String);

/// What a connection runs over.
pub(crate) enum Wire {
    /// TCP or TLS: a byte stream.
    Stream(Box<dyn Io>),
    /// A WebSocket connection (RFC 7977) over TCP or TLS, the `msrp` subprotocol agreed.
    Ws(Box<WebSocketStream<Box<dyn Io>>>),
}

/// Most RFC 7977 section 5.1 faults kept per connection (the count goes on).
const FAULTS_KEPT: usize = 8;

pub(crate) struct Conn {
    wire: Wire,
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
    /// WebSocket messages received with chunk data.
    pub(crate) ws_messages: u64,
    /// Of those, the ones that did not hold exactly one whole chunk (RFC 7977 section
    /// 5.1): how many, and a description of the first few.
    pub(crate) ws_fault_count: u64,
    pub(crate) ws_faults: Vec<String>,
    /// WebSocket Pongs received, and how many of them `expect pong` steps took.
    pub(crate) pongs: u64,
    pub(crate) pongs_matched: u64,
}

impl Conn {
    pub(crate) fn new(name: &str, wire: Wire, uri: String) -> Conn {
        Conn {
            wire,
            uri,
            parser: ChunkParser::new(Limits::DEFAULT, Mode::Tolerant),
            pending: VecDeque::new(),
            partial: None,
            closed: false,
            evidence: Evidence::new(name),
            notes: Vec::new(),
            answers: Vec::new(),
            buf: Vec::new(),
            ws_messages: 0,
            ws_fault_count: 0,
            ws_faults: Vec::new(),
            pongs: 0,
            pongs_matched: 0,
        }
    }

    /// Whether the connection is a WebSocket one.
    pub(crate) fn is_ws(&self) -> bool {
        matches!(self.wire, Wire::Ws(_))
    }

    /// Writes `b`: over WebSocket as one message, text when `b` is UTF-8 and binary
    /// otherwise (as a browser's API would), unless `frame` says which.
    pub(crate) async fn write(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.write_as(b, None).await
    }

    /// [`Conn::write`] with the kind of WebSocket message chosen (`None`: by content).
    pub(crate) async fn write_as(
        &mut self,
        b: &[u8],
        frame: Option<WsFrame>,
    ) -> std::io::Result<()> {
        self.evidence.on_sent(b);
        match &mut self.wire {
            Wire::Stream(io) => {
                io.write_all(b).await?;
                io.flush().await
            }
            Wire::Ws(ws) => {
                let text = match frame {
                    Some(WsFrame::Text) => true,
                    Some(WsFrame::Binary) => false,
                    None => std::str::from_utf8(b).is_ok(),
                };
                let msg = match (text, String::from_utf8(b.to_vec())) {
                    (true, Ok(t)) => Message::text(t),
                    // A text message carries UTF-8 only (RFC 6455 section 5.6).
                    (true, Err(_)) => {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidInput,
                            "a text WebSocket message must be UTF-8",
                        ));
                    }
                    (false, _) => Message::binary(Bytes::copy_from_slice(b)),
                };
                ws.send(msg).await.map_err(std::io::Error::other)
            }
        }
    }

    /// Sends a WebSocket Ping with this payload (RFC 6455 section 5.5.2).
    pub(crate) async fn ping(&mut self, payload: &[u8]) -> std::io::Result<()> {
        match &mut self.wire {
            Wire::Stream(_) => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "not a WebSocket connection",
            )),
            Wire::Ws(ws) => ws
                .send(Message::Ping(Bytes::copy_from_slice(payload)))
                .await
                .map_err(std::io::Error::other),
        }
    }

    pub(crate) async fn shutdown(&mut self) {
        match &mut self.wire {
            Wire::Stream(io) => {
                let _ = io.shutdown().await;
            }
            Wire::Ws(ws) => {
                let _ = ws.close().await;
            }
        }
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
                Ok(Read::Pong) => {}
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
            match &mut self.wire {
                Wire::Stream(io) => {
                    if self.buf.is_empty() {
                        self.buf = vec![0; 64 * 1024];
                    }
                    let n = match tokio::time::timeout_at(deadline, io.read(&mut self.buf)).await {
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
                Wire::Ws(ws) => {
                    let data = match tokio::time::timeout_at(deadline, ws.next()).await {
                        Err(_) => return Ok(Read::Timeout),
                        Ok(Some(Ok(Message::Text(t)))) => Bytes::from(t),
                        Ok(Some(Ok(Message::Binary(b)))) => b,
                        Ok(Some(Ok(Message::Pong(_)))) => {
                            self.pongs += 1;
                            return Ok(Read::Pong);
                        }
                        // Pings are answered by the WebSocket layer.
                        Ok(Some(Ok(Message::Ping(_) | Message::Frame(_)))) => continue,
                        Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => {
                            self.closed = true;
                            continue;
                        }
                    };
                    self.evidence.on_received(&data);
                    self.check_one_chunk(&data);
                    self.parser.feed(&data);
                }
            }
        }
    }

    /// RFC 7977 section 5.1: "Each MSRP chunk MUST be carried within a single WebSocket
    /// message, and a WebSocket message MUST NOT contain more than one MSRP chunk." The
    /// message alone must parse to one head and one end-line, the end-line its last bytes.
    fn check_one_chunk(&mut self, data: &[u8]) {
        self.ws_messages += 1;
        let n = self.ws_messages;
        let mut p = ChunkParser::new(Limits::DEFAULT, Mode::Tolerant);
        p.feed(data);
        let (mut heads, mut ends, mut fault) = (0, 0, None);
        while let Some(ev) = p.next() {
            match ev {
                Ok(ParseEvent::Head(_)) => heads += 1,
                Ok(ParseEvent::End(_)) => ends += 1,
                Ok(ParseEvent::Body(_)) => {}
                Err(e) => {
                    fault = Some(format!("does not parse alone ({e})"));
                    break;
                }
            }
        }
        let idle = p.is_idle() && p.buffered() == 0;
        let fault = fault.or(match (heads, ends) {
            (1, 1) if idle => None,
            (1, 1) => Some("holds a chunk and the start of another".to_owned()),
            (0, _) if idle => Some("holds no chunk".to_owned()),
            (0, _) => Some("holds the start of a chunk head, not the whole chunk".to_owned()),
            (1, 0) => Some("holds a chunk without its end-line".to_owned()),
            (h, _) => Some(format!("holds {h} chunks")),
        });
        if let Some(f) = fault {
            self.ws_fault_count += 1;
            if self.ws_faults.len() < FAULTS_KEPT {
                self.ws_faults
                    .push(format!("WebSocket message {n} ({} bytes) {f}", data.len()));
            }
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
