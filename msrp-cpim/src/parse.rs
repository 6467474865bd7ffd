//! The CPIM parser: one forward pass over the input, bounded by the options.

use alloc::vec::Vec;

use bytes::Bytes;

use crate::imdn::{DispositionNotification, IMDN_NAMESPACE};
use crate::message::{CPIM_NAMESPACE, CpimMessage, Header, Known, MimeHeader};
use crate::syntax::{self, NameAddr};
use crate::{CpimError, CpimErrorKind as K, ParseOptions, Quirk, Quirks};

/// One physical line: content `[start, end)`, the next line at `next`.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

impl Line {
    fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// One header field: its first line and any continuation lines, `[start, end)`.
#[derive(Debug, Clone, Copy)]
struct Field {
    start: usize,
    first_end: usize,
    end: usize,
    next: usize,
}

impl Field {
    fn folded(&self) -> bool {
        self.first_end != self.end
    }
}

struct Parser<'a> {
    buf: &'a Bytes,
    opts: &'a ParseOptions,
    quirks: Quirks,
    /// The input is a prefix: reaching its end inside the header blocks means more is
    /// needed, not that the message is malformed.
    partial: bool,
    /// Set when a partial input ended inside the header blocks (the error returned then
    /// only stops the parse).
    incomplete: bool,
}

fn err(kind: K, offset: usize) -> CpimError {
    CpimError::new(kind, offset)
}

impl Parser<'_> {
    /// Stops a partial parse at the end of the input: more is needed.
    fn need_more(&mut self, pos: usize) -> CpimError {
        self.incomplete = true;
        err(K::UnterminatedHeaders, pos)
    }

    fn tolerate(&mut self, quirk: Quirk, kind: K, offset: usize) -> Result<(), CpimError> {
        if self.opts.tolerant() {
            self.quirks.insert(quirk);
            Ok(())
        } else {
            Err(err(kind, offset))
        }
    }

    /// The line at `pos`, or `None` at the end of the input. A last line without a line end
    /// ends at the end of the input.
    fn line(&mut self, pos: usize) -> Result<Option<Line>, CpimError> {
        let buf = self.buf.as_ref();
        let Some(rest) = buf.get(pos..).filter(|r| !r.is_empty()) else {
            if self.partial {
                return Err(self.need_more(pos));
            }
            return Ok(None);
        };
        // A header longer than the limit is refused without scanning past it.
        let window = rest.len().min(self.opts.max_header_len.saturating_add(2));
        let Some(lf) = memchr::memchr(b'\n', rest.get(..window).unwrap_or(rest)) else {
            if window < rest.len() {
                return Err(err(
                    K::HeaderTooLong {
                        max: self.opts.max_header_len,
                    },
                    pos,
                ));
            }
            if self.partial {
                return Err(self.need_more(pos));
            }
            return Ok(Some(Line {
                start: pos,
                end: buf.len(),
                next: buf.len(),
            }));
        };
        let at = pos + lf;
        let end = if lf > 0 && rest.get(lf - 1) == Some(&b'\r') {
            at - 1
        } else {
            self.tolerate(Quirk::BareLf, K::BareLf, at)?;
            at
        };
        Ok(Some(Line {
            start: pos,
            end,
            next: at + 1,
        }))
    }

    /// The header field starting with `first` and its continuation lines (lines that begin
    /// with SP or HTAB).
    fn field(&mut self, first: Line) -> Result<Field, CpimError> {
        let mut f = Field {
            start: first.start,
            first_end: first.end,
            end: first.end,
            next: first.next,
        };
        while let Some(line) = self.peek_continuation(f.next)? {
            f.end = line.end;
            f.next = line.next;
            self.check_len(&f)?;
        }
        self.check_len(&f)?;
        Ok(f)
    }

    fn peek_continuation(&mut self, pos: usize) -> Result<Option<Line>, CpimError> {
        match self.buf.get(pos) {
            Some(b' ' | b'\t') => self.line(pos),
            // Whether the field goes on is not known until the next line begins.
            None if self.partial => Err(self.need_more(pos)),
            _ => Ok(None),
        }
    }

    fn check_len(&self, f: &Field) -> Result<(), CpimError> {
        if f.end - f.start > self.opts.max_header_len {
            return Err(err(
                K::HeaderTooLong {
                    max: self.opts.max_header_len,
                },
                f.start,
            ));
        }
        Ok(())
    }

    /// The bytes of a CPIM header field: a slice of the input, or (tolerant parsing of a
    /// folded header) the lines joined, each line break and the white space after it
    /// replaced by one SP.
    fn cpim_field_bytes(&mut self, f: &Field) -> Result<Bytes, CpimError> {
        if !f.folded() {
            return Ok(self.buf.slice(f.start..f.first_end));
        }
        self.tolerate(Quirk::FoldedHeader, K::FoldedHeader, f.first_end)?;
        let mut joined = Vec::with_capacity(f.end - f.start);
        let mut pos = f.start;
        while pos < f.next {
            let Some(line) = self.line(pos)? else { break };
            let content = self.buf.get(line.start..line.end).unwrap_or_default();
            if pos == f.start {
                joined.extend_from_slice(content);
            } else {
                joined.push(b' ');
                let trimmed = content
                    .iter()
                    .position(|&b| b != b' ' && b != b'\t')
                    .map_or(&[][..], |i| content.get(i..).unwrap_or_default());
                joined.extend_from_slice(trimmed);
            }
            pos = line.next;
        }
        Ok(Bytes::from(joined))
    }
}

/// A parsed CPIM header line, as ranges into its bytes.
struct Parts {
    name_end: usize,
    dot: Option<usize>,
    params: (usize, usize),
    value: (usize, usize),
}

impl Parser<'_> {
    /// `Header-name ":" *( ";" Parameter ) SP Header-value` (RFC 3862 section 3.6), on one
    /// line whose first byte is at `base` in the input.
    fn cpim_line(&mut self, line: &[u8], base: usize) -> Result<Parts, CpimError> {
        if let Err(e) = core::str::from_utf8(line) {
            return Err(err(K::InvalidUtf8, base + e.valid_up_to()));
        }
        if let Some(i) = line.iter().position(|&b| syntax::is_ctl(b)) {
            let byte = line.get(i).copied().unwrap_or_default();
            return Err(err(K::ControlCharacter { byte }, base + i));
        }
        let name_end = line
            .iter()
            .position(|&b| !(syntax::is_namechar(b) || b == b'.'))
            .ok_or_else(|| err(K::MissingColon, base + line.len()))?;
        if line.get(name_end) != Some(&b':') {
            // A line with no colon at all is `MissingColon`; a byte outside NAMECHAR before
            // the colon is a bad name.
            let kind = if line.contains(&b':') {
                K::InvalidHeaderName
            } else {
                K::MissingColon
            };
            return Err(err(kind, base + name_end));
        }
        let name = line.get(..name_end).unwrap_or_default();
        let dot = syntax::header_name(name).ok_or_else(|| err(K::InvalidHeaderName, base))?;
        // Parameters.
        let params_start = name_end + 1;
        let mut i = params_start;
        while line.get(i) == Some(&b';') {
            i = param_end(line, i + 1).ok_or_else(|| err(K::InvalidParameter, base + i))?;
        }
        let params = (params_start, i);
        // One SP, then the value.
        let mut vstart = i;
        let mut vend = line.len();
        match line.get(i) {
            // `":" SP Header-value`: a value may itself begin with SP (HEADERCHAR includes
            // it), so a second SP is part of the value.
            Some(b' ') => vstart = i + 1,
            _ => self.tolerate(Quirk::HeaderSpacing, K::HeaderSpacing, base + i)?,
        }
        if vend > vstart && line.get(vend - 1) == Some(&b' ') {
            self.tolerate(
                Quirk::TrailingWhitespace,
                K::TrailingWhitespace,
                base + vend - 1,
            )?;
            while vend > vstart && line.get(vend - 1) == Some(&b' ') {
                vend -= 1;
            }
        }
        Ok(Parts {
            name_end,
            dot,
            params,
            value: (vstart, vend.max(vstart)),
        })
    }
}

/// The end of `Param-name "=" ( Token / Number / String )` starting at `at`.
pub(crate) fn param_end(line: &[u8], at: usize) -> Option<usize> {
    let rest = line.get(at..)?;
    let eq = rest.iter().position(|&b| !syntax::is_namechar(b))?;
    if eq == 0 || rest.get(eq) != Some(&b'=') {
        return None;
    }
    let value = rest.get(eq + 1..)?;
    let len = if value.first() == Some(&b'"') {
        syntax::quoted_string_end(value)?
    } else {
        let n = value
            .iter()
            .position(|&b| !syntax::is_tokenchar(b))
            .unwrap_or(value.len());
        (n > 0).then_some(n)?
    };
    Some(at + eq + 1 + len)
}

/// The value of an `NS` header: `[ Name-prefix [SP] ] "<" URI ">"` as `(prefix, URI)`.
pub(crate) fn ns_value(value: &str) -> Option<(Option<&str>, &str)> {
    let lt = value.find('<')?;
    let (head, uri) = value.split_at(lt);
    let head = head.strip_suffix(' ').unwrap_or(head);
    let prefix = if head.is_empty() {
        None
    } else {
        syntax::is_name(head.as_bytes()).then_some(head)?.into()
    };
    let uri = uri.strip_prefix('<')?.strip_suffix('>')?;
    syntax::is_absolute_uri(uri).then_some((prefix, uri))
}

/// Whether `value` is `Header-name *( "," Header-name )` (one SP allowed around commas).
fn is_require(value: &str) -> bool {
    value
        .split(',')
        .all(|n| syntax::header_name(n.trim_matches(' ').as_bytes()).is_some())
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// How much of a message [`parse`] is given, and what it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// A whole message: header blocks and body.
    Whole,
    /// The head of a message being built: everything after the second blank line is
    /// ignored.
    HeadOnly,
    /// The first bytes of a message: `Ok(None)` when they end inside the header blocks;
    /// otherwise the body is what of it the prefix holds.
    Prefix,
}

/// Parses `input` as `extent` says. `Ok(None)` only for [`Extent::Prefix`].
pub(crate) fn parse(
    input: Bytes,
    opts: &ParseOptions,
    extent: Extent,
) -> Result<Option<(CpimMessage, Quirks)>, CpimError> {
    if input.is_empty() {
        if extent == Extent::Prefix {
            return Ok(None);
        }
        return Err(err(K::Empty, 0));
    }
    let mut p = Parser {
        buf: &input,
        opts,
        quirks: Quirks::NONE,
        partial: extent == Extent::Prefix,
        incomplete: false,
    };
    match blocks(&mut p, &input, opts, extent != Extent::HeadOnly) {
        Ok(msg) => Ok(Some((msg, p.quirks))),
        Err(_) if p.incomplete => Ok(None),
        Err(e) => Err(e),
    }
}

/// A whole message (`with_body`) or the head of one being built.
pub(crate) fn parse_all(
    input: Bytes,
    opts: &ParseOptions,
    with_body: bool,
) -> Result<(CpimMessage, Quirks), CpimError> {
    let extent = if with_body {
        Extent::Whole
    } else {
        Extent::HeadOnly
    };
    // Only a prefix can leave the outcome open.
    parse(input, opts, extent)?.ok_or(err(K::Empty, 0))
}

/// The two header blocks, then the body (`with_body`).
fn blocks(
    p: &mut Parser<'_>,
    input: &Bytes,
    opts: &ParseOptions,
    with_body: bool,
) -> Result<CpimMessage, CpimError> {
    let tolerant = opts.tolerant();
    let mut headers: Vec<Header> = Vec::new();
    // NS declarations so far: (prefix, URI) as slices of the values.
    let mut decls: Vec<(Option<Bytes>, Bytes)> = Vec::new();
    let mut pos = 0;
    let mut first = true;
    let mut mime_from: Option<usize> = None;
    let mut datetime_seen = false;
    let mut imdn_request_at: Option<usize> = None;

    // The CPIM header block.
    loop {
        let Some(line) = p.line(pos)? else {
            p.tolerate(Quirk::MissingSeparator, K::UnterminatedHeaders, pos)?;
            break;
        };
        if line.is_empty() {
            pos = line.next;
            break;
        }
        if matches!(input.get(line.start), Some(b' ' | b'\t')) {
            // A continuation with no header to continue, or white space at the start of a
            // line: neither is allowed.
            return Err(err(K::FoldedHeader, line.start));
        }
        let raw_line = input.get(line.start..line.end).unwrap_or_default();
        if tolerant && starts_with_ignore_case(raw_line, b"content-") {
            let is_outer = first
                && starts_with_ignore_case(raw_line, b"content-type:")
                && raw_line
                    .get(13..)
                    .is_some_and(|v| v.trim_ascii().eq_ignore_ascii_case(b"message/cpim"));
            if is_outer {
                p.quirks.insert(Quirk::OuterContentType);
                first = false;
                pos = line.next;
                // A blank line after the outer header is part of it.
                if let Some(l) = p.line(pos)? {
                    if l.is_empty() {
                        pos = l.next;
                    }
                }
                continue;
            }
            p.quirks.insert(Quirk::MissingSeparator);
            mime_from = Some(line.start);
            break;
        }
        first = false;
        if headers.len() >= opts.max_headers {
            return Err(err(
                K::TooManyHeaders {
                    max: opts.max_headers,
                },
                line.start,
            ));
        }
        let field = p.field(line)?;
        let bytes = p.cpim_field_bytes(&field)?;
        let base = field.start;
        let parts = p.cpim_line(&bytes, base)?;
        pos = field.next;

        let name = bytes.slice(..parts.name_end);
        let params = bytes.slice(parts.params.0..parts.params.1);
        let value = bytes.slice(parts.value.0..parts.value.1);
        let value_at = base + parts.value.0;
        // Resolve the namespace: a declared prefix, or the default namespace.
        let (prefix, local) = match parts.dot {
            Some(d) => (name.get(..d), name.get(d + 1..).unwrap_or_default()),
            None => (None, name.as_ref()),
        };
        let namespace = match prefix {
            Some(prefix) => {
                let found = decls
                    .iter()
                    .rev()
                    .find(|(pfx, _)| pfx.as_deref() == Some(prefix))
                    .map(|(_, uri)| uri.clone());
                if found.is_none() {
                    p.tolerate(Quirk::UndeclaredPrefix, K::UndeclaredPrefix, base)?;
                }
                found
            }
            None => Some(
                decls
                    .iter()
                    .rev()
                    .find(|(pfx, _)| pfx.is_none())
                    .map_or_else(
                        || Bytes::from_static(CPIM_NAMESPACE.as_bytes()),
                        |d| d.1.clone(),
                    ),
            ),
        };
        let in_cpim = namespace.as_deref() == Some(CPIM_NAMESPACE.as_bytes());
        let in_imdn = namespace.as_deref() == Some(IMDN_NAMESPACE.as_bytes());
        let mut known = None;
        if in_cpim {
            for (n, k) in Known::ALL {
                if local == n.as_bytes() {
                    known = Some(k);
                } else if tolerant && local.eq_ignore_ascii_case(n.as_bytes()) {
                    p.quirks.insert(Quirk::HeaderNameCase);
                    known = Some(k);
                }
            }
        }
        let v = crate::message::text(&value);
        // Each header defined by RFC 3862 or RFC 5438 follows its own rule.
        let invalid = match known {
            Some(Known::From | Known::To | Known::Cc) => {
                NameAddr::parse(v).is_none().then_some(K::InvalidAddress)
            }
            Some(Known::DateTime) => {
                datetime_seen = true;
                (!syntax::is_date_time(v)).then_some(K::InvalidDateTime)
            }
            Some(Known::Ns) => match ns_value(v) {
                Some((pfx, uri)) => {
                    let pfx = pfx.map(|s| value.slice_ref(s.as_bytes()));
                    decls.push((pfx, value.slice_ref(uri.as_bytes())));
                    None
                }
                None => Some(K::InvalidNamespace),
            },
            Some(Known::Require) => (!is_require(v)).then_some(K::InvalidRequire),
            Some(Known::Subject) | None if !in_imdn => None,
            _ => match local {
                b"Message-ID" => (!syntax::is_token(v.as_bytes())).then_some(K::InvalidMessageId),
                b"Disposition-Notification" => match DispositionNotification::parse(v) {
                    Some(dn) => {
                        if !dn.is_empty() {
                            imdn_request_at = Some(base);
                        }
                        None
                    }
                    None => Some(K::InvalidDispositionNotification),
                },
                b"Original-To" | b"IMDN-Record-Route" | b"IMDN-Route" => {
                    NameAddr::parse(v).is_none().then_some(K::InvalidAddress)
                }
                _ => None,
            },
        };
        if let Some(kind) = invalid {
            p.tolerate(Quirk::InvalidValue, kind, value_at)?;
        }
        headers.push(Header {
            name,
            dot: parts.dot,
            params,
            value,
            namespace,
            known,
        });
    }
    if let Some(at) = imdn_request_at {
        if !datetime_seen {
            p.tolerate(Quirk::MissingDateTime, K::MissingDateTime, at)?;
        }
    }

    // The MIME header block.
    let mime_start = mime_from.unwrap_or(pos);
    let mut pos = mime_start;
    let mut mime_headers = Vec::new();
    loop {
        let Some(line) = p.line(pos)? else {
            p.tolerate(Quirk::MissingSeparator, K::UnterminatedHeaders, pos)?;
            break;
        };
        if line.is_empty() {
            pos = line.next;
            break;
        }
        if matches!(input.get(line.start), Some(b' ' | b'\t')) {
            return Err(err(K::InvalidMimeHeader, line.start));
        }
        if mime_headers.len() >= opts.max_headers {
            return Err(err(
                K::TooManyHeaders {
                    max: opts.max_headers,
                },
                line.start,
            ));
        }
        let field = p.field(line)?;
        mime_headers.push(mime_header(input, &field)?);
        pos = field.next;
    }
    if !mime_headers
        .iter()
        .any(|h: &MimeHeader| h.name().eq_ignore_ascii_case("Content-Type"))
    {
        p.tolerate(Quirk::MissingContentType, K::MissingContentType, mime_start)?;
    }
    let body = if with_body {
        input.slice(pos.min(input.len())..)
    } else {
        Bytes::new()
    };
    Ok(CpimMessage {
        headers,
        mime_headers,
        body,
    })
}

/// `field-name ":" unstructured` (RFC 5322 section 2.2), possibly folded.
fn mime_header(input: &Bytes, f: &Field) -> Result<MimeHeader, CpimError> {
    let raw = input.get(f.start..f.end).unwrap_or_default();
    let colon = raw
        .iter()
        .position(|&b| !(b.is_ascii_graphic() && b != b':'))
        .filter(|&i| i > 0 && raw.get(i) == Some(&b':'))
        .ok_or_else(|| err(K::InvalidMimeHeader, f.start))?;
    if let Err(e) = core::str::from_utf8(raw) {
        return Err(err(K::InvalidUtf8, f.start + e.valid_up_to()));
    }
    // Control characters other than HTAB are not allowed, except the line breaks of folds.
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let fold_break = (b == b'\r' && raw.get(i + 1) == Some(&b'\n'))
            || (b == b'\n' && matches!(raw.get(i + 1), Some(b' ' | b'\t')));
        if syntax::is_ctl(b) && b != b'\t' && !fold_break {
            return Err(err(K::ControlCharacter { byte: b }, f.start + i));
        }
        i += 1;
    }
    // White space around the value goes, line breaks of folds at either end with it (a
    // CR or LF inside a field is always part of a fold): the value never starts or ends
    // with one, so that printing it on one line and parsing again gives it back.
    let wsp = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\r' | b'\n'));
    let mut vstart = colon + 1;
    while wsp(raw.get(vstart)) {
        vstart += 1;
    }
    let mut vend = raw.len();
    while vend > vstart && wsp(raw.get(vend - 1)) {
        vend -= 1;
    }
    Ok(MimeHeader {
        name: input.slice(f.start..f.start + colon),
        value: input.slice(f.start + vstart..f.start + vend),
    })
}
