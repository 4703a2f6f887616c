//! Increments sent as operations over the simulated network: a "+1" message against a
//! G-Counter operation when the network duplicates messages.

use std::fmt;

use serde::Serialize;

use super::error::{CrdtError, check_probability, check_range};
use super::gcounter::GCounter;
use super::lattice::OperationBased;
use crate::clocks::Dot;
use crate::sim::{Context, Latency, Link, Node, NodeId, Simulation, Time, ms};

/// The message a [`CounterReplica`] broadcasts for each increment: the G-Counter operation "my
/// count is now `counter`". Read naively, the same message means "+1".
///
/// Its `Debug` text is short for space-time diagrams: `A=3` is replica A's third increment.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Dot;
/// use lessons::crdt::CounterMessage;
///
/// let message = CounterMessage(Dot { node: 0, counter: 3 });
/// assert_eq!(format!("{message:?}"), "A=3");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CounterMessage(pub Dot);

impl fmt::Debug for CounterMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", super::replica_name(self.0.node), self.0.counter)
    }
}

/// What [`counter_run`] simulates: `replicas` replicas, each incrementing
/// `increments_per_replica` times at random moments within `spread`, over links with uniform
/// delays between `min_delay` and `max_delay` that deliver a message twice with probability
/// `duplication`.
///
/// # Examples
///
/// ```
/// use lessons::crdt::CounterParameters;
///
/// let parameters = CounterParameters { duplication: 0.2, ..CounterParameters::default() };
/// assert_eq!(parameters.replicas, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterParameters {
    /// How many replicas (2 to 26).
    pub replicas: usize,
    /// Increments made on each replica (1 to 10,000).
    pub increments_per_replica: u64,
    /// The chance that the network delivers a message twice.
    pub duplication: f64,
    /// The window within which each replica's increments fall.
    pub spread: Time,
    /// The shortest network delay.
    pub min_delay: Time,
    /// The longest network delay.
    pub max_delay: Time,
}

impl Default for CounterParameters {
    /// 3 replicas, 100 increments each within 1 s, delays of 5 to 50 ms, no duplication.
    fn default() -> Self {
        CounterParameters {
            replicas: 3,
            increments_per_replica: 100,
            duplication: 0.0,
            spread: ms(1_000),
            min_delay: ms(5),
            max_delay: ms(50),
        }
    }
}

impl CounterParameters {
    fn validate(&self) -> Result<(), CrdtError> {
        check_range("replicas", self.replicas as u64, 2, 26, "2 to 26 replicas")?;
        check_range(
            "increments_per_replica",
            self.increments_per_replica,
            1,
            10_000,
            "1 to 10,000 increments per replica",
        )?;
        check_probability("duplication", self.duplication)?;
        if self.spread <= Time::ZERO {
            return Err(CrdtError::parameter(
                "spread",
                format!("{:?}", self.spread),
                "a positive time",
            ));
        }
        Ok(())
    }
}

/// A replica in [`counter_run`]: it keeps the same increments two ways, as a naive counter that
/// adds one per message received and as a [`GCounter`] that applies each message's operation.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CounterParameters, CounterReplica, counter_run};
///
/// let run = counter_run(&CounterParameters::default(), 1)?;
/// let replica = run.node::<CounterReplica>(0).unwrap();
/// assert_eq!((replica.naive_value(), replica.counter().value()), (300, 300));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CounterReplica {
    counter: GCounter,
    naive: u64,
    increments: u64,
    spread: Time,
}

impl CounterReplica {
    /// A replica that will increment `increments` times within `spread`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::CounterReplica;
    /// use lessons::sim::ms;
    ///
    /// let replica = CounterReplica::new(10, ms(100));
    /// assert_eq!(replica.naive_value(), 0);
    /// ```
    pub fn new(increments: u64, spread: Time) -> CounterReplica {
        CounterReplica {
            counter: GCounter::new(),
            naive: 0,
            increments,
            spread,
        }
    }

    /// The naive count: own increments plus one per message received.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{CounterParameters, CounterReplica, counter_run};
    ///
    /// let parameters = CounterParameters { duplication: 1.0, ..CounterParameters::default() };
    /// let run = counter_run(&parameters, 1)?;
    /// // every message arrives twice: 100 own + 2 × 200 received
    /// assert_eq!(run.node::<CounterReplica>(0).unwrap().naive_value(), 500);
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn naive_value(&self) -> u64 {
        self.naive
    }

    /// The G-Counter built from the same messages.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{CounterParameters, CounterReplica, counter_run};
    ///
    /// let parameters = CounterParameters { duplication: 1.0, ..CounterParameters::default() };
    /// let run = counter_run(&parameters, 1)?;
    /// assert_eq!(run.node::<CounterReplica>(2).unwrap().counter().value(), 300);
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn counter(&self) -> &GCounter {
        &self.counter
    }
}

impl Node<CounterMessage> for CounterReplica {
    fn on_start(&mut self, ctx: &mut Context<'_, CounterMessage>) {
        for _ in 0..self.increments {
            let at = ctx.rng().between(Time::ZERO, self.spread);
            ctx.set_timer(at, 0);
        }
    }

    fn on_message(
        &mut self,
        ctx: &mut Context<'_, CounterMessage>,
        _: NodeId,
        message: CounterMessage,
    ) {
        let _ = ctx;
        self.naive += 1;
        self.counter.apply(&message.0);
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, CounterMessage>, _: u64) {
        let me = ctx.me();
        let op = self.counter.increment(me);
        self.naive += 1;
        ctx.broadcast(CounterMessage(op));
    }
}

/// Runs the counter simulation to the end: every replica increments, broadcasts each increment's
/// operation, and counts what it receives both ways.
///
/// # Errors
///
/// [`CrdtError::Parameter`] for parameters outside the ranges of [`CounterParameters`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CounterParameters, counter_run};
///
/// let run = counter_run(&CounterParameters { increments_per_replica: 2, ..Default::default() }, 7)?;
/// assert_eq!(run.trace().deliveries().count(), 12); // 3 replicas × 2 increments × 2 others
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn counter_run(
    parameters: &CounterParameters,
    seed: u64,
) -> Result<Simulation<CounterMessage>, CrdtError> {
    parameters.validate()?;
    let mut sim = Simulation::new(seed);
    for replica in 0..parameters.replicas {
        let (increments, spread) = (parameters.increments_per_replica, parameters.spread);
        sim.add_node(super::replica_name(replica), move || {
            CounterReplica::new(increments, spread)
        });
    }
    sim.set_links(
        Link::new()
            .latency(Latency::uniform(parameters.min_delay, parameters.max_delay))
            .duplicate(parameters.duplication)
            .fifo(false),
    )?;
    sim.run()?;
    Ok(sim)
}

/// One row of [`duplication_experiment`]: the true number of increments against what the
/// replicas count.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CounterParameters, duplication_experiment};
///
/// let row = duplication_experiment(&CounterParameters::default(), 1)?;
/// assert_eq!((row.increments, row.naive_largest, row.g_counter_largest_error), (300, 300, 0));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicationRow {
    /// The duplication probability of the run.
    pub duplication: f64,
    /// Increments made, over all replicas.
    pub increments: u64,
    /// Messages delivered, duplicates included.
    pub deliveries: u64,
    /// The naive counts' mean over replicas.
    pub naive_mean: f64,
    /// The largest naive count.
    pub naive_largest: u64,
    /// The largest difference between a replica's G-Counter value and the true count.
    pub g_counter_largest_error: u64,
}

/// Runs [`counter_run`] and sums it up in one row.
///
/// # Errors
///
/// As [`counter_run`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::{CounterParameters, duplication_experiment};
///
/// let parameters = CounterParameters { duplication: 0.5, ..CounterParameters::default() };
/// let row = duplication_experiment(&parameters, 1)?;
/// assert!(row.naive_mean > 300.0);
/// assert_eq!(row.g_counter_largest_error, 0);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn duplication_experiment(
    parameters: &CounterParameters,
    seed: u64,
) -> Result<DuplicationRow, CrdtError> {
    let run = counter_run(parameters, seed)?;
    let increments = parameters.increments_per_replica * parameters.replicas as u64;
    let replicas: Vec<&CounterReplica> = (0..parameters.replicas)
        .filter_map(|id| run.node::<CounterReplica>(id))
        .collect();
    let naive: Vec<u64> = replicas.iter().map(|r| r.naive_value()).collect();
    Ok(DuplicationRow {
        duplication: parameters.duplication,
        increments,
        deliveries: run.trace().deliveries().count() as u64,
        naive_mean: naive.iter().sum::<u64>() as f64 / naive.len().max(1) as f64,
        naive_largest: naive.iter().copied().max().unwrap_or(0),
        g_counter_largest_error: replicas
            .iter()
            .map(|r| r.counter().value().abs_diff(increments))
            .max()
            .unwrap_or(0),
    })
}
