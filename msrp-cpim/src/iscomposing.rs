//! Is-composing indications (RFC 3994): the document, and the state machines of the side
//! that types ([`Composer`]) and of the side that shows "is typing" ([`RemoteComposing`]).
//!
//! Both are sans-IO: they are given the time (`now`, a [`Duration`] since an epoch the
//! caller picks, such as `msrp_proto::Instant::elapsed`) and never read a clock.

use alloc::string::String;
use core::time::Duration;

/// The media type of an is-composing document.
pub const ISCOMPOSING_CONTENT_TYPE: &str = "application/im-iscomposing+xml";

/// The XML namespace of the is-composing document.
pub const ISCOMPOSING_XML_NAMESPACE: &str = "urn:ietf:params:xml:ns:im-iscomposing";

/// How long a receiver keeps an active state that carried no `<refresh>`: 120 s.
pub const DEFAULT_RECEIVER_REFRESH: Duration = Duration::from_secs(120);

/// How long after the last keystroke a composer goes idle: 15 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// How often a [`Composer`] refreshes its active state by default: 90 s, so that a receiver
/// that ignores `<refresh>` (and waits [`DEFAULT_RECEIVER_REFRESH`]) never times it out.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(90);

/// The composing state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ComposingState {
    /// Not composing.
    #[default]
    Idle,
    /// Composing a message.
    Active,
}

impl ComposingState {
    /// `active` or `idle`, as in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            ComposingState::Idle => "idle",
            ComposingState::Active => "active",
        }
    }
}

/// An is-composing document (`<isComposing>`, RFC 3994 section 4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct IsComposing {
    /// `<state>`.
    pub state: ComposingState,
    /// `<lastactive>`: when the composer was last active, an XML date-time (text; no
    /// calendar here).
    pub last_active: Option<String>,
    /// `<contenttype>`: the media type of the message being composed (`text/plain`,
    /// `audio`, ...).
    pub content_type: Option<String>,
    /// `<refresh>`: seconds until the composer refreshes an active state.
    pub refresh: Option<u32>,
}

impl IsComposing {
    /// `active`, with a refresh interval in seconds.
    pub fn active(refresh: Option<u32>) -> IsComposing {
        IsComposing {
            state: ComposingState::Active,
            refresh,
            ..IsComposing::default()
        }
    }

    /// `idle`.
    pub fn idle() -> IsComposing {
        IsComposing::default()
    }
}

/// Settings of a [`Composer`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ComposerConfig {
    /// No typing for this long makes the state idle (an idle indication is sent).
    pub idle_timeout: Duration,
    /// An active state is sent again this often while typing goes on, and announced in
    /// `<refresh>` (whole seconds, at least 1).
    pub refresh: Duration,
    /// The `<contenttype>` to put in the indications, if any.
    pub content_type: Option<String>,
}

impl Default for ComposerConfig {
    fn default() -> Self {
        ComposerConfig {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            refresh: DEFAULT_REFRESH,
            content_type: None,
        }
    }
}

/// The composing side: says when to send an active or idle indication.
///
/// Call [`Composer::on_typing`] on each keystroke, [`Composer::on_sent`] when the message
/// goes out, [`Composer::handle_timeout`] when [`Composer::poll_timeout`]'s time comes, and
/// send what [`Composer::poll_send`] returns after each call.
///
/// ```
/// use core::time::Duration;
/// use msrp_cpim::{ComposingState, Composer, ComposerConfig};
///
/// let s = Duration::from_secs;
/// let mut c = Composer::new(ComposerConfig::default());
/// c.on_typing(s(0));
/// assert_eq!(c.poll_send().map(|d| d.state), Some(ComposingState::Active));
/// c.on_typing(s(5)); // still active: nothing new to send
/// assert_eq!(c.poll_send(), None);
/// assert_eq!(c.poll_timeout(), Some(s(20))); // 15 s after the last keystroke
/// c.handle_timeout(s(20));
/// assert_eq!(c.poll_send().map(|d| d.state), Some(ComposingState::Idle));
/// ```
#[derive(Debug, Clone)]
pub struct Composer {
    config: ComposerConfig,
    state: ComposingState,
    last_typing: Duration,
    next_refresh: Duration,
    pending: Option<IsComposing>,
}

impl Composer {
    /// An idle composer.
    pub fn new(config: ComposerConfig) -> Composer {
        Composer {
            config,
            state: ComposingState::Idle,
            last_typing: Duration::ZERO,
            next_refresh: Duration::ZERO,
            pending: None,
        }
    }

    /// The state last announced (or about to be).
    pub fn state(&self) -> ComposingState {
        self.state
    }

    fn refresh_secs(&self) -> u32 {
        let d = self.config.refresh;
        let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
        u32::try_from(secs.max(1)).unwrap_or(u32::MAX)
    }

    fn indication(&self, state: ComposingState) -> IsComposing {
        IsComposing {
            state,
            last_active: None,
            content_type: self.config.content_type.clone(),
            refresh: (state == ComposingState::Active).then(|| self.refresh_secs()),
        }
    }

    /// The user typed at `now`: goes active (an active indication to send) or stays active.
    pub fn on_typing(&mut self, now: Duration) {
        self.last_typing = now;
        if self.state == ComposingState::Idle {
            self.state = ComposingState::Active;
            self.next_refresh = now.saturating_add(self.config.refresh);
            self.pending = Some(self.indication(ComposingState::Active));
        }
    }

    /// The message was sent at `now`: the receiver takes the message itself as the end of
    /// composing (RFC 3994), so the state becomes idle without an indication.
    pub fn on_sent(&mut self, _now: Duration) {
        self.state = ComposingState::Idle;
        self.pending = None;
    }

    /// The idle timeout or the refresh is due at or before `now`.
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.state != ComposingState::Active {
            return;
        }
        if now >= self.last_typing.saturating_add(self.config.idle_timeout) {
            self.state = ComposingState::Idle;
            self.pending = Some(self.indication(ComposingState::Idle));
        } else if now >= self.next_refresh {
            self.next_refresh = now.saturating_add(self.config.refresh);
            self.pending = Some(self.indication(ComposingState::Active));
        }
    }

    /// When [`Composer::handle_timeout`] should next be called, if at all.
    pub fn poll_timeout(&self) -> Option<Duration> {
        (self.state == ComposingState::Active).then(|| {
            self.last_typing
                .saturating_add(self.config.idle_timeout)
                .min(self.next_refresh)
        })
    }

    /// The indication to send now, if any.
    pub fn poll_send(&mut self) -> Option<IsComposing> {
        self.pending.take()
    }
}

/// The receiving side: whether the peer is composing, with the timeout of RFC 3994 (an
/// active state lapses after its `<refresh>`, or 120 s, without a new one).
///
/// ```
/// use core::time::Duration;
/// use msrp_cpim::{IsComposing, RemoteComposing};
///
/// let s = Duration::from_secs;
/// let mut peer = RemoteComposing::new();
/// assert!(peer.on_indication(&IsComposing::active(Some(60)), s(0)));
/// assert!(peer.is_active());
/// assert_eq!(peer.poll_timeout(), Some(s(60)));
/// assert!(peer.handle_timeout(s(60))); // no refresh came: idle
/// assert!(!peer.is_active());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RemoteComposing {
    state: ComposingState,
    expires: Duration,
    content_type: Option<String>,
}

impl RemoteComposing {
    /// Idle.
    pub fn new() -> RemoteComposing {
        RemoteComposing::default()
    }

    /// The peer's state.
    pub fn state(&self) -> ComposingState {
        self.state
    }

    /// Whether the peer is composing.
    pub fn is_active(&self) -> bool {
        self.state == ComposingState::Active
    }

    /// The `<contenttype>` of the last active indication.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// An indication arrived at `now`. Returns whether the state changed.
    pub fn on_indication(&mut self, doc: &IsComposing, now: Duration) -> bool {
        let before = self.state;
        self.state = doc.state;
        match doc.state {
            ComposingState::Active => {
                let refresh = doc
                    .refresh
                    .filter(|&r| r > 0)
                    .map_or(DEFAULT_RECEIVER_REFRESH, |r| {
                        Duration::from_secs(u64::from(r))
                    });
                self.expires = now.saturating_add(refresh);
                self.content_type.clone_from(&doc.content_type);
            }
            ComposingState::Idle => self.content_type = None,
        }
        before != self.state
    }

    /// A message from the peer arrived: it is no longer composing it. Returns whether the
    /// state changed.
    pub fn on_message(&mut self, _now: Duration) -> bool {
        self.set_idle()
    }

    fn set_idle(&mut self) -> bool {
        let was = self.is_active();
        self.state = ComposingState::Idle;
        self.content_type = None;
        was
    }

    /// The active state lapses at or before `now` without a refresh. Returns whether the
    /// state changed (to idle).
    pub fn handle_timeout(&mut self, now: Duration) -> bool {
        if self.is_active() && now >= self.expires {
            return self.set_idle();
        }
        false
    }

    /// When an active state lapses, if the peer is active.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.is_active().then_some(self.expires)
    }
}
