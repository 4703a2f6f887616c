//! Cost-weighted limits: a request pays for the work it causes, not one token each.

use serde::Serialize;

use super::rate::{Rate, RateLimitError};
use super::token_bucket::TokenBucket;
use super::traces;
use crate::sim::{Rng, Time};

/// An API endpoint and what one call costs in limiter units: a simple read 1, a list 5, a bulk
/// export 50.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::Endpoint;
///
/// assert_eq!(Endpoint::ALL.map(Endpoint::cost), [1, 5, 50]);
/// assert_eq!(Endpoint::BulkExport.name(), "bulk export");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Endpoint {
    /// `GET` of one object: 1 unit.
    Get,
    /// A page of a listing: 5 units.
    List,
    /// A bulk export: 50 units.
    BulkExport,
}

impl Endpoint {
    /// Every endpoint, cheapest first.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Endpoint::ALL.len(), 3);
    /// ```
    pub const ALL: [Endpoint; 3] = [Endpoint::Get, Endpoint::List, Endpoint::BulkExport];

    /// Units one call costs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Endpoint::List.cost(), 5);
    /// ```
    pub fn cost(self) -> u64 {
        match self {
            Endpoint::Get => 1,
            Endpoint::List => 5,
            Endpoint::BulkExport => 50,
        }
    }

    /// A short name for tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Endpoint::Get.name(), "GET");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Get => "GET",
            Endpoint::List => "list",
            Endpoint::BulkExport => "bulk export",
        }
    }
}

/// One client of the cost trial under one way of counting.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::cost_trial;
///
/// let rows = cost_trial(1)?;
/// assert_eq!(rows.len(), 6);
/// assert_eq!(rows[0].counting, "requests");
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRow {
    /// `requests` (every call costs 1) or `units` (every call costs its endpoint's cost).
    pub counting: &'static str,
    /// The endpoint the client calls.
    pub endpoint: &'static str,
    /// Calls the client made.
    pub offered: u64,
    /// Calls admitted.
    pub admitted: u64,
    /// Work admitted, in units (admitted times the endpoint's cost).
    pub admitted_units: u64,
}

/// The cost trial: three clients, each calling one endpoint 5 times a second (Poisson, from
/// `seed`) for 60 s, each behind its own token bucket of capacity 100 refilled at 100 per
/// minute. Counting `requests`, every call takes one token; counting `units`, a call takes its
/// endpoint's cost.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::cost_trial;
///
/// let rows = cost_trial(1)?;
/// let export_by_requests = &rows[2];
/// let export_by_units = &rows[5];
/// assert!(export_by_requests.admitted_units > 25 * export_by_units.admitted_units);
/// assert!(rows[3..].iter().all(|row| row.admitted_units <= 100 + 100));
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn cost_trial(seed: u64) -> Result<Vec<CostRow>, RateLimitError> {
    let duration = crate::sim::secs(60);
    let mut rows = Vec::new();
    for (counting, weighted) in [("requests", false), ("units", true)] {
        for (index, endpoint) in Endpoint::ALL.into_iter().enumerate() {
            let stream = Rng::derive(seed, &[index as u64]).next_u64();
            let arrivals = traces::poisson(5.0, duration, stream)?;
            let cost = if weighted { endpoint.cost() } else { 1 };
            let admitted = admit_with_cost(&arrivals, cost)?;
            rows.push(CostRow {
                counting,
                endpoint: endpoint.name(),
                offered: arrivals.len() as u64,
                admitted,
                admitted_units: admitted * endpoint.cost(),
            });
        }
    }
    Ok(rows)
}

fn admit_with_cost(arrivals: &[Time], cost: u64) -> Result<u64, RateLimitError> {
    let mut bucket = TokenBucket::new(100, Rate::per_minute(100)?)?;
    let mut admitted = 0;
    for &arrival in arrivals {
        if bucket.try_acquire_n(arrival, cost)?.is_admitted() {
            admitted += 1;
        }
    }
    Ok(admitted)
}
