//! What the metadata of a CRDT costs as operations, removes and replicas grow.

use std::collections::BTreeSet;
use std::mem::size_of;

use serde::Serialize;

use super::error::{CrdtError, check_probability, check_range};
use super::lattice::{Crdt, WORD};
use super::or_set::OrSet;
use super::pncounter::PNCounter;
use super::two_phase_set::TwoPhaseSet;
use crate::clocks::Dot;
use crate::sim::Rng;

/// What [`metadata_experiment`] simulates: `replicas` replicas of a set of `u64` items (from a
/// catalogue of `catalog`) and of a counter of its size. Each of `operations` operations happens
/// on a random replica: a remove of one of its items with probability `remove_fraction`, an add
/// of a random catalogue item otherwise (the counter goes up or down with it). Every
/// `sync_every` operations all replicas exchange states. `samples` rows are taken at equal
/// steps.
///
/// # Examples
///
/// ```
/// use lessons::crdt::MetadataParameters;
///
/// assert_eq!(MetadataParameters::default().operations, 10_000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetadataParameters {
    /// How many replicas (1 to 64).
    pub replicas: usize,
    /// How many operations (1 to 100,000).
    pub operations: u64,
    /// The chance that an operation is a remove (when the replica has an item to remove).
    pub remove_fraction: f64,
    /// How many different items exist (1 to 1,000,000).
    pub catalog: u64,
    /// Operations between two exchanges of state (1 to 100,000).
    pub sync_every: u64,
    /// How many rows to return (1 to 100).
    pub samples: u64,
}

impl Default for MetadataParameters {
    /// 4 replicas, 10,000 operations, 40% removes, 1,000 items, a sync every 10 operations,
    /// 20 rows.
    fn default() -> Self {
        MetadataParameters {
            replicas: 4,
            operations: 10_000,
            remove_fraction: 0.4,
            catalog: 1_000,
            sync_every: 10,
            samples: 20,
        }
    }
}

/// One row of [`metadata_experiment`]: state sizes in bytes (see
/// [`Crdt::size_in_bytes`]) after `operations` operations, once all replicas have synced.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{MetadataParameters, metadata_experiment};
///
/// let rows = metadata_experiment(&MetadataParameters::default(), 1)?;
/// let last = rows.last().unwrap();
/// assert!(last.two_phase_set_bytes > last.or_set_bytes);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetadataRow {
    /// Replicas in the run.
    pub replicas: usize,
    /// Operations so far.
    pub operations: u64,
    /// Removes so far.
    pub removes: u64,
    /// Items in the OR-Set.
    pub items: usize,
    /// The bytes the items themselves take, 8 per item: the payload, without metadata.
    pub payload_bytes: usize,
    /// The 2P-Set: every item ever added, and a tombstone per item ever removed.
    pub two_phase_set_bytes: usize,
    /// The OR-Set without tombstones: a dot per live add and a version vector.
    pub or_set_bytes: usize,
    /// The textbook OR-Set that keeps each removed (item, dot) pair as a tombstone.
    pub or_set_with_tombstones_bytes: usize,
    /// The PN-Counter of the set's size: two entries per replica.
    pub pn_counter_bytes: usize,
}

/// Runs the operations (see [`MetadataParameters`]) and measures the states.
///
/// # Errors
///
/// [`CrdtError::Parameter`] for parameters outside the ranges of [`MetadataParameters`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{MetadataParameters, metadata_experiment};
///
/// let parameters = MetadataParameters { replicas: 8, operations: 800, samples: 1, ..Default::default() };
/// let row = &metadata_experiment(&parameters, 1)?[0];
/// assert_eq!(row.pn_counter_bytes, 8 * 2 * 16);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn metadata_experiment(
    parameters: &MetadataParameters,
    seed: u64,
) -> Result<Vec<MetadataRow>, CrdtError> {
    check_range(
        "replicas",
        parameters.replicas as u64,
        1,
        64,
        "1 to 64 replicas",
    )?;
    check_range(
        "operations",
        parameters.operations,
        1,
        100_000,
        "1 to 100,000 operations",
    )?;
    check_probability("remove_fraction", parameters.remove_fraction)?;
    check_range(
        "catalog",
        parameters.catalog,
        1,
        1_000_000,
        "1 to 1,000,000 items",
    )?;
    check_range(
        "sync_every",
        parameters.sync_every,
        1,
        100_000,
        "1 to 100,000 operations",
    )?;
    check_range("samples", parameters.samples, 1, 100, "1 to 100 rows")?;
    let mut rng = Rng::new(seed);
    // A replica that has not changed since the last exchange holds the shared state; only the
    // replicas that changed keep a state of their own, which the next exchange folds in.
    let mut shared = Replica::default();
    let mut changed: Vec<Option<Replica>> = vec![None; parameters.replicas];
    let mut removed_dots: BTreeSet<(u64, Dot)> = BTreeSet::new();
    let mut removes = 0;
    let mut rows = Vec::new();
    let step = (parameters.operations / parameters.samples).max(1);
    for operation in 1..=parameters.operations {
        let id = rng.below(parameters.replicas as u64) as usize;
        let replica = changed[id].get_or_insert_with(|| shared.clone());
        let items: Vec<u64> = replica.or_set.iter().copied().collect();
        match rng.pick(&items) {
            Some(&item) if rng.chance(parameters.remove_fraction) => {
                removes += 1;
                for dot in replica.or_set.dots_of(&item) {
                    removed_dots.insert((item, *dot));
                }
                replica.or_set.remove(&item);
                let _ = replica.two_phase.remove(item);
                replica.counter.decrement(id);
            }
            _ => {
                let item = rng.below(parameters.catalog);
                replica.or_set.add(id, item);
                replica.two_phase.add(item);
                replica.counter.increment(id);
            }
        }
        if operation % parameters.sync_every == 0 || operation == parameters.operations {
            for replica in changed.iter_mut().filter_map(Option::take) {
                shared.merge(&replica);
            }
        }
        if operation % step == 0 && (rows.len() as u64) < parameters.samples {
            let mut all = shared.clone();
            for replica in changed.iter().flatten() {
                all.merge(replica);
            }
            let or_set_bytes = all.or_set.size_in_bytes();
            rows.push(MetadataRow {
                replicas: parameters.replicas,
                operations: operation,
                removes,
                items: all.or_set.len(),
                payload_bytes: all.or_set.len() * size_of::<u64>(),
                two_phase_set_bytes: all.two_phase.size_in_bytes(),
                or_set_bytes,
                or_set_with_tombstones_bytes: or_set_bytes
                    + removed_dots.len() * (size_of::<u64>() + 2 * WORD),
                pn_counter_bytes: all.counter.size_in_bytes(),
            });
        }
    }
    Ok(rows)
}

/// One replica's three states.
#[derive(Debug, Clone, Default)]
struct Replica {
    two_phase: TwoPhaseSet<u64>,
    or_set: OrSet<u64>,
    counter: PNCounter,
}

impl Replica {
    fn merge(&mut self, other: &Replica) {
        self.two_phase.merge(&other.two_phase);
        self.or_set.merge(&other.or_set);
        self.counter.merge(&other.counter);
    }
}
