//! The birthday bound: how likely it is that random IDs collide, and a seeded count of the
//! collisions that actually happen.

use serde::Serialize;

use super::error::IdError;
use crate::sim::Rng;

fn check_ids_and_space(ids: f64, space: f64) -> Result<(), IdError> {
    if !(ids.is_finite() && ids >= 0.0) {
        return Err(IdError::parameter(
            "ids",
            ids,
            "a finite count of 0 or more IDs",
        ));
    }
    if !(space.is_finite() && space >= 1.0) {
        return Err(IdError::parameter(
            "space",
            space,
            "a finite number of possible values, at least 1",
        ));
    }
    Ok(())
}

/// The probability that `ids` values drawn uniformly and independently from `space` possible
/// values are not all distinct.
///
/// Exactly, it is `1 - (1 - 1/N)(1 - 2/N)···(1 - (n-1)/N)`. Computing that as written loses
/// every digit once the answer is below about 10^-16 (one minus a number that rounds to one),
/// which is where 122 random bits live. So this works with the logarithm of the product,
/// `L = Σ ln(1 - i/N)`, and returns `-expm1(L)`, which keeps full relative precision for tiny
/// probabilities: term by term for up to 10,000 IDs, and for more with the series
/// `L = -(S₁/N + S₂/2N² + S₃/3N³)` where `S_k = Σ i^k`. For `n` much smaller than `N` that
/// is the familiar `1 - exp(-n(n-1)/2N)`, about `n²/2N`.
///
/// # Examples
///
/// ```
/// use lessons::ids::collision_probability;
///
/// // 23 people, 365 birthdays: just over one half.
/// assert_eq!(format!("{:.4}", collision_probability(23.0, 365.0)?), "0.5073");
/// // A billion UUIDv4s: about 9.4 × 10^-20.
/// let v4 = collision_probability(1e9, 2f64.powi(122))?;
/// assert!((v4 / 9.4e-20 - 1.0).abs() < 0.01);
/// assert_eq!(collision_probability(366.0, 365.0)?, 1.0);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn collision_probability(ids: f64, space: f64) -> Result<f64, IdError> {
    check_ids_and_space(ids, space)?;
    let n = ids.floor();
    if n < 2.0 {
        return Ok(0.0);
    }
    if n > space {
        return Ok(1.0);
    }
    let log_none = if n <= 10_000.0 {
        (1..n as u64)
            .map(|i| (-(i as f64) / space).ln_1p())
            .sum::<f64>()
    } else {
        let s1 = n * (n - 1.0) / 2.0;
        let s2 = (n - 1.0) * n * (2.0 * n - 1.0) / 6.0;
        let s3 = s1 * s1;
        -(s1 / space + s2 / (2.0 * space * space) + s3 / (3.0 * space * space * space))
    };
    Ok(-log_none.exp_m1())
}

/// The expected number of colliding pairs among `ids` random values from `space`:
/// `n(n-1)/2N`, one chance in `N` for each of the `n(n-1)/2` pairs. Unlike the probability it
/// keeps growing past 1, so it counts how many collisions a system should expect to handle.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Base62, expected_colliding_pairs};
///
/// let seven_chars = Base62::code_space(7)? as f64;
/// let pairs = expected_colliding_pairs(100e6, seven_chars)?;
/// assert_eq!(pairs.round(), 1_420.0); // 100 million random 7-character codes
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn expected_colliding_pairs(ids: f64, space: f64) -> Result<f64, IdError> {
    check_ids_and_space(ids, space)?;
    let n = ids.floor();
    Ok(n * (n - 1.0).max(0.0) / 2.0 / space)
}

/// Measured against predicted collisions for one number of IDs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CollisionRow {
    /// IDs drawn per trial.
    pub ids: u64,
    /// Possible values.
    pub space: u64,
    /// Trials run.
    pub trials: u32,
    /// [`collision_probability`].
    pub predicted_probability: f64,
    /// Trials with at least one collision, over all trials.
    pub observed_probability: f64,
    /// [`expected_colliding_pairs`].
    pub expected_pairs: f64,
    /// Colliding pairs per trial, averaged over the trials (three equal values are three
    /// pairs).
    pub observed_pairs: f64,
}

/// For each count in `ids`, `trials` times: draw that many values uniformly from `0..space`
/// (seeded) and count the colliding pairs. Each (count, trial) has its own random stream, so
/// adding a count leaves the others' results unchanged.
///
/// # Examples
///
/// ```
/// use lessons::ids::collision_trial;
///
/// let rows = collision_trial(365, &[23], 2_000, 1)?;
/// assert!((rows[0].observed_probability - 0.507).abs() < 0.04);
/// assert!((rows[0].observed_pairs - rows[0].expected_pairs).abs() < 0.1);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn collision_trial(
    space: u64,
    ids: &[u64],
    trials: u32,
    seed: u64,
) -> Result<Vec<CollisionRow>, IdError> {
    if space == 0 {
        return Err(IdError::parameter(
            "space",
            space,
            "at least 1 possible value",
        ));
    }
    if trials == 0 || trials > 100_000 {
        return Err(IdError::parameter("trials", trials, "1 to 100,000 trials"));
    }
    let draws: u64 = ids.iter().map(|&n| n * trials as u64).sum();
    if ids.iter().any(|&n| n > 10_000_000) || draws > 50_000_000 {
        return Err(IdError::parameter(
            "ids",
            format!("{ids:?} × {trials} trials"),
            "at most 10 million IDs per trial and 50 million draws in all",
        ));
    }
    ids.iter()
        .map(|&n| {
            let mut with_collision = 0u32;
            let mut pairs = 0u64;
            for trial in 0..trials {
                let mut rng = Rng::derive(seed, &[n, trial as u64]);
                let mut values: Vec<u64> = (0..n).map(|_| rng.below(space)).collect();
                values.sort_unstable();
                let found = colliding_pairs(&values);
                pairs += found;
                with_collision += u32::from(found > 0);
            }
            Ok(CollisionRow {
                ids: n,
                space,
                trials,
                predicted_probability: collision_probability(n as f64, space as f64)?,
                observed_probability: with_collision as f64 / trials as f64,
                expected_pairs: expected_colliding_pairs(n as f64, space as f64)?,
                observed_pairs: pairs as f64 / trials as f64,
            })
        })
        .collect()
}

/// Pairs of equal values in a sorted slice: a run of `r` equal values is `r(r-1)/2` pairs.
fn colliding_pairs(sorted: &[u64]) -> u64 {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let r = run.len() as u64;
            r * (r - 1) / 2
        })
        .sum()
}
