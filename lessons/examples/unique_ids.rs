//! The Rust code of `notebooks/02-unique-ids.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/unique_ids_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example unique_ids`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::ids::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::viz::{Corner, Figure, Heatmap};

    // cell
    let twitter = Layout::twitter();
    let tweet = 1_050_118_621_198_921_728_u64;
    let fields = twitter.decode(tweet)?;
    let created = twitter.created_at(tweet)?;
    println!("{fields:?}");
    println!(
        "created {} ms after 1970-01-01 UTC, i.e. {} ms after Twitter's epoch",
        created.as_nanos() / 1_000_000,
        fields.millis
    );

    /// One row per field, one column per bit (63 on the left): the bit's value where the bit
    /// belongs to the field, empty elsewhere.
    fn bit_grid(layout: Layout, id: u64) -> Vec<Vec<f64>> {
        let (t, m, s) = layout.widths();
        let ranges = [(t + m + s, 64), (m + s, t + m + s), (s, m + s), (0, s)];
        ranges
            .iter()
            .map(|&(low, high)| {
                (0..64)
                    .rev()
                    .map(|bit| {
                        if (low..high).contains(&bit) {
                            (id >> bit & 1) as f64
                        } else {
                            f64::NAN
                        }
                    })
                    .collect()
            })
            .collect()
    }

    let bit_labels: Vec<String> = (0..64)
        .rev()
        .map(|bit: u32| {
            if bit % 8 == 7 || bit == 0 {
                bit.to_string()
            } else {
                String::new()
            }
        })
        .collect();
    Heatmap::new("Tweet 1050118621198921728, bit by bit (yellow = 1)")
        .x_label("bit")
        .y_label("field")
        .columns(bit_labels)
        .rows([
            "unused",
            "milliseconds (41)",
            "machine (10)",
            "sequence (12)",
        ])
        .values(bit_grid(twitter, tweet))
        .size(900, 260)
        .show();

    // cell
    let mut layouts = Table::new([
        "layout",
        "bits: time + machine + sequence",
        "epoch (ms since 1970)",
        "IDs per ms per machine",
        "lifetime (years)",
    ]);
    for (name, layout) in [
        ("Twitter", Layout::twitter()),
        ("Discord", Layout::discord()),
        ("Instagram", Layout::instagram()),
    ] {
        let (t, m, s) = layout.widths();
        layouts.push_row([
            name.to_string(),
            format!("{t} + {m} + {s}"),
            (layout.epoch().as_nanos() / 1_000_000).to_string(),
            layout.ids_per_millisecond().to_string(),
            format!(
                "{:.1}",
                layout.lifetime().as_secs_f64() / (365.25 * 86_400.0)
            ),
        ])?;
    }
    layouts.evcxr_display();

    // cell
    let offered = [500, 1_000, 2_000, 3_000, 4_000, 4_096, 5_000, 6_000, 8_000];
    let rows = saturation(Layout::twitter(), &offered, 20)?;
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|row| (row.offered_per_ms as f64, row.issued_per_ms))
        .collect();
    Figure::new("One generator, Twitter's layout")
        .x_label("requests offered per ms")
        .y_label("IDs issued per ms")
        .line("issued", points)
        .legend_at(Corner::LowerRight)
        .show();
    Figure::new("Past the limit, requests queue")
        .x_label("requests offered per ms")
        .y_label("mean wait for an ID (µs), over a 20 ms run")
        .line(
            "mean wait",
            rows.iter()
                .map(|row| (row.offered_per_ms as f64, row.mean_wait_us)),
        )
        .legend_at(Corner::UpperLeft)
        .show();

    // cell
    let rollbacks = [
        1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000,
    ];
    let mut rollback_rows = Vec::new();
    for millis in rollbacks {
        rollback_rows.extend(rollback_trial(ms(millis))?);
    }

    fn by_policy(
        rows: &[RollbackRow],
        policy: &str,
        pick: fn(&RollbackRow) -> f64,
    ) -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|row| row.policy == policy)
            .map(|row| (row.rollback_ms, pick(row)))
            .collect()
    }

    Figure::new("The clock steps back: what each policy costs")
        .x_label("size of the step back (ms)")
        .y_label("duplicates, or ms")
        .line(
            "trust the clock: duplicate IDs",
            by_policy(&rollback_rows, "trust the clock", |row| {
                row.duplicates as f64
            }),
        )
        .line(
            "refuse and wait: longest wait (ms)",
            by_policy(&rollback_rows, "refuse and wait", |row| row.longest_wait_ms),
        )
        .line(
            "logical clock: IDs ahead of the clock (ms)",
            by_policy(&rollback_rows, "logical clock", |row| row.max_lead_ms),
        )
        .legend_at(Corner::UpperLeft)
        .show();
    let five_seconds: Vec<RollbackRow> = rollback_rows
        .iter()
        .filter(|row| row.rollback_ms == 5_000.0)
        .copied()
        .collect();
    Table::from_rows(&five_seconds)?.evcxr_display();

    // cell
    let skews = [0, 1, 2, 5, 10, 20, 50, 100, 200];
    let skew_rows: Vec<SkewRow> = skews
        .iter()
        .map(|&skew| skew_trial(8, ms(skew), 7))
        .collect::<Result<_, _>>()?;
    Figure::new("8 machines, IDs sorted against true issue order")
        .x_label("clock offsets drawn from ±skew (ms)")
        .y_label("percent of pairs out of order")
        .line(
            "inverted pairs (%)",
            skew_rows
                .iter()
                .map(|row| (row.skew_ms, row.inverted_fraction * 100.0)),
        )
        .legend_at(Corner::UpperLeft)
        .show();
    Figure::new("How far apart can two inverted IDs be?")
        .x_label("clock offsets drawn from ±skew (ms)")
        .y_label("largest true-time gap of an inverted pair (ms)")
        .line(
            "largest gap",
            skew_rows
                .iter()
                .map(|row| (row.skew_ms, row.max_inversion_ms)),
        )
        .line(
            "2 × skew + 1 ms",
            skews.iter().map(|&s| (s as f64, 2.0 * s as f64 + 1.0)),
        )
        .legend_at(Corner::UpperLeft)
        .show();
    Table::from_rows(&skew_rows)?.evcxr_display();

    // cell
    // Try it: pick a layout with fewer sequence bits (Sonyflake keeps 8) and predict how many
    // IDs per ms one generator can issue when 1,000 are offered per ms.
    let sequence_bits = 8;
    let prediction = 256.0;

    let layout = Layout::new(
        41,
        22 - sequence_bits,
        sequence_bits,
        Layout::twitter().epoch(),
    )?;
    let issued = saturation(layout, &[1_000], 50)?[0].issued_per_ms;
    println!("{sequence_bits} sequence bits: at most {issued} IDs in one ms");
    assert!(
        (issued - prediction).abs() <= prediction * 0.05,
        "{issued} per ms, not about {prediction}: a generator issues at most 2^sequence_bits per ms"
    );
    println!("Right: the sequence bits set the ceiling.");

    // end of cells
    assert_eq!((fields.machine, fields.sequence), (347, 0));
    assert_eq!(created, ms(1_539_202_764_211));
    assert_eq!(
        layouts
            .rows()
            .iter()
            .map(|row| (row[3].as_str(), row[4].as_str()))
            .collect::<Vec<_>>(),
        [("4096", "69.7"), ("4096", "139.4"), ("1024", "69.7")]
    );
    let row_at = |offered: u64| {
        rows.iter()
            .find(|row| row.offered_per_ms == offered)
            .unwrap()
    };
    assert_eq!(row_at(500).issued_per_ms, 500.0);
    assert_eq!(row_at(4_096).issued_per_ms, 4_096.0);
    assert_eq!(row_at(4_096).mean_wait_us, 0.0);
    assert_eq!(row_at(8_000).issued_per_ms, 4_096.0);
    assert_eq!(
        format!("{:.1}", row_at(5_000).mean_wait_us / 1_000.0),
        "1.7"
    );
    let five: Vec<(usize, f64, f64)> = five_seconds
        .iter()
        .map(|row| (row.duplicates, row.longest_wait_ms, row.max_lead_ms))
        .collect();
    assert_eq!(
        five,
        [(20_000, 0.0, 0.0), (0, 4_999.0, 0.0), (0, 0.0, 4_999.0)]
    );
    assert!(skew_rows.iter().all(|row| row.duplicates == 0));
    assert!(skew_rows[0].max_inversion_ms < 1.0);
    let widest = skew_rows.last().unwrap();
    assert_eq!(format!("{:.1}", widest.inverted_fraction * 100.0), "11.8");
    assert_eq!(widest.max_inversion_ms.round(), 364.0);
    assert!(
        skew_rows
            .iter()
            .all(|row| row.max_inversion_ms < 2.0 * row.skew_ms + 1.0)
    );
    assert_eq!(issued, 256.0);
    Ok(())
}
