//! The few statistics the lessons need: percentiles, histograms, CDFs and Zipf sampling.
//!
//! * **Percentiles** use the nearest-rank definition: the p-th percentile of `n` values is the
//!   smallest value with at least `p%` of the values at or below it. It is always one of the
//!   values (no interpolation), so the p99 of latencies in whole nanoseconds is a whole
//!   nanosecond you can find in the data.
//! * A **histogram** counts values in equal-width bins; the last bin includes its upper edge, so
//!   the largest value is counted.
//! * The empirical **CDF** gives, for each value, the fraction of values at or below it; plotted
//!   as steps it shows every percentile at once.
//! * **Zipf** sampling draws ranks `0..n` with probability proportional to `1 / (rank + 1)^s`:
//!   a few keys are hot and most are cold, as in real caches and partitioned stores.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{percentile, Cdf, Histogram};
//!
//! let latencies_ms = [1.0, 2.0, 2.0, 3.0, 10.0];
//! assert_eq!(percentile(&latencies_ms, 50.0)?, 2.0);
//! assert_eq!(percentile(&latencies_ms, 99.0)?, 10.0);
//! assert_eq!(Cdf::new(latencies_ms)?.fraction_at_most(2.0), 0.6);
//! assert_eq!(Histogram::new(latencies_ms, 3)?.counts(), [4, 0, 1]);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```
//!
//! # References
//!
//! * George Kingsley Zipf, "Human Behavior and the Principle of Least Effort", 1949.
//! * Lee Breslau et al., "Web Caching and Zipf-like Distributions", INFOCOM 1999.

use std::cmp::Ordering;

use serde::Serialize;

use super::error::SimError;
use super::math;
use super::rng::Rng;

/// The nearest-rank `p`-th percentile of `values` (`p` from 0 to 100; 0 gives the minimum).
///
/// Works for any ordered values: floats, integers, [`Time`](super::Time)s.
///
/// # Errors
///
/// [`SimError::NoValues`] for no values, [`SimError::Parameter`] for `p` outside `[0, 100]` or a
/// value that cannot be ordered (NaN).
///
/// # Examples
///
/// ```
/// use lessons::sim::{ms, percentile};
///
/// let latencies = [ms(3), ms(1), ms(2), ms(40)];
/// assert_eq!(percentile(&latencies, 50.0)?, ms(2));
/// assert_eq!(percentile(&latencies, 75.0)?, ms(3));
/// assert_eq!(percentile(&latencies, 100.0)?, ms(40));
/// assert!(percentile(&latencies, 101.0).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn percentile<T: Copy + PartialOrd>(values: &[T], p: f64) -> Result<T, SimError> {
    Ok(percentiles(values, &[p])?[0])
}

/// Several nearest-rank percentiles of the same values, sorting them once.
///
/// # Errors
///
/// As [`percentile`].
///
/// # Examples
///
/// ```
/// use lessons::sim::percentiles;
///
/// let values: Vec<u64> = (1..=100).collect();
/// assert_eq!(percentiles(&values, &[50.0, 90.0, 99.0])?, [50, 90, 99]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn percentiles<T: Copy + PartialOrd>(values: &[T], ps: &[f64]) -> Result<Vec<T>, SimError> {
    if values.is_empty() {
        return Err(SimError::NoValues { what: "percentile" });
    }
    if let Some(&p) = ps.iter().find(|p| !(0.0..=100.0).contains(*p)) {
        return Err(SimError::parameter(
            "percentile",
            p,
            "percentiles run from 0 to 100",
        ));
    }
    let sorted = sorted_copy(values)?;
    let n = sorted.len();
    Ok(ps
        .iter()
        .map(|&p| {
            let rank = (p / 100.0 * n as f64).ceil() as usize;
            sorted[rank.clamp(1, n) - 1]
        })
        .collect())
}

fn sorted_copy<T: Copy + PartialOrd>(values: &[T]) -> Result<Vec<T>, SimError> {
    if values
        .iter()
        .any(|value| value.partial_cmp(value).is_none())
    {
        return Err(SimError::parameter(
            "value",
            "NaN",
            "values must be comparable numbers",
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    Ok(sorted)
}

/// Counts of values in equal-width bins.
///
/// # Examples
///
/// ```
/// use lessons::sim::Histogram;
///
/// let histogram = Histogram::new([0.0, 0.5, 1.0, 1.5, 2.0], 2)?;
/// assert_eq!(histogram.counts(), [2, 3]);
/// assert_eq!(histogram.bins()[1].low, 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    bins: Vec<Bin>,
}

/// One bin of a [`Histogram`]: values in `[low, high)` (the last bin includes `high`).
///
/// # Examples
///
/// ```
/// use lessons::sim::Histogram;
///
/// let bin = Histogram::new([3.0], 1)?.bins()[0];
/// assert_eq!((bin.low, bin.high, bin.count), (2.5, 3.5, 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    /// The lower edge.
    pub low: f64,
    /// The upper edge.
    pub high: f64,
    /// How many values fell in.
    pub count: u64,
}

impl Histogram {
    /// The largest number of bins allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Histogram::MAX_BINS, 10_000);
    /// ```
    pub const MAX_BINS: usize = 10_000;

    /// `bins` equal-width bins from the smallest value to the largest (all values equal: one
    /// unit wide around them).
    ///
    /// # Errors
    ///
    /// [`SimError::NoValues`] for no values; [`SimError::Parameter`] for a value that is not
    /// finite, or `bins` outside `1..=MAX_BINS`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Histogram;
    ///
    /// assert_eq!(Histogram::new([1.0, 9.0], 4)?.counts(), [1, 0, 0, 1]);
    /// assert!(Histogram::new([1.0], 0).is_err());
    /// assert!(Histogram::new([f64::NAN], 3).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(values: impl IntoIterator<Item = f64>, bins: usize) -> Result<Histogram, SimError> {
        if !(1..=Self::MAX_BINS).contains(&bins) {
            return Err(SimError::parameter(
                "bin count",
                bins,
                format!("a histogram has 1 to {} bins", Self::MAX_BINS),
            ));
        }
        let values = finite_values(values)?;
        let (low, high) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let (low, high) = if low == high {
            (low - 0.5, high + 0.5)
        } else {
            (low, high)
        };
        let width = (high - low) / bins as f64;
        let mut counts = vec![0u64; bins];
        for value in values {
            let index = (((value - low) / width) as usize).min(bins - 1);
            counts[index] += 1;
        }
        let bins = counts
            .into_iter()
            .enumerate()
            .map(|(index, count)| Bin {
                low: low + width * index as f64,
                high: if index + 1 == bins {
                    high
                } else {
                    low + width * (index + 1) as f64
                },
                count,
            })
            .collect();
        Ok(Histogram { bins })
    }

    /// The bins, lowest first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Histogram;
    ///
    /// assert_eq!(Histogram::new([0.0, 4.0], 2)?.bins().len(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn bins(&self) -> &[Bin] {
        &self.bins
    }

    /// The count of each bin, lowest first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Histogram;
    ///
    /// assert_eq!(Histogram::new([0.0, 0.1, 4.0], 2)?.counts(), [2, 1]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn counts(&self) -> Vec<u64> {
        self.bins.iter().map(|bin| bin.count).collect()
    }
}

/// The empirical cumulative distribution of some values.
///
/// # Examples
///
/// ```
/// use lessons::sim::Cdf;
///
/// let cdf = Cdf::new([4.0, 1.0, 2.0, 3.0])?;
/// assert_eq!(cdf.fraction_at_most(2.5), 0.5);
/// assert_eq!(cdf.points(), [(1.0, 0.25), (2.0, 0.5), (3.0, 0.75), (4.0, 1.0)]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cdf {
    sorted: Vec<f64>,
}

impl Cdf {
    /// The CDF of `values`.
    ///
    /// # Errors
    ///
    /// [`SimError::NoValues`] for no values, [`SimError::Parameter`] for one that is not
    /// finite.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Cdf;
    ///
    /// assert!(Cdf::new(Vec::new()).is_err());
    /// assert!(Cdf::new([1.0, f64::INFINITY]).is_err());
    /// ```
    pub fn new(values: impl IntoIterator<Item = f64>) -> Result<Cdf, SimError> {
        let mut sorted = finite_values(values)?;
        sorted.sort_by(f64::total_cmp);
        Ok(Cdf { sorted })
    }

    /// The fraction of values at or below `x`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Cdf;
    ///
    /// let cdf = Cdf::new([10.0, 20.0])?;
    /// assert_eq!(cdf.fraction_at_most(5.0), 0.0);
    /// assert_eq!(cdf.fraction_at_most(20.0), 1.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn fraction_at_most(&self, x: f64) -> f64 {
        let at_most = self.sorted.partition_point(|&value| value <= x);
        at_most as f64 / self.sorted.len() as f64
    }

    /// One `(value, fraction at or below it)` point per distinct value, for a step plot.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Cdf;
    ///
    /// assert_eq!(Cdf::new([1.0, 1.0, 3.0])?.points(), [(1.0, 2.0 / 3.0), (3.0, 1.0)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn points(&self) -> Vec<(f64, f64)> {
        let n = self.sorted.len() as f64;
        let mut points: Vec<(f64, f64)> = Vec::new();
        for (index, &value) in self.sorted.iter().enumerate() {
            let fraction = (index + 1) as f64 / n;
            match points.last_mut() {
                Some(last) if last.0 == value => last.1 = fraction,
                _ => points.push((value, fraction)),
            }
        }
        points
    }
}

fn finite_values(values: impl IntoIterator<Item = f64>) -> Result<Vec<f64>, SimError> {
    let values: Vec<f64> = values.into_iter().collect();
    if values.is_empty() {
        return Err(SimError::NoValues {
            what: "distribution",
        });
    }
    if let Some(bad) = values.iter().find(|value| !value.is_finite()) {
        return Err(SimError::parameter(
            "value",
            bad,
            "values must be finite numbers",
        ));
    }
    Ok(values)
}

/// Ranks `0..n` drawn with probability proportional to `1 / (rank + 1)^exponent`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Rng, Zipf};
///
/// let zipf = Zipf::new(1_000, 1.0)?;
/// let mut rng = Rng::new(1);
/// let hottest = (0..10_000).filter(|_| zipf.sample(&mut rng) == 0).count();
/// assert!((1_200..1_500).contains(&hottest)); // p(0) = 1 / H(1000) ≈ 0.134
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Zipf {
    /// `cumulative[k]` is the probability of a rank at most `k`; the last entry is 1.
    cumulative: Vec<f64>,
}

impl Zipf {
    /// The largest number of ranks allowed (the table takes 8 bytes per rank).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Zipf::MAX_RANKS, 10_000_000);
    /// ```
    pub const MAX_RANKS: usize = 10_000_000;

    /// A sampler over `n` ranks with this exponent (0 is uniform; around 1 is typical of web
    /// traffic).
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] if `n` is outside `1..=MAX_RANKS` or `exponent` is not a number
    /// from 0 to 10.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Zipf;
    ///
    /// assert!(Zipf::new(0, 1.0).is_err());
    /// assert_eq!(
    ///     Zipf::new(10, -1.0).unwrap_err().to_string(),
    ///     "Zipf exponent -1 is not allowed; the exponent must be a number from 0 to 10"
    /// );
    /// ```
    pub fn new(n: usize, exponent: f64) -> Result<Zipf, SimError> {
        if !(1..=Self::MAX_RANKS).contains(&n) {
            return Err(SimError::parameter(
                "Zipf rank count",
                n,
                format!("the number of ranks must be from 1 to {}", Self::MAX_RANKS),
            ));
        }
        if !(0.0..=10.0).contains(&exponent) {
            return Err(SimError::parameter(
                "Zipf exponent",
                exponent,
                "the exponent must be a number from 0 to 10",
            ));
        }
        let mut total = 0.0;
        let mut cumulative: Vec<f64> = (1..=n)
            .map(|rank| {
                total += math::exp(-exponent * math::ln(rank as f64));
                total
            })
            .collect();
        for value in &mut cumulative {
            *value /= total;
        }
        cumulative[n - 1] = 1.0;
        Ok(Zipf { cumulative })
    }

    /// How many ranks there are.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Zipf::new(5, 1.2)?.len(), 5);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    /// Always false: a sampler has at least one rank.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::sim::Zipf::new(1, 1.0)?.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }

    /// The probability of `rank` (0 for ranks beyond the last).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Zipf;
    ///
    /// let zipf = Zipf::new(2, 1.0)?;
    /// assert!((zipf.probability(0) - 2.0 / 3.0).abs() < 1e-12);
    /// assert_eq!(zipf.probability(2), 0.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn probability(&self, rank: usize) -> f64 {
        match rank {
            0 => self.cumulative.first().copied().unwrap_or(0.0),
            _ if rank < self.cumulative.len() => self.cumulative[rank] - self.cumulative[rank - 1],
            _ => 0.0,
        }
    }

    /// Draws a rank with `rng`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Rng, Zipf};
    ///
    /// let zipf = Zipf::new(3, 0.0)?; // exponent 0: uniform
    /// let mut rng = Rng::new(2);
    /// assert!(zipf.sample(&mut rng) < 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cumulative
            .partition_point(|&cumulative| cumulative <= u)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_zero_is_the_minimum_and_ties_are_kept() {
        let values = [5, 1, 1, 9];
        assert_eq!(percentile(&values, 0.0).unwrap(), 1);
        assert_eq!(percentile(&values, 50.0).unwrap(), 1);
        assert_eq!(percentile(&values, 50.1).unwrap(), 5);
    }

    #[test]
    fn percentiles_of_nothing_or_nan_are_errors() {
        assert_eq!(
            percentile::<f64>(&[], 50.0),
            Err(SimError::NoValues { what: "percentile" })
        );
        assert_eq!(
            percentile(&[1.0, f64::NAN], 50.0).unwrap_err().to_string(),
            "value NaN is not allowed; values must be comparable numbers"
        );
    }

    #[test]
    fn histogram_counts_every_value_once() {
        let values: Vec<f64> = (0..1_000).map(|v| v as f64 * 0.37).collect();
        let histogram = Histogram::new(values.iter().copied(), 7).unwrap();
        assert_eq!(histogram.counts().iter().sum::<u64>(), 1_000);
        assert_eq!(histogram.bins()[6].high, 999.0 * 0.37);
    }

    #[test]
    fn zipf_probabilities_sum_to_one_and_fall_with_rank() {
        let zipf = Zipf::new(100, 1.1).unwrap();
        let total: f64 = (0..100).map(|rank| zipf.probability(rank)).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!((1..100).all(|rank| zipf.probability(rank) < zipf.probability(rank - 1)));
    }
}
