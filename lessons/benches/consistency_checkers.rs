//! Our register checkers against stateright's testers (stateright 0.31) on the same histories:
//! single-copy register histories of 3 clients with 8 operations each, one linearizable and one
//! with a read answered wrongly (so both searches must give up). Each side pays for building its
//! own history from the recorded operations.
//!
//! After criterion, a plain timing loop runs each pair back to back, best of three, and prints
//! the ratio ours / peer (below 1 means ours is faster).
//!
//! Run it with `cargo bench -p lessons --bench consistency_checkers`.

use std::hint::black_box;

use lessons::check::{
    RegisterAction, RegisterHistory, RegisterOperation, check_register, check_sequential,
};
use lessons::replication::atomic_register_history;
use lessons::sim::ms;
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{
    ConsistencyTester, LinearizabilityTester, SequentialConsistencyTester,
};

mod peer_timing;

use peer_timing::{Case, Table};

/// A linearizable history and the same one with its last read answered with a value nobody
/// wrote.
fn histories() -> [(&'static str, RegisterHistory); 2] {
    let clean = atomic_register_history(3, 8, 1).expect("valid parameters");
    let mut broken = RegisterHistory::new();
    let last_read = clean
        .operations()
        .iter()
        .rposition(|op| matches!(op.action, RegisterAction::Read(_)))
        .expect("a read");
    for (i, &operation) in clean.operations().iter().enumerate() {
        let action = if i == last_read {
            RegisterAction::Read(Some(u64::MAX))
        } else {
            operation.action
        };
        broken
            .push(RegisterOperation {
                action,
                ..operation
            })
            .expect("a valid operation");
    }
    [("linearizable", clean), ("rejected", broken)]
}

/// What stateright's testers are fed: a client invoking an operation, or getting its answer.
#[derive(Clone)]
enum Event {
    Invoke(usize, RegisterOp<Option<u64>>),
    Return(usize, RegisterRet<Option<u64>>),
}

/// The history's events in real-time order, for stateright's testers.
fn events(history: &RegisterHistory) -> Vec<Event> {
    let mut timed = Vec::new();
    for (i, op) in history.operations().iter().enumerate() {
        let (invoke, ret) = match op.action {
            RegisterAction::Write(value) => (RegisterOp::Write(Some(value)), RegisterRet::WriteOk),
            RegisterAction::Read(value) => (RegisterOp::Read, RegisterRet::ReadOk(value)),
        };
        let answered = op.responded_at.unwrap_or(ms(0));
        timed.push((
            (op.invoked_at, 0, op.client, i),
            Event::Invoke(op.client, invoke),
        ));
        timed.push(((answered, 1, op.client, i), Event::Return(op.client, ret)));
    }
    timed.sort_by_key(|(key, _)| *key);
    timed.into_iter().map(|(_, event)| event).collect()
}

fn peer<T: ConsistencyTester<usize, Register<Option<u64>>>>(
    mut tester: T,
    events: &[Event],
) -> bool {
    for event in events {
        let fed = match event {
            Event::Invoke(client, op) => tester.on_invoke(*client, op.clone()).is_ok(),
            Event::Return(client, ret) => tester.on_return(*client, ret.clone()).is_ok(),
        };
        assert!(fed, "a well-formed history");
    }
    tester.is_consistent()
}

fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    for (kind, history) in histories() {
        let timeline = events(&history);
        let (h, t) = (history.clone(), timeline.clone());
        all.push(Case {
            name: format!("linearizability, {kind}"),
            ours: Box::new(move || {
                black_box(check_register(black_box(&h)).is_linearizable());
            }),
            peer: Box::new(move || {
                black_box(peer(
                    LinearizabilityTester::new(Register(None)),
                    black_box(&t),
                ));
            }),
        });
        all.push(Case {
            name: format!("sequential consistency, {kind}"),
            ours: Box::new(move || {
                black_box(check_sequential(black_box(&history)).is_sequentially_consistent());
            }),
            peer: Box::new(move || {
                black_box(peer(
                    SequentialConsistencyTester::new(Register(None)),
                    black_box(&timeline),
                ));
            }),
        });
    }
    all
}

fn main() {
    peer_timing::compare(
        cases,
        Table {
            heading: "check, 3 clients x 8 operations",
            peer: "stateright",
            time_decimals: 0,
            ratio_decimals: 3,
        },
    );
}
