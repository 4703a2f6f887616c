//! Faults as plain data: partitions, crashes and pauses on a schedule.
//!
//! A fault schedule is a list of values, each saying what breaks, when, and when it recovers.
//! A cell builds them with three small functions and a few chained calls, and can print, edit,
//! copy or loop over them like any other data:
//!
//! ```text
//! partition(0, [1, 2]).at(ms(100)).heal_at(ms(400))   // node 0 cut off from 1 and 2
//! partition(0, 1).one_way().at(ms(100))               // 0's messages no longer reach 1
//! crash(2).at(ms(50)).restart_at(ms(300))             // memory lost, disk kept
//! pause(1).at(ms(200)).resume_at(ms(260))             // a 60 ms stop-the-world pause
//! ```
//!
//! Times are true virtual times. Intervals are half-open: a partition from 100 ms to 400 ms
//! blocks a message arriving at 399.999999 ms and lets one arriving at 400 ms through. Without
//! `heal_at`, `restart_at` or `resume_at` the fault lasts until the end of the run.
//!
//! Clock faults (offsets, drift, NTP steps) belong to each node's
//! [`PhysicalClock`](super::PhysicalClock) instead.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Fault, crash, ms, partition};
//!
//! let schedule: Vec<Fault> = vec![
//!     partition(0, [1, 2]).at(ms(100)).heal_at(ms(400)).into(),
//!     crash(2).at(ms(500)).restart_at(ms(700)).into(),
//! ];
//! assert_eq!(schedule.len(), 2);
//! ```

use std::ops::Range;

use serde::Serialize;

use super::error::SimError;
use super::node::NodeId;
use super::time::Time;

/// One scheduled fault.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Fault, ms, pause};
///
/// let fault: Fault = pause(1).at(ms(10)).resume_at(ms(60)).into();
/// assert!(matches!(fault, Fault::Pause(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Fault {
    /// Messages between two groups of nodes are dropped.
    Partition(Partition),
    /// A node stops and loses its memory.
    Crash(Crash),
    /// A node freezes, keeping its memory.
    Pause(Pause),
}

/// Some directed links blocked for a while: every link from a node in `from` to a node in `to`,
/// and back unless `one_way`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{ms, partition};
///
/// let cut = partition(0, [1, 2]).at(ms(100)).heal_at(ms(400));
/// assert_eq!(cut.blocked_links(), [(0, 1), (0, 2), (1, 0), (2, 0)]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partition {
    /// One side.
    pub from: Vec<NodeId>,
    /// The other side.
    pub to: Vec<NodeId>,
    /// Whether only messages from `from` to `to` are blocked.
    pub one_way: bool,
    /// When the partition begins.
    pub at: Time,
    /// When it heals; `None` for never.
    pub heal_at: Option<Time>,
}

/// A node crash at `at`, and its restart at `restart_at` (`None` for never).
///
/// # Examples
///
/// ```
/// use lessons::sim::{crash, ms};
///
/// let outage = crash(1).at(ms(50)).restart_at(ms(300));
/// assert_eq!((outage.node, outage.at, outage.restart_at), (1, ms(50), Some(ms(300))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crash {
    /// The node that crashes.
    pub node: NodeId,
    /// When it crashes.
    pub at: Time,
    /// When it restarts; `None` for never.
    pub restart_at: Option<Time>,
}

/// A stop-the-world pause of a node from `at` to `resume_at` (`None` for the rest of the run).
///
/// # Examples
///
/// ```
/// use lessons::sim::{ms, pause};
///
/// let gc = pause(2).at(ms(200)).resume_at(ms(260));
/// assert_eq!(gc.resume_at, Some(ms(260)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// The node that pauses.
    pub node: NodeId,
    /// When it freezes.
    pub at: Time,
    /// When it resumes; `None` for never.
    pub resume_at: Option<Time>,
}

/// A group of nodes, one side of a partition. Built from one id, an array, a slice, a vector or a
/// range of ids.
///
/// # Examples
///
/// ```
/// use lessons::sim::NodeSet;
///
/// assert_eq!(NodeSet::from(2), NodeSet(vec![2]));
/// assert_eq!(NodeSet::from([0, 1]), NodeSet(vec![0, 1]));
/// assert_eq!(NodeSet::from(1..4), NodeSet(vec![1, 2, 3]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeSet(pub Vec<NodeId>);

impl From<NodeId> for NodeSet {
    fn from(node: NodeId) -> Self {
        NodeSet(vec![node])
    }
}

impl<const N: usize> From<[NodeId; N]> for NodeSet {
    fn from(nodes: [NodeId; N]) -> Self {
        NodeSet(nodes.to_vec())
    }
}

impl From<&[NodeId]> for NodeSet {
    fn from(nodes: &[NodeId]) -> Self {
        NodeSet(nodes.to_vec())
    }
}

impl From<Vec<NodeId>> for NodeSet {
    fn from(nodes: Vec<NodeId>) -> Self {
        NodeSet(nodes)
    }
}

impl From<Range<NodeId>> for NodeSet {
    fn from(nodes: Range<NodeId>) -> Self {
        NodeSet(nodes.collect())
    }
}

/// A partition between `side_a` and `side_b`, in both directions, from time zero, never healing;
/// chain [`at`](Partition::at), [`heal_at`](Partition::heal_at) and
/// [`one_way`](Partition::one_way) to change that.
///
/// # Examples
///
/// ```
/// use lessons::sim::{ms, partition};
///
/// let split_brain = partition([0, 1], [2, 3, 4]).at(ms(100)).heal_at(ms(400));
/// assert_eq!(split_brain.blocked_links().len(), 12);
/// ```
pub fn partition(side_a: impl Into<NodeSet>, side_b: impl Into<NodeSet>) -> Partition {
    Partition {
        from: side_a.into().0,
        to: side_b.into().0,
        one_way: false,
        at: Time::ZERO,
        heal_at: None,
    }
}

/// A crash of `node` at time zero, never restarting; chain [`at`](Crash::at) and
/// [`restart_at`](Crash::restart_at).
///
/// # Examples
///
/// ```
/// use lessons::sim::{crash, ms};
///
/// assert_eq!(crash(0).at(ms(5)).at, ms(5));
/// ```
pub fn crash(node: NodeId) -> Crash {
    Crash {
        node,
        at: Time::ZERO,
        restart_at: None,
    }
}

/// A pause of `node` at time zero, never resuming; chain [`at`](Pause::at) and
/// [`resume_at`](Pause::resume_at).
///
/// # Examples
///
/// ```
/// use lessons::sim::{ms, pause};
///
/// assert_eq!(pause(3).at(ms(1)).resume_at(ms(2)).node, 3);
/// ```
pub fn pause(node: NodeId) -> Pause {
    Pause {
        node,
        at: Time::ZERO,
        resume_at: None,
    }
}

impl Partition {
    /// The partition beginning at `time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{ms, partition};
    ///
    /// assert_eq!(partition(0, 1).at(ms(100)).at, ms(100));
    /// ```
    pub fn at(mut self, time: Time) -> Partition {
        self.at = time;
        self
    }

    /// The partition healing at `time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{ms, partition};
    ///
    /// assert_eq!(partition(0, 1).heal_at(ms(400)).heal_at, Some(ms(400)));
    /// ```
    pub fn heal_at(mut self, time: Time) -> Partition {
        self.heal_at = Some(time);
        self
    }

    /// The partition blocking only messages from the first side to the second.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::partition;
    ///
    /// assert_eq!(partition(0, 1).one_way().blocked_links(), [(0, 1)]);
    /// ```
    pub fn one_way(mut self) -> Partition {
        self.one_way = true;
        self
    }

    /// Every blocked directed link `(from, to)`: first side to second, then back.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::partition;
    ///
    /// assert_eq!(partition(0, [1, 2]).blocked_links(), [(0, 1), (0, 2), (1, 0), (2, 0)]);
    /// ```
    pub fn blocked_links(&self) -> Vec<(NodeId, NodeId)> {
        let forward = self
            .from
            .iter()
            .flat_map(|&a| self.to.iter().map(move |&b| (a, b)));
        let backward = self
            .to
            .iter()
            .flat_map(|&b| self.from.iter().map(move |&a| (b, a)))
            .filter(|_| !self.one_way);
        forward.chain(backward).collect()
    }
}

impl Crash {
    /// The crash happening at `time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{crash, ms};
    ///
    /// assert_eq!(crash(1).at(ms(70)).at, ms(70));
    /// ```
    pub fn at(mut self, time: Time) -> Crash {
        self.at = time;
        self
    }

    /// The node restarting at `time`, with its disk but nothing else.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{crash, ms};
    ///
    /// assert_eq!(crash(1).restart_at(ms(90)).restart_at, Some(ms(90)));
    /// ```
    pub fn restart_at(mut self, time: Time) -> Crash {
        self.restart_at = Some(time);
        self
    }
}

impl Pause {
    /// The pause beginning at `time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{ms, pause};
    ///
    /// assert_eq!(pause(0).at(ms(30)).at, ms(30));
    /// ```
    pub fn at(mut self, time: Time) -> Pause {
        self.at = time;
        self
    }

    /// The node resuming at `time`; what fell due meanwhile is handled then, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{ms, pause};
    ///
    /// assert_eq!(pause(0).resume_at(ms(80)).resume_at, Some(ms(80)));
    /// ```
    pub fn resume_at(mut self, time: Time) -> Pause {
        self.resume_at = Some(time);
        self
    }
}

impl From<Partition> for Fault {
    fn from(partition: Partition) -> Fault {
        Fault::Partition(partition)
    }
}

impl From<Crash> for Fault {
    fn from(crash: Crash) -> Fault {
        Fault::Crash(crash)
    }
}

impl From<Pause> for Fault {
    fn from(pause: Pause) -> Fault {
        Fault::Pause(pause)
    }
}

impl Fault {
    /// When the fault begins and ends (`None`: it never ends).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Fault, crash, ms};
    ///
    /// let fault = Fault::from(crash(0).at(ms(5)));
    /// assert_eq!(fault.window(), (ms(5), None));
    /// ```
    pub fn window(&self) -> (Time, Option<Time>) {
        match self {
            Fault::Partition(partition) => (partition.at, partition.heal_at),
            Fault::Crash(crash) => (crash.at, crash.restart_at),
            Fault::Pause(pause) => (pause.at, pause.resume_at),
        }
    }

    /// Checks the fault against a simulation of `node_count` nodes: every node exists, the
    /// sides of a partition are not empty and do not share a node, the fault starts at time
    /// zero or later and ends after it starts.
    ///
    /// # Errors
    ///
    /// A [`SimError`] saying what is wrong and what is allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Fault, ms, partition};
    ///
    /// let fault = Fault::from(partition(0, 1).at(ms(100)).heal_at(ms(50)));
    /// assert_eq!(
    ///     fault.validate(3).unwrap_err().to_string(),
    ///     "the partition would end at 50ms, which is not after it starts at 100ms; the end must \
    ///      be later than the start"
    /// );
    /// ```
    pub fn validate(&self, node_count: usize) -> Result<(), SimError> {
        let what = self.kind();
        let nodes: Vec<NodeId> = match self {
            Fault::Partition(partition) => {
                check_partition_sides(partition)?;
                partition
                    .from
                    .iter()
                    .chain(&partition.to)
                    .copied()
                    .collect()
            }
            Fault::Crash(crash) => vec![crash.node],
            Fault::Pause(pause) => vec![pause.node],
        };
        if let Some(&node) = nodes.iter().find(|&&node| node >= node_count) {
            return Err(SimError::UnknownNode { node, node_count });
        }
        let (start, end) = self.window();
        if start < Time::ZERO {
            return Err(SimError::parameter(
                "fault start",
                start,
                format!("a {what} starts at time 0 or later"),
            ));
        }
        match end {
            Some(end) if end <= start => Err(SimError::Interval { what, start, end }),
            _ => Ok(()),
        }
    }

    /// The fault's kind in one word, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Fault::Partition(_) => "partition",
            Fault::Crash(_) => "crash",
            Fault::Pause(_) => "pause",
        }
    }
}

fn check_partition_sides(partition: &Partition) -> Result<(), SimError> {
    if partition.from.is_empty() || partition.to.is_empty() {
        return Err(SimError::parameter(
            "partition side",
            "[]",
            "each side of a partition needs at least one node",
        ));
    }
    if let Some(node) = partition
        .from
        .iter()
        .find(|node| partition.to.contains(node))
    {
        return Err(SimError::parameter(
            "partition",
            format!("{:?} | {:?}", partition.from, partition.to),
            format!("node {node} is on both sides; a node can be on one side only"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ms;

    #[test]
    fn unknown_nodes_and_bad_sides_are_refused() {
        let cases: [(Fault, &str); 4] = [
            (
                crash(3).into(),
                "node 3 does not exist; nodes are numbered 0 to 2",
            ),
            (
                partition(0, Vec::new()).into(),
                "partition side [] is not allowed; each side of a partition needs at least one \
                 node",
            ),
            (
                partition([0, 1], [1, 2]).into(),
                "partition [0, 1] | [1, 2] is not allowed; node 1 is on both sides; a node can \
                 be on one side only",
            ),
            (
                pause(0).at(ms(-5)).into(),
                "fault start -5ms is not allowed; a pause starts at time 0 or later",
            ),
        ];
        for (fault, message) in cases {
            assert_eq!(fault.validate(3).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn a_fault_that_ends_when_it_starts_is_refused() {
        let fault = Fault::from(pause(0).at(ms(5)).resume_at(ms(5)));
        assert!(matches!(
            fault.validate(1),
            Err(SimError::Interval { what: "pause", .. })
        ));
    }

    #[test]
    fn one_way_partitions_block_one_direction() {
        assert_eq!(
            partition([0, 1], 2).one_way().blocked_links(),
            [(0, 2), (1, 2)]
        );
    }
}
