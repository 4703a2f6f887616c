//! A batch pipeline as a DAG of tasks: each task runs only after all its parents succeeded,
//! fails with a probability, and is retried a fixed number of times.
//!
//! This is the execution model of Airflow's default trigger rule (`all_success`) with a
//! single worker: the tasks of one run go one at a time in a topological order, a task whose
//! parent failed for good is not started, and a run succeeds only when every task did.

use serde::Serialize;

use super::proportions::rate;
use crate::sim::{Rng, SimError, Time};

/// One job of a batch pipeline: its name, the tasks it reads from, how long an attempt takes
/// and the chance an attempt fails.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::Task;
/// use lessons::sim::secs;
///
/// let join = Task::new("join", &["events", "profiles"], secs(30 * 60), 0.15);
/// assert_eq!(join.parents, ["events", "profiles"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The task's name, unique in its pipeline.
    pub name: String,
    /// The tasks that must succeed before this one starts.
    pub parents: Vec<String>,
    /// How long one attempt takes.
    pub duration: Time,
    /// The chance that one attempt fails.
    pub failure_probability: f64,
}

impl Task {
    /// A task named `name` reading from `parents`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Task;
    /// use lessons::sim::secs;
    ///
    /// let events = Task::new("events", &[], secs(1_200), 0.1);
    /// assert!(events.parents.is_empty());
    /// ```
    pub fn new(name: &str, parents: &[&str], duration: Time, failure_probability: f64) -> Task {
        Task {
            name: name.to_string(),
            parents: parents.iter().map(|parent| parent.to_string()).collect(),
            duration,
            failure_probability,
        }
    }
}

/// A checked DAG of [`Task`]s with the order its runs follow.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{Pipeline, Task};
/// use lessons::sim::secs;
///
/// let pipeline = Pipeline::new(vec![
///     Task::new("features", &["events"], secs(60), 0.0),
///     Task::new("events", &[], secs(60), 0.0),
/// ])?;
/// assert_eq!(pipeline.order(), ["events", "features"]);
/// let cycle = vec![Task::new("a", &["b"], secs(60), 0.0), Task::new("b", &["a"], secs(60), 0.0)];
/// assert!(Pipeline::new(cycle).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    tasks: Vec<Task>,
    parents: Vec<Vec<usize>>,
    order: Vec<usize>,
}

/// One attempt of one task in a pipeline run.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::Pipeline;
/// use lessons::sim::{Rng, Time};
///
/// let pipeline = Pipeline::feature_store();
/// let (attempts, _) = pipeline.run(0, Time::ZERO, 0, Time::ZERO, &mut Rng::new(1));
/// assert_eq!(attempts[0].task, "extract events");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskAttempt {
    /// The day of the run (0 is the first).
    pub day: usize,
    /// The task's name.
    pub task: String,
    /// 0 for the first attempt, 1 for the first retry, ...
    pub attempt: u32,
    /// When the attempt started.
    pub started: Time,
    /// When it ended.
    pub ended: Time,
    /// Whether it succeeded.
    pub succeeded: bool,
}

/// How a pipeline run ended.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{Pipeline, RunOutcome};
/// use lessons::sim::{Rng, Time};
///
/// let (_, outcome) = Pipeline::feature_store().run(0, Time::ZERO, 1, Time::ZERO, &mut Rng::new(3));
/// assert!(matches!(outcome, RunOutcome::Succeeded(_) | RunOutcome::Failed(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RunOutcome {
    /// Every task succeeded; the features were written at this time.
    Succeeded(Time),
    /// A task failed on its last retry at this time (a failure alert fires here).
    Failed(Time),
}

impl Pipeline {
    /// Checks the tasks and orders them.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for no tasks, a repeated name, a parent that is not a task, a
    /// cycle, a duration that is not positive, or a failure probability outside [0, 1].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::{Pipeline, Task};
    /// use lessons::sim::secs;
    ///
    /// let unknown = Pipeline::new(vec![Task::new("a", &["nowhere"], secs(60), 0.0)]);
    /// assert!(unknown.unwrap_err().to_string().contains("nowhere"));
    /// ```
    pub fn new(tasks: Vec<Task>) -> Result<Pipeline, SimError> {
        if tasks.is_empty() {
            return Err(SimError::parameter("tasks", 0, "a pipeline needs a task"));
        }
        let index_of = |name: &str| tasks.iter().position(|task| task.name == name);
        let mut parents = Vec::with_capacity(tasks.len());
        for (index, task) in tasks.iter().enumerate() {
            if index_of(&task.name) != Some(index) {
                return Err(SimError::parameter(
                    "task name",
                    &task.name,
                    "every task needs its own name",
                ));
            }
            if task.duration <= Time::ZERO {
                return Err(SimError::parameter(
                    "task duration",
                    task.duration,
                    "an attempt takes a positive time",
                ));
            }
            rate("failure probability", task.failure_probability)?;
            let indices = task.parents.iter().map(|parent| {
                index_of(parent).ok_or_else(|| {
                    SimError::parameter("parent", parent, "a parent must be a task of the pipeline")
                })
            });
            parents.push(indices.collect::<Result<Vec<usize>, SimError>>()?);
        }
        let order = topological_order(&parents).ok_or_else(|| {
            SimError::parameter("parents", "a cycle", "the tasks must form a DAG (no cycle)")
        })?;
        Ok(Pipeline {
            tasks,
            parents,
            order,
        })
    }

    /// The lesson's feature pipeline: extract events (20 min) and profiles (10 min), join them
    /// (30 min), aggregate user features (40 min), materialize them to the online store
    /// (15 min); attempts fail with probabilities 0.1, 0.05, 0.15, 0.2 and 0.1.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Pipeline;
    ///
    /// let pipeline = Pipeline::feature_store();
    /// assert_eq!(pipeline.order().last(), Some(&"materialize"));
    /// assert_eq!(pipeline.tasks().len(), 5);
    /// ```
    pub fn feature_store() -> Pipeline {
        let minutes = |count: i64| crate::sim::secs(60 * count);
        Pipeline::new(vec![
            Task::new("extract events", &[], minutes(20), 0.1),
            Task::new("extract profiles", &[], minutes(10), 0.05),
            Task::new(
                "join",
                &["extract events", "extract profiles"],
                minutes(30),
                0.15,
            ),
            Task::new("aggregate", &["join"], minutes(40), 0.2),
            Task::new("materialize", &["aggregate"], minutes(15), 0.1),
        ])
        .expect("the lesson's pipeline is a DAG")
    }

    /// The tasks, as given.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Pipeline;
    ///
    /// assert_eq!(Pipeline::feature_store().tasks()[0].name, "extract events");
    /// ```
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// The task names in the order a run executes them: every task after all its parents,
    /// ties broken by the order the tasks were given.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Pipeline;
    ///
    /// let pipeline = Pipeline::feature_store();
    /// let order = pipeline.order();
    /// assert_eq!(order, ["extract events", "extract profiles", "join", "aggregate", "materialize"]);
    /// ```
    pub fn order(&self) -> Vec<&str> {
        self.order
            .iter()
            .map(|&index| self.tasks[index].name.as_str())
            .collect()
    }

    /// The longest a run can take: every task failing until its last retry.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Pipeline;
    /// use lessons::sim::secs;
    ///
    /// let pipeline = Pipeline::feature_store();
    /// assert_eq!(pipeline.worst_case_duration(0, secs(0)), secs(115 * 60));
    /// ```
    pub fn worst_case_duration(&self, retries: u32, retry_delay: Time) -> Time {
        let attempts = i64::from(retries) + 1;
        self.tasks
            .iter()
            .map(|task| task.duration * attempts + retry_delay * (attempts - 1))
            .fold(Time::ZERO, |total, each| total + each)
    }

    /// One run started at `start`: the attempts in order and how it ended. A task starts only
    /// when all its parents succeeded; a failed attempt waits `retry_delay` and tries again, up
    /// to `retries` times; a task that fails for good leaves its descendants unstarted.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::{Pipeline, RunOutcome};
    /// use lessons::sim::{Rng, Time, secs};
    ///
    /// let pipeline = Pipeline::feature_store();
    /// let (attempts, outcome) = pipeline.run(0, Time::ZERO, 2, secs(1_800), &mut Rng::new(1));
    /// if let RunOutcome::Succeeded(written) = outcome {
    ///     assert_eq!(attempts.last().map(|attempt| attempt.ended), Some(written));
    ///     assert!(written >= secs(115 * 60));
    /// }
    /// ```
    pub fn run(
        &self,
        day: usize,
        start: Time,
        retries: u32,
        retry_delay: Time,
        rng: &mut Rng,
    ) -> (Vec<TaskAttempt>, RunOutcome) {
        let mut clock = start;
        let mut succeeded = vec![false; self.tasks.len()];
        let mut failed_at = None;
        let mut attempts = Vec::new();
        for &index in &self.order {
            if !self.parents[index].iter().all(|&parent| succeeded[parent]) {
                continue;
            }
            let task = &self.tasks[index];
            for attempt in 0..=retries {
                let started = clock;
                clock += task.duration;
                succeeded[index] = !rng.chance(task.failure_probability);
                attempts.push(TaskAttempt {
                    day,
                    task: task.name.clone(),
                    attempt,
                    started,
                    ended: clock,
                    succeeded: succeeded[index],
                });
                if succeeded[index] {
                    break;
                }
                if attempt < retries {
                    clock += retry_delay;
                }
            }
            if !succeeded[index] && failed_at.is_none() {
                failed_at = Some(clock);
            }
        }
        let outcome = match failed_at {
            Some(at) => RunOutcome::Failed(at),
            None => RunOutcome::Succeeded(clock),
        };
        (attempts, outcome)
    }
}

/// Kahn's algorithm, taking the lowest ready index first; `None` when there is a cycle.
fn topological_order(parents: &[Vec<usize>]) -> Option<Vec<usize>> {
    let mut waiting_on: Vec<usize> = parents.iter().map(Vec::len).collect();
    let mut order = Vec::with_capacity(parents.len());
    let mut placed = vec![false; parents.len()];
    while order.len() < parents.len() {
        let ready = (0..parents.len()).find(|&task| !placed[task] && waiting_on[task] == 0)?;
        placed[ready] = true;
        order.push(ready);
        for (child, its_parents) in parents.iter().enumerate() {
            waiting_on[child] -= its_parents.iter().filter(|&&p| p == ready).count();
        }
    }
    Some(order)
}
