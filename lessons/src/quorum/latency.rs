//! Quorum latency is an order statistic: a coordinator that waits for k of N replies waits for
//! the k-th fastest of N random delays.

use serde::Serialize;

use super::error::{QuorumError, at_least};
use crate::sim::{Latency, Rng, Time, percentiles};

/// The expected wait for the `k`-th fastest of `n` independent exponential replies with mean
/// `mean`: `mean · (1/n + 1/(n-1) + … + 1/(n-k+1))`. The fastest of n is n times faster than
/// one reply; each further reply waited for adds the expected gap to the next.
///
/// # Errors
///
/// [`QuorumError::Parameter`] unless `1 ≤ k ≤ n` and `mean` is positive.
///
/// # Examples
///
/// ```
/// use lessons::quorum::expected_exponential_wait;
/// use lessons::sim::ms;
///
/// let wait = expected_exponential_wait(3, 2, ms(6))?;
/// assert!((wait.as_millis_f64() - 5.0).abs() < 1e-6); // 6 · (1/3 + 1/2)
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn expected_exponential_wait(n: usize, k: usize, mean: Time) -> Result<Time, QuorumError> {
    check_wait(n, k)?;
    if mean <= Time::ZERO {
        return Err(QuorumError::parameter(
            "mean",
            mean,
            "a mean reply time must be positive",
        ));
    }
    let factor: f64 = (n - k + 1..=n).map(|i| 1.0 / i as f64).sum();
    Ok(Time::from_nanos_f64(mean.as_nanos() as f64 * factor))
}

fn check_wait(n: usize, k: usize) -> Result<(), QuorumError> {
    at_least("N", n, 1)?;
    if !(1..=n).contains(&k) {
        return Err(QuorumError::parameter(
            "k",
            k,
            format!("a coordinator waits for 1 to N = {n} replies"),
        ));
    }
    Ok(())
}

/// Latency of waiting for `waited_for` of `n` replies: percentiles over many simulated requests.
///
/// # Examples
///
/// ```
/// use lessons::quorum::quorum_latency_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = quorum_latency_experiment(3, Latency::exponential(ms(6)), 2_000, 1)?;
/// assert_eq!(rows.len(), 3);
/// assert!(rows[0].p50_ms < rows[1].p50_ms && rows[1].p50_ms < rows[2].p50_ms);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyRow {
    /// Replicas asked.
    pub n: usize,
    /// Replies waited for (W for a write, R for a read).
    pub waited_for: usize,
    /// Mean latency, milliseconds.
    pub mean_ms: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
}

/// For each k from 1 to `n`: `requests` simulated requests that each send to `n` replicas, whose
/// replies take independent delays drawn from `latency`, and wait for the k-th reply.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for zero `n` or `requests`, or a bad latency distribution.
///
/// # Examples
///
/// ```
/// use lessons::quorum::quorum_latency_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = quorum_latency_experiment(5, Latency::constant(ms(2)), 10, 1)?;
/// assert!(rows.iter().all(|row| row.p99_ms == 2.0));
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn quorum_latency_experiment(
    n: usize,
    latency: Latency,
    requests: usize,
    seed: u64,
) -> Result<Vec<LatencyRow>, QuorumError> {
    at_least("N", n, 1)?;
    at_least("requests", requests, 1)?;
    latency.validate()?;
    let mut rng = Rng::new(seed);
    let mut waits: Vec<Vec<f64>> = vec![Vec::with_capacity(requests); n];
    for _ in 0..requests {
        let mut replies: Vec<Time> = (0..n).map(|_| latency.sample(&mut rng)).collect();
        replies.sort();
        for (k, reply) in replies.iter().enumerate() {
            waits[k].push(reply.as_millis_f64());
        }
    }
    let mut rows = Vec::new();
    for (k, values) in waits.iter().enumerate() {
        let marks = percentiles(values, &[50.0, 99.0])?;
        rows.push(LatencyRow {
            n,
            waited_for: k + 1,
            mean_ms: values.iter().sum::<f64>() / values.len() as f64,
            p50_ms: marks[0],
            p99_ms: marks[1],
        });
    }
    Ok(rows)
}
