//! A causal context: the set of dots (replica, counter) a replica has seen, kept compact.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::clocks::{Dot, VectorClock};
use crate::sim::NodeId;

/// The set of [`Dot`]s a replica has seen, stored as a version vector of the gap-free prefix of
/// each replica's dots plus a *cloud* of dots seen out of order.
///
/// The observed-remove set and the multi-value register need to know exactly which writes a
/// state has seen: a write it has seen and no longer holds was removed or overwritten; a write
/// it has not seen is new. Most of the time every replica's dots are seen without gaps and the
/// context is a vector clock; a dot that arrives before its predecessors waits in the cloud
/// until the gap closes. The representation is unique (a dot is in the cloud only if it is not
/// next in line), so equal sets are equal values.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Dot;
/// use lessons::crdt::CausalContext;
///
/// let mut seen = CausalContext::new();
/// seen.insert(Dot { node: 0, counter: 2 }); // out of order: waits in the cloud
/// assert!(!seen.contains(Dot { node: 0, counter: 1 }));
/// seen.insert(Dot { node: 0, counter: 1 }); // the gap closes
/// assert_eq!(seen.clock().get(0), 2);
/// assert_eq!(seen.cloud_len(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct CausalContext {
    clock: VectorClock,
    cloud: BTreeSet<Dot>,
}

impl CausalContext {
    /// An empty context: no dot seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// assert!(!CausalContext::new().contains(Dot { node: 0, counter: 1 }));
    /// ```
    pub fn new() -> CausalContext {
        CausalContext::default()
    }

    /// Whether `dot` has been seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut seen = CausalContext::new();
    /// seen.insert(Dot { node: 1, counter: 1 });
    /// assert!(seen.contains(Dot { node: 1, counter: 1 }));
    /// ```
    pub fn contains(&self, dot: Dot) -> bool {
        dot.counter <= self.clock.get(dot.node) || self.cloud.contains(&dot)
    }

    /// Records `dot` as seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut seen = CausalContext::new();
    /// seen.insert(Dot { node: 1, counter: 1 });
    /// assert_eq!(seen.clock().get(1), 1);
    /// ```
    pub fn insert(&mut self, dot: Dot) {
        if dot.counter == 0 || self.contains(dot) {
            return;
        }
        if dot.counter == self.clock.get(dot.node) + 1 {
            self.clock.apply(dot);
            self.absorb(dot.node);
        } else {
            self.cloud.insert(dot);
        }
    }

    /// The dot of `replica`'s next write: one past the largest of its dots seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut seen = CausalContext::new();
    /// seen.insert(Dot { node: 2, counter: 1 });
    /// assert_eq!(seen.next_dot(2), Dot { node: 2, counter: 2 });
    /// ```
    pub fn next_dot(&self, replica: NodeId) -> Dot {
        let in_cloud = self
            .cloud
            .range(
                Dot {
                    node: replica,
                    counter: 0,
                }..=Dot {
                    node: replica,
                    counter: u64::MAX,
                },
            )
            .next_back()
            .map_or(0, |dot| dot.counter);
        Dot {
            node: replica,
            counter: self.clock.get(replica).max(in_cloud).saturating_add(1),
        }
    }

    /// Adds every dot `other` has seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut a = CausalContext::new();
    /// a.insert(Dot { node: 0, counter: 1 });
    /// let mut b = CausalContext::new();
    /// b.insert(Dot { node: 1, counter: 1 });
    /// a.merge(&b);
    /// assert_eq!(a.clock().to_dense(2), [1, 1]);
    /// ```
    pub fn merge(&mut self, other: &CausalContext) {
        self.clock.merge(&other.clock);
        if self.cloud.is_empty() && other.cloud.is_empty() {
            return;
        }
        self.cloud.extend(other.cloud.iter().copied());
        self.compact();
    }

    /// The gap-free part, as a version vector.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut seen = CausalContext::new();
    /// seen.insert(Dot { node: 0, counter: 1 });
    /// seen.insert(Dot { node: 0, counter: 3 });
    /// assert_eq!(seen.clock().get(0), 1);
    /// ```
    pub fn clock(&self) -> &VectorClock {
        &self.clock
    }

    /// How many dots wait in the cloud (seen while an earlier dot of their replica was not).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut seen = CausalContext::new();
    /// seen.insert(Dot { node: 0, counter: 3 });
    /// assert_eq!(seen.cloud_len(), 1);
    /// ```
    pub fn cloud_len(&self) -> usize {
        self.cloud.len()
    }

    /// Bytes on the wire: 16 per version-vector entry and per cloud dot.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Dot;
    /// use lessons::crdt::CausalContext;
    ///
    /// let mut seen = CausalContext::new();
    /// seen.insert(Dot { node: 0, counter: 1 });
    /// seen.insert(Dot { node: 4, counter: 9 });
    /// assert_eq!(seen.size_in_bytes(), 32);
    /// ```
    pub fn size_in_bytes(&self) -> usize {
        self.clock.size_in_bytes() + self.cloud.len() * 2 * super::lattice::WORD
    }

    /// The dots seen out of order, sorted.
    pub(crate) fn cloud(&self) -> impl Iterator<Item = &Dot> + '_ {
        self.cloud.iter()
    }

    /// Moves the cloud dots of `node` that now follow the prefix into it.
    fn absorb(&mut self, node: NodeId) {
        loop {
            let next = self.clock.next_dot(node);
            if !self.cloud.remove(&next) {
                return;
            }
            self.clock.apply(next);
        }
    }

    /// Drops cloud dots covered by the prefix and absorbs those that follow it. The cloud is
    /// sorted by (node, counter), so one pass suffices.
    fn compact(&mut self) {
        let cloud = std::mem::take(&mut self.cloud);
        for dot in cloud {
            let known = self.clock.get(dot.node);
            if dot.counter == known + 1 {
                self.clock.apply(dot);
            } else if dot.counter > known {
                self.cloud.insert(dot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(node: NodeId, counter: u64) -> Dot {
        Dot { node, counter }
    }

    #[test]
    fn the_same_set_inserted_in_any_order_is_the_same_value() {
        let dots = [
            dot(0, 3),
            dot(0, 1),
            dot(1, 2),
            dot(0, 2),
            dot(1, 1),
            dot(0, 5),
        ];
        let mut forward = CausalContext::new();
        dots.iter().for_each(|d| forward.insert(*d));
        let mut backward = CausalContext::new();
        dots.iter().rev().for_each(|d| backward.insert(*d));
        assert_eq!(forward, backward);
        assert_eq!(forward.clock().to_dense(2), [3, 2]);
        assert_eq!(forward.cloud_len(), 1);
    }

    #[test]
    fn merging_closes_gaps_across_contexts() {
        let mut a = CausalContext::new();
        a.insert(dot(0, 2));
        a.insert(dot(0, 4));
        let mut b = CausalContext::new();
        b.insert(dot(0, 1));
        b.insert(dot(0, 3));
        a.merge(&b);
        assert_eq!((a.clock().get(0), a.cloud_len()), (4, 0));
    }
}
