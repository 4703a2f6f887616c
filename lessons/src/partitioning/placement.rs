//! Replicas and zones: what a whole zone going dark does to naive and zone-aware placement.

use serde::Serialize;

use super::{PartitionError, Ring, sample_hashes};

/// One placement policy with one zone failed, in [`zone_outage`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::zone_outage;
///
/// let rows = zone_outage(3, 4, 64, 3, 2_000, 1)?;
/// assert_eq!(rows.len(), 2 * 3); // two policies, each zone failed in turn
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneOutageRow {
    /// `naive` (the next distinct nodes clockwise) or `zone-aware`.
    pub placement: &'static str,
    /// The zone that failed.
    pub failed_zone: String,
    /// Fraction of the keys with no live replica: unreadable.
    pub no_replica: f64,
    /// Fraction of the keys with fewer live replicas than a majority of `rf`: no quorum.
    pub no_quorum: f64,
    /// The fewest distinct zones any key's replicas span.
    pub min_zones_spanned: usize,
}

/// A ring of `zones` zones with `nodes_per_zone` nodes each (`vnodes` each), `keys` keys with
/// `rf` replicas placed naively and zone-aware; each zone fails in turn, and the rows count the
/// keys left without a replica and without a quorum (`rf / 2 + 1` live replicas).
///
/// # Errors
///
/// [`PartitionError::Parameter`] for no zones or no nodes per zone; the ring's errors for
/// `vnodes` and for `rf` larger than the number of nodes.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::zone_outage;
///
/// let rows = zone_outage(3, 4, 64, 3, 5_000, 1)?;
/// let aware = rows.iter().filter(|row| row.placement == "zone-aware");
/// for row in aware {
///     assert_eq!((row.no_replica, row.no_quorum, row.min_zones_spanned), (0.0, 0.0, 3));
/// }
/// let naive_worst = rows.iter().filter(|row| row.placement == "naive").map(|row| row.no_quorum);
/// assert!(naive_worst.fold(0.0, f64::max) > 0.05);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn zone_outage(
    zones: usize,
    nodes_per_zone: usize,
    vnodes: u32,
    rf: usize,
    keys: usize,
    seed: u64,
) -> Result<Vec<ZoneOutageRow>, PartitionError> {
    if zones == 0 || nodes_per_zone == 0 {
        return Err(PartitionError::parameter(
            "zones x nodes per zone",
            format!("{zones} x {nodes_per_zone}"),
            "at least one zone with at least one node",
        ));
    }
    let ring = zoned_ring(zones, nodes_per_zone, vnodes, seed)?;
    let hashes = sample_hashes(keys, seed);
    let zone_names = ring.zones().to_vec();
    let mut rows = Vec::new();
    for placement in ["naive", "zone-aware"] {
        let lists: Vec<Vec<&str>> = hashes
            .iter()
            .map(|hash| {
                let key = hash.to_le_bytes();
                if placement == "naive" {
                    ring.preference_list(key, rf)
                } else {
                    ring.zone_aware_preference_list(key, rf)
                }
            })
            .collect::<Result<_, _>>()?;
        let zones_of: Vec<Vec<&str>> = lists
            .iter()
            .map(|list| list.iter().map(|node| ring.zone_of(node)).collect())
            .collect::<Result<_, _>>()?;
        let min_zones_spanned = zones_of
            .iter()
            .map(|zones| {
                let mut distinct = zones.clone();
                distinct.sort_unstable();
                distinct.dedup();
                distinct.len()
            })
            .min()
            .unwrap_or(0);
        for failed in &zone_names {
            let live: Vec<usize> = zones_of
                .iter()
                .map(|zones| zones.iter().filter(|zone| *zone != failed).count())
                .collect();
            rows.push(ZoneOutageRow {
                placement,
                failed_zone: failed.clone(),
                no_replica: share(&live, |alive| alive == 0),
                no_quorum: share(&live, |alive| alive < rf / 2 + 1),
                min_zones_spanned,
            });
        }
    }
    Ok(rows)
}

/// A ring with zones `zone-a`, `zone-b`, ... of `nodes_per_zone` nodes each (named `a1`, `a2`,
/// ..., suffixed with the seed so that seeds give different rings).
///
/// # Errors
///
/// [`Ring::new`]'s errors for `vnodes`; [`PartitionError::Parameter`] for more than 26 zones.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::zoned_ring;
///
/// let ring = zoned_ring(3, 2, 16, 1)?;
/// assert_eq!(ring.zones(), ["zone-a", "zone-b", "zone-c"]);
/// assert_eq!(ring.nodes().next(), Some("a1.s1"));
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn zoned_ring(
    zones: usize,
    nodes_per_zone: usize,
    vnodes: u32,
    seed: u64,
) -> Result<Ring, PartitionError> {
    if zones > 26 {
        return Err(PartitionError::parameter(
            "zones",
            zones,
            "zones are lettered, so at most 26",
        ));
    }
    let mut ring = Ring::new(vnodes)?;
    for zone in 0..zones {
        let letter = char::from(b'a' + zone as u8);
        for node in 1..=nodes_per_zone {
            ring.add_node_in_zone(format!("{letter}{node}.s{seed}"), format!("zone-{letter}"))?;
        }
    }
    Ok(ring)
}

fn share(values: &[usize], test: impl Fn(usize) -> bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|&&value| test(value)).count() as f64 / values.len() as f64
}
