//! Partitioning and consistent hashing: which node holds which key, and what moves when the
//! set of nodes changes.
//!
//! A store too big for one machine splits its keys into partitions and gives each node some
//! of them. The split has to answer three questions: where does a key live (every client must
//! agree, without asking a directory), how even is the load, and how many keys move when a
//! node joins or leaves (each moved key is data to copy, or a cache miss).
//!
//! # The pieces
//!
//! * [`hash_key`]: a stable 64-bit hash, the same on every machine and in every release.
//! * [`ModN`]: `hash mod N`. Even, simple, and it moves almost every key when `N` changes:
//!   of any `lcm(N, M)` consecutive hashes exactly `min(N, M)` stay ([`kept_in_period`]).
//! * [`Ring`]: a consistent-hash ring with virtual nodes. A join moves keys only to the
//!   newcomer, a leave moves only the leaver's keys, about `1/(N+1)` of them for a join to
//!   `N` nodes. [`Ring::preference_list`] gives a key's replicas as distinct nodes, and
//!   [`Ring::zone_aware_preference_list`] spreads them over zones.
//! * [`RangePartitioner`]: contiguous key ranges, which keep scans on few partitions and send
//!   every new time-ordered key to the last one.
//! * [`SaltedCounter`]: one hot key split into `b` sub-keys; writes spread, reads fan out.
//!
//! The experiments take their parameters (and a seed where anything is random) and return
//! plain rows: [`remap_sweep`] (mod N against the ring), [`balance_sweep`] (load spread
//! against vnodes), [`join_trials`] and [`join_cost`] (what a join moves and costs),
//! [`weighted_join_trials`] (a bigger node with proportionally more vnodes),
//! [`repartition_experiment`] (a keyed topic gaining partitions, run on the simulator: per-key
//! order lost),
//! [`zone_outage`] (replicas when a zone fails), [`migration_trial`] (backfill during dual
//! writes), [`write_hot_spot`] and [`scan_fan_out`]
//! (range against hash keys), [`salting_trial`] (hot keys), [`cascade_trial`] (overload
//! spreading after a failure) and [`fan_out_trial`] (scatter-gather tail latency).
//!
//! Bad parameters (zero vnodes, more replicas than nodes, a node the ring does not have) come
//! back as a [`PartitionError`] that says what is allowed.
//!
//! # What consistent hashing does not do
//!
//! It spreads *keys*, not *load*: one very popular key still lands on one node, whatever the
//! number of virtual nodes. It knows nothing of racks or zones unless the replica walk is told
//! about them. It breaks range scans, since neighbouring keys hash far apart. And it says
//! nothing about moving the data itself; a join only tells you which keys must be copied.
//!
//! # Examples
//!
//! ```
//! use lessons::partitioning::{ModN, Ring};
//!
//! let keys: Vec<String> = (0..10_000).map(|k| format!("user:{k}")).collect();
//! let before = Ring::with_nodes(256, ["A", "B", "C", "D"])?;
//! let mut after = before.clone();
//! after.add_node("E")?;
//! let moved = keys
//!     .iter()
//!     .filter(|key| before.node_for(key.as_str()).unwrap() != after.node_for(key.as_str()).unwrap())
//!     .count();
//! assert!((1_700..2_300).contains(&moved)); // about 1/5
//!
//! let (four, five) = (ModN::new(4)?, ModN::new(5)?);
//! let remapped = keys.iter().filter(|key| four.partition_for(key.as_str()) != five.partition_for(key.as_str())).count();
//! assert!((7_700..8_300).contains(&remapped)); // about 4/5
//! # Ok::<(), lessons::partitioning::PartitionError>(())
//! ```
//!
//! # References
//!
//! * David Karger et al., "Consistent Hashing and Random Trees", STOC 1997: the ring.
//! * Giuseppe DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007,
//!   sections 4.2 (partitioning, virtual nodes) and 4.3 (preference lists).
//! * Martin Kleppmann, "Designing Data-Intensive Applications", O'Reilly 2017, chapter 6
//!   ("Partitioning"): range versus hash partitioning, skew and hot spots, rebalancing.
//! * Jeffrey Dean and Luiz André Barroso, "The Tail at Scale", CACM 56(2), 2013: fan-out and
//!   the tail.

mod error;
mod figures;
mod hash;
mod hot_keys;
mod migration;
mod modulo;
mod movement;
mod placement;
mod ranges;
mod rebalancing;
mod repartition;
mod ring;
mod scatter_gather;
mod weighted;

pub use error::PartitionError;
pub use figures::{
    balance_figure, cascade_figure, fan_out_latency_figure, hot_spot_figure, remap_figure,
    salting_figure, scan_figure, slow_partition_figure, spread_figure, weighted_join_figure,
};
pub use hash::{hash_key, hash_with_seed};
pub use hot_keys::{SaltedCounter, SaltingRow, buckets_needed, salting_trial};
pub use migration::{Backfill, MigrationRow, migration_trial};
pub use modulo::{ModN, kept_in_period, moved_in_period};
pub use movement::{
    BalanceRow, JoinRow, RemapRow, RingSummary, balance_sweep, join_trials, node_names,
    remap_sweep, ring_summary, sample_hashes,
};
pub use placement::{ZoneOutageRow, zone_outage, zoned_ring};
pub use ranges::{RangePartitioner, ScanRow, WriteShareRow, scan_fan_out, write_hot_spot};
pub use rebalancing::{CascadeRow, JoinCost, cascade_trial, join_cost};
pub use repartition::{ReorderRow, reorder_figure, repartition_experiment};
pub use ring::{NodeShare, Ring, VNODE_SEED};
pub use scatter_gather::{FanOutRow, ShardLatency, fan_out_trial};
pub use weighted::{WeightedJoinRow, weighted_join_trials};
