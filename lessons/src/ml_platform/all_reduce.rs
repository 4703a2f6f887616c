//! Distributed training traffic: summing gradients with a parameter server or a ring.
//!
//! In data-parallel training every worker computes a gradient of the same size `S`, and every
//! worker needs their element-wise sum before the next step.
//!
//! * A **parameter server** receives every worker's gradient and sends the sum back: each
//!   worker sends and receives `S`, but the server receives and sends `N · S`, and its link is
//!   the bottleneck.
//! * **Ring all-reduce** cuts each gradient into `N` chunks and passes chunks around a ring:
//!   `N − 1` steps in which each worker adds the chunk it receives to its own (reduce-scatter,
//!   after which each worker holds one chunk of the sum), then `N − 1` steps that pass the
//!   finished chunks on (all-gather). Each worker sends `2 (N − 1) / N · S`, less than `2S` for
//!   any `N`, so the bandwidth cost per step stays flat as workers are added; the number of
//!   sequential messages, `2 (N − 1)`, grows, and with it the latency cost.
//!
//! # References
//!
//! * Pitch Patarasuk and Xin Yuan, "Bandwidth optimal all-reduce algorithms for clusters of
//!   workstations", Journal of Parallel and Distributed Computing 69(2), 2009.
//! * Alexander Sergeev and Mike Del Balso, "Horovod: fast and easy distributed deep learning in
//!   TensorFlow", arXiv:1802.05799, 2018 (ring all-reduce in Horovod).

use serde::Serialize;

use crate::sim::SimError;

/// What a ring all-reduce left on each worker and what each one sent.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ring_all_reduce;
///
/// let run = ring_all_reduce(&[vec![1, 2], vec![10, 20]])?;
/// assert_eq!(run.results, [vec![11, 22], vec![11, 22]]);
/// assert_eq!(run.elements_sent, [2, 2]); // 2 (N - 1) / N · S = 2
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllReduceRun {
    /// Each worker's vector at the end.
    pub results: Vec<Vec<i64>>,
    /// How many elements each worker sent.
    pub elements_sent: Vec<usize>,
}

/// Runs ring all-reduce over the workers' `gradients` (integers, so the sum is exact): chunk
/// `c` covers elements `c · S / N .. (c + 1) · S / N`.
///
/// # Errors
///
/// [`SimError::Parameter`] for no workers or gradients of different lengths.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ring_all_reduce;
///
/// let gradients: Vec<Vec<i64>> = (0..4).map(|w| vec![w; 8]).collect();
/// let run = ring_all_reduce(&gradients)?;
/// assert!(run.results.iter().all(|result| result == &vec![6; 8]));
/// assert_eq!(run.elements_sent, [12; 4]); // 2 · 3/4 · 8
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ring_all_reduce(gradients: &[Vec<i64>]) -> Result<AllReduceRun, SimError> {
    let workers = gradients.len();
    if workers == 0 {
        return Err(SimError::parameter(
            "workers",
            0,
            "an all-reduce needs at least one worker",
        ));
    }
    let size = gradients[0].len();
    if let Some(other) = gradients.iter().find(|gradient| gradient.len() != size) {
        return Err(SimError::parameter(
            "gradient length",
            other.len(),
            format!("every worker's gradient must have the first one's length, {size}"),
        ));
    }
    let chunk = |c: usize| c * size / workers..(c + 1) * size / workers;
    let mut results = gradients.to_vec();
    let mut elements_sent = vec![0; workers];
    // Reduce-scatter, then all-gather: at step t worker w sends chunk (w - t) mod N (and, in
    // the second phase, (w + 1 - t) mod N) to worker w + 1. Messages of one step are sent
    // before any is received, so each step reads a snapshot.
    for phase in 0..2 {
        for step in 0..workers - 1 {
            let snapshot = results.clone();
            for (sender, sent) in elements_sent.iter_mut().enumerate() {
                let c = (sender + workers * 2 + phase - step) % workers;
                let receiver = (sender + 1) % workers;
                for index in chunk(c) {
                    let value = snapshot[sender][index];
                    results[receiver][index] = if phase == 0 {
                        results[receiver][index] + value
                    } else {
                        value
                    };
                }
                *sent += chunk(c).len();
            }
        }
    }
    Ok(AllReduceRun {
        results,
        elements_sent,
    })
}

/// Time per training step of one gradient exchange, for both schemes.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::all_reduce_rows;
///
/// let rows = all_reduce_rows(&[2, 64], 100e6, 10e9 / 8.0, 10e-6)?;
/// assert!(rows[1].ring_seconds < rows[1].server_seconds);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AllReduceRow {
    /// Workers.
    pub workers: usize,
    /// Bytes each worker sends in the ring: `2 (N − 1) / N · S`.
    pub ring_bytes_per_worker: f64,
    /// Bytes the parameter server receives and sends: `2 N S`.
    pub server_bytes: f64,
    /// Ring time: `2 (N − 1)` messages of `S / N` bytes, one after another (to the
    /// microsecond).
    pub ring_seconds: f64,
    /// Parameter-server time: `N S` bytes in, then (the sum is ready only when every gradient
    /// is in) `N S` out over the server's link, plus two message latencies (to the
    /// microsecond).
    pub server_seconds: f64,
}

/// The traffic and time of one exchange of a gradient of `gradient_bytes` over links of
/// `bandwidth` bytes per second with `latency` seconds per message, for each worker count.
/// Every link runs at the same speed in both directions at once.
///
/// # Errors
///
/// [`SimError::Parameter`] for a worker count below 2 or above 100,000, or a size, bandwidth or
/// latency that is not a positive number (latency may be 0).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::all_reduce_rows;
///
/// let rows = all_reduce_rows(&[4], 100.0, 1.0, 0.0)?;
/// assert_eq!((rows[0].ring_bytes_per_worker, rows[0].server_bytes), (150.0, 800.0));
/// assert_eq!((rows[0].ring_seconds, rows[0].server_seconds), (150.0, 800.0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn all_reduce_rows(
    workers: &[usize],
    gradient_bytes: f64,
    bandwidth: f64,
    latency: f64,
) -> Result<Vec<AllReduceRow>, SimError> {
    if !(gradient_bytes > 0.0
        && bandwidth > 0.0
        && gradient_bytes.is_finite()
        && bandwidth.is_finite())
    {
        return Err(SimError::parameter(
            "gradient size or bandwidth",
            format!("{gradient_bytes} and {bandwidth}"),
            "both must be positive numbers",
        ));
    }
    if !(latency >= 0.0 && latency.is_finite()) {
        return Err(SimError::parameter(
            "latency",
            latency,
            "a latency is a number of seconds, 0 or more",
        ));
    }
    workers
        .iter()
        .map(|&n| {
            if !(2..=100_000).contains(&n) {
                return Err(SimError::parameter(
                    "workers",
                    n,
                    "from 2 to 100,000 workers",
                ));
            }
            let count = n as f64;
            let messages = 2.0 * (count - 1.0);
            Ok(AllReduceRow {
                workers: n,
                ring_bytes_per_worker: messages / count * gradient_bytes,
                server_bytes: 2.0 * count * gradient_bytes,
                ring_seconds: to_microseconds(
                    messages * (latency + gradient_bytes / count / bandwidth),
                ),
                server_seconds: to_microseconds(
                    2.0 * (latency + count * gradient_bytes / bandwidth),
                ),
            })
        })
        .collect()
}

fn to_microseconds(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e6
}
