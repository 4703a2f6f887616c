//! Request traces: arrival times, sorted, to replay through every limiter alike.

use super::rate::{Rate, RateLimitError};
use crate::sim::{Rng, Time};

/// One request every `rate.per() / rate.tokens()`, starting at 0, for `duration`.
/// Arrival `k` is at `floor(k * per / tokens)` nanoseconds, so no rounding error accumulates.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, traces};
/// use lessons::sim::{ms, secs};
///
/// let arrivals = traces::steady(Rate::per_second(4)?, secs(1));
/// assert_eq!(arrivals, [ms(0), ms(250), ms(500), ms(750)]);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn steady(rate: Rate, duration: Time) -> Vec<Time> {
    let per = rate.per_nanos();
    let tokens = rate.tokens() as u128;
    (0u128..)
        .map(|k| Time::from_nanos((k * per / tokens).min(i64::MAX as u128) as i64))
        .take_while(|&arrival| arrival < duration)
        .collect()
}

/// On/off traffic: every `every`, a burst of `size` requests `spacing` apart, for `duration`.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::traces;
/// use lessons::sim::{ms, secs};
///
/// let arrivals = traces::bursty(3, ms(10), secs(1), secs(2))?;
/// assert_eq!(arrivals, [ms(0), ms(10), ms(20), ms(1_000), ms(1_010), ms(1_020)]);
/// assert!(traces::bursty(3, ms(10), ms(0), secs(2)).is_err());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn bursty(
    size: u64,
    spacing: Time,
    every: Time,
    duration: Time,
) -> Result<Vec<Time>, RateLimitError> {
    if every <= Time::ZERO {
        return Err(RateLimitError::parameter(
            "burst period",
            every,
            "bursts repeat after more than 0 ns",
        ));
    }
    if spacing < Time::ZERO || spacing * size as i64 > every {
        return Err(RateLimitError::parameter(
            "burst spacing",
            spacing,
            "the spacing is at least 0 and a burst (size * spacing) fits in its period",
        ));
    }
    let mut arrivals = Vec::new();
    let mut start = Time::ZERO;
    while start < duration {
        arrivals.extend(
            (0..size as i64)
                .map(|k| start + spacing * k)
                .filter(|&arrival| arrival < duration),
        );
        start += every;
    }
    Ok(arrivals)
}

/// A Poisson process of `per_second` requests per second on average, for `duration`, drawn
/// from `seed`: independent, exponentially distributed gaps.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::traces;
/// use lessons::sim::secs;
///
/// let arrivals = traces::poisson(50.0, secs(100), 7)?;
/// assert!((4_500..5_500).contains(&arrivals.len()));
/// assert!(arrivals.windows(2).all(|pair| pair[0] <= pair[1]));
/// assert_eq!(arrivals, traces::poisson(50.0, secs(100), 7)?);
/// assert!(traces::poisson(-1.0, secs(1), 7).is_err());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn poisson(per_second: f64, duration: Time, seed: u64) -> Result<Vec<Time>, RateLimitError> {
    if !(per_second > 0.0 && per_second <= 1e9) {
        return Err(RateLimitError::parameter(
            "requests per second",
            per_second,
            "a Poisson rate is in (0, 1e9] requests per second",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut arrivals = Vec::new();
    let mut now = Time::ZERO;
    loop {
        now += Time::from_nanos_f64(rng.exponential() * 1e9 / per_second);
        if now >= duration {
            return Ok(arrivals);
        }
        arrivals.push(now);
    }
}
