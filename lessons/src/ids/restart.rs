//! A restart while the clock is behind: the policies of [`OnClockBackwards`] compare each new
//! reading with the last millisecond they issued, which a generator keeps in memory. A process
//! that restarts has forgotten it, unless it wrote it down.

use std::collections::HashSet;

use serde::Serialize;

use super::error::IdError;
use super::experiments::issue_waiting;
use super::snowflake::{Layout, OnClockBackwards, SnowflakeGenerator};
use crate::sim::{Time, ms, ns};

/// What one policy did across a restart, with or without its last millisecond on disk.
///
/// # Examples
///
/// See [`restart_trial`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RestartRow {
    /// The policy's name.
    pub policy: &'static str,
    /// Whether the restarted generator read back the last millisecond issued before it.
    pub last_millis_on_disk: bool,
    /// IDs issued after the restart that had been issued before it.
    pub duplicates: usize,
    /// The longest time a request waited for its ID, in milliseconds.
    pub longest_wait_ms: f64,
}

/// The trial of [`rollback_trial`](super::rollback_trial) with a restart at the step: a
/// generator issues an ID every 250 µs for 10 s; then its clock steps back by `rollback` (at
/// most 10 s) and the process restarts at that moment, and a new generator carries on until
/// `rollback + 100 ms` later. One row for each of "refuse and wait" and "logical clock", each
/// with the new generator starting empty and starting from the last millisecond on disk
/// ([`SnowflakeGenerator::resume`]).
///
/// It lets you test the claim that refusing (or a logical clock) protects against backward
/// steps: only while the generator remembers.
///
/// # Errors
///
/// [`IdError::Parameter`] for a step outside 0 to 10 s.
///
/// # Examples
///
/// ```
/// use lessons::ids::restart_trial;
/// use lessons::sim::ms;
///
/// let rows = restart_trial(ms(10))?;
/// let summary: Vec<(bool, usize)> =
///     rows.iter().map(|row| (row.last_millis_on_disk, row.duplicates)).collect();
/// // Forgetting repeats the 4 IDs of each of the 10 revisited milliseconds; remembering, none.
/// assert_eq!(summary, [(false, 40), (true, 0), (false, 40), (true, 0)]);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn restart_trial(rollback: Time) -> Result<Vec<RestartRow>, IdError> {
    if rollback < Time::ZERO || rollback > ms(10_000) {
        return Err(IdError::parameter(
            "rollback",
            rollback,
            "a step back of 0 to 10 s",
        ));
    }
    let layout = Layout::twitter();
    let start = layout.epoch() + ms(600_000);
    let restart_at = start + ms(10_000);
    let end = restart_at + rollback + ms(100);
    let mut rows = Vec::new();
    for policy in [
        OnClockBackwards::Refuse,
        OnClockBackwards::ContinueLogically,
    ] {
        for last_millis_on_disk in [false, true] {
            let mut before = SnowflakeGenerator::new(layout, 0, policy)?;
            let mut issued = HashSet::new();
            let first = issue_every_250_us(&mut before, start, restart_at, Time::ZERO)?;
            issued.extend(first.ids);
            let mut after = match (last_millis_on_disk, before.last_millis()) {
                (true, Some(last)) => SnowflakeGenerator::resume(layout, 0, policy, last)?,
                _ => SnowflakeGenerator::new(layout, 0, policy)?,
            };
            let second = issue_every_250_us(&mut after, restart_at, end, rollback)?;
            rows.push(RestartRow {
                policy: policy.name(),
                last_millis_on_disk,
                duplicates: second.ids.iter().filter(|id| issued.contains(id)).count(),
                longest_wait_ms: first.longest_wait_ms.max(second.longest_wait_ms),
            });
        }
    }
    Ok(rows)
}

/// The IDs one generator issued over a stretch of true time, and the longest wait.
struct Stretch {
    ids: Vec<u64>,
    longest_wait_ms: f64,
}

/// Requests every 250 µs of true time in `[from, until)`, on a clock `behind` the truth; a
/// request waits for the one before it and for any refusal.
fn issue_every_250_us(
    generator: &mut SnowflakeGenerator,
    from: Time,
    until: Time,
    behind: Time,
) -> Result<Stretch, IdError> {
    let mut stretch = Stretch {
        ids: Vec::new(),
        longest_wait_ms: 0.0,
    };
    let mut busy_until = from;
    let mut arrival = from;
    while arrival < until {
        let begin = arrival.max(busy_until);
        let reading = begin - behind;
        let (id, issued_reading) = issue_waiting(generator, reading)?;
        busy_until = begin + (issued_reading - reading);
        stretch.ids.push(id);
        stretch.longest_wait_ms = stretch
            .longest_wait_ms
            .max((busy_until - arrival).as_millis_f64());
        arrival += ns(250_000);
    }
    Ok(stretch)
}
