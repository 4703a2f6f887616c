//! Event time against processing time: tumbling windows that count events, closed by a
//! watermark that trails the newest event time seen by the allowed lateness.

use std::collections::BTreeMap;

use serde::Serialize;

use super::params::{at_least, at_most, positive_time};
use crate::sim::{Latency, Rng, SimError, Time, percentile};

/// One event: when it happened (its timestamp) and when it reached the stream processor.
///
/// # Examples
///
/// ```
/// use lessons::messaging::TimedEvent;
/// use lessons::sim::ms;
///
/// let event = TimedEvent { event_time: ms(900), arrival: ms(1_300) };
/// assert!(event.arrival > event.event_time); // 400 ms on the way
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimedEvent {
    /// When the event happened, by the device that recorded it.
    pub event_time: Time,
    /// When the processor received it.
    pub arrival: Time,
}

/// `count` events at a steady `per_second` rate of event time, each delayed by a draw from
/// `delay`, in arrival order.
///
/// # Errors
///
/// [`SimError`] for no events, more than 1,000,000, a rate outside (0, 1,000,000], or an
/// invalid delay.
///
/// # Examples
///
/// ```
/// use lessons::messaging::event_stream;
/// use lessons::sim::{Latency, ms};
///
/// let events = event_stream(100, 10.0, &Latency::exponential(ms(200)), 1)?;
/// assert!(events.windows(2).all(|pair| pair[0].arrival <= pair[1].arrival));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn event_stream(
    count: usize,
    per_second: f64,
    delay: &Latency,
    seed: u64,
) -> Result<Vec<TimedEvent>, SimError> {
    at_most("events", at_least("events", count, 1)?, 1_000_000)?;
    if !(per_second > 0.0 && per_second <= 1_000_000.0) {
        return Err(SimError::parameter(
            "event rate",
            per_second,
            "above 0 and at most 1000000 per second",
        ));
    }
    delay.validate()?;
    let mut rng = Rng::new(seed);
    let gap = 1e9 / per_second;
    let mut events: Vec<TimedEvent> = (0..count)
        .map(|i| {
            let event_time = Time::from_nanos_f64(gap * i as f64);
            TimedEvent {
                event_time,
                arrival: event_time + delay.sample(&mut rng),
            }
        })
        .collect();
    events.sort_by_key(|event| (event.arrival, event.event_time));
    Ok(events)
}

/// Counts per tumbling window, keyed by the window's start, and what was dropped as late.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{TimedEvent, event_time_windows};
/// use lessons::sim::ms;
///
/// let events = [
///     TimedEvent { event_time: ms(100), arrival: ms(150) },
///     TimedEvent { event_time: ms(1_500), arrival: ms(1_600) },
///     TimedEvent { event_time: ms(200), arrival: ms(1_700) }, // late by 1.3 s
/// ];
/// let windows = event_time_windows(&events, ms(1_000), ms(500))?;
/// assert_eq!(windows.dropped, 1);
/// assert_eq!(windows.counts[&ms(0)], 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowCounts {
    /// Events counted per window start.
    pub counts: BTreeMap<Time, u64>,
    /// When each window's result was emitted (its watermark passed the window's end), by
    /// processing time; windows still open at the end of the input are emitted then.
    pub emitted_at: BTreeMap<Time, Time>,
    /// Events dropped because their timestamp was below the watermark when they arrived.
    pub dropped: usize,
}

fn window_start(at: Time, size: Time) -> Time {
    Time::from_nanos(at.as_nanos().div_euclid(size.as_nanos()) * size.as_nanos())
}

/// Event-time tumbling windows of `size` over `events` taken in the order given: the watermark
/// is the largest event time seen minus `lateness`; an event whose timestamp is below the
/// watermark when it arrives is dropped (a side output, in Flink's terms); a window is emitted
/// once the watermark reaches its end.
///
/// # Errors
///
/// [`SimError::Parameter`] for a window size not above zero or a negative lateness.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{TimedEvent, event_time_windows};
/// use lessons::sim::{Time, ms};
///
/// let events = [TimedEvent { event_time: ms(100), arrival: ms(150) }];
/// let windows = event_time_windows(&events, ms(1_000), Time::ZERO)?;
/// assert_eq!(windows.emitted_at[&ms(0)], ms(150)); // emitted at the end of the input
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn event_time_windows(
    events: &[TimedEvent],
    size: Time,
    lateness: Time,
) -> Result<WindowCounts, SimError> {
    positive_time("window size", size)?;
    if lateness < Time::ZERO {
        return Err(SimError::parameter(
            "allowed lateness",
            lateness,
            "zero or longer",
        ));
    }
    let mut result = WindowCounts {
        counts: BTreeMap::new(),
        emitted_at: BTreeMap::new(),
        dropped: 0,
    };
    let mut newest = Time::MIN;
    // Windows are emitted in order of their start, as the watermark only rises.
    let mut first_open = Time::MIN;
    for event in events {
        let watermark = newest - lateness;
        if event.event_time < watermark {
            result.dropped += 1;
            continue;
        }
        *result
            .counts
            .entry(window_start(event.event_time, size))
            .or_insert(0) += 1;
        newest = newest.max(event.event_time);
        let watermark = newest - lateness;
        let closed: Vec<Time> = result
            .counts
            .range(first_open..)
            .map(|(&start, _)| start)
            .take_while(|&start| start + size <= watermark)
            .collect();
        for start in closed {
            result.emitted_at.insert(start, event.arrival);
            first_open = start + size;
        }
    }
    let end = events.last().map_or(Time::ZERO, |event| event.arrival);
    for &start in result.counts.keys() {
        result.emitted_at.entry(start).or_insert(end);
    }
    Ok(result)
}

/// Processing-time tumbling windows of `size`: each event counts in the window of its arrival.
///
/// # Errors
///
/// [`SimError::Parameter`] for a window size not above zero.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{TimedEvent, processing_time_windows};
/// use lessons::sim::ms;
///
/// let late = [TimedEvent { event_time: ms(900), arrival: ms(1_100) }];
/// assert_eq!(processing_time_windows(&late, ms(1_000))?[&ms(1_000)], 1); // the wrong window
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn processing_time_windows(
    events: &[TimedEvent],
    size: Time,
) -> Result<BTreeMap<Time, u64>, SimError> {
    positive_time("window size", size)?;
    let mut counts = BTreeMap::new();
    for event in events {
        *counts.entry(window_start(event.arrival, size)).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The true count per window: every event in the window of its timestamp.
///
/// # Errors
///
/// [`SimError::Parameter`] for a window size not above zero.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{TimedEvent, true_counts};
/// use lessons::sim::ms;
///
/// let late = [TimedEvent { event_time: ms(900), arrival: ms(1_100) }];
/// assert_eq!(true_counts(&late, ms(1_000))?[&ms(0)], 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn true_counts(events: &[TimedEvent], size: Time) -> Result<BTreeMap<Time, u64>, SimError> {
    positive_time("window size", size)?;
    let mut counts = BTreeMap::new();
    for event in events {
        *counts
            .entry(window_start(event.event_time, size))
            .or_insert(0) += 1;
    }
    Ok(counts)
}

/// One allowed lateness (or processing-time windows): events dropped, windows with a wrong
/// count, and how long after a window's end its result comes out.
///
/// # Examples
///
/// ```
/// use lessons::messaging::lateness_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = lateness_experiment(&[ms(0), ms(5_000)], ms(1_000), &Latency::log_normal(ms(200), 1.0), 1)?;
/// assert!(rows[0].dropped > rows[1].dropped);
/// assert!(rows[0].p50_result_delay_ms < rows[1].p50_result_delay_ms);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatenessRow {
    /// `event time, lateness L` or `processing time`.
    pub windows: String,
    /// The allowed lateness in milliseconds (0 for processing time).
    pub lateness_ms: f64,
    /// Events dropped as late.
    pub dropped: usize,
    /// Windows whose emitted count differs from the true count.
    pub wrong_windows: usize,
    /// Windows compared.
    pub windows_total: usize,
    /// Median time from a window's end (event time) to its result (processing time), in ms
    /// (to 0.1 ms).
    pub p50_result_delay_ms: f64,
}

/// 20,000 events at 100 per second, delayed by `delay`, counted in windows of `size` with each
/// allowed lateness, and once by processing time; the last 10 windows are left out of the
/// comparison, since the input ends while they are still filling.
///
/// # Errors
///
/// [`SimError`] for an invalid delay, window size or lateness.
///
/// # Examples
///
/// ```
/// use lessons::messaging::lateness_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = lateness_experiment(&[ms(1_000)], ms(1_000), &Latency::constant(ms(10)), 1)?;
/// assert_eq!((rows[0].dropped, rows[0].wrong_windows), (0, 0)); // no disorder, nothing late
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lateness_experiment(
    latenesses: &[Time],
    size: Time,
    delay: &Latency,
    seed: u64,
) -> Result<Vec<LatenessRow>, SimError> {
    let events = event_stream(20_000, 100.0, delay, seed)?;
    let truth = true_counts(&events, size)?;
    let compared: Vec<Time> = truth
        .keys()
        .copied()
        .take(truth.len().saturating_sub(10))
        .collect();
    let wrong = |counts: &BTreeMap<Time, u64>| {
        compared
            .iter()
            .filter(|start| counts.get(start) != truth.get(start))
            .count()
    };
    let mut rows = Vec::new();
    for &lateness in latenesses {
        let windows = event_time_windows(&events, size, lateness)?;
        let delays: Vec<f64> = compared
            .iter()
            .map(|start| (windows.emitted_at[start] - (*start + size)).as_millis_f64())
            .collect();
        rows.push(LatenessRow {
            windows: format!("event time, L = {} ms", lateness.as_millis_f64()),
            lateness_ms: lateness.as_millis_f64(),
            dropped: windows.dropped,
            wrong_windows: wrong(&windows.counts),
            windows_total: compared.len(),
            p50_result_delay_ms: (percentile(&delays, 50.0)? * 10.0).round() / 10.0,
        });
    }
    let by_arrival = processing_time_windows(&events, size)?;
    rows.push(LatenessRow {
        windows: "processing time".to_string(),
        lateness_ms: 0.0,
        dropped: 0,
        wrong_windows: wrong(&by_arrival),
        windows_total: compared.len(),
        p50_result_delay_ms: 0.0,
    });
    Ok(rows)
}
