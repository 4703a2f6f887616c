//! SWIM's indirect probes: before declaring a peer dead, ask others to try it too.

use serde::Serialize;

use crate::sim::probability;
use crate::sim::{Rng, SimError};

/// The probability that a SWIM-style probe declares a healthy node failed: the direct ping or
/// its ack is lost (each leg of the A-B link drops with `direct_loss`), and all `indirect` helpers
/// fail too, each needing four legs (A→C, C→B, B→C, C→A) that drop with `link_loss`:
/// `(1 - (1-d)²) · (1 - (1-l)⁴)^k`.
///
/// # Errors
///
/// [`SimError::Probability`] when a loss is outside `[0, 1]`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::false_failure_probability;
///
/// // A broken A-B link: the direct probe always fails; three helpers over 1%-lossy links.
/// let p = false_failure_probability(1.0, 0.01, 3)?;
/// let per_helper = 1.0 - 0.99f64.powi(4);
/// assert!((p - per_helper.powi(3)).abs() < 1e-15);
/// assert_eq!(false_failure_probability(1.0, 0.01, 0)?, 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn false_failure_probability(
    direct_loss: f64,
    link_loss: f64,
    indirect: u32,
) -> Result<f64, SimError> {
    probability("direct_loss", direct_loss)?;
    probability("link_loss", link_loss)?;
    let direct_fails = 1.0 - (1.0 - direct_loss).powi(2);
    let helper_fails = 1.0 - (1.0 - link_loss).powi(4);
    Ok(direct_fails * helper_fails.powi(indirect as i32))
}

/// One number of helpers in the indirect-probe experiment.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::indirect_probe_experiment;
///
/// let rows = indirect_probe_experiment(1.0, 0.05, &[0, 1], 10_000, 1)?;
/// assert_eq!(rows[0].false_failures, 10_000); // no helpers: a broken link is a dead node
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeRow {
    /// Helpers asked to probe indirectly (k).
    pub indirect: u32,
    /// Probes of the healthy node simulated.
    pub probes: usize,
    /// How many declared it failed.
    pub false_failures: usize,
    /// `false_failures / probes`.
    pub measured: f64,
    /// [`false_failure_probability`].
    pub computed: f64,
}

/// Simulates `probes` SWIM probe periods of a healthy node B by A for each k in `indirect`:
/// every message leg is dropped independently (the A-B legs with `direct_loss`, all others
/// with `link_loss`), and B is declared failed when neither the direct ping nor any of the k
/// indirect pings come back.
///
/// # Errors
///
/// [`SimError::Probability`] for a loss outside `[0, 1]`; [`SimError::Parameter`] for no probes.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::indirect_probe_experiment;
///
/// let rows = indirect_probe_experiment(1.0, 0.1, &[3], 100_000, 2)?;
/// assert!((rows[0].measured - rows[0].computed).abs() < 0.005);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn indirect_probe_experiment(
    direct_loss: f64,
    link_loss: f64,
    indirect: &[u32],
    probes: usize,
    seed: u64,
) -> Result<Vec<ProbeRow>, SimError> {
    if probes == 0 {
        return Err(SimError::parameter(
            "probes",
            probes,
            "simulate at least 1 probe",
        ));
    }
    let mut rows = Vec::new();
    for &k in indirect {
        let computed = false_failure_probability(direct_loss, link_loss, k)?;
        let mut rng = Rng::derive(seed, &[u64::from(k)]);
        let mut arrives = |loss: f64| !rng.chance(loss);
        let false_failures = (0..probes)
            .filter(|_| {
                let direct = arrives(direct_loss) & arrives(direct_loss);
                let helped = (0..k).fold(false, |any, _| {
                    let legs = [link_loss; 4].map(&mut arrives);
                    any | legs.iter().all(|&leg| leg)
                });
                !(direct || helped)
            })
            .count();
        rows.push(ProbeRow {
            indirect: k,
            probes,
            false_failures,
            measured: false_failures as f64 / probes as f64,
            computed: (computed * 1e9).round() / 1e9,
        });
    }
    Ok(rows)
}
