//! The figure of the invalidation race, built from the experiment's rows.

use super::invalidation::RaceRow;
use crate::viz::{Figure, groups};

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
