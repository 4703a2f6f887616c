//! The lesson's pictures, built from the experiments' rows.

use super::consumer_group::{GroupRun, ThroughputRow};
use super::delivery::DeliveryRow;
use super::dual_write::DualWriteRow;
use super::event_sourcing::ReplayRow;
use super::outbox::RelayRow;
use super::payments::PaymentRow;
use super::producer::ProducerRow;
use super::projection::ProjectionRow;
use super::transform::TransformRow;
use super::windows::LatenessRow;
use crate::viz::{Corner, Figure};

/// The values of `rows` grouped by `name`, in the order names first appear, as
/// `(x, y)` points.
fn series<R>(
    rows: &[R],
    name: impl Fn(&R) -> String,
    point: impl Fn(&R) -> (f64, f64),
) -> Vec<(String, Vec<(f64, f64)>)> {
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for row in rows {
        let key = name(row);
        match groups.iter_mut().find(|(group, _)| *group == key) {
            Some((_, points)) => points.push(point(row)),
            None => groups.push((key, vec![point(row)])),
        }
    }
    groups
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// 12.1: for each strategy at loss rate `loss`, the share of messages lost, applied exactly once
/// and applied more than once, as bars side by side.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{delivery_experiment, delivery_figure};
///
/// let rows = delivery_experiment(&[0.1], 0.0, 0.05, 200, 1)?;
/// assert!(delivery_figure(&rows, 0.1).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn delivery_figure(rows: &[DeliveryRow], loss: f64) -> Figure {
    let at: Vec<&DeliveryRow> = rows.iter().filter(|row| row.loss == loss).collect();
    let bars = |value: fn(&DeliveryRow) -> usize| -> Vec<(String, f64)> {
        at.iter()
            .map(|row| (row.strategy.clone(), percent(value(row), row.messages)))
            .collect()
    };
    Figure::new(format!("One message, four strategies (loss {loss})"))
        .x_label("strategy")
        .y_label("messages (%)")
        .legend_at(Corner::UpperRight)
        .bars("lost", bars(|row| row.lost))
        .bars("exactly once", bars(|row| row.exactly_once))
        .bars("more than once", bars(|row| row.duplicated))
}

/// 12.1: messages not applied exactly once (lost or duplicated) against the loss rate, one line
/// per strategy.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{delivery_experiment, delivery_loss_figure};
///
/// let rows = delivery_experiment(&[0.0, 0.2], 0.0, 0.05, 200, 1)?;
/// assert!(delivery_loss_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn delivery_loss_figure(rows: &[DeliveryRow]) -> Figure {
    let mut figure = Figure::new("Wrong outcomes against loss")
        .x_label("loss rate of messages and acknowledgements")
        .y_label("messages lost or applied twice (%)")
        .legend_at(Corner::UpperLeft);
    let groups = series(
        rows,
        |row| row.strategy.clone(),
        |row| (row.loss, percent(row.lost + row.duplicated, row.messages)),
    );
    for (name, points) in groups {
        figure = figure.line(name, points);
    }
    figure
}

/// 12.2: duplicate charges per 10,000 payments against the retry rate, one line per variant.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{PaymentLoad, PaymentVariant, payment_experiment, payment_figure};
/// use lessons::sim::{Latency, ms, secs};
///
/// let load = PaymentLoad::new(Latency::log_normal(secs(1), 1.5), Latency::log_normal(ms(300), 0.5), 0.0)?;
/// let rows = payment_experiment(&[PaymentVariant::careful(secs(60))], &[0.01, 0.05], &load, 1_000, 1)?;
/// assert!(payment_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn payment_figure(rows: &[PaymentRow]) -> Figure {
    let mut figure = Figure::new("Duplicate charges against the retry rate")
        .x_label("payments whose client retries (%)")
        .y_label("duplicate charges per 10,000 payments")
        .legend_at(Corner::UpperLeft);
    let groups = series(
        rows,
        |row| row.variant.clone(),
        |row| (100.0 * row.retry_rate, row.per_10k),
    );
    for (name, points) in groups {
        figure = figure.line(name, points);
    }
    figure
}

/// 12.2: duplicate charges per 10,000 payments against the key TTL (log scale).
///
/// # Examples
///
/// ```
/// use lessons::messaging::{PaymentLoad, PaymentVariant, payment_experiment, ttl_figure};
/// use lessons::sim::{Latency, ms, secs};
///
/// let load = PaymentLoad::new(Latency::log_normal(secs(1), 1.5), Latency::log_normal(ms(300), 0.5), 0.0)?;
/// let variants = [PaymentVariant::careful(secs(1)), PaymentVariant::careful(secs(60))];
/// let rows = payment_experiment(&variants, &[0.01], &load, 1_000, 1)?;
/// assert!(ttl_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ttl_figure(rows: &[PaymentRow]) -> Figure {
    let mut figure = Figure::new("Retries that outlive their key")
        .x_label("key TTL (s)")
        .y_label("duplicate charges per 10,000 payments")
        .log_x()
        .legend_at(Corner::UpperRight);
    let groups = series(
        rows,
        |row| format!("{:.0}% of clients retry", 100.0 * row.retry_rate),
        |row| (row.key_ttl_s, row.per_10k),
    );
    for (name, points) in groups {
        figure = figure.line(name, points);
    }
    figure
}

/// 12.3: how far the database and the broker disagree under each write approach.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{dual_write_experiment, dual_write_figure};
///
/// let rows = dual_write_experiment(1_000, 0.01, 0.01, 1)?;
/// assert!(dual_write_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dual_write_figure(rows: &[DualWriteRow]) -> Figure {
    let bars = |value: fn(&DualWriteRow) -> usize| -> Vec<(String, f64)> {
        rows.iter()
            .map(|row| (row.approach.clone(), value(row) as f64))
            .collect()
    };
    Figure::new("Database and broker: where they disagree")
        .x_label("approach")
        .y_label("orders")
        .legend_at(Corner::UpperRight)
        .bars("row, no event", bars(|row| row.rows_without_event))
        .bars("event, no row", bars(|row| row.events_without_row))
        .bars("duplicate event", bars(|row| row.duplicate_events))
}

/// 12.3: the outbox's commit-to-publish latency (mean and p99) against the poll interval.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{RelaySetup, poll_interval_experiment, relay_latency_figure};
/// use lessons::sim::ms;
///
/// let rows = poll_interval_experiment(&RelaySetup::new(200, ms(100))?, &[ms(10), ms(100)], 1)?;
/// assert!(relay_latency_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn relay_latency_figure(rows: &[RelayRow]) -> Figure {
    let points = |value: fn(&RelayRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .map(|row| (row.poll_interval_ms, value(row)))
            .collect()
    };
    Figure::new("Outbox relay: event latency against the poll interval")
        .x_label("poll interval (ms)")
        .y_label("commit to publish (ms)")
        .log_x()
        .log_y()
        .legend_at(Corner::UpperLeft)
        .line("mean", points(|row| row.mean_latency_ms))
        .line("p99", points(|row| row.p99_latency_ms))
}

/// 12.4: copies in the partition logs per 1,000 records against the loss rate, with and without
/// the broker's sequence check.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{producer_experiment, producer_figure};
///
/// let rows = producer_experiment(&[0.0, 0.1], 1_000, 3, 1)?;
/// assert!(producer_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn producer_figure(rows: &[ProducerRow]) -> Figure {
    let mut figure = Figure::new("Producer retries: copies in the log")
        .x_label("loss rate of requests and acknowledgements")
        .y_label("duplicate records per 1,000 sent")
        .legend_at(Corner::UpperLeft);
    let groups = series(
        rows,
        |row| {
            if row.idempotent {
                "sequence numbers (idempotent producer)".to_string()
            } else {
                "no sequence numbers".to_string()
            }
        },
        |row| {
            (
                row.loss,
                1_000.0 * row.duplicates as f64 / row.records as f64,
            )
        },
    );
    for (name, points) in groups {
        figure = figure.line(name, points);
    }
    figure
}

/// 12.4: inputs not reflected exactly once in the output (read committed) against the crash
/// rate, one line per offset-commit mode.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{transform_experiment, transform_figure};
///
/// let rows = transform_experiment(&[0.0, 0.05], 1_000, 1)?;
/// assert!(transform_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn transform_figure(rows: &[TransformRow]) -> Figure {
    let mut figure = Figure::new("Consume, transform, produce: where the offset commit goes")
        .x_label("crash probability between output and commit")
        .y_label("inputs missing or duplicated in the output (%)")
        .legend_at(Corner::UpperLeft);
    let groups = series(
        rows,
        |row| row.mode.clone(),
        |row| (row.crash, percent(row.missing + row.duplicated, row.inputs)),
    );
    for (name, points) in groups {
        figure = figure.line(name, points);
    }
    figure
}

/// 12.6: lag over time, one line per named run.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{GroupSetup, group_run, lag_figure};
/// use lessons::sim::secs;
///
/// let run = group_run(&GroupSetup::new(6, 3, 1_000.0, 400.0, secs(10))?, 1)?;
/// assert!(lag_figure(&[("3 consumers", &run)]).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lag_figure(runs: &[(&str, &GroupRun)]) -> Figure {
    let mut figure = Figure::new("Consumer lag over time")
        .x_label("time (s)")
        .y_label("records produced, not yet consumed")
        .legend_at(Corner::UpperLeft);
    for (name, run) in runs {
        let points = run
            .samples
            .iter()
            .map(|sample| (sample.time_s, sample.lag as f64));
        figure = figure.line(*name, points);
    }
    figure
}

/// 12.6: records consumed per second against the group size, for a fixed partition count.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{throughput_experiment, throughput_figure};
/// use lessons::sim::secs;
///
/// let rows = throughput_experiment(4, &[1, 2, 4, 8], 10_000.0, 500.0, secs(5), 1)?;
/// assert!(throughput_figure(&rows, 4).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn throughput_figure(rows: &[ThroughputRow], partitions: usize) -> Figure {
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|row| (row.consumers as f64, row.throughput))
        .collect();
    Figure::new(format!("Group throughput, {partitions} partitions"))
        .x_label("consumers in the group")
        .y_label("records consumed per second")
        .legend_at(Corner::LowerRight)
        .line("throughput", points.clone())
        .points("one run per group size", points)
}

/// 12.5: events replayed on recovery against the log length, one line per snapshot interval.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{replay_experiment, replay_figure};
///
/// let rows = replay_experiment(&[1_000, 10_000], &[None, Some(1_000)], 1)?;
/// assert!(replay_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replay_figure(rows: &[ReplayRow]) -> Figure {
    let mut figure = Figure::new("Recovery: events replayed")
        .x_label("events in the log")
        .y_label("events replayed")
        .log_x()
        .legend_at(Corner::UpperLeft);
    let groups = series(
        rows,
        |row| match row.snapshot_every {
            0 => "no snapshots".to_string(),
            every => format!("snapshot every {every}"),
        },
        |row| (row.log_length as f64, row.events_replayed as f64),
    );
    for (name, points) in groups {
        figure = figure.line(name, points);
    }
    figure
}

/// 12.5: the read model's lag behind the write side over time.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{projection_figure, projection_run};
/// use lessons::sim::secs;
///
/// let rows = projection_run(100.0, &[(secs(2), secs(4), 500.0)], 300.0, secs(10))?;
/// assert!(projection_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn projection_figure(rows: &[ProjectionRow]) -> Figure {
    let points = |value: fn(&ProjectionRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter().map(|row| (row.time_s, value(row))).collect()
    };
    Figure::new("CQRS: the read model behind the write model")
        .x_label("time (s)")
        .y_label("events not yet in the read model")
        .legend_at(Corner::UpperRight)
        .line("lag", points(|row| row.lag as f64))
}

/// 12.7: the lateness trade-off: for each allowed lateness, the median delay of a window's
/// result against the share of events dropped as late.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{lateness_experiment, lateness_figure};
/// use lessons::sim::{Latency, ms};
///
/// let rows = lateness_experiment(&[ms(0), ms(1_000)], ms(1_000), &Latency::log_normal(ms(200), 1.0), 1)?;
/// assert!(lateness_figure(&rows).to_svg().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lateness_figure(rows: &[LatenessRow]) -> Figure {
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter(|row| row.windows != "processing time")
        .map(|row| (row.p50_result_delay_ms, percent(row.dropped, 20_000)))
        .collect();
    Figure::new("Allowed lateness: waiting against dropping")
        .x_label("median delay of a window's result after its end (ms)")
        .y_label("events dropped as late (%)")
        .legend_at(Corner::UpperRight)
        .line("one point per allowed lateness L", points.clone())
        .points("L", points)
}
