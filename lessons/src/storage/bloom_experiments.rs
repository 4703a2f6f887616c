//! Experiments on Bloom filters: sizing, the false-positive rate against the formula, filters
//! loaded past their design capacity, deletes, and the scalable chain.

use serde::Serialize;

use super::bloom::{BloomFilter, optimal_bits, optimal_hashes, predicted_fp_rate};
use super::counting::CountingBloomFilter;
use super::scalable::ScalableBloomFilter;
use crate::sim::{Rng, SimError};

/// `count` distinct-looking random keys for `seed`: inserted keys are even and probe keys odd,
/// so a probe is never a key that was inserted.
///
/// # Examples
///
/// ```
/// use lessons::storage::random_keys;
///
/// let present = random_keys(1, 100, false);
/// let absent = random_keys(1, 100, true);
/// assert!(present.iter().all(|key| key % 2 == 0) && absent.iter().all(|key| key % 2 == 1));
/// assert_eq!(present, random_keys(1, 100, false));
/// ```
pub fn random_keys(seed: u64, count: u64, absent: bool) -> Vec<u64> {
    let mut rng = Rng::derive(seed, &[14, u64::from(absent)]);
    (0..count)
        .map(|_| (rng.next_u64() << 1) | u64::from(absent))
        .collect()
}

/// What a filter for `keys` keys at a target rate costs: m, k, bits per key, megabytes.
///
/// # Examples
///
/// ```
/// use lessons::storage::sizing_rows;
///
/// let rows = sizing_rows(1_000_000_000, &[0.01, 0.001])?;
/// assert_eq!((rows[0].hashes, format!("{:.2}", rows[0].bits_per_key)), (7, "9.59".into()));
/// assert_eq!(format!("{:.2}", rows[0].gigabytes), "1.20");
/// assert_eq!(format!("{:.2}", rows[1].bits_per_key), "14.38");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingRow {
    /// The false-positive rate asked for.
    pub fp_rate: f64,
    /// Bits, m.
    pub bits: u64,
    /// Hash positions per key, k.
    pub hashes: u32,
    /// m / n.
    pub bits_per_key: f64,
    /// The filter's size in gigabytes (10^9 bytes).
    pub gigabytes: f64,
}

/// One [`SizingRow`] per target rate, for `keys` keys.
///
/// # Errors
///
/// As [`optimal_bits`], except that the bit count here is not capped (nothing is allocated).
///
/// # Examples
///
/// ```
/// use lessons::storage::sizing_rows;
///
/// assert_eq!(sizing_rows(1_000, &[0.01])?[0].bits, 9_586);
/// assert!(sizing_rows(1_000, &[0.0]).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn sizing_rows(keys: u64, fp_rates: &[f64]) -> Result<Vec<SizingRow>, SimError> {
    fp_rates
        .iter()
        .map(|&fp_rate| {
            // Size one key's worth exactly, then scale: the cap on allocated bits does not apply.
            optimal_bits(1, fp_rate)?;
            let ln2 = std::f64::consts::LN_2;
            let bits = (-(keys as f64) * fp_rate.ln() / (ln2 * ln2)).ceil() as u64;
            Ok(SizingRow {
                fp_rate,
                bits,
                hashes: optimal_hashes(bits, keys),
                bits_per_key: bits as f64 / keys as f64,
                gigabytes: bits as f64 / 8e9,
            })
        })
        .collect()
}

/// One measurement of a filter's false-positive rate next to the formula's.
///
/// # Examples
///
/// ```
/// use lessons::storage::fp_rate_experiment;
///
/// let rows = fp_rate_experiment(10_000, &[(10.0, 7)], 100_000, &[1])?;
/// assert!((rows[0].measured - rows[0].predicted).abs() < 0.002);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FpRow {
    /// m / n for the keys inserted.
    pub bits_per_key: f64,
    /// Hash positions per key, k.
    pub hashes: u32,
    /// The seed of the keys and probes.
    pub seed: u64,
    /// The fraction of absent probe keys the filter answered present.
    pub measured: f64,
    /// `(1 - e^(-kn/m))^k`.
    pub predicted: f64,
}

fn check_counts(keys: u64, probes: u64) -> Result<(), SimError> {
    if !(1..=10_000_000).contains(&keys) {
        return Err(SimError::parameter("keys", keys, "from 1 to 10,000,000"));
    }
    if !(1..=10_000_000).contains(&probes) {
        return Err(SimError::parameter(
            "probes",
            probes,
            "from 1 to 10,000,000",
        ));
    }
    Ok(())
}

/// For each (bits per key, k) and seed: a filter of `round(bits_per_key × keys)` bits and k
/// hashes, `keys` random keys inserted, `probes` absent keys asked.
///
/// # Errors
///
/// When `keys` or `probes` is not in `1..=10_000_000`, or a filter's m or k is refused
/// ([`BloomFilter::new`]).
///
/// # Examples
///
/// ```
/// use lessons::storage::fp_rate_experiment;
///
/// let rows = fp_rate_experiment(1_000, &[(8.0, 1), (8.0, 6)], 10_000, &[1, 2])?;
/// assert_eq!(rows.len(), 4);
/// assert!(rows[0].predicted > rows[2].predicted); // k = 1 is far from the optimum
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn fp_rate_experiment(
    keys: u64,
    shapes: &[(f64, u32)],
    probes: u64,
    seeds: &[u64],
) -> Result<Vec<FpRow>, SimError> {
    check_counts(keys, probes)?;
    let mut rows = Vec::new();
    for &(bits_per_key, hashes) in shapes {
        let bits = (bits_per_key * keys as f64).round();
        if bits.is_nan() || bits < 1.0 {
            return Err(SimError::parameter(
                "bits_per_key",
                bits_per_key,
                "a positive number of bits per key",
            ));
        }
        for &seed in seeds {
            let mut filter = BloomFilter::new(bits as u64, hashes)?;
            for key in random_keys(seed, keys, false) {
                filter.insert(&key);
            }
            rows.push(FpRow {
                bits_per_key,
                hashes,
                seed,
                measured: filter.measured_fp_rate(random_keys(seed, probes, true)),
                predicted: filter.predicted_fp_rate(),
            });
        }
    }
    Ok(rows)
}

/// A filter's false-positive rate at one load (keys inserted / design capacity).
///
/// # Examples
///
/// ```
/// use lessons::storage::overload_experiment;
///
/// let rows = overload_experiment(10_000, 0.01, &[1.0, 2.0, 5.0], 100_000, 1)?;
/// assert_eq!(format!("{:.3}", rows[1].predicted), "0.157");
/// assert_eq!(format!("{:.3}", rows[2].predicted), "0.832");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverloadRow {
    /// Keys inserted / design capacity.
    pub load: f64,
    /// Keys inserted.
    pub keys: u64,
    /// The fraction of bits set.
    pub fill: f64,
    /// The fraction of absent probes answered present.
    pub measured: f64,
    /// `(1 - e^(-kn/m))^k` for the keys inserted.
    pub predicted: f64,
}

/// One filter sized for `capacity` keys at `fp_rate`, filled in steps to each of `loads`
/// (ascending multiples of the capacity), its false-positive rate measured at each step.
///
/// # Errors
///
/// When `loads` are not ascending positive numbers up to 100, the counts are refused as in
/// [`fp_rate_experiment`], or the sizing as in [`BloomFilter::with_capacity`].
///
/// # Examples
///
/// ```
/// use lessons::storage::overload_experiment;
///
/// let rows = overload_experiment(1_000, 0.01, &[1.0, 5.0], 10_000, 1)?;
/// assert!(rows[1].measured > 0.75);
/// assert!(overload_experiment(1_000, 0.01, &[2.0, 1.0], 10_000, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn overload_experiment(
    capacity: u64,
    fp_rate: f64,
    loads: &[f64],
    probes: u64,
    seed: u64,
) -> Result<Vec<OverloadRow>, SimError> {
    let (keys, absent) = sweep_keys(capacity, loads, probes, seed)?;
    let mut filter = BloomFilter::with_capacity(capacity, fp_rate)?;
    let mut rows = Vec::new();
    for &load in loads {
        let target = keys_at(load, capacity);
        while filter.len() < target {
            filter.insert(&keys[filter.len() as usize]);
        }
        rows.push(OverloadRow {
            load,
            keys: target,
            fill: filter.fill(),
            measured: filter.measured_fp_rate(absent.iter()),
            predicted: filter.predicted_fp_rate(),
        });
    }
    Ok(rows)
}

/// The keys a sweep over `loads` inserts (enough for the largest load) and the absent keys
/// it probes with, once the parameters the sweeps share are checked.
fn sweep_keys(
    capacity: u64,
    loads: &[f64],
    probes: u64,
    seed: u64,
) -> Result<(Vec<u64>, Vec<u64>), SimError> {
    check_counts(capacity, probes)?;
    check_loads(loads)?;
    let most = loads.last().map_or(0, |&load| keys_at(load, capacity));
    Ok((
        random_keys(seed, most, false),
        random_keys(seed, probes, true),
    ))
}

/// How many keys `load` times the capacity is.
fn keys_at(load: f64, capacity: u64) -> u64 {
    (load * capacity as f64).round() as u64
}

fn check_loads(loads: &[f64]) -> Result<(), SimError> {
    let ascending = loads.windows(2).all(|pair| pair[0] < pair[1]);
    let in_range = loads.iter().all(|&load| load > 0.0 && load <= 100.0);
    if loads.is_empty() || !ascending || !in_range {
        return Err(SimError::parameter(
            "loads",
            format!("{loads:?}"),
            "ascending multiples of the capacity, each above 0 and at most 100",
        ));
    }
    Ok(())
}

/// What deleting does to the keys that stay: false negatives among them, per way of deleting.
///
/// # Examples
///
/// ```
/// use lessons::storage::deletion_experiment;
///
/// let rows = deletion_experiment(10_000, 0.01, 1_000, 1)?;
/// assert_eq!(rows[1].false_negatives, 0); // counting filter
/// assert!(rows[0].false_negatives > 1_000); // bits cleared
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeletionRow {
    /// How keys were deleted.
    pub filter: String,
    /// The memory the filter takes, in bits.
    pub memory_bits: u64,
    /// Keys deleted.
    pub deleted: u64,
    /// Keys still in the set that the filter now answers absent.
    pub false_negatives: u64,
    /// Deleted keys the filter still answers present.
    pub deleted_still_present: u64,
}

/// `keys` keys inserted into a plain filter and into a counting filter of the same m and k
/// (sized for `keys` at `fp_rate`), then the first `deleted` of them removed: from the plain
/// filter by clearing their bits, from the counting filter by decrementing.
///
/// # Errors
///
/// When `deleted > keys`, or as [`overload_experiment`] for the counts and sizing.
///
/// # Examples
///
/// ```
/// use lessons::storage::deletion_experiment;
///
/// let rows = deletion_experiment(1_000, 0.01, 10, 1)?;
/// assert_eq!(rows[1].memory_bits, 4 * rows[0].memory_bits);
/// assert!(deletion_experiment(10, 0.01, 11, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn deletion_experiment(
    keys: u64,
    fp_rate: f64,
    deleted: u64,
    seed: u64,
) -> Result<Vec<DeletionRow>, SimError> {
    check_counts(keys, 1)?;
    if deleted > keys {
        return Err(SimError::parameter(
            "deleted",
            deleted,
            format!("at most the {keys} keys inserted"),
        ));
    }
    let mut plain = BloomFilter::with_capacity(keys, fp_rate)?;
    let mut counting = CountingBloomFilter::with_capacity(keys, fp_rate)?;
    let all = random_keys(seed, keys, false);
    for key in &all {
        plain.insert(key);
        counting.insert(key);
    }
    let (gone, kept) = all.split_at(deleted as usize);
    for key in gone {
        plain.clear_bits_of(key);
        counting.remove(key);
    }
    let missing = |contains: &dyn Fn(&u64) -> bool| kept.iter().filter(|k| !contains(k)).count();
    let lingering = |contains: &dyn Fn(&u64) -> bool| gone.iter().filter(|k| contains(k)).count();
    Ok(vec![
        DeletionRow {
            filter: "plain, bits cleared".to_string(),
            memory_bits: plain.bit_count(),
            deleted,
            false_negatives: missing(&|key| plain.contains(key)) as u64,
            deleted_still_present: lingering(&|key| plain.contains(key)) as u64,
        },
        DeletionRow {
            filter: "counting, 4-bit counters".to_string(),
            memory_bits: counting.memory_bits(),
            deleted,
            false_negatives: missing(&|key| counting.contains(key)) as u64,
            deleted_still_present: lingering(&|key| counting.contains(key)) as u64,
        },
    ])
}

/// A fixed filter and a scalable chain side by side at one load of the same design capacity.
///
/// # Examples
///
/// ```
/// use lessons::storage::scalable_experiment;
///
/// let rows = scalable_experiment(1_000, 0.01, &[5.0], 20_000, 1)?;
/// assert!(rows[0].fixed_measured > 0.75);
/// assert!(rows[0].scalable_measured < 0.01);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalableRow {
    /// Keys inserted / design capacity.
    pub load: f64,
    /// The fixed filter's measured false-positive rate.
    pub fixed_measured: f64,
    /// The scalable chain's measured false-positive rate.
    pub scalable_measured: f64,
    /// The sum of the chain's stage rates, its bound.
    pub scalable_bound: f64,
    /// The chain's stages.
    pub stages: usize,
    /// The chain's bits per key inserted (the fixed filter keeps its m whatever the load).
    pub scalable_bits_per_key: f64,
}

/// A [`BloomFilter`] and a [`ScalableBloomFilter`] both made for `capacity` keys at `fp_rate`,
/// fed the same keys up to each of `loads`, measured on the same absent probes.
///
/// # Errors
///
/// As [`overload_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::storage::scalable_experiment;
///
/// let rows = scalable_experiment(1_000, 0.01, &[1.0, 3.0], 10_000, 1)?;
/// assert_eq!((rows[0].stages, rows[1].stages), (1, 2));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn scalable_experiment(
    capacity: u64,
    fp_rate: f64,
    loads: &[f64],
    probes: u64,
    seed: u64,
) -> Result<Vec<ScalableRow>, SimError> {
    let (keys, absent) = sweep_keys(capacity, loads, probes, seed)?;
    let mut fixed = BloomFilter::with_capacity(capacity, fp_rate)?;
    let mut scalable = ScalableBloomFilter::new(capacity, fp_rate)?;
    let mut rows = Vec::new();
    for &load in loads {
        let target = keys_at(load, capacity);
        while fixed.len() < target {
            let key = keys[fixed.len() as usize];
            fixed.insert(&key);
            scalable.insert(&key)?;
        }
        let scalable_wrong = absent.iter().filter(|key| scalable.contains(key)).count();
        rows.push(ScalableRow {
            load,
            fixed_measured: fixed.measured_fp_rate(absent.iter()),
            scalable_measured: scalable_wrong as f64 / probes as f64,
            scalable_bound: scalable.fp_bound(),
            stages: scalable.stage_count(),
            scalable_bits_per_key: scalable.bit_count() as f64 / target as f64,
        });
    }
    Ok(rows)
}

/// The formula's false-positive rate for a `(capacity, fp_rate)` filter at `load` times its
/// capacity: the number the seed claim about overloaded filters can be checked against.
///
/// # Errors
///
/// As [`optimal_bits`].
///
/// # Examples
///
/// ```
/// use lessons::storage::overloaded_fp_rate;
///
/// assert_eq!(format!("{:.3}", overloaded_fp_rate(100_000_000, 0.01, 5.0)?), "0.832");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn overloaded_fp_rate(capacity: u64, fp_rate: f64, load: f64) -> Result<f64, SimError> {
    let bits = optimal_bits(capacity, fp_rate)?;
    let hashes = optimal_hashes(bits, capacity);
    Ok(predicted_fp_rate(bits, hashes, keys_at(load, capacity)))
}

/// The number of hash positions whose formula rate is lowest among `rows` (ties: the first);
/// `None` for no rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{best_hash_count, fp_rate_experiment};
///
/// let shapes: Vec<(f64, u32)> = (1..=12).map(|k| (8.0, k)).collect();
/// let rows = fp_rate_experiment(1_000, &shapes, 1_000, &[1])?;
/// assert_eq!(best_hash_count(&rows), Some(6));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn best_hash_count(rows: &[FpRow]) -> Option<u32> {
    rows.iter()
        .min_by(|a, b| a.predicted.total_cmp(&b.predicted))
        .map(|row| row.hashes)
}
