//! The scalable Bloom filter: a chain of ever larger, ever stricter filters.

use std::hash::Hash;

use super::bloom::{BloomFilter, optimal_bits};
use crate::sim::SimError;

/// A scalable Bloom filter (Almeida et al. 2007): it starts as one filter for
/// `initial_capacity` keys and, each time the newest stage has taken its share of keys, adds a
/// stage twice as large (growth 2) whose false-positive rate is half the previous one's
/// (tightening ratio 1/2). A lookup asks every stage, so the compound false-positive rate is at
/// most the sum of the stages' rates, `p0 (1 + 1/2 + 1/4 + ...) < 2 p0`; starting at
/// `p0 = fp_rate / 2` keeps the whole chain under `fp_rate` however many keys arrive.
///
/// # Examples
///
/// ```
/// use lessons::storage::ScalableBloomFilter;
///
/// let mut filter = ScalableBloomFilter::new(100, 0.01)?;
/// for key in 0..1_000_u64 {
///     filter.insert(&key)?;
/// }
/// assert_eq!(filter.stage_count(), 4); // 100 + 200 + 400 + 800 keys of room
/// assert!((0..1_000_u64).all(|key| filter.contains(&key)));
/// assert!(filter.fp_bound() < 0.01);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScalableBloomFilter {
    stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq)]
struct Stage {
    filter: BloomFilter,
    capacity: u64,
    fp_rate: f64,
}

impl Stage {
    fn new(capacity: u64, fp_rate: f64) -> Result<Stage, SimError> {
        Ok(Stage {
            filter: BloomFilter::with_capacity(capacity, fp_rate)?,
            capacity,
            fp_rate,
        })
    }
}

impl ScalableBloomFilter {
    /// An empty chain whose compound false-positive rate stays under `fp_rate`: the first stage
    /// holds `initial_capacity` keys at `fp_rate / 2`.
    ///
    /// # Errors
    ///
    /// As [`BloomFilter::with_capacity`], for `fp_rate` and for the first stage.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(1_000, 0.01)?.stage_count(), 1);
    /// assert!(ScalableBloomFilter::new(0, 0.01).is_err());
    /// assert!(ScalableBloomFilter::new(10, 1.0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(initial_capacity: u64, fp_rate: f64) -> Result<ScalableBloomFilter, SimError> {
        // The whole chain's rate must itself be a valid target, not only its first stage's.
        optimal_bits(initial_capacity, fp_rate)?;
        Ok(ScalableBloomFilter {
            stages: vec![Stage::new(initial_capacity, fp_rate / 2.0)?],
        })
    }

    /// Adds `key` to the newest stage, first opening a new one if that stage is full.
    /// A key that already answers present is not added again (so repeats use no room).
    ///
    /// # Errors
    ///
    /// When the next stage would exceed [`MAX_BITS`](super::MAX_BITS).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// let mut filter = ScalableBloomFilter::new(2, 0.01)?;
    /// for key in ["a", "b", "c"] {
    ///     filter.insert(key)?;
    /// }
    /// assert_eq!(filter.stage_count(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn insert<K: Hash + ?Sized>(&mut self, key: &K) -> Result<(), SimError> {
        if self.contains(key) {
            return Ok(());
        }
        let newest = self.stages.last().expect("a chain always has a stage");
        if newest.filter.len() >= newest.capacity {
            let next = Stage::new(2 * newest.capacity, newest.fp_rate / 2.0)?;
            self.stages.push(next);
        }
        self.stages
            .last_mut()
            .expect("a chain always has a stage")
            .filter
            .insert(key);
        Ok(())
    }

    /// Whether `key` may be in the filter: some stage answers present.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// assert!(!ScalableBloomFilter::new(10, 0.01)?.contains("a"));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn contains<K: Hash + ?Sized>(&self, key: &K) -> bool {
        self.stages.iter().any(|stage| stage.filter.contains(key))
    }

    /// The number of stages so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.stage_count(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn stage_count(&self) -> usize {
        self.stages.len()
    }

    /// The bits of all stages together.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// // The first stage is a 10-key filter at 0.5%.
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.bit_count(), 111);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn bit_count(&self) -> u64 {
        self.stages
            .iter()
            .map(|stage| stage.filter.bit_count())
            .sum()
    }

    /// The keys added so far (repeats not counted).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// let mut filter = ScalableBloomFilter::new(10, 0.01)?;
    /// filter.insert("a")?;
    /// filter.insert("a")?;
    /// assert_eq!(filter.len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn len(&self) -> u64 {
        self.stages.iter().map(|stage| stage.filter.len()).sum()
    }

    /// Whether nothing has been added.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// assert!(ScalableBloomFilter::new(10, 0.01)?.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sum of the stages' design false-positive rates: a bound on the compound rate (a
    /// false positive needs at least one stage to err), as long as no stage is over capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.fp_bound(), 0.005);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn fp_bound(&self) -> f64 {
        self.stages.iter().map(|stage| stage.fp_rate).sum()
    }

    /// The compound rate the formula predicts from each stage's fill:
    /// `1 - Π (1 - p_i)` with each `p_i` from [`BloomFilter::predicted_fp_rate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.predicted_fp_rate(), 0.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn predicted_fp_rate(&self) -> f64 {
        1.0 - self
            .stages
            .iter()
            .map(|stage| 1.0 - stage.filter.predicted_fp_rate())
            .product::<f64>()
    }
}
