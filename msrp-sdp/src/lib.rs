//! SDP for MSRP media: `m=message` descriptions, `a=path`, accept-types, file transfer
//! attributes, offer/answer.
//!
//! This crate is being built; today it offers the URI layer that `a=path` uses, re-exported
//! as [`uri`]. The SDP parser, builder and offer/answer land in the following releases (see
//! the workspace README for the RFC coverage table).
//!
//! ```
//! use msrp_sdp::uri::Path;
//!
//! // The value of an a=path attribute (RFC 4975 section 8.2) is a URI list.
//! let path: Path = "msrp://atlanta.example.com:7654/jshA7weztas;tcp".parse()?;
//! assert_eq!(path.len(), 1);
//! # Ok::<(), msrp_sdp::uri::UriError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use msrp_uri as uri;
