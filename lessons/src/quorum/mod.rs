//! Leaderless replication and quorums: N copies, W acknowledgements, R answers, and what the
//! three numbers do and do not promise.
//!
//! A leaderless store (Dynamo, Cassandra, Riak) keeps each key on N replicas, chosen by the
//! key's place on a consistent-hash ring. Any client may coordinate a request: a write goes to
//! all N replicas and succeeds once W have acknowledged it; a read asks all N and answers with
//! the newest version among the first R replies. Versions here are last-writer-wins stamps
//! ([`WriteStamp`](crate::clocks::WriteStamp)).
//!
//! # What the numbers promise
//!
//! * **Overlap.** When `W + R > N`, every set of R replicas shares at least `W + R - N` with
//!   every set of W ([`Quorum::min_overlap`]), so a read that starts after a write was
//!   acknowledged sees it (or something newer). When `W + R ≤ N` a read can miss it: right
//!   after the write, with probability `C(N-W, R) / C(N, R)` ([`Quorum::stale_read_probability`],
//!   [`stale_read_experiment`]).
//! * **Availability.** Writes survive `N - W` unreachable replicas and reads `N - R`
//!   ([`Quorum::write_availability`], [`availability_row`], [`both_available_grid`]).
//! * **Latency.** Waiting for k of N replies is waiting for the k-th fastest: an order
//!   statistic ([`expected_exponential_wait`], [`quorum_latency_experiment`]).
//!
//! # What they do not promise
//!
//! Overlap is not **linearizability**. A read can see a write that is still in flight while a
//! later read, from a quorum the write has not reached yet, does not ([`inversion_run`]); the
//! checker in [`crate::check`] finds such histories ([`linearizability_experiment`]), and the
//! explorer of [`crate::check`] finds the shortest run that produces one by trying every
//! delivery order of a three-replica store ([`InversionModel`]). Writing the
//! newest version back to a quorum before a read answers (the ABD algorithm's read phase,
//! [`ReadRepair::Blocking`]) closes that hole for a single writer; concurrent writers stamped by
//! skewed clocks open another.
//!
//! # Keeping replicas together
//!
//! * **Read repair** ([`ReadRepair`], [`read_repair_experiment`]): reads that notice an older
//!   copy fix it, so often-read keys heal and rarely read ones do not.
//! * **Sloppy quorums and hinted handoff** ([`SloppyCluster`], [`hinted_handoff_experiment`]):
//!   writes to stand-in nodes keep writes available, at the price of the overlap guarantee;
//!   [`SloppyCluster::set_reachable`] stages a partition that one client sees and another does not.
//! * **Strict against sloppy over a partition's length** ([`strict_vs_sloppy_experiment`],
//!   [`strict_vs_sloppy_figure`]): strict quorums lose writes, sloppy ones serve stale reads,
//!   and beyond the hint window the stale reads outlast the partition.
//! * **Anti-entropy with Merkle trees** ([`MerkleTree`], [`anti_entropy_experiment`]):
//!   replicas compare hashes top-down and exchange only the differing buckets.
//! * **Read repair against anti-entropy** ([`convergence_experiment`], [`convergence_figure`],
//!   [`time_to_agree`]): read repair settles keys as they are read, anti-entropy settles
//!   every key at its next round.
//! * **Tombstones** ([`TombstoneReplica`], [`resurrection_experiment`]): deletes are writes, and
//!   purging them before every replica has them brings deleted data back.
//! * **Several data centres** ([`ConsistencyLevel`], [`multi_dc_latency_experiment`],
//!   [`wan_partition_experiment`]):
//!   LOCAL_QUORUM answers from the local data centre, fast and partition-tolerant, and lets
//!   the data centres diverge.
//!
//! Replica placement is an input everywhere: a list of node ids, the key's preference list on
//! the consistent-hash ring of [`crate::partitioning`] ([`replicas_for`]).
//!
//! # References
//!
//! * Giuseppe DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007:
//!   section 4.5 (N, W, R), 4.6 (sloppy quorum and hinted handoff), 4.7 (Merkle trees).
//! * Hagit Attiya, Amotz Bar-Noy and Danny Dolev, "Sharing Memory Robustly in Message-Passing
//!   Systems", JACM 42(1), 1995: the ABD register (write back before a read returns).
//! * Peter Bailis et al., "Probabilistically Bounded Staleness for Practical Partial Quorums",
//!   VLDB 2012: stale reads when `W + R ≤ N`, and how fast the risk fades.
//! * Martin Kleppmann, "Designing Data-Intensive Applications", chapter 5 ("Leaderless
//!   Replication") and chapter 9 ("Linearizability and quorums").
//!
//! # Examples
//!
//! ```
//! use lessons::quorum::Quorum;
//!
//! let balanced = Quorum::new(3, 2, 2)?;
//! assert_eq!(balanced.min_overlap(), 1);
//! assert!(Quorum::new(3, 4, 1).is_err()); // W > N
//! # Ok::<(), lessons::quorum::QuorumError>(())
//! ```

mod availability;
mod convergence;
mod error;
mod figures;
mod inversion;
mod inversion_model;
mod latency;
mod merkle;
mod multi_dc;
mod overlap;
mod placement;
mod read_repair;
mod sloppy;
mod staleness;
mod store;
mod strict_sloppy;
mod tombstones;

pub use availability::{
    AvailabilityRow, availability_row, both_available_grid, simulated_availability,
};
pub use convergence::{ConvergenceRow, convergence_experiment, time_to_agree};
pub use error::QuorumError;
pub use figures::{
    ExpectedWaitRow, anti_entropy_figure, conflicts_figure, convergence_figure,
    described_operations, expected_wait_rows, handoff_step, inversion_diagram, latency_figure,
    linearizability_figure, stale_read_figure, strict_vs_sloppy_figure,
};
pub use inversion::{
    LinearizabilityParameters, LinearizabilityRow, inversion_run, linearizability_experiment,
    random_store, random_store_run,
};
pub use inversion_model::{ExplorationRow, InversionModel, StoreAction, StoreCall, StoreState};
pub use latency::{LatencyRow, expected_exponential_wait, quorum_latency_experiment};
pub use merkle::{AntiEntropyRow, Descent, MAX_DEPTH, MerkleTree, anti_entropy_experiment};
pub use multi_dc::{
    ConsistencyLevel, DcLatencyRow, PartitionRow, multi_dc_latency_experiment,
    wan_partition_experiment,
};
pub use overlap::{MAX_REPLICAS, Quorum};
pub use placement::replicas_for;
pub use read_repair::{DivergenceRow, ReadRepairParameters, read_repair_experiment};
pub use sloppy::{
    ClientSide, HandoffRow, Hint, SloppyCluster, WriteOutcome, hinted_handoff_experiment,
};
pub use staleness::{StaleRow, stale_read_experiment, stale_read_probability_after};
pub use store::{Client, Planned, ReadRepair, Replica, Request, StoreMessage, Versioned};
pub use strict_sloppy::{StrictSloppyRow, strict_vs_sloppy_experiment};
pub use tombstones::{Cell, ResurrectionRow, TombstoneReplica, resurrection_experiment};
