//! The Adaptive Replacement Cache (ARC) of Megiddo and Modha, step by step as the paper's
//! algorithm (FAST 2003, Figure 4).
//!
//! ARC splits its `c` slots between two LRU lists: `T1` holds keys requested once since they
//! entered, `T2` keys requested at least twice. It also remembers the keys it recently evicted,
//! without their data, in two ghost lists: `B1` for keys evicted from `T1`, `B2` for keys evicted
//! from `T2`. A miss that finds its key in `B1` says "`T1` was too small": the target size `p` of
//! `T1` grows; a miss in `B2` shrinks it. A scan of keys read once goes through `T1` only, so it
//! can never push out the keys in `T2`: that is why ARC resists scans that ruin LRU.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::eviction::Step;
use super::lru::check_capacity;
use crate::sim::SimError;

/// Keys ordered from the least to the most recently pushed, with removal of any key.
#[derive(Debug, Clone, Default)]
struct RecencyList {
    by_stamp: BTreeMap<u64, u64>,
    stamp_of: HashMap<u64, u64>,
}

impl RecencyList {
    fn len(&self) -> usize {
        self.stamp_of.len()
    }

    fn contains(&self, key: u64) -> bool {
        self.stamp_of.contains_key(&key)
    }

    fn remove(&mut self, key: u64) -> bool {
        match self.stamp_of.remove(&key) {
            Some(stamp) => {
                self.by_stamp.remove(&stamp);
                true
            }
            None => false,
        }
    }

    fn push_most_recent(&mut self, key: u64, stamp: u64) {
        self.by_stamp.insert(stamp, key);
        self.stamp_of.insert(key, stamp);
    }

    fn pop_least_recent(&mut self) -> Option<u64> {
        let (_, key) = self.by_stamp.pop_first()?;
        self.stamp_of.remove(&key);
        Some(key)
    }
}

/// The lengths of ARC's four lists: the cached `t1` (seen once) and `t2` (seen twice or more),
/// and the ghosts `b1` and `b2` (evicted from `t1` and `t2`, remembered without data).
///
/// # Examples
///
/// ```
/// use lessons::caching::{ArcCache, ArcSizes};
///
/// let mut cache = ArcCache::new(2)?;
/// cache.request(1);
/// cache.request(1);
/// assert_eq!(cache.sizes(), ArcSizes { t1: 0, t2: 1, b1: 0, b2: 0 });
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArcSizes {
    /// Cached keys requested once since they entered.
    pub t1: usize,
    /// Cached keys requested at least twice.
    pub t2: usize,
    /// Keys evicted from `t1`, remembered without their data.
    pub b1: usize,
    /// Keys evicted from `t2`, remembered without their data.
    pub b2: usize,
}

/// Megiddo and Modha's Adaptive Replacement Cache over `capacity` slots: the claim it lets you
/// test is that one policy adapts between recency and frequency, so that it resists a scan (as
/// LFU does) and follows a shift of popularity (as LRU does).
///
/// The laws check the paper's invariants on random traces, `|T1| + |T2| ≤ c` and
/// `|T1| + |T2| + |B1| + |B2| ≤ 2c`, that ARC never beats Belady's optimum, and a small trace
/// worked out by hand from the paper's pseudocode.
///
/// # Examples
///
/// ```
/// use lessons::caching::ArcCache;
///
/// let mut cache = ArcCache::new(2)?;
/// let hits: Vec<bool> = [1, 1, 2, 3, 1].iter().map(|&key| cache.request(key).hit).collect();
/// assert_eq!(hits, [false, true, false, false, true]); // 3 pushed out 2, the key seen once
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArcCache {
    capacity: usize,
    /// The paper's `p`: the size `T1` is steered towards, from 0 to `capacity`.
    target: f64,
    t1: RecencyList,
    t2: RecencyList,
    b1: RecencyList,
    b2: RecencyList,
    /// Orders pushes across the four lists.
    stamps: u64,
}

impl ArcCache {
    /// An empty cache of `capacity` slots, with `p = 0`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a capacity of 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::ArcCache;
    ///
    /// assert_eq!(ArcCache::new(4)?.target(), 0.0);
    /// assert!(ArcCache::new(0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(capacity: usize) -> Result<ArcCache, SimError> {
        check_capacity(capacity)?;
        Ok(ArcCache {
            capacity,
            target: 0.0,
            t1: RecencyList::default(),
            t2: RecencyList::default(),
            b1: RecencyList::default(),
            b2: RecencyList::default(),
            stamps: 0,
        })
    }

    /// The current target size `p` of `T1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::ArcCache;
    ///
    /// let mut cache = ArcCache::new(2)?;
    /// for key in [1, 1, 2, 3, 2] {
    ///     cache.request(key); // 3 evicts 2 into the ghost list B1, where 2 is then found
    /// }
    /// assert_eq!(cache.target(), 1.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn target(&self) -> f64 {
        self.target
    }

    /// The lengths of the four lists.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::ArcCache;
    ///
    /// use lessons::caching::ArcSizes;
    ///
    /// let mut cache = ArcCache::new(2)?;
    /// for key in [1, 1, 2, 3] {
    ///     cache.request(key);
    /// }
    /// // 1 is frequent, 3 recent, and 2 (evicted by 3) a ghost
    /// assert_eq!(cache.sizes(), ArcSizes { t1: 1, t2: 1, b1: 1, b2: 0 });
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn sizes(&self) -> ArcSizes {
        ArcSizes {
            t1: self.t1.len(),
            t2: self.t2.len(),
            b1: self.b1.len(),
            b2: self.b2.len(),
        }
    }

    /// Whether `key` is cached (in `T1` or `T2`; a ghost is not cached).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::ArcCache;
    ///
    /// let mut cache = ArcCache::new(1)?;
    /// cache.request(1);
    /// cache.request(2);
    /// assert!(cache.contains(2) && !cache.contains(1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn contains(&self, key: u64) -> bool {
        self.t1.contains(key) || self.t2.contains(key)
    }

    /// Serves one request for `key`, following the paper's cases I to IV, and says what it did.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::ArcCache;
    ///
    /// let mut cache = ArcCache::new(1)?;
    /// assert!(!cache.request(5).hit);
    /// assert!(cache.request(5).hit);
    /// assert_eq!(cache.request(6).evicted, Some(5));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn request(&mut self, key: u64) -> Step {
        let capacity = self.capacity as f64;
        // Case I: a hit in T1 or T2 makes the key frequent.
        if self.t1.remove(key) || self.t2.remove(key) {
            self.push(List::T2, key);
            return Step {
                hit: true,
                stored: false,
                evicted: None,
            };
        }
        let evicted = if self.b1.contains(key) {
            // Case II: T1 was evicting too early, so its target grows.
            let (b1, b2) = (self.b1.len() as f64, self.b2.len() as f64);
            let delta = if b1 >= b2 { 1.0 } else { b2 / b1 };
            self.target = (self.target + delta).min(capacity);
            let evicted = self.replace(false);
            self.b1.remove(key);
            self.push(List::T2, key);
            evicted
        } else if self.b2.contains(key) {
            // Case III: T2 was evicting too early, so T1's target shrinks.
            let (b1, b2) = (self.b1.len() as f64, self.b2.len() as f64);
            let delta = if b2 >= b1 { 1.0 } else { b1 / b2 };
            self.target = (self.target - delta).max(0.0);
            let evicted = self.replace(true);
            self.b2.remove(key);
            self.push(List::T2, key);
            evicted
        } else {
            // Case IV: a key ARC has no memory of enters T1.
            let evicted = self.make_room_for_new_key();
            self.push(List::T1, key);
            evicted
        };
        Step {
            hit: false,
            stored: true,
            evicted,
        }
    }

    /// Case IV's cases A and B: keep `|T1| + |B1| ≤ c` and the four lists within `2c`.
    fn make_room_for_new_key(&mut self) -> Option<u64> {
        let in_l1 = self.t1.len() + self.b1.len();
        let total = in_l1 + self.t2.len() + self.b2.len();
        if in_l1 == self.capacity {
            if self.t1.len() < self.capacity {
                self.b1.pop_least_recent();
                self.replace(false)
            } else {
                // B1 is empty and T1 holds every slot: its LRU key leaves without a ghost.
                self.t1.pop_least_recent()
            }
        } else if total >= self.capacity {
            if total == 2 * self.capacity {
                self.b2.pop_least_recent();
            }
            self.replace(false)
        } else {
            None
        }
    }

    /// The paper's REPLACE: evict T1's LRU key into B1 when T1 is above its target (or at it,
    /// when the request was a ghost of T2), otherwise T2's LRU key into B2.
    fn replace(&mut self, requested_from_b2: bool) -> Option<u64> {
        let t1 = self.t1.len() as f64;
        let from_t1 =
            self.t1.len() >= 1 && (t1 > self.target || (requested_from_b2 && t1 == self.target));
        // The paper's invariants keep the chosen list non-empty; the fallback only avoids a panic.
        if from_t1 || self.t2.len() == 0 {
            let evicted = self.t1.pop_least_recent()?;
            self.push(List::B1, evicted);
            Some(evicted)
        } else {
            let evicted = self.t2.pop_least_recent()?;
            self.push(List::B2, evicted);
            Some(evicted)
        }
    }

    fn push(&mut self, list: List, key: u64) {
        self.stamps += 1;
        let list = match list {
            List::T1 => &mut self.t1,
            List::T2 => &mut self.t2,
            List::B1 => &mut self.b1,
            List::B2 => &mut self.b2,
        };
        list.push_most_recent(key, self.stamps);
    }
}

/// One of ARC's four lists.
#[derive(Debug, Clone, Copy)]
enum List {
    T1,
    T2,
    B1,
    B2,
}
