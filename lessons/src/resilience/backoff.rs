//! Exponential backoff and the three jitters of Marc Brooker's "Exponential Backoff And
//! Jitter" (AWS Architecture Blog, 2015): full, equal and decorrelated.

use serde::Serialize;

use super::checks::positive_time;
use crate::sim::{Rng, SimError, Time};

/// How a retry's delay is randomized around the exponential schedule
/// `ceiling(n) = min(cap, base x 2^(n-1))` for retry number `n` (1, 2, ...).
///
/// # Examples
///
/// ```
/// use lessons::resilience::Jitter;
///
/// assert_eq!(Jitter::Decorrelated.to_string(), "decorrelated jitter");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Jitter {
    /// Exactly the ceiling: every client that failed together retries together.
    None,
    /// Uniform in `[0, ceiling]`.
    Full,
    /// Half the ceiling plus uniform in `[0, ceiling / 2]`.
    Equal,
    /// `min(cap, uniform in [base, 3 x previous delay])`, starting from `previous = base`;
    /// it does not use the retry number at all.
    Decorrelated,
}

impl std::fmt::Display for Jitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Jitter::None => "exponential, no jitter",
            Jitter::Full => "full jitter",
            Jitter::Equal => "equal jitter",
            Jitter::Decorrelated => "decorrelated jitter",
        })
    }
}

/// A backoff schedule: a `base` delay, doubled per retry up to `cap`, randomized by `jitter`.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Backoff, Jitter};
/// use lessons::sim::ms;
///
/// let plain = Backoff::new(ms(100), ms(1_000), Jitter::None)?;
/// let delays: Vec<i64> = plain.delays(6, 1).iter().map(|d| d.as_nanos() / 1_000_000).collect();
/// assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Time,
    cap: Time,
    jitter: Jitter,
}

impl Backoff {
    /// A schedule from `base` up to `cap`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `base` is positive and `cap` at least `base`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Backoff, Jitter};
    /// use lessons::sim::ms;
    ///
    /// assert!(Backoff::new(ms(100), ms(50), Jitter::Full).is_err());
    /// ```
    pub fn new(base: Time, cap: Time, jitter: Jitter) -> Result<Backoff, SimError> {
        positive_time("base", base)?;
        if cap < base {
            return Err(SimError::parameter(
                "cap",
                cap,
                format!("at least the base, {base}"),
            ));
        }
        Ok(Backoff { base, cap, jitter })
    }

    /// The jitter.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Backoff, Jitter};
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(Backoff::new(ms(1), ms(8), Jitter::Equal)?.jitter(), Jitter::Equal);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The un-jittered delay before retry `retry` (counted from 1): `min(cap, base x
    /// 2^(retry-1))`, and the upper bound of the full and equal jitters.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Backoff, Jitter};
    /// use lessons::sim::{ms, secs};
    ///
    /// let backoff = Backoff::new(ms(100), secs(10), Jitter::Full)?;
    /// assert_eq!(backoff.ceiling(1), ms(100));
    /// assert_eq!(backoff.ceiling(4), ms(800));
    /// assert_eq!(backoff.ceiling(60), secs(10));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn ceiling(&self, retry: u32) -> Time {
        let doublings = retry.saturating_sub(1).min(62);
        let factor = 1i64 << doublings;
        let raw = self.base * factor;
        if raw.as_nanos() / factor != self.base.as_nanos() {
            self.cap // the product saturated
        } else {
            raw.min(self.cap)
        }
    }

    /// The delay before retry `retry` (counted from 1), given the delay before the previous
    /// retry (decorrelated jitter grows from it; the others ignore it; pass the base for the
    /// first retry).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Backoff, Jitter};
    /// use lessons::sim::{Rng, ms};
    ///
    /// let equal = Backoff::new(ms(100), ms(10_000), Jitter::Equal)?;
    /// let delay = equal.delay(3, ms(100), &mut Rng::new(1));
    /// assert!(delay >= ms(200) && delay <= ms(400));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn delay(&self, retry: u32, previous: Time, rng: &mut Rng) -> Time {
        let ceiling = self.ceiling(retry);
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Full => rng.between(Time::ZERO, ceiling),
            Jitter::Equal => {
                let half = Time::from_nanos(ceiling.as_nanos() / 2);
                half + rng.between(Time::ZERO, ceiling - half)
            }
            Jitter::Decorrelated => rng
                .between(self.base, previous.max(self.base) * 3)
                .min(self.cap),
        }
    }

    /// The delays before retries 1 to `retries`, drawn from `seed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Backoff, Jitter};
    /// use lessons::sim::ms;
    ///
    /// let full = Backoff::new(ms(100), ms(10_000), Jitter::Full)?;
    /// let delays = full.delays(5, 7);
    /// assert!(delays.iter().zip(1..).all(|(d, n)| *d <= full.ceiling(n)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn delays(&self, retries: u32, seed: u64) -> Vec<Time> {
        let mut rng = Rng::new(seed);
        let mut previous = self.base;
        (1..=retries)
            .map(|retry| {
                previous = self.delay(retry, previous, &mut rng);
                previous
            })
            .collect()
    }
}
