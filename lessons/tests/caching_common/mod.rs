//! What the caching laws share: the policies that store every miss, and a replay's hit count.

use lessons::caching::{Policy, replay};

/// The policies that store every miss (so Belady's OPT bounds them), OPT not among them.
pub fn demand_fill(capacity: usize) -> [Policy; 7] {
    [
        Policy::Lru,
        Policy::Lfu,
        Policy::DecayingLfu { halve_every: 7 },
        Policy::Fifo,
        Policy::Random,
        Policy::SampledLru {
            samples: 1 + capacity / 2,
        },
        Policy::Arc,
    ]
}

/// How many of `trace`'s requests `policy` serves from a cache of `capacity`.
pub fn hits(policy: Policy, capacity: usize, trace: &[u64], seed: u64) -> usize {
    let flags = replay(policy, capacity, trace, seed).unwrap();
    flags.iter().filter(|&&hit| hit).count()
}
