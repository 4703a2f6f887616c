//! Job completion time against the workers' failure rate, for several checkpoint intervals.

use serde::Serialize;

use super::batch::{BatchJob, failure_schedule, run_batch};
use super::params::{at_least, at_most};
use crate::sim::{Rng, SimError};
use crate::viz::Figure;

/// How one checkpoint interval fared at one failure rate, over several seeded trials.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{BatchJob, batch_experiment};
///
/// let rows = batch_experiment(&BatchJob::default(), &[None], &[0.0], 3, 1)?;
/// assert_eq!((rows[0].mean_completion_secs, rows[0].mean_recomputed), (210.0, 0.0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRow {
    /// The checkpoint interval, in words ("never", "every 2 stages", …).
    pub checkpoint: String,
    /// Failures per worker per hour.
    pub failures_per_worker_hour: f64,
    /// Trials (one failure schedule each).
    pub trials: usize,
    /// Mean job completion time, in seconds.
    pub mean_completion_secs: f64,
    /// Mean task launches beyond the first of each task.
    pub mean_recomputed: f64,
    /// Mean worker failures during a job.
    pub mean_failures: f64,
    /// Trials whose output differed from the failure-free run's.
    pub wrong_outputs: usize,
    /// Trials still running when the failure schedule ended, at 50 times the failure-free
    /// time: they finished only because the failures stopped.
    pub unfinished: usize,
}

fn interval_name(every: Option<usize>) -> String {
    match every {
        None => "never (lineage only)".to_string(),
        Some(1) => "every stage".to_string(),
        Some(k) => format!("every {k} stages"),
    }
}

fn mean(total: u64, n: usize) -> f64 {
    (total as f64 / n as f64 * 10.0).round() / 10.0
}

/// Runs `job` with each checkpoint interval in `intervals` (`None`: never) at each failure
/// rate, `trials` times with seeded failure schedules shared by all intervals, and compares
/// every output with the failure-free run's.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{BatchJob, batch_experiment};
///
/// let rows = batch_experiment(&BatchJob::default(), &[None, Some(2)], &[60.0], 5, 1)?;
/// assert!(rows.iter().all(|row| row.wrong_outputs == 0 && row.mean_recomputed > 0.0));
/// assert!(batch_experiment(&BatchJob::default(), &[None], &[60.0], 0, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn batch_experiment(
    job: &BatchJob,
    intervals: &[Option<usize>],
    failures_per_worker_hour: &[f64],
    trials: usize,
    seed: u64,
) -> Result<Vec<BatchRow>, SimError> {
    at_least("trials", trials, 1)?;
    at_most("trials", trials, 1_000)?;
    let mut rows = Vec::new();
    for &every in intervals {
        let job = BatchJob {
            checkpoint_every: every,
            ..*job
        };
        let calm = run_batch(&job, &[], seed)?;
        let horizon = 50 * calm.completion_secs.unwrap_or(0);
        for &rate in failures_per_worker_hour {
            let mut row = BatchRow {
                checkpoint: interval_name(every),
                failures_per_worker_hour: rate,
                trials,
                mean_completion_secs: 0.0,
                mean_recomputed: 0.0,
                mean_failures: 0.0,
                wrong_outputs: 0,
                unfinished: 0,
            };
            let (mut secs, mut recomputed, mut failures) = (0, 0, 0);
            for trial in 0..trials {
                let schedule_seed = Rng::derive(seed, &[rate.to_bits(), trial as u64]).next_u64();
                let schedule = failure_schedule(job.workers, rate, horizon, schedule_seed)?;
                let run = run_batch(&job, &schedule, seed)?;
                let finished = run.completion_secs.filter(|&at| at <= horizon);
                row.unfinished += usize::from(finished.is_none());
                row.wrong_outputs += usize::from(run.output != calm.output);
                secs += run.completion_secs.unwrap_or(horizon);
                recomputed += run.recomputed() as u64;
                failures += run.failures as u64;
            }
            row.mean_completion_secs = mean(secs, trials);
            row.mean_recomputed = mean(recomputed, trials);
            row.mean_failures = mean(failures, trials);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Mean completion time against the failure rate, one line per checkpoint interval.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{BatchJob, batch_experiment, batch_figure};
///
/// let rows = batch_experiment(&BatchJob::default(), &[None, Some(1)], &[0.0, 30.0], 2, 1)?;
/// assert!(batch_figure(&rows).to_svg()?.contains("every stage"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn batch_figure(rows: &[BatchRow]) -> Figure {
    let mut figure = Figure::new("A batch job on failing workers: lineage against checkpoints")
        .x_label("failures per worker per hour")
        .y_label("mean job completion time (s), log scale")
        .log_y();
    for interval in crate::viz::groups(rows, |row| row.checkpoint.clone()) {
        let points = rows
            .iter()
            .filter(|row| row.checkpoint == interval)
            .map(|row| (row.failures_per_worker_hour, row.mean_completion_secs))
            .collect::<Vec<_>>();
        figure = figure.line(interval, points);
    }
    figure
}
