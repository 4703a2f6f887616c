//! The last-writer-wins register: one value, stamped; the larger stamp wins every merge.

use std::fmt::Debug;
use std::mem::size_of;

use serde::Serialize;

use super::lattice::{Crdt, OperationBased};
use crate::clocks::LamportTimestamp;
use crate::sim::NodeId;

/// A last-writer-wins register (LWW-Register): a value and the stamp of the write that put it
/// there; [`merge`](Crdt::merge) keeps the value with the larger stamp.
///
/// Stamps are [`LamportTimestamp`]s `(time, replica)`: a write on replica `r` takes a time one
/// above the largest it has seen, and the replica id breaks ties, so no two writes share a stamp
/// and "the larger stamp" is a total order. Taking the maximum is commutative, associative and
/// idempotent: an LWW-Register *is* a state-based CRDT and its replicas converge.
///
/// What it cannot do is keep concurrent writes: of `k` writes made without seeing each other,
/// exactly one survives and `k - 1` vanish without a trace. The survivor is the one with the
/// larger stamp, which says nothing about which write a user would call the last. The
/// [`MvRegister`](super::MvRegister) keeps them all instead.
///
/// Merging two states with the same stamp and different values is not defined; stamps made by
/// [`set`](LwwRegister::set) never collide. States made with
/// [`set_with_stamp`](LwwRegister::set_with_stamp) must keep that promise themselves.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, LwwRegister};
///
/// let mut a = LwwRegister::new();
/// let mut b = LwwRegister::new();
/// a.set(0, "blue"); // concurrent writes: both at time 1
/// b.set(1, "green");
/// a.merge(&b);
/// b.merge(&a);
/// assert_eq!((a.value(), b.value()), (Some(&"green"), Some(&"green"))); // replica 1 breaks the tie
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LwwRegister<T> {
    value: Option<T>,
    stamp: LamportTimestamp,
}

impl<T> Default for LwwRegister<T> {
    fn default() -> Self {
        LwwRegister {
            value: None,
            stamp: LamportTimestamp { time: 0, node: 0 },
        }
    }
}

impl<T: Clone + PartialEq + Debug> LwwRegister<T> {
    /// A register that was never written: no value, stamp `0.0`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::crdt::LwwRegister::<u8>::new().value(), None);
    /// ```
    pub fn new() -> LwwRegister<T> {
        LwwRegister::default()
    }

    /// Writes `value` on replica `replica`, stamped one above the largest time seen; returns the
    /// operation to send, which is the new state itself.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::LwwRegister;
    ///
    /// let mut register = LwwRegister::new();
    /// register.set(0, 1);
    /// let op = register.set(2, 5);
    /// assert_eq!((op.value(), op.stamp().to_string()), (Some(&5), "2.2".to_string()));
    /// ```
    pub fn set(&mut self, replica: NodeId, value: T) -> LwwRegister<T> {
        let stamp = LamportTimestamp {
            time: self.stamp.time.saturating_add(1),
            node: replica,
        };
        self.set_with_stamp(value, stamp)
    }

    /// Writes `value` with a stamp chosen by the caller (a wall-clock reading, say); it takes
    /// effect only if the stamp is larger than the current one. Returns the operation to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportTimestamp;
    /// use lessons::crdt::LwwRegister;
    ///
    /// let mut register = LwwRegister::new();
    /// register.set_with_stamp("late", LamportTimestamp { time: 20, node: 0 });
    /// register.set_with_stamp("early", LamportTimestamp { time: 10, node: 1 });
    /// assert_eq!(register.value(), Some(&"late"));
    /// ```
    pub fn set_with_stamp(&mut self, value: T, stamp: LamportTimestamp) -> LwwRegister<T> {
        let op = LwwRegister {
            value: Some(value),
            stamp,
        };
        self.merge(&op);
        op
    }

    /// The value, if the register was ever written.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::LwwRegister;
    ///
    /// let mut register = LwwRegister::new();
    /// register.set(0, 'x');
    /// assert_eq!(register.value(), Some(&'x'));
    /// ```
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// The stamp of the write that holds the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportTimestamp;
    /// use lessons::crdt::LwwRegister;
    ///
    /// let mut register = LwwRegister::new();
    /// register.set(3, 'x');
    /// assert_eq!(register.stamp(), LamportTimestamp { time: 1, node: 3 });
    /// ```
    pub fn stamp(&self) -> LamportTimestamp {
        self.stamp
    }
}

impl<T: Clone + PartialEq + Debug> Crdt for LwwRegister<T> {
    fn merge(&mut self, other: &LwwRegister<T>) {
        if other.stamp > self.stamp {
            // A plain copy: `clone_from` on an `Option` branches on both sides, which doubled
            // the cost of an apply in `cargo bench --bench crdts`.
            self.value = other.value.clone();
            self.stamp = other.stamp;
        }
    }

    fn size_in_bytes(&self) -> usize {
        2 * super::lattice::WORD + size_of::<T>()
    }
}

impl<T: Clone + PartialEq + Debug> OperationBased for LwwRegister<T> {
    type Op = LwwRegister<T>;

    fn apply(&mut self, op: &LwwRegister<T>) {
        self.merge(op);
    }
}
