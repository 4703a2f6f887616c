//! The figure of the cache patterns, built from the experiment's rows.

use super::patterns::PatternRow;
use crate::viz::Figure;

/// Mean read and write latency per pattern, as bars side by side, for the rows of
/// [`pattern_experiment`](super::pattern_experiment).
///
/// # Examples
///
/// ```
/// use lessons::caching::{CachePattern, PatternWorkload, pattern_experiment, pattern_latency_figure};
///
/// let rows = pattern_experiment(PatternWorkload::typical(), &[CachePattern::CacheAside], 1)?;
/// assert!(pattern_latency_figure(&rows).to_svg()?.contains("mean write"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pattern_latency_figure(rows: &[PatternRow]) -> Figure {
    Figure::new("What each pattern costs a read and a write")
        .x_label("pattern")
        .y_label("mean latency (ms)")
        .bars(
            "mean read",
            rows.iter()
                .map(|row| (row.pattern.clone(), row.mean_read_ms)),
        )
        .bars(
            "mean write",
            rows.iter()
                .map(|row| (row.pattern.clone(), row.mean_write_ms)),
        )
}
