//! A performance monitor that waits for labels: a model's accuracy drops at some time, but the
//! labels that show it (a chargeback, a churned customer) arrive `label_delay` after each
//! prediction.
//!
//! The monitor keeps the accuracy of the last `window` labelled predictions and alarms when it
//! falls more than `z` standard errors below the accuracy the model had at launch. It sees the
//! same labels in the same order whatever the delay, only later: every alarm moves by exactly
//! the label delay, so the time to detect a drop is the delay plus the time to collect enough
//! bad labels. Input-drift monitors (PSI, KS) see a shift at once, but only in the inputs.

use serde::Serialize;

use super::proportions::open_unit;
use super::rounded;
use crate::sim::{Rng, SimError, Time, secs};

/// The model, its drop and the monitor.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::LabelDelayParameters;
/// use lessons::sim::secs;
///
/// let defaults = LabelDelayParameters::default();
/// assert_eq!(defaults.drop_at, secs(48 * 3_600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelDelayParameters {
    /// Predictions per hour, evenly spaced.
    pub predictions_per_hour: f64,
    /// The chance a prediction is right before the drop.
    pub accuracy_before: f64,
    /// The chance after it.
    pub accuracy_after: f64,
    /// When the accuracy drops.
    pub drop_at: Time,
    /// How long predictions are made.
    pub horizon: Time,
    /// Labelled predictions the monitor averages over.
    pub window: usize,
    /// The alarm line, in standard errors below `accuracy_before`.
    pub z: f64,
}

impl Default for LabelDelayParameters {
    fn default() -> Self {
        LabelDelayParameters {
            predictions_per_hour: 100.0,
            accuracy_before: 0.9,
            accuracy_after: 0.8,
            drop_at: secs(48 * 3_600),
            horizon: secs(14 * 24 * 3_600),
            window: 500,
            z: 4.0,
        }
    }
}

/// The monitor's view after one label arrived.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{LabelDelayParameters, accuracy_monitor};
/// use lessons::sim::Time;
///
/// let rows = accuracy_monitor(&LabelDelayParameters::default(), Time::ZERO, 1)?;
/// assert_eq!(rows.len(), 14 * 24 * 100 - 499); // from the first full window on
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonitorReading {
    /// When the label arrived.
    pub at: Time,
    /// The accuracy over the last `window` labels.
    pub accuracy: f64,
    /// Whether it is below the alarm line.
    pub alarm: bool,
}

fn check_label_delay(
    parameters: &LabelDelayParameters,
    label_delay: Time,
) -> Result<usize, SimError> {
    open_unit("accuracy before", parameters.accuracy_before)?;
    open_unit("accuracy after", parameters.accuracy_after)?;
    if label_delay < Time::ZERO {
        return Err(SimError::parameter(
            "label delay",
            label_delay,
            "not negative",
        ));
    }
    let predictions = parameters.horizon.as_secs_f64() / 3_600.0 * parameters.predictions_per_hour;
    if !(predictions >= parameters.window as f64 && predictions <= 1e6 && parameters.window > 0) {
        return Err(SimError::parameter(
            "predictions",
            predictions,
            format!(
                "at least one window ({}) and at most 1,000,000",
                parameters.window
            ),
        ));
    }
    if !(parameters.z.is_finite() && parameters.z >= 0.0) {
        return Err(SimError::parameter(
            "z",
            parameters.z,
            "a number of standard errors, 0 or more",
        ));
    }
    Ok(predictions as usize)
}

/// The monitor's reading at every label arrival (from the first full window on), for labels
/// arriving `label_delay` after their predictions.
///
/// # Errors
///
/// [`SimError::Parameter`] for accuracies outside (0, 1), a negative delay or `z`, or a
/// horizon with fewer predictions than one window (or over 1,000,000).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{LabelDelayParameters, accuracy_monitor};
/// use lessons::sim::secs;
///
/// let parameters = LabelDelayParameters::default();
/// let prompt = accuracy_monitor(&parameters, secs(0), 1)?;
/// let late = accuracy_monitor(&parameters, secs(86_400), 1)?;
/// assert_eq!(late[0].at - prompt[0].at, secs(86_400));
/// assert_eq!(late[0].accuracy, prompt[0].accuracy);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn accuracy_monitor(
    parameters: &LabelDelayParameters,
    label_delay: Time,
    seed: u64,
) -> Result<Vec<MonitorReading>, SimError> {
    let predictions = check_label_delay(parameters, label_delay)?;
    let mut rng = Rng::new(seed);
    let gap = 3_600e9 / parameters.predictions_per_hour;
    let p = parameters.accuracy_before;
    let line = p - parameters.z * (p * (1.0 - p) / parameters.window as f64).sqrt();
    let mut right = Vec::with_capacity(predictions);
    let mut readings = Vec::with_capacity(predictions);
    let mut right_in_window = 0;
    for index in 0..predictions {
        let made = Time::from_nanos_f64(index as f64 * gap);
        let accuracy = if made < parameters.drop_at {
            parameters.accuracy_before
        } else {
            parameters.accuracy_after
        };
        right.push(rng.chance(accuracy));
        right_in_window += usize::from(right[index]);
        if index >= parameters.window {
            right_in_window -= usize::from(right[index - parameters.window]);
        }
        if index + 1 >= parameters.window {
            let accuracy = right_in_window as f64 / parameters.window as f64;
            readings.push(MonitorReading {
                at: made + label_delay,
                accuracy,
                alarm: accuracy < line,
            });
        }
    }
    Ok(readings)
}

/// The monitor's result for one label delay.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{LabelDelayParameters, label_delay_experiment};
/// use lessons::sim::secs;
///
/// let rows = label_delay_experiment(&LabelDelayParameters::default(), &[secs(0)], 1)?;
/// assert_eq!(rows[0].label_delay_hours, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelDelayRow {
    /// The label delay in hours.
    pub label_delay_hours: f64,
    /// Hours from the drop to the first alarm after it (none if it never alarms).
    pub detection_hours: Option<f64>,
    /// Readings in alarm before the drop (false alarms).
    pub false_alarms: usize,
}

/// The time to detect the drop for each label delay, all on the same predictions.
///
/// # Errors
///
/// As [`accuracy_monitor`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{LabelDelayParameters, label_delay_experiment};
/// use lessons::sim::secs;
///
/// let rows = label_delay_experiment(&LabelDelayParameters::default(), &[secs(0), secs(86_400)], 1)?;
/// let (prompt, late) = (rows[0].detection_hours.unwrap(), rows[1].detection_hours.unwrap());
/// assert!((late - prompt - 24.0).abs() < 1e-6);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn label_delay_experiment(
    parameters: &LabelDelayParameters,
    label_delays: &[Time],
    seed: u64,
) -> Result<Vec<LabelDelayRow>, SimError> {
    let hours = |time: Time| time.as_secs_f64() / 3_600.0;
    label_delays
        .iter()
        .map(|&delay| {
            let readings = accuracy_monitor(parameters, delay, seed)?;
            let detected = readings
                .iter()
                .find(|reading| reading.alarm && reading.at >= parameters.drop_at);
            Ok(LabelDelayRow {
                label_delay_hours: hours(delay),
                detection_hours: detected
                    .map(|reading| rounded(hours(reading.at - parameters.drop_at), 3)),
                false_alarms: readings
                    .iter()
                    .filter(|reading| reading.alarm && reading.at < parameters.drop_at)
                    .count(),
            })
        })
        .collect()
}
