//! A retry storm: many clients fail at the same instant against a server that can take only so
//! many requests per time bucket, and retry on a schedule.

use std::collections::BTreeMap;

use serde::Serialize;

use super::backoff::Backoff;
use super::checks::{positive_time, within};
use crate::sim::{Rng, Scheduler, SimError, Time};
use crate::viz::Figure;

/// The server and clients of a [`retry_storm`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::Storm;
/// use lessons::sim::ms;
///
/// let storm = Storm::new(1_000, 50, ms(10), ms(5), 12)?;
/// assert!(Storm::new(0, 50, ms(10), ms(5), 12).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storm {
    clients: usize,
    capacity: usize,
    bucket: Time,
    round_trip: Time,
    max_attempts: u32,
}

impl Storm {
    /// `clients` clients all send one request at time 0 to a server that serves the first
    /// `capacity` requests arriving in each `bucket` of time and rejects the rest; a rejected
    /// client learns it after `round_trip`, waits its backoff delay and tries again, up to
    /// `max_attempts` attempts in all.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless clients is 1 to 1,000,000, capacity is at least 1,
    /// bucket and round trip are positive and `max_attempts` is 1 to 100.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::Storm;
    /// use lessons::sim::ms;
    ///
    /// assert!(Storm::new(100, 10, ms(10), ms(0), 5).is_err());
    /// ```
    pub fn new(
        clients: usize,
        capacity: usize,
        bucket: Time,
        round_trip: Time,
        max_attempts: u32,
    ) -> Result<Storm, SimError> {
        within("clients", clients, 1, 1_000_000)?;
        within("capacity", capacity, 1, usize::MAX)?;
        positive_time("bucket", bucket)?;
        positive_time("round trip", round_trip)?;
        within("max attempts", max_attempts as usize, 1, 100)?;
        Ok(Storm {
            clients,
            capacity,
            bucket,
            round_trip,
            max_attempts,
        })
    }
}

/// The load on the server in one time bucket of a [`StormRun`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Storm, retry_storm};
/// use lessons::sim::ms;
///
/// let run = retry_storm(Storm::new(100, 10, ms(10), ms(10), 3)?, None, 1)?;
/// assert_eq!((run.buckets[0].attempts, run.buckets[0].served), (100, 10));
/// assert_eq!((run.buckets[1].attempts, run.buckets[1].served), (90, 10));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BucketLoad {
    /// Start of the bucket, milliseconds.
    pub start_ms: f64,
    /// Requests that arrived in the bucket.
    pub attempts: u64,
    /// Requests served in it (at most the capacity).
    pub served: u64,
}

/// What one retry policy did to a [`Storm`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Storm, retry_storm};
/// use lessons::sim::ms;
///
/// let run = retry_storm(Storm::new(100, 10, ms(10), ms(5), 100)?, None, 1)?;
/// assert_eq!(run.policy, "immediate retry");
/// assert_eq!(run.gave_up, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StormRun {
    /// The retry policy's name.
    pub policy: String,
    /// Requests per bucket, from time 0 to the last attempt, empty buckets included.
    pub buckets: Vec<BucketLoad>,
    /// The most requests that arrived in one bucket after the first (the retries' peak).
    pub peak_retry_load: u64,
    /// Requests sent in all, first attempts included.
    pub attempts: u64,
    /// Clients that used up their attempts without being served.
    pub gave_up: u64,
    /// When the last served client was served, milliseconds.
    pub last_served_ms: f64,
    /// How many distinct instants retries were sent at.
    pub distinct_retry_instants: usize,
}

struct Attempt {
    client: usize,
    number: u32,
    previous_delay: Time,
}

/// Runs `storm` with retries after `backoff` (or at once, after just the round trip, for
/// `None`). The seed draws the jitter; each client has its own stream.
///
/// # Errors
///
/// None beyond those [`Storm::new`] and [`Backoff::new`] already checked; the `Result` keeps
/// the signature uniform with the lesson's other experiments.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Backoff, Jitter, Storm, retry_storm};
/// use lessons::sim::ms;
///
/// let storm = Storm::new(1_000, 50, ms(10), ms(5), 12)?;
/// let plain = retry_storm(storm, Some(Backoff::new(ms(10), ms(5_000), Jitter::None)?), 1)?;
/// let full = retry_storm(storm, Some(Backoff::new(ms(10), ms(5_000), Jitter::Full)?), 1)?;
/// assert_eq!(plain.peak_retry_load, 950); // every rejected client again, together
/// assert_eq!((plain.gave_up, full.gave_up), (400, 0)); // waves starve; jitter serves everyone
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn retry_storm(
    storm: Storm,
    backoff: Option<Backoff>,
    seed: u64,
) -> Result<StormRun, SimError> {
    let mut scheduler = Scheduler::new();
    for client in 0..storm.clients {
        let first = Attempt {
            client,
            number: 1,
            previous_delay: backoff.map_or(Time::ZERO, |b| b.ceiling(1)),
        };
        scheduler.schedule(Time::ZERO, first);
    }
    let mut rngs: Vec<Rng> = (0..storm.clients)
        .map(|client| Rng::derive(seed, &[client as u64]))
        .collect();
    let mut load: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    let mut retry_instants = std::collections::BTreeSet::new();
    let (mut attempts, mut gave_up, mut last_served) = (0, 0, Time::ZERO);
    while let Some((now, attempt)) = scheduler.pop() {
        attempts += 1;
        if attempt.number > 1 {
            retry_instants.insert(now);
        }
        let bucket = load
            .entry(now.as_nanos() / storm.bucket.as_nanos())
            .or_default();
        bucket.0 += 1;
        if bucket.1 < storm.capacity as u64 {
            bucket.1 += 1;
            last_served = now;
        } else if attempt.number == storm.max_attempts {
            gave_up += 1;
        } else {
            let delay = backoff.map_or(Time::ZERO, |b| {
                b.delay(
                    attempt.number,
                    attempt.previous_delay,
                    &mut rngs[attempt.client],
                )
            });
            let retry = Attempt {
                client: attempt.client,
                number: attempt.number + 1,
                previous_delay: delay,
            };
            scheduler.schedule(now + storm.round_trip + delay, retry);
        }
    }
    let last_bucket = load.keys().next_back().copied().unwrap_or(0);
    let buckets: Vec<BucketLoad> = (0..=last_bucket)
        .map(|index| {
            let (arrived, served) = load.get(&index).copied().unwrap_or_default();
            BucketLoad {
                start_ms: (storm.bucket * index).as_millis_f64(),
                attempts: arrived,
                served,
            }
        })
        .collect();
    Ok(StormRun {
        policy: backoff.map_or("immediate retry".to_string(), |b| b.jitter().to_string()),
        peak_retry_load: buckets
            .iter()
            .skip(1)
            .map(|b| b.attempts)
            .max()
            .unwrap_or(0),
        buckets,
        attempts,
        gave_up,
        last_served_ms: last_served.as_millis_f64(),
        distinct_retry_instants: retry_instants.len(),
    })
}

/// Requests arriving per bucket over time, one step line per run; the server's capacity is
/// the line `capacity`.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Storm, retry_storm, storm_figure};
/// use lessons::sim::ms;
///
/// let run = retry_storm(Storm::new(100, 10, ms(10), ms(5), 3)?, None, 1)?;
/// assert!(storm_figure(&[run], 10, 200.0).to_svg()?.contains("immediate retry"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn storm_figure(runs: &[StormRun], capacity: usize, until_ms: f64) -> Figure {
    let mut figure = Figure::new("Load on the server after a shared failure at t = 0")
        .x_label("time (ms)")
        .y_label("requests arriving per bucket");
    for run in runs {
        let points = run
            .buckets
            .iter()
            .filter(|b| b.start_ms <= until_ms)
            .map(|b| (b.start_ms, b.attempts as f64));
        figure = figure.step(run.policy.clone(), points);
    }
    figure.line(
        "capacity",
        [(0.0, capacity as f64), (until_ms, capacity as f64)],
    )
}
