//! Our clocks against the peers the agreement tests compare them with, in the same run:
//! `VectorClock` against `crdts::VClock` (compare, merge, tick at 10, 100 and 1,000 nodes), and
//! `HybridClock` against `hybrid_clocks::Clock` (a local event, a receipt).
//!
//! The vector clocks are compared where the work is largest: two clocks over the same nodes,
//! one a single event ahead of the other, so the comparison must look at every entry. Each
//! merge starts from fresh copies (`crdts` merges consume the other clock, ours borrow it).
//!
//! After criterion, a plain timing loop runs each pair back to back and prints the ratio
//! ours / peer (below 1 means ours is faster); the target is at most 1.5, and vector
//! comparison and merge of 1,000 entries under 5 µs.
//!
//! Run it with `cargo bench -p lessons --bench clocks`.

use std::hint::black_box;
use std::time::Duration;

use crdts::{CmRDT, CvRDT, VClock};
use criterion::{BatchSize, Criterion};
use hybrid_clocks::{Clock, Timestamp};
use lessons::clocks::{HybridClock, HybridTimestamp, VectorClock};
use lessons::sim::ns;

mod peer_timing;

const SIZES: [usize; 3] = [10, 100, 1_000];

/// Two clocks over `nodes` nodes, the second one event ahead on the last node.
fn ours(nodes: usize) -> (VectorClock, VectorClock) {
    let a: VectorClock = (0..nodes).map(|node| (node, 3 + node as u64 % 7)).collect();
    let mut b = a.clone();
    b.tick(nodes - 1);
    (a, b)
}

fn theirs(nodes: usize) -> (VClock<usize>, VClock<usize>) {
    let (a, b) = ours(nodes);
    let convert = |clock: &VectorClock| -> VClock<usize> {
        clock
            .iter()
            .map(|(node, counter)| crdts::Dot::new(node, counter))
            .collect()
    };
    (convert(&a), convert(&b))
}

fn vector_benches(criterion: &mut Criterion) {
    for nodes in SIZES {
        let mut group = criterion.benchmark_group(format!("vector clock, {nodes} nodes"));
        let (a, b) = ours(nodes);
        let (peer_a, peer_b) = theirs(nodes);
        group.bench_function("compare/ours", |bench| {
            bench.iter(|| black_box(&a).compare(black_box(&b)))
        });
        group.bench_function("compare/crdts", |bench| {
            bench.iter(|| black_box(&peer_a).partial_cmp(black_box(&peer_b)))
        });
        group.bench_function("merge/ours", |bench| {
            bench.iter_batched_ref(
                || a.clone(),
                |clock| clock.merge(black_box(&b)),
                BatchSize::SmallInput,
            )
        });
        group.bench_function("merge/crdts", |bench| {
            bench.iter_batched_ref(
                || (peer_a.clone(), Some(peer_b.clone())),
                |(clock, other)| clock.merge(other.take().unwrap_or_default()),
                BatchSize::SmallInput,
            )
        });
        group.bench_function("tick/ours", |bench| {
            let mut clock = a.clone();
            bench.iter(|| clock.tick(black_box(nodes / 2)))
        });
        group.bench_function("tick/crdts", |bench| {
            let mut clock = peer_a.clone();
            bench.iter(|| {
                let dot = clock.inc(black_box(nodes / 2));
                clock.apply(dot)
            })
        });
        group.finish();
    }
}

fn hybrid_benches(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("hybrid logical clock");
    let message = HybridTimestamp {
        wall: ns(1_000),
        logical: 3,
    };
    let peer_message = Timestamp {
        epoch: 0,
        time: 1_000u64,
        count: 3,
    };
    group.bench_function("tick/ours", |bench| {
        let mut clock = HybridClock::new();
        let mut physical = 0;
        bench.iter(|| {
            physical += 1;
            clock.tick(ns(black_box(physical)))
        })
    });
    group.bench_function("tick/hybrid-clocks", |bench| {
        let mut clock = Clock::manual(0).unwrap_or_else(|_| unreachable!());
        let mut physical = 0;
        bench.iter(|| {
            physical += 1;
            clock.set_time(black_box(physical));
            clock.now()
        })
    });
    group.bench_function("receive/ours", |bench| {
        let mut clock = HybridClock::new();
        bench.iter(|| clock.receive(ns(black_box(500)), black_box(message)))
    });
    group.bench_function("receive/hybrid-clocks", |bench| {
        let mut clock = Clock::manual(0).unwrap_or_else(|_| unreachable!());
        bench.iter(|| {
            clock.set_time(black_box(500));
            clock.observe(black_box(&peer_message));
            clock.now()
        })
    });
    group.finish();
}

/// The ratio table: each pair timed back to back, three times, best of three.
fn ratios() {
    let best = peer_timing::best_ns_per_call;
    println!(
        "\n{:<36} {:>12} {:>12} {:>8}",
        "operation", "ours (ns)", "peer (ns)", "ratio"
    );
    let row = |name: String, ours: f64, peer: f64| {
        println!("{name:<36} {ours:>12.1} {peer:>12.1} {:>8.2}", ours / peer);
    };
    for nodes in SIZES {
        let (a, b) = ours(nodes);
        let (peer_a, peer_b) = theirs(nodes);
        let compare = best(&mut || {
            black_box(black_box(&a).compare(black_box(&b)));
        });
        let peer_compare = best(&mut || {
            black_box(black_box(&peer_a).partial_cmp(black_box(&peer_b)));
        });
        row(
            format!("vector compare, {nodes} nodes"),
            compare,
            peer_compare,
        );
        // Merges include a clone of the merged-into clock on both sides (and, for crdts, of
        // the clock it consumes), so the clones are timed alone and taken off.
        let clone = best(&mut || {
            black_box(black_box(&a).clone());
        });
        let merge = best(&mut || {
            let mut clock = a.clone();
            clock.merge(black_box(&b));
            black_box(clock);
        }) - clone;
        let peer_clone = best(&mut || {
            black_box((black_box(&peer_a).clone(), black_box(&peer_b).clone()));
        });
        let peer_merge = best(&mut || {
            let mut clock = peer_a.clone();
            clock.merge(peer_b.clone());
            black_box(clock);
        }) - peer_clone;
        row(format!("vector merge, {nodes} nodes"), merge, peer_merge);
        let mut clock = a.clone();
        let tick = best(&mut || {
            black_box(clock.tick(black_box(nodes / 2)));
        });
        let mut peer_clock = peer_a.clone();
        let peer_tick = best(&mut || {
            let dot = peer_clock.inc(black_box(nodes / 2));
            peer_clock.apply(dot);
        });
        row(format!("vector tick, {nodes} nodes"), tick, peer_tick);
    }
    let mut clock = HybridClock::new();
    let mut physical = 0;
    let tick = best(&mut || {
        physical += 1;
        black_box(clock.tick(ns(black_box(physical))));
    });
    let mut peer = Clock::manual(0).unwrap_or_else(|_| unreachable!());
    let mut peer_physical = 0;
    let peer_tick = best(&mut || {
        peer_physical += 1;
        peer.set_time(black_box(peer_physical));
        let _ = black_box(peer.now());
    });
    row("HLC tick (local event)".into(), tick, peer_tick);
    let message = HybridTimestamp {
        wall: ns(1_000),
        logical: 3,
    };
    let receive = best(&mut || {
        black_box(clock.receive(ns(black_box(500)), black_box(message)));
    });
    let peer_message = Timestamp {
        epoch: 0,
        time: 1_000u64,
        count: 3,
    };
    let peer_receive = best(&mut || {
        peer.set_time(black_box(500));
        peer.observe(black_box(&peer_message));
        let _ = black_box(peer.now());
    });
    row("HLC receive".into(), receive, peer_receive);
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    vector_benches(&mut criterion);
    hybrid_benches(&mut criterion);
    criterion.final_summary();
    ratios();
}
