//! The type wrapped in a `message/cpim` body, for accept-wrapped-types (RFC 4975 section
//! 8.6; the CPIM format is RFC 3862 section 3).

use alloc::string::String;

use bytes::Bytes;

/// How much of a wrapper's start is examined at most to find the wrapped type.
pub(crate) const MAX_WRAPPER_HEAD: usize = 4096;

/// What the start of a wrapper body says about the type it wraps.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Inner {
    /// The wrapped object's Content-Type value.
    Found(String),
    /// Not known yet: more of the body is needed.
    NotYet,
    /// The header blocks ended (or [`MAX_WRAPPER_HEAD`] was reached) without one, or the
    /// wrapper is not a CPIM message even read tolerantly.
    Absent,
}

/// Whether `media_type` is a container whose inner type this module can read.
pub(crate) fn is_wrapper(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("message/cpim")
}

/// The Content-Type of the MIME object in a `message/cpim` body, from the body's first
/// bytes, read by msrp-cpim's parser in its tolerant mode: what real peers send passes
/// (RFC 4975's own examples have no empty line between the CPIM and the MIME headers;
/// some clients repeat the outer Content-Type, use bare LFs or lower-case names), while a
/// Content-Type that is not the MIME object's (a CPIM extension header, a line of the
/// body) is never taken for it. `complete`: `prefix` is all there will be.
pub(crate) fn inner_type(prefix: &[u8], complete: bool) -> Inner {
    let opts = msrp_cpim::ParseOptions::TOLERANT;
    let parsed = if complete {
        msrp_cpim::CpimMessage::parse_with(Bytes::copy_from_slice(prefix), &opts).map(Some)
    } else {
        msrp_cpim::CpimMessage::parse_prefix(Bytes::copy_from_slice(prefix), &opts)
    };
    match parsed {
        Ok(Some((msg, _))) => msg
            .content_type()
            .map_or(Inner::Absent, |t| Inner::Found(String::from(t.trim()))),
        Ok(None) if prefix.len() < MAX_WRAPPER_HEAD => Inner::NotYet,
        Ok(None) | Err(_) => Inner::Absent,
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
        assert_eq!(
            inner_type(rfc4975, false),
            Inner::Found("text/plain".into())
        );
        // RFC 3862 layout, lower-case name, split before the line ends.
        let rfc3862 = b"From: <im:a@example.com>\r\n\r\ncontent-type: image/png \r\n\r\n";
        assert_eq!(inner_type(rfc3862, false), Inner::Found("image/png".into()));
        assert_eq!(inner_type(&rfc3862[..30], false), Inner::NotYet);
        assert_eq!(inner_type(&rfc3862[..30], true), Inner::Absent);
        assert_eq!(
            inner_type(b"From: x\r\n\r\n\r\nContent-Type: a/b\r\n", false),
            Inner::Absent
        );
        assert_eq!(inner_type(&[b'x'; MAX_WRAPPER_HEAD], false), Inner::Absent);
        assert!(is_wrapper("Message/CPIM ; x=y") && !is_wrapper("text/plain"));
    }

    #[test]
    fn reads_the_grammar_not_the_first_content_type_line() {
        // Some clients repeat the outer Content-Type first: it is not the wrapped type.
        let outer = b"Content-Type: message/cpim\r\n\r\nFrom: <im:a@example.com>\r\n\r\n\
Content-Type: text/plain\r\n\r\nhi";
        assert_eq!(inner_type(outer, true), Inner::Found("text/plain".into()));
        // A folded value is read whole, bare LFs too.
        let folded = b"From: <im:a@example.com>\n\nContent-Type: text/plain;\n charset=utf-8\n\nhi";
        assert_eq!(inner_type(&folded[..50], false), Inner::NotYet);
        assert_eq!(
            inner_type(folded, false),
            Inner::Found("text/plain; charset=utf-8".into())
        );
        // No MIME Content-Type: a line of the body that looks like one is not taken.
        let in_body =
            b"From: <im:a@example.com>\r\n\r\nContent-ID: <x>\r\n\r\nContent-Type: image/png\r\n";
        assert_eq!(inner_type(in_body, true), Inner::Absent);
        // Not CPIM at all, even read tolerantly.
        assert_eq!(inner_type(b"\x00\x01binary\r\n\r\n", true), Inner::Absent);
    }
}
