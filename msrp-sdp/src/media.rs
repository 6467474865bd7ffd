//! Media descriptions: the `m=` line and the lines after it, with typed views of the MSRP
//! attributes (RFC 4975 section 8, RFC 4976 section 11, RFC 6135, RFC 6714, RFC 7701).

use alloc::vec::Vec;
use core::fmt;
use core::hash::{Hash, Hasher};

use crate::error::{SdpError, SdpErrorKind as K, SdpQuirk};
use crate::file_transfer::{self, FileDate, FileRange, FileSelector};
use crate::line::{Attribute, Line};
use crate::options::ParseOptions;
use crate::session::{SessionDescription, media_line_rank};
use msrp_uri::{ParseOptions as UriOptions, Path, UriError};

/// One media description: the `m=` line first, then its `i=`, `c=`, `b=`, `k=` and `a=`
/// lines in order.
#[derive(Debug, Clone, Default)]
pub struct MediaDescription {
    /// The lines, `m=` first. Edit them freely; accessors read them on each call.
    pub lines: Vec<Line>,
    /// Line number of the `m=` line in the parsed input (0 when built); for error messages.
    first_line: usize,
}

/// Equality ignores where the description stood in a parsed input.
impl PartialEq for MediaDescription {
    fn eq(&self, other: &Self) -> bool {
        self.lines == other.lines
    }
}

impl Eq for MediaDescription {}

impl Hash for MediaDescription {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.lines.hash(state);
    }
}

/// The transport protocol of an MSRP media line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto<'a> {
    /// `TCP/MSRP` (RFC 4975 section 8.1).
    TcpMsrp,
    /// `TCP/TLS/MSRP` (RFC 4975 section 8.1).
    TcpTlsMsrp,
    /// `TCP/WS/MSRP` (MSRP over WebSocket, as some peers write it).
    TcpWsMsrp,
    /// `TCP/WSS/MSRP` (MSRP over secure WebSocket, as some peers write it).
    TcpWssMsrp,
    /// Any other protocol, as written.
    Other(&'a str),
}

impl<'a> Proto<'a> {
    /// Classifies a proto token (case-insensitive).
    pub fn from_token(s: &'a str) -> Proto<'a> {
        let known = [
            ("TCP/MSRP", Proto::TcpMsrp),
            ("TCP/TLS/MSRP", Proto::TcpTlsMsrp),
            ("TCP/WS/MSRP", Proto::TcpWsMsrp),
            ("TCP/WSS/MSRP", Proto::TcpWssMsrp),
        ];
        known
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(s))
            .map_or(Proto::Other(s), |(_, p)| p)
    }

    /// Whether this is one of the MSRP protocols.
    pub fn is_msrp(&self) -> bool {
        !matches!(self, Proto::Other(_))
    }

    /// Whether the connection is protected with TLS.
    pub fn is_secure(&self) -> bool {
        matches!(self, Proto::TcpTlsMsrp | Proto::TcpWssMsrp)
    }
}

/// Media direction attributes (RFC 8866 section 6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `a=sendrecv`.
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    fn from_name(name: &str) -> Option<Direction> {
        Some(match name {
            "sendrecv" => Direction::SendRecv,
            "sendonly" => Direction::SendOnly,
            "recvonly" => Direction::RecvOnly,
            "inactive" => Direction::Inactive,
            _ => return None,
        })
    }
}

/// `a=setup` (RFC 4145 section 4, used by MSRP per RFC 6135 section 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `active`: this side connects.
    Active,
    /// `passive`: this side accepts.
    Passive,
    /// `actpass`: either; the answerer decides.
    ActPass,
    /// `holdconn`: MSRP endpoints MUST ignore it (RFC 6135 section 4.2.1).
    HoldConn,
}

impl Setup {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }

    fn parse(v: &str) -> Option<Setup> {
        Some(match v {
            "active" => Setup::Active,
            "passive" => Setup::Passive,
            "actpass" => Setup::ActPass,
            "holdconn" => Setup::HoldConn,
            _ => return None,
        })
    }
}

/// `a=connection` (RFC 4145 section 5, RFC 6135 section 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionAttr {
    /// `new`: open a new connection.
    New,
    /// `existing`: reuse the existing one.
    Existing,
}

impl ConnectionAttr {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionAttr::New => "new",
            ConnectionAttr::Existing => "existing",
        }
    }
}

/// Splits a `format-list` (RFC 4975 section 8.6) on SP; surrounding white space ignored.
fn format_list(v: &str) -> Vec<&str> {
    v.split([' ', '\t']).filter(|s| !s.is_empty()).collect()
}

impl MediaDescription {
    /// A media description from its `m=` line value (checked) and no other line.
    pub fn new(m_line_value: &str) -> Result<MediaDescription, SdpError> {
        Self::from_m_line(Line::new('m', m_line_value), 0)
    }

    pub(crate) fn from_m_line(line: Line, number: usize) -> Result<MediaDescription, SdpError> {
        check_m_line(&line.value).map_err(|r| SdpError::new(K::InvalidMediaLine(r), number))?;
        Ok(MediaDescription {
            lines: alloc::vec![line],
            first_line: number,
        })
    }

    pub(crate) fn push_parsed(&mut self, line: Line) {
        self.lines.push(line);
    }

    fn m_fields(&self) -> impl Iterator<Item = &str> + '_ {
        self.lines
            .first()
            .map(|l| l.value.as_str())
            .unwrap_or("")
            .split(' ')
    }

    /// The media type (`message` for MSRP).
    pub fn media(&self) -> &str {
        self.m_fields().next().unwrap_or("")
    }

    /// The port (0 rejects the stream).
    pub fn port(&self) -> u16 {
        let port = self.m_fields().nth(1).unwrap_or("0");
        port.split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// The protocol token as written.
    pub fn proto_str(&self) -> &str {
        self.m_fields().nth(2).unwrap_or("")
    }

    /// The protocol.
    pub fn proto(&self) -> Proto<'_> {
        Proto::from_token(self.proto_str())
    }

    /// The formats (`*` for MSRP).
    pub fn fmt(&self) -> Vec<&str> {
        self.m_fields().skip(3).collect()
    }

    /// The value of the first line of this type (other than `m=`).
    pub fn value(&self, kind: char) -> Option<&str> {
        self.lines
            .iter()
            .skip(1)
            .find(|l| l.kind == kind)
            .map(|l| l.value.as_str())
    }

    /// The media-level `c=` value.
    pub fn connection(&self) -> Option<&str> {
        self.value('c')
    }

    /// The media-level `c=` value, or else the session-level one.
    pub fn effective_connection<'a>(&'a self, session: &'a SessionDescription) -> Option<&'a str> {
        self.connection().or_else(|| session.connection())
    }

    /// The media title (`i=`).
    pub fn title(&self) -> Option<&str> {
        self.value('i')
    }

    /// The attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'_>> + '_ {
        self.lines.iter().filter_map(Line::as_attribute)
    }

    /// The first attribute with this name.
    pub fn attribute(&self, name: &str) -> Option<Attribute<'_>> {
        self.attributes().find(|a| a.name == name)
    }

    fn attr_value(&self, name: &str) -> Option<&str> {
        self.attribute(name).and_then(|a| a.value)
    }

    /// Adds an attribute line at the end.
    pub fn push_attribute(&mut self, name: &str, value: Option<&str>) {
        self.lines.push(Line::attribute(name, value));
    }

    /// Removes every attribute with this name; returns how many.
    pub fn remove_attribute(&mut self, name: &str) -> usize {
        let before = self.lines.len();
        self.lines
            .retain(|l| l.as_attribute().is_none_or(|a| a.name != name));
        before - self.lines.len()
    }

    /// The media-level direction attribute, if any (the last one wins).
    pub fn direction(&self) -> Option<Direction> {
        self.attributes()
            .filter_map(|a| Direction::from_name(a.name))
            .last()
    }

    /// The direction in force: media level, else session level, else `sendrecv`.
    pub fn effective_direction(&self, session: &SessionDescription) -> Direction {
        self.direction()
            .or_else(|| {
                session
                    .attributes()
                    .filter_map(|a| Direction::from_name(a.name))
                    .last()
            })
            .unwrap_or(Direction::SendRecv)
    }

    /// `a=path` (RFC 4975 section 8.2): the URI list to reach this endpoint, parsed
    /// tolerantly (the parser has checked it in the mode it was given).
    pub fn path(&self) -> Option<Result<Path, UriError>> {
        let v = self.attr_value("path")?;
        Some(Path::parse_with(v.as_bytes(), &UriOptions::TOLERANT).map(|(p, _)| p))
    }

    /// `a=accept-types` entries.
    pub fn accept_types(&self) -> Vec<&str> {
        self.attr_value("accept-types")
            .map(format_list)
            .unwrap_or_default()
    }

    /// `a=accept-wrapped-types` entries.
    pub fn accept_wrapped_types(&self) -> Vec<&str> {
        self.attr_value("accept-wrapped-types")
            .map(format_list)
            .unwrap_or_default()
    }

    /// `a=max-size` in octets.
    pub fn max_size(&self) -> Option<u64> {
        self.attr_value("max-size")?.trim().parse().ok()
    }

    /// `a=setup` (an unknown value reads as absent).
    pub fn setup(&self) -> Option<Setup> {
        Setup::parse(self.attr_value("setup")?.trim())
    }

    /// `a=connection` (an unknown value reads as absent).
    pub fn connection_attr(&self) -> Option<ConnectionAttr> {
        match self.attr_value("connection")?.trim() {
            "new" => Some(ConnectionAttr::New),
            "existing" => Some(ConnectionAttr::Existing),
            _ => None,
        }
    }

    /// `a=fingerprint` (RFC 4572): hash function and fingerprint, as written.
    pub fn fingerprint(&self) -> Option<&str> {
        self.attr_value("fingerprint")
    }

    /// Whether `a=msrp-cema` is present (RFC 6714 section 5).
    pub fn msrp_cema(&self) -> bool {
        self.attribute("msrp-cema").is_some()
    }

    /// `a=chatroom` tokens (RFC 7701 section 7); `Some(empty)` when the attribute has none.
    pub fn chatroom(&self) -> Option<Vec<&str>> {
        let a = self.attribute("chatroom")?;
        Some(a.value.map(format_list).unwrap_or_default())
    }

    /// `a=file-selector` (RFC 5547 section 6).
    pub fn file_selector(&self) -> Option<FileSelector<'_>> {
        let a = self.attribute("file-selector")?;
        Some(FileSelector::parse(a.value).unwrap_or_else(|_| FileSelector::raw_only(a.value)))
    }

    /// `a=file-transfer-id`.
    pub fn file_transfer_id(&self) -> Option<&str> {
        self.attr_value("file-transfer-id")
    }

    /// `a=file-disposition`.
    pub fn file_disposition(&self) -> Option<&str> {
        self.attr_value("file-disposition")
    }

    /// `a=file-date` parameters.
    pub fn file_date(&self) -> Vec<FileDate<'_>> {
        self.attr_value("file-date")
            .and_then(|v| file_transfer::file_dates(v).ok())
            .unwrap_or_default()
    }

    /// `a=file-icon` (a `cid:` URL).
    pub fn file_icon(&self) -> Option<&str> {
        self.attr_value("file-icon")
    }

    /// `a=file-range`.
    pub fn file_range(&self) -> Option<FileRange> {
        file_transfer::file_range(self.attr_value("file-range")?).ok()
    }

    /// Checks this description strictly (line order, `m=` line, MSRP attribute syntax).
    pub fn check(&self) -> Result<(), SdpError> {
        let first = self.lines.first().ok_or(SdpError::new(K::InvalidLine, 0))?;
        if first.kind != 'm' {
            return Err(SdpError::new(K::InvalidLine, 1));
        }
        check_m_line(&first.value).map_err(|r| SdpError::new(K::InvalidMediaLine(r), 1))?;
        let mut quirks = Vec::new();
        self.check_attributes(&ParseOptions::STRICT, &mut quirks)
    }

    /// Checks the line order and the syntax of the MSRP attributes.
    pub(crate) fn check_attributes(
        &self,
        opts: &ParseOptions,
        quirks: &mut Vec<(SdpQuirk, usize)>,
    ) -> Result<(), SdpError> {
        let tolerant = opts.tolerant();
        let mut last = 0;
        for (i, l) in self.lines.iter().enumerate() {
            let number = self.first_line + i;
            match media_line_rank(l.kind) {
                Some(rank) if rank >= last => last = rank,
                Some(_) if tolerant => quirks.push((SdpQuirk::LineOrder, number)),
                Some(_) => {
                    return Err(SdpError::new(
                        K::Structure("media-level lines out of order"),
                        number,
                    ));
                }
                None if tolerant => {}
                None => {
                    return Err(SdpError::new(
                        K::Structure("unknown line type at media level"),
                        number,
                    ));
                }
            }
            if i > 0 && l.kind == 'm' {
                return Err(SdpError::new(K::InvalidLine, number));
            }
            let Some(a) = l.as_attribute() else { continue };
            let bad = |attribute: &'static str, reason: &'static str| {
                SdpError::new(K::InvalidAttribute { attribute, reason }, number)
            };
            let mut spacing = |v: &str| -> Result<(), SdpError> {
                if v.starts_with([' ', '\t']) || v.ends_with([' ', '\t']) || v.contains("  ") {
                    if !tolerant {
                        return Err(SdpError::new(
                            K::InvalidAttribute {
                                attribute: "value",
                                reason: "white space the grammar does not allow",
                            },
                            number,
                        ));
                    }
                    quirks.push((SdpQuirk::AttributeSpacing, number));
                }
                Ok(())
            };
            match (a.name, a.value) {
                ("accept-types" | "accept-wrapped-types", Some(v)) => {
                    spacing(v).map_err(|_| {
                        bad(
                            if a.name == "accept-types" {
                                "accept-types"
                            } else {
                                "accept-wrapped-types"
                            },
                            "SP after \":\" or between entries",
                        )
                    })?;
                    if format_list(v).is_empty() {
                        return Err(bad("accept-types", "empty format-list"));
                    }
                    if format_list(v).iter().any(|e| !valid_format_entry(e)) {
                        return Err(bad(
                            "accept-types",
                            "an entry is not \"*\", type/subtype or type/*",
                        ));
                    }
                }
                ("accept-types" | "accept-wrapped-types", None) => {
                    return Err(bad("accept-types", "no value"));
                }
                ("path", Some(v)) => {
                    spacing(v).map_err(|_| bad("path", "white space around the URI list"))?;
                    let uri = UriOptions::with_mode(opts.mode);
                    if Path::validate(v.trim().as_bytes(), &uri).is_err() {
                        return Err(bad("path", "not a list of MSRP URIs separated by SP"));
                    }
                }
                ("path", None) => return Err(bad("path", "no value")),
                ("max-size", v) => {
                    let v = v.unwrap_or("");
                    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad("max-size", "not 1*DIGIT"));
                    }
                }
                ("setup", v) if v.and_then(Setup::parse).is_none() => {
                    return Err(bad("setup", "not active, passive, actpass or holdconn"));
                }
                ("connection", v) if !matches!(v, Some("new" | "existing")) => {
                    return Err(bad("connection", "not new or existing"));
                }
                ("msrp-cema", Some(_)) => return Err(bad("msrp-cema", "takes no value")),
                ("file-selector", v) => {
                    let sel = FileSelector::parse(v).map_err(|r| bad("file-selector", r))?;
                    // "sha1" is a valid token, but the registered name is "sha-1".
                    if sel
                        .hash
                        .is_some_and(|h| h.algorithm.eq_ignore_ascii_case("sha1"))
                    {
                        quirks.push((SdpQuirk::HashAlgorithmSpelling, number));
                    }
                }
                ("file-date", v) => {
                    file_transfer::file_dates(v.unwrap_or("")).map_err(|r| bad("file-date", r))?;
                }
                ("file-range", v) => {
                    file_transfer::file_range(v.unwrap_or("")).map_err(|r| bad("file-range", r))?;
                }
                ("file-transfer-id" | "file-disposition", v) => {
                    let v = v.unwrap_or("");
                    if v.is_empty() || !v.bytes().all(file_transfer::is_token_char) {
                        return Err(bad("file-transfer-id", "not a token"));
                    }
                }
                ("chatroom", Some(v)) => {
                    spacing(v)
                        .map_err(|_| bad("chatroom", "white space the grammar does not allow"))?;
                    if format_list(v)
                        .iter()
                        .any(|t| !t.bytes().all(file_transfer::is_token_char))
                    {
                        return Err(bad("chatroom", "a chat-token is not a token"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// `format-entry = ((type "/" subtype) / (type "/" "*")) *(";" type-param) / "*"`.
fn valid_format_entry(e: &str) -> bool {
    if e == "*" {
        return true;
    }
    let essence = e.split(';').next().unwrap_or("");
    let Some((t, s)) = essence.split_once('/') else {
        return false;
    };
    let token = |x: &str| !x.is_empty() && x.bytes().all(file_transfer::is_token_char);
    token(t) && (s == "*" || token(s))
}

/// `m=<media> <port>[/<number>] <proto> <fmt> ...` (RFC 8866 section 5.14).
fn check_m_line(v: &str) -> Result<(), &'static str> {
    let mut f = v.split(' ');
    let media = f.next().unwrap_or("");
    if media.is_empty() || !media.bytes().all(file_transfer::is_token_char) {
        return Err("media is not a token");
    }
    let port = f.next().ok_or("no port")?;
    let mut p = port.split('/');
    let num = p.next().unwrap_or("");
    if num.is_empty()
        || num.len() > 5
        || !num.bytes().all(|b| b.is_ascii_digit())
        || num.parse::<u32>().map_or(true, |n| n > 65535)
    {
        return Err("port is not a number up to 65535");
    }
    if let Some(count) = p.next() {
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) || p.next().is_some() {
            return Err("invalid port count");
        }
    }
    let proto = f.next().ok_or("no proto")?;
    if proto.is_empty() {
        return Err("empty proto");
    }
    let mut fmts = 0;
    for fmt in f {
        if fmt.is_empty() {
            return Err("empty fmt (two SP)");
        }
        fmts += 1;
    }
    if fmts == 0 {
        return Err("no fmt");
    }
    Ok(())
}

impl fmt::Display for MediaDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            write!(f, "{l}\r\n")?;
        }
        Ok(())
    }
}
