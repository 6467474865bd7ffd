//! MSRP (RFC 4975) over tokio: the public async crate on top of the sans-IO `msrp-proto`
//! core, as quinn sits on quinn-proto.
//!
//! One task per transport connection owns a [`msrp_proto::connection::Connection`] and
//! drives it: it reads into a reused buffer, writes each batch of chunks the core fills
//! into one buffer, sleeps until the deadline the core asks for, and stops reading while
//! the application does not keep up. The application holds a cloneable [`Session`] to
//! send with and an [`Incoming`] stream of what arrives.
//!
//! ```
//! use msrp_tokio::{Config, Listener, Received, connect};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), msrp_tokio::Error> {
//! // Bob listens and offers a session; its URI would go in his SDP (`a=path`).
//! let mut bob = Listener::bind("127.0.0.1:0", Config::default()).await?;
//! let bob_uri = bob.new_uri()?;
//! let placeholder = msrp_tokio::uri::Path::new(bob_uri.clone());
//! bob.offer(Config::default().session(bob_uri.clone(), placeholder).learn_to_path(true))
//!     .expect("a new URI");
//!
//! // Alice connects to Bob's path and sends; `send` resolves on the success REPORT.
//! let (alice, _alice_in) = connect(&bob_uri.clone().into(), &Config::default()).await?;
//! let sent = alice.send("text/plain", "Hello, Bob").await?;
//!
//! let (_session, mut incoming) = bob.accept().await.expect("the session is bound");
//! let Some(Received::Message { body, message_id, .. }) = incoming.recv().await else {
//!     panic!("a message")
//! };
//! assert_eq!(&body[..], b"Hello, Bob");
//! assert_eq!(message_id, sent.message_id());
//! # Ok(())
//! # }
//! ```
//!
//! Features: `tls` (default; `msrps` with rustls), `self-signed` (certificates made at run
//! time, [`tls::SelfSigned`]), `ws` (MSRP over WebSocket, RFC 7977, with
//! tokio-tungstenite: [`connect`] reaches `;ws` URIs, `connect_ws` a WebSocket URL from
//! signaling, `Listener::bind_ws` serves WebSocket clients; one chunk per WebSocket
//! message; see the `ws` module). Without `ws`, [`connect`] answers `ws` URIs with
//! [`Error::Unsupported`].
#![forbid(unsafe_code)]

mod clock;
pub mod codec;
mod command;
mod config;
mod connect;
mod driver;
mod error;
mod listener;
mod random;
mod received;
pub mod relay;
pub mod relay_server;
mod session;
#[cfg(feature = "tls")]
pub mod tls;
#[cfg(feature = "ws")]
pub mod ws;

pub use config::{Config, DEFAULT_MAX_CONNECTIONS};
pub use connect::{DEFAULT_PORT, Io, connect, connect_over, open_stream};
pub use error::Error;
pub use listener::Listener;
pub use random::OsRandom;
pub use received::{Received, Sent};
pub use relay::{Attached, Relay, attach, connect_via};
pub use relay_server::{RelayServer, RelayServerConfig};
pub use session::{Incoming, SendOptions, Session};
#[cfg(feature = "ws")]
pub use ws::connect_ws;

pub use msrp_proto as proto;
pub use msrp_proto::connection::{CloseReason, ConnectionConfig, FailReason, Progress};
pub use msrp_uri as uri;
