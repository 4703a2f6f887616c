//! A CQRS read model: a projector that applies the write side's events to a query-friendly view
//! at its own pace, so the view lags behind when writes come faster than it can apply them.

use serde::Serialize;

use crate::sim::{SimError, Time, ms, secs};

/// The read model one second into a run.
///
/// # Examples
///
/// ```
/// use lessons::messaging::projection_run;
/// use lessons::sim::secs;
///
/// let rows = projection_run(100.0, &[], 200.0, secs(10))?;
/// assert!(rows.iter().all(|row| row.lag == 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionRow {
    /// Seconds since the start.
    pub time_s: f64,
    /// Events appended by the write side so far.
    pub appended: u64,
    /// Events the projector has applied.
    pub projected: u64,
    /// Events appended and not yet in the view.
    pub lag: u64,
    /// How long a write made now waits before the view shows it, in seconds.
    pub staleness_s: f64,
}

/// Runs the write side at `base_rate` events per second, and at the given rate during each
/// burst `(start, end, rate)`, against a projector applying `projector_rate` events per second,
/// for `duration`; in steps of 10 ms, one row per second.
///
/// # Errors
///
/// [`SimError::Parameter`] for a rate outside 0 to 1,000,000 per second (the projector's above
/// 0), or a duration outside 1 s to one day.
///
/// # Examples
///
/// ```
/// use lessons::messaging::projection_run;
/// use lessons::sim::secs;
///
/// // A 10 s burst at 500 events/s against a projector doing 300.
/// let rows = projection_run(100.0, &[(secs(10), secs(20), 500.0)], 300.0, secs(40))?;
/// assert_eq!(rows[19].lag, 2_000);
/// assert_eq!(rows[39].lag, 0); // drained at 200/s after the burst
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn projection_run(
    base_rate: f64,
    bursts: &[(Time, Time, f64)],
    projector_rate: f64,
    duration: Time,
) -> Result<Vec<ProjectionRow>, SimError> {
    let rates = std::iter::once(base_rate).chain(bursts.iter().map(|&(_, _, rate)| rate));
    for rate in rates {
        if !(0.0..=1_000_000.0).contains(&rate) {
            return Err(SimError::parameter(
                "write rate",
                rate,
                "from 0 to 1000000 events per second",
            ));
        }
    }
    if !(projector_rate > 0.0 && projector_rate <= 1_000_000.0) {
        return Err(SimError::parameter(
            "projector rate",
            projector_rate,
            "above 0 and at most 1000000 events per second",
        ));
    }
    if !(secs(1)..=secs(86_400)).contains(&duration) {
        return Err(SimError::parameter(
            "duration",
            duration,
            "from 1s to one day",
        ));
    }
    let step = ms(10);
    let dt = step.as_secs_f64();
    let (mut appended, mut projected) = (0.0f64, 0.0f64);
    let mut rows = Vec::new();
    let mut now = Time::ZERO;
    while now < duration {
        let rate = bursts
            .iter()
            .find(|&&(start, end, _)| start <= now && now < end)
            .map_or(base_rate, |&(_, _, rate)| rate);
        appended += rate * dt;
        projected = (projected + projector_rate * dt).min(appended);
        now += step;
        if now.as_nanos() % secs(1).as_nanos() == 0 {
            let lag = (appended.round() - projected.round()).max(0.0);
            rows.push(ProjectionRow {
                time_s: now.as_secs_f64(),
                appended: appended.round() as u64,
                projected: projected.round() as u64,
                lag: lag as u64,
                staleness_s: lag / projector_rate,
            });
        }
    }
    Ok(rows)
}
