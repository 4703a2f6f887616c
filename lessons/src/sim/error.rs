//! What can go wrong when setting up or running a simulation, in words that say what is allowed.

use std::fmt;

use super::node::NodeId;
use super::time::Time;

/// Why a simulation parameter, fault or statistic was refused, or why a run stopped early.
///
/// Every message names the value that was wrong and what would be accepted, so a learner can fix
/// the cell without reading this crate's source.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Link, SimError};
///
/// let error = Link::new().loss(1.5).validate().unwrap_err();
/// assert_eq!(error, SimError::Probability { name: "loss", value: 1.5 });
/// assert_eq!(error.to_string(), "loss probability 1.5 is not in [0, 1]");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// A node id that the simulation does not have.
    UnknownNode {
        /// The id that was given.
        node: NodeId,
        /// How many nodes the simulation has; valid ids are `0..node_count`.
        node_count: usize,
    },
    /// A probability outside `[0, 1]`, or NaN.
    Probability {
        /// What the probability is for (`loss`, `duplication`, ...).
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// Any other parameter outside its allowed range.
    Parameter {
        /// What the parameter is.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What would be accepted.
        allowed: String,
    },
    /// Something that ends no later than it starts, such as a partition that heals before it
    /// begins.
    Interval {
        /// What the interval is (`partition`, `crash`, ...).
        what: &'static str,
        /// When it starts.
        start: Time,
        /// When it was asked to end.
        end: Time,
    },
    /// A fault or clock change scheduled before the simulation's current time.
    InThePast {
        /// What was scheduled.
        what: &'static str,
        /// When it was asked to happen.
        at: Time,
        /// The simulation's current time.
        now: Time,
    },
    /// Two crash or pause windows of one node that overlap.
    Overlap {
        /// The node.
        node: NodeId,
        /// When the window already scheduled starts.
        start: Time,
        /// When it ends, or `None` if it never does.
        end: Option<Time>,
    },
    /// A run handled as many events as it was allowed to, and stopped.
    EventLimit {
        /// The limit, set with [`Simulation::set_event_limit`](super::Simulation::set_event_limit).
        limit: u64,
        /// The virtual time at which the run stopped.
        now: Time,
    },
    /// A statistic of an empty collection of values.
    NoValues {
        /// The statistic asked for.
        what: &'static str,
    },
    /// The learner interrupted the cell and the run stopped early, at `at`.
    Interrupted {
        /// Where the run stopped: virtual time, events handled, seeds done...
        at: String,
    },
    /// A value could not be written to a node's disk.
    Disk {
        /// The key.
        key: String,
        /// Why serialization failed.
        reason: String,
    },
}

impl SimError {
    /// A parameter outside its allowed range: its name, the value given and what is allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::SimError;
    ///
    /// let error = SimError::parameter("replicas", 0, "from 1 to 64");
    /// assert_eq!(error.to_string(), "replicas 0 is not allowed; from 1 to 64");
    /// ```
    pub fn parameter(
        name: &'static str,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> SimError {
        SimError::Parameter {
            name,
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownNode { node, node_count } => match node_count {
                0 => write!(
                    f,
                    "node {node} does not exist: the simulation has no nodes yet; add them with \
                     add_node first"
                ),
                1 => write!(f, "node {node} does not exist; the only node is 0"),
                _ => write!(
                    f,
                    "node {node} does not exist; nodes are numbered 0 to {}",
                    node_count - 1
                ),
            },
            SimError::Probability { name, value } => {
                write!(f, "{name} probability {value} is not in [0, 1]")
            }
            SimError::Parameter {
                name,
                value,
                allowed,
            } => write!(f, "{name} {value} is not allowed; {allowed}"),
            SimError::Interval { what, start, end } => write!(
                f,
                "the {what} would end at {end}, which is not after it starts at {start}; the end \
                 must be later than the start"
            ),
            SimError::InThePast { what, at, now } => write!(
                f,
                "the {what} at {at} is in the past: the simulation is already at {now}; schedule \
                 it at {now} or later"
            ),
            SimError::Overlap { node, start, end } => {
                let end = end.map_or("the end of the run".to_string(), |end| end.to_string());
                write!(
                    f,
                    "node {node} is already crashed or paused from {start} until {end}; crash and \
                     pause windows of one node must not overlap"
                )
            }
            SimError::EventLimit { limit, now } => write!(
                f,
                "the run stopped at {now} after handling {limit} events; if that many are \
                 expected, raise the limit with set_event_limit, otherwise look for a node that \
                 sends messages or sets zero-delay timers in an endless loop"
            ),
            SimError::NoValues { what } => {
                write!(
                    f,
                    "the {what} of no values is undefined; give at least one value"
                )
            }
            SimError::Disk { key, reason } => {
                write!(f, "cannot write {key:?} to disk: {reason}")
            }
            SimError::Interrupted { at } => {
                write!(f, "interrupted at {at}; everything computed before is kept")
            }
        }
    }
}

impl std::error::Error for SimError {}

/// Checks that `value` is a probability, naming it `name` in the error.
pub(crate) fn check_probability(name: &'static str, value: f64) -> Result<(), SimError> {
    probability(name, value).map(drop)
}

/// `value` if it is a probability, otherwise the error that names it.
pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64, SimError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(SimError::Probability { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ms;

    #[test]
    fn messages_say_what_is_allowed() {
        let cases = [
            (
                SimError::UnknownNode {
                    node: 5,
                    node_count: 3,
                },
                "node 5 does not exist; nodes are numbered 0 to 2",
            ),
            (
                SimError::UnknownNode {
                    node: 1,
                    node_count: 1,
                },
                "node 1 does not exist; the only node is 0",
            ),
            (
                SimError::Interval {
                    what: "partition",
                    start: ms(100),
                    end: ms(50),
                },
                "the partition would end at 50ms, which is not after it starts at 100ms; the end \
                 must be later than the start",
            ),
            (
                SimError::InThePast {
                    what: "crash",
                    at: ms(50),
                    now: ms(200),
                },
                "the crash at 50ms is in the past: the simulation is already at 200ms; schedule \
                 it at 200ms or later",
            ),
            (
                SimError::Overlap {
                    node: 2,
                    start: ms(10),
                    end: None,
                },
                "node 2 is already crashed or paused from 10ms until the end of the run; crash \
                 and pause windows of one node must not overlap",
            ),
            (
                SimError::NoValues { what: "percentile" },
                "the percentile of no values is undefined; give at least one value",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn nan_is_not_a_probability() {
        assert!(check_probability("loss", f64::NAN).is_err());
        assert!(check_probability("loss", 0.0).is_ok());
        assert!(check_probability("loss", 1.0).is_ok());
        assert!(check_probability("loss", -0.1).is_err());
    }
}
