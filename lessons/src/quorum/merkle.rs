//! Anti-entropy with Merkle trees: two replicas find the keys on which they differ by comparing
//! a few hashes instead of every key.
//!
//! Keys are spread over 2^depth buckets by a hash of the key. Each bucket gets a hash of its
//! contents, each inner node the hash of its two children, up to one root. Two replicas compare
//! roots; where two nodes differ they compare the children, and so on down to the buckets.
//! Equal subtrees are skipped whole, so finding one differing bucket costs `1 + 2 · depth`
//! comparisons instead of one per key. The keys of the differing buckets are then compared one
//! by one. The same comparison catches a value silently corrupted on disk.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{QuorumError, at_least};
use crate::sim::Rng;

/// The deepest tree accepted (2^20 buckets).
pub const MAX_DEPTH: u32 = 20;

/// A 64-bit mix (the SplitMix64 finaliser): a fixed, well-spread hash, the same on every
/// machine.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A Merkle tree over one replica's data (key → value).
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use lessons::quorum::MerkleTree;
///
/// let a: BTreeMap<u64, u64> = (0..100).map(|k| (k, k * 10)).collect();
/// let mut b = a.clone();
/// b.insert(42, 0); // one value differs (a lost or corrupted write)
/// let (ta, tb) = (MerkleTree::build(&a, 4)?, MerkleTree::build(&b, 4)?);
/// let descent = ta.compare(&tb)?;
/// assert_eq!(descent.differing_buckets, [ta.bucket_of(42)]);
/// assert_eq!(descent.hashes_compared, 1 + 2 * 4);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    depth: u32,
    /// `levels[0]` are the buckets, the last level is the root.
    levels: Vec<Vec<u64>>,
}

/// The result of comparing two trees top-down.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use lessons::quorum::MerkleTree;
///
/// let data: BTreeMap<u64, u64> = (0..10).map(|k| (k, k)).collect();
/// let tree = MerkleTree::build(&data, 3)?;
/// let same = tree.compare(&tree)?;
/// assert_eq!((same.hashes_compared, same.differing_buckets.len()), (1, 0));
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Descent {
    /// How many pairs of hashes were compared.
    pub hashes_compared: usize,
    /// The buckets whose hashes differ, in order.
    pub differing_buckets: Vec<usize>,
}

impl MerkleTree {
    /// Builds the tree with `2^depth` buckets.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] when `depth` exceeds [`MAX_DEPTH`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use lessons::quorum::MerkleTree;
    ///
    /// let tree = MerkleTree::build(&BTreeMap::new(), 2)?;
    /// assert_eq!(tree.buckets(), 4);
    /// assert!(MerkleTree::build(&BTreeMap::new(), 30).is_err());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn build(data: &BTreeMap<u64, u64>, depth: u32) -> Result<MerkleTree, QuorumError> {
        if depth > MAX_DEPTH {
            return Err(QuorumError::parameter(
                "depth",
                depth,
                format!("a tree has 0 to {MAX_DEPTH} levels below the root"),
            ));
        }
        let mut leaves = vec![0u64; 1 << depth];
        for (&key, &value) in data {
            let bucket = bucket(key, depth);
            leaves[bucket] = mix(leaves[bucket] ^ mix(key) ^ mix(value.rotate_left(17) ^ 1));
        }
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|level| level.len() > 1) {
            let above = below
                .chunks(2)
                .map(|pair| mix(pair[0].rotate_left(1) ^ pair[1] ^ 0x9e37_79b9))
                .collect();
            levels.push(above);
        }
        Ok(MerkleTree { depth, levels })
    }

    /// How many buckets (`2^depth`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// assert_eq!(lessons::quorum::MerkleTree::build(&BTreeMap::new(), 0)?.buckets(), 1);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn buckets(&self) -> usize {
        self.levels[0].len()
    }

    /// The bucket `key` falls in.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let tree = lessons::quorum::MerkleTree::build(&BTreeMap::new(), 3)?;
    /// assert!(tree.bucket_of(12345) < 8);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn bucket_of(&self, key: u64) -> usize {
        bucket(key, self.depth)
    }

    /// The root hash: equal roots mean (barring a hash collision) equal data.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use lessons::quorum::MerkleTree;
    ///
    /// let a = BTreeMap::from([(1, 1)]);
    /// let b = BTreeMap::from([(1, 2)]);
    /// assert_ne!(MerkleTree::build(&a, 2)?.root(), MerkleTree::build(&b, 2)?.root());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn root(&self) -> u64 {
        self.levels.last().expect("a tree has a root")[0]
    }

    /// Compares two trees from the root down, descending only into differing nodes.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] when the trees have different depths.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use lessons::quorum::MerkleTree;
    ///
    /// let a = MerkleTree::build(&BTreeMap::new(), 2)?;
    /// let b = MerkleTree::build(&BTreeMap::new(), 3)?;
    /// assert!(a.compare(&b).is_err());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn compare(&self, other: &MerkleTree) -> Result<Descent, QuorumError> {
        if self.depth != other.depth {
            return Err(QuorumError::parameter(
                "depth",
                other.depth,
                format!("both trees need the same depth, {}", self.depth),
            ));
        }
        let top = self.levels.len() - 1;
        let mut differing = vec![0usize];
        let mut hashes_compared = 1;
        if self.root() == other.root() {
            differing.clear();
        }
        for level in (0..top).rev() {
            let mut next = Vec::new();
            for &parent in &differing {
                for child in [2 * parent, 2 * parent + 1] {
                    hashes_compared += 1;
                    if self.levels[level][child] != other.levels[level][child] {
                        next.push(child);
                    }
                }
            }
            differing = next;
        }
        Ok(Descent {
            hashes_compared,
            differing_buckets: differing,
        })
    }
}

fn bucket(key: u64, depth: u32) -> usize {
    if depth == 0 {
        0
    } else {
        (mix(key) >> (64 - depth)) as usize
    }
}

/// The cost of finding `differing_keys` differences among `keys` keys, by exchanging every key's
/// hash and by descending a Merkle tree.
///
/// # Examples
///
/// ```
/// use lessons::quorum::anti_entropy_experiment;
///
/// let rows = anti_entropy_experiment(10_000, &[1], 10, 1)?;
/// assert_eq!(rows[0].tree_hashes, 21);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AntiEntropyRow {
    /// Keys on each replica.
    pub keys: usize,
    /// Keys whose values differ.
    pub differing_keys: usize,
    /// Hashes compared when every key's hash is exchanged: one per key.
    pub all_key_hashes: usize,
    /// Hashes compared descending the tree.
    pub tree_hashes: usize,
    /// Keys then compared one by one: those in the differing buckets.
    pub keys_in_differing_buckets: usize,
    /// `tree_hashes + keys_in_differing_buckets`.
    pub tree_total: usize,
    /// Whether the descent found every differing key.
    pub found_all: bool,
}

/// For each count in `differing`, two replicas with `keys` keys of which that many (chosen at
/// random) hold different values, compared with a tree of `2^depth` buckets.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for zero keys, more differing keys than keys, or a depth above
/// [`MAX_DEPTH`].
///
/// # Examples
///
/// ```
/// use lessons::quorum::anti_entropy_experiment;
///
/// let rows = anti_entropy_experiment(1_000, &[0, 10], 6, 1)?;
/// assert_eq!(rows[0].tree_hashes, 1);
/// assert!(rows[1].found_all && rows[1].tree_total < 1_000);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn anti_entropy_experiment(
    keys: usize,
    differing: &[usize],
    depth: u32,
    seed: u64,
) -> Result<Vec<AntiEntropyRow>, QuorumError> {
    at_least("keys", keys, 1)?;
    let mut rng = Rng::new(seed);
    let original: BTreeMap<u64, u64> = (0..keys as u64).map(|k| (k, rng.next_u64())).collect();
    let tree = MerkleTree::build(&original, depth)?;
    let mut rows = Vec::new();
    for &count in differing {
        if count > keys {
            return Err(QuorumError::parameter(
                "differing keys",
                count,
                format!("between 0 and the {keys} keys"),
            ));
        }
        let mut order: Vec<u64> = (0..keys as u64).collect();
        rng.shuffle(&mut order);
        let changed = &order[..count];
        let mut copy = original.clone();
        for key in changed {
            copy.insert(*key, rng.next_u64());
        }
        let descent = tree.compare(&MerkleTree::build(&copy, depth)?)?;
        let mut flagged = vec![false; tree.buckets()];
        for &bucket in &descent.differing_buckets {
            flagged[bucket] = true;
        }
        let in_buckets = original
            .keys()
            .filter(|&&key| flagged[tree.bucket_of(key)])
            .count();
        let found_all = changed.iter().all(|&key| flagged[tree.bucket_of(key)]);
        rows.push(AntiEntropyRow {
            keys,
            differing_keys: count,
            all_key_hashes: keys,
            tree_hashes: descent.hashes_compared,
            keys_in_differing_buckets: in_buckets,
            tree_total: descent.hashes_compared + in_buckets,
            found_all,
        });
    }
    Ok(rows)
}
