//! SDP for MSRP media: `m=message` descriptions, `a=path`, accept-types, the file transfer
//! attributes of RFC 5547, setup/connection (RFC 6135), msrp-cema (RFC 6714), chatroom
//! (RFC 7701); parse, edit and print, keeping every line a user did not change.
//!
//! ```
//! use msrp_sdp::{ParseOptions, Proto, SessionDescription};
//!
//! let offer = "v=0\r\no=alice 2890844526 2890844527 IN IP4 alice.example.com\r\ns=-\r\n\
//!     c=IN IP4 alice.example.com\r\nt=0 0\r\nm=message 7394 TCP/MSRP *\r\n\
//!     a=accept-types:text/plain\r\na=path:msrp://alice.example.com:7394/2s93i9ek2a;tcp\r\n";
//! let sdp: SessionDescription = offer.parse()?;
//! let media = &sdp.media[0];
//! assert_eq!(media.proto(), Proto::TcpMsrp);
//! assert_eq!(media.accept_types(), ["text/plain"]);
//! let path = media.path().expect("a=path").expect("valid URIs");
//! assert_eq!(path.last().and_then(|u| u.session_id()), Some("2s93i9ek2a"));
//! assert_eq!(sdp.to_string(), offer); // printing keeps every line
//!
//! // RFC 4976 writes `a=accept-types: message/cpim`: tolerated, and reported.
//! let (frag, quirks) = SessionDescription::parse_with(
//!     b"c=IN IP4 a.example.com\r\nm=message 1234 TCP/MSRP *\r\na=accept-types: message/cpim\r\n",
//!     &ParseOptions::TOLERANT.fragment(),
//! )?;
//! assert_eq!(frag.media[0].accept_types(), ["message/cpim"]);
//! assert_eq!(quirks.len(), 1);
//! # Ok::<(), msrp_sdp::SdpError>(())
//! ```
//!
//! Building: [`MsrpMediaBuilder`] and [`OfferBuilder`]. Offer/answer: [`answer`] (accept-types
//! intersection with wildcards, setup roles, file transfer direction, CEMA, transports),
//! [`may_send`] (the 415 check) and [`to_path`].
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod builder;
mod error;
mod file_transfer;
mod line;
mod media;
mod offer_answer;
mod options;
mod session;

pub use builder::{MsrpMediaBuilder, OfferBuilder};
pub use error::{SdpError, SdpErrorKind, SdpQuirk};
pub use file_transfer::{FileDate, FileHash, FileRange, FileSelector};
pub use line::{Attribute, Line};
pub use media::{ConnectionAttr, Direction, MediaDescription, Proto, Setup};
pub use msrp_uri as uri;
pub use offer_answer::{
    Answer, LocalPrefs, RejectReason, SetupChoice, answer, answer_session, intersect, may_send,
    to_path, type_matches,
};
pub use options::{DEFAULT_MAX_LEN, DEFAULT_MAX_LINES, ParseOptions};
pub use session::SessionDescription;
