//! Split brain: two nodes that cannot see each other both decide to be the primary.

use serde::Serialize;

use super::heartbeat::positive;
use crate::sim::{SimError, Time};

/// How a two-node cluster decides to fail over.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::Failover;
///
/// assert_eq!(Failover::Witness.to_string(), "with a witness (2 of 3 votes)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Failover {
    /// The standby promotes itself when it stops hearing the primary.
    TwoNodes,
    /// A third voter (a witness or tiebreaker) must agree: a node is primary only while it
    /// holds 2 of the 3 votes, so the primary steps down when it loses the witness too.
    Witness,
}

impl std::fmt::Display for Failover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failover::TwoNodes => "two nodes, no tiebreaker",
            Failover::Witness => "with a witness (2 of 3 votes)",
        })
    }
}

/// What went wrong in one failover run.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Failover, Trouble, failover_run};
/// use lessons::sim::secs;
///
/// let row = failover_run(Failover::TwoNodes, Trouble::Partition, secs(60), secs(10), 100.0)?;
/// assert_eq!(row.primaries_at_once, 2);
/// assert_eq!(row.divergent_writes, 2_500); // 50 s of two primaries, 50 writes/s to the standby
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailoverRow {
    /// The failover rule.
    pub failover: String,
    /// What happened to the primary.
    pub trouble: String,
    /// The most nodes that acted as primary at the same time.
    pub primaries_at_once: usize,
    /// Writes accepted by the standby while the old primary also accepted writes: they
    /// conflict with the other side's and one side's must be thrown away when the link heals.
    pub divergent_writes: u64,
    /// Seconds during which no node accepted writes.
    pub unavailable_s: f64,
}

/// What happens to the primary in a failover run.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::Trouble;
///
/// assert_ne!(Trouble::Crash, Trouble::Partition);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Trouble {
    /// The primary crashes.
    Crash,
    /// The link between primary and standby breaks; both stay up, clients reach both, and
    /// the witness (if any) still reaches the primary.
    Partition,
}

/// A primary and a standby (and, with [`Failover::Witness`], a witness) over `duration` of
/// trouble; the standby acts after `timeout` of silence; clients write `writes_per_second` in
/// total, split evenly over the nodes they can reach that accept writes.
///
/// # Errors
///
/// [`SimError::Parameter`] for non-positive durations or a negative write rate.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Failover, Trouble, failover_run};
/// use lessons::sim::secs;
///
/// let row = failover_run(Failover::Witness, Trouble::Partition, secs(60), secs(10), 100.0)?;
/// assert_eq!((row.primaries_at_once, row.divergent_writes), (1, 0));
/// let crash = failover_run(Failover::Witness, Trouble::Crash, secs(60), secs(10), 100.0)?;
/// assert_eq!(crash.unavailable_s, 10.0); // the standby still takes over after the timeout
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn failover_run(
    failover: Failover,
    trouble: Trouble,
    duration: Time,
    timeout: Time,
    writes_per_second: f64,
) -> Result<FailoverRow, SimError> {
    positive("duration", duration)?;
    positive("timeout", timeout)?;
    if !(0.0..=1e9).contains(&writes_per_second) {
        return Err(SimError::parameter(
            "writes_per_second",
            writes_per_second,
            "a rate from 0 to 1e9 writes per second",
        ));
    }
    let promoted_for = (duration - timeout).max(Time::ZERO).as_secs_f64();
    let waiting = duration.min(timeout).as_secs_f64();
    // The standby promotes itself if it may: alone, or with the witness's vote, which the
    // witness gives only when it does not hear the primary either.
    let standby_promotes = match (failover, trouble) {
        (_, Trouble::Crash) => true,
        (Failover::TwoNodes, Trouble::Partition) => true,
        (Failover::Witness, Trouble::Partition) => false,
    };
    let (primaries_at_once, divergent_writes, unavailable_s) = match (trouble, standby_promotes) {
        (Trouble::Crash, _) => (1, 0, waiting),
        (Trouble::Partition, true) if promoted_for > 0.0 => {
            let standby_share = writes_per_second / 2.0 * promoted_for;
            (2, standby_share.round() as u64, 0.0)
        }
        (Trouble::Partition, _) => (1, 0, 0.0),
    };
    Ok(FailoverRow {
        failover: failover.to_string(),
        trouble: match trouble {
            Trouble::Crash => "primary crashes",
            Trouble::Partition => "link between them breaks",
        }
        .to_string(),
        primaries_at_once,
        divergent_writes,
        unavailable_s,
    })
}
