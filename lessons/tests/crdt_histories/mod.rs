//! Random histories of three replicas for the CRDT tests: updates (with two random bytes each
//! type turns into an operation) and merges of one replica's state into another's.

use proptest::prelude::*;

/// Replicas in every history.
pub const REPLICAS: usize = 3;

/// One step of a history: an update on a replica, or a replica merging another's state.
#[derive(Debug, Clone)]
pub enum Step {
    Update {
        replica: usize,
        choice: u8,
        value: u8,
    },
    Merge {
        from: usize,
        into: usize,
    },
}

/// Histories of fewer than `longest` steps, three updates to one merge.
pub fn steps(longest: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => (0..REPLICAS, any::<u8>(), any::<u8>())
            .prop_map(|(replica, choice, value)| Step::Update { replica, choice, value }),
        1 => (0..REPLICAS, 0..REPLICAS).prop_map(|(from, into)| Step::Merge { from, into }),
    ];
    prop::collection::vec(step, 0..longest)
}
