//! The type wrapped in a `message/cpim` body, for accept-wrapped-types (RFC 4975 section
//! 8.6; the CPIM format is RFC 3862 section 3).

/// How much of a wrapper's start is examined at most to find the wrapped type.
pub(crate) const MAX_WRAPPER_HEAD: usize = 4096;

/// What the start of a wrapper body says about the type it wraps.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Inner<'a> {
    /// The wrapped object's Content-Type value.
    Found(&'a str),
    /// Not known yet: more of the body is needed.
    NotYet,
    /// The header blocks ended (or [`MAX_WRAPPER_HEAD`] was reached) without one.
    Absent,
}

/// Whether `media_type` is a container whose inner type this module can read.
pub(crate) fn is_wrapper(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("message/cpim")
}

/// The Content-Type of the MIME object in a `message/cpim` body, from the body's first
/// bytes: the first `Content-Type` header line in the CPIM message headers and the MIME
/// headers after them (RFC 3862 puts an empty line between the two blocks; RFC 4975's
/// examples do not, so both are read as one until the second empty line). `complete`:
/// `prefix` is all there will be.
pub(crate) fn inner_type(prefix: &[u8], complete: bool) -> Inner<'_> {
    let mut blanks = 0;
    let mut rest = prefix;
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            blanks += 1;
            if blanks == 2 {
                return Inner::Absent;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if line[..colon].eq_ignore_ascii_case(b"Content-Type") {
            return match core::str::from_utf8(&line[colon + 1..]) {
                Ok(v) => Inner::Found(v.trim()),
                Err(_) => Inner::Absent,
            };
        }
    }
    if complete || prefix.len() >= MAX_WRAPPER_HEAD {
        Inner::Absent
    } else {
        Inner::NotYet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_wrapped_type() {
        // RFC 4975 section 11.4 (no empty line between the two header blocks).
        let rfc4975 = b"To: Bob <sip:bob@example.com>\r\nFrom: Alice <sip:alice@example.com>\r\n\
DateTime: 2006-05-15T15:02:31-03:00\r\nContent-Type: text/plain\r\n\r\nABCD";
        assert_eq!(inner_type(rfc4975, false), Inner::Found("text/plain"));
        // RFC 3862 layout, lower-case name, split before the line ends.
        let rfc3862 = b"From: <im:a@example.com>\r\n\r\ncontent-type: image/png \r\n\r\n";
        assert_eq!(inner_type(rfc3862, false), Inner::Found("image/png"));
        assert_eq!(inner_type(&rfc3862[..30], false), Inner::NotYet);
        assert_eq!(inner_type(&rfc3862[..30], true), Inner::Absent);
        assert_eq!(
            inner_type(b"From: x\r\n\r\n\r\nContent-Type: a/b\r\n", false),
            Inner::Absent
        );
        assert_eq!(inner_type(&[b'x'; MAX_WRAPPER_HEAD], false), Inner::Absent);
        assert!(is_wrapper("Message/CPIM ; x=y") && !is_wrapper("text/plain"));
    }
}
