//! Physical clocks that are wrong in the ways real ones are.
//!
//! The simulation knows the true time; a node does not. It reads its own quartz clock, which
//! differs from the truth in three ways:
//!
//! * an **offset**: it was set wrong to begin with (or synchronised to a wrong source);
//! * a **drift**: it runs fast or slow, measured in parts per million (ppm); 100 ppm is 8.64
//!   seconds a day, a typical figure for an undisciplined server clock;
//! * **corrections**: at some moments synchronisation corrects it, either by a **step** (the
//!   reading jumps, forwards or backwards, at once) or by a **slew** (the clock runs up to
//!   [`SLEW_PPM`](PhysicalClock::SLEW_PPM) faster or slower until the correction is made, so the
//!   reading never jumps). The reference NTP daemon, ntpd, slews offsets below its step threshold
//!   (128 ms by default) and steps larger ones; a step can also come from an operator or a tool
//!   told to step.
//!
//! A node's reading at true time `t` is exactly
//!
//! ```text
//! reading(t) = t + floor(t × drift_ppm / 1 000 000) + offset + (sum of the steps at or before t)
//!            + (sum of the slews begun at or before t, each as far as it has got)
//! ```
//!
//! where a slew of `by` begun at `s` has got `min(|by|, floor((t − s) × SLEW_PPM / 1 000 000))`
//! of the way, in the direction of `by`.
//!
//! in integer nanoseconds. Readings can go backwards (after a backward step) and two nodes can
//! disagree by any amount; that is the point. Timers are not affected: a node that asks to be
//! woken after 100 ms is woken 100 ms of true time later.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{PhysicalClock, ms, secs};
//!
//! let clock = PhysicalClock::new()
//!     .offset(ms(30))
//!     .drift_ppm(1_000)
//!     .step_at(secs(2), ms(-100));
//! assert_eq!(clock.reading(secs(1)), secs(1) + ms(1) + ms(30));
//! assert_eq!(clock.reading(secs(2)), secs(2) + ms(2) + ms(30) - ms(100));
//! ```

use serde::Serialize;

use super::error::SimError;
use super::time::Time;

/// A node's physical clock: offset, drift and scheduled steps, as plain data.
///
/// # Examples
///
/// ```
/// use lessons::sim::{PhysicalClock, secs};
///
/// let perfect = PhysicalClock::new();
/// assert_eq!(perfect.reading(secs(5)), secs(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PhysicalClock {
    /// How far ahead (positive) or behind (negative) the clock reads at time zero.
    pub offset: Time,
    /// How fast the clock runs, in parts per million; negative runs slow.
    pub drift_ppm: i64,
    /// Jumps of the reading, each at a true time.
    pub steps: Vec<ClockStep>,
    /// Gradual corrections, each begun at a true time.
    pub slews: Vec<ClockSlew>,
}

/// A correction of a clock by `by`, begun at true time `at` and made gradually, at
/// [`PhysicalClock::SLEW_PPM`], so that the reading never jumps.
///
/// # Examples
///
/// ```
/// use lessons::sim::{ClockSlew, PhysicalClock, ms};
///
/// let clock = PhysicalClock::new().slew_at(ms(10), ms(-3));
/// assert_eq!(clock.slews, [ClockSlew { at: ms(10), by: ms(-3) }]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockSlew {
    /// The true time the correction begins.
    pub at: Time,
    /// The total correction; negative sets the clock back.
    pub by: Time,
}

/// A jump of a clock's reading by `by` at true time `at`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{ClockStep, PhysicalClock, ms};
///
/// let clock = PhysicalClock::new().step_at(ms(10), ms(-3));
/// assert_eq!(clock.steps, [ClockStep { at: ms(10), by: ms(-3) }]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockStep {
    /// The true time of the jump.
    pub at: Time,
    /// How much the reading jumps; negative jumps back.
    pub by: Time,
}

impl PhysicalClock {
    /// The largest drift allowed either way: a clock running twice as fast, or standing still.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::PhysicalClock::MAX_DRIFT_PPM, 1_000_000);
    /// ```
    pub const MAX_DRIFT_PPM: i64 = 1_000_000;

    /// How fast a slew corrects the clock, in parts per million: 500, ntpd's largest rate, so a
    /// 1 ms correction takes 2 s.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::PhysicalClock::SLEW_PPM, 500);
    /// ```
    pub const SLEW_PPM: i64 = 500;

    /// A perfect clock: no offset, no drift, no steps.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{PhysicalClock, ms};
    ///
    /// assert_eq!(PhysicalClock::new().reading(ms(7)), ms(7));
    /// ```
    pub fn new() -> PhysicalClock {
        PhysicalClock::default()
    }

    /// The clock with this offset at time zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{PhysicalClock, ms};
    ///
    /// assert_eq!(PhysicalClock::new().offset(ms(-20)).reading(ms(100)), ms(80));
    /// ```
    pub fn offset(mut self, offset: Time) -> PhysicalClock {
        self.offset = offset;
        self
    }

    /// The clock running `ppm` parts per million fast (slow if negative).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{PhysicalClock, ms, secs};
    ///
    /// // 500 ppm fast gains half a millisecond every second.
    /// assert_eq!(PhysicalClock::new().drift_ppm(500).reading(secs(4)), secs(4) + ms(2));
    /// ```
    pub fn drift_ppm(mut self, ppm: i64) -> PhysicalClock {
        self.drift_ppm = ppm;
        self
    }

    /// The clock with one more step: at true time `at` the reading jumps by `by`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{PhysicalClock, ms};
    ///
    /// let clock = PhysicalClock::new().step_at(ms(50), ms(-30));
    /// assert_eq!(clock.reading(ms(49)), ms(49));
    /// assert_eq!(clock.reading(ms(50)), ms(20)); // read 20ms after having read 49ms
    /// ```
    pub fn step_at(mut self, at: Time, by: Time) -> PhysicalClock {
        self.steps.push(ClockStep { at, by });
        self
    }

    /// The clock with one more slew: from true time `at` it is corrected by `by`, gradually, at
    /// [`SLEW_PPM`](Self::SLEW_PPM).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{PhysicalClock, ms, secs, us};
    ///
    /// let clock = PhysicalClock::new().slew_at(secs(1), ms(-1));
    /// assert_eq!(clock.reading(secs(2)), secs(2) - us(500)); // half done after 1 s
    /// assert_eq!(clock.reading(secs(5)), secs(5) - ms(1)); // done after 2 s
    /// ```
    pub fn slew_at(mut self, at: Time, by: Time) -> PhysicalClock {
        self.slews.push(ClockSlew { at, by });
        self
    }

    /// What the clock reads at true time `true_time`; see the module docs for the formula.
    ///
    /// Readings beyond the range of [`Time`] stop at its ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{PhysicalClock, ms, secs};
    ///
    /// let clock = PhysicalClock::new().offset(ms(5)).drift_ppm(-1_000);
    /// assert_eq!(clock.reading(secs(1)), secs(1) - ms(1) + ms(5));
    /// ```
    pub fn reading(&self, true_time: Time) -> Time {
        let t = i128::from(true_time.as_nanos());
        let drift = (t * i128::from(self.drift_ppm)).div_euclid(1_000_000);
        let steps: i128 = self
            .steps
            .iter()
            .filter(|step| step.at <= true_time)
            .map(|step| i128::from(step.by.as_nanos()))
            .sum();
        let slews: i128 = self
            .slews
            .iter()
            .filter(|slew| slew.at <= true_time)
            .map(|slew| {
                let elapsed = i128::from(true_time.as_nanos()) - i128::from(slew.at.as_nanos());
                let by = i128::from(slew.by.as_nanos());
                let made = (elapsed * i128::from(Self::SLEW_PPM) / 1_000_000).min(by.abs());
                made * by.signum()
            })
            .sum();
        let reading = t + drift + i128::from(self.offset.as_nanos()) + steps + slews;
        Time::from_nanos(reading.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }

    /// Checks the parameters: drift within ±[`MAX_DRIFT_PPM`](Self::MAX_DRIFT_PPM), steps at
    /// time zero or later.
    ///
    /// # Errors
    ///
    /// A [`SimError::Parameter`] naming the first value out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::PhysicalClock;
    ///
    /// let error = PhysicalClock::new().drift_ppm(2_000_000).validate().unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "clock drift 2000000 ppm is not allowed; drift must be between -1000000 and 1000000 ppm"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        if !(-Self::MAX_DRIFT_PPM..=Self::MAX_DRIFT_PPM).contains(&self.drift_ppm) {
            return Err(SimError::parameter(
                "clock drift",
                format!("{} ppm", self.drift_ppm),
                format!(
                    "drift must be between -{max} and {max} ppm",
                    max = Self::MAX_DRIFT_PPM
                ),
            ));
        }
        if let Some(step) = self.steps.iter().find(|step| step.at < Time::ZERO) {
            return Err(SimError::parameter(
                "clock step time",
                step.at,
                "steps happen at time 0 or later",
            ));
        }
        if let Some(slew) = self.slews.iter().find(|slew| slew.at < Time::ZERO) {
            return Err(SimError::parameter(
                "clock slew time",
                slew.at,
                "slews begin at time 0 or later",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{ms, secs};

    #[test]
    fn drift_rounds_down_even_for_slow_clocks() {
        let slow = PhysicalClock::new().drift_ppm(-1);
        assert_eq!(slow.reading(Time::from_nanos(1)), Time::ZERO);
        let fast = PhysicalClock::new().drift_ppm(1);
        assert_eq!(
            fast.reading(Time::from_nanos(999_999)),
            Time::from_nanos(999_999)
        );
    }

    #[test]
    fn steps_add_up_in_any_order() {
        let clock = PhysicalClock::new()
            .step_at(secs(2), ms(-5))
            .step_at(secs(1), ms(10));
        assert_eq!(clock.reading(ms(1_500)), ms(1_510));
        assert_eq!(clock.reading(secs(3)), secs(3) + ms(5));
    }

    #[test]
    fn readings_saturate() {
        let clock = PhysicalClock::new().offset(Time::MAX).drift_ppm(1_000_000);
        assert_eq!(clock.reading(Time::MAX), Time::MAX);
        let clock = PhysicalClock::new().offset(Time::MIN);
        assert_eq!(clock.reading(Time::MIN), Time::MIN);
    }

    /// Found by `bad_parameters_are_errors_never_panics`: `i64::MIN.abs()` overflowed.
    #[test]
    fn the_most_negative_drift_is_refused_not_a_panic() {
        assert!(PhysicalClock::new().drift_ppm(i64::MIN).validate().is_err());
    }

    #[test]
    fn steps_before_zero_are_refused() {
        let error = PhysicalClock::new()
            .step_at(ms(-1), ms(1))
            .validate()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "clock step time -1ms is not allowed; steps happen at time 0 or later"
        );
    }
}
