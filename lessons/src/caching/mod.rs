//! Caching: a copy of hot data kept close to its readers, what it saves the backend, and what
//! it costs in freshness.
//!
//! A cache answers a read from a copy instead of asking the system of record. Every cache makes
//! the same trade: reads that hit are cheap and take no backend capacity, reads that miss pay the
//! full price (and a little more), and the copy may be older than the truth. The lesson measures
//! both sides, in six parts:
//!
//! 1. **Cache patterns** (15.1): cache-aside, read-through, write-through, write-behind and
//!    write-around: who fills the cache, who writes the database, and what each loses when the
//!    cache dies or the database is written behind its back.
//! 2. **The cache-aside invalidation race** (15.2): a reader that stalls between reading the
//!    database and setting the cache can put back a value a writer has just invalidated, and it
//!    stays until its TTL; versioned sets close the race.
//! 3. **TTL arithmetic** (15.3, [`TtlEntry`], [`ttl_run`], [`ttl_sweep`], [`ttl_figure`]): one key
//!    read every `P` with expiry `T` after the fill misses once every `⌈T/P⌉` reads (the read at
//!    exactly fill + `T` misses), so a 30 s TTL read every 60 s misses every time (claim C11);
//!    Poisson reads at rate `λ` miss `1 / (1 + λT)` of the time; expiry refreshed on every hit
//!    turns the question into whether the gaps between reads are shorter than `T`.
//! 4. **Eviction policies on skewed workloads** (15.4, [`Policy`], [`replay`], [`LruCache`],
//!    [`eviction_sweep`], [`hit_rate_over_time`]): LRU, LFU with and without decaying counts,
//!    FIFO, random and sampled LRU replayed on Zipf traces ([`KeyTrace`]) with scans and a
//!    popularity shift, against Belady's offline optimum, which no policy beats. Random eviction
//!    is close to LRU on Zipf(1), and far from optimal (claim C27); a cache that pins the `C`
//!    most popular keys serves `H(C)/H(K)` of a static Zipf workload ([`top_keys_hit_rate`]).
//!    On a CDN-like trace where most objects are requested once ([`CdnTrace`], [`cdn_sweep`]),
//!    storing an object only on its second request ([`Policy::SecondHit`]) keeps the one-hit
//!    objects out of the cache, and Megiddo and Modha's [`ArcCache`] ([`Policy::Arc`]) adapts
//!    between recency and frequency and resists scans.
//! 5. **Stampede, avalanche, penetration** (15.5): what happens to the database when a hot key
//!    expires, when many keys expire together, or when requests ask for keys nobody has; locks,
//!    request coalescing, stale-while-revalidate, early refresh, jitter, Bloom filters.
//! 6. **Hot keys and local caches** (15.6, [`hot_key_run`], [`hot_key_figure`]): `S` servers that
//!    each keep a hot key for `T` send the backend at most `S / T` requests per second for it,
//!    whatever the incoming rate, so "100K to 1K req/s" is a statement about `S` and `T`
//!    (claim C21).
//!
//! Every experiment runs on virtual time ([`crate::sim::Time`]) with seeded randomness
//! ([`crate::sim::Rng`], [`poisson_arrivals`]); a trace is a plain list of keys, so every policy
//! sees exactly the same requests.
//!
//! # What a cache guarantees, and what not
//!
//! A TTL bounds how long a copy can be served after it was filled, not how stale it is when
//! filled (the invalidation race) and not how often the backend is asked (stampedes). An eviction
//! policy decides only which key leaves; its hit rate depends on the workload as much as on the
//! policy: LRU is ruined by a scan that LFU ignores, LFU clings to yesterday's hot keys after a
//! shift unless its counts decay. OPT is a bound to measure against, not a policy to run: it
//! needs the future.
//!
//! # References
//!
//! * L. A. Belady, "A study of replacement algorithms for a virtual-storage computer", IBM
//!   Systems Journal 5(2), 1966 (the MIN/OPT policy).
//! * Lee Breslau, Pei Cao, Li Fan, Graham Phillips and Scott Shenker, "Web Caching and Zipf-like
//!   Distributions: Evidence and Implications", INFOCOM 1999 (hit rate of the top keys of a Zipf
//!   workload grows like log C).
//! * Nimrod Megiddo and Dharmendra Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
//!   FAST 2003 (the algorithm in its Figure 4; scans and shifts against LRU and LFU).
//! * Bruce Maggs and Ramesh Sitaraman, "Algorithmic Nuggets in Content Delivery", ACM SIGCOMM
//!   Computer Communication Review 45(3), 2015 (one-hit wonders in Akamai's traces, caching on
//!   the second request, Bloom filters to remember the first).
//! * Redis documentation, "Key eviction" (approximated LRU by sampling, `maxmemory-samples`; LFU
//!   with decaying counters since Redis 4.0).
//! * Rajesh Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013 (leases against stale sets
//!   and thundering herds).
//!
//! # Examples
//!
//! ```
//! use lessons::caching::{KeyTrace, Policy, hit_rate, replay};
//!
//! let trace = KeyTrace::zipf(1_000, 1.0)?.generate(20_000, 1)?;
//! let lru = hit_rate(&replay(Policy::Lru, 50, &trace, 1)?);
//! let optimal = hit_rate(&replay(Policy::Optimal, 50, &trace, 1)?);
//! assert!(lru < optimal);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod arc;
mod avalanche;
mod cdn;
mod cdn_experiments;
mod eviction;
mod eviction_experiments;
mod frequency_oracle;
mod hot_keys;
mod invalidation;
mod invalidation_figures;
mod invalidation_model;
mod lru;
mod patterns;
mod patterns_figures;
mod penetration;
mod stampede;
mod stampede_figures;
mod trace;
mod ttl;
mod write_behind;

pub use arc::{ArcCache, ArcSizes};
pub use avalanche::{ExpiryRow, MassExpiry, mass_expiry_experiment};
pub use cdn::{CdnTrace, share_requested_once};
pub use cdn_experiments::{CdnRow, cdn_figure, cdn_sweep};
pub use eviction::{Policy, Step, hit_rate, replay, replay_steps};
pub use eviction_experiments::{
    EvictionRow, ScanRow, TimelineRow, backend_load_figure, eviction_sweep, hit_rate_at,
    hit_rate_figure, hit_rate_over_time, mean_hit_rate_after, scan_experiment, timeline_figure,
};
pub use frequency_oracle::{generalized_harmonic, pinned_hit_rate, top_keys_hit_rate};
pub use hot_keys::{HotKeyRow, hot_key_figure, hot_key_run};
pub use invalidation::{
    CacheCell, InvalidationScheme, RaceRow, RaceWorkload, invalidation_race_experiment,
};
pub use invalidation_figures::{race_figure, race_table};
pub use invalidation_model::{
    InvalidationRace, RaceCheckRow, RaceState, RaceStep, ReaderStage, WriterStage,
};
pub use lru::LruCache;
pub use patterns::{
    CachePattern, Invalidation, PatternRow, PatternWorkload, outside_writer_experiment,
    pattern_experiment,
};
pub use patterns_figures::{pattern_latency_figure, pattern_table};
pub use penetration::{
    Penetration, PenetrationDefense, PenetrationRow, penetration_experiment, predicted_db_fraction,
};
pub use stampede::{
    HotKey, LoadRow, RefreshStrategy, StampedeRow, StampedeRun, stampede_experiment,
};
pub use stampede_figures::{
    mass_expiry_figure, penetration_figure, penetration_table, stampede_figure, stampede_table,
};
pub use trace::{KeyTrace, MAX_REQUESTS, poisson_arrivals};
pub use ttl::{
    Access, Expiry, TtlEntry, TtlRow, predicted_miss_rate, ttl_figure, ttl_run, ttl_sweep,
};
pub use write_behind::WriteBehindBuffer;
