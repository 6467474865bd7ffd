//! Authenticating to MSRP relays (RFC 4976): the client side.
//!
//! - [`digest`]: HTTP Digest (RFC 2617 section 3.2) as RFC 4976 section 9.1 profiles it:
//!   parsing a `WWW-Authenticate` challenge and an `Authentication-Info`, computing the
//!   `Authorization` of an AUTH request (MD5, `qop=auth`, a cnonce and a nonce count).
//! - The AUTH transaction itself (challenge, answer, 423 retry, refresh before expiry) runs
//!   on the endpoint connection: see
//!   [`Connection::authenticate`](crate::connection::Connection::authenticate).
//!
//! Computing digests needs the `auth` feature (on by default: it brings the `md-5` crate);
//! parsing works without it.

pub mod digest;

pub use digest::{AuthInfo, Challenge, Credentials, DigestError};
