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

mod linearizability;
mod sequential;

pub use linearizability::{
    CheckError, RegisterAction, RegisterHistory, RegisterOperation, Verdict, check_register,
    check_register_by_brute_force,
};
pub use sequential::{SequentialVerdict, check_sequential};
