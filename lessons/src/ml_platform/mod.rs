//! ML-platform experiments: the statistics behind canaries, A/B tests, drift monitors and
//! offline metrics, and the data plumbing that makes a training set honest.
//!
//! Shipping a model or a service version is an experiment on live traffic, and the questions
//! are statistical: is the canary's error rate really higher, did the new ranker really lift
//! conversions, has the input distribution moved? This module gives each question a small
//! exact tool and an experiment that shows where the tool stops working.
//!
//! # Tests and what they promise
//!
//! * **Proportions** ([`two_proportion_z`], [`sample_size_per_arm`],
//!   [`power_two_proportions`], [`binomial_cdf`]): error and conversion rates are binomial
//!   proportions. A test at level alpha promises a false-alarm rate of alpha *for one look
//!   decided in advance*; looking every minute and stopping at the first significant result
//!   does not keep that promise ([`canary_experiment`]).
//! * **Ranks** ([`mann_whitney_u`], [`mann_whitney_binary`]): the Mann-Whitney U test compares
//!   whole distributions; on 0/1 outcomes it is the two-proportion test again.
//! * **Drift** ([`psi`], [`psi_of_samples`], [`ks_statistic`], [`ks_p_value`],
//!   [`drift_experiment`]): PSI and the KS statistic say whether a feature's distribution moved;
//!   neither says whether the model got worse. PSI thresholds ignore the window size, so small
//!   windows alarm on noise ([`false_alarm_experiment`]).
//! * **Offline metrics** ([`threshold_metrics`], [`roc_curve`], [`roc_auc`]): precision,
//!   recall and F1 at a threshold; ROC AUC over all thresholds, which is the Mann-Whitney
//!   `U / (n_pos · n_neg)`.
//!
//! The normal CDF and quantile these rest on are small approximations ([`normal_cdf`]: the
//! `erfcc` fit of Numerical Recipes, relative error < 1.2e-7; [`normal_quantile`]: Acklam's,
//! < 1.15e-9), checked against `statrs` in `tests/ml_platform_laws.rs`.
//!
//! # Data plumbing
//!
//! * **Point-in-time joins** ([`as_of_join`], [`latest_join`], [`leakage_experiment`]): a
//!   training example may only use feature values that existed at its event time. Joining the
//!   latest value instead leaks the future, and the model looks better offline than it will
//!   be online.
//! * **Hyperparameter search** ([`grid_search`], [`random_search`], [`search_experiment`]): with a
//!   budget of B trials, a grid tries only √B values of each parameter; random search tries B,
//!   which wins when few parameters matter.
//!
//! * **Feature freshness** ([`Pipeline`], [`freshness_experiment`], [`feature_age`],
//!   [`detection_experiment`]): a DAG of batch tasks writes the features once a day; their
//!   age is the time since the last successful write. An alert on the age fires within one
//!   check interval of crossing the SLO, whatever the cause; an alert on job failure can fire
//!   earlier but never sees a run that did not start. A daily batch cannot meet an SLO shorter
//!   than a day; a streaming path can.
//!
//! # Drift, continued
//!
//! * **A new category** ([`category_psi`], [`chi_square_homogeneity`],
//!   [`new_category_experiment`]): PSI needs a floor for a share the reference never saw, and
//!   the floor decides its value; the two-sample chi-square test needs none.
//! * **Late labels** ([`accuracy_monitor`], [`label_delay_experiment`]): a performance
//!   monitor sees the same labels later, so every alarm moves by exactly the label delay.
//! * **Retraining** ([`retraining_run`], [`retraining_experiment`]): a scheduled retrain
//!   against one triggered by a drift monitor, judged by error and by retrains.
//!
//! # Serving and training traffic
//!
//! * **Micro-batching** ([`serve_in_batches`], [`batching_experiment`]): batches amortize a
//!   model call's fixed cost, raising capacity, and make requests wait for the batch to fill.
//! * **Batch predictions** ([`staleness_experiment`], [`served_snapshot`]): predictions
//!   computed every period are on average `run time + period / 2` old when served.
//! * **Ring all-reduce** ([`ring_all_reduce`], [`all_reduce_rows`]): every worker sends
//!   `2 (N − 1) / N` times the gradient size, against a parameter server that receives and
//!   sends `N` times it.
//!
//! Everything random takes a seed and draws from [`crate::sim::Rng`]; invalid parameters return
//! a [`SimError`](crate::sim::SimError) that says what is allowed.
//!
//! # References
//!
//! * Ron Kohavi, Diane Tang and Ya Xu, "Trustworthy Online Controlled Experiments", 2020.
//! * Ramesh Johari et al., "Peeking at A/B Tests", KDD 2017.
//! * H. B. Mann and D. R. Whitney, Annals of Mathematical Statistics 18(1), 1947.
//! * James Hanley and Barbara McNeil, "The Meaning and Use of the Area under a ROC Curve",
//!   Radiology 143, 1982.
//! * James Bergstra and Yoshua Bengio, "Random Search for Hyper-Parameter Optimization", JMLR
//!   13, 2012.
//! * Daniel Crankshaw et al., "Clipper: A Low-Latency Online Prediction Serving System", NSDI
//!   2017 (adaptive batching).
//! * D. Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015
//!   (pipeline jungles, monitoring a model in serving).
//!
//! # Examples
//!
//! ```
//! use lessons::ml_platform::*;
//!
//! let canary = Arm::new(5, 1_000)?;
//! let baseline = Arm::new(2_970, 990_000)?;
//! assert_eq!(format!("{:.2}", two_proportion_z(canary, baseline)), "1.16");
//! assert_eq!(sample_size_per_arm(0.003, 0.005, 0.05, 0.8)?, 15_634);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod ab_test;
mod all_reduce;
mod batching;
mod canary;
mod categories;
mod drift;
mod figures;
mod freshness;
mod label_delay;
mod live;
mod metrics;
mod normal;
mod pipeline;
mod point_in_time;
mod prediction_staleness;
mod proportions;
mod ranks;
mod retraining;
mod search;

/// `value` rounded to `digits` decimals, so that rows print as the prose quotes them.
fn rounded(value: f64, digits: i32) -> f64 {
    let scale = 10_f64.powi(digits);
    (value * scale).round() / scale
}

pub use ab_test::{
    AllocationRow, PowerRow, ab_power_experiment, allocation_experiment, difference_sd,
};
pub use all_reduce::{AllReduceRow, AllReduceRun, all_reduce_rows, ring_all_reduce};
pub use batching::{
    Batch, BatchingParameters, BatchingRow, batching_experiment, batching_run, serve_in_batches,
};
pub use canary::{
    CanaryEvidence, CanaryParameters, CanaryRow, RequiredRow, canary_evidence, canary_experiment,
    canary_requests_needed, required_requests_rows,
};
pub use categories::{
    ChiSquare, NewCategoryRow, category_psi, chi_square_homogeneity, chi_square_upper_tail,
    new_category_experiment,
};
pub use drift::{
    AlarmSummary, DriftParameters, DriftRow, EMPTY_BIN_SHARE, FalseAlarmRow, drift_experiment,
    false_alarm_experiment, kolmogorov_upper_tail, ks_critical_value, ks_p_value, ks_statistic,
    psi, psi_of_samples,
};
pub use figures::{
    all_reduce_figure, allocation_figure, batching_latency_figure, batching_throughput_figure,
    canary_figure, detection_figure, drift_figure, false_alarm_figure, freshness_figure,
    label_delay_figure, leakage_figure, new_category_figure, power_figure,
    required_requests_figure, retraining_figure, roc_figure, search_figure, staleness_figure,
};
pub use freshness::{
    AgeRow, DetectionSummary, FreshnessParameters, FreshnessRun, StalenessEpisode,
    detection_experiment, feature_age, freshness_experiment,
};
pub use label_delay::{
    LabelDelayParameters, LabelDelayRow, MonitorReading, accuracy_monitor, label_delay_experiment,
};
pub use live::{drift_alarms_figure, power_curve_figure};
pub use metrics::{ThresholdMetrics, roc_auc, roc_curve, scored_examples, threshold_metrics};
pub use normal::{normal_cdf, normal_quantile, normal_upper_tail};
pub use pipeline::{Pipeline, RunOutcome, Task, TaskAttempt};
pub use point_in_time::{
    FeatureUpdate, JoinedExample, LabelEvent, LeakageRow, as_of_join, fraud_data, latest_join,
    leakage_experiment,
};
pub use prediction_staleness::{StalenessRow, served_snapshot, staleness_experiment};
pub use proportions::{
    Arm, binomial_cdf, one_sided_p_value, power_two_proportions, sample_size_per_arm,
    two_proportion_z, two_sided_p_value,
};
pub use ranks::{MannWhitney, mann_whitney_binary, mann_whitney_u};
pub use retraining::{
    RetrainPolicy, RetrainingDay, RetrainingParameters, RetrainingRow, retraining_experiment,
    retraining_run,
};
pub use search::{
    Objective, SearchRow, distinct_important_values, grid_search, random_search, search_experiment,
};
