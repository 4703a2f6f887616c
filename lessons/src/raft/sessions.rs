//! Client retries: a leader that crashes after committing a write but before answering leaves
//! the client to retry, and without sessions the write is applied twice.

use std::collections::BTreeSet;

use serde::Serialize;

use super::client::Workload;
use super::cluster::RaftCluster;
use super::node::Config;
use super::server::Timing;
use crate::sim::{Latency, Link, Rng, SimError, Time, crash, ms};

/// One run with crashes: duplicate applications with or without sessions.
///
/// # Examples
///
/// ```
/// use lessons::raft::dedupe_trial;
///
/// let with = dedupe_trial(true, 2.0, 1)?;
/// assert_eq!(with.repeated_applications, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DedupeRow {
    /// Whether client sessions were on.
    pub sessions: bool,
    /// Server crashes per second of the run.
    pub crashes_per_second: f64,
    /// The run's seed.
    pub seed: u64,
    /// Writes the clients made.
    pub writes: usize,
    /// Retries sent (attempts beyond the first).
    pub retries: u32,
    /// Commands committed at two or more log indexes (a retry appended again): happens with
    /// and without sessions, since the leader cannot always tell a retry from a new request.
    pub committed_twice: usize,
    /// Applications of a command a state machine had already applied (summed over servers
    /// and restarts): what sessions prevent.
    pub repeated_applications: u64,
}

/// Three servers (one-way delays of 2 to 10 ms) and four clients writing for 5 s, retrying
/// after 100 ms without an answer; crashes at
/// `crashes_per_second` (Poisson), each server back 200 ms later.
///
/// # Errors
///
/// A negative crash rate.
///
/// # Examples
///
/// ```
/// use lessons::raft::dedupe_trial;
///
/// assert!(dedupe_trial(false, -1.0, 1).is_err());
/// ```
pub fn dedupe_trial(
    sessions: bool,
    crashes_per_second: f64,
    seed: u64,
) -> Result<DedupeRow, SimError> {
    if crashes_per_second.is_nan() || crashes_per_second < 0.0 {
        return Err(SimError::parameter(
            "crash rate",
            crashes_per_second,
            "zero or more per second",
        ));
    }
    let config = Config::new(3)?.sessions(sessions);
    let mut cluster = RaftCluster::new(seed, config, Timing::paper())?;
    cluster.set_links(Link::new().latency(Latency::uniform(ms(2), ms(10))))?;
    let workload = Workload::new(10_000, ms(10), ms(100), 0.0)?;
    for _ in 0..4 {
        cluster.add_client(workload)?;
    }
    let end = ms(5_000);
    let mut rng = Rng::derive(seed, &[0xDE]);
    let mut at = ms(500);
    let mut busy_until = [Time::ZERO; 3];
    // Crash times form a Poisson process: exponential gaps with mean 1 / rate.
    while crashes_per_second > 0.0 && at < end {
        at += Time::from_nanos_f64(rng.exponential() / crashes_per_second * 1e9);
        if at >= end - ms(500) {
            break;
        }
        let server = rng.below(3) as usize;
        if at > busy_until[server] {
            cluster.add_fault(crash(server).at(at).restart_at(at + ms(200)))?;
            busy_until[server] = at + ms(200);
        }
    }
    cluster.run_until(end)?;
    let requests = cluster.requests();
    let mut seen = BTreeSet::new();
    let committed_twice = cluster
        .monitor()
        .committed()
        .values()
        .filter_map(|entry| entry.command)
        .filter(|command| !seen.insert((command.client, command.sequence)))
        .count();
    Ok(DedupeRow {
        sessions,
        crashes_per_second,
        seed,
        writes: requests.len(),
        retries: requests.iter().map(|r| r.attempts.saturating_sub(1)).sum(),
        committed_twice,
        repeated_applications: cluster.monitor().repeated_applications(),
    })
}

/// [`dedupe_trial`] with and without sessions at every rate in `rates`, seeds `seed` to
/// `seed + seeds - 1`.
///
/// # Errors
///
/// As [`dedupe_trial`].
///
/// # Examples
///
/// ```
/// use lessons::raft::dedupe_experiment;
///
/// assert_eq!(dedupe_experiment(&[0.0, 1.0], 2, 1)?.len(), 8);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn dedupe_experiment(rates: &[f64], seeds: u64, seed: u64) -> Result<Vec<DedupeRow>, SimError> {
    let mut rows = Vec::new();
    for sessions in [false, true] {
        for &rate in rates {
            for offset in 0..seeds {
                rows.push(dedupe_trial(sessions, rate, seed + offset)?);
            }
        }
    }
    Ok(rows)
}

/// The runs of one (sessions, crash rate) pair of [`dedupe_experiment`], summed up.
///
/// # Examples
///
/// ```
/// use lessons::raft::{dedupe_experiment, dedupe_summary};
///
/// let summary = dedupe_summary(&dedupe_experiment(&[1.0], 2, 1)?);
/// assert_eq!((summary.len(), summary[0].runs), (2, 2));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DedupeSummary {
    /// Whether client sessions were on.
    pub sessions: bool,
    /// Server crashes per second.
    pub crashes_per_second: f64,
    /// Runs summed.
    pub runs: usize,
    /// Retries sent, all runs together.
    pub retries: u32,
    /// Commands committed at two indexes, all runs together.
    pub committed_twice: usize,
    /// Repeated applications, all runs together.
    pub applied_twice: u64,
}

/// Sums [`dedupe_experiment`]'s rows per (sessions, crash rate), in the order first seen.
///
/// # Examples
///
/// ```
/// use lessons::raft::dedupe_summary;
///
/// assert!(dedupe_summary(&[]).is_empty());
/// ```
pub fn dedupe_summary(rows: &[DedupeRow]) -> Vec<DedupeSummary> {
    let mut summary: Vec<DedupeSummary> = Vec::new();
    for row in rows {
        let same = |s: &&mut DedupeSummary| {
            s.sessions == row.sessions && s.crashes_per_second == row.crashes_per_second
        };
        match summary.iter_mut().find(same) {
            Some(total) => {
                total.runs += 1;
                total.retries += row.retries;
                total.committed_twice += row.committed_twice;
                total.applied_twice += row.repeated_applications;
            }
            None => summary.push(DedupeSummary {
                sessions: row.sessions,
                crashes_per_second: row.crashes_per_second,
                runs: 1,
                retries: row.retries,
                committed_twice: row.committed_twice,
                applied_twice: row.repeated_applications,
            }),
        }
    }
    summary
}

/// Throughput and commit latency at one batch size.
///
/// # Examples
///
/// ```
/// use lessons::raft::batch_trial;
///
/// let one = batch_trial(1, 1)?;
/// let many = batch_trial(64, 1)?;
/// assert!(many.commits_per_second > one.commits_per_second);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchRow {
    /// The most entries per AppendEntries.
    pub batch: usize,
    /// Writes acknowledged per second.
    pub commits_per_second: f64,
    /// Median time from a write's first send to its answer, in ms.
    pub median_commit_ms: f64,
}

/// Five servers, 5 ms one-way delay, 10 clients each writing back to back for 1 s; at most
/// `batch` entries per AppendEntries.
///
/// # Errors
///
/// A batch of 0.
///
/// # Examples
///
/// ```
/// use lessons::raft::batch_trial;
///
/// assert!(batch_trial(0, 1).is_err());
/// ```
pub fn batch_trial(batch: usize, seed: u64) -> Result<BatchRow, SimError> {
    let config = Config::new(5)?.max_batch(batch)?;
    let mut cluster = RaftCluster::new(seed, config, Timing::paper())?;
    cluster.set_links(Link::new().latency(Latency::constant(ms(5))))?;
    let workload = Workload::new(10_000, ms(1), ms(1_000), 0.0)?;
    for _ in 0..10 {
        cluster.add_client(workload)?;
    }
    let (start, end) = (ms(1_000), ms(2_000));
    cluster.run_until(end)?;
    let mut latencies: Vec<f64> = cluster
        .requests()
        .iter()
        .filter(|r| r.invoked_at >= start)
        .filter_map(|r| r.answered_at.map(|at| (at - r.invoked_at).as_millis_f64()))
        .collect();
    latencies.sort_by(f64::total_cmp);
    Ok(BatchRow {
        batch,
        commits_per_second: latencies.len() as f64 / (end - start).as_secs_f64(),
        median_commit_ms: latencies
            .get(latencies.len() / 2)
            .copied()
            .unwrap_or(f64::NAN),
    })
}

/// [`batch_trial`] for each batch size.
///
/// # Errors
///
/// As [`batch_trial`].
///
/// # Examples
///
/// ```
/// use lessons::raft::batch_experiment;
///
/// assert_eq!(batch_experiment(&[1, 4], 1)?.len(), 2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn batch_experiment(batches: &[usize], seed: u64) -> Result<Vec<BatchRow>, SimError> {
    batches
        .iter()
        .map(|&batch| batch_trial(batch, seed))
        .collect()
}
