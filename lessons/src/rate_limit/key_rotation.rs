//! An attacker rotating API keys inside one /24 subnet, against per-key and layered limits.

use std::net::Ipv4Addr;

use serde::Serialize;

use super::layered::{LayeredLimiter, Request};
use super::rate::{Rate, RateLimitError};
use super::traces;
use crate::sim::{Rng, Time, secs};

/// Which layers guard the API in the key-rotation trial.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::Layering;
///
/// assert_eq!(Layering::ALL.len(), 3);
/// assert_eq!(Layering::KeySubnetGlobal.name(), "key + /24 + global");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Layering {
    /// Only a bucket per key.
    KeyOnly,
    /// A bucket per key and a global one.
    KeyAndGlobal,
    /// A bucket per key, per /24 subnet, and a global one.
    KeySubnetGlobal,
}

impl Layering {
    /// Every layering, thinnest first.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Layering::ALL[0].name(), "key only");
    /// ```
    pub const ALL: [Layering; 3] = [
        Layering::KeyOnly,
        Layering::KeyAndGlobal,
        Layering::KeySubnetGlobal,
    ];

    /// A short name for legends and tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Layering::KeyAndGlobal.name(), "key + global");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Layering::KeyOnly => "key only",
            Layering::KeyAndGlobal => "key + global",
            Layering::KeySubnetGlobal => "key + /24 + global",
        }
    }

    /// The trial's limiter for this layering: per key a bucket of 10 refilled at 100 per
    /// minute, per /24 a bucket of 50 refilled at 5 per second, globally a bucket of 500
    /// refilled at 50 per second.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{Layer, Layering};
    ///
    /// assert_eq!(Layering::KeyAndGlobal.limiter()?.layers(), [Layer::Key, Layer::Global]);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn limiter(self) -> Result<LayeredLimiter, RateLimitError> {
        let limiter = LayeredLimiter::new().per_key(10, Rate::per_minute(100)?)?;
        Ok(match self {
            Layering::KeyOnly => limiter,
            Layering::KeyAndGlobal => limiter.global(500, Rate::per_second(50)?)?,
            Layering::KeySubnetGlobal => limiter
                .per_subnet(50, Rate::per_second(5)?)?
                .global(500, Rate::per_second(50)?)?,
        })
    }
}

/// One point of the key-rotation trial.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Layering, key_rotation_trial};
///
/// let row = key_rotation_trial(Layering::KeyOnly, 1, 1)?;
/// assert_eq!((row.keys, row.attacker_offered), (1, 2_000));
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationRow {
    /// The layering's name.
    pub layering: &'static str,
    /// How many API keys the attacker rotates through.
    pub keys: u32,
    /// Requests the attacker sent.
    pub attacker_offered: u64,
    /// Of those, how many were admitted.
    pub attacker_admitted: u64,
    /// Admitted attacker requests per second.
    pub attacker_per_second: f64,
    /// The fraction of the well-behaved users' requests admitted, to three decimals.
    pub legit_goodput: f64,
}

/// The key-rotation trial: for 10 s an attacker inside 203.0.113.0/24 sends 200 requests a
/// second, spread evenly over `keys` API keys (1 to 100,000) and over the subnet's addresses,
/// while 100 well-behaved users, each with their own key and /24, send 0.5 requests a second
/// each (Poisson, from `seed`). Every request costs 1; the limits are [`Layering::limiter`]'s.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Layering, key_rotation_trial};
///
/// let thin = key_rotation_trial(Layering::KeyOnly, 500, 1)?;
/// let layered = key_rotation_trial(Layering::KeySubnetGlobal, 500, 1)?;
/// assert_eq!(thin.attacker_admitted, 2_000);
/// assert!(layered.attacker_admitted <= 50 + 5 * 10);
/// assert!(key_rotation_trial(Layering::KeyOnly, 0, 1).is_err());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn key_rotation_trial(
    layering: Layering,
    keys: u32,
    seed: u64,
) -> Result<RotationRow, RateLimitError> {
    if !(1..=100_000).contains(&keys) {
        return Err(RateLimitError::parameter(
            "rotated keys",
            keys,
            "the attacker rotates through 1 to 100,000 keys",
        ));
    }
    let duration = secs(10);
    const USERS: u32 = 100;
    let mut arrivals: Vec<(Time, Request, bool)> = traces::steady(Rate::per_second(200)?, duration)
        .into_iter()
        .enumerate()
        .map(|(k, time)| {
            let k = k as u32;
            let host = (k % 254 + 1) as u8;
            let key = USERS + k % keys;
            (
                time,
                Request::new(key, Ipv4Addr::new(203, 0, 113, host), 1),
                true,
            )
        })
        .collect();
    for user in 0..USERS {
        let stream = Rng::derive(seed, &[u64::from(user)]).next_u64();
        let address = Ipv4Addr::new(10, (user / 256) as u8, (user % 256) as u8, 1);
        arrivals.extend(
            traces::poisson(0.5, duration, stream)?
                .into_iter()
                .map(|time| (time, Request::new(user, address, 1), false)),
        );
    }
    arrivals.sort_by_key(|&(time, request, attacker)| (time, !attacker, request.key));
    let mut limiter = layering.limiter()?;
    let (mut attacker, mut legit) = ([0u64; 2], [0u64; 2]);
    for (time, request, is_attacker) in arrivals {
        let admitted = limiter.check(time, request)?.is_admitted();
        let tally = if is_attacker {
            &mut attacker
        } else {
            &mut legit
        };
        tally[0] += 1;
        tally[1] += u64::from(admitted);
    }
    Ok(RotationRow {
        layering: layering.name(),
        keys,
        attacker_offered: attacker[0],
        attacker_admitted: attacker[1],
        attacker_per_second: attacker[1] as f64 / duration.as_secs_f64(),
        legit_goodput: (legit[1] as f64 / legit[0].max(1) as f64 * 1_000.0).round() / 1_000.0,
    })
}
