//! Tombstones and resurrection: a delete must be remembered until every replica has heard of
//! it, or a replica that missed it copies the deleted value back.
//!
//! Removing a key outright would look, to anti-entropy, exactly like a replica that missed a
//! write, and the "missing" value would be restored. So a delete writes a *tombstone*: a marker
//! with a newer stamp than the value, which repair spreads like any write. Tombstones cost
//! space, so they are purged after a grace period (Cassandra's `gc_grace_seconds`, ten days by
//! default). If a replica that missed the delete is repaired only after the purge, the value
//! comes back.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{QuorumError, at_least};
use crate::sim::{Rng, Time};

/// A key's state on one replica: a value or a tombstone, each with its stamp.
///
/// # Examples
///
/// ```
/// use lessons::quorum::Cell;
/// use lessons::sim::ms;
///
/// let gone = Cell::Tombstone { stamp: 2, deleted_at: ms(5) };
/// assert!(gone.stamp() > Cell::Live { value: 9, stamp: 1 }.stamp());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cell {
    /// A stored value.
    Live {
        /// The value.
        value: u64,
        /// Its stamp (larger is newer).
        stamp: u64,
    },
    /// A delete.
    Tombstone {
        /// Its stamp.
        stamp: u64,
        /// When the delete was made (the grace period counts from here).
        deleted_at: Time,
    },
}

impl Cell {
    /// The stamp.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Cell::Live { value: 0, stamp: 4 }.stamp(), 4);
    /// ```
    pub fn stamp(&self) -> u64 {
        match self {
            Cell::Live { stamp, .. } | Cell::Tombstone { stamp, .. } => *stamp,
        }
    }
}

/// A replica that deletes with tombstones.
///
/// # Examples
///
/// The resurrection, step by step:
///
/// ```
/// use lessons::quorum::TombstoneReplica;
/// use lessons::sim::ms;
///
/// let (mut a, mut c) = (TombstoneReplica::new(), TombstoneReplica::new());
/// a.put(1, 42, 1);
/// c.put(1, 42, 1);
/// a.delete(1, 2, ms(0)); // c is down and misses the delete
/// a.purge(ms(100), ms(100)); // the grace period ends: the tombstone is gone
/// TombstoneReplica::repair(&mut a, &mut c); // c is back: anti-entropy runs
/// assert_eq!(a.get(1), Some(42)); // the deleted value is back
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TombstoneReplica {
    cells: BTreeMap<u64, Cell>,
}

impl TombstoneReplica {
    /// An empty replica.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::TombstoneReplica::new().get(0), None);
    /// ```
    pub fn new() -> TombstoneReplica {
        TombstoneReplica::default()
    }

    fn store(&mut self, key: u64, cell: Cell) {
        let keep_old = self
            .cells
            .get(&key)
            .is_some_and(|old| old.stamp() >= cell.stamp());
        if !keep_old {
            self.cells.insert(key, cell);
        }
    }

    /// Stores `value` under `key` unless something newer is there.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut replica = lessons::quorum::TombstoneReplica::new();
    /// replica.put(1, 10, 2);
    /// replica.put(1, 5, 1); // older: ignored
    /// assert_eq!(replica.get(1), Some(10));
    /// ```
    pub fn put(&mut self, key: u64, value: u64, stamp: u64) {
        self.store(key, Cell::Live { value, stamp });
    }

    /// Deletes `key` by writing a tombstone.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::ms;
    ///
    /// let mut replica = lessons::quorum::TombstoneReplica::new();
    /// replica.put(1, 10, 1);
    /// replica.delete(1, 2, ms(3));
    /// assert_eq!((replica.get(1), replica.tombstones()), (None, 1));
    /// ```
    pub fn delete(&mut self, key: u64, stamp: u64, now: Time) {
        self.store(
            key,
            Cell::Tombstone {
                stamp,
                deleted_at: now,
            },
        );
    }

    /// The value of `key`, if it is live.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::TombstoneReplica::new().get(3), None);
    /// ```
    pub fn get(&self, key: u64) -> Option<u64> {
        match self.cells.get(&key)? {
            Cell::Live { value, .. } => Some(*value),
            Cell::Tombstone { .. } => None,
        }
    }

    /// How many tombstones it holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::TombstoneReplica::new().tombstones(), 0);
    /// ```
    pub fn tombstones(&self) -> usize {
        self.cells
            .values()
            .filter(|cell| matches!(cell, Cell::Tombstone { .. }))
            .count()
    }

    /// Drops the tombstones at least `gc_grace` old at `now` (compaction), returning how many.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::ms;
    ///
    /// let mut replica = lessons::quorum::TombstoneReplica::new();
    /// replica.delete(1, 1, ms(0));
    /// assert_eq!(replica.purge(ms(5), ms(10)), 0);
    /// assert_eq!(replica.purge(ms(10), ms(10)), 1);
    /// ```
    pub fn purge(&mut self, now: Time, gc_grace: Time) -> usize {
        let before = self.cells.len();
        self.cells.retain(|_, cell| match cell {
            Cell::Tombstone { deleted_at, .. } => now - *deleted_at < gc_grace,
            Cell::Live { .. } => true,
        });
        before - self.cells.len()
    }

    /// Anti-entropy between two replicas: each key ends with the newer cell of the two, and a
    /// key one side lacks is copied from the other.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::TombstoneReplica;
    /// use lessons::sim::ms;
    ///
    /// let (mut a, mut b) = (TombstoneReplica::new(), TombstoneReplica::new());
    /// a.put(1, 10, 1);
    /// b.put(1, 10, 1);
    /// a.delete(1, 2, ms(0));
    /// TombstoneReplica::repair(&mut a, &mut b); // before any purge: the delete spreads
    /// assert_eq!(b.get(1), None);
    /// ```
    pub fn repair(a: &mut TombstoneReplica, b: &mut TombstoneReplica) {
        for (&key, &cell) in &a.cells {
            b.store(key, cell);
        }
        for (&key, &cell) in &b.cells {
            a.store(key, cell);
        }
    }
}

/// How often a deleted key came back, for one down time.
///
/// # Examples
///
/// ```
/// use lessons::quorum::resurrection_experiment;
/// use lessons::sim::secs;
///
/// let rows = resurrection_experiment(&[0.1, 2.0], secs(10), secs(7), 100, 1)?;
/// assert_eq!((rows[0].resurrected, rows[1].resurrected), (0, 100));
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResurrectionRow {
    /// The replica's down time divided by the grace period.
    pub down_over_grace: f64,
    /// Trials run.
    pub trials: usize,
    /// Trials where the deleted value came back.
    pub resurrected: usize,
    /// `resurrected / trials`.
    pub fraction: f64,
    /// The probability that the first repair after the replica returns comes after the purge:
    /// `clamp((down + interval - grace) / interval, 0, 1)`.
    pub computed: f64,
}

/// Three replicas hold a key; at time 0 it is deleted while replica C is down, and C returns
/// after `down_over_grace · gc_grace`. Tombstones are purged at `gc_grace`. Anti-entropy runs
/// every `repair_every` at a random phase; the first run after C returns repairs the three.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for zero trials, non-positive times or a negative down time.
///
/// # Examples
///
/// ```
/// use lessons::quorum::resurrection_experiment;
/// use lessons::sim::secs;
///
/// let rows = resurrection_experiment(&[0.65], secs(10), secs(7), 10_000, 1)?;
/// assert!((rows[0].fraction - rows[0].computed).abs() < 0.02); // both about 0.5
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn resurrection_experiment(
    down_over_grace: &[f64],
    gc_grace: Time,
    repair_every: Time,
    trials: usize,
    seed: u64,
) -> Result<Vec<ResurrectionRow>, QuorumError> {
    at_least("trials", trials, 1)?;
    for (name, value) in [("gc_grace", gc_grace), ("repair_every", repair_every)] {
        if value <= Time::ZERO {
            return Err(QuorumError::parameter(name, value, "it must be positive"));
        }
    }
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    for &ratio in down_over_grace {
        if !(ratio >= 0.0 && ratio.is_finite()) {
            return Err(QuorumError::parameter(
                "down_over_grace",
                ratio,
                "a down time is a finite number ≥ 0 of grace periods",
            ));
        }
        let back_at = Time::from_nanos_f64(ratio * gc_grace.as_nanos() as f64);
        let mut resurrected = 0;
        for _ in 0..trials {
            let mut replicas = [
                TombstoneReplica::new(),
                TombstoneReplica::new(),
                TombstoneReplica::new(),
            ];
            for replica in &mut replicas {
                replica.put(0, 42, 1);
            }
            let [a, b, c] = &mut replicas;
            a.delete(0, 2, Time::ZERO);
            b.delete(0, 2, Time::ZERO);
            let phase = rng.between(Time::ZERO, repair_every);
            let behind = (back_at - phase).as_nanos().max(0) as u64;
            let periods = behind.div_ceil(repair_every.as_nanos() as u64) as i64;
            let repair_at = phase + repair_every * periods;
            if repair_at >= gc_grace {
                a.purge(gc_grace, gc_grace);
                b.purge(gc_grace, gc_grace);
            }
            TombstoneReplica::repair(a, c);
            TombstoneReplica::repair(b, c);
            TombstoneReplica::repair(a, b);
            a.purge(repair_at.max(gc_grace), gc_grace);
            b.purge(repair_at.max(gc_grace), gc_grace);
            c.purge(repair_at.max(gc_grace), gc_grace);
            resurrected += usize::from(replicas.iter().any(|replica| replica.get(0).is_some()));
        }
        let interval = repair_every.as_secs_f64();
        let computed = ((back_at.as_secs_f64() + interval - gc_grace.as_secs_f64()) / interval)
            .clamp(0.0, 1.0);
        rows.push(ResurrectionRow {
            down_over_grace: ratio,
            trials,
            resurrected,
            fraction: resurrected as f64 / trials as f64,
            computed,
        });
    }
    Ok(rows)
}
