//! Storage engines and Bloom filters: how a key-value store lays keys out on disk, what each
//! layout costs in page writes and reads, and the small probabilistic filter that lets a store
//! skip reads for keys it does not have.
//!
//! # Bloom filters
//!
//! A Bloom filter ([`BloomFilter`]) answers "is this key in the set?" with either "no" (always
//! right) or "maybe" (wrong with a small, computable probability). It is m bits and k hash
//! positions per key. For n keys and a target false-positive rate p the right size is
//! `m = ceil(-n ln p / (ln 2)^2)` bits and `k = round((m/n) ln 2)` ([`optimal_bits`],
//! [`optimal_hashes`]): about 9.6 bits per key for 1% and 14.4 for 0.1%, whatever the keys
//! are. After n inserts an absent key is a false positive with probability about
//! `(1 - e^(-kn/m))^k` ([`predicted_fp_rate`]); [`fp_rate_experiment`] measures it.
//!
//! What a filter does not do: it does not grow (past its design capacity the rate climbs fast,
//! [`overload_experiment`]), and it cannot delete (clearing a key's bits clears other keys'
//! bits too, [`BloomFilter::clear_bits_of`], [`deletion_experiment`]). A counting filter
//! ([`CountingBloomFilter`]) deletes at four times the memory; a scalable filter
//! ([`ScalableBloomFilter`]) grows by adding stricter stages.
//!
//! # Hashing
//!
//! Every filter here hashes a key once, with the fixed [`KeyHasher`] (no random keys, so every
//! run gives the same bits), and derives the k positions by double hashing
//! ([`probe_positions`]), which Kirsch and Mitzenmacher showed has the same asymptotic
//! false-positive rate as k independent hashes.
//!
//! # References
//!
//! * Burton H. Bloom, "Space/Time Trade-offs in Hash Coding with Allowable Errors", CACM 13(7),
//!   1970.
//! * Adam Kirsch and Michael Mitzenmacher, "Less Hashing, Same Performance: Building a Better
//!   Bloom Filter", ESA 2006 (double hashing).
//! * Li Fan, Pei Cao, Jussara Almeida and Andrei Broder, "Summary Cache: A Scalable Wide-Area Web
//!   Cache Sharing Protocol", IEEE/ACM ToN 8(3), 2000 (counting Bloom filters, 4-bit counters).
//! * Paulo Sérgio Almeida, Carlos Baquero, Nuno Preguiça and David Hutchison, "Scalable Bloom
//!   Filters", Information Processing Letters 101(6), 2007.
//! * Andrei Broder and Michael Mitzenmacher, "Network Applications of Bloom Filters: A Survey",
//!   Internet Mathematics 1(4), 2004 (the formulas, section 2).
//!
//! # Examples
//!
//! ```
//! use lessons::storage::*;
//!
//! let mut seen = BloomFilter::with_capacity(10_000, 0.01)?;
//! seen.insert("https://example.com/");
//! assert!(seen.contains("https://example.com/"));
//! assert_eq!(seen.hash_count(), 7);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod bloom;
mod bloom_experiments;
mod bloom_figures;
mod btree;
mod btree_experiments;
mod btree_figures;
mod counting;
mod hashing;
mod lsm;
mod lsm_experiments;
mod scalable;

pub use bloom::{
    BloomFilter, MAX_BITS, MAX_HASHES, optimal_bits, optimal_hashes, predicted_fp_rate,
};
pub use bloom_experiments::{
    DeletionRow, FpRow, OverloadRow, ScalableRow, SizingRow, deletion_experiment,
    fp_rate_experiment, overload_experiment, overloaded_fp_rate, random_keys,
    scalable_experiment, sizing_rows,
};
pub use bloom_figures::{
    fp_rate_figure, hash_count_figure, overload_figure, scalable_figure, scalable_table,
};
pub use btree::{BPlusTree, SplitPolicy};
pub use btree_experiments::{
    BTreeRow, HeightRow, KeyOrder, UpdateRow, btree_experiment, height_experiment, min_height,
    update_experiment,
};
pub use btree_figures::{btree_table, height_figure, leaf_fill_figure, page_writes_figure};
pub use counting::{COUNTER_MAX, CountingBloomFilter};
pub use hashing::{KeyHasher, key_hash, probe_positions};
pub use lsm::{Compaction, Lookup, LsmTree};
pub use lsm_experiments::{
    LsmRow, LsmWorkload, ReadPathRow, lsm_experiment, lsm_figure, read_path_experiment,
    read_path_figure,
};
pub use scalable::ScalableBloomFilter;
