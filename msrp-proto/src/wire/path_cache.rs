//! The header values a parser found valid most recently, so that the To-Path and
//! From-Path of one session and the Content-Type of its messages, repeated on every chunk
//! of a connection, are checked once rather than on every chunk.
//!
//! Checking such a value (RFC 4975 section 9) is a pure function of its bytes and of the
//! parser's mode and limits, which do not change over a parser's life. So a value equal,
//! byte for byte, to one found valid without a violation is valid without a violation:
//! the cache changes speed, never results. Only values found valid are kept, each at most
//! [`MAX_CACHED`] bytes, in two slots per header field (the last two distinct values).

use alloc::vec::Vec;

use super::header_line::Known;
use super::header_line::same_bytes;

/// Longest value cached (longer ones are checked every time).
pub(crate) const MAX_CACHED: usize = 512;

/// Two remembered values for each of To-Path, From-Path, Use-Path and Content-Type.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathCache {
    slots: [[Vec<u8>; 2]; 4],
    /// Per field, which slot to replace next.
    next: [usize; 4],
}

impl PathCache {
    fn field(kind: Known) -> Option<usize> {
        match kind {
            Known::ToPath => Some(0),
            Known::FromPath => Some(1),
            Known::UsePath => Some(2),
            Known::ContentType => Some(3),
            _ => None,
        }
    }

    /// Whether `value` of header field `kind` was found valid (without a violation).
    #[inline]
    pub(crate) fn hit(&self, kind: Known, value: &[u8]) -> bool {
        // Empty values are never cached (and an empty slot must not match one).
        !value.is_empty()
            && Self::field(kind).is_some_and(|f| self.slots[f].iter().any(|s| same_bytes(s, value)))
    }

    /// Remembers that `value` of `kind` is valid without a violation.
    pub(crate) fn insert(&mut self, kind: Known, value: &[u8]) {
        let Some(f) = Self::field(kind) else { return };
        if value.len() > MAX_CACHED || value.is_empty() {
            return;
        }
        let slot = &mut self.slots[f][self.next[f]];
        slot.clear();
        slot.extend_from_slice(value);
        self.next[f] ^= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_two_values_per_field() {
        let mut c = PathCache::default();
        let (a, b, d) = (
            &b"msrp://a:1/x;tcp"[..],
            &b"msrp://b:1/y;tcp"[..],
            &b"msrp://d:1/z;tcp"[..],
        );
        assert!(!c.hit(Known::ToPath, a));
        assert!(
            !c.hit(Known::ToPath, b""),
            "an empty slot is not an empty value"
        );
        c.insert(Known::ToPath, b"");
        assert!(!c.hit(Known::ToPath, b""), "empty values are not cached");
        c.insert(Known::ToPath, a);
        assert!(c.hit(Known::ToPath, a));
        assert!(!c.hit(Known::FromPath, a), "per field");
        c.insert(Known::ToPath, b);
        assert!(c.hit(Known::ToPath, a) && c.hit(Known::ToPath, b));
        c.insert(Known::ToPath, d);
        assert!(!c.hit(Known::ToPath, a), "the oldest is replaced");
        assert!(c.hit(Known::ToPath, b) && c.hit(Known::ToPath, d));
        assert!(!c.hit(Known::ToPath, &a[..a.len() - 1]), "exact bytes only");
        c.insert(Known::MessageId, a);
        assert!(!c.hit(Known::MessageId, a), "only URI lists");
    }
}
