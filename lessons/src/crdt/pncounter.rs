//! The positive-negative counter: two grow-only counters, one for increments, one for
//! decrements.

use serde::Serialize;

use super::gcounter::GCounter;
use super::lattice::{Crdt, OperationBased};
use crate::clocks::Dot;
use crate::sim::NodeId;

/// An operation of a [`PNCounter`]: an increment or a decrement total of one replica.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Dot;
/// use lessons::crdt::{PNCounter, PNCounterOp};
///
/// let mut likes = PNCounter::new();
/// assert_eq!(likes.decrement(4), PNCounterOp::Decrement(Dot { node: 4, counter: 1 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PNCounterOp {
    /// The replica's increments now total `counter`.
    Increment(Dot),
    /// The replica's decrements now total `counter`.
    Decrement(Dot),
}

/// A counter that goes up and down (PN-Counter): a [`GCounter`] of increments `P` and one of
/// decrements `N`; the value is `P - N` and merge merges both halves.
///
/// A single G-Counter cannot count down: lowering an entry would be undone by the next merge,
/// which keeps maxima. Two grow-only halves can. What a PN-Counter cannot do is keep the value
/// within bounds: replicas that each see one unit left may each take it, and the merged value
/// goes below zero (see [`overdraft_experiment`](super::overdraft_experiment)).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, PNCounter};
///
/// let mut a = PNCounter::new();
/// a.increment(0);
/// let mut b = a.clone();
/// a.decrement(0); // A unlikes
/// b.decrement(1); // B unlikes too, concurrently
/// a.merge(&b);
/// assert_eq!(a.value(), -1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct PNCounter {
    increments: GCounter,
    decrements: GCounter,
}

impl PNCounter {
    /// A counter at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::crdt::PNCounter::new().value(), 0);
    /// ```
    pub fn new() -> PNCounter {
        PNCounter::default()
    }

    /// Adds one on replica `replica`; returns the operation to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut counter = PNCounter::new();
    /// counter.increment(0);
    /// assert_eq!(counter.value(), 1);
    /// ```
    pub fn increment(&mut self, replica: NodeId) -> PNCounterOp {
        self.increment_by(replica, 1)
    }

    /// Subtracts one on replica `replica`; returns the operation to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut counter = PNCounter::new();
    /// counter.decrement(0);
    /// assert_eq!(counter.value(), -1);
    /// ```
    pub fn decrement(&mut self, replica: NodeId) -> PNCounterOp {
        self.decrement_by(replica, 1)
    }

    /// Adds `amount` on replica `replica`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut stock = PNCounter::new();
    /// stock.increment_by(0, 10);
    /// assert_eq!(stock.value(), 10);
    /// ```
    pub fn increment_by(&mut self, replica: NodeId, amount: u64) -> PNCounterOp {
        PNCounterOp::Increment(self.increments.increment_by(replica, amount))
    }

    /// Subtracts `amount` on replica `replica`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut stock = PNCounter::new();
    /// stock.increment_by(0, 10);
    /// stock.decrement_by(1, 4);
    /// assert_eq!(stock.value(), 6);
    /// ```
    pub fn decrement_by(&mut self, replica: NodeId, amount: u64) -> PNCounterOp {
        PNCounterOp::Decrement(self.decrements.increment_by(replica, amount))
    }

    /// The value: increments minus decrements (clamped to the `i64` range).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut counter = PNCounter::new();
    /// counter.increment_by(0, 2);
    /// counter.decrement_by(1, 5);
    /// assert_eq!(counter.value(), -3);
    /// ```
    pub fn value(&self) -> i64 {
        let difference = i128::from(self.increments.value()) - i128::from(self.decrements.value());
        difference.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// The increments half.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut counter = PNCounter::new();
    /// counter.increment(0);
    /// counter.decrement(0);
    /// assert_eq!((counter.increments().value(), counter.decrements().value()), (1, 1));
    /// ```
    pub fn increments(&self) -> &GCounter {
        &self.increments
    }

    /// The decrements half.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::PNCounter;
    ///
    /// let mut counter = PNCounter::new();
    /// counter.decrement_by(2, 3);
    /// assert_eq!(counter.decrements().count_of(2), 3);
    /// ```
    pub fn decrements(&self) -> &GCounter {
        &self.decrements
    }
}

impl Crdt for PNCounter {
    fn merge(&mut self, other: &PNCounter) {
        self.increments.merge(&other.increments);
        self.decrements.merge(&other.decrements);
    }

    fn size_in_bytes(&self) -> usize {
        self.increments.size_in_bytes() + self.decrements.size_in_bytes()
    }
}

impl OperationBased for PNCounter {
    type Op = PNCounterOp;

    fn apply(&mut self, op: &PNCounterOp) {
        match op {
            PNCounterOp::Increment(dot) => self.increments.apply(dot),
            PNCounterOp::Decrement(dot) => self.decrements.apply(dot),
        }
    }
}
