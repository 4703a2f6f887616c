//! What can go wrong when placing keys.

use std::fmt;

/// Why a ring, a partitioner or an experiment refused its input, in words that say what is
/// allowed.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{PartitionError, Ring};
///
/// let error = Ring::new(0).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "vnodes per node = 0 is not allowed: a node needs from 1 to 65536 virtual nodes"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionError {
    /// A parameter outside its allowed range.
    Parameter {
        /// What the parameter is.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        allowed: String,
    },
    /// A node name that the ring does not hold.
    UnknownNode {
        /// The name asked for.
        name: String,
        /// The names the ring does hold.
        known: Vec<String>,
    },
    /// A node name that the ring already holds.
    DuplicateNode {
        /// The name given twice.
        name: String,
    },
    /// A lookup on a ring with no nodes.
    EmptyRing,
}

impl PartitionError {
    pub(crate) fn parameter(
        name: &'static str,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> PartitionError {
        PartitionError::Parameter {
            name,
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

impl fmt::Display for PartitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionError::Parameter {
                name,
                value,
                allowed,
            } => write!(f, "{name} = {value} is not allowed: {allowed}"),
            PartitionError::UnknownNode { name, known } => write!(
                f,
                "no node named {name:?} on the ring; its nodes are [{}]",
                known.join(", ")
            ),
            PartitionError::DuplicateNode { name } => write!(
                f,
                "the ring already has a node named {name:?}; node names must be unique"
            ),
            PartitionError::EmptyRing => {
                write!(
                    f,
                    "the ring has no nodes; add a node before looking keys up"
                )
            }
        }
    }
}

impl std::error::Error for PartitionError {}
