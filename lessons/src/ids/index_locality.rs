//! Index locality: what the order of new keys does to the leaves of a B+-tree index.

use std::collections::HashSet;

use serde::Serialize;

use super::error::IdError;
use super::experiments::issue_waiting;
use super::snowflake::{Layout, OnClockBackwards, SnowflakeGenerator};
use super::ulid::Ulid;
use super::uuid::Uuid;
use crate::sim::{Rng, ms};

/// The leaf level of a B+-tree: sorted leaves of at most `capacity` keys each, in key order.
///
/// Inner nodes are not modelled; finding the leaf for a key is a binary search over the
/// leaves' first keys. With the default [`LeafSplit::RightmostAppend`], a full leaf splits in
/// two in one of the two ways real engines do:
///
/// * the **right-most** leaf (the one that holds the largest keys) keeps its first
///   `capacity` keys and the new leaf gets the rest, one key: when keys arrive in increasing
///   order, this leaves every old leaf full (InnoDB splits at the insertion point when it sees
///   ascending inserts; PostgreSQL packs the left page of a right-most split to its fill factor,
///   90% by default, which the model rounds up to full);
/// * any **other** leaf splits in half, so each half has room for the keys that will land
///   between its neighbours.
///
/// [`LeafSplit::Half`] splits every leaf in half, the right-most one too: the textbook split,
/// which leaves ascending keys in half-full leaves (see [`with_split`](Self::with_split)).
///
/// Each insert counts the leaves it writes (one, or two when it splits one), which is the
/// cache footprint of a stream of inserts.
///
/// # Examples
///
/// ```
/// use lessons::ids::LeafLevel;
///
/// let mut ascending = LeafLevel::new(4)?;
/// for key in 0..10 {
///     ascending.insert(key);
/// }
/// assert_eq!((ascending.leaves(), ascending.splits()), (3, 2)); // 4 + 4 + 2
///
/// let mut middle = LeafLevel::new(4)?;
/// for key in [10, 20, 30, 40, 50, 15] {
///     middle.insert(key);
/// }
/// // 50 split the right-most leaf, which kept 10..40 and stayed full;
/// // 15 then split that leaf in half: [10, 15, 20] [30, 40] [50].
/// assert_eq!(middle.leaf_sizes(), [3, 2, 1]);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafLevel {
    capacity: usize,
    split: LeafSplit,
    leaves: Vec<Vec<u128>>,
    names: Vec<u64>,
    next_name: u64,
    splits: u64,
    keys: u64,
}

impl LeafLevel {
    /// An empty index whose leaves hold `capacity` keys (1 to 100,000).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// assert_eq!(LeafLevel::new(100)?.leaves(), 1);
    /// assert!(LeafLevel::new(0).is_err());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn new(capacity: usize) -> Result<LeafLevel, IdError> {
        if capacity == 0 || capacity > 100_000 {
            return Err(IdError::parameter(
                "leaf capacity",
                capacity,
                "1 to 100,000 keys per leaf",
            ));
        }
        Ok(LeafLevel {
            capacity,
            split: LeafSplit::RightmostAppend,
            leaves: vec![Vec::with_capacity(capacity)],
            names: vec![0],
            next_name: 1,
            splits: 0,
            keys: 0,
        })
    }

    /// The same index splitting full leaves by `split`.
    ///
    /// # Examples
    ///
    /// Keys 1 to 1,000 in order, 100 per leaf: the append split packs them into 10 full
    /// leaves; the 50/50 split leaves 51 keys behind in each, and needs 19 leaves (18 of 51
    /// keys, the last of 82): 53% full.
    ///
    /// ```
    /// use lessons::ids::{LeafLevel, LeafSplit};
    ///
    /// let mut append = LeafLevel::new(100)?;
    /// let mut half = LeafLevel::new(100)?.with_split(LeafSplit::Half);
    /// for key in 1..=1_000 {
    ///     append.insert(key);
    ///     half.insert(key);
    /// }
    /// assert_eq!((append.leaves(), append.fill()), (10, 1.0));
    /// assert_eq!((half.leaves(), half.fill()), (19, 1_000.0 / 1_900.0));
    /// assert_eq!(half.leaf_sizes()[17..], [51, 82]);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn with_split(mut self, split: LeafSplit) -> LeafLevel {
        self.split = split;
        self
    }

    /// Inserts `key` and returns the names of the leaves it wrote (two after a split).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// let mut index = LeafLevel::new(2)?;
    /// assert_eq!(index.insert(1), vec![0]);
    /// assert_eq!(index.insert(2), vec![0]);
    /// assert_eq!(index.insert(3), vec![0, 1]); // a split: the old leaf and a new one
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn insert(&mut self, key: u128) -> Vec<u64> {
        self.keys += 1;
        let index = self
            .leaves
            .partition_point(|leaf| leaf.first().is_some_and(|&first| first <= key))
            .saturating_sub(1);
        let rightmost = index + 1 == self.leaves.len();
        let leaf = &mut self.leaves[index];
        let position = leaf.partition_point(|&other| other <= key);
        leaf.insert(position, key);
        if leaf.len() <= self.capacity {
            return vec![self.names[index]];
        }
        let keep = if rightmost && self.split == LeafSplit::RightmostAppend {
            self.capacity
        } else {
            leaf.len().div_ceil(2)
        };
        let right = leaf.split_off(keep);
        self.leaves.insert(index + 1, right);
        self.names.insert(index + 1, self.next_name);
        self.next_name += 1;
        self.splits += 1;
        vec![self.names[index], self.names[index + 1]]
    }

    /// How many leaves the index has.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// let mut index = LeafLevel::new(1)?;
    /// index.insert(5);
    /// index.insert(6);
    /// assert_eq!(index.leaves(), 2);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn leaves(&self) -> usize {
        self.leaves.len()
    }

    /// How many leaf splits the inserts caused.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// assert_eq!(LeafLevel::new(8)?.splits(), 0);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn splits(&self) -> u64 {
        self.splits
    }

    /// The keys in each leaf, left to right.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// let mut index = LeafLevel::new(3)?;
    /// index.insert(7);
    /// assert_eq!(index.leaf_sizes(), [1]);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn leaf_sizes(&self) -> Vec<usize> {
        self.leaves.iter().map(Vec::len).collect()
    }

    /// The keys stored over the room the leaves have: 1.0 when every leaf is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// let mut index = LeafLevel::new(4)?;
    /// index.insert(1);
    /// assert_eq!(index.fill(), 0.25);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn fill(&self) -> f64 {
        self.keys as f64 / (self.leaves.len() * self.capacity) as f64
    }

    /// Whether every leaf is sorted and every key is below the next leaf's keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::LeafLevel;
    ///
    /// let mut index = LeafLevel::new(2)?;
    /// for key in [5, 3, 9, 1, 7] {
    ///     index.insert(key);
    /// }
    /// assert!(index.is_ordered());
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn is_ordered(&self) -> bool {
        self.leaves.concat().is_sorted()
    }
}

/// How a [`LeafLevel`] splits a full leaf.
///
/// # Examples
///
/// ```
/// use lessons::ids::LeafSplit;
///
/// assert_eq!(LeafSplit::Half.name(), "50/50");
/// assert_ne!(LeafSplit::Half, LeafSplit::RightmostAppend);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LeafSplit {
    /// The right-most leaf keeps `capacity` keys and passes on the rest; other leaves split in
    /// half. Ascending keys fill every leaf.
    RightmostAppend,
    /// Every leaf splits in half. Ascending keys leave every leaf but the last about half full,
    /// since no key ever lands in a left half again.
    Half,
}

impl LeafSplit {
    /// A short name for tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::LeafSplit::RightmostAppend.name(), "right-most append");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            LeafSplit::RightmostAppend => "right-most append",
            LeafSplit::Half => "50/50",
        }
    }
}

/// The kinds of key whose index locality the lesson compares.
///
/// # Examples
///
/// ```
/// use lessons::ids::KeyKind;
///
/// assert_eq!(KeyKind::ALL.len(), 5);
/// assert_eq!(KeyKind::UuidV4.name(), "UUIDv4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyKind {
    /// [`Uuid::v4`]: all random.
    UuidV4,
    /// [`Uuid::v7`]: time first, random within a millisecond.
    UuidV7,
    /// [`Ulid`]: time first, random within a millisecond.
    Ulid,
    /// Twitter-layout Snowflake IDs from 4 machines: time first, then machine.
    Snowflake,
    /// 1, 2, 3, ...: one counter.
    Sequential,
}

impl KeyKind {
    /// Every kind, the random one first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::KeyKind;
    ///
    /// assert_eq!(KeyKind::ALL[4], KeyKind::Sequential);
    /// ```
    pub const ALL: [KeyKind; 5] = [
        KeyKind::UuidV4,
        KeyKind::UuidV7,
        KeyKind::Ulid,
        KeyKind::Snowflake,
        KeyKind::Sequential,
    ];

    /// The kind's name in tables and plots.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::KeyKind::Snowflake.name(), "Snowflake");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::UuidV4 => "UUIDv4",
            KeyKind::UuidV7 => "UUIDv7",
            KeyKind::Ulid => "ULID",
            KeyKind::Snowflake => "Snowflake",
            KeyKind::Sequential => "sequential",
        }
    }

    /// Bytes of one key in an index: 16 for the 128-bit kinds, 8 for the 64-bit ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::KeyKind;
    ///
    /// assert_eq!(KeyKind::UuidV7.key_bytes(), 2 * KeyKind::Snowflake.key_bytes());
    /// ```
    pub fn key_bytes(self) -> u32 {
        match self {
            KeyKind::UuidV4 | KeyKind::UuidV7 | KeyKind::Ulid => 16,
            KeyKind::Snowflake | KeyKind::Sequential => 8,
        }
    }
}

/// The first millisecond of the runs: 2026-01-01T00:00:00Z.
const START_MILLIS: u64 = 1_767_225_600_000;

/// `count` keys of one kind in the order they are issued, `ids_per_ms` per millisecond
/// starting at 2026-01-01T00:00:00Z, seeded.
///
/// # Examples
///
/// ```
/// use lessons::ids::{KeyKind, keys_in_issue_order};
///
/// assert_eq!(keys_in_issue_order(KeyKind::Sequential, 3, 1, 0)?, [1, 2, 3]);
/// let v7 = keys_in_issue_order(KeyKind::UuidV7, 100, 1, 0)?;
/// assert!(v7.is_sorted()); // one per millisecond: in order
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn keys_in_issue_order(
    kind: KeyKind,
    count: u64,
    ids_per_ms: u64,
    seed: u64,
) -> Result<Vec<u128>, IdError> {
    if count > 1_000_000 {
        return Err(IdError::parameter("count", count, "0 to 1,000,000 keys"));
    }
    if ids_per_ms == 0 || ids_per_ms > 4_096 {
        return Err(IdError::parameter(
            "ids per ms",
            ids_per_ms,
            "1 to 4,096 IDs per millisecond",
        ));
    }
    let mut rng = Rng::derive(seed, &[kind as u64]);
    let layout = Layout::twitter();
    let mut machines = (0..4)
        .map(|machine| SnowflakeGenerator::new(layout, machine, OnClockBackwards::Refuse))
        .collect::<Result<Vec<_>, _>>()?;
    (0..count)
        .map(|i| {
            let millis = START_MILLIS + i / ids_per_ms;
            Ok(match kind {
                KeyKind::UuidV4 => Uuid::v4(&mut rng).as_u128(),
                KeyKind::UuidV7 => Uuid::v7(millis, &mut rng)?.as_u128(),
                KeyKind::Ulid => Ulid::new(millis, &mut rng)?.as_u128(),
                KeyKind::Snowflake => {
                    let machine = &mut machines[rng.below(4) as usize];
                    issue_waiting(machine, ms(millis as i64))?.0 as u128
                }
                KeyKind::Sequential => i as u128 + 1,
            })
        })
        .collect()
}

/// How one kind of key treated the index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LocalityRow {
    /// The kind of key.
    pub kind: &'static str,
    /// Keys inserted.
    pub inserts: u64,
    /// Leaf splits per 1,000 inserts.
    pub splits_per_1000: f64,
    /// Keys over leaf room at the end, in percent.
    pub leaf_fill_percent: f64,
    /// Distinct leaves written per block of 1,000 inserts, averaged over the blocks.
    pub leaves_written_per_1000: f64,
    /// Index size at the end: leaves × capacity × key bytes, in KiB.
    pub leaf_kib: f64,
}

/// Inserts `inserts` keys of each kind, in issue order (`ids_per_ms` per millisecond), into
/// an empty [`LeafLevel`] with `leaf_capacity` keys per leaf, and measures the splits, the
/// fill and the leaves written.
///
/// # Examples
///
/// ```
/// use lessons::ids::{KeyKind, index_locality};
///
/// let rows = index_locality(&[KeyKind::UuidV4, KeyKind::Sequential], 5_000, 100, 10, 1)?;
/// assert!(rows[0].leaf_fill_percent < 80.0 && rows[1].leaf_fill_percent == 100.0);
/// assert!(rows[0].leaves_written_per_1000 > 3.0 * rows[1].leaves_written_per_1000);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn index_locality(
    kinds: &[KeyKind],
    inserts: u64,
    leaf_capacity: usize,
    ids_per_ms: u64,
    seed: u64,
) -> Result<Vec<LocalityRow>, IdError> {
    if inserts == 0 {
        return Err(IdError::parameter(
            "inserts",
            inserts,
            "1 to 1,000,000 inserts",
        ));
    }
    kinds
        .iter()
        .map(|&kind| {
            let keys = keys_in_issue_order(kind, inserts, ids_per_ms, seed)?;
            let mut index = LeafLevel::new(leaf_capacity)?;
            let mut written_per_block = Vec::new();
            for block in keys.chunks(1_000) {
                let mut written = HashSet::new();
                for &key in block {
                    written.extend(index.insert(key));
                }
                written_per_block.push(written.len() as f64 * 1_000.0 / block.len() as f64);
            }
            Ok(LocalityRow {
                kind: kind.name(),
                inserts,
                splits_per_1000: index.splits() as f64 * 1_000.0 / inserts as f64,
                leaf_fill_percent: index.fill() * 100.0,
                leaves_written_per_1000: written_per_block.iter().sum::<f64>()
                    / written_per_block.len() as f64,
                leaf_kib: (index.leaves() * leaf_capacity) as f64 * kind.key_bytes() as f64
                    / 1_024.0,
            })
        })
        .collect()
}
