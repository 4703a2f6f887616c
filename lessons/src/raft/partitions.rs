//! Partitions and cluster sizes: which side of a split can commit, what happens to the other
//! side's writes when the split heals, and how many failures N servers survive.

use serde::Serialize;

use super::client::Workload;
use super::cluster::RaftCluster;
use super::node::Config;
use super::server::Timing;
use crate::sim::{NodeId, SimError, Time, crash, ms, partition};

/// How many servers may fail while a majority of N remains: `N - (N/2 + 1)`, so 2f+1 and 2f+2
/// servers both tolerate f.
///
/// # Examples
///
/// ```
/// use lessons::raft::tolerated_failures;
///
/// assert_eq!([3, 4, 5, 6, 7].map(tolerated_failures), [1, 1, 2, 2, 3]);
/// ```
pub fn tolerated_failures(servers: usize) -> usize {
    servers - (servers / 2 + 1)
}

/// One split: the leader with `leader_side - 1` followers on one side, the rest on the other,
/// a client on each side.
///
/// # Examples
///
/// ```
/// use lessons::raft::partition_trial;
///
/// let row = partition_trial(5, 2, 1)?;
/// assert_eq!(row.acknowledged_leader_side, 0); // 2 of 5 is a minority
/// assert!(row.acknowledged_other_side > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartitionRow {
    /// Servers, N.
    pub nodes: usize,
    /// Servers on the old leader's side, the leader included.
    pub leader_side: usize,
    /// Whether that side holds a majority.
    pub leader_side_majority: bool,
    /// Writes invoked during the split and acknowledged before it healed, leader's side.
    pub acknowledged_leader_side: usize,
    /// The same on the other side.
    pub acknowledged_other_side: usize,
    /// Entries the old leader appended during the split that were later removed.
    pub overwritten: u64,
    /// Whether, by the end, the old leader has moved to a newer term (it saw a higher term
    /// and stepped down; it may have been elected again since).
    pub old_leader_stepped_down: bool,
    /// Safety violations seen.
    pub violations: usize,
}

/// Splits `nodes` servers 1 s after the start for 2 s, the old leader with `leader_side - 1`
/// followers, then heals and runs 2 s more; clients on both sides write every 20 ms.
///
/// # Errors
///
/// A leader side of 0 or more than `nodes`, or an invalid cluster size.
///
/// # Examples
///
/// ```
/// use lessons::raft::partition_trial;
///
/// assert!(partition_trial(3, 4, 1).is_err());
/// ```
pub fn partition_trial(
    nodes: usize,
    leader_side: usize,
    seed: u64,
) -> Result<PartitionRow, SimError> {
    if leader_side == 0 || leader_side > nodes {
        return Err(SimError::parameter(
            "leader side",
            leader_side,
            format!("from 1 to {nodes} servers"),
        ));
    }
    let mut cluster = RaftCluster::new(seed, Config::new(nodes)?, Timing::paper())?;
    let workload = Workload::new(200, ms(20), ms(100), 0.0)?;
    let client_a = cluster.add_client(workload)?;
    let client_b = cluster.add_client(workload)?;
    let (split, heal, end) = (ms(1_000), ms(3_000), ms(5_000));
    cluster.run_until(split)?;
    let leader = cluster.leader().unwrap_or(0);
    let old_term = cluster.server(leader).map_or(0, |s| s.node().term());
    let followers = (0..nodes).filter(|&id| id != leader);
    let mut side_a: Vec<NodeId> = vec![leader, client_a];
    side_a.extend(followers.clone().take(leader_side - 1));
    let mut side_b: Vec<NodeId> = followers.skip(leader_side - 1).collect();
    side_b.push(client_b);
    cluster.add_fault(partition(side_a, side_b).at(split).heal_at(heal))?;
    let before = cluster.monitor().overwritten();
    cluster.run_until(end)?;
    let acknowledged = |client: NodeId| {
        cluster.client(client).map_or(0, |c| {
            c.records()
                .iter()
                .filter(|r| r.invoked_at > split && r.answered_at.is_some_and(|at| at < heal))
                .count()
        })
    };
    let stepped_down = cluster
        .server(leader)
        .is_some_and(|s| s.node().term() > old_term);
    let monitor = cluster.monitor();
    Ok(PartitionRow {
        nodes,
        leader_side,
        leader_side_majority: leader_side > nodes / 2,
        acknowledged_leader_side: acknowledged(client_a),
        acknowledged_other_side: acknowledged(client_b),
        overwritten: monitor.overwritten() - before,
        old_leader_stepped_down: stepped_down,
        violations: monitor.violations().len(),
    })
}

/// [`partition_trial`] for every N in `sizes` and every leader-side size from 1 to N.
///
/// # Errors
///
/// As [`partition_trial`].
///
/// # Examples
///
/// ```
/// use lessons::raft::partition_experiment;
///
/// assert_eq!(partition_experiment(&[3], 1)?.len(), 3);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn partition_experiment(sizes: &[usize], seed: u64) -> Result<Vec<PartitionRow>, SimError> {
    let mut rows = Vec::new();
    for &nodes in sizes {
        for leader_side in 1..=nodes {
            rows.push(partition_trial(nodes, leader_side, seed)?);
        }
    }
    Ok(rows)
}

/// Whether a cluster of N can still commit with some servers down.
///
/// # Examples
///
/// ```
/// use lessons::raft::sizing_row;
///
/// let row = sizing_row(4, 1)?;
/// assert_eq!(row.tolerates, 1);
/// assert!(row.commits_with_f_down && !row.commits_with_f_plus_1_down);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SizingRow {
    /// Servers, N.
    pub nodes: usize,
    /// A majority, N/2 + 1.
    pub majority: usize,
    /// Failures tolerated, f.
    pub tolerates: usize,
    /// A write commits with f servers crashed from the start.
    pub commits_with_f_down: bool,
    /// A write commits with f + 1 servers crashed.
    pub commits_with_f_plus_1_down: bool,
}

/// Crashes f, then f + 1, of `nodes` servers for good and sees whether a client's write is
/// acknowledged within 3 s.
///
/// # Errors
///
/// An invalid cluster size.
///
/// # Examples
///
/// ```
/// use lessons::raft::sizing_row;
///
/// assert_eq!(sizing_row(5, 1)?.tolerates, 2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn sizing_row(nodes: usize, seed: u64) -> Result<SizingRow, SimError> {
    let f = tolerated_failures(nodes);
    Ok(SizingRow {
        nodes,
        majority: nodes / 2 + 1,
        tolerates: f,
        commits_with_f_down: commits_with_crashed(nodes, f, seed)?,
        commits_with_f_plus_1_down: commits_with_crashed(nodes, f + 1, seed)?,
    })
}

fn commits_with_crashed(nodes: usize, crashed: usize, seed: u64) -> Result<bool, SimError> {
    let mut cluster = RaftCluster::new(seed, Config::new(nodes)?, Timing::paper())?;
    let client = cluster.add_client(Workload::writes(1))?;
    for id in 0..crashed.min(nodes) {
        cluster.add_fault(crash(id).at(Time::ZERO))?;
    }
    cluster.run_until(ms(3_000))?;
    Ok(cluster
        .client(client)
        .is_some_and(|c| c.records().iter().any(|r| r.answered_at.is_some())))
}
