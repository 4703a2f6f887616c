//! Two ways replicas come to agree: read repair on the read path, and anti-entropy in the
//! background.
//!
//! Read repair fixes a key when a read of it notices an older copy, so the time until every
//! replica agrees is the time until the least-read key has been read. Anti-entropy does not
//! wait for reads: at fixed intervals two replicas compare everything they hold (section 7's
//! Merkle trees find the differing keys cheaply) and each takes the newer copy of every key.
//! The run below starts from [`read_repair_experiment`](super::read_repair_experiment)'s
//! state (every key newest on all replicas but the last) and counts the keys on which all
//! replicas agree as time passes.

use serde::Serialize;

use super::error::QuorumError;
use super::read_repair::{ReadRepairParameters, read_repair_simulation};
use super::store::{ReadRepair, Replica};
use crate::sim::{Rng, Time};

/// The share of keys on which every replica holds the same version, at one moment, under one
/// way of repairing.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ReadRepairParameters, convergence_experiment};
/// use lessons::sim::secs;
///
/// let parameters = ReadRepairParameters { duration: secs(2), ..Default::default() };
/// let rows = convergence_experiment(&parameters, secs(1), 1)?;
/// assert_eq!((rows[0].time_s, rows[0].keys_agreeing), (0.0, 0.0)); // every key starts split
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceRow {
    /// `"blocking read repair"` or `"anti-entropy every …"`.
    pub repair: String,
    /// Time since the reads began, in seconds.
    pub time_s: f64,
    /// Fraction of keys whose replicas all agree.
    pub keys_agreeing: f64,
}

/// Runs the reads of `parameters` twice: with blocking read repair and no anti-entropy, then
/// with no read repair and an anti-entropy round every `anti_entropy_every` (each round, two
/// replicas drawn from `seed` exchange every key on which they differ, at once). Samples the
/// share of keys on which all replicas agree every `parameters.sample_every`.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for invalid parameters or a non-positive interval.
///
/// # Examples
///
/// Anti-entropy every second, three replicas of which the last is behind: a round that pairs
/// it with either other replica settles every key at once.
///
/// ```
/// use lessons::quorum::{ReadRepairParameters, convergence_experiment, time_to_agree};
/// use lessons::sim::{ms, secs};
///
/// let parameters = ReadRepairParameters { duration: secs(5), ..Default::default() };
/// let rows = convergence_experiment(&parameters, secs(1), 1)?;
/// let settled = time_to_agree(&rows, "anti-entropy every 1s").unwrap();
/// assert!(settled >= 1.0 && settled.fract() == 0.0);
/// assert!(convergence_experiment(&parameters, ms(0), 1).is_err());
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn convergence_experiment(
    parameters: &ReadRepairParameters,
    anti_entropy_every: Time,
    seed: u64,
) -> Result<Vec<ConvergenceRow>, QuorumError> {
    parameters.validate()?;
    if anti_entropy_every <= Time::ZERO {
        return Err(QuorumError::parameter(
            "anti_entropy_every",
            anti_entropy_every,
            "anti-entropy rounds must be a positive time apart",
        ));
    }
    let n = parameters.quorum.n();
    let mut rows = Vec::new();
    for (repair, rounds) in [
        (ReadRepair::Blocking, None),
        (ReadRepair::Off, Some(anti_entropy_every)),
    ] {
        let name = match rounds {
            None => "blocking read repair".to_string(),
            Some(every) => format!("anti-entropy every {every}"),
        };
        let mut sim = read_repair_simulation(parameters, repair, seed)?;
        let mut pairs = Rng::derive(seed, &[29]);
        let mut next_round = rounds.unwrap_or(Time::MAX);
        let mut now = Time::ZERO;
        while now <= parameters.duration {
            while next_round <= now {
                sim.run_until(next_round)?;
                let first = pairs.below(n as u64) as usize;
                let second = (first + 1 + pairs.below(n as u64 - 1) as usize) % n;
                exchange(&mut sim, first, second);
                next_round += anti_entropy_every;
            }
            sim.run_until(now)?;
            let replicas: Vec<&Replica> = (0..n).filter_map(|r| sim.node::<Replica>(r)).collect();
            let agreeing = (0..parameters.keys as u64)
                .filter(|&key| {
                    replicas
                        .windows(2)
                        .all(|pair| pair[0].get(key) == pair[1].get(key))
                })
                .count();
            rows.push(ConvergenceRow {
                repair: name.clone(),
                time_s: now.as_secs_f64(),
                keys_agreeing: agreeing as f64 / parameters.keys as f64,
            });
            now += parameters.sample_every;
        }
    }
    Ok(rows)
}

/// One anti-entropy exchange: replicas `a` and `b` each take the newer copy of every key.
fn exchange(sim: &mut crate::sim::Simulation<super::store::StoreMessage>, a: usize, b: usize) {
    let (Some(left), Some(right)) = (sim.node::<Replica>(a), sim.node::<Replica>(b)) else {
        return;
    };
    let mut merged = left.data().clone();
    for (&key, &theirs) in right.data() {
        let entry = merged.entry(key).or_insert(theirs);
        if theirs.is_newer_than(Some(entry)) {
            *entry = theirs;
        }
    }
    for replica in [a, b] {
        if let Some(node) = sim.node_mut::<Replica>(replica) {
            *node = Replica::preloaded(merged.clone());
        }
    }
}

/// The first sampled time (in seconds) at which every key agrees on every replica under
/// `repair`, or `None` if that never happened in the run.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{ConvergenceRow, time_to_agree};
///
/// let row = |time_s, keys_agreeing| ConvergenceRow {
///     repair: "blocking read repair".into(),
///     time_s,
///     keys_agreeing,
/// };
/// let rows = [row(0.0, 0.5), row(1.0, 1.0)];
/// assert_eq!(time_to_agree(&rows, "blocking read repair"), Some(1.0));
/// assert_eq!(time_to_agree(&rows, "anti-entropy every 1s"), None);
/// ```
pub fn time_to_agree(rows: &[ConvergenceRow], repair: &str) -> Option<f64> {
    rows.iter()
        .find(|row| row.repair == repair && row.keys_agreeing == 1.0)
        .map(|row| row.time_s)
}
