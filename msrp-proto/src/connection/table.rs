//! Sessions waiting for the connection that will carry them: the listening side of RFC
//! 4975 section 5.4.
//!
//! A listening endpoint hands out URIs in its SDP before any connection exists. When a
//! connection is accepted, it cannot know which session it carries until the first request
//! arrives: the request's To-Path names the session, the connection is bound to it, and a
//! request for a session already bound to another connection gets 506 (section 10.10), one
//! for no session 481.
//!
//! The driver keeps one [`SessionTable`] for all the connections a listening socket
//! accepts and passes it to [`Connection::handle_input_with`](super::Connection::handle_input_with).
//! Binding adds the session to the connection and reports
//! [`Event::SessionBound`](super::Event::SessionBound). The active side, which knows its
//! connection, uses [`Connection::add_session`](super::Connection::add_session) instead.

use alloc::vec::Vec;
use msrp_uri::Uri;

use super::SessionConfig;

/// A connection, as a [`SessionTable`] knows it (see [`Connection::table_id`](super::Connection::table_id)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionId(pub(crate) u64);

/// Why [`SessionTable::insert`] refused a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a session with an equivalent local URI is already in the table")]
pub struct DuplicateSession;

struct Entry {
    config: SessionConfig,
    bound: Option<ConnectionId>,
}

/// What the table says about a request's target URI.
pub(crate) enum Lookup {
    /// Not in the table: 481.
    Unknown,
    /// Bound to another connection: 506.
    BoundElsewhere,
    /// Now bound to the asking connection.
    Bound(SessionConfig),
}

/// Sessions offered by a listening endpoint, and the connection each is bound to.
///
/// ```
/// use msrp_proto::connection::{SessionConfig, SessionTable};
///
/// let mut table = SessionTable::new();
/// let config = SessionConfig::new(
///     "msrp://bob.example.com:8888/9di4;tcp".parse()?,
///     "msrp://alice.example.com:7777/iau39;tcp".parse()?,
/// )
/// .accept_types(["text/plain"]);
/// table.insert(config.clone()).expect("a new session");
/// assert!(table.insert(config).is_err());
/// # Ok::<(), msrp_proto::uri::UriError>(())
/// ```
#[derive(Default)]
pub struct SessionTable {
    entries: Vec<Entry>,
    next_connection: u64,
}

impl core::fmt::Debug for SessionTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(
                self.entries
                    .iter()
                    .map(|e| (e.config.local_uri.as_str(), e.bound)),
            )
            .finish()
    }
}

impl SessionTable {
    /// An empty table.
    pub fn new() -> SessionTable {
        SessionTable::default()
    }

    /// Offers a session (from the local SDP): the first connection whose request names
    /// its URI gets it. Refused when an equivalent URI (RFC 4975 section 6.1) is in the
    /// table already.
    pub fn insert(&mut self, config: SessionConfig) -> Result<(), DuplicateSession> {
        if self
            .entries
            .iter()
            .any(|e| e.config.local_uri.matches(&config.local_uri))
        {
            return Err(DuplicateSession);
        }
        self.entries.push(Entry {
            config,
            bound: None,
        });
        Ok(())
    }

    /// Withdraws a session (it ended); returns its parameters.
    pub fn remove(&mut self, local_uri: &Uri) -> Option<SessionConfig> {
        let i = self
            .entries
            .iter()
            .position(|e| e.config.local_uri.matches(local_uri))?;
        Some(self.entries.swap_remove(i).config)
    }

    /// The connection a session is bound to, if any.
    pub fn bound_to(&self, local_uri: &Uri) -> Option<ConnectionId> {
        self.entries
            .iter()
            .find(|e| e.config.local_uri.matches(local_uri))?
            .bound
    }

    /// Forgets the bindings of a connection that closed: its sessions can be bound again
    /// by the next connection that asks for them (remove them instead if they ended).
    pub fn release(&mut self, connection: ConnectionId) {
        for e in &mut self.entries {
            if e.bound == Some(connection) {
                e.bound = None;
            }
        }
    }

    /// How many sessions the table holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table holds no session.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A new connection's id.
    pub(crate) fn new_connection(&mut self) -> ConnectionId {
        self.next_connection += 1;
        ConnectionId(self.next_connection)
    }

    /// Finds the session a request for `target` is for and binds it to `connection` (RFC
    /// 4975 section 5.4), matching by URI or, for CEMA sessions, by session-id alone.
    pub(crate) fn bind(&mut self, target: &Uri, connection: ConnectionId) -> Lookup {
        let found = self.entries.iter_mut().find(|e| {
            e.config.local_uri.matches(target)
                || (e.config.cema && e.config.local_uri.matches_session_id(target))
        });
        match found {
            None => Lookup::Unknown,
            Some(e) if e.bound.is_some_and(|c| c != connection) => Lookup::BoundElsewhere,
            Some(e) => {
                e.bound = Some(connection);
                Lookup::Bound(e.config.clone())
            }
        }
    }
}
