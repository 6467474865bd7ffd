//! Sans-IO MSRP (RFC 4975): the wire codec, transactions, sessions and relays.
//!
//! This crate is being built; today it offers the URI layer it is built on, re-exported as
//! [`uri`]. The chunk parser and serializer, sessions and the relay state machine land in
//! the following releases (see the workspace README for the RFC coverage table).
//!
//! ```
//! use msrp_proto::uri::{Path, Uri};
//!
//! // The To-Path of a SEND names the next hop first and the destination last.
//! let to_path: Path = "msrp://bob.example.com:8888/9di4eae923wzd;tcp".parse()?;
//! let local: Uri = "msrp://BOB.example.com:8888/9di4eae923wzd;TCP".parse()?;
//! assert!(to_path.last().is_some_and(|u| u.matches(&local)));
//! # Ok::<(), msrp_proto::uri::UriError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod limits;
pub mod wire;

pub use limits::{
    DEFAULT_MAX_GATHERED_BODY, DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADERS, DEFAULT_MAX_START_LINE,
    DEFAULT_MAX_TID_LEN, DEFAULT_MIN_BODY_PIECE, Limits,
};
pub use msrp_uri as uri;
pub use msrp_uri::Mode;
