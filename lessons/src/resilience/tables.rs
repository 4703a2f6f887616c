//! The experiments' rows as tables with rounded numbers, ready to show in a notebook.

use super::admission::AdmissionRun;
use super::availability::AvailabilityRow;
use super::balancing::BalancingRow;
use super::recovery::RecoveryRow;
use super::shedding::GoodputRow;
use super::utilization::UtilizationRow;
use crate::table::{Table, TableError};

/// [`utilization_sweep`](super::utilization_sweep)'s rows: response times in milliseconds to
/// one decimal, Little's two sides to three.
///
/// # Errors
///
/// None in practice; the `Result` is [`Table::push_row`]'s.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{utilization_sweep, utilization_table};
/// use lessons::sim::{ms, secs};
///
/// let table = utilization_table(&utilization_sweep(1, ms(10), &[0.5], secs(10), 1)?)?;
/// assert_eq!(table.rows()[0][3], "20.0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn utilization_table(rows: &[UtilizationRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "servers",
        "rho",
        "mean (ms)",
        "formula (ms)",
        "p99 (ms)",
        "L",
        "lambda W",
    ]);
    for row in rows {
        table.push_row([
            row.servers.to_string(),
            format!("{:.2}", row.utilization),
            format!("{:.1}", row.mean_ms),
            format!("{:.1}", row.formula_mean_ms),
            format!("{:.1}", row.p99_ms),
            format!("{:.3}", row.mean_in_system),
            format!("{:.3}", row.throughput_times_response),
        ])?;
    }
    Ok(table)
}

/// [`goodput_sweep`](super::goodput_sweep)'s rows, shares as percentages.
///
/// # Errors
///
/// None in practice; the `Result` is [`Table::push_row`]'s.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{goodput_sweep, goodput_table};
/// use lessons::sim::{ms, secs};
///
/// let rows = goodput_sweep(1, ms(10), ms(200), &[0.5], Some(10), secs(10), 1)?;
/// assert_eq!(goodput_table(&rows)?.headers()[0], "policy");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn goodput_table(rows: &[GoodputRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "policy",
        "offered load",
        "goodput (share of capacity)",
        "rejected",
        "p99 (ms)",
    ]);
    for row in rows {
        table.push_row([
            row.policy.clone(),
            format!("{:.2}x", row.offered_load),
            format!("{:.1}%", 100.0 * row.goodput_share),
            format!("{:.1}%", 100.0 * row.rejected_share),
            format!("{:.0}", row.p99_ms),
        ])?;
    }
    Ok(table)
}

/// [`recovery_experiment`](super::recovery_experiment)'s rows, times in seconds.
///
/// # Errors
///
/// None in practice; the `Result` is [`Table::push_row`]'s.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Outage, recovery_experiment, recovery_table};
/// use lessons::sim::{ms, secs};
///
/// let outage = Outage::new(secs(10), secs(43), 0.0)?;
/// let rows = recovery_experiment(outage, 20, 10, &[secs(2)], &[1], ms(10), secs(90), 1)?;
/// assert_eq!(recovery_table(&rows)?.rows()[0][5], "1.09");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn recovery_table(rows: &[RecoveryRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "open for (s)",
        "probes",
        "opened after (s)",
        "calls to the dead dependency",
        "refused after recovery",
        "closed after recovery (s)",
    ]);
    for row in rows {
        table.push_row([
            format!("{:.0}", row.open_for_ms / 1000.0),
            row.probes.to_string(),
            format!("{:.2}", row.time_to_open_ms / 1000.0),
            row.calls_to_dead_dependency.to_string(),
            row.refused_after_recovery.to_string(),
            format!("{:.2}", row.time_to_close_ms / 1000.0),
        ])?;
    }
    Ok(table)
}

/// [`availability_experiment`](super::availability_experiment)'s rows as percentages with
/// five decimals.
///
/// # Errors
///
/// None in practice; the `Result` is [`Table::push_row`]'s.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{availability_experiment, availability_table};
/// use lessons::sim::secs;
///
/// let rows = availability_experiment(&[1], 1, secs(99 * 3600), secs(3600), 10, 1)?;
/// assert_eq!(availability_table(&rows)?.rows()[0][2], "99.00000%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn availability_table(rows: &[AvailabilityRow]) -> Result<Table, TableError> {
    let mut table = Table::new(["in series", "copies", "formula", "simulated"]);
    for row in rows {
        table.push_row([
            row.serial.to_string(),
            row.copies.to_string(),
            format!("{:.5}%", 100.0 * row.exact),
            format!("{:.5}%", 100.0 * row.simulated),
        ])?;
    }
    Ok(table)
}

/// [`admission_experiment`](super::admission_experiment)'s runs, one row per policy, shares as
/// percentages.
///
/// # Errors
///
/// None in practice; the `Result` is [`Table::push_row`]'s.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Admission, OverloadScenario, admission_experiment, admission_table};
/// use lessons::sim::{ms, secs};
///
/// let scenario = OverloadScenario::new(0.5, 0.3, ms(10), ms(200), secs(5))?;
/// let runs = admission_experiment(&scenario, &[Admission::Reject(10)], 1)?;
/// assert_eq!(admission_table(&runs)?.rows()[0][0], "reject, line of 10");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn admission_table(runs: &[AdmissionRun]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "policy",
        "producer's rate",
        "turned away",
        "goodput (share of capacity)",
        "p99 admitted (ms)",
        "high priority on time",
        "low priority on time",
        "longest line",
    ]);
    for run in runs {
        table.push_row([
            run.policy.clone(),
            format!("{:.1}%", 100.0 * run.producer_rate_share),
            format!("{:.1}%", 100.0 * run.rejected as f64 / run.produced as f64),
            format!("{:.1}%", 100.0 * run.goodput_share),
            format!("{:.0}", run.p99_ms),
            format!("{:.1}%", 100.0 * run.high_success),
            format!("{:.1}%", 100.0 * run.low_success),
            run.longest_line.to_string(),
        ])?;
    }
    Ok(table)
}

/// Balancing rows ([`cold_start_experiment`](super::cold_start_experiment),
/// [`nat_experiment`](super::nat_experiment), [`balancing_experiment`](super::balancing_experiment)),
/// one per policy: response times and where the requests went.
///
/// # Errors
///
/// None in practice; the `Result` is [`Table::push_row`]'s.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, nat_experiment, policy_table};
/// use lessons::sim::{ms, secs};
///
/// let rows = nat_experiment(&[Policy::RoundRobin], 4, 0.2, ms(10), 0.5, secs(10), 1)?;
/// assert_eq!(policy_table(&rows)?.rows()[0][4], "25.0%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn policy_table(rows: &[BalancingRow]) -> Result<Table, TableError> {
    let mut table = Table::new([
        "policy",
        "median (ms)",
        "p99 (ms)",
        "sent to server 0",
        "busiest server's share",
    ]);
    for row in rows {
        table.push_row([
            row.policy.clone(),
            format!("{:.1}", row.p50_ms),
            format!("{:.0}", row.p99_ms),
            format!("{:.2}%", 100.0 * row.slow_share),
            format!("{:.1}%", 100.0 * row.busiest_share),
        ])?;
    }
    Ok(table)
}
