//! The token bucket, with exact integer refill.

use serde::Serialize;

use super::rate::{Decision, Limiter, Rate, RateLimitError};
use crate::sim::Time;

/// A bucket of at most `capacity` tokens, refilled continuously at `rate`; a request of cost
/// `c` is admitted iff the bucket holds at least `c` tokens when it arrives, and then takes
/// them.
///
/// The level is kept in units of `1 / per` of a token, where `per` is the rate's period in
/// nanoseconds, so every refill is an exact integer: 100 ms at 5 tokens per second adds exactly
/// half a token, and refilling once over a second gives the same level as ten refills of 100 ms.
/// A new bucket starts full. A `now` earlier than the last one seen adds nothing (time never
/// runs backwards for the bucket).
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, TokenBucket};
/// use lessons::sim::ms;
///
/// let mut bucket = TokenBucket::new(5, Rate::per_second(5)?)?;
/// let burst = (0..7).filter(|_| bucket.try_acquire(ms(0)).is_admitted()).count();
/// assert_eq!(burst, 5);
/// bucket.refill(ms(100));
/// assert_eq!(bucket.tokens().as_fraction(), (1, 2));
/// assert!(bucket.try_acquire(ms(200)).is_admitted());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
///
/// # References
///
/// * Jonathan Turner, "New directions in communications (or which way to the information
///   age?)", IEEE Communications Magazine 24(10), 1986: the leaky bucket as a policer.
/// * ATM Forum, Traffic Management Specification 4.0, 1996, section 4.4.2: the generic cell
///   rate algorithm (GCRA), the same policer stated as a theoretical arrival time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    capacity: u64,
    rate: Rate,
    /// Tokens held, in units of 1/`per_nanos` token.
    level: u128,
    /// The latest time the level was brought up to date.
    updated: Time,
}

/// An exact number of tokens: `units / units_per_token`.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, TokenBucket};
/// use lessons::sim::ms;
///
/// let mut bucket = TokenBucket::new(3, Rate::per_second(3)?)?.starting_empty_at(ms(0));
/// bucket.refill(ms(500));
/// let tokens = bucket.tokens();
/// assert_eq!(tokens.as_fraction(), (3, 2));
/// assert_eq!(tokens.whole(), 1);
/// assert_eq!(tokens.as_f64(), 1.5);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tokens {
    units: u128,
    units_per_token: u128,
}

impl Tokens {
    /// The whole tokens, rounded down.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    ///
    /// assert_eq!(TokenBucket::new(4, Rate::per_second(1)?)?.tokens().whole(), 4);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn whole(self) -> u64 {
        (self.units / self.units_per_token) as u64
    }

    /// The count as a reduced fraction `(numerator, denominator)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    ///
    /// assert_eq!(TokenBucket::new(4, Rate::per_second(1)?)?.tokens().as_fraction(), (4, 1));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn as_fraction(self) -> (u128, u128) {
        let divisor = gcd(self.units, self.units_per_token);
        (self.units / divisor, self.units_per_token / divisor)
    }

    /// The count as a float, for plots.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    ///
    /// assert_eq!(TokenBucket::new(4, Rate::per_second(1)?)?.tokens().as_f64(), 4.0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn as_f64(self) -> f64 {
        self.units as f64 / self.units_per_token as f64
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl TokenBucket {
    /// A full bucket of `capacity` tokens refilled at `rate`. The capacity must be at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    ///
    /// let bucket = TokenBucket::new(10, Rate::per_second(2)?)?;
    /// assert_eq!(bucket.capacity(), 10);
    /// let error = TokenBucket::new(0, Rate::per_second(2)?).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "capacity = 0 is not allowed: a bucket holds at least 1 token"
    /// );
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn new(capacity: u64, rate: Rate) -> Result<TokenBucket, RateLimitError> {
        if capacity == 0 {
            return Err(RateLimitError::parameter(
                "capacity",
                capacity,
                "a bucket holds at least 1 token",
            ));
        }
        Ok(TokenBucket {
            capacity,
            rate,
            level: capacity as u128 * rate.per_nanos(),
            updated: Time::MIN,
        })
    }

    /// The same bucket, but empty at `start` (the default is full since forever).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    /// use lessons::sim::ms;
    ///
    /// let mut bucket = TokenBucket::new(5, Rate::per_second(5)?)?.starting_empty_at(ms(0));
    /// assert!(!bucket.try_acquire(ms(100)).is_admitted());
    /// assert!(bucket.try_acquire(ms(200)).is_admitted());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn starting_empty_at(mut self, start: Time) -> TokenBucket {
        self.level = 0;
        self.updated = start;
        self
    }

    /// The most tokens the bucket holds (`B`).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    ///
    /// assert_eq!(TokenBucket::new(3, Rate::per_second(1)?)?.capacity(), 3);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The refill rate (`R`).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    ///
    /// let rate = Rate::per_second(4)?;
    /// assert_eq!(TokenBucket::new(3, rate)?.rate(), rate);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// The tokens held, as of the last call.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    /// use lessons::sim::ms;
    ///
    /// let mut bucket = TokenBucket::new(2, Rate::per_second(4)?)?;
    /// bucket.try_acquire(ms(0));
    /// assert_eq!(bucket.tokens().as_fraction(), (1, 1));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn tokens(&self) -> Tokens {
        Tokens {
            units: self.level,
            units_per_token: self.rate.per_nanos(),
        }
    }

    /// Brings the level up to `now`: adds what the rate earned since the last call, up to the
    /// capacity. Refilling in one step or in many gives the same level.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    /// use lessons::sim::{ms, secs};
    ///
    /// let empty = TokenBucket::new(10, Rate::per_second(5)?)?.starting_empty_at(ms(0));
    /// let mut once = empty.clone();
    /// once.refill(secs(1));
    /// let mut in_steps = empty;
    /// for step in 1..=10 {
    ///     in_steps.refill(ms(100) * step);
    /// }
    /// assert_eq!(once, in_steps);
    /// assert_eq!(once.tokens().as_fraction(), (5, 1));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    #[inline]
    pub fn refill(&mut self, now: Time) {
        if now <= self.updated {
            return;
        }
        // Two i64 nanosecond counts differ by less than 2^64, and a u64 times a u64 fits in a
        // u128: the product is exact and needs no overflow check.
        let elapsed = now.as_nanos().wrapping_sub(self.updated.as_nanos()) as u64;
        let earned = elapsed as u128 * self.rate.tokens() as u128;
        self.level = self.level.saturating_add(earned).min(self.full());
        self.updated = now;
    }

    /// Decides a request of cost 1 arriving at `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Decision, Rate, TokenBucket};
    /// use lessons::sim::ms;
    ///
    /// let mut bucket = TokenBucket::new(1, Rate::per_second(10)?)?;
    /// assert_eq!(bucket.try_acquire(ms(0)), Decision::Admitted);
    /// assert_eq!(bucket.try_acquire(ms(40)), Decision::Rejected { retry_after: ms(60) });
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    #[inline]
    pub fn try_acquire(&mut self, now: Time) -> Decision {
        self.acquire_units(now, self.rate.per_nanos())
    }

    /// Decides a request of cost `cost` (at least 1, at most the capacity) arriving at `now`;
    /// if admitted it takes `cost` tokens, if not it takes none.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    /// use lessons::sim::ms;
    ///
    /// let mut bucket = TokenBucket::new(50, Rate::per_second(10)?)?;
    /// assert!(bucket.try_acquire_n(ms(0), 45)?.is_admitted());
    /// assert!(!bucket.try_acquire_n(ms(0), 6)?.is_admitted());
    /// assert!(bucket.try_acquire_n(ms(0), 5)?.is_admitted());
    /// assert!(bucket.try_acquire_n(ms(0), 51).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn try_acquire_n(&mut self, now: Time, cost: u64) -> Result<Decision, RateLimitError> {
        self.check_cost(cost)?;
        Ok(self.acquire_units(now, cost as u128 * self.rate.per_nanos()))
    }

    /// Whether a request of `cost` would be admitted at `now`, without taking any tokens: the
    /// first half of an all-or-nothing check across several limiters.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Rate, TokenBucket};
    /// use lessons::sim::ms;
    ///
    /// let mut bucket = TokenBucket::new(2, Rate::per_second(1)?)?;
    /// assert!(bucket.would_admit(ms(0), 2)?);
    /// assert_eq!(bucket.tokens().whole(), 2);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn would_admit(&mut self, now: Time, cost: u64) -> Result<bool, RateLimitError> {
        self.check_cost(cost)?;
        self.refill(now);
        Ok(self.level >= cost as u128 * self.rate.per_nanos())
    }

    fn check_cost(&self, cost: u64) -> Result<(), RateLimitError> {
        if cost == 0 || cost > self.capacity {
            return Err(RateLimitError::parameter(
                "cost",
                cost,
                "a request costs at least 1 token and at most the bucket's capacity",
            ));
        }
        Ok(())
    }

    #[inline]
    fn full(&self) -> u128 {
        self.capacity as u128 * self.rate.per_nanos()
    }

    #[inline]
    fn acquire_units(&mut self, now: Time, cost: u128) -> Decision {
        self.refill(now);
        if self.level >= cost {
            self.level -= cost;
            return Decision::Admitted;
        }
        let missing = cost - self.level;
        let rate = self.rate.tokens();
        // A 64-bit division is several times cheaper than a 128-bit one, and the missing
        // amount is below one token's worth of units far more often than not.
        let wait = match u64::try_from(missing) {
            Ok(missing) => missing.div_ceil(rate).min(i64::MAX as u64) as i64,
            Err(_) => missing.div_ceil(rate as u128).min(i64::MAX as u128) as i64,
        };
        Decision::Rejected {
            retry_after: Time::from_nanos(wait),
        }
    }
}

impl Limiter for TokenBucket {
    fn admit(&mut self, now: Time) -> bool {
        self.try_acquire(now).is_admitted()
    }
}
