//! Requests and responses from the peer: routing each chunk to its session, accepting or
//! refusing SENDs (RFC 4975 sections 7.2, 7.3, 8.6, 10), reassembling messages, success
//! and failure REPORTs, and the responses to this side's requests.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};

use super::event::{Event, SessionId};
use super::remembered::{Key, Remembered};
use super::{Connection, SessionTable, wrapped};
use crate::link::CloseReason;
use crate::reassembly::{Reassembly, ReassemblyError};
use crate::report::{self, LazyTarget, Reply};
use crate::wire::{
    ByteRange, Chunk, ChunkHead, Continuation, HeadFields, Method, ParseError, ParseEvent,
    RandomSource, ReportRequest,
};
use msrp_uri::Path;

/// A message being received.
struct Incoming {
    reassembly: Reassembly,
    content_type: String,
    streamed: bool,
    success_wanted: bool,
    /// Where REPORTs about it go (from the SEND that first carried it).
    target: Option<LazyTarget>,
    /// The total its first chunk's Byte-Range declared.
    declared: Option<u64>,
    /// Bytes from the start covered by the last progress REPORT.
    reported: u64,
    /// Bytes of the gathering budget it holds (its declared size; 0 when streamed).
    reserved: u64,
}

/// A received message after its end (complete or refused): enough to send a failure
/// REPORT about it later, to refuse the rest of a refused one, and to report a resent
/// one delivered again.
pub(super) struct Finished {
    pub(super) target: Option<LazyTarget>,
    /// 1-based range-end and total to report on.
    pub(super) end: u64,
    pub(super) total: Option<u64>,
    /// The receiver refused the message with this code: later chunks get it too.
    pub(super) refused: Option<u16>,
}

/// What to do with the chunk being received.
pub(super) enum Current {
    /// A SEND accepted into message `key` at 0-based `start` of the message.
    Accept {
        reply: Option<Reply>,
        total: Option<u64>,
        key: (SessionId, String),
        start: u64,
        received: u64,
    },
    /// A chunk of a message already complete (RFC 4975 section 7.3.1: a duplicate, or the
    /// message sent again): acknowledged, and when it ends the message and asks for a
    /// success REPORT, reported again.
    Duplicate {
        reply: Option<Reply>,
        key: (SessionId, String),
        report: Option<LazyTarget>,
    },
    /// A request answered (or not) with `code` once its end-line arrives; body ignored.
    Answer {
        reply: Option<Reply>,
        session: Option<SessionId>,
        code: u16,
    },
    /// A response or REPORT: handled at its head; body ignored.
    Ignore,
}

/// The receive side's state.
pub(crate) struct Inbound {
    pub(super) current: Option<Current>,
    incoming: BTreeMap<(SessionId, String), Incoming>,
    /// Recently ended incoming messages, oldest first (at most `remembered_messages`).
    pub(super) finished: Remembered<Finished>,
    /// Sum of the declared sizes of the gathered messages in progress.
    gathered_reserved: u64,
    /// The current chunk starts a wrapper (`message/cpim`) whose wrapped type is not known
    /// yet: its start, and the pieces held back until it is.
    wrapper: Option<(Vec<u8>, Vec<Bytes>)>,
}

impl Inbound {
    pub(crate) fn new(remembered: usize) -> Inbound {
        Inbound {
            current: None,
            incoming: BTreeMap::new(),
            finished: Remembered::new(remembered),
            gathered_reserved: 0,
            wrapper: None,
        }
    }
}

/// The response code for a chunk that cannot be added to its message: 413 when the message
/// is too large for this receiver, 400 when the chunks contradict each other.
fn reassembly_code(e: ReassemblyError) -> u16 {
    match e {
        ReassemblyError::TooLarge { .. } | ReassemblyError::TooManyRanges { .. } => 413,
        _ => 400,
    }
}

impl<R: RandomSource> Connection<R> {
    /// Runs the parser over what was fed (or over `src`, parsed in place) and handles
    /// every event.
    pub(crate) fn input(
        &mut self,
        mut table: Option<&mut SessionTable>,
        mut src: Option<&mut BytesMut>,
    ) {
        loop {
            let ev = match src.as_deref_mut() {
                Some(src) => self.link.next_input_from(src),
                None => self.link.next_input(),
            };
            let Some(ev) = ev else { break };
            match ev {
                Ok(ParseEvent::Head(head)) => self.on_head(head, table.as_deref_mut()),
                Ok(ParseEvent::Body(piece)) => self.on_body(piece),
                Ok(ParseEvent::End(end)) => self.on_end(end.continuation),
                Err(e) => {
                    self.inbound.current = None;
                    self.inbound.wrapper = None;
                    if let Some(tid) = e.transaction_id() {
                        self.on_malformed_response(tid);
                    }
                    if let Some(r) = self.answer_rejected(&e) {
                        self.push_control(&r);
                    }
                    let fatal = e.is_fatal();
                    self.events.push_back(Event::PeerError(e));
                    if fatal {
                        // The stream cannot be framed again: nothing more is read.
                        self.close(CloseReason::PeerError(e));
                        return;
                    }
                }
            }
        }
    }

    /// Queues a response or REPORT.
    pub(crate) fn push_control(&mut self, chunk: &Chunk) {
        self.link.push_control(super::encode(chunk), None);
    }

    fn respond(&mut self, reply: Option<&Reply>, code: u16) {
        let Some(reply) = reply else { return };
        let mut out = BytesMut::with_capacity(128);
        if reply.write(code, &mut out) {
            self.link.push_control(out.freeze(), None);
        }
    }

    /// The response to a request the parser skipped (RFC 4975 section 7.3: 400 for what
    /// cannot be understood), when its head got as far as a From-Path and a To-Path: the
    /// same rules as for any request (section 7.2), read from what was parsed.
    fn answer_rejected(&self, e: &ParseError) -> Option<Chunk> {
        let code = e.status_code()?;
        let tid = *e.transaction_id()?;
        let head = self.link.parser().rejected_head();
        let method = head.method()?;
        let wanted = match head.failure_report() {
            ReportRequest::No => false,
            ReportRequest::Partial | ReportRequest::Yes => true,
        };
        if method == Method::Report || !wanted || head.transaction_id() != Some(tid) {
            return None;
        }
        let local = head.to_path()?.first()?.clone();
        let from = head.from_path()?;
        let to = if method == Method::Send {
            Path::new(from.first()?.clone())
        } else {
            from
        };
        let comment = Some(report::reason_phrase(code));
        Some(Chunk::response(tid, to, Path::new(local), code, comment))
    }

    fn on_head(&mut self, head: ChunkHead, table: Option<&mut SessionTable>) {
        if !head.is_request() {
            self.on_response(&head);
            self.inbound.current = Some(Current::Ignore);
            return;
        }
        // Each request's header fields are read once, here; its paths are not parsed
        // unless they route to no session seen before.
        let fields = head.fields();
        let reply = Reply::new(&head, &fields);
        let session = match fields.to_path {
            Some(to) => self.route_bytes(to, table),
            None => Err(400),
        };
        if let Ok(s) = session {
            self.learn_to_path(s, fields.from_path);
        }
        let current = match (session, head.method()) {
            (Err(code), _) => Current::Answer {
                reply,
                session: None,
                code,
            },
            (Ok(s), Some(Method::Report)) => {
                self.on_report(s, &fields);
                Current::Ignore
            }
            (Ok(s), Some(Method::Send)) => self.accept_send(s, &head, &fields, reply),
            // Any other method, AUTH and NICKNAME included: an endpoint is not a relay
            // (RFC 4976 section 5.3: a client receives requests as RFC 4975 says; only
            // relays act on AUTH, section 6.3), so it is a method this side does not
            // support: 501 (RFC 4975 sections 10.9 and 12), to the whole From-Path
            // (section 7.2, a non-SEND response).
            (Ok(s), _) => Current::Answer {
                reply,
                session: Some(s),
                code: 501,
            },
        };
        self.inbound.current = Some(self.answer_refusal_now(current));
    }

    /// RFC 4975 section 7.2: a response is generated "immediately". A refusal is known at
    /// the head (or part-way through the body), so it goes out at once, and a sender
    /// still writing a long chunk can stop it (section 10.5); a 200 waits for the
    /// end-line, when the chunk has been received.
    fn answer_refusal_now(&mut self, current: Current) -> Current {
        match current {
            Current::Answer {
                reply,
                session,
                code,
            } if code != 200 => {
                self.respond(reply.as_ref(), code);
                self.events.push_back(Event::Rejected { session, code });
                Current::Ignore
            }
            other => other,
        }
    }

    /// Remembers that the message `key` was refused with `code` at its head, so that its
    /// other chunks get `code` too.
    fn refuse_at_head(&mut self, key: (SessionId, String), target: Option<LazyTarget>, code: u16) {
        self.remember(
            key,
            Finished {
                target,
                end: 0,
                total: None,
                refused: Some(code),
            },
        );
    }

    /// Decides what to do with a SEND to session `s`.
    fn accept_send(
        &mut self,
        s: SessionId,
        head: &ChunkHead,
        fields: &HeadFields<'_>,
        reply: Option<Reply>,
    ) -> Current {
        let answer = |reply, code| Current::Answer {
            reply,
            session: Some(s),
            code,
        };
        let Some(message_id) = fields.message_id.map(String::from) else {
            // A bodiless SEND without Message-ID (keep-alive, binding): answer 200.
            let code = if head.has_body() { 400 } else { 200 };
            return answer(reply, code);
        };
        if !head.has_body() {
            return answer(reply, 200);
        }
        let key = (s, message_id);
        let target = LazyTarget::new(fields);
        if let Some(f) = self.inbound.finished.get(&key) {
            if let Some(code) = f.refused {
                return answer(reply, code);
            }
            let report = target.filter(|_| fields.success_report == Some(ReportRequest::Yes));
            return Current::Duplicate { reply, key, report };
        }
        let cfg = &self.sessions[s.0].config;
        let content_type = String::from(fields.content_type.unwrap_or(""));
        let accepted = cfg
            .accept_types
            .iter()
            .any(|p| super::accept::type_matches(p, &content_type));
        // What a wrapper holds is checked once its start has arrived (RFC 4975 section
        // 8.6), unless `*` accepts anything anyway.
        let check_wrapped = wrapped::is_wrapper(&content_type)
            && fields.byte_range.is_none_or(|r| r.start == 1)
            && !cfg.accept_types.iter().any(|p| p.trim() == "*");
        let known = self.inbound.incoming.contains_key(&key);
        if !accepted && !known {
            self.refuse_at_head(key, target, 415);
            return answer(reply, 415);
        }
        let range = fields.byte_range.unwrap_or(ByteRange {
            start: 1,
            end: None,
            total: None,
        });
        let max = cfg.max_message_size;
        if range.total.is_some_and(|t| t > max) || range.start.saturating_sub(1) > max {
            self.drop_incoming(&key, 413);
            if !known {
                self.refuse_at_head(key, target, 413);
            }
            return answer(reply, 413);
        }
        if !known {
            if self.inbound.incoming.len() >= self.config.max_incoming_messages {
                self.refuse_at_head(key, target, 413);
                return answer(reply, 413);
            }
            // Gathered when small and known, and while the budget for gathered messages
            // lasts; streamed otherwise (so memory never depends on what peers declare).
            let budget = self.config.max_gathered_bytes;
            let gather = range.total.filter(|&t| {
                t <= self.config.max_gathered_message
                    && self.inbound.gathered_reserved + t <= budget
            });
            self.inbound.gathered_reserved += gather.unwrap_or(0);
            let max_ranges = self.config.max_ranges();
            let reassembly = if gather.is_some() {
                // A peer sending more than it declared is capped at the per-message limit.
                let cap = max.min(self.config.max_gathered_message);
                Reassembly::gathering(cap, max_ranges)
            } else {
                Reassembly::streaming(max, max_ranges)
            };
            if gather.is_none() {
                self.events.push_back(Event::MessageStarted {
                    session: s,
                    message_id: key.1.clone(),
                    content_type: content_type.clone(),
                    total: range.total,
                });
            }
            let incoming = Incoming {
                reassembly,
                content_type,
                streamed: gather.is_none(),
                success_wanted: fields.success_report == Some(ReportRequest::Yes),
                target,
                declared: range.total,
                reported: 0,
                reserved: gather.unwrap_or(0),
            };
            self.inbound.incoming.insert(key.clone(), incoming);
        }
        if check_wrapped {
            self.inbound.wrapper = Some((Vec::new(), Vec::new()));
        }
        Current::Accept {
            reply,
            total: range.total,
            key,
            start: range.start.saturating_sub(1),
            received: 0,
        }
    }

    fn on_body(&mut self, piece: Bytes) {
        let Some((prefix, held)) = &mut self.inbound.wrapper else {
            return self.accept_piece(piece);
        };
        let room = wrapped::MAX_WRAPPER_HEAD.saturating_sub(prefix.len());
        prefix.extend_from_slice(&piece[..piece.len().min(room)]);
        held.push(piece);
        self.check_wrapper(false);
    }

    /// Decides on the wrapped type once it is known (or the chunk ended): the held pieces
    /// go on, or the message is refused with 415.
    fn check_wrapper(&mut self, chunk_ended: bool) {
        let Some((prefix, _)) = &self.inbound.wrapper else {
            return;
        };
        let inner = match wrapped::inner_type(prefix, chunk_ended) {
            wrapped::Inner::NotYet => return,
            wrapped::Inner::Found(t) => Some(t),
            wrapped::Inner::Absent => None,
        };
        let Some((_, held)) = self.inbound.wrapper.take() else {
            return;
        };
        let Some(Current::Accept { key, .. }) = &self.inbound.current else {
            return;
        };
        let cfg = &self.sessions[key.0.0].config;
        let ok = inner.is_some_and(|t| {
            let mut types = cfg.accept_types.iter().chain(&cfg.accept_wrapped_types);
            types.any(|p| super::accept::type_matches(p, &t))
        });
        if ok {
            for piece in held {
                self.accept_piece(piece);
            }
            return;
        }
        self.refuse_current(415);
    }

    /// Refuses the chunk being received with `code` (answered now, the rest of its body
    /// ignored) and drops its message; later chunks of it get `code` too.
    pub(crate) fn refuse_current(&mut self, code: u16) {
        if let Some(Current::Accept { reply, key, .. }) = self.inbound.current.take() {
            self.inbound.wrapper = None;
            self.drop_incoming(&key, code);
            let answer = Current::Answer {
                reply,
                session: Some(key.0),
                code,
            };
            self.inbound.current = Some(self.answer_refusal_now(answer));
        }
    }

    fn accept_piece(&mut self, piece: Bytes) {
        let Some(Current::Accept {
            key,
            start,
            received,
            ..
        }) = &mut self.inbound.current
        else {
            return;
        };
        let Some(msg) = self.inbound.incoming.get_mut(key) else {
            return;
        };
        let offset = *start + *received;
        let range = ByteRange {
            start: offset + 1,
            end: None,
            total: None,
        };
        match msg.reassembly.add(range, &piece, Continuation::More) {
            Ok(_) => {
                *received += piece.len() as u64;
                let prefix = msg.reassembly.ranges().prefix_len();
                let step = self.config.progress_reports.filter(|_| msg.success_wanted);
                let progress = step
                    .is_some_and(|n| prefix >= msg.reported.saturating_add(n.max(1)))
                    .then(|| {
                        msg.reported = prefix;
                        (msg.target.clone(), msg.reassembly.total().or(msg.declared))
                    });
                let session = key.0;
                if msg.streamed {
                    self.events.push_back(Event::MessageData {
                        session,
                        message_id: key.1.clone(),
                        offset,
                        data: piece,
                    });
                }
                if let Some((target, total)) = progress {
                    self.send_report(session, target.as_ref(), 200, (prefix, total));
                }
            }
            // Too large, or inconsistent: refuse the chunk and drop the message.
            Err(e) => self.refuse_current(reassembly_code(e)),
        }
    }

    fn on_end(&mut self, flag: Continuation) {
        self.check_wrapper(true);
        match self.inbound.current.take() {
            Some(Current::Accept {
                reply,
                total,
                key,
                start,
                received,
            }) => {
                let Some(msg) = self.inbound.incoming.get_mut(&key) else {
                    return;
                };
                if flag == Continuation::Aborted {
                    self.take_incoming(&key);
                    self.respond(reply.as_ref(), 200);
                    self.events.push_back(Event::MessageAborted {
                        session: key.0,
                        message_id: key.1,
                    });
                    return;
                }
                let range = ByteRange {
                    start: start + received + 1,
                    end: None,
                    total,
                };
                match msg.reassembly.add(range, &[], flag) {
                    Err(e) => {
                        let code = reassembly_code(e);
                        self.drop_incoming(&key, code);
                        self.respond(reply.as_ref(), code);
                        self.events.push_back(Event::Rejected {
                            session: Some(key.0),
                            code,
                        });
                    }
                    Ok(p) => {
                        self.respond(reply.as_ref(), 200);
                        if p.complete {
                            self.complete(key);
                        }
                    }
                }
            }
            Some(Current::Duplicate { reply, key, report }) => {
                self.respond(reply.as_ref(), 200);
                let total = self.inbound.finished.get(&key).map(|f| f.end);
                if let (Continuation::Complete, Some(total)) = (flag, total) {
                    self.send_report(key.0, report.as_ref(), 200, (total, Some(total)));
                }
                self.events.push_back(Event::DuplicateReceived {
                    session: key.0,
                    message_id: key.1,
                });
            }
            // Refusals were answered at the head (`answer_refusal_now`): what is left to
            // answer here is a 200.
            Some(Current::Answer { reply, code, .. }) => self.respond(reply.as_ref(), code),
            Some(Current::Ignore) | None => {}
        }
    }

    fn complete(&mut self, key: (SessionId, String)) {
        let Some(mut msg) = self.take_incoming(&key) else {
            return;
        };
        let total = msg.reassembly.total().unwrap_or(0);
        if msg.success_wanted {
            self.send_report(key.0, msg.target.as_ref(), 200, (total, Some(total)));
        }
        self.remember(
            key.clone(),
            Finished {
                target: msg.target.clone(),
                end: total,
                total: Some(total),
                refused: None,
            },
        );
        if msg.streamed {
            self.events.push_back(Event::MessageComplete {
                session: key.0,
                message_id: key.1,
                total,
            });
        } else {
            let body = Bytes::from(msg.reassembly.take_data().unwrap_or_default());
            self.events.push_back(Event::MessageReceived {
                session: key.0,
                message_id: key.1,
                content_type: msg.content_type,
                body,
            });
        }
    }

    /// Drops a message being received that this side refused with `code`; its later
    /// chunks get `code` too.
    pub(super) fn drop_incoming(&mut self, key: &(SessionId, String), code: u16) {
        if let Some(msg) = self.take_incoming(key) {
            if msg.streamed {
                self.events.push_back(Event::MessageRefused {
                    session: key.0,
                    message_id: key.1.clone(),
                    code,
                });
            }
            self.remember(
                key.clone(),
                Finished {
                    target: msg.target,
                    end: msg.reassembly.ranges().iter().last().map_or(0, |r| r.1),
                    total: msg.reassembly.total(),
                    refused: Some(code),
                },
            );
        }
    }

    /// Removes an incoming message, giving back its share of the gathering budget.
    fn take_incoming(&mut self, key: &(SessionId, String)) -> Option<Incoming> {
        let msg = self.inbound.incoming.remove(key)?;
        self.inbound.gathered_reserved -= msg.reserved;
        Some(msg)
    }

    fn remember(&mut self, key: Key, f: Finished) {
        self.inbound.finished.insert(key, f);
    }

    /// Drops what `session` was receiving (it closed).
    pub(crate) fn inbound_end_session(&mut self, session: SessionId) {
        // The chunk being received is for a session that no longer exists.
        if matches!(&self.inbound.current, Some(Current::Accept { key, .. }) if key.0 == session) {
            self.refuse_current(481);
        }
        let keys: Vec<_> = self
            .inbound
            .incoming
            .keys()
            .filter(|k| k.0 == session)
            .cloned()
            .collect();
        for k in keys {
            self.take_incoming(&k);
        }
        self.inbound.finished.forget_session(session);
    }

    /// Forgets everything being received (the connection closed).
    pub(crate) fn inbound_clear(&mut self) {
        self.inbound = Inbound::new(self.config.remembered_messages);
    }
}
