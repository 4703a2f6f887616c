//! Retry amplification: when every layer of a call chain retries, a failure at the bottom
//! multiplies the calls that reach it.

use serde::Serialize;

use super::checks::within;
use crate::sim::SimError;
use crate::viz::Figure;

/// Calls that reach a failing bottom dependency per request at the top, when each of `layers`
/// layers tries every call `tries` times (one first attempt and `tries - 1` retries):
/// `tries^layers`.
///
/// # Errors
///
/// [`SimError::Parameter`] unless `tries` is 1 to 100 and `layers` 1 to 30, or if the answer
/// does not fit in a `u64`.
///
/// # Examples
///
/// ```
/// use lessons::resilience::amplification;
///
/// assert_eq!(amplification(3, 3)?, 27);
/// assert_eq!(amplification(4, 1)?, 4); // 1 request and 3 retries
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn amplification(tries: u64, layers: u32) -> Result<u64, SimError> {
    within("tries", tries as usize, 1, 100)?;
    within("layers", layers as usize, 1, 30)?;
    tries.checked_pow(layers).ok_or_else(|| {
        SimError::parameter(
            "layers",
            layers,
            "few enough that tries^layers fits in 64 bits",
        )
    })
}

/// One chain of [`amplification_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::amplification_experiment;
///
/// let row = amplification_experiment(2, 3, None, 10)?;
/// assert_eq!(row.bottom_calls_per_request, 9.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmplificationRow {
    /// Layers that retry.
    pub layers: u32,
    /// Tries per call at each layer (first attempt included).
    pub tries: u32,
    /// Each layer's retry budget: retries at most this fraction of its first attempts.
    pub budget: Option<f64>,
    /// Calls that reached the failing bottom, per request at the top.
    pub bottom_calls_per_request: f64,
}

/// Sends `requests` requests, one after another, into a chain of `layers` layers whose bottom
/// dependency fails every call. Each layer tries a failed call up to `tries` times; with a
/// `budget` b, a layer retries only while its retries so far stay at or below b times its
/// first attempts so far (one budget per layer, kept across requests). This budget rule is
/// the lesson's model; Envoy's and gRPC's budgets are defined differently (against active
/// requests, and as a token bucket).
///
/// # Errors
///
/// [`SimError::Parameter`] for layers outside 1 to 12, tries outside 1 to 10, a budget that
/// is negative or not finite, or zero requests.
///
/// # Examples
///
/// ```
/// use lessons::resilience::amplification_experiment;
///
/// let unlimited = amplification_experiment(3, 3, None, 100)?;
/// let budgeted = amplification_experiment(3, 3, Some(0.2), 100)?;
/// assert_eq!(unlimited.bottom_calls_per_request, 27.0);
/// assert!(budgeted.bottom_calls_per_request <= 1.2f64.powi(3) + 0.2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn amplification_experiment(
    layers: u32,
    tries: u32,
    budget: Option<f64>,
    requests: u64,
) -> Result<AmplificationRow, SimError> {
    within("layers", layers as usize, 1, 12)?;
    within("tries", tries as usize, 1, 10)?;
    within("requests", requests as usize, 1, 1_000_000)?;
    if let Some(share) = budget
        && !(share.is_finite() && share >= 0.0)
    {
        return Err(SimError::parameter(
            "budget",
            share,
            "a finite fraction, 0 or more",
        ));
    }
    let mut chain = Chain {
        layers: vec![Layer::default(); layers as usize],
        tries,
        budget,
        bottom_calls: 0,
    };
    for _ in 0..requests {
        chain.call(0);
    }
    Ok(AmplificationRow {
        layers,
        tries,
        budget,
        bottom_calls_per_request: chain.bottom_calls as f64 / requests as f64,
    })
}

#[derive(Clone, Default)]
struct Layer {
    first_attempts: u64,
    retries: u64,
}

struct Chain {
    layers: Vec<Layer>,
    tries: u32,
    budget: Option<f64>,
    bottom_calls: u64,
}

impl Chain {
    /// A call into layer `depth`; it always fails in the end, because the bottom does.
    fn call(&mut self, depth: usize) {
        if depth == self.layers.len() {
            self.bottom_calls += 1;
            return;
        }
        self.layers[depth].first_attempts += 1;
        self.call(depth + 1);
        for _ in 1..self.tries {
            let layer = &self.layers[depth];
            let allowed = self.budget.is_none_or(|share| {
                (layer.retries + 1) as f64 <= share * layer.first_attempts as f64
            });
            if !allowed {
                break;
            }
            self.layers[depth].retries += 1;
            self.call(depth + 1);
        }
    }
}

/// Calls reaching the failing bottom per top-level request against the number of layers, one
/// line per row group (tries, budget); the y axis is logarithmic.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{amplification_experiment, amplification_figure};
///
/// let rows = vec![amplification_experiment(1, 3, None, 10)?, amplification_experiment(2, 3, None, 10)?];
/// assert!(amplification_figure(&rows).to_svg()?.contains("3 tries, no budget"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn amplification_figure(rows: &[AmplificationRow]) -> Figure {
    let mut figure = Figure::new("Retry amplification when the bottom of the chain fails")
        .x_label("layers that retry")
        .y_label("calls reaching the bottom per request (log)")
        .log_y();
    let name = |row: &AmplificationRow| match row.budget {
        None => format!("{} tries, no budget", row.tries),
        Some(share) => format!("{} tries, budget {}%", row.tries, share * 100.0),
    };
    let mut names: Vec<String> = rows.iter().map(name).collect();
    names.dedup();
    for series in names {
        let points = rows
            .iter()
            .filter(|row| name(row) == series)
            .map(|row| (row.layers as f64, row.bottom_calls_per_request));
        figure = figure.line(series.clone(), points);
    }
    figure
}
