//! A log-structured merge tree: a memtable, immutable sorted runs, and compaction.

use std::collections::BTreeMap;

use super::bloom::BloomFilter;
use crate::sim::SimError;

/// How sorted runs are merged.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::storage::Compaction::Tiered.name(), "size-tiered");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compaction {
    /// One sorted run per level, level i holding up to `memtable × ratio^i` entries; a run that
    /// arrives is merged into the level's run at once, and a level over its size is merged
    /// into the next (the LevelDB and RocksDB default shape).
    Leveled,
    /// Up to `ratio` runs per level; when a level has `ratio` runs they are merged into one run
    /// of the next level (size-tiered, Cassandra's default strategy, in its simplest form).
    Tiered,
}

impl Compaction {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::storage::Compaction::Leveled.name(), "leveled");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Compaction::Leveled => "leveled",
            Compaction::Tiered => "size-tiered",
        }
    }
}

/// An immutable sorted run (an SSTable): keys ascending, `None` for a tombstone.
#[derive(Debug, Clone)]
pub(super) struct Run {
    entries: Vec<(u64, Option<u64>)>,
    filter: Option<BloomFilter>,
}

impl Run {
    /// Entries in the run, tombstones included.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// What the run says about `key` (`Some(None)` for a tombstone) and whether it was read
    /// from disk (not when its Bloom filter rules the key out).
    pub(super) fn probe(&self, key: u64) -> (Option<Option<u64>>, bool) {
        if self
            .filter
            .as_ref()
            .is_some_and(|filter| !filter.contains(&key))
        {
            return (None, false);
        }
        let found = self
            .entries
            .binary_search_by_key(&key, |&(k, _)| k)
            .ok()
            .map(|at| self.entries[at].1);
        (found, true)
    }

    /// The run's entries, ascending by key.
    pub(super) fn entries(&self) -> &[(u64, Option<u64>)] {
        &self.entries
    }
}

/// What a lookup found and what it cost.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmTree};
///
/// let mut tree = LsmTree::new(2, 4, Compaction::Leveled, 0.0)?;
/// tree.put(1, 10);
/// tree.put(2, 20); // the memtable is full: flushed to a run
/// let found = tree.get(1);
/// assert_eq!((found.value, found.disk_reads), (Some(10), 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup {
    /// The newest value, or `None` if the key is absent or deleted.
    pub value: Option<u64>,
    /// Runs actually read from disk (a Bloom filter that says "no" saves the read).
    pub disk_reads: u64,
}

/// A toy LSM tree (O'Neil et al. 1996) of `u64` keys and values. Writes go to an in-memory
/// memtable; when it holds `memtable_entries` keys it is written out as a sorted run, and
/// compaction merges runs by the chosen [`Compaction`] with size ratio `ratio`. Each run may
/// carry a Bloom filter of `bloom_bits_per_key` bits per key (0 for none), built with
/// [`BloomFilter::with_capacity`]'s k, which lookups consult before reading the run.
///
/// Every entry written to a run, by a flush or a merge, is counted: that over the number of
/// user writes is the write amplification. Deletes are tombstones, dropped only by a merge
/// into the last level (below which no older value can hide).
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmTree};
///
/// let mut tree = LsmTree::new(100, 10, Compaction::Leveled, 10.0)?;
/// for key in 0..1_000 {
///     tree.put(key, key * 2);
/// }
/// tree.delete(7);
/// assert_eq!(tree.get(8).value, Some(16));
/// assert_eq!(tree.get(7).value, None);
/// assert!(tree.write_amplification() > 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct LsmTree {
    memtable: BTreeMap<u64, Option<u64>>,
    memtable_entries: usize,
    ratio: usize,
    compaction: Compaction,
    bloom_bits_per_key: f64,
    /// `levels[0]` is the newest level; within a level, the newest run is last.
    levels: Vec<Vec<Run>>,
    user_writes: u64,
    entries_written: u64,
}

impl LsmTree {
    /// An empty tree.
    ///
    /// # Errors
    ///
    /// When `memtable_entries` is not in 1..=1,000,000, `ratio` not in 2..=100, or
    /// `bloom_bits_per_key` not in 0..=64.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// assert!(LsmTree::new(100, 1, Compaction::Tiered, 0.0).is_err());
    /// assert_eq!(LsmTree::new(100, 4, Compaction::Tiered, 0.0)?.run_count(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(
        memtable_entries: usize,
        ratio: usize,
        compaction: Compaction,
        bloom_bits_per_key: f64,
    ) -> Result<LsmTree, SimError> {
        if !(1..=1_000_000).contains(&memtable_entries) {
            return Err(SimError::parameter(
                "memtable_entries",
                memtable_entries,
                "from 1 to 1,000,000",
            ));
        }
        if !(2..=100).contains(&ratio) {
            return Err(SimError::parameter("ratio", ratio, "from 2 to 100"));
        }
        if !(0.0..=64.0).contains(&bloom_bits_per_key) {
            return Err(SimError::parameter(
                "bloom_bits_per_key",
                bloom_bits_per_key,
                "from 0 (no filters) to 64",
            ));
        }
        Ok(LsmTree {
            memtable: BTreeMap::new(),
            memtable_entries,
            ratio,
            compaction,
            bloom_bits_per_key,
            levels: Vec::new(),
            user_writes: 0,
            entries_written: 0,
        })
    }

    /// Writes `value` under `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(10, 4, Compaction::Leveled, 0.0)?;
    /// tree.put(1, 5);
    /// tree.put(1, 6);
    /// assert_eq!(tree.get(1).value, Some(6));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn put(&mut self, key: u64, value: u64) {
        self.write(key, Some(value));
    }

    /// Deletes `key` by writing a tombstone.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Leveled, 0.0)?;
    /// tree.put(1, 5);
    /// tree.delete(1);
    /// assert_eq!(tree.get(1).value, None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn delete(&mut self, key: u64) {
        self.write(key, None);
    }

    fn write(&mut self, key: u64, value: Option<u64>) {
        if let Some(run) = self.write_to_memtable(key, value) {
            self.absorb(run);
        }
    }

    /// Counts the write and puts it in the memtable; when that fills it, returns the memtable
    /// flushed as a run (its entries counted as written), which the caller places.
    pub(super) fn write_to_memtable(&mut self, key: u64, value: Option<u64>) -> Option<Run> {
        self.user_writes += 1;
        self.memtable.insert(key, value);
        if self.memtable.len() < self.memtable_entries {
            return None;
        }
        let entries: Vec<(u64, Option<u64>)> =
            std::mem::take(&mut self.memtable).into_iter().collect();
        self.entries_written += entries.len() as u64;
        Some(self.run(entries))
    }

    /// Places a flushed run in level 0 and compacts, as if the run had just been flushed.
    pub(super) fn absorb(&mut self, run: Run) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(run);
        self.compact(0);
    }

    /// The memtable's entry for `key`, if it has one (`Some(None)` for a tombstone).
    pub(super) fn in_memtable(&self, key: u64) -> Option<Option<u64>> {
        self.memtable.get(&key).copied()
    }

    /// The memtable's entries, ascending by key.
    pub(super) fn memtable_entries(&self) -> impl Iterator<Item = (u64, Option<u64>)> + '_ {
        self.memtable.iter().map(|(&key, &value)| (key, value))
    }

    /// Entries written to runs so far, by flushes and merges.
    pub(super) fn entries_written(&self) -> u64 {
        self.entries_written
    }

    pub(super) fn run(&self, entries: Vec<(u64, Option<u64>)>) -> Run {
        let filter = (self.bloom_bits_per_key > 0.0 && !entries.is_empty()).then(|| {
            let bits = (self.bloom_bits_per_key * entries.len() as f64).ceil() as u64;
            let hashes = super::bloom::optimal_hashes(bits, entries.len() as u64);
            let mut filter = BloomFilter::new(bits, hashes).expect("at most 64 bits per key");
            for (key, _) in &entries {
                filter.insert(key);
            }
            filter
        });
        Run { entries, filter }
    }

    /// The most entries level `level` (0-based) may hold under leveled compaction.
    fn level_capacity(&self, level: usize) -> usize {
        self.memtable_entries
            .saturating_mul(self.ratio.saturating_pow(level as u32 + 1))
    }

    /// Restores the compaction invariant from `level` down.
    fn compact(&mut self, level: usize) {
        if self.levels.len() == level + 1 {
            self.levels.push(Vec::new());
        }
        match self.compaction {
            Compaction::Leveled => {
                if self.levels[level].len() > 1 {
                    let runs = std::mem::take(&mut self.levels[level]);
                    let merged = self.merge(runs, level);
                    self.levels[level].push(merged);
                }
                let size = self.levels[level]
                    .first()
                    .map_or(0, |run| run.entries.len());
                if size > self.level_capacity(level) {
                    // Moved, not rewritten: the merge with the next level's run writes it.
                    let runs = std::mem::take(&mut self.levels[level]);
                    self.levels[level + 1].extend(runs);
                    self.compact(level + 1);
                }
            }
            Compaction::Tiered => {
                if self.levels[level].len() >= self.ratio {
                    let runs = std::mem::take(&mut self.levels[level]);
                    let merged = self.merge(runs, level + 1);
                    self.levels[level + 1].push(merged);
                    self.compact(level + 1);
                }
            }
        }
    }

    /// Merges `runs` (oldest first) into one run bound for `target`, keeping each key's newest
    /// entry; tombstones go only when nothing older lies below `target`.
    fn merge(&mut self, runs: Vec<Run>, target: usize) -> Run {
        let bottom = self
            .levels
            .iter()
            .skip(target + 1)
            .all(|runs| runs.is_empty())
            && self.levels.get(target).is_none_or(|runs| runs.is_empty());
        let mut newest: BTreeMap<u64, Option<u64>> = BTreeMap::new();
        for run in runs {
            newest.extend(run.entries);
        }
        let entries: Vec<(u64, Option<u64>)> = newest
            .into_iter()
            .filter(|(_, value)| value.is_some() || !bottom)
            .collect();
        self.entries_written += entries.len() as u64;
        self.run(entries)
    }

    /// The newest value of `key` and the runs read to find it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 5);
    /// tree.put(2, 6);
    /// assert_eq!(tree.get(3).disk_reads, 2); // no filters: every run is read
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn get(&self, key: u64) -> Lookup {
        if let Some(&value) = self.memtable.get(&key) {
            return Lookup {
                value,
                disk_reads: 0,
            };
        }
        let mut disk_reads = 0;
        for run in self.runs_newest_first() {
            let (found, read) = run.probe(key);
            disk_reads += u64::from(read);
            if let Some(value) = found {
                return Lookup { value, disk_reads };
            }
        }
        Lookup {
            value: None,
            disk_reads,
        }
    }

    /// The runs on disk in the order a lookup reads them: newest level first, and within a
    /// level the newest run first.
    pub(super) fn runs_newest_first(&self) -> impl Iterator<Item = &Run> {
        self.levels.iter().flat_map(|runs| runs.iter().rev())
    }

    /// Every version of `key` the tree holds, newest first: the memtable's, then each run's
    /// in the order a lookup reads them; `None` is a tombstone. Old versions below the newest
    /// are dead weight that only a merge removes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 5);
    /// tree.delete(1);
    /// assert_eq!(tree.versions(1), vec![None, Some(5)]); // the tombstone hides the value
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn versions(&self, key: u64) -> Vec<Option<u64>> {
        let on_disk = self.runs_newest_first().filter_map(|run| {
            run.entries
                .binary_search_by_key(&key, |&(k, _)| k)
                .ok()
                .map(|at| run.entries[at].1)
        });
        self.in_memtable(key).into_iter().chain(on_disk).collect()
    }

    /// A major compaction: every run merged into one run at the deepest level, which has
    /// nothing below it, so every tombstone goes, with the values it hid. (The memtable stays
    /// in memory.) The merge's writes count toward the write amplification.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 5);
    /// tree.put(2, 6);
    /// tree.delete(1);
    /// tree.compact_all();
    /// assert_eq!((tree.run_count(), tree.tombstone_count()), (1, 0));
    /// assert_eq!(tree.versions(1), vec![]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn compact_all(&mut self) {
        let Some(deepest) = self.levels.iter().rposition(|runs| !runs.is_empty()) else {
            return;
        };
        let runs: Vec<Run> = self
            .levels
            .iter_mut()
            .rev()
            .flat_map(std::mem::take)
            .collect();
        let merged = self.merge(runs, deepest);
        self.levels[deepest].push(merged);
    }

    /// Tombstones held in all runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 1);
    /// tree.delete(1);
    /// assert_eq!(tree.tombstone_count(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn tombstone_count(&self) -> usize {
        self.tombstones_per_level().iter().sum()
    }

    /// Entries held in all runs: live values, old versions and tombstones.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 1);
    /// tree.put(1, 2);
    /// assert_eq!(tree.stored_entries(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn stored_entries(&self) -> usize {
        self.levels.iter().flatten().map(Run::len).sum()
    }

    /// Entries written to runs (flushes and merges) per user write.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// assert_eq!(LsmTree::new(1, 4, Compaction::Tiered, 0.0)?.write_amplification(), 0.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn write_amplification(&self) -> f64 {
        if self.user_writes == 0 {
            0.0
        } else {
            self.entries_written as f64 / self.user_writes as f64
        }
    }

    /// Entries held in runs (old versions and tombstones included) per live key.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 5);
    /// tree.put(1, 6);
    /// assert_eq!(tree.space_amplification(), 2.0); // two versions of one key
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn space_amplification(&self) -> f64 {
        let stored = self.stored_entries();
        let live = self.visible().len();
        if live == 0 {
            0.0
        } else {
            stored as f64 / live as f64
        }
    }

    /// The key-value map a reader sees: the newest entry of every key, tombstones removed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(2, 4, Compaction::Leveled, 0.0)?;
    /// tree.put(1, 5);
    /// tree.put(2, 6);
    /// tree.delete(1);
    /// assert_eq!(tree.visible().into_iter().collect::<Vec<_>>(), vec![(2, 6)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn visible(&self) -> BTreeMap<u64, u64> {
        let mut newest: BTreeMap<u64, Option<u64>> = BTreeMap::new();
        for run in self.levels.iter().rev().flat_map(|runs| runs.iter()) {
            newest.extend(run.entries.iter().copied());
        }
        newest.extend(self.memtable.iter().map(|(&k, &v)| (k, v)));
        newest
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key, value)))
            .collect()
    }

    /// The number of runs on disk.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// (0..3).for_each(|key| tree.put(key, key));
    /// assert_eq!(tree.run_count(), 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run_count(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    /// Whether every run is sorted by key with no key twice, and (leveled) each level holds at
    /// most one run, so runs of a level never overlap.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(3, 3, Compaction::Leveled, 0.0)?;
    /// (0..100).for_each(|key| tree.put(key * 37 % 101, key));
    /// assert!(tree.runs_are_well_formed());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn runs_are_well_formed(&self) -> bool {
        let sorted = self
            .levels
            .iter()
            .flatten()
            .all(|run| run.entries.windows(2).all(|pair| pair[0].0 < pair[1].0));
        let one_per_level =
            self.compaction == Compaction::Tiered || self.levels.iter().all(|runs| runs.len() <= 1);
        sorted && one_per_level
    }

    /// The number of runs in each level, newest level first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 2, Compaction::Tiered, 0.0)?;
    /// (0..3).for_each(|key| tree.put(key, key));
    /// assert_eq!(tree.run_counts_per_level()[..2], [1, 1]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run_counts_per_level(&self) -> Vec<usize> {
        self.levels.iter().map(Vec::len).collect()
    }

    /// Tombstones held in each level's runs, newest level first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, LsmTree};
    ///
    /// let mut tree = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 1);
    /// tree.delete(1);
    /// assert_eq!(tree.tombstones_per_level()[0], 1); // in level 0, not yet merged
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn tombstones_per_level(&self) -> Vec<usize> {
        self.levels
            .iter()
            .map(|runs| {
                runs.iter()
                    .flat_map(|run| &run.entries)
                    .filter(|(_, value)| value.is_none())
                    .count()
            })
            .collect()
    }
}
