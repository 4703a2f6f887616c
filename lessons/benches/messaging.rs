//! The messaging lesson's hot paths: Kafka's key hash (ours against the `murmur2` crate with
//! Kafka's seed, on the same keys) and the idempotency-key store that deduplicates requests.
//!
//! Criterion reports each; after it, a plain timed loop prints nanoseconds per operation and our
//! murmur2 time as a multiple of the crate's.
//!
//! Run it with `cargo bench -p lessons --bench messaging`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lessons::messaging::{IdempotencyStore, murmur2};
use lessons::sim::{Time, secs};

/// Keys like a producer's entity ids: `order-` and a number.
fn keys(count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| format!("order-{i:010}").into_bytes())
        .collect()
}

/// Nanoseconds per call of `hash` over every key, repeated `rounds` times.
fn time_loop(keys: &[Vec<u8>], rounds: usize, hash: impl Fn(&[u8]) -> i32) -> f64 {
    let start = Instant::now();
    let mut sink = 0i32;
    for _ in 0..rounds {
        for key in keys {
            sink = sink.wrapping_add(hash(black_box(key)));
        }
    }
    black_box(sink);
    start.elapsed().as_nanos() as f64 / (rounds * keys.len()) as f64
}

fn theirs(key: &[u8]) -> i32 {
    murmur2::murmur2(key, murmur2::KAFKA_SEED) as i32
}

fn main() {
    let keys = keys(10_000);
    assert!(keys.iter().all(|key| murmur2(key) == theirs(key)));

    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let mut group = criterion.benchmark_group("murmur2 of a 16-byte key");
    let mut next = 0;
    group.bench_function("lessons murmur2", |b| {
        b.iter(|| {
            next = (next + 1) % keys.len();
            murmur2(&keys[next])
        })
    });
    group.bench_function("murmur2 crate, KAFKA_SEED", |b| {
        b.iter(|| {
            next = (next + 1) % keys.len();
            theirs(&keys[next])
        })
    });
    group.finish();

    let names: Vec<String> = (0..100_000).map(|i| format!("key-{i}")).collect();
    let mut group = criterion.benchmark_group("idempotency store, 100,000 keys");
    group.bench_function("begin: fresh keys, then a replay of each", |b| {
        b.iter(|| {
            let mut store = IdempotencyStore::new(secs(86_400)).unwrap();
            for name in &names {
                store.begin(name, "body", Time::ZERO);
                store.finish(name, "done");
            }
            for name in &names {
                black_box(store.begin(name, "body", secs(1)));
            }
            store.len()
        })
    });
    group.finish();
    criterion.final_summary();

    let ours = time_loop(&keys, 200, murmur2);
    let crate_time = time_loop(&keys, 200, theirs);
    println!("murmur2 over 2,000,000 keys of 16 bytes:");
    println!("  lessons murmur2               {ours:6.1} ns/key");
    println!("  murmur2 crate (KAFKA_SEED)    {crate_time:6.1} ns/key");
    println!("  ours / crate = {:.2}x", ours / crate_time);
}
