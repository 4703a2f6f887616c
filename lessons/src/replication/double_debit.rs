//! Stale reads that cost money: a withdrawal approved against a follower's old balance, a
//! check-then-debit race on the primary, and the conditional update that closes both.

use serde::Serialize;

use crate::sim::{Rng, SimError, Time};
use crate::viz::Figure;

/// How a withdrawal is checked before the account is debited.
///
/// # Examples
///
/// ```
/// use lessons::replication::WithdrawalCheck;
///
/// assert_eq!(WithdrawalCheck::ConditionalUpdate.name(), "conditional update on the primary");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WithdrawalCheck {
    /// Read the balance on a follower; if it covers the amount, debit the primary.
    FollowerBalance,
    /// Read the balance on the primary; if it covers the amount, send the debit, which lands
    /// one round trip later.
    PrimaryBalance,
    /// One atomic statement on the primary: debit only if the balance covers the amount
    /// (`UPDATE ... SET balance = balance - amount WHERE balance >= amount`).
    ConditionalUpdate,
}

impl WithdrawalCheck {
    /// The three checks.
    pub const ALL: [WithdrawalCheck; 3] = [
        WithdrawalCheck::FollowerBalance,
        WithdrawalCheck::PrimaryBalance,
        WithdrawalCheck::ConditionalUpdate,
    ];

    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::replication::WithdrawalCheck::FollowerBalance.name(), "follower balance");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            WithdrawalCheck::FollowerBalance => "follower balance",
            WithdrawalCheck::PrimaryBalance => "primary balance, then debit",
            WithdrawalCheck::ConditionalUpdate => "conditional update on the primary",
        }
    }
}

/// One withdrawal request: when, and how much.
///
/// # Examples
///
/// ```
/// use lessons::replication::Withdrawal;
/// use lessons::sim::ms;
///
/// let first = Withdrawal { at: ms(0), amount: 500 };
/// assert_eq!(first.amount, 500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// When it is requested.
    pub at: Time,
    /// How much.
    pub amount: i64,
}

/// The final balance of an account that starts at `balance`, after the withdrawals (in time
/// order) are checked with `check`: the follower shows the primary's balance of `lag` ago, and a
/// debit sent after a separate check lands `round_trip` later.
///
/// # Errors
///
/// [`SimError::Parameter`] for a negative amount, lag or round trip.
///
/// # Examples
///
/// The seed's story: 500 in the account, 500 withdrawn, then 400 approved because the follower
/// still shows 500.
///
/// ```
/// use lessons::replication::{Withdrawal, WithdrawalCheck, final_balance};
/// use lessons::sim::{ms, secs};
///
/// let requests = [Withdrawal { at: ms(0), amount: 500 }, Withdrawal { at: secs(1), amount: 400 }];
/// let stale = final_balance(500, &requests, WithdrawalCheck::FollowerBalance, secs(5), ms(2))?;
/// assert_eq!(stale, -400);
/// let safe = final_balance(500, &requests, WithdrawalCheck::ConditionalUpdate, secs(5), ms(2))?;
/// assert_eq!(safe, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn final_balance(
    balance: i64,
    withdrawals: &[Withdrawal],
    check: WithdrawalCheck,
    lag: Time,
    round_trip: Time,
) -> Result<i64, SimError> {
    for (name, value) in [("lag", lag), ("round_trip", round_trip)] {
        if value < Time::ZERO {
            return Err(SimError::parameter(name, value, "at least 0"));
        }
    }
    if let Some(w) = withdrawals.iter().find(|w| w.amount < 0) {
        return Err(SimError::parameter("amount", w.amount, "at least 0"));
    }
    let mut requests = withdrawals.to_vec();
    requests.sort_by_key(|w| w.at);
    // Debits as (when they land on the primary, amount).
    let mut debits: Vec<(Time, i64)> = Vec::new();
    let balance_at = |debits: &[(Time, i64)], time: Time| {
        balance
            - debits
                .iter()
                .filter(|d| d.0 <= time)
                .map(|d| d.1)
                .sum::<i64>()
    };
    for request in requests {
        let (seen, lands) = match check {
            WithdrawalCheck::FollowerBalance => (balance_at(&debits, request.at - lag), request.at),
            WithdrawalCheck::PrimaryBalance => {
                (balance_at(&debits, request.at), request.at + round_trip)
            }
            WithdrawalCheck::ConditionalUpdate => (balance_at(&debits, request.at), request.at),
        };
        if seen >= request.amount {
            debits.push((lands, request.amount));
        }
    }
    Ok(balance_at(&debits, Time::MAX))
}

/// One point of [`double_debit_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::replication::{WithdrawalCheck, double_debit_experiment};
/// use lessons::sim::{ms, secs};
///
/// let rows = double_debit_experiment(&[WithdrawalCheck::ConditionalUpdate], &[secs(5)], secs(2), ms(2), 100, 1)?;
/// assert_eq!(rows[0].total_overdraft, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoubleDebitRow {
    /// [`WithdrawalCheck::name`].
    pub check: String,
    /// The follower's lag, in seconds.
    pub lag_s: f64,
    /// Accounts simulated.
    pub accounts: usize,
    /// Accounts that ended below zero.
    pub overdrawn: usize,
    /// Money paid out that the accounts did not hold, in total.
    pub total_overdraft: i64,
}

/// `accounts` accounts of 500 each receive a withdrawal of 500 and, an exponential time later
/// (mean `gap_mean`), one of 400; each check is tried at each follower lag.
///
/// # Errors
///
/// As [`final_balance`], and [`SimError::Parameter`] for zero accounts.
///
/// # Examples
///
/// ```
/// use lessons::replication::{WithdrawalCheck, double_debit_experiment};
/// use lessons::sim::{ms, secs};
///
/// let rows = double_debit_experiment(&[WithdrawalCheck::FollowerBalance], &[ms(0), secs(5)], secs(2), ms(2), 200, 1)?;
/// assert_eq!(rows[0].total_overdraft, 0); // no lag, no stale balance
/// assert!(rows[1].overdrawn > 100);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn double_debit_experiment(
    checks: &[WithdrawalCheck],
    lags: &[Time],
    gap_mean: Time,
    round_trip: Time,
    accounts: usize,
    seed: u64,
) -> Result<Vec<DoubleDebitRow>, SimError> {
    if accounts == 0 {
        return Err(SimError::parameter("accounts", 0, "at least 1"));
    }
    let mut rng = Rng::derive(seed, &[8, 7]);
    let gaps: Vec<Time> = (0..accounts)
        .map(|_| Time::from_nanos_f64(gap_mean.as_nanos() as f64 * rng.exponential()))
        .collect();
    let mut rows = Vec::new();
    for &check in checks {
        for &lag in lags {
            let (mut overdrawn, mut total_overdraft) = (0, 0);
            for &gap in &gaps {
                let requests = [
                    Withdrawal {
                        at: Time::ZERO,
                        amount: 500,
                    },
                    Withdrawal {
                        at: gap,
                        amount: 400,
                    },
                ];
                let left = final_balance(500, &requests, check, lag, round_trip)?;
                overdrawn += usize::from(left < 0);
                total_overdraft += (-left).max(0);
            }
            rows.push(DoubleDebitRow {
                check: check.name().to_string(),
                lag_s: lag.as_secs_f64(),
                accounts,
                overdrawn,
                total_overdraft,
            });
        }
    }
    Ok(rows)
}

/// Total overdraft against follower lag, per check.
///
/// # Examples
///
/// ```
/// use lessons::replication::{WithdrawalCheck, double_debit_experiment, double_debit_figure};
/// use lessons::sim::{ms, secs};
///
/// let rows = double_debit_experiment(&WithdrawalCheck::ALL, &[ms(0), secs(1)], secs(2), ms(2), 20, 1)?;
/// assert!(double_debit_figure(&rows).to_svg()?.contains("conditional"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn double_debit_figure(rows: &[DoubleDebitRow]) -> Figure {
    let mut figure = Figure::new("Money paid out that was not there")
        .x_label("follower lag (s)")
        .y_label("total overdraft");
    for check in WithdrawalCheck::ALL {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.check == check.name())
            .map(|row| (row.lag_s, row.total_overdraft as f64))
            .collect();
        if !points.is_empty() {
            figure = figure.line(check.name(), points);
        }
    }
    figure
}
