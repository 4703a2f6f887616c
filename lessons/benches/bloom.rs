//! Insert and lookup speed of our Bloom filter against `fastbloom` and `bloomfilter`, each with
//! the same number of bits (1,000,000: 10 per key for 100,000 keys) and 7 hash positions, on
//! the same random `u64` keys. Criterion times each; after it, a table gives our time as a
//! multiple of each peer's (the target: within 1.5x).
//!
//! Run it with `cargo bench -p lessons --bench bloom`.

mod peer_timing;

use std::hint::black_box;

use bloomfilter::Bloom;
use lessons::storage::{BloomFilter, random_keys};
use peer_timing::{Case, Table};

const KEYS: u64 = 100_000;
/// A multiple of 64, so every filter gets exactly this many bits.
const BITS: u64 = 1_000_000;
const HASHES: u32 = 7;

fn ours() -> BloomFilter {
    let mut filter = BloomFilter::new(BITS, HASHES).unwrap();
    for key in random_keys(1, KEYS, false) {
        filter.insert(&key);
    }
    filter
}

fn fastbloom_filter() -> fastbloom::BloomFilter {
    let mut filter = fastbloom::BloomFilter::with_num_bits(BITS as usize)
        .seed(&1)
        .hashes(HASHES);
    for key in random_keys(1, KEYS, false) {
        filter.insert(&key);
    }
    filter
}

fn bloomfilter_filter() -> Bloom<u64> {
    let mut filter = Bloom::new_with_seed(BITS as usize / 8, KEYS as usize, &[1; 32]).unwrap();
    for key in random_keys(1, KEYS, false) {
        filter.set(&key);
    }
    filter
}

/// A stream of keys for one side of a comparison: inserted keys for "insert", absent keys for
/// "lookup", cycling through the same 100,000 so both sides see the same ones.
fn stream(absent: bool) -> impl FnMut() -> u64 {
    let keys = random_keys(2, KEYS, absent);
    let mut next = 0;
    move || {
        next = (next + 1) % keys.len();
        keys[next]
    }
}

fn fastbloom_cases() -> Vec<Case> {
    let (mut mine, mut theirs) = (ours(), fastbloom_filter());
    let (mut a, mut b) = (stream(false), stream(false));
    let insert = Case {
        name: "insert".to_string(),
        ours: Box::new(move || mine.insert(&black_box(a()))),
        peer: Box::new(move || {
            black_box(theirs.insert(&black_box(b())));
        }),
    };
    let (mine, theirs) = (ours(), fastbloom_filter());
    let (mut a, mut b) = (stream(true), stream(true));
    let lookup = Case {
        name: "lookup of an absent key".to_string(),
        ours: Box::new(move || {
            black_box(mine.contains(&black_box(a())));
        }),
        peer: Box::new(move || {
            black_box(theirs.contains(&black_box(b())));
        }),
    };
    vec![insert, lookup]
}

fn bloomfilter_cases() -> Vec<Case> {
    let (mut mine, mut theirs) = (ours(), bloomfilter_filter());
    let (mut a, mut b) = (stream(false), stream(false));
    let insert = Case {
        name: "insert".to_string(),
        ours: Box::new(move || mine.insert(&black_box(a()))),
        peer: Box::new(move || theirs.set(&black_box(b()))),
    };
    let (mine, theirs) = (ours(), bloomfilter_filter());
    let (mut a, mut b) = (stream(true), stream(true));
    let lookup = Case {
        name: "lookup of an absent key".to_string(),
        ours: Box::new(move || {
            black_box(mine.contains(&black_box(a())));
        }),
        peer: Box::new(move || {
            black_box(theirs.check(&black_box(b())));
        }),
    };
    vec![insert, lookup]
}

fn main() {
    peer_timing::compare(
        fastbloom_cases,
        Table {
            heading: "Bloom filter, 1M bits, k = 7",
            peer: "fastbloom",
            time_decimals: 1,
            ratio_decimals: 2,
        },
    );
    peer_timing::compare(
        bloomfilter_cases,
        Table {
            heading: "Bloom filter, 1M bits, k = 7",
            peer: "bloomfilter",
            time_decimals: 1,
            ratio_decimals: 2,
        },
    );
}
