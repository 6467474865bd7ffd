//! Byte classes of the RFC 3986 and RFC 4975 grammars, as one lookup table.

/// `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"` (RFC 3986 section 2.3).
pub(crate) const UNRESERVED: u8 = 1 << 0;
/// `sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="`
/// (RFC 3986 section 2.2).
pub(crate) const SUB_DELIM: u8 = 1 << 1;
/// `token` of RFC 4975 section 9 (used by URI parameters).
pub(crate) const TOKEN: u8 = 1 << 2;
/// `session-id = 1*( unreserved / "+" / "=" / "/" )` (RFC 4975 section 9).
pub(crate) const SESSION_ID: u8 = 1 << 3;
/// `ALPHANUM = ALPHA / DIGIT` (RFC 4975 section 9), the transport alphabet.
pub(crate) const ALPHANUM: u8 = 1 << 4;
/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 section 3.1).
pub(crate) const SCHEME: u8 = 1 << 5;
/// `HEXDIG` (RFC 5234 appendix B.1, case-insensitive).
pub(crate) const HEXDIG: u8 = 1 << 6;
/// The registered-name characters the fast path takes: `unreserved / sub-delims` without
/// `;` (which ends the authority) and without `%` (RFC 3986 section 3.2.2).
pub(crate) const FAST_HOST: u8 = 1 << 7;

const fn build() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let alpha = b.is_ascii_alphabetic();
        let digit = b.is_ascii_digit();
        let mut c = 0;
        if alpha || digit || matches!(b, b'-' | b'.' | b'_' | b'~') {
            c |= UNRESERVED;
        }
        if matches!(
            b,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        ) {
            c |= SUB_DELIM;
        }
        if matches!(b, 0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E | 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E)
        {
            c |= TOKEN;
        }
        if c & UNRESERVED != 0 || matches!(b, b'+' | b'=' | b'/') {
            c |= SESSION_ID;
        }
        if alpha || digit {
            c |= ALPHANUM;
        }
        if alpha || digit || matches!(b, b'+' | b'-' | b'.') {
            c |= SCHEME;
        }
        if b.is_ascii_hexdigit() {
            c |= HEXDIG;
        }
        if c & (UNRESERVED | SUB_DELIM) != 0 && b != b';' {
            c |= FAST_HOST;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u8; 256] = build();

/// Whether `b` belongs to every class in `class`.
#[inline]
pub(crate) fn is(b: u8, class: u8) -> bool {
    TABLE[b as usize] & class == class
}

/// Whether `b` belongs to at least one class in `classes`.
#[inline]
pub(crate) fn is_any(b: u8, classes: u8) -> bool {
    TABLE[b as usize] & classes != 0
}

/// The value of a hex digit, if `b` is one.
#[inline]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_grammars() {
        for b in b'a'..=b'z' {
            assert!(is(b, UNRESERVED | TOKEN | SESSION_ID | ALPHANUM | SCHEME));
        }
        assert!(is(b'~', UNRESERVED) && is(b'~', TOKEN));
        assert!(is(b';', SUB_DELIM) && !is(b';', TOKEN) && !is(b';', SESSION_ID));
        assert!(is(b'/', SESSION_ID) && !is(b'/', UNRESERVED));
        assert!(!is(b'=', TOKEN) && is(b'=', SESSION_ID) && is(b'=', SUB_DELIM));
        assert!(!is(b'@', TOKEN) && !is_any(b'@', UNRESERVED | SUB_DELIM));
        assert!(!is(b'"', TOKEN) && !is(b' ', TOKEN) && !is(0x7F, TOKEN));
        assert!(is(b'-', SCHEME) && !is(b'_', SCHEME));
        assert!(!is_any(0x80, 0xFF));
        assert_eq!(hex_value(b'F'), Some(15));
        assert_eq!(hex_value(b'g'), None);
    }
}
