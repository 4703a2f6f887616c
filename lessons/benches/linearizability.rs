//! The linearizability checker on register histories of 3 clients and about 200 operations,
//! recorded from the simulated quorum store: one history that is linearizable (the search
//! finds a witness order) and one that is not (the search must exhaust every state first).
//!
//! After criterion, a plain timing loop checks 50 histories of each kind and prints the
//! slowest; the target is under 1 s for a 3-client, 200-operation history.
//!
//! Run it with `cargo bench -p lessons --bench linearizability`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lessons::check::{RegisterHistory, check_register};
use lessons::quorum::{LinearizabilityParameters, ReadRepair, random_store_run};
use lessons::sim::ms;

/// 3 clients × 67 requests = 201 operations. With `skewed` clocks (20 ms apart) and no read
/// repair, most histories are not linearizable; without, most are.
fn history(skewed: bool, seed: u64) -> RegisterHistory {
    let parameters = LinearizabilityParameters {
        repair: if skewed {
            ReadRepair::Off
        } else {
            ReadRepair::Blocking
        },
        operations_per_client: 67,
        clock_skew: if skewed { ms(20) } else { ms(0) },
        think_time: ms(2),
        ..LinearizabilityParameters::default()
    };
    let run = random_store_run(&parameters, seed).expect("valid parameters");
    RegisterHistory::from_operations(run.trace().operations()).expect("register operations")
}

/// The first history of the kind whose verdict is `linearizable`.
fn find(skewed: bool, linearizable: bool) -> RegisterHistory {
    (1..)
        .map(|seed| history(skewed, seed))
        .find(|h| check_register(h).is_linearizable() == linearizable)
        .expect("some seed gives that verdict")
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let good = find(false, true);
    let bad = find(true, false);
    criterion.bench_function("check_register, 3 clients, 201 ops, linearizable", |b| {
        b.iter(|| black_box(check_register(black_box(&good))))
    });
    criterion.bench_function(
        "check_register, 3 clients, 201 ops, not linearizable",
        |b| b.iter(|| black_box(check_register(black_box(&bad)))),
    );
    criterion.final_summary();

    for skewed in [false, true] {
        let mut slowest = Duration::ZERO;
        let mut rejected = 0;
        for seed in 1..=50 {
            let h = history(skewed, seed);
            let start = Instant::now();
            let verdict = check_register(&h);
            slowest = slowest.max(start.elapsed());
            rejected += usize::from(!verdict.is_linearizable());
        }
        println!(
            "{}: 50 histories of 201 operations, {rejected} not linearizable, slowest check {slowest:?} (target: under 1 s)",
            if skewed {
                "no read repair, clocks 20 ms apart"
            } else {
                "blocking write-back"
            }
        );
    }
}
