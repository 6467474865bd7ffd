//! Forwarding requests and responses (RFC 4976 section 6.4), hop-by-hop answers and
//! failure REPORTs (RFC 4975 sections 7.1.2 and 7.2, RFC 4976 section 6.4.1).

use alloc::string::ToString;
use bytes::{BufMut, Bytes, BytesMut};
use msrp_uri::{Path, Uri};

use super::event::{CloseCause, ConnId, RelayEvent};
use super::memo;
use super::queue::{ConnRef, Resume};
use super::route::{self, Route, Routed, Unroutable};
use super::{CredentialSource, Relay, Rx, State};
use crate::report::{self, ReportTarget, reason_phrase};
use crate::transaction::Expect;
use crate::wire::{
    Chunk, ChunkHead, ChunkParser, HeadFields, Method, ParseError, RandomSource, ReportRequest,
    TransactionId, random_id,
};

/// What a forwarded request needs when its response (or its failure) comes.
#[derive(Debug, Clone)]
pub(crate) struct Fwd {
    upstream: ConnRef,
    upstream_tid: TransactionId,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// A SEND: answered hop by hop already; failures become a REPORT to `target` when it
    /// allows them.
    Send {
        target: Option<ReportTarget>,
        local: Uri,
        range: (u64, Option<u64>, Option<u64>),
        received: u64,
    },
    /// Any other request: its response goes back to the sender; a failure is answered
    /// with a response to the whole From-Path as received.
    Other { from: Path, local: Uri },
}

impl Fwd {
    /// The rest of the chunk goes on in a new chunk from body position `next`.
    pub(crate) fn continued(&mut self, next: u64) {
        if let Kind::Send {
            range, received, ..
        } = &mut self.kind
        {
            *range = (next, None, range.2);
            *received = 0;
        }
    }

    /// `n` more body bytes of the request arrived.
    pub(crate) fn received(&mut self, n: u64) {
        if let Kind::Send { received, .. } = &mut self.kind {
            *received += n;
        }
    }
}

/// [`response`] from what routing found already: the request's fields and its From-Path
/// as received (not parsed again).
fn response_with(
    request: &ChunkHead,
    f: &HeadFields<'_>,
    from: &Path,
    local: &Uri,
    code: u16,
) -> Option<Bytes> {
    let method = request.method()?;
    if !report::response_due(Some(method), f.failure_report, code) {
        return None;
    }
    let to = if method == Method::Send {
        Path::new(from.first()?.clone())
    } else {
        from.clone()
    };
    let tid = request.transaction_id();
    let chunk = Chunk::response(
        tid,
        to,
        Path::new(local.clone()),
        code,
        Some(reason_phrase(code)),
    );
    encode(&chunk)
}

/// A response to `request` with `code`, when one is due (RFC 4975 section 7.2): To-Path
/// the first From-Path URI of a SEND (the whole From-Path otherwise), From-Path `local`.
fn response(request: &ChunkHead, local: &Uri, code: u16) -> Option<Bytes> {
    if !report::response_wanted(request, code) {
        return None;
    }
    let chunk = Chunk::response_to(request, local.clone(), code, Some(reason_phrase(code)))?;
    encode(&chunk)
}

pub(crate) fn encode(chunk: &Chunk) -> Option<Bytes> {
    let mut out = BytesMut::new();
    chunk.encode(&mut out).ok()?;
    Some(out.freeze())
}

/// The answer to a request the parser refused but could frame (RFC 4975 section 7.3: 400
/// for what cannot be understood), when its head got as far as its paths.
pub(crate) fn answer_rejected(parser: &ChunkParser, e: &ParseError) -> Option<(u16, Bytes)> {
    let code = e.status_code()?;
    let tid = *e.transaction_id()?;
    let head = parser.rejected_head();
    let method = head.method()?;
    if method == Method::Report
        || head.failure_report() == ReportRequest::No
        || head.transaction_id() != Some(tid)
    {
        return None;
    }
    let local = head.to_path()?.first()?.clone();
    let from = head.from_path()?;
    let to = if method == Method::Send {
        Path::new(from.first()?.clone())
    } else {
        from
    };
    let chunk = Chunk::response(tid, to, Path::new(local), code, Some(reason_phrase(code)));
    Some((code, encode(&chunk)?))
}

/// The header lines of `head` other than To-Path and From-Path, as received.
fn other_headers(head: &ChunkHead, out: &mut BytesMut) {
    // Read in one pass: To-Path and From-Path are the first two lines, and what follows
    // them goes as it came, in one copy.
    if let Some(rest) = head.lines_after_paths() {
        out.put_slice(rest);
        return;
    }
    split_headers(head, out, None);
}

/// [`other_headers`], with Byte-Range left out and the MIME header fields (from the
/// first `Content-` one on) written to `mime` instead, when given.
fn split_headers(head: &ChunkHead, out: &mut BytesMut, mut mime: Option<&mut BytesMut>) {
    let mut in_mime = false;
    for (_, line) in head.header_lines() {
        if line.is_empty() {
            continue;
        }
        let name = line.split(|&b| b == b':').next().unwrap_or(&[]);
        if name.eq_ignore_ascii_case(b"To-Path") || name.eq_ignore_ascii_case(b"From-Path") {
            continue;
        }
        let dst = match mime.as_deref_mut() {
            Some(m) => {
                if name.eq_ignore_ascii_case(b"Byte-Range") {
                    continue;
                }
                in_mime |= name.len() > 8 && name[..8].eq_ignore_ascii_case(b"Content-");
                if in_mime { m } else { &mut *out }
            }
            None => &mut *out,
        };
        dst.put_slice(line);
        dst.put_slice(b"\r\n");
    }
}

fn put_paths(out: &mut BytesMut, to: &Path, from: &Path) {
    out.put_slice(b"To-Path: ");
    put_path(out, to);
    out.put_slice(b"\r\nFrom-Path: ");
    put_path(out, from);
    out.put_slice(b"\r\n");
}

/// A path as its Display writes it (URIs as held, one SP between), without a String.
fn put_path(out: &mut BytesMut, path: &Path) {
    for (i, u) in path.iter().enumerate() {
        if i > 0 {
            out.put_u8(b' ');
        }
        out.put_slice(u.as_str().as_bytes());
    }
}

/// Where a request goes, as routing found it.
#[derive(Debug, Clone, Copy)]
struct Way<'a> {
    /// The connection it goes out on.
    down: ConnRef,
    routed: &'a Routed,
    /// The From-Path as received, when what goes back to the sender needs it.
    received_from: Option<&'a Path>,
    /// `To-Path` and `From-Path` lines of the routed paths.
    paths: &'a [u8],
}

impl<R: RandomSource, C: CredentialSource> Relay<R, C> {
    /// A request arrived on `conn`.
    pub(super) fn on_request(&mut self, conn: ConnId, head: &ChunkHead) {
        let Some(me) = self.conn_ref(conn) else {
            return;
        };
        // The fields routing and forwarding read, found in one pass over the head.
        let f = head.fields();
        let method = head.method();
        // The From-Path as received, for what `forward` may send back (a failure REPORT
        // of a SEND, its 200, the response to other requests).
        let keep_from = match method {
            Some(Method::Send) => f.failure_report != Some(ReportRequest::No),
            Some(Method::Report) => false,
            _ => true,
        };
        let authenticated = self.conns.get(&conn).is_some_and(|c| c.auths > 0);
        let key = f.to_path.zip(f.from_path).map(|(to, from)| memo::Key {
            to,
            from,
            method,
            authenticated,
            sessions: self.sessions.generation,
        });
        // The same paths as the last request's: the same route (see `memo`), if the
        // connection it went out on is still there.
        let memo = self.conns.get_mut(&conn).and_then(|c| c.memo.take());
        if let (Some(m), Some(k)) = (memo, &key) {
            let live = self
                .conn_mut(m.down)
                .is_some_and(|d| d.state != State::Closing);
            if live && m.matches(k) {
                let from = keep_from.then_some(&m.received_from);
                let way = Way {
                    down: m.down,
                    routed: &m.routed,
                    received_from: from,
                    paths: &m.paths,
                };
                self.forward(me, head, &f, way);
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.memo = Some(m);
                }
                return;
            }
        }
        let paths = self
            .conns
            .get_mut(&conn)
            .and_then(|c| c.paths.of(f.to_path, f.from_path));
        let (Some((to, from)), Some(key)) = (paths, key) else {
            return self.refuse(conn, head, None, 400);
        };
        // Kept before routing rewrites it, so that it is parsed once.
        let received_from = from.clone();
        let routed = route::route(
            &self.config.uri,
            &self.sessions,
            route::Arrival {
                conn: me,
                authenticated,
                open: !self.config.require_auth,
                check_sender: self.config.check_sender,
            },
            method,
            to,
            from,
        );
        let routed = match routed {
            Ok(r) => r,
            Err(Unroutable::NotOurs) => return self.close_conn(conn, CloseCause::NotAddressedToUs),
            Err(Unroutable::Code(code)) => {
                let local = head.to_path().ok().and_then(|p| p.first().cloned());
                return self.refuse(conn, head, local.as_ref(), code);
            }
        };
        let down = match routed.route.clone() {
            Route::Local => return self.on_auth(conn, head, &routed),
            Route::Client(down) => down,
            Route::Hop(uri) => match self.hop(&uri) {
                Some(down) => down,
                None => return self.refuse(conn, head, Some(&routed.local), 408),
            },
        };
        let mut rendered = BytesMut::new();
        put_paths(&mut rendered, &routed.to, &routed.from);
        let rendered = rendered.freeze();
        let from = keep_from.then_some(&received_from);
        let way = Way {
            down,
            routed: &routed,
            received_from: from,
            paths: &rendered,
        };
        self.forward(me, head, &f, way);
        let m = memo::RouteMemo::new(key, received_from, routed, down, rendered);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.memo = m;
        }
    }

    /// Answers `head` with `code` (if an answer is due) and reports it.
    pub(super) fn refuse(
        &mut self,
        conn: ConnId,
        head: &ChunkHead,
        local: Option<&Uri>,
        code: u16,
    ) {
        let local = local
            .cloned()
            .or_else(|| head.to_path().ok().and_then(|p| p.first().cloned()));
        if let Some(bytes) = local.and_then(|l| response(head, &l, code)) {
            self.push_control(conn, bytes);
        }
        self.events.push_back(RelayEvent::Refused { conn, code });
    }

    /// A connection to the next hop `uri`: one open (or being opened) to its host and
    /// port, or a new one the driver is asked for. `None` at the connection limit.
    fn hop(&mut self, uri: &Uri) -> Option<ConnRef> {
        let port = uri.port().unwrap_or(2855);
        let host = uri.host_str();
        let found = self.conns.iter().find(|(_, c)| {
            c.state != State::Closing
                && c.remote
                    .as_ref()
                    .is_some_and(|(h, p)| *p == port && h.eq_ignore_ascii_case(host))
        });
        if let Some((id, c)) = found {
            return Some(ConnRef {
                id: *id,
                epoch: c.epoch,
            });
        }
        if self.conns.len() >= self.config.max_connections {
            return None;
        }
        let id = ConnId(self.next_outgoing);
        self.next_outgoing = self.next_outgoing.wrapping_add(1).max(ConnId::OUTGOING);
        let c = self.new_conn(State::Connecting, Some((host.into(), port)));
        let r = ConnRef { id, epoch: c.epoch };
        self.conns.insert(id, c);
        self.events.push_back(RelayEvent::Connect {
            conn: id,
            uri: uri.clone(),
        });
        Some(r)
    }

    /// Starts forwarding `head` from `up` the way routing found.
    fn forward(&mut self, up: ConnRef, head: &ChunkHead, f: &HeadFields<'_>, way: Way<'_>) {
        let Way {
            down,
            routed,
            received_from,
            paths,
        } = way;
        let method = head.method();
        let expect = match method {
            Some(Method::Send) => Expect::from_failure_report(f.failure_report),
            Some(Method::Report) => Expect::Nothing,
            _ => Expect::Response,
        };
        let room = match self.conn_mut(down) {
            Some(d) if d.state != State::Closing => expect != Expect::Response || d.tx.has_room(),
            _ => false,
        };
        if !room {
            let code = if self.conn_mut(down).is_some() {
                403
            } else {
                408
            };
            return self.refuse(up.id, head, Some(&routed.local), code);
        }
        let tid = random_id(&mut self.rng);
        let range = f.byte_range;
        // A SEND's 200 goes to the first From-Path URI as received.
        let ok = match (method, received_from) {
            (Some(Method::Send), Some(from)) => response_with(head, f, from, &routed.local, 200),
            _ => None,
        };
        let kind = if method == Some(Method::Send) {
            let range = range.map_or((1, None, None), |r| (r.start, r.end, r.total));
            // The From-Path as received: the way back to the sender.
            let failure = f.failure_report.unwrap_or(ReportRequest::Yes);
            let target = received_from
                .zip(f.message_id)
                .map(|(to_path, id)| ReportTarget {
                    to_path: to_path.clone(),
                    message_id: id.into(),
                    failure,
                })
                .filter(ReportTarget::failure_allowed);
            Kind::Send {
                target,
                local: routed.local.clone(),
                range,
                received: 0,
            }
        } else {
            Kind::Other {
                from: received_from.unwrap_or(&routed.from).clone(),
                local: routed.local.clone(),
            }
        };
        let fwd = Fwd {
            upstream: up,
            upstream_tid: head.transaction_id(),
            kind,
        };
        let mut out = BytesMut::with_capacity(head.raw().len() + 64);
        out.put_slice(b"MSRP ");
        out.put_slice(tid.as_bytes());
        out.put_u8(b' ');
        out.put_slice(head.method_name().unwrap_or("SEND").as_bytes());
        out.put_slice(b"\r\n");
        // A SEND with a body of more than 2048 bytes (or an unknown length) may be cut
        // into more chunks downstream (RFC 4976 section 6.4.1): its range-end becomes `*`
        // (RFC 4975 section 7.1.1), the rest of its head is kept to continue it.
        let interruptible = method == Some(Method::Send)
            && head.has_body()
            && f.message_id.is_some()
            && range.is_some_and(|r| r.end.is_none_or(|e| e.saturating_sub(r.start) >= 2048));
        let mut resume = None;
        if let (true, Some(r)) = (interruptible, range) {
            let mut before = BytesMut::new();
            let mut after = BytesMut::new();
            before.put_slice(paths);
            split_headers(head, &mut before, Some(&mut after));
            after.put_slice(b"\r\n");
            let total = r
                .total
                .map_or(alloc::string::String::from("*"), |t| t.to_string());
            out.put_slice(&before);
            out.put_slice(alloc::format!("Byte-Range: {}-*/{total}\r\n", r.start).as_bytes());
            out.put_slice(&after);
            resume = Some(Resume {
                before: before.freeze(),
                after: after.freeze(),
                next: r.start,
                total: r.total,
                expect,
                fwd: fwd.clone(),
            });
        } else {
            out.put_slice(paths);
            other_headers(head, &mut out);
            if head.has_body() {
                out.put_slice(b"\r\n");
            }
        }
        self.next_stream += 1;
        let stream = self.next_stream;
        let Some(d) = self.conn_mut(down) else {
            return;
        };
        let _ = d.tx.insert(tid, expect, fwd);
        d.out
            .open_stream(stream, up, out.freeze(), tid, head.has_body(), resume);
        self.mark_ready(down.id);
        if let Some(u) = self.conn_mut(up) {
            u.probation = None;
            u.feeds = Some(down);
            u.rx = Rx::Forward { down, stream, ok };
        }
        self.flow(down.id);
    }

    /// A response arrived on `conn` (RFC 4976 section 6.4.3).
    pub(super) fn on_response(&mut self, conn: ConnId, head: &ChunkHead) {
        let tid = head.transaction_id();
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let Some((_, fwd)) = c.tx.on_response(&tid) else {
            return; // matches nothing: dropped (RFC 4975 section 7.2)
        };
        c.probation = None;
        let code = head.status_code().unwrap_or(0);
        match fwd.kind {
            Kind::Send { .. } => {
                if code != 200 {
                    self.fail_forwarded(fwd, code);
                }
            }
            Kind::Other { .. } => {
                let (Ok(mut to), Ok(mut from)) = (head.to_path(), head.from_path()) else {
                    return;
                };
                let me = &self.config.uri;
                let mut moved = 0;
                while to.len() > 1 && to.first().is_some_and(|u| route::is_ours(me, u)) {
                    if let Some(u) = to.pop_front() {
                        from.push_front(u);
                    }
                    moved += 1;
                }
                if moved == 0 {
                    return; // not addressed to us: dropped (section 6.4.3)
                }
                let mut out = BytesMut::with_capacity(head.raw().len() + 64);
                out.put_slice(b"MSRP ");
                out.put_slice(fwd.upstream_tid.as_bytes());
                out.put_slice(b" ");
                out.put_slice(alloc::format!("{code:03}").as_bytes());
                if let Some(c) = head.comment() {
                    out.put_u8(b' ');
                    out.put_slice(c.as_bytes());
                }
                out.put_slice(b"\r\n");
                put_paths(&mut out, &to, &from);
                other_headers(head, &mut out);
                out.put_slice(b"-------");
                out.put_slice(fwd.upstream_tid.as_bytes());
                out.put_slice(b"$\r\n");
                if let Some(u) = self.conn_mut(fwd.upstream) {
                    u.out.push_control(out.freeze());
                    self.mark_ready(fwd.upstream.id);
                }
            }
        }
    }

    /// A forwarded request failed with `code` downstream (an error response, a timeout,
    /// a connection gone): a failure REPORT for a SEND that allows one (RFC 4976 section
    /// 6.4.1), an error response for other requests (never for REPORTs).
    pub(super) fn fail_forwarded(&mut self, fwd: Fwd, code: u16) {
        let bytes = match &fwd.kind {
            Kind::Send {
                target: Some(t),
                local,
                range: (start, end, total),
                received,
            } => {
                let end = end.unwrap_or_else(|| (start + received).saturating_sub(1).max(*start));
                let tid = random_id(&mut self.rng);
                let report = t.report(
                    tid,
                    local.clone(),
                    code,
                    Some(reason_phrase(code)),
                    (*start, end, *total),
                );
                encode(&report)
            }
            Kind::Send { target: None, .. } => None,
            Kind::Other { from, local } => {
                let chunk = Chunk::response(
                    fwd.upstream_tid,
                    from.clone(),
                    Path::new(local.clone()),
                    code,
                    Some(reason_phrase(code)),
                );
                encode(&chunk)
            }
        };
        if let (Some(b), Some(u)) = (bytes, self.conn_mut(fwd.upstream)) {
            if u.state != State::Connecting {
                u.out.push_control(b);
                self.mark_ready(fwd.upstream.id);
            }
        }
    }
}
