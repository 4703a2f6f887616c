//! The lesson's figures and tables, built from its experiments' rows so that a notebook cell
//! runs an experiment and shows the picture without plotting code of its own.

use serde::Serialize;

use super::birthday::{CollisionRow, collision_probability};
use super::error::IdError;
use super::experiments::{RollbackRow, SkewRow};
use super::snowflake::Layout;
use super::ulid::Ulid;
use super::uuid::Uuid;
use crate::viz::{Figure, Heatmap};

/// The 64 bits of `id` under `layout`, one row per field (unused bit, time, machine,
/// sequence), one column per bit with bit 63 on the left: 1 or 0 where the bit belongs to the
/// field, empty elsewhere.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Layout, id_bits_heatmap};
///
/// let heatmap = id_bits_heatmap(Layout::twitter(), 1_050_118_621_198_921_728, "a tweet");
/// assert!(heatmap.to_svg().is_ok());
/// ```
pub fn id_bits_heatmap(layout: Layout, id: u64, title: &str) -> Heatmap {
    let (time, machine, sequence) = layout.widths();
    let fields = [
        (time + machine + sequence, 64),
        (machine + sequence, time + machine + sequence),
        (sequence, machine + sequence),
        (0, sequence),
    ];
    let grid: Vec<Vec<f64>> = fields
        .iter()
        .map(|&(low, high)| {
            (0..64u32)
                .rev()
                .map(|bit| match (low..high).contains(&bit) {
                    true => (id >> bit & 1) as f64,
                    false => f64::NAN,
                })
                .collect()
        })
        .collect();
    let bit_labels: Vec<String> = (0..64u32)
        .rev()
        .map(|bit| match bit % 8 == 7 || bit == 0 {
            true => bit.to_string(),
            false => String::new(),
        })
        .collect();
    Heatmap::new(title)
        .x_label("bit")
        .y_label("field")
        .columns(bit_labels)
        .rows([
            "unused".to_string(),
            format!("milliseconds ({time})"),
            format!("machine ({machine})"),
            format!("sequence ({sequence})"),
        ])
        .values(grid)
        .size(900, 260)
}

/// `(step back in ms, value)` for the rows of one policy.
fn by_policy(rows: &[RollbackRow], policy: &str, pick: fn(&RollbackRow) -> f64) -> Vec<(f64, f64)> {
    rows.iter()
        .filter(|row| row.policy == policy)
        .map(|row| (row.rollback_ms, pick(row)))
        .collect()
}

/// Duplicate IDs issued by the "trust the clock" policy against the size of the step back,
/// on log axes (steps without a duplicate cannot be placed on them and are left out).
///
/// # Examples
///
/// ```
/// use lessons::ids::{rollback_duplicates_figure, rollback_trial};
/// use lessons::sim::ms;
///
/// let rows = rollback_trial(ms(100))?;
/// assert!(rollback_duplicates_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn rollback_duplicates_figure(rows: &[RollbackRow]) -> Figure {
    Figure::new("Trusting the clock: duplicate IDs after a step back")
        .x_label("size of the step back (ms)")
        .y_label("duplicate IDs")
        .log_x()
        .log_y()
        .line(
            "trust the clock",
            by_policy(rows, "trust the clock", |row| row.duplicates as f64),
        )
}

/// What the two other policies cost in time against the size of the step back, on log axes:
/// the longest wait of "refuse and wait" and how far "logical clock" runs ahead of the clock.
///
/// # Examples
///
/// ```
/// use lessons::ids::{rollback_delay_figure, rollback_trial};
/// use lessons::sim::ms;
///
/// let rows = rollback_trial(ms(100))?;
/// assert!(rollback_delay_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn rollback_delay_figure(rows: &[RollbackRow]) -> Figure {
    Figure::new("Refusing or running ahead: time lost after a step back")
        .x_label("size of the step back (ms)")
        .y_label("ms")
        .log_x()
        .log_y()
        .line(
            "refuse and wait: longest wait",
            by_policy(rows, "refuse and wait", |row| row.longest_wait_ms),
        )
        .line(
            "logical clock: IDs ahead of the clock",
            by_policy(rows, "logical clock", |row| row.max_lead_ms),
        )
}

/// The percentage of ID pairs whose order differs from the true issue order, against the
/// clock skew, one point per row of [`skew_trial`](super::skew_trial).
///
/// # Examples
///
/// ```
/// use lessons::ids::{inversions_figure, skew_trial};
/// use lessons::sim::ms;
///
/// let row = skew_trial(4, ms(10), 7)?;
/// assert!(inversions_figure(&[row]).to_svg().is_ok());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn inversions_figure(rows: &[SkewRow]) -> Figure {
    Figure::new("IDs sorted against true issue order")
        .x_label("clock offsets drawn from ±skew (ms)")
        .y_label("percent of pairs out of order")
        .line(
            "inverted pairs (%)",
            rows.iter()
                .map(|row| (row.skew_ms, row.inverted_fraction * 100.0)),
        )
}

/// The largest true-time gap between two inverted IDs against the skew, with the bound
/// 2 × skew + 1 ms.
///
/// # Examples
///
/// ```
/// use lessons::ids::{inversion_gap_figure, skew_trial};
/// use lessons::sim::ms;
///
/// let row = skew_trial(4, ms(10), 7)?;
/// assert!(inversion_gap_figure(&[row]).to_svg().is_ok());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn inversion_gap_figure(rows: &[SkewRow]) -> Figure {
    Figure::new("How far apart can two inverted IDs be?")
        .x_label("clock offsets drawn from ±skew (ms)")
        .y_label("largest true-time gap of an inverted pair (ms)")
        .line(
            "largest gap",
            rows.iter().map(|row| (row.skew_ms, row.max_inversion_ms)),
        )
        .line(
            "2 × skew + 1 ms",
            rows.iter()
                .map(|row| (row.skew_ms, 2.0 * row.skew_ms + 1.0)),
        )
}

/// One ID format in the comparison table.
///
/// # Examples
///
/// ```
/// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator, Ulid, Uuid, id_formats};
/// use lessons::sim::{Rng, ms};
///
/// let mut rng = Rng::new(2);
/// let (v4, v7, ulid) = (Uuid::v4(&mut rng), Uuid::v7(0, &mut rng)?, Ulid::new(0, &mut rng)?);
/// let snowflake = SnowflakeGenerator::new(Layout::twitter(), 1, OnClockBackwards::Refuse)?
///     .next_id(ms(1_288_834_974_657))?;
/// let rows = id_formats(snowflake, v4, v7, ulid);
/// assert_eq!((rows[2].format, rows[2].text_length), ("UUIDv4", 36));
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormatRow {
    /// The format's name.
    pub format: &'static str,
    /// Bits in an ID.
    pub bits: u32,
    /// Bits chosen at random.
    #[serde(rename = "random bits")]
    pub random_bits: u32,
    /// Whether, and how, the IDs sort by creation time.
    #[serde(rename = "sorts by time?")]
    pub sorts_by_time: &'static str,
    /// Characters in the ID's usual text form.
    #[serde(rename = "text length")]
    pub text_length: usize,
    /// The example, as text.
    pub example: String,
}

/// The comparison of ID formats, with the given IDs as examples (and 1000 for the
/// auto-increment counter).
///
/// # Examples
///
/// ```
/// use lessons::ids::{Layout, OnClockBackwards, SnowflakeGenerator, Ulid, Uuid, id_formats};
/// use lessons::sim::{Rng, ms};
///
/// let mut rng = Rng::new(2);
/// let (v4, v7, ulid) = (Uuid::v4(&mut rng), Uuid::v7(0, &mut rng)?, Ulid::new(0, &mut rng)?);
/// let snowflake = SnowflakeGenerator::new(Layout::twitter(), 1, OnClockBackwards::Refuse)?
///     .next_id(ms(1_288_834_974_657))?;
/// let lengths: Vec<usize> = id_formats(snowflake, v4, v7, ulid).iter().map(|row| row.text_length).collect();
/// assert_eq!(lengths, [4, 4, 36, 36, 26]);
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn id_formats(snowflake: u64, v4: Uuid, v7: Uuid, ulid: Ulid) -> Vec<FormatRow> {
    let by_ms = "by ms; random within one ms";
    [
        (
            "auto-increment",
            64,
            0,
            "yes: one counter",
            "1000".to_string(),
        ),
        (
            "Snowflake (Twitter)",
            64,
            0,
            "by ms, then by machine",
            snowflake.to_string(),
        ),
        ("UUIDv4", 128, Uuid::V4_RANDOM_BITS, "no", v4.to_string()),
        ("UUIDv7", 128, Uuid::V7_RANDOM_BITS, by_ms, v7.to_string()),
        ("ULID", 128, Ulid::RANDOM_BITS, by_ms, ulid.to_string()),
    ]
    .into_iter()
    .map(
        |(format, bits, random_bits, sorts_by_time, example)| FormatRow {
            format,
            bits,
            random_bits,
            sorts_by_time,
            text_length: example.len(),
            example,
        },
    )
    .collect()
}

/// The chance of at least one collision among n random IDs for each named space of values,
/// on log axes, n from 10 to 10^20.
///
/// # Errors
///
/// As [`collision_probability`], for a space smaller than 1.
///
/// # Examples
///
/// ```
/// use lessons::ids::birthday_figure;
///
/// assert!(birthday_figure(&[("UUIDv4", 2f64.powi(122))])?.to_svg().is_ok());
/// assert!(birthday_figure(&[("nothing", 0.0)]).is_err());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn birthday_figure(spaces: &[(&str, f64)]) -> Result<Figure, IdError> {
    let mut figure = Figure::new("Chance of at least one collision among n random IDs")
        .x_label("number of IDs n")
        .y_label("probability of a collision")
        .log_x()
        .log_y();
    for &(name, space) in spaces {
        let mut points = Vec::new();
        for step in 2..=40 {
            let n = 10f64.powf(step as f64 / 2.0);
            points.push((n, collision_probability(n, space)?));
        }
        figure = figure.line(name, points);
    }
    Ok(figure)
}

/// Colliding pairs per trial against the number of codes drawn: counted, and n(n−1)/2N, one
/// point per row of [`collision_trial`](super::collision_trial).
///
/// # Examples
///
/// ```
/// use lessons::ids::{colliding_pairs_figure, collision_trial};
///
/// let rows = collision_trial(3_844, &[10, 50], 100, 5)?;
/// assert!(colliding_pairs_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn colliding_pairs_figure(rows: &[CollisionRow]) -> Figure {
    let (space, trials) = rows.first().map_or((0, 0), |row| (row.space, row.trials));
    Figure::new(format!(
        "Random codes ({space} values), {trials} trials per point"
    ))
    .x_label("codes drawn")
    .y_label("colliding pairs per trial")
    .line(
        "n(n-1)/2N",
        rows.iter().map(|row| (row.ids as f64, row.expected_pairs)),
    )
    .points(
        "counted",
        rows.iter().map(|row| (row.ids as f64, row.observed_pairs)),
    )
}

/// The fraction of trials with at least one collision against the number of codes drawn,
/// with the birthday bound.
///
/// # Examples
///
/// ```
/// use lessons::ids::{any_collision_figure, collision_trial};
///
/// let rows = collision_trial(3_844, &[10, 50], 100, 5)?;
/// assert!(any_collision_figure(&rows).to_svg().is_ok());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn any_collision_figure(rows: &[CollisionRow]) -> Figure {
    Figure::new("The same trials: was there any collision?")
        .x_label("codes drawn")
        .y_label("probability of at least one collision")
        .line(
            "birthday bound",
            rows.iter()
                .map(|row| (row.ids as f64, row.predicted_probability)),
        )
        .points(
            "fraction of trials",
            rows.iter()
                .map(|row| (row.ids as f64, row.observed_probability)),
        )
}
