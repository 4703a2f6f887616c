//! Availability: which operations still succeed as replicas fail, computed and simulated.

use serde::Serialize;

use super::error::{QuorumError, at_least, probability};
use super::overlap::Quorum;
use crate::sim::Rng;

/// One configuration's guarantees and availability at a given per-replica failure probability.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, availability_row};
///
/// let row = availability_row(Quorum::new(3, 3, 1)?, 0.1)?;
/// assert_eq!((row.writes_survive, row.reads_survive), (0, 2));
/// assert!((row.write_availability - 0.729).abs() < 1e-12);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvailabilityRow {
    /// The configuration, as `N=3 W=2 R=2`.
    pub quorum: String,
    /// Whether `W + R > N`.
    pub overlap: bool,
    /// How many replicas may be down for writes (`N - W`).
    pub writes_survive: usize,
    /// How many replicas may be down for reads (`N - R`).
    pub reads_survive: usize,
    /// The probability that a write succeeds.
    pub write_availability: f64,
    /// The probability that a read succeeds.
    pub read_availability: f64,
}

/// The row of [`AvailabilityRow`] for `quorum` when each replica is down with probability
/// `down`.
///
/// # Errors
///
/// [`QuorumError::Parameter`] when `down` is not in `[0, 1]`.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, availability_row};
///
/// let row = availability_row(Quorum::majority(5)?, 0.0)?;
/// assert_eq!(row.write_availability, 1.0);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn availability_row(quorum: Quorum, down: f64) -> Result<AvailabilityRow, QuorumError> {
    Ok(AvailabilityRow {
        quorum: quorum.to_string(),
        overlap: quorum.overlaps(),
        writes_survive: quorum.writes_survive(),
        reads_survive: quorum.reads_survive(),
        write_availability: quorum.write_availability(down)?,
        read_availability: quorum.read_availability(down)?,
    })
}

/// For every `W` (columns) and `R` (rows) of `n` replicas, the probability that a write *and*
/// a read both succeed at one moment when each replica is down with probability `down` (both
/// need `max(W, R)` live replicas); `rows[R - 1][W - 1]`, ready for a heatmap.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for a bad `n` or `down`.
///
/// # Examples
///
/// ```
/// use lessons::quorum::both_available_grid;
///
/// let grid = both_available_grid(3, 0.1)?;
/// assert_eq!(grid.len(), 3);
/// assert!((grid[0][0] - 0.999).abs() < 1e-12); // W = R = 1: one live replica is enough
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn both_available_grid(n: usize, down: f64) -> Result<Vec<Vec<f64>>, QuorumError> {
    let mut grid = Vec::new();
    for r in 1..=n.max(1) {
        let mut row = Vec::new();
        for w in 1..=n.max(1) {
            let bigger = Quorum::new(n, w.max(r), w.max(r))?;
            row.push(bigger.write_availability(down)?);
        }
        grid.push(row);
    }
    Ok(grid)
}

/// The fraction of `trials` random moments, each replica down with probability `down`, at which
/// a write succeeds and at which a read succeeds: the simulated counterpart of
/// [`Quorum::write_availability`] and [`Quorum::read_availability`].
///
/// # Errors
///
/// [`QuorumError::Parameter`] for a bad `down` or zero `trials`.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, simulated_availability};
///
/// let quorum = Quorum::new(3, 2, 2)?;
/// let (writes, reads) = simulated_availability(quorum, 0.1, 100_000, 1)?;
/// assert!((writes - 0.972).abs() < 0.005 && writes == reads);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn simulated_availability(
    quorum: Quorum,
    down: f64,
    trials: usize,
    seed: u64,
) -> Result<(f64, f64), QuorumError> {
    let down = probability("down probability", down)?;
    let trials = at_least("trials", trials, 1)?;
    let mut rng = Rng::new(seed);
    let (mut writes, mut reads) = (0, 0);
    for _ in 0..trials {
        let live = (0..quorum.n()).filter(|_| !rng.chance(down)).count();
        writes += usize::from(quorum.write_succeeds(live));
        reads += usize::from(quorum.read_succeeds(live));
    }
    Ok((writes as f64 / trials as f64, reads as f64 / trials as f64))
}
