//! Checkers: does a recorded history keep a consistency promise?
//!
//! A history is what clients saw: each operation with the moment it was invoked and the moment
//! its answer came back. A consistency model is a promise about such histories. This module
//! checks two promises for a single read/write register. The first is **linearizability**:
//! the history is linearizable when every operation can be given a single instant, somewhere
//! between its invocation and its response, such that the operations, run one at a time in the
//! order of those instants, give exactly the answers the clients got. In words: the register
//! behaves as if there were one copy and every operation took effect at once, at some moment
//! while its client was waiting.
//!
//! [`check_register`] searches for such an order (the Wing–Gong search with Lowe's
//! memoisation); [`check_register_by_brute_force`] tries every permutation, which is hopeless
//! beyond a handful of operations but obviously right, and the tests check that the two always
//! agree. [`RegisterHistory::from_operations`] reads a history from the client operations
//! a simulation recorded ([`Trace::operations`](crate::sim::Trace::operations)).
//!
//! One rung down the ladder, **sequential consistency** ([`check_sequential`]) drops the
//! real-time rule and keeps only each client's own order: operations of different clients may
//! be reordered even when one finished before the other began. Every linearizable history is
//! sequentially consistent; a read that misses another client's acknowledged write shows that
//! the converse is false.
//!
//! # Exploring every run
//!
//! A checker judges one history; random simulations produce histories, and the common bugs
//! show up in a few hundred of them. The subtle ones need one particular order of deliveries,
//! losses and crashes, which a random schedule may never draw. [`explore`] looks at every run
//! instead, up to a depth: given a [`Model`] (states, the actions enabled in each, what each
//! action does, and named [`Invariant`]s), it goes breadth first, skips states it has already
//! seen, and returns the first state that breaks an invariant with the run that reaches it.
//! Breadth first makes that run a **shortest** one: every run of k actions is examined before
//! any run of k + 1. The [`Exploration`] also says how many states were computed and how many
//! were distinct, how deep the search went, whether it covered every reachable state, and how
//! fast it went.
//!
//! What it guarantees: within the bounds, nothing is missed. What it does not: a run one step
//! longer than the depth bound, or a system with more nodes or messages than the model, may
//! still break the invariant. The bound is part of every verdict ("no violation in runs of at
//! most 20 actions"), unless [`Exploration::exhausted`] says the whole state space was covered.
//!
//! Most models talk over a [`Network`]: a bag of messages in flight where any message may be
//! delivered next, and, up to the bounds of [`NetworkFaults`], lost or copied. A found [`Run`]
//! prints as numbered steps and, when the model says where each step happens
//! ([`Model::view`], [`StepView`]), draws as a space-time diagram whose client operations
//! feed [`check_register`].
//!
//! # Transactions
//!
//! Transactions are judged by a different picture: not one register over real time, but which
//! transaction's version each read saw. [`check_isolation`] builds the direct serialization
//! graph of a [`TransactionHistory`] (ww, wr and rw edges, after Adya) and names the anomaly
//! its cycle proves: G0, G1a, G1b, G1c, G-single (read skew, lost update) or G2-item (write
//! skew), the names Elle also uses; [`Anomaly`] lists them from the weakest level that forbids
//! each to the strongest.
//!
//! Elle (Kingsbury and Alvaro, VLDB 2020) names cycles the same way (G0, G1a, G1b, G1c,
//! G-single, G2-item) and adds variants that also use real-time or process order. Its hard part
//! is inference: a real database does not say which version a read saw, so Elle builds
//! workloads (append-only lists) whose values reveal the version order. The simulated store of
//! [`crate::transactions`] records versions directly, so here the graph is exact, and the
//! checker only judges histories that carry that information.
//!
//! * Atul Adya, Barbara Liskov and Patrick O'Neil, "Generalized Isolation Level Definitions",
//!   ICDE 2000; Atul Adya, PhD thesis, MIT, 1999, chapter 3.
//! * Kyle Kingsbury and Peter Alvaro, "Elle: Inferring Isolation Anomalies from Experimental
//!   Observations", VLDB 2020.
//!
//! # References
//!
//! * Maurice Herlihy and Jeannette Wing, "Linearizability: A Correctness Condition for
//!   Concurrent Objects", ACM TOPLAS 12(3), 1990: the definition (section 2).
//! * Jeannette Wing and Chun Gong, "Testing and Verifying Concurrent Objects", Journal of
//!   Parallel and Distributed Computing 17, 1993: the backtracking search.
//! * Gavin Lowe, "Testing for Linearizability", Concurrency and Computation 29(4), 2017:
//!   memoising (linearized set, state) pairs, the idea that makes the search fast.
//! * Leslie Lamport, "How to Make a Multiprocessor Computer That Correctly Executes
//!   Multiprocess Programs", IEEE Transactions on Computers C-28(9), 1979: sequential
//!   consistency.
//!
//! # Examples
//!
//! ```
//! use lessons::check::{RegisterHistory, check_register};
//! use lessons::sim::ms;
//!
//! let mut history = RegisterHistory::new();
//! history.write(0, 1, ms(0), Some(ms(10)))?;
//! history.read(1, Some(1), ms(2), ms(4))?; // sees the write while it is in flight: fine
//! history.read(2, None, ms(5), ms(6))?; // a later read misses it: impossible
//! assert!(!check_register(&history).is_linearizable());
//! # Ok::<(), lessons::check::CheckError>(())
//! ```

mod explore;
mod isolation;
mod linearizability;
mod network;
mod run;
mod sequential;

pub use explore::{Bounds, Exploration, Invariant, Model, Violation, explore};
pub use isolation::{
    Anomaly, Dependency, DependencyKind, INITIAL, IsolationReport, ReadRecord, TransactionHistory,
    TransactionRecord, TxnId, check_isolation,
};

pub use linearizability::{
    CheckError, RegisterAction, RegisterHistory, RegisterOperation, Verdict, check_register,
    check_register_by_brute_force,
};
pub use network::{Envelope, Network, NetworkFaults, NetworkStep};
pub use run::{MessageText, Run, StepView};
pub use sequential::{SequentialVerdict, check_sequential};
