//! CPIM messages (RFC 3862), IMDN disposition notifications (RFC 5438) and is-composing
//! indications (RFC 3994): what RCS and SIP chat clients put inside MSRP SEND bodies.
//!
//! ```
//! use msrp_cpim::{CpimMessage, ParseOptions, Quirk};
//!
//! // Parse (strict: RFC 3862, CRLF line ends, a blank line after each header block).
//! let wire = b"From: Alice <im:alice@example.com>\r\n\
//!     To: Bob <im:bob@example.com>\r\n\
//!     NS: im <urn:ietf:params:imdn>\r\n\
//!     im.Message-ID: 34jk324j\r\n\
//!     DateTime: 2006-04-04T12:16:49-05:00\r\n\
//!     im.Disposition-Notification: positive-delivery, display\r\n\
//!     \r\n\
//!     Content-Type: text/plain\r\n\
//!     \r\n\
//!     Hello World";
//! let msg = CpimMessage::parse(&wire[..])?;
//! assert_eq!(msg.from().map(|a| a.uri()), Some("im:alice@example.com"));
//! assert_eq!(msg.datetime(), Some("2006-04-04T12:16:49-05:00"));
//! assert_eq!(msg.content_type().as_deref(), Some("text/plain"));
//! assert_eq!(&msg.body()[..], b"Hello World");
//! // IMDN headers are found by their namespace, whatever the prefix (here `im`).
//! assert_eq!(msg.imdn_message_id(), Some("34jk324j"));
//! let dn = msg.disposition_notification().expect("asked for");
//! assert!(dn.positive_delivery() && dn.display() && !dn.negative_delivery());
//!
//! // Build, print, parse again.
//! let built = CpimMessage::builder()
//!     .from("Alice <im:alice@example.com>")
//!     .to("Bob <im:bob@example.com>")
//!     .datetime("2006-04-04T12:16:49-05:00")
//!     .ns("imdn", "urn:ietf:params:imdn")
//!     .header("imdn.Message-ID", "34jk324j")
//!     .content_type("text/plain")
//!     .body("Hello World")
//!     .build()?;
//! assert_eq!(CpimMessage::parse(built.to_bytes())?, built);
//!
//! // Tolerant parsing accepts what real clients send, and says what it let pass.
//! let (msg, quirks) = CpimMessage::parse_with(
//!     &b"from: <im:alice@example.com>\nContent-Type: text/plain\n\nhi"[..],
//!     &ParseOptions::TOLERANT,
//! )?;
//! assert!(quirks.contains(Quirk::BareLf) && quirks.contains(Quirk::HeaderNameCase));
//! assert!(quirks.contains(Quirk::MissingSeparator));
//! assert_eq!(msg.from().map(|a| a.uri()), Some("im:alice@example.com"));
//! # Ok::<(), msrp_cpim::CpimError>(())
//! ```
//!
//! # Errors and limits
//!
//! Parsing never panics. A failure is a [`CpimError`]: a [`CpimErrorKind`] (with a stable
//! [`name`](CpimErrorKind::name)) and the byte offset where it was found. A header field
//! longer than [`ParseOptions::max_header_len`] or a header block with more than
//! [`ParseOptions::max_headers`] fields is refused, so the work and memory one message can
//! cost is bounded; parsing is one forward pass. Header values and the body are slices of
//! the input [`bytes::Bytes`], not copies.
//!
//! # IMDN and is-composing
//!
//! The IMDN CPIM headers have typed accessors on [`CpimMessage`]
//! ([`imdn_message_id`](CpimMessage::imdn_message_id),
//! [`disposition_notification`](CpimMessage::disposition_notification), ...) and builder
//! methods. The `message/imdn+xml` document is [`Imdn`] and the is-composing document
//! [`IsComposing`] (parsed and printed with the `xml` feature). [`Composer`] and
//! [`RemoteComposing`] are sans-IO state machines for typing indications: they take the
//! time as a [`core::time::Duration`] since an epoch the caller picks.
//!
//! # Features
//!
//! - `std` (default): `std::error::Error` through `core::error::Error`; without it the crate
//!   is `no_std` with `alloc`.
//! - `xml` (default, implies `std`): the IMDN and is-composing XML documents, with
//!   quick-xml (which needs std). The CPIM parser, the IMDN headers and the state machines
//!   do not need it.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod builder;
mod error;
mod imdn;
mod iscomposing;
mod message;
mod options;
mod parse;
mod syntax;
#[cfg(feature = "xml")]
mod xml;

pub use builder::CpimBuilder;
pub use error::{CpimError, CpimErrorKind};
pub use imdn::{
    Disposition, DispositionNotification, IMDN_CONTENT_TYPE, IMDN_NAMESPACE, IMDN_PREFIX,
    IMDN_XML_NAMESPACE,
};
pub use iscomposing::{
    Composer, ComposerConfig, ComposingState, DEFAULT_IDLE_TIMEOUT, DEFAULT_RECEIVER_REFRESH,
    DEFAULT_REFRESH, ISCOMPOSING_CONTENT_TYPE, ISCOMPOSING_XML_NAMESPACE, IsComposing,
    RemoteComposing,
};
pub use message::{CPIM_NAMESPACE, CpimMessage, Header, MimeHeader, Params, Subject};
pub use options::{DEFAULT_MAX_HEADER_LEN, DEFAULT_MAX_HEADERS, Mode, ParseOptions, Quirk, Quirks};
pub use syntax::{NameAddr, escape, is_date_time, unescape};
#[cfg(feature = "xml")]
pub use xml::{
    DeliveryStatus, DisplayStatus, Imdn, ImdnSubject, MAX_XML_LEN, Notification, ProcessingStatus,
    XmlError, XmlErrorKind,
};
