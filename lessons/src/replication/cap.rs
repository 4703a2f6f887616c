//! CAP in the simulator: a replicated register whose leader sits on the majority side of a
//! partition, and the one choice a node cut off from the leader has to make.
//!
//! Node 0 is the leader. While the network is whole, every node passes every request to the
//! leader, which applies it and (for a write) replicates it to a majority before answering.
//! During the partition the last `cut_off` nodes cannot reach the leader, and their mode
//! decides:
//!
//! * [`CapMode::Consistent`] (CP): the request fails after a timeout;
//! * [`CapMode::Available`] (AP): the cut-off side answers from its own copy and accepts
//!   writes there (the cut-off nodes share that copy); when the partition heals, the copies are
//!   reconciled by last writer wins on the time the write was applied.

use serde::Serialize;

use crate::check::{RegisterAction, RegisterHistory, check_register, check_sequential};
use crate::sim::{Rng, SimError, Time};
use crate::viz::Figure;

/// What a node that cannot reach the leader does.
///
/// # Examples
///
/// ```
/// use lessons::replication::CapMode;
///
/// assert_eq!(CapMode::Available.name(), "AP");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CapMode {
    /// Refuse: the request fails (consistency over availability).
    Consistent,
    /// Answer from the local copy (availability over consistency).
    Available,
}

impl CapMode {
    /// Both modes.
    pub const BOTH: [CapMode; 2] = [CapMode::Consistent, CapMode::Available];

    /// "CP" or "AP".
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::replication::CapMode::Consistent.name(), "CP");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CapMode::Consistent => "CP",
            CapMode::Available => "AP",
        }
    }
}

/// The cluster and its partition: `nodes` nodes, the last `cut_off` of them cut off from the
/// rest from `partition_start` for `partition_length`, a one-way delay `hop` between nodes, and
/// the timeout after which a cut-off node gives up in CP mode.
///
/// # Examples
///
/// ```
/// use lessons::replication::CapSetup;
/// use lessons::sim::ms;
///
/// let setup = CapSetup::new(5, 2, ms(100), ms(300))?;
/// assert!(setup.is_cut_off(4, ms(150)) && !setup.is_cut_off(4, ms(400)));
/// assert!(CapSetup::new(5, 3, ms(100), ms(300)).is_err()); // the leader's side needs a majority
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CapSetup {
    /// How many nodes (3 to 9).
    pub nodes: usize,
    /// How many are cut off (0 to a minority).
    pub cut_off: usize,
    /// When the partition starts.
    pub partition_start: Time,
    /// How long it lasts (0: no partition).
    pub partition_length: Time,
    /// One-way delay between two nodes (1 ms unless changed).
    pub hop: Time,
    /// How long a CP node waits for the leader before failing a request (10 ms unless changed).
    pub timeout: Time,
    /// Mean pause between a client's answer and its next request in [`cap_run`] (10 ms unless
    /// changed; exponential).
    pub think: Time,
}

impl CapSetup {
    /// A checked setup with a 1 ms hop and a 10 ms timeout.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for fewer than 3 or more than 9 nodes, a cut-off side that is not
    /// a minority, a negative start or length.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::CapSetup;
    /// use lessons::sim::ms;
    ///
    /// let error = CapSetup::new(3, 2, ms(0), ms(10)).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "cut_off 2 is not allowed; from 0 to 1: the leader's side keeps a majority of 3"
    /// );
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(
        nodes: usize,
        cut_off: usize,
        partition_start: Time,
        partition_length: Time,
    ) -> Result<CapSetup, SimError> {
        if !(3..=9).contains(&nodes) {
            return Err(SimError::parameter("nodes", nodes, "from 3 to 9"));
        }
        let minority = (nodes - 1) / 2;
        if cut_off > minority {
            return Err(SimError::parameter(
                "cut_off",
                cut_off,
                format!("from 0 to {minority}: the leader's side keeps a majority of {nodes}"),
            ));
        }
        for (name, value) in [
            ("partition_start", partition_start),
            ("partition_length", partition_length),
        ] {
            if value < Time::ZERO {
                return Err(SimError::parameter(name, value, "it must not be negative"));
            }
        }
        Ok(CapSetup {
            nodes,
            cut_off,
            partition_start,
            partition_length,
            hop: Time::from_nanos(1_000_000),
            timeout: Time::from_nanos(10_000_000),
            think: Time::from_nanos(10_000_000),
        })
    }

    /// Whether `node` cannot reach the leader at `time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::CapSetup;
    /// use lessons::sim::ms;
    ///
    /// let setup = CapSetup::new(3, 1, ms(10), ms(20))?;
    /// assert!(!setup.is_cut_off(0, ms(15)) && setup.is_cut_off(2, ms(15)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_cut_off(&self, node: usize, time: Time) -> bool {
        let during = self.partition_start <= time && time < self.heal_at();
        during && node >= self.nodes - self.cut_off
    }

    /// When the partition heals.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::CapSetup;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(CapSetup::new(3, 1, ms(10), ms(20))?.heal_at(), ms(30));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn heal_at(&self) -> Time {
        self.partition_start + self.partition_length
    }
}

/// One client request: `node`'s client, at time `at`, writes `Some(value)` or reads (`None`).
///
/// # Examples
///
/// ```
/// use lessons::replication::CapRequest;
/// use lessons::sim::ms;
///
/// let read = CapRequest { node: 2, at: ms(5), write: None };
/// assert!(read.write.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CapRequest {
    /// The node the client talks to (its client has the same number).
    pub node: usize,
    /// When the request is made.
    pub at: Time,
    /// The value written, or `None` for a read.
    pub write: Option<u64>,
}

impl CapRequest {
    /// A write of `value` by `node`'s client at `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::CapRequest;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(CapRequest::write(0, ms(1), 7).write, Some(7));
    /// ```
    pub fn write(node: usize, at: Time, value: u64) -> CapRequest {
        CapRequest {
            node,
            at,
            write: Some(value),
        }
    }

    /// A read by `node`'s client at `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::CapRequest;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(CapRequest::read(2, ms(5)).write, None);
    /// ```
    pub fn read(node: usize, at: Time) -> CapRequest {
        CapRequest {
            node,
            at,
            write: None,
        }
    }
}

/// What a run produced: the clients' history and its counts.
///
/// # Examples
///
/// ```
/// use lessons::replication::{CapMode, CapSetup, cap_run};
/// use lessons::sim::ms;
///
/// let run = cap_run(CapSetup::new(3, 1, ms(50), ms(200))?, CapMode::Consistent, 20, 1)?;
/// assert!(run.failed > 0 && run.failed == run.failed_cut_off);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapRun {
    /// Every request as the clients saw it.
    pub history: RegisterHistory,
    /// How many requests were made.
    pub requests: usize,
    /// How many failed.
    pub failed: usize,
    /// How many of the failures were on the cut-off side.
    pub failed_cut_off: usize,
    /// Reads answered by the cut-off side's copy that miss a write the leader acknowledged
    /// before the read began.
    pub stale_reads: usize,
    /// Acknowledged writes whose value was overwritten by the reconciliation at healing.
    pub writes_lost_at_heal: usize,
}

impl CapRun {
    /// The history in one line: each operation with its node, interval and answer.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::{CapMode, CapRequest, CapSetup, cap_scripted};
    /// use lessons::sim::ms;
    ///
    /// let setup = CapSetup::new(3, 1, ms(10), ms(100))?;
    /// let run = cap_scripted(setup, CapMode::Consistent, &[CapRequest::write(2, ms(20), 5)])?;
    /// assert_eq!(run.history_text(), "node 2: write 5 [20ms → failed]");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn history_text(&self) -> String {
        let described: Vec<String> = self
            .history
            .operations()
            .iter()
            .map(|op| {
                let end = op
                    .responded_at
                    .map_or("failed".to_string(), |t| t.to_string());
                format!(
                    "node {}: {} [{} → {}]",
                    op.client, op.action, op.invoked_at, end
                )
            })
            .collect();
        described.join("; ")
    }
}

/// Runs the requests (each client's in time order; the caller keeps one client's requests from
/// overlapping) in the given mode.
///
/// # Errors
///
/// [`SimError::UnknownNode`] for a node outside the cluster, [`SimError::Parameter`] for a
/// negative time.
///
/// # Examples
///
/// Both sides write during the partition; the cut-off side then reads its own copy, which
/// misses the leader's acknowledged write.
///
/// ```
/// use lessons::check::check_register;
/// use lessons::replication::{CapMode, CapRequest, CapSetup, cap_scripted};
/// use lessons::sim::ms;
///
/// let setup = CapSetup::new(3, 1, ms(10), ms(100))?;
/// let requests = [
///     CapRequest { node: 2, at: ms(20), write: Some(2) },
///     CapRequest { node: 0, at: ms(30), write: Some(1) },
///     CapRequest { node: 1, at: ms(40), write: None },
///     CapRequest { node: 2, at: ms(50), write: None },
/// ];
/// let ap = cap_scripted(setup, CapMode::Available, &requests)?;
/// assert_eq!((ap.failed, ap.stale_reads, ap.writes_lost_at_heal), (0, 1, 1));
/// assert!(!check_register(&ap.history).is_linearizable());
/// let cp = cap_scripted(setup, CapMode::Consistent, &requests)?;
/// assert_eq!((cp.failed, cp.stale_reads), (2, 0));
/// assert!(check_register(&cp.history).is_linearizable());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn cap_scripted(
    setup: CapSetup,
    mode: CapMode,
    requests: &[CapRequest],
) -> Result<CapRun, SimError> {
    for request in requests {
        if request.node >= setup.nodes {
            return Err(SimError::UnknownNode {
                node: request.node,
                node_count: setup.nodes,
            });
        }
        if request.at < Time::ZERO {
            return Err(SimError::parameter("at", request.at, "times start at 0"));
        }
    }
    let timings: Vec<Timing> = requests.iter().map(|r| timing(setup, mode, r)).collect();
    let mut steps: Vec<(Time, usize)> = timings
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.applied_at.map(|at| (at, i)))
        .collect();
    steps.sort();
    let mut copies = Copies::default();
    let mut answers = vec![None; requests.len()];
    let acknowledged_by_leader = |time: Time| {
        requests.iter().zip(&timings).any(|(r, t)| {
            r.write.is_some()
                && !setup.is_cut_off(r.node, r.at)
                && t.applied_at.is_some_and(|at| at >= setup.partition_start)
                && t.responded_at < time
        })
    };
    let mut stale_reads = 0;
    for (applied_at, i) in steps {
        copies.advance(setup, applied_at);
        let request = requests[i];
        let local = mode == CapMode::Available && setup.is_cut_off(request.node, request.at);
        let during = setup.is_cut_off(setup.nodes - 1, applied_at);
        match (request.write, local) {
            (Some(value), true) => copies.write_cut_off(value, applied_at),
            (Some(value), false) => copies.write_leader(value, applied_at, during),
            (None, true) => {
                answers[i] = Some(copies.cut_off_copy().map(|(value, _)| value));
                stale_reads += usize::from(acknowledged_by_leader(request.at));
            }
            (None, false) => answers[i] = Some(copies.leader.map(|(value, _)| value)),
        }
    }
    copies.advance(setup, Time::MAX);
    let mut run = CapRun {
        history: RegisterHistory::new(),
        requests: requests.len(),
        failed: 0,
        failed_cut_off: 0,
        stale_reads,
        writes_lost_at_heal: copies.lost_at_heal,
    };
    for ((request, timing), answer) in requests.iter().zip(&timings).zip(answers) {
        let failed = timing.applied_at.is_none();
        run.failed += usize::from(failed);
        run.failed_cut_off += usize::from(failed && setup.is_cut_off(request.node, request.at));
        let responded = (!failed).then_some(timing.responded_at);
        let recorded = match (request.write, answer) {
            (Some(value), _) => run
                .history
                .write(request.node, value, request.at, responded),
            (None, Some(value)) => {
                run.history
                    .read(request.node, value, request.at, timing.responded_at)
            }
            (None, None) => Ok(()),
        };
        recorded.map_err(|error| SimError::parameter("request", request.at, error.to_string()))?;
    }
    Ok(run)
}

/// A value and the time it was applied (its last-writer-wins stamp).
type Stamped = (u64, Time);

/// The leader's copy and, during a partition, the cut-off side's.
#[derive(Default)]
struct Copies {
    leader: Option<Stamped>,
    /// The leader's copy as the partition began: where the cut-off side starts from.
    at_partition: Option<Option<Stamped>>,
    /// The cut-off side's copy, once it has written.
    cut_off_writes: Option<Stamped>,
    cut_off_wrote: usize,
    leader_wrote_during: usize,
    reconciled: bool,
    lost_at_heal: usize,
}

impl Copies {
    /// Takes the snapshot when the partition starts and reconciles when it heals.
    fn advance(&mut self, setup: CapSetup, now: Time) {
        if self.at_partition.is_none() && now >= setup.partition_start {
            self.at_partition = Some(self.leader);
        }
        if !self.reconciled && now >= setup.heal_at() {
            self.reconciled = true;
            if let Some(theirs) = self.cut_off_writes.take() {
                if self.leader.is_none_or(|ours| theirs.1 > ours.1) {
                    self.leader = Some(theirs);
                    self.lost_at_heal += self.leader_wrote_during;
                } else {
                    self.lost_at_heal += self.cut_off_wrote;
                }
            }
        }
    }

    fn cut_off_copy(&self) -> Option<Stamped> {
        self.cut_off_writes.or(self.at_partition.flatten())
    }

    fn write_cut_off(&mut self, value: u64, at: Time) {
        self.cut_off_writes = Some((value, at));
        self.cut_off_wrote += 1;
    }

    fn write_leader(&mut self, value: u64, at: Time, during_partition: bool) {
        self.leader = Some((value, at));
        self.leader_wrote_during += usize::from(during_partition);
    }
}

/// When a request takes effect (`None`: it fails) and when its client hears back.
struct Timing {
    applied_at: Option<Time>,
    responded_at: Time,
}

fn timing(setup: CapSetup, mode: CapMode, request: &CapRequest) -> Timing {
    if setup.is_cut_off(request.node, request.at) {
        return match mode {
            CapMode::Consistent => Timing {
                applied_at: None,
                responded_at: request.at + setup.timeout,
            },
            CapMode::Available => Timing {
                applied_at: Some(request.at),
                responded_at: request.at,
            },
        };
    }
    let to_leader = if request.node == 0 {
        Time::ZERO
    } else {
        setup.hop
    };
    let applied_at = request.at + to_leader;
    // A write is answered once a majority holds it: one round trip from the leader.
    let replication = if request.write.is_some() {
        setup.hop * 2
    } else {
        Time::ZERO
    };
    Timing {
        applied_at: Some(applied_at),
        responded_at: applied_at + replication + to_leader,
    }
}

/// A random workload: each node's client makes `requests_per_client` requests, half writes (of
/// values unique in the run), pausing an exponential `setup.think` after each answer.
///
/// # Errors
///
/// As [`cap_scripted`].
///
/// # Examples
///
/// ```
/// use lessons::check::check_register;
/// use lessons::replication::{CapMode, CapSetup, cap_run};
/// use lessons::sim::ms;
///
/// let quiet = CapSetup::new(3, 1, ms(0), ms(0))?; // no partition
/// for mode in CapMode::BOTH {
///     let run = cap_run(quiet, mode, 20, 4)?;
///     assert_eq!(run.failed, 0);
///     assert!(check_register(&run.history).is_linearizable());
/// }
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn cap_run(
    setup: CapSetup,
    mode: CapMode,
    requests_per_client: usize,
    seed: u64,
) -> Result<CapRun, SimError> {
    let mut requests = Vec::new();
    for node in 0..setup.nodes {
        let mut rng = Rng::derive(seed, &[8, 6, node as u64]);
        let pause =
            |rng: &mut Rng| Time::from_nanos_f64(setup.think.as_nanos() as f64 * rng.exponential());
        let mut at = pause(&mut rng);
        for k in 0..requests_per_client {
            let value = (node * 1_000 + k + 1) as u64;
            let request = CapRequest {
                node,
                at,
                write: rng.chance(0.5).then_some(value),
            };
            at = timing(setup, mode, &request).responded_at + pause(&mut rng);
            requests.push(request);
        }
    }
    cap_scripted(setup, mode, &requests)
}

/// One point of [`cap_experiment`]: a mode and a partition length, over several runs.
///
/// # Examples
///
/// ```
/// use lessons::replication::{CapSetup, cap_experiment};
/// use lessons::sim::ms;
///
/// let rows = cap_experiment(CapSetup::new(3, 1, ms(50), ms(0))?, &[ms(0)], 10, 5, 1)?;
/// assert!(rows.iter().all(|row| row.not_linearizable == 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapRow {
    /// [`CapMode::name`].
    pub mode: String,
    /// The partition's length, in milliseconds.
    pub partition_ms: f64,
    /// Runs simulated.
    pub runs: usize,
    /// Fraction of requests answered.
    pub availability: f64,
    /// Fraction of answered reads that were stale ([`CapRun::stale_reads`]).
    pub stale_read_share: f64,
    /// Runs whose history is not linearizable.
    pub not_linearizable: usize,
    /// Runs whose history is not even sequentially consistent.
    pub not_sequential: usize,
    /// Writes discarded when the copies were reconciled, over all runs.
    pub lost_at_heal: usize,
}

/// For each partition length and both modes, `runs` random workloads ([`cap_run`]), each history
/// judged by both checkers.
///
/// # Errors
///
/// As [`CapSetup::new`] for each length, and [`SimError::Parameter`] for zero runs.
///
/// # Examples
///
/// ```
/// use lessons::replication::{CapSetup, cap_experiment};
/// use lessons::sim::ms;
///
/// let rows = cap_experiment(CapSetup::new(3, 1, ms(50), ms(0))?, &[ms(200)], 10, 5, 1)?;
/// assert!(rows[0].availability < 1.0 && rows[0].not_linearizable == 0); // CP
/// assert_eq!(rows[1].availability, 1.0); // AP
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn cap_experiment(
    setup: CapSetup,
    lengths: &[Time],
    requests_per_client: usize,
    runs: usize,
    seed: u64,
) -> Result<Vec<CapRow>, SimError> {
    if runs == 0 {
        return Err(SimError::parameter("runs", 0, "at least 1"));
    }
    let mut rows = Vec::new();
    for &length in lengths {
        CapSetup::new(setup.nodes, setup.cut_off, setup.partition_start, length)?;
        let setup = CapSetup {
            partition_length: length,
            ..setup
        };
        for mode in CapMode::BOTH {
            let mut row = CapRow {
                mode: mode.name().to_string(),
                partition_ms: length.as_millis_f64(),
                runs,
                availability: 0.0,
                stale_read_share: 0.0,
                not_linearizable: 0,
                not_sequential: 0,
                lost_at_heal: 0,
            };
            let (mut answered, mut requests, mut reads, mut stale) = (0, 0, 0, 0);
            for run_index in 0..runs {
                let run = cap_run(setup, mode, requests_per_client, seed ^ run_index as u64)?;
                requests += run.requests;
                answered += run.requests - run.failed;
                reads += run
                    .history
                    .operations()
                    .iter()
                    .filter(|op| matches!(op.action, RegisterAction::Read(_)))
                    .count();
                stale += run.stale_reads;
                row.lost_at_heal += run.writes_lost_at_heal;
                row.not_linearizable +=
                    usize::from(!check_register(&run.history).is_linearizable());
                row.not_sequential +=
                    usize::from(!check_sequential(&run.history).is_sequentially_consistent());
            }
            row.availability = answered as f64 / requests.max(1) as f64;
            row.stale_read_share = stale as f64 / reads.max(1) as f64;
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Availability against the share of stale reads, one point per mode and partition length.
///
/// # Examples
///
/// ```
/// use lessons::replication::{CapSetup, cap_experiment, cap_figure};
/// use lessons::sim::ms;
///
/// let rows = cap_experiment(CapSetup::new(3, 1, ms(50), ms(0))?, &[ms(0), ms(200)], 10, 2, 1)?;
/// assert!(cap_figure(&rows).to_svg()?.contains("AP"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cap_figure(rows: &[CapRow]) -> Figure {
    let mut figure = Figure::new("During a partition: answers against stale reads")
        .x_label("fraction of reads that were stale")
        .y_label("fraction of requests answered");
    for mode in CapMode::BOTH {
        let points = rows
            .iter()
            .filter(|row| row.mode == mode.name())
            .map(|row| (row.stale_read_share, row.availability));
        figure = figure.points(
            format!("{} (one point per partition length)", mode.name()),
            points,
        );
    }
    figure
}
