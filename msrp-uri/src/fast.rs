//! A fast check for the common spelling of a URI list: every URI of the form
//! `msrp[s]://host[:port][/session-id];transport` with a registered name that does not
//! start with a digit, no userinfo, no percent-encoding and no URI parameter, separated
//! by single SPs (RFC 4975 section 9; RFC 3986 section 3.2 for the authority).
//!
//! It answers `true` only for input that the full checker ([`crate::parser`]) accepts
//! without any quirk, in either mode; anything else (including every invalid input) makes
//! it answer `false`, and the caller runs the full checker. So it changes speed, never
//! results.

use crate::chars::{self, ALPHANUM, FAST_HOST, SESSION_ID};
use crate::options::ParseOptions;

/// Whether `input` is a list of URIs in the common spelling, within the limits of `opts`.
pub(crate) fn is_common_path(input: &[u8], opts: &ParseOptions) -> bool {
    let max_len = opts.uri_len_limit();
    let n = input.len();
    let mut pos = 0;
    let mut count = 0;
    loop {
        if count == opts.max_path_uris {
            return false;
        }
        let Some(end) = common_uri(input, pos) else {
            return false;
        };
        if end - pos > max_len {
            return false;
        }
        count += 1;
        if end == n {
            return true;
        }
        // `common_uri` stops only at the end or at one SP; another URI must follow.
        pos = end + 1;
    }
}

/// Checks the URI starting at `s[pos]`; returns where it ends (the end of `s` or an SP).
fn common_uri(s: &[u8], pos: usize) -> Option<usize> {
    let n = s.len();
    let rest = &s[pos..];
    // msrp-scheme "://", lower case (an upper-case scheme is valid but noted as a quirk).
    let mut i = if rest.starts_with(b"msrp://") {
        pos + 7
    } else if rest.starts_with(b"msrps://") {
        pos + 8
    } else {
        return None;
    };
    // host: a reg-name that cannot be read as an IPv4 address (it does not start with a
    // digit), of unreserved and sub-delims characters other than ";".
    let host_start = i;
    i = skip_letters_digits(s, i);
    while i < n && chars::is(s[i], FAST_HOST) {
        i += 1;
    }
    if i == host_start || s[host_start].is_ascii_digit() {
        return None;
    }
    // [":" port], 1 to 5 digits, at most 65535.
    if s.get(i) == Some(&b':') {
        i += 1;
        let digits = i;
        let mut port: u32 = 0;
        while i < n && s[i].is_ascii_digit() && i - digits < 5 {
            port = port * 10 + u32::from(s[i] - b'0');
            i += 1;
        }
        if i == digits || port > u32::from(u16::MAX) {
            return None;
        }
    }
    // ["/" session-id]
    if s.get(i) == Some(&b'/') {
        i += 1;
        let sid = i;
        i = skip_letters_digits(s, i);
        while i < n && chars::is(s[i], SESSION_ID) {
            i += 1;
        }
        if i == sid {
            return None;
        }
    }
    // ";" transport, then the end of the URI (no parameters).
    if s.get(i) != Some(&b';') {
        return None;
    }
    i += 1;
    let transport = i;
    while i < n && chars::is(s[i], ALPHANUM) {
        i += 1;
    }
    if i == transport {
        return None;
    }
    match s.get(i) {
        None => Some(i),
        Some(b' ') if matches!(s.get(i + 1), Some(b) if *b != b' ' && *b != b'\t') => Some(i),
        Some(_) => None,
    }
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Skips whole 8-byte words of ASCII letters, digits, `-` and `.` from `s[i]` (which both
/// the host and the session-id classes contain), eight bytes per step; returns where it
/// stopped. The caller goes on byte by byte with its own class.
#[inline]
fn skip_letters_digits(s: &[u8], mut i: usize) -> usize {
    while let Some(w) = s.get(i..i + 8).and_then(|w| w.try_into().ok()) {
        let x = u64::from_le_bytes(w);
        // Per byte of the low seven bits, the high bit of `in_range(lo, hi)` is set iff
        // the byte is in lo..=hi; the subtractions never borrow across bytes. Bytes with
        // the high bit set are excluded below.
        let low7 = x & !HIGH;
        let in_range = |lo: u8, hi: u8| {
            let at_least_lo = (low7 | HIGH) - LOW * u64::from(lo);
            let at_most_hi = (LOW * u64::from(0x80 + hi)) - low7;
            at_least_lo & at_most_hi & HIGH
        };
        let ok = (in_range(b'a', b'z')
            | in_range(b'A', b'Z')
            | in_range(b'0', b'9')
            | in_range(b'-', b'.'))
            & !x;
        if ok != HIGH {
            // Little-endian: the first byte outside the set is the lowest clear high bit.
            return i + ((!ok & HIGH).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Path, Quirks};

    #[test]
    fn word_skipping_stops_at_the_first_other_byte() {
        let set = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut s = *b"abcXYZ09-.zzQQ11";
                s[at] = b;
                let want = if set(b) { 16 } else { at };
                assert_eq!(skip_letters_digits(&s, 0), want, "byte {b:#x} at {at}");
                assert_eq!(skip_letters_digits(&s, 8), 16);
            }
        }
        assert_eq!(skip_letters_digits(b"abc", 0), 0);
    }

    #[test]
    fn common_lists_pass_and_others_fall_back() {
        let s = ParseOptions::STRICT;
        for ok in [
            "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp",
            "msrps://a.example.com:2855/x;ws msrp://b:1;tcp",
            "msrp://h;tcp",
            "msrp://h:65535/a/b+c=d;x1",
            "msrp://h!$&'()*+,=~_-.:1/s;tcp",
        ] {
            assert!(is_common_path(ok.as_bytes(), &s), "{ok}");
            assert_eq!(Path::validate(ok.as_bytes(), &s), Ok(Quirks::NONE));
        }
        for other in [
            "",
            " msrp://h:1/s;tcp",
            "msrp://h:1/s;tcp ",
            "msrp://h:1/s;tcp  msrp://h:1/s;tcp",
            "msrp://h:1/s;tcp\tmsrp://h:1/s;tcp",
            "MSRP://h:1/s;tcp",
            "msrp://10.0.0.1:1/s;tcp",
            "msrp://h:65536/s;tcp",
            "msrp://h:000001/s;tcp",
            "msrp://h:/s;tcp",
            "msrp://h:1/;tcp",
            "msrp://h:1/s",
            "msrp://h:1/s;",
            "msrp://h:1/s;tcp;lr",
            "msrp://u@h:1/s;tcp",
            "msrp://h%41:1/s;tcp",
            "msrp://[::1]:1/s;tcp",
            "msrp://h:1:2/s;tcp",
            "msrp://:1/s;tcp",
            "msrp://h:1/s;tcp\r",
        ] {
            assert!(!is_common_path(other.as_bytes(), &s), "{other}");
        }
        let one = ParseOptions {
            max_path_uris: 1,
            ..s
        };
        assert!(!is_common_path(b"msrp://h;tcp msrp://h;tcp", &one));
        let short = ParseOptions {
            max_uri_len: 11,
            ..s
        };
        assert!(!is_common_path(b"msrp://h;tcp", &short));
    }
}
