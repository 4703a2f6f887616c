//! Availability arithmetic: dependencies in series multiply, redundant copies in parallel fail
//! only together, and a target is a budget of minutes.

use serde::Serialize;

use super::checks::{positive_time, probability, within};
use crate::sim::{Rng, SimError, Time};
use crate::viz::Figure;

/// Minutes in a year of 365.25 days, the year the downtime tables use.
pub const MINUTES_PER_YEAR: f64 = 365.25 * 24.0 * 60.0;

/// The availability of a request that needs every one of `components` (independent
/// failures): their product.
///
/// # Errors
///
/// [`SimError::Probability`] for an availability outside [0, 1].
///
/// # Examples
///
/// ```
/// use lessons::resilience::serial_availability;
///
/// let three_nines_each = serial_availability(&[0.999; 10])?;
/// assert_eq!(format!("{three_nines_each:.5}"), "0.99004");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn serial_availability(components: &[f64]) -> Result<f64, SimError> {
    components.iter().try_fold(1.0, |product, &a| {
        Ok(product * probability("availability", a)?)
    })
}

/// The availability of `copies` independent redundant copies, each up with probability
/// `availability`, when one is enough: `1 - (1 - a)^copies`.
///
/// # Errors
///
/// [`SimError::Probability`] for an availability outside [0, 1]; [`SimError::Parameter`]
/// unless copies is 1 to 100.
///
/// # Examples
///
/// ```
/// use lessons::resilience::parallel_availability;
///
/// assert!((parallel_availability(0.99, 2)? - 0.9999).abs() < 1e-12);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn parallel_availability(availability: f64, copies: usize) -> Result<f64, SimError> {
    let a = probability("availability", availability)?;
    within("copies", copies, 1, 100)?;
    Ok(1.0 - (1.0 - a).powi(copies as i32))
}

/// Minutes per year a service at `availability` may be down: the error budget of an SLO.
///
/// # Errors
///
/// [`SimError::Probability`] for an availability outside [0, 1].
///
/// # Examples
///
/// ```
/// use lessons::resilience::downtime_minutes_per_year;
///
/// assert_eq!(format!("{:.1}", downtime_minutes_per_year(0.9999)?), "52.6");
/// assert_eq!(format!("{:.1}", downtime_minutes_per_year(0.999)?), "526.0");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn downtime_minutes_per_year(availability: f64) -> Result<f64, SimError> {
    Ok((1.0 - probability("availability", availability)?) * MINUTES_PER_YEAR)
}

/// One configuration of [`availability_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::availability_experiment;
/// use lessons::sim::secs;
///
/// let rows = availability_experiment(&[1], 1, secs(99 * 3600), secs(3600), 200, 1)?;
/// assert_eq!(rows[0].exact, 0.99);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvailabilityRow {
    /// Dependencies in series.
    pub serial: usize,
    /// Redundant copies of each dependency (one is enough).
    pub copies: usize,
    /// The formula: `(1 - (1 - a)^copies)^serial` with `a = MTBF / (MTBF + MTTR)`.
    pub exact: f64,
    /// The share of simulated time the whole chain was up.
    pub simulated: f64,
}

/// Monte Carlo of up/down processes: each of `serial x copies` components alternates
/// exponential up periods (mean `mtbf`) and exponential repairs (mean `mttr`), independently;
/// the chain is up while every serial stage has at least one copy up. Simulated over `years`
/// years, one row per serial length.
///
/// # Errors
///
/// [`SimError::Parameter`] for times that are not positive, serial lengths outside 1 to 50,
/// copies outside 1 to 5, or years outside 1 to 10,000.
///
/// # Examples
///
/// ```
/// use lessons::resilience::availability_experiment;
/// use lessons::sim::secs;
///
/// let hour = 3600;
/// let rows = availability_experiment(&[1, 4], 2, secs(99 * hour), secs(hour), 200, 5)?;
/// assert!((rows[1].simulated - rows[1].exact).abs() < 0.001);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn availability_experiment(
    serial_lengths: &[usize],
    copies: usize,
    mtbf: Time,
    mttr: Time,
    years: usize,
    seed: u64,
) -> Result<Vec<AvailabilityRow>, SimError> {
    positive_time("MTBF", mtbf)?;
    positive_time("MTTR", mttr)?;
    within("copies", copies, 1, 5)?;
    within("years", years, 1, 10_000)?;
    let single = mtbf.as_secs_f64() / (mtbf + mttr).as_secs_f64();
    let horizon = years as f64 * MINUTES_PER_YEAR * 60.0;
    let mut rows = Vec::new();
    for &serial in serial_lengths {
        within("serial dependencies", serial, 1, 50)?;
        let mut rng = Rng::derive(seed, &[serial as u64, copies as u64]);
        let components = serial * copies;
        // Each component's outages as (start, end) in seconds, merged into chain downtime below.
        let mut changes: Vec<(f64, usize, bool)> = Vec::new();
        for component in 0..components {
            let mut now = 0.0;
            while now < horizon {
                now += rng.exponential() * mtbf.as_secs_f64();
                let repaired = now + rng.exponential() * mttr.as_secs_f64();
                if now < horizon {
                    changes.push((now, component, false));
                    changes.push((repaired.min(horizon), component, true));
                }
                now = repaired;
            }
        }
        changes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut copies_up = vec![copies; serial];
        let mut stages_down = 0;
        let (mut down_since, mut downtime) = (0.0, 0.0);
        for (at, component, up) in changes {
            let stage = component / copies;
            let before = copies_up[stage];
            if up {
                copies_up[stage] += 1;
            } else {
                copies_up[stage] -= 1;
            }
            let was_down = stages_down > 0;
            match (before, copies_up[stage]) {
                (0, _) => stages_down -= 1,
                (_, 0) => stages_down += 1,
                _ => {}
            }
            match (was_down, stages_down > 0) {
                (false, true) => down_since = at,
                (true, false) => downtime += at - down_since,
                _ => {}
            }
        }
        if stages_down > 0 {
            downtime += horizon - down_since;
        }
        rows.push(AvailabilityRow {
            serial,
            copies,
            exact: parallel_availability(single, copies)?.powi(serial as i32),
            simulated: 1.0 - downtime / horizon,
        });
    }
    Ok(rows)
}

/// End-to-end availability against the number of serial dependencies, formula (line) and
/// simulation (points), one pair per copy count in the rows.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{availability_experiment, availability_figure};
/// use lessons::sim::secs;
///
/// let rows = availability_experiment(&[1, 2], 1, secs(99 * 3600), secs(3600), 10, 1)?;
/// assert!(availability_figure(&rows).to_svg()?.contains("1 copy, formula"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn availability_figure(rows: &[AvailabilityRow]) -> Figure {
    let mut figure = Figure::new("Availability of a chain of dependencies")
        .x_label("dependencies in series")
        .y_label("availability");
    let mut copy_counts: Vec<usize> = rows.iter().map(|row| row.copies).collect();
    copy_counts.dedup();
    for copies in copy_counts {
        let mine: Vec<&AvailabilityRow> = rows.iter().filter(|r| r.copies == copies).collect();
        let label = if copies == 1 {
            "1 copy".to_string()
        } else {
            format!("{copies} copies")
        };
        figure = figure
            .line(
                format!("{label}, formula"),
                mine.iter().map(|r| (r.serial as f64, r.exact)),
            )
            .points(
                format!("{label}, simulated"),
                mine.iter().map(|r| (r.serial as f64, r.simulated)),
            );
    }
    figure
}
