//! Requests for keys that exist nowhere: every one misses the cache and reaches the database,
//! unless a Bloom filter of the valid keys or a cached "not found" stops it.

use std::collections::HashMap;

use serde::Serialize;

use crate::sim::{Rng, SimError, Time};
use crate::storage::BloomFilter;

/// What stands between a request for an absent key and the database.
///
/// # Examples
///
/// ```
/// use lessons::caching::PenetrationDefense;
/// use lessons::sim::secs;
///
/// assert_eq!(PenetrationDefense::none().label(), "no defense");
/// assert_eq!(PenetrationDefense::both(0.01, secs(60)).label(), "Bloom 0.01 + nulls 60s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PenetrationDefense {
    /// A Bloom filter of every valid key, sized for this false-positive rate: a key it has
    /// never seen is refused without a database query.
    pub bloom_fp_rate: Option<f64>,
    /// "Not found" answers are cached for this long.
    pub null_ttl: Option<Time>,
}

impl PenetrationDefense {
    /// Nothing: every absent key costs a database query.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::caching::PenetrationDefense::none().null_ttl, None);
    /// ```
    pub fn none() -> PenetrationDefense {
        PenetrationDefense {
            bloom_fp_rate: None,
            null_ttl: None,
        }
    }

    /// Cache "not found" for `ttl`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::PenetrationDefense;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(PenetrationDefense::cache_nulls(secs(60)).label(), "nulls 60s");
    /// ```
    pub fn cache_nulls(ttl: Time) -> PenetrationDefense {
        PenetrationDefense {
            bloom_fp_rate: None,
            null_ttl: Some(ttl),
        }
    }

    /// A Bloom filter of the valid keys with false-positive rate `fp_rate`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::PenetrationDefense;
    ///
    /// assert_eq!(PenetrationDefense::bloom(0.01).label(), "Bloom 0.01");
    /// ```
    pub fn bloom(fp_rate: f64) -> PenetrationDefense {
        PenetrationDefense {
            bloom_fp_rate: Some(fp_rate),
            null_ttl: None,
        }
    }

    /// A Bloom filter, and "not found" cached for the false positives that pass it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::PenetrationDefense;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(PenetrationDefense::both(0.01, secs(60)).bloom_fp_rate, Some(0.01));
    /// ```
    pub fn both(fp_rate: f64, ttl: Time) -> PenetrationDefense {
        PenetrationDefense {
            bloom_fp_rate: Some(fp_rate),
            null_ttl: Some(ttl),
        }
    }

    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::PenetrationDefense;
    ///
    /// assert_eq!(PenetrationDefense::bloom(0.001).label(), "Bloom 0.001");
    /// ```
    pub fn label(&self) -> String {
        match (self.bloom_fp_rate, self.null_ttl) {
            (None, None) => "no defense".to_string(),
            (None, Some(ttl)) => format!("nulls {ttl}"),
            (Some(rate), None) => format!("Bloom {rate}"),
            (Some(rate), Some(ttl)) => format!("Bloom {rate} + nulls {ttl}"),
        }
    }
}

/// The traffic: `valid_keys` keys that exist (ids `0..valid_keys`, all cached), legitimate
/// requests for them, and an attacker asking for keys drawn uniformly from `absent_keys`
/// distinct ids that exist nowhere.
///
/// # Examples
///
/// ```
/// use lessons::caching::Penetration;
/// use lessons::sim::secs;
///
/// let attack = Penetration { valid_keys: 100_000, attack_per_second: 5_000.0, legit_per_second: 1_000.0, duration: secs(10) };
/// assert_eq!(attack.legit_per_second, 1_000.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Penetration {
    /// How many keys exist.
    pub valid_keys: u64,
    /// Attack requests per second (Poisson).
    pub attack_per_second: f64,
    /// Legitimate requests per second (Poisson), each for a random valid key.
    pub legit_per_second: f64,
    /// How long the attack lasts.
    pub duration: Time,
}

impl Penetration {
    fn validate(&self) -> Result<(), SimError> {
        if !(1..=10_000_000).contains(&self.valid_keys) {
            return Err(SimError::parameter(
                "valid_keys",
                self.valid_keys,
                "from 1 to 10,000,000",
            ));
        }
        let attack_rate = self.attack_per_second;
        if !(attack_rate > 0.0 && attack_rate <= 1e6) {
            return Err(SimError::parameter(
                "attack_per_second",
                attack_rate,
                "a rate in (0, 1,000,000]",
            ));
        }
        if !(0.0..=1e6).contains(&self.legit_per_second) {
            return Err(SimError::parameter(
                "legit_per_second",
                self.legit_per_second,
                "a rate in [0, 1,000,000]",
            ));
        }
        let requests =
            (self.attack_per_second + self.legit_per_second) * self.duration.as_secs_f64();
        if self.duration <= Time::ZERO || requests > 5e6 {
            return Err(SimError::parameter(
                "duration",
                self.duration,
                "a positive time with at most 5 million requests in it",
            ));
        }
        Ok(())
    }
}

/// What one defense did against one attacker key space in [`penetration_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::caching::{Penetration, PenetrationDefense, penetration_experiment};
/// use lessons::sim::secs;
///
/// let attack = Penetration { valid_keys: 1_000, attack_per_second: 100.0, legit_per_second: 10.0, duration: secs(10) };
/// let rows = penetration_experiment(attack, &[1_000_000], &[PenetrationDefense::none()], 1)?;
/// assert_eq!(rows[0].db_queries, rows[0].attack_requests); // every attack request reaches the DB
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenetrationRow {
    /// [`PenetrationDefense::label`].
    pub defense: String,
    /// How many distinct absent keys the attacker draws from.
    pub absent_keys: u64,
    /// Attack requests sent.
    pub attack_requests: u64,
    /// Attack requests that reached the database.
    pub db_queries: u64,
    /// `db_queries` per second of the run.
    pub db_queries_per_second: f64,
    /// [`predicted_db_fraction`] × attack rate.
    pub predicted_per_second: f64,
    /// "Not found" entries held in the cache at the end.
    pub nulls_cached: u64,
    /// Legitimate requests sent.
    pub legit_requests: u64,
    /// Legitimate requests the Bloom filter refused (a valid key reported absent).
    pub legit_blocked: u64,
}

/// The fraction of attack requests that reach the database, on average: `f / (1 + r·T/A)`,
/// where `f` is the fraction of absent keys the filter lets through (1 without a filter), `r`
/// the attack rate, `T` the null TTL (0 without null caching) and `A` the number of absent
/// keys. Each key is requested at rate `r/A`; a cached null answers the requests for `T` after
/// each miss, so a key misses once per `1 + (r/A)·T` requests (a renewal argument).
///
/// # Examples
///
/// ```
/// use lessons::caching::predicted_db_fraction;
/// use lessons::sim::{Time, secs};
///
/// assert_eq!(predicted_db_fraction(1.0, 1_000.0, Time::ZERO, 1_000), 1.0);
/// // 1,000 keys asked 1,000 times a second, nulls kept 9 s: one miss per 10 requests.
/// assert_eq!(predicted_db_fraction(1.0, 1_000.0, secs(9), 1_000), 0.1);
/// ```
pub fn predicted_db_fraction(
    passes_filter: f64,
    attack_per_second: f64,
    null_ttl: Time,
    absent_keys: u64,
) -> f64 {
    let per_key = attack_per_second / absent_keys.max(1) as f64;
    passes_filter / (1.0 + per_key * null_ttl.as_secs_f64())
}

/// Runs the attack against each defense, for each attacker key space in `absent_key_counts`,
/// all on the same request stream per key space.
///
/// # Errors
///
/// [`SimError::Parameter`] for no valid keys or more than 10^7, an attack rate outside
/// (0, 10^6], a legitimate rate outside [0, 10^6], more than 5 million requests, an absent key space of 0 or above 10^12, a
/// non-positive null TTL, or a false-positive rate outside (0, 1).
///
/// # Examples
///
/// ```
/// use lessons::caching::{Penetration, PenetrationDefense, penetration_experiment};
/// use lessons::sim::secs;
///
/// let attack = Penetration { valid_keys: 10_000, attack_per_second: 1_000.0, legit_per_second: 100.0, duration: secs(10) };
/// let rows = penetration_experiment(attack, &[1_000_000], &[PenetrationDefense::bloom(0.01)], 1)?;
/// assert_eq!(rows[0].legit_blocked, 0);
/// assert!(rows[0].db_queries < 300); // about 1% of 10,000
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn penetration_experiment(
    attack: Penetration,
    absent_key_counts: &[u64],
    defenses: &[PenetrationDefense],
    seed: u64,
) -> Result<Vec<PenetrationRow>, SimError> {
    attack.validate()?;
    for &absent in absent_key_counts {
        if !(1..=1_000_000_000_000).contains(&absent) {
            return Err(SimError::parameter(
                "absent_keys",
                absent,
                "from 1 to 10^12",
            ));
        }
    }
    let mut rows = Vec::new();
    for defense in defenses {
        let filter = match defense.bloom_fp_rate {
            Some(rate) => {
                let mut filter = BloomFilter::with_capacity(attack.valid_keys, rate)?;
                (0..attack.valid_keys).for_each(|key| filter.insert(&key));
                Some(filter)
            }
            None => None,
        };
        if let Some(ttl) = defense.null_ttl
            && ttl <= Time::ZERO
        {
            return Err(SimError::parameter("null_ttl", ttl, "a positive time"));
        }
        for (index, &absent) in absent_key_counts.iter().enumerate() {
            let mut rng = Rng::derive(seed, &[index as u64]);
            rows.push(attack_once(
                &attack,
                absent,
                defense,
                filter.as_ref(),
                &mut rng,
            ));
        }
    }
    Ok(rows)
}

fn attack_once(
    attack: &Penetration,
    absent: u64,
    defense: &PenetrationDefense,
    filter: Option<&BloomFilter>,
    rng: &mut Rng,
) -> PenetrationRow {
    let total_rate = attack.attack_per_second + attack.legit_per_second;
    let attack_share = attack.attack_per_second / total_rate;
    let admits = |key: &u64| filter.is_none_or(|filter| filter.contains(key));
    let mut null_expiry: HashMap<u64, Time> = HashMap::new();
    let (mut attack_requests, mut db_queries, mut legit_requests, mut legit_blocked) = (0, 0, 0, 0);
    let mut now = Time::ZERO;
    loop {
        now += Time::from_nanos_f64(rng.exponential() * 1e9 / total_rate);
        if now >= attack.duration {
            break;
        }
        if !rng.chance(attack_share) {
            legit_requests += 1;
            let key = rng.below(attack.valid_keys);
            legit_blocked += u64::from(!admits(&key));
            continue;
        }
        attack_requests += 1;
        // Absent keys are numbered after the valid ones, so none of them exists.
        let key = attack.valid_keys + rng.below(absent);
        if !admits(&key) {
            continue;
        }
        if null_expiry.get(&key).is_some_and(|&expiry| now < expiry) {
            continue;
        }
        db_queries += 1;
        if let Some(ttl) = defense.null_ttl {
            null_expiry.insert(key, now + ttl);
        }
    }
    let passes_filter = filter.map_or(1.0, BloomFilter::predicted_fp_rate);
    let null_ttl = defense.null_ttl.unwrap_or(Time::ZERO);
    let seconds = attack.duration.as_secs_f64();
    PenetrationRow {
        defense: defense.label(),
        absent_keys: absent,
        attack_requests,
        db_queries,
        db_queries_per_second: db_queries as f64 / seconds,
        predicted_per_second: attack.attack_per_second
            * predicted_db_fraction(passes_filter, attack.attack_per_second, null_ttl, absent),
        nulls_cached: null_expiry
            .values()
            .filter(|&&expiry| expiry > attack.duration)
            .count() as u64,
        legit_requests,
        legit_blocked,
    }
}
