//! How long computing a schedule of 12 retry delays takes, ours against `backon`, with and
//! without jitter (backon's additive jitter against our equal jitter on the same bounds).
//!
//! Criterion reports each; after it, a plain timed loop prints nanoseconds per schedule and
//! our time as a multiple of backon's.
//!
//! Run it with `cargo bench -p lessons --bench resilience`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use criterion::Criterion;
use lessons::resilience::{Backoff, Jitter};
use lessons::sim::{Rng, Time, ms, secs};

const RETRIES: u32 = 12;

fn backon_schedule(jitter: bool, seed: u64) -> Duration {
    let builder = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(10))
        .with_max_times(RETRIES as usize);
    let builder = if jitter {
        builder.with_jitter().with_jitter_seed(seed)
    } else {
        builder
    };
    builder.build().sum()
}

fn our_schedule(backoff: &Backoff, seed: u64) -> Time {
    let mut rng = Rng::new(seed);
    let mut previous = ms(100);
    let mut total = Time::ZERO;
    for retry in 1..=RETRIES {
        previous = backoff.delay(retry, previous, &mut rng);
        total += previous;
    }
    total
}

/// Nanoseconds per schedule over `count` schedules.
fn time_loop<T>(count: u64, mut schedule: impl FnMut(u64) -> T) -> f64 {
    let start = Instant::now();
    for seed in 0..count {
        black_box(schedule(black_box(seed)));
    }
    start.elapsed().as_nanos() as f64 / count as f64
}

fn main() {
    let plain = Backoff::new(ms(100), secs(10), Jitter::None).unwrap();
    let equal = Backoff::new(ms(200), secs(20), Jitter::Equal).unwrap();
    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut group = criterion.benchmark_group("12 retry delays");
    group.bench_function("lessons Backoff, no jitter", |b| {
        b.iter(|| our_schedule(&plain, 1))
    });
    group.bench_function("backon, no jitter", |b| {
        b.iter(|| backon_schedule(false, 1))
    });
    group.bench_function("lessons Backoff, equal jitter", |b| {
        b.iter(|| our_schedule(&equal, 1))
    });
    group.bench_function("backon, jitter", |b| b.iter(|| backon_schedule(true, 1)));
    group.finish();
    criterion.final_summary();

    const COUNT: u64 = 2_000_000;
    let ours_plain = time_loop(COUNT, |seed| our_schedule(&plain, seed));
    let backon_plain = time_loop(COUNT, |seed| backon_schedule(false, seed));
    let ours_jitter = time_loop(COUNT, |seed| our_schedule(&equal, seed));
    let backon_jitter = time_loop(COUNT, |seed| backon_schedule(true, seed));
    println!("{COUNT} schedules of {RETRIES} delays each:");
    println!(
        "  no jitter: lessons {ours_plain:6.1} ns, backon {backon_plain:6.1} ns, ours / backon = {:.2}x",
        ours_plain / backon_plain
    );
    println!(
        "  jitter:    lessons {ours_jitter:6.1} ns, backon {backon_jitter:6.1} ns, ours / backon = {:.2}x",
        ours_jitter / backon_jitter
    );
}
