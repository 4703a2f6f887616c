//! The tables and figures of stampedes, mass expiry and penetration, built from the
//! experiments' rows.

use super::avalanche::ExpiryRow;
use super::penetration::PenetrationRow;
use super::stampede::{LoadRow, StampedeRow};
use crate::table::{Table, TableError};
use crate::viz::{Figure, groups};

/// The summary rows of [`stampede_experiment`](super::stampede_experiment) as a table.
///
/// # Examples
///
/// ```
/// use lessons::caching::{HotKey, RefreshStrategy, stampede_experiment, stampede_table};
/// use lessons::sim::{ms, secs};
///
/// let key = HotKey { requests_per_second: 1_000.0, ttl: secs(1), fetch: ms(100), duration: ms(1_500) };
/// let run = stampede_experiment(key, &[RefreshStrategy::Singleflight], ms(10), 1)?;
/// assert_eq!(stampede_table(&run.summary)?.rows()[0][1], "1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stampede_table(rows: &[StampedeRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "strategy",
        "DB queries",
        "most per refill",
        "misses in one expiry",
        "stale reads",
        "mean wait (ms)",
        "longest wait (ms)",
    ]);
    for row in rows {
        table.push_row([
            row.strategy.clone(),
            row.db_queries.to_string(),
            row.most_queries_per_refill.to_string(),
            row.most_misses_per_refill.to_string(),
            row.stale_reads.to_string(),
            format!("{:.2}", row.mean_wait_ms),
            format!("{:.0}", row.max_wait_ms),
        ])?;
    }
    Ok(table)
}

/// The rows of [`penetration_experiment`](super::penetration_experiment) as a table.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Penetration, PenetrationDefense, penetration_experiment, penetration_table};
/// use lessons::sim::secs;
///
/// let attack = Penetration { valid_keys: 1_000, attack_per_second: 100.0, legit_per_second: 10.0, duration: secs(10) };
/// let rows = penetration_experiment(attack, &[100], &[PenetrationDefense::none()], 1)?;
/// assert_eq!(penetration_table(&rows)?.rows()[0][0], "no defense");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn penetration_table(rows: &[PenetrationRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "defense",
        "absent keys",
        "DB queries/s",
        "predicted/s",
        "nulls cached",
        "valid keys refused",
    ]);
    for row in rows {
        table.push_row([
            row.defense.clone(),
            row.absent_keys.to_string(),
            format!("{:.1}", row.db_queries_per_second),
            format!("{:.1}", row.predicted_per_second),
            row.nulls_cached.to_string(),
            row.legit_blocked.to_string(),
        ])?;
    }
    Ok(table)
}

/// Database queries per second against time, one series of points per strategy (log y), for
/// the load rows of [`stampede_experiment`](super::stampede_experiment).
///
/// # Examples
///
/// ```
/// use lessons::caching::{HotKey, RefreshStrategy, stampede_experiment, stampede_figure};
/// use lessons::sim::{ms, secs};
///
/// let key = HotKey { requests_per_second: 1_000.0, ttl: secs(1), fetch: ms(100), duration: ms(1_500) };
/// let run = stampede_experiment(key, &[RefreshStrategy::NoProtection], ms(10), 1)?;
/// assert!(stampede_figure(&run.load).to_svg()?.contains("no protection"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stampede_figure(load: &[LoadRow]) -> Figure {
    let mut figure = Figure::new("Database queries around a hot key's expiry")
        .x_label("time (s); one point per time bucket with queries")
        .y_label("database queries per second")
        .log_y();
    for strategy in groups(load, |row| row.strategy.clone()) {
        // One query and ten thousand share the axis only on a log scale, which has no 0:
        // quiet buckets are left out.
        let mine = load
            .iter()
            .filter(|row| row.strategy == strategy && row.queries_per_second > 0.0);
        figure = figure.points(
            strategy.clone(),
            mine.map(|row| (row.time_s, row.queries_per_second)),
        );
    }
    figure
}

/// Expirations per second against time, one line per jitter, for the rows of
/// [`mass_expiry_experiment`](super::mass_expiry_experiment).
///
/// # Examples
///
/// ```
/// use lessons::caching::{MassExpiry, mass_expiry_experiment, mass_expiry_figure};
/// use lessons::sim::{Time, secs};
///
/// let cache = MassExpiry { keys: 10_000, ttl: secs(3_600), warmup: secs(10), jitter: Time::ZERO };
/// let rows = mass_expiry_experiment(cache, &[Time::ZERO, secs(600)], secs(10), 1)?;
/// assert!(mass_expiry_figure(&rows).to_svg()?.contains("jitter 600 s"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn mass_expiry_figure(rows: &[ExpiryRow]) -> Figure {
    let mut figure = Figure::new("Expirations per second after a warm-up, with and without jitter")
        .x_label("time since warm-up started (s)")
        .y_label("expirations per second")
        .log_y();
    for jitter in groups(rows, |row| row.jitter_s.to_bits()) {
        let jitter = f64::from_bits(jitter);
        // A log axis has no 0: empty buckets are left out.
        let mine = rows
            .iter()
            .filter(|row| row.jitter_s == jitter && row.expirations > 0);
        figure = figure.step(
            format!("jitter {jitter} s"),
            mine.map(|row| (row.time_s, row.per_second)),
        );
    }
    figure
}

/// Database queries per second against the attacker's number of distinct absent keys, one
/// line per defense, measured (points) and predicted (lines), log-log, for the rows of
/// [`penetration_experiment`](super::penetration_experiment). Zero loads are left out (a log
/// axis has no 0).
///
/// # Examples
///
/// ```
/// use lessons::caching::{Penetration, PenetrationDefense, penetration_experiment, penetration_figure};
/// use lessons::sim::secs;
///
/// let attack = Penetration { valid_keys: 1_000, attack_per_second: 100.0, legit_per_second: 0.0, duration: secs(10) };
/// let rows = penetration_experiment(attack, &[100, 10_000], &[PenetrationDefense::none()], 1)?;
/// assert!(penetration_figure(&rows).to_svg()?.contains("no defense"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn penetration_figure(rows: &[PenetrationRow]) -> Figure {
    let mut figure = Figure::new("Database load under a penetration attack")
        .x_label("distinct absent keys the attacker asks for")
        .y_label("database queries per second")
        .log_x()
        .log_y();
    for defense in groups(rows, |row| row.defense.clone()) {
        let mine: Vec<&PenetrationRow> = rows.iter().filter(|row| row.defense == defense).collect();
        let positive = |value: f64| value > 0.0;
        figure = figure
            .points(
                format!("{defense}, measured"),
                mine.iter()
                    .filter(|row| positive(row.db_queries_per_second))
                    .map(|row| (row.absent_keys as f64, row.db_queries_per_second)),
            )
            .line(
                format!("{defense}, predicted"),
                mine.iter()
                    .filter(|row| positive(row.predicted_per_second))
                    .map(|row| (row.absent_keys as f64, row.predicted_per_second)),
            );
    }
    figure
}
