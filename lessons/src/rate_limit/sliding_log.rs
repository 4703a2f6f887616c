//! The sliding window log.

use std::collections::VecDeque;

use super::fixed_window::check_limit_and_window;
use super::rate::{Limiter, RateLimitError};
use crate::sim::Time;

/// Keeps the time of every admitted request of the last `window` and admits a request iff fewer
/// than `limit` of them fall in `(now - window, now]`.
///
/// Exact: no half-open interval of one window's length ever holds more than `limit` admitted
/// requests. The cost is memory: up to `limit` timestamps per client (rejected requests are not
/// logged here; a log that records them too grows with the offered rate).
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Limiter, SlidingWindowLog};
/// use lessons::sim::{ms, secs};
///
/// let mut limiter = SlidingWindowLog::new(2, secs(60))?;
/// assert!(limiter.admit(secs(59)) && limiter.admit(secs(59)));
/// assert!(!limiter.admit(secs(61)));
/// assert!(limiter.admit(secs(119)));
/// assert_eq!(limiter.stored(), 1);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidingWindowLog {
    limit: u64,
    window: Time,
    log: VecDeque<Time>,
}

impl SlidingWindowLog {
    /// At most `limit` (at least 1) requests in any `window` (longer than 0 ns).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::SlidingWindowLog;
    /// use lessons::sim::secs;
    ///
    /// assert!(SlidingWindowLog::new(0, secs(60)).is_err());
    /// ```
    pub fn new(limit: u64, window: Time) -> Result<SlidingWindowLog, RateLimitError> {
        check_limit_and_window(limit, window)?;
        Ok(SlidingWindowLog {
            limit,
            window,
            log: VecDeque::new(),
        })
    }

    /// How many timestamps the log holds: the memory it costs.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Limiter, SlidingWindowLog};
    /// use lessons::sim::secs;
    ///
    /// let mut limiter = SlidingWindowLog::new(10, secs(1))?;
    /// limiter.admit(secs(0));
    /// assert_eq!(limiter.stored(), 1);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn stored(&self) -> usize {
        self.log.len()
    }
}

impl Limiter for SlidingWindowLog {
    fn admit(&mut self, now: Time) -> bool {
        let now = self.log.back().map_or(now, |&last| now.max(last));
        while self
            .log
            .front()
            .is_some_and(|&oldest| oldest <= now - self.window)
        {
            self.log.pop_front();
        }
        if self.log.len() as u64 >= self.limit {
            return false;
        }
        self.log.push_back(now);
        true
    }
}
