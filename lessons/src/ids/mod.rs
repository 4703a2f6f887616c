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
//!   logical clock that runs ahead of it ([`rollback_trial`]).
//!
//! The generator is handed the clock reading on every call and never reads a clock itself, so
//! every experiment runs on virtual time.
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

mod error;
mod experiments;
mod snowflake;

pub use error::IdError;
pub use experiments::{
    RollbackRow, SaturationRow, SkewRow, issue_waiting, rollback_trial, saturation, skew_trial,
};
pub use snowflake::{Fields, Layout, OnClockBackwards, SnowflakeGenerator};
