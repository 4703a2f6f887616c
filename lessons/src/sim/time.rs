//! Virtual time: whole nanoseconds, never floating point.
//!
//! A simulation has its own clock, which starts at zero and moves only when the scheduler takes
//! the next event. [`Time`] counts that clock in nanoseconds as a signed 64-bit integer, so it
//! covers about 292 years either side of zero and adds up exactly: ten steps of 100 ms are one
//! second, not 0.9999999. The same type is a moment (`at(ms(100))`) and a span (a latency of
//! `ms(5)`, a clock offset of `ms(-20)`); negative spans are what clock offsets and backward
//! clock steps need.
//!
//! Arithmetic saturates at [`Time::MIN`] and [`Time::MAX`] instead of wrapping or panicking, so no
//! parameter a notebook passes in can crash a run.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Time, ms, secs, us};
//!
//! let ten_steps = (0..10).fold(Time::ZERO, |total, _| total + ms(100));
//! assert_eq!(ten_steps, secs(1));
//! assert_eq!(ms(1) + us(500), us(1_500));
//! assert_eq!((ms(1) + us(500)).to_string(), "1.5ms");
//! ```

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

use serde::Serialize;

/// A moment or a span of virtual time, in whole nanoseconds.
///
/// Build one with [`ns`], [`us`], [`ms`] or [`secs`]. It prints in the largest unit that keeps it
/// above one, with every significant digit: `1.5ms`, `-20ms`, `2.000001s`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Time, ms, ns};
///
/// let latency = ms(5);
/// assert_eq!(latency.as_nanos(), 5_000_000);
/// assert_eq!(ms(5) - ms(7), ms(-2));
/// assert!(ns(1) > Time::ZERO);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Time(i64);

impl Time {
    /// The start of every simulation, and the empty span.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Time, ns};
    ///
    /// assert_eq!(Time::ZERO, ns(0));
    /// ```
    pub const ZERO: Time = Time(0);

    /// The latest time there is; sums that would pass it stop here.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Time, ns};
    ///
    /// assert_eq!(Time::MAX + ns(1), Time::MAX);
    /// ```
    pub const MAX: Time = Time(i64::MAX);

    /// The earliest time there is; differences that would pass it stop here.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Time, ns};
    ///
    /// assert_eq!(Time::MIN - ns(1), Time::MIN);
    /// ```
    pub const MIN: Time = Time(i64::MIN);

    /// The time `nanos` nanoseconds after zero (before it, if negative).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Time, us};
    ///
    /// assert_eq!(Time::from_nanos(1_000), us(1));
    /// ```
    pub const fn from_nanos(nanos: i64) -> Time {
        Time(nanos)
    }

    /// The whole number of nanoseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::ms(2).as_nanos(), 2_000_000);
    /// ```
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// The time in milliseconds as a float, for plotting; keep computing with [`Time`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::us;
    ///
    /// assert_eq!(us(2_500).as_millis_f64(), 2.5);
    /// ```
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The time in seconds as a float, for plotting; keep computing with [`Time`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(ms(1_500).as_secs_f64(), 1.5);
    /// ```
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// The time rounded to the nearest nanosecond from a float number of nanoseconds; NaN gives
    /// zero and values beyond the range stop at [`Time::MIN`] or [`Time::MAX`].
    ///
    /// Samplers use this to turn a drawn float into an exact time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Time, ns};
    ///
    /// assert_eq!(Time::from_nanos_f64(2.5), ns(3));
    /// assert_eq!(Time::from_nanos_f64(1e300), Time::MAX);
    /// ```
    pub fn from_nanos_f64(nanos: f64) -> Time {
        // `as` saturates and maps NaN to 0; `round` is exact, so this is the same on every
        // platform.
        Time(nanos.round() as i64)
    }
}

/// `count` nanoseconds.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::sim::ns(7).as_nanos(), 7);
/// ```
pub const fn ns(count: i64) -> Time {
    Time(count)
}

/// `count` microseconds.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::sim::us(7).as_nanos(), 7_000);
/// ```
pub const fn us(count: i64) -> Time {
    Time(count.saturating_mul(1_000))
}

/// `count` milliseconds.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::sim::ms(-20).as_nanos(), -20_000_000);
/// ```
pub const fn ms(count: i64) -> Time {
    Time(count.saturating_mul(1_000_000))
}

/// `count` seconds.
///
/// # Examples
///
/// ```
/// use lessons::sim::{ms, secs};
///
/// assert_eq!(secs(2), ms(2_000));
/// ```
pub const fn secs(count: i64) -> Time {
    Time(count.saturating_mul(1_000_000_000))
}

impl Add for Time {
    type Output = Time;

    fn add(self, other: Time) -> Time {
        Time(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Time {
    fn add_assign(&mut self, other: Time) {
        *self = *self + other;
    }
}

impl Sub for Time {
    type Output = Time;

    fn sub(self, other: Time) -> Time {
        Time(self.0.saturating_sub(other.0))
    }
}

impl SubAssign for Time {
    fn sub_assign(&mut self, other: Time) {
        *self = *self - other;
    }
}

impl Neg for Time {
    type Output = Time;

    fn neg(self) -> Time {
        Time(self.0.saturating_neg())
    }
}

impl Mul<i64> for Time {
    type Output = Time;

    fn mul(self, factor: i64) -> Time {
        Time(self.0.saturating_mul(factor))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] = [
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "µs"),
            (1, "ns"),
        ];
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let (size, unit) = UNITS
            .into_iter()
            .find(|&(size, _)| magnitude >= size)
            .unwrap_or((1, "ns"));
        let whole = magnitude / size;
        let fraction = magnitude % size;
        if fraction == 0 {
            return write!(f, "{sign}{whole}{unit}");
        }
        let digits = size.ilog10() as usize;
        let fraction = format!("{fraction:0digits$}");
        write!(f, "{sign}{whole}.{}{unit}", fraction.trim_end_matches('0'))
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_uses_the_largest_unit_and_every_digit() {
        let cases = [
            (ns(0), "0ns"),
            (ns(7), "7ns"),
            (us(12), "12µs"),
            (ns(1_500), "1.5µs"),
            (ms(250), "250ms"),
            (ms(-20), "-20ms"),
            (secs(2) + ns(1), "2.000000001s"),
            (ms(1_500), "1.5s"),
            (Time::MIN, "-9223372036.854775808s"),
        ];
        for (time, text) in cases {
            assert_eq!(time.to_string(), text);
            assert_eq!(format!("{time:?}"), text);
        }
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Time::MAX + ms(1), Time::MAX);
        assert_eq!(Time::MIN - ms(1), Time::MIN);
        assert_eq!(-Time::MIN, Time::MAX);
        assert_eq!(secs(i64::MAX), Time::MAX);
        assert_eq!(ms(3) * 4, ms(12));
        assert_eq!(Time::MAX * 2, Time::MAX);
    }

    #[test]
    fn serializes_as_nanoseconds() {
        assert_eq!(serde_json::to_string(&ms(3)).unwrap(), "3000000");
    }
}
