//! The table and figure of the invalidation race, built from the experiment's rows.

use super::invalidation::RaceRow;
use crate::table::{Table, TableError};
use crate::viz::{Figure, groups};

/// The rows of [`invalidation_race_experiment`](super::invalidation_race_experiment) as a
/// table.
///
/// # Examples
///
/// ```
/// use lessons::caching::{InvalidationScheme, RaceWorkload, invalidation_race_experiment, race_table};
///
/// let rows = invalidation_race_experiment(RaceWorkload::typical(), &[InvalidationScheme::VersionedSet], &[0.2], 1)?;
/// assert_eq!(race_table(&rows)?.rows()[0][2], "0.00%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn race_table(rows: &[RaceRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "scheme",
        "stall chance",
        "stale reads",
        "stale sets",
        "longest stale (s)",
    ]);
    for row in rows {
        table.push_row([
            row.scheme.clone(),
            row.stall_probability.to_string(),
            format!("{:.2}%", 100.0 * row.stale_fraction),
            row.stale_sets.to_string(),
            format!("{:.2}", row.longest_stale_s),
        ])?;
    }
    Ok(table)
}

/// Stale-read fraction against the chance that a reader stalls, one line per scheme, for the
/// rows of [`invalidation_race_experiment`](super::invalidation_race_experiment).
///
/// # Examples
///
/// ```
/// use lessons::caching::{InvalidationScheme, RaceWorkload, invalidation_race_experiment, race_figure};
///
/// let schemes = [InvalidationScheme::DeleteOnWrite];
/// let rows = invalidation_race_experiment(RaceWorkload::typical(), &schemes, &[0.0, 0.5], 1)?;
/// assert!(race_figure(&rows).to_svg()?.contains("delete on write"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn race_figure(rows: &[RaceRow]) -> Figure {
    let mut figure = Figure::new("Stale reads after the invalidation race, per scheme")
        .x_label("chance that a reader stalls between database read and set")
        .y_label("fraction of reads that are stale");
    for scheme in groups(rows, |row| row.scheme.clone()) {
        let mine = rows.iter().filter(|row| row.scheme == scheme);
        figure = figure.line(
            scheme.clone(),
            mine.map(|row| (row.stall_probability, row.stale_fraction)),
        );
    }
    figure
}
