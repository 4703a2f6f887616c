//! CRDTs: replicated data that every replica may update without asking anyone, and that still
//! converges.
//!
//! A conflict-free replicated data type (CRDT) is a data type whose replicas accept updates
//! locally, with no coordination, and exchange them in the background; replicas that have
//! received the same updates, in whatever order and however often, are in the same state
//! (*strong eventual consistency*). There are two ways to get there:
//!
//! * **state-based** ([`Crdt`]): replicas send whole states and [`merge`](Crdt::merge) them.
//!   The states form a join semilattice and merge is the join: commutative, associative and
//!   idempotent, so a lossy, duplicating, reordering network is fine as long as states keep
//!   flowing;
//! * **operation-based** ([`OperationBased`]): replicas send the operations their updates
//!   return and [`apply`](OperationBased::apply) them. Classic operation-based CRDTs need only
//!   concurrent operations to commute, and rely on the network to deliver every operation
//!   exactly once, in causal order. The operations here are delta states (small states merged
//!   like any other), so every operation commutes with every other and is idempotent, and a
//!   reordering, duplicating network is fine too.
//!
//! # The types
//!
//! | type | update | merge | what it gives up |
//! |---|---|---|---|
//! | [`GCounter`] | increment | entry-wise max | decrements |
//! | [`PNCounter`] | increment, decrement | both halves | bounds: it can go below zero |
//! | [`GSet`] | add | union | removal |
//! | [`TwoPhaseSet`] | add, remove once | two unions | re-adding; tombstones grow forever |
//! | [`LwwRegister`] | set | larger stamp wins | all concurrent writes but one |
//! | [`MvRegister`] | set | keep writes the other side has not overwritten | a single value: readers see siblings |
//! | [`OrSet`] | add, remove | keep dots the other side has not removed | nothing of the above; add wins over a concurrent remove |
//! | [`Rga`] | insert into a sequence | place each insert after its anchor, larger ids first | deletes, in this lesson |
//!
//! The observed-remove set and the multi-value register tag each write with a [`Dot`] and carry
//! a [`CausalContext`] of the dots they have seen; that is how they tell "removed there" from
//! "not yet seen there" without tombstones.
//!
//! # Experiments
//!
//! * [`counter_run`] and [`duplication_experiment`]: increments sent as operations over the
//!   simulated network with duplication: a "+1" message counts twice when duplicated, a
//!   G-Counter operation does not.
//! * [`convergence_run`]: replicas updating and gossiping states through a partition; how many
//!   distinct states there are over time.
//! * [`cart_experiment`]: a shopping cart kept as Dynamo kept it (siblings merged by union) and as
//!   an [`OrSet`]: how often removed items come back.
//! * [`overdraft_experiment`]: a stock that must not go below zero, kept in a [`PNCounter`]
//!   through a partition: what CRDTs cannot promise.
//! * [`metadata_experiment`]: bytes of state as operations and replicas grow.
//! * [`stability_experiment`]: tombstones collected once every replica has seen the remove
//!   (causal stability), and how one offline replica holds the collection back.
//!
//! # What CRDTs do not do
//!
//! They converge, but to a state chosen by the data type's rule, not by the application: an
//! LWW register drops writes, a PN-Counter oversells, a union of siblings resurrects removed
//! items. Invariants that span replicas (a balance at least zero, a unique username) need
//! coordination: a lock, a consensus round, or escrow of the budget per replica.
//!
//! # References
//!
//! * Marc Shapiro, Nuno Preguiça, Carlos Baquero and Marek Zawirski, "A comprehensive study of
//!   Convergent and Commutative Replicated Data Types", INRIA research report RR-7506, 2011:
//!   section 2 (state- and operation-based CRDTs, the semilattice conditions), section 3.1
//!   (G-Counter, PN-Counter), 3.2 (LWW- and MV-Register), 3.3 (G-Set, 2P-Set, OR-Set).
//! * Annette Bieniusa, Marek Zawirski, Nuno Preguiça, Marc Shapiro, Carlos Baquero, Valter
//!   Balegas and Sérgio Duarte, "An optimized conflict-free replicated set", arXiv:1210.3368,
//!   2012: the OR-Set without tombstones used here.
//! * Paulo Sérgio Almeida, Ali Shoker and Carlos Baquero, "Delta State Replicated Data Types",
//!   Journal of Parallel and Distributed Computing 111, 2018: causal contexts with a dot cloud,
//!   and updates shipped as small states (deltas).
//! * Hyun-Gul Roh, Myeongjae Jeon, Jin-Soo Kim and Joonwon Lee, "Replicated abstract data types:
//!   Building blocks for collaborative applications", Journal of Parallel and Distributed
//!   Computing 71(3), 2011: the replicated growable array (RGA).
//! * Clarence Ellis and Simon Gibbs, "Concurrency control in groupware systems", SIGMOD 1989:
//!   operational transformation.
//! * Giuseppe DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007,
//!   section 4.4: the shopping cart whose siblings are merged by union, and deleted items that
//!   resurface.
//!
//! # Examples
//!
//! ```
//! use lessons::crdt::{Crdt, OrSet, PNCounter};
//!
//! let mut likes_a = PNCounter::new();
//! let mut likes_b = PNCounter::new();
//! likes_a.increment(0);
//! likes_b.increment(1);
//! likes_b.decrement(1);
//! likes_a.merge(&likes_b);
//! assert_eq!(likes_a.value(), 1);
//!
//! let mut cart = OrSet::new();
//! cart.add(0, "milk");
//! cart.remove(&"milk");
//! cart.add(0, "milk");
//! assert!(cart.contains(&"milk"));
//! ```

mod cart;
mod concurrent_writes;
mod context;
mod convergence;
mod counters;
mod delivery;
mod error;
mod figures;
mod gcounter;
mod gset;
mod lattice;
mod lww_register;
mod metadata;
mod mv_register;
mod or_set;
mod overdraft;
mod pncounter;
mod removal;
mod sequence;
mod stability;
mod two_phase_set;

pub use crate::clocks::Dot;
pub use cart::{CartParameters, CartRow, cart_experiment};
pub use concurrent_writes::{ConcurrentWritesRow, concurrent_writes};
pub use context::CausalContext;
pub use convergence::{ConvergenceParameters, ConvergenceRun, ConvergenceSample, convergence_run};
pub use counters::{
    CounterMessage, CounterParameters, CounterReplica, DuplicationRow, counter_run,
    duplication_experiment,
};
pub use delivery::{DeliveryOutcomes, SetChange, deliver_in_random_orders, random_set_changes};
pub use error::CrdtError;
pub use figures::{
    cart_figure, duplication_figure, lag_figure, metadata_by_replicas_figure,
    metadata_growth_figure, most_behind_between, overdraft_figure, updates_behind, values_figure,
};
pub use gcounter::GCounter;
pub use gset::GSet;
pub use lattice::{Crdt, OperationBased};
pub use lww_register::LwwRegister;
pub use metadata::{MetadataParameters, MetadataRow, metadata_experiment};
pub use mv_register::MvRegister;
pub use or_set::OrSet;
pub use overdraft::{OverdraftParameters, OverdraftRow, overdraft_experiment};
pub use pncounter::{PNCounter, PNCounterOp};
pub use removal::RemovalScript;
pub use sequence::{Insert, Rga, TextInsert};
pub use stability::{StabilityRow, stability_experiment, stability_figure};
pub use two_phase_set::{TwoPhaseSet, TwoPhaseSetOp};

/// The name the lessons give replica `replica`: `A` to `Z`, then `R26`, `R27`, ...
fn replica_name(replica: crate::sim::NodeId) -> String {
    match u8::try_from(replica) {
        Ok(n) if n < 26 => char::from(b'A' + n).to_string(),
        _ => format!("R{replica}"),
    }
}
