//! The grow-only set: elements can be added, never removed.

use std::collections::BTreeSet;
use std::mem::size_of;

use serde::Serialize;

use super::lattice::{Crdt, OperationBased};

/// A grow-only set (G-Set): [`add`](GSet::add) is its only update and merge is set union.
///
/// Union is commutative, associative and idempotent, so a G-Set is the simplest CRDT there is.
/// Its limit is in the name: nothing can be taken out, because a merge with any replica that
/// still holds the element would put it back.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{Crdt, GSet};
///
/// let mut a = GSet::new();
/// a.add("milk");
/// let mut b = GSet::new();
/// b.add("eggs");
/// a.merge(&b);
/// assert_eq!(a.iter().collect::<Vec<_>>(), [&"eggs", &"milk"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct GSet<T: Ord> {
    elements: BTreeSet<T>,
}

impl<T: Ord> Default for GSet<T> {
    fn default() -> Self {
        GSet {
            elements: BTreeSet::new(),
        }
    }
}

impl<T: Ord + Clone> GSet<T> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::GSet::<u32>::new().is_empty());
    /// ```
    pub fn new() -> GSet<T> {
        GSet::default()
    }

    /// Adds `element`; returns the operation to send (the element itself).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GSet;
    ///
    /// let mut set = GSet::new();
    /// assert_eq!(set.add(7), 7);
    /// assert!(set.contains(&7));
    /// ```
    pub fn add(&mut self, element: T) -> T {
        self.elements.insert(element.clone());
        element
    }

    /// Whether `element` is in the set.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GSet;
    ///
    /// let set: GSet<u32> = [1].into_iter().collect();
    /// assert!(set.contains(&1) && !set.contains(&2));
    /// ```
    pub fn contains(&self, element: &T) -> bool {
        self.elements.contains(element)
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GSet;
    ///
    /// let set: GSet<u32> = [1, 2, 2].into_iter().collect();
    /// assert_eq!(set.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// Whether the set is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GSet;
    ///
    /// assert!(GSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// The elements, in increasing order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::GSet;
    ///
    /// let set: GSet<u32> = [3, 1].into_iter().collect();
    /// assert_eq!(set.iter().copied().collect::<Vec<_>>(), [1, 3]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.elements.iter()
    }
}

impl<T: Ord + Clone> FromIterator<T> for GSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(elements: I) -> Self {
        GSet {
            elements: elements.into_iter().collect(),
        }
    }
}

impl<T: Ord + Clone + std::fmt::Debug> Crdt for GSet<T> {
    fn merge(&mut self, other: &GSet<T>) {
        for element in &other.elements {
            if !self.elements.contains(element) {
                self.elements.insert(element.clone());
            }
        }
    }

    fn size_in_bytes(&self) -> usize {
        self.elements.len() * size_of::<T>()
    }
}

impl<T: Ord + Clone + std::fmt::Debug> OperationBased for GSet<T> {
    type Op = T;

    fn apply(&mut self, op: &T) {
        if !self.elements.contains(op) {
            self.elements.insert(op.clone());
        }
    }
}
