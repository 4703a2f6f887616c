//! How long a message takes on a link: a distribution you choose, drawn per message.
//!
//! Real networks are not constant. Most messages take about the usual time, some take a little
//! longer, and now and then one takes far longer (a retransmission, a full queue, a garbage
//! collection on a router). The shapes here cover the usual teaching cases:
//!
//! | shape | what it models |
//! | --- | --- |
//! | [`Latency::constant`] | an idealised link; every message takes the same time |
//! | [`Latency::uniform`] | jitter between a best and a worst case |
//! | [`Latency::exponential`] | memoryless delay: most messages quick, a long thin tail |
//! | [`Latency::log_normal`] | measured datacentre latency: a hump and a heavy right tail |
//! | [`Latency::with_spikes`] | any of the above, plus rare large delays |
//!
//! Every draw is rounded to a whole nanosecond, and a drawn latency is never negative.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Latency, Rng, ms};
//!
//! let latency = Latency::uniform(ms(1), ms(5)).with_spikes(0.01, ms(200));
//! latency.validate()?;
//! let mut rng = Rng::new(1);
//! let draw = latency.sample(&mut rng);
//! assert!(draw >= ms(1) && draw <= ms(205));
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use serde::Serialize;

use super::error::{SimError, check_probability};
use super::math;
use super::rng::Rng;
use super::time::Time;

/// A distribution of message delays.
///
/// The variants are plain data, so a cell can build one directly or with the constructors.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Latency, ms};
///
/// assert_eq!(Latency::constant(ms(2)), Latency::Constant(ms(2)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Latency {
    /// Every message takes exactly this long.
    Constant(Time),
    /// Drawn uniformly from `low..=high`.
    Uniform {
        /// The shortest delay.
        low: Time,
        /// The longest delay.
        high: Time,
    },
    /// Drawn from the exponential distribution with this mean.
    Exponential {
        /// The average delay.
        mean: Time,
    },
    /// `median × e^(sigma × Z)` with `Z` standard normal: half the draws are below the median,
    /// and the 99th percentile is about `median × e^(2.33 sigma)`.
    LogNormal {
        /// The delay half the messages beat.
        median: Time,
        /// The spread; 0 gives the median every time, 1 a tail ten times the median at p99.
        sigma: f64,
    },
    /// A base distribution plus, with some probability, an extra delay.
    Spikes {
        /// The usual delay.
        base: Box<Latency>,
        /// How often a spike happens.
        probability: f64,
        /// How much a spike adds.
        extra: Time,
    },
}

impl Latency {
    /// Every message takes `delay`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Rng, ms};
    ///
    /// assert_eq!(Latency::constant(ms(3)).sample(&mut Rng::new(0)), ms(3));
    /// ```
    pub fn constant(delay: Time) -> Latency {
        Latency::Constant(delay)
    }

    /// Delays drawn uniformly between `low` and `high`, both included.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Rng, ms};
    ///
    /// let draw = Latency::uniform(ms(1), ms(9)).sample(&mut Rng::new(4));
    /// assert!(ms(1) <= draw && draw <= ms(9));
    /// ```
    pub fn uniform(low: Time, high: Time) -> Latency {
        Latency::Uniform { low, high }
    }

    /// Delays drawn from the exponential distribution with mean `mean`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Rng, ms};
    ///
    /// let latency = Latency::exponential(ms(10));
    /// let mut rng = Rng::new(8);
    /// let mean = (0..10_000).map(|_| latency.sample(&mut rng).as_millis_f64()).sum::<f64>() / 1e4;
    /// assert!((9.5..10.5).contains(&mean));
    /// ```
    pub fn exponential(mean: Time) -> Latency {
        Latency::Exponential { mean }
    }

    /// Delays drawn from the log-normal distribution with this median and spread.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Rng, ms};
    ///
    /// let latency = Latency::log_normal(ms(5), 0.5);
    /// let mut rng = Rng::new(6);
    /// let below = (0..10_000).filter(|_| latency.sample(&mut rng) < ms(5)).count();
    /// assert!((4_800..5_200).contains(&below)); // half the draws beat the median
    /// ```
    pub fn log_normal(median: Time, sigma: f64) -> Latency {
        Latency::LogNormal { median, sigma }
    }

    /// This distribution plus, with probability `probability`, an extra `extra`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Rng, ms};
    ///
    /// let latency = Latency::constant(ms(1)).with_spikes(0.1, ms(100));
    /// let mut rng = Rng::new(2);
    /// let spikes = (0..10_000).filter(|_| latency.sample(&mut rng) == ms(101)).count();
    /// assert!((900..1_100).contains(&spikes));
    /// ```
    pub fn with_spikes(self, probability: f64, extra: Time) -> Latency {
        Latency::Spikes {
            base: Box::new(self),
            probability,
            extra,
        }
    }

    /// Checks the parameters: delays not negative, `low <= high`, `sigma` finite and in
    /// `[0, 10]`, spike probability in `[0, 1]`.
    ///
    /// # Errors
    ///
    /// A [`SimError`] naming the first parameter that is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, ms};
    ///
    /// assert!(Latency::uniform(ms(1), ms(5)).validate().is_ok());
    /// let error = Latency::uniform(ms(5), ms(1)).validate().unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "uniform latency 5ms..=1ms is not allowed; low must not be above high"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        match self {
            Latency::Constant(delay) => check_delay("constant latency", *delay),
            Latency::Uniform { low, high } => {
                check_delay("uniform latency low", *low)?;
                if low > high {
                    return Err(SimError::parameter(
                        "uniform latency",
                        format!("{low}..={high}"),
                        "low must not be above high",
                    ));
                }
                Ok(())
            }
            Latency::Exponential { mean } => check_delay("exponential latency mean", *mean),
            Latency::LogNormal { median, sigma } => {
                check_delay("log-normal latency median", *median)?;
                if !(0.0..=MAX_SIGMA).contains(sigma) {
                    return Err(SimError::parameter(
                        "log-normal sigma",
                        sigma,
                        format!("sigma must be a number from 0 to {MAX_SIGMA}"),
                    ));
                }
                Ok(())
            }
            Latency::Spikes {
                base,
                probability,
                extra,
            } => {
                base.validate()?;
                check_probability("spike", *probability)?;
                check_delay("spike extra delay", *extra)
            }
        }
    }

    /// One delay drawn from the distribution with `rng`; never negative.
    ///
    /// Parameters are not checked here (that is [`validate`](Self::validate)'s job, which the
    /// simulation calls when you set a link); a negative draw is taken as zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Rng, ms};
    ///
    /// let mut rng = Rng::new(0);
    /// assert_eq!(Latency::constant(ms(-1)).sample(&mut rng), ms(0));
    /// ```
    pub fn sample(&self, rng: &mut Rng) -> Time {
        let draw = match self {
            Latency::Constant(delay) => *delay,
            Latency::Uniform { low, high } => rng.between(*low, *high),
            Latency::Exponential { mean } => {
                Time::from_nanos_f64(mean.as_nanos() as f64 * rng.exponential())
            }
            Latency::LogNormal { median, sigma } => {
                Time::from_nanos_f64(median.as_nanos() as f64 * math::exp(sigma * rng.normal()))
            }
            Latency::Spikes {
                base,
                probability,
                extra,
            } => {
                let usual = base.sample(rng);
                if rng.chance(*probability) {
                    usual + *extra
                } else {
                    usual
                }
            }
        };
        draw.max(Time::ZERO)
    }
}

/// Beyond this, `e^(sigma Z)` overflows a time for ordinary draws of `Z`.
const MAX_SIGMA: f64 = 10.0;

fn check_delay(name: &'static str, delay: Time) -> Result<(), SimError> {
    if delay < Time::ZERO {
        return Err(SimError::parameter(
            name,
            delay,
            "delays must be zero or more",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ms;

    #[test]
    fn bad_parameters_are_named() {
        let cases = [
            (
                Latency::constant(ms(-1)),
                "constant latency -1ms is not allowed; delays must be zero or more",
            ),
            (
                Latency::log_normal(ms(1), f64::NAN),
                "log-normal sigma NaN is not allowed; sigma must be a number from 0 to 10",
            ),
            (
                Latency::constant(ms(1)).with_spikes(2.0, ms(5)),
                "spike probability 2 is not in [0, 1]",
            ),
            (
                Latency::exponential(ms(-3)),
                "exponential latency mean -3ms is not allowed; delays must be zero or more",
            ),
        ];
        for (latency, message) in cases {
            assert_eq!(latency.validate().unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn log_normal_with_no_spread_is_its_median() {
        let mut rng = Rng::new(1);
        assert_eq!(Latency::log_normal(ms(7), 0.0).sample(&mut rng), ms(7));
    }

    #[test]
    fn the_widest_log_normal_never_goes_negative_or_panics() {
        let latency = Latency::log_normal(Time::MAX, MAX_SIGMA);
        let mut rng = Rng::new(3);
        for _ in 0..1_000 {
            assert!(latency.sample(&mut rng) >= Time::ZERO);
        }
    }
}
