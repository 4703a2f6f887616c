//! A stock that must never go below zero, kept in a PN-Counter through a partition: an
//! invariant that CRDTs alone cannot keep.

use serde::Serialize;

use super::error::{CrdtError, check_range};
use super::lattice::Crdt;
use super::pncounter::PNCounter;
use crate::sim::{Rng, Time};

/// What [`overdraft_experiment`] simulates: `stock` units, counted in a [`PNCounter`] that all
/// `replicas` share at time 0. Then a partition isolates every replica for `partition`; each
/// receives purchase attempts at random (a Poisson process of `demand_per_second`) and sells a
/// unit whenever *its own* view of the stock is at least one. When the partition heals, the
/// replicas merge.
///
/// # Examples
///
/// ```
/// use lessons::crdt::OverdraftParameters;
///
/// assert_eq!(OverdraftParameters::default().stock, 100);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdraftParameters {
    /// How many replicas sell (2 to 26).
    pub replicas: usize,
    /// Units in stock at the start (0 to 1,000,000).
    pub stock: u64,
    /// Purchase attempts per second at each replica (more than 0, at most 10,000).
    pub demand_per_second: f64,
    /// How long the replicas cannot talk (0 to 60 s).
    pub partition: Time,
}

impl Default for OverdraftParameters {
    /// 3 replicas, 100 units, 20 attempts per second per replica, a 2 s partition.
    fn default() -> Self {
        OverdraftParameters {
            replicas: 3,
            stock: 100,
            demand_per_second: 20.0,
            partition: Time::from_nanos(2_000_000_000),
        }
    }
}

/// One row of [`overdraft_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{OverdraftParameters, overdraft_experiment};
///
/// let row = overdraft_experiment(&OverdraftParameters::default(), 1)?;
/// assert_eq!(row.final_stock, row.stock as i64 - row.sold as i64);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdraftRow {
    /// The partition's length in milliseconds.
    pub partition_ms: f64,
    /// Units in stock at the start.
    pub stock: u64,
    /// Purchase attempts during the partition, all replicas together.
    pub attempts: u64,
    /// Units sold.
    pub sold: u64,
    /// Units sold beyond the stock.
    pub oversold: u64,
    /// What a single, coordinated counter would have sold: `min(attempts, stock)`.
    pub coordinated_sold: u64,
    /// The merged counter's value after the partition (negative: oversold).
    pub final_stock: i64,
}

/// Runs the partitioned sale (see [`OverdraftParameters`]).
///
/// # Errors
///
/// [`CrdtError::Parameter`] for parameters outside the ranges of [`OverdraftParameters`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{OverdraftParameters, overdraft_experiment};
/// use lessons::sim::Time;
///
/// let short = OverdraftParameters { partition: Time::ZERO, ..Default::default() };
/// assert_eq!(overdraft_experiment(&short, 1)?.oversold, 0);
/// let long = OverdraftParameters::default();
/// assert!(overdraft_experiment(&long, 1)?.oversold > 0);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn overdraft_experiment(
    parameters: &OverdraftParameters,
    seed: u64,
) -> Result<OverdraftRow, CrdtError> {
    check_range(
        "replicas",
        parameters.replicas as u64,
        2,
        26,
        "2 to 26 replicas",
    )?;
    check_range(
        "stock",
        parameters.stock,
        0,
        1_000_000,
        "0 to 1,000,000 units",
    )?;
    let demand = parameters.demand_per_second;
    if !(demand > 0.0 && demand <= 10_000.0) {
        return Err(CrdtError::parameter(
            "demand_per_second",
            demand,
            "more than 0 and at most 10,000 attempts per second",
        ));
    }
    let window = parameters.partition;
    if window < Time::ZERO || window > Time::from_nanos(60_000_000_000) {
        return Err(CrdtError::parameter(
            "partition",
            format!("{window:?}"),
            "0 to 60 s",
        ));
    }
    let mut shared = PNCounter::new();
    shared.increment_by(0, parameters.stock);
    let mut merged = shared.clone();
    let mut attempts = 0;
    for replica in 0..parameters.replicas {
        let mut rng = Rng::derive(seed, &[replica as u64]);
        let mut view = shared.clone();
        let mut seconds = rng.exponential() / demand;
        while seconds < window.as_secs_f64() {
            attempts += 1;
            if view.value() >= 1 {
                view.decrement(replica);
            }
            seconds += rng.exponential() / demand;
        }
        merged.merge(&view);
    }
    let sold = merged.decrements().value();
    Ok(OverdraftRow {
        partition_ms: window.as_millis_f64(),
        stock: parameters.stock,
        attempts,
        sold,
        oversold: sold.saturating_sub(parameters.stock),
        coordinated_sold: attempts.min(parameters.stock),
        final_stock: merged.value(),
    })
}
