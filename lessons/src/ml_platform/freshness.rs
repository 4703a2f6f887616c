//! Feature freshness: features written by a daily batch [`Pipeline`] are only as fresh as its
//! last successful run, and two alerts watch them in different ways.
//!
//! * The **feature age** at time `t` is `t` minus the last successful materialization. It grows
//!   one hour per hour and falls only when a run writes the features.
//! * An **age alert** checks the age every `check_interval` and fires when it is above the
//!   freshness SLO: it fires at most one check interval after the age crosses the SLO, whatever
//!   went wrong.
//! * A **failure alert** fires when a run fails for good (its last retry failed). It can fire
//!   before the features go stale, but it is blind to a run that never started: a paused DAG,
//!   a scheduler that was down, a run stuck waiting on an upstream sensor.
//!
//! An optional **streaming path** also writes the (hot) features every few minutes, so their age
//! no longer depends on the daily batch.
//!
//! # References
//!
//! * Apache Airflow documentation, "DAGs" (trigger rules: `all_success` is the default) and
//!   "Service Level Agreements".
//! * Betsy Beyer et al., "Site Reliability Engineering", O'Reilly 2016, chapter 6 ("Monitoring
//!   Distributed Systems": alert on symptoms, not causes).

use serde::Serialize;

use super::pipeline::{Pipeline, RunOutcome, TaskAttempt};
use super::proportions::rate;
use super::rounded;
use crate::sim::{Rng, SimError, Time, secs};

/// The schedule, the alerts and the faults of a [`freshness_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::FreshnessParameters;
/// use lessons::sim::secs;
///
/// let defaults = FreshnessParameters::default();
/// assert_eq!((defaults.days, defaults.slo), (7, secs(30 * 3_600)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FreshnessParameters {
    /// Days simulated; day 0 starts at time 0 with freshly written features.
    pub days: usize,
    /// The time between scheduled runs (the first at time 0 + period).
    pub period: Time,
    /// Retries of a failed task attempt.
    pub retries: u32,
    /// The wait before a retry.
    pub retry_delay: Time,
    /// The chance that the scheduler does not start a day's run at all (no failure is reported).
    pub skip_probability: f64,
    /// The freshness SLO: the age alert fires when the age is above it.
    pub slo: Time,
    /// How often the age alert looks at the age.
    pub check_interval: Time,
    /// A streaming path that writes the features every this often, if any.
    pub streaming_every: Option<Time>,
}

impl Default for FreshnessParameters {
    fn default() -> Self {
        FreshnessParameters {
            days: 7,
            period: secs(24 * 3_600),
            retries: 1,
            retry_delay: secs(30 * 60),
            skip_probability: 0.05,
            slo: secs(30 * 3_600),
            check_interval: secs(15 * 60),
            streaming_every: None,
        }
    }
}

/// The feature age at one check of the age alert.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, freshness_experiment};
///
/// let run = freshness_experiment(&Pipeline::feature_store(), &FreshnessParameters::default(), 1)?;
/// assert_eq!(run.ages.len(), 7 * 24 * 4);
/// assert_eq!(run.ages[3].age_hours, 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgeRow {
    /// Hours since the start.
    pub hour: f64,
    /// The feature age in hours.
    pub age_hours: f64,
    /// Whether the age is above the SLO (the age alert is firing).
    pub above_slo: bool,
}

/// One stretch of time with the age above the SLO, and when each alert noticed it (hours to
/// 3 decimals).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, freshness_experiment};
///
/// let run = freshness_experiment(&Pipeline::feature_store(), &FreshnessParameters::default(), 1)?;
/// for episode in &run.episodes {
///     assert!(episode.age_alert_delay_hours.is_none_or(|delay| delay <= 0.25));
/// }
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StalenessEpisode {
    /// Hours since the start when the age crossed the SLO.
    pub breached_hour: f64,
    /// Hours the age stayed above the SLO (to the end of the run if it never recovered).
    pub stale_hours: f64,
    /// Hours from the breach to the age alert (none if the episode ended before a check).
    pub age_alert_delay_hours: Option<f64>,
    /// Hours from the breach to the failure alert, negative when it fired before the breach
    /// (none if no run failed loudly: it was skipped).
    pub failure_alert_delay_hours: Option<f64>,
}

/// What one [`freshness_experiment`] saw.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, freshness_experiment};
/// use lessons::sim::Time;
///
/// let run = freshness_experiment(&Pipeline::feature_store(), &FreshnessParameters::default(), 1)?;
/// assert_eq!(run.materializations[0], Time::ZERO);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreshnessRun {
    /// Every task attempt of every run.
    pub attempts: Vec<TaskAttempt>,
    /// When the features were written, in order (time 0 and every successful run or stream
    /// write).
    pub materializations: Vec<Time>,
    /// When runs failed for good (the failure alert's firings).
    pub failures: Vec<Time>,
    /// The days whose run the scheduler never started.
    pub skipped_days: Vec<usize>,
    /// The age at every check.
    pub ages: Vec<AgeRow>,
    /// The stretches with the age above the SLO.
    pub episodes: Vec<StalenessEpisode>,
}

/// The feature age at `now`: `now` minus the latest materialization at or before it (`None`
/// before the first). The materializations may come in any order.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::feature_age;
/// use lessons::sim::secs;
///
/// let written = [secs(0), secs(100)];
/// assert_eq!(feature_age(&written, secs(90)), Some(secs(90)));
/// assert_eq!(feature_age(&written, secs(130)), Some(secs(30)));
/// assert_eq!(feature_age(&[secs(10)], secs(5)), None);
/// ```
pub fn feature_age(materializations: &[Time], now: Time) -> Option<Time> {
    let latest = materializations.iter().filter(|&&at| at <= now).max()?;
    Some(now - *latest)
}

fn check_freshness(pipeline: &Pipeline, parameters: &FreshnessParameters) -> Result<(), SimError> {
    if !(1..=3_650).contains(&parameters.days) {
        return Err(SimError::parameter(
            "days",
            parameters.days,
            "from 1 to 3,650 days",
        ));
    }
    let worst = pipeline.worst_case_duration(parameters.retries, parameters.retry_delay);
    if parameters.retry_delay < Time::ZERO || worst >= parameters.period {
        return Err(SimError::parameter(
            "period",
            parameters.period,
            format!("a run (up to {worst} with every retry) must finish within the period"),
        ));
    }
    rate("skip probability", parameters.skip_probability)?;
    let shortest = Time::from_nanos(parameters.period.as_nanos() / 10_000);
    let intervals = [Some(parameters.check_interval), parameters.streaming_every];
    if parameters.slo <= Time::ZERO || intervals.into_iter().flatten().any(|i| i < shortest) {
        return Err(SimError::parameter(
            "SLO or interval",
            format!(
                "SLO {}, check {}",
                parameters.slo, parameters.check_interval
            ),
            format!("a positive SLO, and checks and stream writes at least {shortest} apart"),
        ));
    }
    Ok(())
}

/// Runs `pipeline` on its daily schedule for `parameters.days` days, watches the feature age,
/// and times both alerts on every stretch of staleness.
///
/// # Errors
///
/// [`SimError::Parameter`] for days outside 1..=3,650, a period the worst-case run does not
/// fit in, a skip probability outside [0, 1], or an SLO or interval that is not positive (or
/// under a 10,000th of the period).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, freshness_experiment};
///
/// let always_skipped = FreshnessParameters { skip_probability: 1.0, ..FreshnessParameters::default() };
/// let run = freshness_experiment(&Pipeline::feature_store(), &always_skipped, 1)?;
/// assert_eq!(run.skipped_days.len(), 6); // the runs due at hours 24 to 144
/// assert_eq!(run.episodes.len(), 1);
/// assert_eq!(run.episodes[0].breached_hour, 30.0);
/// assert_eq!(run.episodes[0].failure_alert_delay_hours, None); // nothing failed loudly
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn freshness_experiment(
    pipeline: &Pipeline,
    parameters: &FreshnessParameters,
    seed: u64,
) -> Result<FreshnessRun, SimError> {
    check_freshness(pipeline, parameters)?;
    let mut rng = Rng::new(seed);
    let end = parameters.period * parameters.days as i64;
    let mut run = FreshnessRun {
        attempts: Vec::new(),
        materializations: vec![Time::ZERO],
        failures: Vec::new(),
        skipped_days: Vec::new(),
        ages: Vec::new(),
        episodes: Vec::new(),
    };
    for day in 0..parameters.days {
        let start = parameters.period * (day as i64 + 1);
        if start >= end {
            break;
        }
        if rng.chance(parameters.skip_probability) {
            run.skipped_days.push(day);
            continue;
        }
        let (attempts, outcome) = pipeline.run(
            day,
            start,
            parameters.retries,
            parameters.retry_delay,
            &mut rng,
        );
        run.attempts.extend(attempts);
        match outcome {
            RunOutcome::Succeeded(at) if at < end => run.materializations.push(at),
            RunOutcome::Failed(at) if at < end => run.failures.push(at),
            _ => {}
        }
    }
    if let Some(every) = parameters.streaming_every {
        let writes = (1..).map(|k| every * k).take_while(|&at| at < end);
        run.materializations.extend(writes);
        run.materializations.sort();
        run.materializations.dedup();
    }
    run.ages = ages_at_checks(&run.materializations, parameters, end);
    run.episodes = episodes(&run, parameters, end);
    Ok(run)
}

fn hours(time: Time) -> f64 {
    time.as_secs_f64() / 3_600.0
}

fn ages_at_checks(
    materializations: &[Time],
    parameters: &FreshnessParameters,
    end: Time,
) -> Vec<AgeRow> {
    (1..)
        .map(|k| parameters.check_interval * k)
        .take_while(|&at| at <= end)
        .map(|at| {
            let age = feature_age(materializations, at).unwrap_or(at);
            AgeRow {
                hour: hours(at),
                age_hours: hours(age),
                above_slo: age > parameters.slo,
            }
        })
        .collect()
}

/// Every gap between writes longer than the SLO is an episode; the age alert sees it at the
/// first check after the breach, the failure alert at the first loud failure in the gap.
fn episodes(
    run: &FreshnessRun,
    parameters: &FreshnessParameters,
    end: Time,
) -> Vec<StalenessEpisode> {
    let writes = &run.materializations;
    let next_writes = writes.iter().skip(1).map(|&at| Some(at)).chain([None]);
    writes
        .iter()
        .zip(next_writes)
        .filter_map(|(&written, next)| {
            let breached = written + parameters.slo;
            let recovered = next.unwrap_or(end);
            if breached >= recovered {
                return None;
            }
            let checks = parameters.check_interval.as_nanos();
            let first_check = Time::from_nanos((breached.as_nanos() / checks + 1) * checks);
            let age_alert = (first_check < recovered || next.is_none() && first_check <= end)
                .then(|| hours(first_check - breached));
            let failure = run
                .failures
                .iter()
                .find(|&&at| at > written && at < recovered)
                .map(|&at| hours(at - breached));
            Some(StalenessEpisode {
                breached_hour: rounded(hours(breached), 3),
                stale_hours: rounded(hours(recovered - breached), 3),
                age_alert_delay_hours: age_alert.map(|delay| rounded(delay, 3)),
                failure_alert_delay_hours: failure.map(|delay| rounded(delay, 3)),
            })
        })
        .collect()
}

/// How the two alerts did over many staleness episodes.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{DetectionSummary, FreshnessParameters, Pipeline, detection_experiment};
///
/// let episodes = detection_experiment(&Pipeline::feature_store(), &FreshnessParameters::default(), 20, 1)?;
/// let summary = DetectionSummary::of(&episodes);
/// assert_eq!(summary.episodes, episodes.len());
/// assert!(summary.age_worst_delay_hours <= 0.25);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectionSummary {
    /// Staleness episodes.
    pub episodes: usize,
    /// Episodes the age alert noticed.
    pub age_caught: usize,
    /// Its mean delay after the breach, in hours.
    pub age_mean_delay_hours: f64,
    /// Its longest delay, in hours.
    pub age_worst_delay_hours: f64,
    /// Episodes the failure alert noticed.
    pub failure_caught: usize,
    /// Of those, how many it noticed before the breach.
    pub failure_before_breach: usize,
    /// Its mean delay in hours (negative: before the breach, on average).
    pub failure_mean_delay_hours: f64,
}

impl DetectionSummary {
    /// Sums up `episodes`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::DetectionSummary;
    ///
    /// assert_eq!(DetectionSummary::of(&[]).episodes, 0);
    /// ```
    pub fn of(episodes: &[StalenessEpisode]) -> DetectionSummary {
        let age: Vec<f64> = episodes
            .iter()
            .filter_map(|e| e.age_alert_delay_hours)
            .collect();
        let failure: Vec<f64> = episodes
            .iter()
            .filter_map(|e| e.failure_alert_delay_hours)
            .collect();
        let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
        DetectionSummary {
            episodes: episodes.len(),
            age_caught: age.len(),
            age_mean_delay_hours: rounded(mean(&age), 3),
            age_worst_delay_hours: age.iter().copied().fold(0.0, f64::max),
            failure_caught: failure.len(),
            failure_before_breach: failure.iter().filter(|&&delay| delay < 0.0).count(),
            failure_mean_delay_hours: rounded(mean(&failure), 3),
        }
    }
}

/// The staleness episodes of `weeks` independent runs of [`freshness_experiment`] (each of
/// `parameters.days` days, seeded from `seed` and the run's number).
///
/// # Errors
///
/// As [`freshness_experiment`], and [`SimError::Parameter`] for `weeks` outside 1..=10,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FreshnessParameters, Pipeline, detection_experiment};
///
/// let episodes = detection_experiment(&Pipeline::feature_store(), &FreshnessParameters::default(), 50, 1)?;
/// assert!(!episodes.is_empty());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn detection_experiment(
    pipeline: &Pipeline,
    parameters: &FreshnessParameters,
    weeks: usize,
    seed: u64,
) -> Result<Vec<StalenessEpisode>, SimError> {
    if !(1..=10_000).contains(&weeks) {
        return Err(SimError::parameter("weeks", weeks, "from 1 to 10,000 runs"));
    }
    let mut episodes = Vec::new();
    for week in 0..weeks {
        let week_seed = Rng::derive(seed, &[week as u64]).next_u64();
        episodes.extend(freshness_experiment(pipeline, parameters, week_seed)?.episodes);
    }
    Ok(episodes)
}
