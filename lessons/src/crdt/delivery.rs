//! The same set changes delivered in many orders, with duplicates: as OR-Set operations and as
//! plain "add x" / "remove x" messages.

use serde::Serialize;

use super::error::CrdtError;
use super::lattice::{Crdt, OperationBased};
use super::or_set::OrSet;
use crate::sim::Rng;

/// One change to a set of small items, kept two ways: the OR-Set operation (a delta) it
/// returned, and the plain message it would be without CRDT metadata.
///
/// # Examples
///
/// ```
/// use lessons::crdt::random_set_changes;
///
/// let changes = random_set_changes(5);
/// assert_eq!(changes.len(), 30);
/// assert!(changes.iter().all(|change| change.item < 5));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SetChange {
    /// The OR-Set operation the change returned.
    pub operation: OrSet<u8>,
    /// Whether it was an add (otherwise a remove).
    pub is_add: bool,
    /// The item added or removed.
    pub item: u8,
}

/// Three replicas make 30 random changes (60% adds) to a set of five items (0 to 4), merging
/// another replica's state first one time in five.
///
/// # Examples
///
/// ```
/// use lessons::crdt::random_set_changes;
///
/// assert_eq!(random_set_changes(5), random_set_changes(5));
/// ```
pub fn random_set_changes(seed: u64) -> Vec<SetChange> {
    let mut rng = Rng::new(seed);
    let mut replicas = vec![OrSet::new(); 3];
    let mut changes = Vec::new();
    for _ in 0..30 {
        let replica = rng.below(3) as usize;
        let item = rng.below(5) as u8;
        if rng.chance(0.2) {
            let other = replicas[rng.below(3) as usize].clone();
            replicas[replica].merge(&other);
        }
        let (operation, is_add) = if rng.chance(0.6) {
            (replicas[replica].add(replica, item), true)
        } else {
            (replicas[replica].remove(&item), false)
        };
        changes.push(SetChange {
            operation,
            is_add,
            item,
        });
    }
    changes
}

/// The distinct final sets the receivers of [`deliver_in_random_orders`] end with, each sorted.
/// It lets you test the claim "convergence for any delivery order": one entry means every
/// order gave the same set.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{deliver_in_random_orders, random_set_changes};
///
/// let outcomes = deliver_in_random_orders(&random_set_changes(5), 200, 0.25, 6)?;
/// assert_eq!(outcomes.or_set, [vec![0, 2, 3, 4]]);
/// assert_eq!(outcomes.plain_set.len(), 16);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryOutcomes {
    /// The distinct states of receivers that apply the OR-Set operations.
    pub or_set: Vec<Vec<u8>>,
    /// The distinct states of receivers that apply "add x" / "remove x" in arrival order.
    pub plain_set: Vec<Vec<u8>>,
}

/// Delivers all of `changes` to each of `receivers` in its own random order, each change also
/// delivered a second time with probability `duplication`.
///
/// # Errors
///
/// [`CrdtError::Parameter`] for `duplication` outside 0 to 1.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{deliver_in_random_orders, random_set_changes};
///
/// let once_each = deliver_in_random_orders(&random_set_changes(1), 50, 0.0, 2)?;
/// assert_eq!(once_each.or_set.len(), 1);
/// assert!(deliver_in_random_orders(&[], 1, 1.5, 2).is_err());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn deliver_in_random_orders(
    changes: &[SetChange],
    receivers: usize,
    duplication: f64,
    seed: u64,
) -> Result<DeliveryOutcomes, CrdtError> {
    if !(0.0..=1.0).contains(&duplication) {
        return Err(CrdtError::parameter(
            "duplication",
            duplication,
            "a probability from 0 to 1",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut outcomes = DeliveryOutcomes {
        or_set: Vec::new(),
        plain_set: Vec::new(),
    };
    for _ in 0..receivers {
        let mut delivery: Vec<&SetChange> = changes.iter().collect();
        for change in changes {
            if rng.chance(duplication) {
                delivery.push(change);
            }
        }
        rng.shuffle(&mut delivery);
        let mut receiver = OrSet::new();
        let mut plain: Vec<u8> = Vec::new();
        for change in delivery {
            receiver.apply(&change.operation);
            plain.retain(|x| *x != change.item);
            if change.is_add {
                plain.push(change.item);
            }
        }
        plain.sort_unstable();
        let state: Vec<u8> = receiver.iter().copied().collect();
        if !outcomes.or_set.contains(&state) {
            outcomes.or_set.push(state);
        }
        if !outcomes.plain_set.contains(&plain) {
            outcomes.plain_set.push(plain);
        }
    }
    Ok(outcomes)
}
