//! The last To-Path and From-Path values a connection sent, parsed. A sender repeats its
//! paths chunk after chunk, so a chunk with the same bytes is routed without parsing its
//! URIs again (the parse was most of a small chunk's cost in the relay).

use alloc::vec::Vec;
use msrp_uri::{ParseOptions, Path};

/// One header's last value and its parse.
#[derive(Debug, Default)]
struct Entry {
    raw: Vec<u8>,
    parsed: Option<Path>,
}

impl Entry {
    /// The parse of `value` (the header's bytes, absent: the empty path, which does not
    /// parse), from the cache when it is the last value seen.
    fn get(&mut self, value: Option<&[u8]>) -> Option<Path> {
        let value = value?;
        if let Some(p) = &self.parsed {
            if self.raw == value {
                return Some(p.clone());
            }
        }
        // As ChunkHead::to_path and from_path parse it.
        let parsed = Path::parse_with(value, &ParseOptions::TOLERANT)
            .ok()
            .map(|(p, _)| p);
        self.raw.clear();
        self.raw.extend_from_slice(value);
        self.parsed.clone_from(&parsed);
        parsed
    }
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct PathCache {
    to: Entry,
    from: Entry,
}

impl PathCache {
    /// A head's To-Path and From-Path values (from [`crate::wire::ChunkHead::fields`]) parsed, as
    /// `ChunkHead::to_path` and `ChunkHead::from_path` give them; `None` when either
    /// is absent or does not parse.
    pub(crate) fn of(&mut self, to: Option<&[u8]>, from: Option<&[u8]>) -> Option<(Path, Path)> {
        let to = self.to.get(to)?;
        let from = self.from.get(from)?;
        Some((to, from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChunkHead, ChunkParser, ParseEvent, Validation};
    use crate::{Limits, Mode};

    fn head(to: &str, from: &str) -> ChunkHead {
        // Framing only, so that a path that does not parse reaches the cache.
        let mut p =
            ChunkParser::new(Limits::DEFAULT, Mode::Tolerant).with_validation(Validation::Framing);
        p.feed(
            alloc::format!("MSRP t1 SEND\r\nTo-Path: {to}\r\nFrom-Path: {from}\r\n-------t1$\r\n")
                .as_bytes(),
        );
        match p.next() {
            Some(Ok(ParseEvent::Head(h))) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cached_paths_are_the_heads_own() {
        let mut c = PathCache::default();
        let cases = [
            (
                "msrp://r.example.com;tcp msrp://b.example.com/b;tcp",
                "msrp://a.example.com/a;tcp",
            ),
            (
                "msrp://r.example.com;tcp msrp://b.example.com/b;tcp",
                "msrp://a.example.com/a;tcp",
            ),
            (
                "msrp://r.example.com;tcp msrp://c.example.com/c;tcp",
                "msrp://a.example.com/a;tcp",
            ),
            (
                "msrp://r.example.com;tcp msrp://c.example.com/c;tcp",
                "msrp://a.example.com/x;tcp",
            ),
        ];
        for (to, from) in cases {
            let h = head(to, from);
            let (t, f) = c
                .of(h.header_value("To-Path"), h.header_value("From-Path"))
                .unwrap();
            assert_eq!((t, f), (h.to_path().unwrap(), h.from_path().unwrap()));
        }
    }

    #[test]
    fn a_path_that_does_not_parse_is_none_every_time() {
        let mut c = PathCache::default();
        let h = head("msrp://r.example.com;tcp", "not a uri");
        assert!(h.from_path().is_err());
        assert!(
            c.of(h.header_value("To-Path"), h.header_value("From-Path"))
                .is_none()
        );
        assert!(
            c.of(h.header_value("To-Path"), h.header_value("From-Path"))
                .is_none()
        );
    }
}
