//! The two-phase set: a grow-only set of additions and one of removals (tombstones).

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::mem::size_of;

use serde::Serialize;

use super::error::CrdtError;
use super::lattice::{Crdt, OperationBased};

/// An operation of a [`TwoPhaseSet`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{TwoPhaseSet, TwoPhaseSetOp};
///
/// let mut set = TwoPhaseSet::new();
/// assert_eq!(set.add('x'), TwoPhaseSetOp::Add('x'));
/// assert_eq!(set.remove('x')?, TwoPhaseSetOp::Remove('x'));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum TwoPhaseSetOp<T> {
    /// Put the element in the added set.
    Add(T),
    /// Put the element in the removed set (a tombstone).
    Remove(T),
}

/// A two-phase set (2P-Set): an element is in the set when it has been added and never removed.
/// Both phases are grow-only sets, so merge is two unions.
///
/// The removed set holds *tombstones*: a removed element stays in the state forever, so that a
/// merge with a replica that still has it in its added set does not bring it back. The price is
/// twofold: the state grows with every remove, and an element once removed can never be added
/// again, since its tombstone wins over every later add (remove-wins, for good).
///
/// # Examples
///
/// ```
/// use lessons::crdt::TwoPhaseSet;
///
/// let mut cart = TwoPhaseSet::new();
/// cart.add("milk");
/// cart.remove("milk")?;
/// cart.add("milk"); // accepted, but it has no effect
/// assert!(!cart.contains(&"milk"));
/// assert!(cart.was_removed(&"milk"));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TwoPhaseSet<T: Ord> {
    added: BTreeSet<T>,
    removed: BTreeSet<T>,
}

impl<T: Ord> Default for TwoPhaseSet<T> {
    fn default() -> Self {
        TwoPhaseSet {
            added: BTreeSet::new(),
            removed: BTreeSet::new(),
        }
    }
}

impl<T: Ord + Clone + Debug> TwoPhaseSet<T> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::crdt::TwoPhaseSet::<u8>::new().len(), 0);
    /// ```
    pub fn new() -> TwoPhaseSet<T> {
        TwoPhaseSet::default()
    }

    /// Adds `element` (which stays absent if it was ever removed); returns the operation.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// set.add(1);
    /// assert!(set.contains(&1));
    /// ```
    pub fn add(&mut self, element: T) -> TwoPhaseSetOp<T> {
        let op = TwoPhaseSetOp::Add(element);
        self.apply(&op);
        op
    }

    /// Removes `element`, which must be in the set; returns the operation.
    ///
    /// # Errors
    ///
    /// [`CrdtError::NotInSet`] if the element is not in the set (never added here, or already
    /// removed).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// set.add(1);
    /// assert!(set.remove(1).is_ok());
    /// assert!(set.remove(1).is_err());
    /// ```
    pub fn remove(&mut self, element: T) -> Result<TwoPhaseSetOp<T>, CrdtError> {
        if !self.contains(&element) {
            return Err(CrdtError::NotInSet {
                element: format!("{element:?}"),
            });
        }
        let op = TwoPhaseSetOp::Remove(element);
        self.apply(&op);
        Ok(op)
    }

    /// Whether `element` is in the set: added and not removed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// set.add('a');
    /// assert!(set.contains(&'a') && !set.contains(&'b'));
    /// ```
    pub fn contains(&self, element: &T) -> bool {
        self.added.contains(element) && !self.removed.contains(element)
    }

    /// Whether `element` has a tombstone, and so can never be in the set again.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// set.add('a');
    /// set.remove('a')?;
    /// assert!(set.was_removed(&'a'));
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn was_removed(&self, element: &T) -> bool {
        self.removed.contains(element)
    }

    /// The elements in the set, in increasing order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// set.add(2);
    /// set.add(1);
    /// set.remove(2)?;
    /// assert_eq!(set.iter().collect::<Vec<_>>(), [&1]);
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.added.iter().filter(|e| !self.removed.contains(*e))
    }

    /// The number of elements in the set.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// set.add(1);
    /// set.add(2);
    /// set.remove(1)?;
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether no element is in the set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::TwoPhaseSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many tombstones the state carries.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TwoPhaseSet;
    ///
    /// let mut set = TwoPhaseSet::new();
    /// for n in 0..5 {
    ///     set.add(n);
    ///     set.remove(n)?;
    /// }
    /// assert_eq!((set.len(), set.tombstones()), (0, 5));
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn tombstones(&self) -> usize {
        self.removed.len()
    }
}

impl<T: Ord + Clone + Debug> Crdt for TwoPhaseSet<T> {
    fn merge(&mut self, other: &TwoPhaseSet<T>) {
        self.added.extend(other.added.iter().cloned());
        self.removed.extend(other.removed.iter().cloned());
    }

    fn size_in_bytes(&self) -> usize {
        (self.added.len() + self.removed.len()) * size_of::<T>()
    }
}

impl<T: Ord + Clone + Debug> OperationBased for TwoPhaseSet<T> {
    type Op = TwoPhaseSetOp<T>;

    fn apply(&mut self, op: &TwoPhaseSetOp<T>) {
        match op {
            TwoPhaseSetOp::Add(element) => self.added.insert(element.clone()),
            TwoPhaseSetOp::Remove(element) => self.removed.insert(element.clone()),
        };
    }
}
