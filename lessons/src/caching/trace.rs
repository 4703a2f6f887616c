//! Request streams for cache experiments: which key each request asks for, and when it arrives.
//!
//! A [`KeyTrace`] describes a stream of keys: Zipf-skewed popularity over `keys` keys (key 0 is
//! the hottest), optionally interrupted by periodic scans that read a block of cold keys once
//! each, and optionally a popularity shift after which the hot set moves to keys that were cold.
//! [`poisson_arrivals`] gives the arrival times of a Poisson stream on virtual time. Both are
//! seeded: the same parameters and seed give the same stream.

use crate::sim::{Rng, SimError, Time, Zipf};

/// The most requests one trace may hold (8 bytes each), so a typo cannot exhaust memory.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::caching::MAX_REQUESTS, 10_000_000);
/// ```
pub const MAX_REQUESTS: usize = 10_000_000;

/// The shape of a key stream: Zipf popularity, periodic scans, a popularity shift.
///
/// Keys `0..keys` are the Zipf-popular keys (0 is the hottest before any shift). A scan reads the
/// keys `keys..keys + scan_length` in order, once each: rows a batch job touches and nobody else
/// asks for. After a shift, the request that would have gone to rank `r` goes to key
/// `(r + keys / 2) % keys`, so yesterday's hot keys are today's cold ones.
///
/// # Examples
///
/// ```
/// use lessons::caching::KeyTrace;
///
/// let trace = KeyTrace::zipf(1_000, 1.0)?.generate(10_000, 7)?;
/// assert_eq!(trace.len(), 10_000);
/// let hottest = trace.iter().filter(|&&key| key == 0).count();
/// assert!((1_200..1_500).contains(&hottest)); // 1 / H(1000) ≈ 13.4% of requests
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTrace {
    popularity: Zipf,
    scan: Option<Scan>,
    shift_at: Option<usize>,
}

/// A scan of `length` cold keys every `every` requests.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scan {
    every: usize,
    length: usize,
}

impl KeyTrace {
    /// Requests over `keys` keys with Zipf popularity of this exponent (0 is uniform).
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `keys` is outside `1..=10_000_000` or the exponent is not a
    /// number from 0 to 10 (the limits of [`Zipf`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::KeyTrace;
    ///
    /// assert!(KeyTrace::zipf(10_000, 1.0).is_ok());
    /// assert!(KeyTrace::zipf(0, 1.0).is_err());
    /// ```
    pub fn zipf(keys: usize, exponent: f64) -> Result<KeyTrace, SimError> {
        Ok(KeyTrace {
            popularity: Zipf::new(keys, exponent)?,
            scan: None,
            shift_at: None,
        })
    }

    /// How many Zipf-popular keys there are (scan keys not counted).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::caching::KeyTrace::zipf(500, 0.8)?.keys(), 500);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn keys(&self) -> usize {
        self.popularity.len()
    }

    /// The same stream with a scan of `length` cold keys starting every `every` requests (the
    /// first after `every` requests); the scan's reads count as requests.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `every` or `length` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::KeyTrace;
    ///
    /// let trace = KeyTrace::zipf(10, 1.0)?.with_scans(4, 3)?.generate(10, 1)?;
    /// assert_eq!(&trace[4..7], &[10, 11, 12]); // the scan reads keys 10, 11, 12
    /// assert!(KeyTrace::zipf(10, 1.0)?.with_scans(0, 3).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn with_scans(mut self, every: usize, length: usize) -> Result<KeyTrace, SimError> {
        if every == 0 {
            return Err(SimError::parameter(
                "scan interval",
                every,
                "scans must start every 1 or more requests",
            ));
        }
        if length == 0 {
            return Err(SimError::parameter(
                "scan length",
                length,
                "a scan reads 1 or more keys",
            ));
        }
        self.scan = Some(Scan { every, length });
        Ok(self)
    }

    /// The same stream with the popularity shifted from request number `at` on (counting from 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::KeyTrace;
    ///
    /// let trace = KeyTrace::zipf(100, 2.0)?.with_shift_at(5_000).generate(10_000, 3)?;
    /// let zeros_before = trace[..5_000].iter().filter(|&&key| key == 0).count();
    /// let fifties_after = trace[5_000..].iter().filter(|&&key| key == 50).count();
    /// assert!(zeros_before > 2_500 && fifties_after > 2_500); // rank 0 became key 50
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn with_shift_at(mut self, at: usize) -> KeyTrace {
        self.shift_at = Some(at);
        self
    }

    /// `requests` keys drawn with `seed`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `requests` exceeds [`MAX_REQUESTS`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::KeyTrace;
    ///
    /// let zipf = KeyTrace::zipf(100, 1.0)?;
    /// assert_eq!(zipf.generate(50, 9)?, zipf.generate(50, 9)?);
    /// assert!(zipf.generate(20_000_000, 9).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn generate(&self, requests: usize, seed: u64) -> Result<Vec<u64>, SimError> {
        check_requests(requests)?;
        let keys = self.keys();
        let mut rng = Rng::new(seed);
        let mut trace = Vec::with_capacity(requests);
        let mut scan_left = 0;
        while trace.len() < requests {
            let index = trace.len();
            if let Some(scan) = self.scan
                && index > 0
                && index % scan.every == 0
                && scan_left == 0
            {
                scan_left = scan.length;
            }
            if scan_left > 0 {
                let length = self.scan.map_or(0, |scan| scan.length);
                trace.push((keys + length - scan_left) as u64);
                scan_left -= 1;
                continue;
            }
            let rank = self.popularity.sample(&mut rng);
            let shifted = self.shift_at.is_some_and(|at| index >= at);
            let key = if shifted {
                (rank + keys / 2) % keys
            } else {
                rank
            };
            trace.push(key as u64);
        }
        Ok(trace)
    }
}

/// The arrival times of a Poisson stream of `rate_per_second` requests per second from time 0 up
/// to (not including) `until`: the gaps are independent exponential draws with mean
/// `1 / rate_per_second`.
///
/// # Errors
///
/// [`SimError::Parameter`] when the rate is not a positive finite number, or when the expected
/// number of arrivals `rate_per_second * until` exceeds [`MAX_REQUESTS`].
///
/// # Examples
///
/// ```
/// use lessons::caching::poisson_arrivals;
/// use lessons::sim::secs;
///
/// let arrivals = poisson_arrivals(100.0, secs(100), 5)?;
/// assert!((9_600..10_400).contains(&arrivals.len())); // 10,000 expected, sd 100
/// assert!(arrivals.windows(2).all(|pair| pair[0] <= pair[1]));
/// assert!(poisson_arrivals(0.0, secs(1), 5).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn poisson_arrivals(
    rate_per_second: f64,
    until: Time,
    seed: u64,
) -> Result<Vec<Time>, SimError> {
    if !(rate_per_second.is_finite() && rate_per_second > 0.0) {
        return Err(SimError::parameter(
            "arrival rate",
            rate_per_second,
            "the rate must be a positive number of requests per second",
        ));
    }
    let expected = rate_per_second * until.as_secs_f64();
    if expected > MAX_REQUESTS as f64 {
        return Err(SimError::parameter(
            "rate × duration",
            expected,
            format!("at most {MAX_REQUESTS} expected arrivals"),
        ));
    }
    let mut rng = Rng::new(seed);
    let mean_gap_nanos = 1e9 / rate_per_second;
    let mut arrivals = Vec::with_capacity(expected.max(0.0) as usize + 16);
    let mut now = Time::ZERO;
    loop {
        now += Time::from_nanos_f64(rng.exponential() * mean_gap_nanos);
        if now >= until {
            return Ok(arrivals);
        }
        arrivals.push(now);
    }
}

/// The error for a trace longer than [`MAX_REQUESTS`].
pub(super) fn check_requests(requests: usize) -> Result<(), SimError> {
    if requests > MAX_REQUESTS {
        return Err(SimError::parameter(
            "requests",
            requests,
            format!("a trace holds at most {MAX_REQUESTS} requests"),
        ));
    }
    Ok(())
}
