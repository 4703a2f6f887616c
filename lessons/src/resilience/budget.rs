//! An error budget spent over a 30-day window, and the multiwindow, multi-burn-rate alerts of
//! Google's SRE workbook that watch it.

use serde::Serialize;

use super::checks::{positive_time, probability, within};
use crate::sim::{SimError, Time};
use crate::viz::Figure;

const MINUTE_NANOS: i64 = 60_000_000_000;

/// A stretch of time in which a share `error_rate` of requests fail.
///
/// # Examples
///
/// ```
/// use lessons::resilience::Incident;
/// use lessons::sim::secs;
///
/// let outage = Incident::new(secs(3 * 86_400), secs(20 * 60), 1.0)?;
/// assert!(Incident::new(secs(0), secs(60), 1.5).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incident {
    start: Time,
    duration: Time,
    error_rate: f64,
}

impl Incident {
    /// An incident from `start` lasting `duration`, failing a share `error_rate` of requests.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `start` is not negative, `duration` is positive and
    /// `error_rate` is a probability.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::Incident;
    /// use lessons::sim::secs;
    ///
    /// assert!(Incident::new(secs(0), secs(0), 1.0).is_err());
    /// ```
    pub fn new(start: Time, duration: Time, error_rate: f64) -> Result<Incident, SimError> {
        if start < Time::ZERO {
            return Err(SimError::parameter("start", start, "not before time zero"));
        }
        Ok(Incident {
            start,
            duration: positive_time("duration", duration)?,
            error_rate: probability("error rate", error_rate)?,
        })
    }
}

/// One of the workbook's alert rules: fire while the burn rate over both the long and the
/// short window exceeds `burn_rate`.
///
/// # Examples
///
/// ```
/// use lessons::resilience::BURN_RATE_RULES;
///
/// assert_eq!(BURN_RATE_RULES[0].burn_rate, 14.4);
/// assert_eq!((BURN_RATE_RULES[0].long_minutes, BURN_RATE_RULES[0].short_minutes), (60, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BurnRateRule {
    /// "page" or "ticket".
    pub severity: &'static str,
    /// The burn rate both windows must exceed.
    pub burn_rate: f64,
    /// The long window, minutes.
    pub long_minutes: usize,
    /// The short window, minutes.
    pub short_minutes: usize,
}

/// The three rules the SRE workbook recommends for a 30-day window ("Alerting on SLOs",
/// recommendation 6): page at 14.4 over 1 h and 5 min (2% of the budget in an hour), page at
/// 6 over 6 h and 30 min (5% in six hours), ticket at 1 over 3 days and 6 h (10% in three
/// days).
pub const BURN_RATE_RULES: [BurnRateRule; 3] = [
    BurnRateRule {
        severity: "page",
        burn_rate: 14.4,
        long_minutes: 60,
        short_minutes: 5,
    },
    BurnRateRule {
        severity: "page",
        burn_rate: 6.0,
        long_minutes: 6 * 60,
        short_minutes: 30,
    },
    BurnRateRule {
        severity: "ticket",
        burn_rate: 1.0,
        long_minutes: 3 * 24 * 60,
        short_minutes: 6 * 60,
    },
];

/// One hour of a [`BudgetRun`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::error_budget;
///
/// let run = error_budget(0.999, 30, &[])?;
/// assert_eq!(run.hours.len(), 720);
/// assert_eq!(run.hours[719].budget_left, 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetHour {
    /// The end of the hour, days since the window opened.
    pub day: f64,
    /// Share of the window's error budget not yet spent (negative once overspent).
    pub budget_left: f64,
    /// Burn rate over the last hour: its error rate divided by the rate the SLO allows.
    pub burn_rate_1h: f64,
}

/// A stretch in which one of the [`BURN_RATE_RULES`] fired.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Incident, error_budget};
/// use lessons::sim::secs;
///
/// let run = error_budget(0.999, 30, &[Incident::new(secs(86_400), secs(600), 1.0)?])?;
/// assert_eq!(run.alerts[0].severity, "page");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// "page" or "ticket".
    pub severity: &'static str,
    /// The rule's burn rate.
    pub burn_rate: f64,
    /// First minute it fired, minutes since the window opened.
    pub from_minute: usize,
    /// Last minute it fired.
    pub to_minute: usize,
}

/// What [`error_budget`] computed.
///
/// # Examples
///
/// ```
/// use lessons::resilience::error_budget;
///
/// assert_eq!(format!("{:.1}", error_budget(0.999, 30, &[])?.budget_minutes), "43.2");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRun {
    /// The budget: (1 - SLO) x window, in minutes of total failure.
    pub budget_minutes: f64,
    /// Failure spent over the window, in minutes of total failure.
    pub spent_minutes: f64,
    /// Availability over the window.
    pub availability: f64,
    /// Hour by hour.
    pub hours: Vec<BudgetHour>,
    /// Every stretch in which a rule fired, in time order per rule.
    pub alerts: Vec<Alert>,
}

/// An error budget over a window of `window_days` days for a request-based `slo` (0.999 for
/// 99.9%), with traffic that is the same in every minute and fails only during `incidents`
/// (overlapping incidents add up, to at most every request). The window is a calendar one,
/// starting with a full budget at time zero, and the burn-rate alerts of [`BURN_RATE_RULES`]
/// are evaluated at the end of every minute, over windows that count no errors before time
/// zero.
///
/// # Errors
///
/// [`SimError::Parameter`] unless `slo` lies strictly between 0 and 1 and the window is 1 to
/// 366 days.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Incident, error_budget};
/// use lessons::sim::secs;
///
/// // A full outage as long as the whole budget spends it exactly.
/// let outage = Incident::new(secs(86_400), secs(2_592), 1.0)?; // 43.2 minutes
/// let run = error_budget(0.999, 30, &[outage])?;
/// assert!(run.hours[719].budget_left.abs() < 1e-9);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn error_budget(
    slo: f64,
    window_days: usize,
    incidents: &[Incident],
) -> Result<BudgetRun, SimError> {
    if !(slo > 0.0 && slo < 1.0) {
        return Err(SimError::parameter("slo", slo, "strictly between 0 and 1"));
    }
    within("window days", window_days, 1, 366)?;
    let minutes = window_days * 24 * 60;
    let mut errors = vec![0.0f64; minutes];
    for incident in incidents {
        let (start, end) = (
            incident.start.as_nanos(),
            (incident.start + incident.duration).as_nanos(),
        );
        let first = (start / MINUTE_NANOS) as usize;
        for (minute, error) in errors.iter_mut().enumerate().skip(first) {
            let from = minute as i64 * MINUTE_NANOS;
            let overlap = end.min(from + MINUTE_NANOS) - start.max(from);
            if overlap <= 0 {
                break;
            }
            *error = (*error + incident.error_rate * overlap as f64 / MINUTE_NANOS as f64).min(1.0);
        }
    }
    // spent[m]: minutes of total failure in the first m minutes.
    let mut spent = vec![0.0; minutes + 1];
    for (minute, error) in errors.iter().enumerate() {
        spent[minute + 1] = spent[minute] + error;
    }
    let allowed = 1.0 - slo;
    let budget = allowed * minutes as f64;
    let burn = |end: usize, span: usize| {
        (spent[end] - spent[end.saturating_sub(span)]) / span as f64 / allowed
    };
    let hours = (1..=minutes / 60)
        .map(|hour| BudgetHour {
            day: hour as f64 / 24.0,
            budget_left: 1.0 - spent[hour * 60] / budget,
            burn_rate_1h: burn(hour * 60, 60),
        })
        .collect();
    let mut alerts = Vec::new();
    for rule in BURN_RATE_RULES {
        let mut firing: Option<Alert> = None;
        for end in 1..=minutes {
            let fires = burn(end, rule.long_minutes) > rule.burn_rate
                && burn(end, rule.short_minutes) > rule.burn_rate;
            if !fires {
                alerts.extend(firing.take());
            } else if let Some(alert) = firing.as_mut() {
                alert.to_minute = end;
            } else {
                firing = Some(Alert {
                    severity: rule.severity,
                    burn_rate: rule.burn_rate,
                    from_minute: end,
                    to_minute: end,
                });
            }
        }
        alerts.extend(firing);
    }
    Ok(BudgetRun {
        budget_minutes: budget,
        spent_minutes: spent[minutes],
        availability: 1.0 - spent[minutes] / minutes as f64,
        hours,
        alerts,
    })
}

/// The budget left over the window, with the SLO's line at zero.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{budget_figure, error_budget};
///
/// let run = error_budget(0.999, 30, &[])?;
/// assert!(budget_figure(&run).to_svg()?.contains("budget left"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn budget_figure(run: &BudgetRun) -> Figure {
    let last = run.hours.last().map_or(1.0, |hour| hour.day);
    Figure::new("Error budget over the window")
        .x_label("day")
        .y_label("share of the budget")
        .line(
            "budget left",
            run.hours.iter().map(|hour| (hour.day, hour.budget_left)),
        )
        .line("exhausted", [(0.0, 0.0), (last, 0.0)])
}
