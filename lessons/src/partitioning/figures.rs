//! The lesson's figures, built from its experiments' rows so that a notebook cell runs an
//! experiment and shows the picture without plotting code of its own.

use super::hot_keys::SaltingRow;
use super::movement::{BalanceRow, RemapRow};
use super::ranges::{ScanRow, WriteShareRow};
use super::rebalancing::CascadeRow;
use super::scatter_gather::FanOutRow;
use super::weighted::WeightedJoinRow;
use crate::viz::Figure;

/// The fraction of keys that change node when N nodes become M, for hash mod N, the ring and
/// the ideal |M − N| / max(N, M), one point per row of
/// [`remap_sweep`](super::remap_sweep).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{remap_figure, remap_sweep};
///
/// let rows = remap_sweep(10, &[9, 11], 64, 1_000, 1)?;
/// assert!(remap_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn remap_figure(rows: &[RemapRow]) -> Figure {
    let from = rows.first().map_or(0, |row| row.from_nodes);
    let series =
        |pick: fn(&RemapRow) -> f64| rows.iter().map(move |row| (row.to_nodes as f64, pick(row)));
    Figure::new(format!("{from} nodes become M: which keys change node?"))
        .x_label("nodes after the change (M)")
        .y_label("fraction of keys that move")
        .line("hash mod N", series(|row| row.mod_n_moved))
        .line("ring", series(|row| row.ring_moved))
        .line("|M - N| / max(N, M)", series(|row| row.ideal_ring_moved))
}

/// The largest and smallest node's share over the mean share, against the vnodes per node on
/// a log axis, one point per row of [`balance_sweep`](super::balance_sweep).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{balance_figure, balance_sweep};
///
/// let rows = balance_sweep(10, &[1, 16, 256], 2)?;
/// assert!(balance_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn balance_figure(rows: &[BalanceRow]) -> Figure {
    let series = |pick: fn(&BalanceRow) -> f64| {
        rows.iter()
            .map(move |row| (f64::from(row.vnodes), pick(row)))
    };
    Figure::new("How uneven are the nodes' shares?")
        .x_label("vnodes per node")
        .y_label("share / mean share")
        .log_x()
        .line("largest node", series(|row| row.max_over_mean))
        .line("smallest node", series(|row| row.min_over_mean))
}

/// The spread of the nodes' shares (standard deviation over mean) against 1/√V, both on log
/// axes, where a power law is a straight line.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{balance_sweep, spread_figure};
///
/// let rows = balance_sweep(10, &[1, 16, 256], 2)?;
/// assert!(spread_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn spread_figure(rows: &[BalanceRow]) -> Figure {
    let series = |pick: fn(&BalanceRow) -> f64| {
        rows.iter()
            .map(move |row| (f64::from(row.vnodes), pick(row)))
    };
    Figure::new("Spread of node shares against 1/sqrt(V)")
        .x_label("vnodes per node")
        .y_label("standard deviation / mean")
        .log_x()
        .log_y()
        .line("measured spread", series(|row| row.spread))
        .line("1 / sqrt(V)", series(|row| row.one_over_sqrt_v))
}

/// Each scheme's share of the new writes per partition, as bars, from
/// [`write_hot_spot`](super::write_hot_spot).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{hot_spot_figure, write_hot_spot};
///
/// let rows = write_hot_spot(4, 1_000, 100, 1)?;
/// assert!(hot_spot_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn hot_spot_figure(rows: &[WriteShareRow]) -> Figure {
    let partitions = rows.iter().map(|row| row.partition + 1).max().unwrap_or(0);
    let mut schemes: Vec<&str> = Vec::new();
    for row in rows {
        if !schemes.contains(&row.scheme) {
            schemes.push(row.scheme);
        }
    }
    let mut figure = Figure::new(format!(
        "Where new writes of time-ordered keys go ({partitions} partitions)"
    ))
    .y_label("share of the new writes");
    for scheme in schemes {
        let bars = rows
            .iter()
            .filter(|row| row.scheme == scheme)
            .map(|row| (format!("p{}", row.partition), row.share));
        figure = figure.bars(scheme, bars);
    }
    figure
}

/// Partitions one range scan reads, against the keys scanned on a log axis, for range and
/// hash partitioning, one point per row of [`scan_fan_out`](super::scan_fan_out).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{scan_fan_out, scan_figure};
///
/// let rows = scan_fan_out(8, &[1, 10, 100], 10, 1)?;
/// assert!(scan_figure(&rows, 8).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn scan_figure(rows: &[ScanRow], partitions: usize) -> Figure {
    Figure::new(format!(
        "Partitions one range scan reads ({partitions} partitions)"
    ))
    .x_label("keys scanned")
    .y_label("partitions read (mean of the scans)")
    .log_x()
    .line(
        "range partitioning",
        rows.iter()
            .map(|row| (row.width as f64, row.range_partitions)),
    )
    .line(
        "hash partitioning",
        rows.iter()
            .map(|row| (row.width as f64, row.hash_partitions)),
    )
}

/// The busiest partition's share and the reads a total costs (over 100), against the salt
/// buckets on a log axis, one point per row of [`salting_trial`](super::salting_trial).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{salting_figure, salting_trial};
///
/// let rows = salting_trial(&[0.8, 0.2], 1, &[1, 10], 10, 64)?;
/// assert!(salting_figure(&rows, "page views").to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn salting_figure(rows: &[SaltingRow], hot_key: &str) -> Figure {
    Figure::new(format!("Salting the {hot_key} key"))
        .x_label(format!("buckets b for the {hot_key} key"))
        .y_label("busiest partition's share of all writes")
        .log_x()
        .line(
            "busiest partition",
            rows.iter()
                .map(|row| (row.buckets as f64, row.busiest_share)),
        )
        .line(
            "reads per total / 100",
            rows.iter()
                .map(|row| (row.buckets as f64, row.reads_per_total as f64 / 100.0)),
        )
}

/// The fraction of nodes still up after a cascade, against the load before the failure, one
/// line per vnode count in the rows of [`cascade_trial`](super::cascade_trial).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{cascade_figure, cascade_trial};
///
/// let rows = cascade_trial(10, &[1, 16], &[0.3, 0.6], 2)?;
/// assert!(cascade_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn cascade_figure(rows: &[CascadeRow]) -> Figure {
    let mut vnode_counts: Vec<u32> = rows.iter().map(|row| row.vnodes).collect();
    vnode_counts.dedup();
    let mut figure = Figure::new("One node dies: how many are still up when it stops?")
        .x_label("mean load / capacity before the failure")
        .y_label("fraction of nodes up (mean of the rings)");
    for vnodes in vnode_counts {
        let points = rows
            .iter()
            .filter(|row| row.vnodes == vnodes)
            .map(|row| (row.utilization, row.surviving));
        figure = figure.line(format!("V = {vnodes} vnodes per node"), points);
    }
    figure
}

/// Median and 99th-percentile query latency against the partitions a query asks, one point
/// per row of [`fan_out_trial`](super::fan_out_trial).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{ShardLatency, fan_out_latency_figure, fan_out_trial};
///
/// let rows = fan_out_trial(&[1, 10], ShardLatency::typical(0.01), 1_000, 1)?;
/// assert!(fan_out_latency_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn fan_out_latency_figure(rows: &[FanOutRow]) -> Figure {
    Figure::new("Scatter-gather: the query waits for its slowest partition")
        .x_label("partitions per query (k)")
        .y_label("query latency (ms)")
        .line(
            "p50",
            rows.iter().map(|row| (row.fan_out as f64, row.p50_ms)),
        )
        .line(
            "p99",
            rows.iter().map(|row| (row.fan_out as f64, row.p99_ms)),
        )
}

/// The fraction of queries that met a slow partition against the partitions asked, measured
/// and from 1 − (1 − p)^k with p the chance that one partition is slow.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{ShardLatency, fan_out_trial, slow_partition_figure};
///
/// let rows = fan_out_trial(&[1, 10], ShardLatency::typical(0.01), 1_000, 1)?;
/// assert!(slow_partition_figure(&rows, 0.01).to_svg().is_ok());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn slow_partition_figure(rows: &[FanOutRow], p: f64) -> Figure {
    let largest = rows.iter().map(|row| row.fan_out).max().unwrap_or(1) as i32;
    Figure::new(format!(
        "P(the query meets a slow partition), p = {}% per partition",
        p * 100.0
    ))
    .x_label("partitions per query (k)")
    .y_label("fraction of queries")
    .points(
        "measured",
        rows.iter()
            .map(|row| (row.fan_out as f64, row.slow_fraction)),
    )
    .line(
        "1 - (1 - p)^k",
        (1..=largest).map(|k| (f64::from(k), 1.0 - (1.0 - p).powi(k))),
    )
}

/// A bigger node's share against what its capacity asks for, against the vnodes per node (log
/// axis): one point per ring of [`weighted_join_trials`](super::weighted_join_trials)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{weighted_join_figure, weighted_join_trials};
///
/// let rows = weighted_join_trials(10, &[1, 64], 2, 3)?;
/// assert!(weighted_join_figure(&rows).to_svg().unwrap().contains("capacity"));
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn weighted_join_figure(rows: &[WeightedJoinRow]) -> Figure {
    let weight = rows.first().map_or(1, |row| row.weight);
    let mut vnodes: Vec<f64> = rows.iter().map(|row| f64::from(row.vnodes)).collect();
    vnodes.dedup();
    Figure::new(format!(
        "A node with {weight}× the capacity joins, with {weight}× the vnodes"
    ))
    .x_label("vnodes per ordinary node")
    .y_label("newcomer's share / its capacity's share")
    .log_x()
    .points(
        "one ring",
        rows.iter()
            .map(|row| (f64::from(row.vnodes), row.moved_over_ideal)),
    )
    .line("capacity", vnodes.into_iter().map(|v| (v, 1.0)))
}
