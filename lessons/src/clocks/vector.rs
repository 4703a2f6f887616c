//! Vector clocks: one counter per process, enough to tell "before" from "concurrent".

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

use crate::sim::NodeId;

/// How two vector timestamps (or the events they stamp) are related.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Causality, VectorClock};
///
/// let a: VectorClock = [(0, 1)].into_iter().collect();
/// let b: VectorClock = [(0, 1), (1, 1)].into_iter().collect();
/// let c: VectorClock = [(2, 1)].into_iter().collect();
/// assert_eq!(a.compare(&b), Causality::Before);
/// assert_eq!(b.compare(&a), Causality::After);
/// assert_eq!(a.compare(&a), Causality::Equal);
/// assert_eq!(a.compare(&c), Causality::Concurrent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Causality {
    /// Every entry is at most the other's and at least one is smaller: happened before.
    Before,
    /// The mirror image of [`Before`](Causality::Before): happened after.
    After,
    /// The same vector: the same event (or the same state).
    Equal,
    /// Each has an entry larger than the other's: neither could have influenced the other.
    Concurrent,
}

impl Causality {
    /// The relation seen from the other side: `Before` and `After` swap.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Causality;
    ///
    /// assert_eq!(Causality::Before.reversed(), Causality::After);
    /// assert_eq!(Causality::Concurrent.reversed(), Causality::Concurrent);
    /// ```
    pub fn reversed(self) -> Causality {
        match self {
            Causality::Before => Causality::After,
            Causality::After => Causality::Before,
            other => other,
        }
    }

    /// The relation as a word, for tables: `before`, `after`, `equal` or `concurrent`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::Causality::Concurrent.name(), "concurrent");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Causality::Before => "before",
            Causality::After => "after",
            Causality::Equal => "equal",
            Causality::Concurrent => "concurrent",
        }
    }
}

impl fmt::Display for Causality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One event of one node: the node's `counter`-th event. Applying it to a vector clock raises
/// that node's entry to `counter`.
///
/// A dot is an operation as a value: [`VectorClock::next_dot`] makes it without changing the
/// clock, and [`VectorClock::apply`] applies it, here or on another replica after it travelled
/// in a message.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Dot, VectorClock};
///
/// let mut clock = VectorClock::new();
/// let dot = clock.next_dot(3);
/// assert_eq!(dot, Dot { node: 3, counter: 1 });
/// clock.apply(dot);
/// assert_eq!(clock.get(3), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Dot {
    /// The node the event happened on.
    pub node: NodeId,
    /// Its number among that node's events, from 1.
    pub counter: u64,
}

impl fmt::Display for Dot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.node, self.counter)
    }
}

/// A vector clock: for each node, how many of its events are known.
///
/// The rules (Fidge and Mattern, 1988):
///
/// 1. **Local event or send**: add one to your own entry ([`tick`](Self::tick),
///    [`send`](Self::send)); a send puts a copy of the whole vector on the message.
/// 2. **Receive**: take the entry-wise maximum of your vector and the message's
///    ([`merge`](Self::merge)), then add one to your own entry ([`receive`](Self::receive)).
///
/// Then for any two events, `VC(a) < VC(b)` (every entry at most, and the vectors differ)
/// exactly when `a` happened before `b`, and two events whose vectors are incomparable are
/// concurrent. [`compare`](Self::compare) gives the [`Causality`]; `PartialOrd` agrees with it
/// (`None` for concurrent vectors).
///
/// Only non-zero entries are stored, sorted by node id, so a clock costs memory in proportion
/// to the number of nodes that have written to it, and equal clocks are equal values
/// (`==`, hashing). Counters saturate at `u64::MAX` instead of wrapping.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Causality, VectorClock};
///
/// let (mut a, mut b, mut c) = (VectorClock::new(), VectorClock::new(), VectorClock::new());
/// a.tick(0); // a local event on node 0
/// let message = a.send(0); // node 0 sends [2, 0, 0]
/// b.receive(1, &message); // node 1: [2, 1, 0]
/// c.tick(2); // node 2, meanwhile: [0, 0, 1]
/// assert_eq!(b.to_dense(3), [2, 1, 0]);
/// assert_eq!(message.compare(&b), Causality::Before);
/// assert_eq!(b.compare(&c), Causality::Concurrent);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct VectorClock {
    /// Node ids with a non-zero counter, increasing.
    nodes: Vec<NodeId>,
    /// `counters[i]` belongs to `nodes[i]`; never zero.
    counters: Vec<u64>,
}

impl VectorClock {
    /// Bytes per entry in [`size_in_bytes`](Self::size_in_bytes): an 8-byte node id and an
    /// 8-byte counter.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::VectorClock::BYTES_PER_ENTRY, 16);
    /// ```
    pub const BYTES_PER_ENTRY: usize = 16;

    /// A clock that knows of no event: every entry is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock = VectorClock::new();
    /// assert!(clock.is_empty());
    /// assert_eq!(clock.get(7), 0);
    /// ```
    pub fn new() -> VectorClock {
        VectorClock::default()
    }

    /// Node `node`'s entry: how many of its events this clock knows of.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock: VectorClock = [(1, 4)].into_iter().collect();
    /// assert_eq!((clock.get(0), clock.get(1)), (0, 4));
    /// ```
    pub fn get(&self, node: NodeId) -> u64 {
        match self.nodes.binary_search(&node) {
            Ok(position) => self.counters[position],
            Err(_) => 0,
        }
    }

    /// How many entries are non-zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock: VectorClock = [(0, 1), (5, 2), (9, 0)].into_iter().collect();
    /// assert_eq!(clock.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether every entry is zero (no event known).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let mut clock = VectorClock::new();
    /// assert!(clock.is_empty());
    /// clock.tick(0);
    /// assert!(!clock.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The non-zero entries as `(node, counter)`, by increasing node id.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock: VectorClock = [(2, 1), (0, 3)].into_iter().collect();
    /// assert_eq!(clock.iter().collect::<Vec<_>>(), [(0, 3), (2, 1)]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, u64)> + '_ {
        self.nodes
            .iter()
            .copied()
            .zip(self.counters.iter().copied())
    }

    /// The dot of `node`'s next event, without recording it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Dot, VectorClock};
    ///
    /// let clock: VectorClock = [(1, 4)].into_iter().collect();
    /// assert_eq!(clock.next_dot(1), Dot { node: 1, counter: 5 });
    /// assert_eq!(clock.get(1), 4); // unchanged
    /// ```
    pub fn next_dot(&self, node: NodeId) -> Dot {
        Dot {
            node,
            counter: self.get(node).saturating_add(1),
        }
    }

    /// Records that the clock knows `dot`: its node's entry becomes at least `dot.counter`.
    /// Applying a dot twice, or an older one, changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Dot, VectorClock};
    ///
    /// let mut clock = VectorClock::new();
    /// clock.apply(Dot { node: 2, counter: 3 });
    /// clock.apply(Dot { node: 2, counter: 1 });
    /// assert_eq!(clock.get(2), 3);
    /// ```
    pub fn apply(&mut self, dot: Dot) {
        if dot.counter == 0 {
            return;
        }
        // A clock that knows nodes 0, 1, ... keeps node `n` at position `n`: try there first.
        let position = match self.nodes.get(dot.node) {
            Some(&node) if node == dot.node => Ok(dot.node),
            _ => self.nodes.binary_search(&dot.node),
        };
        match position {
            Ok(position) => {
                let counter = &mut self.counters[position];
                *counter = (*counter).max(dot.counter);
            }
            Err(position) => {
                self.nodes.insert(position, dot.node);
                self.counters.insert(position, dot.counter);
            }
        }
    }

    /// Records a local event on `node` (this clock's owner) and returns its dot.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let mut clock = VectorClock::new();
    /// clock.tick(0);
    /// assert_eq!(clock.tick(0).counter, 2);
    /// assert_eq!(clock.to_dense(2), [2, 0]);
    /// ```
    pub fn tick(&mut self, node: NodeId) -> Dot {
        let dot = self.next_dot(node);
        self.apply(dot);
        dot
    }

    /// Records the sending of a message by `node` and returns the timestamp to put on it: a
    /// copy of the clock after the tick.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let mut clock = VectorClock::new();
    /// let stamp = clock.send(1);
    /// assert_eq!(stamp, clock);
    /// assert_eq!(stamp.to_dense(2), [0, 1]);
    /// ```
    pub fn send(&mut self, node: NodeId) -> VectorClock {
        self.tick(node);
        self.clone()
    }

    /// Records the receipt by `node` of a message stamped `message`: merge, then tick. Returns
    /// the receipt's dot.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let stamp: VectorClock = [(0, 2), (2, 1)].into_iter().collect();
    /// let mut clock: VectorClock = [(1, 3)].into_iter().collect();
    /// clock.receive(1, &stamp);
    /// assert_eq!(clock.to_dense(3), [2, 4, 1]);
    /// ```
    pub fn receive(&mut self, node: NodeId, message: &VectorClock) -> Dot {
        self.merge(message);
        self.tick(node)
    }

    /// Takes the entry-wise maximum with `other`: afterwards this clock knows every event either
    /// knew. Merging is commutative, associative and idempotent.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let mut a: VectorClock = [(0, 3), (1, 1)].into_iter().collect();
    /// let b: VectorClock = [(1, 2), (2, 5)].into_iter().collect();
    /// a.merge(&b);
    /// assert_eq!(a.to_dense(3), [3, 2, 5]);
    /// ```
    pub fn merge(&mut self, other: &VectorClock) {
        if self.nodes == other.nodes {
            for (mine, theirs) in self.counters.iter_mut().zip(&other.counters) {
                *mine = (*mine).max(*theirs);
            }
            return;
        }
        let capacity = self.len() + other.len();
        let mut nodes = Vec::with_capacity(capacity);
        let mut counters = Vec::with_capacity(capacity);
        let (mut i, mut j) = (0, 0);
        while i < self.len() || j < other.len() {
            let mine = self.nodes.get(i).copied().unwrap_or(NodeId::MAX);
            let theirs = other.nodes.get(j).copied().unwrap_or(NodeId::MAX);
            let (node, counter) = match (i < self.len(), j < other.len(), mine.cmp(&theirs)) {
                (true, true, Ordering::Equal) => {
                    let counter = self.counters[i].max(other.counters[j]);
                    i += 1;
                    j += 1;
                    (mine, counter)
                }
                (true, _, Ordering::Less) | (true, false, _) => {
                    i += 1;
                    (mine, self.counters[i - 1])
                }
                _ => {
                    j += 1;
                    (theirs, other.counters[j - 1])
                }
            };
            nodes.push(node);
            counters.push(counter);
        }
        self.nodes = nodes;
        self.counters = counters;
    }

    /// The entry-wise maximum of the two clocks, as a new clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let a: VectorClock = [(0, 1)].into_iter().collect();
    /// let b: VectorClock = [(1, 1)].into_iter().collect();
    /// assert_eq!(a.merged(&b).to_dense(2), [1, 1]);
    /// ```
    pub fn merged(&self, other: &VectorClock) -> VectorClock {
        let mut merged = self.clone();
        merged.merge(other);
        merged
    }

    /// How this clock's events relate to `other`'s: [`Causality::Before`] if every entry is at
    /// most the other's and they differ, [`After`](Causality::After) for the mirror image,
    /// [`Equal`](Causality::Equal), or [`Concurrent`](Causality::Concurrent) when each has an
    /// entry larger than the other's.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Causality, VectorClock};
    ///
    /// let a: VectorClock = [(0, 3), (1, 1), (2, 2)].into_iter().collect();
    /// let b: VectorClock = [(0, 3), (1, 2), (2, 2)].into_iter().collect();
    /// let c: VectorClock = [(0, 4), (1, 1)].into_iter().collect();
    /// assert_eq!(a.compare(&b), Causality::Before);
    /// assert_eq!(b.compare(&c), Causality::Concurrent);
    /// ```
    pub fn compare(&self, other: &VectorClock) -> Causality {
        let (smaller, larger) = if self.nodes == other.nodes {
            same_nodes(&self.counters, &other.counters)
        } else {
            self.walk(other)
        };
        match (smaller, larger) {
            (false, false) => Causality::Equal,
            (true, false) => Causality::Before,
            (false, true) => Causality::After,
            (true, true) => Causality::Concurrent,
        }
    }

    /// Whether this clock's event happened before `other`'s (the comparison is
    /// [`Causality::Before`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let mut clock = VectorClock::new();
    /// let first = clock.send(0);
    /// let second = clock.send(0);
    /// assert!(first.happened_before(&second));
    /// assert!(!second.happened_before(&first));
    /// ```
    pub fn happened_before(&self, other: &VectorClock) -> bool {
        self.compare(other) == Causality::Before
    }

    /// Whether neither clock's event happened before the other's, and they differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let a: VectorClock = [(0, 1)].into_iter().collect();
    /// let b: VectorClock = [(1, 1)].into_iter().collect();
    /// assert!(a.is_concurrent_with(&b));
    /// assert!(!a.is_concurrent_with(&a));
    /// ```
    pub fn is_concurrent_with(&self, other: &VectorClock) -> bool {
        self.compare(other) == Causality::Concurrent
    }

    /// The clock as a dense vector of the entries of nodes `0..nodes`, the way textbooks write
    /// it; entries of nodes beyond are left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock: VectorClock = [(1, 2)].into_iter().collect();
    /// assert_eq!(clock.to_dense(3), [0, 2, 0]);
    /// ```
    pub fn to_dense(&self, nodes: usize) -> Vec<u64> {
        (0..nodes).map(|node| self.get(node)).collect()
    }

    /// The clock written the textbook way, `[2, 1, 0]`, for nodes `0..nodes`: short enough for
    /// a diagram label.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock: VectorClock = [(0, 2), (1, 1)].into_iter().collect();
    /// assert_eq!(clock.dense_label(3), "[2,1,0]");
    /// ```
    pub fn dense_label(&self, nodes: usize) -> String {
        let entries: Vec<String> = self
            .to_dense(nodes)
            .iter()
            .map(|counter| counter.to_string())
            .collect();
        format!("[{}]", entries.join(","))
    }

    /// The size of the clock on the wire if each non-zero entry is sent as an 8-byte id and an
    /// 8-byte counter: it grows with the number of nodes that ever wrote.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VectorClock;
    ///
    /// let clock: VectorClock = (0..100).map(|node| (node, 1)).collect();
    /// assert_eq!(clock.size_in_bytes(), 1_600);
    /// ```
    pub fn size_in_bytes(&self) -> usize {
        self.len() * Self::BYTES_PER_ENTRY
    }

    /// Compares entry by entry when the two clocks have different nodes: whether some entry of
    /// `self` is smaller than `other`'s, and whether some is larger.
    fn walk(&self, other: &VectorClock) -> (bool, bool) {
        let (mut smaller, mut larger) = (false, false);
        let (mut i, mut j) = (0, 0);
        while (i < self.len() || j < other.len()) && !(smaller && larger) {
            let mine = self.nodes.get(i).copied();
            let theirs = other.nodes.get(j).copied();
            match (mine, theirs) {
                (Some(a), Some(b)) if a == b => {
                    let (x, y) = (self.counters[i], other.counters[j]);
                    smaller |= x < y;
                    larger |= x > y;
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a < b => {
                    larger = true;
                    i += 1;
                }
                (Some(_), None) => {
                    larger = true;
                    i += 1;
                }
                _ => {
                    smaller = true;
                    j += 1;
                }
            }
        }
        (smaller, larger)
    }
}

/// The comparison when both clocks have the same nodes: a tight loop the compiler vectorises.
fn same_nodes(mine: &[u64], theirs: &[u64]) -> (bool, bool) {
    let (mut smaller, mut larger) = (false, false);
    for (x, y) in mine.iter().zip(theirs) {
        smaller |= x < y;
        larger |= x > y;
    }
    (smaller, larger)
}

impl PartialOrd for VectorClock {
    /// `Some(Less)` for [`Causality::Before`], `None` for concurrent clocks.
    fn partial_cmp(&self, other: &VectorClock) -> Option<Ordering> {
        match self.compare(other) {
            Causality::Before => Some(Ordering::Less),
            Causality::After => Some(Ordering::Greater),
            Causality::Equal => Some(Ordering::Equal),
            Causality::Concurrent => None,
        }
    }
}

impl FromIterator<(NodeId, u64)> for VectorClock {
    /// A clock with these entries; a node given twice keeps its largest counter, and zero
    /// counters are left out.
    fn from_iter<I: IntoIterator<Item = (NodeId, u64)>>(entries: I) -> VectorClock {
        let mut clock = VectorClock::new();
        for (node, counter) in entries {
            clock.apply(Dot { node, counter });
        }
        clock
    }
}

impl fmt::Display for VectorClock {
    /// `{0:2, 3:1}`: the non-zero entries as `node:counter`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (position, (node, counter)) in self.iter().enumerate() {
            if position > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{node}:{counter}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(entries: &[(NodeId, u64)]) -> VectorClock {
        entries.iter().copied().collect()
    }

    /// The example of the seeds' vector-clock answer: node 1 at [N1:3, N2:1, N3:2].
    #[test]
    fn the_three_node_example_compares_entry_by_entry() {
        let a = clock(&[(1, 3), (2, 1), (3, 2)]);
        assert_eq!(
            a.compare(&clock(&[(1, 3), (2, 2), (3, 2)])),
            Causality::Before
        );
        assert_eq!(
            a.compare(&clock(&[(1, 2), (2, 1), (3, 2)])),
            Causality::After
        );
        assert_eq!(
            a.compare(&clock(&[(1, 4), (2, 0), (3, 2)])),
            Causality::Concurrent
        );
        assert_eq!(a.compare(&a.clone()), Causality::Equal);
    }

    #[test]
    fn missing_entries_count_as_zero_on_both_sides() {
        let a = clock(&[(0, 1), (4, 1)]);
        let b = clock(&[(0, 1), (2, 1), (4, 1)]);
        assert_eq!(a.compare(&b), Causality::Before);
        assert_eq!(b.compare(&a), Causality::After);
        assert_eq!(
            clock(&[(5, 1)]).compare(&clock(&[(0, 1)])),
            Causality::Concurrent
        );
        assert_eq!(VectorClock::new().compare(&a), Causality::Before);
    }

    #[test]
    fn merging_different_nodes_keeps_every_entry_in_order() {
        let mut a = clock(&[(1, 5), (3, 1), (9, 2)]);
        a.merge(&clock(&[(0, 1), (3, 4), (10, 1)]));
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [(0, 1), (1, 5), (3, 4), (9, 2), (10, 1)]
        );
    }

    #[test]
    fn counters_saturate() {
        let mut a = clock(&[(0, u64::MAX)]);
        assert_eq!(a.tick(0).counter, u64::MAX);
        assert_eq!(a.get(0), u64::MAX);
    }

    #[test]
    fn display_lists_the_non_zero_entries() {
        assert_eq!(clock(&[(3, 1), (0, 2)]).to_string(), "{0:2, 3:1}");
        assert_eq!(VectorClock::new().to_string(), "{}");
        assert_eq!(
            Dot {
                node: 1,
                counter: 2
            }
            .to_string(),
            "(1, 2)"
        );
    }
}
