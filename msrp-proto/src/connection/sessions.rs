//! The sessions a connection carries: adding, finding the one a request is for (RFC 4975
//! section 5.4, RFC 6714), binding from a listener's table, and closing.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use bytes::Bytes;
use msrp_uri::{ParseOptions, Path, Uri};

use super::event::{Event, FailReason, SessionId};
use super::table::Lookup;
use super::{Connection, SendError, SessionConfig, SessionTable};
use crate::time::Instant;
use crate::wire::RandomSource;

/// A session on the connection.
pub(crate) struct Session {
    pub(crate) config: SessionConfig,
    /// `local_uri` as a From-Path, built once.
    pub(crate) from_path: Path,
    /// The To-Path and From-Path of its requests as written, built once.
    pub(crate) to_text: String,
    pub(crate) from_text: String,
    /// Not closed.
    pub(crate) open: bool,
    /// `to_path` is waiting for the first request (`SessionConfig::learn_to_path`).
    pub(crate) learning: bool,
}

impl<R: RandomSource> Connection<R> {
    /// Binds a session to this connection.
    pub fn add_session(&mut self, config: SessionConfig) -> SessionId {
        let from_path = Path::new(config.local_uri.clone());
        let to_text = config.to_path.to_string();
        let from_text = from_path.to_string();
        self.sessions.push(Session {
            from_path,
            to_text,
            from_text,
            open: true,
            learning: config.learn_to_path,
            config,
        });
        SessionId(self.sessions.len() - 1)
    }

    /// A session's configuration, while it is open.
    pub fn session_config(&self, session: SessionId) -> Option<&SessionConfig> {
        self.sessions
            .get(session.0)
            .filter(|s| s.open)
            .map(|s| &s.config)
    }

    /// `SessionConfig::learn_to_path`: a request's From-Path becomes the session's
    /// To-Path, once.
    pub(crate) fn learn_to_path(&mut self, session: SessionId, from: Option<&[u8]>) {
        let Some(s) = self.sessions.get_mut(session.0).filter(|s| s.learning) else {
            return;
        };
        let Some(Ok((path, _))) = from.map(|f| Path::parse_with(f, &ParseOptions::TOLERANT)) else {
            return;
        };
        s.to_text = path.to_string();
        s.config.to_path = path;
        s.learning = false;
    }

    pub(crate) fn is_open(&self, session: SessionId) -> bool {
        self.sessions.get(session.0).is_some_and(|s| s.open)
    }

    /// Sessions not closed, on this connection. RFC 4975 section 5.4: a connection should
    /// not be closed while sessions use it; once this is 0 the driver may close it.
    pub fn open_sessions(&self) -> usize {
        self.sessions.iter().filter(|s| s.open).count()
    }

    /// The open session whose local URI `target` names (by session-id alone for CEMA).
    pub(crate) fn session_for(&self, target: &Uri) -> Option<SessionId> {
        self.sessions
            .iter()
            .position(|s| {
                s.open
                    && (s.config.local_uri.matches(target)
                        || (s.config.cema && s.config.local_uri.matches_session_id(target)))
            })
            .map(SessionId)
    }

    /// [`Connection::route`] for a To-Path as received:
    /// the To-Path that routed last is remembered as bytes, so the chunks of a session
    /// find it without parsing their To-Path.
    pub(crate) fn route_bytes(
        &mut self,
        to: &[u8],
        table: Option<&mut SessionTable>,
    ) -> Result<SessionId, u16> {
        if let Some((bytes, s)) = &self.route_cache {
            if bytes[..] == *to && self.is_open(*s) {
                return Ok(*s);
            }
        }
        let (path, _) = Path::parse_with(to, &ParseOptions::TOLERANT).map_err(|_| 400u16)?;
        let s = self.route(&path, table)?;
        // A copy: a part of the head would keep the parser's buffer alive.
        self.route_cache = Some((Bytes::copy_from_slice(to), s));
        Ok(s)
    }

    /// The session a request to `to` is for: one of this connection's, or one `table`
    /// binds to it now; `Err(code)` when there is none (481) or it is bound elsewhere (506).
    pub(crate) fn route(
        &mut self,
        to: &Path,
        table: Option<&mut SessionTable>,
    ) -> Result<SessionId, u16> {
        // RFC 4975 section 7.3: the To-Path has one URI when it reaches the endpoint, the
        // relays having removed theirs (RFC 4976 section 6.4); the first is the one that
        // names this side.
        let target = to.first().ok_or(481u16)?;
        if let Some(s) = self.session_for(target) {
            return Ok(s);
        }
        let (Some(table), Some(id)) = (table, self.table_id) else {
            return Err(481);
        };
        match table.bind(target, id) {
            Lookup::Unknown => Err(481),
            Lookup::BoundElsewhere => Err(506),
            // A session this side closed stays closed on this connection (481), even if
            // the listener's table still offers it.
            Lookup::Bound(config)
                if self
                    .sessions
                    .iter()
                    .any(|s| !s.open && s.config.local_uri.matches(&config.local_uri)) =>
            {
                Err(481)
            }
            Lookup::Bound(config) => {
                let local_uri = config.local_uri.clone();
                let session = self.add_session(config);
                self.events
                    .push_back(Event::SessionBound { session, local_uri });
                Ok(session)
            }
        }
    }

    /// Ends a session on this connection (its SDP session ended, e.g. by a SIP BYE):
    /// messages it is still sending stop (a chunk being written ends with `#`) and each
    /// gets [`Event::SendFailed`] with [`FailReason::SessionClosed`]; messages it is
    /// receiving are dropped; later requests for it get 481. [`Event::SessionClosed`]
    /// follows. Returns how many sessions are still open on the connection.
    pub fn close_session(&mut self, now: Instant, session: SessionId) -> Result<usize, SendError> {
        let _ = now;
        if !self.is_open(session) {
            return Err(SendError::UnknownSession);
        }
        self.end_session(session, FailReason::SessionClosed);
        Ok(self.open_sessions())
    }

    /// Fails what `session` sends, drops what it receives, frees its state.
    pub(crate) fn end_session(&mut self, session: SessionId, reason: FailReason) {
        for h in self.out.of_session(session) {
            self.out.stop(h, Some(reason), &mut self.events);
        }
        self.inbound_end_session(session);
        if let Some(s) = self.sessions.get_mut(session.0) {
            s.open = false;
            s.config.accept_types = Vec::new();
            s.config.accept_wrapped_types = Vec::new();
        }
        self.events.push_back(Event::SessionClosed { session });
    }
}
