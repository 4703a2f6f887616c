//! N, W, R: how many replicas hold a key, how many must acknowledge a write, how many must
//! answer a read, and what follows from the three numbers alone.

use std::fmt;

use serde::Serialize;

use super::error::QuorumError;

/// The largest replication factor the lessons accept (replica sets are 64-bit masks).
pub const MAX_REPLICAS: usize = 64;

/// A quorum configuration: `n` replicas per key, a write waits for `w` acknowledgements, a read
/// for `r` answers.
///
/// # Examples
///
/// ```
/// use lessons::quorum::Quorum;
///
/// let quorum = Quorum::new(3, 2, 2)?;
/// assert!(quorum.overlaps());
/// assert_eq!((quorum.writes_survive(), quorum.reads_survive()), (1, 1));
/// assert_eq!(quorum.to_string(), "N=3 W=2 R=2");
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Quorum {
    n: usize,
    w: usize,
    r: usize,
}

impl Quorum {
    /// A configuration with `1 ≤ n ≤ 64`, `1 ≤ w ≤ n` and `1 ≤ r ≤ n`.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] naming the first value out of range and the allowed range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// assert!(Quorum::new(5, 3, 3).is_ok());
    /// assert_eq!(
    ///     Quorum::new(3, 2, 0).unwrap_err().to_string(),
    ///     "R = 0 is not allowed: a read quorum needs 1 ≤ R ≤ N = 3"
    /// );
    /// ```
    pub fn new(n: usize, w: usize, r: usize) -> Result<Quorum, QuorumError> {
        if !(1..=MAX_REPLICAS).contains(&n) {
            return Err(QuorumError::parameter(
                "N",
                n,
                format!("the replication factor N must be between 1 and {MAX_REPLICAS}"),
            ));
        }
        if !(1..=n).contains(&w) {
            return Err(QuorumError::parameter(
                "W",
                w,
                format!("a write quorum needs 1 ≤ W ≤ N = {n}"),
            ));
        }
        if !(1..=n).contains(&r) {
            return Err(QuorumError::parameter(
                "R",
                r,
                format!("a read quorum needs 1 ≤ R ≤ N = {n}"),
            ));
        }
        Ok(Quorum { n, w, r })
    }

    /// Majority quorums: `W = R = ⌊N/2⌋ + 1`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new) for `n`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// assert_eq!(Quorum::majority(4)?.w(), 3);
    /// assert_eq!(Quorum::majority(4)?.writes_survive(), Quorum::majority(3)?.writes_survive());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn majority(n: usize) -> Result<Quorum, QuorumError> {
        let half = n / 2 + 1;
        Quorum::new(n, half, half)
    }

    /// The replication factor N.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Quorum::new(3, 1, 1)?.n(), 3);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn n(&self) -> usize {
        self.n
    }

    /// The write quorum W.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Quorum::new(3, 1, 1)?.w(), 1);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn w(&self) -> usize {
        self.w
    }

    /// The read quorum R.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Quorum::new(3, 1, 2)?.r(), 2);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn r(&self) -> usize {
        self.r
    }

    /// Whether every read quorum shares a replica with every write quorum: `W + R > N`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// assert!(Quorum::new(3, 3, 1)?.overlaps());
    /// assert!(!Quorum::new(3, 1, 2)?.overlaps());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn overlaps(&self) -> bool {
        self.w + self.r > self.n
    }

    /// The fewest replicas any read quorum and any write quorum share: `max(0, W + R - N)`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Quorum::new(5, 4, 3)?.min_overlap(), 2);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn min_overlap(&self) -> usize {
        (self.w + self.r).saturating_sub(self.n)
    }

    /// How many replicas may be down while writes still succeed: `N - W`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Quorum::new(3, 3, 1)?.writes_survive(), 0);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn writes_survive(&self) -> usize {
        self.n - self.w
    }

    /// How many replicas may be down while reads still succeed: `N - R`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Quorum::new(3, 1, 3)?.reads_survive(), 0);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn reads_survive(&self) -> usize {
        self.n - self.r
    }

    /// Whether a write succeeds with `live` replicas reachable.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// let quorum = Quorum::new(5, 3, 3)?;
    /// assert!(quorum.write_succeeds(3)); // two down: still works, with no slack
    /// assert!(!quorum.write_succeeds(2));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn write_succeeds(&self, live: usize) -> bool {
        live >= self.w
    }

    /// Whether a read succeeds with `live` replicas reachable.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::quorum::Quorum::new(3, 1, 3)?.read_succeeds(2));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn read_succeeds(&self, live: usize) -> bool {
        live >= self.r
    }

    /// The probability that a write succeeds when each replica is down independently with
    /// probability `down`: `P(at least W of N up)`.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] when `down` is not in `[0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// // N = 3, W = 2: 0.9³ + 3 · 0.9² · 0.1 = 0.972
    /// let availability = Quorum::new(3, 2, 2)?.write_availability(0.1)?;
    /// assert!((availability - 0.972).abs() < 1e-12);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn write_availability(&self, down: f64) -> Result<f64, QuorumError> {
        at_least_up(self.n, self.w, down)
    }

    /// The probability that a read succeeds when each replica is down independently with
    /// probability `down`.
    ///
    /// # Errors
    ///
    /// As [`write_availability`](Self::write_availability).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// // R = N = 3 needs all three: 0.9³
    /// let availability = Quorum::new(3, 1, 3)?.read_availability(0.1)?;
    /// assert!((availability - 0.729).abs() < 1e-12);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn read_availability(&self, down: f64) -> Result<f64, QuorumError> {
        at_least_up(self.n, self.r, down)
    }

    /// The probability that a read returns the old value when it is made right after a write
    /// acknowledged by W replicas and before any other replica has the new value: the read's R
    /// replicas, drawn at random, all miss the W that have it, `C(N-W, R) / C(N, R)`. Zero when
    /// the quorums overlap.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::Quorum;
    ///
    /// // N = 3, W = R = 1: the read picks one of the two replicas without the write.
    /// assert!((Quorum::new(3, 1, 1)?.stale_read_probability() - 2.0 / 3.0).abs() < 1e-12);
    /// assert_eq!(Quorum::new(3, 2, 2)?.stale_read_probability(), 0.0);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn stale_read_probability(&self) -> f64 {
        choose(self.n - self.w, self.r) / choose(self.n, self.r)
    }
}

impl fmt::Display for Quorum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "N={} W={} R={}", self.n, self.w, self.r)
    }
}

/// `C(n, k)` as a float (exact for the sizes used here); 0 when `k > n`.
pub(crate) fn choose(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |product, i| product * (n - i) as f64 / (i + 1) as f64)
}

/// `P(at least k of n up)` when each is down with probability `down`.
fn at_least_up(n: usize, k: usize, down: f64) -> Result<f64, QuorumError> {
    let down = super::error::probability("down probability", down)?;
    let up = 1.0 - down;
    Ok((k..=n)
        .map(|live| choose(n, live) * up.powi(live as i32) * down.powi((n - live) as i32))
        .sum())
}
