//! Building a CPIM message.

use alloc::string::String;

use bytes::Bytes;

use crate::imdn::{Disposition, IMDN_NAMESPACE, IMDN_PREFIX};
use crate::syntax;
use crate::{CpimError, CpimMessage, ParseOptions};

/// Builds a [`CpimMessage`]: CPIM headers in the order they are added, then the MIME
/// headers (Content-Type first) and the body.
///
/// [`CpimBuilder::build`] prints the headers and parses them strictly, so a built message
/// is always one that [`CpimMessage::parse`] accepts; a bad value is reported there, with
/// its offset in the printed headers. The body is not copied.
///
/// ```
/// use msrp_cpim::{CpimMessage, Disposition};
///
/// let msg = CpimMessage::builder()
///     .from_addr(Some("Alice"), "im:alice@example.com")
///     .to("Bob <im:bob@example.com>")
///     .datetime("2006-04-04T12:16:49-05:00")
///     .imdn_message_id("34jk324j")
///     .disposition_notification(&[Disposition::PositiveDelivery, Disposition::Display])
///     .content_type("text/plain")
///     .body("Hello World")
///     .build()?;
/// assert_eq!(msg.imdn_message_id(), Some("34jk324j"));
/// assert!(msg.disposition_notification().is_some_and(|d| d.display()));
/// assert_eq!(CpimMessage::parse(msg.to_bytes())?, msg);
/// # Ok::<(), msrp_cpim::CpimError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CpimBuilder {
    head: String,
    content_type: Option<String>,
    mime: String,
    body: Bytes,
    imdn_prefix: Option<String>,
    /// A line break inside a name or value: (in the MIME block, offset in its block, byte).
    line_break: Option<(bool, usize, u8)>,
}

impl CpimBuilder {
    /// An empty builder.
    pub fn new() -> CpimBuilder {
        CpimBuilder::default()
    }

    /// Adds a CPIM header as written: `name` with its prefix (`imdn.Message-ID`), `value`
    /// raw (see [`crate::escape`] for text that may hold control characters).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.check(false, name, value);
        self.head.push_str(name);
        self.head.push_str(": ");
        self.head.push_str(value);
        self.head.push_str("\r\n");
        self
    }

    /// `From: value`, the value as written (`Alice <im:alice@example.com>`).
    pub fn from(self, value: &str) -> Self {
        self.header("From", value)
    }

    /// `From`, with the Formal-name quoted and escaped when it is not a list of tokens.
    pub fn from_addr(self, name: Option<&str>, uri: &str) -> Self {
        self.addr_header("From", name, uri)
    }

    /// `To: value`, the value as written. One per recipient.
    pub fn to(self, value: &str) -> Self {
        self.header("To", value)
    }

    /// `To` from a name and URI (see [`CpimBuilder::from_addr`]).
    pub fn to_addr(self, name: Option<&str>, uri: &str) -> Self {
        self.addr_header("To", name, uri)
    }

    /// `cc: value`, the value as written.
    pub fn cc(self, value: &str) -> Self {
        self.header("cc", value)
    }

    /// `cc` from a name and URI.
    pub fn cc_addr(self, name: Option<&str>, uri: &str) -> Self {
        self.addr_header("cc", name, uri)
    }

    fn addr_header(self, header: &str, name: Option<&str>, uri: &str) -> Self {
        let mut v = String::new();
        syntax::format_name_addr(&mut v, name, uri);
        self.header(header, &v)
    }

    /// `DateTime`: an RFC 3339 date-time (`2000-12-13T13:40:00-08:00`); there is no clock
    /// here, the caller gives the time.
    pub fn datetime(self, datetime: &str) -> Self {
        self.header("DateTime", datetime)
    }

    /// `Subject`, escaped as RFC 3862 section 2.3 asks. White space at the end cannot be
    /// written (a CPIM line must not end in white space): `build` refuses it.
    pub fn subject(self, text: &str) -> Self {
        let text = syntax::escape(text);
        self.header("Subject", &text)
    }

    /// `Subject:;lang=tag text`.
    pub fn subject_lang(mut self, lang: &str, text: &str) -> Self {
        self.check(false, lang, "");
        self.head.push_str("Subject:;lang=");
        self.head.push_str(lang);
        self.head.push(' ');
        self.head.push_str(&syntax::escape(text));
        self.head.push_str("\r\n");
        self
    }

    /// `NS: prefix <uri>`: declares a namespace prefix for the headers after it.
    pub fn ns(mut self, prefix: &str, uri: &str) -> Self {
        if uri == IMDN_NAMESPACE {
            self.imdn_prefix = Some(prefix.into());
        }
        let v = alloc::format!("{prefix} <{uri}>");
        self.header("NS", &v)
    }

    /// `Require: names` (comma-separated header names or features).
    pub fn require(self, names: &str) -> Self {
        self.header("Require", names)
    }

    /// The prefix of the IMDN namespace, declaring `NS: imdn <urn:ietf:params:imdn>` first
    /// if no `ns` call declared it.
    fn imdn_header(mut self, local: &str, value: &str) -> Self {
        let prefix = match &self.imdn_prefix {
            Some(p) => p.clone(),
            None => {
                self = self.ns(IMDN_PREFIX, IMDN_NAMESPACE);
                IMDN_PREFIX.into()
            }
        };
        let name = alloc::format!("{prefix}.{local}");
        self.header(&name, value)
    }

    /// `imdn.Message-ID` (RFC 5438 section 6.3; declares the IMDN namespace if needed). The
    /// id should carry 64 bits or more of randomness; the caller makes it.
    pub fn imdn_message_id(self, id: &str) -> Self {
        self.imdn_header("Message-ID", id)
    }

    /// `imdn.Disposition-Notification` asking for `requests` (RFC 5438 section 6.2). Asking
    /// for any needs a DateTime header too (section 7.1.1.2).
    pub fn disposition_notification(self, requests: &[Disposition<'_>]) -> Self {
        let mut v = String::new();
        for (i, r) in requests.iter().enumerate() {
            if i > 0 {
                v.push_str(", ");
            }
            v.push_str(r.as_str());
        }
        self.imdn_header("Disposition-Notification", &v)
    }

    /// `imdn.Original-To` (RFC 5438 section 6.4).
    pub fn imdn_original_to(self, name: Option<&str>, uri: &str) -> Self {
        let mut v = String::new();
        syntax::format_name_addr(&mut v, name, uri);
        self.imdn_header("Original-To", &v)
    }

    /// One `imdn.IMDN-Record-Route` (RFC 5438 section 6.5).
    pub fn imdn_record_route(self, name: Option<&str>, uri: &str) -> Self {
        let mut v = String::new();
        syntax::format_name_addr(&mut v, name, uri);
        self.imdn_header("IMDN-Record-Route", &v)
    }

    /// One `imdn.IMDN-Route` (RFC 5438 section 6.6).
    pub fn imdn_route(self, name: Option<&str>, uri: &str) -> Self {
        let mut v = String::new();
        syntax::format_name_addr(&mut v, name, uri);
        self.imdn_header("IMDN-Route", &v)
    }

    /// The Content-Type of the encapsulated entity (required).
    pub fn content_type(mut self, content_type: &str) -> Self {
        if let Some(i) = content_type.find(['\r', '\n']) {
            let byte = content_type.as_bytes().get(i).copied().unwrap_or(b'\n');
            self.line_break
                .get_or_insert((true, "Content-Type: ".len() + i, byte));
        }
        self.content_type = Some(content_type.into());
        self
    }

    /// Another MIME header (`Content-ID`, `Content-Disposition`, ...), after Content-Type.
    pub fn mime_header(mut self, name: &str, value: &str) -> Self {
        self.check(true, name, value);
        self.mime.push_str(name);
        self.mime.push_str(": ");
        self.mime.push_str(value);
        self.mime.push_str("\r\n");
        self
    }

    /// The body (any bytes; not copied).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Records the first CR or LF in a name or value: it would end the line early.
    fn check(&mut self, mime: bool, name: &str, value: &str) {
        if self.line_break.is_some() {
            return;
        }
        let block = if mime { &self.mime } else { &self.head };
        let line = [name, ": ", value];
        let mut at = block.len();
        for part in line {
            if let Some(i) = part.find(['\r', '\n']) {
                let byte = part.as_bytes().get(i).copied().unwrap_or(b'\n');
                self.line_break = Some((mime, at + i, byte));
                return;
            }
            at += part.len();
        }
    }

    /// Checks the headers as [`CpimMessage::parse`] does and makes the message.
    pub fn build(self) -> Result<CpimMessage, CpimError> {
        let mut head = self.head;
        head.push_str("\r\n");
        if let Some((mime, at, byte)) = self.line_break {
            let at = if mime { head.len() + at } else { at };
            return Err(CpimError::new(
                crate::CpimErrorKind::ControlCharacter { byte },
                at,
            ));
        }
        if let Some(ct) = &self.content_type {
            head.push_str("Content-Type: ");
            head.push_str(ct);
            head.push_str("\r\n");
        }
        head.push_str(&self.mime);
        head.push_str("\r\n");
        let (mut msg, _) =
            crate::parse::parse_all(Bytes::from(head.into_bytes()), &ParseOptions::STRICT, false)?;
        msg.body = self.body;
        Ok(msg)
    }
}
