//! Building MSRP media descriptions and whole offers, printed as canonical SDP.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{SdpError, SdpErrorKind};
use crate::line::Line;
use crate::media::{ConnectionAttr, Direction, MediaDescription, Setup};
use crate::session::SessionDescription;
use msrp_uri::Path;

/// Builds an `m=message` media description for MSRP (RFC 4975 section 8).
///
/// ```
/// use msrp_sdp::{MsrpMediaBuilder, Setup};
///
/// let path = "msrp://alice.example.com:7394/2s93i9ek2a;tcp".parse()?;
/// let media = MsrpMediaBuilder::new(7394, path)
///     .accept_types(["text/plain", "message/cpim"])
///     .accept_wrapped_types(["*"])
///     .setup(Setup::ActPass)
///     .build()
///     .unwrap();
/// assert_eq!(
///     media.to_string(),
///     "m=message 7394 TCP/MSRP *\r\na=accept-types:text/plain message/cpim\r\n\
///      a=accept-wrapped-types:*\r\na=path:msrp://alice.example.com:7394/2s93i9ek2a;tcp\r\n\
///      a=setup:actpass\r\n"
/// );
/// # Ok::<(), msrp_sdp::uri::UriError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct MsrpMediaBuilder {
    port: u16,
    proto: String,
    title: Option<String>,
    connection: Option<String>,
    direction: Option<Direction>,
    accept_types: Vec<String>,
    accept_wrapped_types: Vec<String>,
    path: Path,
    max_size: Option<u64>,
    setup: Option<Setup>,
    connection_attr: Option<ConnectionAttr>,
    cema: bool,
    extra: Vec<(String, Option<String>)>,
}

impl MsrpMediaBuilder {
    /// A `TCP/MSRP` description on this port with this `a=path`.
    pub fn new(port: u16, path: Path) -> MsrpMediaBuilder {
        MsrpMediaBuilder {
            port,
            proto: "TCP/MSRP".into(),
            title: None,
            connection: None,
            direction: None,
            accept_types: Vec::new(),
            accept_wrapped_types: Vec::new(),
            path,
            max_size: None,
            setup: None,
            connection_attr: None,
            cema: false,
            extra: Vec::new(),
        }
    }

    /// The protocol (`TCP/MSRP`, `TCP/TLS/MSRP`, ...).
    pub fn proto(mut self, proto: &str) -> Self {
        self.proto = proto.into();
        self
    }

    /// An `i=` title.
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.into());
        self
    }

    /// A media-level `c=` line value (`IN IP4 192.0.2.1`).
    pub fn connection(mut self, c: &str) -> Self {
        self.connection = Some(c.into());
        self
    }

    /// A direction attribute.
    pub fn direction(mut self, d: Direction) -> Self {
        self.direction = Some(d);
        self
    }

    /// `a=accept-types` entries (at least one is required).
    pub fn accept_types<'a>(mut self, types: impl IntoIterator<Item = &'a str>) -> Self {
        self.accept_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// `a=accept-wrapped-types` entries.
    pub fn accept_wrapped_types<'a>(mut self, types: impl IntoIterator<Item = &'a str>) -> Self {
        self.accept_wrapped_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// `a=max-size`.
    pub fn max_size(mut self, octets: u64) -> Self {
        self.max_size = Some(octets);
        self
    }

    /// `a=setup`.
    pub fn setup(mut self, setup: Setup) -> Self {
        self.setup = Some(setup);
        self
    }

    /// `a=connection`.
    pub fn connection_attr(mut self, c: ConnectionAttr) -> Self {
        self.connection_attr = Some(c);
        self
    }

    /// `a=msrp-cema` (RFC 6714).
    pub fn msrp_cema(mut self, on: bool) -> Self {
        self.cema = on;
        self
    }

    /// Any other attribute, written after the MSRP ones in call order.
    pub fn attribute(mut self, name: &str, value: Option<&str>) -> Self {
        self.extra.push((name.into(), value.map(Into::into)));
        self
    }

    /// The media description; checked by parsing it back strictly.
    pub fn build(self) -> Result<MediaDescription, SdpError> {
        if self.accept_types.is_empty() {
            return Err(SdpError::new(
                SdpErrorKind::InvalidAttribute {
                    attribute: "accept-types",
                    reason: "no entry",
                },
                0,
            ));
        }
        let mut m = MediaDescription::new(&format!("message {} {} *", self.port, self.proto))?;
        if let Some(t) = &self.title {
            m.lines.push(Line::new('i', t.clone()));
        }
        if let Some(c) = &self.connection {
            m.lines.push(Line::new('c', c.clone()));
        }
        if let Some(d) = self.direction {
            m.push_attribute(d.as_str(), None);
        }
        m.push_attribute("accept-types", Some(&self.accept_types.join(" ")));
        if !self.accept_wrapped_types.is_empty() {
            m.push_attribute(
                "accept-wrapped-types",
                Some(&self.accept_wrapped_types.join(" ")),
            );
        }
        m.push_attribute("path", Some(&self.path.to_string()));
        if let Some(n) = self.max_size {
            m.push_attribute("max-size", Some(&n.to_string()));
        }
        if let Some(s) = self.setup {
            m.push_attribute("setup", Some(s.as_str()));
        }
        if let Some(c) = self.connection_attr {
            m.push_attribute("connection", Some(c.as_str()));
        }
        if self.cema {
            m.push_attribute("msrp-cema", None);
        }
        for (n, v) in &self.extra {
            m.push_attribute(n, v.as_deref());
        }
        m.check()?;
        Ok(m)
    }
}

/// Builds a whole session description around media descriptions: `v=0`, `o=`, `s=-`,
/// session-level `c=`, `t=0 0`.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct OfferBuilder {
    username: String,
    session_id: u64,
    version: u64,
    address: String,
    media: Vec<MediaDescription>,
}

impl OfferBuilder {
    /// An offer from this origin: user name, session id and version, and the address
    /// (`IN IP4 <address>` or `IN IP6 <address>` is chosen from the text) used for `o=`
    /// and `c=`.
    pub fn new(username: &str, session_id: u64, version: u64, address: &str) -> OfferBuilder {
        OfferBuilder {
            username: username.into(),
            session_id,
            version,
            address: address.into(),
            media: Vec::new(),
        }
    }

    /// Adds a media description.
    pub fn media(mut self, m: MediaDescription) -> Self {
        self.media.push(m);
        self
    }

    /// The session description; checked by parsing it back strictly.
    pub fn build(self) -> Result<SessionDescription, SdpError> {
        let family = if self.address.contains(':') {
            "IP6"
        } else {
            "IP4"
        };
        let addr = format!("IN {family} {}", self.address);
        let sdp = SessionDescription {
            lines: alloc::vec![
                Line::new('v', "0"),
                Line::new(
                    'o',
                    format!(
                        "{} {} {} {addr}",
                        self.username, self.session_id, self.version
                    )
                ),
                Line::new('s', "-"),
                Line::new('c', addr),
                Line::new('t', "0 0"),
            ],
            media: self.media,
        };
        SessionDescription::parse(&sdp.to_string())?;
        Ok(sdp)
    }
}
