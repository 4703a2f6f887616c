//! Range partitioning against hash partitioning: scans against hot spots.

use serde::Serialize;

use super::{ModN, PartitionError, hash_key};
use crate::sim::Rng;

/// Range partitioning of integer keys: partition `i` holds the keys from split point `i - 1`
/// (inclusive) up to split point `i` (exclusive); the first partition starts at 0 and the last
/// has no end.
///
/// Neighbouring keys share a partition, so a scan of a key range reads one or a few
/// partitions. The price: keys that grow over time (timestamps, Snowflake IDs) all land in the
/// last partition, which takes every new write while the others sit idle.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::RangePartitioner;
///
/// let ranges = RangePartitioner::new(vec![100, 200])?;
/// assert_eq!(ranges.partitions(), 3);
/// assert_eq!((ranges.partition_for(99), ranges.partition_for(100), ranges.partition_for(10_000)), (0, 1, 2));
/// assert_eq!(ranges.partitions_touched(150, 250), 2);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangePartitioner {
    split_points: Vec<u64>,
}

impl RangePartitioner {
    /// Partitions split at these points, which must strictly increase (no points: one
    /// partition).
    ///
    /// # Errors
    ///
    /// [`PartitionError::Parameter`] if a split point is not larger than the one before.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::RangePartitioner;
    ///
    /// assert_eq!(
    ///     RangePartitioner::new(vec![5, 5]).unwrap_err().to_string(),
    ///     "split point = 5 is not allowed: split points must strictly increase, and this one follows 5"
    /// );
    /// ```
    pub fn new(split_points: Vec<u64>) -> Result<RangePartitioner, PartitionError> {
        for pair in split_points.windows(2) {
            if pair[1] <= pair[0] {
                return Err(PartitionError::parameter(
                    "split point",
                    pair[1],
                    format!(
                        "split points must strictly increase, and this one follows {}",
                        pair[0]
                    ),
                ));
            }
        }
        Ok(RangePartitioner { split_points })
    }

    /// `partitions` ranges holding equal numbers of the sample keys (split at quantiles), as a
    /// database splits a table by the data it already has.
    ///
    /// # Errors
    ///
    /// [`PartitionError::Parameter`] unless `partitions` is from 1 to the number of distinct
    /// sample keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::RangePartitioner;
    ///
    /// let keys: Vec<u64> = (0..1_000).collect();
    /// let ranges = RangePartitioner::from_sample(&keys, 4)?;
    /// assert_eq!(ranges.split_points(), [250, 500, 750]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn from_sample(
        keys: &[u64],
        partitions: usize,
    ) -> Result<RangePartitioner, PartitionError> {
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if partitions == 0 || partitions > sorted.len() {
            return Err(PartitionError::parameter(
                "partitions",
                partitions,
                format!(
                    "from 1 to the number of distinct sample keys, {}",
                    sorted.len()
                ),
            ));
        }
        let split_points = (1..partitions)
            .map(|part| sorted[part * sorted.len() / partitions])
            .collect();
        RangePartitioner::new(split_points)
    }

    /// The split points.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::RangePartitioner;
    ///
    /// assert_eq!(RangePartitioner::new(vec![10])?.split_points(), [10]);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn split_points(&self) -> &[u64] {
        &self.split_points
    }

    /// How many partitions there are: one more than the split points.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::RangePartitioner;
    ///
    /// assert_eq!(RangePartitioner::new(vec![])?.partitions(), 1);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn partitions(&self) -> usize {
        self.split_points.len() + 1
    }

    /// The partition of `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::RangePartitioner;
    ///
    /// assert_eq!(RangePartitioner::new(vec![10, 20])?.partition_for(15), 1);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn partition_for(&self, key: u64) -> usize {
        self.split_points.partition_point(|&split| split <= key)
    }

    /// How many partitions a scan of the keys `low..=high` reads.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::RangePartitioner;
    ///
    /// let ranges = RangePartitioner::new(vec![10, 20])?;
    /// assert_eq!(ranges.partitions_touched(0, 9), 1);
    /// assert_eq!(ranges.partitions_touched(0, 25), 3);
    /// assert_eq!(ranges.partitions_touched(25, 0), 0); // an empty range
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn partitions_touched(&self, low: u64, high: u64) -> usize {
        if high < low {
            return 0;
        }
        self.partition_for(high) - self.partition_for(low) + 1
    }
}

/// One partition's share of the new writes under one scheme, in [`write_hot_spot`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::write_hot_spot;
///
/// let rows = write_hot_spot(8, 10_000, 2_000, 1)?;
/// assert_eq!(rows.len(), 3 * 8);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WriteShareRow {
    /// `range by time`, `hash of key` or `hash of user, then time`.
    pub scheme: &'static str,
    /// The partition, from 0.
    pub partition: usize,
    /// Its fraction of the new writes.
    pub share: f64,
}

/// Where a placement scheme puts a (key, write time) pair: its partition.
type Placement<'a> = Box<dyn Fn(&(u64, u64)) -> usize + 'a>;
/// Keys that grow with time: `history` writes, then `new_writes` more, each by one of 1,000
/// users, each key a timestamp-like number larger than the last. Three schemes place the new
/// writes on `partitions` partitions: ranges split evenly over the history; the hash of the
/// key; and the hash of the user (with the time as the sort key inside the partition, a
/// composite key).
///
/// # Errors
///
/// [`PartitionError::Parameter`] unless `partitions` is from 1 to `history`.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::write_hot_spot;
///
/// let rows = write_hot_spot(8, 10_000, 2_000, 1)?;
/// let last_range = rows.iter().find(|row| row.scheme == "range by time" && row.partition == 7).unwrap();
/// assert_eq!(last_range.share, 1.0); // every new write goes to the last range
/// let hashed = rows.iter().filter(|row| row.scheme == "hash of key").map(|row| row.share);
/// assert!(hashed.fold(0.0, f64::max) < 0.16);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn write_hot_spot(
    partitions: usize,
    history: usize,
    new_writes: usize,
    seed: u64,
) -> Result<Vec<WriteShareRow>, PartitionError> {
    let mut rng = Rng::new(seed);
    let mut now = 0u64;
    let mut writes: Vec<(u64, u64)> = (0..history + new_writes)
        .map(|_| {
            now += 1 + rng.below(1_000);
            (now, rng.below(1_000))
        })
        .collect();
    let new = writes.split_off(history);
    let history_keys: Vec<u64> = writes.iter().map(|&(key, _)| key).collect();
    let ranges = RangePartitioner::from_sample(&history_keys, partitions)?;
    let hashed = ModN::new(partitions as u64)?;
    let schemes: [(&'static str, Placement<'_>); 3] = [
        (
            "range by time",
            Box::new(|&(key, _)| ranges.partition_for(key)),
        ),
        (
            "hash of key",
            Box::new(|&(key, _)| hashed.partition_for(key.to_le_bytes()) as usize),
        ),
        (
            "hash of user, then time",
            Box::new(|&(_, user)| hashed.partition_for(user.to_le_bytes()) as usize),
        ),
    ];
    let mut rows = Vec::new();
    for (scheme, place) in schemes {
        let mut counts = vec![0usize; partitions];
        for write in &new {
            counts[place(write)] += 1;
        }
        rows.extend(
            counts
                .iter()
                .enumerate()
                .map(|(partition, &count)| WriteShareRow {
                    scheme,
                    partition,
                    share: count as f64 / new.len().max(1) as f64,
                }),
        );
    }
    Ok(rows)
}

/// The mean number of partitions one scan reads, for one scan width, in [`scan_fan_out`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::scan_fan_out;
///
/// let row = scan_fan_out(16, &[1], 100, 1)?[0];
/// assert_eq!((row.range_partitions, row.hash_partitions), (1.0, 1.0));
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScanRow {
    /// How many consecutive keys the scan covers.
    pub width: u64,
    /// Mean partitions read under range partitioning.
    pub range_partitions: f64,
    /// Mean partitions read under hash partitioning.
    pub hash_partitions: f64,
}

/// Scans of `width` consecutive keys out of 1,000,000, started at `queries` random places,
/// against `partitions` even ranges and `partitions` hash partitions.
///
/// # Errors
///
/// [`PartitionError::Parameter`] unless `partitions` is from 1 to 1,000,000, each width from 1
/// to 1,000,000, and `queries` at least 1.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::scan_fan_out;
///
/// let rows = scan_fan_out(16, &[10, 10_000], 50, 1)?;
/// assert!(rows[0].range_partitions < 1.1);
/// assert_eq!(rows[1].hash_partitions, 16.0); // a wide scan reads every hash partition
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn scan_fan_out(
    partitions: usize,
    widths: &[u64],
    queries: usize,
    seed: u64,
) -> Result<Vec<ScanRow>, PartitionError> {
    const KEYS: u64 = 1_000_000;
    if partitions == 0 || partitions as u64 > KEYS {
        return Err(PartitionError::parameter(
            "partitions",
            partitions,
            format!("from 1 to {KEYS}"),
        ));
    }
    if queries == 0 {
        return Err(PartitionError::parameter("queries", queries, "at least 1"));
    }
    let split_points = (1..partitions as u64)
        .map(|part| part * KEYS / partitions as u64)
        .collect();
    let ranges = RangePartitioner::new(split_points)?;
    let hashed = ModN::new(partitions as u64)?;
    let mut rng = Rng::new(seed);
    widths
        .iter()
        .map(|&width| {
            if width == 0 || width > KEYS {
                return Err(PartitionError::parameter(
                    "scan width",
                    width,
                    format!("from 1 to {KEYS} keys"),
                ));
            }
            let (mut range_total, mut hash_total) = (0, 0);
            for _ in 0..queries {
                let low = rng.below(KEYS - width + 1);
                let high = low + width - 1;
                range_total += ranges.partitions_touched(low, high);
                let mut touched = vec![false; partitions];
                for key in low..=high {
                    touched[hashed.partition_for_hash(hash_key(key.to_le_bytes())) as usize] = true;
                }
                hash_total += touched.iter().filter(|&&hit| hit).count();
            }
            Ok(ScanRow {
                width,
                range_partitions: range_total as f64 / queries as f64,
                hash_partitions: hash_total as f64 / queries as f64,
            })
        })
        .collect()
}
