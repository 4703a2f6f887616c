//! W + R > N is not linearizability: the new-old inversion, and how often random histories
//! break the promise under each read-repair setting.

use serde::Serialize;

use super::error::{QuorumError, at_least, probability};
use super::overlap::Quorum;
use super::store::{Client, Planned, ReadRepair, Replica, Request, StoreMessage};
use crate::check::{RegisterHistory, check_register};
use crate::sim::{Latency, Link, PhysicalClock, Rng, Simulation, Time, ms};

/// The worked example: three replicas (N = 3, W = R = 2), a writer A whose write reaches
/// replica r0 in 1 ms but r1 and r2 only after 50 ms, a reader B close to r0 and r1 that reads
/// at 5 ms, and a reader C close to r1 and r2 that reads at 20 ms, after B has its answer.
/// With no read repair B sees the new value and C, later, the old one.
///
/// # Errors
///
/// Only if the simulation stops, which this fixed scenario does not do.
///
/// # Examples
///
/// ```
/// use lessons::check::{RegisterHistory, check_register};
/// use lessons::quorum::{ReadRepair, inversion_run};
///
/// let run = inversion_run(ReadRepair::Off)?;
/// let history = RegisterHistory::from_operations(run.trace().operations())?;
/// assert!(!check_register(&history).is_linearizable());
/// let repaired = inversion_run(ReadRepair::Blocking)?;
/// let history = RegisterHistory::from_operations(repaired.trace().operations())?;
/// assert!(check_register(&history).is_linearizable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inversion_run(repair: ReadRepair) -> Result<Simulation<StoreMessage>, QuorumError> {
    let quorum = Quorum::new(3, 2, 2)?;
    let mut sim = Simulation::new(1);
    for name in ["r0", "r1", "r2"] {
        sim.add_node(name, Replica::new);
    }
    let client = |at: Time, request: Request| -> Result<Client, QuorumError> {
        Ok(Client::new(vec![0, 1, 2], quorum, repair)?.plan(vec![Planned { at, request }]))
    };
    let writer = client(ms(0), Request::Write { key: 0, value: 1 })?;
    let early = client(ms(5), Request::Read { key: 0 })?;
    let late = client(ms(20), Request::Read { key: 0 })?;
    let a = sim.add_node("A", move || writer.clone());
    let b = sim.add_node("B", move || early.clone());
    let c = sim.add_node("C", move || late.clone());
    sim.set_links(Link::new().latency(Latency::constant(ms(2))))?;
    let slow = |delay| Link::new().latency(Latency::constant(ms(delay)));
    for (from, to, delay) in [(a, 0, 1), (a, 1, 50), (a, 2, 50), (b, 2, 20), (c, 0, 20)] {
        sim.set_link(from, to, slow(delay))?;
        sim.set_link(to, from, slow(delay))?;
    }
    sim.run()?;
    Ok(sim)
}

/// What to run in [`linearizability_experiment`]: the store's settings and the clients' load.
///
/// # Examples
///
/// ```
/// use lessons::quorum::LinearizabilityParameters;
///
/// let parameters = LinearizabilityParameters::default();
/// assert_eq!((parameters.clients, parameters.writers), (3, 3));
/// assert!(parameters.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearizabilityParameters {
    /// N, W and R.
    pub quorum: Quorum,
    /// What reads do with older versions they see.
    pub repair: ReadRepair,
    /// How many clients.
    pub clients: usize,
    /// How many of them also write (the first ones); the rest only read.
    pub writers: usize,
    /// Requests per client.
    pub operations_per_client: usize,
    /// One-way delay between any client and any replica.
    pub latency: Latency,
    /// Client `i`'s clock runs `i · clock_skew` ahead of true time (LWW stamps come from it).
    pub clock_skew: Time,
    /// The longest pause a client takes between requests (drawn uniformly from zero to this).
    pub think_time: Time,
    /// The probability that the network loses a message. A write whose acknowledgements are
    /// lost fails after the client's timeout, yet may have reached some replicas: nothing
    /// rolls it back.
    pub loss: f64,
}

impl Default for LinearizabilityParameters {
    fn default() -> LinearizabilityParameters {
        LinearizabilityParameters {
            quorum: Quorum::majority(3).expect("N = 3 is valid"),
            repair: ReadRepair::Off,
            clients: 3,
            writers: 3,
            operations_per_client: 10,
            latency: Latency::log_normal(ms(5), 1.0),
            clock_skew: Time::ZERO,
            think_time: ms(10),
            loss: 0.0,
        }
    }
}

impl LinearizabilityParameters {
    /// Checks the parameters.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for no clients, more writers than clients, no operations, a
    /// bad latency, or a negative skew or think time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::LinearizabilityParameters;
    ///
    /// let parameters = LinearizabilityParameters { writers: 5, ..Default::default() };
    /// assert_eq!(
    ///     parameters.validate().unwrap_err().to_string(),
    ///     "writers = 5 is not allowed: between 0 and the 3 clients"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), QuorumError> {
        at_least("clients", self.clients, 1)?;
        at_least("operations_per_client", self.operations_per_client, 1)?;
        if self.writers > self.clients {
            return Err(QuorumError::parameter(
                "writers",
                self.writers,
                format!("between 0 and the {} clients", self.clients),
            ));
        }
        for (name, value) in [
            ("clock_skew", self.clock_skew),
            ("think_time", self.think_time),
        ] {
            if value < Time::ZERO {
                return Err(QuorumError::parameter(
                    name,
                    value,
                    "it must not be negative",
                ));
            }
        }
        probability("loss", self.loss)?;
        self.latency.validate()?;
        Ok(())
    }

    /// A short description of the variant, for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::LinearizabilityParameters;
    ///
    /// assert_eq!(
    ///     LinearizabilityParameters::default().name(),
    ///     "no read repair, 3 writers"
    /// );
    /// ```
    pub fn name(&self) -> String {
        let writers = match self.writers {
            1 => "1 writer".to_string(),
            n => format!("{n} writers"),
        };
        let skew = if self.clock_skew > Time::ZERO {
            format!(", clocks {} apart", self.clock_skew)
        } else {
            String::new()
        };
        let loss = if self.loss > 0.0 {
            format!(", {}% of messages lost", self.loss * 100.0)
        } else {
            String::new()
        };
        format!("{}, {writers}{skew}{loss}", self.repair.name())
    }
}

/// The store of a random run under `parameters`, set up but not yet run: the replicas are
/// nodes 0 to N-1, the clients follow. Run it to any time and look at the replicas on the way
/// ([`random_store_run`] runs it to the end).
///
/// # Errors
///
/// [`QuorumError::Parameter`] for invalid parameters.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{LinearizabilityParameters, Replica, random_store};
/// use lessons::sim::ms;
///
/// let mut store = random_store(&LinearizabilityParameters::default(), 1)?;
/// store.run_until(ms(1))?;
/// assert!(store.node::<Replica>(0).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn random_store(
    parameters: &LinearizabilityParameters,
    seed: u64,
) -> Result<Simulation<StoreMessage>, QuorumError> {
    parameters.validate()?;
    let n = parameters.quorum.n();
    let mut sim = Simulation::new(seed);
    for replica in 0..n {
        sim.add_node(format!("r{replica}"), Replica::new);
    }
    let mut rng = Rng::derive(seed, &[7]);
    for c in 0..parameters.clients {
        let mut plan = Vec::new();
        let mut at = Time::ZERO;
        for i in 0..parameters.operations_per_client {
            at += rng.between(Time::ZERO, parameters.think_time);
            let request = if c < parameters.writers && rng.chance(0.5) {
                Request::Write {
                    key: 0,
                    value: (c as u64 + 1) * 1000 + i as u64,
                }
            } else {
                Request::Read { key: 0 }
            };
            plan.push(Planned { at, request });
        }
        let client =
            Client::new((0..n).collect(), parameters.quorum, parameters.repair)?.plan(plan);
        let id = sim.add_node(format!("client {c}"), move || client.clone());
        sim.set_clock(
            id,
            PhysicalClock::new().offset(parameters.clock_skew * c as i64),
        )?;
    }
    sim.set_links(
        Link::new()
            .latency(parameters.latency.clone())
            .loss(parameters.loss),
    )?;
    Ok(sim)
}

/// One random run of the store under `parameters`, run to the end: [`random_store`], run.
/// Its trace's operations are a register history.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for invalid parameters.
///
/// # Examples
///
/// ```
/// use lessons::check::RegisterHistory;
/// use lessons::quorum::{LinearizabilityParameters, random_store_run};
///
/// let run = random_store_run(&LinearizabilityParameters::default(), 1)?;
/// let history = RegisterHistory::from_operations(run.trace().operations())?;
/// assert_eq!(history.len(), 30);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn random_store_run(
    parameters: &LinearizabilityParameters,
    seed: u64,
) -> Result<Simulation<StoreMessage>, QuorumError> {
    let mut sim = random_store(parameters, seed)?;
    sim.run()?;
    Ok(sim)
}

/// How many of a batch of random histories were not linearizable.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{LinearizabilityParameters, linearizability_experiment};
///
/// let row = linearizability_experiment(&LinearizabilityParameters::default(), 5, 1)?;
/// assert_eq!(row.histories, 5);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearizabilityRow {
    /// The variant ([`LinearizabilityParameters::name`]).
    pub variant: String,
    /// Histories generated.
    pub histories: usize,
    /// Histories the checker rejected.
    pub not_linearizable: usize,
    /// `not_linearizable / histories`.
    pub fraction: f64,
    /// The first seed whose history was rejected, to look at it.
    pub first_bad_seed: Option<u64>,
}

/// Runs `histories` random histories (seeds `seed`, `seed + 1`, ...) and checks each.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for invalid parameters or zero histories.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{LinearizabilityParameters, ReadRepair, linearizability_experiment};
///
/// let abd = LinearizabilityParameters {
///     repair: ReadRepair::Blocking,
///     writers: 1,
///     ..Default::default()
/// };
/// assert_eq!(linearizability_experiment(&abd, 5, 1)?.not_linearizable, 0);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn linearizability_experiment(
    parameters: &LinearizabilityParameters,
    histories: usize,
    seed: u64,
) -> Result<LinearizabilityRow, QuorumError> {
    at_least("histories", histories, 1)?;
    let mut not_linearizable = 0;
    let mut first_bad_seed = None;
    for run_seed in seed..seed + histories as u64 {
        let run = random_store_run(parameters, run_seed)?;
        let history = RegisterHistory::from_operations(run.trace().operations())
            .expect("clients record register operations");
        if !check_register(&history).is_linearizable() {
            not_linearizable += 1;
            first_bad_seed.get_or_insert(run_seed);
        }
    }
    Ok(LinearizabilityRow {
        variant: parameters.name(),
        histories,
        not_linearizable,
        fraction: not_linearizable as f64 / histories as f64,
        first_bad_seed,
    })
}
