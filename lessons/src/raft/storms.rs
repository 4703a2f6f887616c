//! Election storms: when heartbeats are late often enough, followers give up on a live leader,
//! elect another, and writes stall while they do. No failure is needed, only slowness, which
//! is why a consensus protocol can promise safety always but progress only when the network
//! is timely (Fischer, Lynch and Paterson, JACM 1985).

use serde::Serialize;

use super::client::Workload;
use super::cluster::RaftCluster;
use super::node::Config;
use super::server::Timing;
use crate::sim::{Latency, Link, Rng, SimError, Time, ms, percentile};

/// One run with slow links.
///
/// # Examples
///
/// ```
/// use lessons::raft::storm_run;
/// use lessons::sim::ms;
///
/// let calm = storm_run(ms(2), 10, 1)?;
/// assert_eq!(calm.leader_changes_per_minute, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StormRow {
    /// The median one-way delay, in ms.
    pub median_delay_ms: f64,
    /// The 99th percentile of the delay distribution, in ms.
    pub p99_delay_ms: f64,
    /// p99 delay over the shortest election timeout (150 ms).
    pub p99_over_timeout: f64,
    /// Leaders elected after the first, per minute.
    pub leader_changes_per_minute: f64,
    /// Share of writes answered within 1 s.
    pub writes_within_1s: f64,
    /// Safety violations seen.
    pub violations: usize,
}

/// Five servers with the paper's timing (timeouts 150 to 300 ms, heartbeat 50 ms) over links
/// whose one-way delay is log-normal with median `median` and spread σ = 1, for `seconds` of
/// virtual time, a client writing every 20 ms.
///
/// # Errors
///
/// A non-positive median or duration.
///
/// # Examples
///
/// ```
/// use lessons::raft::storm_run;
/// use lessons::sim::ms;
///
/// assert!(storm_run(ms(0), 10, 1).is_err());
/// ```
pub fn storm_run(median: Time, seconds: u32, seed: u64) -> Result<StormRow, SimError> {
    if median <= Time::ZERO || seconds == 0 {
        return Err(SimError::parameter(
            "median delay and duration",
            format!("{median} and {seconds} s"),
            "both more than zero",
        ));
    }
    let latency = Latency::log_normal(median, 1.0);
    latency.validate()?;
    let mut rng = Rng::derive(seed, &[0x57]);
    let samples: Vec<f64> = (0..20_000)
        .map(|_| latency.sample(&mut rng).as_millis_f64())
        .collect();
    let p99 = percentile(&samples, 99.0)?;
    let timing = Timing::paper();
    let mut cluster = RaftCluster::new(seed, Config::new(5)?, timing)?;
    cluster.set_links(Link::new().latency(latency).fifo(false))?;
    let client = cluster.add_client(Workload::new(u32::MAX, ms(20), ms(200), 0.0)?)?;
    let end = ms(1_000 * i64::from(seconds));
    cluster.run_until(end)?;
    let monitor = cluster.monitor();
    let changes = monitor.elections().len().saturating_sub(1) as f64;
    let records = cluster.client(client).map_or(&[][..], |c| c.records());
    let quick = records
        .iter()
        .filter(|r| {
            r.answered_at
                .is_some_and(|at| at - r.invoked_at <= ms(1_000))
        })
        .count();
    Ok(StormRow {
        median_delay_ms: median.as_millis_f64(),
        p99_delay_ms: p99,
        p99_over_timeout: p99 / timing.election_timeout.as_millis_f64(),
        leader_changes_per_minute: changes * 60.0 / f64::from(seconds),
        writes_within_1s: quick as f64 / records.len().max(1) as f64,
        violations: monitor.violations().len(),
    })
}

/// [`storm_run`] for each median delay.
///
/// # Errors
///
/// As [`storm_run`].
///
/// # Examples
///
/// ```
/// use lessons::raft::storm_experiment;
/// use lessons::sim::ms;
///
/// assert_eq!(storm_experiment(&[ms(1), ms(2)], 5, 1)?.len(), 2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn storm_experiment(
    medians: &[Time],
    seconds: u32,
    seed: u64,
) -> Result<Vec<StormRow>, SimError> {
    medians
        .iter()
        .map(|&median| storm_run(median, seconds, seed))
        .collect()
}
