//! The lesson's figures, built from the experiments' rows so that a notebook cell only runs an
//! experiment and shows its picture.

use std::ops::RangeBounds;

use super::cart::CartRow;
use super::convergence::ConvergenceRun;
use super::counters::DuplicationRow;
use super::lattice::Crdt;
use super::metadata::MetadataRow;
use super::overdraft::OverdraftRow;
use super::pncounter::PNCounter;
use crate::viz::Figure;

/// The naive "+1" count against the G-Counter as duplication grows, one point per row of
/// [`duplication_experiment`](super::duplication_experiment).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CounterParameters, duplication_experiment, duplication_figure};
///
/// let row = duplication_experiment(&CounterParameters::default(), 1)?;
/// assert!(duplication_figure(&[row]).to_svg().is_ok());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn duplication_figure(rows: &[DuplicationRow]) -> Figure {
    let total = rows.first().map_or(0, |row| row.increments);
    Figure::new(format!("{total} increments over a duplicating network"))
        .x_label("chance that a message is delivered twice")
        .y_label("value read at a replica")
        .line(
            "naive count, mean over replicas",
            rows.iter().map(|row| (row.duplication, row.naive_mean)),
        )
        .line(
            "G-Counter, every replica",
            rows.iter()
                .map(|row| (row.duplication, row.increments as f64)),
        )
}

/// Each replica's PN-Counter value over time, as steps, one series per replica, under `title`
/// with `what` on the vertical axis.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{ConvergenceParameters, PNCounter, convergence_run, values_figure};
///
/// let run = convergence_run(&ConvergenceParameters::default(), PNCounter::new(), |c: &mut PNCounter, me, _| {
///     c.increment(me);
/// }, 3)?;
/// assert!(values_figure(&run, "Likes at each replica", "likes").to_svg().is_ok());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn values_figure(run: &ConvergenceRun<PNCounter>, title: &str, what: &str) -> Figure {
    let replicas = run.states.first().map_or(0, Vec::len);
    let mut figure = Figure::new(title).x_label("time (s)").y_label(what);
    for replica in 0..replicas {
        let points = run
            .samples
            .iter()
            .zip(&run.states)
            .map(|(sample, states)| (sample.time_ms / 1000.0, states[replica].value() as f64));
        figure = figure.step(format!("replica {}", super::replica_name(replica)), points);
    }
    figure
}

/// At each sample (time in seconds), how many updates the most-behind replica has not seen yet:
/// the updates in the merge of all replicas' states minus those in its own.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{ConvergenceParameters, PNCounter, convergence_run, updates_behind};
///
/// let run = convergence_run(&ConvergenceParameters::default(), PNCounter::new(), |c: &mut PNCounter, me, _| {
///     c.increment(me);
/// }, 3)?;
/// let behind = updates_behind(&run);
/// assert_eq!(behind.len(), run.samples.len());
/// assert_eq!(behind.last().map(|&(_, n)| n), Some(0));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn updates_behind(run: &ConvergenceRun<PNCounter>) -> Vec<(f64, u64)> {
    let seen = |c: &PNCounter| c.increments().value() + c.decrements().value();
    run.samples
        .iter()
        .zip(&run.states)
        .map(|(sample, states)| {
            let everything = states.iter().fold(PNCounter::new(), |all, s| all.merged(s));
            let most_behind = states
                .iter()
                .map(|s| seen(&everything) - seen(s))
                .max()
                .unwrap_or(0);
            (sample.time_ms / 1000.0, most_behind)
        })
        .collect()
}

/// The largest number of updates the most-behind replica missed at times (in seconds) within
/// `seconds`, from [`updates_behind`]; 0 when no sample falls in the range.
///
/// # Examples
///
/// ```
/// use lessons::crdt::most_behind_between;
///
/// let behind = [(0.0, 1), (0.5, 7), (1.0, 3), (2.0, 0)];
/// assert_eq!(most_behind_between(&behind, ..0.5), 1);
/// assert_eq!(most_behind_between(&behind, 0.5..=1.5), 7);
/// ```
pub fn most_behind_between(behind: &[(f64, u64)], seconds: impl RangeBounds<f64>) -> u64 {
    behind
        .iter()
        .filter(|(time, _)| seconds.contains(time))
        .map(|&(_, updates)| updates)
        .max()
        .unwrap_or(0)
}

/// [`updates_behind`] as a step chart.
///
/// # Examples
///
/// ```
/// use lessons::crdt::lag_figure;
///
/// assert!(lag_figure(&[(0.0, 0), (0.1, 2)]).to_svg().is_ok());
/// ```
pub fn lag_figure(behind: &[(f64, u64)]) -> Figure {
    Figure::new("Updates the most-behind replica has not seen yet")
        .x_label("time (s)")
        .y_label("updates")
        .step(
            "PN-Counter replicas",
            behind.iter().map(|&(time, n)| (time, n as f64)),
        )
}

/// Resurrected items per remove against concurrency, for the union-of-siblings cart and the
/// OR-Set cart, one point per row of [`cart_experiment`](super::cart_experiment).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CartParameters, cart_experiment, cart_figure};
///
/// let row = cart_experiment(&CartParameters::default(), 1)?;
/// assert!(cart_figure(&[row]).to_svg().is_ok());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn cart_figure(rows: &[CartRow]) -> Figure {
    let trials = rows.first().map_or(0, |row| row.trials);
    Figure::new(format!(
        "Removed items that come back ({trials} trials per point)"
    ))
    .x_label("chance that the second change is concurrent with the first")
    .y_label("resurrected items per remove")
    .line(
        "union of siblings (Dynamo cart)",
        rows.iter()
            .map(|r| (r.concurrency, r.union_resurrection_rate)),
    )
    .line(
        "OR-Set",
        rows.iter()
            .map(|r| (r.concurrency, r.or_set_resurrection_rate)),
    )
}

/// Units sold, sold by one coordinated counter, and oversold, against the partition length,
/// one point per row of [`overdraft_experiment`](super::overdraft_experiment).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{OverdraftParameters, overdraft_experiment, overdraft_figure};
///
/// let row = overdraft_experiment(&OverdraftParameters::default(), 1)?;
/// assert!(overdraft_figure(&[row]).to_svg().is_ok());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn overdraft_figure(rows: &[OverdraftRow]) -> Figure {
    let seconds = |row: &OverdraftRow| row.partition_ms / 1000.0;
    let stock = rows.first().map_or(0, |row| row.stock);
    Figure::new(format!("Selling {stock} units from partitioned replicas"))
        .x_label("partition length (s)")
        .y_label("units")
        .line(
            "sold (PN-Counter, each replica checks its own view)",
            rows.iter().map(|r| (seconds(r), r.sold as f64)),
        )
        .line(
            "sold by one coordinated counter",
            rows.iter().map(|r| (seconds(r), r.coordinated_sold as f64)),
        )
        .line(
            "oversold",
            rows.iter().map(|r| (seconds(r), r.oversold as f64)),
        )
}

/// The sets' sizes in KiB as operations accumulate, one point per row of
/// [`metadata_experiment`](super::metadata_experiment).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{MetadataParameters, metadata_experiment, metadata_growth_figure};
///
/// let rows = metadata_experiment(&MetadataParameters::default(), 1)?;
/// assert!(metadata_growth_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn metadata_growth_figure(rows: &[MetadataRow]) -> Figure {
    let kib = |pick: fn(&MetadataRow) -> usize| {
        rows.iter()
            .map(move |row| (row.operations as f64, pick(row) as f64 / 1024.0))
    };
    let replicas = rows.first().map_or(0, |row| row.replicas);
    Figure::new(format!(
        "State size as operations accumulate ({replicas} replicas)"
    ))
    .x_label("operations")
    .y_label("KiB")
    .line("2P-Set", kib(|r| r.two_phase_set_bytes))
    .line(
        "OR-Set keeping tombstones",
        kib(|r| r.or_set_with_tombstones_bytes),
    )
    .line("OR-Set (dots and version vector)", kib(|r| r.or_set_bytes))
    .line("the items themselves", kib(|r| r.payload_bytes))
}

/// The PN-Counter's size and the OR-Set's metadata (without the items) against the number of
/// replicas, one point per row (the last sample of each run of
/// [`metadata_experiment`](super::metadata_experiment)).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{MetadataParameters, metadata_by_replicas_figure, metadata_experiment};
///
/// let rows = metadata_experiment(&MetadataParameters { samples: 1, ..MetadataParameters::default() }, 1)?;
/// assert!(metadata_by_replicas_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn metadata_by_replicas_figure(rows: &[MetadataRow]) -> Figure {
    let operations = rows.first().map_or(0, |row| row.operations);
    Figure::new(format!(
        "State size as replicas grow ({operations} operations)"
    ))
    .x_label("replicas")
    .y_label("bytes")
    .line(
        "PN-Counter",
        rows.iter()
            .map(|r| (r.replicas as f64, r.pn_counter_bytes as f64)),
    )
    .line(
        "OR-Set: dots and version vector, without the items",
        rows.iter()
            .map(|r| (r.replicas as f64, (r.or_set_bytes - r.payload_bytes) as f64)),
    )
}
