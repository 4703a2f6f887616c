//! The lesson's figures and summary rows, built from the experiments' results so that a
//! notebook cell runs an experiment and shows the picture without plotting code of its own.

use serde::Serialize;

use super::experiments::LimiterRun;
use super::gateways::GatewayRow;
use super::rate::{Rate, RateLimitError};
use crate::sim::{Cdf, SimError, Time};
use crate::viz::Figure;

/// `(seconds, count so far)` for the times before `before`, in order.
fn counted_before(times: impl Iterator<Item = Time>, before: Time) -> Vec<(f64, f64)> {
    times
        .filter(|&time| time < before)
        .enumerate()
        .map(|(k, time)| (time.as_secs_f64(), (k + 1) as f64))
        .collect()
}

/// Requests offered and admitted so far by every limiter of `runs` on the trace `arrivals`
/// (named `name`), with the token bucket's envelope B + R·t over `duration`, for limiters
/// allowing `limit` per `window` (so B = `limit`, R = `limit` / `window`).
///
/// # Errors
///
/// [`RateLimitError::Parameter`] if `limit` per `window` is not a valid [`Rate`].
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, compare_algorithms, trace_figure, traces};
/// use lessons::sim::secs;
///
/// let arrivals = traces::steady(Rate::per_second(8)?, secs(10));
/// let runs = compare_algorithms(10, secs(2), &arrivals)?;
/// let figure = trace_figure("steady", &arrivals, &runs, 10, secs(2), secs(10))?;
/// assert_eq!(figure.title(), "steady trace: 10 per 2 s (B = 10, R = 5/s)");
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn trace_figure(
    name: &str,
    arrivals: &[Time],
    runs: &[LimiterRun],
    limit: u64,
    window: Time,
    duration: Time,
) -> Result<Figure, RateLimitError> {
    let rate = Rate::new(limit, window)?;
    let envelope = [
        (0.0, limit as f64),
        (
            duration.as_secs_f64(),
            limit as f64 + rate.tokens_in(duration),
        ),
    ];
    let seconds = window.as_secs_f64();
    let title = format!(
        "{name} trace: {limit} per {seconds} s (B = {limit}, R = {}/s)",
        limit as f64 / seconds
    );
    let mut figure = Figure::new(title)
        .x_label("time (s)")
        .y_label("requests so far")
        .step(
            "offered",
            counted_before(arrivals.iter().copied(), Time::MAX),
        )
        .line("envelope B + R·t", envelope);
    for run in runs {
        figure = figure.step(run.algorithm, run.cumulative());
    }
    Ok(figure)
}

/// One limiter's totals on one trace: a row of the comparison table.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, compare_algorithms, run_summaries, traces};
/// use lessons::sim::secs;
///
/// let arrivals = traces::steady(Rate::per_second(8)?, secs(60));
/// let rows = run_summaries("steady", &compare_algorithms(10, secs(2), &arrivals)?);
/// assert_eq!((rows[0].algorithm, rows[0].admitted, rows[0].max_in_any_window), ("token bucket", 309, 16));
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// The trace's name.
    pub trace: String,
    /// Requests the trace offered.
    pub offered: usize,
    /// The limiter's name.
    pub algorithm: &'static str,
    /// Requests it admitted.
    pub admitted: usize,
    /// The most it admitted in any interval of one window's length.
    #[serde(rename = "max in any window")]
    pub max_in_any_window: usize,
}

/// One [`RunSummary`] per limiter run on the trace named `trace`.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{LimiterRun, run_summaries};
///
/// let run = LimiterRun { algorithm: "token bucket", offered: 3, admitted: vec![], max_in_any_window: 0 };
/// assert_eq!(run_summaries("quiet", &[run])[0].offered, 3);
/// ```
pub fn run_summaries(trace: &str, runs: &[LimiterRun]) -> Vec<RunSummary> {
    runs.iter()
        .map(|run| RunSummary {
            trace: trace.to_string(),
            offered: run.offered,
            algorithm: run.algorithm,
            admitted: run.admitted.len(),
            max_in_any_window: run.max_in_any_window,
        })
        .collect()
}

/// Arrivals and each shaper's departures (`None`: dropped) counted over time, for the requests
/// before `before` (one burst of a bursty trace, say).
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::shaped_figure;
/// use lessons::sim::{ms, secs};
///
/// let arrivals = [ms(0), ms(10)];
/// let departures = [Some(ms(0)), Some(ms(125))];
/// let figure = shaped_figure(&arrivals, &[("leaky bucket", &departures)], secs(10));
/// assert!(figure.to_svg().is_ok());
/// ```
pub fn shaped_figure(
    arrivals: &[Time],
    shapers: &[(&str, &[Option<Time>])],
    before: Time,
) -> Figure {
    let burst = counted_before(arrivals.iter().copied(), before);
    let mut figure = Figure::new(format!("One burst of {}, shaped", burst.len()))
        .x_label("time (s)")
        .y_label("requests so far")
        .step("arrivals", burst);
    for (name, departures) in shapers {
        let departed = departures.iter().flatten().copied();
        figure = figure.step(
            format!("{name} departures"),
            counted_before(departed, before),
        );
    }
    figure
}

/// Seconds from arrival to departure of every request that departed (`None`: dropped).
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::waits;
/// use lessons::sim::ms;
///
/// assert_eq!(waits(&[ms(0), ms(100)], &[Some(ms(500)), None]), [0.5]);
/// ```
pub fn waits(arrivals: &[Time], departures: &[Option<Time>]) -> Vec<f64> {
    arrivals
        .iter()
        .zip(departures)
        .filter_map(|(&arrival, departure)| Some(((*departure)? - arrival).as_secs_f64()))
        .collect()
}

/// The distribution of waits through each shaper, as cumulative fractions.
///
/// # Errors
///
/// [`SimError::NoValues`] if a shaper has no waits at all.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::wait_figure;
///
/// assert!(wait_figure(&[("token bucket", &[0.0, 0.5, 1.0])]).is_ok());
/// assert!(wait_figure(&[("nothing departed", &[])]).is_err());
/// ```
pub fn wait_figure(shapers: &[(&str, &[f64])]) -> Result<Figure, SimError> {
    let mut figure = Figure::new("Delay of each request through the shaper")
        .x_label("delay (s)")
        .y_label("fraction of requests at or below");
    for (name, waits) in shapers {
        figure = figure.step(*name, Cdf::new(waits.iter().copied())?.points());
    }
    Ok(figure)
}

/// Admitted over what an exact limiter admits, against the number of gateways, one line per
/// counting mode in `rows` (in the order first seen).
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode, gateway_figure};
///
/// let row = GatewaySetup::new(2, LimiterMode::CentralAtomic)?.run(1)?.summary();
/// assert!(gateway_figure("two gateways", &[row]).to_svg().is_ok());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn gateway_figure(title: &str, rows: &[GatewayRow]) -> Figure {
    let mut modes: Vec<&str> = Vec::new();
    for row in rows {
        if !modes.contains(&row.mode.as_str()) {
            modes.push(&row.mode);
        }
    }
    let mut figure = Figure::new(title)
        .x_label("gateways K")
        .y_label("admitted / what an exact limiter admits");
    for mode in modes {
        let points = rows
            .iter()
            .filter(|row| row.mode == mode)
            .map(|row| (row.gateways as f64, row.admitted_over_exact));
        figure = figure.line(mode, points);
    }
    figure
}
