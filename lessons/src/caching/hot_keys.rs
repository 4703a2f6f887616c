//! A hot key behind local (L1) caches: S application servers, each with its own in-process copy
//! of the key that lives for a TTL `T` from the fill, in front of one backend.
//!
//! Each server misses at most once per `T`, so the backend sees at most `S / T` requests per
//! second for the key, whatever the incoming rate `Q`. With requests spread evenly at random, a
//! server gets a Poisson stream of rate `Q / S`; after each fill it waits `T` and then for its next
//! request, `S / Q` on average, so the backend rate is `S / (T + S/Q)`, which approaches `S / T`
//! once `Q·T / S ≫ 1`.

use serde::Serialize;

use super::trace::poisson_arrivals;
use super::ttl::{Expiry, TtlEntry, round_to};
use crate::sim::{Rng, SimError, Time};
use crate::viz::{Figure, groups};

/// One run of the hot-key experiment.
///
/// # Examples
///
/// ```
/// use lessons::caching::hot_key_run;
/// use lessons::sim::secs;
///
/// let row = hot_key_run(10, secs(1), 10_000.0, secs(10), 1)?;
/// assert!(row.backend_requests <= 10 * 11); // at most one miss per server per TTL
/// assert_eq!(row.bound_per_second, 10.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotKeyRow {
    /// Application servers, each with its own local cache.
    pub servers: usize,
    /// The local caches' TTL in seconds.
    pub ttl_seconds: f64,
    /// The hot key's incoming request rate Q.
    pub requests_per_second: f64,
    /// Requests that arrived during the run.
    pub requests: usize,
    /// Of those, the misses: the requests that reached the backend.
    pub backend_requests: usize,
    /// Backend requests per second over the run, to 1 decimal.
    pub backend_per_second: f64,
    /// S / (T + S/Q), the long-run backend rate, to 1 decimal. A short run measures a little
    /// more when Q·T/S is small, because each server's first fill comes early (after S/Q on
    /// average, not after T + S/Q).
    pub long_run_per_second: f64,
    /// S / T: the bound, one refresh per server per TTL.
    pub bound_per_second: f64,
}

/// Sends a Poisson stream of `requests_per_second` requests for one hot key, for `duration`, each
/// to a server chosen uniformly at random among `servers`, each server with a local cache of the
/// key with this `ttl` (counted from the fill); counts the misses, which go to the backend.
///
/// # Errors
///
/// [`SimError::Parameter`] for no servers, a TTL or duration that is not positive, a rate that is
/// not a positive number, or more than [`MAX_REQUESTS`](super::MAX_REQUESTS) expected requests.
///
/// # Examples
///
/// ```
/// use lessons::caching::hot_key_run;
/// use lessons::sim::secs;
///
/// let busy = hot_key_run(100, secs(1), 100_000.0, secs(10), 1)?;
/// assert!((busy.backend_per_second - 99.9).abs() < 2.0); // ≈ S / T = 100, not Q = 100,000
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn hot_key_run(
    servers: usize,
    ttl: Time,
    requests_per_second: f64,
    duration: Time,
    seed: u64,
) -> Result<HotKeyRow, SimError> {
    if servers == 0 {
        return Err(SimError::parameter(
            "servers",
            servers,
            "at least 1 application server",
        ));
    }
    if duration <= Time::ZERO {
        return Err(SimError::parameter(
            "duration",
            duration,
            "a run lasts a positive time",
        ));
    }
    let mut caches = vec![TtlEntry::new(ttl, Expiry::FromFill)?; servers];
    let arrivals = poisson_arrivals(requests_per_second, duration, seed)?;
    let mut routing = Rng::derive(seed, &[1]);
    let mut backend_requests = 0;
    for &now in &arrivals {
        let server = routing.below(servers as u64) as usize;
        if !caches[server].read(now) {
            backend_requests += 1;
        }
    }
    let seconds = duration.as_secs_f64();
    let ttl_seconds = ttl.as_secs_f64();
    let servers_f = servers as f64;
    Ok(HotKeyRow {
        servers,
        ttl_seconds,
        requests_per_second,
        requests: arrivals.len(),
        backend_requests,
        backend_per_second: round_to(backend_requests as f64 / seconds, 1),
        long_run_per_second: round_to(
            servers_f / (ttl_seconds + servers_f / requests_per_second),
            1,
        ),
        bound_per_second: servers_f / ttl_seconds,
    })
}

/// Backend requests per second against the number of servers, one series of measured points
/// and one bound line `S / T` per TTL in the rows of [`hot_key_run`]s.
///
/// # Examples
///
/// ```
/// use lessons::caching::{hot_key_figure, hot_key_run};
/// use lessons::sim::secs;
///
/// let rows = vec![hot_key_run(10, secs(1), 1_000.0, secs(5), 1)?];
/// assert!(hot_key_figure(&rows).to_svg()?.contains("T = 1 s, bound S/T"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hot_key_figure(rows: &[HotKeyRow]) -> Figure {
    let mut figure = Figure::new("Backend load of one hot key behind local caches")
        .x_label("application servers S (log scale)")
        .y_label("backend requests per second (log scale)")
        .log_x()
        .log_y();
    for ttl in groups(rows, |row| row.ttl_seconds.to_bits()) {
        let mine: Vec<&HotKeyRow> = rows
            .iter()
            .filter(|row| row.ttl_seconds.to_bits() == ttl)
            .collect();
        let seconds = f64::from_bits(ttl);
        figure = figure
            .points(
                format!("T = {seconds} s, measured"),
                mine.iter()
                    .map(|row| (row.servers as f64, row.backend_per_second)),
            )
            .line(
                format!("T = {seconds} s, bound S/T"),
                mine.iter()
                    .map(|row| (row.servers as f64, row.bound_per_second)),
            );
    }
    figure
}
