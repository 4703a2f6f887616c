//! The lesson's figures and the small tables built from its experiments' rows, so that a
//! notebook cell runs an experiment and shows the picture without plotting code of its own.

use serde::Serialize;

use super::convergence::ConvergenceRow;
use super::error::QuorumError;
use super::inversion::LinearizabilityRow;
use super::latency::{LatencyRow, expected_exponential_wait};
use super::merkle::AntiEntropyRow;
use super::multi_dc::PartitionRow;
use super::overlap::Quorum;
use super::sloppy::{SloppyCluster, WriteOutcome};
use super::staleness::StaleRow;
use super::store::StoreMessage;
use super::strict_sloppy::StrictSloppyRow;
use crate::check::RegisterHistory;
use crate::sim::{EventKind, NodeId, Simulation, Time, ms};
use crate::viz::{Figure, SpaceTimeDiagram, groups};

/// The chance of a stale read against the time since the write, simulated (points) and from
/// the formula (line), one pair of series per quorum in
/// [`stale_read_experiment`](super::stale_read_experiment)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, stale_read_experiment, stale_read_figure};
/// use lessons::sim::ms;
///
/// let rows = stale_read_experiment(Quorum::new(3, 1, 1)?, &[ms(0), ms(10)], ms(10), 1_000, 1)?;
/// assert!(stale_read_figure(&rows).to_svg()?.contains("N=3 W=1 R=1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stale_read_figure(rows: &[StaleRow]) -> Figure {
    let mut figure = Figure::new("Stale reads after a write (spread: mean 10 ms)")
        .x_label("time between the write's acknowledgement and the read (ms)")
        .y_label("P(the read misses the write)");
    for quorum in groups(rows, |row| row.quorum.clone()) {
        let mine: Vec<&StaleRow> = rows.iter().filter(|row| row.quorum == quorum).collect();
        figure = figure
            .points(
                format!("{quorum}, simulated"),
                mine.iter().map(|row| (row.after_ms, row.measured)),
            )
            .line(
                format!("{quorum}, formula"),
                mine.iter().map(|row| (row.after_ms, row.computed)),
            );
    }
    figure
}

/// Median and 99th-percentile latency against the number of replies waited for, one pair of
/// series per N in [`quorum_latency_experiment`](super::quorum_latency_experiment)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{latency_figure, quorum_latency_experiment};
/// use lessons::sim::{Latency, ms};
///
/// let rows = quorum_latency_experiment(3, Latency::exponential(ms(6)), 1_000, 1)?;
/// assert!(latency_figure(&rows, "exponential, mean 6 ms").to_svg()?.contains("N=3, median"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn latency_figure(rows: &[LatencyRow], delays: &str) -> Figure {
    let mut figure = Figure::new(format!("Waiting for W of N replies ({delays})"))
        .x_label("replies waited for (W or R)")
        .y_label("latency (ms)");
    for n in groups(rows, |row| row.n) {
        let mine: Vec<&LatencyRow> = rows.iter().filter(|row| row.n == n).collect();
        figure = figure
            .line(
                format!("N={n}, median"),
                mine.iter().map(|row| (row.waited_for as f64, row.p50_ms)),
            )
            .line(
                format!("N={n}, 99th percentile"),
                mine.iter().map(|row| (row.waited_for as f64, row.p99_ms)),
            );
    }
    figure
}

/// A simulated mean wait next to the order-statistics formula's, for one (N, W).
///
/// # Examples
///
/// ```
/// use lessons::quorum::{expected_wait_rows, quorum_latency_experiment};
/// use lessons::sim::{Latency, ms};
///
/// let rows = quorum_latency_experiment(3, Latency::exponential(ms(6)), 1_000, 1)?;
/// let compared = expected_wait_rows(&rows, ms(6))?;
/// assert_eq!(compared[2].formula_mean_ms, "11.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedWaitRow {
    /// Replicas asked.
    #[serde(rename = "N")]
    pub n: usize,
    /// Replies waited for.
    #[serde(rename = "W")]
    pub waited_for: usize,
    /// The simulated mean, in ms to two decimals.
    #[serde(rename = "mean, simulated (ms)")]
    pub simulated_mean_ms: String,
    /// The formula's mean, in ms to two decimals.
    #[serde(rename = "mean, formula (ms)")]
    pub formula_mean_ms: String,
}

/// Each latency row's simulated mean with the mean the formula gives for exponential delays of
/// mean `mean` ([`expected_exponential_wait`]).
///
/// # Errors
///
/// As [`expected_exponential_wait`], for a row it does not accept or a `mean` that is not
/// positive.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{LatencyRow, expected_wait_rows};
/// use lessons::sim::ms;
///
/// let row = LatencyRow { n: 3, waited_for: 1, mean_ms: 2.01, p50_ms: 1.4, p99_ms: 9.2 };
/// assert_eq!(expected_wait_rows(&[row.clone()], ms(6))?[0].formula_mean_ms, "2.00");
/// assert!(expected_wait_rows(&[row], ms(0)).is_err());
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn expected_wait_rows(
    rows: &[LatencyRow],
    mean: Time,
) -> Result<Vec<ExpectedWaitRow>, QuorumError> {
    rows.iter()
        .map(|row| {
            let formula = expected_exponential_wait(row.n, row.waited_for, mean)?;
            Ok(ExpectedWaitRow {
                n: row.n,
                waited_for: row.waited_for,
                simulated_mean_ms: format!("{:.2}", row.mean_ms),
                formula_mean_ms: format!("{:.2}", formula.as_millis_f64()),
            })
        })
        .collect()
}

/// The recorded operations of a register history in one line: each action with the times it
/// was invoked and answered ("-" if never).
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ReadRepair, described_operations, inversion_run};
/// use lessons::check::RegisterHistory;
///
/// let run = inversion_run(ReadRepair::Off)?;
/// let history = RegisterHistory::from_operations(run.trace().operations())?;
/// assert!(described_operations(&history).contains(" → "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn described_operations(history: &RegisterHistory) -> String {
    let described: Vec<String> = history
        .operations()
        .iter()
        .map(|op| {
            let end = op.responded_at.map_or("-".to_string(), |t| t.to_string());
            format!("{} [{} → {}]", op.action, op.invoked_at, end)
        })
        .collect();
    described.join("; ")
}

/// The first 110 ms of an [`inversion_run`](super::inversion_run) as a space-time diagram,
/// each write labelled where it begins and each answer where it arrives.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ReadRepair, inversion_diagram, inversion_run};
///
/// let run = inversion_run(ReadRepair::Off)?;
/// assert!(inversion_diagram(&run, "no repair").to_svg()?.contains("no repair"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inversion_diagram(run: &Simulation<StoreMessage>, title: &str) -> SpaceTimeDiagram {
    let recorded = run.trace().operations().to_vec();
    run.trace()
        .diagram()
        .title(title)
        .between(ms(0), ms(110))
        .message_labels(false)
        .label_events(move |event| match event.kind {
            EventKind::Invoke { operation } if recorded[operation].operation != "read" => {
                recorded[operation].operation.clone()
            }
            EventKind::Respond { operation } => {
                let answer = recorded[operation].result.clone().unwrap_or_default();
                format!("→ {answer}")
            }
            _ => String::new(),
        })
}

/// The fraction of histories the checker rejects against σ, one line per variant, from
/// `(σ, row)` pairs of [`linearizability_experiment`](super::linearizability_experiment).
///
/// # Examples
///
/// ```
/// use lessons::quorum::{LinearizabilityRow, linearizability_figure};
///
/// let row = |fraction| LinearizabilityRow {
///     variant: "no read repair".to_string(),
///     histories: 100,
///     not_linearizable: (fraction * 100.0) as usize,
///     fraction,
///     first_bad_seed: None,
/// };
/// let figure = linearizability_figure(&[(0.0, row(0.0)), (2.0, row(0.07))]);
/// assert!(figure.to_svg()?.contains("no read repair"));
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
pub fn linearizability_figure(rows: &[(f64, LinearizabilityRow)]) -> Figure {
    let mut figure = Figure::new("Histories the checker rejects (N = 3, W = R = 2)")
        .x_label("σ of the log-normal delay (median 5 ms)")
        .y_label("fraction not linearizable (of 100 histories)");
    for variant in groups(rows, |(_, row)| row.variant.clone()) {
        let mine = rows.iter().filter(|(_, row)| row.variant == variant);
        figure = figure.line(
            variant.clone(),
            mine.map(|(sigma, row)| (*sigma, row.fraction)),
        );
    }
    figure
}

/// One step of the sloppy-quorum walk-through as a table row: what happened, the write's
/// outcome if there was a write, and what a strict read of the home replicas returns now.
///
/// # Errors
///
/// As [`SloppyCluster::read`].
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, SloppyCluster, handoff_step};
/// use lessons::sim::secs;
///
/// let quorum = Quorum::new(3, 2, 2)?;
/// let mut cluster = SloppyCluster::new(5, secs(3 * 3600))?;
/// let preference = [0, 1, 2, 3, 4];
/// let first = cluster.write(secs(0), 42, 1, &preference, quorum, true)?;
/// let row = handoff_step("write version 1", Some(first), &cluster, &preference, quorum)?;
/// assert_eq!(row[1], "true");
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn handoff_step(
    what: &str,
    outcome: Option<WriteOutcome>,
    cluster: &SloppyCluster,
    preference: &[NodeId],
    quorum: Quorum,
) -> Result<[String; 4], QuorumError> {
    let read = cluster.read(42, preference, quorum)?;
    let (ok, stored) = match outcome {
        Some(outcome) => (
            outcome.succeeded.to_string(),
            format!("{:?}", outcome.stored_on),
        ),
        None => (String::new(), String::new()),
    };
    Ok([what.to_string(), ok, stored, format!("{read:?}")])
}

/// Hashes compared to find the differing keys, on log axes: one hash per key against the
/// Merkle tree (tree and keys, and tree only), one point per row of
/// [`anti_entropy_experiment`](super::anti_entropy_experiment).
///
/// # Examples
///
/// ```
/// use lessons::quorum::{anti_entropy_experiment, anti_entropy_figure};
///
/// let rows = anti_entropy_experiment(10_000, &[1, 100], 8, 1)?;
/// assert!(anti_entropy_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn anti_entropy_figure(rows: &[AntiEntropyRow]) -> Figure {
    let keys = rows.first().map_or(0, |row| row.keys);
    let series = |pick: fn(&AntiEntropyRow) -> usize| {
        rows.iter()
            .map(move |row| (row.differing_keys as f64, pick(row) as f64))
    };
    Figure::new(format!("Finding differences among {keys} keys"))
        .x_label("keys that differ")
        .y_label("hashes compared")
        .log_x()
        .log_y()
        .line("every key's hash", series(|row| row.all_key_hashes))
        .line(
            "Merkle tree (tree + keys in differing buckets)",
            series(|row| row.tree_total),
        )
        .line(
            "Merkle tree, tree hashes only",
            series(|row| row.tree_hashes),
        )
}

/// Keys written in both data centres against the partition's length under LOCAL_QUORUM,
/// simulated and expected, from [`wan_partition_experiment`](super::wan_partition_experiment)'s
/// rows (rows of other levels are ignored).
///
/// # Examples
///
/// ```
/// use lessons::quorum::{conflicts_figure, wan_partition_experiment};
/// use lessons::sim::secs;
///
/// let rows = wan_partition_experiment(&[3, 3], &[secs(60), secs(600)], 5.0, 100_000, 1)?;
/// assert!(conflicts_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn conflicts_figure(rows: &[PartitionRow]) -> Figure {
    let local: Vec<&PartitionRow> = rows
        .iter()
        .filter(|row| row.level == "LOCAL_QUORUM")
        .collect();
    Figure::new("Conflicting keys after a WAN partition (LOCAL_QUORUM)")
        .x_label("partition length (minutes)")
        .y_label("keys written in both data centres")
        .points(
            "simulated",
            local
                .iter()
                .map(|row| (row.partition_minutes, row.conflicting_keys as f64)),
        )
        .line(
            "expected",
            local
                .iter()
                .map(|row| (row.partition_minutes, row.expected_conflicts)),
        )
}

/// Write availability and stale reads against the partition's length, for strict and sloppy
/// quorums, from [`strict_vs_sloppy_experiment`](super::strict_vs_sloppy_experiment)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{strict_vs_sloppy_experiment, strict_vs_sloppy_figure};
/// use lessons::sim::secs;
///
/// let rows = strict_vs_sloppy_experiment(&[secs(0), secs(600)], secs(300), 1)?;
/// assert!(strict_vs_sloppy_figure(&rows).to_svg()?.contains("sloppy: stale reads"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn strict_vs_sloppy_figure(rows: &[StrictSloppyRow]) -> Figure {
    let mut figure = Figure::new("A partition of growing length: strict against sloppy quorums")
        .x_label("partition length (minutes of the hour)")
        .y_label("share of the hour's writes or reads");
    for quorum in ["strict", "sloppy"] {
        let mine: Vec<&StrictSloppyRow> = rows.iter().filter(|row| row.quorum == quorum).collect();
        figure = figure
            .line(
                format!("{quorum}: writes acknowledged"),
                mine.iter().map(|row| (row.partition_min, row.writes_ok)),
            )
            .line(
                format!("{quorum}: stale reads"),
                mine.iter().map(|row| (row.partition_min, row.stale_reads)),
            );
    }
    figure
}

/// The share of keys on which every replica agrees against time, one line per way of
/// repairing in [`convergence_experiment`](super::convergence_experiment)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ReadRepairParameters, convergence_experiment, convergence_figure};
/// use lessons::sim::secs;
///
/// let parameters = ReadRepairParameters { duration: secs(2), ..Default::default() };
/// let rows = convergence_experiment(&parameters, secs(1), 1)?;
/// assert!(convergence_figure(&rows).to_svg()?.contains("blocking read repair"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn convergence_figure(rows: &[ConvergenceRow]) -> Figure {
    let mut figure = Figure::new("Replicas coming to agree: read repair against anti-entropy")
        .x_label("time since reads began (s)")
        .y_label("share of keys on which all replicas agree");
    for repair in groups(rows, |row| row.repair.clone()) {
        figure = figure.line(
            repair.clone(),
            rows.iter()
                .filter(|row| row.repair == repair)
                .map(|row| (row.time_s, row.keys_agreeing)),
        );
    }
    figure
}
