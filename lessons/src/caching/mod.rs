//! Caching: what a cache in front of a slow backend saves, and what it costs in freshness.

mod eviction;
mod eviction_experiments;
mod frequency_oracle;
mod hot_keys;
mod lru;
mod trace;
mod ttl;

pub use eviction::{Policy, hit_rate, replay};
pub use eviction_experiments::{
    EvictionRow, TimelineRow, backend_load_figure, eviction_sweep, hit_rate_figure,
    hit_rate_over_time, timeline_figure,
};
pub use frequency_oracle::{generalized_harmonic, pinned_hit_rate, top_keys_hit_rate};
pub use hot_keys::{HotKeyRow, hot_key_figure, hot_key_run};
pub use lru::LruCache;
pub use trace::{KeyTrace, MAX_REQUESTS, poisson_arrivals};
pub use ttl::{
    Access, Expiry, TtlEntry, TtlRow, predicted_miss_rate, ttl_figure, ttl_run, ttl_sweep,
};
