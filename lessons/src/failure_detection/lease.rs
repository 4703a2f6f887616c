//! Leases: a lock that expires by itself, and what clock drift and process pauses do to it.

use serde::Serialize;

use super::heartbeat::{positive, round_to};
use crate::sim::probability;
use crate::sim::{Rng, SimError, Time};

/// The largest clock drift accepted, in parts per million (50%).
pub const MAX_DRIFT_PPM: i64 = 500_000;

/// What a lease holder assumes about the world: its clock runs at most `drift_ppm` slow or fast
/// against the lock service's, and a message takes at most `max_delay`.
///
/// It lets you test the safety rule: stop acting `lease·(1-ρ) - max_delay` after the grant
/// arrives, by your own clock, and no two holders ever act at the same true time, as long as
/// the assumptions hold.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::LeaseBudget;
/// use lessons::sim::{ms, secs};
///
/// let budget = LeaseBudget::new(10_000, ms(100))?; // 1% drift, 100 ms delay
/// assert_eq!(budget.acts_for(secs(10)), ms(9_800)); // 10 s · 0.99 - 100 ms
/// assert_eq!(LeaseBudget::trusting().acts_for(secs(10)), secs(10));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LeaseBudget {
    drift_ppm: i64,
    max_delay: Time,
}

impl LeaseBudget {
    /// A holder that budgets for `drift_ppm` of drift and `max_delay` of network delay.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a drift outside `0..=MAX_DRIFT_PPM` or a negative delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::LeaseBudget;
    /// use lessons::sim::ms;
    ///
    /// assert!(LeaseBudget::new(-5, ms(1)).is_err());
    /// ```
    pub fn new(drift_ppm: i64, max_delay: Time) -> Result<LeaseBudget, SimError> {
        drift("drift_ppm", drift_ppm, 0)?;
        if max_delay < Time::ZERO {
            return Err(SimError::parameter(
                "max_delay",
                max_delay,
                "a delay bound cannot be negative",
            ));
        }
        Ok(LeaseBudget {
            drift_ppm,
            max_delay,
        })
    }

    /// A holder that trusts its clock and ignores the delay: it acts for the whole lease.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::LeaseBudget;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(LeaseBudget::trusting().acts_for(secs(3)), secs(3));
    /// ```
    pub fn trusting() -> LeaseBudget {
        LeaseBudget {
            drift_ppm: 0,
            max_delay: Time::ZERO,
        }
    }

    /// How long, by its own clock, after the grant arrives the holder may act:
    /// `lease·(1-ρ) - max_delay`, never below zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::LeaseBudget;
    /// use lessons::sim::{ms, secs};
    ///
    /// let cautious = LeaseBudget::new(0, secs(20))?;
    /// assert_eq!(cautious.acts_for(secs(10)), ms(0)); // the lease is shorter than the delay
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn acts_for(&self, lease: Time) -> Time {
        let scaled = lease.as_nanos() as i128 * (1_000_000 - self.drift_ppm) as i128 / 1_000_000;
        (Time::from_nanos(scaled as i64) - self.max_delay).max(Time::ZERO)
    }
}

/// One lease hand-over: A held the lease and lost it without noticing; B got it as soon as
/// the service let it expire.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{LeaseBudget, lease_handover};
/// use lessons::sim::{ms, secs};
///
/// let run = lease_handover(secs(10), LeaseBudget::trusting(), ms(0), -100_000, ms(0))?;
/// assert_eq!(run.overlap_ms, 1_111.111111); // A's slow clock: 10 s of it last 11.1 true seconds
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverRun {
    /// When A last acted as the holder (or gave up, if its budget left no time to act), in
    /// true seconds after the service granted its lease.
    pub a_last_action_s: f64,
    /// When the service granted the lease to B (A's lease ran out), in true seconds.
    pub b_granted_s: f64,
    /// How long both acted as holders, in milliseconds.
    pub overlap_ms: f64,
}

/// Plays one hand-over. The service (whose clock is the true time) grants A a lease of length
/// `lease` at time 0; the grant reaches A after `delay`; A's clock drifts by `actual_drift_ppm`
/// (negative: slow); A acts until its clock says `budget.acts_for(lease)` has passed since the
/// grant arrived, but a process pause of `pause` right after its last check pushes its last
/// action later. The service grants B the lease at `lease`, and B acts at once.
///
/// # Errors
///
/// [`SimError::Parameter`] for a non-positive lease, a negative delay or pause, or a drift
/// outside ±[`MAX_DRIFT_PPM`].
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{LeaseBudget, lease_handover};
/// use lessons::sim::{ms, secs};
///
/// let budget = LeaseBudget::new(10_000, ms(100))?;
/// let safe = lease_handover(secs(10), budget, ms(100), -10_000, ms(0))?;
/// assert_eq!(safe.overlap_ms, 0.0);
/// let paused = lease_handover(secs(10), budget, ms(100), -10_000, secs(2))?;
/// assert!(paused.overlap_ms > 1_800.0); // a GC pause after the check outlasts any margin
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lease_handover(
    lease: Time,
    budget: LeaseBudget,
    delay: Time,
    actual_drift_ppm: i64,
    pause: Time,
) -> Result<HandoverRun, SimError> {
    positive("lease", lease)?;
    drift("actual_drift_ppm", actual_drift_ppm, -MAX_DRIFT_PPM)?;
    for (name, value) in [("delay", delay), ("pause", pause)] {
        if value < Time::ZERO {
            return Err(SimError::parameter(name, value, "it cannot be negative"));
        }
    }
    let local = budget.acts_for(lease).as_secs_f64();
    let true_elapsed = local * 1e6 / (1e6 + actual_drift_ppm as f64);
    let a_last = delay.as_secs_f64() + true_elapsed + pause.as_secs_f64();
    let b_granted = lease.as_secs_f64();
    // A holder with no time left to act never acts at all.
    let overlap_ms = if local > 0.0 {
        ((a_last - b_granted) * 1e3).max(0.0)
    } else {
        0.0
    };
    Ok(HandoverRun {
        a_last_action_s: a_last,
        b_granted_s: b_granted,
        overlap_ms: (overlap_ms * 1e6).round() / 1e6,
    })
}

/// One renewal period of the false-expiry experiment.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::renewal_experiment;
/// use lessons::sim::secs;
///
/// let rows = renewal_experiment(secs(10), &[0.5], 0.0, 1.0, 1)?;
/// assert_eq!(rows[0].false_expiries_per_hour, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenewalRow {
    /// The renewal period as a fraction of the lease, r / L.
    pub renew_ratio: f64,
    /// Times per hour the service let the lease of a live holder expire.
    pub false_expiries_per_hour: f64,
    /// The expected rate: renewals per hour that arrive, times the chance that the next
    /// `⌊L/r⌋` renewals are all lost.
    pub computed_per_hour: f64,
}

/// A live holder renews its lease every `r = ratio·lease`; each renewal is lost with
/// probability `loss`. The service lets the lease expire when no renewal arrives within
/// `lease` of the last one: a false expiry. Simulated for `hours` per ratio.
///
/// # Errors
///
/// [`SimError::Parameter`] for a non-positive lease, a ratio outside (0, 1], a loss outside
/// `[0, 1]` or `hours` outside (0, 1,000].
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::renewal_experiment;
/// use lessons::sim::secs;
///
/// let rows = renewal_experiment(secs(10), &[0.9, 0.3], 0.1, 100.0, 4)?;
/// assert!(rows[0].false_expiries_per_hour > 10.0 * rows[1].false_expiries_per_hour);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn renewal_experiment(
    lease: Time,
    ratios: &[f64],
    loss: f64,
    hours: f64,
    seed: u64,
) -> Result<Vec<RenewalRow>, SimError> {
    positive("lease", lease)?;
    probability("loss", loss)?;
    if !(hours > 0.0 && hours <= 1_000.0) {
        return Err(SimError::parameter(
            "hours",
            hours,
            "simulate more than 0 and at most 1,000 hours",
        ));
    }
    let mut rows = Vec::new();
    for (index, &ratio) in ratios.iter().enumerate() {
        if !(ratio > 0.0 && ratio <= 1.0) {
            return Err(SimError::parameter(
                "ratio",
                ratio,
                "renew more than 0 and at most 1 lease length apart",
            ));
        }
        let period = Time::from_nanos_f64(lease.as_nanos() as f64 * ratio).max(Time::from_nanos(1));
        let renewals = (hours * 3_600e9 / period.as_nanos() as f64) as i64;
        if renewals > 10_000_000 {
            return Err(SimError::parameter(
                "hours",
                hours,
                "at most 10 million renewals per ratio: simulate fewer hours",
            ));
        }
        let mut rng = Rng::derive(seed, &[index as u64]);
        let mut last_arrival = Time::ZERO;
        let mut expiries = 0;
        for renewal in 1..=renewals {
            if rng.chance(loss) {
                continue;
            }
            let at = period * renewal;
            if at - last_arrival > lease {
                expiries += 1;
            }
            last_arrival = at;
        }
        let covered = (lease.as_nanos() / period.as_nanos()) as i32;
        rows.push(RenewalRow {
            renew_ratio: ratio,
            false_expiries_per_hour: round_to(expiries as f64 / hours, 4),
            computed_per_hour: round_to(
                3_600.0 / period.as_secs_f64() * (1.0 - loss) * loss.powi(covered),
                4,
            ),
        });
    }
    Ok(rows)
}

fn drift(name: &'static str, ppm: i64, lowest: i64) -> Result<i64, SimError> {
    if (lowest..=MAX_DRIFT_PPM).contains(&ppm) {
        Ok(ppm)
    } else {
        Err(SimError::parameter(
            name,
            ppm,
            format!("a drift from {lowest} to {MAX_DRIFT_PPM} parts per million"),
        ))
    }
}
