//! What happens to a removed element in three set CRDTs, when a remove meets an add.

use super::lattice::Crdt;
use super::lww_register::LwwRegister;
use super::or_set::OrSet;
use super::two_phase_set::TwoPhaseSet;
use crate::sim::NodeId;

/// A two-replica script: replicas A (0) and B (1) start in sync holding "milk"; `remover`
/// removes it; then `adder`, if any, adds it again, after seeing the remove unless `concurrent`.
/// Each method runs the script on one kind of set and says whether the milk is there after the
/// two replicas merge. It lets you test which set lets a remove beat an add, and when.
///
/// # Examples
///
/// ```
/// use lessons::crdt::RemovalScript;
///
/// let concurrent = RemovalScript { remover: 0, adder: Some(1), concurrent: true };
/// assert!(!concurrent.two_phase_set_keeps_it());
/// assert!(concurrent.lww_element_set_keeps_it());
/// assert!(concurrent.or_set_keeps_it());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemovalScript {
    /// The replica that removes the milk (0 or 1).
    pub remover: NodeId,
    /// The replica that adds it afterwards, if any (0 or 1).
    pub adder: Option<NodeId>,
    /// Whether the add is made without seeing the remove.
    pub concurrent: bool,
}

impl RemovalScript {
    /// Runs the script with `remove` and `add` on two replicas of `initial` and returns the
    /// merged state. Replica indices other than 0 and 1 are read as 1.
    fn run<S: Crdt>(
        &self,
        initial: S,
        remove: impl Fn(&mut S, NodeId),
        add: impl Fn(&mut S, NodeId),
    ) -> S {
        let mut replicas = [initial.clone(), initial];
        let remover = self.remover.min(1);
        remove(&mut replicas[remover], remover);
        if let Some(adder) = self.adder.map(|adder| adder.min(1)) {
            if !self.concurrent {
                let removed = replicas[remover].clone();
                replicas[adder].merge(&removed);
            }
            add(&mut replicas[adder], adder);
        }
        replicas[0].merged(&replicas[1])
    }

    /// Whether a 2P-Set holds the milk at the end (its tombstone beats every add).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::RemovalScript;
    ///
    /// let re_add = RemovalScript { remover: 0, adder: Some(1), concurrent: false };
    /// assert!(!re_add.two_phase_set_keeps_it());
    /// ```
    pub fn two_phase_set_keeps_it(&self) -> bool {
        let mut initial = TwoPhaseSet::new();
        initial.add("milk");
        let end = self.run(
            initial,
            |set, _| {
                // A 2P-Set refuses only the remove of an element it never held; this one holds it.
                let _ = set.remove("milk");
            },
            |set, _| {
                set.add("milk");
            },
        );
        end.contains(&"milk")
    }

    /// Whether an LWW-element set (a last-writer-wins register of "is it in?") holds the milk
    /// at the end: the larger Lamport stamp wins, ties going to the higher replica id.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::RemovalScript;
    ///
    /// let b_removes = RemovalScript { remover: 1, adder: Some(0), concurrent: true };
    /// assert!(!b_removes.lww_element_set_keeps_it());
    /// ```
    pub fn lww_element_set_keeps_it(&self) -> bool {
        let mut initial = LwwRegister::new();
        initial.set(0, true);
        let end = self.run(
            initial,
            |register, me| {
                register.set(me, false);
            },
            |register, me| {
                register.set(me, true);
            },
        );
        end.value() == Some(&true)
    }

    /// Whether an OR-Set holds the milk at the end (an add the remover has not seen survives).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::RemovalScript;
    ///
    /// let only_remove = RemovalScript { remover: 0, adder: None, concurrent: false };
    /// assert!(!only_remove.or_set_keeps_it());
    /// ```
    pub fn or_set_keeps_it(&self) -> bool {
        let mut initial = OrSet::new();
        initial.add(0, "milk");
        let end = self.run(
            initial,
            |set, _| {
                set.remove(&"milk");
            },
            |set, me| {
                set.add(me, "milk");
            },
        );
        end.contains(&"milk")
    }
}
