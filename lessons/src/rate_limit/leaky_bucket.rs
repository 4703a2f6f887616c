//! The leaky bucket as a queue: a bounded FIFO drained at a fixed pace.

use std::collections::VecDeque;

use serde::Serialize;

use super::rate::{Limiter, Rate, RateLimitError};
use crate::sim::Time;

/// A FIFO of at most `capacity` waiting requests that lets one request out every
/// `rate.per() / rate.tokens()` (rounded up to the nanosecond); a request that finds the queue
/// full is dropped.
///
/// Used as a *shaper*, the output is perfectly even: departures are never closer than one drain
/// interval, whatever the input. The price is delay: a request that joins a queue of `k` waits
/// about `k` intervals. (The "leaky bucket as a meter", which only counts, decides exactly like a
/// [`TokenBucket`](super::TokenBucket).)
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{LeakyBucket, Offer, Rate};
/// use lessons::sim::ms;
///
/// let mut queue = LeakyBucket::new(2, Rate::per_second(10)?)?;
/// assert_eq!(queue.offer(ms(0)), Offer::Queued { departs_at: ms(0) });
/// assert_eq!(queue.offer(ms(0)), Offer::Queued { departs_at: ms(100) });
/// assert_eq!(queue.offer(ms(0)), Offer::Queued { departs_at: ms(200) });
/// assert_eq!(queue.offer(ms(0)), Offer::Dropped);
/// assert_eq!(queue.waiting(ms(150)), 1);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
///
/// # References
///
/// * Jonathan Turner, "New directions in communications (or which way to the information
///   age?)", IEEE Communications Magazine 24(10), 1986.
/// * Andrew Tanenbaum, "Computer Networks", 5th edition, section 5.4.2 (traffic shaping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakyBucket {
    capacity: usize,
    interval: Time,
    /// Departure times of the requests not yet gone, oldest first.
    departures: VecDeque<Time>,
    last_departure: Option<Time>,
}

/// What a [`LeakyBucket`] did with a request.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::Offer;
/// use lessons::sim::ms;
///
/// assert_eq!(Offer::Queued { departs_at: ms(5) }.departs_at(), Some(ms(5)));
/// assert_eq!(Offer::Dropped.departs_at(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Offer {
    /// Accepted; it leaves the queue at `departs_at`.
    Queued {
        /// When the request leaves the queue (goes to the downstream).
        departs_at: Time,
    },
    /// The queue was full.
    Dropped,
}

impl Offer {
    /// The departure time, if the request was accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::rate_limit::Offer::Dropped.departs_at().is_none());
    /// ```
    pub fn departs_at(self) -> Option<Time> {
        match self {
            Offer::Queued { departs_at } => Some(departs_at),
            Offer::Dropped => None,
        }
    }
}

impl LeakyBucket {
    /// A queue holding at most `capacity` waiting requests (at least 1), drained at `rate`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LeakyBucket, Rate};
    /// use lessons::sim::ms;
    ///
    /// let queue = LeakyBucket::new(5, Rate::per_second(3)?)?;
    /// assert_eq!(queue.interval(), lessons::sim::ns(333_333_334));
    /// assert!(LeakyBucket::new(0, Rate::per_second(3)?).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn new(capacity: usize, rate: Rate) -> Result<LeakyBucket, RateLimitError> {
        if capacity == 0 {
            return Err(RateLimitError::parameter(
                "queue capacity",
                capacity,
                "the queue holds at least 1 request",
            ));
        }
        let interval = rate.per_nanos().div_ceil(rate.tokens() as u128);
        Ok(LeakyBucket {
            capacity,
            interval: Time::from_nanos(interval as i64),
            departures: VecDeque::new(),
            last_departure: None,
        })
    }

    /// The time between two departures.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LeakyBucket, Rate};
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(LeakyBucket::new(1, Rate::per_second(4)?)?.interval(), ms(250));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn interval(&self) -> Time {
        self.interval
    }

    /// Offers a request arriving at `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LeakyBucket, Rate};
    /// use lessons::sim::ms;
    ///
    /// let mut queue = LeakyBucket::new(1, Rate::per_second(4)?)?;
    /// assert_eq!(queue.offer(ms(10)).departs_at(), Some(ms(10)));
    /// assert_eq!(queue.offer(ms(20)).departs_at(), Some(ms(260)));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn offer(&mut self, now: Time) -> Offer {
        if self.waiting(now) >= self.capacity {
            return Offer::Dropped;
        }
        let departs_at = match self.last_departure {
            Some(last) => now.max(last + self.interval),
            None => now,
        };
        self.last_departure = Some(departs_at);
        if departs_at > now {
            self.departures.push_back(departs_at);
        }
        Offer::Queued { departs_at }
    }

    /// How many accepted requests have not left by `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{LeakyBucket, Rate};
    /// use lessons::sim::ms;
    ///
    /// let mut queue = LeakyBucket::new(3, Rate::per_second(10)?)?;
    /// for _ in 0..3 {
    ///     queue.offer(ms(0));
    /// }
    /// assert_eq!(queue.waiting(ms(0)), 2);
    /// assert_eq!(queue.waiting(ms(200)), 0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn waiting(&mut self, now: Time) -> usize {
        while self.departures.front().is_some_and(|&leaves| leaves <= now) {
            self.departures.pop_front();
        }
        self.departures.len()
    }
}

impl Limiter for LeakyBucket {
    fn admit(&mut self, now: Time) -> bool {
        self.offer(now) != Offer::Dropped
    }
}
