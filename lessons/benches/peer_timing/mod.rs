//! The plain timing behind the benchmarks' ratio tables: ours and the peer's operation, each
//! timed back to back the same way, so their ratio is measured in one run.

use std::time::{Duration, Instant};

/// How long one timing of an operation runs.
const BUDGET: Duration = Duration::from_millis(150);

/// Nanoseconds per call of `work`: the best of three timings of about 150 ms each.
pub fn best_ns_per_call(work: &mut dyn FnMut()) -> f64 {
    (0..3)
        .map(|_| ns_per_call(&mut *work))
        .fold(f64::INFINITY, f64::min)
}

fn ns_per_call(work: &mut dyn FnMut()) -> f64 {
    let mut calls = 0u64;
    let start = Instant::now();
    while start.elapsed() < BUDGET {
        for _ in 0..64 {
            work();
        }
        calls += 64;
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}
