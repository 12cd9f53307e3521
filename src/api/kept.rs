//! What the process keeps in memory between requests: a bounded number of bytes of values,
//! each stored under the stamp of the data it was made from, the least recently used dropped
//! first. Every operation is constant time (the `lru` crate's list), so a full store costs a
//! request nothing more than an empty one, however many small values it holds.

use std::hash::Hash;
use std::sync::Mutex;

use lru::LruCache;

/// A value with its size in bytes, as counted against the store's capacity.
pub trait Weighed {
    fn bytes(&self) -> usize;
}

struct Entry<S, V> {
    stamp: S,
    value: V,
}

struct Entries<K: Hash + Eq, S, V> {
    by_key: LruCache<K, Entry<S, V>>,
    bytes: usize,
}

/// Values by key, at most `capacity` bytes of them; a value larger than `largest` is not kept.
pub struct Kept<K: Hash + Eq, S, V> {
    entries: Mutex<Entries<K, S, V>>,
    capacity: usize,
    largest: usize,
}

impl<K: Hash + Eq, S: PartialEq, V: Weighed + Clone> Kept<K, S, V> {
    pub fn new(capacity: usize, largest: usize) -> Self {
        Self {
            entries: Mutex::new(Entries {
                by_key: LruCache::unbounded(),
                bytes: 0,
            }),
            capacity,
            largest: largest.min(capacity),
        }
    }

    /// The value of `key` if it was stored under `stamp`. A value of another stamp is left
    /// where it is, unused: it may be the newer one, and the next `put` replaces it.
    pub fn get(&self, key: &K, stamp: &S) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let value = entries
            .by_key
            .peek(key)
            .filter(|entry| entry.stamp == *stamp)
            .map(|entry| entry.value.clone())?;
        entries.by_key.promote(key);
        Some(value)
    }

    /// Keeps `value` for `key` under `stamp`, replacing what the key held, and drops the least
    /// recently used values until it fits.
    pub fn put(&self, key: K, stamp: S, value: V) {
        let size = value.bytes();
        if size > self.largest {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, old)) = entries.by_key.push(key, Entry { stamp, value }) {
            entries.bytes -= old.value.bytes();
        }
        entries.bytes += size;
        while entries.bytes > self.capacity {
            let Some((_, oldest)) = entries.by_key.pop_lru() else {
                break;
            };
            entries.bytes -= oldest.value.bytes();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Weighed for String {
        fn bytes(&self) -> usize {
            self.len()
        }
    }

    #[test]
    fn a_value_serves_only_its_own_stamp() {
        let kept = Kept::new(100, 100);
        kept.put(1, 7, "a".to_string());
        assert_eq!(kept.get(&1, &7).as_deref(), Some("a"));
        assert_eq!(kept.get(&1, &8), None);
        assert_eq!(
            kept.get(&1, &7).as_deref(),
            Some("a"),
            "another stamp drops nothing"
        );
        assert_eq!(kept.get(&2, &7), None);
        kept.put(1, 8, "b".to_string());
        assert_eq!(kept.get(&1, &7), None);
        assert_eq!(kept.get(&1, &8).as_deref(), Some("b"));
    }

    #[test]
    fn the_least_recently_used_go_first_and_the_bytes_stay_bounded() {
        let kept = Kept::new(10, 10);
        kept.put("a", 0, "xxxx".to_string());
        kept.put("b", 0, "xxxx".to_string());
        assert!(kept.get(&"a", &0).is_some());
        kept.put("c", 0, "xxxx".to_string());
        assert!(kept.get(&"b", &0).is_none(), "b was used least recently");
        assert!(kept.get(&"a", &0).is_some());
        assert!(kept.get(&"c", &0).is_some());
        kept.put("a", 0, "xx".to_string());
        kept.put("d", 0, "xxxx".to_string());
        assert!(kept.get(&"c", &0).is_some(), "replacing a shrank the total");
        assert_eq!(kept.entries.lock().unwrap().bytes, 10);
    }

    #[test]
    fn a_value_larger_than_the_largest_is_not_kept() {
        let kept = Kept::new(10, 4);
        kept.put("a", 0, "xxxxx".to_string());
        assert!(kept.get(&"a", &0).is_none());
        assert_eq!(kept.entries.lock().unwrap().bytes, 0);
    }

    #[test]
    fn a_full_store_keeps_the_newest_values() {
        let kept = Kept::new(10_000 * 8, 8);
        for i in 0..100_000u32 {
            kept.put(i, 0, format!("{i:08}"));
        }
        assert_eq!(kept.entries.lock().unwrap().by_key.len(), 10_000);
        assert!(kept.get(&99_999, &0).is_some());
        assert!(kept.get(&89_999, &0).is_none());
    }
}
