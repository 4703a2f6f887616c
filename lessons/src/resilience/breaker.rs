//! A circuit breaker over a count window: closed while few of the last calls failed, open (every
//! call refused at once) after too many did, half-open after a timer to let a few probes test
//! whether the dependency is back.

use std::collections::VecDeque;

use serde::Serialize;

use super::checks::{positive_time, within};
use crate::sim::{SimError, Time};

/// The most calls a breaker's window may hold.
pub const MAX_WINDOW: usize = 100_000;

/// Where a [`CircuitBreaker`] is.
///
/// # Examples
///
/// ```
/// use lessons::resilience::BreakerState;
///
/// assert_eq!(BreakerState::HalfOpen.to_string(), "half-open");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BreakerState {
    /// Calls pass; outcomes fill the window.
    Closed,
    /// Calls are refused without reaching the dependency, until the open timer runs out.
    Open,
    /// A limited number of probe calls pass; their outcomes decide between closed and open.
    HalfOpen,
}

impl std::fmt::Display for BreakerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        })
    }
}

/// A change of state, and when it happened.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{BreakerState, CircuitBreaker};
/// use lessons::sim::ms;
///
/// let mut breaker = CircuitBreaker::new(10, 1, ms(100), 1)?;
/// breaker.record(ms(5), false);
/// let first = breaker.transitions()[0];
/// assert_eq!((first.at, first.from, first.to), (ms(5), BreakerState::Closed, BreakerState::Open));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// When.
    pub at: Time,
    /// The state left.
    pub from: BreakerState,
    /// The state entered.
    pub to: BreakerState,
}

/// A count-based circuit breaker. Closed, it remembers the outcomes of the last `window` calls
/// and opens as soon as `failures_to_open` of them failed (it does not wait for the window to
/// fill). Open, it refuses every call until `open_for` has passed; then it is half-open and
/// lets `probes` calls through: the first failed probe opens it again, `probes` successful ones
/// close it with an empty window.
///
/// This is the shape of Resilience4j's count-based sliding window and Hystrix's open/half-open
/// cycle, reduced to a failure count; it has no minimum number of calls, no slow-call rule and
/// no rate-based window in seconds.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{BreakerState, CircuitBreaker};
/// use lessons::sim::ms;
///
/// let mut breaker = CircuitBreaker::new(20, 2, ms(500), 1)?;
/// for call in 0..2 {
///     assert!(breaker.allow(ms(call)));
///     breaker.record(ms(call), false); // both fail
/// }
/// assert_eq!(breaker.state(), BreakerState::Open);
/// assert!(!breaker.allow(ms(100))); // refused: the dependency is not called
/// assert!(breaker.allow(ms(501))); // the probe
/// breaker.record(ms(502), true);
/// assert_eq!(breaker.state(), BreakerState::Closed);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitBreaker {
    window: usize,
    failures_to_open: usize,
    open_for: Time,
    probes: usize,
    state: BreakerState,
    recent_failures: VecDeque<bool>,
    failures: usize,
    opened_at: Time,
    probes_let_through: usize,
    probes_succeeded: usize,
    transitions: Vec<Transition>,
}

impl CircuitBreaker {
    /// A closed breaker with an empty window.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `window` is 1 to [`MAX_WINDOW`], `failures_to_open` is
    /// 1 to `window`, `open_for` is positive and `probes` is 1 to 1,000.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::CircuitBreaker;
    /// use lessons::sim::secs;
    ///
    /// assert!(CircuitBreaker::new(20, 10, secs(30), 1).is_ok());
    /// assert!(CircuitBreaker::new(20, 21, secs(30), 1).is_err());
    /// ```
    pub fn new(
        window: usize,
        failures_to_open: usize,
        open_for: Time,
        probes: usize,
    ) -> Result<CircuitBreaker, SimError> {
        within("window", window, 1, MAX_WINDOW)?;
        within("failures to open", failures_to_open, 1, window)?;
        positive_time("open for", open_for)?;
        within("probes", probes, 1, 1_000)?;
        Ok(CircuitBreaker {
            window,
            failures_to_open,
            open_for,
            probes,
            state: BreakerState::Closed,
            recent_failures: VecDeque::with_capacity(window),
            failures: 0,
            opened_at: Time::ZERO,
            probes_let_through: 0,
            probes_succeeded: 0,
            transitions: Vec::new(),
        })
    }

    /// The state as of the last call to [`allow`](Self::allow) or [`record`](Self::record)
    /// (the open timer is looked at only when a call asks to pass).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{BreakerState, CircuitBreaker};
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(CircuitBreaker::new(5, 1, secs(1), 1)?.state(), BreakerState::Closed);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// May a call made at `now` go to the dependency? Closed: yes. Open: no, unless the open
    /// timer has run out, which makes the breaker half-open. Half-open: yes for the first
    /// `probes` calls, no after that until their outcomes are in.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{BreakerState, CircuitBreaker};
    /// use lessons::sim::ms;
    ///
    /// let mut breaker = CircuitBreaker::new(5, 1, ms(100), 1)?;
    /// breaker.record(ms(0), false);
    /// assert!(!breaker.allow(ms(99)));
    /// assert!(breaker.allow(ms(100)));
    /// assert_eq!(breaker.state(), BreakerState::HalfOpen);
    /// assert!(!breaker.allow(ms(101))); // one probe at a time
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn allow(&mut self, now: Time) -> bool {
        if self.state == BreakerState::Open && now >= self.opened_at + self.open_for {
            self.probes_let_through = 0;
            self.probes_succeeded = 0;
            self.move_to(now, BreakerState::HalfOpen);
        }
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open => false,
            BreakerState::HalfOpen if self.probes_let_through < self.probes => {
                self.probes_let_through += 1;
                true
            }
            BreakerState::HalfOpen => false,
        }
    }

    /// The outcome of a call that [`allow`](Self::allow) let through: `succeeded` or not.
    /// Outcomes that arrive while open (calls let through before it opened) are ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{BreakerState, CircuitBreaker};
    /// use lessons::sim::ms;
    ///
    /// let mut breaker = CircuitBreaker::new(4, 2, ms(100), 1)?;
    /// for (at, ok) in [(0, false), (1, true), (2, true), (3, true), (4, false)] {
    ///     breaker.record(ms(at), ok);
    /// }
    /// // The first failure left the window of 4 before the second arrived.
    /// assert_eq!(breaker.state(), BreakerState::Closed);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn record(&mut self, now: Time, succeeded: bool) {
        match self.state {
            BreakerState::Closed => {
                self.recent_failures.push_back(!succeeded);
                self.failures += usize::from(!succeeded);
                if self.recent_failures.len() > self.window
                    && self.recent_failures.pop_front() == Some(true)
                {
                    self.failures -= 1;
                }
                if self.failures >= self.failures_to_open {
                    self.open(now);
                }
            }
            BreakerState::HalfOpen if !succeeded => self.open(now),
            BreakerState::HalfOpen => {
                self.probes_succeeded += 1;
                if self.probes_succeeded == self.probes {
                    self.recent_failures.clear();
                    self.failures = 0;
                    self.move_to(now, BreakerState::Closed);
                }
            }
            BreakerState::Open => {}
        }
    }

    /// Every change of state so far, oldest first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::CircuitBreaker;
    /// use lessons::sim::secs;
    ///
    /// assert!(CircuitBreaker::new(5, 1, secs(1), 1)?.transitions().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    fn open(&mut self, now: Time) {
        self.opened_at = now;
        self.move_to(now, BreakerState::Open);
    }

    fn move_to(&mut self, now: Time, to: BreakerState) {
        self.transitions.push(Transition {
            at: now,
            from: self.state,
            to,
        });
        self.state = to;
    }
}
