//! Random fault schedules, Jepsen-style: partitions (some one-way), crashes with restarts and
//! pauses, over links that lose, duplicate and reorder, while clients write and read. Safety
//! is checked at every step; liveness is measured once the faults stop.

use serde::Serialize;

use super::client::Workload;
use super::cluster::RaftCluster;
use super::node::{CommitRule, Config};
use super::server::Timing;
use crate::check::check_register;
use crate::sim::{Fault, Latency, Link, NodeId, Rng, SimError, Time, crash, ms, partition, pause};

/// The knobs of a random run.
///
/// # Examples
///
/// ```
/// use lessons::raft::ChaosParameters;
///
/// let parameters = ChaosParameters::new(5)?;
/// assert_eq!(parameters.faults, 6);
/// assert!(ChaosParameters::new(5)?.loss(1.5).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChaosParameters {
    /// The cluster's settings.
    pub config: Config,
    /// How many faults to draw.
    pub faults: usize,
    /// The faults all start and end before this time.
    pub faults_end: Time,
    /// How long the run goes on after the faults, to measure recovery.
    pub settle: Time,
    /// The probability that a message is lost.
    pub loss: f64,
    /// The probability that a message arrives twice.
    pub duplicate: f64,
}

impl ChaosParameters {
    /// `servers` servers, 6 faults within 3 s, then 2 s of calm; 2% loss, 2% duplication,
    /// delays of 1 to 15 ms (so messages overtake each other).
    ///
    /// # Errors
    ///
    /// As [`Config::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::ChaosParameters::new(0).is_err());
    /// ```
    pub fn new(servers: usize) -> Result<ChaosParameters, SimError> {
        Ok(ChaosParameters {
            config: Config::new(servers)?,
            faults: 6,
            faults_end: ms(3_000),
            settle: ms(2_000),
            loss: 0.02,
            duplicate: 0.02,
        })
    }

    /// The same run with message-loss probability `probability`.
    ///
    /// # Errors
    ///
    /// A probability outside `[0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::raft::ChaosParameters::new(3)?.loss(0.1)?.loss, 0.1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn loss(mut self, probability: f64) -> Result<ChaosParameters, SimError> {
        if !(0.0..=1.0).contains(&probability) {
            return Err(SimError::parameter("loss", probability, "from 0 to 1"));
        }
        self.loss = probability;
        Ok(self)
    }

    /// The same run with the commit rule `rule`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{ChaosParameters, CommitRule};
    ///
    /// let broken = ChaosParameters::new(3)?.commit_rule(CommitRule::CountReplicas);
    /// assert_eq!(broken.config.commit_rule, CommitRule::CountReplicas);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn commit_rule(mut self, rule: CommitRule) -> ChaosParameters {
        self.config = self.config.commit_rule(rule);
        self
    }
}

/// One random run: what the monitor and the checker found, and how fast the cluster recovered.
///
/// # Examples
///
/// ```
/// use lessons::raft::{ChaosParameters, chaos_run};
///
/// let row = chaos_run(ChaosParameters::new(3)?, 7)?;
/// assert_eq!(row.violations, 0);
/// assert!(row.linearizable);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChaosRow {
    /// The run's seed.
    pub seed: u64,
    /// The faults the simulator accepted (overlapping crash or pause windows are skipped).
    pub faults: usize,
    /// Safety violations found.
    pub violations: usize,
    /// The first one, described.
    pub first_violation: Option<String>,
    /// Leaders elected.
    pub elections: usize,
    /// Entries committed.
    pub committed: usize,
    /// Entries removed from logs by later leaders.
    pub overwritten: u64,
    /// Client requests answered.
    pub answered: usize,
    /// Whether the clients' history is linearizable.
    pub linearizable: bool,
    /// After the faults end: time until every server follows one leader (`None`: never).
    pub elect_ms: Option<f64>,
    /// After the faults end: time until a request made after them is answered.
    pub commit_ms: Option<f64>,
}

/// Draws `count` faults over `servers` servers, all over by `end`.
///
/// # Examples
///
/// ```
/// use lessons::raft::random_faults;
/// use lessons::sim::{Rng, ms};
///
/// let faults = random_faults(5, 4, ms(1_000), &mut Rng::new(1));
/// assert_eq!(faults.len(), 4);
/// assert!(faults.iter().all(|fault| fault.window().1.unwrap() <= ms(1_000)));
/// ```
pub fn random_faults(servers: usize, count: usize, end: Time, rng: &mut Rng) -> Vec<Fault> {
    let mut faults = Vec::with_capacity(count);
    for _ in 0..count {
        let start = rng.between(ms(100), end - ms(100));
        let stop = rng.between(start + ms(20), end);
        let node = rng.below(servers as u64) as NodeId;
        let fault: Fault = match rng.below(4) {
            0 => crash(node).at(start).restart_at(stop).into(),
            1 => pause(node).at(start).resume_at(stop).into(),
            kind => {
                let mut ids: Vec<NodeId> = (0..servers).collect();
                rng.shuffle(&mut ids);
                let cut = 1 + rng.below(servers.max(2) as u64 - 1) as usize;
                let (side_a, side_b) = ids.split_at(cut.min(servers - 1));
                let split = partition(side_a, side_b).at(start).heal_at(stop);
                if kind == 2 { split.one_way() } else { split }.into()
            }
        };
        faults.push(fault);
    }
    faults
}

/// Runs a cluster under a random fault schedule drawn from `seed`, with two clients writing
/// and reading throughout, and reports what happened.
///
/// # Errors
///
/// Invalid parameters.
///
/// # Examples
///
/// ```
/// use lessons::raft::{ChaosParameters, chaos_run};
///
/// let row = chaos_run(ChaosParameters::new(5)?, 3)?;
/// assert!(row.elections >= 1 && row.elect_ms.is_some());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn chaos_run(parameters: ChaosParameters, seed: u64) -> Result<ChaosRow, SimError> {
    let servers = parameters.config.cluster_size;
    let mut cluster = RaftCluster::new(seed, parameters.config, Timing::paper())?;
    cluster.set_links(
        Link::new()
            .latency(Latency::uniform(ms(1), ms(15)))
            .loss(parameters.loss)
            .duplicate(parameters.duplicate)
            .fifo(false),
    )?;
    let end = parameters.faults_end;
    let total = end + parameters.settle;
    let requests = (total.as_millis_f64() / 60.0) as u32;
    let workload = Workload::new(requests, ms(40), ms(100), 0.3)?;
    for _ in 0..2 {
        cluster.add_client(workload)?;
    }
    let mut rng = Rng::derive(seed, &[servers as u64, 0xFA]);
    let mut accepted = 0;
    if servers > 1 {
        for fault in random_faults(servers, parameters.faults, end, &mut rng) {
            accepted += usize::from(cluster.add_fault(fault).is_ok());
        }
    }
    cluster.run_until(end)?;
    let mut elect_ms = None;
    let mut now = end;
    while now < total {
        now += ms(5);
        cluster.run_until(now)?;
        if elect_ms.is_none() && follows_one_leader(&cluster) {
            elect_ms = Some((now - end).as_millis_f64());
        }
    }
    let requests = cluster.requests();
    let commit_ms = requests
        .iter()
        .filter(|record| record.invoked_at >= end)
        .filter_map(|record| record.answered_at)
        .min()
        .map(|answered| (answered - end).as_millis_f64());
    let linearizable = cluster
        .history()
        .map(|history| check_register(&history).is_linearizable())
        .unwrap_or(false);
    let monitor = cluster.monitor();
    Ok(ChaosRow {
        seed,
        faults: accepted,
        violations: monitor.violations().len(),
        first_violation: monitor.violations().first().map(ToString::to_string),
        elections: monitor.elections().len(),
        committed: monitor.committed().len(),
        overwritten: monitor.overwritten(),
        answered: requests.iter().filter(|r| r.answered_at.is_some()).count(),
        linearizable,
        elect_ms,
        commit_ms,
    })
}

/// Whether every server is up and names the same leader, which leads.
fn follows_one_leader(cluster: &RaftCluster) -> bool {
    let Some(leader) = cluster.leader() else {
        return false;
    };
    (0..cluster.servers()).all(|id| {
        cluster
            .server(id)
            .is_some_and(|server| server.node().leader() == Some(leader))
    })
}
