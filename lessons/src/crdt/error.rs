//! What can go wrong when asking a CRDT or a CRDT experiment for something it cannot do.

use std::fmt;

use crate::sim::SimError;

/// Why a CRDT operation or an experiment's parameters were refused, in words that say what is
/// allowed.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CrdtError, TwoPhaseSet};
///
/// let mut set: TwoPhaseSet<&str> = TwoPhaseSet::new();
/// let error = set.remove("milk").unwrap_err();
/// assert_eq!(error, CrdtError::NotInSet { element: "\"milk\"".to_string() });
/// assert_eq!(
///     error.to_string(),
///     "cannot remove \"milk\": it is not in the set (only present elements can be removed)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CrdtError {
    /// A parameter outside its allowed range.
    Parameter {
        /// What the parameter is.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        allowed: &'static str,
    },
    /// A remove of an element the set does not hold.
    NotInSet {
        /// The element, as `Debug` prints it.
        element: String,
    },
    /// The simulation under an experiment refused a parameter or stopped early.
    Simulation(SimError),
}

impl CrdtError {
    /// A [`CrdtError::Parameter`] for `name = value`, where `allowed` says what is accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::CrdtError;
    ///
    /// let error = CrdtError::parameter("replicas", 0, "2 to 26");
    /// assert_eq!(error.to_string(), "replicas = 0 is not allowed: use 2 to 26");
    /// ```
    pub fn parameter(name: &'static str, value: impl fmt::Display, allowed: &'static str) -> Self {
        CrdtError::Parameter {
            name,
            value: value.to_string(),
            allowed,
        }
    }
}

impl fmt::Display for CrdtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrdtError::Parameter {
                name,
                value,
                allowed,
            } => write!(f, "{name} = {value} is not allowed: use {allowed}"),
            CrdtError::NotInSet { element } => write!(
                f,
                "cannot remove {element}: it is not in the set (only present elements can be removed)"
            ),
            CrdtError::Simulation(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for CrdtError {}

impl From<SimError> for CrdtError {
    fn from(error: SimError) -> Self {
        CrdtError::Simulation(error)
    }
}

/// Checks that a probability is in `[0, 1]` (and not NaN).
pub(crate) fn check_probability(name: &'static str, value: f64) -> Result<(), CrdtError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(CrdtError::parameter(name, value, "a probability in [0, 1]"))
    }
}

/// Checks that a count is in `low..=high`.
pub(crate) fn check_range(
    name: &'static str,
    value: u64,
    low: u64,
    high: u64,
    allowed: &'static str,
) -> Result<(), CrdtError> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(CrdtError::parameter(name, value, allowed))
    }
}
