//! Latency against utilization: the hockey stick, simulated and from the formulas, with
//! Little's law checked on every run.

use serde::Serialize;

use super::queue::QueueModel;
use super::theory::mmc_mean_response_ms;
use crate::sim::{Latency, SimError, Time};
use crate::viz::Figure;

/// One utilization level of [`utilization_sweep`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::utilization_sweep;
/// use lessons::sim::{ms, secs};
///
/// let rows = utilization_sweep(1, ms(10), &[0.5], secs(100), 1)?;
/// assert_eq!(rows[0].formula_mean_ms, 20.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UtilizationRow {
    /// Servers.
    pub servers: usize,
    /// Offered utilization rho = lambda S / c.
    pub utilization: f64,
    /// Simulated mean response time, milliseconds.
    pub mean_ms: f64,
    /// Simulated 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// The M/M/c formula's mean response time, milliseconds.
    pub formula_mean_ms: f64,
    /// Time-averaged number in the system, L.
    pub mean_in_system: f64,
    /// Throughput times mean response time, lambda W; equal to L.
    pub throughput_times_response: f64,
}

/// For each utilization: an M/M/c queue with `servers` servers of exponential service time
/// with mean `mean_service`, fed Poisson arrivals at `utilization x servers / mean_service`
/// for `duration`, against the formula of [`mmc_mean_response_ms`].
///
/// # Errors
///
/// [`SimError::Parameter`] for a utilization outside (0, 1) or the errors of
/// [`QueueModel::new`] and [`QueueModel::run`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::utilization_sweep;
/// use lessons::sim::{ms, secs};
///
/// let rows = utilization_sweep(2, ms(10), &[0.5, 0.9], secs(200), 4)?;
/// assert!(rows[1].mean_ms > 3.0 * rows[0].mean_ms);
/// assert!(utilization_sweep(2, ms(10), &[1.0], secs(200), 4).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn utilization_sweep(
    servers: usize,
    mean_service: Time,
    utilizations: &[f64],
    duration: Time,
    seed: u64,
) -> Result<Vec<UtilizationRow>, SimError> {
    let mut rows = Vec::with_capacity(utilizations.len());
    for &utilization in utilizations {
        if !(utilization > 0.0 && utilization < 1.0) {
            return Err(SimError::parameter(
                "utilization",
                utilization,
                "above 0 and below 1 (at 1 or more there is no steady state)",
            ));
        }
        let arrival_rate = utilization * servers as f64 / mean_service.as_secs_f64();
        let model = QueueModel::new(arrival_rate, Latency::exponential(mean_service), servers)?;
        let run = model.run(duration, seed)?;
        rows.push(UtilizationRow {
            servers,
            utilization,
            mean_ms: run.mean_response_ms,
            p99_ms: run.p99_response_ms,
            formula_mean_ms: mmc_mean_response_ms(arrival_rate, mean_service, servers)?,
            mean_in_system: run.mean_in_system,
            throughput_times_response: run.throughput * run.mean_response_ms / 1000.0,
        });
    }
    Ok(rows)
}

/// Mean and 99th-percentile response time against utilization, simulated (points and a line)
/// and from the formula (line), one group per number of servers in the rows.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{hockey_stick_figure, utilization_sweep};
/// use lessons::sim::{ms, secs};
///
/// let rows = utilization_sweep(1, ms(10), &[0.3, 0.6], secs(20), 1)?;
/// assert!(hockey_stick_figure(&rows).to_svg()?.contains("M/M/1 formula"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hockey_stick_figure(rows: &[UtilizationRow]) -> Figure {
    let mut figure = Figure::new("Response time against utilization")
        .x_label("utilization rho")
        .y_label("response time (ms)")
        .log_y();
    let mut server_counts: Vec<usize> = rows.iter().map(|row| row.servers).collect();
    server_counts.dedup();
    for servers in server_counts {
        let mine: Vec<&UtilizationRow> = rows.iter().filter(|r| r.servers == servers).collect();
        let at = |value: fn(&UtilizationRow) -> f64| {
            mine.iter()
                .map(move |row| (row.utilization, value(row)))
                .collect::<Vec<_>>()
        };
        figure = figure
            .line(
                format!("M/M/{servers} formula, mean"),
                at(|r| r.formula_mean_ms),
            )
            .points(format!("c = {servers}, simulated mean"), at(|r| r.mean_ms))
            .line(format!("c = {servers}, simulated p99"), at(|r| r.p99_ms));
    }
    figure
}
