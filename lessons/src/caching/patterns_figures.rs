//! The table and figure of the cache patterns, built from the experiments' rows.

use super::patterns::PatternRow;
use crate::table::{Table, TableError};
use crate::viz::Figure;

/// The rows of [`pattern_experiment`](super::pattern_experiment) or
/// [`outside_writer_experiment`](super::outside_writer_experiment) as a table, rounded.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CachePattern, PatternWorkload, pattern_experiment, pattern_table};
///
/// let rows = pattern_experiment(PatternWorkload::typical(), &[CachePattern::WriteThrough], 1)?;
/// assert_eq!(pattern_table(&rows)?.rows()[0][4], "11.0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pattern_table(rows: &[PatternRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "pattern",
        "outside writes",
        "hit rate",
        "read (ms)",
        "write (ms)",
        "stale reads",
        "longest stale (s)",
        "lost writes",
    ]);
    for row in rows {
        table.push_row([
            row.pattern.clone(),
            row.invalidation.clone(),
            format!("{:.1}%", 100.0 * row.hit_rate),
            format!("{:.2}", row.mean_read_ms),
            format!("{:.1}", row.mean_write_ms),
            format!(
                "{:.2}%",
                100.0 * row.stale_reads as f64 / row.reads.max(1) as f64
            ),
            format!("{:.2}", row.longest_stale_s),
            row.lost_writes.to_string(),
        ])?;
    }
    Ok(table)
}

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
        .size(820, 420)
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
