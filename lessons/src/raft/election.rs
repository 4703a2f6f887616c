//! Leader election after the leader dies: how long it takes, how often two candidates collide,
//! and how often a round ends with no winner, against the width W of the timeout range.

use serde::Serialize;

use super::cluster::RaftCluster;
use super::node::Config;
use super::server::Timing;
use crate::sim::{Latency, Link, SimError, Time, crash, ms};

/// One trial: the leader crashes and the others elect a new one.
///
/// # Examples
///
/// ```
/// use lessons::raft::election_trial;
/// use lessons::sim::ms;
///
/// let row = election_trial(5, ms(150), ms(150), ms(5), 1)?;
/// // The timers started at the last heartbeat, up to 50 ms before the crash.
/// assert!(row.election_ms.unwrap() >= 100.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ElectionRow {
    /// Servers, N.
    pub nodes: usize,
    /// The spread W of the election timeout, in ms.
    pub spread_ms: f64,
    /// The one-way message delay, in ms.
    pub delay_ms: f64,
    /// The trial's seed.
    pub seed: u64,
    /// Whether a leader was elected before the crash (with W = 0 every server times out at
    /// once, again and again, and none ever wins).
    pub had_leader: bool,
    /// From the crash to the next leader (`None`: none within 5 s).
    pub election_ms: Option<f64>,
    /// Terms used: 1 when the first election after the crash succeeds.
    pub rounds: u64,
    /// Whether two or more servers stood as candidates in the first term after the crash.
    pub contested: bool,
}

/// Runs one trial: `nodes` servers with election timeouts uniform in
/// `[timeout, timeout + spread]`, a heartbeat every `timeout / 3` and a constant one-way delay
/// `delay`; once a leader has led for a while it crashes.
///
/// # Errors
///
/// Invalid parameters (see [`Timing::new`], [`Config::new`]).
///
/// # Examples
///
/// ```
/// use lessons::raft::election_trial;
/// use lessons::sim::ms;
///
/// assert!(election_trial(5, ms(150), ms(-5), ms(5), 1).is_err());
/// ```
pub fn election_trial(
    nodes: usize,
    timeout: Time,
    spread: Time,
    delay: Time,
    seed: u64,
) -> Result<ElectionRow, SimError> {
    let timing = Timing::new(timeout, spread, Time::from_nanos(timeout.as_nanos() / 3))?;
    let mut cluster = RaftCluster::new(seed, Config::new(nodes)?, timing)?;
    cluster.set_links(Link::new().latency(Latency::constant(delay)))?;
    let settled = timeout * 8 + spread * 4;
    cluster.run_until(settled)?;
    let mut row = ElectionRow {
        nodes,
        spread_ms: spread.as_millis_f64(),
        delay_ms: delay.as_millis_f64(),
        seed,
        had_leader: false,
        election_ms: None,
        rounds: 0,
        contested: false,
    };
    let Some(leader) = cluster.leader() else {
        return Ok(row);
    };
    row.had_leader = true;
    let old_term = cluster
        .server(leader)
        .map_or(0, |server| server.node().term());
    cluster.add_fault(crash(leader).at(settled))?;
    cluster.run_until(settled + ms(5_000))?;
    let monitor = cluster.monitor();
    if let Some(next) = monitor.elections().iter().find(|e| e.term > old_term) {
        row.election_ms = Some((next.at - settled).as_millis_f64());
        row.rounds = next.term - old_term;
    }
    row.contested = monitor.candidates_in(old_term + 1) >= 2;
    Ok(row)
}

/// `trials` trials for each spread in `spreads` (seeds `seed`, `seed + 1`, ...).
///
/// # Errors
///
/// As [`election_trial`].
///
/// # Examples
///
/// ```
/// use lessons::raft::election_experiment;
/// use lessons::sim::ms;
///
/// let rows = election_experiment(5, ms(150), &[ms(10), ms(150)], ms(5), 20, 1)?;
/// assert_eq!(rows.len(), 40);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn election_experiment(
    nodes: usize,
    timeout: Time,
    spreads: &[Time],
    delay: Time,
    trials: u64,
    seed: u64,
) -> Result<Vec<ElectionRow>, SimError> {
    let mut rows = Vec::new();
    for &spread in spreads {
        for trial in 0..trials {
            rows.push(election_trial(nodes, timeout, spread, delay, seed + trial)?);
        }
    }
    Ok(rows)
}

/// The election trials of one spread, summed up, with the formula next to the measurement.
///
/// # Examples
///
/// ```
/// use lessons::raft::{election_experiment, split_vote_summary};
/// use lessons::sim::ms;
///
/// let rows = election_experiment(5, ms(150), &[ms(150)], ms(5), 20, 1)?;
/// let summary = split_vote_summary(&rows);
/// assert_eq!(summary[0].trials, 20);
/// assert!((summary[0].predicted - 0.1270).abs() < 1e-3); // 1 - (1 - 5/150)^4
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SplitVoteRow {
    /// Servers, N.
    pub nodes: usize,
    /// The spread W, in ms.
    pub spread_ms: f64,
    /// W divided by the round-trip time 2δ.
    pub spread_over_rtt: f64,
    /// Trials run.
    pub trials: usize,
    /// Share of trials in which no leader was elected in the first place.
    pub never_elected: f64,
    /// Among trials with a leader to crash: the share with two or more candidates in the
    /// first term after the crash.
    pub contested: f64,
    /// Among the same: the share whose first term elected nobody (a split vote).
    pub split: f64,
    /// `1 - (1 - δ/W)^k` with `k = N - 1` followers left: the chance that the second-earliest
    /// timeout falls within one delay δ of the earliest, before the first candidate's
    /// RequestVote reaches it (the gap between the two smallest of k uniform draws on W).
    pub predicted: f64,
    /// Median time to a new leader, in ms.
    pub median_ms: f64,
}

/// Sums up [`election_experiment`]'s rows per spread.
///
/// # Examples
///
/// ```
/// use lessons::raft::split_vote_summary;
///
/// assert!(split_vote_summary(&[]).is_empty());
/// ```
pub fn split_vote_summary(rows: &[ElectionRow]) -> Vec<SplitVoteRow> {
    let mut spreads: Vec<f64> = Vec::new();
    for row in rows {
        if !spreads.contains(&row.spread_ms) {
            spreads.push(row.spread_ms);
        }
    }
    spreads
        .into_iter()
        .map(|spread| {
            let all: Vec<&ElectionRow> = rows.iter().filter(|r| r.spread_ms == spread).collect();
            let first = all[0];
            let mine: Vec<&ElectionRow> = all.iter().copied().filter(|r| r.had_leader).collect();
            let share = |hit: &dyn Fn(&ElectionRow) -> bool| {
                mine.iter().filter(|row| hit(row)).count() as f64 / mine.len().max(1) as f64
            };
            let mut times: Vec<f64> = mine.iter().filter_map(|row| row.election_ms).collect();
            times.sort_by(f64::total_cmp);
            let others = first.nodes.saturating_sub(1) as i32;
            let ratio = (first.delay_ms / spread).min(1.0);
            SplitVoteRow {
                nodes: first.nodes,
                spread_ms: spread,
                spread_over_rtt: spread / (2.0 * first.delay_ms),
                trials: all.len(),
                never_elected: 1.0 - mine.len() as f64 / all.len() as f64,
                contested: share(&|row| row.contested),
                split: share(&|row| row.rounds > 1),
                predicted: 1.0 - (1.0 - ratio).powi(others),
                median_ms: times.get(times.len() / 2).copied().unwrap_or(f64::NAN),
            }
        })
        .collect()
}
