//! Read repair: reads that notice an older version fix it, so keys that are read often heal
//! quickly and keys that are rarely read stay divergent.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{QuorumError, at_least};
use super::overlap::Quorum;
use super::store::{Client, Planned, ReadRepair, Replica, Request, StoreMessage, Versioned};
use crate::clocks::WriteStamp;
use crate::sim::{Latency, Link, Rng, Simulation, Time, Zipf, ms, secs};

/// What to run in [`read_repair_experiment`].
///
/// Every key starts with its newest version on all replicas but the last, which missed it (it
/// was down during the writes). Clients then read keys chosen by a Zipf law: rank 0 is the
/// most read. The first `hot_keys` ranks are "hot", the rest "cold".
///
/// # Examples
///
/// ```
/// use lessons::quorum::ReadRepairParameters;
///
/// assert!(ReadRepairParameters::default().validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRepairParameters {
    /// N, W and R.
    pub quorum: Quorum,
    /// How many keys.
    pub keys: usize,
    /// How many of the most-read keys count as hot.
    pub hot_keys: usize,
    /// The Zipf exponent of key popularity.
    pub popularity: f64,
    /// Clients, each reading one key at a time.
    pub clients: usize,
    /// Mean pause between a client's reads.
    pub mean_gap: Time,
    /// How long to run.
    pub duration: Time,
    /// How often to count divergent copies.
    pub sample_every: Time,
    /// One-way delay between clients and replicas.
    pub latency: Latency,
}

impl Default for ReadRepairParameters {
    fn default() -> ReadRepairParameters {
        ReadRepairParameters {
            quorum: Quorum::majority(3).expect("N = 3 is valid"),
            keys: 1_000,
            hot_keys: 100,
            popularity: 1.0,
            clients: 4,
            mean_gap: ms(5),
            duration: secs(10),
            sample_every: ms(500),
            latency: Latency::log_normal(ms(2), 0.5),
        }
    }
}

impl ReadRepairParameters {
    /// Checks the parameters.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for no keys, more hot keys than keys, no clients, non-positive
    /// times, or a bad latency.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::ReadRepairParameters;
    ///
    /// let bad = ReadRepairParameters { hot_keys: 5_000, ..Default::default() };
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), QuorumError> {
        at_least("keys", self.keys, 1)?;
        at_least("clients", self.clients, 1)?;
        if self.hot_keys > self.keys {
            return Err(QuorumError::parameter(
                "hot_keys",
                self.hot_keys,
                format!("between 0 and the {} keys", self.keys),
            ));
        }
        for (name, value) in [
            ("mean_gap", self.mean_gap),
            ("duration", self.duration),
            ("sample_every", self.sample_every),
        ] {
            if value <= Time::ZERO {
                return Err(QuorumError::parameter(name, value, "it must be positive"));
            }
        }
        self.latency.validate()?;
        Ok(())
    }
}

/// The fraction of copies that are older than the newest copy of their key, at one moment.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ReadRepair, ReadRepairParameters, read_repair_experiment};
/// use lessons::sim::secs;
///
/// let parameters = ReadRepairParameters { duration: secs(1), ..Default::default() };
/// let rows = read_repair_experiment(&parameters, ReadRepair::Off, 1)?;
/// assert!(rows.iter().all(|row| (row.divergent - 1.0 / 3.0).abs() < 1e-12));
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DivergenceRow {
    /// The read-repair setting.
    pub repair: String,
    /// `"hot"` or `"cold"`.
    pub keys: String,
    /// Time since the reads began, in seconds.
    pub time_s: f64,
    /// Fraction of the group's copies that are out of date.
    pub divergent: f64,
}

/// Runs the reads under `repair` and samples how many copies are still out of date.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for invalid parameters.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ReadRepair, ReadRepairParameters, read_repair_experiment};
/// use lessons::sim::secs;
///
/// let parameters = ReadRepairParameters { duration: secs(2), ..Default::default() };
/// let rows = read_repair_experiment(&parameters, ReadRepair::Background, 1)?;
/// let last_hot = rows.iter().filter(|row| row.keys == "hot").last().unwrap();
/// assert!(last_hot.divergent < 0.1);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn read_repair_experiment(
    parameters: &ReadRepairParameters,
    repair: ReadRepair,
    seed: u64,
) -> Result<Vec<DivergenceRow>, QuorumError> {
    let mut sim = read_repair_simulation(parameters, repair, seed)?;
    let n = parameters.quorum.n();
    let mut rows = Vec::new();
    let mut now = Time::ZERO;
    while now <= parameters.duration {
        sim.run_until(now)?;
        let replicas: Vec<&Replica> = (0..n).filter_map(|r| sim.node::<Replica>(r)).collect();
        for (group, range) in [
            ("hot", 0..parameters.hot_keys),
            ("cold", parameters.hot_keys..parameters.keys),
        ] {
            let copies = range.len() * n;
            let divergent = range
                .map(|key| {
                    let versions: Vec<Option<Versioned>> =
                        replicas.iter().map(|r| r.get(key as u64)).collect();
                    let best = versions.iter().flatten().map(|v| v.stamp).max();
                    versions
                        .iter()
                        .filter(|v| v.map(|v| v.stamp) < best)
                        .count()
                })
                .sum::<usize>();
            rows.push(DivergenceRow {
                repair: repair.name().to_string(),
                keys: group.to_string(),
                time_s: now.as_secs_f64(),
                divergent: if copies == 0 {
                    0.0
                } else {
                    divergent as f64 / copies as f64
                },
            });
        }
        now += parameters.sample_every;
    }
    Ok(rows)
}

/// The replicas (the last one behind on every key) and the reading clients of `parameters`,
/// set up and not yet run.
pub(crate) fn read_repair_simulation(
    parameters: &ReadRepairParameters,
    repair: ReadRepair,
    seed: u64,
) -> Result<Simulation<StoreMessage>, QuorumError> {
    parameters.validate()?;
    let n = parameters.quorum.n();
    let version = |major: i64| -> BTreeMap<u64, Versioned> {
        (0..parameters.keys as u64)
            .map(|key| {
                let stamp = WriteStamp {
                    major,
                    minor: 0,
                    node: 0,
                };
                (
                    key,
                    Versioned {
                        stamp,
                        value: major as u64,
                    },
                )
            })
            .collect()
    };
    let (newest, missed) = (version(2), version(1));
    let mut sim: Simulation<StoreMessage> = Simulation::new(seed);
    sim.set_recording(false);
    for replica in 0..n {
        let data = if replica + 1 == n { &missed } else { &newest }.clone();
        sim.add_node(format!("r{replica}"), move || {
            Replica::preloaded(data.clone())
        });
    }
    let zipf = Zipf::new(parameters.keys, parameters.popularity)?;
    let mut rng = Rng::derive(seed, &[11]);
    for c in 0..parameters.clients {
        let mut plan = Vec::new();
        let mut at = Time::ZERO;
        loop {
            at += Time::from_nanos_f64(rng.exponential() * parameters.mean_gap.as_nanos() as f64);
            if at >= parameters.duration {
                break;
            }
            let key = zipf.sample(&mut rng) as u64;
            plan.push(Planned {
                at,
                request: Request::Read { key },
            });
        }
        let client = Client::new((0..n).collect(), parameters.quorum, repair)?
            .plan(plan)
            .record(false);
        sim.add_node(format!("client {c}"), move || client.clone());
    }
    sim.set_links(Link::new().latency(parameters.latency.clone()))?;
    Ok(sim)
}
