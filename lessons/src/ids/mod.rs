//! Unique IDs without coordination: Snowflake and its relatives.
//!
//! A database with one counter hands out unique, increasing IDs, but every insert must reach
//! that one counter. A *Snowflake* ID lets every machine mint IDs alone: 64 bits made of the
//! time in milliseconds, the machine's number, and a sequence number that counts within one
//! millisecond ([`Layout`]). Two machines never collide because their machine bits differ; one
//! machine never collides with itself because its (millisecond, sequence) pairs never repeat,
//! *as long as its clock does not go back*.
//!
//! # What the layout buys and costs
//!
//! * **Throughput per machine** is `2^sequence_bits` IDs per millisecond: 4,096 for Twitter's
//!   12 bits, about 4.1 million per second. Past that, a generator must wait for the next
//!   millisecond ([`saturation`]).
//! * **Lifetime** is `2^timestamp_bits` milliseconds from the epoch: 41 bits last 69.7 years,
//!   which is why every user of the scheme picks a recent custom epoch.
//! * **Order**: IDs from one generator increase strictly. IDs from different machines are only
//!   *roughly* sorted ("k-sorted"): their clocks disagree, and within one millisecond the
//!   machine bits decide ([`skew_trial`]).
//! * **Clocks going backwards** are the real danger. [`OnClockBackwards`] names the three
//!   answers: trust the clock (and issue duplicates), refuse until it catches up, or keep a
//!   logical clock that runs ahead of it ([`rollback_trial`]). The last two compare the clock
//!   with the last millisecond they issued, kept in memory: a process that restarts while its
//!   clock is behind repeats IDs unless it reads that millisecond back from disk
//!   ([`restart_trial`], [`SnowflakeGenerator::resume`]).
//! * **The shard in the ID** routes a read with no lookup: Instagram's IDs carry a logical
//!   shard, mapped to a server by a small table ([`ShardMap`], [`shard_routing_experiment`]).
//!
//! The generator is handed the clock reading on every call and never reads a clock itself, so
//! every experiment runs on virtual time.
//!
//! # The relatives
//!
//! * **Random IDs** need no machine number at all, only enough random bits that a collision
//!   is too unlikely to matter. [`Uuid::v4`] has 122 of them. How unlikely is the birthday
//!   bound: `n` IDs among `N` values collide with probability about `n²/2N`
//!   ([`collision_probability`], computed without losing the tiny values, and checked against
//!   counted collisions by [`collision_trial`]).
//! * **Time first, then random**: [`Uuid::v7`] (48 bits of Unix milliseconds, 74 random bits)
//!   and [`Ulid`] (48 + 80, written in 26 Crockford Base32 characters) sort by time across
//!   milliseconds, as numbers and as text, with no machine number to assign; within one
//!   millisecond only chance keeps them apart.
//! * **Index locality**: a B+-tree index receives new keys in issue order. Random keys land
//!   anywhere, split leaves in half and leave them about 69% full; time-ordered keys append
//!   at the right edge and leave full leaves ([`LeafLevel`], [`index_locality`]).
//! * **Auto-increment with a stride** ([`StridedCounter`]): server `o` of `k` issues `o, o + k,
//!   ...`. Unique as long as `k` never changes; adding a server changes it
//!   ([`add_server_trial`]).
//! * **Short codes**: [`Base62`] writes a number in 62 URL-safe characters; which number a
//!   code means depends on the order of the alphabet.
//!
//! # Examples
//!
//! ```
//! use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator};
//! use lessons::sim::ms;
//!
//! let layout = Layout::twitter();
//! let mut a = SnowflakeGenerator::new(layout, 1, OnClockBackwards::Refuse)?;
//! let mut b = SnowflakeGenerator::new(layout, 2, OnClockBackwards::Refuse)?;
//! let now = layout.epoch() + ms(5);
//! assert_ne!(a.next_id(now)?, b.next_id(now)?); // same ms, same sequence, other machine
//! # Ok::<(), lessons::ids::IdError>(())
//! ```
//!
//! # References
//!
//! * Twitter engineering blog, "Announcing Snowflake", 2010.
//! * Instagram engineering blog, "Sharding & IDs at Instagram", 2012.
//! * Discord developer documentation, "Snowflakes" (API reference).
//! * Leslie Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", 1978:
//!   why per-machine clocks give only a partial order.
//! * RFC 9562, "Universally Unique IDentifiers (UUIDs)", 2024: sections 5.4 (v4), 5.7 (v7),
//!   6.2 (monotonicity within a millisecond) and 6.7 (collision resistance).
//! * Alizain Feerasta, "ULID specification" (github.com/ulid/spec), and Douglas Crockford,
//!   "Base32 Encoding" (crockford.com/base32.html).
//! * Andrew Yao, "On Random 2-3 Trees", Acta Informatica 9, 1978: random insertion leaves
//!   B-tree nodes ln 2 ≈ 69% full.
//! * MySQL reference manual, `auto_increment_increment` and `auto_increment_offset`
//!   (replication variables).

mod base62;
mod birthday;
mod error;
mod experiments;
mod figures;
mod index_locality;
mod restart;
mod shard_routing;
mod snowflake;
mod striding;
mod ulid;
mod uuid;

pub use base62::Base62;
pub use birthday::{
    CollisionRow, collision_probability, collision_trial, expected_colliding_pairs,
};
pub use error::IdError;
pub use experiments::{
    RollbackRow, SaturationRow, SkewIssue, SkewRow, issue_waiting, rollback_trial, saturation,
    skew_issues, skew_trial,
};
pub use figures::{
    FormatRow, any_collision_figure, birthday_figure, colliding_pairs_figure, id_bits_heatmap,
    id_formats, inversion_gap_figure, inversions_figure, rollback_delay_figure,
    rollback_duplicates_figure,
};
pub use index_locality::{
    KeyKind, LeafLevel, LeafSplit, LocalityRow, index_locality, keys_in_issue_order,
};
pub use restart::{RestartRow, restart_trial};
pub use shard_routing::{ServerLoadRow, ShardMap, shard_load_figure, shard_routing_experiment};
pub use snowflake::{Fields, Layout, OnClockBackwards, SnowflakeGenerator};
pub use striding::{StrideRow, StridedCounter, add_server_trial};
pub use ulid::Ulid;
pub use uuid::Uuid;
