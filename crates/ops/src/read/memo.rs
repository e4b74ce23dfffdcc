//! Results computed from a snapshot and kept with it, so that a page asked for again
//! is not computed again, and is dropped with the snapshot it came from.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

/// At most `most` results; past that, the oldest half is dropped (a snapshot lives for
/// seconds to hours, and the pages asked for are few).
pub struct Memo<K, V> {
    entries: Mutex<Entries<K, V>>,
    most: usize,
}

/// The values kept, each with when it was kept, and the clock that numbers them.
type Entries<K, V> = (HashMap<K, (u64, Arc<V>)>, u64);

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    pub fn new(most: usize) -> Self {
        Memo { entries: Mutex::new((HashMap::new(), 0)), most: most.max(1) }
    }

    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.0.get(key).map(|(_, v)| v.clone())
    }

    /// Keeps `value` for `key` (or the one kept meanwhile by another request) and gives
    /// it back.
    pub fn put(&self, key: K, value: V) -> Arc<V> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (map, clock) = &mut *entries;
        if let Some((_, v)) = map.get(&key) {
            return v.clone();
        }
        if map.len() >= self.most {
            let mut ages: Vec<u64> = map.values().map(|(age, _)| *age).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            map.retain(|_, (age, _)| *age > cut);
        }
        *clock += 1;
        let value = Arc::new(value);
        map.insert(key, (*clock, value.clone()));
        value
    }

    /// The value for `key`, computed by `f` if it is not kept.
    pub fn get_or(&self, key: K, f: impl FnOnce() -> V) -> Arc<V> {
        match self.get(&key) {
            Some(v) => v,
            None => self.put(key, f()),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_its_bound_and_the_newest() {
        let memo: Memo<u32, u32> = Memo::new(4);
        for k in 0..10 {
            assert_eq!(*memo.get_or(k, || k * 2), k * 2);
        }
        assert!(memo.len() <= 4);
        assert!(memo.get(&9).is_some() && memo.get(&0).is_none());
        assert_eq!(*memo.get_or(9, || 0), 18, "kept, not computed again");
    }
}
