//! Adding partitions to a keyed topic, run on the simulator: a key's records before and after
//! the change sit in different partitions, and a consumer can read them out of order.
//!
//! Kafka's default partitioner puts a keyed record in partition `hash(key) mod partitions`, so
//! each key's records stay in order within one partition. Adding partitions changes the
//! modulus: most keys move to another partition for every record sent afterwards, while their
//! earlier records are still waiting in the old one. Each partition is read by its own
//! consumer, and consumers lag behind by different amounts. When a key's new partition is
//! read sooner than its old one, a record sent after the change is consumed before one sent
//! before it.

use std::rc::Rc;

use serde::Serialize;

use super::{ModN, PartitionError};
use crate::sim::{Context, Latency, Link, Node, NodeId, Rng, SimError, Simulation, Time, ms};
use crate::viz::Figure;

/// The keys of the run.
const KEYS: u32 = 200;

/// One record: its key, and its number among that key's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    key: u32,
    sequence: u32,
}

/// Sends the planned records, each at its time, to its partition's node.
struct Producer {
    plan: Rc<[(Time, Record, NodeId)]>,
    next: usize,
}

impl Producer {
    fn wake_for_next(&self, ctx: &mut Context<'_, Record>) {
        if let Some(&(at, _, _)) = self.plan.get(self.next) {
            ctx.set_timer(at - ctx.now(), 0);
        }
    }
}

impl Node<Record> for Producer {
    fn on_start(&mut self, ctx: &mut Context<'_, Record>) {
        self.wake_for_next(ctx);
    }

    fn on_message(&mut self, _: &mut Context<'_, Record>, _: NodeId, _: Record) {}

    fn on_timer(&mut self, ctx: &mut Context<'_, Record>, _: u64) {
        while let Some(&(at, record, partition)) = self.plan.get(self.next) {
            if at > ctx.now() {
                break;
            }
            ctx.send(partition, record);
            self.next += 1;
        }
        self.wake_for_next(ctx);
    }
}

/// A partition's log and its consumer, which reads each record `lag` after it lands.
struct PartitionLog {
    lag: Time,
    landed: Vec<Record>,
    consumed: Vec<(Time, Record)>,
}

impl Node<Record> for PartitionLog {
    fn on_message(&mut self, ctx: &mut Context<'_, Record>, _: NodeId, record: Record) {
        ctx.set_timer(self.lag, self.landed.len() as u64);
        self.landed.push(record);
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Record>, tag: u64) {
        let record = self.landed[tag as usize];
        self.consumed.push((ctx.now(), record));
    }
}

/// One run of [`repartition_experiment`]: what a change of partition count did to per-key
/// order, for one spread of consumer lags.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::repartition_experiment;
/// use lessons::sim::ms;
///
/// let row = repartition_experiment(50, 70, &[ms(0)], 1)?[0];
/// assert_eq!(row.records_out_of_order, 0); // equal lags: order survives the change
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReorderRow {
    /// Consumer lags are drawn from 0 to this, per partition, in ms.
    pub lag_spread_ms: f64,
    /// Keys in the run.
    pub keys: u32,
    /// Keys whose partition changed.
    pub keys_moved: u32,
    /// Records sent.
    pub records: usize,
    /// Records consumed after a later record of the same key.
    pub records_out_of_order: usize,
    /// Keys with at least one record consumed out of order.
    pub keys_out_of_order: u32,
}

/// A producer sends one record a millisecond, to a random key of 200, for 3 s; each record goes
/// to partition `hash(key) mod partitions`, with `before` partitions until 1.5 s and `after`
/// from then on. The producer reaches every partition in 1 ms. Each partition's consumer reads
/// a record a fixed lag after it lands, the lag drawn per partition from 0 to the spread. For
/// each spread in `lag_spreads`, counts the records consumed after a later record of their key.
///
/// # Errors
///
/// [`PartitionError::Parameter`] for partition counts outside 1 to 1,000 or a negative spread.
///
/// # Examples
///
/// Kafka's example of 50 partitions growing to 70, with consumers lagging up to 200 ms.
///
/// ```
/// use lessons::partitioning::repartition_experiment;
/// use lessons::sim::ms;
///
/// let row = repartition_experiment(50, 70, &[ms(200)], 1)?[0];
/// assert!(row.keys_moved > 150); // 6 of 7 hash values change partition
/// assert!(row.records_out_of_order > 0 && row.keys_out_of_order <= row.keys_moved);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn repartition_experiment(
    before: u64,
    after: u64,
    lag_spreads: &[Time],
    seed: u64,
) -> Result<Vec<ReorderRow>, PartitionError> {
    for (name, count) in [("partitions before", before), ("partitions after", after)] {
        if !(1..=1_000).contains(&count) {
            return Err(PartitionError::parameter(
                name,
                count,
                "from 1 to 1,000 partitions",
            ));
        }
    }
    let (old, new) = (ModN::new(before)?, ModN::new(after)?);
    let partition_of = |modulus: &ModN, key: u32| modulus.partition_for(format!("key-{key}"));
    let change_at = ms(1_500);
    let mut rng = Rng::derive(seed, &[1]);
    let mut sequences = vec![0u32; KEYS as usize];
    let plan: Rc<[(Time, Record, NodeId)]> = (0..3_000)
        .map(|millisecond| {
            let at = ms(millisecond);
            let key = rng.below(u64::from(KEYS)) as u32;
            let sequence = sequences[key as usize];
            sequences[key as usize] += 1;
            let modulus = if at < change_at { &old } else { &new };
            let partition = partition_of(modulus, key) as NodeId;
            (at, Record { key, sequence }, 1 + partition)
        })
        .collect();
    let keys_moved = (0..KEYS)
        .filter(|&key| partition_of(&old, key) != partition_of(&new, key))
        .count() as u32;
    let partitions = before.max(after) as usize;
    let mut rows = Vec::new();
    for &spread in lag_spreads {
        if spread < Time::ZERO {
            return Err(PartitionError::parameter(
                "lag spread",
                spread,
                "consumer lags spread over 0 or more",
            ));
        }
        let consumed = run_once(&plan, partitions, spread, seed)
            .map_err(|error| PartitionError::parameter("simulation", error, "see the reason"))?;
        let (records_out_of_order, keys_out_of_order) = out_of_order(&consumed);
        rows.push(ReorderRow {
            lag_spread_ms: spread.as_millis_f64(),
            keys: KEYS,
            keys_moved,
            records: plan.len(),
            records_out_of_order,
            keys_out_of_order,
        });
    }
    Ok(rows)
}

/// Runs the plan on `partitions` partition nodes whose lags are drawn from 0 to `spread`, and
/// returns every consumption, in time order.
fn run_once(
    plan: &Rc<[(Time, Record, NodeId)]>,
    partitions: usize,
    spread: Time,
    seed: u64,
) -> Result<Vec<(Time, Record)>, SimError> {
    let mut sim: Simulation<Record> = Simulation::new(seed);
    sim.set_recording(false);
    sim.set_event_limit(u64::MAX);
    let plan = Rc::clone(plan);
    sim.add_node("producer", move || Producer {
        plan: Rc::clone(&plan),
        next: 0,
    });
    let mut lags = Rng::derive(seed, &[2]);
    for partition in 0..partitions {
        let lag = lags.between(Time::ZERO, spread);
        sim.add_node(format!("partition {partition}"), move || PartitionLog {
            lag,
            landed: Vec::new(),
            consumed: Vec::new(),
        });
    }
    sim.set_links(Link::new().latency(Latency::constant(ms(1))).fifo(true))?;
    sim.run_until(ms(3_000) + spread + ms(10))?;
    let mut consumed: Vec<(Time, Record)> = (1..=partitions)
        .filter_map(|id| sim.node::<PartitionLog>(id))
        .flat_map(|log| log.consumed.iter().copied())
        .collect();
    consumed.sort_by_key(|&(at, record)| (at, record.key, record.sequence));
    Ok(consumed)
}

/// Records consumed after a later record of their key, and the keys that had any.
fn out_of_order(consumed: &[(Time, Record)]) -> (usize, u32) {
    let mut highest_seen: Vec<Option<u32>> = vec![None; KEYS as usize];
    let mut keys = vec![false; KEYS as usize];
    let mut records = 0;
    for &(_, record) in consumed {
        let highest = &mut highest_seen[record.key as usize];
        if highest.is_some_and(|seen| seen > record.sequence) {
            records += 1;
            keys[record.key as usize] = true;
        }
        *highest = (*highest).max(Some(record.sequence));
    }
    (records, keys.iter().filter(|&&bad| bad).count() as u32)
}

/// Keys read out of order against the spread of consumer lags, with the keys that changed
/// partition as the ceiling, from [`repartition_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{repartition_experiment, reorder_figure};
/// use lessons::sim::ms;
///
/// let rows = repartition_experiment(50, 70, &[ms(0), ms(100)], 1)?;
/// assert!(reorder_figure(&rows).to_svg().unwrap().contains("keys that changed partition"));
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn reorder_figure(rows: &[ReorderRow]) -> Figure {
    Figure::new("Adding partitions: keys whose records were read out of order")
        .x_label("spread of consumer lags (ms)")
        .y_label("keys (of 200)")
        .line(
            "keys read out of order",
            rows.iter()
                .map(|row| (row.lag_spread_ms, f64::from(row.keys_out_of_order))),
        )
        .line(
            "keys that changed partition",
            rows.iter()
                .map(|row| (row.lag_spread_ms, f64::from(row.keys_moved))),
        )
}
