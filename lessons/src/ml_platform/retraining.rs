//! When to retrain: on a schedule, or when a monitor says the world moved.
//!
//! The world here is one number, the concept `θ`, which wanders a little every day (a random
//! walk) and sometimes jumps (a competitor's launch, a new fraud pattern). A model trained on
//! day `d` has learned `θ(d)`; its error on a later day is
//! `base_error + error_per_unit · |θ(today) − θ(d)|`, capped at 0.5 (a coin). A scheduled
//! policy retrains every `k` days whatever happened; a triggered policy retrains the day after
//! its monitor reads a distance above a threshold (the monitor's reading carries noise). Both
//! are judged on the same world by mean error and retrains.

use serde::Serialize;

use super::rounded;
use crate::sim::{Rng, SimError};

/// The world the models live in.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::RetrainingParameters;
///
/// assert_eq!(RetrainingParameters::default().days, 365);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RetrainingParameters {
    /// Days simulated.
    pub days: usize,
    /// The standard deviation of the concept's daily wander.
    pub daily_drift: f64,
    /// The chance of a jump on any day.
    pub jump_probability: f64,
    /// The size of a jump (up or down at random).
    pub jump_size: f64,
    /// The error of a model trained on today's concept.
    pub base_error: f64,
    /// Extra error per unit of distance between the model's concept and today's.
    pub error_per_unit: f64,
    /// The standard deviation of the monitor's reading of that distance.
    pub monitor_noise: f64,
}

impl Default for RetrainingParameters {
    fn default() -> Self {
        RetrainingParameters {
            days: 365,
            daily_drift: 0.01,
            jump_probability: 0.02,
            jump_size: 0.5,
            base_error: 0.05,
            error_per_unit: 0.2,
            monitor_noise: 0.02,
        }
    }
}

/// When a model is retrained.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::RetrainPolicy;
///
/// assert_eq!(RetrainPolicy::Every(30).to_string(), "every 30 days");
/// assert_eq!(RetrainPolicy::OnDrift(0.1).to_string(), "when drift > 0.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum RetrainPolicy {
    /// Every this many days (day 0, k, 2k, ...).
    Every(usize),
    /// The day after the monitor reads a distance above this.
    OnDrift(f64),
}

impl std::fmt::Display for RetrainPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetrainPolicy::Every(1) => write!(f, "every day"),
            RetrainPolicy::Every(days) => write!(f, "every {days} days"),
            RetrainPolicy::OnDrift(threshold) => write!(f, "when drift > {threshold}"),
        }
    }
}

/// One day of a [`retraining_run`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{RetrainPolicy, RetrainingParameters, retraining_run};
///
/// let days = retraining_run(&RetrainingParameters::default(), RetrainPolicy::Every(7), 1)?;
/// assert!(days[0].retrained && days[7].retrained && !days[8].retrained);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RetrainingDay {
    /// The day.
    pub day: usize,
    /// The serving model's error that day.
    pub error: f64,
    /// Whether a fresh model started serving that day.
    pub retrained: bool,
    /// What the monitor read that day (the distance plus noise).
    pub monitor_reading: f64,
}

fn check_retraining(
    parameters: &RetrainingParameters,
    policy: RetrainPolicy,
) -> Result<(), SimError> {
    if !(1..=100_000).contains(&parameters.days) {
        return Err(SimError::parameter(
            "days",
            parameters.days,
            "from 1 to 100,000",
        ));
    }
    let spreads = [
        parameters.daily_drift,
        parameters.jump_size,
        parameters.base_error,
        parameters.error_per_unit,
        parameters.monitor_noise,
    ];
    if spreads
        .iter()
        .any(|&value| !(value.is_finite() && value >= 0.0))
        || !(0.0..=1.0).contains(&parameters.jump_probability)
    {
        return Err(SimError::parameter(
            "world",
            format!("{parameters:?}"),
            "finite sizes of 0 or more and a jump probability in [0, 1]",
        ));
    }
    match policy {
        RetrainPolicy::Every(0) => Err(SimError::parameter("retrain period", 0, "at least 1 day")),
        RetrainPolicy::OnDrift(threshold) if !(threshold.is_finite() && threshold >= 0.0) => Err(
            SimError::parameter("drift threshold", threshold, "a distance of 0 or more"),
        ),
        _ => Ok(()),
    }
}

/// A year (or `days`) of serving under `policy`. The world depends only on `seed`, so two
/// policies with the same seed face the same concept path.
///
/// # Errors
///
/// [`SimError::Parameter`] for days outside 1..=100,000, a negative or infinite size, a jump
/// probability outside [0, 1], a period of 0 days or a negative threshold.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{RetrainPolicy, RetrainingParameters, retraining_run};
///
/// let days = retraining_run(&RetrainingParameters::default(), RetrainPolicy::Every(1), 1)?;
/// assert!(days.iter().all(|day| day.retrained));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn retraining_run(
    parameters: &RetrainingParameters,
    policy: RetrainPolicy,
    seed: u64,
) -> Result<Vec<RetrainingDay>, SimError> {
    check_retraining(parameters, policy)?;
    let mut world = Rng::derive(seed, &[0]);
    let mut monitor = Rng::derive(seed, &[1]);
    let (mut concept, mut learned) = (0.0, 0.0);
    let mut retrain_today = true;
    let mut days = Vec::with_capacity(parameters.days);
    for day in 0..parameters.days {
        concept += parameters.daily_drift * world.normal();
        if world.chance(parameters.jump_probability) {
            let up = world.chance(0.5);
            concept += if up {
                parameters.jump_size
            } else {
                -parameters.jump_size
            };
        }
        let retrained = match policy {
            RetrainPolicy::Every(period) => day % period == 0,
            RetrainPolicy::OnDrift(_) => retrain_today,
        };
        if retrained {
            learned = concept;
        }
        let distance = (concept - learned).abs();
        let reading = distance + parameters.monitor_noise * monitor.normal();
        retrain_today = matches!(policy, RetrainPolicy::OnDrift(threshold) if reading > threshold);
        days.push(RetrainingDay {
            day,
            error: (parameters.base_error + parameters.error_per_unit * distance).min(0.5),
            retrained,
            monitor_reading: reading,
        });
    }
    Ok(days)
}

/// One policy's year, summed up (errors to 4 decimals).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{RetrainPolicy, RetrainingParameters, retraining_experiment};
///
/// let rows = retraining_experiment(&RetrainingParameters::default(), &[RetrainPolicy::Every(30)], 1)?;
/// assert_eq!(rows[0].retrains, 13); // days 0, 30, ..., 360
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetrainingRow {
    /// The policy.
    pub policy: String,
    /// How many models were trained (day 0 counts).
    pub retrains: usize,
    /// The mean daily error.
    pub mean_error: f64,
    /// The worst daily error.
    pub worst_error: f64,
}

/// Each policy over the same world.
///
/// # Errors
///
/// As [`retraining_run`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{RetrainPolicy, RetrainingParameters, retraining_experiment};
///
/// let policies = [RetrainPolicy::Every(1), RetrainPolicy::Every(90)];
/// let rows = retraining_experiment(&RetrainingParameters::default(), &policies, 1)?;
/// assert!(rows[0].mean_error < rows[1].mean_error);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn retraining_experiment(
    parameters: &RetrainingParameters,
    policies: &[RetrainPolicy],
    seed: u64,
) -> Result<Vec<RetrainingRow>, SimError> {
    policies
        .iter()
        .map(|&policy| {
            let days = retraining_run(parameters, policy, seed)?;
            Ok(RetrainingRow {
                policy: policy.to_string(),
                retrains: days.iter().filter(|day| day.retrained).count(),
                mean_error: rounded(
                    days.iter().map(|day| day.error).sum::<f64>() / days.len() as f64,
                    4,
                ),
                worst_error: rounded(days.iter().map(|day| day.error).fold(0.0, f64::max), 4),
            })
        })
        .collect()
}
