//! Rebalancing cost: what a join copies, and what a failure pushes onto the survivors.

use serde::Serialize;

use super::{PartitionError, Ring, node_names};

/// The price of adding one node, in [`join_cost`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::join_cost;
///
/// let cost = join_cost(50_000_000, 5, 256, 10_000, 1)?;
/// assert_eq!(cost.even_moved_keys, 8_333_333);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct JoinCost {
    /// Keys that move with a perfectly even ring: `keys / (nodes + 1)`.
    pub even_moved_keys: u64,
    /// Keys that move on this ring (the newcomer's exact share of the keys).
    pub ring_moved_keys: u64,
    /// Seconds to copy the ring's moved keys at the given rate.
    pub copy_seconds: f64,
    /// Fraction of the keys that miss in a cache cluster right after the join.
    pub miss_fraction: f64,
}

/// Adds node number `nodes + 1` to a ring of `nodes` nodes with `vnodes` each (ring number
/// `seed`) holding `keys` keys, and prices the move at `keys_per_second`.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for no nodes or a copy rate of 0; [`Ring::new`]'s errors.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::join_cost;
///
/// let cost = join_cost(50_000_000, 5, 256, 10_000, 1)?;
/// assert!((cost.miss_fraction - 1.0 / 6.0).abs() < 0.03);
/// assert!((cost.copy_seconds - 833.0).abs() < 150.0);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn join_cost(
    keys: u64,
    nodes: usize,
    vnodes: u32,
    keys_per_second: u64,
    seed: u64,
) -> Result<JoinCost, PartitionError> {
    if nodes == 0 || keys_per_second == 0 {
        return Err(PartitionError::parameter(
            "nodes, keys per second",
            format!("{nodes}, {keys_per_second}"),
            "both must be at least 1",
        ));
    }
    let names = node_names(nodes + 1, seed);
    let mut ring = Ring::with_nodes(vnodes, &names[..nodes])?;
    ring.add_node(&names[nodes])?;
    let share = ring.shares()[nodes].share;
    let ring_moved_keys = (keys as f64 * share).round() as u64;
    Ok(JoinCost {
        even_moved_keys: keys / (nodes as u64 + 1),
        ring_moved_keys,
        copy_seconds: ring_moved_keys as f64 / keys_per_second as f64,
        miss_fraction: share,
    })
}

/// How one ring fares when one node dies, in [`cascade_trial`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::cascade_trial;
///
/// let row = cascade_trial(20, &[256], &[0.5], 3)?[0];
/// assert!((row.surviving - 19.0 / 20.0).abs() < 1e-9); // only the dead node is down
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CascadeRow {
    /// Virtual nodes per node.
    pub vnodes: u32,
    /// Mean load over capacity before the failure.
    pub utilization: f64,
    /// Fraction of the nodes still up when the cascade stops, averaged over the rings.
    pub surviving: f64,
    /// The largest part of the dead node's load that one survivor inherits, averaged over
    /// the rings: 1 with one token per node, about `1 / (N - 1)` with many.
    pub largest_heir: f64,
}

/// `nodes` nodes of capacity 1 share a load of `utilization * nodes` in proportion to their
/// ring shares. The first node dies; every node whose load then exceeds its capacity fails
/// too, its load moving on around the ring, until no node is overloaded. Repeated on rings
/// `1..=rings` for each vnode count and utilization.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for fewer than 2 nodes, no rings, or a utilization that is
/// not a number from 0 to 1; [`Ring::new`]'s errors for a vnode count.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::cascade_trial;
///
/// let rows = cascade_trial(20, &[1, 256], &[0.6], 5)?;
/// assert!(rows[0].surviving < rows[1].surviving); // one token: the heir takes it all
/// assert_eq!(rows[0].largest_heir, 1.0);
/// assert!(rows[1].largest_heir < 0.1);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn cascade_trial(
    nodes: usize,
    vnode_counts: &[u32],
    utilizations: &[f64],
    rings: u64,
) -> Result<Vec<CascadeRow>, PartitionError> {
    if nodes < 2 || rings == 0 {
        return Err(PartitionError::parameter(
            "nodes, rings",
            format!("{nodes}, {rings}"),
            "at least 2 nodes and 1 ring",
        ));
    }
    if let Some(bad) = utilizations.iter().find(|u| !(0.0..=1.0).contains(*u)) {
        return Err(PartitionError::parameter(
            "utilization",
            bad,
            "a mean load over capacity from 0 to 1",
        ));
    }
    let mut rows = Vec::new();
    for &vnodes in vnode_counts {
        for &utilization in utilizations {
            let (mut surviving, mut largest_heir) = (0.0, 0.0);
            for seed in 1..=rings {
                let names = node_names(nodes, seed);
                let mut ring = Ring::with_nodes(vnodes, &names)?;
                let before = ring.shares();
                let dead_share = before[0].share;
                ring.remove_node(&names[0])?;
                let after = ring.shares();
                largest_heir += after
                    .iter()
                    .zip(&before[1..])
                    .map(|(now, then)| (now.share - then.share) / dead_share)
                    .fold(0.0, f64::max);
                let load = utilization * nodes as f64;
                loop {
                    let overloaded: Vec<String> = ring
                        .shares()
                        .into_iter()
                        .filter(|node| node.share * load > 1.0 + 1e-12)
                        .map(|node| node.node)
                        .collect();
                    if overloaded.is_empty() {
                        break;
                    }
                    if overloaded.len() == ring.len() {
                        ring = Ring::new(vnodes)?;
                        break;
                    }
                    for name in overloaded {
                        ring.remove_node(name)?;
                    }
                }
                surviving += ring.len() as f64 / nodes as f64;
            }
            rows.push(CascadeRow {
                vnodes,
                utilization,
                surviving: surviving / rings as f64,
                largest_heir: largest_heir / rings as f64,
            });
        }
    }
    Ok(rows)
}
