//! The fixed window counter.

use super::rate::{Limiter, RateLimitError};
use crate::sim::Time;

/// At most `limit` requests per aligned window `[k*window, (k+1)*window)`; the count starts
/// again at zero at each boundary.
///
/// Cheap (one counter) and exact inside one window, but blind to boundaries: `limit` requests at
/// the end of one window and `limit` more at the start of the next all pass, so an interval of
/// one window's length can hold twice the limit.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{FixedWindow, Limiter};
/// use lessons::sim::{ms, secs};
///
/// let mut limiter = FixedWindow::new(2, secs(60))?;
/// let before = (0..3).filter(|_| limiter.admit(secs(59))).count();
/// let after = (0..3).filter(|_| limiter.admit(secs(60) + ms(1))).count();
/// assert_eq!((before, after), (2, 2)); // 4 in about one second, against "2 per minute"
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedWindow {
    limit: u64,
    window: Time,
    index: i64,
    count: u64,
}

impl FixedWindow {
    /// At most `limit` (at least 1) requests per aligned `window` (longer than 0 ns).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::FixedWindow;
    /// use lessons::sim::{Time, secs};
    ///
    /// assert!(FixedWindow::new(100, secs(60)).is_ok());
    /// assert!(FixedWindow::new(100, Time::ZERO).is_err());
    /// ```
    pub fn new(limit: u64, window: Time) -> Result<FixedWindow, RateLimitError> {
        check_limit_and_window(limit, window)?;
        Ok(FixedWindow {
            limit,
            window,
            index: i64::MIN,
            count: 0,
        })
    }

    /// The requests counted in the window that holds `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{FixedWindow, Limiter};
    /// use lessons::sim::secs;
    ///
    /// let mut limiter = FixedWindow::new(5, secs(1))?;
    /// limiter.admit(secs(0));
    /// assert_eq!(limiter.count(secs(0)), 1);
    /// assert_eq!(limiter.count(secs(1)), 0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn count(&self, now: Time) -> u64 {
        if self.window_index(now) == self.index {
            self.count
        } else {
            0
        }
    }

    fn window_index(&self, now: Time) -> i64 {
        now.as_nanos().div_euclid(self.window.as_nanos())
    }
}

impl Limiter for FixedWindow {
    fn admit(&mut self, now: Time) -> bool {
        let index = self.window_index(now);
        if index > self.index {
            self.index = index;
            self.count = 0;
        }
        if self.count >= self.limit {
            return false;
        }
        self.count += 1;
        true
    }
}

/// The checks every windowed limiter shares.
pub(super) fn check_limit_and_window(limit: u64, window: Time) -> Result<(), RateLimitError> {
    if limit == 0 {
        return Err(RateLimitError::parameter(
            "limit",
            limit,
            "a window admits at least 1 request",
        ));
    }
    if window <= Time::ZERO {
        return Err(RateLimitError::parameter(
            "window",
            window,
            "a window is longer than 0 ns",
        ));
    }
    Ok(())
}
