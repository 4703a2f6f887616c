//! The Bloom-filter figures, built from the experiments' rows.

use super::bloom_experiments::{FpRow, OverloadRow, ScalableRow};
use crate::table::{Table, TableError};
use crate::viz::{Figure, groups};

/// Measured false-positive rate (one point per seed) and the formula (line) against bits per
/// key, log y, for rows of [`fp_rate_experiment`](super::fp_rate_experiment) that vary m/n.
///
/// # Examples
///
/// ```
/// use lessons::storage::{fp_rate_experiment, fp_rate_figure};
///
/// let rows = fp_rate_experiment(1_000, &[(4.0, 3), (8.0, 6)], 10_000, &[1])?;
/// assert!(fp_rate_figure(&rows).to_svg()?.contains("formula"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fp_rate_figure(rows: &[FpRow]) -> Figure {
    let mut formula: Vec<(f64, f64)> = Vec::new();
    for row in rows {
        if !formula.iter().any(|&(x, _)| x == row.bits_per_key) {
            formula.push((row.bits_per_key, row.predicted));
        }
    }
    Figure::new("Bloom filter false positives against memory (k = round(m/n · ln 2))")
        .x_label("bits per key (m / n)")
        .y_label("false-positive rate")
        .log_y()
        .points(
            "measured (one point per seed)",
            rows.iter().map(|row| (row.bits_per_key, row.measured)),
        )
        .line("formula (1 - e^(-kn/m))^k", formula)
}

/// False-positive rate against the number of hash positions k at fixed bits per key: the
/// U-shaped curve with its bottom near (m/n) ln 2, one pair of series per bits-per-key value.
///
/// # Examples
///
/// ```
/// use lessons::storage::{fp_rate_experiment, hash_count_figure};
///
/// let rows = fp_rate_experiment(1_000, &[(8.0, 1), (8.0, 4), (8.0, 12)], 10_000, &[1])?;
/// assert!(hash_count_figure(&rows).to_svg()?.contains("8 bits per key"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hash_count_figure(rows: &[FpRow]) -> Figure {
    let mut figure = Figure::new("Too few or too many hashes: false positives against k")
        .x_label("hash positions per key (k)")
        .y_label("false-positive rate")
        .log_y();
    for bits in groups(rows, |row| row.bits_per_key.to_bits()) {
        let mine: Vec<&FpRow> = rows
            .iter()
            .filter(|row| row.bits_per_key.to_bits() == bits)
            .collect();
        let per_key = f64::from_bits(bits);
        figure = figure
            .points(
                format!("{per_key} bits per key, measured"),
                mine.iter().map(|row| (f64::from(row.hashes), row.measured)),
            )
            .line(
                format!("{per_key} bits per key, formula"),
                mine.iter()
                    .map(|row| (f64::from(row.hashes), row.predicted)),
            );
    }
    figure
}

/// False-positive rate against load (keys inserted / design capacity), measured and formula,
/// with the design rate as a flat line, for [`overload_experiment`](super::overload_experiment)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{overload_experiment, overload_figure};
///
/// let rows = overload_experiment(1_000, 0.01, &[1.0, 2.0], 10_000, 1)?;
/// assert!(overload_figure(&rows, 0.01).to_svg()?.contains("design rate"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn overload_figure(rows: &[OverloadRow], design_rate: f64) -> Figure {
    let first = rows.first().map_or(0.0, |row| row.load);
    let last = rows.last().map_or(0.0, |row| row.load);
    Figure::new("A filter filled past its design capacity")
        .x_label("load (keys inserted / design capacity)")
        .y_label("false-positive rate")
        .points("measured", rows.iter().map(|row| (row.load, row.measured)))
        .line("formula", rows.iter().map(|row| (row.load, row.predicted)))
        .line("design rate", [(first, design_rate), (last, design_rate)])
}

/// False-positive rate against load for a fixed filter and a scalable chain, with the chain's
/// bound, log y, for [`scalable_experiment`](super::scalable_experiment)'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{scalable_experiment, scalable_figure};
///
/// let rows = scalable_experiment(1_000, 0.01, &[1.0, 2.0], 10_000, 1)?;
/// assert!(scalable_figure(&rows).to_svg()?.contains("scalable"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scalable_figure(rows: &[ScalableRow]) -> Figure {
    Figure::new("Fixed against scalable Bloom filter as keys keep coming")
        .x_label("load (keys inserted / design capacity)")
        .y_label("false-positive rate")
        .log_y()
        .line(
            "fixed filter, measured",
            rows.iter().map(|row| (row.load, row.fixed_measured)),
        )
        .line(
            "scalable filter, measured",
            rows.iter().map(|row| (row.load, row.scalable_measured)),
        )
        .line(
            "scalable filter, bound (sum of stage rates)",
            rows.iter().map(|row| (row.load, row.scalable_bound)),
        )
}

/// [`scalable_experiment`](super::scalable_experiment)'s rows as a table, rates to four decimals.
///
/// # Examples
///
/// ```
/// use lessons::storage::{scalable_experiment, scalable_table};
///
/// let rows = scalable_experiment(1_000, 0.01, &[1.0, 2.0], 10_000, 1)?;
/// assert_eq!(scalable_table(&rows)?.row_count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Never in practice: every row has as many cells as the header.
pub fn scalable_table(rows: &[ScalableRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "load",
        "fixed filter",
        "scalable filter",
        "scalable bound",
        "stages",
        "scalable bits per key",
    ]);
    for row in rows {
        table.push_row([
            format!("{}x", row.load),
            format!("{:.4}", row.fixed_measured),
            format!("{:.4}", row.scalable_measured),
            format!("{:.4}", row.scalable_bound),
            row.stages.to_string(),
            format!("{:.1}", row.scalable_bits_per_key),
        ])?;
    }
    Ok(table)
}
