//! Goodput against offered load: an unbounded line keeps every request and answers all of them
//! too late; a bounded one rejects the excess and keeps answering the rest on time.

use serde::Serialize;

use super::checks::positive;
use super::queue::QueueModel;
use crate::sim::{Latency, SimError, Time};
use crate::viz::Figure;

/// One offered load of [`goodput_sweep`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::goodput_sweep;
/// use lessons::sim::{ms, secs};
///
/// let rows = goodput_sweep(1, ms(10), ms(200), &[0.5], None, secs(20), 1)?;
/// assert_eq!(rows[0].policy, "unbounded queue");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoodputRow {
    /// "unbounded queue" or "queue of N".
    pub policy: String,
    /// Offered load as a multiple of the servers' capacity (1.0 = exactly full).
    pub offered_load: f64,
    /// Requests answered within the deadline, per second.
    pub goodput: f64,
    /// Goodput as a fraction of the servers' capacity.
    pub goodput_share: f64,
    /// Fraction of arrivals rejected at the door.
    pub rejected_share: f64,
    /// 99th percentile response time of admitted requests, milliseconds.
    pub p99_ms: f64,
}

/// For each offered load (a multiple of capacity `servers / mean_service`): a queue with
/// exponential service, clients that give up after `deadline`, and either an unbounded line
/// (`queue_capacity = None`) or one of the given size, run for `duration`.
///
/// # Errors
///
/// [`SimError::Parameter`] for a load that is not positive, and the errors of
/// [`QueueModel`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::goodput_sweep;
/// use lessons::sim::{ms, secs};
///
/// let unbounded = goodput_sweep(1, ms(10), ms(200), &[1.5], None, secs(60), 2)?;
/// let bounded = goodput_sweep(1, ms(10), ms(200), &[1.5], Some(10), secs(60), 2)?;
/// assert!(unbounded[0].goodput_share < 0.1 && bounded[0].goodput_share > 0.9);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn goodput_sweep(
    servers: usize,
    mean_service: Time,
    deadline: Time,
    offered_loads: &[f64],
    queue_capacity: Option<usize>,
    duration: Time,
    seed: u64,
) -> Result<Vec<GoodputRow>, SimError> {
    let capacity = servers as f64 / mean_service.as_secs_f64();
    let policy = match queue_capacity {
        None => "unbounded queue".to_string(),
        Some(room) => format!("queue of {room}"),
    };
    let mut rows = Vec::with_capacity(offered_loads.len());
    for &load in offered_loads {
        positive("offered load", load)?;
        let mut model =
            QueueModel::new(load * capacity, Latency::exponential(mean_service), servers)?
                .deadline(deadline)?;
        if let Some(room) = queue_capacity {
            model = model.queue_capacity(room);
        }
        let run = model.run(duration, seed)?;
        rows.push(GoodputRow {
            policy: policy.clone(),
            offered_load: load,
            goodput: run.goodput,
            goodput_share: run.goodput / capacity,
            rejected_share: run.rejected as f64 / run.arrivals as f64,
            p99_ms: run.p99_response_ms,
        });
    }
    Ok(rows)
}

/// Goodput (as a share of capacity) against offered load, one line per policy in the rows.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{goodput_figure, goodput_sweep};
/// use lessons::sim::{ms, secs};
///
/// let rows = goodput_sweep(1, ms(10), ms(200), &[0.5, 1.5], Some(10), secs(10), 1)?;
/// assert!(goodput_figure(&rows).to_svg()?.contains("queue of 10"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn goodput_figure(rows: &[GoodputRow]) -> Figure {
    let mut figure = Figure::new("Goodput against offered load")
        .x_label("offered load (multiple of capacity)")
        .y_label("answered within the deadline (share of capacity)");
    let mut policies: Vec<&str> = rows.iter().map(|row| row.policy.as_str()).collect();
    policies.dedup();
    for policy in policies {
        let points = rows
            .iter()
            .filter(|row| row.policy == policy)
            .map(|row| (row.offered_load, row.goodput_share));
        figure = figure.line(policy, points);
    }
    figure
}
