//! Experiments on the B+-tree: key order against leaf fill and page writes, height against
//! size, and what one small update costs.

use serde::Serialize;

use super::btree::{BPlusTree, SplitPolicy};
use crate::sim::{Rng, SimError};

/// The order in which keys reach the index.
///
/// # Examples
///
/// ```
/// use lessons::storage::KeyOrder;
///
/// assert_eq!(KeyOrder::Jittered(8).name(), "time-ordered, 8 writers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrder {
    /// Ascending: an auto-increment counter.
    Sequential,
    /// Uniformly random 64-bit keys: UUIDv4 in spirit.
    Random,
    /// Ascending with local disorder: key i lands anywhere among the next `n` positions, as
    /// time-ordered IDs (UUIDv7, Snowflake) from `n` machines arrive slightly out of order.
    Jittered(u64),
}

impl KeyOrder {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::storage::KeyOrder::Random.name(), "random");
    /// ```
    pub fn name(self) -> String {
        match self {
            KeyOrder::Sequential => "sequential".to_string(),
            KeyOrder::Random => "random".to_string(),
            KeyOrder::Jittered(writers) => format!("time-ordered, {writers} writers"),
        }
    }

    /// `count` keys in this order, for `seed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::KeyOrder;
    ///
    /// assert_eq!(KeyOrder::Sequential.keys(3, 1), vec![0, 1, 2]);
    /// assert_eq!(KeyOrder::Random.keys(3, 1).len(), 3);
    /// ```
    pub fn keys(self, count: u64, seed: u64) -> Vec<u64> {
        let mut rng = Rng::derive(seed, &[14, 1]);
        match self {
            KeyOrder::Sequential => (0..count).collect(),
            KeyOrder::Random => (0..count).map(|_| rng.next_u64()).collect(),
            KeyOrder::Jittered(writers) => (0..count)
                .map(|i| (i + rng.below(writers.max(1))) << 16 | (rng.next_u64() & 0xffff))
                .collect(),
        }
    }
}

/// One B+-tree filled with keys in one order under one split policy.
///
/// # Examples
///
/// ```
/// use lessons::storage::{KeyOrder, SplitPolicy, btree_experiment};
///
/// let rows = btree_experiment(10_000, 100, &[KeyOrder::Sequential], &[SplitPolicy::Half], 1)?;
/// assert_eq!(format!("{:.2}", rows[0].leaf_fill), "0.50");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BTreeRow {
    /// The key order.
    pub order: String,
    /// The split policy.
    pub policy: String,
    /// Keys inserted.
    pub keys: u64,
    /// Levels, leaves included.
    pub height: usize,
    /// Leaf pages.
    pub leaves: usize,
    /// Keys / (leaves × capacity).
    pub leaf_fill: f64,
    /// Pages written per insert (splits write extra pages).
    pub page_writes_per_insert: f64,
    /// Page splits per 1,000 inserts.
    pub splits_per_1000: f64,
}

fn check_tree_size(keys: u64) -> Result<(), SimError> {
    if !(1..=2_000_000).contains(&keys) {
        return Err(SimError::parameter("keys", keys, "from 1 to 2,000,000"));
    }
    Ok(())
}

/// For each key order and split policy: a tree whose pages hold `page_capacity` entries
/// (leaves and inner pages alike), filled with `keys` keys.
///
/// # Errors
///
/// When `keys` is not in `1..=2_000_000`, or the capacity is refused by [`BPlusTree::new`].
///
/// # Examples
///
/// ```
/// use lessons::storage::{KeyOrder, SplitPolicy, btree_experiment};
///
/// let rows = btree_experiment(
///     10_000, 100, &[KeyOrder::Sequential], &[SplitPolicy::Rightmost], 1,
/// )?;
/// assert!(rows[0].leaf_fill > 0.99);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn btree_experiment(
    keys: u64,
    page_capacity: usize,
    orders: &[KeyOrder],
    policies: &[SplitPolicy],
    seed: u64,
) -> Result<Vec<BTreeRow>, SimError> {
    check_tree_size(keys)?;
    let mut rows = Vec::new();
    for &order in orders {
        let arriving = order.keys(keys, seed);
        for &policy in policies {
            let mut tree = BPlusTree::new(page_capacity, page_capacity, policy)?;
            for &key in &arriving {
                tree.insert(key);
            }
            let inserted = tree.len() as f64;
            rows.push(BTreeRow {
                order: order.name(),
                policy: policy.name().to_string(),
                keys: tree.len(),
                height: tree.height(),
                leaves: tree.leaf_sizes().len(),
                leaf_fill: tree.leaf_fill(),
                page_writes_per_insert: tree.page_writes() as f64 / inserted,
                splits_per_1000: 1_000.0 * tree.splits() as f64 / inserted,
            });
        }
    }
    Ok(rows)
}

/// A tree's height next to the lower bound `ceil(log_fanout(n))`.
///
/// # Examples
///
/// ```
/// use lessons::storage::height_experiment;
///
/// let rows = height_experiment(&[100], &[1_000_000], 1)?;
/// assert_eq!((rows[0].bound, rows[0].height), (3, 4));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeightRow {
    /// Entries per page (leaf keys and inner children alike).
    pub fanout: usize,
    /// Keys inserted.
    pub keys: u64,
    /// Levels, leaves included.
    pub height: usize,
    /// `ceil(log_fanout(keys))`: the height if every page were full.
    pub bound: usize,
}

/// The smallest h with `fanout^h ≥ keys` (at least 1): the height of a tree whose every page
/// is full, and so the fewest page reads a lookup can take.
///
/// # Examples
///
/// ```
/// use lessons::storage::min_height;
///
/// assert_eq!(min_height(100, 1_000_000_000), 5);
/// assert_eq!(min_height(400, 1_000_000_000), 4);
/// ```
pub fn min_height(fanout: usize, keys: u64) -> usize {
    let mut reach = 1_u128;
    let mut height = 0;
    while reach < u128::from(keys) {
        reach *= fanout as u128;
        height += 1;
    }
    height.max(1)
}

/// For each fanout and each key count: a tree built from that many random keys (50/50
/// splits), its height and the full-page bound.
///
/// # Errors
///
/// As [`btree_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::storage::height_experiment;
///
/// let rows = height_experiment(&[4, 16], &[100, 10_000], 1)?;
/// assert!(rows.iter().all(|row| row.height >= row.bound));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn height_experiment(
    fanouts: &[usize],
    key_counts: &[u64],
    seed: u64,
) -> Result<Vec<HeightRow>, SimError> {
    let mut rows = Vec::new();
    for &fanout in fanouts {
        for &keys in key_counts {
            check_tree_size(keys)?;
            let mut tree = BPlusTree::new(fanout, fanout, SplitPolicy::Half)?;
            for key in KeyOrder::Random.keys(keys, seed) {
                tree.insert(key);
            }
            rows.push(HeightRow {
                fanout,
                keys,
                height: tree.height(),
                bound: min_height(fanout, keys),
            });
        }
    }
    Ok(rows)
}

/// What updating small records in place costs a page-based tree.
///
/// # Examples
///
/// ```
/// use lessons::storage::update_experiment;
///
/// let row = update_experiment(8_192, 100, 10_000, 1_000, 1)?;
/// assert_eq!(row.pages_written, 1_000);
/// assert_eq!(format!("{:.1}", row.write_amplification), "81.9");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateRow {
    /// Bytes per page.
    pub page_bytes: u64,
    /// Bytes per record.
    pub record_bytes: u64,
    /// Records updated.
    pub updates: u64,
    /// Pages the updates wrote.
    pub pages_written: u64,
    /// Bytes written / bytes changed.
    pub write_amplification: f64,
}

/// A tree of `keys` random records, `page_bytes / record_bytes` per leaf, then `updates`
/// updates of random existing records, each rewriting its leaf page.
///
/// # Errors
///
/// When `record_bytes` is 0 or more than half of `page_bytes`, or as [`btree_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::storage::update_experiment;
///
/// assert!(update_experiment(8_192, 8_192, 100, 10, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn update_experiment(
    page_bytes: u64,
    record_bytes: u64,
    keys: u64,
    updates: u64,
    seed: u64,
) -> Result<UpdateRow, SimError> {
    check_tree_size(keys)?;
    if record_bytes == 0 || 2 * record_bytes > page_bytes {
        return Err(SimError::parameter(
            "record_bytes",
            record_bytes,
            format!("from 1 to half the page, {}", page_bytes / 2),
        ));
    }
    let per_page = (page_bytes / record_bytes) as usize;
    let mut tree = BPlusTree::new(per_page, per_page.max(3), SplitPolicy::Half)?;
    let records = KeyOrder::Random.keys(keys, seed);
    for &key in &records {
        tree.insert(key);
    }
    let before = tree.page_writes();
    let mut rng = Rng::derive(seed, &[14, 2]);
    for _ in 0..updates {
        tree.update(records[rng.below(keys) as usize]);
    }
    let pages_written = tree.page_writes() - before;
    Ok(UpdateRow {
        page_bytes,
        record_bytes,
        updates,
        pages_written,
        write_amplification: (pages_written * page_bytes) as f64
            / (updates * record_bytes).max(1) as f64,
    })
}
