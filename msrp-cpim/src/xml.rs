//! The XML documents (feature `xml`): `message/imdn+xml` (RFC 5438 section 11) and
//! `application/im-iscomposing+xml` (RFC 3994), read and written with quick-xml.

use alloc::string::String;
use alloc::vec::Vec;

use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event};
use quick_xml::name::{Namespace, QName, ResolveResult};
use quick_xml::{NsReader, Writer};

use crate::imdn::{IMDN_CONTENT_TYPE, IMDN_NAMESPACE, IMDN_XML_NAMESPACE};
use crate::iscomposing::{ComposingState, ISCOMPOSING_XML_NAMESPACE, IsComposing};
use crate::{CpimBuilder, CpimError, CpimMessage};

/// The longest XML document parsed: 64 KiB (an IMDN or is-composing document is a few
/// hundred bytes).
pub const MAX_XML_LEN: usize = 64 * 1024;

/// What was wrong with an IMDN or is-composing document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// Longer than [`MAX_XML_LEN`].
    #[error("document longer than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// Not well-formed XML (or not UTF-8, or an unknown entity).
    #[error("not well-formed XML")]
    Syntax,
    /// The root element is not the document's (`imdn` or `isComposing` in its namespace).
    #[error("wrong root element or namespace")]
    WrongRoot,
    /// A required element is missing.
    #[error("missing <{element}>")]
    MissingElement {
        /// Its name.
        element: &'static str,
    },
    /// An element that may appear once appears twice (or two notifications or statuses).
    #[error("<{element}> more than once")]
    DuplicateElement {
        /// Its name.
        element: &'static str,
    },
    /// An element of the document's namespace (or without namespace) that the schema does
    /// not allow here.
    #[error("unexpected element")]
    UnexpectedElement,
    /// An element whose text is not a valid value (an empty message-id, a state that is not
    /// active or idle, a refresh that is not a positive integer).
    #[error("invalid value in <{element}>")]
    InvalidValue {
        /// Its name.
        element: &'static str,
    },
}

impl XmlErrorKind {
    /// A short snake_case name of the kind, stable for tools and JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            XmlErrorKind::TooLarge { .. } => "too_large",
            XmlErrorKind::Syntax => "syntax",
            XmlErrorKind::WrongRoot => "wrong_root",
            XmlErrorKind::MissingElement { .. } => "missing_element",
            XmlErrorKind::DuplicateElement { .. } => "duplicate_element",
            XmlErrorKind::UnexpectedElement => "unexpected_element",
            XmlErrorKind::InvalidValue { .. } => "invalid_value",
        }
    }
}

/// An IMDN or is-composing document that could not be parsed; `offset` is the byte offset
/// in the document where the problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct XmlError {
    kind: XmlErrorKind,
    offset: usize,
}

impl XmlError {
    /// What was wrong.
    pub fn kind(&self) -> XmlErrorKind {
        self.kind
    }

    /// Where, in bytes from the start of the document.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// A child element as the reader met it.
struct Child {
    /// In the document's namespace, or in none.
    ours: bool,
    /// In the document's namespace (required of the root).
    bound: bool,
    local: Vec<u8>,
    qname: Vec<u8>,
    empty: bool,
    lang: Option<String>,
    at: usize,
}

struct Reader<'a> {
    r: NsReader<&'a [u8]>,
    ns: &'static str,
}

impl<'a> Reader<'a> {
    fn new(doc: &'a [u8], ns: &'static str) -> Result<Reader<'a>, XmlError> {
        if doc.len() > MAX_XML_LEN {
            return Err(XmlError {
                kind: XmlErrorKind::TooLarge { max: MAX_XML_LEN },
                offset: MAX_XML_LEN,
            });
        }
        Ok(Reader {
            r: NsReader::from_reader(doc),
            ns,
        })
    }

    fn pos(&self) -> usize {
        usize::try_from(self.r.buffer_position()).unwrap_or(usize::MAX)
    }

    fn err(&self, kind: XmlErrorKind, offset: usize) -> XmlError {
        XmlError { kind, offset }
    }

    fn syntax(&self) -> XmlError {
        let at = usize::try_from(self.r.error_position()).unwrap_or(usize::MAX);
        self.err(XmlErrorKind::Syntax, at)
    }

    /// The next event, with whether an element in it is in the document's namespace.
    fn event(&mut self) -> Result<((bool, bool), Event<'a>), XmlError> {
        let doc_ns = self.ns;
        let res = self.r.read_resolved_event().map(|(ns, ev)| {
            // Elements without a namespace are in the document's vocabulary too (RFC 5438's
            // wildcard excludes both), so they are checked, not skipped.
            let ours = match ns {
                ResolveResult::Bound(Namespace(n)) => {
                    (n == doc_ns.as_bytes(), n == doc_ns.as_bytes())
                }
                ResolveResult::Unbound => (true, false),
                ResolveResult::Unknown(_) => (false, false),
            };
            (ours, ev)
        });
        match res {
            Ok(x) => Ok(x),
            Err(_) => Err(self.syntax()),
        }
    }

    fn child(
        &self,
        (ours, bound): (bool, bool),
        e: &BytesStart<'_>,
        empty: bool,
        at: usize,
    ) -> Child {
        let lang = e
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == b"xml:lang")
            .and_then(|a| String::from_utf8(a.value.into_owned()).ok());
        Child {
            ours,
            bound,
            local: e.local_name().as_ref().to_vec(),
            qname: e.name().as_ref().to_vec(),
            empty,
            lang,
            at,
        }
    }

    /// The next child element of the current element, or `None` at its end tag. Text,
    /// comments and processing instructions between elements are skipped.
    fn next_child(&mut self) -> Result<Option<Child>, XmlError> {
        loop {
            let at = self.pos();
            let (ours, ev) = self.event()?;
            match ev {
                Event::Start(e) => return Ok(Some(self.child(ours, &e, false, at))),
                Event::Empty(e) => return Ok(Some(self.child(ours, &e, true, at))),
                Event::End(_) => return Ok(None),
                Event::Eof => return Err(self.err(XmlErrorKind::Syntax, at)),
                Event::GeneralRef(g) if !g.is_char_ref() => {
                    let known = g
                        .decode()
                        .ok()
                        .and_then(|n| quick_xml::escape::resolve_predefined_entity(&n));
                    if known.is_none() {
                        return Err(self.err(XmlErrorKind::Syntax, at));
                    }
                }
                _ => {}
            }
        }
    }

    /// The root element, after the prolog.
    fn root(&mut self) -> Result<Child, XmlError> {
        loop {
            let at = self.pos();
            let (ours, ev) = self.event()?;
            match ev {
                Event::Start(e) => return Ok(self.child(ours, &e, false, at)),
                Event::Empty(e) => return Ok(self.child(ours, &e, true, at)),
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                _ => return Err(self.err(XmlErrorKind::WrongRoot, at)),
            }
        }
    }

    /// After the root's end tag: only comments, processing instructions and white space.
    fn end(&mut self) -> Result<(), XmlError> {
        loop {
            let at = self.pos();
            let (_, ev) = self.event()?;
            match ev {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                _ => return Err(self.err(XmlErrorKind::Syntax, at)),
            }
        }
    }

    /// Skips the content of a child that is not ours.
    fn skip(&mut self, c: &Child) -> Result<(), XmlError> {
        if !c.empty {
            self.r
                .read_to_end(QName(&c.qname))
                .map_err(|_| self.syntax())?;
        }
        Ok(())
    }

    /// The text content of a simple element (entities and character references resolved,
    /// white space at both ends trimmed).
    fn text(&mut self, c: &Child) -> Result<String, XmlError> {
        let mut out = String::new();
        if c.empty {
            return Ok(out);
        }
        loop {
            let at = self.pos();
            let (_, ev) = self.event()?;
            match ev {
                Event::Text(t) => out.push_str(&t.xml10_content().map_err(|_| self.syntax())?),
                Event::CData(t) => out.push_str(&t.decode().map_err(|_| self.syntax())?),
                Event::GeneralRef(g) => {
                    if g.is_char_ref() {
                        match g.resolve_char_ref() {
                            Ok(Some(ch)) => out.push(ch),
                            _ => return Err(self.err(XmlErrorKind::Syntax, at)),
                        }
                    } else {
                        let name = g.decode().map_err(|_| self.syntax())?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => out.push_str(s),
                            None => return Err(self.err(XmlErrorKind::Syntax, at)),
                        }
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::End(_) => break,
                Event::Eof => return Err(self.err(XmlErrorKind::Syntax, at)),
                _ => return Err(self.err(XmlErrorKind::UnexpectedElement, at)),
            }
        }
        let trimmed = out.trim_matches(|c: char| c.is_ascii_whitespace());
        if trimmed.len() != out.len() {
            out = trimmed.into();
        }
        Ok(out)
    }
}

fn set<T>(slot: &mut Option<T>, v: T, element: &'static str, at: usize) -> Result<(), XmlError> {
    if slot.is_some() {
        return Err(XmlError {
            kind: XmlErrorKind::DuplicateElement { element },
            offset: at,
        });
    }
    *slot = Some(v);
    Ok(())
}

/// Writes to a `Vec`, which cannot fail.
fn emit(w: &mut Writer<Vec<u8>>, ev: Event<'_>) {
    let _ = w.write_event(ev);
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, value: &str, lang: Option<&str>) {
    let mut start = BytesStart::new(name);
    if let Some(lang) = lang {
        start.push_attribute(("xml:lang", lang));
    }
    emit(w, Event::Start(start));
    emit(w, Event::Text(BytesText::new(value)));
    emit(w, Event::End(quick_xml::events::BytesEnd::new(name)));
}

fn start_doc(root: &str, ns: &str) -> Writer<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    emit(
        &mut w,
        Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
    );
    let mut start = BytesStart::new(root);
    start.push_attribute(("xmlns", ns));
    emit(&mut w, Event::Start(start));
    w
}

fn end_doc(mut w: Writer<Vec<u8>>, root: &str) -> String {
    emit(&mut w, Event::End(quick_xml::events::BytesEnd::new(root)));
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

/// The status of a delivery notification (RFC 5438 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// `<delivered/>`.
    Delivered,
    /// `<failed/>`.
    Failed,
    /// `<forbidden/>`: the IMDN is refused by policy.
    Forbidden,
    /// `<error/>`.
    Error,
}

/// The status of a display notification (RFC 5438 section 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisplayStatus {
    /// `<displayed/>`.
    Displayed,
    /// `<forbidden/>`.
    Forbidden,
    /// `<error/>`.
    Error,
}

/// The status of a processing notification (RFC 5438 section 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessingStatus {
    /// `<processed/>`.
    Processed,
    /// `<stored/>`: kept for later delivery.
    Stored,
    /// `<forbidden/>`.
    Forbidden,
    /// `<error/>`.
    Error,
}

/// The notification an IMDN carries, with its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notification {
    /// `<delivery-notification>`.
    Delivery(DeliveryStatus),
    /// `<display-notification>`.
    Display(DisplayStatus),
    /// `<processing-notification>`.
    Processing(ProcessingStatus),
}

impl Notification {
    fn element(&self) -> &'static str {
        match self {
            Notification::Delivery(_) => "delivery-notification",
            Notification::Display(_) => "display-notification",
            Notification::Processing(_) => "processing-notification",
        }
    }

    /// Which notification it is: `delivery`, `display` or `processing` (the element's
    /// name without `-notification`, and the Disposition-Notification request it answers).
    pub fn kind(&self) -> &'static str {
        match self {
            Notification::Delivery(_) => "delivery",
            Notification::Display(_) => "display",
            Notification::Processing(_) => "processing",
        }
    }

    /// The status element's name (`delivered`, `displayed`, `stored`, ...).
    pub fn status(&self) -> &'static str {
        match self {
            Notification::Delivery(s) => match s {
                DeliveryStatus::Delivered => "delivered",
                DeliveryStatus::Failed => "failed",
                DeliveryStatus::Forbidden => "forbidden",
                DeliveryStatus::Error => "error",
            },
            Notification::Display(s) => match s {
                DisplayStatus::Displayed => "displayed",
                DisplayStatus::Forbidden => "forbidden",
                DisplayStatus::Error => "error",
            },
            Notification::Processing(s) => match s {
                ProcessingStatus::Processed => "processed",
                ProcessingStatus::Stored => "stored",
                ProcessingStatus::Forbidden => "forbidden",
                ProcessingStatus::Error => "error",
            },
        }
    }

    fn from_status(element: &[u8], status: &[u8]) -> Option<Notification> {
        Some(match (element, status) {
            (b"delivery-notification", b"delivered") => {
                Notification::Delivery(DeliveryStatus::Delivered)
            }
            (b"delivery-notification", b"failed") => Notification::Delivery(DeliveryStatus::Failed),
            (b"delivery-notification", b"forbidden") => {
                Notification::Delivery(DeliveryStatus::Forbidden)
            }
            (b"delivery-notification", b"error") => Notification::Delivery(DeliveryStatus::Error),
            (b"display-notification", b"displayed") => {
                Notification::Display(DisplayStatus::Displayed)
            }
            (b"display-notification", b"forbidden") => {
                Notification::Display(DisplayStatus::Forbidden)
            }
            (b"display-notification", b"error") => Notification::Display(DisplayStatus::Error),
            (b"processing-notification", b"processed") => {
                Notification::Processing(ProcessingStatus::Processed)
            }
            (b"processing-notification", b"stored") => {
                Notification::Processing(ProcessingStatus::Stored)
            }
            (b"processing-notification", b"forbidden") => {
                Notification::Processing(ProcessingStatus::Forbidden)
            }
            (b"processing-notification", b"error") => {
                Notification::Processing(ProcessingStatus::Error)
            }
            _ => return None,
        })
    }
}

/// A `<subject>` of an IMDN: the text and language of the IM's Subject header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImdnSubject {
    /// The text.
    pub text: String,
    /// The `xml:lang` attribute, if any.
    pub lang: Option<String>,
}

/// A `message/imdn+xml` document (RFC 5438 section 11).
///
/// ```
/// use msrp_cpim::{DeliveryStatus, Imdn, Notification};
///
/// let imdn = Imdn::new("34jk324j", "2008-04-04T12:16:49-05:00", Notification::Delivery(DeliveryStatus::Delivered))
///     .with_recipient("im:bob@example.com");
/// let xml = imdn.to_xml();
/// assert!(xml.contains("<delivered/>"));
/// assert_eq!(Imdn::parse(xml.as_bytes())?, imdn);
/// # Ok::<(), msrp_cpim::XmlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Imdn {
    /// `<message-id>`: the imdn.Message-ID of the IM this notification is about.
    pub message_id: String,
    /// `<datetime>`: the DateTime of that IM (not of the IMDN).
    pub datetime: String,
    /// `<recipient-uri>`: the final recipient.
    pub recipient_uri: Option<String>,
    /// `<original-recipient-uri>`: from the IM's Original-To.
    pub original_recipient_uri: Option<String>,
    /// `<subject>`.
    pub subject: Option<ImdnSubject>,
    /// The notification and its status.
    pub notification: Notification,
}

impl Imdn {
    /// A notification about the IM `message_id` sent at `datetime`.
    pub fn new(message_id: &str, datetime: &str, notification: Notification) -> Imdn {
        Imdn {
            message_id: message_id.into(),
            datetime: datetime.into(),
            recipient_uri: None,
            original_recipient_uri: None,
            subject: None,
            notification,
        }
    }

    /// With a `<recipient-uri>`.
    #[must_use]
    pub fn with_recipient(mut self, uri: &str) -> Imdn {
        self.recipient_uri = Some(uri.into());
        self
    }

    /// The notification `notification` for the received IM `im` (RFC 5438 section 7.2.1):
    /// message-id and datetime from its headers, recipient-uri from its first To,
    /// original-recipient-uri from its Original-To, subject from its first Subject. `None`
    /// if the IM has no imdn.Message-ID or no DateTime.
    pub fn for_message(im: &CpimMessage, notification: Notification) -> Option<Imdn> {
        Some(Imdn {
            message_id: im.imdn_message_id()?.into(),
            datetime: im.datetime()?.into(),
            recipient_uri: im.to().next().map(|a| a.uri().into()),
            original_recipient_uri: im.imdn_original_to().map(|a| a.uri().into()),
            subject: im.subjects().next().map(|s| ImdnSubject {
                text: s.text.into_owned(),
                lang: s.lang.map(Into::into),
            }),
            notification,
        })
    }

    /// The CPIM message that carries this notification back to the sender of `im` (RFC
    /// 5438 section 7.2.1): From its first To, To its From, the IMDN-Record-Route headers
    /// copied into IMDN-Route in order, a new `message_id`, Content-Type
    /// `message/imdn+xml` and Content-Disposition `notification`.
    pub fn to_message(&self, im: &CpimMessage, message_id: &str) -> Result<CpimMessage, CpimError> {
        let mut b = CpimBuilder::new();
        if let Some(to) = im
            .headers()
            .iter()
            .find(|h| h.is(crate::CPIM_NAMESPACE, "To"))
        {
            b = b.from(to.value());
        }
        if let Some(from) = im
            .headers()
            .iter()
            .find(|h| h.is(crate::CPIM_NAMESPACE, "From"))
        {
            b = b.to(from.value());
        }
        b = b
            .ns(crate::IMDN_PREFIX, IMDN_NAMESPACE)
            .imdn_message_id(message_id);
        for h in im.headers_in(IMDN_NAMESPACE, "IMDN-Record-Route") {
            b = b.header("imdn.IMDN-Route", h.value());
        }
        b.content_type(IMDN_CONTENT_TYPE)
            .mime_header("Content-Disposition", "notification")
            .body(self.to_xml())
            .build()
    }

    /// Parses a document. Elements of other namespaces (extensions) are skipped.
    pub fn parse(doc: &[u8]) -> Result<Imdn, XmlError> {
        let mut r = Reader::new(doc, IMDN_XML_NAMESPACE)?;
        let root = r.root()?;
        if !root.bound || root.local != b"imdn" {
            return Err(r.err(XmlErrorKind::WrongRoot, root.at));
        }
        let (mut message_id, mut datetime, mut recipient, mut original, mut subject) =
            (None, None, None, None, None);
        let mut notification = None;
        if !root.empty {
            while let Some(c) = r.next_child()? {
                if !c.ours {
                    r.skip(&c)?;
                    continue;
                }
                match c.local.as_slice() {
                    b"message-id" => {
                        let v = r.text(&c)?;
                        if v.is_empty() || v.contains(char::is_whitespace) {
                            return Err(r.err(
                                XmlErrorKind::InvalidValue {
                                    element: "message-id",
                                },
                                c.at,
                            ));
                        }
                        set(&mut message_id, v, "message-id", c.at)?;
                    }
                    b"datetime" => {
                        let v = r.text(&c)?;
                        set(&mut datetime, v, "datetime", c.at)?;
                    }
                    b"recipient-uri" => {
                        let v = r.text(&c)?;
                        set(&mut recipient, v, "recipient-uri", c.at)?;
                    }
                    b"original-recipient-uri" => {
                        let v = r.text(&c)?;
                        set(&mut original, v, "original-recipient-uri", c.at)?;
                    }
                    b"subject" => {
                        let lang = c.lang.clone();
                        let text = r.text(&c)?;
                        set(&mut subject, ImdnSubject { text, lang }, "subject", c.at)?;
                    }
                    el @ (b"delivery-notification"
                    | b"display-notification"
                    | b"processing-notification") => {
                        let el = el.to_vec();
                        let n = Self::parse_notification(&mut r, &c, &el)?;
                        set(&mut notification, n, "notification", c.at)?;
                    }
                    _ => return Err(r.err(XmlErrorKind::UnexpectedElement, c.at)),
                }
            }
        }
        r.end()?;
        let missing = |element| XmlError {
            kind: XmlErrorKind::MissingElement { element },
            offset: root.at,
        };
        Ok(Imdn {
            message_id: message_id.ok_or_else(|| missing("message-id"))?,
            datetime: datetime.ok_or_else(|| missing("datetime"))?,
            recipient_uri: recipient,
            original_recipient_uri: original,
            subject,
            notification: notification.ok_or_else(|| missing("delivery-notification"))?,
        })
    }

    fn parse_notification(
        r: &mut Reader<'_>,
        c: &Child,
        el: &[u8],
    ) -> Result<Notification, XmlError> {
        let mut found = None;
        if !c.empty {
            while let Some(s) = r.next_child()? {
                if !s.ours {
                    r.skip(&s)?;
                    continue;
                }
                if s.local != b"status" {
                    return Err(r.err(XmlErrorKind::UnexpectedElement, s.at));
                }
                let mut status = None;
                if !s.empty {
                    while let Some(v) = r.next_child()? {
                        if !v.ours {
                            r.skip(&v)?;
                            continue;
                        }
                        let n = Notification::from_status(el, &v.local)
                            .ok_or_else(|| r.err(XmlErrorKind::UnexpectedElement, v.at))?;
                        // The status elements are empty.
                        if !v.empty && !r.text(&v)?.is_empty() {
                            return Err(
                                r.err(XmlErrorKind::InvalidValue { element: "status" }, v.at)
                            );
                        }
                        set(&mut status, n, "status", v.at)?;
                    }
                }
                let n = status.ok_or_else(|| {
                    r.err(XmlErrorKind::MissingElement { element: "status" }, s.at)
                })?;
                set(&mut found, n, "status", s.at)?;
            }
        }
        found.ok_or_else(|| r.err(XmlErrorKind::MissingElement { element: "status" }, c.at))
    }

    /// Prints the document (UTF-8, with an XML declaration, indented).
    pub fn to_xml(&self) -> String {
        let mut w = start_doc("imdn", IMDN_XML_NAMESPACE);
        text_element(&mut w, "message-id", &self.message_id, None);
        text_element(&mut w, "datetime", &self.datetime, None);
        if let Some(v) = &self.recipient_uri {
            text_element(&mut w, "recipient-uri", v, None);
        }
        if let Some(v) = &self.original_recipient_uri {
            text_element(&mut w, "original-recipient-uri", v, None);
        }
        if let Some(s) = &self.subject {
            text_element(&mut w, "subject", &s.text, s.lang.as_deref());
        }
        let el = self.notification.element();
        emit(&mut w, Event::Start(BytesStart::new(el)));
        emit(&mut w, Event::Start(BytesStart::new("status")));
        emit(
            &mut w,
            Event::Empty(BytesStart::new(self.notification.status())),
        );
        emit(
            &mut w,
            Event::End(quick_xml::events::BytesEnd::new("status")),
        );
        emit(&mut w, Event::End(quick_xml::events::BytesEnd::new(el)));
        end_doc(w, "imdn")
    }
}

impl IsComposing {
    /// Parses an `application/im-iscomposing+xml` document. Elements of other namespaces
    /// are skipped; the elements may come in any order.
    pub fn parse(doc: &[u8]) -> Result<IsComposing, XmlError> {
        let mut r = Reader::new(doc, ISCOMPOSING_XML_NAMESPACE)?;
        let root = r.root()?;
        if !root.bound || root.local != b"isComposing" {
            return Err(r.err(XmlErrorKind::WrongRoot, root.at));
        }
        let (mut state, mut last_active, mut content_type, mut refresh) = (None, None, None, None);
        if !root.empty {
            while let Some(c) = r.next_child()? {
                if !c.ours {
                    r.skip(&c)?;
                    continue;
                }
                let invalid = |element| XmlError {
                    kind: XmlErrorKind::InvalidValue { element },
                    offset: c.at,
                };
                match c.local.as_slice() {
                    b"state" => {
                        let s = match r.text(&c)?.as_str() {
                            "active" => ComposingState::Active,
                            "idle" => ComposingState::Idle,
                            _ => return Err(invalid("state")),
                        };
                        set(&mut state, s, "state", c.at)?;
                    }
                    b"lastactive" => {
                        let v = r.text(&c)?;
                        set(&mut last_active, v, "lastactive", c.at)?;
                    }
                    b"contenttype" => {
                        let v = r.text(&c)?;
                        set(&mut content_type, v, "contenttype", c.at)?;
                    }
                    b"refresh" => {
                        let v = r.text(&c)?;
                        let n = v
                            .parse::<u32>()
                            .ok()
                            .filter(|&n| n > 0 && v.bytes().all(|b| b.is_ascii_digit()))
                            .ok_or_else(|| invalid("refresh"))?;
                        set(&mut refresh, n, "refresh", c.at)?;
                    }
                    _ => return Err(r.err(XmlErrorKind::UnexpectedElement, c.at)),
                }
            }
        }
        r.end()?;
        Ok(IsComposing {
            state: state.ok_or(XmlError {
                kind: XmlErrorKind::MissingElement { element: "state" },
                offset: root.at,
            })?,
            last_active,
            content_type,
            refresh,
        })
    }

    /// Prints the document (UTF-8, with an XML declaration, indented).
    pub fn to_xml(&self) -> String {
        let mut w = start_doc("isComposing", ISCOMPOSING_XML_NAMESPACE);
        text_element(&mut w, "state", self.state.as_str(), None);
        if let Some(v) = &self.last_active {
            text_element(&mut w, "lastactive", v, None);
        }
        if let Some(v) = &self.content_type {
            text_element(&mut w, "contenttype", v, None);
        }
        if let Some(n) = self.refresh {
            text_element(&mut w, "refresh", &alloc::format!("{n}"), None);
        }
        end_doc(w, "isComposing")
    }
}
