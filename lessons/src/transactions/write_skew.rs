//! Write skew: doctors going off call. Each transaction checks that at least two doctors are
//! on call and takes itself off; under snapshot isolation all of them can pass the check at
//! once, and nobody is left.

use serde::Serialize;

use super::database::Database;
use super::isolation::Isolation;
use super::program::Program;
use super::schedule::{RunTotals, every_interleaving, run_random};
use crate::check::Anomaly;
use crate::sim::{Rng, SimError};
use crate::viz::{Corner, Figure};

/// The names of the first `n` doctors (up to 8).
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::transactions::doctor_names(2), ["alice", "bob"]);
/// ```
pub fn doctor_names(n: usize) -> Vec<&'static str> {
    const NAMES: [&str; 8] = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    ];
    NAMES.iter().copied().take(n).collect()
}

/// How `doctors` doctors, all on call, each trying to go off call, fared under one isolation
/// level, summed over runs.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Isolation, on_call_interleavings};
///
/// let row = on_call_interleavings(Isolation::Snapshot, 2)?;
/// assert_eq!(row.totals.runs, 252);
/// assert!(row.nobody_on_call > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnCallRow {
    /// The isolation level.
    pub isolation: String,
    /// Doctors on call at the start, each running one transaction.
    pub doctors: usize,
    /// Commits, aborts, deadlocks and waits over all runs.
    #[serde(flatten)]
    pub totals: RunTotals,
    /// Runs that ended with nobody on call (the invariant broken).
    pub nobody_on_call: usize,
    /// Runs whose history the checker calls G2-item (write skew).
    pub write_skew: usize,
}

impl OnCallRow {
    fn new(isolation: Isolation, doctors: usize) -> OnCallRow {
        OnCallRow {
            isolation: isolation.to_string(),
            doctors,
            totals: RunTotals::default(),
            nobody_on_call: 0,
            write_skew: 0,
        }
    }

    fn add(&mut self, store: &Database) {
        self.totals.add(store);
        let on_call: i64 = doctor_names(self.doctors)
            .iter()
            .map(|d| store.value(d).unwrap_or(0))
            .sum();
        self.nobody_on_call += usize::from(on_call == 0);
        self.write_skew += usize::from(store.check().anomaly == Some(Anomaly::G2Item));
    }
}

/// A store's initial contents: (key, value) pairs.
pub type InitialValues = Vec<(&'static str, i64)>;

/// The store with `doctors` doctors on call and one go-off-call program per doctor.
///
/// # Examples
///
/// ```
/// use lessons::transactions::on_call_workload;
///
/// let (initial, programs) = on_call_workload(3)?;
/// assert_eq!((initial.len(), programs.len()), (3, 3));
/// assert!(on_call_workload(1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn on_call_workload(doctors: usize) -> Result<(InitialValues, Vec<Program>), SimError> {
    if !(2..=8).contains(&doctors) {
        return Err(SimError::parameter(
            "doctors",
            doctors,
            "from 2 to 8 (the guard needs two on call)",
        ));
    }
    let names = doctor_names(doctors);
    let initial = names.iter().map(|&name| (name, 1)).collect();
    let programs = names
        .iter()
        .map(|name| Program::go_off_call(name, &names))
        .collect();
    Ok((initial, programs))
}

/// Every interleaving of the doctors' transactions under `isolation`.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Isolation, on_call_interleavings};
///
/// let ssi = on_call_interleavings(Isolation::SerializableSnapshot, 2)?;
/// assert_eq!((ssi.nobody_on_call, ssi.totals.waits), (0, 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn on_call_interleavings(isolation: Isolation, doctors: usize) -> Result<OnCallRow, SimError> {
    let (initial, programs) = on_call_workload(doctors)?;
    let mut row = OnCallRow::new(isolation, doctors);
    for run in every_interleaving(isolation, &initial, &programs)? {
        row.add(&run.store);
    }
    Ok(row)
}

/// For each isolation level and number of doctors, `runs` seeded random interleavings.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Isolation, on_call_experiment};
///
/// let rows = on_call_experiment(&[Isolation::TwoPhaseLocking], &[3], 20, 1)?;
/// assert_eq!(rows[0].nobody_on_call, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn on_call_experiment(
    isolations: &[Isolation],
    doctors: &[usize],
    runs: usize,
    seed: u64,
) -> Result<Vec<OnCallRow>, SimError> {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    for &isolation in isolations {
        for &n in doctors {
            let (initial, programs) = on_call_workload(n)?;
            let mut row = OnCallRow::new(isolation, n);
            for _ in 0..runs {
                row.add(&run_random(isolation, &initial, &programs, rng.next_u64())?);
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The share of runs that left nobody on call, against the number of doctors, one line per
/// isolation level.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Isolation, on_call_experiment, on_call_figure};
///
/// let rows = on_call_experiment(&[Isolation::Snapshot], &[2, 3], 10, 1)?;
/// assert!(on_call_figure(&rows).to_svg()?.contains("nobody"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn on_call_figure(rows: &[OnCallRow]) -> Figure {
    let mut figure = Figure::new("Write skew: doctors going off call at once")
        .x_label("doctors on call, each trying to leave")
        .y_label("share of runs with nobody on call")
        .legend_at(Corner::LowerRight);
    for isolation in crate::viz::groups(rows, |row| row.isolation.clone()) {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.isolation == isolation)
            .map(|row| {
                let share = row.nobody_on_call as f64 / row.totals.runs.max(1) as f64;
                (row.doctors as f64, share)
            })
            .collect();
        figure = figure.line(isolation, points);
    }
    figure
}
