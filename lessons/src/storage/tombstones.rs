//! A delete-heavy workload: what tombstones cost in space and reads until compaction carries
//! them to the last level.

use serde::Serialize;

use super::lsm::{Compaction, LsmTree};
use crate::sim::{Rng, SimError};
use crate::table::{Table, TableError};
use crate::viz::{Figure, groups};

/// A delete-heavy workload: `keys` keys written once each in random order, then `deletes` of
/// them deleted, then `later_writes` writes of new keys (the table keeps living).
///
/// # Examples
///
/// ```
/// use lessons::storage::DeleteHeavy;
///
/// let workload = DeleteHeavy::new(20_000, 18_000, 60_000);
/// assert_eq!(workload.operations(), 98_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteHeavy {
    /// Keys written first.
    pub keys: u64,
    /// How many of them are deleted next.
    pub deletes: u64,
    /// Writes of new keys after the deletes.
    pub later_writes: u64,
    /// Entries per memtable flush (1,000 from [`DeleteHeavy::new`]).
    pub memtable: usize,
}

impl DeleteHeavy {
    /// The workload with a 1,000-entry memtable.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::DeleteHeavy;
    ///
    /// assert_eq!(DeleteHeavy::new(10, 5, 0).memtable, 1_000);
    /// ```
    pub fn new(keys: u64, deletes: u64, later_writes: u64) -> DeleteHeavy {
        DeleteHeavy {
            keys,
            deletes,
            later_writes,
            memtable: 1_000,
        }
    }

    /// Writes and deletes in all.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::DeleteHeavy;
    ///
    /// assert_eq!(DeleteHeavy::new(10, 5, 1).operations(), 16);
    /// ```
    pub fn operations(&self) -> u64 {
        self.keys + self.deletes + self.later_writes
    }

    fn check(&self) -> Result<(), SimError> {
        if !(1..=500_000).contains(&self.keys) {
            return Err(SimError::parameter("keys", self.keys, "from 1 to 500,000"));
        }
        if self.deletes > self.keys {
            return Err(SimError::parameter(
                "deletes",
                self.deletes,
                format!("at most keys ({})", self.keys),
            ));
        }
        if self.later_writes > 1_000_000 {
            return Err(SimError::parameter(
                "later_writes",
                self.later_writes,
                "at most 1,000,000",
            ));
        }
        Ok(())
    }
}

/// The state of a tree after one memtable's worth of operations of a [`DeleteHeavy`] workload.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, DeleteHeavy, tombstone_experiment};
///
/// let rows = tombstone_experiment(&[Compaction::Leveled], 4, DeleteHeavy::new(5_000, 4_000, 0), 1)?;
/// let last = rows.last().unwrap();
/// assert_eq!((last.operations, last.live_keys), (9_000, 1_000));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TombstoneRow {
    /// The compaction strategy.
    pub compaction: String,
    /// Operations so far.
    pub operations: u64,
    /// Keys a reader sees.
    pub live_keys: usize,
    /// Entries held in runs: values, old versions, tombstones.
    pub stored_entries: usize,
    /// Tombstones held in runs.
    pub tombstones: usize,
    /// Stored entries per live key.
    pub space_amplification: f64,
    /// Mean runs read per lookup of a deleted key (with 10-bit Bloom filters): the run holding
    /// its tombstone passes the filter, so this stays near 1 until the tombstone is gone.
    pub deleted_key_reads: f64,
}

/// Each strategy (size ratio `ratio`, 10-bit Bloom filters on every run) given the workload;
/// one row per memtable's worth of operations, with 200 lookups of keys from the deleted set
/// (before their delete they are ordinary present keys).
///
/// # Errors
///
/// When `keys` is not in 1..=500,000, `deletes` exceeds `keys`, `later_writes` exceeds
/// 1,000,000, or the tree is refused by [`LsmTree::new`].
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, DeleteHeavy, tombstone_experiment};
///
/// assert!(tombstone_experiment(&[Compaction::Tiered], 4, DeleteHeavy::new(10, 11, 0), 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn tombstone_experiment(
    compactions: &[Compaction],
    ratio: usize,
    workload: DeleteHeavy,
    seed: u64,
) -> Result<Vec<TombstoneRow>, SimError> {
    workload.check()?;
    let mut order: Vec<u64> = (0..workload.keys).collect();
    Rng::derive(seed, &[14, 7]).shuffle(&mut order);
    let deleted = &order[..workload.deletes as usize];
    let mut probes = Rng::derive(seed, &[14, 8]);
    let probe_keys: Vec<u64> = if deleted.is_empty() {
        Vec::new()
    } else {
        (0..200)
            .map(|_| deleted[probes.below(deleted.len() as u64) as usize])
            .collect()
    };
    let fresh = workload.keys..workload.keys + workload.later_writes;
    let mut rows = Vec::new();
    for &compaction in compactions {
        let mut tree = LsmTree::new(workload.memtable, ratio, compaction, 10.0)?;
        let operations = order
            .iter()
            .map(|&key| (key, true))
            .chain(deleted.iter().map(|&key| (key, false)))
            .chain(fresh.clone().map(|key| (key, true)));
        // Every put writes a new key and every delete removes a live one, so a count suffices.
        let mut live_keys = 0;
        for (done, (key, is_put)) in operations.enumerate() {
            if is_put {
                tree.put(key, key);
                live_keys += 1;
            } else {
                tree.delete(key);
                live_keys -= 1;
            }
            let done = done as u64 + 1;
            if done.is_multiple_of(workload.memtable as u64) || done == workload.operations() {
                let row = snapshot(&tree, compaction, done, live_keys, &probe_keys);
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

fn snapshot(
    tree: &LsmTree,
    compaction: Compaction,
    operations: u64,
    live_keys: usize,
    probes: &[u64],
) -> TombstoneRow {
    let stored_entries = tree.stored_entries();
    let reads: u64 = probes.iter().map(|&key| tree.get(key).disk_reads).sum();
    TombstoneRow {
        compaction: compaction.name().to_string(),
        operations,
        live_keys,
        stored_entries,
        tombstones: tree.tombstone_count(),
        space_amplification: stored_entries as f64 / live_keys.max(1) as f64,
        deleted_key_reads: reads as f64 / probes.len().max(1) as f64,
    }
}

/// Space amplification and tombstones held (in thousands) against operations, per strategy,
/// from [`tombstone_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, DeleteHeavy, tombstone_experiment, tombstone_figure};
///
/// let rows = tombstone_experiment(&[Compaction::Tiered], 4, DeleteHeavy::new(5_000, 4_000, 2_000), 1)?;
/// assert!(tombstone_figure(&rows).to_svg()?.contains("size-tiered, space"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tombstone_figure(rows: &[TombstoneRow]) -> Figure {
    let mut figure = Figure::new("Tombstones and space after a mass delete")
        .x_label("operations (thousands)")
        .y_label("entries per live key; tombstones (thousands)");
    for compaction in groups(rows, |row| row.compaction.clone()) {
        let mine: Vec<&TombstoneRow> = rows.iter().filter(|r| r.compaction == compaction).collect();
        let at = |row: &TombstoneRow| row.operations as f64 / 1_000.0;
        figure = figure
            .line(
                format!("{compaction}, space amplification"),
                mine.iter().map(|row| (at(row), row.space_amplification)),
            )
            .line(
                format!("{compaction}, tombstones held"),
                mine.iter()
                    .map(|row| (at(row), row.tombstones as f64 / 1_000.0)),
            );
    }
    figure
}

/// One row per strategy from [`tombstone_experiment`]'s rows: the most entries per live key,
/// runs read per lookup of a deleted key right after the last delete, the operation after
/// which no tombstone is left, and the reads per deleted-key lookup at the end.
///
/// # Errors
///
/// Never in practice: every row has as many cells as the header.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, DeleteHeavy, tombstone_experiment, tombstone_table};
///
/// let workload = DeleteHeavy::new(5_000, 4_000, 0);
/// let rows = tombstone_experiment(&[Compaction::Tiered], 4, workload, 1)?;
/// assert_eq!(tombstone_table(&rows, workload)?.rows()[0][3], "never");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tombstone_table(rows: &[TombstoneRow], workload: DeleteHeavy) -> Result<Table, TableError> {
    let deleted_by = workload.keys + workload.deletes;
    let mut table = Table::new([
        "compaction",
        "most entries per live key",
        "reads per deleted-key lookup after the deletes",
        "last tombstone gone at operation",
        "reads per deleted-key lookup at the end",
    ]);
    for compaction in groups(rows, |row| row.compaction.clone()) {
        let mine: Vec<&TombstoneRow> = rows.iter().filter(|r| r.compaction == compaction).collect();
        let after = mine.iter().find(|row| row.operations >= deleted_by);
        let gone = mine
            .iter()
            .find(|row| row.operations > deleted_by && row.tombstones == 0);
        table.push_row([
            compaction,
            format!(
                "{:.1}",
                mine.iter()
                    .map(|row| row.space_amplification)
                    .fold(0.0, f64::max)
            ),
            after.map_or("-".to_string(), |row| {
                format!("{:.2}", row.deleted_key_reads)
            }),
            gone.map_or("never".to_string(), |row| row.operations.to_string()),
            mine.last().map_or("-".to_string(), |row| {
                format!("{:.3}", row.deleted_key_reads)
            }),
        ])?;
    }
    Ok(table)
}
