//! The sliding window counter: two fixed windows and an interpolation.

use super::fixed_window::check_limit_and_window;
use super::rate::{Limiter, RateLimitError};
use crate::sim::Time;

/// Two counters, for the current aligned window and the previous one; a request at fraction `f`
/// of the current window is admitted iff `previous * (1 - f) + current + 1 <= limit`.
///
/// The estimate assumes the previous window's requests were spread evenly over it. Computed
/// here in integers (`previous * (window - elapsed) + (current + 1) * window <= limit * window`),
/// so no rounding enters. When the previous window's traffic sat near its end, the estimate
/// forgets it too early and a true window can hold up to nearly twice the limit; when it sat
/// near the start, the estimate remembers it too long and rejects requests an exact log would
/// admit.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Limiter, SlidingWindowCounter};
/// use lessons::sim::secs;
///
/// let mut limiter = SlidingWindowCounter::new(100, secs(60))?;
/// for _ in 0..100 {
///     assert!(limiter.admit(secs(59)));
/// }
/// // 45 s into the next window, the estimate is 100 * 15/60 = 25, so 75 more pass,
/// // although all 100 of the previous window are less than 60 s old.
/// let more = (0..100).filter(|_| limiter.admit(secs(105))).count();
/// assert_eq!(more, 75);
/// assert_eq!(limiter.estimate(secs(105)), 100.0);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
///
/// # References
///
/// * Cloudflare blog, "How we built rate limiting capable of scaling to millions of domains",
///   2017: the two-counter estimate and its measured error on real traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidingWindowCounter {
    limit: u64,
    window: Time,
    index: i64,
    current: u64,
    previous: u64,
}

impl SlidingWindowCounter {
    /// At most `limit` (at least 1) requests per `window` (longer than 0 ns), by estimate.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::SlidingWindowCounter;
    /// use lessons::sim::{Time, secs};
    ///
    /// assert!(SlidingWindowCounter::new(100, secs(60)).is_ok());
    /// assert!(SlidingWindowCounter::new(100, Time::ZERO).is_err());
    /// ```
    pub fn new(limit: u64, window: Time) -> Result<SlidingWindowCounter, RateLimitError> {
        check_limit_and_window(limit, window)?;
        Ok(SlidingWindowCounter {
            limit,
            window,
            index: i64::MIN,
            current: 0,
            previous: 0,
        })
    }

    /// The estimated count of the last window at `now`: `previous * (1 - f) + current`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Limiter, SlidingWindowCounter};
    /// use lessons::sim::secs;
    ///
    /// let mut limiter = SlidingWindowCounter::new(10, secs(10))?;
    /// for _ in 0..10 {
    ///     limiter.admit(secs(5));
    /// }
    /// assert_eq!(limiter.estimate(secs(12)), 8.0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn estimate(&self, now: Time) -> f64 {
        let (previous, current, elapsed) = self.counts_at(now);
        let window = self.window.as_nanos() as f64;
        previous as f64 * (window - elapsed as f64) / window + current as f64
    }

    /// The previous count, the current count and the nanoseconds elapsed in the current window,
    /// as they would be at `now`.
    fn counts_at(&self, now: Time) -> (u64, u64, i64) {
        let window = self.window.as_nanos();
        let index = now.as_nanos().div_euclid(window).max(self.index);
        let elapsed = now.as_nanos() - index.saturating_mul(window);
        let (previous, current) = match index.saturating_sub(self.index) {
            0 => (self.previous, self.current),
            1 => (self.current, 0),
            _ => (0, 0),
        };
        (previous, current, elapsed.clamp(0, window))
    }
}

impl Limiter for SlidingWindowCounter {
    fn admit(&mut self, now: Time) -> bool {
        let (previous, current, elapsed) = self.counts_at(now);
        self.index = now
            .as_nanos()
            .div_euclid(self.window.as_nanos())
            .max(self.index);
        self.previous = previous;
        self.current = current;
        let window = self.window.as_nanos() as u128;
        let remaining = window - elapsed as u128;
        let estimate = previous as u128 * remaining + (current as u128 + 1) * window;
        if estimate > self.limit as u128 * window {
            return false;
        }
        self.current += 1;
        true
    }
}
