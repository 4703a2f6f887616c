//! Rates, decisions and errors shared by every limiter.

use std::fmt;

use serde::Serialize;

use crate::sim::{Time, secs};

/// Why a limiter or an experiment refused its parameters.
///
/// The message names the parameter, the value given and what would be accepted.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, RateLimitError};
///
/// let error = Rate::per_second(0).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "tokens per period = 0 is not allowed: a rate adds at least 1 token per period"
/// );
/// assert!(matches!(error, RateLimitError::Parameter { name: "tokens per period", .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitError {
    /// A parameter outside its allowed range.
    Parameter {
        /// What the parameter is.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        allowed: &'static str,
    },
}

impl RateLimitError {
    pub(crate) fn parameter(
        name: &'static str,
        value: impl fmt::Display,
        allowed: &'static str,
    ) -> RateLimitError {
        RateLimitError::Parameter {
            name,
            value: value.to_string(),
            allowed,
        }
    }
}

impl fmt::Display for RateLimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateLimitError::Parameter {
                name,
                value,
                allowed,
            } => write!(f, "{name} = {value} is not allowed: {allowed}"),
        }
    }
}

impl std::error::Error for RateLimitError {}

/// A refill or drain rate: `tokens` every `per`, kept as two integers so that no rate is
/// rounded (a third of a token per second stays exactly that).
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::Rate;
/// use lessons::sim::{ms, secs};
///
/// let rate = Rate::new(100, secs(60))?;
/// assert_eq!(rate.tokens(), 100);
/// assert_eq!(rate.per(), secs(60));
/// assert_eq!(Rate::per_second(5)?.tokens_in(ms(100)), 0.5);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rate {
    tokens: u64,
    per: Time,
}

impl Rate {
    /// `tokens` every `per`; both must be positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Rate;
    /// use lessons::sim::ms;
    ///
    /// assert!(Rate::new(1, ms(100)).is_ok());
    /// assert!(Rate::new(1, ms(0)).is_err());
    /// ```
    pub fn new(tokens: u64, per: Time) -> Result<Rate, RateLimitError> {
        if tokens == 0 {
            return Err(RateLimitError::parameter(
                "tokens per period",
                tokens,
                "a rate adds at least 1 token per period",
            ));
        }
        if per <= Time::ZERO {
            return Err(RateLimitError::parameter(
                "rate period",
                per,
                "the period must be longer than 0 ns",
            ));
        }
        Ok(Rate { tokens, per })
    }

    /// `tokens` every second.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Rate;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(Rate::per_second(5)?.per(), secs(1));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per_second(tokens: u64) -> Result<Rate, RateLimitError> {
        Rate::new(tokens, secs(1))
    }

    /// `tokens` every minute.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Rate;
    ///
    /// assert_eq!(Rate::per_minute(120)?.per_second_f64(), 2.0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per_minute(tokens: u64) -> Result<Rate, RateLimitError> {
        Rate::new(tokens, secs(60))
    }

    /// How many tokens are added per period.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Rate::per_second(7)?.tokens(), 7);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    #[inline]
    pub fn tokens(self) -> u64 {
        self.tokens
    }

    /// The period.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(lessons::rate_limit::Rate::per_minute(7)?.per(), secs(60));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per(self) -> Time {
        self.per
    }

    /// Tokens per second as a float, for labels and plots.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Rate;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(Rate::new(1, ms(250))?.per_second_f64(), 4.0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per_second_f64(self) -> f64 {
        self.tokens as f64 / self.per.as_secs_f64()
    }

    /// How many tokens accrue over `span`, as a float, for plots (the envelope `B + R*t`).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Rate;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(Rate::per_minute(100)?.tokens_in(secs(30)), 50.0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn tokens_in(self, span: Time) -> f64 {
        self.tokens as f64 * span.as_nanos() as f64 / self.per.as_nanos() as f64
    }

    /// The period in nanoseconds; positive by construction.
    #[inline]
    pub(crate) fn per_nanos(self) -> u128 {
        self.per.as_nanos() as u128
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", self.tokens, self.per)
    }
}

/// What a limiter said about one request.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Decision, Rate, TokenBucket};
/// use lessons::sim::ms;
///
/// let mut bucket = TokenBucket::new(1, Rate::per_second(5)?)?;
/// assert_eq!(bucket.try_acquire(ms(0)), Decision::Admitted);
/// assert_eq!(bucket.try_acquire(ms(0)), Decision::Rejected { retry_after: ms(200) });
/// assert!(bucket.try_acquire(ms(200)).is_admitted());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Decision {
    /// The request may go ahead.
    Admitted,
    /// The request is refused; the same request would be admitted `retry_after` from now if
    /// nothing else is admitted meanwhile.
    Rejected {
        /// How long to wait before the same request would pass.
        retry_after: Time,
    },
}

impl Decision {
    /// Whether the request was admitted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::rate_limit::Decision::Admitted.is_admitted());
    /// ```
    #[inline]
    pub fn is_admitted(self) -> bool {
        self == Decision::Admitted
    }
}

/// A rate limiter that decides, one request at a time, whether a request arriving at `now` may
/// go ahead. Time is always a parameter: the limiter never reads a clock.
///
/// Requests should come in time order; a request stamped earlier than one already seen is
/// treated as arriving at the later time.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{FixedWindow, Limiter, replay};
/// use lessons::sim::{ms, secs};
///
/// let mut limiter = FixedWindow::new(2, secs(1))?;
/// assert!(limiter.admit(ms(10)));
/// let admitted = replay(&mut limiter, &[ms(20), ms(30), ms(1_000)]);
/// assert_eq!(admitted, [ms(20), ms(1_000)]);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub trait Limiter {
    /// Decides one request of cost 1 arriving at `now`, and counts it if admitted.
    fn admit(&mut self, now: Time) -> bool;
}

impl<L: Limiter + ?Sized> Limiter for Box<L> {
    fn admit(&mut self, now: Time) -> bool {
        (**self).admit(now)
    }
}

/// Runs `arrivals` (in time order) through `limiter` and returns the times of the admitted
/// requests.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, TokenBucket, replay};
/// use lessons::sim::ms;
///
/// let mut bucket = TokenBucket::new(2, Rate::per_second(1)?)?;
/// assert_eq!(replay(&mut bucket, &[ms(0), ms(1), ms(2)]), [ms(0), ms(1)]);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn replay(limiter: &mut (impl Limiter + ?Sized), arrivals: &[Time]) -> Vec<Time> {
    arrivals
        .iter()
        .copied()
        .filter(|&arrival| limiter.admit(arrival))
        .collect()
}

/// The largest number of `times` (sorted) that fall in one half-open interval `[s, s + span)`,
/// over every start `s`: the "admitted in any window" that a limit of so many per window
/// promises to bound.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::max_in_any_window;
/// use lessons::sim::{ms, secs};
///
/// let times = [ms(0), ms(900), ms(1_000), ms(1_100)];
/// assert_eq!(max_in_any_window(&times, secs(1)), 3);
/// assert_eq!(max_in_any_window(&times, ms(100)), 1);
/// ```
pub fn max_in_any_window(times: &[Time], span: Time) -> usize {
    let mut start = 0;
    let mut best = 0;
    for (end, &time) in times.iter().enumerate() {
        while time - times[start] >= span {
            start += 1;
        }
        best = best.max(end + 1 - start);
    }
    best
}
