//! The plain timing behind the benchmarks' ratio tables: ours and the peer's operation, each
//! timed back to back the same way, so their ratio is measured in one run.

// Each bench includes this module and uses part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use criterion::Criterion;

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

/// One comparison: the work on our side and on the peer's, each done once per call.
pub struct Case {
    pub name: String,
    pub ours: Box<dyn FnMut()>,
    pub peer: Box<dyn FnMut()>,
}

/// How the ratio table reads: its first column's heading, the peer's name, and the decimals of
/// the times and of the ratio.
pub struct Table {
    pub heading: &'static str,
    pub peer: &'static str,
    pub time_decimals: usize,
    pub ratio_decimals: usize,
}

/// Times every case under criterion (a group per case: ours, then the peer), then prints the
/// ratio table: each pair timed back to back, best of three, ratio ours / peer.
pub fn compare(cases: fn() -> Vec<Case>, table: Table) {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    for mut case in cases() {
        let mut group = criterion.benchmark_group(case.name.clone());
        group.bench_function("ours", |bench| bench.iter(&mut case.ours));
        group.bench_function(table.peer, |bench| bench.iter(&mut case.peer));
        group.finish();
    }
    criterion.final_summary();

    let peer_heading = format!("{} (ns)", table.peer);
    let peer_width = peer_heading.len().max(10);
    let (time, ratio) = (table.time_decimals, table.ratio_decimals);
    println!(
        "\n{:<40} {:>10} {peer_heading:>peer_width$} {:>7}",
        table.heading, "ours (ns)", "ratio"
    );
    for mut case in cases() {
        let ours = best_ns_per_call(&mut case.ours);
        let peer = best_ns_per_call(&mut case.peer);
        println!(
            "{:<40} {ours:>10.time$} {peer:>peer_width$.time$} {:>7.ratio$}",
            case.name,
            ours / peer
        );
    }
}
