//! What the sessions this side opens or offers are like.

#[cfg(feature = "tls")]
use std::sync::Arc;

use msrp_proto::connection::{ConnectionConfig, DEFAULT_MAX_MESSAGE_SIZE, SessionConfig};
use msrp_uri::{Path, Uri};

/// Default for [`Config::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Settings for [`connect`](crate::connect) and [`Listener`](crate::Listener): the core's
/// connection limits, what sessions accept, and TLS. Start from `default()`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Limits and policies of each connection (queue sizes, timers, chunk sizes).
    pub connection: ConnectionConfig,
    /// Types accepted (local `a=accept-types`); others get 415. Default `*`.
    pub accept_types: Vec<String>,
    /// Types accepted inside `message/cpim` and other wrappers.
    pub accept_wrapped_types: Vec<String>,
    /// Largest message received (local `a=max-size`); larger ones get 413.
    pub max_message_size: u64,
    /// Connections a [`Listener`](crate::Listener) serves at once; one more is closed as
    /// soon as it is accepted, so that a flood of connections cannot take memory without
    /// bound. Default [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// How a client checks `msrps` servers.
    #[cfg(feature = "tls")]
    pub tls_client: Option<Arc<tokio_rustls::rustls::ClientConfig>>,
    /// What a listener presents to `msrps` clients; with it, every accepted connection
    /// is TLS.
    #[cfg(feature = "tls")]
    pub tls_server: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// How often a WebSocket connection sends a Ping (RFC 7977 section 6); `None` for
    /// never. Default [`crate::ws::DEFAULT_KEEPALIVE`].
    #[cfg(feature = "ws")]
    pub ws_keepalive: Option<std::time::Duration>,
    /// The largest WebSocket message taken from a peer (one chunk, RFC 7977 section 5.1),
    /// in bytes: the WebSocket layer holds a message whole before the chunk parser sees
    /// it, so this bounds what each connection may make this side buffer. A larger one
    /// closes the connection (WebSocket status 1009). Default
    /// [`crate::ws::DEFAULT_MAX_WS_MESSAGE`].
    #[cfg(feature = "ws")]
    pub ws_max_message: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // Large reads are handed out as they arrive; messages up to 1 MiB whole.
            connection: ConnectionConfig::default(),
            accept_types: vec!["*".into()],
            accept_wrapped_types: Vec::new(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            #[cfg(feature = "tls")]
            tls_client: None,
            #[cfg(feature = "tls")]
            tls_server: None,
            #[cfg(feature = "ws")]
            ws_keepalive: Some(crate::ws::DEFAULT_KEEPALIVE),
            #[cfg(feature = "ws")]
            ws_max_message: crate::ws::DEFAULT_MAX_WS_MESSAGE,
        }
    }
}

impl Config {
    /// Sets the connection limits.
    #[must_use]
    pub fn connection(mut self, c: ConnectionConfig) -> Self {
        self.connection = c;
        self
    }

    /// Sets the accepted types.
    #[must_use]
    pub fn accept_types<I: IntoIterator<Item = S>, S: Into<String>>(mut self, types: I) -> Self {
        self.accept_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the types accepted inside wrappers.
    #[must_use]
    pub fn accept_wrapped_types<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        types: I,
    ) -> Self {
        self.accept_wrapped_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the largest message received.
    #[must_use]
    pub fn max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets how many connections a listener serves at once.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Sets how `msrps` servers are checked.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_client(mut self, c: Arc<tokio_rustls::rustls::ClientConfig>) -> Self {
        self.tls_client = Some(c);
        self
    }

    /// Sets what a listener presents (its connections are then TLS).
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_server(mut self, c: Arc<tokio_rustls::rustls::ServerConfig>) -> Self {
        self.tls_server = Some(c);
        self
    }

    /// Sets how often WebSocket connections send a Ping (`None`: never).
    #[cfg(feature = "ws")]
    #[must_use]
    pub fn ws_keepalive(mut self, every: Option<std::time::Duration>) -> Self {
        self.ws_keepalive = every;
        self
    }

    /// Sets [`Config::ws_max_message`].
    #[cfg(feature = "ws")]
    #[must_use]
    pub fn ws_max_message(mut self, bytes: usize) -> Self {
        self.ws_max_message = bytes;
        self
    }

    /// The core's session settings for a session between `local` and `to`.
    pub fn session(&self, local: Uri, to: Path) -> SessionConfig {
        SessionConfig::new(local, to)
            .accept_types(self.accept_types.iter().cloned())
            .accept_wrapped_types(self.accept_wrapped_types.iter().cloned())
            .max_message_size(self.max_message_size)
    }
}
