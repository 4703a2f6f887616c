//! Gossip: every node tells a few random others, round after round, until everyone knows.

use serde::Serialize;

use crate::sim::probability;
use crate::sim::{Rng, SimError};

/// Who sends what when two nodes gossip.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::Exchange;
///
/// assert_eq!(Exchange::PushPull.to_string(), "push-pull");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Exchange {
    /// A node that knows the rumour sends it to the peers it contacts.
    Push,
    /// A node asks the peers it contacts, and learns the rumour if they know it.
    Pull,
    /// Both: after a contact, either side knowing means both know.
    PushPull,
}

impl std::fmt::Display for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Exchange::Push => "push",
            Exchange::Pull => "pull",
            Exchange::PushPull => "push-pull",
        })
    }
}

/// One dissemination, round by round.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Exchange, spread};
///
/// let run = spread(100, Exchange::Push, 1, 0.0, 1, 200)?;
/// assert_eq!(run.informed_by_round[0], 1);
/// assert_eq!(*run.informed_by_round.last().unwrap(), 100);
/// assert_eq!(run.rounds, Some(run.informed_by_round.len() - 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpreadRun {
    /// How many nodes knew the rumour after each round (index 0: before the first round).
    pub informed_by_round: Vec<usize>,
    /// The round after which every node knew, if that happened within the limit.
    pub rounds: Option<usize>,
    /// Contacts made: by informed nodes for push, by every node for pull and push-pull (a
    /// node cannot know there is a rumour it has missed, so it asks every round).
    pub contacts: u64,
}

/// The largest number of nodes [`spread`] accepts.
pub const MAX_GOSSIP_NODES: usize = 1_000_000;

/// Spreads one rumour from node 0 through `nodes` nodes in synchronous rounds: each round every
/// node contacts `fanout` peers chosen uniformly at random (not itself), and each contact is
/// lost with probability `loss`; what a contact carries depends on `exchange`. Stops when all
/// know or after `max_rounds`.
///
/// The random choices are drawn the same way whatever the exchange, so runs with one seed are
/// coupled: push-pull sees exactly the contacts push sees, and can only inform more nodes.
///
/// # Errors
///
/// [`SimError::Parameter`] for fewer than 2 or more than [`MAX_GOSSIP_NODES`] nodes, a fanout
/// of 0 or not below `nodes`, or a loss outside `[0, 1]`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Exchange, spread};
///
/// let push = spread(1_000, Exchange::Push, 1, 0.0, 7, 500)?;
/// let push_pull = spread(1_000, Exchange::PushPull, 1, 0.0, 7, 500)?;
/// assert!(push_pull.rounds <= push.rounds);
/// assert!(spread(1, Exchange::Push, 1, 0.0, 7, 500).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn spread(
    nodes: usize,
    exchange: Exchange,
    fanout: usize,
    loss: f64,
    seed: u64,
    max_rounds: usize,
) -> Result<SpreadRun, SimError> {
    if !(2..=MAX_GOSSIP_NODES).contains(&nodes) {
        return Err(SimError::parameter(
            "nodes",
            nodes,
            format!("gossip needs from 2 to {MAX_GOSSIP_NODES} nodes"),
        ));
    }
    if fanout == 0 || fanout >= nodes {
        return Err(SimError::parameter(
            "fanout",
            fanout,
            format!("contact from 1 to {} peers per round", nodes - 1),
        ));
    }
    probability("loss", loss)?;
    let mut informed = vec![false; nodes];
    informed[0] = true;
    let mut run = SpreadRun {
        informed_by_round: vec![1],
        rounds: None,
        contacts: 0,
    };
    for round in 1..=max_rounds {
        let mut rng = Rng::derive(seed, &[round as u64]);
        let mut next = informed.clone();
        for node in 0..nodes {
            for _ in 0..fanout {
                // Both draws happen for every node and contact, so every exchange sees the
                // same contacts.
                let mut peer = rng.below(nodes as u64 - 1) as usize;
                if peer >= node {
                    peer += 1;
                }
                let delivered = !rng.chance(loss);
                let (pushes, pulls) = match exchange {
                    Exchange::Push => (true, false),
                    Exchange::Pull => (false, true),
                    Exchange::PushPull => (true, true),
                };
                if pushes && informed[node] || pulls {
                    run.contacts += 1;
                }
                if !delivered {
                    continue;
                }
                if pushes && informed[node] {
                    next[peer] = true;
                }
                if pulls && informed[peer] {
                    next[node] = true;
                }
            }
        }
        informed = next;
        let count = informed.iter().filter(|&&known| known).count();
        run.informed_by_round.push(count);
        if count == nodes {
            run.rounds = Some(round);
            break;
        }
    }
    Ok(run)
}

/// `log2 N + ln N`: the expected number of rounds for push gossip with fanout 1 to reach all
/// `N` nodes, up to a constant (Pittel 1987; Frieze and Grimmett 1985).
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::push_rounds_estimate;
///
/// assert_eq!(format!("{:.2}", push_rounds_estimate(100)), "11.25");
/// ```
pub fn push_rounds_estimate(nodes: usize) -> f64 {
    let n = nodes as f64;
    n.log2() + n.ln()
}

/// One (N, exchange, fanout) of the gossip experiment, over several runs.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Exchange, gossip_experiment};
///
/// let rows = gossip_experiment(&[100], &[Exchange::Push], 1, 0.0, 20, 1)?;
/// assert!((10.0..15.0).contains(&rows[0].mean_rounds));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GossipRow {
    /// N.
    pub nodes: usize,
    /// The exchange, as text.
    pub exchange: String,
    /// Peers contacted per node per round.
    pub fanout: usize,
    /// Probability that a contact is lost.
    pub loss: f64,
    /// Mean rounds until every node knew.
    pub mean_rounds: f64,
    /// The slowest run.
    pub max_rounds: usize,
    /// Mean contacts per node over the whole dissemination.
    pub contacts_per_node: f64,
    /// [`push_rounds_estimate`] for this N.
    pub push_estimate: f64,
}

/// Runs [`spread`] `runs` times (seeds derived from `seed`) for every N in `sizes` and every
/// exchange.
///
/// # Errors
///
/// [`spread`]'s errors, [`SimError::Parameter`] for no runs, or when some run had not informed
/// everyone after 10,000 rounds (loss too close to 1).
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Exchange, gossip_experiment};
///
/// let rows = gossip_experiment(&[10, 1_000], &[Exchange::PushPull], 2, 0.1, 5, 3)?;
/// assert!(rows[0].mean_rounds < rows[1].mean_rounds);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn gossip_experiment(
    sizes: &[usize],
    exchanges: &[Exchange],
    fanout: usize,
    loss: f64,
    runs: usize,
    seed: u64,
) -> Result<Vec<GossipRow>, SimError> {
    if runs == 0 {
        return Err(SimError::parameter("runs", runs, "make at least 1 run"));
    }
    let mut rows = Vec::new();
    for &nodes in sizes {
        for &exchange in exchanges {
            let mut rounds = Vec::with_capacity(runs);
            let mut contacts = 0;
            for run in 0..runs {
                let run_seed = Rng::derive(seed, &[nodes as u64, run as u64]).next_u64();
                let outcome = spread(nodes, exchange, fanout, loss, run_seed, 10_000)?;
                let finished = outcome.rounds.ok_or_else(|| {
                    SimError::parameter(
                        "loss",
                        loss,
                        "the rumour did not reach everyone in 10,000 rounds; use less loss",
                    )
                })?;
                rounds.push(finished);
                contacts += outcome.contacts;
            }
            rows.push(GossipRow {
                nodes,
                exchange: exchange.to_string(),
                fanout,
                loss,
                mean_rounds: rounds.iter().sum::<usize>() as f64 / runs as f64,
                max_rounds: rounds.iter().copied().max().unwrap_or(0),
                contacts_per_node: (contacts as f64 / (runs * nodes) as f64 * 100.0).round()
                    / 100.0,
                push_estimate: (push_rounds_estimate(nodes) * 100.0).round() / 100.0,
            });
        }
    }
    Ok(rows)
}
