//! Random register histories for the checkers' laws, shared by `quorum_laws.rs` (the
//! linearizability checker) and `replication_laws.rs` (the sequential-consistency checker).

use lessons::check::{RegisterAction, RegisterHistory, RegisterOperation};
use lessons::sim::ms;
use proptest::prelude::*;

/// A small history: up to 7 operations by 3 clients with random, overlapping intervals, values
/// 1 to 3 (so several writes may write the same value), some writes never answered; the
/// register starts empty or (one history in three) holding a value from 1 to 3.
pub fn small_histories() -> impl Strategy<Value = RegisterHistory> {
    let operation = (
        0usize..3,
        any::<bool>(),
        0u64..4,
        0i64..20,
        0i64..10,
        prop::bool::weighted(0.2),
    );
    let initial = prop::option::weighted(1.0 / 3.0, 1u64..4);
    (initial, prop::collection::vec(operation, 0..=7)).prop_map(|(initial, operations)| {
        let mut history = initial.map_or_else(RegisterHistory::new, RegisterHistory::with_initial);
        for (client, is_write, value, start, length, unanswered) in operations {
            let action = if is_write {
                RegisterAction::Write(value.max(1))
            } else {
                RegisterAction::Read((value > 0).then_some(value))
            };
            let responded_at = (!(is_write && unanswered)).then_some(ms(start + length));
            history
                .push(RegisterOperation {
                    client,
                    action,
                    invoked_at: ms(start),
                    responded_at,
                })
                .unwrap();
        }
        history
    })
}
