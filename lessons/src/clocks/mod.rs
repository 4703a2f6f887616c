//! Clocks: ordering events without trusting physical time, and what each clock can tell.
//!
//! Machines' clocks drift and jump, so "which happened first?" cannot be answered by comparing
//! wall-clock readings taken on different machines. Lamport's answer is to order events by what
//! could have influenced what. Event `a` *happened before* event `b` (written `a → b`) when
//!
//! 1. `a` and `b` are on the same process and `a` comes first, or
//! 2. `a` is the sending of a message and `b` is its receipt, or
//! 3. there is an event `c` with `a → c` and `c → b`.
//!
//! Two events where neither happened before the other are *concurrent*: no message chain links
//! them, so neither could have influenced the other. [`HappenedBefore`] computes the relation
//! of a recorded run from its message graph alone, the ground truth the clocks are tested on.
//!
//! # The clocks, and what each guarantees
//!
//! | clock | guarantee | cannot |
//! |---|---|---|
//! | physical ([`PhysicalClock`](crate::sim::PhysicalClock)) | close to real time, if synchronised | order events on different nodes less than the skew apart; it can even run backwards |
//! | [`LamportClock`] | `a → b ⇒ L(a) < L(b)`; with the node id, a total order ([`LamportTimestamp`]) | tell concurrent events from ordered ones |
//! | [`VectorClock`] | `a → b ⇔ V(a) < V(b)`, so concurrency is visible ([`Causality`]) | stay small: one entry per node that ever wrote |
//! | [`HybridClock`] | `a → b ⇒ hlc(a) < hlc(b)`, and the timestamp stays within the skew of physical time | tell concurrent events apart, any more than Lamport can |
//!
//! How far an HLC's logical counter climbs is measured by [`hlc_counter_experiment`]: it grows
//! with the message rate times the clock skew, and stays 0 when clocks agree.
//!
//! Per key, a store keeps *versions* rather than events: [`VersionedKey`] stores concurrent
//! writes side by side as siblings, under one of several [`VersionScheme`]s (client vectors,
//! server vectors with or without dots, pruned vectors, last writer wins), and [`run_versions`]
//! scores each scheme against what the writers actually saw.
//!
//! Delivering broadcasts in causal order needs a receiver to know that nothing it depends on is
//! still on its way. [`CausalBroadcast`] learns that from vector timestamps and waits only for
//! the message's actual dependencies. [`StableDelivery`] does it with Lamport timestamps over
//! FIFO links, by waiting until every other process has been heard from with a later time:
//! correct, but one silent process blocks every delivery ([`silent_member_experiment`]).
//!
//! [`Readings`] runs all four over a recorded run, so one space-time diagram can be labelled
//! by each in turn ([`ClockKind`]). [`random_run`] makes runs to read, [`Script`] makes small
//! worked examples, and [`false_order`] measures how often a Lamport clock's order is an order
//! the run does not have.
//!
//! # References
//!
//! * Leslie Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
//!   Communications of the ACM 21(7), 1978: section 2 (the partial order), section 3 (the clock
//!   condition, rules IR1 and IR2, and the total order by process id).
//! * Colin Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial Ordering",
//!   11th Australian Computer Science Conference, 1988; Friedemann Mattern, "Virtual Time and
//!   Global States of Distributed Systems", Parallel and Distributed Algorithms, 1988: vector
//!   clocks and the characterisation `a → b ⇔ V(a) < V(b)`.
//! * Sandeep Kulkarni, Murat Demirbas, Deepak Madeppa, Bharadwaj Avva and Marcelo Leone,
//!   "Logical Physical Clocks", OPODIS 2014: hybrid logical clocks (figure 5, the algorithm;
//!   figure 6, the worked example; theorem 2, the bound on `l - pt`).
//! * Kenneth Birman, André Schiper and Pat Stephenson, "Lightweight Causal and Atomic Group
//!   Multicast", ACM TOCS 9(3), 1991: causal delivery with vector timestamps.
//! * Jiaqing Du, Călin Iorgulescu, Amitabha Roy and Willy Zwaenepoel, "GentleRain: Cheap and
//!   Scalable Causal Consistency with Physical Clocks", SoCC 2014: one scalar timestamp per update
//!   and a global stable time below which updates are made visible.
//! * Nuno Preguiça, Carlos Baquero, Paulo Sérgio Almeida, Victor Fonte and Ricardo Gonçalves,
//!   "Dotted Version Vectors: Logical Clocks for Optimistic Replication", arXiv:1011.5808, 2010:
//!   why per-server version vectors without dots either lose writes or keep false siblings.
//!
//! # Examples
//!
//! ```
//! use lessons::clocks::{Causality, LamportClock, VectorClock};
//!
//! let mut a = LamportClock::new();
//! let mut b = LamportClock::new();
//! let sent = a.send();
//! let received = b.receive(sent);
//! assert!(sent < received);
//!
//! let (mut x, mut y) = (VectorClock::new(), VectorClock::new());
//! x.tick(0);
//! y.tick(1);
//! assert_eq!(x.compare(&y), Causality::Concurrent);
//! ```

mod causal;
mod happened_before;
mod hlc;
mod hlc_counter;
mod lamport;
mod lww;
mod physical;
mod readings;
mod runs;
mod stable_delivery;
mod truetime;
mod vector;
mod version_runs;
mod versions;

pub use causal::{
    Broadcast, CausalBroadcast, CausalParameters, CausalRow, Delivery, Member, Post,
    causal_experiment, discussion_run,
};
pub use happened_before::HappenedBefore;
pub use hlc::{HybridClock, HybridTimestamp};
pub use hlc_counter::{HlcCounterRow, hlc_counter_experiment, hlc_counter_figure};
pub use lamport::{LamportClock, LamportTimestamp};
pub use lww::{
    LwwParameters, LwwReplica, LwwRow, Stamping, Update, Write, WriteFate, WriteStamp,
    lww_experiment, lww_fates, lww_run,
};
pub use physical::{
    ClockErrorRow, MisorderParameters, MisorderRow, MonotonicClock, clock_errors, misordered_pairs,
};
pub use readings::{ClockKind, Readings, counts_as_event};
pub use runs::{Chat, Chatter, OrderRow, RunParameters, Script, false_order, random_run};
pub use stable_delivery::{
    StableDelivery, Stamped, TimestampMember, WaitRow, silent_member_experiment,
    stable_discussion_run,
};
pub use truetime::{CommitWaitParameters, CommitWaitRow, Interval, TrueTime, commit_wait};
pub use vector::{Causality, Dot, VectorClock};
pub use version_runs::{VersionRow, VersionRun, VersionWorkload, run_versions, version_experiment};
pub use versions::{Read, Sibling, VersionError, VersionScheme, VersionedKey, Writer};

/// The name the lessons give node `node`: `A` to `Z`, then `N26`, `N27`, ...
fn node_name(node: crate::sim::NodeId) -> String {
    match u8::try_from(node) {
        Ok(n) if n < 26 => char::from(b'A' + n).to_string(),
        _ => format!("N{node}"),
    }
}
