//! What can go wrong when setting up a quorum experiment, in words that say what is allowed.

use std::fmt;

use crate::partitioning::PartitionError;
use crate::sim::SimError;

/// Why a quorum parameter was refused, or why a simulated run failed.
///
/// # Examples
///
/// ```
/// use lessons::quorum::Quorum;
///
/// let error = Quorum::new(3, 4, 1).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "W = 4 is not allowed: a write quorum needs 1 ≤ W ≤ N = 3"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum QuorumError {
    /// A parameter outside its allowed range.
    Parameter {
        /// What the parameter is (`N`, `W`, `R`, `replicas`, ...).
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        allowed: String,
    },
    /// The simulation refused a setting or stopped.
    Simulation(SimError),
    /// The ring could not place the replicas.
    Placement(PartitionError),
}

impl QuorumError {
    pub(crate) fn parameter(
        name: &'static str,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> QuorumError {
        QuorumError::Parameter {
            name,
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

impl fmt::Display for QuorumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuorumError::Parameter {
                name,
                value,
                allowed,
            } => write!(f, "{name} = {value} is not allowed: {allowed}"),
            QuorumError::Simulation(error) => write!(f, "the simulation stopped: {error}"),
            QuorumError::Placement(error) => write!(f, "the replicas could not be placed: {error}"),
        }
    }
}

impl std::error::Error for QuorumError {}

impl From<SimError> for QuorumError {
    fn from(error: SimError) -> QuorumError {
        QuorumError::Simulation(error)
    }
}

/// Checks that a probability is in `[0, 1]`.
pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64, QuorumError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(QuorumError::parameter(
            name,
            value,
            "a probability must be in [0, 1]",
        ))
    }
}

/// Checks that a count is at least `min`.
pub(crate) fn at_least(name: &'static str, value: usize, min: usize) -> Result<usize, QuorumError> {
    if value >= min {
        Ok(value)
    } else {
        Err(QuorumError::parameter(
            name,
            value,
            format!("it must be at least {min}"),
        ))
    }
}
