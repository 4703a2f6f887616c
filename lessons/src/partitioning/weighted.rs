//! Nodes of unequal capacity on the ring: a node with `k` times the capacity gets `k` times the
//! virtual nodes, and so, on average, `k` times the keys.

use serde::Serialize;

use super::movement::node_names;
use super::{PartitionError, Ring};

/// One join of a bigger node, in [`weighted_join_trials`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::weighted_join_trials;
///
/// let row = weighted_join_trials(10, &[256], 2, 1)?[0];
/// assert_eq!((row.vnodes, row.weight, row.newcomer_vnodes), (256, 2, 512));
/// assert_eq!(row.ideal, 2.0 / 12.0);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedJoinRow {
    /// Virtual nodes of each old node.
    pub vnodes: u32,
    /// The newcomer's capacity, in old nodes.
    pub weight: u32,
    /// The newcomer's virtual nodes: `weight × vnodes`.
    pub newcomer_vnodes: u32,
    /// Which ring (its seed).
    pub seed: u64,
    /// The share of the hash space the newcomer took, exactly: the fraction of keys that
    /// moved, since a join moves keys only to the newcomer.
    pub moved: f64,
    /// What capacity asks for: `weight / (nodes + weight)`.
    pub ideal: f64,
    /// `moved / ideal`: 1.0 when the newcomer's share matches its capacity.
    pub moved_over_ideal: f64,
}

/// For each vnode count `V` and each ring seed `1..=rings`, a node with `weight` times the
/// capacity joins a ring of `nodes` nodes of `V` virtual nodes each, with `weight × V`
/// virtual nodes of its own; measures the share it took (exactly, from the arcs).
///
/// # Errors
///
/// [`PartitionError::Parameter`] for no nodes, a weight of 0, or `weight × V` above
/// [`Ring::MAX_VNODES`]; [`Ring::new`]'s errors for a vnode count.
///
/// # Examples
///
/// A node with twice the capacity joins ten: with one token each its share is luck, with
/// 1,024 each it is close to 2/12.
///
/// ```
/// use lessons::partitioning::weighted_join_trials;
///
/// let rows = weighted_join_trials(10, &[1024], 2, 5)?;
/// assert!(rows.iter().all(|row| (row.moved_over_ideal - 1.0).abs() < 0.1));
/// assert!(weighted_join_trials(10, &[1], 0, 1).is_err());
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn weighted_join_trials(
    nodes: usize,
    vnode_counts: &[u32],
    weight: u32,
    rings: u64,
) -> Result<Vec<WeightedJoinRow>, PartitionError> {
    if nodes == 0 {
        return Err(PartitionError::parameter(
            "nodes",
            nodes,
            "at least 1 node must be on the ring before the join",
        ));
    }
    if weight == 0 {
        return Err(PartitionError::parameter(
            "weight",
            weight,
            "a joining node has a capacity of at least 1 old node",
        ));
    }
    let mut rows = Vec::new();
    for &vnodes in vnode_counts {
        let newcomer_vnodes = vnodes
            .checked_mul(weight)
            .filter(|&total| total <= Ring::MAX_VNODES)
            .ok_or_else(|| {
                PartitionError::parameter(
                    "weight × vnodes",
                    u64::from(weight) * u64::from(vnodes),
                    format!("the newcomer may have at most {} vnodes", Ring::MAX_VNODES),
                )
            })?;
        for seed in 1..=rings {
            let names = node_names(nodes + 1, seed);
            let mut ring = Ring::with_nodes(vnodes, &names[..nodes])?;
            ring.add_weighted_node(&names[nodes], &names[nodes], newcomer_vnodes)?;
            let moved = ring.shares()[nodes].share;
            let ideal = f64::from(weight) / (nodes as f64 + f64::from(weight));
            rows.push(WeightedJoinRow {
                vnodes,
                weight,
                newcomer_vnodes,
                seed,
                moved,
                ideal,
                moved_over_ideal: moved / ideal,
            });
        }
    }
    Ok(rows)
}
