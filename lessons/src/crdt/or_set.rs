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
    /// The element each live dot belongs to: an index over `entries`, so that a small delta
    /// is applied without visiting every element.
    #[serde(skip)]
    owners: BTreeMap<Dot, T>,
}

impl<T: Ord> Default for OrSet<T> {
    fn default() -> Self {
        OrSet {
            entries: BTreeMap::new(),
            context: CausalContext::new(),
            owners: BTreeMap::new(),
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
        delta.owners.insert(dot, element.clone());
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

impl<T: Ord + Clone + Debug> OrSet<T> {
    /// Drops the dots of `element` listed in `gone` (sorted), and the element if none is left.
    fn drop_dots(&mut self, element: &T, gone: &[Dot]) {
        if let Some(dots) = self.entries.get_mut(element) {
            dots.retain(|dot| gone.binary_search(dot).is_err());
            if dots.is_empty() {
                self.entries.remove(element);
            }
        }
        for dot in gone {
            self.owners.remove(dot);
        }
    }
}

impl<T: Ord + Clone + Debug> Crdt for OrSet<T> {
    fn merge(&mut self, other: &OrSet<T>) {
        // 1. Drop the dots `other` has seen and no longer holds: removed there. A delta's
        //    context is a handful of dots (no version vector), found through the index;
        //    otherwise every dot here is checked.
        let kept_there = |element: &T, dot: &Dot| {
            other
                .entries
                .get(element)
                .is_some_and(|dots| dots.binary_search(dot).is_ok())
        };
        let mut gone: Vec<(T, Dot)> = Vec::new();
        if other.context.clock().is_empty() {
            for dot in other.context.cloud() {
                if let Some(element) = self.owners.get(dot)
                    && !kept_there(element, dot)
                {
                    gone.push((element.clone(), *dot));
                }
            }
        } else {
            for (element, dots) in &self.entries {
                for dot in dots {
                    if other.context.contains(*dot) && !kept_there(element, dot) {
                        gone.push((element.clone(), *dot));
                    }
                }
            }
        }
        gone.sort_unstable();
        let mut start = 0;
        while start < gone.len() {
            let end = start + gone[start..].partition_point(|(e, _)| *e == gone[start].0);
            let dots: Vec<Dot> = gone[start..end].iter().map(|(_, dot)| *dot).collect();
            let element = gone[start].0.clone();
            self.drop_dots(&element, &dots);
            start = end;
        }
        // 2. Take the dots `other` holds that this state has never seen: new adds.
        for (element, their_dots) in &other.entries {
            for dot in their_dots {
                if self.context.contains(*dot) {
                    continue;
                }
                let dots = self.entries.entry(element.clone()).or_default();
                if let Err(position) = dots.binary_search(dot) {
                    dots.insert(position, *dot);
                }
                self.owners.insert(*dot, element.clone());
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
