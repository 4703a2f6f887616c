//! An LSM tree whose compaction has a bandwidth: flushed runs wait in level 0 until compaction
//! has written what absorbing them costs.

use std::collections::{BTreeMap, VecDeque};

use super::lsm::{Compaction, Lookup, LsmTree, Run};
use crate::sim::SimError;

/// A merge under way: the compacted tree as it will be once the oldest waiting run is
/// absorbed, and the entries compaction still has to write before it is.
#[derive(Debug, Clone)]
struct Job {
    result: LsmTree,
    remaining: u64,
}

/// An [`LsmTree`] whose compaction runs in the background with a budget: each call to
/// [`compact`](ThrottledLsm::compact) may write at most so many entries. Flushed runs wait,
/// oldest first, on top of the compacted tree; compaction absorbs them one at a time, exactly
/// as the unthrottled tree would have (same merges, same cost), and a run leaves the waiting
/// pile only when its merges are paid for in full. While compaction is behind, the waiting
/// runs pile up and every lookup that misses the memtable reads them: this is the "compaction
/// debt" of a write burst.
///
/// The model charges a merge the entries it writes, and keeps one merge under way at a time.
/// A real engine would merge several waiting level-0 files at once, which costs less per
/// file than absorbing them one by one.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, ThrottledLsm};
///
/// let mut tree = ThrottledLsm::new(2, 4, Compaction::Leveled, 0.0)?;
/// (0..8).for_each(|key| tree.put(key, key));
/// assert_eq!(tree.waiting_runs(), 4); // four flushes, no compaction yet
/// // Absorbing the first run costs nothing; the second is merged with it (4 entries written).
/// assert_eq!(tree.compact(4), 4);
/// assert_eq!(tree.waiting_runs(), 2);
/// assert_eq!(tree.compact(1_000), 14); // merges writing 6, then 8 entries
/// assert_eq!(tree.compact(1_000), 0); // nothing waits
/// assert_eq!((tree.waiting_runs(), tree.run_count()), (0, 1));
/// assert_eq!(tree.get(3).value, Some(3));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ThrottledLsm {
    compacted: LsmTree,
    memtable: LsmTree,
    waiting: VecDeque<Run>,
    job: Option<Job>,
}

impl ThrottledLsm {
    /// An empty tree with the parameters of [`LsmTree::new`].
    ///
    /// # Errors
    ///
    /// As [`LsmTree::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// assert!(ThrottledLsm::new(0, 4, Compaction::Tiered, 0.0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(
        memtable_entries: usize,
        ratio: usize,
        compaction: Compaction,
        bloom_bits_per_key: f64,
    ) -> Result<ThrottledLsm, SimError> {
        let compacted = LsmTree::new(memtable_entries, ratio, compaction, bloom_bits_per_key)?;
        Ok(ThrottledLsm {
            memtable: compacted.clone(),
            compacted,
            waiting: VecDeque::new(),
            job: None,
        })
    }

    /// Writes `value` under `key`; a full memtable is flushed to the waiting pile.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 10);
    /// assert_eq!((tree.waiting_runs(), tree.get(1).value), (1, Some(10)));
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
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 4, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 10);
    /// tree.delete(1);
    /// assert_eq!(tree.get(1).value, None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn delete(&mut self, key: u64) {
        self.write(key, None);
    }

    fn write(&mut self, key: u64, value: Option<u64>) {
        // `memtable` is a tree that never holds runs: it only buffers and flushes.
        if let Some(run) = self.memtable.write_to_memtable(key, value) {
            self.waiting.push_back(run);
        }
    }

    /// Lets compaction write up to `budget` entries: it absorbs waiting runs, oldest first,
    /// each once the merges it causes are paid for. Budget left when nothing waits is lost
    /// (idle bandwidth does not accumulate). Returns the entries written.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 2, Compaction::Tiered, 0.0)?;
    /// tree.put(1, 1);
    /// tree.put(2, 2);
    /// assert_eq!(tree.compact(1), 1); // half of the merge of the two runs: both still wait
    /// assert_eq!(tree.waiting_runs(), 1);
    /// assert_eq!(tree.compact(5), 1); // the rest; nothing waits, the other 4 are lost
    /// assert_eq!((tree.waiting_runs(), tree.run_count()), (0, 1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn compact(&mut self, budget: u64) -> u64 {
        let mut left = budget;
        loop {
            let Some(oldest) = self.waiting.front() else {
                self.job = None;
                break;
            };
            let job = self.job.get_or_insert_with(|| {
                let mut result = self.compacted.clone();
                result.absorb(oldest.clone());
                let remaining = result.entries_written() - self.compacted.entries_written();
                Job { result, remaining }
            });
            if job.remaining > left {
                job.remaining -= left;
                left = 0;
                break;
            }
            left -= job.remaining;
            if let Some(done) = self.job.take() {
                self.compacted = done.result;
            }
            self.waiting.pop_front();
        }
        budget - left
    }

    /// The newest value of `key` and the runs read: the memtable, then the waiting runs
    /// newest first, then the compacted tree.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 4, Compaction::Leveled, 0.0)?;
    /// (0..3).for_each(|key| tree.put(key, key));
    /// assert_eq!(tree.get(0).disk_reads, 3); // the oldest of three waiting runs
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn get(&self, key: u64) -> Lookup {
        if let Some(value) = self.memtable.in_memtable(key) {
            return Lookup {
                value,
                disk_reads: 0,
            };
        }
        let mut disk_reads = 0;
        for run in self.waiting.iter().rev() {
            let (found, read) = run.probe(key);
            disk_reads += u64::from(read);
            if let Some(value) = found {
                return Lookup { value, disk_reads };
            }
        }
        let below = self.compacted.get(key);
        Lookup {
            value: below.value,
            disk_reads: disk_reads + below.disk_reads,
        }
    }

    /// The key-value map a reader sees (what compaction must preserve at every step).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 4, Compaction::Leveled, 0.0)?;
    /// tree.put(1, 1);
    /// tree.put(1, 2);
    /// tree.compact(1);
    /// assert_eq!(tree.visible().into_iter().collect::<Vec<_>>(), vec![(1, 2)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn visible(&self) -> BTreeMap<u64, u64> {
        let mut newest: BTreeMap<u64, Option<u64>> = BTreeMap::new();
        let compacted = self.compacted.visible();
        newest.extend(compacted.into_iter().map(|(key, value)| (key, Some(value))));
        for run in &self.waiting {
            newest.extend(run.entries().iter().copied());
        }
        newest.extend(self.memtable.memtable_entries());
        newest
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key, value)))
            .collect()
    }

    /// Runs on disk: the waiting ones and the compacted tree's.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 4, Compaction::Tiered, 0.0)?;
    /// (0..5).for_each(|key| tree.put(key, key));
    /// assert_eq!(tree.run_count(), 5);
    /// tree.compact(100);
    /// assert_eq!(tree.run_count(), 2); // four merged into one, one new
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run_count(&self) -> usize {
        self.waiting.len() + self.compacted.run_count()
    }

    /// Flushed runs compaction has not absorbed yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let tree = ThrottledLsm::new(1, 4, Compaction::Tiered, 0.0)?;
    /// assert_eq!(tree.waiting_runs(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn waiting_runs(&self) -> usize {
        self.waiting.len()
    }

    /// The part compaction has absorbed: an [`LsmTree`] with an empty memtable, in the state
    /// the unthrottled tree reached after the same flushes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::{Compaction, ThrottledLsm};
    ///
    /// let mut tree = ThrottledLsm::new(1, 2, Compaction::Tiered, 0.0)?;
    /// (0..4).for_each(|key| tree.put(key, key));
    /// tree.compact(u64::MAX);
    /// assert_eq!(tree.compacted().run_counts_per_level()[..3], [0, 0, 1]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn compacted(&self) -> &LsmTree {
        &self.compacted
    }
}
