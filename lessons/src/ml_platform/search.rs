//! Hyperparameter search on a budget: a grid against random points.
//!
//! With a budget of `B` trials over two hyperparameters, a grid of `√B × √B` points tries only
//! `√B` distinct values of each. When one parameter matters and the other barely does, the
//! grid has spent most of its budget repeating the same few values of the one that matters;
//! `B` random points try `B` distinct values of it (with probability 1). This is the argument of
//! Bergstra and Bengio: most objectives have a low effective dimension, and random search
//! adapts to it without knowing which dimension it is.
//!
//! The objective here is a narrow peak in the important parameter `x` at a place drawn from
//! the seed, plus a small slope in the unimportant `y`.
//!
//! # References
//!
//! * James Bergstra and Yoshua Bengio, "Random Search for Hyper-Parameter Optimization", JMLR
//!   13, 2012, section 2 and figure 1.

use serde::Serialize;

use crate::sim::{Rng, SimError};

/// A validation score to maximize over `(x, y)` in the unit square: a peak of height 1 and
/// width `0.05` in `x` at `peak`, plus `0.02 · y`.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::Objective;
///
/// let objective = Objective { peak: 0.73 };
/// assert_eq!(objective.score(0.73, 0.0), 1.0);
/// assert_eq!(format!("{:.4}", objective.score(0.83, 1.0)), "0.0383");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Objective {
    /// Where the important parameter is best.
    pub peak: f64,
}

impl Objective {
    /// The score at `(x, y)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Objective;
    ///
    /// let objective = Objective { peak: 0.5 };
    /// assert!(objective.score(0.5, 1.0) > objective.score(0.5, 0.0));
    /// ```
    pub fn score(&self, x: f64, y: f64) -> f64 {
        let distance = (x - self.peak) / 0.05;
        (-distance * distance).exp() + 0.02 * y
    }
}

/// The `k × k` grid for a budget of `k²` trials: every `(x, y)` with both coordinates from
/// `(i + ½) / k`.
///
/// # Errors
///
/// [`SimError::Parameter`] unless `budget` is a perfect square from 1 to 10,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::grid_search;
///
/// let grid = grid_search(4)?;
/// assert_eq!(grid, [(0.25, 0.25), (0.25, 0.75), (0.75, 0.25), (0.75, 0.75)]);
/// assert!(grid_search(10).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn grid_search(budget: usize) -> Result<Vec<(f64, f64)>, SimError> {
    let side = (budget as f64).sqrt().round() as usize;
    if side * side != budget || !(1..=10_000).contains(&budget) {
        return Err(SimError::parameter(
            "grid budget",
            budget,
            "a grid needs a perfect square from 1 to 10,000 (4, 9, 16, ...)",
        ));
    }
    let values: Vec<f64> = (0..side).map(|i| (i as f64 + 0.5) / side as f64).collect();
    Ok(values
        .iter()
        .flat_map(|&x| values.iter().map(move |&y| (x, y)))
        .collect())
}

/// `budget` points drawn uniformly from the unit square.
///
/// # Errors
///
/// [`SimError::Parameter`] for a budget outside 1..=10,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::random_search;
///
/// let points = random_search(9, 1)?;
/// assert_eq!(points.len(), 9);
/// assert!(points.iter().all(|&(x, y)| (0.0..1.0).contains(&x) && (0.0..1.0).contains(&y)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn random_search(budget: usize, seed: u64) -> Result<Vec<(f64, f64)>, SimError> {
    if !(1..=10_000).contains(&budget) {
        return Err(SimError::parameter(
            "random budget",
            budget,
            "from 1 to 10,000 trials",
        ));
    }
    let mut rng = Rng::new(seed);
    Ok((0..budget).map(|_| (rng.unit(), rng.unit())).collect())
}

/// How many distinct values of the important parameter `x` some trials tried.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{distinct_important_values, grid_search};
///
/// assert_eq!(distinct_important_values(&grid_search(9)?), 3);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn distinct_important_values(points: &[(f64, f64)]) -> usize {
    let mut xs: Vec<f64> = points.iter().map(|&(x, _)| x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs.len()
}

/// Grid against random search at one budget, averaged over many objectives.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::search_experiment;
///
/// let rows = search_experiment(&[9], 200, 1)?;
/// assert!(rows[0].random_mean_best > rows[0].grid_mean_best);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SearchRow {
    /// Trials allowed.
    pub budget: usize,
    /// The grid's best score, averaged over the objectives.
    pub grid_mean_best: f64,
    /// Random search's best score, averaged over the objectives.
    pub random_mean_best: f64,
    /// Distinct values of the important parameter the grid tried.
    pub grid_distinct_x: usize,
}

/// For each budget (a perfect square), the best score found by a grid and by random search,
/// averaged over `objectives` objectives whose peak is placed at random.
///
/// # Errors
///
/// As [`grid_search`] for a budget, and [`SimError::Parameter`] for `objectives` outside
/// 1..=100,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::search_experiment;
///
/// assert!(search_experiment(&[8], 10, 1).is_err());
/// ```
pub fn search_experiment(
    budgets: &[usize],
    objectives: u64,
    seed: u64,
) -> Result<Vec<SearchRow>, SimError> {
    if !(1..=100_000).contains(&objectives) {
        return Err(SimError::parameter(
            "objectives",
            objectives,
            "from 1 to 100,000",
        ));
    }
    let best = |points: &[(f64, f64)], objective: Objective| {
        points
            .iter()
            .map(|&(x, y)| objective.score(x, y))
            .fold(f64::NEG_INFINITY, f64::max)
    };
    budgets
        .iter()
        .map(|&budget| {
            let grid = grid_search(budget)?;
            let mut peaks = Rng::derive(seed, &[budget as u64]);
            let (mut grid_total, mut random_total) = (0.0, 0.0);
            for round in 0..objectives {
                let objective = Objective { peak: peaks.unit() };
                let random = random_search(budget, seed ^ (round << 20) ^ budget as u64)?;
                grid_total += best(&grid, objective);
                random_total += best(&random, objective);
            }
            Ok(SearchRow {
                budget,
                grid_mean_best: grid_total / objectives as f64,
                random_mean_best: random_total / objectives as f64,
                grid_distinct_x: distinct_important_values(&grid),
            })
        })
        .collect()
}
