//! Hot keys and salting: spreading one key's traffic over several partitions.

use serde::Serialize;

use super::{PartitionError, Ring, node_names};

/// A counter split into `buckets` sub-counters, each stored under its own key
/// (`name#shard-0`, `name#shard-1`, ...), so that its writes spread over up to `buckets`
/// partitions. A write goes to one sub-counter; a read must fetch all of them and add up.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::SaltedCounter;
///
/// let mut likes = SaltedCounter::new("likes:celebrity", 4)?;
/// for write in 0..10 {
///     likes.add(write, 1);
/// }
/// assert_eq!(likes.total(), 10);
/// assert_eq!(likes.sub_counts(), [3, 3, 2, 2]);
/// assert_eq!(likes.sub_keys()[1], "likes:celebrity#shard-1");
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaltedCounter {
    name: String,
    counts: Vec<u64>,
}

impl SaltedCounter {
    /// A counter of `buckets` sub-counters, all 0.
    ///
    /// # Errors
    ///
    /// [`PartitionError::Parameter`] unless `buckets` is from 1 to 100,000.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::SaltedCounter;
    ///
    /// assert!(SaltedCounter::new("c", 0).is_err());
    /// assert_eq!(SaltedCounter::new("c", 8)?.buckets(), 8);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn new(name: impl Into<String>, buckets: usize) -> Result<SaltedCounter, PartitionError> {
        if !(1..=100_000).contains(&buckets) {
            return Err(PartitionError::parameter(
                "buckets",
                buckets,
                "a salted key needs from 1 to 100000 buckets",
            ));
        }
        Ok(SaltedCounter {
            name: name.into(),
            counts: vec![0; buckets],
        })
    }

    /// How many sub-counters there are: the reads one total costs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::SaltedCounter::new("c", 3)?.buckets(), 3);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn buckets(&self) -> usize {
        self.counts.len()
    }

    /// Adds `amount` to the sub-counter that write number `write` goes to (round robin, so
    /// the sub-counters stay within one of each other).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::SaltedCounter;
    ///
    /// let mut counter = SaltedCounter::new("c", 2)?;
    /// counter.add(1, 5);
    /// assert_eq!(counter.sub_counts(), [0, 5]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn add(&mut self, write: u64, amount: u64) {
        let bucket = (write % self.counts.len() as u64) as usize;
        self.counts[bucket] += amount;
    }

    /// The sub-counters' values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::SaltedCounter::new("c", 2)?.sub_counts(), [0, 0]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn sub_counts(&self) -> &[u64] {
        &self.counts
    }

    /// The keys the sub-counters are stored under.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::SaltedCounter;
    ///
    /// assert_eq!(SaltedCounter::new("c", 2)?.sub_keys(), ["c#shard-0", "c#shard-1"]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn sub_keys(&self) -> Vec<String> {
        (0..self.counts.len())
            .map(|bucket| salted_key(&self.name, bucket))
            .collect()
    }

    /// The counter's value: the sum of every sub-counter (a read of all `buckets` keys).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::SaltedCounter;
    ///
    /// let mut counter = SaltedCounter::new("c", 3)?;
    /// (0..7).for_each(|write| counter.add(write, 2));
    /// assert_eq!(counter.total(), 14);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// The fewest buckets that keep each sub-key under a per-partition write limit:
/// `ceil(write_rate / per_partition_limit)`.
///
/// # Errors
///
/// [`PartitionError::Parameter`] if `per_partition_limit` is 0.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::buckets_needed;
///
/// assert_eq!(buckets_needed(50_000, 1_000)?, 50);
/// assert_eq!(buckets_needed(50_001, 1_000)?, 51);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn buckets_needed(write_rate: u64, per_partition_limit: u64) -> Result<u64, PartitionError> {
    if per_partition_limit == 0 {
        return Err(PartitionError::parameter(
            "per-partition limit",
            per_partition_limit,
            "the limit must be at least 1 write per second",
        ));
    }
    Ok(write_rate.div_ceil(per_partition_limit))
}

/// The load of the busiest partition for one salting factor, in [`salting_trial`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::salting_trial;
///
/// let row = salting_trial(&[0.8, 0.05, 0.05, 0.05, 0.05], 1, &[1], 10, 256)?[0];
/// assert!(row.busiest_share > 0.79);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SaltingRow {
    /// Buckets per salted key.
    pub buckets: usize,
    /// The busiest partition's fraction of all writes.
    pub busiest_share: f64,
    /// The busiest partition's load divided by the mean partition load.
    pub busiest_over_mean: f64,
    /// Keys read to get one salted key's total: `buckets`.
    pub reads_per_total: usize,
}

/// Keys `key-0`, `key-1`, ... written with the given popularity (fractions that are spread
/// over the keys in order), on a ring of `partitions` nodes with `vnodes` each; the `salted`
/// most popular keys are split into `b` sub-keys each, for each `b` in `buckets`. The loads
/// are expected values, computed exactly from the popularity, not sampled.
///
/// # Errors
///
/// [`PartitionError::Parameter`] if the popularity is empty or has a negative or non-finite
/// value, or a bucket count is 0; the ring's errors for `partitions` and `vnodes`.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::salting_trial;
///
/// // Five event types, page views 80% of them (seed 002).
/// let events = [0.8, 0.05, 0.05, 0.05, 0.05];
/// let rows = salting_trial(&events, 1, &[1, 100], 10, 256)?;
/// assert!(rows[0].busiest_share > 0.79);
/// assert!(rows[1].busiest_share < 0.25);
/// assert_eq!(rows[1].reads_per_total, 100);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn salting_trial(
    popularity: &[f64],
    salted: usize,
    buckets: &[usize],
    partitions: usize,
    vnodes: u32,
) -> Result<Vec<SaltingRow>, PartitionError> {
    if popularity.is_empty() || popularity.iter().any(|p| !p.is_finite() || *p < 0.0) {
        return Err(PartitionError::parameter(
            "popularity",
            format!("{popularity:?}"),
            "one finite, non-negative weight per key, at least one key",
        ));
    }
    let ring = Ring::with_nodes(vnodes, node_names(partitions, 0))?;
    let total: f64 = popularity.iter().sum();
    buckets
        .iter()
        .map(|&b| {
            if b == 0 {
                return Err(PartitionError::parameter(
                    "buckets",
                    b,
                    "a salted key needs at least 1 bucket",
                ));
            }
            let mut load = vec![0.0; partitions];
            for (rank, &weight) in popularity.iter().enumerate() {
                let key = format!("key-{rank}");
                if rank < salted {
                    for bucket in 0..b {
                        let node =
                            ring.index_for_hash(super::hash_key(salted_key(&key, bucket)))?;
                        load[node] += weight / b as f64;
                    }
                } else {
                    load[ring.index_for_hash(super::hash_key(&key))?] += weight;
                }
            }
            let busiest = load.iter().copied().fold(0.0, f64::max);
            Ok(SaltingRow {
                buckets: b,
                busiest_share: busiest / total,
                busiest_over_mean: busiest / (total / partitions as f64),
                reads_per_total: b,
            })
        })
        .collect()
}

fn salted_key(name: &str, bucket: usize) -> String {
    format!("{name}#shard-{bucket}")
}
