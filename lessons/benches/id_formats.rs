//! Our UUIDv4, UUIDv7 and ULID against the `uuid` and `ulid` crates, in the same run: minting
//! one ID, writing it as text, reading the text back.
//!
//! The comparison of minting is not like for like, and the printout says so: ours draw from the
//! seeded xoshiro256++ `Rng` and are handed the millisecond, while `uuid` asks the operating
//! system for randomness (`getrandom`) and the clock for the time, and `ulid` draws from the
//! thread-local generator of `rand` and reads the clock. Text is the fair part: the same 128 bits
//! in, the same text out.
//!
//! Criterion times each operation; after it, each runs for half a second and the benchmark prints
//! the mean time per call and the ratio ours / theirs.
//!
//! Run it with `cargo bench -p lessons --bench id_formats`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lessons::ids::{Ulid, Uuid};
use lessons::sim::Rng;

/// 2026-01-01T00:00:00Z in Unix milliseconds.
const MILLIS: u64 = 1_767_225_600_000;

/// Mean nanoseconds per call of `operation`, run for half a second of wall time.
fn nanos_per_call(mut operation: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut calls = 0u64;
    let mut sink = 0usize;
    while start.elapsed() < Duration::from_millis(500) {
        for _ in 0..256 {
            sink ^= operation();
        }
        calls += 256;
    }
    black_box(sink);
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn main() {
    let mut rng = Rng::new(1);
    let v7 = Uuid::v7(MILLIS, &mut rng).unwrap();
    let their_v7 = uuid::Uuid::from_u128(v7.as_u128());
    let ulid = Ulid::new(MILLIS, &mut rng).unwrap();
    let their_ulid = ulid::Ulid(ulid.as_u128());
    let ulid_text = ulid.to_string();

    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let mut group = criterion.benchmark_group("id formats");
    group.bench_function("lessons Uuid::v4", |b| b.iter(|| Uuid::v4(&mut rng)));
    group.bench_function("uuid new_v4", |b| b.iter(uuid::Uuid::new_v4));
    group.bench_function("lessons Uuid::v7", |b| {
        b.iter(|| Uuid::v7(black_box(MILLIS), &mut rng))
    });
    group.bench_function("uuid now_v7", |b| b.iter(uuid::Uuid::now_v7));
    group.bench_function("lessons Ulid::new", |b| {
        b.iter(|| Ulid::new(black_box(MILLIS), &mut rng))
    });
    group.bench_function("ulid Ulid::generate", |b| b.iter(ulid::Ulid::generate));
    group.bench_function("lessons UUID text", |b| b.iter(|| v7.to_string()));
    group.bench_function("uuid text", |b| b.iter(|| their_v7.to_string()));
    group.bench_function("lessons ULID text", |b| b.iter(|| ulid.to_string()));
    group.bench_function("ulid text", |b| b.iter(|| their_ulid.to_string()));
    group.bench_function("lessons ULID parse", |b| {
        b.iter(|| Ulid::parse(black_box(&ulid_text)))
    });
    group.bench_function("ulid parse", |b| {
        b.iter(|| ulid::Ulid::from_string(black_box(&ulid_text)))
    });
    group.finish();
    criterion.final_summary();

    let rows: [(&str, f64, f64); 6] = [
        (
            "mint a UUIDv4 (ours: seeded Rng; theirs: getrandom)",
            nanos_per_call(|| Uuid::v4(&mut rng).as_u128() as usize),
            nanos_per_call(|| uuid::Uuid::new_v4().as_u128() as usize),
        ),
        (
            "mint a UUIDv7 (theirs also reads the clock)",
            nanos_per_call(|| Uuid::v7(MILLIS, &mut rng).map_or(0, |id| id.as_u128() as usize)),
            nanos_per_call(|| uuid::Uuid::now_v7().as_u128() as usize),
        ),
        (
            "mint a ULID (theirs also reads the clock)",
            nanos_per_call(|| Ulid::new(MILLIS, &mut rng).map_or(0, |id| id.as_u128() as usize)),
            nanos_per_call(|| ulid::Ulid::generate().0 as usize),
        ),
        (
            "UUID to text",
            nanos_per_call(|| v7.to_string().len()),
            nanos_per_call(|| their_v7.to_string().len()),
        ),
        (
            "ULID to text",
            nanos_per_call(|| ulid.to_string().len()),
            nanos_per_call(|| their_ulid.to_string().len()),
        ),
        (
            "ULID from text",
            nanos_per_call(|| Ulid::parse(&ulid_text).map_or(0, |id| id.as_u128() as usize)),
            nanos_per_call(|| ulid::Ulid::from_string(&ulid_text).map_or(0, |id| id.0 as usize)),
        ),
    ];
    println!("mean ns per call, half a second each:");
    for (operation, ours, theirs) in rows {
        println!(
            "  {operation:<54} ours {ours:>7.1}  theirs {theirs:>7.1}  ours/theirs {:.2}",
            ours / theirs
        );
    }
}
