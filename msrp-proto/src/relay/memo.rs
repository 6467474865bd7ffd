//! The route a connection's last request took. A sender repeats its paths chunk after
//! chunk, so the next request with the same To-Path and From-Path bytes, the same method,
//! the same authorisation state of its connection and an unchanged session table goes the
//! same way (RFC 4976 section 6.4 decides it from nothing else): it is forwarded without
//! parsing, comparing or copying its URIs again, and without looking for the next hop's
//! connection.

use alloc::vec::Vec;
use bytes::Bytes;
use msrp_uri::Path;

use super::queue::ConnRef;
use super::route::Routed;
use crate::wire::Method;

/// The longest To-Path and From-Path (together, in bytes) whose route is remembered:
/// typical paths are a few hundred bytes, and a connection should not hold several copies
/// of a head-sized path (the paths, their parse, the rendered lines) for as long as it
/// lives.
pub(crate) const MAX_PATH_BYTES: usize = 2048;

/// What decided a route, and the route.
#[derive(Debug)]
pub(crate) struct RouteMemo {
    to: Vec<u8>,
    from: Vec<u8>,
    method: Option<Method>,
    authenticated: bool,
    sessions: u64,
    /// The From-Path as received (before routing moved this relay's URIs onto it).
    pub(crate) received_from: Path,
    pub(crate) routed: Routed,
    /// The connection it went out on.
    pub(crate) down: ConnRef,
    /// `To-Path: ...` CRLF `From-Path: ...` CRLF of the routed paths, as forwarded.
    pub(crate) paths: Bytes,
}

/// What a request brings to the comparison with a [`RouteMemo`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    pub(crate) to: &'a [u8],
    pub(crate) from: &'a [u8],
    pub(crate) method: Option<Method>,
    pub(crate) authenticated: bool,
    /// [`super::route::Sessions::generation`].
    pub(crate) sessions: u64,
}

impl RouteMemo {
    /// `None` for paths over [`MAX_PATH_BYTES`].
    pub(crate) fn new(
        key: Key<'_>,
        received_from: Path,
        routed: Routed,
        down: ConnRef,
        paths: Bytes,
    ) -> Option<RouteMemo> {
        if key.to.len() + key.from.len() > MAX_PATH_BYTES {
            return None;
        }
        Some(RouteMemo {
            to: key.to.to_vec(),
            from: key.from.to_vec(),
            method: key.method,
            authenticated: key.authenticated,
            sessions: key.sessions,
            received_from,
            routed,
            down,
            paths,
        })
    }

    /// Whether a request with `key` goes the same way.
    pub(crate) fn matches(&self, key: &Key<'_>) -> bool {
        self.sessions == key.sessions
            && self.method == key.method
            && self.authenticated == key.authenticated
            && self.to == key.to
            && self.from == key.from
    }
}
