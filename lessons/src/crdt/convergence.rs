//! Replicas that update locally and gossip their states, through a partition: divergence and
//! convergence over time.

use std::rc::Rc;

use serde::Serialize;

use super::error::{CrdtError, check_probability, check_range};
use super::lattice::Crdt;
use crate::sim::{Context, Latency, Link, Node, NodeId, Rng, Simulation, Time, ms, partition};

/// Timer tags of a [`GossipReplica`].
const UPDATE: u64 = 0;
const GOSSIP: u64 = 1;

/// What [`convergence_run`] simulates.
///
/// Each replica makes a local update every `update_interval` on average (uniformly between half
/// and one and a half times it) until `updates_until`, and every `gossip_interval` sends its
/// whole state to one other replica chosen at random. Messages take 5 to 25 ms and are lost with
/// probability `loss`. If `partition` is `Some((start, heal))`, the first half of the replicas
/// cannot reach the second half between those times. The run lasts `duration` and is sampled
/// every `sample_every`.
///
/// # Examples
///
/// ```
/// use lessons::crdt::ConvergenceParameters;
/// use lessons::sim::ms;
///
/// let parameters = ConvergenceParameters::default();
/// assert_eq!(parameters.partition, Some((ms(500), ms(1_500))));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceParameters {
    /// How many replicas (2 to 26).
    pub replicas: usize,
    /// Mean time between two updates of one replica (positive).
    pub update_interval: Time,
    /// When updates stop.
    pub updates_until: Time,
    /// Time between two gossip messages of one replica (positive).
    pub gossip_interval: Time,
    /// When the partition starts and heals, if there is one.
    pub partition: Option<(Time, Time)>,
    /// The chance that a message is lost.
    pub loss: f64,
    /// How long the run lasts (positive, at most 60 s).
    pub duration: Time,
    /// Time between two samples (positive, at most 1,000 samples per run).
    pub sample_every: Time,
}

impl Default for ConvergenceParameters {
    /// 4 replicas updating every 100 ms until 2 s, gossiping every 100 ms, a partition from
    /// 0.5 s to 1.5 s, no loss, 3 s sampled every 20 ms.
    fn default() -> Self {
        ConvergenceParameters {
            replicas: 4,
            update_interval: ms(100),
            updates_until: ms(2_000),
            gossip_interval: ms(100),
            partition: Some((ms(500), ms(1_500))),
            loss: 0.0,
            duration: ms(3_000),
            sample_every: ms(20),
        }
    }
}

impl ConvergenceParameters {
    fn validate(&self) -> Result<(), CrdtError> {
        check_range("replicas", self.replicas as u64, 2, 26, "2 to 26 replicas")?;
        check_probability("loss", self.loss)?;
        let positive = [
            ("update_interval", self.update_interval),
            ("gossip_interval", self.gossip_interval),
            ("duration", self.duration),
            ("sample_every", self.sample_every),
        ];
        for (name, value) in positive {
            if value <= Time::ZERO {
                return Err(CrdtError::parameter(
                    name,
                    format!("{value:?}"),
                    "a positive time",
                ));
            }
        }
        if self.duration > ms(60_000) {
            return Err(CrdtError::parameter(
                "duration",
                format!("{:?}", self.duration),
                "at most 60 s",
            ));
        }
        if self.duration.as_nanos() / self.sample_every.as_nanos() > 1_000 {
            return Err(CrdtError::parameter(
                "sample_every",
                format!("{:?}", self.sample_every),
                "at least duration / 1,000",
            ));
        }
        Ok(())
    }
}

/// The update a [`GossipReplica`] makes: given its state, its own id and a random stream.
type Update<C> = Rc<dyn Fn(&mut C, NodeId, &mut Rng)>;

/// A replica in [`convergence_run`]: it updates its state now and then and gossips it.
struct GossipReplica<C> {
    state: C,
    update: Update<C>,
    parameters: ConvergenceParameters,
}

impl<C: Crdt + 'static> Node<C> for GossipReplica<C> {
    fn on_start(&mut self, ctx: &mut Context<'_, C>) {
        let first_update = ctx
            .rng()
            .between(Time::ZERO, self.parameters.update_interval);
        ctx.set_timer(first_update, UPDATE);
        let first_gossip = ctx
            .rng()
            .between(Time::ZERO, self.parameters.gossip_interval);
        ctx.set_timer(first_gossip, GOSSIP);
    }

    fn on_message(&mut self, _: &mut Context<'_, C>, _: NodeId, state: C) {
        self.state.merge(&state);
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, C>, tag: u64) {
        let me = ctx.me();
        if tag == UPDATE {
            if ctx.now() >= self.parameters.updates_until {
                return;
            }
            (self.update)(&mut self.state, me, ctx.rng());
            let interval = self.parameters.update_interval;
            let next = ctx.rng().between(
                Time::from_nanos(interval.as_nanos() / 2),
                Time::from_nanos(interval.as_nanos() / 2 * 3),
            );
            ctx.set_timer(next, UPDATE);
        } else {
            let others = ctx.node_count() as u64 - 1;
            let peer = (me + 1 + ctx.rng().below(others) as usize) % ctx.node_count();
            ctx.send(peer, self.state.clone());
            ctx.set_timer(self.parameters.gossip_interval, GOSSIP);
        }
    }
}

/// One sample of a [`ConvergenceRun`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::ConvergenceSample;
///
/// let sample = ConvergenceSample { time_ms: 20.0, distinct_states: 2 };
/// assert_eq!(sample.distinct_states, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ConvergenceSample {
    /// When, in milliseconds.
    pub time_ms: f64,
    /// How many different states the replicas hold (1: all equal).
    pub distinct_states: usize,
}

/// What [`convergence_run`] returns: samples over time and every replica's state at each.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{ConvergenceParameters, PNCounter, convergence_run};
///
/// let run = convergence_run(&ConvergenceParameters::default(), PNCounter::new(), |c: &mut PNCounter, me, _| {
///     c.increment(me);
/// }, 3)?;
/// assert_eq!(run.samples.len(), run.states.len());
/// assert!(run.converged_at.is_some());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergenceRun<C> {
    /// One sample per `sample_every`, from time 0.
    pub samples: Vec<ConvergenceSample>,
    /// The replicas' states at each sample.
    pub states: Vec<Vec<C>>,
    /// The first sample time from which every later sample shows one state, if the run ends
    /// converged.
    pub converged_at: Option<Time>,
}

/// Runs replicas of `initial` that apply `update` now and then and gossip their states (see
/// [`ConvergenceParameters`]).
///
/// # Errors
///
/// [`CrdtError::Parameter`] for parameters outside their ranges; [`CrdtError::Simulation`] if
/// the partition is refused by the simulator (for example one that heals before it starts).
///
/// # Examples
///
/// ```
/// use lessons::crdt::{ConvergenceParameters, OrSet, convergence_run};
///
/// let run = convergence_run(&ConvergenceParameters::default(), OrSet::new(), |cart: &mut OrSet<u64>, me, rng| {
///     let item = rng.below(5);
///     if rng.chance(0.5) { cart.add(me, item); } else { cart.remove(&item); }
/// }, 1)?;
/// let during_partition = run.samples.iter().find(|s| s.time_ms == 1_000.0).unwrap();
/// assert!(during_partition.distinct_states > 1);
/// assert_eq!(run.samples.last().unwrap().distinct_states, 1);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn convergence_run<C, F>(
    parameters: &ConvergenceParameters,
    initial: C,
    update: F,
    seed: u64,
) -> Result<ConvergenceRun<C>, CrdtError>
where
    C: Crdt + 'static,
    F: Fn(&mut C, NodeId, &mut Rng) + 'static,
{
    parameters.validate()?;
    let update: Update<C> = Rc::new(update);
    let mut sim: Simulation<C> = Simulation::new(seed);
    sim.set_recording(false);
    for replica in 0..parameters.replicas {
        let (state, update, parameters) = (initial.clone(), update.clone(), parameters.clone());
        sim.add_node(super::replica_name(replica), move || GossipReplica {
            state: state.clone(),
            update: update.clone(),
            parameters: parameters.clone(),
        });
    }
    sim.set_links(
        Link::new()
            .latency(Latency::uniform(ms(5), ms(25)))
            .loss(parameters.loss)
            .fifo(false),
    )?;
    if let Some((start, heal)) = parameters.partition {
        let half = parameters.replicas / 2;
        sim.add_fault(
            partition(
                (0..half).collect::<Vec<_>>(),
                (half..parameters.replicas).collect::<Vec<_>>(),
            )
            .at(start)
            .heal_at(heal),
        )?;
    }
    let mut run = ConvergenceRun {
        samples: Vec::new(),
        states: Vec::new(),
        converged_at: None,
    };
    let mut now = Time::ZERO;
    while now <= parameters.duration {
        sim.run_until(now)?;
        let states: Vec<C> = (0..parameters.replicas)
            .filter_map(|id| sim.node::<GossipReplica<C>>(id).map(|r| r.state.clone()))
            .collect();
        let mut distinct: Vec<&C> = Vec::new();
        for state in &states {
            if !distinct.contains(&state) {
                distinct.push(state);
            }
        }
        let distinct_states = distinct.len();
        if distinct_states == 1 {
            run.converged_at.get_or_insert(now);
        } else {
            run.converged_at = None;
        }
        run.samples.push(ConvergenceSample {
            time_ms: now.as_millis_f64(),
            distinct_states,
        });
        run.states.push(states);
        now += parameters.sample_every;
    }
    Ok(run)
}
