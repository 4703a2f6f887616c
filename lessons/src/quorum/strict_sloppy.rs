//! Strict against sloppy quorums as a partition grows longer: what each gives up.
//!
//! A partition cuts a cluster of five nodes in two. The writer sits with node 2 (a home
//! replica) and nodes 3 and 4 (stand-ins); the reader sits with home replicas 0 and 1. With
//! N = 3 and W = R = 2, a strict write cannot gather two home replicas on the writer's side,
//! so it fails for as long as the partition lasts; the reader's two home replicas still answer
//! it, with the last value written before the partition. A sloppy write counts the stand-ins
//! and succeeds, while the reader, on the other side, keeps reading the old value: every one
//! of those reads is stale against an acknowledged write. When the partition heals, the
//! stand-ins hand over their hints, but only the hints of writes made within the hint window:
//! later writes stay missing from the home replicas until the key is written again (or
//! anti-entropy repairs it, which this run leaves out).

use serde::Serialize;

use super::error::QuorumError;
use super::overlap::Quorum;
use super::sloppy::SloppyCluster;
use crate::sim::{Rng, Time, secs};

/// Keys in the run: each starts at version 1, written before the partition.
const KEYS: u64 = 1_000;

/// The run's length: one write and one read per second for an hour.
const HOUR: i64 = 3_600;

/// One quorum mode and one partition length: what the writer and the reader saw over the hour.
///
/// # Examples
///
/// ```
/// use lessons::quorum::strict_vs_sloppy_experiment;
/// use lessons::sim::secs;
///
/// let rows = strict_vs_sloppy_experiment(&[secs(0)], secs(600), 1)?;
/// assert!(rows.iter().all(|row| row.writes_ok == 1.0 && row.stale_reads == 0.0));
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrictSloppyRow {
    /// `"strict"` or `"sloppy"`.
    pub quorum: &'static str,
    /// How long the partition lasted, in minutes (from the start of the hour).
    pub partition_min: f64,
    /// The share of the hour's 3,600 writes that were acknowledged.
    pub writes_ok: f64,
    /// The share of the hour's 3,600 reads that returned an older version than the key's last
    /// acknowledged write.
    pub stale_reads: f64,
    /// Of those stale reads, how many came after the partition healed (writes whose hints were
    /// never kept).
    pub stale_after_healing: u64,
    /// Hints handed over when the partition healed.
    pub hints_delivered: usize,
}

/// For each partition length (0 to 60 minutes), an hour of one write and one read per second
/// to random keys of 1,000, with N = 3, W = R = 2 on five nodes, first with strict quorums
/// and then with sloppy ones (the same keys in the same order); hints are kept for writes
/// made within `hint_window` of the partition's start.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for a partition outside 0 to 60 minutes or a negative window.
///
/// # Examples
///
/// A 30-minute partition, hints kept for 10 minutes: strict writes fail for half the hour and
/// no read is stale; sloppy writes all succeed, and reads are stale during the partition and,
/// for the writes made after the window closed, after it.
///
/// ```
/// use lessons::quorum::strict_vs_sloppy_experiment;
/// use lessons::sim::secs;
///
/// let rows = strict_vs_sloppy_experiment(&[secs(1_800)], secs(600), 1)?;
/// let (strict, sloppy) = (&rows[0], &rows[1]);
/// assert_eq!((strict.quorum, strict.writes_ok, strict.stale_reads), ("strict", 0.5, 0.0));
/// assert_eq!((sloppy.quorum, sloppy.writes_ok), ("sloppy", 1.0));
/// assert_eq!(sloppy.hints_delivered, 2 * 600); // two per write of the first 10 minutes
/// assert!(sloppy.stale_reads > 0.1 && sloppy.stale_after_healing > 0);
/// assert!(strict_vs_sloppy_experiment(&[secs(4_000)], secs(600), 1).is_err());
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn strict_vs_sloppy_experiment(
    partitions: &[Time],
    hint_window: Time,
    seed: u64,
) -> Result<Vec<StrictSloppyRow>, QuorumError> {
    let mut rows = Vec::new();
    for &partition in partitions {
        if partition < Time::ZERO || partition > secs(HOUR) {
            return Err(QuorumError::parameter(
                "partition",
                partition,
                "a partition lasts from 0 to 60 minutes of the hour",
            ));
        }
        for sloppy in [false, true] {
            rows.push(partitioned_hour(partition, hint_window, sloppy, seed)?);
        }
    }
    Ok(rows)
}

/// One hour with the writer and the reader on opposite sides for the first `partition`.
fn partitioned_hour(
    partition: Time,
    hint_window: Time,
    sloppy: bool,
    seed: u64,
) -> Result<StrictSloppyRow, QuorumError> {
    const WRITER: usize = 0;
    const READER: usize = 1;
    let quorum = Quorum::new(3, 2, 2)?;
    let preference = [0, 1, 2, 3, 4];
    let mut cluster = SloppyCluster::new(5, hint_window)?;
    for key in 0..KEYS {
        cluster.write(Time::ZERO, key, 1, &preference, quorum, false)?;
    }
    let mut acknowledged = vec![1; KEYS as usize];
    let sides = |cluster: &mut SloppyCluster, reachable: bool| -> Result<(), QuorumError> {
        for node in [0, 1] {
            cluster.set_reachable(Time::ZERO, WRITER, node, reachable)?;
        }
        for node in [2, 3, 4] {
            cluster.set_reachable(Time::ZERO, READER, node, reachable)?;
        }
        Ok(())
    };
    sides(&mut cluster, false)?;
    // The same stream of keys for both modes, so the two rows differ only by the quorum.
    let mut rng = Rng::new(seed);
    let (mut healed, mut hints_delivered) = (false, 0);
    let (mut writes_ok, mut stale, mut stale_after_healing) = (0u64, 0u64, 0u64);
    for second in 0..HOUR {
        let now = secs(second);
        if !healed && now >= partition {
            sides(&mut cluster, true)?;
            hints_delivered = cluster.hand_off();
            healed = true;
        }
        let version = second as u64 + 2;
        let key = rng.below(KEYS);
        let written =
            cluster
                .as_client(WRITER)
                .write(now, key, version, &preference, quorum, sloppy)?;
        if written.succeeded {
            acknowledged[key as usize] = version;
            writes_ok += 1;
        }
        let key = rng.below(KEYS);
        let read = cluster.as_client(READER).read(key, &preference, quorum)?;
        if read < Some(acknowledged[key as usize]) {
            stale += 1;
            stale_after_healing += u64::from(healed);
        }
    }
    Ok(StrictSloppyRow {
        quorum: if sloppy { "sloppy" } else { "strict" },
        partition_min: partition.as_secs_f64() / 60.0,
        writes_ok: writes_ok as f64 / HOUR as f64,
        stale_reads: stale as f64 / HOUR as f64,
        stale_after_healing,
        hints_delivered,
    })
}
