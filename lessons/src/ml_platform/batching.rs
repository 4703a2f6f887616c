//! A micro-batching inference server on virtual time: requests queue, and the server runs them
//! through the model in batches.
//!
//! A batch costs a fixed `setup` (moving weights, launching the kernel) plus `per_request` for
//! each request in it, so batching amortizes the setup: the server's capacity with batches of
//! `B` is `B / (setup + B · per_request)`, growing with `B` towards `1 / per_request`. The price
//! is waiting: when the server is free it closes a batch as soon as `B` requests are queued or
//! the oldest has waited `max_wait`, whichever comes first. This is the policy of NVIDIA
//! Triton's dynamic batcher (`max_queue_delay_microseconds`) and of TorchServe's
//! `batch_size` / `max_batch_delay`.
//!
//! It is the queue of lesson 13 with a service time that depends on the batch: below capacity
//! the latency is mostly the wait for the batch; above it the queue grows without bound.
//!
//! # References
//!
//! * Daniel Crankshaw et al., "Clipper: A Low-Latency Online Prediction Serving System", NSDI
//!   2017, section 4.3 (adaptive batching).

use serde::Serialize;

use super::rounded;
use crate::sim::{Rng, SimError, Time, percentiles, secs};

/// The server and its load.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::BatchingParameters;
///
/// let server = BatchingParameters::default();
/// assert_eq!(format!("{:.0}", server.capacity_per_second(16)), "1231");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchingParameters {
    /// Requests per second (Poisson arrivals).
    pub arrival_rate: f64,
    /// The largest batch.
    pub max_batch: usize,
    /// The longest the oldest request waits for its batch to fill, once the server is free.
    pub max_wait: Time,
    /// The fixed cost of running one batch.
    pub setup: Time,
    /// The cost of each request in a batch.
    pub per_request: Time,
    /// How long requests arrive (the queue is then served to empty).
    pub duration: Time,
}

impl Default for BatchingParameters {
    fn default() -> Self {
        BatchingParameters {
            arrival_rate: 1_000.0,
            max_batch: 16,
            max_wait: crate::sim::ms(50),
            setup: crate::sim::ms(5),
            per_request: crate::sim::us(500),
            duration: secs(10),
        }
    }
}

impl BatchingParameters {
    /// Requests per second the server completes when every batch holds `batch` requests.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::BatchingParameters;
    ///
    /// let server = BatchingParameters::default(); // 5 ms + 0.5 ms per request
    /// assert_eq!(format!("{:.1}", server.capacity_per_second(1)), "181.8");
    /// ```
    pub fn capacity_per_second(&self, batch: usize) -> f64 {
        let busy = self.setup + self.per_request * batch as i64;
        batch as f64 / busy.as_secs_f64()
    }
}

/// One batch the server ran.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, serve_in_batches};
/// use lessons::sim::ms;
///
/// let batches = serve_in_batches(&[ms(0), ms(1)], &BatchingParameters::default())?;
/// assert_eq!((batches[0].first, batches[0].size), (0, 2));
/// assert_eq!(batches[0].closed, ms(50)); // the oldest waited max_wait
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Batch {
    /// The index of its first request (requests are served in arrival order).
    pub first: usize,
    /// How many requests it holds.
    pub size: usize,
    /// When the server closed it and started running it.
    pub closed: Time,
    /// When its results came back.
    pub done: Time,
}

fn check_batching(parameters: &BatchingParameters) -> Result<(), SimError> {
    if !(parameters.arrival_rate > 0.0 && parameters.arrival_rate <= 1e6) {
        return Err(SimError::parameter(
            "arrival rate",
            parameters.arrival_rate,
            "from above 0 to 1,000,000 requests per second",
        ));
    }
    if !(1..=10_000).contains(&parameters.max_batch) {
        return Err(SimError::parameter(
            "max batch",
            parameters.max_batch,
            "from 1 to 10,000 requests",
        ));
    }
    let times = [
        parameters.max_wait,
        parameters.setup,
        parameters.per_request,
    ];
    if times.iter().any(|&time| time < Time::ZERO)
        || parameters.setup + parameters.per_request <= Time::ZERO
    {
        return Err(SimError::parameter(
            "wait or cost",
            format!(
                "wait {}, setup {}, per request {}",
                parameters.max_wait, parameters.setup, parameters.per_request
            ),
            "times are not negative and a batch costs some time",
        ));
    }
    if parameters.duration <= Time::ZERO
        || parameters.duration.as_secs_f64() * parameters.arrival_rate > 1e6
    {
        return Err(SimError::parameter(
            "duration",
            parameters.duration,
            "positive, with at most 1,000,000 arrivals",
        ));
    }
    Ok(())
}

/// Serves requests arriving at `arrivals` (in order) with the batching policy of `parameters`
/// (its `arrival_rate` and `duration` are not used).
///
/// # Errors
///
/// [`SimError::Parameter`] for arrivals out of order or invalid parameters (see
/// [`batching_run`]).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, serve_in_batches};
/// use lessons::sim::ms;
///
/// let server = BatchingParameters { max_batch: 2, ..BatchingParameters::default() };
/// let batches = serve_in_batches(&[ms(0), ms(1), ms(2)], &server)?;
/// assert_eq!(batches.len(), 2);
/// assert_eq!((batches[0].closed, batches[0].done), (ms(1), ms(7))); // full at 1 ms, 5 + 2 × 0.5 ms
/// assert_eq!(batches[1].closed, ms(52)); // the server was busy; then it waited 50 ms from 2 ms
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn serve_in_batches(
    arrivals: &[Time],
    parameters: &BatchingParameters,
) -> Result<Vec<Batch>, SimError> {
    check_batching(parameters)?;
    if arrivals.windows(2).any(|pair| pair[1] < pair[0]) {
        return Err(SimError::parameter(
            "arrivals",
            "out of order",
            "arrival times in order",
        ));
    }
    let mut batches = Vec::new();
    let (mut next, mut free_at) = (0, Time::ZERO);
    while next < arrivals.len() {
        let ready = free_at.max(arrivals[next]);
        let full_at = arrivals.get(next + parameters.max_batch - 1).copied();
        let timeout = arrivals[next] + parameters.max_wait;
        let closed = ready.max(full_at.map_or(timeout, |full| full.min(timeout)));
        let waiting = arrivals[next..].partition_point(|&arrival| arrival <= closed);
        let size = waiting.min(parameters.max_batch);
        let done = closed + parameters.setup + parameters.per_request * size as i64;
        batches.push(Batch {
            first: next,
            size,
            closed,
            done,
        });
        next += size;
        free_at = done;
    }
    Ok(batches)
}

/// What one run of the server measured, for one largest batch size (to 1 decimal).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, batching_run};
///
/// let row = batching_run(&BatchingParameters::default(), 1)?;
/// assert!(row.p99_ms > row.p50_ms);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchingRow {
    /// The largest batch.
    pub max_batch: usize,
    /// Requests completed per second while requests were arriving.
    pub throughput_per_second: f64,
    /// The server's capacity at this batch size.
    pub capacity_per_second: f64,
    /// The mean batch size.
    pub mean_batch: f64,
    /// The median latency (arrival to result), in milliseconds.
    pub p50_ms: f64,
    /// The 99th-percentile latency, in milliseconds.
    pub p99_ms: f64,
}

/// One run: Poisson arrivals for `duration`, served to empty.
///
/// # Errors
///
/// [`SimError::Parameter`] for an arrival rate outside (0, 1,000,000], a max batch outside
/// 1..=10,000, negative times, a batch that costs nothing, or a duration that is not positive
/// or brings over 1,000,000 requests.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, batching_run};
///
/// let one_at_a_time = BatchingParameters { max_batch: 1, ..BatchingParameters::default() };
/// let row = batching_run(&one_at_a_time, 1)?; // capacity 182 per second, 1,000 offered
/// assert!((row.throughput_per_second - 181.8).abs() < 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn batching_run(parameters: &BatchingParameters, seed: u64) -> Result<BatchingRow, SimError> {
    check_batching(parameters)?;
    let mut rng = Rng::new(seed);
    let mean_gap = 1e9 / parameters.arrival_rate;
    let mut arrivals = Vec::new();
    let mut clock = Time::from_nanos_f64(rng.exponential() * mean_gap);
    while clock < parameters.duration {
        arrivals.push(clock);
        clock += Time::from_nanos_f64(rng.exponential() * mean_gap);
    }
    if arrivals.is_empty() {
        return Err(SimError::NoValues {
            what: "batching arrivals",
        });
    }
    let batches = serve_in_batches(&arrivals, parameters)?;
    let mut latencies = Vec::with_capacity(arrivals.len());
    let mut completed_in_window = 0;
    for batch in &batches {
        for &arrival in &arrivals[batch.first..batch.first + batch.size] {
            latencies.push((batch.done - arrival).as_secs_f64() * 1e3);
        }
        if batch.done <= parameters.duration {
            completed_in_window += batch.size;
        }
    }
    let tail = percentiles(&latencies, &[50.0, 99.0])?;
    Ok(BatchingRow {
        max_batch: parameters.max_batch,
        throughput_per_second: completed_in_window as f64 / parameters.duration.as_secs_f64(),
        capacity_per_second: rounded(parameters.capacity_per_second(parameters.max_batch), 1),
        mean_batch: rounded(arrivals.len() as f64 / batches.len() as f64, 1),
        p50_ms: rounded(tail[0], 1),
        p99_ms: rounded(tail[1], 1),
    })
}

/// [`batching_run`] for each largest batch size in `max_batches`, on the same arrivals.
///
/// # Errors
///
/// As [`batching_run`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, batching_experiment};
///
/// let rows = batching_experiment(&BatchingParameters::default(), &[1, 16], 1)?;
/// assert!(rows[1].throughput_per_second > 4.0 * rows[0].throughput_per_second);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn batching_experiment(
    parameters: &BatchingParameters,
    max_batches: &[usize],
    seed: u64,
) -> Result<Vec<BatchingRow>, SimError> {
    max_batches
        .iter()
        .map(|&max_batch| {
            batching_run(
                &BatchingParameters {
                    max_batch,
                    ..*parameters
                },
                seed,
            )
        })
        .collect()
}
