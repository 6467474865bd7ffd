//! Whole session descriptions: parse line by line, check the structure, print back.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::error::{SdpError, SdpErrorKind as K, SdpQuirk};
use crate::line::{Attribute, Line};
use crate::media::MediaDescription;
use crate::options::ParseOptions;

/// A session description (RFC 8866): the session-level lines, then the media descriptions,
/// each kept in order with unknown lines and attributes preserved, so that printing a parsed
/// description gives back every line a user did not change (with CRLF line ends).
///
/// ```
/// use msrp_sdp::SessionDescription;
///
/// let sdp: SessionDescription = "v=0\r\no=alice 1 1 IN IP4 a.example.com\r\ns=-\r\n\
///     c=IN IP4 a.example.com\r\nt=0 0\r\nm=message 7654 TCP/MSRP *\r\n\
///     a=accept-types:text/plain\r\na=path:msrp://a.example.com:7654/s1;tcp\r\n"
///     .parse()?;
/// let m = &sdp.media[0];
/// assert_eq!(m.accept_types(), ["text/plain"]);
/// assert_eq!(sdp.to_string().lines().count(), 8);
/// # Ok::<(), msrp_sdp::SdpError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SessionDescription {
    /// Session-level lines, in order (`v=` ... the last session-level `a=`).
    pub lines: Vec<Line>,
    /// The media descriptions, in order.
    pub media: Vec<MediaDescription>,
}

/// The rank of a session-level line type in RFC 8866 section 5 order.
fn session_rank(kind: char) -> Option<u8> {
    Some(match kind {
        'v' => 0,
        'o' => 1,
        's' => 2,
        'i' => 3,
        'u' => 4,
        'e' => 5,
        'p' => 6,
        'c' => 7,
        'b' => 8,
        't' | 'r' => 9,
        'z' => 10,
        'k' => 11,
        'a' => 12,
        _ => return None,
    })
}

/// The rank of a media-level line type.
fn media_rank(kind: char) -> Option<u8> {
    Some(match kind {
        'm' => 0,
        'i' => 1,
        'c' => 2,
        'b' => 3,
        'k' => 4,
        'a' => 5,
        _ => return None,
    })
}

impl SessionDescription {
    /// Parses a whole session description strictly.
    pub fn parse(s: &str) -> Result<SessionDescription, SdpError> {
        Self::parse_with(s.as_bytes(), &ParseOptions::STRICT).map(|(d, _)| d)
    }

    /// Parses with the given options; also returns the deviations tolerant mode accepted,
    /// each with its line number (1-based).
    pub fn parse_with(
        input: &[u8],
        opts: &ParseOptions,
    ) -> Result<(SessionDescription, Vec<(SdpQuirk, usize)>), SdpError> {
        if input.len() > opts.max_len {
            return Err(SdpError::new(K::TooLong { max: opts.max_len }, 0));
        }
        let tolerant = opts.tolerant();
        let mut quirks = Vec::new();
        let mut sdp = SessionDescription::default();
        let mut rest = input;
        let mut number = 0;
        while !rest.is_empty() {
            number += 1;
            if number > opts.max_lines {
                return Err(SdpError::new(
                    K::TooManyLines {
                        max: opts.max_lines,
                    },
                    number,
                ));
            }
            let (mut raw, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &[][..]),
            };
            let ended = raw.len() < rest.len();
            rest = next;
            match raw.strip_suffix(b"\r") {
                Some(r) => raw = r,
                None if !ended && raw.is_empty() => break,
                None => {
                    if !tolerant {
                        return Err(SdpError::new(K::BareLf, number));
                    }
                    quirks.push((SdpQuirk::BareLf, number));
                }
            }
            if raw.is_empty() && tolerant {
                continue;
            }
            let text = core::str::from_utf8(raw).map_err(|_| SdpError::new(K::NotUtf8, number))?;
            let mut chars = text.chars();
            let (Some(kind), Some('=')) = (chars.next(), chars.next()) else {
                return Err(SdpError::new(K::InvalidLine, number));
            };
            if !kind.is_ascii_lowercase() {
                return Err(SdpError::new(K::InvalidLine, number));
            }
            let line = Line::new(kind, String::from(&text[2..]));
            if kind == 'm' {
                sdp.media.push(MediaDescription::from_m_line(line, number)?);
            } else if let Some(m) = sdp.media.last_mut() {
                m.push_parsed(line);
            } else {
                sdp.lines.push(line);
            }
        }
        sdp.check_structure(opts, &mut quirks)?;
        for m in &sdp.media {
            m.check_attributes(opts, &mut quirks)?;
        }
        Ok((sdp, quirks))
    }

    fn check_structure(
        &self,
        opts: &ParseOptions,
        quirks: &mut Vec<(SdpQuirk, usize)>,
    ) -> Result<(), SdpError> {
        let tolerant = opts.tolerant();
        // Line numbers: session lines are 1..=n; media lines follow (tracked by the media).
        let mut last = 0;
        for (i, l) in self.lines.iter().enumerate() {
            let Some(rank) = session_rank(l.kind) else {
                // Unknown types are kept; RFC 8866 section 5 lets parsers ignore them only in
                // tolerant use.
                if !tolerant {
                    return Err(SdpError::new(
                        K::Structure("unknown line type at session level"),
                        i + 1,
                    ));
                }
                continue;
            };
            if rank < last {
                if !tolerant {
                    return Err(SdpError::new(
                        K::Structure("session-level lines out of order"),
                        i + 1,
                    ));
                }
                quirks.push((SdpQuirk::LineOrder, i + 1));
            }
            last = last.max(rank);
        }
        if opts.fragment {
            return Ok(());
        }
        let kinds: Vec<char> = self.lines.iter().map(|l| l.kind).collect();
        if kinds.first() != Some(&'v') || self.lines[0].value != "0" {
            return Err(SdpError::new(K::Structure("the first line must be v=0"), 1));
        }
        if kinds.get(1) != Some(&'o') {
            return Err(SdpError::new(K::Structure("o= must follow v="), 2));
        }
        if kinds.get(2) != Some(&'s') {
            return Err(SdpError::new(K::Structure("s= must follow o="), 3));
        }
        if self.lines[2].value.is_empty() {
            if !tolerant {
                return Err(SdpError::new(
                    K::Structure("the s= line MUST NOT be empty"),
                    3,
                ));
            }
            quirks.push((SdpQuirk::EmptySessionName, 3));
        }
        if !kinds.contains(&'t') {
            if !tolerant {
                return Err(SdpError::new(K::Structure("no t= line"), self.lines.len()));
            }
            quirks.push((SdpQuirk::MissingTiming, self.lines.len()));
        }
        Ok(())
    }

    /// The value of the first session-level line of this type.
    pub fn value(&self, kind: char) -> Option<&str> {
        self.lines
            .iter()
            .find(|l| l.kind == kind)
            .map(|l| l.value.as_str())
    }

    /// The session-level `c=` line's value.
    pub fn connection(&self) -> Option<&str> {
        self.value('c')
    }

    /// The session-level attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'_>> + '_ {
        self.lines.iter().filter_map(Line::as_attribute)
    }

    /// The first session-level attribute with this name.
    pub fn attribute(&self, name: &str) -> Option<Attribute<'_>> {
        self.attributes().find(|a| a.name == name)
    }

    /// The `m=message` media descriptions (MSRP and other message media).
    pub fn message_media(&self) -> impl Iterator<Item = &MediaDescription> + '_ {
        self.media.iter().filter(|m| m.media() == "message")
    }
}

/// Prints every line with CRLF line ends.
impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            write!(f, "{l}\r\n")?;
        }
        for m in &self.media {
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

impl FromStr for SessionDescription {
    type Err = SdpError;
    fn from_str(s: &str) -> Result<Self, SdpError> {
        SessionDescription::parse(s)
    }
}

pub(crate) fn media_line_rank(kind: char) -> Option<u8> {
    media_rank(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SdpErrorKind;
    use alloc::string::ToString;

    const OFFER: &str = "v=0\r\no=alice 1 1 IN IP4 a.example.com\r\ns=-\r\nc=IN IP4 a.example.com\r\n\
t=0 0\r\nm=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n\
a=path:msrp://a.example.com:7654/s1;tcp\r\n";

    fn err(s: &str, opts: &ParseOptions) -> (SdpErrorKind, usize) {
        let e = SessionDescription::parse_with(s.as_bytes(), opts).unwrap_err();
        (e.kind(), e.line())
    }

    #[test]
    fn strict_errors_carry_line_numbers() {
        let s = ParseOptions::STRICT;
        assert_eq!(
            err(&OFFER.replace("s=-", "s="), &s),
            (SdpErrorKind::Structure("the s= line MUST NOT be empty"), 3)
        );
        assert_eq!(
            err(&OFFER.replace("t=0 0\r\n", ""), &s).0,
            SdpErrorKind::Structure("no t= line")
        );
        assert_eq!(
            err(&OFFER.replace("\r\n", "\n"), &s),
            (SdpErrorKind::BareLf, 1)
        );
        assert_eq!(
            err(&OFFER.replace("v=0", "x0"), &s),
            (SdpErrorKind::InvalidLine, 1)
        );
        assert_eq!(err(&OFFER.replace("7654 TCP", "76543 TCP"), &s).1, 6);
        assert_eq!(
            err(
                &OFFER.replace("a=accept-types:text/plain", "a=accept-types:text"),
                &s
            ),
            (
                SdpErrorKind::InvalidAttribute {
                    attribute: "accept-types",
                    reason: "an entry is not \"*\", type/subtype or type/*"
                },
                7
            )
        );
        assert_eq!(err(&OFFER.replace(";tcp\r\n", "\r\n"), &s).1, 8);
        assert_eq!(err(&(OFFER.to_string() + "a=setup:sometimes\r\n"), &s).1, 9);
        assert_eq!(err(&(OFFER.to_string() + "a=max-size:lots\r\n"), &s).1, 9);
        assert_eq!(err(&(OFFER.to_string() + "a=file-range:5\r\n"), &s).1, 9);
        assert_eq!(
            err(&OFFER.replace("o=alice", "c=x\r\no=alice"), &s).0,
            SdpErrorKind::Structure("session-level lines out of order")
        );
        let limits = ParseOptions { max_lines: 4, ..s };
        assert_eq!(
            err(OFFER, &limits),
            (SdpErrorKind::TooManyLines { max: 4 }, 5)
        );
        let limits = ParseOptions { max_len: 10, ..s };
        assert_eq!(err(OFFER, &limits), (SdpErrorKind::TooLong { max: 10 }, 0));
    }

    #[test]
    fn tolerant_mode_reports_quirks_with_lines() {
        let messy = OFFER
            .replace("\r\n", "\n")
            .replace("s=-", "s=")
            .replace("accept-types:", "accept-types: ");
        let (sdp, quirks) =
            SessionDescription::parse_with(messy.as_bytes(), &ParseOptions::TOLERANT).unwrap();
        assert!(quirks.contains(&(SdpQuirk::BareLf, 1)));
        assert!(quirks.contains(&(SdpQuirk::EmptySessionName, 3)));
        assert!(quirks.contains(&(SdpQuirk::AttributeSpacing, 7)));
        assert_eq!(sdp.media[0].accept_types(), ["text/plain"]);
        // Printing writes CRLF and keeps the values as they were.
        assert!(sdp.to_string().contains("a=accept-types: text/plain\r\n"));
    }

    #[test]
    fn unknown_lines_and_attributes_are_kept() {
        let with_extras = OFFER.to_string()
            + "a=x-custom:1 2 3\r\na=sendonly\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        let sdp = SessionDescription::parse(&with_extras).unwrap();
        assert_eq!(sdp.to_string(), with_extras);
        assert_eq!(sdp.message_media().count(), 1);
        assert_eq!(
            sdp.media[1].attribute("rtpmap").and_then(|a| a.value),
            Some("0 PCMU/8000")
        );
        let mut edited = sdp.clone();
        edited.media[0].remove_attribute("x-custom");
        edited.media[0].push_attribute("max-size", Some("1000"));
        assert_eq!(edited.media[0].max_size(), Some(1000));
        let text = edited.to_string();
        assert!(!text.contains("x-custom") && text.contains("a=rtpmap:0 PCMU/8000\r\n"));
        assert_eq!(SessionDescription::parse(&text).unwrap(), edited);
    }
}
