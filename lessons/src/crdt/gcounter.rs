//! The grow-only counter: one count per replica, the value is their sum.

use serde::Serialize;

use super::lattice::{Crdt, OperationBased};
use crate::clocks::{Dot, VectorClock};
use crate::sim::NodeId;

/// A grow-only counter (G-Counter): each replica counts its own increments in its own entry;
/// the value is the sum of the entries and [`merge`](Crdt::merge) takes the entry-wise maximum.
///
/// Two replicas never write the same entry, so the maximum of an entry is simply its latest
/// count, and merging never double-counts: a state that arrives twice, late or out of order
/// changes nothing. The state is a vector clock read as counts ([`VectorClock`]), 16 bytes per
/// replica that ever incremented.
///
/// As an operation-based CRDT, an increment returns a [`Dot`]: "replica `node`'s count is now
/// `counter`". Applying it raises that entry to at least `counter`, so duplicated or reordered
/// operations are harmless too, unlike a message that says "+1".
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, GCounter, OperationBased};
///
/// let (mut a, mut b) = (GCounter::new(), GCounter::new());
/// a.increment(0);
/// a.increment(0);
/// let op = b.increment(1);
/// a.apply(&op);
/// b.merge(&a);
/// assert_eq!((a.value(), b.value()), (3, 3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct GCounter {
    counts: VectorClock,
}

impl GCounter {
    /// A counter at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::crdt::GCounter::new().value(), 0);
    /// ```
    pub fn new() -> GCounter {
        GCounter::default()
    }

    /// Adds one on replica `replica`; returns the operation to send to the others.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::GCounter;
    ///
    /// let mut counter = GCounter::new();
    /// counter.increment(2);
    /// assert_eq!(counter.increment(2), Dot { node: 2, counter: 2 });
    /// ```
    pub fn increment(&mut self, replica: NodeId) -> Dot {
        self.increment_by(replica, 1)
    }

    /// Adds `amount` on replica `replica` (saturating at `u64::MAX`); returns the operation.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GCounter;
    ///
    /// let mut counter = GCounter::new();
    /// counter.increment_by(0, 5);
    /// assert_eq!(counter.value(), 5);
    /// ```
    pub fn increment_by(&mut self, replica: NodeId, amount: u64) -> Dot {
        let dot = Dot {
            node: replica,
            counter: self.counts.get(replica).saturating_add(amount),
        };
        self.counts.apply(dot);
        dot
    }

    /// The value: the sum of every replica's count (saturating at `u64::MAX`).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GCounter;
    ///
    /// let mut counter = GCounter::new();
    /// counter.increment(0);
    /// counter.increment(1);
    /// assert_eq!(counter.value(), 2);
    /// ```
    pub fn value(&self) -> u64 {
        self.counts
            .iter()
            .fold(0u64, |sum, (_, count)| sum.saturating_add(count))
    }

    /// Replica `replica`'s own count.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GCounter;
    ///
    /// let mut counter = GCounter::new();
    /// counter.increment_by(3, 7);
    /// assert_eq!((counter.count_of(3), counter.count_of(0)), (7, 0));
    /// ```
    pub fn count_of(&self, replica: NodeId) -> u64 {
        self.counts.get(replica)
    }

    /// The counts as a vector clock: one entry per replica that incremented.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GCounter;
    ///
    /// let mut counter = GCounter::new();
    /// counter.increment(1);
    /// assert_eq!(counter.counts().to_dense(2), [0, 1]);
    /// ```
    pub fn counts(&self) -> &VectorClock {
        &self.counts
    }
}

impl Crdt for GCounter {
    fn merge(&mut self, other: &GCounter) {
        self.counts.merge(&other.counts);
    }

    fn size_in_bytes(&self) -> usize {
        self.counts.size_in_bytes()
    }
}

impl OperationBased for GCounter {
    type Op = Dot;

    fn apply(&mut self, op: &Dot) {
        self.counts.apply(*op);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_takes_the_larger_count_of_each_replica() {
        let mut a = GCounter::new();
        a.increment_by(0, 3);
        let mut b = a.clone();
        b.increment_by(0, 2);
        b.increment_by(1, 1);
        a.merge(&b);
        assert_eq!(a.value(), 6);
        assert_eq!(a, b);
    }

    #[test]
    fn an_old_operation_arriving_late_changes_nothing() {
        let mut a = GCounter::new();
        let first = a.increment(0);
        a.increment(0);
        let mut b = GCounter::new();
        b.apply(&a.clone().increment(0));
        b.apply(&first);
        assert_eq!(b.value(), 3);
    }
}
