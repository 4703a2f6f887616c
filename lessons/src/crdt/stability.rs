//! Garbage-collecting CRDT metadata at causal stability: a tombstone may go once every replica
//! has seen the remove that made it.
//!
//! The textbook OR-Set keeps a tombstone for every removed add, so that a replica that has not
//! yet heard of the remove cannot bring the element back on a merge. Once *every* replica has
//! seen the remove, no replica holds the removed add any more, and with causal delivery no
//! older state can arrive to bring it back: the remove is *causally stable* and its tombstone
//! can be dropped (Baquero, Almeida and Shoker, "Making Operation-based CRDTs
//! Operation-based", DAIS 2014, use causal stability to drop timestamps). The catch
//! is the word *every*: one replica that is offline holds back the collection everywhere.
//!
//! The experiment tracks only the removes, not the set's elements: each replica knows, per
//! origin replica, how many of its removes it has seen (state exchanges carry whole states, so
//! that knowledge is a prefix, one number per origin). A remove is stable when every replica's
//! number for its origin has reached it. A real replica learns this later than the experiment
//! does (it must hear what the others have seen), so the counts here are the least any
//! collector must keep.

use serde::Serialize;

use super::error::{CrdtError, check_range};
use crate::sim::Rng;
use crate::viz::Figure;

/// Tombstones at one moment of [`stability_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::crdt::stability_experiment;
///
/// let rows = stability_experiment(4, 1_000, None, 1)?;
/// let last = rows.last().unwrap();
/// assert_eq!(last.operations, 1_000);
/// assert!(last.unstable < last.removes / 10);
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StabilityRow {
    /// Operations so far.
    pub operations: u64,
    /// Removes so far: the tombstones a set that never collects keeps.
    pub removes: u64,
    /// Removes not yet seen by every replica: the tombstones a collector must still keep.
    pub unstable: u64,
    /// Whether the last replica is offline at this moment.
    pub offline: bool,
}

/// `replicas` replicas (2 to 64) make `operations` operations (1 to 100,000), each on a random
/// online replica and a remove with probability 0.4; after each operation two random online
/// replicas exchange states. With `offline = Some((from, to))`, the last replica neither
/// works nor exchanges from operation `from` until operation `to`. 100 rows at equal steps.
///
/// # Errors
///
/// [`CrdtError::Parameter`] for a count out of range or an offline window that does not end
/// after it starts.
///
/// # Examples
///
/// One of four replicas offline from operation 2,000 to 5,000: nothing removed in that time
/// can be collected until it is back.
///
/// ```
/// use lessons::crdt::stability_experiment;
///
/// let rows = stability_experiment(4, 10_000, Some((2_000, 5_000)), 1)?;
/// let just_before_return = rows.iter().find(|row| row.operations == 4_900).unwrap();
/// assert!(just_before_return.unstable > 1_000);
/// assert!(rows.last().unwrap().unstable < 50);
/// assert!(stability_experiment(4, 100, Some((50, 50)), 1).is_err());
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn stability_experiment(
    replicas: usize,
    operations: u64,
    offline: Option<(u64, u64)>,
    seed: u64,
) -> Result<Vec<StabilityRow>, CrdtError> {
    check_range("replicas", replicas as u64, 2, 64, "2 to 64 replicas")?;
    check_range(
        "operations",
        operations,
        1,
        100_000,
        "1 to 100,000 operations",
    )?;
    if let Some((from, to)) = offline
        && to <= from
    {
        return Err(CrdtError::parameter(
            "offline window",
            format!("{from}..{to}"),
            "the offline window ends after the operation it starts at",
        ));
    }
    let mut rng = Rng::new(seed);
    // seen[r][origin]: how many of `origin`'s removes replica r has seen.
    let mut seen = vec![vec![0u64; replicas]; replicas];
    let mut removes = 0;
    let mut rows = Vec::new();
    let step = (operations / 100).max(1);
    for operation in 1..=operations {
        let away = offline.is_some_and(|(from, to)| (from..to).contains(&operation));
        let online = if away { replicas - 1 } else { replicas };
        let actor = rng.below(online as u64) as usize;
        if rng.chance(0.4) {
            seen[actor][actor] += 1;
            removes += 1;
        }
        let a = rng.below(online as u64) as usize;
        let b = (a + 1 + rng.below(online as u64 - 1) as usize) % online;
        let merged: Vec<u64> = seen[a]
            .iter()
            .zip(&seen[b])
            .map(|(x, y)| *x.max(y))
            .collect();
        seen[a].clone_from(&merged);
        seen[b] = merged;
        if operation % step == 0 {
            let stable: u64 = (0..replicas)
                .map(|origin| seen.iter().map(|row| row[origin]).min().unwrap_or(0))
                .sum();
            rows.push(StabilityRow {
                operations: operation,
                removes,
                unstable: removes - stable,
                offline: away,
            });
        }
    }
    Ok(rows)
}

/// Tombstones kept with and without collection at causal stability, against operations, from
/// [`stability_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{stability_experiment, stability_figure};
///
/// let rows = stability_experiment(4, 1_000, Some((200, 500)), 1)?;
/// assert!(stability_figure(&rows).to_svg().unwrap().contains("collected at stability"));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
pub fn stability_figure(rows: &[StabilityRow]) -> Figure {
    Figure::new("Tombstones of an OR-Set: kept forever, or collected at stability")
        .x_label("operations")
        .y_label("tombstones kept")
        .line(
            "never collected",
            rows.iter()
                .map(|row| (row.operations as f64, row.removes as f64)),
        )
        .line(
            "collected at stability",
            rows.iter()
                .map(|row| (row.operations as f64, row.unstable as f64)),
        )
}
