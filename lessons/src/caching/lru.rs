//! The least-recently-used cache with O(1) get and put: a hash map from key to slot, and the
//! slots chained in a doubly linked list from the most to the least recently used.

use std::collections::HashMap;

use crate::sim::SimError;

/// No neighbour: the end of the recency list.
const NONE: usize = usize::MAX;

/// A cache of `u64` values under `u64` keys that, when full, evicts the key used least recently.
///
/// Both [`get`](LruCache::get) and [`put`](LruCache::put) take constant time: the map finds
/// the key's slot, and the slot is unlinked and relinked at the front of the recency list. This
/// is the structure the seeds describe (hash map plus doubly linked list); the laws check that it
/// evicts exactly what a naive list ordered by last use would, and the peer test that it hits
/// exactly as often as the `lru` crate.
///
/// # Examples
///
/// ```
/// use lessons::caching::LruCache;
///
/// let mut cache = LruCache::new(2)?;
/// cache.put(1, 10);
/// cache.put(2, 20);
/// assert_eq!(cache.get(1), Some(10)); // 1 is now the most recent
/// assert_eq!(cache.put(3, 30), Some(2)); // so 2 is evicted
/// assert_eq!(cache.get(2), None);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct LruCache {
    capacity: usize,
    slots: Vec<Slot>,
    slot_of: HashMap<u64, usize>,
    most_recent: usize,
    least_recent: usize,
}

#[derive(Debug, Clone)]
struct Slot {
    key: u64,
    value: u64,
    newer: usize,
    older: usize,
}

impl LruCache {
    /// An empty cache that holds at most `capacity` keys.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a capacity of 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::LruCache;
    ///
    /// assert_eq!(LruCache::new(3)?.capacity(), 3);
    /// assert_eq!(
    ///     LruCache::new(0).unwrap_err().to_string(),
    ///     "cache capacity 0 is not allowed; a cache holds at least 1 key"
    /// );
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(capacity: usize) -> Result<LruCache, SimError> {
        check_capacity(capacity)?;
        Ok(LruCache {
            capacity,
            slots: Vec::with_capacity(capacity.min(1 << 20)),
            slot_of: HashMap::with_capacity(capacity.min(1 << 20)),
            most_recent: NONE,
            least_recent: NONE,
        })
    }

    /// How many keys the cache can hold.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::caching::LruCache::new(8)?.capacity(), 8);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys the cache holds now.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cache = lessons::caching::LruCache::new(8)?;
    /// cache.put(4, 40);
    /// assert_eq!(cache.len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when the cache holds no key.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::caching::LruCache::new(8)?.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The value under `key`, marking the key as the most recently used; `None` on a miss.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cache = lessons::caching::LruCache::new(1)?;
    /// cache.put(7, 70);
    /// assert_eq!((cache.get(7), cache.get(8)), (Some(70), None));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn get(&mut self, key: u64) -> Option<u64> {
        let slot = *self.slot_of.get(&key)?;
        self.move_to_front(slot);
        Some(self.slots[slot].value)
    }

    /// Whether `key` is cached, without marking it as used.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cache = lessons::caching::LruCache::new(1)?;
    /// cache.put(7, 70);
    /// assert!(cache.contains(7) && !cache.contains(8));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn contains(&self, key: u64) -> bool {
        self.slot_of.contains_key(&key)
    }

    /// Stores `value` under `key` as the most recently used key, and returns the key it evicted
    /// to make room (`None` if the key was already cached or there was room).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cache = lessons::caching::LruCache::new(1)?;
    /// assert_eq!(cache.put(1, 10), None);
    /// assert_eq!(cache.put(1, 11), None); // an update, nothing evicted
    /// assert_eq!(cache.put(2, 20), Some(1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn put(&mut self, key: u64, value: u64) -> Option<u64> {
        if let Some(&slot) = self.slot_of.get(&key) {
            self.slots[slot].value = value;
            self.move_to_front(slot);
            return None;
        }
        if self.slots.len() < self.capacity {
            self.slots.push(Slot {
                key,
                value,
                newer: NONE,
                older: NONE,
            });
            let slot = self.slots.len() - 1;
            self.slot_of.insert(key, slot);
            self.link_front(slot);
            return None;
        }
        // Full: the least recent slot is reused for the new key.
        let slot = self.least_recent;
        let evicted = self.slots[slot].key;
        self.slot_of.remove(&evicted);
        self.unlink(slot);
        self.slots[slot].key = key;
        self.slots[slot].value = value;
        self.slot_of.insert(key, slot);
        self.link_front(slot);
        Some(evicted)
    }

    /// The key the next eviction would remove.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cache = lessons::caching::LruCache::new(3)?;
    /// cache.put(1, 0);
    /// cache.put(2, 0);
    /// cache.get(1);
    /// assert_eq!(cache.least_recent(), Some(2));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn least_recent(&self) -> Option<u64> {
        (self.least_recent != NONE).then(|| self.slots[self.least_recent].key)
    }

    /// The cached keys from the most to the least recently used.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cache = lessons::caching::LruCache::new(3)?;
    /// for key in [1, 2, 3] {
    ///     cache.put(key, 0);
    /// }
    /// cache.get(2);
    /// assert_eq!(cache.keys_by_recency(), [2, 3, 1]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn keys_by_recency(&self) -> Vec<u64> {
        let mut keys = Vec::with_capacity(self.slots.len());
        let mut slot = self.most_recent;
        while slot != NONE {
            keys.push(self.slots[slot].key);
            slot = self.slots[slot].older;
        }
        keys
    }

    fn move_to_front(&mut self, slot: usize) {
        if slot != self.most_recent {
            self.unlink(slot);
            self.link_front(slot);
        }
    }

    fn unlink(&mut self, slot: usize) {
        let Slot { newer, older, .. } = self.slots[slot];
        match newer {
            NONE => self.most_recent = older,
            _ => self.slots[newer].older = older,
        }
        match older {
            NONE => self.least_recent = newer,
            _ => self.slots[older].newer = newer,
        }
    }

    fn link_front(&mut self, slot: usize) {
        self.slots[slot].newer = NONE;
        self.slots[slot].older = self.most_recent;
        match self.most_recent {
            NONE => self.least_recent = slot,
            front => self.slots[front].newer = slot,
        }
        self.most_recent = slot;
    }
}

/// Refuses a cache that can hold nothing.
pub(crate) fn check_capacity(capacity: usize) -> Result<(), SimError> {
    if capacity == 0 {
        return Err(SimError::parameter(
            "cache capacity",
            capacity,
            "a cache holds at least 1 key",
        ));
    }
    Ok(())
}
