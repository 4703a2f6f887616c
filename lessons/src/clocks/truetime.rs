//! TrueTime-style clocks that answer with an interval, and the commit wait that turns the
//! interval into external consistency.

use serde::Serialize;

use crate::sim::{Rng, SimError, Time, ms, secs};

/// An interval of time that contains the true time, if the clock's error bound holds.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Interval;
/// use lessons::sim::ms;
///
/// let now = Interval { earliest: ms(95), latest: ms(105) };
/// assert!(now.contains(ms(100)));
/// assert_eq!(now.width(), ms(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Interval {
    /// The true time is no earlier than this.
    pub earliest: Time,
    /// The true time is no later than this.
    pub latest: Time,
}

impl Interval {
    /// Whether `time` is inside the interval (ends included).
    ///
    /// # Examples
    ///
    /// See [`Interval`].
    pub fn contains(&self, time: Time) -> bool {
        self.earliest <= time && time <= self.latest
    }

    /// `latest - earliest`.
    ///
    /// # Examples
    ///
    /// See [`Interval`].
    pub fn width(&self) -> Time {
        self.latest - self.earliest
    }
}

/// A clock that reports its uncertainty: `now` is an interval `[reading − ε, reading + ε]`
/// around the node's physical reading, which contains the true time as long as the clock is
/// never more than `ε` off (Spanner keeps `ε` small with GPS and atomic clocks in every data
/// centre).
///
/// # Examples
///
/// ```
/// use lessons::clocks::TrueTime;
/// use lessons::sim::ms;
///
/// let clock = TrueTime::new(ms(4))?;
/// let now = clock.now(ms(100)); // the node's clock reads 100 ms
/// assert_eq!((now.earliest, now.latest), (ms(96), ms(104)));
/// assert!(clock.after(ms(95), ms(100)));
/// assert!(!clock.after(ms(97), ms(100)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TrueTime {
    epsilon: Time,
}

impl TrueTime {
    /// The largest uncertainty allowed: one hour.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::TrueTime::MAX_EPSILON, lessons::sim::secs(3_600));
    /// ```
    pub const MAX_EPSILON: Time = secs(3_600);

    /// A clock whose readings are within `epsilon` of the truth.
    ///
    /// # Errors
    ///
    /// A [`SimError`] if `epsilon` is negative or more than [`MAX_EPSILON`](Self::MAX_EPSILON).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::TrueTime;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(
    ///     TrueTime::new(ms(-1)).unwrap_err().to_string(),
    ///     "uncertainty -1ms is not allowed; from 0 to 1h"
    /// );
    /// ```
    pub fn new(epsilon: Time) -> Result<TrueTime, SimError> {
        if epsilon < Time::ZERO || epsilon > Self::MAX_EPSILON {
            return Err(SimError::parameter("uncertainty", epsilon, "from 0 to 1h"));
        }
        Ok(TrueTime { epsilon })
    }

    /// The uncertainty `ε`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::TrueTime;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(TrueTime::new(ms(7))?.epsilon(), ms(7));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn epsilon(&self) -> Time {
        self.epsilon
    }

    /// The interval around the physical reading `reading`.
    ///
    /// # Examples
    ///
    /// See [`TrueTime`].
    pub fn now(&self, reading: Time) -> Interval {
        Interval {
            earliest: reading - self.epsilon,
            latest: reading + self.epsilon,
        }
    }

    /// Whether `timestamp` has certainly passed when the physical clock reads `reading`: it is
    /// before the interval's earliest end.
    ///
    /// # Examples
    ///
    /// See [`TrueTime`].
    pub fn after(&self, timestamp: Time, reading: Time) -> bool {
        timestamp < self.now(reading).earliest
    }
}

/// The settings of a [`commit_wait`] experiment.
///
/// # Examples
///
/// ```
/// use lessons::clocks::CommitWaitParameters;
/// use lessons::sim::ms;
///
/// let loose = CommitWaitParameters { epsilon: ms(20), ..Default::default() };
/// assert!(loose.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitWaitParameters {
    /// The clocks' uncertainty; each node's clock error is drawn uniformly from `[-ε, ε]`.
    pub epsilon: Time,
    /// How many nodes commit transactions, from 2 to 1000.
    pub nodes: usize,
    /// How many transactions run, one after another, from 1 to a million.
    pub transactions: usize,
    /// Whether a commit waits until its timestamp has certainly passed.
    pub commit_wait: bool,
    /// The largest pause between one commit and the next transaction's start (uniform from 0).
    pub max_pause: Time,
}

impl Default for CommitWaitParameters {
    /// ε = 5 ms, 5 nodes, 10 000 transactions, with commit wait, pauses up to 2 ms.
    fn default() -> CommitWaitParameters {
        CommitWaitParameters {
            epsilon: ms(5),
            nodes: 5,
            transactions: 10_000,
            commit_wait: true,
            max_pause: ms(2),
        }
    }
}

impl CommitWaitParameters {
    /// Checks every parameter.
    ///
    /// # Errors
    ///
    /// A [`SimError`] naming the first parameter out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::CommitWaitParameters;
    ///
    /// let none = CommitWaitParameters { transactions: 0, ..Default::default() };
    /// assert_eq!(none.validate().unwrap_err().to_string(), "transactions 0 is not allowed; from 1 to 1000000");
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        TrueTime::new(self.epsilon)?;
        if !(2..=1_000).contains(&self.nodes) {
            return Err(SimError::parameter(
                "nodes",
                self.nodes.to_string(),
                "from 2 to 1000",
            ));
        }
        if !(1..=1_000_000).contains(&self.transactions) {
            return Err(SimError::parameter(
                "transactions",
                self.transactions.to_string(),
                "from 1 to 1000000",
            ));
        }
        if self.max_pause < Time::ZERO || self.max_pause > secs(3_600) {
            return Err(SimError::parameter(
                "pause",
                self.max_pause.to_string(),
                "from 0 to 1h",
            ));
        }
        Ok(())
    }
}

/// What a [`commit_wait`] run measured.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CommitWaitParameters, commit_wait};
///
/// let row = commit_wait(&CommitWaitParameters::default(), 1)?;
/// assert_eq!(row.violations, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitWaitRow {
    /// ε in milliseconds.
    pub epsilon_ms: f64,
    /// Whether commits waited.
    pub commit_wait: bool,
    /// Transactions run.
    pub transactions: usize,
    /// The mean time a commit waited, in milliseconds.
    pub mean_wait_ms: f64,
    /// Transactions that started after the previous one committed (in true time) but got a
    /// timestamp no larger than its: external consistency broken.
    pub violations: usize,
}

/// Runs transactions one after another on random nodes. Each takes as its timestamp `s` the
/// latest end of its node's [`TrueTime`] interval; with commit wait it then waits until
/// `s` has certainly passed (the earliest end of the interval is past `s`) before
/// acknowledging. The next transaction starts a random pause after the acknowledgement.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CommitWaitParameters, commit_wait};
/// use lessons::sim::ms;
///
/// let waiting = commit_wait(&CommitWaitParameters::default(), 1)?;
/// assert!((waiting.mean_wait_ms - 10.0).abs() < 0.001); // about 2ε
/// let hurried = commit_wait(&CommitWaitParameters { commit_wait: false, ..Default::default() }, 1)?;
/// assert!(hurried.violations > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn commit_wait(
    parameters: &CommitWaitParameters,
    seed: u64,
) -> Result<CommitWaitRow, SimError> {
    parameters.validate()?;
    let clock = TrueTime::new(parameters.epsilon)?;
    let mut rng = Rng::new(seed);
    let epsilon = parameters.epsilon;
    let errors: Vec<Time> = (0..parameters.nodes)
        .map(|_| rng.between(-epsilon, epsilon))
        .collect();
    let mut now = Time::ZERO;
    let mut previous: Option<Time> = None;
    let mut waited = Time::ZERO;
    let mut violations = 0;
    for _ in 0..parameters.transactions {
        now += rng.between(Time::ZERO, parameters.max_pause);
        let error = errors[rng.below(parameters.nodes as u64) as usize];
        let timestamp = clock.now(now + error).latest;
        if previous.is_some_and(|earlier| timestamp <= earlier) {
            violations += 1;
        }
        if parameters.commit_wait {
            // The first true time at which the node's clock says `timestamp` has passed.
            let done = timestamp + epsilon - error + Time::from_nanos(1);
            waited += done - now;
            now = done;
        }
        previous = Some(timestamp);
    }
    Ok(CommitWaitRow {
        epsilon_ms: epsilon.as_millis_f64(),
        commit_wait: parameters.commit_wait,
        transactions: parameters.transactions,
        mean_wait_ms: waited.as_millis_f64() / parameters.transactions as f64,
        violations,
    })
}
