//! The last item in stock: buyers who check a lagging replica oversell it, a conditional
//! decrement on the primary cannot, and reservations with a time to live hold units for carts
//! that are never paid.

use std::fmt;

use serde::Serialize;

use crate::sim::{Rng, SimError, probability};
use crate::viz::Figure;

/// How a checkout takes a unit of stock.
///
/// # Examples
///
/// ```
/// use lessons::transactions::Checkout;
///
/// assert_eq!(Checkout::ConditionalDecrement.to_string(), "conditional decrement on the primary");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Checkout {
    /// Read the stock on a replica that lags the primary by this many ms; if it shows a unit,
    /// write (value read − 1) to the primary.
    ReplicaRead {
        /// The replica's lag, in ms.
        lag_ms: u64,
    },
    /// `UPDATE stock SET n = n - 1 WHERE n > 0` on the primary: it succeeds only while a unit
    /// is left.
    ConditionalDecrement,
}

impl fmt::Display for Checkout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Checkout::ReplicaRead { lag_ms } => {
                write!(f, "read a replica {lag_ms} ms behind, then write")
            }
            Checkout::ConditionalDecrement => write!(f, "conditional decrement on the primary"),
        }
    }
}

/// Units sold beyond the stock, summed over trials, for one way of checking out.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Checkout, oversell_experiment};
///
/// let rows = oversell_experiment(&[Checkout::ConditionalDecrement], 1, &[10], 100, 1)?;
/// assert_eq!((rows[0].sold, rows[0].oversold), (100, 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OversellRow {
    /// The checkout method.
    pub checkout: String,
    /// Buyers arriving within one second for the stock.
    pub buyers: usize,
    /// Trials.
    pub trials: usize,
    /// Units sold, over all trials.
    pub sold: usize,
    /// Units sold beyond the stock, over all trials.
    pub oversold: usize,
}

/// `buyers` buyers arrive at uniformly random moments within one second for `stock` units;
/// each checks out by `checkout`. Repeated for `trials` seeded trials, for each buyer count.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Checkout, oversell_experiment};
///
/// let lagging = Checkout::ReplicaRead { lag_ms: 200 };
/// let rows = oversell_experiment(&[lagging], 1, &[10], 100, 1)?;
/// assert!(rows[0].oversold > 0);
/// assert!(oversell_experiment(&[lagging], 0, &[10], 100, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn oversell_experiment(
    checkouts: &[Checkout],
    stock: usize,
    buyers: &[usize],
    trials: usize,
    seed: u64,
) -> Result<Vec<OversellRow>, SimError> {
    if !(1..=10_000).contains(&stock) {
        return Err(SimError::parameter(
            "stock",
            stock,
            "from 1 to 10,000 units",
        ));
    }
    let mut rows = Vec::new();
    for &checkout in checkouts {
        let mut rng = Rng::new(seed);
        for &n in buyers {
            if n > 10_000 {
                return Err(SimError::parameter("buyers", n, "at most 10,000"));
            }
            let mut row = OversellRow {
                checkout: checkout.to_string(),
                buyers: n,
                trials,
                sold: 0,
                oversold: 0,
            };
            for _ in 0..trials {
                let sold = one_sale(checkout, stock, n, &mut rng);
                row.sold += sold;
                row.oversold += sold.saturating_sub(stock);
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Units sold in one trial.
fn one_sale(checkout: Checkout, stock: usize, buyers: usize, rng: &mut Rng) -> usize {
    let mut arrivals: Vec<u64> = (0..buyers).map(|_| rng.below(1_000)).collect();
    arrivals.sort_unstable();
    // The primary's stock after each write, with the time of the write.
    let mut history: Vec<(u64, i64)> = vec![(0, stock as i64)];
    let mut sold = 0;
    for at in arrivals {
        let current = history.last().map_or(0, |&(_, n)| n);
        match checkout {
            Checkout::ReplicaRead { lag_ms } => {
                let as_of = at.saturating_sub(lag_ms);
                let seen = history
                    .iter()
                    .rev()
                    .find(|&&(t, _)| t <= as_of)
                    .map_or(stock as i64, |&(_, n)| n);
                if seen > 0 {
                    sold += 1;
                    history.push((at, seen - 1));
                }
            }
            Checkout::ConditionalDecrement => {
                if current > 0 {
                    sold += 1;
                    history.push((at, current - 1));
                }
            }
        }
    }
    sold
}

/// Oversold units per trial against the number of buyers, one line per checkout method.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Checkout, oversell_experiment, oversell_figure};
///
/// let rows = oversell_experiment(&[Checkout::ConditionalDecrement], 1, &[2, 4], 10, 1)?;
/// assert!(oversell_figure(&rows).to_svg()?.contains("oversold"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn oversell_figure(rows: &[OversellRow]) -> Figure {
    let mut figure = Figure::new("The last units: buyers within one second")
        .x_label("buyers")
        .y_label("units oversold, per trial");
    for checkout in crate::viz::groups(rows, |row| row.checkout.clone()) {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.checkout == checkout)
            .map(|row| {
                let per_trial = row.oversold as f64 / row.trials.max(1) as f64;
                (row.buyers as f64, per_trial)
            })
            .collect();
        figure = figure.line(checkout, points);
    }
    figure
}

/// What reservations with one time to live did over a sale.
///
/// # Examples
///
/// ```
/// use lessons::transactions::reservation_experiment;
///
/// let row = reservation_experiment(20, &[10], 200, 0.3, 1)?[0].clone();
/// assert_eq!(row.sold + row.available_at_end, 20); // every expired unit came back
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReservationRow {
    /// How long a reservation holds a unit, in minutes.
    pub ttl_minutes: u64,
    /// Units paid for.
    pub sold: usize,
    /// Reservations that expired unpaid (abandoned carts, or payments after the deadline).
    pub expired: usize,
    /// Units returned to stock by expiry.
    pub returned: usize,
    /// Payments that came after their reservation had expired.
    pub late_payments: usize,
    /// Buyers turned away because nothing was available when they came.
    pub turned_away: usize,
    /// Unit-minutes spent in reservations that ended up expiring.
    pub unit_minutes_stuck: u64,
    /// Units available after every reservation has been paid or has expired.
    pub available_at_end: usize,
}

/// A sale of `stock` units to `buyers` buyers arriving one a minute. Each reserves a unit if
/// one is available (a conditional decrement); with probability `abandon` the cart is never
/// paid, otherwise payment comes a uniformly random 1 to 15 minutes later. A reservation
/// unpaid after its time to live expires and returns its unit. One row per time to live.
///
/// # Examples
///
/// ```
/// use lessons::transactions::reservation_experiment;
///
/// let rows = reservation_experiment(20, &[5, 30], 200, 0.3, 1)?;
/// assert!(rows[0].late_payments > rows[1].late_payments);
/// assert!(rows[0].unit_minutes_stuck < rows[1].unit_minutes_stuck);
/// assert!(reservation_experiment(20, &[5], 200, 1.5, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn reservation_experiment(
    stock: usize,
    ttls_minutes: &[u64],
    buyers: usize,
    abandon: f64,
    seed: u64,
) -> Result<Vec<ReservationRow>, SimError> {
    probability("abandon", abandon)?;
    if stock > 100_000 || buyers > 100_000 {
        return Err(SimError::parameter(
            "stock or buyers",
            format!("{stock} / {buyers}"),
            "at most 100,000 each",
        ));
    }
    ttls_minutes
        .iter()
        .map(|&ttl| {
            if !(1..=10_000).contains(&ttl) {
                return Err(SimError::parameter("ttl", ttl, "from 1 to 10,000 minutes"));
            }
            Ok(one_sale_with_reservations(
                stock, ttl, buyers, abandon, seed,
            ))
        })
        .collect()
}

fn one_sale_with_reservations(
    stock: usize,
    ttl: u64,
    buyers: usize,
    abandon: f64,
    seed: u64,
) -> ReservationRow {
    let mut rng = Rng::new(seed);
    // Each buyer's plan is drawn whatever the time to live, so rows differ only by it.
    let plans: Vec<Option<u64>> = (0..buyers)
        .map(|_| {
            let abandons = rng.chance(abandon);
            let delay = 1 + rng.below(15);
            (!abandons).then_some(delay)
        })
        .collect();
    let mut row = ReservationRow {
        ttl_minutes: ttl,
        sold: 0,
        expired: 0,
        returned: 0,
        late_payments: 0,
        turned_away: 0,
        unit_minutes_stuck: 0,
        available_at_end: 0,
    };
    let mut available = stock;
    // Open reservations: (expires at, pays at).
    let mut open: Vec<(u64, Option<u64>)> = Vec::new();
    let settle = |now: u64,
                  open: &mut Vec<(u64, Option<u64>)>,
                  available: &mut usize,
                  row: &mut ReservationRow| {
        open.retain(|&(expires, pays)| match pays {
            Some(at) if at <= now && at < expires => {
                row.sold += 1;
                false
            }
            _ if expires <= now => {
                row.expired += 1;
                row.returned += 1;
                row.unit_minutes_stuck += ttl;
                row.late_payments += usize::from(pays.is_some());
                *available += 1;
                false
            }
            _ => true,
        });
    };
    for (minute, plan) in plans.iter().enumerate() {
        let now = minute as u64;
        settle(now, &mut open, &mut available, &mut row);
        if available == 0 {
            row.turned_away += 1;
            continue;
        }
        available -= 1;
        open.push((now + ttl, plan.map(|delay| now + delay)));
    }
    settle(u64::MAX, &mut open, &mut available, &mut row);
    row.available_at_end = available;
    row
}

/// Unit-minutes stuck in reservations that expired, and late payments, against the time to
/// live.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{reservation_experiment, reservation_figure};
///
/// let rows = reservation_experiment(20, &[5, 10], 200, 0.3, 1)?;
/// assert!(reservation_figure(&rows).to_svg()?.contains("expired"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reservation_figure(rows: &[ReservationRow]) -> Figure {
    let series = |value: fn(&ReservationRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .map(|row| (row.ttl_minutes as f64, value(row)))
            .collect()
    };
    Figure::new("Reservations: held by abandoned carts, or expired before payment")
        .x_label("reservation time to live (minutes)")
        .y_label("count")
        .line(
            "unit-minutes in expired reservations / 10",
            series(|row| row.unit_minutes_stuck as f64 / 10.0),
        )
        .line(
            "payments that came too late",
            series(|row| row.late_payments as f64),
        )
        .line("buyers turned away", series(|row| row.turned_away as f64))
}
