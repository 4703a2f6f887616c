//! A write-ahead log that acknowledges before or after its records reach the disk, and what a
//! crash takes from it.

use std::fmt;

use serde::Serialize;

use super::params::{at_least, at_most, probability};
use crate::sim::{Disk, Rng, SimError};

/// When the log forces its records to disk relative to acknowledging them.
///
/// # Examples
///
/// ```
/// use lessons::messaging::Durability;
///
/// assert_eq!(Durability::FsyncBeforeAck.to_string(), "fsync before ack");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Durability {
    /// Every record is fsynced before its write is acknowledged.
    FsyncBeforeAck,
    /// Writes are acknowledged at once; the log fsyncs every `n` records (group commit done
    /// late, or PostgreSQL's `synchronous_commit = off` in spirit).
    AckThenFsyncEvery(usize),
}

impl fmt::Display for Durability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Durability::FsyncBeforeAck => f.write_str("fsync before ack"),
            Durability::AckThenFsyncEvery(n) => write!(f, "ack, fsync every {n}"),
        }
    }
}

/// A write-ahead log: records in memory (the page cache) until an fsync copies them to the
/// [`Disk`], which is all that survives a crash.
///
/// # Examples
///
/// ```
/// use lessons::messaging::WriteAheadLog;
///
/// let mut wal = WriteAheadLog::new();
/// wal.append(1);
/// wal.append(2);
/// wal.fsync()?;
/// wal.append(3);
/// wal.crash();
/// assert_eq!(wal.recover(), [1, 2]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteAheadLog {
    buffered: Vec<u64>,
    /// Records on disk; what a restart would count from the disk's keys.
    on_disk: usize,
    disk: Disk,
}

impl WriteAheadLog {
    /// An empty log on an empty disk.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::messaging::WriteAheadLog::new().recover().is_empty());
    /// ```
    pub fn new() -> WriteAheadLog {
        WriteAheadLog::default()
    }

    /// Appends a record to the page cache.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wal = lessons::messaging::WriteAheadLog::new();
    /// wal.append(7);
    /// assert!(wal.recover().is_empty()); // not on disk yet
    /// ```
    pub fn append(&mut self, record: u64) {
        self.buffered.push(record);
    }

    /// Forces the buffered records to disk.
    ///
    /// # Errors
    ///
    /// [`SimError::Disk`] if the records cannot be serialized (never, for numbers).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wal = lessons::messaging::WriteAheadLog::new();
    /// wal.append(7);
    /// wal.fsync()?;
    /// assert_eq!(wal.recover(), [7]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn fsync(&mut self) -> Result<(), SimError> {
        for record in std::mem::take(&mut self.buffered) {
            // One key per record, numbered so that the disk's key order is the log's order.
            self.disk
                .write(&format!("wal/{:012}", self.on_disk), &record)?;
            self.on_disk += 1;
        }
        Ok(())
    }

    /// Loses everything not fsynced, as a power cut or a kernel crash does.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wal = lessons::messaging::WriteAheadLog::new();
    /// wal.append(7);
    /// wal.crash();
    /// wal.fsync()?;
    /// assert!(wal.recover().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn crash(&mut self) {
        self.buffered.clear();
    }

    /// The records on disk, in order: what a restart finds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::messaging::WriteAheadLog::new().recover().is_empty());
    /// ```
    pub fn recover(&self) -> Vec<u64> {
        self.disk
            .keys()
            .filter(|key| key.starts_with("wal/"))
            .filter_map(|key| self.disk.read(key))
            .collect()
    }
}

/// Writes `writes` records under `durability`, crashing after each write with probability
/// `crash`; returns `(acknowledged, acknowledged but lost)`.
///
/// # Errors
///
/// [`SimError`] for a crash probability outside `[0, 1]`, no writes, more than 100,000, or an
/// fsync interval of zero.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Durability, wal_run};
///
/// assert_eq!(wal_run(Durability::FsyncBeforeAck, 1_000, 0.01, 1)?.1, 0);
/// assert!(wal_run(Durability::AckThenFsyncEvery(50), 1_000, 0.01, 1)?.1 > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn wal_run(
    durability: Durability,
    writes: usize,
    crash: f64,
    seed: u64,
) -> Result<(usize, usize), SimError> {
    at_most("writes", at_least("writes", writes, 1)?, 100_000)?;
    probability("crash", crash)?;
    if let Durability::AckThenFsyncEvery(every) = durability {
        at_least("fsync interval", every, 1)?;
    }
    let mut rng = Rng::new(seed);
    let mut wal = WriteAheadLog::new();
    let mut acknowledged = Vec::new();
    for record in 0..writes as u64 {
        wal.append(record);
        match durability {
            Durability::FsyncBeforeAck => wal.fsync()?,
            Durability::AckThenFsyncEvery(every) => {
                if (record + 1) % every as u64 == 0 {
                    wal.fsync()?;
                }
            }
        }
        acknowledged.push(record);
        if rng.chance(crash) {
            wal.crash();
        }
    }
    let durable = wal.recover();
    let lost = acknowledged
        .iter()
        .filter(|record| durable.binary_search(record).is_err())
        .count();
    Ok((acknowledged.len(), lost))
}

/// One durability setting at one crash rate: writes acknowledged and acknowledged writes lost.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Durability, wal_experiment};
///
/// let rows = wal_experiment(&[Durability::FsyncBeforeAck], &[0.01], 1_000, 1)?;
/// assert_eq!(rows[0].lost, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalRow {
    /// The durability setting, in words.
    pub durability: String,
    /// The crash probability after each write.
    pub crash: f64,
    /// Writes acknowledged.
    pub acknowledged: usize,
    /// Acknowledged writes missing after the last restart.
    pub lost: usize,
}

/// [`wal_run`] for every setting and crash rate.
///
/// # Errors
///
/// As [`wal_run`].
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Durability, wal_experiment};
///
/// let rows = wal_experiment(&[Durability::AckThenFsyncEvery(100)], &[0.0], 1_000, 1)?;
/// assert_eq!(rows[0].lost, 0); // no crash, nothing lost
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn wal_experiment(
    settings: &[Durability],
    crash_rates: &[f64],
    writes: usize,
    seed: u64,
) -> Result<Vec<WalRow>, SimError> {
    let mut rows = Vec::new();
    for &durability in settings {
        for &crash in crash_rates {
            let (acknowledged, lost) = wal_run(durability, writes, crash, seed)?;
            rows.push(WalRow {
                durability: durability.to_string(),
                crash,
                acknowledged,
                lost,
            });
        }
    }
    Ok(rows)
}
