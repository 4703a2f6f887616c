//! Storage engines and Bloom filters: how a key-value store lays keys out on disk, what each
//! layout costs in page writes and reads, and the small probabilistic filter that lets a store
//! skip reads for keys it does not have. Everything here is counted, not timed: page writes,
//! entries written, runs read, false positives.
//!
//! # B+-trees
//!
//! A B+-tree ([`BPlusTree`]) keeps keys sorted in fixed-size pages and updates them in place.
//! A lookup reads one page per level, and the number of levels grows with the logarithm of the
//! keys, base the number of entries per page ([`min_height`], [`height_experiment`]). The
//! order in which keys arrive decides how full the pages end up ([`btree_experiment`]): random
//! keys leave leaves about ln 2 ≈ 69% full (Yao 1978), ascending keys with 50/50 splits leave
//! them half full, and a split that keeps the full page full when the new key is the largest
//! ([`SplitPolicy::Rightmost`]) packs them. Every insert rewrites at least one whole page, so
//! changing a small record costs a page ([`update_experiment`]).
//!
//! # LSM trees
//!
//! An LSM tree ([`LsmTree`]) never updates in place: writes go to a memtable, which is written
//! out as an immutable sorted run, and compaction merges runs in the background. Leveled
//! compaction ([`Compaction::Leveled`]) keeps one run per level and rewrites it often: more
//! writes, fewer runs to read, little space held by old versions. Size-tiered compaction
//! ([`Compaction::Tiered`]) merges runs of similar size only when enough have gathered: fewer
//! writes, more runs, more space ([`lsm_experiment`]). A lookup reads runs newest first until
//! it finds the key; for a key that is not there, it reads every run, unless each run carries a
//! Bloom filter ([`read_path_experiment`]). The model counts entries, not bytes or blocks, and
//! has no block cache and no key-range partitioning of a level into many files.
//!
//! Compaction needs disk bandwidth. [`ThrottledLsm`] gives it a budget of entries per second:
//! flushed runs wait in level 0 until the merges that absorb them are paid for, and every
//! lookup reads the waiting runs ([`compaction_debt_experiment`]). Compaction never falls
//! behind exactly when its budget covers the busiest second's merge work; being at least the
//! ingest rate is not enough, since compaction writes each entry several times.
//!
//! A delete writes a tombstone, which must outlive every older version of its key; a merge
//! drops it only when nothing older lies below, in practice at the last level
//! ([`LsmTree::versions`], [`LsmTree::compact_all`]). Until then it costs space and a disk
//! read per lookup of the deleted key, which its run's Bloom filter cannot save
//! ([`tombstone_experiment`]).
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
//! ([`ScalableBloomFilter`]) grows by adding stricter stages. A filter built in a batch knows
//! nothing of keys added since: [`FilterWithRecent`] keeps them in an exact side set until the
//! next rebuild ([`recent_additions_experiment`]).
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
//! * Rudolf Bayer and Edward McCreight, "Organization and Maintenance of Large Ordered
//!   Indexes", Acta Informatica 1(3), 1972; Douglas Comer, "The Ubiquitous B-Tree", ACM
//!   Computing Surveys 11(2), 1979.
//! * Andrew Chi-Chih Yao, "On Random 2-3 Trees", Acta Informatica 9, 1978 (leaves ln 2 full).
//! * Patrick O'Neil, Edward Cheng, Dieter Gawlick and Elizabeth O'Neil, "The Log-Structured
//!   Merge-Tree (LSM-Tree)", Acta Informatica 33(4), 1996.
//! * Niv Dayan, Manos Athanassoulis and Stratos Idreos, "Monkey: Optimal Navigable Key-Value
//!   Store", SIGMOD 2017 (leveling against tiering, section 2; Bloom filters per run).
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
mod debt_experiments;
mod hashing;
mod lsm;
mod lsm_experiments;
mod recent;
mod scalable;
mod throttled;
mod tombstones;

pub use bloom::{
    BloomFilter, MAX_BITS, MAX_HASHES, optimal_bits, optimal_hashes, predicted_fp_rate,
};
pub use bloom_experiments::{
    DeletionRow, FpRow, OverloadRow, ScalableRow, SizingRow, best_hash_count, deletion_experiment,
    fp_rate_experiment, overload_experiment, overloaded_fp_rate, random_keys, scalable_experiment,
    sizing_rows,
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
pub use debt_experiments::{
    DebtRow, WriteBurst, compaction_debt_experiment, debt_latency_figure, debt_runs_figure,
    debt_table,
};
pub use hashing::{KeyHasher, key_hash, probe_positions};
pub use lsm::{Compaction, Lookup, LsmTree};
pub use lsm_experiments::{
    LsmRow, LsmWorkload, ReadPathRow, lsm_experiment, lsm_figure, read_path_experiment,
    read_path_figure,
};
pub use recent::{
    FilterWithRecent, RecentRow, recent_additions_experiment, recent_additions_figure,
};
pub use scalable::ScalableBloomFilter;
pub use throttled::ThrottledLsm;
pub use tombstones::{
    DeleteHeavy, TombstoneRow, tombstone_experiment, tombstone_figure, tombstone_table,
};
