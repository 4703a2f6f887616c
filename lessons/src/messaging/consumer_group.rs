//! Partitions and a consumer group on virtual time: keyed records go to partitions by Kafka's
//! default partitioner, each partition is read by one consumer of the group, and lag is what
//! the consumers have not read yet.

use std::collections::VecDeque;

use serde::Serialize;

use super::params::{at_least, at_most};
use super::partitioner::partition_for_key;
use crate::sim::{Rng, SimError, Time, ms};

/// Which partitions each of `consumers` consumers reads: consecutive ranges, the first
/// `partitions % consumers` consumers taking one more (the split of Kafka's range assignor for
/// one topic). Consumers beyond the partition count get none.
///
/// # Errors
///
/// [`SimError::Parameter`] for zero partitions or consumers.
///
/// # Examples
///
/// ```
/// use lessons::messaging::range_assignment;
///
/// assert_eq!(range_assignment(5, 2)?, [vec![0, 1, 2], vec![3, 4]]);
/// let idle = range_assignment(10, 20)?.iter().filter(|owned| owned.is_empty()).count();
/// assert_eq!(idle, 10);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn range_assignment(partitions: usize, consumers: usize) -> Result<Vec<Vec<usize>>, SimError> {
    at_least("partitions", partitions, 1)?;
    at_least("consumers", consumers, 1)?;
    let mut next = 0;
    Ok((0..consumers)
        .map(|i| {
            let count = partitions / consumers + usize::from(i < partitions % consumers);
            let owned: Vec<usize> = (next..next + count).collect();
            next += count;
            owned
        })
        .collect())
}

/// A consumer-group run: a topic, a producer, consumers that may come and go, and possibly a
/// change of the partition count.
///
/// # Examples
///
/// ```
/// use lessons::messaging::GroupSetup;
/// use lessons::sim::secs;
///
/// let setup = GroupSetup::new(6, 3, 1_000.0, 400.0, secs(60))?.consumers_at(secs(30), 6);
/// assert_eq!(setup.consumers, [(secs(0), 3), (secs(30), 6)]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSetup {
    /// Partitions of the topic at the start.
    pub partitions: usize,
    /// Records produced per second, each with a key drawn uniformly from `keys`.
    pub produce_rate: f64,
    /// Records each consumer can process per second.
    pub consume_rate: f64,
    /// Distinct keys.
    pub keys: usize,
    /// From each time on, the number of consumers in the group; sorted, the first at zero.
    pub consumers: Vec<(Time, usize)>,
    /// How long a rebalance stops every consumer (an eager rebalance).
    pub rebalance_pause: Time,
    /// When the partition count changes, and to what.
    pub repartition: Option<(Time, usize)>,
    /// How long the run lasts.
    pub duration: Time,
}

impl GroupSetup {
    /// `partitions` partitions read by `consumers` consumers, a producer at `produce_rate`
    /// records per second, consumers at `consume_rate` each, 1,000 keys, 3 s rebalances, for
    /// `duration`.
    ///
    /// # Errors
    ///
    /// [`SimError`] for a parameter out of range (see [`GroupSetup::validate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::GroupSetup;
    /// use lessons::sim::secs;
    ///
    /// assert!(GroupSetup::new(6, 0, 1_000.0, 400.0, secs(60)).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(
        partitions: usize,
        consumers: usize,
        produce_rate: f64,
        consume_rate: f64,
        duration: Time,
    ) -> Result<GroupSetup, SimError> {
        let setup = GroupSetup {
            partitions,
            produce_rate,
            consume_rate,
            keys: 1_000,
            consumers: vec![(Time::ZERO, consumers)],
            rebalance_pause: crate::sim::secs(3),
            repartition: None,
            duration,
        };
        setup.validate()?;
        Ok(setup)
    }

    /// The setup with the group resized to `consumers` at `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::GroupSetup;
    /// use lessons::sim::secs;
    ///
    /// let setup = GroupSetup::new(6, 3, 1_000.0, 400.0, secs(60))?.consumers_at(secs(10), 2);
    /// assert_eq!(setup.consumers.len(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn consumers_at(mut self, at: Time, consumers: usize) -> GroupSetup {
        self.consumers.push((at, consumers));
        self.consumers.sort_by_key(|&(at, _)| at);
        self
    }

    /// The setup with the topic resized to `partitions` partitions at `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::GroupSetup;
    /// use lessons::sim::secs;
    ///
    /// let setup = GroupSetup::new(6, 3, 1_000.0, 400.0, secs(60))?.repartition_at(secs(20), 8);
    /// assert_eq!(setup.repartition, Some((secs(20), 8)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn repartition_at(mut self, at: Time, partitions: usize) -> GroupSetup {
        self.repartition = Some((at, partitions));
        self
    }

    /// Checks every field.
    ///
    /// # Errors
    ///
    /// [`SimError`] naming the first field out of range: partitions and consumers from 1 to
    /// 1,000, a partition change that only adds partitions, rates from 0 to 100,000 per second, 1 to 1,000,000 keys, a duration from 100 ms to
    /// one hour.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::GroupSetup;
    /// use lessons::sim::secs;
    ///
    /// let mut setup = GroupSetup::new(6, 3, 1_000.0, 400.0, secs(60))?;
    /// setup.produce_rate = -1.0;
    /// assert_eq!(
    ///     setup.validate().unwrap_err().to_string(),
    ///     "produce rate -1 is not allowed; from 0 to 100000 records per second"
    /// );
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        let counts = self.consumers.iter().map(|&(_, n)| n);
        let partition_counts = std::iter::once(self.partitions)
            .chain(self.repartition.map(|(_, partitions)| partitions));
        for n in partition_counts {
            at_most("partitions", at_least("partitions", n, 1)?, 1_000)?;
        }
        for n in counts {
            at_most("consumers", at_least("consumers", n, 1)?, 1_000)?;
        }
        if self
            .consumers
            .first()
            .is_none_or(|&(at, _)| at != Time::ZERO)
        {
            return Err(SimError::parameter(
                "first consumer change",
                self.consumers.first().map_or(Time::MAX, |&(at, _)| at),
                "the group's size must be given from time zero",
            ));
        }
        for (name, rate) in [
            ("produce rate", self.produce_rate),
            ("consume rate", self.consume_rate),
        ] {
            if !(0.0..=100_000.0).contains(&rate) {
                return Err(SimError::parameter(
                    name,
                    rate,
                    "from 0 to 100000 records per second",
                ));
            }
        }
        at_most("keys", at_least("keys", self.keys, 1)?, 1_000_000)?;
        if self.rebalance_pause < Time::ZERO {
            return Err(SimError::parameter(
                "rebalance pause",
                self.rebalance_pause,
                "zero or longer",
            ));
        }
        if let Some((_, to)) = self.repartition
            && to < self.partitions
        {
            return Err(SimError::parameter(
                "new partition count",
                to,
                format!(
                    "at least {}: a topic's partitions can be added, not removed",
                    self.partitions
                ),
            ));
        }
        if !(ms(100)..=crate::sim::secs(3_600)).contains(&self.duration) {
            return Err(SimError::parameter(
                "duration",
                self.duration,
                "from 100ms to one hour",
            ));
        }
        Ok(())
    }
}

/// The group at one moment of a run (sampled every second).
///
/// # Examples
///
/// ```
/// use lessons::messaging::{GroupSetup, group_run};
/// use lessons::sim::secs;
///
/// let run = group_run(&GroupSetup::new(6, 3, 1_000.0, 400.0, secs(10))?, 1)?;
/// assert_eq!(run.samples.len(), 10);
/// assert_eq!(run.samples[0].consumers, 3);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LagSample {
    /// Seconds since the start.
    pub time_s: f64,
    /// Records produced and not yet consumed, over all partitions.
    pub lag: usize,
    /// Consumers in the group.
    pub consumers: usize,
    /// Consumers with no partition.
    pub idle_consumers: usize,
    /// Partitions of the topic.
    pub partitions: usize,
    /// Whether a rebalance has the group stopped.
    pub rebalancing: bool,
}

/// What a consumer-group run did.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{GroupSetup, group_run};
/// use lessons::sim::secs;
///
/// let run = group_run(&GroupSetup::new(6, 3, 1_000.0, 400.0, secs(10))?, 1)?;
/// assert_eq!(run.produced, run.consumed + run.samples.last().unwrap().lag);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRun {
    /// One sample per second.
    pub samples: Vec<LagSample>,
    /// Records produced.
    pub produced: usize,
    /// Records consumed.
    pub consumed: usize,
    /// Records consumed after a later record of the same key.
    pub out_of_order: usize,
}

/// The simulation's step: production and consumption are settled every 10 ms.
const STEP: Time = ms(10);

/// Runs the group: every 10 ms the producer appends its records (keys drawn from the seeded
/// stream, partitions by [`partition_for_key`]), and each consumer that owns partitions and is
/// not stopped by a rebalance reads up to its rate from them, in turn, oldest record first
/// within a partition. A change of group size or partition count triggers a rebalance and a
/// new [`range_assignment`].
///
/// # Errors
///
/// [`SimError`] for an invalid setup.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{GroupSetup, group_run};
/// use lessons::sim::secs;
///
/// // 1,000 records a second against 3 × 400: the group keeps up.
/// let run = group_run(&GroupSetup::new(6, 3, 1_000.0, 400.0, secs(30))?, 1)?;
/// assert!(run.samples.last().unwrap().lag < 100);
/// assert_eq!(run.out_of_order, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn group_run(setup: &GroupSetup, seed: u64) -> Result<GroupRun, SimError> {
    setup.validate()?;
    let mut rng = Rng::new(seed);
    let dt = STEP.as_secs_f64();
    let names: Vec<String> = (0..setup.keys).map(|key| format!("key-{key}")).collect();
    let mut partitions: Vec<VecDeque<(usize, u64)>> = vec![VecDeque::new(); setup.partitions];
    let mut next_sequence = vec![0u64; setup.keys];
    let mut last_consumed: Vec<Option<u64>> = vec![None; setup.keys];
    let mut group_size = setup.consumers[0].1;
    let mut assignment = range_assignment(partitions.len(), group_size)?;
    let mut budgets = vec![0.0; group_size];
    let mut paused_until = Time::ZERO;
    let mut to_produce = 0.0;
    let mut run = GroupRun {
        samples: Vec::new(),
        produced: 0,
        consumed: 0,
        out_of_order: 0,
    };
    let mut now = Time::ZERO;
    while now < setup.duration {
        let wanted = setup
            .consumers
            .iter()
            .rev()
            .find(|&&(at, _)| at <= now)
            .map_or(group_size, |&(_, n)| n);
        let writable = setup
            .repartition
            .filter(|&(at, _)| at <= now)
            .map_or(setup.partitions, |(_, n)| n);
        let added_partitions = partitions.len() < writable;
        if wanted != group_size || added_partitions {
            partitions.resize(writable, VecDeque::new());
            group_size = wanted;
            assignment = range_assignment(writable, group_size)?;
            budgets = vec![0.0; group_size];
            paused_until = now + setup.rebalance_pause;
        }
        to_produce += setup.produce_rate * dt;
        while to_produce >= 1.0 {
            to_produce -= 1.0;
            let key = rng.below(setup.keys as u64) as usize;
            let partition = partition_for_key(names[key].as_bytes(), writable)?;
            partitions[partition].push_back((key, next_sequence[key]));
            next_sequence[key] += 1;
            run.produced += 1;
        }
        if now >= paused_until {
            for (consumer, owned) in assignment.iter().enumerate() {
                // Unused capacity does not pile up: a consumer cannot catch up faster than its rate.
                budgets[consumer] = (budgets[consumer] + setup.consume_rate * dt)
                    .min(setup.consume_rate * dt + 1.0);
                let mut turn = 0;
                let mut empty_in_a_row = 0;
                while budgets[consumer] >= 1.0 && !owned.is_empty() && empty_in_a_row < owned.len()
                {
                    let partition = owned[turn % owned.len()];
                    turn += 1;
                    match partitions[partition].pop_front() {
                        Some((key, sequence)) => {
                            empty_in_a_row = 0;
                            budgets[consumer] -= 1.0;
                            run.consumed += 1;
                            if last_consumed[key].is_some_and(|last| last > sequence) {
                                run.out_of_order += 1;
                            }
                            last_consumed[key] = last_consumed[key].max(Some(sequence));
                        }
                        None => empty_in_a_row += 1,
                    }
                }
            }
        }
        now += STEP;
        if now.as_nanos() % crate::sim::secs(1).as_nanos() == 0 {
            run.samples.push(LagSample {
                time_s: now.as_secs_f64(),
                lag: partitions.iter().map(VecDeque::len).sum(),
                consumers: group_size,
                idle_consumers: assignment.iter().filter(|owned| owned.is_empty()).count(),
                partitions: writable,
                rebalancing: now < paused_until,
            });
        }
    }
    Ok(run)
}

/// One group size on a fixed topic: idle consumers, throughput and the lag left at the end.
///
/// # Examples
///
/// ```
/// use lessons::messaging::throughput_experiment;
/// use lessons::sim::secs;
///
/// let rows = throughput_experiment(4, &[2, 4, 8], 10_000.0, 500.0, secs(20), 1)?;
/// assert_eq!(rows[2].idle_consumers, 4);
/// assert_eq!(rows[1].throughput, rows[2].throughput); // beyond P, consumers only wait
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThroughputRow {
    /// Consumers in the group.
    pub consumers: usize,
    /// Consumers with no partition.
    pub idle_consumers: usize,
    /// Records consumed per second over the run.
    pub throughput: f64,
    /// Records left unconsumed at the end.
    pub final_lag: usize,
}

/// Runs a group of each size in `consumer_counts` on `partitions` partitions.
///
/// # Errors
///
/// [`SimError`] for an invalid setup.
///
/// # Examples
///
/// ```
/// use lessons::messaging::throughput_experiment;
/// use lessons::sim::secs;
///
/// let rows = throughput_experiment(4, &[1, 2], 10_000.0, 500.0, secs(10), 1)?;
/// assert_eq!((rows[0].throughput, rows[1].throughput), (500.0, 1_000.0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn throughput_experiment(
    partitions: usize,
    consumer_counts: &[usize],
    produce_rate: f64,
    consume_rate: f64,
    duration: Time,
    seed: u64,
) -> Result<Vec<ThroughputRow>, SimError> {
    consumer_counts
        .iter()
        .map(|&consumers| {
            let setup =
                GroupSetup::new(partitions, consumers, produce_rate, consume_rate, duration)?;
            let run = group_run(&setup, seed)?;
            let last = run.samples.last();
            Ok(ThroughputRow {
                consumers,
                idle_consumers: last.map_or(0, |sample| sample.idle_consumers),
                throughput: (run.consumed as f64 / duration.as_secs_f64()).round(),
                final_lag: last.map_or(0, |sample| sample.lag),
            })
        })
        .collect()
}
