//! The standard Bloom filter: m bits, k hash positions per key, no false negatives.

use std::hash::Hash;

use super::hashing::{key_hash, probe_positions};
use crate::sim::SimError;

/// The most bits a filter may have here (2^32, half a gibibyte), so a typo cannot exhaust memory.
pub const MAX_BITS: u64 = 1 << 32;

/// The most hash positions per key a filter may use.
pub const MAX_HASHES: u32 = 64;

/// A Bloom filter (Bloom 1970): a key sets k of m bits, and a lookup answers "maybe present" only
/// if all k of its bits are set. A key that was inserted always answers present (no false
/// negatives); an absent key answers present with probability about `(1 - e^(-kn/m))^k`
/// after n inserts, the false-positive rate this lesson measures.
///
/// The k positions come from one 64-bit hash by double hashing ([`probe_positions`]).
///
/// [`probe_positions`]: super::probe_positions
///
/// # Examples
///
/// ```
/// use lessons::storage::BloomFilter;
///
/// let mut filter = BloomFilter::with_capacity(1_000, 0.01)?;
/// assert_eq!((filter.bit_count(), filter.hash_count()), (9_586, 7));
/// filter.insert("alice");
/// assert!(filter.contains("alice"));
/// assert!(!filter.contains("bob"));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BloomFilter {
    words: Vec<u64>,
    bits: u64,
    hashes: u32,
    inserted: u64,
}

/// The number of bits a filter for `capacity` keys at false-positive rate `fp_rate` needs:
/// `m = ceil(-n ln p / (ln 2)^2)`.
///
/// # Errors
///
/// When `capacity` is 0, `fp_rate` is not strictly between 0 and 1, or the answer exceeds
/// [`MAX_BITS`].
///
/// # Examples
///
/// ```
/// use lessons::storage::optimal_bits;
///
/// assert_eq!(optimal_bits(1_000, 0.01)?, 9_586); // 9.59 bits per key
/// assert_eq!(optimal_bits(1_000, 0.001)?, 14_378); // 14.38 bits per key
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn optimal_bits(capacity: u64, fp_rate: f64) -> Result<u64, SimError> {
    if capacity == 0 {
        return Err(SimError::parameter("capacity", capacity, "at least 1 key"));
    }
    if !(fp_rate > 0.0 && fp_rate < 1.0) {
        return Err(SimError::parameter(
            "fp_rate",
            fp_rate,
            "a false-positive rate strictly between 0 and 1",
        ));
    }
    let ln2 = std::f64::consts::LN_2;
    let bits = (-(capacity as f64) * fp_rate.ln() / (ln2 * ln2)).ceil();
    if bits > MAX_BITS as f64 {
        return Err(SimError::parameter(
            "capacity",
            capacity,
            format!("few enough keys that the filter fits in {MAX_BITS} bits at this rate"),
        ));
    }
    Ok(bits as u64)
}

/// The number of hash positions that minimises the false-positive rate for `bits` bits and
/// `capacity` keys: `k = round((m / n) ln 2)`, at least 1 and at most [`MAX_HASHES`].
///
/// # Examples
///
/// ```
/// use lessons::storage::optimal_hashes;
///
/// assert_eq!(optimal_hashes(9_586, 1_000), 7);
/// assert_eq!(optimal_hashes(1_000, 1_000), 1);
/// ```
pub fn optimal_hashes(bits: u64, capacity: u64) -> u32 {
    let k = (bits as f64 / capacity.max(1) as f64 * std::f64::consts::LN_2).round();
    k.clamp(1.0, f64::from(MAX_HASHES)) as u32
}

/// The false-positive rate the standard approximation predicts for a filter of `bits` bits and
/// `hashes` hash positions holding `keys` keys: `(1 - e^(-k n / m))^k`.
///
/// # Examples
///
/// ```
/// use lessons::storage::predicted_fp_rate;
///
/// assert_eq!(format!("{:.4}", predicted_fp_rate(9_586, 7, 1_000)), "0.0100");
/// assert_eq!(format!("{:.2}", predicted_fp_rate(9_586, 7, 5_000)), "0.83");
/// ```
pub fn predicted_fp_rate(bits: u64, hashes: u32, keys: u64) -> f64 {
    let k = f64::from(hashes);
    let fraction_set = 1.0 - (-k * keys as f64 / bits as f64).exp();
    fraction_set.powf(k)
}

/// The checks every filter's size takes: `size` (bits or counters, named `size_name` in the
/// error) in `1..=MAX_BITS`, `hashes` in `1..=MAX_HASHES`.
pub(super) fn check_shape(size_name: &'static str, size: u64, hashes: u32) -> Result<(), SimError> {
    if !(1..=MAX_BITS).contains(&size) {
        return Err(SimError::parameter(
            size_name,
            size,
            format!("from 1 to {MAX_BITS}"),
        ));
    }
    if !(1..=MAX_HASHES).contains(&hashes) {
        return Err(SimError::parameter(
            "hashes",
            hashes,
            format!("from 1 to {MAX_HASHES}"),
        ));
    }
    Ok(())
}

impl BloomFilter {
    /// An empty filter with `bits` bits and `hashes` positions per key.
    ///
    /// # Errors
    ///
    /// When `bits` is not in `1..=MAX_BITS` or `hashes` not in `1..=MAX_HASHES`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// assert_eq!(BloomFilter::new(1_024, 3)?.bit_count(), 1_024);
    /// assert!(BloomFilter::new(0, 3).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(bits: u64, hashes: u32) -> Result<BloomFilter, SimError> {
        check_shape("bits", bits, hashes)?;
        Ok(BloomFilter {
            words: vec![0; bits.div_ceil(64) as usize],
            bits,
            hashes,
            inserted: 0,
        })
    }

    /// An empty filter sized for `capacity` keys at false-positive rate `fp_rate`:
    /// [`optimal_bits`] bits and [`optimal_hashes`] positions per key.
    ///
    /// # Errors
    ///
    /// As [`optimal_bits`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let filter = BloomFilter::with_capacity(1_000_000, 0.01)?;
    /// assert_eq!(filter.bit_count(), 9_585_059);
    /// assert_eq!(filter.hash_count(), 7);
    /// assert!(BloomFilter::with_capacity(10, 1.5).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn with_capacity(capacity: u64, fp_rate: f64) -> Result<BloomFilter, SimError> {
        let bits = optimal_bits(capacity, fp_rate)?;
        BloomFilter::new(bits, optimal_hashes(bits, capacity))
    }

    /// Adds `key`: sets its k bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::new(64, 2)?;
    /// filter.insert(&7_u64);
    /// assert_eq!(filter.len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn insert<K: Hash + ?Sized>(&mut self, key: &K) {
        for position in probe_positions(key_hash(key), self.hashes, self.bits) {
            self.words[(position / 64) as usize] |= 1 << (position % 64);
        }
        self.inserted += 1;
    }

    /// Whether `key` may have been inserted: `false` is certain, `true` may be a false positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::with_capacity(100, 0.01)?;
    /// filter.insert(&7_u64);
    /// assert!(filter.contains(&7_u64));
    /// assert!(!filter.contains(&8_u64));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn contains<K: Hash + ?Sized>(&self, key: &K) -> bool {
        probe_positions(key_hash(key), self.hashes, self.bits)
            .all(|position| self.words[(position / 64) as usize] & (1 << (position % 64)) != 0)
    }

    /// The wrong way to delete: clears `key`'s k bits. Any other key that shares one of those
    /// bits now answers absent: a false negative, which a plain Bloom filter otherwise never
    /// gives. Here to show why deletion needs counters ([`CountingBloomFilter`]).
    ///
    /// [`CountingBloomFilter`]: super::CountingBloomFilter
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::new(8, 2)?; // tiny, so keys share bits
    /// for key in 0..6_u64 {
    ///     filter.insert(&key);
    /// }
    /// filter.clear_bits_of(&0_u64);
    /// let lost = (1..6_u64).filter(|key| !filter.contains(key)).count();
    /// assert!(lost > 0); // keys that were inserted now read as absent
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn clear_bits_of<K: Hash + ?Sized>(&mut self, key: &K) {
        for position in probe_positions(key_hash(key), self.hashes, self.bits) {
            self.words[(position / 64) as usize] &= !(1 << (position % 64));
        }
    }

    /// The number of bits, m.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::storage::BloomFilter::new(100, 2)?.bit_count(), 100);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn bit_count(&self) -> u64 {
        self.bits
    }

    /// The number of hash positions per key, k.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::storage::BloomFilter::new(100, 2)?.hash_count(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn hash_count(&self) -> u32 {
        self.hashes
    }

    /// How many inserts the filter has had (repeats count again), n in the formulas.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::storage::BloomFilter::new(100, 2)?.len(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn len(&self) -> u64 {
        self.inserted
    }

    /// Whether nothing has been inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::storage::BloomFilter::new(100, 2)?.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.inserted == 0
    }

    /// Bits per key the filter was given for the keys it holds, m / n (infinite when empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::new(100, 2)?;
    /// filter.insert("a");
    /// assert_eq!(filter.bits_per_key(), 100.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn bits_per_key(&self) -> f64 {
        self.bits as f64 / self.inserted as f64
    }

    /// The fraction of bits that are set. A lookup of an absent key is a false positive with
    /// probability about this fraction to the power k.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::new(64, 1)?;
    /// filter.insert("a");
    /// assert_eq!(filter.fill(), 1.0 / 64.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn fill(&self) -> f64 {
        let set: u64 = self.words.iter().map(|w| u64::from(w.count_ones())).sum();
        set as f64 / self.bits as f64
    }

    /// The false-positive rate [`predicted_fp_rate`] gives for this filter's m, k and inserts.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::with_capacity(1_000, 0.01)?;
    /// for key in 0..1_000_u64 {
    ///     filter.insert(&key);
    /// }
    /// assert_eq!(format!("{:.4}", filter.predicted_fp_rate()), "0.0100");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn predicted_fp_rate(&self) -> f64 {
        predicted_fp_rate(self.bits, self.hashes, self.inserted)
    }

    /// The fraction of `probes` (keys known to be absent) that the filter answers present:
    /// the measured false-positive rate. 0 for no probes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut filter = BloomFilter::with_capacity(1_000, 0.01)?;
    /// for key in 0..1_000_u64 {
    ///     filter.insert(&key);
    /// }
    /// let measured = filter.measured_fp_rate(1_000_u64..101_000);
    /// assert!((0.008..0.012).contains(&measured));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn measured_fp_rate<K: Hash>(&self, probes: impl IntoIterator<Item = K>) -> f64 {
        let (mut asked, mut wrong) = (0_u64, 0_u64);
        for probe in probes {
            asked += 1;
            wrong += u64::from(self.contains(&probe));
        }
        if asked == 0 {
            0.0
        } else {
            wrong as f64 / asked as f64
        }
    }

    /// The filter of both sets: the bitwise OR of two filters with the same m and k. It
    /// contains every key either one contains, and is exactly the filter built by inserting
    /// both sets.
    ///
    /// # Errors
    ///
    /// When the two filters differ in bits or hashes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::BloomFilter;
    ///
    /// let mut left = BloomFilter::with_capacity(100, 0.01)?;
    /// let mut right = left.clone();
    /// left.insert("a");
    /// right.insert("b");
    /// let both = left.union(&right)?;
    /// assert!(both.contains("a") && both.contains("b"));
    /// assert!(left.union(&BloomFilter::new(64, 2)?).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn union(&self, other: &BloomFilter) -> Result<BloomFilter, SimError> {
        if (self.bits, self.hashes) != (other.bits, other.hashes) {
            return Err(SimError::parameter(
                "other",
                format!(
                    "a filter of {} bits and {} hashes",
                    other.bits, other.hashes
                ),
                format!(
                    "a filter with the same {} bits and {} hashes",
                    self.bits, self.hashes
                ),
            ));
        }
        Ok(BloomFilter {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a | b)
                .collect(),
            bits: self.bits,
            hashes: self.hashes,
            inserted: self.inserted + other.inserted,
        })
    }
}
