//! A session's parameters and a connection's limits and policies.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use crate::Limits;
use crate::chunking::ChunkPolicy;
use crate::link::Framing;
use crate::transaction::DEFAULT_MAX_PENDING;
use msrp_uri::{Mode, Path, Uri};

/// A session's parameters, usually from the SDP offer/answer.
///
/// ```
/// use msrp_proto::connection::SessionConfig;
///
/// let config = SessionConfig::new(
///     "msrp://bob.example.com:8888/9di4eae923wzd;tcp".parse()?,
///     "msrp://alice.example.com:7777/iau39soe2843z;tcp".parse()?,
/// )
/// .accept_types(["text/plain", "message/cpim"])
/// .max_message_size(1 << 20);
/// assert_eq!(config.accept_types, ["text/plain", "message/cpim"]);
/// # Ok::<(), msrp_proto::uri::UriError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionConfig {
    /// This endpoint's URI in the session (the last URI of its `a=path`).
    pub local_uri: Uri,
    /// Where requests go (the To-Path, RFC 4975 section 7.1): this side's relays (see
    /// [`SessionConfig::relays`]), then the peer's `a=path` (which holds the peer's
    /// relays, then the peer).
    pub to_path: Path,
    /// This side's relays, in the order its requests visit them: the Use-Path of its
    /// (outermost) AUTH (RFC 4976 section 5.1). They are also at the front of `to_path`;
    /// kept here for [`SessionConfig::local_path`]. Empty: no relay of its own.
    pub relays: Vec<Uri>,
    /// Types this endpoint accepts (local `a=accept-types`); others get 415.
    pub accept_types: Vec<String>,
    /// Types it accepts inside containers (local `a=accept-wrapped-types`).
    pub accept_wrapped_types: Vec<String>,
    /// Largest message it receives (local `a=max-size`); larger ones get 413.
    pub max_message_size: u64,
    /// Match incoming requests by session-id only (RFC 6714, CEMA).
    pub cema: bool,
    /// `to_path` is not known yet: the From-Path of the session's first request becomes
    /// it, and until then sends are refused ([`SendError::NoPeerPath`](super::SendError::NoPeerPath)).
    /// For an endpoint without signalling (a test tool handing out its URI), never when
    /// an SDP offer or answer gave the peer's path (RFC 4975 section 8.1).
    pub learn_to_path: bool,
}

/// Default for [`SessionConfig::max_message_size`]: 1 GiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 1 << 30;

impl SessionConfig {
    /// A session from this endpoint's URI to the peer's path, accepting every type
    /// (`*`), messages up to [`DEFAULT_MAX_MESSAGE_SIZE`], not CEMA. (There is no
    /// `Default`: a session has no meaningful URI without one.)
    pub fn new(local_uri: Uri, to_path: Path) -> SessionConfig {
        SessionConfig {
            local_uri,
            to_path,
            relays: Vec::new(),
            accept_types: vec![String::from("*")],
            accept_wrapped_types: Vec::new(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            cema: false,
            learn_to_path: false,
        }
    }

    /// Sends through this side's relays: `use_path`, the Use-Path of the AUTH
    /// ([`Event::Authorized`](super::Event::Authorized)), goes in front of the peer's path
    /// in `to_path` (RFC 4976 section 5.1: the client "takes the list of URIs in the
    /// Use-Path header after the outermost authentication and appends the list of URIs
    /// provided in the path attribute in the peer's session description"). Relays set
    /// before are replaced.
    ///
    /// ```
    /// use msrp_proto::connection::SessionConfig;
    /// use msrp_proto::uri::Path;
    ///
    /// let use_path: Path = "msrps://relay.example.com:9000/hjdhfha;tcp".parse()?;
    /// let config = SessionConfig::new(
    ///     "msrps://bob.example.com:1234/fuige;tcp".parse()?,
    ///     "msrp://a.example.com:1234/agic456;tcp".parse()?,
    /// )
    /// .relays(&use_path);
    /// assert_eq!(
    ///     config.to_path.to_string(),
    ///     "msrps://relay.example.com:9000/hjdhfha;tcp msrp://a.example.com:1234/agic456;tcp"
    /// );
    /// // Bob's a=path in RFC 4976 section 11.
    /// assert_eq!(
    ///     config.local_path().to_string(),
    ///     "msrps://relay.example.com:9000/hjdhfha;tcp msrps://bob.example.com:1234/fuige;tcp"
    /// );
    /// # Ok::<(), msrp_proto::uri::UriError>(())
    /// ```
    #[must_use]
    pub fn relays(mut self, use_path: &Path) -> Self {
        for old in core::mem::take(&mut self.relays) {
            if self.to_path.len() > 1 && self.to_path.first().is_some_and(|u| u.matches(&old)) {
                self.to_path.pop_front();
            }
        }
        for uri in use_path.iter().rev() {
            self.to_path.push_front(uri.clone());
        }
        self.relays = use_path.iter().cloned().collect();
        self
    }

    /// The path to advertise in the SDP `a=path` (RFC 4975 section 8.3, RFC 4976 section
    /// 5.1): this side's relays in reverse order (the peer reaches the outermost first),
    /// then [`SessionConfig::local_uri`]. Without relays, just the local URI.
    pub fn local_path(&self) -> Path {
        let mut p: Path = self.relays.iter().rev().cloned().collect();
        p.push_back(self.local_uri.clone());
        p
    }

    /// Sets the accepted types (local `a=accept-types`).
    #[must_use]
    pub fn accept_types<I: IntoIterator<Item = S>, S: Into<String>>(mut self, types: I) -> Self {
        self.accept_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the types accepted inside containers (local `a=accept-wrapped-types`).
    #[must_use]
    pub fn accept_wrapped_types<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        types: I,
    ) -> Self {
        self.accept_wrapped_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the largest message received (local `a=max-size`).
    #[must_use]
    pub fn max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Matches requests by session-id only (RFC 6714).
    #[must_use]
    pub fn cema(mut self, yes: bool) -> Self {
        self.cema = yes;
        self
    }

    /// Takes the To-Path from the session's first request ([`SessionConfig::learn_to_path`]).
    #[must_use]
    pub fn learn_to_path(mut self, yes: bool) -> Self {
        self.learn_to_path = yes;
        self
    }
}

/// Limits and policies of a connection. Start from `default()` and change what you need
/// with the setters (each named as its field).
///
/// ```
/// use msrp_proto::connection::ConnectionConfig;
/// use msrp_proto::Mode;
///
/// let config = ConnectionConfig::default().mode(Mode::Strict).max_queued_bytes(1 << 20);
/// assert_eq!(config.max_queued_bytes, 1 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Codec limits.
    pub limits: Limits,
    /// Strict or tolerant parsing of what the peer sends.
    pub mode: Mode,
    /// Most bytes queued for sending (message bodies not yet sent plus control traffic);
    /// beyond it sending is refused with `SendError::WouldBlock`, and `Event::Writable`
    /// follows once there is room again.
    pub max_queued_bytes: usize,
    /// Most transactions waiting for responses (RFC 4975 section 7.1.1). While the table
    /// is full no new chunk is started (sending waits for responses or timeouts).
    pub max_pending_transactions: usize,
    /// Messages up to this size are delivered whole (`Event::MessageReceived`); larger
    /// or of unknown size, streamed (`Event::MessageData`).
    pub max_gathered_message: u64,
    /// Most bytes held at once for incoming messages being gathered (the sum of their
    /// declared sizes); a message that would exceed it is streamed instead. Each gathered
    /// message is also capped at `max_gathered_message` bytes.
    pub max_gathered_bytes: u64,
    /// Most incoming messages in progress at once; chunks of further messages are refused
    /// with 413 (the receiver cannot take them now).
    pub max_incoming_messages: usize,
    /// Most bytes of bookkeeping per incoming message for the byte ranges received so far
    /// (16 bytes per separate range): a message arriving in many small chunks in any order
    /// is fine as long as its gaps fit; one that needs more gets 413.
    pub max_range_bytes: usize,
    /// How outgoing messages are cut into chunks.
    pub chunk_policy: ChunkPolicy,
    /// Most bytes written per transmit (stream framing); also how many body bytes a
    /// message sends in one turn while other messages wait.
    pub max_transmit: usize,
    /// Byte stream or WebSocket messages.
    pub framing: Framing,
    /// How long written bytes of a streamed message may wait to be gathered into a chunk
    /// of at least 2048 bytes before they are sent anyway.
    pub stream_gather_delay: Duration,
    /// How long a message that asked for a success REPORT waits for it once every chunk
    /// was answered (RFC 4975 sets no limit; many peers never send one): then it ends in
    /// `SendFailed` with `FailReason::NoReport` and its state is freed.
    pub report_timeout: Duration,
    /// Incremental success REPORTs (RFC 4975 section 7.1.3): when a message asks for
    /// success reports, also send one each time this many more bytes from its start have
    /// arrived, covering all of them (the sender's progress). `None`: one REPORT per
    /// message, when it is complete.
    pub progress_reports: Option<u64>,
    /// How many messages are remembered after their end (at least one): received ones
    /// (complete or refused), so that `Connection::report_failure` can still reach them
    /// and later chunks of a refused one are refused too; sent ones, so that a failure
    /// REPORT arriving after their 200 responses still ends in `Event::SendFailed`.
    pub remembered_messages: usize,
}

/// Default for [`ConnectionConfig::report_timeout`]: two minutes.
pub const DEFAULT_REPORT_TIMEOUT: Duration = Duration::from_secs(120);

/// Default for [`ConnectionConfig::stream_gather_delay`].
pub const DEFAULT_STREAM_GATHER_DELAY: Duration = Duration::from_millis(10);

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            limits: Limits::DEFAULT,
            mode: Mode::Tolerant,
            max_queued_bytes: 16 * 1024 * 1024,
            max_pending_transactions: DEFAULT_MAX_PENDING,
            max_gathered_message: 1024 * 1024,
            max_gathered_bytes: 16 * 1024 * 1024,
            max_incoming_messages: 64,
            max_range_bytes: 64 * 1024,
            chunk_policy: ChunkPolicy::AsFewAsPossible,
            max_transmit: 64 * 1024,
            framing: Framing::Stream,
            stream_gather_delay: DEFAULT_STREAM_GATHER_DELAY,
            report_timeout: DEFAULT_REPORT_TIMEOUT,
            progress_reports: None,
            remembered_messages: 64,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        impl ConnectionConfig {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(mut self, value: $ty) -> Self {
                    self.$name = value;
                    self
                }
            )*
        }
    };
}

setters! {
    /// Sets [`ConnectionConfig::limits`].
    limits: Limits,
    /// Sets [`ConnectionConfig::mode`].
    mode: Mode,
    /// Sets [`ConnectionConfig::max_queued_bytes`].
    max_queued_bytes: usize,
    /// Sets [`ConnectionConfig::max_pending_transactions`].
    max_pending_transactions: usize,
    /// Sets [`ConnectionConfig::max_gathered_message`].
    max_gathered_message: u64,
    /// Sets [`ConnectionConfig::max_gathered_bytes`].
    max_gathered_bytes: u64,
    /// Sets [`ConnectionConfig::max_incoming_messages`].
    max_incoming_messages: usize,
    /// Sets [`ConnectionConfig::max_range_bytes`].
    max_range_bytes: usize,
    /// Sets [`ConnectionConfig::chunk_policy`].
    chunk_policy: ChunkPolicy,
    /// Sets [`ConnectionConfig::max_transmit`].
    max_transmit: usize,
    /// Sets [`ConnectionConfig::framing`].
    framing: Framing,
    /// Sets [`ConnectionConfig::stream_gather_delay`].
    stream_gather_delay: Duration,
    /// Sets [`ConnectionConfig::report_timeout`].
    report_timeout: Duration,
    /// Sets [`ConnectionConfig::progress_reports`].
    progress_reports: Option<u64>,
    /// Sets [`ConnectionConfig::remembered_messages`].
    remembered_messages: usize,
}

impl ConnectionConfig {
    /// The chunk policy in force: WebSocket framing caps every chunk at its `max_chunk`.
    pub(crate) fn effective_policy(&self) -> ChunkPolicy {
        match self.framing {
            Framing::WebSocket { max_chunk } => ChunkPolicy::Fixed(max_chunk.max(1)),
            _ => self.chunk_policy,
        }
    }

    /// Separate byte ranges an incoming message may have.
    pub(crate) fn max_ranges(&self) -> usize {
        (self.max_range_bytes / 16).max(1)
    }
}
