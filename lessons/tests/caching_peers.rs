//! Our LRU cache against the `lru` crate's on the same Zipf traces: the same hits, request by
//! request, and the same evicted key at every eviction.

use std::num::NonZeroUsize;

use lessons::caching::{KeyTrace, LruCache, Policy, replay};

#[test]
fn our_lru_hits_exactly_where_the_lru_crate_hits() {
    let trace = KeyTrace::zipf(10_000, 1.0)
        .unwrap()
        .with_scans(20_000, 3_000)
        .unwrap()
        .generate(100_000, 3)
        .unwrap();
    for capacity in [1, 10, 100, 1_000, 5_000] {
        let ours = replay(Policy::Lru, capacity, &trace, 0).unwrap();
        let mut theirs = lru::LruCache::new(NonZeroUsize::new(capacity).unwrap());
        let their_hits: Vec<bool> = trace
            .iter()
            .map(|&key| {
                let hit = theirs.get(&key).is_some();
                if !hit {
                    theirs.put(key, 0u64);
                }
                hit
            })
            .collect();
        assert_eq!(ours, their_hits, "capacity {capacity}");
    }
}

#[test]
fn our_lru_evicts_the_key_the_lru_crate_evicts() {
    let trace = KeyTrace::zipf(1_000, 0.8)
        .unwrap()
        .generate(50_000, 4)
        .unwrap();
    let mut ours = LruCache::new(64).unwrap();
    let mut theirs = lru::LruCache::new(NonZeroUsize::new(64).unwrap());
    for (at, &key) in trace.iter().enumerate() {
        let value = at as u64;
        if at % 3 == 0 {
            assert_eq!(ours.get(key), theirs.get(&key).copied());
        } else {
            let evicted = ours.put(key, value);
            let their_evicted = match theirs.push(key, value) {
                Some((old_key, _)) if old_key != key => Some(old_key),
                _ => None,
            };
            assert_eq!(evicted, their_evicted, "request {at}");
        }
    }
}
