//! Optimistic against pessimistic concurrency control as contention grows, and a long
//! optimistic transaction starved by short ones.

use serde::Serialize;

use super::database::{Database, Status, Step};
use super::isolation::Isolation;
use super::program::{Operation, Program};
use crate::check::TxnId;
use crate::sim::{Rng, SimError};
use crate::viz::{Corner, Figure};

/// The settings of [`contention_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::transactions::ContentionParameters;
///
/// let settings = ContentionParameters::default();
/// assert_eq!((settings.clients, settings.keys_per_transaction), (8, 2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ContentionParameters {
    /// Clients, each running one transaction at a time and starting the next (or a retry of an
    /// aborted one) as soon as it finishes.
    pub clients: usize,
    /// Keys each transaction reads and then writes (read-modify-write), chosen at random.
    pub keys_per_transaction: usize,
    /// Steps the store can run per tick, shared by all clients (its processors); a step that
    /// has to wait for a lock does not use one.
    pub capacity: usize,
    /// Extra ticks every lock acquisition costs under two-phase locking (a round trip to a lock
    /// manager); 0 makes locks free.
    pub lock_cost: u64,
    /// How long each run lasts, in ticks (each active client takes one step per tick).
    pub ticks: u64,
    /// Runs per point, each with its own seed.
    pub runs: usize,
}

impl Default for ContentionParameters {
    fn default() -> ContentionParameters {
        ContentionParameters {
            clients: 8,
            capacity: 4,
            keys_per_transaction: 2,
            lock_cost: 2,
            ticks: 400,
            runs: 4,
        }
    }
}

/// Throughput and aborts of one isolation level at one number of keys.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{ContentionParameters, Isolation, contention_experiment};
///
/// let rows = contention_experiment(&[Isolation::Optimistic], &[1000], ContentionParameters::default(), 1)?;
/// assert!(rows[0].commits_per_100_ticks > 20.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContentionRow {
    /// The isolation level.
    pub isolation: String,
    /// How many keys the transactions choose from (fewer keys: more conflicts).
    pub keys: usize,
    /// Commits per 100 ticks, averaged over runs (two decimals).
    pub commits_per_100_ticks: f64,
    /// Aborts (deadlock victims, failed validations) per commit (two decimals).
    pub aborts_per_commit: f64,
    /// The most times one transaction was retried before it committed.
    pub worst_retries: usize,
    /// How many times each committed transaction was retried, over all runs.
    #[serde(skip)]
    pub retries: Vec<usize>,
}

/// For each level (two-phase locking or optimistic) and each key count, clients run
/// read-modify-write transactions on random keys (in key order) for a fixed number of ticks;
/// the store runs at most `capacity` steps per tick, so work that ends in an abort takes
/// capacity from work that commits; aborted transactions are retried at once. Under two-phase
/// locking every read takes an exclusive lock (`SELECT ... FOR UPDATE`), which costs
/// `lock_cost` extra ticks.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{ContentionParameters, Isolation, contention_experiment};
///
/// let settings = ContentionParameters { ticks: 100, runs: 1, ..ContentionParameters::default() };
/// let rows = contention_experiment(&[Isolation::TwoPhaseLocking], &[2, 1000], settings, 1)?;
/// assert!(rows[0].commits_per_100_ticks < rows[1].commits_per_100_ticks);
/// assert!(contention_experiment(&[Isolation::Snapshot], &[2], settings, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn contention_experiment(
    isolations: &[Isolation],
    key_counts: &[usize],
    settings: ContentionParameters,
    seed: u64,
) -> Result<Vec<ContentionRow>, SimError> {
    check_settings(settings)?;
    let mut rows = Vec::new();
    for &isolation in isolations {
        if !matches!(
            isolation,
            Isolation::TwoPhaseLocking | Isolation::Optimistic
        ) {
            return Err(SimError::parameter(
                "isolation",
                isolation,
                "two-phase locking or optimistic",
            ));
        }
        for &keys in key_counts {
            if keys < settings.keys_per_transaction || keys > 100_000 {
                return Err(SimError::parameter(
                    "keys",
                    keys,
                    format!(
                        "from keys_per_transaction ({}) to 100,000",
                        settings.keys_per_transaction
                    ),
                ));
            }
            let mut rng = Rng::new(seed);
            let (mut commits, mut aborts, mut retries) = (0, 0, Vec::new());
            for _ in 0..settings.runs {
                let run = one_run(isolation, keys, settings, rng.next_u64())?;
                commits += run.0;
                aborts += run.1;
                retries.extend(run.2);
            }
            let runs = settings.runs.max(1) as f64;
            rows.push(ContentionRow {
                isolation: isolation.to_string(),
                keys,
                commits_per_100_ticks: round(commits as f64 / runs * 100.0 / settings.ticks as f64),
                aborts_per_commit: round(aborts as f64 / (commits.max(1)) as f64),
                worst_retries: retries.iter().copied().max().unwrap_or(0),
                retries,
            });
        }
    }
    Ok(rows)
}

/// Two decimals are all a table needs.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn check_settings(settings: ContentionParameters) -> Result<(), SimError> {
    if !(1..=64).contains(&settings.clients) {
        return Err(SimError::parameter(
            "clients",
            settings.clients,
            "from 1 to 64",
        ));
    }
    if settings.capacity == 0 {
        return Err(SimError::parameter(
            "capacity",
            0,
            "at least one step per tick",
        ));
    }
    if !(1..=8).contains(&settings.keys_per_transaction) {
        return Err(SimError::parameter(
            "keys_per_transaction",
            settings.keys_per_transaction,
            "from 1 to 8",
        ));
    }
    if !(1..=20_000).contains(&settings.ticks) || settings.lock_cost > 100 {
        return Err(SimError::parameter(
            "ticks or lock_cost",
            format!("{} / {}", settings.ticks, settings.lock_cost),
            "ticks from 1 to 20,000 and lock_cost at most 100",
        ));
    }
    Ok(())
}

/// A client's current transaction: its number, its program, how many times it was retried,
/// and the tick before which it is busy paying for a lock.
struct Client {
    txn: TxnId,
    program: Program,
    retries: usize,
    busy_until: u64,
}

/// One run: commits, aborts, and the retries of each committed transaction.
fn one_run(
    isolation: Isolation,
    keys: usize,
    settings: ContentionParameters,
    seed: u64,
) -> Result<(usize, usize, Vec<usize>), SimError> {
    let mut rng = Rng::new(seed);
    let names: Vec<String> = (0..keys).map(|k| format!("k{k}")).collect();
    let initial: Vec<(&str, i64)> = names.iter().map(|n| (n.as_str(), 0)).collect();
    let mut store = Database::new(isolation, &initial);
    let new_program = |rng: &mut Rng| {
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < settings.keys_per_transaction {
            let key = rng.below(keys as u64) as usize;
            if !chosen.contains(&key) {
                chosen.push(key);
            }
        }
        // Locking in one global order keeps two-phase locking free of deadlocks.
        chosen.sort_unstable();
        let mut program = Program::new("rmw");
        for &key in &chosen {
            program = match isolation {
                Isolation::TwoPhaseLocking => program.read_for_update(&names[key]),
                _ => program.read(&names[key]),
            };
        }
        for &key in &chosen {
            program = program.write_read_plus(&names[key], 1);
        }
        program
    };
    let mut clients: Vec<Client> = (0..settings.clients)
        .map(|_| {
            let program = new_program(&mut rng);
            Client {
                txn: store.begin(program.clone()),
                program,
                retries: 0,
                busy_until: 0,
            }
        })
        .collect();
    let (mut commits, mut aborts, mut retries) = (0, 0, Vec::new());
    let mut order: Vec<usize> = (0..clients.len()).collect();
    for tick in 0..settings.ticks {
        rng.shuffle(&mut order);
        let mut capacity = settings.capacity;
        for &c in &order {
            let client = &mut clients[c];
            if client.busy_until > tick || capacity == 0 {
                continue;
            }
            capacity -= 1;
            let locks = isolation == Isolation::TwoPhaseLocking
                && store.waiting_for(client.txn).is_empty()
                && next_takes_a_lock(&store, client);
            match store.step(client.txn)? {
                Step::Ran if locks => client.busy_until = tick + 1 + settings.lock_cost,
                Step::Ran => {}
                Step::Waiting(_) => capacity += 1,
                Step::Committed => {
                    commits += 1;
                    retries.push(client.retries);
                    client.program = new_program(&mut rng);
                    client.retries = 0;
                    client.txn = store.begin(client.program.clone());
                }
                Step::Aborted(_) => {
                    aborts += 1;
                    client.retries += 1;
                    client.txn = store.begin(client.program.clone());
                }
            }
        }
    }
    Ok((commits, aborts, retries))
}

/// Whether the client's next step is a locking read (the only lock a 2PL program here takes
/// before its writes, which then find the lock already held).
fn next_takes_a_lock(store: &Database, client: &Client) -> bool {
    store.status(client.txn) == Some(Status::Active)
        && client
            .program
            .operations
            .get(store.steps_taken(client.txn))
            .is_some_and(|op| matches!(op, Operation::ReadForUpdate(_)))
}

/// Commits per 100 ticks against the number of keys, one line per level.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{ContentionParameters, Isolation, contention_experiment, contention_figure};
///
/// let settings = ContentionParameters { ticks: 50, runs: 1, ..ContentionParameters::default() };
/// let rows = contention_experiment(&[Isolation::Optimistic], &[4, 64], settings, 1)?;
/// assert!(contention_figure(&rows).to_svg()?.contains("commits"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn contention_figure(rows: &[ContentionRow]) -> Figure {
    let mut figure = Figure::new("Throughput against contention: OCC and 2PL")
        .x_label("keys to choose from (fewer: more conflicts)")
        .y_label("commits per 100 ticks")
        .log_x()
        .legend_at(Corner::LowerRight);
    for isolation in crate::viz::groups(rows, |row| row.isolation.clone()) {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.isolation == isolation)
            .map(|row| (row.keys as f64, row.commits_per_100_ticks))
            .collect();
        figure = figure.line(isolation, points);
    }
    figure
}

/// The tail of the retry counts: for each r, the share of committed transactions that were
/// retried at least r times, one line per row (level and key count), on a log scale.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{ContentionParameters, Isolation, contention_experiment, retry_tail_figure};
///
/// let settings = ContentionParameters { ticks: 100, runs: 1, ..ContentionParameters::default() };
/// let rows = contention_experiment(&[Isolation::Optimistic], &[2, 64], settings, 1)?;
/// assert!(retry_tail_figure(&rows).to_svg()?.contains("retried"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn retry_tail_figure(rows: &[ContentionRow]) -> Figure {
    let mut figure = Figure::new("How often a transaction was retried before it committed")
        .x_label("retries r")
        .y_label("share of commits retried at least r times")
        .log_y()
        .legend_at(Corner::UpperRight);
    for row in rows {
        let total = row.retries.len().max(1) as f64;
        let points: Vec<(f64, f64)> = (0..=row.worst_retries)
            .map(|r| {
                let at_least = row.retries.iter().filter(|&&n| n >= r).count();
                (r as f64, at_least as f64 / total)
            })
            .collect();
        figure = figure.step(format!("{}, {} keys", row.isolation, row.keys), points);
    }
    figure
}

/// How a long optimistic transaction fares against a stream of short writers to the key it
/// reads.
///
/// # Examples
///
/// ```
/// use lessons::transactions::starvation_run;
///
/// let starved = starvation_run(None, 30)?;
/// assert_eq!((starved.committed, starved.attempts), (false, 30));
/// let aged = starvation_run(Some(3), 30)?;
/// assert_eq!((aged.committed, aged.attempts), (true, 4));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StarvationRow {
    /// After how many aborts the long transaction gets priority (`None`: never).
    pub priority_after: Option<usize>,
    /// Attempts of the long transaction (its first run and its retries).
    pub attempts: usize,
    /// Whether it committed within the attempts allowed.
    pub committed: bool,
    /// Short writers committed meanwhile.
    pub writers_committed: usize,
}

/// The adversarial schedule: a long optimistic transaction reads `x`, does five more reads of
/// other keys, then writes `x`; while it works, a short writer commits a new `x`. Its
/// validation fails every time, and it is retried at once, up to `max_attempts` times. With
/// `priority_after: Some(k)`, after k aborts the scheduler holds new writers of `x` back until
/// the long transaction commits (priority aging), so its next attempt succeeds.
///
/// # Examples
///
/// ```
/// use lessons::transactions::starvation_run;
///
/// assert!(starvation_run(None, 0).is_err());
/// assert_eq!(starvation_run(Some(0), 10)?.attempts, 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn starvation_run(
    priority_after: Option<usize>,
    max_attempts: usize,
) -> Result<StarvationRow, SimError> {
    if !(1..=10_000).contains(&max_attempts) {
        return Err(SimError::parameter(
            "max_attempts",
            max_attempts,
            "from 1 to 10,000",
        ));
    }
    let keys = ["x", "a", "b", "c", "d", "e"];
    let initial: Vec<(&str, i64)> = keys.iter().map(|&k| (k, 0)).collect();
    let mut store = Database::new(Isolation::Optimistic, &initial);
    let mut long = Program::new("long").read("x");
    for key in &keys[1..] {
        long = long.read(key);
    }
    let long = long.write_read_plus("x", 1);
    let mut writers_committed = 0;
    for attempt in 1..=max_attempts {
        let txn = store.begin(long.clone());
        let has_priority = priority_after.is_some_and(|k| attempt > k);
        for step in 0..long.steps() {
            // The adversary: a short writer of x commits right after the long one's first read.
            if step == 1 && !has_priority {
                let writer = store.begin(Program::new("short").increment("x", 1));
                store.step(writer)?;
                store.step(writer)?;
                writers_committed += 1;
            }
            store.step(txn)?;
        }
        if store.status(txn) == Some(Status::Committed) {
            return Ok(StarvationRow {
                priority_after,
                attempts: attempt,
                committed: true,
                writers_committed,
            });
        }
    }
    Ok(StarvationRow {
        priority_after,
        attempts: max_attempts,
        committed: false,
        writers_committed,
    })
}
