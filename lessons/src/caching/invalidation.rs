//! The cache-aside invalidation race: a reader that missed stores the value it read from the
//! database after a writer has already replaced that value and deleted the key.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use crate::sim::{Rng, SimError, Time, check_interrupt};

/// How writers invalidate the cache and how readers store what they read.
///
/// # Examples
///
/// ```
/// use lessons::caching::InvalidationScheme;
/// use lessons::sim::ms;
///
/// assert_eq!(InvalidationScheme::DelayedDoubleDelete { delay: ms(500) }.label(), "double delete (500ms)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum InvalidationScheme {
    /// The writer updates the database, then deletes the key; a reader's set always stores.
    DeleteOnWrite,
    /// Every value carries its database version. A delete leaves a tombstone with the version
    /// just written, and a set stores only if its version is at least the one the cache holds
    /// (value or tombstone). A tombstone must outlive the longest reader stall, here the TTL.
    VersionedSet,
    /// Delete on write, and delete again `delay` later, to remove a stale value stored in
    /// between.
    DelayedDoubleDelete {
        /// How long after the first delete the second comes.
        delay: Time,
    },
}

impl InvalidationScheme {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::InvalidationScheme;
    ///
    /// assert_eq!(InvalidationScheme::VersionedSet.label(), "versioned set");
    /// ```
    pub fn label(&self) -> String {
        match self {
            InvalidationScheme::DeleteOnWrite => "delete on write".to_string(),
            InvalidationScheme::VersionedSet => "versioned set".to_string(),
            InvalidationScheme::DelayedDoubleDelete { delay } => {
                format!("double delete ({delay})")
            }
        }
    }
}

/// What the cache holds for the key.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CacheCell, InvalidationScheme};
///
/// let stale = CacheCell::Empty.delete(InvalidationScheme::VersionedSet, 2);
/// assert_eq!(stale, CacheCell::Tombstone(2));
/// assert_eq!(stale.set(InvalidationScheme::VersionedSet, 1), CacheCell::Tombstone(2)); // refused
/// assert_eq!(CacheCell::Empty.set(InvalidationScheme::DeleteOnWrite, 1), CacheCell::Value(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CacheCell {
    /// Nothing.
    Empty,
    /// The value of this database version.
    Value(u64),
    /// Deleted because this database version was written (versioned set only); reads miss.
    Tombstone(u64),
}

impl CacheCell {
    /// The cell after a reader sets the value of `version`: always stored, except under
    /// [`InvalidationScheme::VersionedSet`] when the cell holds a newer version.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{CacheCell, InvalidationScheme};
    ///
    /// let newer = CacheCell::Value(3);
    /// assert_eq!(newer.set(InvalidationScheme::VersionedSet, 2), newer);
    /// assert_eq!(newer.set(InvalidationScheme::DeleteOnWrite, 2), CacheCell::Value(2));
    /// ```
    pub fn set(self, scheme: InvalidationScheme, version: u64) -> CacheCell {
        match (scheme, self) {
            (
                InvalidationScheme::VersionedSet,
                CacheCell::Value(held) | CacheCell::Tombstone(held),
            ) if held > version => self,
            _ => CacheCell::Value(version),
        }
    }

    /// The cell after a writer that wrote `version` deletes the key: empty, or under
    /// [`InvalidationScheme::VersionedSet`] a tombstone of the newest version seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{CacheCell, InvalidationScheme};
    ///
    /// assert_eq!(CacheCell::Value(1).delete(InvalidationScheme::DeleteOnWrite, 2), CacheCell::Empty);
    /// assert_eq!(CacheCell::Tombstone(5).delete(InvalidationScheme::VersionedSet, 4), CacheCell::Tombstone(5));
    /// ```
    pub fn delete(self, scheme: InvalidationScheme, version: u64) -> CacheCell {
        match (scheme, self) {
            (
                InvalidationScheme::VersionedSet,
                CacheCell::Value(held) | CacheCell::Tombstone(held),
            ) => CacheCell::Tombstone(held.max(version)),
            (InvalidationScheme::VersionedSet, CacheCell::Empty) => CacheCell::Tombstone(version),
            _ => CacheCell::Empty,
        }
    }
}

/// One key under cache-aside: Poisson reads and writes, a TTL, and readers that sometimes
/// stall between reading the database and setting the cache (a GC pause, a slow network).
/// A reader that does not stall sets `set_delay` after its database read; one that stalls
/// (with `stall_probability`) waits an extra exponential time of mean `stall_mean`.
///
/// # Examples
///
/// ```
/// use lessons::caching::RaceWorkload;
/// use lessons::sim::{ms, secs};
///
/// let workload = RaceWorkload::typical();
/// assert_eq!((workload.ttl, workload.stall_mean), (secs(10), ms(200)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaceWorkload {
    /// Reads per second.
    pub reads_per_second: f64,
    /// Writes per second.
    pub writes_per_second: f64,
    /// How long a cached value lives.
    pub ttl: Time,
    /// Time from a reader's database read to its set, when it does not stall.
    pub set_delay: Time,
    /// Mean extra time of a stall.
    pub stall_mean: Time,
    /// How long the run lasts.
    pub duration: Time,
}

impl RaceWorkload {
    /// The notebook's workload: 200 reads and 2 writes per second, TTL 10 s, 1 ms from
    /// database read to set, stalls of 200 ms on average, 1,000 s.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::RaceWorkload;
    ///
    /// assert_eq!(RaceWorkload::typical().reads_per_second, 200.0);
    /// ```
    pub fn typical() -> RaceWorkload {
        RaceWorkload {
            reads_per_second: 200.0,
            writes_per_second: 2.0,
            ttl: Time::from_nanos(10_000_000_000),
            set_delay: Time::from_nanos(1_000_000),
            stall_mean: Time::from_nanos(200_000_000),
            duration: Time::from_nanos(1_000_000_000_000),
        }
    }

    fn validate(&self) -> Result<(), SimError> {
        for (name, rate) in [
            ("reads_per_second", self.reads_per_second),
            ("writes_per_second", self.writes_per_second),
        ] {
            if !(rate > 0.0 && rate <= 100_000.0) {
                return Err(SimError::parameter(name, rate, "a rate in (0, 100,000]"));
            }
        }
        for (name, value) in [("ttl", self.ttl), ("duration", self.duration)] {
            if value <= Time::ZERO {
                return Err(SimError::parameter(name, value, "a positive time"));
            }
        }
        for (name, value) in [
            ("set_delay", self.set_delay),
            ("stall_mean", self.stall_mean),
        ] {
            if value < Time::ZERO {
                return Err(SimError::parameter(name, value, "0 or a positive time"));
            }
        }
        let events = (self.reads_per_second + self.writes_per_second) * self.duration.as_secs_f64();
        if events > 5e6 {
            return Err(SimError::parameter(
                "duration",
                self.duration,
                "at most 5 million reads and writes per run",
            ));
        }
        Ok(())
    }
}

/// What one scheme did at one stall probability in [`invalidation_race_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::caching::{InvalidationScheme, RaceWorkload, invalidation_race_experiment};
///
/// let rows = invalidation_race_experiment(RaceWorkload::typical(), &[InvalidationScheme::VersionedSet], &[0.5], 1)?;
/// assert_eq!(rows[0].stale_reads, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceRow {
    /// [`InvalidationScheme::label`].
    pub scheme: String,
    /// The chance that a reader stalls between its database read and its set.
    pub stall_probability: f64,
    /// Reads made.
    pub reads: u64,
    /// Reads answered from the cache with a version older than the database's.
    pub stale_reads: u64,
    /// `stale_reads / reads`.
    pub stale_fraction: f64,
    /// Sets that stored a version older than the database's at that moment.
    pub stale_sets: u64,
    /// The longest time the cache held an outdated value, in seconds.
    pub longest_stale_s: f64,
}

/// Runs each scheme at each stall probability on `workload` and counts stale reads: reads
/// answered from the cache with an older version than the database holds.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside (0, 10^5], non-positive TTL or duration, negative
/// delays, more than 5 million operations, or a negative double-delete delay;
/// [`SimError::Probability`] for a stall probability outside [0, 1].
///
/// # Examples
///
/// ```
/// use lessons::caching::{InvalidationScheme, RaceWorkload, invalidation_race_experiment};
///
/// let schemes = [InvalidationScheme::DeleteOnWrite, InvalidationScheme::VersionedSet];
/// let rows = invalidation_race_experiment(RaceWorkload::typical(), &schemes, &[0.0, 0.5], 1)?;
/// assert!(rows[1].stale_reads > 0); // delete on write with stalls
/// assert_eq!(rows[3].stale_reads, 0); // versioned set
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn invalidation_race_experiment(
    workload: RaceWorkload,
    schemes: &[InvalidationScheme],
    stall_probabilities: &[f64],
    seed: u64,
) -> Result<Vec<RaceRow>, SimError> {
    workload.validate()?;
    for &probability in stall_probabilities {
        if !(0.0..=1.0).contains(&probability) {
            return Err(SimError::Probability {
                name: "stall",
                value: probability,
            });
        }
    }
    let mut rows = Vec::new();
    for &scheme in schemes {
        if let InvalidationScheme::DelayedDoubleDelete { delay } = scheme
            && delay < Time::ZERO
        {
            return Err(SimError::parameter("delay", delay, "0 or a positive time"));
        }
        for &probability in stall_probabilities {
            check_interrupt(|| format!("{} at stall probability {probability}", scheme.label()))?;
            rows.push(KeyRun::new(workload, scheme, probability, seed).run());
        }
    }
    Ok(rows)
}

/// Something scheduled to happen to the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Read,
    Write,
    /// A reader that read `version` from the database sets it.
    Set(u64),
    /// The second delete of a double delete, for the write of `version`.
    DeleteAgain(u64),
}

/// One scheme's run at one stall probability.
struct KeyRun {
    workload: RaceWorkload,
    scheme: InvalidationScheme,
    stall_probability: f64,
    reads_rng: Rng,
    writes_rng: Rng,
    stalls_rng: Rng,
    queue: BinaryHeap<Reverse<(Time, u64, Event)>>,
    scheduled: u64,
    database: u64,
    cell: CacheCell,
    expires_at: Time,
    /// When the cache started holding an outdated value, while it does.
    stale_since: Option<Time>,
    longest_stale: Time,
    reads: u64,
    stale_reads: u64,
    stale_sets: u64,
}

impl KeyRun {
    fn new(workload: RaceWorkload, scheme: InvalidationScheme, stall: f64, seed: u64) -> KeyRun {
        KeyRun {
            workload,
            scheme,
            stall_probability: stall,
            // The same reads and writes for every scheme; stalls from a stream of their own.
            reads_rng: Rng::derive(seed, &[1]),
            writes_rng: Rng::derive(seed, &[2]),
            stalls_rng: Rng::derive(seed, &[3]),
            queue: BinaryHeap::new(),
            scheduled: 0,
            database: 0,
            cell: CacheCell::Empty,
            expires_at: Time::ZERO,
            stale_since: None,
            longest_stale: Time::ZERO,
            reads: 0,
            stale_reads: 0,
            stale_sets: 0,
        }
    }

    fn schedule(&mut self, at: Time, event: Event) {
        self.scheduled += 1;
        self.queue.push(Reverse((at, self.scheduled, event)));
    }

    fn next_gap(rng: &mut Rng, rate: f64) -> Time {
        Time::from_nanos_f64(rng.exponential() * 1e9 / rate)
    }

    fn run(mut self) -> RaceRow {
        let first_read = Self::next_gap(&mut self.reads_rng, self.workload.reads_per_second);
        let first_write = Self::next_gap(&mut self.writes_rng, self.workload.writes_per_second);
        self.schedule(first_read, Event::Read);
        self.schedule(first_write, Event::Write);
        while let Some(Reverse((now, _, event))) = self.queue.pop() {
            if now >= self.workload.duration {
                break;
            }
            self.expire(now);
            match event {
                Event::Read => self.read(now),
                Event::Write => self.write(now),
                Event::Set(version) => {
                    self.cell = self.cell.set(self.scheme, version);
                    if self.cell == CacheCell::Value(version) {
                        self.expires_at = now + self.workload.ttl;
                        self.stale_sets += u64::from(version < self.database);
                    }
                }
                Event::DeleteAgain(version) => self.cell = self.cell.delete(self.scheme, version),
            }
            self.track_staleness(now);
        }
        self.track_staleness(self.workload.duration);
        if let Some(since) = self.stale_since {
            self.longest_stale = self.longest_stale.max(self.workload.duration - since);
        }
        RaceRow {
            scheme: self.scheme.label(),
            stall_probability: self.stall_probability,
            reads: self.reads,
            stale_reads: self.stale_reads,
            stale_fraction: self.stale_reads as f64 / self.reads.max(1) as f64,
            stale_sets: self.stale_sets,
            longest_stale_s: self.longest_stale.as_secs_f64(),
        }
    }

    fn expire(&mut self, now: Time) {
        if now >= self.expires_at && self.cell != CacheCell::Empty {
            if let Some(since) = self.stale_since.take() {
                self.longest_stale = self.longest_stale.max(self.expires_at - since);
            }
            self.cell = CacheCell::Empty;
        }
    }

    fn read(&mut self, now: Time) {
        self.reads += 1;
        match self.cell {
            CacheCell::Value(version) => self.stale_reads += u64::from(version < self.database),
            CacheCell::Empty | CacheCell::Tombstone(_) => {
                let mut set_at = now + self.workload.set_delay;
                if self.stalls_rng.chance(self.stall_probability) {
                    let stall =
                        self.stalls_rng.exponential() * self.workload.stall_mean.as_secs_f64();
                    set_at += Time::from_nanos_f64(stall * 1e9);
                }
                self.schedule(set_at, Event::Set(self.database));
            }
        }
        let gap = Self::next_gap(&mut self.reads_rng, self.workload.reads_per_second);
        self.schedule(now + gap, Event::Read);
    }

    fn write(&mut self, now: Time) {
        self.database += 1;
        self.cell = self.cell.delete(self.scheme, self.database);
        if self.cell != CacheCell::Empty {
            // A tombstone lives as long as a value would.
            self.expires_at = now + self.workload.ttl;
        }
        if let InvalidationScheme::DelayedDoubleDelete { delay } = self.scheme {
            self.schedule(now + delay, Event::DeleteAgain(self.database));
        }
        let gap = Self::next_gap(&mut self.writes_rng, self.workload.writes_per_second);
        self.schedule(now + gap, Event::Write);
    }

    fn track_staleness(&mut self, now: Time) {
        let stale = matches!(self.cell, CacheCell::Value(version) if version < self.database);
        match (stale, self.stale_since) {
            (true, None) => self.stale_since = Some(now),
            (false, Some(since)) => {
                self.longest_stale = self.longest_stale.max(now - since);
                self.stale_since = None;
            }
            _ => {}
        }
    }
}
