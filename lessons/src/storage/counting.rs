//! The counting Bloom filter: a small counter per slot instead of a bit, so keys can be removed.

use std::hash::Hash;

use super::bloom::{check_shape, optimal_bits, optimal_hashes};
use super::hashing::{key_hash, probe_positions};
use crate::sim::SimError;

/// The largest value a 4-bit counter holds; a counter that reaches it stays there.
pub const COUNTER_MAX: u8 = 15;

/// A counting Bloom filter (Fan et al. 2000): each of m slots holds a 4-bit counter. Inserting
/// a key adds 1 to its k counters, removing it subtracts 1, and a lookup answers present when
/// all k counters are non-zero. Removing a key that was inserted never makes another inserted
/// key answer absent, which clearing bits in a plain filter does
/// ([`BloomFilter::clear_bits_of`](super::BloomFilter::clear_bits_of)).
///
/// The price: four times the memory of a plain filter with the same m. A counter that would
/// pass [`COUNTER_MAX`] sticks there and is never decremented again (the usual rule: a stuck
/// counter can only cause false positives, never false negatives); [`overflows`](Self::overflows)
/// counts how often that happened. Removing a key that was never inserted but answers present
/// (a false positive) is the one way to break it: it can take another key's counters to zero.
///
/// # Examples
///
/// ```
/// use lessons::storage::CountingBloomFilter;
///
/// let mut filter = CountingBloomFilter::with_capacity(1_000, 0.01)?;
/// filter.insert("alice");
/// filter.insert("bob");
/// assert!(filter.remove("alice"));
/// assert!(!filter.contains("alice"));
/// assert!(filter.contains("bob"));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountingBloomFilter {
    counters: Vec<u8>,
    hashes: u32,
    overflows: u64,
}

impl CountingBloomFilter {
    /// An empty filter of `slots` counters and `hashes` positions per key.
    ///
    /// # Errors
    ///
    /// When `slots` is not in `1..=MAX_BITS` or `hashes` not in `1..=MAX_HASHES`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(100, 3)?.slot_count(), 100);
    /// assert!(CountingBloomFilter::new(100, 0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(slots: u64, hashes: u32) -> Result<CountingBloomFilter, SimError> {
        check_shape("slots", slots, hashes)?;
        Ok(CountingBloomFilter {
            counters: vec![0; slots as usize],
            hashes,
            overflows: 0,
        })
    }

    /// An empty filter with as many counters as a plain filter for `capacity` keys at
    /// `fp_rate` has bits, and the same k.
    ///
    /// # Errors
    ///
    /// As [`optimal_bits`](super::optimal_bits).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// let filter = CountingBloomFilter::with_capacity(1_000, 0.01)?;
    /// assert_eq!((filter.slot_count(), filter.hash_count()), (9_586, 7));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn with_capacity(capacity: u64, fp_rate: f64) -> Result<CountingBloomFilter, SimError> {
        let slots = optimal_bits(capacity, fp_rate)?;
        CountingBloomFilter::new(slots, optimal_hashes(slots, capacity))
    }

    /// Adds `key`: one more on each of its k counters (a full counter stays full).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::new(10, 1)?;
    /// filter.insert("a");
    /// assert_eq!(filter.counters().iter().map(|&c| u32::from(c)).sum::<u32>(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn insert<K: Hash + ?Sized>(&mut self, key: &K) {
        let slots = self.counters.len() as u64;
        for position in probe_positions(key_hash(key), self.hashes, slots) {
            let counter = &mut self.counters[position as usize];
            if *counter == COUNTER_MAX {
                self.overflows += 1;
            } else {
                *counter += 1;
            }
        }
    }

    /// Removes `key` if it answers present: one less on each of its k counters (a stuck
    /// counter stays). Returns whether it did; a key that answers absent is left alone.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::new(100, 3)?;
    /// assert!(!filter.remove("never inserted"));
    /// filter.insert("a");
    /// assert!(filter.remove("a"));
    /// assert!(filter.counters().iter().all(|&c| c == 0));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn remove<K: Hash + ?Sized>(&mut self, key: &K) -> bool {
        if !self.contains(key) {
            return false;
        }
        let slots = self.counters.len() as u64;
        for position in probe_positions(key_hash(key), self.hashes, slots) {
            let counter = &mut self.counters[position as usize];
            if *counter < COUNTER_MAX {
                *counter -= 1;
            }
        }
        true
    }

    /// Whether `key` may be in the filter: all of its k counters are non-zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::new(100, 3)?;
    /// filter.insert(&1_u64);
    /// assert!(filter.contains(&1_u64));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn contains<K: Hash + ?Sized>(&self, key: &K) -> bool {
        let slots = self.counters.len() as u64;
        probe_positions(key_hash(key), self.hashes, slots)
            .all(|position| self.counters[position as usize] > 0)
    }

    /// The counters, one per slot, each from 0 to [`COUNTER_MAX`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(3, 1)?.counters(), &[0, 0, 0]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn counters(&self) -> &[u8] {
        &self.counters
    }

    /// The number of slots, m.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(3, 1)?.slot_count(), 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn slot_count(&self) -> u64 {
        self.counters.len() as u64
    }

    /// The number of counters per key, k.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(3, 2)?.hash_count(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn hash_count(&self) -> u32 {
        self.hashes
    }

    /// The memory the counters take, in bits: 4 per slot.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(100, 2)?.memory_bits(), 400);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn memory_bits(&self) -> u64 {
        4 * self.slot_count()
    }

    /// How many increments found their counter already at [`COUNTER_MAX`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::new(1, 1)?;
    /// for _ in 0..16 {
    ///     filter.insert("same");
    /// }
    /// assert_eq!((filter.counters()[0], filter.overflows()), (15, 1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn overflows(&self) -> u64 {
        self.overflows
    }
}
