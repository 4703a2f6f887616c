//! A hot key expires: how many requests reach the database at once, and how long they wait.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use crate::sim::{Rng, SimError, Time};

/// What a cache client does when it finds a hot key expired (or about to expire).
///
/// # Examples
///
/// ```
/// use lessons::caching::RefreshStrategy;
/// use lessons::sim::ms;
///
/// assert_eq!(RefreshStrategy::Singleflight.label(), "singleflight");
/// assert_eq!(RefreshStrategy::Mutex { poll: ms(50) }.label(), "mutex (poll 50ms)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RefreshStrategy {
    /// Every request that misses fetches from the database itself: the stampede.
    NoProtection,
    /// The first miss takes a lock (Redis `SET key NX`) and fetches; the others sleep `poll`
    /// and read the cache again until the value is there.
    Mutex {
        /// How long a waiting request sleeps between two looks at the cache.
        poll: Time,
    },
    /// Misses that arrive while a fetch for the key is in flight join it and get its result
    /// (Go's `singleflight`, nginx's `proxy_cache_lock`).
    Singleflight,
    /// An expired value is still served for `window` after expiry while one background fetch
    /// refreshes it (HTTP's `stale-while-revalidate`).
    StaleWhileRevalidate {
        /// How long after expiry a stale value may still be served.
        window: Time,
    },
    /// XFetch (Vattani, Chierichetti and Lowenstein, VLDB 2015): a request that finds the
    /// value fresh refetches it anyway when `now + fetch · beta · (-ln U) ≥ expiry`, U uniform
    /// in (0, 1], so early refreshes get likelier as expiry nears and one request usually
    /// refreshes before anyone misses. No coalescing: after expiry every miss fetches.
    EarlyRefresh {
        /// How eager the refresh is: 1 is the paper's default; larger refreshes earlier.
        beta: f64,
    },
}

impl RefreshStrategy {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::RefreshStrategy;
    ///
    /// assert_eq!(RefreshStrategy::EarlyRefresh { beta: 1.0 }.label(), "early refresh (beta 1)");
    /// ```
    pub fn label(&self) -> String {
        match self {
            RefreshStrategy::NoProtection => "no protection".to_string(),
            RefreshStrategy::Mutex { poll } => format!("mutex (poll {poll})"),
            RefreshStrategy::Singleflight => "singleflight".to_string(),
            RefreshStrategy::StaleWhileRevalidate { window } => {
                format!("stale-while-revalidate ({window})")
            }
            RefreshStrategy::EarlyRefresh { beta } => format!("early refresh (beta {beta})"),
        }
    }

    fn validate(&self) -> Result<(), SimError> {
        match *self {
            RefreshStrategy::Mutex { poll } if poll <= Time::ZERO => Err(SimError::parameter(
                "poll",
                poll,
                "a waiting request sleeps a positive time between looks",
            )),
            RefreshStrategy::StaleWhileRevalidate { window } if window < Time::ZERO => Err(
                SimError::parameter("window", window, "the stale window is 0 or longer"),
            ),
            RefreshStrategy::EarlyRefresh { beta } if !(beta > 0.0 && beta <= 100.0) => Err(
                SimError::parameter("beta", beta, "a number in (0, 100]; 1 is XFetch's default"),
            ),
            _ => Ok(()),
        }
    }
}

/// One hot key: Poisson requests at `requests_per_second`, a value that lives `ttl` after it
/// is stored, a database fetch that takes `fetch`, watched for `duration`. The value is stored
/// at time 0, so the first expiry is at `ttl`.
///
/// # Examples
///
/// ```
/// use lessons::caching::HotKey;
/// use lessons::sim::{ms, secs};
///
/// let key = HotKey { requests_per_second: 10_000.0, ttl: secs(1), fetch: ms(100), duration: ms(1_500) };
/// assert_eq!(key.expected_stampede(), 1_001.0); // the first miss plus everyone during the fetch
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HotKey {
    /// Requests per second for the key (Poisson arrivals).
    pub requests_per_second: f64,
    /// How long a stored value stays fresh.
    pub ttl: Time,
    /// How long one database fetch takes.
    pub fetch: Time,
    /// How long the run lasts.
    pub duration: Time,
}

impl HotKey {
    /// Database queries per expiry with no protection, on average: the first miss, plus every
    /// request that arrives during its fetch, `1 + rate · fetch`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::HotKey;
    /// use lessons::sim::{ms, secs};
    ///
    /// let key = HotKey { requests_per_second: 200.0, ttl: secs(1), fetch: ms(50), duration: secs(2) };
    /// assert_eq!(key.expected_stampede(), 11.0);
    /// ```
    pub fn expected_stampede(&self) -> f64 {
        1.0 + self.requests_per_second * self.fetch.as_secs_f64()
    }

    fn validate(&self) -> Result<(), SimError> {
        let rate = self.requests_per_second;
        if !(rate > 0.0 && rate <= 1e6) {
            return Err(SimError::parameter(
                "requests_per_second",
                rate,
                "a rate in (0, 1,000,000]",
            ));
        }
        for (name, value) in [
            ("ttl", self.ttl),
            ("fetch", self.fetch),
            ("duration", self.duration),
        ] {
            if value <= Time::ZERO {
                return Err(SimError::parameter(name, value, "a positive time"));
            }
        }
        if rate * self.duration.as_secs_f64() > 5e6 {
            return Err(SimError::parameter(
                "duration",
                self.duration,
                "at most 5 million requests per run (rate × duration)",
            ));
        }
        Ok(())
    }
}

/// What one strategy did over a run of [`stampede_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::caching::{HotKey, RefreshStrategy, stampede_experiment};
/// use lessons::sim::{ms, secs};
///
/// let key = HotKey { requests_per_second: 1_000.0, ttl: secs(1), fetch: ms(100), duration: ms(1_500) };
/// let run = stampede_experiment(key, &[RefreshStrategy::Singleflight], ms(50), 1)?;
/// assert_eq!(run.summary[0].most_queries_per_refill, 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StampedeRow {
    /// [`RefreshStrategy::label`].
    pub strategy: String,
    /// Requests for the key.
    pub reads: u64,
    /// Fetches sent to the database.
    pub db_queries: u64,
    /// Times a fetch stored a new value (each expiry that someone noticed, or an early
    /// refresh).
    pub refills: u64,
    /// The most database queries sent for one value's replacement.
    pub most_queries_per_refill: u64,
    /// The most requests that found one value expired (and waited for, or started, its
    /// replacement).
    pub most_misses_per_refill: u64,
    /// Requests answered with a value past its expiry (stale-while-revalidate only).
    pub stale_reads: u64,
    /// Mean time a request waited for the database, in milliseconds (0 for a hit).
    pub mean_wait_ms: f64,
    /// The longest wait, in milliseconds.
    pub max_wait_ms: f64,
}

/// Database queries per second in one time bucket of one strategy's run.
///
/// # Examples
///
/// ```
/// use lessons::caching::{HotKey, RefreshStrategy, stampede_experiment};
/// use lessons::sim::{ms, secs};
///
/// let key = HotKey { requests_per_second: 1_000.0, ttl: secs(1), fetch: ms(100), duration: secs(2) };
/// let run = stampede_experiment(key, &[RefreshStrategy::NoProtection], ms(100), 1)?;
/// assert_eq!(run.load.len(), 20);
/// assert_eq!(run.load[0].queries_per_second, 0.0); // the value is fresh until 1 s
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadRow {
    /// [`RefreshStrategy::label`].
    pub strategy: String,
    /// When the bucket starts, in seconds.
    pub time_s: f64,
    /// Queries started in the bucket, per second.
    pub queries_per_second: f64,
}

/// The result of [`stampede_experiment`]: one summary row per strategy, and the database load
/// over time.
///
/// # Examples
///
/// ```
/// use lessons::caching::StampedeRun;
///
/// let empty = StampedeRun { summary: Vec::new(), load: Vec::new() };
/// assert!(empty.summary.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StampedeRun {
    /// One row per strategy.
    pub summary: Vec<StampedeRow>,
    /// Queries per second per `bucket`, per strategy.
    pub load: Vec<LoadRow>,
}

/// Runs each strategy on the same request stream for `key` and counts database queries
/// (total, per refill, per `bucket` of time) and waits.
///
/// # Errors
///
/// [`SimError::Parameter`] for a rate outside (0, 10^6], non-positive times, more than 5
/// million requests, more than 100,000 buckets, or a strategy parameter out of range.
///
/// # Examples
///
/// ```
/// use lessons::caching::{HotKey, RefreshStrategy, stampede_experiment};
/// use lessons::sim::{ms, secs};
///
/// let key = HotKey { requests_per_second: 2_000.0, ttl: secs(1), fetch: ms(100), duration: ms(1_500) };
/// let strategies = [RefreshStrategy::NoProtection, RefreshStrategy::Singleflight];
/// let run = stampede_experiment(key, &strategies, ms(10), 7)?;
/// assert!(run.summary[0].most_queries_per_refill > 100); // about 1 + 2,000 × 0.1
/// assert_eq!(run.summary[1].most_queries_per_refill, 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn stampede_experiment(
    key: HotKey,
    strategies: &[RefreshStrategy],
    bucket: Time,
    seed: u64,
) -> Result<StampedeRun, SimError> {
    key.validate()?;
    if bucket <= Time::ZERO || key.duration.as_nanos() / bucket.as_nanos() > 100_000 {
        return Err(SimError::parameter(
            "bucket",
            bucket,
            "a positive time, with at most 100,000 buckets in the run",
        ));
    }
    let mut run = StampedeRun {
        summary: Vec::new(),
        load: Vec::new(),
    };
    for strategy in strategies {
        strategy.validate()?;
        let mut hot = HotKeyRun::new(key, *strategy, bucket, seed);
        hot.run();
        run.summary.push(hot.row());
        run.load.extend(hot.load_rows());
    }
    Ok(run)
}

/// The one stored value: when it expires and which generation it is (0 for the value stored
/// at time 0, +1 at every refill).
#[derive(Debug, Clone, Copy)]
struct Stored {
    expires_at: Time,
    generation: usize,
}

/// One strategy's run on the key.
struct HotKeyRun {
    key: HotKey,
    strategy: RefreshStrategy,
    bucket: Time,
    arrivals: Rng,
    coins: Rng,
    stored: Stored,
    /// Fetches in flight: when each finishes and the generation it replaces.
    in_flight: BinaryHeap<Reverse<(Time, usize)>>,
    /// When the one shared fetch (singleflight, mutex, stale-while-revalidate) finishes.
    shared_fetch: Option<Time>,
    queries_per_generation: Vec<u64>,
    misses_per_generation: Vec<u64>,
    queries_per_bucket: Vec<u64>,
    reads: u64,
    stale_reads: u64,
    total_wait: Time,
    max_wait: Time,
}

impl HotKeyRun {
    fn new(key: HotKey, strategy: RefreshStrategy, bucket: Time, seed: u64) -> HotKeyRun {
        let buckets = (key.duration.as_nanos() as u64).div_ceil(bucket.as_nanos() as u64) as usize;
        HotKeyRun {
            key,
            strategy,
            bucket,
            // Every strategy sees the same arrivals; its own coin flips come from another stream.
            arrivals: Rng::derive(seed, &[1]),
            coins: Rng::derive(seed, &[2]),
            stored: Stored {
                expires_at: key.ttl,
                generation: 0,
            },
            in_flight: BinaryHeap::new(),
            shared_fetch: None,
            queries_per_generation: vec![0],
            misses_per_generation: vec![0],
            queries_per_bucket: vec![0; buckets],
            reads: 0,
            stale_reads: 0,
            total_wait: Time::ZERO,
            max_wait: Time::ZERO,
        }
    }

    fn run(&mut self) {
        let mean_gap_ns = 1e9 / self.key.requests_per_second;
        let mut now = Time::ZERO;
        loop {
            now += Time::from_nanos_f64(self.arrivals.exponential() * mean_gap_ns);
            if now >= self.key.duration {
                break;
            }
            self.finish_fetches_until(now);
            let wait = self.request(now);
            self.reads += 1;
            self.total_wait += wait;
            self.max_wait = self.max_wait.max(wait);
        }
    }

    fn finish_fetches_until(&mut self, now: Time) {
        while let Some(&Reverse((done, replaces))) = self.in_flight.peek() {
            if done > now {
                break;
            }
            self.in_flight.pop();
            if self.shared_fetch == Some(done) {
                self.shared_fetch = None;
            }
            if replaces == self.stored.generation {
                self.stored.generation += 1;
                self.queries_per_generation.push(0);
                self.misses_per_generation.push(0);
            }
            // A late duplicate fetch (no protection) stores its value again: a fresh TTL.
            self.stored.expires_at = done + self.key.ttl;
        }
    }

    /// Serves one request at `now` and returns how long it waited for the database.
    fn request(&mut self, now: Time) -> Time {
        let fresh = now < self.stored.expires_at;
        let fetch = self.key.fetch;
        match self.strategy {
            RefreshStrategy::EarlyRefresh { beta } if fresh => {
                let head_start = fetch.as_secs_f64() * beta * self.coins.exponential();
                if now + Time::from_nanos_f64(head_start * 1e9) >= self.stored.expires_at {
                    self.start_fetch(now);
                    fetch
                } else {
                    Time::ZERO
                }
            }
            _ if fresh => Time::ZERO,
            RefreshStrategy::NoProtection | RefreshStrategy::EarlyRefresh { .. } => {
                self.count_miss();
                self.start_fetch(now);
                fetch
            }
            RefreshStrategy::StaleWhileRevalidate { window }
                if now < self.stored.expires_at + window =>
            {
                self.stale_reads += 1;
                if self.shared_fetch.is_none() {
                    self.shared_fetch = Some(self.start_fetch(now));
                }
                Time::ZERO
            }
            RefreshStrategy::Singleflight | RefreshStrategy::StaleWhileRevalidate { .. } => {
                self.count_miss();
                let done = self.join_or_start(now);
                done - now
            }
            RefreshStrategy::Mutex { poll } => {
                self.count_miss();
                match self.shared_fetch {
                    // The lock is taken: sleep `poll` at a time until the value is there.
                    Some(done) => {
                        let polls =
                            ((done - now).as_nanos() as u64).div_ceil(poll.as_nanos() as u64);
                        poll * polls as i64
                    }
                    None => {
                        self.shared_fetch = Some(self.start_fetch(now));
                        fetch
                    }
                }
            }
        }
    }

    fn join_or_start(&mut self, now: Time) -> Time {
        match self.shared_fetch {
            Some(done) => done,
            None => {
                let done = self.start_fetch(now);
                self.shared_fetch = Some(done);
                done
            }
        }
    }

    fn count_miss(&mut self) {
        self.misses_per_generation[self.stored.generation] += 1;
    }

    /// Sends one query to the database at `now`; returns when it answers.
    fn start_fetch(&mut self, now: Time) -> Time {
        let done = now + self.key.fetch;
        self.in_flight.push(Reverse((done, self.stored.generation)));
        self.queries_per_generation[self.stored.generation] += 1;
        let bucket = (now.as_nanos() / self.bucket.as_nanos()) as usize;
        self.queries_per_bucket[bucket] += 1;
        done
    }

    fn row(&self) -> StampedeRow {
        let db_queries = self.queries_per_generation.iter().sum();
        StampedeRow {
            strategy: self.strategy.label(),
            reads: self.reads,
            db_queries,
            refills: self.stored.generation as u64,
            most_queries_per_refill: self
                .queries_per_generation
                .iter()
                .copied()
                .max()
                .unwrap_or(0),
            most_misses_per_refill: self
                .misses_per_generation
                .iter()
                .copied()
                .max()
                .unwrap_or(0),
            stale_reads: self.stale_reads,
            mean_wait_ms: self.total_wait.as_millis_f64() / self.reads.max(1) as f64,
            max_wait_ms: self.max_wait.as_millis_f64(),
        }
    }

    fn load_rows(&self) -> Vec<LoadRow> {
        let per_second = 1.0 / self.bucket.as_secs_f64();
        self.queries_per_bucket
            .iter()
            .enumerate()
            .map(|(index, &queries)| LoadRow {
                strategy: self.strategy.label(),
                time_s: (self.bucket * index as i64).as_secs_f64(),
                queries_per_second: queries as f64 * per_second,
            })
            .collect()
    }
}
