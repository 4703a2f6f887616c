//! What moves when nodes come and go: `mod N` against the ring, and how even the ring is.

use serde::Serialize;

use super::{ModN, PartitionError, Ring, hash_with_seed};

/// `count` key hashes for an experiment: the hashes of the numbers `0..count` in the hash
/// family `seed`, so different seeds give independent key sets.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::sample_hashes;
///
/// let hashes = sample_hashes(1_000, 7);
/// assert_eq!(hashes.len(), 1_000);
/// assert_eq!(hashes, sample_hashes(1_000, 7));
/// assert_ne!(hashes, sample_hashes(1_000, 8));
/// ```
pub fn sample_hashes(count: usize, seed: u64) -> Vec<u64> {
    (0..count as u64)
        .map(|key| hash_with_seed(&key.to_le_bytes(), seed))
        .collect()
}

/// The names of `count` nodes for ring number `seed`: `node-0.s7`, `node-1.s7`, ... Different
/// seeds give differently placed rings of the same size.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::node_names;
///
/// assert_eq!(node_names(2, 7), ["node-0.s7", "node-1.s7"]);
/// ```
pub fn node_names(count: usize, seed: u64) -> Vec<String> {
    (0..count)
        .map(|node| format!("node-{node}.s{seed}"))
        .collect()
}

/// One change of cluster size in [`remap_sweep`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::remap_sweep;
///
/// let row = remap_sweep(10, &[11], 256, 10_000, 1)?[0];
/// assert_eq!(row.ideal_ring_moved, 1.0 / 11.0);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RemapRow {
    /// Nodes before.
    pub from_nodes: usize,
    /// Nodes after.
    pub to_nodes: usize,
    /// Fraction of the keys that changed node under `hash mod N`.
    pub mod_n_moved: f64,
    /// Fraction of the keys that changed node on the ring.
    pub ring_moved: f64,
    /// What a perfectly even ring would move: `|M - N| / max(N, M)`.
    pub ideal_ring_moved: f64,
}

/// Grows or shrinks a cluster of `from` nodes to each size in `to`, and counts the keys
/// (`keys` sampled hashes) that change node under `hash mod N` and on a ring with `vnodes`
/// virtual nodes per node. The ring keeps nodes `0..min(N, M)` and adds or removes the rest.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for a size of 0, [`Ring::new`]'s errors for `vnodes`.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::remap_sweep;
///
/// let rows = remap_sweep(100, &[99], 256, 20_000, 1)?;
/// assert!(rows[0].mod_n_moved > 0.98); // one node of 100 fails: 99% of keys move
/// assert!(rows[0].ring_moved < 0.02); // only the failed node's keys move
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn remap_sweep(
    from: usize,
    to: &[usize],
    vnodes: u32,
    keys: usize,
    seed: u64,
) -> Result<Vec<RemapRow>, PartitionError> {
    let hashes = sample_hashes(keys, seed);
    let largest = to.iter().copied().chain([from]).max().unwrap_or(0);
    let names = node_names(largest, seed);
    let before_ring = Ring::with_nodes(vnodes, &names[..from])?;
    let before_mod = ModN::new(from as u64)?;
    let owners_before: Vec<&str> = hashes
        .iter()
        .map(|&hash| before_ring.node_for_hash(hash))
        .collect::<Result<_, _>>()?;
    to.iter()
        .map(|&count| {
            let after_ring = Ring::with_nodes(vnodes, &names[..count])?;
            let after_mod = ModN::new(count as u64)?;
            let mut mod_moved = 0;
            let mut ring_moved = 0;
            for (&hash, &owner) in hashes.iter().zip(&owners_before) {
                mod_moved += usize::from(
                    before_mod.partition_for_hash(hash) != after_mod.partition_for_hash(hash),
                );
                ring_moved += usize::from(after_ring.node_for_hash(hash)? != owner);
            }
            Ok(RemapRow {
                from_nodes: from,
                to_nodes: count,
                mod_n_moved: fraction(mod_moved, keys),
                ring_moved: fraction(ring_moved, keys),
                ideal_ring_moved: from.abs_diff(count) as f64 / from.max(count) as f64,
            })
        })
        .collect()
}

/// How even one ring is, in [`balance_sweep`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::balance_sweep;
///
/// let row = balance_sweep(10, &[256], 3)?[0];
/// assert!(row.max_over_mean < 1.25);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BalanceRow {
    /// Virtual nodes per node.
    pub vnodes: u32,
    /// The largest node share divided by the mean share, averaged over the rings.
    pub max_over_mean: f64,
    /// The smallest node share divided by the mean share, averaged over the rings.
    pub min_over_mean: f64,
    /// The standard deviation of the node shares divided by their mean, pooled over the rings.
    pub spread: f64,
    /// `1 / sqrt(vnodes)`, what the spread approaches for many nodes.
    pub one_over_sqrt_v: f64,
}

/// For each vnode count, builds `rings` rings of `nodes` nodes (seeds `1..=rings`) and measures
/// how unequal the nodes' exact shares of the hash space are.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for fewer than 2 nodes or no rings; [`Ring::new`]'s errors
/// for a vnode count.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::balance_sweep;
///
/// let rows = balance_sweep(10, &[1, 256], 5)?;
/// assert!(rows[0].max_over_mean > 2.0 * rows[1].max_over_mean - 1.0);
/// assert!(rows[1].spread < 0.1);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn balance_sweep(
    nodes: usize,
    vnode_counts: &[u32],
    rings: u64,
) -> Result<Vec<BalanceRow>, PartitionError> {
    if nodes < 2 {
        return Err(PartitionError::parameter(
            "nodes",
            nodes,
            "at least 2 nodes are needed to compare loads",
        ));
    }
    if rings == 0 {
        return Err(PartitionError::parameter("rings", rings, "at least 1 ring"));
    }
    vnode_counts
        .iter()
        .map(|&vnodes| {
            let (mut max_sum, mut min_sum, mut squares) = (0.0, 0.0, 0.0);
            for seed in 1..=rings {
                let ring = Ring::with_nodes(vnodes, node_names(nodes, seed))?;
                let relative: Vec<f64> = ring
                    .shares()
                    .iter()
                    .map(|share| share.share * nodes as f64)
                    .collect();
                max_sum += relative.iter().copied().fold(f64::MIN, f64::max);
                min_sum += relative.iter().copied().fold(f64::MAX, f64::min);
                squares += relative.iter().map(|r| (r - 1.0) * (r - 1.0)).sum::<f64>();
            }
            let count = rings as f64;
            Ok(BalanceRow {
                vnodes,
                max_over_mean: max_sum / count,
                min_over_mean: min_sum / count,
                spread: (squares / (count * nodes as f64)).sqrt(),
                one_over_sqrt_v: 1.0 / f64::from(vnodes).sqrt(),
            })
        })
        .collect()
}

/// One node joining one ring, in [`join_trials`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::join_trials;
///
/// let row = &join_trials(10, &[256], 1)?[0];
/// assert!(row.donors >= 9);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct JoinRow {
    /// Virtual nodes per node.
    pub vnodes: u32,
    /// Which ring (its seed).
    pub seed: u64,
    /// The fraction of the hash space (so of the keys, on average) that moved: exactly the
    /// newcomer's share, since a join moves keys only to it.
    pub moved: f64,
    /// How many old nodes gave up keys to the newcomer.
    pub donors: usize,
}

/// For each vnode count and each ring seed `1..=rings`, adds node number `nodes` to a ring of
/// `nodes` nodes and measures the moved share (exactly, from the arcs) and the donors.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for no nodes; [`Ring::new`]'s errors for a vnode count.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::join_trials;
///
/// let rows = join_trials(10, &[1, 256], 5)?;
/// let one_token: Vec<&_> = rows.iter().filter(|row| row.vnodes == 1).collect();
/// assert!(one_token.iter().all(|row| row.donors == 1)); // one arc, one predecessor's owner
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn join_trials(
    nodes: usize,
    vnode_counts: &[u32],
    rings: u64,
) -> Result<Vec<JoinRow>, PartitionError> {
    if nodes == 0 {
        return Err(PartitionError::parameter(
            "nodes",
            nodes,
            "at least 1 node must be on the ring before the join",
        ));
    }
    let mut rows = Vec::new();
    for &vnodes in vnode_counts {
        for seed in 1..=rings {
            let names = node_names(nodes + 1, seed);
            let before = Ring::with_nodes(vnodes, &names[..nodes])?;
            let mut after = before.clone();
            after.add_node(&names[nodes])?;
            let newcomer = &names[nodes];
            let mut donors = vec![false; nodes];
            for (token, owner) in after.tokens() {
                if owner == newcomer {
                    donors[before.index_for_hash(token)?] = true;
                }
            }
            rows.push(JoinRow {
                vnodes,
                seed,
                moved: after.shares()[nodes].share,
                donors: donors.iter().filter(|&&gave| gave).count(),
            });
        }
    }
    Ok(rows)
}

/// One ring size and vnode count at a glance, for a live control: how uneven the shares are
/// ([`balance_sweep`]) and how much a join moves ([`join_trials`]), over the same rings.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::ring_summary;
///
/// let row = ring_summary(10, 256, 20)?;
/// assert_eq!(row.ideal_moved, 1.0 / 11.0);
/// assert!(row.moved_min <= row.moved_mean && row.moved_mean <= row.moved_max);
/// assert!(ring_summary(1, 256, 20).is_err()); // balance needs two nodes
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RingSummary {
    /// Nodes on the ring before the join.
    pub nodes: usize,
    /// Virtual nodes per node.
    pub vnodes: u32,
    /// The largest node's share over the mean share, averaged over the rings.
    #[serde(rename = "largest / mean")]
    pub largest_over_mean: f64,
    /// The smallest node's share over the mean share, averaged over the rings.
    #[serde(rename = "smallest / mean")]
    pub smallest_over_mean: f64,
    /// Share of the keys that moved when one node joined, fewest over the rings.
    #[serde(rename = "moved by a join, least")]
    pub moved_min: f64,
    /// The same, averaged over the rings.
    #[serde(rename = "moved, mean")]
    pub moved_mean: f64,
    /// The same, most over the rings.
    #[serde(rename = "moved, most")]
    pub moved_max: f64,
    /// What an even ring moves: 1 / (nodes + 1).
    #[serde(rename = "even ring moves")]
    pub ideal_moved: f64,
}

/// [`RingSummary`] of `nodes` nodes with `vnodes` points each, over the rings `1..=rings`.
///
/// # Errors
///
/// [`balance_sweep`]'s and [`join_trials`]'s: fewer than 2 nodes, no rings, or a vnode count
/// [`Ring::new`] refuses.
pub fn ring_summary(nodes: usize, vnodes: u32, rings: u64) -> Result<RingSummary, PartitionError> {
    let balance = balance_sweep(nodes, &[vnodes], rings)?[0];
    let moved: Vec<f64> = join_trials(nodes, &[vnodes], rings)?
        .iter()
        .map(|row| row.moved)
        .collect();
    Ok(RingSummary {
        nodes,
        vnodes,
        largest_over_mean: balance.max_over_mean,
        smallest_over_mean: balance.min_over_mean,
        moved_min: moved.iter().copied().fold(f64::INFINITY, f64::min),
        moved_mean: moved.iter().sum::<f64>() / moved.len() as f64,
        moved_max: moved.iter().copied().fold(0.0, f64::max),
        ideal_moved: 1.0 / (nodes as f64 + 1.0),
    })
}

fn fraction(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
