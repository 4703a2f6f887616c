//! Batch inference on a schedule: predictions computed every `period` from a snapshot taken
//! when the job starts, published `run_time` later, and served until the next batch is
//! published.
//!
//! A request at a random time is served a prediction whose snapshot is between `run_time` and
//! `run_time + period` old, uniformly: the mean staleness is `run_time + period / 2`. If a
//! user acts as a Poisson process at rate `r`, the chance the prediction misses the user's
//! latest action is the chance of an action within the staleness,
//! `1 − (e^(−r·R) − e^(−r·(R + P))) / (r·P)` averaged over the uniform staleness. Real-time
//! inference at request time has no such lag (its features can still be stale: see
//! [`feature_age`](super::feature_age)).

use serde::Serialize;

use super::rounded;
use crate::sim::{Rng, SimError, Time};

/// Staleness of scheduled batch predictions for one period (to 3 decimals).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::staleness_experiment;
/// use lessons::sim::secs;
///
/// let hour = secs(3_600);
/// let rows = staleness_experiment(&[hour * 24], hour, 0.1, 10_000, 1)?;
/// assert_eq!(rows[0].formula_mean_hours, 13.0); // 1 h + 24 h / 2
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StalenessRow {
    /// Hours between batch runs.
    pub period_hours: f64,
    /// The mean staleness of the predictions served, in hours (simulated).
    pub mean_hours: f64,
    /// `run_time + period / 2`, in hours.
    pub formula_mean_hours: f64,
    /// The largest staleness seen, in hours (just under `run_time + period`).
    pub worst_hours: f64,
    /// The share of requests whose user acted after the snapshot (simulated).
    pub missed_action_share: f64,
    /// The same share by the formula.
    pub formula_missed_share: f64,
}

/// The snapshot a request at `now` is served from: the latest `k · period` whose batch was
/// published (`k · period + run_time <= now`), or `None` before the first publication.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::served_snapshot;
/// use lessons::sim::secs;
///
/// // Runs every 10 s, each taking 3 s: at 12 s the run of 10 s is not published yet.
/// assert_eq!(served_snapshot(secs(12), secs(10), secs(3)), Some(secs(0)));
/// assert_eq!(served_snapshot(secs(13), secs(10), secs(3)), Some(secs(10)));
/// assert_eq!(served_snapshot(secs(2), secs(10), secs(3)), None);
/// ```
pub fn served_snapshot(now: Time, period: Time, run_time: Time) -> Option<Time> {
    let since_first = now - run_time;
    if since_first < Time::ZERO || period <= Time::ZERO {
        return None;
    }
    Some(period * (since_first.as_nanos() / period.as_nanos()))
}

/// Serves `requests` requests at uniform random times over 100 periods (after the first
/// publication), for each period in `periods`; users act at `actions_per_hour`.
///
/// # Errors
///
/// [`SimError::Parameter`] for a period that is not longer than `run_time`, a negative run
/// time, an action rate outside [0, 1,000] per hour, or requests outside 1..=1,000,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::staleness_experiment;
/// use lessons::sim::secs;
///
/// let hour = secs(3_600);
/// let rows = staleness_experiment(&[hour * 6, hour * 24], hour, 0.1, 20_000, 2)?;
/// assert!(rows[1].missed_action_share > rows[0].missed_action_share);
/// assert!(rows.iter().all(|row| (row.mean_hours - row.formula_mean_hours).abs() < 0.5));
/// assert!(staleness_experiment(&[hour], hour, 0.1, 100, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn staleness_experiment(
    periods: &[Time],
    run_time: Time,
    actions_per_hour: f64,
    requests: usize,
    seed: u64,
) -> Result<Vec<StalenessRow>, SimError> {
    if !(0.0..=1_000.0).contains(&actions_per_hour) {
        return Err(SimError::parameter(
            "actions per hour",
            actions_per_hour,
            "from 0 to 1,000",
        ));
    }
    if !(1..=1_000_000).contains(&requests) {
        return Err(SimError::parameter(
            "requests",
            requests,
            "from 1 to 1,000,000",
        ));
    }
    let mut rng = Rng::new(seed);
    let hours = |time: Time| time.as_secs_f64() / 3_600.0;
    let mut rows = Vec::with_capacity(periods.len());
    for &period in periods {
        if run_time < Time::ZERO || period <= run_time {
            return Err(SimError::parameter(
                "period",
                period,
                format!("longer than the run time ({run_time}), which is not negative"),
            ));
        }
        let (mut total, mut worst, mut missed) = (0.0, 0.0_f64, 0);
        for _ in 0..requests {
            let now =
                run_time + Time::from_nanos_f64(rng.unit() * (period * 100).as_nanos() as f64);
            let snapshot = served_snapshot(now, period, run_time).unwrap_or(Time::ZERO);
            let staleness = hours(now - snapshot);
            total += staleness;
            worst = worst.max(staleness);
            // Actions are memoryless: the time since the user's last one is exponential.
            if rng.exponential() < actions_per_hour * staleness {
                missed += 1;
            }
        }
        let (r, p) = (actions_per_hour, hours(period));
        let start = hours(run_time);
        let formula_missed = if r == 0.0 {
            0.0
        } else {
            1.0 - ((-r * start).exp() - (-r * (start + p)).exp()) / (r * p)
        };
        rows.push(StalenessRow {
            period_hours: p,
            mean_hours: rounded(total / requests as f64, 3),
            formula_mean_hours: rounded(start + p / 2.0, 3),
            worst_hours: rounded(worst, 3),
            missed_action_share: rounded(missed as f64 / requests as f64, 3),
            formula_missed_share: rounded(formula_missed, 3),
        });
    }
    Ok(rows)
}
