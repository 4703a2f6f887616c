//! The lesson's pictures, built from the experiments' rows.

use super::comparison::{DetectorRow, PhiRow};
use super::fencing::PauseRun;
use super::gossip::GossipRow;
use super::heartbeat::HeartbeatRow;
use super::swim::ProbeRow;
use super::timeouts::TimeoutRow;
use crate::viz::{Figure, Heatmap};

/// The timeout trade-off of 9.1: one point per τ, mean detection delay against the
/// false-suspicion rate.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{timeout_experiment, timeout_figure};
/// use lessons::sim::{Latency, ms};
///
/// let rows = timeout_experiment(&Latency::log_normal(ms(20), 1.0), &[ms(50), ms(100)], ms(100), 1_000, 1)?;
/// assert!(timeout_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn timeout_figure(rows: &[TimeoutRow]) -> Figure {
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|row| (row.detection_ms, row.false_suspicion_rate))
        .collect();
    Figure::new("Timeouts: false suspicion against detection delay")
        .x_label("mean detection delay of a crash (ms)")
        .y_label("fraction of live answers suspected")
        .line("one point per timeout τ", points.clone())
        .points("τ", points)
}

/// Heatmaps of the fixed-heartbeat experiment over (T, K): mean detection time and false
/// suspicions per hour. `periods` and `misses` name the rows and columns in the order the
/// experiment ran them.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{HeartbeatChannel, heartbeat_experiment, heartbeat_heatmaps};
/// use lessons::sim::{Latency, ms, secs};
///
/// let channel = HeartbeatChannel::new(0.05, Latency::uniform(ms(0), ms(500)))?;
/// let rows = heartbeat_experiment(&channel, &[secs(1), secs(5)], &[1, 3], 1.0, 20, 1)?;
/// let (detection, noise) = heartbeat_heatmaps(&rows);
/// assert!(detection.to_svg().is_ok() && noise.to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn heartbeat_heatmaps(rows: &[HeartbeatRow]) -> (Heatmap, Heatmap) {
    let mut periods: Vec<f64> = Vec::new();
    let mut misses: Vec<u32> = Vec::new();
    for row in rows {
        if !periods.contains(&row.period_s) {
            periods.push(row.period_s);
        }
        if !misses.contains(&row.misses) {
            misses.push(row.misses);
        }
    }
    let grid = |value: fn(&HeartbeatRow) -> f64| -> Vec<Vec<f64>> {
        periods
            .iter()
            .map(|&period| {
                misses
                    .iter()
                    .map(|&k| {
                        rows.iter()
                            .find(|row| row.period_s == period && row.misses == k)
                            .map_or(0.0, value)
                    })
                    .collect()
            })
            .collect()
    };
    let columns: Vec<String> = misses.iter().map(|k| format!("K = {k}")).collect();
    let names: Vec<String> = periods.iter().map(|t| format!("T = {t} s")).collect();
    let heatmap = |title: &str, values| {
        Heatmap::new(title)
            .x_label("misses before declaring death")
            .y_label("heartbeat period")
            .columns(columns.clone())
            .rows(names.clone())
            .values(values)
            .show_values(true)
    };
    (
        heatmap(
            "Mean detection time after a crash (s)",
            grid(|row| row.detection_s),
        ),
        heatmap(
            "False suspicions per hour",
            grid(|row| row.false_suspicions_per_hour),
        ),
    )
}

/// Phi over time, exponential and normal models, with the threshold 8 drawn across.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{phi_figure, phi_timeline};
/// use lessons::sim::{Latency, ms, secs};
///
/// let rows = phi_timeline(secs(1), &Latency::constant(ms(5)), None, secs(10), secs(20), ms(100), 1)?;
/// assert!(phi_figure("phi around a crash", &rows, 12.0).to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn phi_figure(title: &str, rows: &[PhiRow], cap: f64) -> Figure {
    phi_threshold_figure(title, rows, cap, 8.0)
}

/// Phi over time as [`phi_figure`] draws it, with the line across at `threshold` instead of 8:
/// the live figure of 9.3, where a learner moves the threshold and sees which model crosses it
/// first, and whether before or after the crash.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{phi_threshold_figure, phi_timeline};
/// use lessons::sim::{Latency, ms, secs};
///
/// let rows = phi_timeline(secs(1), &Latency::constant(ms(5)), None, secs(10), secs(20), ms(100), 1)?;
/// assert!(phi_threshold_figure("phi", &rows, 12.0, 3.0).to_svg()?.contains("threshold 3"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn phi_threshold_figure(title: &str, rows: &[PhiRow], cap: f64, threshold: f64) -> Figure {
    let capped = |value: f64| {
        if value.is_finite() {
            value.min(cap)
        } else {
            cap
        }
    };
    let first = rows.first().map_or(0.0, |row| row.time_s);
    let last = rows.last().map_or(1.0, |row| row.time_s);
    Figure::new(title)
        .x_label("time (s)")
        .y_label(format!("phi (drawn up to {cap})"))
        .line(
            "exponential model (Cassandra)",
            rows.iter()
                .map(|row| (row.time_s, capped(row.phi_exponential))),
        )
        .line(
            "normal model (Akka, min stddev 100 ms)",
            rows.iter().map(|row| (row.time_s, capped(row.phi_normal))),
        )
        .line(
            format!("threshold {threshold}"),
            [(first, threshold), (last, threshold)],
        )
}

/// The detector comparison of 9.3: per family, false suspicions per hour against detection
/// delay, one point per setting.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{DetectorSetting, ShiftingNetwork, compare_detectors, detector_figure};
/// use lessons::sim::{Latency, ms, secs};
///
/// let steady = Latency::log_normal(ms(10), 0.5);
/// let network = ShiftingNetwork::new(secs(1), steady.clone(), steady, secs(0), 0.01)?;
/// let settings = [1_500, 3_000].map(|t| DetectorSetting::FixedTimeout { timeout: ms(t) });
/// let rows = compare_detectors(&network, &settings, 1.0, 10, 1)?;
/// assert!(detector_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn detector_figure(rows: &[DetectorRow]) -> Figure {
    let mut families: Vec<&str> = Vec::new();
    for row in rows {
        if !families.contains(&row.detector.as_str()) {
            families.push(&row.detector);
        }
    }
    families.into_iter().fold(
        Figure::new("Detectors on the same heartbeats: noise against speed")
            .x_label("mean detection delay after a crash (s)")
            .y_label("false suspicions per hour"),
        |figure, family| {
            figure.line(
                family,
                rows.iter()
                    .filter(|row| row.detector == family)
                    .map(|row| (row.detection_s, row.false_suspicions_per_hour)),
            )
        },
    )
}

/// Rounds to reach everyone against N (log axis), one line per exchange, with `log2 N + ln N`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Exchange, gossip_experiment, gossip_figure};
///
/// let rows = gossip_experiment(&[10, 100], &[Exchange::Push], 1, 0.0, 3, 1)?;
/// assert!(gossip_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn gossip_figure(rows: &[GossipRow]) -> Figure {
    let mut series: Vec<String> = Vec::new();
    for row in rows {
        let name = format!("{}, fanout {}", row.exchange, row.fanout);
        if !series.contains(&name) {
            series.push(name);
        }
    }
    let mut sizes: Vec<usize> = rows.iter().map(|row| row.nodes).collect();
    sizes.sort();
    sizes.dedup();
    let figure = series.iter().fold(
        Figure::new("Gossip: rounds until every node knows")
            .x_label("N (nodes, log scale)")
            .y_label("mean rounds")
            .log_x(),
        |figure, name| {
            figure.line(
                name.clone(),
                rows.iter()
                    .filter(|row| &format!("{}, fanout {}", row.exchange, row.fanout) == name)
                    .map(|row| (row.nodes as f64, row.mean_rounds)),
            )
        },
    );
    figure.line(
        "log2 N + ln N",
        sizes
            .iter()
            .map(|&n| (n as f64, super::gossip::push_rounds_estimate(n))),
    )
}

/// False-failure probability of SWIM probing against the number of indirect helpers, on a
/// log axis: measured and computed.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{indirect_probe_experiment, probe_figure};
///
/// let rows = indirect_probe_experiment(1.0, 0.1, &[0, 1, 2], 10_000, 1)?;
/// assert!(probe_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn probe_figure(rows: &[ProbeRow]) -> Figure {
    Figure::new("SWIM: a broken link, k indirect probes")
        .x_label("indirect probes k")
        .y_label("P(healthy node declared failed), log scale")
        .log_y()
        .line(
            "computed",
            rows.iter()
                .map(|row| (f64::from(row.indirect), row.computed)),
        )
        .points(
            "simulated (probes with no false failure not drawn)",
            rows.iter()
                .filter(|row| row.false_failures > 0)
                .map(|row| (f64::from(row.indirect), row.measured)),
        )
}

/// The pause scenario as a timeline: who believes it holds the lease, and which writes the
/// storage applied or refused.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Fencing, fencing_timeline, pause_scenario};
/// use lessons::sim::secs;
///
/// let run = pause_scenario(Fencing::TokenCheck, secs(8))?;
/// assert!(fencing_timeline(&run).to_svg().is_ok());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn fencing_timeline(run: &PauseRun) -> Figure {
    let end = run
        .writes
        .iter()
        .map(|write| write.decided_s)
        .fold(run.a_stops_believing_s, f64::max);
    let lane = |client: &str| if client == "A" { 3.0 } else { 1.0 };
    let writes = |applied: bool| {
        run.writes
            .iter()
            .filter(move |write| write.applied == applied)
            .map(move |write| (write.decided_s, lane(&write.client) - 0.5))
    };
    Figure::new(format!(
        "A paused {} s, {}: lanes and writes",
        run.pause_s, run.fencing
    ))
    .x_label("time (s)")
    .y_label("A above, B below")
    .size(760, 400)
    .line(
        "A believes it holds the lease",
        [(0.0, 3.3), (run.a_stops_believing_s, 3.3)],
    )
    .line(
        "A's lease at the lock service",
        [(0.0, 3.0), (run.a_lease_ends_s, 3.0)],
    )
    .line("B holds the lease", [(run.a_lease_ends_s, 1.0), (end, 1.0)])
    .points("write applied", writes(true))
    .points("write refused", writes(false))
}
