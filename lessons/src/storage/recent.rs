//! A Bloom filter rebuilt from the full key set once a day, and the exact side set of keys
//! added since, which keeps new keys from looking absent.

use std::collections::HashSet;

use serde::Serialize;

use super::bloom::BloomFilter;
use crate::sim::{Rng, SimError};
use crate::viz::Figure;

/// A Bloom filter built in a batch from every key known at its last rebuild, plus the exact
/// set of keys added since. Used in front of a database to turn away lookups of keys that do
/// not exist (cache penetration): "absent" must never be said of a real key. The filter alone
/// cannot promise that for keys added after it was built; with the side set it can.
///
/// # Examples
///
/// ```
/// use lessons::storage::FilterWithRecent;
///
/// let mut products = FilterWithRecent::rebuild([1, 2, 3], 0.01)?;
/// products.add(4);
/// assert!(products.might_contain(4));
/// assert_eq!(products.recent_len(), 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FilterWithRecent {
    filter: BloomFilter,
    recent: HashSet<u64>,
    fp_rate: f64,
}

impl FilterWithRecent {
    /// A filter built from `keys`, sized for them at `fp_rate`, and an empty side set.
    ///
    /// # Errors
    ///
    /// As [`BloomFilter::with_capacity`] (an empty key set is sized for one key).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::FilterWithRecent;
    ///
    /// assert!(FilterWithRecent::rebuild([1], 1.5).is_err());
    /// assert!(FilterWithRecent::rebuild([1], 0.01)?.filter_alone(1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn rebuild(
        keys: impl IntoIterator<Item = u64>,
        fp_rate: f64,
    ) -> Result<FilterWithRecent, SimError> {
        let keys: Vec<u64> = keys.into_iter().collect();
        let mut filter = BloomFilter::with_capacity(keys.len().max(1) as u64, fp_rate)?;
        for key in &keys {
            filter.insert(key);
        }
        Ok(FilterWithRecent {
            filter,
            recent: HashSet::new(),
            fp_rate,
        })
    }

    /// The same filter rebuilt from `keys` (the full set, recent additions included) at the
    /// same rate; the side set starts empty again.
    ///
    /// # Errors
    ///
    /// As [`BloomFilter::with_capacity`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::FilterWithRecent;
    ///
    /// let mut products = FilterWithRecent::rebuild([1, 2], 0.01)?;
    /// products.add(3);
    /// let products = products.rebuilt([1, 2, 3])?;
    /// assert_eq!(products.recent_len(), 0);
    /// assert!(products.filter_alone(3));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn rebuilt(
        &self,
        keys: impl IntoIterator<Item = u64>,
    ) -> Result<FilterWithRecent, SimError> {
        FilterWithRecent::rebuild(keys, self.fp_rate)
    }

    /// Records a key added since the rebuild (the filter itself is not touched: it is rebuilt
    /// in a batch, or shipped read-only to where the lookups happen).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::FilterWithRecent;
    ///
    /// let mut products = FilterWithRecent::rebuild([1], 0.01)?;
    /// products.add(2);
    /// assert!(products.might_contain(2));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn add(&mut self, key: u64) {
        self.recent.insert(key);
    }

    /// "Maybe present" if the filter or the side set says so; "absent" (false) is always right
    /// for a key known at the rebuild or added since.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::FilterWithRecent;
    ///
    /// let products = FilterWithRecent::rebuild([7], 0.01)?;
    /// assert!(products.might_contain(7));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn might_contain(&self, key: u64) -> bool {
        self.recent.contains(&key) || self.filter.contains(&key)
    }

    /// What the stale filter alone answers: for a key added since the rebuild, "maybe" only
    /// by a false positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::FilterWithRecent;
    ///
    /// let mut products = FilterWithRecent::rebuild(0..1_000, 0.01)?;
    /// products.add(5_000);
    /// assert!(!products.filter_alone(5_000)); // the new product looks absent
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn filter_alone(&self, key: u64) -> bool {
        self.filter.contains(&key)
    }

    /// Keys in the side set.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::FilterWithRecent;
    ///
    /// let mut products = FilterWithRecent::rebuild([1], 0.01)?;
    /// products.add(2);
    /// products.add(2);
    /// assert_eq!(products.recent_len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn recent_len(&self) -> usize {
        self.recent.len()
    }
}

/// One hour of a [`recent_additions_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::storage::recent_additions_experiment;
///
/// let rows = recent_additions_experiment(10_000, 100, 30, 0.01, 1)?;
/// assert_eq!(rows[23].added_since_rebuild, 2_400);
/// assert_eq!(rows[24].added_since_rebuild, 100); // rebuilt at midnight
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentRow {
    /// Hours since the first rebuild (the state at the end of the hour).
    pub hour: u32,
    /// Keys added since the last rebuild (the side set's size).
    pub added_since_rebuild: u64,
    /// Of those, the fraction the stale filter alone answers "maybe" for (only by false
    /// positive): the rest look absent, a false negative for the application.
    pub found_by_filter_alone: f64,
    /// Of those, the fraction the filter plus the side set answers "maybe" for.
    pub found_with_side_set: f64,
}

/// A catalogue of `catalogue` keys gains `added_per_hour` keys every hour; the filter is
/// rebuilt from the whole catalogue every 24 hours (at hour 0, 24, 48, ...), and each hour
/// every key added since the last rebuild is looked up, with and without the side set.
///
/// # Errors
///
/// When `catalogue` is not in 1..=1,000,000, `added_per_hour` above 100,000, `hours` not in
/// 1..=240, or the rate is refused by [`BloomFilter::with_capacity`].
///
/// # Examples
///
/// ```
/// use lessons::storage::recent_additions_experiment;
///
/// let rows = recent_additions_experiment(10_000, 100, 24, 0.01, 1)?;
/// assert!(rows.iter().all(|row| row.found_with_side_set == 1.0));
/// assert!(rows[23].found_by_filter_alone < 0.05);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn recent_additions_experiment(
    catalogue: u64,
    added_per_hour: u64,
    hours: u32,
    fp_rate: f64,
    seed: u64,
) -> Result<Vec<RecentRow>, SimError> {
    if !(1..=1_000_000).contains(&catalogue) {
        return Err(SimError::parameter(
            "catalogue",
            catalogue,
            "from 1 to 1,000,000",
        ));
    }
    if added_per_hour > 100_000 {
        return Err(SimError::parameter(
            "added_per_hour",
            added_per_hour,
            "at most 100,000",
        ));
    }
    if !(1..=240).contains(&hours) {
        return Err(SimError::parameter("hours", hours, "from 1 to 240"));
    }
    // Product ids are random 64-bit numbers, as a hash of a name or a random id would be.
    let mut ids = Rng::derive(seed, &[14, 9]);
    let mut known: Vec<u64> = (0..catalogue).map(|_| ids.next_u64()).collect();
    let mut products = FilterWithRecent::rebuild(known.iter().copied(), fp_rate)?;
    let mut since_rebuild = Vec::new();
    let mut rows = Vec::new();
    for hour in 0..hours {
        if hour > 0 && hour % 24 == 0 {
            products = products.rebuilt(known.iter().copied())?;
            since_rebuild.clear();
        }
        for _ in 0..added_per_hour {
            let id = ids.next_u64();
            known.push(id);
            products.add(id);
            since_rebuild.push(id);
        }
        let share = |answer: &dyn Fn(u64) -> bool| {
            let found = since_rebuild.iter().filter(|&&id| answer(id)).count();
            found as f64 / since_rebuild.len().max(1) as f64
        };
        rows.push(RecentRow {
            hour: hour + 1,
            added_since_rebuild: since_rebuild.len() as u64,
            found_by_filter_alone: share(&|id| products.filter_alone(id)),
            found_with_side_set: share(&|id| products.might_contain(id)),
        });
    }
    Ok(rows)
}

/// The fraction of keys added since the last rebuild that each path answers "maybe" for,
/// hour by hour, from [`recent_additions_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{recent_additions_experiment, recent_additions_figure};
///
/// let rows = recent_additions_experiment(1_000, 10, 30, 0.01, 1)?;
/// assert!(recent_additions_figure(&rows).to_svg()?.contains("side set"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn recent_additions_figure(rows: &[RecentRow]) -> Figure {
    let at = |row: &RecentRow| f64::from(row.hour);
    Figure::new("New keys found by a filter rebuilt every 24 hours")
        .x_label("hour")
        .y_label("share of keys added since the rebuild answered \"maybe\"")
        .line(
            "filter plus side set",
            rows.iter().map(|row| (at(row), row.found_with_side_set)),
        )
        .line(
            "filter alone",
            rows.iter().map(|row| (at(row), row.found_by_filter_alone)),
        )
}
