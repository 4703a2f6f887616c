//! Our bounded explorer against stateright's breadth-first checker (stateright 0.31) on the same
//! models: the quorum store of lesson 7 (`lessons::quorum::InversionModel`), written once and
//! handed to stateright through a thin wrapper that implements its `Model` trait with the same
//! initial states, actions, next states and invariants. Only models with no violation are used,
//! so both checkers run to exhaustion; the bench asserts they count the same distinct states.
//!
//! Both run on one thread. Ours keeps every state and compares states exactly; stateright keeps
//! 64-bit fingerprints of them.
//!
//! After criterion (the three small models), a plain timing loop runs each pair back to back,
//! best of three, plus the largest model (write-back on three replicas) timed twice, and prints
//! distinct states per second for each and the ratio ours / stateright (above 1 means ours
//! explores faster).
//!
//! Run it with `cargo bench -p lessons --bench explorer`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lessons::check::{Bounds, Invariant, Model as _, explore};
use lessons::quorum::{InversionModel, StoreAction, StoreState};
use stateright::{Checker, Model, Property};

mod peer_timing;

/// Our model, seen through stateright's trait.
struct Peer {
    model: InversionModel,
    invariants: Vec<Invariant<InversionModel>>,
}

impl Model for Peer {
    type State = StoreState;
    type Action = StoreAction;

    fn init_states(&self) -> Vec<StoreState> {
        self.model.initial_states()
    }

    fn actions(&self, state: &StoreState, actions: &mut Vec<StoreAction>) {
        self.model.actions(state, actions);
    }

    fn next_state(&self, state: &StoreState, action: StoreAction) -> Option<StoreState> {
        self.model.next_state(state, &action)
    }

    fn properties(&self) -> Vec<Property<Peer>> {
        vec![Property::always("every invariant", |peer: &Peer, state| {
            peer.invariants
                .iter()
                .all(|invariant| (invariant.holds)(&peer.model, state))
        })]
    }
}

/// Distinct states our explorer visits.
fn ours(model: &InversionModel) -> usize {
    let exploration = explore(model, Bounds::depth(60).expect("a valid depth"));
    assert!(exploration.holds() && exploration.exhausted);
    exploration.distinct_states
}

/// Distinct states stateright's breadth-first checker visits.
fn theirs(model: &InversionModel) -> usize {
    let peer = Peer {
        model: model.clone(),
        invariants: model.invariants(),
    };
    let checker = peer.checker().threads(1).spawn_bfs().join();
    checker.assert_properties();
    checker.unique_state_count()
}

fn models() -> Vec<(&'static str, InversionModel)> {
    let store = |n, w, r| InversionModel::new(n, w, r).expect("a valid quorum");
    vec![
        (
            "N=3 W=R=2, one reader",
            store(3, 2, 2).readers(1).expect("1 reader"),
        ),
        ("N=2 W=1 R=2, two readers", store(2, 1, 2)),
        ("N=2 W=R=2 write-back", store(2, 2, 2).write_back(true)),
    ]
}

/// Seconds for one call of `work`: the best of `tries`.
fn best_seconds(tries: usize, work: &mut dyn FnMut()) -> f64 {
    (0..tries)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(10)
        .configure_from_args();
    for (name, model) in models() {
        let mut group = criterion.benchmark_group(name);
        group.bench_function("ours", |bench| bench.iter(|| black_box(ours(&model))));
        group.bench_function("stateright", |bench| {
            bench.iter(|| black_box(theirs(&model)))
        });
        group.finish();
    }
    criterion.final_summary();

    println!(
        "\n{:<32} {:>9} {:>14} {:>16} {:>7}",
        "model", "states", "ours (st/s)", "stateright (st/s)", "ratio"
    );
    let largest = (
        "N=3 W=R=2 write-back",
        InversionModel::new(3, 2, 2)
            .expect("a valid quorum")
            .write_back(true),
    );
    for (name, model) in models().into_iter().chain([largest]) {
        let states = ours(&model);
        assert_eq!(states, theirs(&model), "{name}: the checkers disagree");
        let per_second = |seconds: f64| states as f64 / seconds;
        let (ours_rate, theirs_rate) = if states > 100_000 {
            let ours_rate = per_second(best_seconds(2, &mut || _ = black_box(ours(&model))));
            let theirs_rate = per_second(best_seconds(2, &mut || _ = black_box(theirs(&model))));
            (ours_rate, theirs_rate)
        } else {
            let ours_ns = peer_timing::best_ns_per_call(&mut || _ = black_box(ours(&model)));
            let theirs_ns = peer_timing::best_ns_per_call(&mut || _ = black_box(theirs(&model)));
            (per_second(ours_ns * 1e-9), per_second(theirs_ns * 1e-9))
        };
        println!(
            "{name:<32} {states:>9} {ours_rate:>14.0} {theirs_rate:>16.0} {:>7.2}",
            ours_rate / theirs_rate
        );
    }
}
