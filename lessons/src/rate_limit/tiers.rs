//! Tiered limits: each customer's plan buys a limit, enforced by a token bucket of its own.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rate::{Decision, Rate, RateLimitError};
use super::token_bucket::TokenBucket;
use super::traces::poisson;
use crate::sim::{Time, secs};

/// A plan and the requests per minute it allows: 100, 1,000 or 10,000.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::Tier;
///
/// assert_eq!(Tier::Pro.per_minute(), 1_000);
/// assert_eq!(Tier::Enterprise.name(), "enterprise");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Tier {
    /// 100 requests per minute.
    Free,
    /// 1,000 requests per minute.
    Pro,
    /// 10,000 requests per minute.
    Enterprise,
}

impl Tier {
    /// Every tier, cheapest first.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Tier::ALL.len(), 3);
    /// ```
    pub const ALL: [Tier; 3] = [Tier::Free, Tier::Pro, Tier::Enterprise];

    /// Requests per minute the plan allows; also the burst a full bucket admits at once.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Tier::Free.per_minute(), 100);
    /// ```
    pub fn per_minute(self) -> u64 {
        match self {
            Tier::Free => 100,
            Tier::Pro => 1_000,
            Tier::Enterprise => 10_000,
        }
    }

    /// The plan's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Tier::Free.name(), "free");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Pro => "pro",
            Tier::Enterprise => "enterprise",
        }
    }

    /// A full bucket for this plan: capacity one minute's allowance, refilled at that rate.
    fn bucket(self) -> TokenBucket {
        let per_minute = self.per_minute();
        TokenBucket::new(
            per_minute,
            Rate::per_minute(per_minute).expect("every tier allows at least 1 per minute"),
        )
        .expect("every tier has a positive capacity")
    }
}

/// One token bucket per customer, sized by the customer's [`Tier`].
///
/// Lets you test that customers are limited independently (a free customer's flood takes nothing
/// from an enterprise customer), and what an upgrade does: the new, larger bucket starts from the
/// tokens the customer had, so the extra allowance arrives at the new rate rather than at once.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Tier, TieredLimiter};
/// use lessons::sim::Time;
///
/// let mut limiter = TieredLimiter::new();
/// limiter.set_tier(7, Tier::Free, Time::ZERO);
/// let admitted = (0..150)
///     .filter(|_| limiter.check(7, Time::ZERO).unwrap().is_admitted())
///     .count();
/// assert_eq!(admitted, 100); // a free customer's burst: one minute's allowance
/// assert!(limiter.check(8, Time::ZERO).is_err()); // customer 8 has no plan
/// ```
#[derive(Debug, Clone, Default)]
pub struct TieredLimiter {
    customers: BTreeMap<u32, (Tier, TokenBucket)>,
}

impl TieredLimiter {
    /// A limiter with no customers.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::TieredLimiter;
    ///
    /// assert_eq!(TieredLimiter::new().tier(1), None);
    /// ```
    pub fn new() -> TieredLimiter {
        TieredLimiter::default()
    }

    /// Puts `customer` on `tier` at time `now`. A new customer starts with a full bucket; a
    /// customer who changes plan keeps the tokens they had (at most the new capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Tier, TieredLimiter};
    /// use lessons::sim::secs;
    ///
    /// let mut limiter = TieredLimiter::new();
    /// limiter.set_tier(1, Tier::Enterprise, secs(0));
    /// limiter.set_tier(1, Tier::Free, secs(1));
    /// assert_eq!(limiter.tier(1), Some(Tier::Free));
    /// assert_eq!(limiter.tokens(1), Some(100)); // cut down to the free capacity
    /// ```
    pub fn set_tier(&mut self, customer: u32, tier: Tier, now: Time) {
        let mut bucket = tier.bucket();
        if let Some((_, mut old)) = self.customers.remove(&customer) {
            old.refill(now);
            let spent = tier.per_minute() - old.tokens().whole().min(tier.per_minute());
            if spent > 0 {
                // A full bucket always has `spent` tokens to give.
                let _ = bucket.try_acquire_n(now, spent);
            }
        }
        self.customers.insert(customer, (tier, bucket));
    }

    /// The customer's plan, if they have one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Tier, TieredLimiter};
    /// use lessons::sim::Time;
    ///
    /// let mut limiter = TieredLimiter::new();
    /// limiter.set_tier(3, Tier::Pro, Time::ZERO);
    /// assert_eq!(limiter.tier(3), Some(Tier::Pro));
    /// ```
    pub fn tier(&self, customer: u32) -> Option<Tier> {
        self.customers.get(&customer).map(|(tier, _)| *tier)
    }

    /// Whole tokens the customer has left, as of their last request or plan change.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Tier, TieredLimiter};
    /// use lessons::sim::Time;
    ///
    /// let mut limiter = TieredLimiter::new();
    /// limiter.set_tier(3, Tier::Pro, Time::ZERO);
    /// limiter.check(3, Time::ZERO)?;
    /// assert_eq!(limiter.tokens(3), Some(999));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn tokens(&self, customer: u32) -> Option<u64> {
        self.customers
            .get(&customer)
            .map(|(_, bucket)| bucket.tokens().whole())
    }

    /// Decides one request of `customer` at time `now`.
    ///
    /// # Errors
    ///
    /// [`RateLimitError::Parameter`] for a customer without a plan.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::TieredLimiter;
    /// use lessons::sim::Time;
    ///
    /// let error = TieredLimiter::new().check(4, Time::ZERO).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "customer = 4 is not allowed: a customer needs a plan first (set_tier)"
    /// );
    /// ```
    pub fn check(&mut self, customer: u32, now: Time) -> Result<Decision, RateLimitError> {
        match self.customers.get_mut(&customer) {
            Some((_, bucket)) => Ok(bucket.try_acquire(now)),
            None => Err(RateLimitError::parameter(
                "customer",
                customer,
                "a customer needs a plan first (set_tier)",
            )),
        }
    }
}

/// What one customer of a [`tier_trial`] sent and what their plan let through.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::tier_trial;
///
/// let rows = tier_trial(50.0, 1)?;
/// assert!(rows.iter().all(|row| row.admitted <= row.envelope.min(row.offered)));
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    /// The customer's plan, or `free, then pro` for the one upgraded after a minute.
    pub plan: &'static str,
    /// Requests sent in the two minutes.
    pub offered: u64,
    /// Requests admitted.
    pub admitted: u64,
    /// The most the plan can admit in two minutes: a full bucket plus two minutes of refill.
    pub envelope: u64,
}

/// The tier trial: four customers each send Poisson requests at `per_second` for two minutes
/// (each from its own stream of `seed`): one per [`Tier`], and a free customer who upgrades to
/// pro after the first minute. Each row says what the customer's plan let through.
///
/// # Errors
///
/// [`RateLimitError::Parameter`] if `per_second` is not a positive finite number of at most
/// 10,000.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::tier_trial;
///
/// let rows = tier_trial(50.0, 1)?;
/// let plans: Vec<&str> = rows.iter().map(|row| row.plan).collect();
/// assert_eq!(plans, ["free", "pro", "enterprise", "free, then pro"]);
/// assert_eq!(rows[0].envelope, 300);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn tier_trial(per_second: f64, seed: u64) -> Result<Vec<TierRow>, RateLimitError> {
    if !(per_second > 0.0 && per_second <= 10_000.0) {
        return Err(RateLimitError::parameter(
            "requests per second",
            per_second,
            "more than 0 and at most 10000",
        ));
    }
    let minute = secs(60);
    let mut limiter = TieredLimiter::new();
    let mut rows = Vec::new();
    for (customer, tier) in (0u32..).zip(Tier::ALL) {
        limiter.set_tier(customer, tier, Time::ZERO);
        let arrivals = poisson(
            per_second,
            minute * 2,
            seed.wrapping_add(u64::from(customer)),
        )?;
        let admitted = count_admitted(&mut limiter, customer, &arrivals, None)?;
        rows.push(TierRow {
            plan: tier.name(),
            offered: arrivals.len() as u64,
            admitted,
            envelope: 3 * tier.per_minute(),
        });
    }
    let upgraded = Tier::ALL.len() as u32;
    limiter.set_tier(upgraded, Tier::Free, Time::ZERO);
    let arrivals = poisson(
        per_second,
        minute * 2,
        seed.wrapping_add(u64::from(upgraded)),
    )?;
    let admitted = count_admitted(&mut limiter, upgraded, &arrivals, Some((minute, Tier::Pro)))?;
    rows.push(TierRow {
        plan: "free, then pro",
        offered: arrivals.len() as u64,
        admitted,
        envelope: 2 * Tier::Free.per_minute() + Tier::Pro.per_minute(),
    });
    Ok(rows)
}

/// Replays `arrivals` of one customer, switching plan once if `change` says when and to what.
fn count_admitted(
    limiter: &mut TieredLimiter,
    customer: u32,
    arrivals: &[Time],
    mut change: Option<(Time, Tier)>,
) -> Result<u64, RateLimitError> {
    let mut admitted = 0;
    for &at in arrivals {
        if let Some((when, tier)) = change
            && at >= when
        {
            limiter.set_tier(customer, tier, when);
            change = None;
        }
        if limiter.check(customer, at)?.is_admitted() {
            admitted += 1;
        }
    }
    Ok(admitted)
}
