//! How large the logical counter `c` of a hybrid logical clock grows, against the message rate
//! and the clock skew.
//!
//! `c` counts events that share one wall part `l`. A node's `l` runs ahead of its own clock
//! only after it hears from a node whose clock is ahead; until its own clock catches up, every
//! event keeps that `l` and adds one to `c`. So `c` grows with the number of events inside
//! that window (Kulkarni et al., "Logical Physical Clocks and Consistent Snapshots in Globally
//! Distributed Databases", OPODIS 2014, show that `c` stays bounded when the clocks are
//! synchronised within a known uncertainty). With perfectly
//! synchronised clocks and messages that take time, `l` is always the receiver's own clock and
//! `c` stays 0.

use serde::Serialize;

use super::readings::Readings;
use super::runs::{RunParameters, random_run};
use crate::sim::{Latency, PhysicalClock, SimError, Time, ms};
use crate::viz::Figure;

/// The largest and mean HLC counter of one random run.
///
/// # Examples
///
/// ```
/// use lessons::clocks::hlc_counter_experiment;
/// use lessons::sim::ms;
///
/// let row = hlc_counter_experiment(&[ms(0)], &[ms(10)], 1)?[0];
/// assert_eq!((row.skew_ms, row.max_counter), (0.0, 0)); // synchronised clocks: c stays 0
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HlcCounterRow {
    /// The spread of the four clocks: fastest minus slowest, in ms.
    pub skew_ms: f64,
    /// The mean gap between a process's events, in ms.
    pub mean_gap_ms: f64,
    /// Messages each process sends per second of true time, on average.
    pub messages_per_second: f64,
    /// The largest `c` any event got.
    pub max_counter: u32,
    /// The mean `c` over all events.
    pub mean_counter: f64,
}

/// For each clock skew and each mean gap between events, a random run of four processes whose
/// clocks are spread evenly from 0 to `skew` ahead, 400 events each, 60% of them sends, messages
/// taking 1 to 5 ms; reads every event's HLC and keeps the largest and mean counter.
///
/// # Errors
///
/// A [`SimError`] for a negative skew or a mean gap outside what [`RunParameters`] allows.
///
/// # Examples
///
/// With 50 ms of skew, a process sending every 10 ms on average counts higher than one sending
/// every 100 ms.
///
/// ```
/// use lessons::clocks::hlc_counter_experiment;
/// use lessons::sim::ms;
///
/// let rows = hlc_counter_experiment(&[ms(50)], &[ms(100), ms(10)], 1)?;
/// assert!(rows[1].max_counter > rows[0].max_counter);
/// assert!(hlc_counter_experiment(&[ms(-1)], &[ms(10)], 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn hlc_counter_experiment(
    skews: &[Time],
    mean_gaps: &[Time],
    seed: u64,
) -> Result<Vec<HlcCounterRow>, SimError> {
    const PROCESSES: usize = 4;
    const SEND_PROBABILITY: f64 = 0.6;
    let mut rows = Vec::new();
    for &skew in skews {
        if skew < Time::ZERO {
            return Err(SimError::parameter(
                "skew",
                skew,
                "the spread of the clocks is 0 or more",
            ));
        }
        for &mean_gap in mean_gaps {
            let parameters = RunParameters {
                processes: PROCESSES,
                events_per_process: 400,
                send_probability: SEND_PROBABILITY,
                mean_gap,
                latency: Latency::uniform(ms(1), ms(5)),
                clocks: (0..PROCESSES as i64)
                    .map(|i| {
                        let ahead = skew.as_nanos() / (PROCESSES as i64 - 1) * i;
                        PhysicalClock::new().offset(Time::from_nanos(ahead))
                    })
                    .collect(),
            };
            let run = random_run(&parameters, seed)?;
            let readings = Readings::of(run.trace());
            let counters: Vec<u32> = readings
                .events()
                .filter_map(|i| readings.hybrid(i))
                .map(|stamp| stamp.logical)
                .collect();
            rows.push(HlcCounterRow {
                skew_ms: skew.as_millis_f64(),
                mean_gap_ms: mean_gap.as_millis_f64(),
                // Rounded to a millionth, so that 0.6 / 0.1 s reads as 6, not 5.999….
                messages_per_second: (SEND_PROBABILITY / mean_gap.as_secs_f64() * 1e6).round()
                    / 1e6,
                max_counter: counters.iter().copied().max().unwrap_or(0),
                mean_counter: counters.iter().map(|&c| f64::from(c)).sum::<f64>()
                    / counters.len().max(1) as f64,
            });
        }
    }
    Ok(rows)
}

/// The largest HLC counter against the message rate (log axis), one line per skew, from
/// [`hlc_counter_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{hlc_counter_experiment, hlc_counter_figure};
/// use lessons::sim::ms;
///
/// let rows = hlc_counter_experiment(&[ms(0), ms(20)], &[ms(20), ms(5)], 1)?;
/// assert!(hlc_counter_figure(&rows).to_svg().unwrap().contains("skew 20 ms"));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn hlc_counter_figure(rows: &[HlcCounterRow]) -> Figure {
    let mut skews: Vec<f64> = rows.iter().map(|row| row.skew_ms).collect();
    skews.dedup();
    let mut figure = Figure::new("The HLC's logical counter grows with message rate × skew")
        .x_label("messages per second per process")
        .y_label("largest logical counter c")
        .log_x();
    for skew in skews {
        figure = figure.line(
            format!("skew {skew} ms"),
            rows.iter()
                .filter(|row| row.skew_ms == skew)
                .map(|row| (row.messages_per_second, f64::from(row.max_counter))),
        );
    }
    figure
}
