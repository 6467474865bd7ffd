//! Which URIs are the relay's, the authorisations it handed out, and where a request
//! goes next (RFC 4976 sections 6.2 and 6.4).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};

use msrp_uri::{Path, Uri};

use super::queue::ConnRef;
use crate::time::Instant;
use crate::wire::Method;

/// The default MSRP port (RFC 4975 section 15.4, RFC 4976 section 8): an absent port in a
/// To-Path URI of AUTH means it.
const DEFAULT_PORT: u16 = 2855;

/// One authorisation: a Use-Path URI bound to the connection its AUTH came on.
#[derive(Debug, Clone)]
pub(crate) struct Authorization {
    pub(crate) uri: Uri,
    pub(crate) conn: ConnRef,
    pub(crate) expires_at: Instant,
    /// The last From-Path URI of its AUTH: the client.
    pub(crate) client: Uri,
}

/// The authorisations by session id, with their expiry order.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    pub(crate) by_id: BTreeMap<String, Authorization>,
    pub(crate) expiries: BTreeSet<(Instant, String)>,
    /// Counts the changes (an authorisation added or removed): a remembered route
    /// ([`super::memo::RouteMemo`]) holds only while it is unchanged.
    pub(crate) generation: u64,
}

impl Sessions {
    pub(crate) fn insert(&mut self, id: String, auth: Authorization) {
        self.generation += 1;
        self.expiries.insert((auth.expires_at, id.clone()));
        self.by_id.insert(id, auth);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Authorization> {
        let a = self.by_id.remove(id)?;
        self.generation += 1;
        self.expiries.remove(&(a.expires_at, id.to_string()));
        Some(a)
    }

    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.expiries.first().map(|(t, _)| *t)
    }

    /// The ids expired at `now`.
    pub(crate) fn expired(&self, now: Instant) -> alloc::vec::Vec<String> {
        self.expiries
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// The ids bound to `conn`.
    pub(crate) fn of_conn(&self, conn: ConnRef) -> alloc::vec::Vec<String> {
        self.by_id
            .iter()
            .filter(|(_, a)| a.conn == conn)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// Whether `u` names this relay (`me`): same scheme, host (case-insensitive), port (absent
/// = 2855) and transport; the session id and userinfo are not compared.
pub(crate) fn is_ours(me: &Uri, u: &Uri) -> bool {
    // The cheap comparisons first: every chunk routes through here a few times. Transport
    // tokens compare case-insensitively (RFC 4975 section 6.1), as `Transport` does.
    u.port().unwrap_or(DEFAULT_PORT) == me.port().unwrap_or(DEFAULT_PORT)
        && u.scheme() == me.scheme()
        && u.host_str().eq_ignore_ascii_case(me.host_str())
        && u.transport_str().eq_ignore_ascii_case(me.transport_str())
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// An AUTH for this relay.
    Local,
    /// Toward the client of an authorisation, over its connection.
    Client(ConnRef),
    /// To a next hop that is not this relay.
    Hop(Uri),
}

/// Why a request cannot be routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unroutable {
    /// The first To-Path URI is not ours: drop the connection (RFC 4976 section 6.2).
    NotOurs,
    /// Answer with this code.
    Code(u16),
}

/// What a request's paths look like once the relay's URIs are moved from the front of
/// its To-Path to the front of its From-Path (RFC 4976 section 6.4.1), and where it goes.
#[derive(Debug)]
pub(crate) struct Routed {
    pub(crate) route: Route,
    pub(crate) to: Path,
    pub(crate) from: Path,
    /// The first To-Path URI as received: ours (the From-Path of our responses).
    pub(crate) local: Uri,
}

/// The connection a request arrived on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrival {
    pub(crate) conn: ConnRef,
    /// It holds a live authorisation.
    pub(crate) authenticated: bool,
    /// The relay forwards for anyone ([`super::RelayConfig::require_auth`] off).
    pub(crate) open: bool,
    /// [`super::RelayConfig::check_sender`].
    pub(crate) check_sender: bool,
}

/// Routes a request that arrived on `arrival` (RFC 4976 section 6.4): its first To-Path
/// URI must be ours; a Use-Path URI bound to `arrival` (the client itself sends) lets it
/// go on to the next To-Path URI; a Use-Path URI bound to another connection sends it
/// toward that client, over that connection (so a guessed URI never lets a sender use
/// another client's authorisation as its own: "either 1) the next hop is the next hop
/// back toward the client that obtained this URI, or 2) the previous hop was the correct
/// previous hop coming from the client that obtained this URI"); the bare relay URI is
/// the AUTH target when it is the last, and otherwise forwards only for a connection
/// that holds an authorisation (or any when `open`).
pub(crate) fn route(
    me: &Uri,
    sessions: &Sessions,
    from_conn: Arrival,
    method: Option<Method>,
    mut to: Path,
    mut from: Path,
) -> Result<Routed, Unroutable> {
    let Arrival {
        conn: arrival,
        authenticated,
        open,
        check_sender,
    } = from_conn;
    let local = to.first().cloned().ok_or(Unroutable::Code(400))?;
    if !is_ours(me, &local) {
        return Err(Unroutable::NotOurs);
    }
    // A request coming from a node that claims to be us as its previous hop is forged.
    if from.first().is_some_and(|u| is_ours(me, u)) {
        return Err(Unroutable::Code(403));
    }
    loop {
        let Some(u) = to.first().cloned() else {
            return Err(Unroutable::Code(481));
        };
        if !is_ours(me, &u) {
            return Ok(Routed {
                route: Route::Hop(u),
                to,
                from,
                local,
            });
        }
        match u.session_id() {
            Some(id) => {
                let auth = sessions
                    .by_id
                    .get(id)
                    .filter(|a| a.uri.matches(&u))
                    .ok_or(Unroutable::Code(481))?;
                // The client sends through its own URI: it must be the client that
                // authenticated (the sender, the last From-Path URI, is the AUTH's).
                if auth.conn == arrival
                    && check_sender
                    && !from.last().is_some_and(|f| f.matches(&auth.client))
                {
                    return Err(Unroutable::Code(403));
                }
                to.pop_front();
                from.push_front(u);
                if auth.conn != arrival {
                    if to.is_empty() {
                        return Err(Unroutable::Code(481));
                    }
                    return Ok(Routed {
                        route: Route::Client(auth.conn),
                        to,
                        from,
                        local,
                    });
                }
            }
            None => {
                if to.len() == 1 {
                    return if method == Some(Method::Auth) {
                        Ok(Routed {
                            route: Route::Local,
                            to,
                            from,
                            local,
                        })
                    } else {
                        Err(Unroutable::Code(481))
                    };
                }
                if !(open || authenticated) {
                    return Err(Unroutable::Code(403));
                }
                to.pop_front();
                from.push_front(u);
            }
        }
    }
}
