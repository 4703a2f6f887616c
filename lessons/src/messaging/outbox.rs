//! The outbox relay on virtual time: it polls the outbox table, publishes every unmarked row to
//! the row's partition, then marks the batch; a crash between publishing and marking publishes
//! the same rows again.

use std::collections::BTreeSet;

use serde::Serialize;

use super::params::{at_least, at_most, positive_time, probability};
use crate::sim::{Latency, Rng, SimError, Time, percentile};

/// The setting of one relay run.
///
/// # Examples
///
/// ```
/// use lessons::messaging::RelaySetup;
/// use lessons::sim::ms;
///
/// let setup = RelaySetup::new(1_000, ms(1_000))?;
/// assert_eq!((setup.partitions, setup.crash), (3, 0.0));
/// assert!(RelaySetup::new(1_000, ms(0)).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelaySetup {
    /// Orders committed, one outbox row each.
    pub orders: usize,
    /// The time between two commits.
    pub commit_gap: Latency,
    /// How often the relay polls the outbox.
    pub poll_interval: Time,
    /// How long one publish takes.
    pub publish_time: Time,
    /// The probability that the relay crashes during a batch, after publishing some of its rows
    /// and before marking any: below 1, so the relay eventually gets through.
    pub crash: f64,
    /// How long the relay is down after a crash.
    pub restart_after: Time,
    /// Partitions of the topic; an order's key picks its partition.
    pub partitions: usize,
    /// Distinct order keys (customers, accounts).
    pub keys: usize,
    /// The delay from a publish to the consumer reading it (each partition in order).
    pub consumer_delay: Latency,
}

impl RelaySetup {
    /// `orders` orders committed about every 20 ms (exponential gaps), a relay polling every
    /// `poll_interval`, 1 ms per publish, no crashes, 3 partitions, 20 keys, a consumer delay
    /// of 5 to 50 ms.
    ///
    /// # Errors
    ///
    /// [`SimError`] for no orders, more than 100,000, or a poll interval not above zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::RelaySetup;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(RelaySetup::new(10, ms(100))?.poll_interval, ms(100));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(orders: usize, poll_interval: Time) -> Result<RelaySetup, SimError> {
        let setup = RelaySetup {
            orders,
            commit_gap: Latency::exponential(crate::sim::ms(20)),
            poll_interval,
            publish_time: crate::sim::ms(1),
            crash: 0.0,
            restart_after: crate::sim::secs(2),
            partitions: 3,
            keys: 20,
            consumer_delay: Latency::uniform(crate::sim::ms(5), crate::sim::ms(50)),
        };
        setup.validate()?;
        Ok(setup)
    }

    /// The setup with crash probability `crash` per batch.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::RelaySetup;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(RelaySetup::new(10, ms(100))?.crash(0.2).crash, 0.2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn crash(mut self, crash: f64) -> RelaySetup {
        self.crash = crash;
        self
    }

    /// Checks every field.
    ///
    /// # Errors
    ///
    /// [`SimError`] naming the first field out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::RelaySetup;
    /// use lessons::sim::ms;
    ///
    /// let error = RelaySetup::new(10, ms(100))?.crash(1.0).validate().unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "relay crash probability 1 is not allowed; below 1, or the relay never marks a batch"
    /// );
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        at_least("orders", self.orders, 1)?;
        at_most("orders", self.orders, 100_000)?;
        self.commit_gap.validate()?;
        self.consumer_delay.validate()?;
        positive_time("poll interval", self.poll_interval)?;
        positive_time("publish time", self.publish_time)?;
        positive_time("restart time", self.restart_after)?;
        at_least("partitions", self.partitions, 1)?;
        at_least("keys", self.keys, 1)?;
        if probability("relay crash", self.crash)? >= 1.0 {
            return Err(SimError::parameter(
                "relay crash probability",
                self.crash,
                "below 1, or the relay never marks a batch",
            ));
        }
        Ok(())
    }
}

/// One copy of an event on the broker.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, relay_run};
/// use lessons::sim::ms;
///
/// let run = relay_run(&RelaySetup::new(5, ms(100))?, 1)?;
/// let first = &run.published[0];
/// assert_eq!(first.event, 0);
/// assert!(first.published_at > first.committed_at);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Published {
    /// The event id: the order's place in commit order.
    pub event: usize,
    /// The order's key.
    pub key: usize,
    /// The partition the key maps to.
    pub partition: usize,
    /// When the order committed.
    pub committed_at: Time,
    /// When this copy was published.
    pub published_at: Time,
    /// When the consumer reads this copy.
    pub consumed_at: Time,
}

/// A relay run: every copy published, in publish order, and the crashes.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, relay_run};
/// use lessons::sim::ms;
///
/// let run = relay_run(&RelaySetup::new(200, ms(100))?.crash(0.3), 2)?;
/// assert!(run.crashes > 0);
/// assert_eq!(run.published.len(), 200 + run.published_before_crash);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelayRun {
    /// Every copy, in the order the relay published them.
    pub published: Vec<Published>,
    /// Relay crashes.
    pub crashes: usize,
    /// Rows published by a batch that then crashed before marking: each is published again.
    pub published_before_crash: usize,
    /// Polls of the outbox table.
    pub polls: usize,
    /// When the last row was marked.
    pub finished_at: Time,
}

/// Runs the relay until every row is marked.
///
/// # Errors
///
/// [`SimError`] for an invalid setup.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, relay_run};
/// use lessons::sim::ms;
///
/// let run = relay_run(&RelaySetup::new(100, ms(50))?, 1)?;
/// assert_eq!(run.published.len(), 100); // no crash, no duplicate
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn relay_run(setup: &RelaySetup, seed: u64) -> Result<RelayRun, SimError> {
    setup.validate()?;
    let mut rng = Rng::derive(seed, &[0]);
    let mut commits = Vec::with_capacity(setup.orders);
    let mut now = Time::ZERO;
    for _ in 0..setup.orders {
        now += setup.commit_gap.sample(&mut rng);
        commits.push((now, rng.below(setup.keys as u64) as usize));
    }
    let mut crash_rng = Rng::derive(seed, &[1]);
    let mut consumer_rng = Rng::derive(seed, &[2]);
    let mut last_read = vec![Time::ZERO; setup.partitions];
    let mut run = RelayRun {
        published: Vec::new(),
        crashes: 0,
        published_before_crash: 0,
        polls: 0,
        finished_at: Time::ZERO,
    };
    let mut marked = 0; // rows are marked in commit order, so a prefix is marked
    let mut poll_at = setup.poll_interval;
    while marked < setup.orders {
        run.polls += 1;
        let batch_end = commits.partition_point(|&(at, _)| at <= poll_at);
        let batch = marked..batch_end;
        let cut = if !batch.is_empty() && crash_rng.chance(setup.crash) {
            Some(1 + crash_rng.below(batch.len() as u64) as usize)
        } else {
            None
        };
        let mut clock = poll_at;
        for event in batch.clone().take(cut.unwrap_or(batch.len())) {
            clock += setup.publish_time;
            let (committed_at, key) = commits[event];
            let partition = key % setup.partitions;
            // A partition is read in order: a copy is read no earlier than the one before it.
            let read =
                (clock + setup.consumer_delay.sample(&mut consumer_rng)).max(last_read[partition]);
            last_read[partition] = read;
            run.published.push(Published {
                event,
                key,
                partition,
                committed_at,
                published_at: clock,
                consumed_at: read,
            });
        }
        match cut {
            Some(published) => {
                run.crashes += 1;
                run.published_before_crash += published;
                poll_at = clock + setup.restart_after;
            }
            None => {
                marked = batch_end;
                run.finished_at = clock;
                poll_at = (poll_at + setup.poll_interval).max(clock);
            }
        }
    }
    Ok(run)
}

/// What a relay run looks like from the consumer: duplicates, latency, and order.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, relay_row, relay_run};
/// use lessons::sim::ms;
///
/// let setup = RelaySetup::new(1_000, ms(100))?;
/// let row = relay_row(&setup, &relay_run(&setup, 1)?)?;
/// assert_eq!((row.duplicates, row.per_key_reordered_after_dedupe), (0, 0));
/// assert!(row.globally_reordered > 0); // three partitions read at their own pace
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelayRow {
    /// The poll interval in milliseconds.
    pub poll_interval_ms: f64,
    /// The relay's crash probability per batch.
    pub crash: f64,
    /// Relay crashes.
    pub crashes: usize,
    /// Distinct events published.
    pub events: usize,
    /// Copies beyond the first of each event.
    pub duplicates: usize,
    /// Mean time from commit to first publish, in milliseconds (to 0.1 ms).
    pub mean_latency_ms: f64,
    /// 99th percentile of that time (to 0.1 ms).
    pub p99_latency_ms: f64,
    /// Outbox polls per second of the run (to 0.01).
    pub polls_per_second: f64,
    /// Events the consumer reads after an event committed later (across all partitions).
    pub globally_reordered: usize,
    /// Copies read after a later event of the same key, before deduplication.
    pub per_key_reordered: usize,
    /// The same after the consumer drops event ids it has seen.
    pub per_key_reordered_after_dedupe: usize,
}

/// The consumer's view of `run`.
///
/// # Errors
///
/// [`SimError::NoValues`] if nothing was published (a setup always publishes something).
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, relay_row, relay_run};
/// use lessons::sim::ms;
///
/// let setup = RelaySetup::new(2_000, ms(1_000))?;
/// let row = relay_row(&setup, &relay_run(&setup, 1)?)?;
/// assert!((row.mean_latency_ms - 500.0).abs() < 50.0); // half a poll interval
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn relay_row(setup: &RelaySetup, run: &RelayRun) -> Result<RelayRow, SimError> {
    let mut first_publish = vec![None; setup.orders];
    for copy in &run.published {
        first_publish[copy.event].get_or_insert(copy.published_at - copy.committed_at);
    }
    let latencies: Vec<f64> = first_publish
        .iter()
        .flatten()
        .map(|latency: &Time| latency.as_millis_f64())
        .collect();
    let p99 = percentile(&latencies, 99.0)?;
    let mut reading = run.published.clone();
    reading.sort_by_key(|copy| (copy.consumed_at, copy.published_at));
    let mut newest_seen = None;
    let mut newest_per_key = vec![None; setup.keys];
    let mut seen = BTreeSet::new();
    let (mut global, mut per_key, mut per_key_deduped) = (0, 0, 0);
    for copy in &reading {
        let first_copy = seen.insert(copy.event);
        let late_for_key = newest_per_key[copy.key].is_some_and(|newest| newest >= copy.event);
        per_key += usize::from(late_for_key);
        if first_copy {
            per_key_deduped += usize::from(late_for_key);
            global += usize::from(newest_seen.is_some_and(|newest| newest > copy.event));
            newest_seen = newest_seen.max(Some(copy.event));
        }
        newest_per_key[copy.key] = newest_per_key[copy.key].max(Some(copy.event));
    }
    let seconds = run.finished_at.as_secs_f64().max(1e-9);
    Ok(RelayRow {
        poll_interval_ms: setup.poll_interval.as_millis_f64(),
        crash: setup.crash,
        crashes: run.crashes,
        events: seen.len(),
        duplicates: run.published.len() - seen.len(),
        mean_latency_ms: rounded(latencies.iter().sum::<f64>() / latencies.len() as f64, 10.0),
        p99_latency_ms: rounded(p99, 10.0),
        polls_per_second: rounded(run.polls as f64 / seconds, 100.0),
        globally_reordered: global,
        per_key_reordered: per_key,
        per_key_reordered_after_dedupe: per_key_deduped,
    })
}

/// `value` rounded to `1 / steps`, for a table that reads at a glance.
fn rounded(value: f64, steps: f64) -> f64 {
    (value * steps).round() / steps
}

/// One row per poll interval, each from its own relay run with the same commits.
///
/// # Errors
///
/// [`SimError`] for an invalid setup or poll interval.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, poll_interval_experiment};
/// use lessons::sim::ms;
///
/// let setup = RelaySetup::new(500, ms(100))?;
/// let rows = poll_interval_experiment(&setup, &[ms(10), ms(1_000)], 1)?;
/// assert!(rows[0].mean_latency_ms < rows[1].mean_latency_ms);
/// assert!(rows[0].polls_per_second > rows[1].polls_per_second);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn poll_interval_experiment(
    setup: &RelaySetup,
    poll_intervals: &[Time],
    seed: u64,
) -> Result<Vec<RelayRow>, SimError> {
    poll_intervals
        .iter()
        .map(|&poll_interval| {
            let setup = RelaySetup {
                poll_interval,
                ..setup.clone()
            };
            relay_row(&setup, &relay_run(&setup, seed)?)
        })
        .collect()
}
