//! Many order sagas under random failure schedules: how they end, what they did twice, which
//! invariants broke, and what readers saw while they ran.

use serde::Serialize;

use super::saga::{SagaConfig, SagaOutcome, SagaRun, SagaSchedule, SagaStep, run_saga};
use crate::sim::{Rng, SimError};
use crate::viz::Figure;

/// The most sagas one experiment point runs.
const MAX_SAGAS: usize = 100_000;

/// How `sagas` sagas under one configuration and one failure rate ended.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaConfig, saga_experiment};
///
/// let rows = saga_experiment(&[SagaConfig::default()], &[0.0], 0.0, 0.0, 100, 1)?;
/// assert_eq!((rows[0].completed, rows[0].mean_duration_ms), (100, 40.0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaRow {
    /// The configuration, in words.
    pub config: String,
    /// Probability that an attempt's request or reply is lost.
    pub failure: f64,
    /// Sagas run.
    pub sagas: usize,
    /// Sagas in which every step took effect.
    pub completed: usize,
    /// Sagas whose applied steps were all undone.
    pub compensated: usize,
    /// Sagas left for a person to sort out.
    pub stuck: usize,
    /// Effects that happened more than once, and undos of steps that never happened.
    pub double_effects: usize,
    /// Sagas in which the card stood charged, at some moment, with no stock reserved.
    pub charged_without_reservation: usize,
    /// Sagas that ended with the parcel shipped and the card not charged.
    pub shipped_unpaid: usize,
    /// Sagas with a compensation after the shipment.
    pub undone_after_pivot: usize,
    /// Orchestrator crashes.
    pub crashes: usize,
    /// Mean time from the first request to the last reply, in ms.
    pub mean_duration_ms: f64,
}

/// The failure schedule of saga number `index` at one failure rate: the same for every
/// configuration, so rows differ only by the configuration.
fn schedule(
    failure: f64,
    refusal: f64,
    crash: f64,
    seed: u64,
    index: usize,
) -> Result<SagaSchedule, SimError> {
    let saga_seed = Rng::derive(seed, &[failure.to_bits(), index as u64]).next_u64();
    SagaSchedule::random(failure, refusal, crash, saga_seed)
}

/// Runs `sagas` sagas for each configuration and each failure rate (a lost request or reply
/// per attempt), with a reserve or charge refused with probability `refusal` and the
/// orchestrator crashing while it waits for a reply with probability `crash`.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaConfig, saga_experiment};
///
/// let rows = saga_experiment(&[SagaConfig::default()], &[0.3], 0.05, 0.01, 1_000, 1)?;
/// assert_eq!(rows[0].completed + rows[0].compensated + rows[0].stuck, 1_000);
/// assert_eq!(rows[0].double_effects, 0);
/// assert!(saga_experiment(&[SagaConfig::default()], &[0.3], 0.05, 0.01, 0, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn saga_experiment(
    configs: &[SagaConfig],
    failures: &[f64],
    refusal: f64,
    crash: f64,
    sagas: usize,
    seed: u64,
) -> Result<Vec<SagaRow>, SimError> {
    if !(1..=MAX_SAGAS).contains(&sagas) {
        return Err(SimError::parameter("sagas", sagas, "from 1 to 100,000"));
    }
    let mut rows = Vec::new();
    for config in configs {
        for &failure in failures {
            let mut row = SagaRow {
                config: config.to_string(),
                failure,
                sagas,
                completed: 0,
                compensated: 0,
                stuck: 0,
                double_effects: 0,
                charged_without_reservation: 0,
                shipped_unpaid: 0,
                undone_after_pivot: 0,
                crashes: 0,
                mean_duration_ms: 0.0,
            };
            let mut total_ms = 0;
            for index in 0..sagas {
                let run = run_saga(*config, &schedule(failure, refusal, crash, seed, index)?)?;
                count(&mut row, &run);
                total_ms += run.duration_ms;
            }
            row.mean_duration_ms = (total_ms as f64 / sagas as f64 * 10.0).round() / 10.0;
            rows.push(row);
        }
    }
    Ok(rows)
}

fn count(row: &mut SagaRow, run: &SagaRun) {
    match run.outcome {
        SagaOutcome::Completed => row.completed += 1,
        SagaOutcome::Compensated => row.compensated += 1,
        SagaOutcome::Stuck => row.stuck += 1,
    }
    row.double_effects += run.double_effects();
    row.charged_without_reservation += usize::from(run.charged_without_reservation());
    let end = run.state_at(u64::MAX);
    row.shipped_unpaid +=
        usize::from(end.contains(&SagaStep::Ship) && !end.contains(&SagaStep::Charge));
    row.undone_after_pivot += usize::from(run.undone_after_pivot());
    row.crashes += run.crashes;
}

/// Share of sagas completed, compensated and stuck against the failure rate, one set of lines
/// per configuration.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaConfig, saga_experiment, saga_outcome_figure};
///
/// let rows = saga_experiment(&[SagaConfig::default()], &[0.0, 0.5], 0.05, 0.0, 100, 1)?;
/// assert!(saga_outcome_figure(&rows).to_svg()?.contains("stuck"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn saga_outcome_figure(rows: &[SagaRow]) -> Figure {
    let mut figure = Figure::new("How order sagas end")
        .x_label("probability that a request or its reply is lost")
        .y_label("share of sagas");
    for config in crate::viz::groups(rows, |row| row.config.clone()) {
        let mine: Vec<&SagaRow> = rows.iter().filter(|row| row.config == config).collect();
        for outcome in ["completed", "compensated", "stuck"] {
            let points = mine.iter().map(|row| {
                let count = match outcome {
                    "completed" => row.completed,
                    "compensated" => row.compensated,
                    _ => row.stuck,
                };
                (row.failure, count as f64 / row.sagas as f64)
            });
            figure = figure.line(format!("{config}: {outcome}"), points);
        }
    }
    figure
}

/// What readers of the order's data saw while sagas ran, at one failure rate.
///
/// # Examples
///
/// ```
/// use lessons::transactions::saga_read_experiment;
///
/// let rows = saga_read_experiment(&[0.0], 0.0, 100, 10, 1)?;
/// assert_eq!((rows[0].reads, rows[0].later_undone), (1_000, 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaReadRow {
    /// Probability that an attempt's request or reply is lost.
    pub failure: f64,
    /// Reads, each at a uniformly random moment while its saga ran.
    pub reads: usize,
    /// Reads that saw a state other than the saga's final one.
    pub intermediate: usize,
    /// Reads that saw a step that was undone later: a state that, for the saga, never
    /// happened.
    pub later_undone: usize,
}

/// `readers` reads of the order's data (which steps are in effect) during each of `sagas`
/// orchestrated sagas, for each failure rate, with reserve and charge refused with
/// probability `refusal`. Nothing isolates a saga: each step commits on its own.
///
/// # Examples
///
/// ```
/// use lessons::transactions::saga_read_experiment;
///
/// let rows = saga_read_experiment(&[0.2], 0.05, 1_000, 10, 1)?;
/// assert!(rows[0].later_undone > 0 && rows[0].later_undone < rows[0].intermediate);
/// assert!(saga_read_experiment(&[0.2], 0.05, 1_000, 0, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn saga_read_experiment(
    failures: &[f64],
    refusal: f64,
    sagas: usize,
    readers: usize,
    seed: u64,
) -> Result<Vec<SagaReadRow>, SimError> {
    if !(1..=MAX_SAGAS).contains(&sagas) || !(1..=100).contains(&readers) {
        return Err(SimError::parameter(
            "sagas / readers",
            format!("{sagas} / {readers}"),
            "from 1 to 100,000 sagas and 1 to 100 readers per saga",
        ));
    }
    let mut rows = Vec::new();
    for &failure in failures {
        let mut row = SagaReadRow {
            failure,
            reads: 0,
            intermediate: 0,
            later_undone: 0,
        };
        let mut rng = Rng::derive(seed, &[failure.to_bits()]);
        for index in 0..sagas {
            let plan = schedule(failure, refusal, 0.0, seed, index)?;
            let run = run_saga(SagaConfig::default(), &plan)?;
            let end = run.state_at(u64::MAX);
            for _ in 0..readers {
                let at = rng.below(run.duration_ms.max(1));
                let seen = run.state_at(at);
                row.reads += 1;
                row.intermediate += usize::from(seen != end);
                let undone_later = |step: &SagaStep| {
                    run.effects
                        .iter()
                        .any(|e| e.undo && e.step == *step && e.at_ms > at)
                };
                row.later_undone += usize::from(seen.iter().any(undone_later));
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Reads of intermediate states, and of states later undone, per 1,000 reads, against the
/// failure rate.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{saga_read_experiment, saga_read_figure};
///
/// let rows = saga_read_experiment(&[0.0, 0.2], 0.05, 100, 10, 1)?;
/// assert!(saga_read_figure(&rows).to_svg()?.contains("undone"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn saga_read_figure(rows: &[SagaReadRow]) -> Figure {
    let per_thousand = |value: fn(&SagaReadRow) -> usize| -> Vec<(f64, f64)> {
        rows.iter()
            .map(|row| {
                (
                    row.failure,
                    1_000.0 * value(row) as f64 / row.reads.max(1) as f64,
                )
            })
            .collect()
    };
    Figure::new("What readers see while sagas run (no isolation)")
        .x_label("probability that a request or its reply is lost")
        .y_label("reads per 1,000")
        .line(
            "saw an intermediate state",
            per_thousand(|row| row.intermediate),
        )
        .line(
            "saw a step that was undone later",
            per_thousand(|row| row.later_undone),
        )
}
