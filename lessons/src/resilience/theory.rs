//! The queueing formulas the simulation is checked against: M/M/1, Erlang C for M/M/c.

use super::checks::{positive, positive_time, within};
use super::queue::MAX_SERVERS;
use crate::sim::{SimError, Time};

/// Utilization `rho = arrival_rate x mean_service / servers`: the fraction of time each server
/// is busy in the long run.
///
/// # Errors
///
/// [`SimError::Parameter`] for a rate that is not positive, a service time that is not
/// positive, or a number of servers outside 1 to 1,000.
///
/// # Examples
///
/// ```
/// use lessons::resilience::utilization;
/// use lessons::sim::ms;
///
/// assert_eq!(utilization(90.0, ms(10), 1)?, 0.9);
/// assert_eq!(utilization(300.0, ms(10), 4)?, 0.75);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn utilization(arrival_rate: f64, mean_service: Time, servers: usize) -> Result<f64, SimError> {
    positive("arrival rate", arrival_rate)?;
    positive_time("mean service time", mean_service)?;
    within("servers", servers, 1, MAX_SERVERS)?;
    Ok(arrival_rate * mean_service.as_secs_f64() / servers as f64)
}

/// Erlang's C formula: the probability that a request arriving at an M/M/c queue has to wait,
/// for `servers` servers and offered load `a = arrival_rate x mean_service` (in Erlangs).
/// Computed through the Erlang B recursion `B(k) = a B(k-1) / (k + a B(k-1))`, which never
/// overflows, then `C = c B / (c - a (1 - B))`.
///
/// # Errors
///
/// [`SimError::Parameter`] unless `0 < a < servers` (at `a >= servers` the line never drains
/// and every request waits) and `servers` is 1 to 1,000.
///
/// # Examples
///
/// ```
/// use lessons::resilience::erlang_c;
///
/// assert!((erlang_c(1, 0.9)? - 0.9).abs() < 1e-12); // one server: P(wait) = rho
/// assert!((erlang_c(2, 1.0)? - 1.0 / 3.0).abs() < 1e-12);
/// assert!(erlang_c(2, 2.0).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn erlang_c(servers: usize, offered_load: f64) -> Result<f64, SimError> {
    within("servers", servers, 1, MAX_SERVERS)?;
    positive("offered load", offered_load)?;
    let c = servers as f64;
    if offered_load >= c {
        return Err(SimError::parameter(
            "offered load",
            offered_load,
            format!(
                "below the number of servers, {servers}: at or above it the line grows without bound"
            ),
        ));
    }
    let blocking = (1..=servers).fold(1.0, |b, k| offered_load * b / (k as f64 + offered_load * b));
    Ok(c * blocking / (c - offered_load * (1.0 - blocking)))
}

/// Mean response time (waiting plus service) of an M/M/c queue, in milliseconds:
/// `C(c, a) / (c mu - lambda) + 1 / mu`. With one server it is `S / (1 - rho)`: twice the
/// service time at 50% utilization, ten times at 90%.
///
/// # Errors
///
/// [`SimError::Parameter`] for bad inputs or a utilization of 1 or more, where there is no
/// steady state.
///
/// # Examples
///
/// ```
/// use lessons::resilience::mmc_mean_response_ms;
/// use lessons::sim::ms;
///
/// assert!((mmc_mean_response_ms(50.0, ms(10), 1)? - 20.0).abs() < 1e-9);
/// assert!((mmc_mean_response_ms(90.0, ms(10), 1)? - 100.0).abs() < 1e-9);
/// assert!(mmc_mean_response_ms(100.0, ms(10), 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn mmc_mean_response_ms(
    arrival_rate: f64,
    mean_service: Time,
    servers: usize,
) -> Result<f64, SimError> {
    utilization(arrival_rate, mean_service, servers)?;
    let service_secs = mean_service.as_secs_f64();
    let offered = arrival_rate * service_secs;
    let wait_probability = erlang_c(servers, offered)?;
    let capacity = servers as f64 / service_secs;
    Ok(1000.0 * (wait_probability / (capacity - arrival_rate) + service_secs))
}
