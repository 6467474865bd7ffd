//! The transport part of an MSRP URI.

use core::fmt;

/// `transport = "tcp" / "ws" / 1*ALPHANUM` (RFC 4975 section 9, RFC 7977 section 5.2.1).
///
/// Known transports are recognized case-insensitively (RFC 4975 section 6.1 rule 5);
/// [`Transport::Other`] keeps any other token as written.
#[derive(Debug, Clone, Copy, Eq)]
pub enum Transport<'a> {
    /// `tcp`: MSRP over TCP, or TLS over TCP with the `msrps` scheme (RFC 4975).
    Tcp,
    /// `ws`: the WebSocket MSRP subprotocol (RFC 7977); with `msrps`, secure WebSocket.
    Ws,
    /// `wss`: written by some WebSocket peers; RFC 7977 itself uses `msrps` with `ws`.
    Wss,
    /// Any other `1*ALPHANUM` token, as written.
    Other(&'a str),
}

impl<'a> Transport<'a> {
    /// Classifies a transport token (which must already be `1*ALPHANUM`).
    pub fn from_token(token: &'a str) -> Transport<'a> {
        if token.eq_ignore_ascii_case("tcp") {
            Transport::Tcp
        } else if token.eq_ignore_ascii_case("ws") {
            Transport::Ws
        } else if token.eq_ignore_ascii_case("wss") {
            Transport::Wss
        } else {
            Transport::Other(token)
        }
    }

    /// The token; known transports in lower case.
    pub fn as_str(&self) -> &'a str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Ws => "ws",
            Transport::Wss => "wss",
            Transport::Other(s) => s,
        }
    }

    /// Whether this transport carries MSRP over WebSocket (RFC 7977).
    pub fn is_websocket(&self) -> bool {
        matches!(self, Transport::Ws | Transport::Wss)
    }
}

/// Case-insensitive, as RFC 4975 section 6.1 rule 5 compares transports.
impl PartialEq for Transport<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str().eq_ignore_ascii_case(other.as_str())
    }
}

impl fmt::Display for Transport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_transports_are_case_insensitive() {
        assert_eq!(Transport::from_token("TCP"), Transport::Tcp);
        assert_eq!(Transport::from_token("Ws"), Transport::Ws);
        assert_eq!(Transport::from_token("wss"), Transport::Wss);
        assert_eq!(Transport::from_token("sctp"), Transport::Other("sctp"));
        assert_eq!(Transport::Other("SCTP"), Transport::Other("sctp"));
        assert_eq!(Transport::Other("TCP"), Transport::Tcp);
        assert_ne!(Transport::Ws, Transport::Wss);
        assert!(Transport::Wss.is_websocket() && !Transport::Tcp.is_websocket());
    }
}
