//! The multi-value register: keeps every write that no other write has overwritten.

use std::fmt::Debug;
use std::mem::size_of;

use serde::Serialize;

use super::context::CausalContext;
use super::lattice::{Crdt, OperationBased, WORD};
use crate::clocks::Dot;
use crate::sim::NodeId;

/// A multi-value register (MV-Register): a write replaces the values its writer had seen;
/// writes made without seeing each other are all kept, side by side, as *siblings*.
///
/// Each write gets a [`Dot`], and the state keeps a [`CausalContext`] of every dot it has
/// seen. Merge keeps a value if both sides hold it, or if the other side has never seen it; a
/// value the other side has seen and no longer holds was overwritten there. So after any merges
/// the register holds exactly the writes no other write has seen: the maximal ones in the
/// happened-before order, what Dynamo returns as siblings and version vectors compute
/// (lesson 04).
///
/// A write returns its operation as a small register (a *delta*): the new value and the dots it
/// replaces. Applying a delta is a merge, so deltas may arrive in any order, more than once.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, MvRegister};
///
/// let mut a = MvRegister::new();
/// let mut b = MvRegister::new();
/// a.set(0, "blue");
/// b.set(1, "green"); // concurrent: neither saw the other
/// a.merge(&b);
/// assert_eq!(a.values(), [&"blue", &"green"]);
/// a.set(0, "teal"); // a write that saw both replaces both
/// b.merge(&a);
/// assert_eq!(b.values(), [&"teal"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MvRegister<T> {
    /// The live writes, sorted by dot.
    entries: Vec<(Dot, T)>,
    context: CausalContext,
}

impl<T> Default for MvRegister<T> {
    fn default() -> Self {
        MvRegister {
            entries: Vec::new(),
            context: CausalContext::new(),
        }
    }
}

impl<T: Clone + PartialEq + Debug> MvRegister<T> {
    /// A register never written: no values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::MvRegister::<u8>::new().values().is_empty());
    /// ```
    pub fn new() -> MvRegister<T> {
        MvRegister::default()
    }

    /// Writes `value` on replica `replica`, replacing every value this replica holds; returns
    /// the operation (a delta) to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{MvRegister, OperationBased};
    ///
    /// let mut a = MvRegister::new();
    /// a.set(0, 1);
    /// let op = a.set(0, 2);
    /// let mut b = MvRegister::new();
    /// b.apply(&op);
    /// assert_eq!(b.values(), [&2]);
    /// ```
    pub fn set(&mut self, replica: NodeId, value: T) -> MvRegister<T> {
        let dot = self.context.next_dot(replica);
        let mut context = CausalContext::new();
        for (seen, _) in &self.entries {
            context.insert(*seen);
        }
        context.insert(dot);
        let delta = MvRegister {
            entries: vec![(dot, value)],
            context,
        };
        self.merge(&delta);
        delta
    }

    /// The values held, in the order of their dots: one after a write that saw all others,
    /// several after concurrent writes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::MvRegister;
    ///
    /// let mut register = MvRegister::new();
    /// register.set(0, 'x');
    /// assert_eq!(register.values(), [&'x']);
    /// ```
    pub fn values(&self) -> Vec<&T> {
        self.entries.iter().map(|(_, value)| value).collect()
    }

    /// The values with the dots of the writes that made them.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::MvRegister;
    ///
    /// let mut register = MvRegister::new();
    /// register.set(4, 'x');
    /// assert_eq!(register.entries(), [(Dot { node: 4, counter: 1 }, 'x')]);
    /// ```
    pub fn entries(&self) -> &[(Dot, T)] {
        &self.entries
    }

    /// The dots this state has seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::MvRegister;
    ///
    /// let mut register = MvRegister::new();
    /// register.set(0, 'x');
    /// register.set(0, 'y');
    /// assert_eq!(register.context().clock().get(0), 2);
    /// ```
    pub fn context(&self) -> &CausalContext {
        &self.context
    }
}

impl<T: Clone + PartialEq + Debug> Crdt for MvRegister<T> {
    fn merge(&mut self, other: &MvRegister<T>) {
        let holds =
            |entries: &[(Dot, T)], dot: &Dot| entries.binary_search_by(|(d, _)| d.cmp(dot)).is_ok();
        let mut joined: Vec<(Dot, T)> =
            Vec::with_capacity(self.entries.len() + other.entries.len());
        for entry in &self.entries {
            if holds(&other.entries, &entry.0) || !other.context.contains(entry.0) {
                joined.push(entry.clone());
            }
        }
        for entry in &other.entries {
            if !holds(&self.entries, &entry.0) && !self.context.contains(entry.0) {
                joined.push(entry.clone());
            }
        }
        joined.sort_by_key(|(dot, _)| *dot);
        self.entries = joined;
        self.context.merge(&other.context);
    }

    fn size_in_bytes(&self) -> usize {
        self.entries.len() * (2 * WORD + size_of::<T>()) + self.context.size_in_bytes()
    }
}

impl<T: Clone + PartialEq + Debug> OperationBased for MvRegister<T> {
    type Op = MvRegister<T>;

    fn apply(&mut self, op: &MvRegister<T>) {
        self.merge(op);
    }
}
