//! The lesson's Snowflake experiments: each takes its parameters (and a seed), returns rows.

use std::collections::HashSet;

use serde::Serialize;

use super::error::IdError;
use super::snowflake::{Layout, OnClockBackwards, SnowflakeGenerator};
use crate::sim::{Rng, Time, ms, ns};

/// One offered rate in the saturation experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SaturationRow {
    /// Requests per millisecond offered to one generator.
    pub offered_per_ms: u64,
    /// The most IDs issued within one millisecond.
    pub issued_per_ms: f64,
    /// Mean wait of a request for its ID, in microseconds.
    pub mean_wait_us: f64,
}

/// Offers one generator `offered_per_ms` evenly spaced requests per millisecond for
/// `millis` milliseconds; a request that finds the sequence exhausted waits for the next
/// millisecond, and later requests queue behind it.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Layout, saturation};
///
/// let rows = saturation(Layout::twitter(), &[1_000, 8_000], 20)?;
/// assert_eq!(rows[0].issued_per_ms, 1_000.0);
/// assert_eq!(rows[0].mean_wait_us, 0.0);
/// assert_eq!(rows[1].issued_per_ms, 4_096.0);
/// assert!(rows[1].mean_wait_us > 1_000.0);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn saturation(
    layout: Layout,
    offered_per_ms: &[u64],
    millis: u64,
) -> Result<Vec<SaturationRow>, IdError> {
    if millis == 0 || millis > 10_000 {
        return Err(IdError::parameter(
            "millis",
            millis,
            "the run lasts 1 to 10,000 ms",
        ));
    }
    offered_per_ms
        .iter()
        .map(|&offered| {
            if offered == 0 || offered > 1_000_000 {
                return Err(IdError::parameter(
                    "offered per ms",
                    offered,
                    "1 to 1,000,000 requests per millisecond",
                ));
            }
            let mut generator = SnowflakeGenerator::new(layout, 0, OnClockBackwards::Refuse)?;
            let count = offered * millis;
            let mut now = layout.epoch();
            let mut waited = 0i128;
            let mut per_millisecond = std::collections::HashMap::new();
            for k in 0..count {
                let arrival = layout.epoch() + ns((k as u128 * 1_000_000 / offered as u128) as i64);
                now = now.max(arrival);
                now = issue_waiting(&mut generator, now)?.1;
                waited += (now - arrival).as_nanos() as i128;
                *per_millisecond
                    .entry(layout.millis_at(now)?)
                    .or_insert(0u64) += 1;
            }
            let busiest = per_millisecond.values().copied().max().unwrap_or(0);
            Ok(SaturationRow {
                offered_per_ms: offered,
                issued_per_ms: busiest as f64,
                mean_wait_us: waited as f64 / count as f64 / 1_000.0,
            })
        })
        .collect()
}

/// Asks `generator` for an ID at `now`, waiting (moving `now` forward) whenever it says when to
/// retry; returns the ID and the time it was issued. The generator's own clock is `now`.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator, issue_waiting};
/// use lessons::sim::ms;
///
/// let layout = Layout::twitter();
/// let mut generator = SnowflakeGenerator::new(layout, 0, OnClockBackwards::Refuse)?;
/// generator.next_id(layout.epoch() + ms(10))?;
/// let (_, issued_at) = issue_waiting(&mut generator, layout.epoch() + ms(7))?;
/// assert_eq!(issued_at, layout.epoch() + ms(10)); // waited 3 ms for the clock to catch up
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn issue_waiting(
    generator: &mut SnowflakeGenerator,
    mut now: Time,
) -> Result<(u64, Time), IdError> {
    loop {
        match generator.next_id(now) {
            Ok(id) => return Ok((id, now)),
            Err(error) => match error.retry_at() {
                Some(retry_at) if retry_at > now => now = retry_at,
                _ => return Err(error),
            },
        }
    }
}

/// What one policy did when the clock stepped back.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RollbackRow {
    /// The policy's name.
    pub policy: &'static str,
    /// How far the clock stepped back, in milliseconds.
    pub rollback_ms: f64,
    /// IDs issued that had been issued before.
    pub duplicates: usize,
    /// IDs not greater than the one before them.
    pub out_of_order: usize,
    /// The longest time a request waited for its ID, in milliseconds.
    pub longest_wait_ms: f64,
    /// The most the IDs' time ran ahead of the clock, in milliseconds.
    pub max_lead_ms: f64,
}

/// A clock that steps back by `rollback` (at most 10 s) 10 s into the run, while requests
/// come every 250 µs until `rollback + 100 ms` after the step; one row per policy. "Refuse" is run as "wait": a refused
/// request waits until the clock is back.
///
/// # Examples
///
/// ```
/// use lessons::ids::rollback_trial;
/// use lessons::sim::ms;
///
/// let rows = rollback_trial(ms(10))?;
/// assert_eq!(rows[0].duplicates, 40); // trust: 4 IDs in each of the 10 revisited ms
/// // The last ID before the step was stamped 1 ms before it, so the wait is 9 ms.
/// assert_eq!((rows[1].duplicates, rows[1].longest_wait_ms), (0, 9.0));
/// assert_eq!((rows[2].duplicates, rows[2].max_lead_ms), (0, 9.0));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn rollback_trial(rollback: Time) -> Result<Vec<RollbackRow>, IdError> {
    if rollback < Time::ZERO || rollback > ms(10_000) {
        return Err(IdError::parameter(
            "rollback",
            rollback,
            "a step back of 0 to 10 s",
        ));
    }
    let layout = Layout::twitter();
    let start = layout.epoch() + ms(600_000);
    let step_at = start + ms(10_000);
    let end = step_at + rollback + ms(100);
    let clock = |true_time: Time| {
        if true_time >= step_at {
            true_time - rollback
        } else {
            true_time
        }
    };
    OnClockBackwards::ALL
        .iter()
        .map(|&policy| {
            let mut generator = SnowflakeGenerator::new(layout, 0, policy)?;
            let mut seen = HashSet::new();
            let mut row = RollbackRow {
                policy: policy.name(),
                rollback_ms: rollback.as_millis_f64(),
                duplicates: 0,
                out_of_order: 0,
                longest_wait_ms: 0.0,
                max_lead_ms: 0.0,
            };
            let mut previous = 0;
            let mut busy_until = start;
            let mut arrival = start;
            while arrival < end {
                // The clock's reading moves with true time, so waiting until the reading is
                // `retry_at` takes that long in true time too.
                let begin = arrival.max(busy_until);
                let reading = clock(begin);
                let (id, issued_reading) = issue_waiting(&mut generator, reading)?;
                let finished = begin + (issued_reading - reading);
                busy_until = finished;
                row.duplicates += usize::from(!seen.insert(id));
                row.out_of_order += usize::from(id <= previous);
                previous = id;
                row.longest_wait_ms = row
                    .longest_wait_ms
                    .max((finished - arrival).as_millis_f64());
                let id_time = layout.created_at(id)?;
                let lead = (id_time - issued_reading).as_millis_f64().floor();
                row.max_lead_ms = row.max_lead_ms.max(lead);
                arrival += ns(250_000);
            }
            Ok(row)
        })
        .collect()
}

/// How well IDs from several machines with skewed clocks sort by true issue time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SkewRow {
    /// The largest clock offset, in milliseconds: offsets are drawn from `[-skew, +skew]`.
    pub skew_ms: f64,
    /// Pairs of IDs whose ID order contradicts their true issue order, over all pairs.
    pub inverted_fraction: f64,
    /// The largest true-time gap between two inverted IDs, in milliseconds.
    pub max_inversion_ms: f64,
    /// Duplicate IDs (none while machine numbers are distinct).
    pub duplicates: usize,
}

/// One ID of a skew run: who issued it, with what clock offset, and when in true time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SkewIssue {
    /// The ID.
    pub id: u64,
    /// The machine number of the generator that issued it.
    pub machine: u64,
    /// How far that machine's clock is ahead of true time (negative: behind).
    pub clock_offset: Time,
    /// The true time at which it was issued.
    pub issued_at: Time,
}

/// `machines` generators (Twitter's layout) with clock offsets drawn from `[-skew, +skew]`
/// (seeded) each issue IDs for `requests` Poisson requests, 2,000 per second on average,
/// sent to a machine chosen at random; returns the IDs in true issue order.
///
/// # Examples
///
/// ```
/// use lessons::ids::skew_issues;
/// use lessons::sim::ms;
///
/// let issues = skew_issues(3, ms(20), 500, 1)?;
/// assert_eq!(issues.len(), 500);
/// assert!(issues.is_sorted_by_key(|issue| issue.issued_at));
/// assert!(issues.iter().all(|issue| issue.clock_offset.as_millis_f64().abs() <= 20.0));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn skew_issues(
    machines: u64,
    skew: Time,
    requests: usize,
    seed: u64,
) -> Result<Vec<SkewIssue>, IdError> {
    let layout = Layout::twitter();
    if machines == 0 || machines > layout.max_machine() + 1 {
        return Err(IdError::parameter(
            "machines",
            machines,
            "1 to 1,024 machines (Twitter's layout)",
        ));
    }
    if skew < Time::ZERO || skew > ms(10_000) {
        return Err(IdError::parameter("skew", skew, "a skew of 0 to 10 s"));
    }
    if requests > 1_000_000 {
        return Err(IdError::parameter(
            "requests",
            requests,
            "0 to 1,000,000 requests",
        ));
    }
    let mut rng = Rng::new(seed);
    let start = layout.epoch() + ms(60_000);
    let mut generators = Vec::new();
    for machine in 0..machines {
        let offset = rng.between(-skew, skew);
        generators.push((
            SnowflakeGenerator::new(layout, machine, OnClockBackwards::Refuse)?,
            offset,
        ));
    }
    let mut issued = Vec::with_capacity(requests);
    let mut now = start;
    for _ in 0..requests {
        now += Time::from_nanos_f64(rng.exponential() * 500_000.0);
        let machine = rng.below(machines);
        let (generator, offset) = &mut generators[machine as usize];
        let reading = now + *offset;
        let (id, issued_reading) = issue_waiting(generator, reading)?;
        issued.push(SkewIssue {
            id,
            machine,
            clock_offset: *offset,
            issued_at: now + (issued_reading - reading),
        });
    }
    Ok(issued)
}

/// `machines` generators with clock offsets drawn from `[-skew, +skew]` (seeded) each issue
/// IDs for Poisson requests, 2,000 in all over one second ([`skew_issues`]); the merged IDs
/// are compared with the true order of issue.
///
/// # Examples
///
/// ```
/// use lessons::ids::skew_trial;
/// use lessons::sim::ms;
///
/// let calm = skew_trial(4, ms(0), 1)?;
/// let skewed = skew_trial(4, ms(50), 1)?;
/// assert!(calm.inverted_fraction < skewed.inverted_fraction);
/// assert!(calm.max_inversion_ms < 1.0);
/// assert_eq!(skewed.duplicates, 0);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn skew_trial(machines: u64, skew: Time, seed: u64) -> Result<SkewRow, IdError> {
    let issued = skew_issues(machines, skew, 2_000, seed)?;
    let mut inverted = 0u64;
    let mut max_inversion = Time::ZERO;
    for (i, a) in issued.iter().enumerate() {
        for b in &issued[i + 1..] {
            if b.id < a.id {
                inverted += 1;
                max_inversion = max_inversion.max(b.issued_at - a.issued_at);
            }
        }
    }
    let pairs = issued.len() as u64 * (issued.len() as u64 - 1) / 2;
    let distinct: HashSet<u64> = issued.iter().map(|issue| issue.id).collect();
    Ok(SkewRow {
        skew_ms: skew.as_millis_f64(),
        inverted_fraction: inverted as f64 / pairs as f64,
        max_inversion_ms: max_inversion.as_millis_f64(),
        duplicates: issued.len() - distinct.len(),
    })
}
