//! A breaker in front of a dependency that goes down and comes back: how fast it opens, how
//! many calls still reach the dead dependency, and how long after the recovery it closes.

use serde::Serialize;

use super::breaker::{BreakerState, CircuitBreaker};
use super::checks::{positive_time, probability};
use crate::sim::{Rng, SimError, Time};
use crate::viz::Figure;

/// The dependency's story in [`recovery_experiment`]: healthy calls fail with probability
/// `baseline`; from `down_at` to `up_at` every call fails.
///
/// # Examples
///
/// ```
/// use lessons::resilience::Outage;
/// use lessons::sim::secs;
///
/// let outage = Outage::new(secs(10), secs(40), 0.02)?;
/// assert!(Outage::new(secs(40), secs(10), 0.02).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outage {
    down_at: Time,
    up_at: Time,
    baseline: f64,
}

impl Outage {
    /// An outage from `down_at` to `up_at` on a dependency with error rate `baseline`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `0 <= down_at < up_at`; [`SimError::Probability`] for a
    /// baseline outside [0, 1].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::Outage;
    /// use lessons::sim::secs;
    ///
    /// assert!(Outage::new(secs(0), secs(1), 1.5).is_err());
    /// ```
    pub fn new(down_at: Time, up_at: Time, baseline: f64) -> Result<Outage, SimError> {
        probability("baseline error rate", baseline)?;
        if down_at < Time::ZERO || up_at <= down_at {
            return Err(SimError::parameter(
                "outage",
                format!("{down_at}..{up_at}"),
                "a start at or after 0 and an end after the start",
            ));
        }
        Ok(Outage {
            down_at,
            up_at,
            baseline,
        })
    }
}

/// One breaker setting of [`recovery_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Outage, recovery_experiment};
/// use lessons::sim::{ms, secs};
///
/// let outage = Outage::new(secs(10), secs(40), 0.0)?;
/// let rows = recovery_experiment(outage, 20, 10, &[secs(5)], &[1], ms(10), secs(60), 1)?;
/// assert_eq!(rows[0].time_to_open_ms, 90.0); // the 10th failed call, 10 ms apart
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryRow {
    /// How long the breaker stays open before probing, milliseconds.
    pub open_for_ms: f64,
    /// Successful probes needed to close.
    pub probes: usize,
    /// From the start of the outage to the breaker opening, milliseconds.
    pub time_to_open_ms: f64,
    /// Calls that reached the dependency while it was down.
    pub calls_to_dead_dependency: u64,
    /// Calls refused by the breaker after the dependency was back.
    pub refused_after_recovery: u64,
    /// From the dependency's recovery to the breaker's first close after it, milliseconds.
    pub time_to_close_ms: f64,
}

/// For every (open duration, probe count) pair: a client calls the dependency every
/// `call_gap` until `until`, through a breaker with the given `window` and `failures_to_open`;
/// the dependency follows `outage`. The same seed gives every setting the same healthy-call
/// failures.
///
/// # Errors
///
/// [`SimError::Parameter`] for a gap that is not positive, an end before the outage is over,
/// a breaker that does not open during the outage or does not close before `until`, and the
/// errors of [`CircuitBreaker::new`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Outage, recovery_experiment};
/// use lessons::sim::{ms, secs};
///
/// let outage = Outage::new(secs(10), secs(42), 0.0)?;
/// let rows = recovery_experiment(outage, 20, 10, &[secs(5), secs(30)], &[1], ms(10), secs(120), 1)?;
/// assert!(rows[1].time_to_close_ms > rows[0].time_to_close_ms);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn recovery_experiment(
    outage: Outage,
    window: usize,
    failures_to_open: usize,
    open_durations: &[Time],
    probe_counts: &[usize],
    call_gap: Time,
    until: Time,
    seed: u64,
) -> Result<Vec<RecoveryRow>, SimError> {
    positive_time("call gap", call_gap)?;
    if until <= outage.up_at {
        return Err(SimError::parameter(
            "until",
            until,
            format!("after the outage ends at {}", outage.up_at),
        ));
    }
    let mut rows = Vec::new();
    for &probes in probe_counts {
        for &open_for in open_durations {
            let breaker = CircuitBreaker::new(window, failures_to_open, open_for, probes)?;
            let mut row = one_recovery(breaker, outage, call_gap, until, seed)?;
            row.open_for_ms = open_for.as_millis_f64();
            row.probes = probes;
            rows.push(row);
        }
    }
    Ok(rows)
}

fn one_recovery(
    mut breaker: CircuitBreaker,
    outage: Outage,
    call_gap: Time,
    until: Time,
    seed: u64,
) -> Result<RecoveryRow, SimError> {
    let mut rng = Rng::new(seed);
    let (mut to_dead, mut refused_after) = (0, 0);
    let mut now = Time::ZERO;
    while now < until {
        let down = now >= outage.down_at && now < outage.up_at;
        let healthy_failure = rng.chance(outage.baseline);
        if breaker.allow(now) {
            to_dead += u64::from(down);
            breaker.record(now, !down && !healthy_failure);
        } else if now >= outage.up_at {
            refused_after += 1;
        }
        now += call_gap;
    }
    let transitions = breaker.transitions();
    let opened = transitions
        .iter()
        .find(|t| t.to == BreakerState::Open && t.at >= outage.down_at)
        .ok_or_else(|| {
            SimError::parameter(
                "failures to open",
                "this setting",
                "one that opens during the outage",
            )
        })?;
    let closed = transitions
        .iter()
        .find(|t| t.to == BreakerState::Closed && t.at >= outage.up_at)
        .ok_or_else(|| {
            SimError::parameter("until", until, "long enough for the breaker to close again")
        })?;
    Ok(RecoveryRow {
        open_for_ms: 0.0,
        probes: 0,
        time_to_open_ms: (opened.at - outage.down_at).as_millis_f64(),
        calls_to_dead_dependency: to_dead,
        refused_after_recovery: refused_after,
        time_to_close_ms: (closed.at - outage.up_at).as_millis_f64(),
    })
}

/// Time from the dependency's recovery to the breaker closing, against how long the breaker
/// stays open, one line per probe count in the rows.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Outage, recovery_experiment, recovery_figure};
/// use lessons::sim::{ms, secs};
///
/// let outage = Outage::new(secs(10), secs(43), 0.0)?;
/// let rows = recovery_experiment(outage, 20, 10, &[secs(5)], &[1, 5], ms(10), secs(90), 1)?;
/// assert!(recovery_figure(&rows).to_svg()?.contains("5 probes"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn recovery_figure(rows: &[RecoveryRow]) -> Figure {
    let mut figure =
        Figure::new("Errors after the dependency is back: time until the breaker closes")
            .x_label("open duration before a probe (s)")
            .y_label("time from recovery to closed (s)");
    let mut probe_counts: Vec<usize> = rows.iter().map(|row| row.probes).collect();
    probe_counts.dedup();
    for probes in probe_counts {
        let points = rows
            .iter()
            .filter(|row| row.probes == probes)
            .map(|row| (row.open_for_ms / 1000.0, row.time_to_close_ms / 1000.0));
        let name = if probes == 1 {
            "1 probe".to_string()
        } else {
            format!("{probes} probes")
        };
        figure = figure.line(name, points);
    }
    figure
}
