//! Messages remembered after their end, by session and Message-ID, at most a given number
//! (the oldest forgotten first): lookups are O(log n), not a walk of the list.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;

use super::event::SessionId;

/// A message's key: its session and Message-ID.
pub(crate) type Key = (SessionId, String);

/// At most `max` values by key, the oldest forgotten first.
pub(crate) struct Remembered<V> {
    map: BTreeMap<Key, (u64, V)>,
    /// Insertion order; entries whose key was replaced or removed since are stale.
    order: VecDeque<(u64, Key)>,
    next: u64,
    max: usize,
}

impl<V> Remembered<V> {
    pub(crate) fn new(max: usize) -> Remembered<V> {
        Remembered {
            map: BTreeMap::new(),
            order: VecDeque::new(),
            next: 0,
            max: max.max(1),
        }
    }

    pub(crate) fn get(&self, key: &Key) -> Option<&V> {
        self.map.get(key).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &Key) -> Option<&mut V> {
        self.map.get_mut(key).map(|(_, v)| v)
    }

    /// Remembers `value` for `key` (as the newest), forgetting the oldest beyond the limit.
    pub(crate) fn insert(&mut self, key: Key, value: V) {
        self.next += 1;
        let seq = self.next;
        self.order.push_back((seq, key.clone()));
        self.map.insert(key, (seq, value));
        while self.map.len() > self.max {
            let Some((seq, key)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&key).is_some_and(|(s, _)| *s == seq) {
                self.map.remove(&key);
            }
        }
        if self.order.len() > 2 * self.map.len() + 16 {
            let map = &self.map;
            self.order
                .retain(|(seq, key)| map.get(key).is_some_and(|(s, _)| s == seq));
        }
    }

    /// Forgets everything of `session`.
    pub(crate) fn forget_session(&mut self, session: SessionId) {
        self.map.retain(|k, _| k.0 != session);
        self.order.retain(|(_, k)| k.0 != session);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: usize, id: &str) -> Key {
        (SessionId(s), String::from(id))
    }

    #[test]
    fn keeps_the_newest_and_stays_small() {
        let mut r = Remembered::new(3);
        for i in 0..1000 {
            r.insert(key(0, &alloc::format!("m{}", i % 5)), i);
            assert!(r.len() <= 3);
            assert!(r.order.len() <= 2 * 3 + 16 + 1);
        }
        assert_eq!(r.get(&key(0, "m4")), Some(&999));
        assert_eq!(r.get(&key(0, "m1")), None, "the oldest are forgotten");
        r.insert(key(1, "other"), 5);
        r.forget_session(SessionId(0));
        assert_eq!(r.len(), 1);
        *r.get_mut(&key(1, "other")).unwrap() += 1;
        assert_eq!(r.get(&key(1, "other")), Some(&6));
    }
}
