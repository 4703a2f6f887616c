//! How many Snowflake IDs one core issues per second from the real clock, against the format's
//! ceiling (4,096 per millisecond, 4,096,000 per second), and against `snowflaked`, `uuid` v7 and
//! `ulid` in the same run.
//!
//! The wall clock appears only here: `SystemClock` turns `SystemTime::now()` into the
//! `lessons::sim::Time` the generator is handed. When a millisecond's 4,096 sequence numbers are
//! used, the loop asks again with a fresh reading, as a real service would spin or sleep.
//!
//! Criterion times one ID of each kind; after it, each generator runs flat out for one second
//! and the benchmark prints IDs per second and, for the Snowflakes, the fraction of the ceiling
//! reached.
//!
//! Run it with `cargo bench -p lessons --bench snowflake`.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use lessons::ids::{IdError, Layout, OnClockBackwards, SnowflakeGenerator};
use lessons::sim::Time;

/// The wall clock as Unix time in nanoseconds, the one place it is read.
struct SystemClock;

impl SystemClock {
    fn now(&self) -> Time {
        let since_1970 = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Time::from_nanos(since_1970.as_nanos() as i64)
    }
}

/// The next ID from our generator on the real clock, asking again while the millisecond's
/// sequence is used up.
fn next_snowflake(generator: &mut SnowflakeGenerator) -> u64 {
    loop {
        match generator.next_id(SystemClock.now()) {
            Ok(id) => return id,
            Err(IdError::SequenceExhausted { .. } | IdError::ClockMovedBackwards { .. }) => {
                std::hint::spin_loop()
            }
            Err(other) => panic!("{other}"),
        }
    }
}

/// IDs per second of `generate`, run for one second of wall time.
fn per_second(mut generate: impl FnMut() -> u128) -> f64 {
    let start = Instant::now();
    let mut count = 0u64;
    let mut sink = 0u128;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..1_024 {
            sink ^= generate();
        }
        count += 1_024;
    }
    black_box(sink);
    count as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let mut ours = SnowflakeGenerator::new(Layout::twitter(), 1, OnClockBackwards::Refuse).unwrap();
    let mut theirs = snowflaked::Generator::new(1);
    let mut ulids = ulid::Generator::new();

    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut group = criterion.benchmark_group("one ID, real clock");
    group.bench_function("lessons Snowflake", |b| {
        b.iter(|| next_snowflake(&mut ours))
    });
    group.bench_function("snowflaked", |b| b.iter(|| theirs.generate::<u64>()));
    group.bench_function("uuid now_v7", |b| b.iter(uuid::Uuid::now_v7));
    group.bench_function("ulid Generator", |b| b.iter(|| ulids.generate().unwrap()));
    group.finish();
    criterion.final_summary();

    const CEILING: f64 = 4_096_000.0;
    let ours_rate = per_second(|| next_snowflake(&mut ours) as u128);
    let theirs_rate = per_second(|| theirs.generate::<u64>() as u128);
    let uuid_rate = per_second(|| uuid::Uuid::now_v7().as_u128());
    let ulid_rate = per_second(|| ulids.generate().map(u128::from).unwrap_or_default());
    println!("IDs per second on one core, real clock, one second each:");
    println!(
        "  lessons Snowflake  {ours_rate:>12.0}  ({:.1}% of the 4,096,000 ceiling)",
        100.0 * ours_rate / CEILING
    );
    println!(
        "  snowflaked         {theirs_rate:>12.0}  ({:.1}% of the ceiling)",
        100.0 * theirs_rate / CEILING
    );
    println!("  uuid v7            {uuid_rate:>12.0}  (no per-millisecond ceiling)");
    println!("  ulid               {ulid_rate:>12.0}  (no per-millisecond ceiling)");
}
