//! The lesson's figures, built from its experiments' rows, so that a notebook cell runs an
//! experiment and shows the picture without plotting code of its own.

use super::ab_test::{AllocationRow, PowerRow};
use super::all_reduce::AllReduceRow;
use super::batching::BatchingRow;
use super::canary::{CanaryRow, RequiredRow};
use super::categories::NewCategoryRow;
use super::drift::{DriftRow, FalseAlarmRow};
use super::freshness::{FreshnessParameters, FreshnessRun, StalenessEpisode, feature_age};
use super::label_delay::LabelDelayRow;
use super::point_in_time::LeakageRow;
use super::prediction_staleness::StalenessRow;
use super::retraining::{RetrainPolicy, RetrainingDay};
use super::search::SearchRow;
use crate::sim::Time;
use crate::viz::{Figure, groups};

/// How often each rule has aborted the canary by each minute, for one scenario (`what`, such as
/// "healthy canary"): a single look, a look every minute at alpha, Bonferroni looks, and the
/// naive "canary rate is higher" rule.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{CanaryParameters, canary_experiment, canary_figure};
///
/// let rows = canary_experiment(&CanaryParameters::default(), 50, 1)?;
/// assert!(canary_figure(&rows, "healthy canary").to_svg()?.contains("every minute"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn canary_figure(rows: &[CanaryRow], what: &str) -> Figure {
    type Share = fn(&CanaryRow) -> f64;
    let series: [(&str, Share); 4] = [
        ("one look, at this minute", |row| row.look_once),
        ("a look every minute at alpha", |row| row.peeking),
        ("a look every minute at alpha / 60", |row| row.sequential),
        ("naive: canary rate is higher", |row| row.naive),
    ];
    let mut figure = Figure::new(format!("Canary aborts: {what}"))
        .x_label("minutes since the canary started")
        .y_label("share of runs aborted");
    for (name, value) in series {
        figure = figure.line(name, rows.iter().map(|row| (row.minute as f64, value(row))));
    }
    figure
}

/// Canary requests needed against the canary's error rate, one line per traffic share
/// (logarithmic y axis).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{required_requests_figure, required_requests_rows};
///
/// let rows = required_requests_rows(0.003, &[0.005, 0.006], &[0.01, 0.5], 0.05, 0.8)?;
/// assert!(required_requests_figure(&rows).to_svg()?.contains("canary share 1%"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn required_requests_figure(rows: &[RequiredRow]) -> Figure {
    let mut figure = Figure::new("Canary requests for 80% power (baseline 0.3% errors)")
        .x_label("canary error rate (%)")
        .y_label("canary requests needed")
        .log_y();
    for share in groups(rows, |row| row.canary_share.to_bits()) {
        let share = f64::from_bits(share);
        figure = figure.line(
            format!("canary share {}%", share * 100.0),
            rows.iter()
                .filter(|row| row.canary_share == share)
                .map(|row| (row.canary_rate * 100.0, row.canary_requests as f64)),
        );
    }
    figure
}

/// Power against the per-arm sample size: simulated (points) and formula (line), one pair
/// per treatment rate.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{ab_power_experiment, power_figure};
///
/// let rows = ab_power_experiment(0.003, &[0.005], &[1_000, 10_000], 50, 0.05, 1)?;
/// assert!(power_figure(&rows).to_svg()?.contains("0.5%, formula"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn power_figure(rows: &[PowerRow]) -> Figure {
    let mut figure = Figure::new("Power of an A/B test (control 0.3%, alpha 0.05 two-sided)")
        .x_label("trials per arm")
        .y_label("P(the test finds the difference)");
    for rate in groups(rows, |row| row.treatment_rate.to_bits()) {
        let rate = f64::from_bits(rate);
        let mine: Vec<&PowerRow> = rows
            .iter()
            .filter(|row| row.treatment_rate == rate)
            .collect();
        figure = figure
            .points(
                format!("treatment {}%, simulated", rate * 100.0),
                mine.iter().map(|row| (row.per_arm as f64, row.simulated)),
            )
            .line(
                format!("treatment {}%, formula", rate * 100.0),
                mine.iter().map(|row| (row.per_arm as f64, row.formula)),
            );
    }
    figure
}

/// Power against the treatment's share of a fixed total, formula (line) and simulated
/// (points).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{allocation_experiment, allocation_figure};
///
/// let rows = allocation_experiment(0.05, 0.055, 100_000, &[0.1, 0.5], 20, 0.05, 1)?;
/// assert!(allocation_figure(&rows, "100,000 users").to_svg()?.contains("simulated"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocation_figure(rows: &[AllocationRow], total: &str) -> Figure {
    Figure::new(format!("Power against the split of {total}"))
        .x_label("treatment's share of the traffic")
        .y_label("P(the test finds the difference)")
        .line(
            "formula",
            rows.iter().map(|row| (row.treatment_share, row.formula)),
        )
        .points(
            "simulated",
            rows.iter().map(|row| (row.treatment_share, row.simulated)),
        )
}

/// PSI and KS D of each window against the reference, with the window where the shift begins
/// marked by a vertical line.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{DriftParameters, drift_experiment, drift_figure};
///
/// let rows = drift_experiment(&DriftParameters::default(), 1)?;
/// assert!(drift_figure(&rows, 0.2).to_svg()?.contains("KS D"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn drift_figure(rows: &[DriftRow], psi_threshold: f64) -> Figure {
    drift_figure_titled(rows, psi_threshold, "Drift monitors, window by window")
}

/// [`drift_figure`] under another title.
pub(super) fn drift_figure_titled(
    rows: &[DriftRow],
    psi_threshold: f64,
    title: impl Into<String>,
) -> Figure {
    let onset = rows
        .iter()
        .find(|row| row.shifted)
        .map(|row| row.window as f64);
    let top = rows
        .iter()
        .map(|row| row.psi.max(row.ks_d))
        .fold(psi_threshold, f64::max);
    let last = rows.last().map_or(0.0, |row| row.window as f64);
    let mut figure = Figure::new(title)
        .x_label("window")
        .y_label("statistic")
        .line("PSI", rows.iter().map(|row| (row.window as f64, row.psi)))
        .line("KS D", rows.iter().map(|row| (row.window as f64, row.ks_d)))
        .line(
            format!("PSI alarm threshold {psi_threshold}"),
            [(0.0, psi_threshold), (last, psi_threshold)],
        );
    if let Some(onset) = onset {
        figure = figure.line("the shift begins", [(onset, 0.0), (onset, top)]);
    }
    figure
}

/// The false-alarm rate of each monitor against the window size, under no drift at all
/// (logarithmic x axis).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{false_alarm_experiment, false_alarm_figure};
///
/// let rows = false_alarm_experiment(&[50, 500], 20, 1)?;
/// assert!(false_alarm_figure(&rows).to_svg()?.contains("PSI"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn false_alarm_figure(rows: &[FalseAlarmRow]) -> Figure {
    Figure::new("False alarms with no drift at all")
        .x_label("values per window")
        .y_label("share of windows that alarm")
        .log_x()
        .line(
            "PSI > 0.2",
            rows.iter()
                .map(|row| (row.window_size as f64, row.psi_alarm_rate)),
        )
        .line(
            "KS p < 0.05",
            rows.iter()
                .map(|row| (row.window_size as f64, row.ks_alarm_rate)),
        )
}

/// ROC curves, one per named model, with the diagonal of a model that guesses.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{roc_curve, roc_figure};
///
/// let curve = roc_curve(&[0.9, 0.1], &[true, false])?;
/// assert!(roc_figure(&[("perfect".to_string(), curve)]).to_svg()?.contains("perfect"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn roc_figure(curves: &[(String, Vec<(f64, f64)>)]) -> Figure {
    let mut figure = Figure::new("ROC curves")
        .x_label("false-positive rate")
        .y_label("true-positive rate")
        .line("guessing", [(0.0, 0.0), (1.0, 1.0)]);
    for (name, curve) in curves {
        figure = figure.line(name.clone(), curve.iter().copied());
    }
    figure
}

/// Offline against online accuracy for each training join, as bars: the leak is the gap.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{leakage_experiment, leakage_figure};
///
/// let rows = leakage_experiment(200, 1)?;
/// assert!(leakage_figure(&rows).to_svg()?.contains("online"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn leakage_figure(rows: &[LeakageRow]) -> Figure {
    Figure::new("A threshold model trained on two joins")
        .x_label("how the training set was joined")
        .y_label("accuracy on held-out accounts")
        .bars(
            "offline (same join)",
            rows.iter()
                .map(|row| (row.join.clone(), row.offline_accuracy)),
        )
        .bars(
            "online (values serving sees)",
            rows.iter()
                .map(|row| (row.join.clone(), row.online_accuracy)),
        )
}

/// The mean best score found against the budget, for a grid and for random search.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{search_experiment, search_figure};
///
/// let rows = search_experiment(&[4, 9], 20, 1)?;
/// assert!(search_figure(&rows).to_svg()?.contains("random"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn search_figure(rows: &[SearchRow]) -> Figure {
    Figure::new("Best score found on a budget (one important parameter of two)")
        .x_label("trials")
        .y_label("mean best score")
        .line(
            "grid",
            rows.iter()
                .map(|row| (row.budget as f64, row.grid_mean_best)),
        )
        .line(
            "random",
            rows.iter()
                .map(|row| (row.budget as f64, row.random_mean_best)),
        )
}

/// Time per gradient exchange against the number of workers, ring against parameter server
/// (logarithmic axes).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{all_reduce_figure, all_reduce_rows};
///
/// let rows = all_reduce_rows(&[2, 8, 64], 100e6, 1.25e9, 10e-6)?;
/// assert!(all_reduce_figure(&rows).to_svg()?.contains("ring all-reduce"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn all_reduce_figure(rows: &[AllReduceRow]) -> Figure {
    Figure::new("Summing gradients: time per step")
        .x_label("workers")
        .y_label("seconds per exchange")
        .log_x()
        .log_y()
        .line(
            "ring all-reduce",
            rows.iter()
                .map(|row| (row.workers as f64, row.ring_seconds)),
        )
        .line(
            "parameter server (one link)",
            rows.iter()
                .map(|row| (row.workers as f64, row.server_seconds)),
        )
}

/// The feature age over the run, with the SLO, the loud failures (when the failure alert fired)
/// and the runs the scheduler skipped (x in days).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, freshness_experiment, freshness_figure};
///
/// let parameters = FreshnessParameters::default();
/// let run = freshness_experiment(&Pipeline::feature_store(), &parameters, 1)?;
/// assert!(freshness_figure(&run, &parameters).to_svg()?.contains("SLO"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn freshness_figure(run: &FreshnessRun, parameters: &FreshnessParameters) -> Figure {
    let day = |time: Time| time.as_secs_f64() / 86_400.0;
    let slo = parameters.slo.as_secs_f64() / 3_600.0;
    let end = run.ages.last().map_or(0.0, |row| row.hour / 24.0);
    let age_at = |at: Time| {
        feature_age(&run.materializations, at).map_or(0.0, |age| age.as_secs_f64() / 3_600.0)
    };
    Figure::new("Feature age over the simulated days")
        .x_label("days")
        .y_label("feature age (hours)")
        .line(
            "feature age",
            [(0.0, 0.0)]
                .into_iter()
                .chain(run.ages.iter().map(|row| (row.hour / 24.0, row.age_hours))),
        )
        .line(format!("SLO {slo} h"), [(0.0, slo), (end, slo)])
        .points(
            "run failed (failure alert)",
            run.failures.iter().map(|&at| (day(at), age_at(at))),
        )
        .points(
            "run never started (no alert)",
            run.skipped_days.iter().map(|&skipped| {
                let at = parameters.period * (skipped as i64 + 1);
                (day(at), age_at(at))
            }),
        )
}

/// How long after the age crossed the SLO each alert fired, episode by episode (negative: the
/// failure alert fired before the features went stale; a missing point: it never fired).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, detection_experiment, detection_figure};
///
/// let episodes = detection_experiment(&Pipeline::feature_store(), &FreshnessParameters::default(), 20, 1)?;
/// assert!(detection_figure(&episodes).to_svg()?.contains("age alert"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn detection_figure(episodes: &[StalenessEpisode]) -> Figure {
    let numbered = |delay: fn(&StalenessEpisode) -> Option<f64>| {
        episodes
            .iter()
            .enumerate()
            .filter_map(move |(index, episode)| {
                delay(episode).map(|hours| (index as f64 + 1.0, hours))
            })
    };
    Figure::new("Time to detect stale features")
        .x_label("staleness episode")
        .y_label("hours after the age crossed the SLO")
        .points(
            "age alert",
            numbered(|episode| episode.age_alert_delay_hours),
        )
        .points(
            "failure alert",
            numbered(|episode| episode.failure_alert_delay_hours),
        )
}

/// Throughput and capacity against the largest batch size (logarithmic x axis).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, batching_experiment, batching_throughput_figure};
///
/// let rows = batching_experiment(&BatchingParameters::default(), &[1, 8], 1)?;
/// assert!(batching_throughput_figure(&rows).to_svg()?.contains("capacity"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn batching_throughput_figure(rows: &[BatchingRow]) -> Figure {
    Figure::new("Micro-batching: throughput")
        .x_label("largest batch")
        .y_label("requests per second")
        .log_x()
        .line(
            "capacity",
            rows.iter()
                .map(|row| (row.max_batch as f64, row.capacity_per_second)),
        )
        .points(
            "throughput (measured)",
            rows.iter()
                .map(|row| (row.max_batch as f64, row.throughput_per_second)),
        )
}

/// Median and 99th-percentile latency against the largest batch size (logarithmic axes).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{BatchingParameters, batching_experiment, batching_latency_figure};
///
/// let rows = batching_experiment(&BatchingParameters::default(), &[8, 16], 1)?;
/// assert!(batching_latency_figure(&rows).to_svg()?.contains("p99"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn batching_latency_figure(rows: &[BatchingRow]) -> Figure {
    Figure::new("Micro-batching: latency")
        .x_label("largest batch")
        .y_label("latency (ms)")
        .log_x()
        .log_y()
        .line(
            "p50",
            rows.iter().map(|row| (row.max_batch as f64, row.p50_ms)),
        )
        .line(
            "p99",
            rows.iter().map(|row| (row.max_batch as f64, row.p99_ms)),
        )
}

/// The staleness of scheduled batch predictions against the period: simulated mean (points),
/// `run_time + period / 2` (line) and the worst seen.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{staleness_experiment, staleness_figure};
/// use lessons::sim::secs;
///
/// let rows = staleness_experiment(&[secs(7_200), secs(14_400)], secs(1_800), 0.1, 1_000, 1)?;
/// assert!(staleness_figure(&rows).to_svg()?.contains("worst"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn staleness_figure(rows: &[StalenessRow]) -> Figure {
    Figure::new("How old are batch predictions when served?")
        .x_label("hours between batch runs")
        .y_label("staleness (hours)")
        .points(
            "mean (simulated)",
            rows.iter().map(|row| (row.period_hours, row.mean_hours)),
        )
        .line(
            "run time + period / 2",
            rows.iter()
                .map(|row| (row.period_hours, row.formula_mean_hours)),
        )
        .line(
            "worst seen",
            rows.iter().map(|row| (row.period_hours, row.worst_hours)),
        )
}

/// PSI of a window with a new category against the category's share, for two floors under the
/// reference's empty share, with the 0.2 alarm line.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{new_category_experiment, new_category_figure};
///
/// let rows = new_category_experiment(&[0.0, 0.05], 1_000, 1)?;
/// assert!(new_category_figure(&rows).to_svg()?.contains("floor 1e-6"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn new_category_figure(rows: &[NewCategoryRow]) -> Figure {
    let last = rows.last().map_or(0.0, |row| row.new_share * 100.0);
    Figure::new("PSI of a category the reference never saw")
        .x_label("the new category's share of the window (%)")
        .y_label("PSI")
        .line(
            "PSI, floor 1e-4",
            rows.iter()
                .map(|row| (row.new_share * 100.0, row.psi_floor_1e4)),
        )
        .line(
            "PSI, floor 1e-6",
            rows.iter()
                .map(|row| (row.new_share * 100.0, row.psi_floor_1e6)),
        )
        .line("alarm threshold 0.2", [(0.0, 0.2), (last, 0.2)])
}

/// Hours to detect an accuracy drop against the label delay, with the delay itself as a line.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{LabelDelayParameters, label_delay_experiment, label_delay_figure};
/// use lessons::sim::secs;
///
/// let rows = label_delay_experiment(&LabelDelayParameters::default(), &[secs(0), secs(3_600)], 1)?;
/// assert!(label_delay_figure(&rows).to_svg()?.contains("label delay"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn label_delay_figure(rows: &[LabelDelayRow]) -> Figure {
    Figure::new("Detecting an accuracy drop with delayed labels")
        .x_label("label delay (hours)")
        .y_label("hours from the drop to the alarm")
        .points(
            "time to detect",
            rows.iter().filter_map(|row| {
                row.detection_hours
                    .map(|hours| (row.label_delay_hours, hours))
            }),
        )
        .line(
            "the label delay itself",
            rows.iter()
                .map(|row| (row.label_delay_hours, row.label_delay_hours)),
        )
}

/// The serving model's daily error under each policy.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{RetrainPolicy, RetrainingParameters, retraining_figure, retraining_run};
///
/// let policy = RetrainPolicy::Every(30);
/// let days = retraining_run(&RetrainingParameters::default(), policy, 1)?;
/// assert!(retraining_figure(&[(policy, days)]).to_svg()?.contains("every 30 days"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn retraining_figure(runs: &[(RetrainPolicy, Vec<RetrainingDay>)]) -> Figure {
    let mut figure = Figure::new("Model error under two retraining policies")
        .x_label("day")
        .y_label("error of the serving model");
    for (policy, days) in runs {
        figure = figure.line(
            policy.to_string(),
            days.iter().map(|day| (day.day as f64, day.error)),
        );
    }
    figure
}
