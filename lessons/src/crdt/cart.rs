//! A shopping cart kept two ways: Dynamo's siblings merged by union, and an observed-remove set.

use std::collections::BTreeSet;

use serde::Serialize;

use super::error::{CrdtError, check_probability, check_range};
use super::lattice::Crdt;
use super::mv_register::MvRegister;
use super::or_set::OrSet;
use crate::sim::{NodeId, Rng};

/// What [`cart_experiment`] simulates.
///
/// Each of `trials` trials starts from two replicas holding the same cart of `initial_items`
/// items drawn from a catalogue of `catalog` items. Replica A makes one change, then replica B
/// makes one: with probability `concurrency` B has not seen A's change (the two are concurrent),
/// otherwise it has. A change removes an item of the cart with probability
/// `remove_probability`, and otherwise adds an item of the catalogue. Then the replicas merge.
///
/// # Examples
///
/// ```
/// use lessons::crdt::CartParameters;
///
/// assert_eq!(CartParameters::default().trials, 1_000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CartParameters {
    /// How many trials (1 to 100,000).
    pub trials: u64,
    /// How many different items can be in a cart (2 to 1,000).
    pub catalog: u64,
    /// Items in the cart at the start of a trial (1 to `catalog`).
    pub initial_items: u64,
    /// The chance that B's change is concurrent with A's.
    pub concurrency: f64,
    /// The chance that a change is a remove.
    pub remove_probability: f64,
}

impl Default for CartParameters {
    /// 1,000 trials, 20 items in the catalogue, 3 in the cart, concurrency 0.5, half the
    /// changes removes.
    fn default() -> Self {
        CartParameters {
            trials: 1_000,
            catalog: 20,
            initial_items: 3,
            concurrency: 0.5,
            remove_probability: 0.5,
        }
    }
}

/// One row of [`cart_experiment`]. An item is *resurrected* when it is in the merged cart
/// although a remove took it out and no add put it back (neither after the remove nor
/// concurrently with it, where the OR-Set lets the add win); an item is *lost* when an add
/// that no remove observed is missing.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CartParameters, cart_experiment};
///
/// let row = cart_experiment(&CartParameters::default(), 1)?;
/// assert_eq!((row.or_set_resurrected, row.or_set_lost, row.union_lost), (0, 0, 0));
/// assert!(row.union_resurrected > 0);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CartRow {
    /// The concurrency probability.
    pub concurrency: f64,
    /// Trials run.
    pub trials: u64,
    /// Trials in which B's change was concurrent with A's.
    pub concurrent_trials: u64,
    /// Remove changes made.
    pub removes: u64,
    /// Items resurrected by the union of siblings.
    pub union_resurrected: u64,
    /// Items lost by the union of siblings.
    pub union_lost: u64,
    /// Items resurrected by the OR-Set.
    pub or_set_resurrected: u64,
    /// Items lost by the OR-Set.
    pub or_set_lost: u64,
    /// Resurrected items per remove, union of siblings.
    pub union_resurrection_rate: f64,
    /// Resurrected items per remove, OR-Set.
    pub or_set_resurrection_rate: f64,
}

/// One change to a cart.
#[derive(Debug, Clone, Copy)]
enum Change {
    Add(u64),
    Remove(u64),
}

/// One replica's cart, both ways.
#[derive(Debug, Clone)]
struct Replica {
    siblings: MvRegister<BTreeSet<u64>>,
    or_set: OrSet<u64>,
}

impl Replica {
    /// The cart as the union-of-siblings client reads it.
    fn union(&self) -> BTreeSet<u64> {
        self.siblings
            .values()
            .into_iter()
            .flatten()
            .copied()
            .collect()
    }

    fn change(&mut self, me: NodeId, change: Change) {
        let mut cart = self.union();
        match change {
            Change::Add(item) => {
                cart.insert(item);
                self.or_set.add(me, item);
            }
            Change::Remove(item) => {
                cart.remove(&item);
                self.or_set.remove(&item);
            }
        }
        self.siblings.set(me, cart);
    }

    fn merge(&mut self, other: &Replica) {
        self.siblings.merge(&other.siblings);
        self.or_set.merge(&other.or_set);
    }

    /// A random change against what this replica sees (the two views agree: the same items).
    fn pick(&self, parameters: &CartParameters, rng: &mut Rng) -> Change {
        let items: Vec<u64> = self.or_set.iter().copied().collect();
        match rng.pick(&items) {
            Some(&item) if rng.chance(parameters.remove_probability) => Change::Remove(item),
            _ => Change::Add(rng.below(parameters.catalog)),
        }
    }
}

/// What the cart should hold after the changes, by the observed-remove rule: an add survives
/// unless a remove saw it.
fn expected(start: &BTreeSet<u64>, changes: &[Change], concurrent: bool) -> BTreeSet<u64> {
    let mut cart = start.clone();
    if concurrent {
        let removed: Vec<u64> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Remove(item) => Some(*item),
                Change::Add(_) => None,
            })
            .collect();
        cart.retain(|item| !removed.contains(item));
        for change in changes {
            if let Change::Add(item) = change {
                cart.insert(*item);
            }
        }
    } else {
        for change in changes {
            match change {
                Change::Add(item) => cart.insert(*item),
                Change::Remove(item) => cart.remove(item),
            };
        }
    }
    cart
}

/// Runs the cart trials (see [`CartParameters`]) and counts resurrected and lost items for both
/// carts.
///
/// # Errors
///
/// [`CrdtError::Parameter`] for parameters outside the ranges of [`CartParameters`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CartParameters, cart_experiment};
///
/// let never = CartParameters { concurrency: 0.0, ..CartParameters::default() };
/// assert_eq!(cart_experiment(&never, 1)?.union_resurrected, 0);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn cart_experiment(parameters: &CartParameters, seed: u64) -> Result<CartRow, CrdtError> {
    check_range(
        "trials",
        parameters.trials,
        1,
        100_000,
        "1 to 100,000 trials",
    )?;
    check_range("catalog", parameters.catalog, 2, 1_000, "2 to 1,000 items")?;
    check_range(
        "initial_items",
        parameters.initial_items,
        1,
        parameters.catalog,
        "1 to catalog items",
    )?;
    check_probability("concurrency", parameters.concurrency)?;
    check_probability("remove_probability", parameters.remove_probability)?;
    let mut rng = Rng::new(seed);
    let mut row = CartRow {
        concurrency: parameters.concurrency,
        trials: parameters.trials,
        concurrent_trials: 0,
        removes: 0,
        union_resurrected: 0,
        union_lost: 0,
        or_set_resurrected: 0,
        or_set_lost: 0,
        union_resurrection_rate: 0.0,
        or_set_resurrection_rate: 0.0,
    };
    for _ in 0..parameters.trials {
        let mut a = Replica {
            siblings: MvRegister::new(),
            or_set: OrSet::new(),
        };
        let mut start = BTreeSet::new();
        while (start.len() as u64) < parameters.initial_items {
            start.insert(rng.below(parameters.catalog));
        }
        for &item in &start {
            a.or_set.add(0, item);
        }
        a.siblings.set(0, start.clone());
        let mut b = a.clone();
        let concurrent = rng.chance(parameters.concurrency);
        let first = a.pick(parameters, &mut rng);
        a.change(0, first);
        if !concurrent {
            b.merge(&a);
        }
        let second = b.pick(parameters, &mut rng);
        b.change(1, second);
        a.merge(&b);
        let should_hold = expected(&start, &[first, second], concurrent);
        let union = a.union();
        let or_set: BTreeSet<u64> = a.or_set.iter().copied().collect();
        row.concurrent_trials += u64::from(concurrent);
        row.removes += [first, second]
            .iter()
            .filter(|c| matches!(c, Change::Remove(_)))
            .count() as u64;
        row.union_resurrected += union.difference(&should_hold).count() as u64;
        row.union_lost += should_hold.difference(&union).count() as u64;
        row.or_set_resurrected += or_set.difference(&should_hold).count() as u64;
        row.or_set_lost += should_hold.difference(&or_set).count() as u64;
    }
    let removes = row.removes.max(1) as f64;
    row.union_resurrection_rate = row.union_resurrected as f64 / removes;
    row.or_set_resurrection_rate = row.or_set_resurrected as f64 / removes;
    Ok(row)
}
