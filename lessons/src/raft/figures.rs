//! The lesson's figures, drawn from the experiments' rows.

use super::bft::MessageRow;
use super::chaos::ChaosRow;
use super::election::{ElectionRow, SplitVoteRow};
use super::monitor::CommitAdvance;
use super::partitions::PartitionRow;
use super::reads::ReadRow;
use super::sessions::{BatchRow, DedupeRow};
use super::storms::StormRow;
use crate::viz::{Figure, groups};

/// The share of trials that had a new leader within x ms of the crash, one curve per spread W.
///
/// # Examples
///
/// ```
/// use lessons::raft::{election_cdf_figure, election_experiment};
/// use lessons::sim::ms;
///
/// let rows = election_experiment(5, ms(150), &[ms(150)], ms(5), 10, 1)?;
/// assert!(election_cdf_figure(&rows).to_svg()?.contains("W = 150 ms"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn election_cdf_figure(rows: &[ElectionRow]) -> Figure {
    let mut figure = Figure::new("Time to a new leader after the leader crashes (T = 150 ms)")
        .x_label("time from the crash to the new leader (ms)")
        .y_label("share of trials");
    for spread in groups(rows, |row| row.spread_ms) {
        let mut times: Vec<f64> = rows
            .iter()
            .filter(|row| row.spread_ms == spread)
            .filter_map(|row| row.election_ms)
            .collect();
        times.sort_by(f64::total_cmp);
        let total = times.len() as f64;
        let points = times
            .iter()
            .enumerate()
            .map(|(rank, &time)| (time, (rank + 1) as f64 / total));
        figure = figure.step(format!("W = {spread} ms"), points);
    }
    figure
}

/// Contested first rounds (two or more candidates) and split votes (no winner) against W over
/// the round trip, with the formula `1 - (1 - δ/W)^(N-1)`.
///
/// # Examples
///
/// ```
/// use lessons::raft::{election_experiment, split_vote_figure, split_vote_summary};
/// use lessons::sim::ms;
///
/// let rows = election_experiment(5, ms(150), &[ms(20), ms(150)], ms(5), 10, 1)?;
/// let svg = split_vote_figure(&split_vote_summary(&rows)).to_svg()?;
/// assert!(svg.contains("formula"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split_vote_figure(rows: &[SplitVoteRow]) -> Figure {
    let at = |value: fn(&SplitVoteRow) -> f64| {
        rows.iter()
            .map(move |row| (row.spread_over_rtt, value(row)))
            .collect::<Vec<_>>()
    };
    Figure::new("Colliding candidates against the timeout spread")
        .x_label("timeout spread W / round-trip time")
        .y_label("share of elections")
        .log_x()
        .points("two or more candidates (measured)", at(|row| row.contested))
        .points(
            "no winner in the first round (measured)",
            at(|row| row.split),
        )
        .line("formula 1 - (1 - δ/W)^(N-1)", at(|row| row.predicted))
}

/// Each server's commit index over time: a step line per server.
///
/// # Examples
///
/// ```
/// use lessons::raft::{CommitAdvance, commit_index_figure};
/// use lessons::sim::ms;
///
/// let advances = [CommitAdvance { at: ms(10), node: 0, index: 1 }];
/// assert!(commit_index_figure(&advances, 1).to_svg()?.contains("S1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn commit_index_figure(advances: &[CommitAdvance], servers: usize) -> Figure {
    let mut figure = Figure::new("Commit index per server under random faults")
        .x_label("time (s)")
        .y_label("commit index");
    for server in 0..servers {
        let points = advances
            .iter()
            .filter(|advance| advance.node == server)
            .map(|advance| (advance.at.as_secs_f64(), advance.index as f64));
        figure = figure.step(format!("S{}", server + 1), points);
    }
    figure
}

/// Entries overwritten against leaders elected, one point per random run.
///
/// # Examples
///
/// ```
/// use lessons::raft::{ChaosParameters, chaos_run, overwritten_figure};
///
/// let rows = vec![chaos_run(ChaosParameters::new(3)?, 1)?];
/// assert!(overwritten_figure(&rows).to_svg()?.contains("runs"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn overwritten_figure(rows: &[ChaosRow]) -> Figure {
    Figure::new("Uncommitted entries overwritten by later leaders")
        .x_label("leaders elected in the run")
        .y_label("entries overwritten on followers")
        .points(
            "runs",
            rows.iter()
                .map(|row| (row.elections as f64, row.overwritten as f64)),
        )
}

/// Writes acknowledged during a split on the old leader's side, against that side's size, one
/// line per cluster size.
///
/// # Examples
///
/// ```
/// use lessons::raft::{partition_experiment, partition_figure};
///
/// let rows = partition_experiment(&[3], 1)?;
/// assert!(partition_figure(&rows).to_svg()?.contains("N = 3"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn partition_figure(rows: &[PartitionRow]) -> Figure {
    let mut figure = Figure::new("Writes acknowledged on the old leader's side of a 2 s split")
        .x_label("servers on the old leader's side")
        .y_label("writes acknowledged there");
    for nodes in groups(rows, |row| row.nodes) {
        let points = rows
            .iter()
            .filter(|row| row.nodes == nodes)
            .map(|row| (row.leader_side as f64, row.acknowledged_leader_side as f64));
        figure = figure.line(format!("N = {nodes}"), points);
    }
    figure
}

/// Leader changes per minute against the p99 delay over the election timeout.
///
/// # Examples
///
/// ```
/// use lessons::raft::{storm_experiment, storm_figure};
/// use lessons::sim::ms;
///
/// let rows = storm_experiment(&[ms(1), ms(40)], 5, 1)?;
/// assert!(storm_figure(&rows).to_svg()?.contains("leader changes"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn storm_figure(rows: &[StormRow]) -> Figure {
    Figure::new("Election storms (T = 150 ms, heartbeat 50 ms)")
        .x_label("p99 one-way delay / shortest election timeout")
        .y_label("leader changes per minute")
        .line(
            "leader changes",
            rows.iter()
                .map(|row| (row.p99_over_timeout, row.leader_changes_per_minute)),
        )
}

/// Messages per request against cluster size on log-log axes: Raft's slope 1, PBFT's 2.
///
/// # Examples
///
/// ```
/// use lessons::raft::{message_counts, messages_figure};
///
/// let rows = message_counts(&[4, 8, 16])?;
/// assert!(messages_figure(&rows).to_svg()?.contains("PBFT"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn messages_figure(rows: &[MessageRow]) -> Figure {
    Figure::new("Messages per request")
        .x_label("servers n")
        .y_label("messages")
        .log_x()
        .log_y()
        .line(
            "Raft (counted)",
            rows.iter().map(|row| (row.servers as f64, row.raft as f64)),
        )
        .line(
            "PBFT normal case",
            rows.iter().map(|row| (row.servers as f64, row.pbft as f64)),
        )
}

/// Stale reads per run for each read mode (and clock drift), the mode's median latency in its
/// label: the price of each mode and what it buys.
///
/// # Examples
///
/// ```
/// use lessons::raft::{ReadMode, read_experiment, reads_figure};
///
/// let rows = read_experiment(&[(ReadMode::ReadIndex, 0)], 1, 1)?;
/// assert!(reads_figure(&rows).to_svg()?.contains("ReadIndex"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reads_figure(rows: &[ReadRow]) -> Figure {
    let mut bars = Vec::new();
    for (mode, drift) in groups(rows, |row| (row.mode.clone(), row.leader_drift_ppm)) {
        let mine: Vec<&ReadRow> = rows
            .iter()
            .filter(|row| row.mode == mode && row.leader_drift_ppm == drift)
            .collect();
        let count = mine.len() as f64;
        let stale = mine.iter().map(|row| row.stale_reads as f64).sum::<f64>() / count;
        let latency = mine.iter().map(|row| row.median_read_ms).sum::<f64>() / count;
        // Short labels, so that six fit under their bars.
        let short = mode
            .split(',')
            .next()
            .unwrap_or(&mode)
            .replace("through the ", "");
        let clocks = if drift == 0 {
            String::new()
        } else {
            format!(" {}%", drift / 10_000)
        };
        bars.push((format!("{short}{clocks}, {latency:.0} ms"), stale));
    }
    Figure::new("Stale reads from a deposed leader, per read mode (median latency)")
        .x_label("read mode (lease: clocks' drift), median read latency before the split")
        .y_label("stale reads per run (mean)")
        .size(900, 420)
        .bars("stale reads", bars)
}

/// Commands applied twice against the crash rate, with and without sessions (mean over seeds).
///
/// # Examples
///
/// ```
/// use lessons::raft::{dedupe_experiment, dedupe_figure};
///
/// let rows = dedupe_experiment(&[0.0, 1.0], 1, 1)?;
/// assert!(dedupe_figure(&rows).to_svg()?.contains("sessions on"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dedupe_figure(rows: &[DedupeRow]) -> Figure {
    let mut figure = Figure::new("Retried writes applied twice")
        .x_label("server crashes per second")
        .y_label("repeated applications per run (mean)");
    for sessions in [false, true] {
        let mine: Vec<&DedupeRow> = rows.iter().filter(|r| r.sessions == sessions).collect();
        let points: Vec<(f64, f64)> = groups(&mine, |row| row.crashes_per_second)
            .into_iter()
            .map(|rate| {
                let at: Vec<&&DedupeRow> = mine
                    .iter()
                    .filter(|r| r.crashes_per_second == rate)
                    .collect();
                let total: u64 = at.iter().map(|r| r.repeated_applications).sum();
                (rate, total as f64 / at.len() as f64)
            })
            .collect();
        let name = if sessions {
            "sessions on"
        } else {
            "sessions off"
        };
        figure = figure.line(name, points);
    }
    figure
}

/// Writes acknowledged per second and median commit latency against the batch size.
///
/// # Examples
///
/// ```
/// use lessons::raft::{batch_experiment, batch_figure};
///
/// let rows = batch_experiment(&[1, 8], 1)?;
/// assert!(batch_figure(&rows).to_svg()?.contains("writes per second"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn batch_figure(rows: &[BatchRow]) -> Figure {
    Figure::new("Batching: entries per AppendEntries (5 ms one-way, 10 clients)")
        .x_label("largest batch (entries per message)")
        .y_label("writes per second / median commit ms")
        .log_x()
        .line(
            "writes per second",
            rows.iter()
                .map(|row| (row.batch as f64, row.commits_per_second)),
        )
        .line(
            "median commit latency (ms)",
            rows.iter()
                .map(|row| (row.batch as f64, row.median_commit_ms)),
        )
}
