//! The two ways to replicate a CRDT: ship whole states and merge them, or ship operations and
//! apply them.

use std::fmt::Debug;

/// A state-based CRDT (a *convergent* replicated data type): replicas exchange whole states and
/// [`merge`](Crdt::merge) them.
///
/// The states form a join semilattice and `merge` is its join, so it is
///
/// * **commutative**: `a ⊔ b = b ⊔ a`, the order two states meet in does not matter;
/// * **associative**: `(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`, nor how merges are grouped;
/// * **idempotent**: `a ⊔ a = a`, nor how often a state arrives.
///
/// Every local update only moves a state up in the lattice, so replicas that have seen the same
/// updates, in any order, any number of times, hold equal states: *strong eventual consistency*
/// without any coordination. `tests/crdt_laws.rs` checks all three laws for every type here.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, GCounter};
///
/// let (mut a, mut b) = (GCounter::new(), GCounter::new());
/// a.increment(0);
/// b.increment(1);
/// assert_eq!(a.merged(&b), b.merged(&a));
/// assert_eq!(a.merged(&a), a);
/// ```
pub trait Crdt: Clone + PartialEq + Debug {
    /// Joins `other` into this state: afterwards it holds every update either held.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{Crdt, GSet};
    ///
    /// let mut a: GSet<u32> = [1, 2].into_iter().collect();
    /// let b: GSet<u32> = [2, 3].into_iter().collect();
    /// a.merge(&b);
    /// assert_eq!(a.len(), 3);
    /// ```
    fn merge(&mut self, other: &Self);

    /// The join of the two states, as a new state.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{Crdt, GCounter};
    ///
    /// let mut a = GCounter::new();
    /// a.increment_by(0, 3);
    /// let mut b = GCounter::new();
    /// b.increment_by(1, 4);
    /// assert_eq!(a.merged(&b).value(), 7);
    /// ```
    fn merged(&self, other: &Self) -> Self {
        let mut joined = self.clone();
        joined.merge(other);
        joined
    }

    /// What the state would cost on the wire, in bytes, under the crate's simple model: 8 bytes
    /// per counter and per replica id (so 16 per vector entry or dot), and
    /// `size_of::<T>()` per element.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{Crdt, GCounter};
    ///
    /// let mut counter = GCounter::new();
    /// for replica in 0..10 {
    ///     counter.increment(replica);
    /// }
    /// assert_eq!(counter.size_in_bytes(), 160);
    /// ```
    fn size_in_bytes(&self) -> usize;
}

/// An operation-based CRDT (a *commutative* replicated data type): replicas exchange the
/// operations that local updates return and [`apply`](OperationBased::apply) them.
///
/// The operations of every type here are built to commute and to be idempotent, so they may
/// arrive in any order and more than once: the network need not be reliable or ordered. (Textbook
/// op-based counters send "+1" and need exactly-once delivery; ours send the replica's new total,
/// which is why a duplicated message changes nothing.)
///
/// # Examples
///
/// ```
/// use lessons::crdt::{GCounter, OperationBased};
///
/// let mut a = GCounter::new();
/// let op = a.increment(0);
/// let mut b = GCounter::new();
/// b.apply(&op);
/// b.apply(&op); // a duplicate
/// assert_eq!(b.value(), 1);
/// ```
pub trait OperationBased {
    /// What a local update returns, to send to the other replicas.
    type Op: Clone + Debug;

    /// Applies an operation made on this or another replica.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{GSet, OperationBased};
    ///
    /// let mut a: GSet<&str> = GSet::new();
    /// let op = a.add("milk");
    /// let mut b = GSet::new();
    /// b.apply(&op);
    /// assert!(b.contains(&"milk"));
    /// ```
    fn apply(&mut self, op: &Self::Op);
}

/// Bytes for one replica id or one counter in [`Crdt::size_in_bytes`].
pub(crate) const WORD: usize = 8;
