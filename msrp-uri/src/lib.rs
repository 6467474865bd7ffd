//! MSRP URIs (RFC 4975 section 6): parse, build, print and compare.
//!
//! ```
//! use msrp_uri::{Host, ParseOptions, Path, Quirk, Scheme, Transport, Uri};
//!
//! // Parse (strict: RFC 4975 section 9 and RFC 3986 section 3.2).
//! let uri: Uri = "msrps://alice@relay.example.net:2855/98cjs;ws".parse()?;
//! assert_eq!(uri.scheme(), Scheme::Msrps);
//! assert_eq!(uri.userinfo(), Some("alice"));
//! assert_eq!(uri.host(), Host::RegName("relay.example.net"));
//! assert_eq!(uri.port(), Some(2855));
//! assert_eq!(uri.session_id(), Some("98cjs"));
//! assert_eq!(uri.transport(), Transport::Ws);
//!
//! // Compare as MSRP does (RFC 4975 section 6.1): userinfo ignored, host case-insensitive.
//! let other: Uri = "MSRPS://Relay.Example.NET:2855/98cjs;WS".parse()?;
//! assert!(uri.matches(&other));
//! assert_ne!(uri, other); // `==` is identity of the canonical text
//!
//! // Tolerant parsing accepts what real peers send, and says what it let pass.
//! let (uri, quirks) = Uri::parse_with(b"msrp://192.0.2.1/s1;tcp ", &ParseOptions::TOLERANT)?;
//! assert!(quirks.contains(Quirk::NumericHostWithoutPort));
//! assert!(quirks.contains(Quirk::Whitespace));
//! assert_eq!(uri.to_string(), "msrp://192.0.2.1/s1;tcp");
//!
//! // URI lists: To-Path, From-Path, Use-Path, SDP a=path.
//! let to: Path = "msrp://relay.example.net:2855/r1;tcp msrp://bob.example.com:8888/9di4;tcp".parse()?;
//! assert_eq!(to.first().map(Uri::host_str), Some("relay.example.net"));
//! assert_eq!(to.last().and_then(Uri::session_id), Some("9di4"));
//! # Ok::<(), msrp_uri::UriError>(())
//! ```
//!
//! # Errors and limits
//!
//! Parsing never panics. A failure is a [`UriError`]: an [`UriErrorKind`] that names the
//! grammar rule broken and the byte offset where it was found. Input longer than
//! [`ParseOptions::max_uri_len`] is rejected before it is read, and a list longer than
//! [`ParseOptions::max_path_uris`] URIs is cut off with an error, so the work and memory a
//! peer can cause is bounded by the options. Parsing is one forward pass: linear time.
//!
//! # Features
//!
//! - `std` (default): nothing beyond `std::error::Error` through `core::error::Error`; the
//!   crate is `no_std` with `alloc` without it.
//! - `arbitrary`: `arbitrary::Arbitrary` for [`Uri`] and [`Path`], for fuzzing.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod builder;
mod chars;
mod compare;
mod error;
mod fast;
mod host;
mod options;
mod parser;
mod path;
mod scheme;
mod transport;
mod uri;

pub use builder::UriBuilder;
pub use error::{UriError, UriErrorKind};
pub use host::Host;
pub use options::{
    DEFAULT_MAX_PATH_URIS, DEFAULT_MAX_URI_LEN, MAX_URI_LEN_CAP, Mode, ParseOptions, Quirk, Quirks,
};
pub use path::Path;
pub use scheme::Scheme;
pub use transport::Transport;
pub use uri::{Param, Uri};
