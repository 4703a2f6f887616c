//! The consistency ladder in numbers: histories of a single-copy register (the top rung), and
//! what it costs the checkers to reject a history.

use serde::Serialize;

use crate::check::{RegisterHistory, SequentialVerdict, Verdict, check_register, check_sequential};
use crate::sim::{Rng, SimError, Time, ms};
use crate::viz::Figure;

/// A history of a register with one copy: `clients` clients each make `per_client` requests one
/// after another (half writes of unique values), each lasting 1 to 10 ms with pauses of 0 to
/// 5 ms, and each takes effect at one random instant inside its interval. Every such history is
/// linearizable by construction.
///
/// # Errors
///
/// [`SimError::Parameter`] for no clients or more than 16.
///
/// # Examples
///
/// ```
/// use lessons::check::check_register;
/// use lessons::replication::atomic_register_history;
///
/// let history = atomic_register_history(3, 10, 1)?;
/// assert_eq!(history.len(), 30);
/// assert!(check_register(&history).is_linearizable());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn atomic_register_history(
    clients: usize,
    per_client: usize,
    seed: u64,
) -> Result<RegisterHistory, SimError> {
    if !(1..=16).contains(&clients) {
        return Err(SimError::parameter("clients", clients, "from 1 to 16"));
    }
    let mut rng = Rng::derive(seed, &[8, 8]);
    // (takes effect at, client, value written or None for a read, invoked, responded)
    let mut requests = Vec::new();
    for client in 0..clients {
        let mut at = rng.between(ms(0), ms(5));
        for k in 0..per_client {
            let end = at + rng.between(ms(1), ms(10));
            let write = rng.chance(0.5).then_some((client * 10_000 + k + 1) as u64);
            requests.push((rng.between(at, end), client, write, at, end));
            at = end + rng.between(ms(0), ms(5));
        }
    }
    requests.sort_by_key(|&(effect, ..)| effect);
    let mut value = None;
    let mut history = RegisterHistory::new();
    for (_, client, write, invoked, responded) in requests {
        let recorded = match write {
            Some(written) => {
                value = Some(written);
                history.write(client, written, invoked, Some(responded))
            }
            None => history.read(client, value, invoked, responded),
        };
        recorded.map_err(|error| SimError::parameter("history", invoked, error.to_string()))?;
    }
    Ok(history)
}

/// What it cost each checker to reject a history: the states its search explored.
///
/// # Examples
///
/// ```
/// use lessons::replication::checker_cost_experiment;
///
/// let rows = checker_cost_experiment(&[5, 10], 3, 1)?;
/// assert!(rows[0].linearizability_states < rows[1].linearizability_states);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckerCostRow {
    /// Operations in the history.
    pub operations: usize,
    /// Clients.
    pub clients: usize,
    /// States the linearizability search explored before it gave up.
    pub linearizability_states: u64,
    /// States the sequential-consistency search explored before it gave up.
    pub sequential_states: u64,
}

/// For each requests-per-client count, an [`atomic_register_history`] with one more read
/// appended that returns a value nobody wrote, so that both checkers must search every state
/// before saying no: the worst case, and a count that does not depend on the machine.
///
/// # Errors
///
/// As [`atomic_register_history`].
///
/// # Examples
///
/// ```
/// use lessons::replication::checker_cost_experiment;
///
/// let rows = checker_cost_experiment(&[4], 2, 1)?;
/// assert_eq!(rows[0].operations, 9);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn checker_cost_experiment(
    per_client: &[usize],
    clients: usize,
    seed: u64,
) -> Result<Vec<CheckerCostRow>, SimError> {
    let mut rows = Vec::new();
    for &count in per_client {
        let mut history = atomic_register_history(clients, count, seed)?;
        let end = history
            .operations()
            .iter()
            .filter_map(|op| op.responded_at)
            .max()
            .unwrap_or(Time::ZERO);
        history
            .read(clients, Some(u64::MAX), end + ms(1), end + ms(2))
            .map_err(|error| SimError::parameter("history", end, error.to_string()))?;
        let linearizability_states = match check_register(&history) {
            Verdict::NotLinearizable { explored } => explored,
            Verdict::Linearizable { .. } => 0,
        };
        let sequential_states = match check_sequential(&history) {
            SequentialVerdict::NotConsistent { explored } => explored,
            SequentialVerdict::Consistent { .. } => 0,
        };
        rows.push(CheckerCostRow {
            operations: history.len(),
            clients,
            linearizability_states,
            sequential_states,
        });
    }
    Ok(rows)
}

/// States explored against history length, for both checkers.
///
/// # Examples
///
/// ```
/// use lessons::replication::{checker_cost_experiment, checker_cost_figure};
///
/// let rows = checker_cost_experiment(&[2, 4], 2, 1)?;
/// assert!(checker_cost_figure(&rows).to_svg()?.contains("sequential"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn checker_cost_figure(rows: &[CheckerCostRow]) -> Figure {
    let point = |row: &CheckerCostRow, states: u64| (row.operations as f64, states as f64);
    Figure::new("What it costs to reject a history")
        .x_label("operations in the history")
        .y_label("search states explored")
        .line(
            "linearizability",
            rows.iter().map(|r| point(r, r.linearizability_states)),
        )
        .line(
            "sequential consistency",
            rows.iter().map(|r| point(r, r.sequential_states)),
        )
}
