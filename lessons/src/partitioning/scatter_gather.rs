//! Scatter-gather: a query that asks `k` partitions waits for the slowest.

use serde::Serialize;

use super::PartitionError;
use crate::sim::{Rng, percentiles};

/// How one partition answers in [`fan_out_trial`]: usually fast, sometimes slow.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::ShardLatency;
///
/// let shard = ShardLatency::typical(0.01);
/// assert_eq!((shard.fast_ms, shard.slow_ms), ((5.0, 15.0), (100.0, 300.0)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShardLatency {
    /// The range (ms) a fast answer takes, drawn uniformly.
    pub fast_ms: (f64, f64),
    /// The range (ms) a slow answer takes (a GC pause, a cold cache), drawn uniformly.
    pub slow_ms: (f64, f64),
    /// The probability that an answer is slow.
    pub slow_probability: f64,
}

impl ShardLatency {
    /// Fast answers in 5 to 15 ms, slow ones in 100 to 300 ms with probability `p`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::ShardLatency::typical(0.02).slow_probability, 0.02);
    /// ```
    pub fn typical(slow_probability: f64) -> ShardLatency {
        ShardLatency {
            fast_ms: (5.0, 15.0),
            slow_ms: (100.0, 300.0),
            slow_probability,
        }
    }

    /// One answer's latency in ms, and whether it was slow.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::ShardLatency;
    /// use lessons::sim::Rng;
    ///
    /// let (ms, slow) = ShardLatency::typical(0.0).draw(&mut Rng::new(1));
    /// assert!(!slow && (5.0..=15.0).contains(&ms));
    /// ```
    pub fn draw(&self, rng: &mut Rng) -> (f64, bool) {
        let slow = rng.chance(self.slow_probability);
        let (low, high) = if slow { self.slow_ms } else { self.fast_ms };
        (low + (high - low) * rng.unit(), slow)
    }

    fn check(&self) -> Result<(), PartitionError> {
        if !(0.0..=1.0).contains(&self.slow_probability) {
            return Err(PartitionError::parameter(
                "slow probability",
                self.slow_probability,
                "a probability from 0 to 1",
            ));
        }
        let ranges = [self.fast_ms, self.slow_ms];
        if ranges
            .iter()
            .any(|&(low, high)| !(low.is_finite() && high.is_finite() && 0.0 <= low && low <= high))
        {
            return Err(PartitionError::parameter(
                "latency ranges",
                format!("{:?} and {:?}", self.fast_ms, self.slow_ms),
                "each range (low, high) in ms with 0 <= low <= high",
            ));
        }
        Ok(())
    }
}

/// Query latency for one fan-out, in [`fan_out_trial`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{ShardLatency, fan_out_trial};
///
/// let row = fan_out_trial(&[1], ShardLatency::typical(0.01), 10_000, 1)?[0];
/// assert!((row.slow_fraction - 0.01).abs() < 0.005);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FanOutRow {
    /// Partitions each query asks.
    pub fan_out: usize,
    /// Median query latency (ms).
    pub p50_ms: f64,
    /// 99th-percentile query latency (ms).
    pub p99_ms: f64,
    /// Fraction of the queries that waited for at least one slow partition.
    pub slow_fraction: f64,
    /// The model's exact value of that fraction: `1 - (1 - p)^k`.
    pub slow_formula: f64,
}

/// `queries` queries, each sent to `k` partitions at once for each `k` in `fan_outs`; a query
/// answers when its slowest partition does, so its latency is the maximum of `k` draws.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for a fan-out of 0, no queries, or invalid latencies.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{ShardLatency, fan_out_trial};
///
/// let rows = fan_out_trial(&[1, 100], ShardLatency::typical(0.01), 5_000, 1)?;
/// assert!(rows[0].p99_ms < 100.0 || rows[0].slow_fraction >= 0.01);
/// assert!(rows[1].p50_ms > 100.0); // 1 - 0.99^100 = 63% of queries meet a slow partition
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn fan_out_trial(
    fan_outs: &[usize],
    shard: ShardLatency,
    queries: usize,
    seed: u64,
) -> Result<Vec<FanOutRow>, PartitionError> {
    shard.check()?;
    if queries == 0 {
        return Err(PartitionError::parameter("queries", queries, "at least 1"));
    }
    fan_outs
        .iter()
        .map(|&k| {
            if k == 0 {
                return Err(PartitionError::parameter(
                    "fan-out",
                    k,
                    "a query asks at least 1 partition",
                ));
            }
            let mut rng = Rng::derive(seed, &[k as u64]);
            let mut slow_queries = 0;
            let latencies: Vec<f64> = (0..queries)
                .map(|_| {
                    let mut slowest = 0.0f64;
                    let mut any_slow = false;
                    for _ in 0..k {
                        let (ms, slow) = shard.draw(&mut rng);
                        slowest = slowest.max(ms);
                        any_slow |= slow;
                    }
                    slow_queries += usize::from(any_slow);
                    slowest
                })
                .collect();
            let tail = percentiles(&latencies, &[50.0, 99.0]).map_err(|error| {
                PartitionError::parameter("latencies", error, "finite latencies")
            })?;
            Ok(FanOutRow {
                fan_out: k,
                p50_ms: tail[0],
                p99_ms: tail[1],
                slow_fraction: slow_queries as f64 / queries as f64,
                slow_formula: 1.0 - (1.0 - shard.slow_probability).powi(k as i32),
            })
        })
        .collect()
}
