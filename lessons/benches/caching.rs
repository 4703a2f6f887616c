//! Speed of our LRU cache against the `lru` crate (the same policy) and `quick_cache`'s
//! single-threaded cache (a different policy, CLOCK-Pro-like), each holding 1,000 of 10,000
//! keys, on the same Zipf(1) stream of keys: a get, and a put when the get misses. Criterion
//! times each; after it, a table gives our time as a multiple of each peer's.
//!
//! Run it with `cargo bench -p lessons --bench caching`.

mod peer_timing;

use std::hint::black_box;
use std::num::NonZeroUsize;

use lessons::caching::{KeyTrace, LruCache};
use peer_timing::{Case, Table};

const KEYS: usize = 10_000;
const CAPACITY: usize = 1_000;

/// The same 100,000 Zipf keys for every side, cycled.
fn stream() -> impl FnMut() -> u64 {
    let keys = KeyTrace::zipf(KEYS, 1.0)
        .unwrap()
        .generate(100_000, 1)
        .unwrap();
    let mut next = 0;
    move || {
        next = (next + 1) % keys.len();
        keys[next]
    }
}

fn ours() -> Box<dyn FnMut()> {
    let mut cache = LruCache::new(CAPACITY).unwrap();
    let mut keys = stream();
    Box::new(move || {
        let key = black_box(keys());
        if cache.get(key).is_none() {
            black_box(cache.put(key, key));
        }
    })
}

fn lru_cases() -> Vec<Case> {
    let mut theirs = lru::LruCache::new(NonZeroUsize::new(CAPACITY).unwrap());
    let mut keys = stream();
    vec![Case {
        name: "LRU get, put on a miss".to_string(),
        ours: ours(),
        peer: Box::new(move || {
            let key = black_box(keys());
            if theirs.get(&key).is_none() {
                black_box(theirs.put(key, key));
            }
        }),
    }]
}

fn quick_cache_cases() -> Vec<Case> {
    let mut theirs = quick_cache::unsync::Cache::new(CAPACITY);
    let mut keys = stream();
    vec![Case {
        name: "cache get, put on a miss".to_string(),
        ours: ours(),
        peer: Box::new(move || {
            let key = black_box(keys());
            if theirs.get(&key).is_none() {
                theirs.insert(key, key);
            }
        }),
    }]
}

fn main() {
    peer_timing::compare(
        lru_cases,
        Table {
            heading: "1,000 of 10,000 Zipf(1) keys",
            peer: "lru",
            time_decimals: 1,
            ratio_decimals: 2,
        },
    );
    peer_timing::compare(
        quick_cache_cases,
        Table {
            heading: "1,000 of 10,000 Zipf(1) keys",
            peer: "quick_cache",
            time_decimals: 1,
            ratio_decimals: 2,
        },
    );
}
