//! Stale reads when `W + R ≤ N`: how likely, and how fast the risk fades as the write spreads.

use serde::Serialize;

use super::error::{QuorumError, at_least};
use super::overlap::Quorum;
use crate::sim::{Rng, Time};

/// The probability that a read made `after` a write returns the old value, when the write was
/// acknowledged by W random replicas at time 0 and reaches each other replica after an
/// exponentially distributed delay with mean `spread_mean`:
/// `C(N-W, R) / C(N, R) · exp(-R · after / spread_mean)`. The read misses the write only if
/// its R replicas are all outside the W and none of them has received it yet.
///
/// # Errors
///
/// [`QuorumError::Parameter`] when `spread_mean` is not positive or `after` is negative.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, stale_read_probability_after};
/// use lessons::sim::ms;
///
/// let quorum = Quorum::new(3, 1, 1)?;
/// let now = stale_read_probability_after(quorum, ms(0), ms(10))?;
/// let later = stale_read_probability_after(quorum, ms(10), ms(10))?;
/// assert!((now - 2.0 / 3.0).abs() < 1e-12);
/// assert!((later - 2.0 / 3.0 * (-1.0f64).exp()).abs() < 1e-12);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn stale_read_probability_after(
    quorum: Quorum,
    after: Time,
    spread_mean: Time,
) -> Result<f64, QuorumError> {
    check_times(after, spread_mean)?;
    let rate = after.as_secs_f64() / spread_mean.as_secs_f64();
    Ok(quorum.stale_read_probability() * (-(quorum.r() as f64) * rate).exp())
}

fn check_times(after: Time, spread_mean: Time) -> Result<(), QuorumError> {
    if spread_mean <= Time::ZERO {
        return Err(QuorumError::parameter(
            "spread_mean",
            spread_mean,
            "the mean time for a write to reach another replica must be positive",
        ));
    }
    if after < Time::ZERO {
        return Err(QuorumError::parameter(
            "after",
            after,
            "a read comes at or after the write (after ≥ 0)",
        ));
    }
    Ok(())
}

/// One point of the stale-read curve: measured by simulation and computed by the formula.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, stale_read_experiment};
/// use lessons::sim::ms;
///
/// let rows = stale_read_experiment(Quorum::new(3, 1, 1)?, &[ms(0)], ms(10), 1_000, 1)?;
/// assert_eq!(rows[0].reads, 1_000);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleRow {
    /// The configuration.
    pub quorum: String,
    /// How long after the write the read was made, in milliseconds.
    pub after_ms: f64,
    /// How many reads were simulated.
    pub reads: usize,
    /// How many of them returned the old value.
    pub stale: usize,
    /// `stale / reads`.
    pub measured: f64,
    /// [`stale_read_probability_after`].
    pub computed: f64,
}

/// Simulates `reads` write-then-read pairs per delay in `afters`: the write lands on W random
/// replicas, spreads to the others after exponential delays (mean `spread_mean`), and the read
/// asks R random replicas.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for a non-positive `spread_mean`, a negative delay or zero
/// `reads`.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, stale_read_experiment};
/// use lessons::sim::ms;
///
/// let rows = stale_read_experiment(Quorum::new(3, 2, 2)?, &[ms(0), ms(5)], ms(10), 500, 7)?;
/// assert!(rows.iter().all(|row| row.stale == 0)); // W + R > N: never stale
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn stale_read_experiment(
    quorum: Quorum,
    afters: &[Time],
    spread_mean: Time,
    reads: usize,
    seed: u64,
) -> Result<Vec<StaleRow>, QuorumError> {
    at_least("reads", reads, 1)?;
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    let replicas: Vec<usize> = (0..quorum.n()).collect();
    for &after in afters {
        check_times(after, spread_mean)?;
        let mut stale = 0;
        for _ in 0..reads {
            let mut order = replicas.clone();
            rng.shuffle(&mut order);
            let mut has_write = vec![false; quorum.n()];
            for (position, &replica) in order.iter().enumerate() {
                let arrival = if position < quorum.w() {
                    0.0
                } else {
                    rng.exponential() * spread_mean.as_secs_f64()
                };
                has_write[replica] = arrival <= after.as_secs_f64();
            }
            rng.shuffle(&mut order);
            let seen = order[..quorum.r()]
                .iter()
                .any(|&replica| has_write[replica]);
            stale += usize::from(!seen);
        }
        rows.push(StaleRow {
            quorum: quorum.to_string(),
            after_ms: after.as_millis_f64(),
            reads,
            stale,
            measured: stale as f64 / reads as f64,
            computed: stale_read_probability_after(quorum, after, spread_mean)?,
        });
    }
    Ok(rows)
}
