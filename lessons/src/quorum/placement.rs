//! Where a key's replicas live: the first nodes of its preference list on a consistent-hash
//! ring, as node ids (positions in the ring's join order) that the simulations use.

use super::error::QuorumError;
use crate::partitioning::Ring;
use crate::sim::NodeId;

/// The first `count` nodes of `key`'s preference list on `ring`, as node ids: a node's id is
/// its position in [`Ring::nodes`] (join order), so node `i` of a simulation built in the same
/// order is that ring node. The first N are the key's home replicas; the rest are the
/// stand-ins a sloppy quorum falls back to, nearest first.
///
/// # Errors
///
/// [`QuorumError::Placement`] when `count` is 0 or more than the ring's nodes.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::Ring;
/// use lessons::quorum::replicas_for;
///
/// let ring = Ring::with_nodes(64, ["n0", "n1", "n2", "n3", "n4"])?;
/// let replicas = replicas_for(&ring, "cart:7", 5)?;
/// let mut sorted = replicas.clone();
/// sorted.sort();
/// assert_eq!(sorted, [0, 1, 2, 3, 4]);
/// assert_eq!(ring.nodes().nth(replicas[0]), Some(ring.node_for("cart:7")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replicas_for(ring: &Ring, key: &str, count: usize) -> Result<Vec<NodeId>, QuorumError> {
    let names: Vec<&str> = ring.nodes().collect();
    let list = ring
        .preference_list(key, count)
        .map_err(QuorumError::Placement)?;
    Ok(list
        .iter()
        .filter_map(|name| names.iter().position(|known| known == name))
        .collect())
}
