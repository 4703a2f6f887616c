//! A batch job (word count, then further shuffle rounds) on workers that die: lost partitions
//! are recomputed from their lineage, and checkpoints cut the lineage short.
//!
//! The job has `stages` stages of `partitions` tasks. Stage 0 maps: task p counts the words of
//! input partition p. Every later stage shuffles: task q sums, over every partition of the
//! stage before, the words that hash to q (with a hash salted by the stage, as an iterative
//! job re-keys its data each round). Stage 1 is word count's reduce. The input sits in
//! replicated storage and never changes; every task is a deterministic function of its
//! parents, so a task run twice gives the same output.
//!
//! A task's output stays in the memory (or on the local disk) of the worker that ran it, and
//! dies with it, except in checkpointed stages, whose tasks also write their output to
//! replicated storage, which costs time. The last stage is the job's output and is always
//! written there (MapReduce writes reduce output to GFS, so a finished reduce is never
//! re-run). A dead worker is replaced at once by an empty one; its running task is lost.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sim::{Rng, SimError};

/// Distinct words in the generated input.
const VOCABULARY: u64 = 1_000;

/// Word counts: word id to count.
pub type Counts = BTreeMap<u32, u64>;

/// The shape and costs of a job.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{BatchJob, run_batch};
///
/// let job = BatchJob::default();
/// let run = run_batch(&job, &[], 1)?;
/// // 10 stages of 8 tasks on 4 workers: 2 waves of 10 s per stage, plus the output write.
/// assert_eq!(run.completion_secs, Some(10 * 2 * 10 + 2 * 5));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BatchJob {
    /// Tasks per stage, 1 to 64.
    pub partitions: usize,
    /// Stages: 1 to 20, a map and then shuffle rounds.
    pub stages: usize,
    /// Workers, each running one task at a time, 1 to 64.
    pub workers: usize,
    /// Words in each input partition, at most 100,000.
    pub words_per_partition: usize,
    /// How long a task runs, in seconds (1 to 3,600).
    pub task_secs: u64,
    /// How much longer a task takes when it also writes its output to replicated storage, in
    /// seconds (at most 3,600).
    pub checkpoint_secs: u64,
    /// Checkpoint every k stages (stages k−1, 2k−1, …); `None` never (only the output).
    pub checkpoint_every: Option<usize>,
}

impl Default for BatchJob {
    fn default() -> Self {
        BatchJob {
            partitions: 8,
            stages: 10,
            workers: 4,
            words_per_partition: 1_000,
            task_secs: 10,
            checkpoint_secs: 5,
            checkpoint_every: None,
        }
    }
}

impl BatchJob {
    fn check(&self) -> Result<(), SimError> {
        let within = |value: usize, low: usize, high: usize| (low..=high).contains(&value);
        if !within(self.partitions, 1, 64) || !within(self.workers, 1, 64) {
            return Err(SimError::parameter(
                "partitions / workers",
                format!("{} / {}", self.partitions, self.workers),
                "from 1 to 64 each",
            ));
        }
        if !within(self.stages, 1, 20) {
            return Err(SimError::parameter("stages", self.stages, "from 1 to 20"));
        }
        if self.words_per_partition > 100_000 {
            return Err(SimError::parameter(
                "words_per_partition",
                self.words_per_partition,
                "at most 100,000",
            ));
        }
        if !(1..=3_600).contains(&self.task_secs) || self.checkpoint_secs > 3_600 {
            return Err(SimError::parameter(
                "task_secs / checkpoint_secs",
                format!("{} / {}", self.task_secs, self.checkpoint_secs),
                "task from 1 to 3,600 s, checkpoint at most 3,600 s",
            ));
        }
        if let Some(k) = self.checkpoint_every
            && !within(k, 1, self.stages)
        {
            return Err(SimError::parameter(
                "checkpoint_every",
                k,
                format!("from 1 to the number of stages ({}), or None", self.stages),
            ));
        }
        Ok(())
    }

    /// Whether stage `stage`'s output goes to replicated storage.
    fn stored(&self, stage: usize) -> bool {
        stage + 1 == self.stages
            || self
                .checkpoint_every
                .is_some_and(|k| (stage + 1).is_multiple_of(k))
    }

    /// The input: `words_per_partition` words per partition, skewed towards low ids.
    fn input(&self, seed: u64) -> Vec<Vec<u32>> {
        (0..self.partitions)
            .map(|p| {
                let mut rng = Rng::derive(seed, &[p as u64]);
                (0..self.words_per_partition)
                    .map(|_| {
                        let u = rng.unit();
                        (u * u * VOCABULARY as f64) as u32
                    })
                    .collect()
            })
            .collect()
    }
}

/// A worker dies at a moment of the job.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{BatchJob, WorkerFailure, run_batch};
///
/// let job = BatchJob { stages: 2, ..BatchJob::default() };
/// let run = run_batch(&job, &[WorkerFailure { at_secs: 5, worker: 0 }], 1)?;
/// // Its first map task starts again at 5 s: the job ends 5 s later than without failures.
/// assert_eq!(run.completion_secs, Some(55));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkerFailure {
    /// When, in seconds from the start of the job.
    pub at_secs: u64,
    /// Which worker (0-based; an id past the last worker names no one).
    pub worker: usize,
}

/// A seeded failure schedule: each worker fails as a Poisson process with
/// `per_worker_hour` failures an hour, over `horizon_secs`.
///
/// # Examples
///
/// ```
/// use lessons::messaging::failure_schedule;
///
/// let failures = failure_schedule(4, 30.0, 3_600, 1)?;
/// assert!(failures.len() > 60 && failures.len() < 180); // about 4 × 30
/// assert!(failure_schedule(4, -1.0, 3_600, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn failure_schedule(
    workers: usize,
    per_worker_hour: f64,
    horizon_secs: u64,
    seed: u64,
) -> Result<Vec<WorkerFailure>, SimError> {
    if !(0.0..=3_600.0).contains(&per_worker_hour) {
        return Err(SimError::parameter(
            "per_worker_hour",
            per_worker_hour,
            "from 0 to 3,600 failures per worker per hour",
        ));
    }
    let mut failures = Vec::new();
    let rate_per_sec = per_worker_hour * workers as f64 / 3_600.0;
    if rate_per_sec == 0.0 {
        return Ok(failures);
    }
    let mut rng = Rng::new(seed);
    let mut at = 0.0;
    loop {
        at += rng.exponential() / rate_per_sec;
        if at > horizon_secs as f64 {
            return Ok(failures);
        }
        failures.push(WorkerFailure {
            at_secs: at as u64,
            worker: rng.below(workers as u64) as usize,
        });
    }
}

/// One run of the job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRun {
    /// When the last output partition was stored; `None` if the failures outlasted the job.
    pub completion_secs: Option<u64>,
    /// The job's output: every word's count.
    pub output: Counts,
    /// Task launches, per stage and partition.
    pub launches: Vec<Vec<usize>>,
    /// Times each partition's output or running task was lost, per stage and partition.
    pub losses: Vec<Vec<usize>>,
    /// Worker failures that happened before the job finished.
    pub failures: usize,
}

impl BatchRun {
    /// Launches beyond the first of each task: the recomputation.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::{BatchJob, run_batch};
    ///
    /// assert_eq!(run_batch(&BatchJob::default(), &[], 1)?.recomputed(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn recomputed(&self) -> usize {
        self.launches
            .iter()
            .flatten()
            .map(|&n| n.saturating_sub(1))
            .sum()
    }
}

/// Where a partition's output is.
#[derive(Clone, Copy, PartialEq)]
enum Holder {
    Worker(usize),
    Storage,
}

/// The running job: outputs, who holds them, and what each worker is doing.
struct Cluster<'a> {
    job: &'a BatchJob,
    input: Vec<Vec<u32>>,
    outputs: Vec<Vec<Option<(Holder, Counts)>>>,
    /// Per worker: the task it runs (stage, partition), when it ends, and its output, computed
    /// from the parents it fetched when it started.
    running: Vec<Option<(usize, usize, u64, Counts)>>,
    launches: Vec<Vec<usize>>,
    losses: Vec<Vec<usize>>,
}

impl Cluster<'_> {
    fn available(&self, stage: usize, partition: usize) -> bool {
        self.outputs[stage][partition].is_some()
    }

    fn is_running(&self, stage: usize, partition: usize) -> bool {
        self.running
            .iter()
            .flatten()
            .any(|&(s, p, _, _)| (s, p) == (stage, partition))
    }

    /// Missing partitions something downstream waits for: all missing outputs of the last
    /// stage, then, going back, the missing partitions of a stage whose next stage still
    /// misses one (every shuffle task reads every partition before it).
    fn needed(&self) -> Vec<(usize, usize)> {
        let mut needed = Vec::new();
        let mut downstream_missing = true;
        for stage in (0..self.job.stages).rev() {
            if !downstream_missing {
                break;
            }
            let missing: Vec<usize> = (0..self.job.partitions)
                .filter(|&p| !self.available(stage, p))
                .collect();
            downstream_missing = !missing.is_empty();
            needed.extend(missing.into_iter().map(|p| (stage, p)));
        }
        needed.sort_unstable();
        needed
    }

    fn ready(&self, stage: usize, partition: usize) -> bool {
        !self.is_running(stage, partition)
            && (stage == 0 || (0..self.job.partitions).all(|p| self.available(stage - 1, p)))
    }

    /// The task's output, computed from its parents (which are all available).
    fn compute(&self, stage: usize, partition: usize) -> Counts {
        let mut counts = Counts::new();
        if stage == 0 {
            for &word in &self.input[partition] {
                *counts.entry(word).or_default() += 1;
            }
            return counts;
        }
        for (_, parent) in self.outputs[stage - 1].iter().flatten() {
            for (&word, &n) in parent {
                if bucket(word, stage, self.job.partitions) == partition {
                    *counts.entry(word).or_default() += n;
                }
            }
        }
        counts
    }

    fn start_tasks(&mut self, now: u64) {
        let ready: Vec<(usize, usize)> = self
            .needed()
            .into_iter()
            .filter(|&(s, p)| self.ready(s, p))
            .collect();
        let mut ready = ready.into_iter();
        for worker in 0..self.job.workers {
            if self.running[worker].is_some() {
                continue;
            }
            let Some((stage, partition)) = ready.next() else {
                return;
            };
            let mut secs = self.job.task_secs;
            if self.job.stored(stage) {
                secs += self.job.checkpoint_secs;
            }
            let output = self.compute(stage, partition);
            self.running[worker] = Some((stage, partition, now + secs, output));
            self.launches[stage][partition] += 1;
        }
    }

    fn finish(&mut self, worker: usize) {
        if let Some((stage, partition, _, counts)) = self.running[worker].take() {
            let holder = if self.job.stored(stage) {
                Holder::Storage
            } else {
                Holder::Worker(worker)
            };
            self.outputs[stage][partition] = Some((holder, counts));
        }
    }

    fn fail(&mut self, worker: usize) {
        if let Some((stage, partition, _, _)) = self.running[worker].take() {
            self.losses[stage][partition] += 1;
        }
        for (stage, outputs) in self.outputs.iter_mut().enumerate() {
            for (partition, output) in outputs.iter_mut().enumerate() {
                if matches!(output, Some((Holder::Worker(w), _)) if *w == worker) {
                    *output = None;
                    self.losses[stage][partition] += 1;
                }
            }
        }
    }
}

/// Which partition of stage `stage` a word goes to: a multiplicative hash of the word and the
/// stage, so each shuffle round re-keys the words differently.
fn bucket(word: u32, stage: usize, partitions: usize) -> usize {
    let key = u64::from(word) | (stage as u64) << 32;
    let mixed = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((mixed >> 32) % partitions as u64) as usize
}

/// Runs `job` on input generated from `seed`, with the workers failing as `failures` says
/// (in any order; failures of workers that do not exist are ignored). Gives up, with no
/// completion time, if the job is not done 1,000 times later than it would take without
/// failures.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{BatchJob, WorkerFailure, run_batch};
///
/// let job = BatchJob { stages: 2, ..BatchJob::default() };
/// let calm = run_batch(&job, &[], 1)?;
/// // Worker 0 dies during the reduce stage: the map outputs it held are lost.
/// let run = run_batch(&job, &[WorkerFailure { at_secs: 25, worker: 0 }], 1)?;
/// assert_eq!(run.output, calm.output);
/// assert_eq!(run.launches[0], [2, 1, 1, 1, 2, 1, 1, 1]); // map tasks 0 and 4 ran again
/// assert!(run_batch(&BatchJob { workers: 0, ..job }, &[], 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn run_batch(
    job: &BatchJob,
    failures: &[WorkerFailure],
    seed: u64,
) -> Result<BatchRun, SimError> {
    job.check()?;
    let mut failures: Vec<WorkerFailure> = failures
        .iter()
        .copied()
        .filter(|f| f.worker < job.workers)
        .collect();
    failures.sort_by_key(|f| f.at_secs);
    let mut pending = failures.into_iter().peekable();
    let waves = job.partitions.div_ceil(job.workers) as u64;
    let calm_secs = job.stages as u64 * waves * (job.task_secs + job.checkpoint_secs);
    let give_up = calm_secs.saturating_mul(1_000);
    let grid = || vec![vec![0; job.partitions]; job.stages];
    let mut cluster = Cluster {
        job,
        input: job.input(seed),
        outputs: vec![vec![None; job.partitions]; job.stages],
        running: vec![None; job.workers],
        launches: grid(),
        losses: grid(),
    };
    let mut now = 0;
    let mut failed = 0;
    let last = job.stages - 1;
    let done = |c: &Cluster| (0..job.partitions).all(|p| c.available(last, p));
    let mut completion = None;
    while now <= give_up {
        if done(&cluster) {
            completion = Some(now);
            break;
        }
        cluster.start_tasks(now);
        let next_finish = cluster
            .running
            .iter()
            .enumerate()
            .filter_map(|(w, task)| task.as_ref().map(|&(_, _, at, _)| (at, w)))
            .min();
        match (next_finish, pending.peek()) {
            (_, Some(failure)) if next_finish.is_none_or(|(at, _)| failure.at_secs < at) => {
                now = now.max(failure.at_secs);
                cluster.fail(failure.worker);
                failed += 1;
                pending.next();
            }
            (Some((at, worker)), _) => {
                now = at;
                cluster.finish(worker);
            }
            // Nothing runs and no failure is left: cannot happen while the job is not done,
            // since the first missing stage is always ready.
            (None, _) => break,
        }
    }
    let output = match completion {
        Some(_) => cluster.outputs[last]
            .iter()
            .flatten()
            .flat_map(|(_, counts)| counts.clone())
            .collect(),
        None => Counts::new(),
    };
    Ok(BatchRun {
        completion_secs: completion,
        output,
        launches: cluster.launches,
        losses: cluster.losses,
        failures: failed,
    })
}
