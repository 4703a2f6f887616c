//! The observed-remove set, add-wins: a remove takes out only the adds it has seen.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::mem::size_of;

use serde::Serialize;

use super::context::CausalContext;
use super::lattice::{Crdt, OperationBased, WORD};
use crate::clocks::Dot;
use crate::sim::NodeId;

/// An observed-remove set (OR-Set) with add-wins semantics, in the optimised form without
/// tombstones (Bieniusa et al. 2012; `crdts::Orswot` is the same design).
///
/// Every add is tagged with a fresh [`Dot`]; an element is in the set while at least one of its
/// dots is. A remove deletes the dots of the element that the remover has *observed*, nothing
/// else. So:
///
/// * an add concurrent with a remove survives it (its dot was not observed): **add wins**;
/// * a remove that observed every add of an element takes it out everywhere, for good;
/// * an element can be removed and added again, any number of times (unlike
///   [`TwoPhaseSet`](super::TwoPhaseSet)).
///
/// Removed dots leave no tombstone: the state's [`CausalContext`] remembers which dots were
/// seen, and a dot that was seen and is gone was removed. The metadata is one dot per live add
/// plus a version vector with one entry per replica.
///
/// Updates return their operation as a small OR-Set (a *delta*); applying one is a merge.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, OrSet};
///
/// let mut a = OrSet::new();
/// a.add(0, "milk");
/// let mut b = a.clone();
/// b.remove(&"milk"); // B removes the milk it saw ...
/// a.add(0, "milk"); // ... while A adds milk again
/// a.merge(&b);
/// assert!(a.contains(&"milk")); // the unseen add wins
/// b.merge(&a);
/// assert_eq!(a, b);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct OrSet<T: Ord> {
    /// Each present element with its live dots, sorted; never an empty list.
    entries: BTreeMap<T, Vec<Dot>>,
    context: CausalContext,
}

impl<T: Ord> Default for OrSet<T> {
    fn default() -> Self {
        OrSet {
            entries: BTreeMap::new(),
            context: CausalContext::new(),
        }
    }
}

impl<T: Ord + Clone + Debug> OrSet<T> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::OrSet::<u8>::new().is_empty());
    /// ```
    pub fn new() -> OrSet<T> {
        OrSet::default()
    }

    /// Adds `element` on replica `replica` with a fresh dot (replacing the dots of it this
    /// replica holds); returns the operation (a delta) to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{OperationBased, OrSet};
    ///
    /// let mut a = OrSet::new();
    /// let op = a.add(0, 'x');
    /// let mut b = OrSet::new();
    /// b.apply(&op);
    /// assert!(b.contains(&'x'));
    /// ```
    pub fn add(&mut self, replica: NodeId, element: T) -> OrSet<T> {
        let dot = self.context.next_dot(replica);
        let mut delta = self.observed(&element);
        delta.context.insert(dot);
        delta.entries.insert(element, vec![dot]);
        self.merge(&delta);
        delta
    }

    /// Removes the adds of `element` this replica has observed; returns the operation (a delta)
    /// to send. Removing an absent element does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::OrSet;
    ///
    /// let mut set = OrSet::new();
    /// set.add(0, 'x');
    /// set.remove(&'x');
    /// assert!(!set.contains(&'x'));
    /// set.add(1, 'x'); // can come back
    /// assert!(set.contains(&'x'));
    /// ```
    pub fn remove(&mut self, element: &T) -> OrSet<T> {
        let delta = self.observed(element);
        self.merge(&delta);
        delta
    }

    /// Whether `element` is in the set.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::OrSet;
    ///
    /// let mut set = OrSet::new();
    /// set.add(0, 1);
    /// assert!(set.contains(&1) && !set.contains(&2));
    /// ```
    pub fn contains(&self, element: &T) -> bool {
        self.entries.contains_key(element)
    }

    /// The elements, in increasing order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::OrSet;
    ///
    /// let mut set = OrSet::new();
    /// set.add(0, 2);
    /// set.add(1, 1);
    /// assert_eq!(set.iter().collect::<Vec<_>>(), [&1, &2]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.entries.keys()
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::OrSet;
    ///
    /// let mut set = OrSet::new();
    /// set.add(0, 'a');
    /// set.add(1, 'a');
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::OrSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The live dots of `element`: one per add not yet removed (several after concurrent adds).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{Crdt, OrSet};
    ///
    /// let mut a = OrSet::new();
    /// a.add(0, 'x');
    /// let mut b = OrSet::new();
    /// b.add(1, 'x');
    /// a.merge(&b);
    /// assert_eq!(a.dots_of(&'x').len(), 2);
    /// ```
    pub fn dots_of(&self, element: &T) -> &[Dot] {
        self.entries.get(element).map_or(&[], Vec::as_slice)
    }

    /// How many dots the state holds for present elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::OrSet;
    ///
    /// let mut set = OrSet::new();
    /// set.add(0, 'x');
    /// set.add(0, 'y');
    /// assert_eq!(set.dot_count(), 2);
    /// ```
    pub fn dot_count(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    /// The dots this state has seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::OrSet;
    ///
    /// let mut set = OrSet::new();
    /// set.add(3, 'x');
    /// assert_eq!(set.context().clock().get(3), 1);
    /// ```
    pub fn context(&self) -> &CausalContext {
        &self.context
    }

    /// A delta that removes the dots of `element` held here: no entries, and those dots as its
    /// context.
    fn observed(&self, element: &T) -> OrSet<T> {
        let mut delta = OrSet::new();
        for dot in self.dots_of(element) {
            delta.context.insert(*dot);
        }
        delta
    }
}

impl<T: Ord + Clone + Debug> Crdt for OrSet<T> {
    fn merge(&mut self, other: &OrSet<T>) {
        let (mine, theirs) = (&self.context, &other.context);
        self.entries.retain(|element, dots| {
            let their_dots = other.entries.get(element).map_or(&[][..], Vec::as_slice);
            dots.retain(|dot| their_dots.binary_search(dot).is_ok() || !theirs.contains(*dot));
            for dot in their_dots {
                if !mine.contains(*dot) {
                    dots.push(*dot);
                }
            }
            dots.sort_unstable();
            !dots.is_empty()
        });
        for (element, their_dots) in &other.entries {
            if self.entries.contains_key(element) {
                continue;
            }
            let new: Vec<Dot> = their_dots
                .iter()
                .copied()
                .filter(|dot| !mine.contains(*dot))
                .collect();
            if !new.is_empty() {
                self.entries.insert(element.clone(), new);
            }
        }
        self.context.merge(&other.context);
    }

    fn size_in_bytes(&self) -> usize {
        self.entries.len() * size_of::<T>()
            + self.dot_count() * 2 * WORD
            + self.context.size_in_bytes()
    }
}

impl<T: Ord + Clone + Debug> OperationBased for OrSet<T> {
    type Op = OrSet<T>;

    fn apply(&mut self, op: &OrSet<T>) {
        self.merge(op);
    }
}
