//! Our consistency checkers against stateright's testers (`LinearizabilityTester`,
//! `SequentialConsistencyTester`, stateright 0.31) on the same register histories: a
//! single-copy register's histories with some reads given wrong answers, so that both verdicts
//! occur. The two must agree on every history.

use lessons::check::{
    RegisterAction, RegisterHistory, RegisterOperation, check_register, check_sequential,
};
use lessons::replication::atomic_register_history;
use lessons::sim::Rng;
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{
    ConsistencyTester, LinearizabilityTester, SequentialConsistencyTester,
};

/// A single-copy register's history with each read's answer replaced, with probability
/// `corrupt`, by a random value from those written (or empty).
fn history(clients: usize, per_client: usize, corrupt: f64, seed: u64) -> RegisterHistory {
    let clean = atomic_register_history(clients, per_client, seed).unwrap();
    let written: Vec<u64> = clean
        .operations()
        .iter()
        .filter_map(|op| match op.action {
            RegisterAction::Write(value) => Some(value),
            RegisterAction::Read(_) => None,
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut history = RegisterHistory::new();
    for &operation in clean.operations() {
        let action = match operation.action {
            RegisterAction::Read(_) if rng.chance(corrupt) => {
                RegisterAction::Read(rng.pick(&written).copied())
            }
            action => action,
        };
        history
            .push(RegisterOperation {
                action,
                ..operation
            })
            .unwrap();
    }
    history
}

/// Feeds the history to a stateright tester in real-time order (an invocation before a return
/// at the same instant, since our checkers order two operations only when one answered strictly
/// before the other began).
fn feed<T: ConsistencyTester<usize, Register<Option<u64>>>>(
    mut tester: T,
    history: &RegisterHistory,
) -> bool {
    let mut events = Vec::new();
    for op in history.operations() {
        let (invoke, ret) = match op.action {
            RegisterAction::Write(value) => (RegisterOp::Write(Some(value)), RegisterRet::WriteOk),
            RegisterAction::Read(value) => (RegisterOp::Read, RegisterRet::ReadOk(value)),
        };
        events.push((op.invoked_at, 0, op.client, Some(invoke), None));
        events.push((op.responded_at.unwrap(), 1, op.client, None, Some(ret)));
    }
    events.sort_by_key(|&(at, order, client, ..)| (at, order, client));
    for (_, _, client, invoke, ret) in events {
        match (invoke, ret) {
            (Some(op), _) => tester.on_invoke(client, op).unwrap(),
            (_, Some(ret)) => tester.on_return(client, ret).unwrap(),
            _ => unreachable!(),
        };
    }
    tester.is_consistent()
}

#[test]
fn our_checkers_agree_with_stateright() {
    let mut verdicts = [0usize; 4];
    for seed in 0..300 {
        let clients = 1 + seed as usize % 4;
        let history = history(clients, 1 + seed as usize % 6, 0.3, seed);
        let linearizable = check_register(&history).is_linearizable();
        let sequential = check_sequential(&history).is_sequentially_consistent();
        let peer_linearizable = feed(LinearizabilityTester::new(Register(None)), &history);
        let peer_sequential = feed(SequentialConsistencyTester::new(Register(None)), &history);
        assert_eq!(
            linearizable, peer_linearizable,
            "linearizability, seed {seed}: {history:?}"
        );
        assert_eq!(
            sequential, peer_sequential,
            "sequential consistency, seed {seed}: {history:?}"
        );
        verdicts[usize::from(linearizable) * 2 + usize::from(sequential)] += 1;
    }
    // Indexed by (linearizable, sequential): every combination but "linearizable and not
    // sequential" occurs, and that one cannot.
    assert_eq!(verdicts[2], 0);
    assert!(
        verdicts[0] > 0 && verdicts[1] > 0 && verdicts[3] > 0,
        "{verdicts:?}"
    );
}
