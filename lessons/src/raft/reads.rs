//! Reads: which ways of answering a read stay linearizable when the leader is cut off and has
//! not noticed, and what each costs.

use serde::Serialize;

use super::client::Workload;
use super::cluster::RaftCluster;
use super::log::Operation;
use super::node::Config;
use super::server::{ReadMode, Timing};
use super::state_machine::Outcome;
use crate::check::check_register;
use crate::sim::{Latency, Link, NodeId, PhysicalClock, SimError, ms, partition, percentile};

/// One run of the deposed-leader scenario under one read mode.
///
/// # Examples
///
/// ```
/// use lessons::raft::{ReadMode, read_trial};
///
/// let unchecked = read_trial(ReadMode::LeaderUnchecked, 0, 1)?;
/// assert!(unchecked.stale_reads > 0 && !unchecked.linearizable);
/// let read_index = read_trial(ReadMode::ReadIndex, 0, 1)?;
/// assert!(read_index.stale_reads == 0 && read_index.linearizable);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadRow {
    /// The read mode, described.
    pub mode: String,
    /// The servers' clock drift, in ppm (negative: slow); only the old leader's lease reads it.
    pub leader_drift_ppm: i64,
    /// The run's seed.
    pub seed: u64,
    /// Reads answered.
    pub reads: usize,
    /// Reads that returned a value some completed write had already replaced.
    pub stale_reads: usize,
    /// Whether the whole history passes the linearizability checker.
    pub linearizable: bool,
    /// Median read latency before the partition, in ms.
    pub median_read_ms: f64,
}

/// Five servers (2 ms one-way delay, the paper's timing) answering reads the `mode` way; a
/// writer writes every 20 ms and a reader reads every 10 ms. At 1 s the leader and the reader
/// are cut off from the rest for 1 s; the other side elects a leader and the writer keeps
/// writing there. Every server's clock drifts by `leader_drift_ppm` (timers run on true time,
/// so only a lease, which reads the leader's clock, is affected).
///
/// # Errors
///
/// A drift outside ±1,000,000 ppm.
///
/// # Examples
///
/// ```
/// use lessons::raft::{ReadMode, read_trial};
///
/// // A lease assuming clocks within 10%, on a leader whose clock runs 50% slow.
/// let row = read_trial(ReadMode::Lease { drift_bound_ppm: 100_000 }, -500_000, 1)?;
/// assert!(row.stale_reads > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn read_trial(mode: ReadMode, leader_drift_ppm: i64, seed: u64) -> Result<ReadRow, SimError> {
    let mut cluster = RaftCluster::with_reads(seed, Config::new(5)?, Timing::paper(), mode)?;
    cluster.set_links(Link::new().latency(Latency::constant(ms(2))))?;
    // Every server's clock drifts from the start (setting it later would step the reading).
    for server in 0..5 {
        cluster.set_clock(server, PhysicalClock::new().drift_ppm(leader_drift_ppm))?;
    }
    let writer = cluster.add_client(Workload::new(200, ms(20), ms(100), 0.0)?)?;
    let reader = cluster.add_client(Workload::new(400, ms(10), ms(100), 1.0)?)?;
    let split = ms(1_000);
    cluster.run_until(split)?;
    let leader = cluster.leader().unwrap_or(0);
    let others: Vec<NodeId> = (0..5).filter(|&id| id != leader).chain([writer]).collect();
    cluster.add_fault(
        partition([leader, reader], others)
            .at(split)
            .heal_at(ms(2_000)),
    )?;
    cluster.run_until(ms(2_500))?;
    let records = cluster.requests();
    let writes: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.operation, Operation::Write(_)))
        .collect();
    let mut latencies = Vec::new();
    let mut reads = 0;
    let mut stale = 0;
    for record in &records {
        let (Some(Outcome::Read(value)), Some(answered)) = (record.outcome, record.answered_at)
        else {
            continue;
        };
        reads += 1;
        if answered < split {
            latencies.push((answered - record.invoked_at).as_millis_f64());
        }
        // Writes carry increasing values; a completed write of a larger one replaced it.
        let replaced = writes.iter().any(|w| {
            matches!(w.operation, Operation::Write(v) if Some(v) > value)
                && w.answered_at.is_some_and(|done| done < record.invoked_at)
        });
        stale += usize::from(replaced);
    }
    let linearizable = cluster
        .history()
        .map(|history| check_register(&history).is_linearizable())
        .unwrap_or(false);
    Ok(ReadRow {
        mode: mode.to_string(),
        leader_drift_ppm,
        seed,
        reads,
        stale_reads: stale,
        linearizable,
        median_read_ms: percentile(&latencies, 50.0).unwrap_or(f64::NAN),
    })
}

/// [`read_trial`] for each mode and drift in `cases`, `seeds` seeds each.
///
/// # Errors
///
/// As [`read_trial`].
///
/// # Examples
///
/// ```
/// use lessons::raft::{ReadMode, read_experiment};
///
/// let rows = read_experiment(&[(ReadMode::AnyServer, 0)], 2, 1)?;
/// assert_eq!(rows.len(), 2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn read_experiment(
    cases: &[(ReadMode, i64)],
    seeds: u64,
    seed: u64,
) -> Result<Vec<ReadRow>, SimError> {
    let mut rows = Vec::new();
    for &(mode, drift) in cases {
        for offset in 0..seeds {
            rows.push(read_trial(mode, drift, seed + offset)?);
        }
    }
    Ok(rows)
}
