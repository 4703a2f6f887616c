//! The B+-tree figures, built from the experiments' rows.

use super::btree_experiments::{BTreeRow, HeightRow};
use crate::table::{Table, TableError};
use crate::viz::{Figure, groups};

/// Leaf fill per key order, one bar series per split policy.
///
/// # Examples
///
/// ```
/// use lessons::storage::{KeyOrder, SplitPolicy, btree_experiment, leaf_fill_figure};
///
/// let rows = btree_experiment(1_000, 10, &[KeyOrder::Random], &[SplitPolicy::Half], 1)?;
/// assert!(leaf_fill_figure(&rows).to_svg()?.contains("50/50"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn leaf_fill_figure(rows: &[BTreeRow]) -> Figure {
    per_policy_bars(
        rows,
        "How full the leaf pages end up",
        "average leaf fill",
        |row| row.leaf_fill,
    )
}

/// Page writes per insert per key order, one bar series per split policy.
///
/// # Examples
///
/// ```
/// use lessons::storage::{KeyOrder, SplitPolicy, btree_experiment, page_writes_figure};
///
/// let rows = btree_experiment(1_000, 10, &[KeyOrder::Random], &[SplitPolicy::Half], 1)?;
/// assert!(page_writes_figure(&rows).to_svg()?.contains("random"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn page_writes_figure(rows: &[BTreeRow]) -> Figure {
    per_policy_bars(
        rows,
        "Pages written per insert",
        "page writes per insert",
        |row| row.page_writes_per_insert,
    )
}

fn per_policy_bars(
    rows: &[BTreeRow],
    title: &str,
    y_label: &str,
    value: impl Fn(&BTreeRow) -> f64,
) -> Figure {
    let mut figure = Figure::new(title).x_label("key order").y_label(y_label);
    for policy in groups(rows, |row| row.policy.clone()) {
        figure = figure.bars(
            format!("{policy} splits"),
            rows.iter()
                .filter(|row| row.policy == policy)
                .map(|row| (row.order.clone(), value(row))),
        );
    }
    figure
}

/// Height against the number of keys (log x), measured (line) and the full-page bound
/// `ceil(log_fanout(n))` (points), one pair per fanout.
///
/// # Examples
///
/// ```
/// use lessons::storage::{height_experiment, height_figure};
///
/// let rows = height_experiment(&[8], &[10, 1_000], 1)?;
/// assert!(height_figure(&rows).to_svg()?.contains("fanout 8"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn height_figure(rows: &[HeightRow]) -> Figure {
    let mut figure = Figure::new("B+-tree height against size (random keys)")
        .x_label("keys")
        .y_label("levels, leaves included")
        .log_x();
    for fanout in groups(rows, |row| row.fanout) {
        let mine: Vec<&HeightRow> = rows.iter().filter(|row| row.fanout == fanout).collect();
        figure = figure
            .line(
                format!("fanout {fanout}, measured"),
                mine.iter().map(|row| (row.keys as f64, row.height as f64)),
            )
            .points(
                format!("fanout {fanout}, ceil(log_fanout n)"),
                mine.iter().map(|row| (row.keys as f64, row.bound as f64)),
            );
    }
    figure
}

/// [`btree_experiment`](super::btree_experiment)'s rows as a table, fill and writes rounded.
///
/// # Errors
///
/// Never in practice: every row has as many cells as the header.
///
/// # Examples
///
/// ```
/// use lessons::storage::{KeyOrder, SplitPolicy, btree_experiment, btree_table};
///
/// let rows = btree_experiment(1_000, 10, &[KeyOrder::Random], &[SplitPolicy::Half], 1)?;
/// assert_eq!(btree_table(&rows)?.row_count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn btree_table(rows: &[BTreeRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "key order",
        "splits",
        "height",
        "leaves",
        "leaf fill",
        "page writes per insert",
        "splits per 1,000 inserts",
    ]);
    for row in rows {
        table.push_row([
            row.order.clone(),
            row.policy.clone(),
            row.height.to_string(),
            row.leaves.to_string(),
            format!("{:.3}", row.leaf_fill),
            format!("{:.3}", row.page_writes_per_insert),
            format!("{:.1}", row.splits_per_1000),
        ])?;
    }
    Ok(table)
}
