//! Our phi accrual detector (normal model) against the `phi-accrual` crate, in the same run:
//! one heartbeat followed by one phi query, over windows of 10 and 100 intervals. Both keep
//! their window in a `VecDeque` and recompute the mean and variance at every query.
//!
//! After criterion, a plain timing loop runs each pair back to back and prints the ratio
//! ours / peer (below 1 means ours is faster).
//!
//! Run it with `cargo bench -p lessons --bench failure_detection`.

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use lessons::failure_detection::{PhiAccrual, PhiModel};
use lessons::sim::{Time, ms};
use phi_accrual::PhiFailureDetector;

mod peer_timing;

const WINDOWS: [usize; 2] = [10, 100];

/// Interval jitter that repeats every 4 beats: 990, 1010, 1000, 1000 ms (mean 1,000).
fn interval(beat: u64) -> u64 {
    [990, 1_010, 1_000, 1_000][(beat % 4) as usize]
}

fn ours(window: usize) -> impl FnMut() -> f64 {
    let mut detector = PhiAccrual::new(PhiModel::Normal { min_stddev: ms(10) }, window)
        .unwrap_or_else(|error| panic!("{error}"));
    let (mut now, mut beat) = (0u64, 0u64);
    move || {
        beat += 1;
        now += interval(beat);
        detector.heartbeat(Time::from_nanos(now as i64 * 1_000_000));
        detector.phi(Time::from_nanos((now + 500) as i64 * 1_000_000))
    }
}

fn theirs(window: usize) -> impl FnMut() -> f64 {
    let mut detector = PhiFailureDetector::new()
        .min_stddev(10.0)
        .history_size(window + 1);
    let (mut now, mut beat) = (0u64, 0u64);
    move || {
        beat += 1;
        now += interval(beat);
        detector.heartbeat(now);
        detector.phi(now + 500)
    }
}

fn phi_benches(criterion: &mut Criterion) {
    for window in WINDOWS {
        let mut group = criterion.benchmark_group(format!("heartbeat + phi, window {window}"));
        let mut mine = ours(window);
        group.bench_function("ours", |bench| bench.iter(|| black_box(mine())));
        let mut peer = theirs(window);
        group.bench_function("phi-accrual", |bench| bench.iter(|| black_box(peer())));
        group.finish();
    }
}

fn ratios() {
    let best = peer_timing::best_ns_per_call;
    println!(
        "\n{:<36} {:>12} {:>12} {:>8}",
        "operation", "ours (ns)", "peer (ns)", "ratio"
    );
    for window in WINDOWS {
        let mut mine = ours(window);
        let mut peer = theirs(window);
        let ours_ns = best(&mut || {
            black_box(mine());
        });
        let peer_ns = best(&mut || {
            black_box(peer());
        });
        println!(
            "{:<36} {ours_ns:>12.1} {peer_ns:>12.1} {:>8.2}",
            format!("heartbeat + phi, window {window}"),
            ours_ns / peer_ns
        );
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    phi_benches(&mut criterion);
    criterion.final_summary();
    ratios();
}
