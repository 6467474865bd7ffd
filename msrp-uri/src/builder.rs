//! Building URIs from parts.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use crate::error::UriError;
use crate::host::Host;
use crate::options::ParseOptions;
use crate::scheme::Scheme;
use crate::transport::Transport;
use crate::uri::{Param, Uri};

/// Builds a [`Uri`] from parts; [`UriBuilder::build`] checks the result with the strict
/// parser, so a built URI always parses back to itself.
///
/// ```
/// use core::net::Ipv4Addr;
/// use msrp_uri::{Host, Scheme, Transport, Uri};
///
/// let uri = Uri::builder(Scheme::Msrp, Host::Ipv4(Ipv4Addr::new(192, 0, 2, 7)))
///     .port(2855)
///     .session_id("s8dj3k")
///     .transport(Transport::Ws)
///     .build()?;
/// assert_eq!(uri.as_str(), "msrp://192.0.2.7:2855/s8dj3k;ws");
/// # Ok::<(), msrp_uri::UriError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct UriBuilder<'a> {
    scheme: Scheme,
    userinfo: Option<&'a str>,
    host: Host<'a>,
    port: Option<u16>,
    session_id: Option<&'a str>,
    transport: Transport<'a>,
    params: Vec<Param<'a>>,
}

impl Uri {
    /// Starts building a URI with this scheme and host (transport `tcp` unless changed).
    pub fn builder(scheme: Scheme, host: Host<'_>) -> UriBuilder<'_> {
        UriBuilder {
            scheme,
            userinfo: None,
            host,
            port: None,
            session_id: None,
            transport: Transport::Tcp,
            params: Vec::new(),
        }
    }
}

impl<'a> UriBuilder<'a> {
    /// Sets the userinfo (already percent-encoded, no password).
    pub fn userinfo(mut self, userinfo: &'a str) -> Self {
        self.userinfo = Some(userinfo);
        self
    }

    /// Sets the port (required for numeric hosts).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Sets the session-id.
    pub fn session_id(mut self, session_id: &'a str) -> Self {
        self.session_id = Some(session_id);
        self
    }

    /// Sets the transport.
    pub fn transport(mut self, transport: Transport<'a>) -> Self {
        self.transport = transport;
        self
    }

    /// Adds a `;name[=value]` parameter after the transport.
    pub fn param(mut self, name: &'a str, value: Option<&'a str>) -> Self {
        self.params.push(Param { name, value });
        self
    }

    /// Writes the URI and checks it strictly.
    pub fn build(&self) -> Result<Uri, UriError> {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut s);
        Uri::parse_with(s.as_bytes(), &ParseOptions::STRICT).map(|(uri, _)| uri)
    }

    fn write(&self, s: &mut String) -> core::fmt::Result {
        write!(s, "{}://", self.scheme)?;
        if let Some(u) = self.userinfo {
            write!(s, "{u}@")?;
        }
        write!(s, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(s, ":{p}")?;
        }
        if let Some(id) = self.session_id {
            write!(s, "/{id}")?;
        }
        write!(s, ";{}", self.transport)?;
        for p in &self.params {
            write!(s, ";{}", p.name)?;
            if let Some(v) = p.value {
                write!(s, "={v}")?;
            }
        }
        Ok(())
    }
}
