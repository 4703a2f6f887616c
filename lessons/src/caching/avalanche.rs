//! Many keys stored together expire together, unless each TTL gets a random extra.

use serde::Serialize;

use crate::sim::{Rng, SimError, Time};

/// Keys stored during a warm-up (uniformly over `[0, warmup]`) with TTL `ttl` plus a random
/// extra drawn uniformly from `[0, jitter]` per key.
///
/// # Examples
///
/// ```
/// use lessons::caching::MassExpiry;
/// use lessons::sim::secs;
///
/// let cache = MassExpiry { keys: 10_000_000, ttl: secs(3_600), warmup: secs(10), jitter: secs(600) };
/// assert_eq!(cache.peak_per_second(), 10_000_000.0 / 600.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MassExpiry {
    /// How many keys.
    pub keys: u64,
    /// The TTL every key gets.
    pub ttl: Time,
    /// How long storing all keys took (0: all at the same instant).
    pub warmup: Time,
    /// The largest random extra added to a key's TTL (0: no jitter).
    pub jitter: Time,
}

impl MassExpiry {
    /// The most expirations per second to expect at any moment: `keys / max(warmup, jitter)`.
    /// A key's expiry is its store time plus the TTL plus its jitter, the sum of two uniform
    /// spreads, and the density of that sum never exceeds one over the wider spread. Infinite
    /// when both are 0: every key expires at the same instant.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::MassExpiry;
    /// use lessons::sim::{Time, secs};
    ///
    /// let at_once = MassExpiry { keys: 1_000, ttl: secs(60), warmup: Time::ZERO, jitter: Time::ZERO };
    /// assert!(at_once.peak_per_second().is_infinite());
    /// let spread = MassExpiry { jitter: secs(10), ..at_once };
    /// assert_eq!(spread.peak_per_second(), 100.0);
    /// ```
    pub fn peak_per_second(&self) -> f64 {
        self.keys as f64 / self.warmup.max(self.jitter).as_secs_f64()
    }

    fn validate(&self) -> Result<(), SimError> {
        if !(1..=100_000_000).contains(&self.keys) {
            return Err(SimError::parameter(
                "keys",
                self.keys,
                "from 1 to 100,000,000",
            ));
        }
        if self.ttl <= Time::ZERO {
            return Err(SimError::parameter("ttl", self.ttl, "a positive time"));
        }
        for (name, value) in [("warmup", self.warmup), ("jitter", self.jitter)] {
            if value < Time::ZERO {
                return Err(SimError::parameter(name, value, "0 or a positive time"));
            }
        }
        Ok(())
    }
}

/// Expirations in one time bucket of [`mass_expiry_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::caching::{MassExpiry, mass_expiry_experiment};
/// use lessons::sim::{Time, secs};
///
/// let cache = MassExpiry { keys: 1_000, ttl: secs(60), warmup: Time::ZERO, jitter: Time::ZERO };
/// let rows = mass_expiry_experiment(cache, &[Time::ZERO], secs(1), 1)?;
/// let peak = rows.iter().map(|row| row.expirations).max();
/// assert_eq!(peak, Some(1_000)); // all in one second
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpiryRow {
    /// The jitter of this run, in seconds.
    pub jitter_s: f64,
    /// When the bucket starts, in seconds.
    pub time_s: f64,
    /// Keys that expired in the bucket.
    pub expirations: u64,
    /// `expirations` per second of bucket.
    pub per_second: f64,
}

/// Draws every key's expiry for each jitter in `jitters` (overriding `cache.jitter`) and counts
/// expirations per `bucket`, from `ttl` minus a tenth of the spread to the latest expiry.
///
/// # Errors
///
/// [`SimError::Parameter`] for no keys or more than 10^8, a non-positive TTL or bucket, a
/// negative warm-up or jitter, or more than 100,000 buckets.
///
/// # Examples
///
/// ```
/// use lessons::caching::{MassExpiry, mass_expiry_experiment};
/// use lessons::sim::{Time, secs};
///
/// let cache = MassExpiry { keys: 100_000, ttl: secs(3_600), warmup: secs(10), jitter: Time::ZERO };
/// let rows = mass_expiry_experiment(cache, &[Time::ZERO, secs(600)], secs(10), 1)?;
/// let peak = |jitter: f64| rows.iter().filter(|row| row.jitter_s == jitter).map(|row| row.per_second).fold(0.0, f64::max);
/// assert!(peak(0.0) > 9_000.0); // 100,000 keys within 10 s
/// assert!(peak(600.0) < 250.0); // about 100,000 / 600 = 167 per second
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn mass_expiry_experiment(
    cache: MassExpiry,
    jitters: &[Time],
    bucket: Time,
    seed: u64,
) -> Result<Vec<ExpiryRow>, SimError> {
    cache.validate()?;
    let widest = jitters.iter().copied().fold(Time::ZERO, Time::max);
    for &jitter in jitters {
        MassExpiry { jitter, ..cache }.validate()?;
    }
    let spread = (cache.warmup + widest).max(bucket);
    // Buckets start on multiples of `bucket`, so a TTL that is one falls on a boundary.
    let earliest = (cache.ttl - Time::from_nanos(spread.as_nanos() / 10)).max(Time::ZERO);
    let start = if bucket > Time::ZERO {
        bucket * (earliest.as_nanos() / bucket.as_nanos())
    } else {
        earliest
    };
    let end = cache.ttl + cache.warmup + widest;
    let buckets = if bucket > Time::ZERO {
        (end - start).as_nanos() / bucket.as_nanos() + 1
    } else {
        0
    };
    if bucket <= Time::ZERO || buckets > 100_000 {
        return Err(SimError::parameter(
            "bucket",
            bucket,
            "a positive time, with at most 100,000 buckets from the first expiry to the last",
        ));
    }
    let mut rows = Vec::new();
    for (run, &jitter) in jitters.iter().enumerate() {
        let mut rng = Rng::derive(seed, &[run as u64]);
        let mut counts = vec![0u64; buckets as usize];
        for _ in 0..cache.keys {
            let stored = rng.between(Time::ZERO, cache.warmup);
            let expires = stored + cache.ttl + rng.between(Time::ZERO, jitter);
            counts[((expires - start).as_nanos() / bucket.as_nanos()) as usize] += 1;
        }
        let per_second = 1.0 / bucket.as_secs_f64();
        rows.extend(counts.iter().enumerate().map(|(index, &count)| ExpiryRow {
            jitter_s: jitter.as_secs_f64(),
            time_s: (start + bucket * index as i64).as_secs_f64(),
            expirations: count,
            per_second: count as f64 * per_second,
        }));
    }
    Ok(rows)
}
