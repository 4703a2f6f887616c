//! Duplicate charges: a payment API with idempotency keys, clients that retry, and a payment
//! processor downstream.

use std::fmt;

use serde::Serialize;

use super::idempotency::{Begin, IdempotencyStore};
use super::params::{at_least, at_most, probability};
use crate::sim::{Latency, Rng, SimError, Time};

/// How the server checks a key before charging.
///
/// # Examples
///
/// ```
/// use lessons::messaging::KeyCheck;
///
/// assert_eq!(KeyCheck::InsertFirst.to_string(), "insert first");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyCheck {
    /// Read the key; if absent, charge, then insert the key with the response. Two requests
    /// that read before either inserts both charge.
    CheckThenInsert,
    /// Insert the key first, atomically, with no response yet (the in-progress sentinel); only
    /// the request whose insert succeeded charges.
    InsertFirst,
}

impl fmt::Display for KeyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyCheck::CheckThenInsert => "check then insert",
            KeyCheck::InsertFirst => "insert first",
        })
    }
}

/// One way of building the payment path: the server's key check, whether the client makes a
/// fresh key for each retry (a bug), how long keys live, and whether the server passes the key
/// on to the payment processor.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{KeyCheck, PaymentVariant};
/// use lessons::sim::secs;
///
/// let careful = PaymentVariant::careful(secs(86_400));
/// assert_eq!(careful.check, KeyCheck::InsertFirst);
/// assert_eq!(careful.to_string(), "insert first, key passed on, TTL 86400 s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PaymentVariant {
    /// The server's key check.
    pub check: KeyCheck,
    /// Whether the client generates a new key for every retry.
    pub new_key_per_retry: bool,
    /// How long the server keeps a key.
    pub key_ttl: Time,
    /// Whether the server sends the key to the processor, which then charges a key once.
    pub propagate_key: bool,
}

impl PaymentVariant {
    /// Insert-first, one key per logical payment, the key passed downstream.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::PaymentVariant;
    /// use lessons::sim::secs;
    ///
    /// assert!(PaymentVariant::careful(secs(60)).propagate_key);
    /// ```
    pub fn careful(key_ttl: Time) -> PaymentVariant {
        PaymentVariant {
            check: KeyCheck::InsertFirst,
            new_key_per_retry: false,
            key_ttl,
            propagate_key: true,
        }
    }
}

impl fmt::Display for PaymentVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.check)?;
        if self.new_key_per_retry {
            f.write_str(", new key per retry")?;
        }
        if self.propagate_key {
            f.write_str(", key passed on")?;
        } else {
            f.write_str(", key not passed on")?;
        }
        write!(f, ", TTL {} s", self.key_ttl.as_secs_f64())
    }
}

/// What the payments meet: when a client's retry arrives after its first request, how long a
/// charge takes, and how often the server's call to the processor times out after the
/// processor has charged (the server then calls again).
///
/// # Examples
///
/// ```
/// use lessons::messaging::PaymentLoad;
/// use lessons::sim::{Latency, ms, secs};
///
/// let load = PaymentLoad::new(Latency::log_normal(secs(1), 1.5), Latency::log_normal(ms(300), 0.5), 0.01)?;
/// assert!(PaymentLoad::new(load.retry_after.clone(), load.charge_time.clone(), 2.0).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentLoad {
    /// The time from a client's first request to its retry.
    pub retry_after: Latency,
    /// How long a charge takes, from the key check to the stored response.
    pub charge_time: Latency,
    /// The probability that the server's call to the processor times out after charging.
    pub downstream_timeout: f64,
}

impl PaymentLoad {
    /// Checked load.
    ///
    /// # Errors
    ///
    /// [`SimError`] for an invalid latency or a probability outside `[0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::PaymentLoad;
    /// use lessons::sim::{Latency, ms};
    ///
    /// let load = PaymentLoad::new(Latency::constant(ms(10)), Latency::constant(ms(5)), 0.0)?;
    /// assert_eq!(load.downstream_timeout, 0.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(
        retry_after: Latency,
        charge_time: Latency,
        downstream_timeout: f64,
    ) -> Result<PaymentLoad, SimError> {
        retry_after.validate()?;
        charge_time.validate()?;
        Ok(PaymentLoad {
            retry_after,
            charge_time,
            downstream_timeout: probability("downstream timeout", downstream_timeout)?,
        })
    }
}

/// How many times one logical payment was charged: the client's first request at time zero and,
/// when `retry_at` is `Some`, its retry then; the server works as `variant` says, each charge
/// taking the given time and timing out downstream when `downstream_times_out` says so (asked
/// once per charge).
///
/// # Examples
///
/// A retry 100 ms after a first request whose charge takes 300 ms: check-then-insert has not
/// stored the key yet and charges twice; insert-first finds the key in progress.
///
/// ```
/// use lessons::messaging::{KeyCheck, PaymentVariant, charges_for_payment};
/// use lessons::sim::{ms, secs};
///
/// let mut racy = PaymentVariant::careful(secs(60));
/// racy.check = KeyCheck::CheckThenInsert;
/// let never = |_: usize| false;
/// assert_eq!(charges_for_payment(racy, Some(ms(100)), [ms(300), ms(300)], never), 2);
/// let careful = PaymentVariant::careful(secs(60));
/// assert_eq!(charges_for_payment(careful, Some(ms(100)), [ms(300), ms(300)], never), 1);
/// // The seed's hazard: a key that lives 60 s and a retry at 61 s.
/// assert_eq!(charges_for_payment(careful, Some(secs(61)), [ms(300), ms(300)], never), 2);
/// ```
pub fn charges_for_payment(
    variant: PaymentVariant,
    retry_at: Option<Time>,
    charge_time: [Time; 2],
    mut downstream_times_out: impl FnMut(usize) -> bool,
) -> u32 {
    // The key store cannot refuse a TTL it was built with; a variant with a TTL of zero or less
    // keeps no key at all, which is what the fallback models.
    let Ok(mut store) = IdempotencyStore::new(variant.key_ttl) else {
        return 1 + u32::from(retry_at.is_some());
    };
    let key = |request: usize| {
        if variant.new_key_per_retry && request == 1 {
            "retry key"
        } else {
            "payment key"
        }
    };
    // (time, request, whether this is the charge finishing rather than the request arriving)
    let mut events = vec![(Time::ZERO, 0, false)];
    if let Some(at) = retry_at {
        events.push((at, 1, false));
    }
    let mut charges = 0;
    while let Some(next) = (0..events.len()).min_by_key(|&i| (events[i].0, events[i].1)) {
        let (now, request, finishing) = events.swap_remove(next);
        let charge = match (variant.check, finishing) {
            (KeyCheck::InsertFirst, false) => {
                store.begin(key(request), "pay 10 EUR", now) == Begin::Fresh
            }
            (KeyCheck::CheckThenInsert, false) => !store.holds(key(request), now),
            (KeyCheck::InsertFirst, true) => {
                store.finish(key(request), "charged");
                false
            }
            (KeyCheck::CheckThenInsert, true) => {
                store.begin(key(request), "pay 10 EUR", now);
                store.finish(key(request), "charged");
                false
            }
        };
        if charge {
            charges += 1;
            // A timed-out call is retried; only a processor that sees the key charges it once.
            if downstream_times_out(request) && !variant.propagate_key {
                charges += 1;
            }
            events.push((now + charge_time[request], request, true));
        }
    }
    charges
}

/// One variant at one retry rate: duplicate charges among `payments` logical payments.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{PaymentLoad, PaymentVariant, payment_experiment};
/// use lessons::sim::{Latency, ms, secs};
///
/// let load = PaymentLoad::new(Latency::log_normal(secs(1), 1.5), Latency::log_normal(ms(300), 0.5), 0.0)?;
/// let rows = payment_experiment(&[PaymentVariant::careful(secs(86_400))], &[0.01], &load, 10_000, 1)?;
/// assert_eq!(rows[0].duplicate_charges, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentRow {
    /// The variant, in words.
    pub variant: String,
    /// The fraction of payments whose client retries.
    pub retry_rate: f64,
    /// The key TTL in seconds.
    pub key_ttl_s: f64,
    /// Logical payments.
    pub payments: usize,
    /// Charges beyond the first of each payment.
    pub duplicate_charges: usize,
    /// Duplicate charges per 10,000 payments.
    pub per_10k: f64,
}

/// The largest number of payments per row.
pub const MAX_PAYMENTS: usize = 1_000_000;

/// Runs `payments` logical payments for every variant at every retry rate; payment `i` draws
/// its retry delay, charge times and downstream timeouts from its own seeded stream, the same
/// for every variant.
///
/// # Errors
///
/// [`SimError`] for a retry rate outside `[0, 1]`, no payments, or more than [`MAX_PAYMENTS`].
///
/// # Examples
///
/// ```
/// use lessons::messaging::{KeyCheck, PaymentLoad, PaymentVariant, payment_experiment};
/// use lessons::sim::{Latency, ms, secs};
///
/// let load = PaymentLoad::new(Latency::log_normal(secs(1), 1.5), Latency::log_normal(ms(300), 0.5), 0.0)?;
/// let mut buggy = PaymentVariant::careful(secs(86_400));
/// buggy.new_key_per_retry = true;
/// let rows = payment_experiment(&[buggy], &[0.01], &load, 10_000, 1)?;
/// assert!(rows[0].duplicate_charges > 50); // about one per retry
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn payment_experiment(
    variants: &[PaymentVariant],
    retry_rates: &[f64],
    load: &PaymentLoad,
    payments: usize,
    seed: u64,
) -> Result<Vec<PaymentRow>, SimError> {
    at_least("payments", payments, 1)?;
    at_most("payments", payments, MAX_PAYMENTS)?;
    let mut rows = Vec::new();
    for &retry_rate in retry_rates {
        probability("retry rate", retry_rate)?;
        for &variant in variants {
            let mut duplicates = 0;
            for i in 0..payments {
                let mut rng = Rng::derive(seed, &[i as u64]);
                let retries = rng.chance(retry_rate);
                let retry_delay = load.retry_after.sample(&mut rng);
                let charge_time = [
                    load.charge_time.sample(&mut rng),
                    load.charge_time.sample(&mut rng),
                ];
                let timeouts = [
                    rng.chance(load.downstream_timeout),
                    rng.chance(load.downstream_timeout),
                ];
                let retry_at = retries.then_some(retry_delay);
                let charges = charges_for_payment(variant, retry_at, charge_time, |request| {
                    timeouts[request]
                });
                duplicates += charges.saturating_sub(1) as usize;
            }
            rows.push(PaymentRow {
                variant: variant.to_string(),
                retry_rate,
                key_ttl_s: variant.key_ttl.as_secs_f64(),
                payments,
                duplicate_charges: duplicates,
                per_10k: duplicates as f64 * 10_000.0 / payments as f64,
            });
        }
    }
    Ok(rows)
}
