//! Five ways to put a cache in front of a database, on one simulated workload: what each
//! costs a read and a write, how stale a read can be, and what a cache crash loses.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::write_behind::WriteBehindBuffer;
use crate::sim::{Rng, SimError, Time, check_interrupt};

/// Who reads and writes the database, and when.
///
/// Every pattern reads the same way: the cache first, the database on a miss, and the value
/// stored in the cache. Cache-aside and read-through differ in who runs that code (the
/// application, or a loader inside the cache library), not in what happens, so they measure
/// the same here.
///
/// # Examples
///
/// ```
/// use lessons::caching::CachePattern;
/// use lessons::sim::secs;
///
/// assert_eq!(CachePattern::WriteBehind { flush_every: secs(1) }.label(), "write-behind (1s)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePattern {
    /// The application reads the cache, loads misses itself, and on a write updates the
    /// database and then deletes the key.
    CacheAside,
    /// The cache loads misses through a loader; writes update the database and delete the key.
    ReadThrough,
    /// A write updates the database and the cache before it is acknowledged (DynamoDB
    /// Accelerator, DAX, is a write-through cache for DynamoDB).
    WriteThrough,
    /// A write updates the cache only and is acknowledged; dirty keys go to the database at
    /// the next flush, every `flush_every`.
    WriteBehind {
        /// Time between two flushes.
        flush_every: Time,
    },
    /// A write updates the database only; a cached copy stays until its TTL ends.
    WriteAround,
}

impl CachePattern {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::caching::CachePattern::WriteAround.label(), "write-around");
    /// ```
    pub fn label(&self) -> String {
        match self {
            CachePattern::CacheAside => "cache-aside".to_string(),
            CachePattern::ReadThrough => "read-through".to_string(),
            CachePattern::WriteThrough => "write-through".to_string(),
            CachePattern::WriteBehind { flush_every } => format!("write-behind ({flush_every})"),
            CachePattern::WriteAround => "write-around".to_string(),
        }
    }
}

/// How the cache learns about writes made straight to the database by someone else (a
/// background job, a migration, another service).
///
/// # Examples
///
/// ```
/// use lessons::caching::Invalidation;
/// use lessons::sim::ms;
///
/// assert_eq!(Invalidation::ChangeDataCapture { delay: ms(200) }.label(), "CDC (200ms)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidation {
    /// It does not: the old copy lives until its TTL ends.
    TtlOnly,
    /// A change-data-capture pipeline (Debezium reading the database's log, say) deletes the
    /// key `delay` after each commit.
    ChangeDataCapture {
        /// Time from the commit to the delete.
        delay: Time,
    },
}

impl Invalidation {
    /// A short name for tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::caching::Invalidation::TtlOnly.label(), "TTL only");
    /// ```
    pub fn label(&self) -> String {
        match self {
            Invalidation::TtlOnly => "TTL only".to_string(),
            Invalidation::ChangeDataCapture { delay } => format!("CDC ({delay})"),
        }
    }
}

/// The workload: uniform keys, Poisson reads, writes through the pattern, writes straight to
/// the database, fixed cache and database latencies, a TTL, and cache crashes at uniformly
/// random times (a crash empties the cache).
///
/// # Examples
///
/// ```
/// use lessons::caching::PatternWorkload;
///
/// let workload = PatternWorkload::typical();
/// assert_eq!((workload.keys, workload.cache_crashes), (1_000, 3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatternWorkload {
    /// How many keys (each operation picks one uniformly).
    pub keys: u64,
    /// Reads per second.
    pub reads_per_second: f64,
    /// Writes per second made through the pattern.
    pub writes_per_second: f64,
    /// Writes per second made straight to the database, bypassing the cache.
    pub outside_writes_per_second: f64,
    /// One cache round trip.
    pub cache_latency: Time,
    /// One database round trip.
    pub db_latency: Time,
    /// How long a cached value lives.
    pub ttl: Time,
    /// How many times the cache crashes during the run.
    pub cache_crashes: u32,
    /// How long the run lasts.
    pub duration: Time,
}

impl PatternWorkload {
    /// 1,000 keys, 1,000 reads and 100 writes per second, no outside writer, 1 ms cache,
    /// 10 ms database, TTL 60 s, 3 cache crashes in 120 s.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::PatternWorkload;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(PatternWorkload::typical().db_latency, ms(10));
    /// ```
    pub fn typical() -> PatternWorkload {
        PatternWorkload {
            keys: 1_000,
            reads_per_second: 1_000.0,
            writes_per_second: 100.0,
            outside_writes_per_second: 0.0,
            cache_latency: Time::from_nanos(1_000_000),
            db_latency: Time::from_nanos(10_000_000),
            ttl: Time::from_nanos(60_000_000_000),
            cache_crashes: 3,
            duration: Time::from_nanos(120_000_000_000),
        }
    }

    fn validate(&self) -> Result<(), SimError> {
        if !(1..=1_000_000).contains(&self.keys) {
            return Err(SimError::parameter(
                "keys",
                self.keys,
                "from 1 to 1,000,000",
            ));
        }
        let rates = [
            ("reads_per_second", self.reads_per_second),
            ("writes_per_second", self.writes_per_second),
            ("outside_writes_per_second", self.outside_writes_per_second),
        ];
        for (name, rate) in rates {
            if !(0.0..=100_000.0).contains(&rate) {
                return Err(SimError::parameter(name, rate, "a rate in [0, 100,000]"));
            }
        }
        for (name, value) in [
            ("cache_latency", self.cache_latency),
            ("db_latency", self.db_latency),
        ] {
            if value < Time::ZERO {
                return Err(SimError::parameter(name, value, "0 or a positive time"));
            }
        }
        if self.ttl <= Time::ZERO {
            return Err(SimError::parameter("ttl", self.ttl, "a positive time"));
        }
        let operations =
            rates.iter().map(|(_, rate)| rate).sum::<f64>() * self.duration.as_secs_f64();
        if self.duration <= Time::ZERO || operations > 5e6 {
            return Err(SimError::parameter(
                "duration",
                self.duration,
                "a positive time with at most 5 million operations in it",
            ));
        }
        if self.cache_crashes > 1_000 {
            return Err(SimError::parameter(
                "cache_crashes",
                self.cache_crashes,
                "at most 1,000",
            ));
        }
        Ok(())
    }
}

/// What one pattern did in [`pattern_experiment`] or [`outside_writer_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::caching::{CachePattern, PatternWorkload, pattern_experiment};
///
/// let rows = pattern_experiment(PatternWorkload::typical(), &[CachePattern::WriteThrough], 1)?;
/// assert_eq!((rows[0].stale_reads, rows[0].lost_writes), (0, 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternRow {
    /// [`CachePattern::label`].
    pub pattern: String,
    /// [`Invalidation::label`] for outside writes.
    pub invalidation: String,
    /// Reads made.
    pub reads: u64,
    /// Fraction of reads answered by the cache.
    pub hit_rate: f64,
    /// Mean read latency, in milliseconds.
    pub mean_read_ms: f64,
    /// Mean latency of a write through the pattern, in milliseconds.
    pub mean_write_ms: f64,
    /// Reads that returned an older version than the newest acknowledged write of the key.
    pub stale_reads: u64,
    /// The longest a returned value had already been replaced, in seconds.
    pub longest_stale_s: f64,
    /// Acknowledged writes that never reached the database (write-behind crashes).
    pub lost_writes: u64,
}

/// Runs each pattern on `workload`, outside writes invalidated by TTL only.
///
/// # Errors
///
/// [`SimError::Parameter`] for keys outside 1..=10^6, rates outside [0, 10^5], negative
/// latencies, a non-positive TTL, duration or flush interval, a flush interval longer than
/// the TTL, more than 5 million operations or more than 1,000 crashes.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CachePattern, PatternWorkload, pattern_experiment};
/// use lessons::sim::secs;
///
/// let patterns = [CachePattern::CacheAside, CachePattern::WriteBehind { flush_every: secs(1) }];
/// let rows = pattern_experiment(PatternWorkload::typical(), &patterns, 1)?;
/// assert!(rows[1].mean_write_ms < rows[0].mean_write_ms);
/// assert!(rows[1].lost_writes > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn pattern_experiment(
    workload: PatternWorkload,
    patterns: &[CachePattern],
    seed: u64,
) -> Result<Vec<PatternRow>, SimError> {
    workload.validate()?;
    let mut rows = Vec::new();
    for &pattern in patterns {
        if let CachePattern::WriteBehind { flush_every } = pattern
            && !(Time::ZERO < flush_every && flush_every <= workload.ttl)
        {
            return Err(SimError::parameter(
                "flush_every",
                flush_every,
                "a positive time no longer than the TTL, so no dirty value expires unflushed",
            ));
        }
        check_interrupt(|| pattern.label())?;
        rows.push(PatternRun::new(workload, pattern, Invalidation::TtlOnly, seed).run());
    }
    Ok(rows)
}

/// Runs cache-aside on `workload` (whose outside writes bypass the cache) once per way of
/// invalidating them.
///
/// # Errors
///
/// As [`pattern_experiment`], and [`SimError::Parameter`] for a negative CDC delay.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Invalidation, PatternWorkload, outside_writer_experiment};
/// use lessons::sim::ms;
///
/// let workload = PatternWorkload { outside_writes_per_second: 20.0, ..PatternWorkload::typical() };
/// let cdc = Invalidation::ChangeDataCapture { delay: ms(200) };
/// let rows = outside_writer_experiment(workload, &[Invalidation::TtlOnly, cdc], 1)?;
/// assert!(rows[0].longest_stale_s > 10.0);
/// assert!(rows[1].longest_stale_s <= 0.2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn outside_writer_experiment(
    workload: PatternWorkload,
    invalidations: &[Invalidation],
    seed: u64,
) -> Result<Vec<PatternRow>, SimError> {
    workload.validate()?;
    let mut rows = Vec::new();
    for &invalidation in invalidations {
        if let Invalidation::ChangeDataCapture { delay } = invalidation
            && delay < Time::ZERO
        {
            return Err(SimError::parameter("delay", delay, "0 or a positive time"));
        }
        check_interrupt(|| invalidation.label())?;
        let run = PatternRun::new(workload, CachePattern::CacheAside, invalidation, seed);
        rows.push(run.run());
    }
    Ok(rows)
}

/// Something scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Read,
    Write,
    OutsideWrite,
    Flush,
    Crash,
    /// The CDC pipeline deletes this key.
    CdcDelete(u64),
}

/// A cached copy: its version and when it expires.
#[derive(Debug, Clone, Copy)]
struct CachedCopy {
    version: u64,
    expires_at: Time,
}

/// One pattern's run.
struct PatternRun {
    workload: PatternWorkload,
    pattern: CachePattern,
    invalidation: Invalidation,
    rng: Rng,
    queue: BinaryHeap<Reverse<(Time, u64, Event)>>,
    scheduled: u64,
    cache: Vec<Option<CachedCopy>>,
    database: Vec<u64>,
    /// When each acknowledged version of each key was acknowledged (index = version).
    acknowledged: Vec<Vec<Time>>,
    buffer: WriteBehindBuffer,
    reads: u64,
    hits: u64,
    read_time: Time,
    writes: u64,
    write_time: Time,
    stale_reads: u64,
    longest_stale: Time,
    lost_writes: u64,
}

impl PatternRun {
    fn new(
        workload: PatternWorkload,
        pattern: CachePattern,
        invalidation: Invalidation,
        seed: u64,
    ) -> PatternRun {
        let keys = workload.keys as usize;
        PatternRun {
            workload,
            pattern,
            invalidation,
            rng: Rng::new(seed),
            queue: BinaryHeap::new(),
            scheduled: 0,
            cache: vec![None; keys],
            database: vec![0; keys],
            acknowledged: vec![vec![Time::ZERO]; keys],
            buffer: WriteBehindBuffer::default(),
            reads: 0,
            hits: 0,
            read_time: Time::ZERO,
            writes: 0,
            write_time: Time::ZERO,
            stale_reads: 0,
            longest_stale: Time::ZERO,
            lost_writes: 0,
        }
    }

    fn schedule(&mut self, at: Time, event: Event) {
        self.scheduled += 1;
        self.queue.push(Reverse((at, self.scheduled, event)));
    }

    fn schedule_arrival(&mut self, now: Time, event: Event, rate: f64) {
        if rate > 0.0 {
            let gap = Time::from_nanos_f64(self.rng.exponential() * 1e9 / rate);
            self.schedule(now + gap, event);
        }
    }

    fn run(mut self) -> PatternRow {
        let workload = self.workload;
        self.schedule_arrival(Time::ZERO, Event::Read, workload.reads_per_second);
        self.schedule_arrival(Time::ZERO, Event::Write, workload.writes_per_second);
        let outside = workload.outside_writes_per_second;
        self.schedule_arrival(Time::ZERO, Event::OutsideWrite, outside);
        for _ in 0..workload.cache_crashes {
            let at = self.rng.between(Time::ZERO, workload.duration);
            self.schedule(at, Event::Crash);
        }
        if let CachePattern::WriteBehind { flush_every } = self.pattern {
            self.schedule(flush_every, Event::Flush);
        }
        while let Some(Reverse((now, _, event))) = self.queue.pop() {
            if now >= workload.duration {
                break;
            }
            match event {
                Event::Read => self.read(now),
                Event::Write => self.write(now),
                Event::OutsideWrite => self.outside_write(now),
                Event::Flush => self.flush(now),
                Event::Crash => self.crash(),
                Event::CdcDelete(key) => self.cache[key as usize] = None,
            }
        }
        self.row()
    }

    fn key(&mut self) -> usize {
        self.rng.below(self.workload.keys) as usize
    }

    fn read(&mut self, now: Time) {
        let key = self.key();
        let cached = self.cache[key].filter(|copy| now < copy.expires_at);
        let version = match cached {
            Some(copy) => {
                self.hits += 1;
                self.read_time += self.workload.cache_latency;
                copy.version
            }
            None => {
                self.read_time += self.workload.cache_latency + self.workload.db_latency;
                let version = self.database[key];
                self.store(key, version, now);
                version
            }
        };
        self.reads += 1;
        let history = &self.acknowledged[key];
        if let Some(&replaced_at) = history.get(version as usize + 1) {
            self.stale_reads += 1;
            self.longest_stale = self.longest_stale.max(now - replaced_at);
        }
        self.schedule_arrival(now, Event::Read, self.workload.reads_per_second);
    }

    fn store(&mut self, key: usize, version: u64, now: Time) {
        self.cache[key] = Some(CachedCopy {
            version,
            expires_at: now + self.workload.ttl,
        });
    }

    fn write(&mut self, now: Time) {
        let key = self.key();
        let version = self.acknowledged[key].len() as u64;
        self.acknowledged[key].push(now);
        let (cache, db) = (self.workload.cache_latency, self.workload.db_latency);
        let latency = match self.pattern {
            CachePattern::CacheAside | CachePattern::ReadThrough => {
                self.database[key] = version;
                self.cache[key] = None;
                db + cache
            }
            CachePattern::WriteThrough => {
                self.database[key] = version;
                self.store(key, version, now);
                db + cache
            }
            CachePattern::WriteBehind { .. } => {
                self.store(key, version, now);
                self.buffer.write(key as u64, version);
                cache
            }
            CachePattern::WriteAround => {
                self.database[key] = version;
                db
            }
        };
        self.writes += 1;
        self.write_time += latency;
        self.schedule_arrival(now, Event::Write, self.workload.writes_per_second);
    }

    fn outside_write(&mut self, now: Time) {
        let key = self.key();
        let version = self.acknowledged[key].len() as u64;
        self.acknowledged[key].push(now);
        self.database[key] = version;
        if let Invalidation::ChangeDataCapture { delay } = self.invalidation {
            self.schedule(now + delay, Event::CdcDelete(key as u64));
        }
        let rate = self.workload.outside_writes_per_second;
        self.schedule_arrival(now, Event::OutsideWrite, rate);
    }

    fn flush(&mut self, now: Time) {
        for (key, version) in self.buffer.flush() {
            self.database[key as usize] = version;
        }
        if let CachePattern::WriteBehind { flush_every } = self.pattern {
            self.schedule(now + flush_every, Event::Flush);
        }
    }

    fn crash(&mut self) {
        self.cache.iter_mut().for_each(|copy| *copy = None);
        self.lost_writes += self.buffer.crash();
    }

    fn row(&self) -> PatternRow {
        let reads = self.reads.max(1) as f64;
        PatternRow {
            pattern: self.pattern.label(),
            invalidation: self.invalidation.label(),
            reads: self.reads,
            hit_rate: self.hits as f64 / reads,
            mean_read_ms: self.read_time.as_millis_f64() / reads,
            mean_write_ms: self.write_time.as_millis_f64() / self.writes.max(1) as f64,
            stale_reads: self.stale_reads,
            longest_stale_s: self.longest_stale.as_secs_f64(),
            lost_writes: self.lost_writes,
        }
    }
}
