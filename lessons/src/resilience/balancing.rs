//! Load-balancing policies in front of servers of unequal speed, and the balls-into-bins
//! arithmetic behind the power of two choices.

use serde::Serialize;

use super::checks::{positive, positive_time, probability, within};
use crate::sim::{Latency, Rng, Scheduler, SimError, Time, percentiles};
use crate::viz::Figure;

/// How a balancer picks a server for each request.
///
/// # Examples
///
/// ```
/// use lessons::resilience::Policy;
///
/// assert_eq!(Policy::PowerOfTwoChoices.to_string(), "power of two choices");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// Servers in turn: 0, 1, ..., n-1, 0, ...
    RoundRobin,
    /// Each cycle sends `weights[i]` requests to server i, interleaved: the cycle goes round
    /// the servers, skipping those whose weight is used up.
    WeightedRoundRobin(Vec<usize>),
    /// A server drawn uniformly.
    Random,
    /// A server with the fewest requests in flight (ties broken at random).
    LeastConnections,
    /// Two distinct servers drawn uniformly; the one with fewer requests in flight.
    PowerOfTwoChoices,
    /// The server whose recent response time, scaled by its queue, promises the quickest
    /// answer: the lowest `average x (in flight + 1)`, where the average is a moving average
    /// of the responses [`Balancer::observe`] reports (weight [`RESPONSE_AVERAGE_WEIGHT`]
    /// for the newest). Servers not yet heard from score 0 and are tried first; ties at random.
    LeastResponseTime,
    /// A hash of the client's address picks the server: every request from one address goes
    /// to the same server, however many clients share that address behind a NAT.
    IpHash,
    /// Random in proportion to weights, where server 0 has just joined cold: its weight rises
    /// linearly from 0 at time zero to the others' weight of 1 at the end of the window.
    SlowStart(Time),
}

/// The weight of the newest response in [`Policy::LeastResponseTime`]'s moving average.
pub const RESPONSE_AVERAGE_WEIGHT: f64 = 0.1;

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Policy::RoundRobin => f.write_str("round robin"),
            Policy::WeightedRoundRobin(weights) => write!(f, "weighted round robin {weights:?}"),
            Policy::Random => f.write_str("random"),
            Policy::LeastConnections => f.write_str("least connections"),
            Policy::PowerOfTwoChoices => f.write_str("power of two choices"),
            Policy::LeastResponseTime => f.write_str("least response time"),
            Policy::IpHash => f.write_str("IP hash"),
            Policy::SlowStart(window) => write!(f, "slow start over {window}"),
        }
    }
}

/// A balancer: the policy, its position in the round-robin cycle and what it has seen of each
/// server's response times.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Balancer, Policy};
/// use lessons::sim::Rng;
///
/// let mut balancer = Balancer::new(Policy::RoundRobin, 3)?;
/// let mut rng = Rng::new(1);
/// let picks: Vec<usize> = (0..4).map(|_| balancer.pick(&[0, 0, 0], &mut rng)).collect();
/// assert_eq!(picks, [0, 1, 2, 0]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Balancer {
    policy: Policy,
    servers: usize,
    cycle: Vec<usize>,
    next: usize,
    average_ms: Vec<f64>,
}

impl Balancer {
    /// A balancer over `servers` servers.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless servers is 1 to 10,000 (2 or more for the power of two
    /// choices), weights (if any) are one per server, each 1 to 1,000, and a slow-start window
    /// is positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Balancer, Policy};
    ///
    /// assert!(Balancer::new(Policy::WeightedRoundRobin(vec![4, 2]), 3).is_err());
    /// ```
    pub fn new(policy: Policy, servers: usize) -> Result<Balancer, SimError> {
        let least = if policy == Policy::PowerOfTwoChoices {
            2
        } else {
            1
        };
        within("servers", servers, least, 10_000)?;
        let cycle = match &policy {
            Policy::WeightedRoundRobin(weights) => {
                within("weights", weights.len(), servers, servers)?;
                for &weight in weights {
                    within("weight", weight, 1, 1_000)?;
                }
                // Interleaved, so that a heavy server's turns do not come in one burst.
                let heaviest = weights.iter().copied().max().unwrap_or(1);
                (0..heaviest)
                    .flat_map(|round| (0..servers).filter(move |&s| weights[s] > round))
                    .collect()
            }
            Policy::SlowStart(window) => {
                positive_time("slow-start window", *window)?;
                Vec::new()
            }
            _ => (0..servers).collect(),
        };
        Ok(Balancer {
            policy,
            servers,
            cycle,
            next: 0,
            average_ms: vec![0.0; servers],
        })
    }

    /// The server for the next request, given each server's requests in flight (one entry per
    /// server; the round-robin policies ignore it): [`Balancer::pick_for`] at time zero for
    /// the client at address 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Balancer, Policy};
    /// use lessons::sim::Rng;
    ///
    /// let mut least = Balancer::new(Policy::LeastConnections, 3)?;
    /// assert_eq!(least.pick(&[4, 1, 3], &mut Rng::new(1)), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn pick(&mut self, in_flight: &[usize], rng: &mut Rng) -> usize {
        self.pick_for(Time::ZERO, 0, in_flight, rng)
    }

    /// The server for a request from the client at address `client`, arriving at `now`, given
    /// each server's requests in flight. Only [`Policy::IpHash`] looks at the address and only
    /// [`Policy::SlowStart`] at the time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Balancer, Policy};
    /// use lessons::sim::{Rng, secs};
    ///
    /// let mut sticky = Balancer::new(Policy::IpHash, 10)?;
    /// let mut rng = Rng::new(1);
    /// let first = sticky.pick_for(secs(1), 42, &[0; 10], &mut rng);
    /// assert_eq!(sticky.pick_for(secs(2), 42, &[9; 10], &mut rng), first);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn pick_for(
        &mut self,
        now: Time,
        client: u64,
        in_flight: &[usize],
        rng: &mut Rng,
    ) -> usize {
        let load = |server: usize| in_flight.get(server).copied().unwrap_or(0);
        match self.policy {
            Policy::RoundRobin | Policy::WeightedRoundRobin(_) => {
                let server = self.cycle[self.next];
                self.next = (self.next + 1) % self.cycle.len();
                server
            }
            Policy::Random => rng.below(self.servers as u64) as usize,
            Policy::LeastConnections => {
                let fewest = (0..self.servers).map(load).min().unwrap_or(0);
                let tied: Vec<usize> = (0..self.servers).filter(|&s| load(s) == fewest).collect();
                tied[rng.below(tied.len() as u64) as usize]
            }
            Policy::PowerOfTwoChoices => {
                let first = rng.below(self.servers as u64) as usize;
                let mut second = rng.below(self.servers as u64 - 1) as usize;
                if second >= first {
                    second += 1;
                }
                if load(second) < load(first) {
                    second
                } else {
                    first
                }
            }
            Policy::LeastResponseTime => {
                let score = |s: usize| self.average_ms[s] * (load(s) + 1) as f64;
                let best = (0..self.servers).map(score).fold(f64::INFINITY, f64::min);
                let tied: Vec<usize> = (0..self.servers).filter(|&s| score(s) == best).collect();
                tied[rng.below(tied.len() as u64) as usize]
            }
            Policy::IpHash => (mix(client) % self.servers as u64) as usize,
            Policy::SlowStart(window) => {
                let cold = (now.as_secs_f64() / window.as_secs_f64()).clamp(0.0, 1.0);
                let draw = rng.unit() * (self.servers as f64 - 1.0 + cold);
                if draw < cold {
                    0
                } else {
                    (1 + (draw - cold) as usize).min(self.servers - 1)
                }
            }
        }
    }

    /// Tells the balancer that `server` just answered a request in `response`; only
    /// [`Policy::LeastResponseTime`] uses it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::{Balancer, Policy};
    /// use lessons::sim::{Rng, ms};
    ///
    /// let mut quickest = Balancer::new(Policy::LeastResponseTime, 2)?;
    /// quickest.observe(0, ms(100));
    /// quickest.observe(1, ms(10));
    /// assert_eq!(quickest.pick(&[0, 0], &mut Rng::new(1)), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn observe(&mut self, server: usize, response: Time) {
        if let Some(average) = self.average_ms.get_mut(server) {
            let newest = response.as_millis_f64();
            *average = if *average == 0.0 {
                newest
            } else {
                *average + RESPONSE_AVERAGE_WEIGHT * (newest - *average)
            };
        }
    }
}

/// A fixed scramble of an address (the SplitMix64 finalizer), so that neighbouring addresses
/// land on unrelated servers.
fn mix(address: u64) -> u64 {
    let mut z = address.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One policy of [`balancing_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, balancing_experiment};
/// use lessons::sim::{ms, secs};
///
/// let rows = balancing_experiment(&[Policy::RoundRobin], 4, 1.0, ms(10), 0.5, secs(20), 1)?;
/// assert!((rows[0].slow_share - 0.25).abs() < 0.001); // one in four, to within a request
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalancingRow {
    /// The policy's name.
    pub policy: String,
    /// Median response time, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Share of requests sent to the slow (or cold) server, server 0.
    pub slow_share: f64,
    /// Share of requests sent to the server that received the most.
    pub busiest_share: f64,
}

enum Arrival {
    Request,
    Departure { server: usize, response: Time },
}

/// The servers and traffic one balancing run simulates.
struct Fleet {
    servers: usize,
    mean_service: Time,
    speed: Speed,
    utilization: f64,
    duration: Time,
    /// Share of the requests that come from the one address behind a NAT (address 0); the
    /// rest come from 10,000 other addresses, uniformly.
    nat_share: f64,
}

/// How much slower than the others server 0 is.
enum Speed {
    /// Always this many times slower.
    Slow(f64),
    /// This many times slower at time zero, warming linearly to full speed over the window.
    Cold { factor: f64, warmup: Time },
}

impl Fleet {
    fn slowness(&self, server: usize, now: Time) -> f64 {
        match self.speed {
            _ if server != 0 => 1.0,
            Speed::Slow(factor) => factor,
            Speed::Cold { factor, warmup } => {
                let warmed = (now.as_secs_f64() / warmup.as_secs_f64()).min(1.0);
                factor + (1.0 - factor) * warmed
            }
        }
    }

    /// Requests per second: `utilization` of the servers' total capacity once warm.
    fn rate(&self) -> f64 {
        let slow = match self.speed {
            Speed::Slow(factor) => factor,
            Speed::Cold { .. } => 1.0,
        };
        let fast = self.mean_service.as_secs_f64();
        self.utilization * ((self.servers as f64 - 1.0) / fast + 1.0 / (fast * slow))
    }

    fn check(&self) -> Result<(), SimError> {
        positive("utilization", self.utilization)?;
        positive_time("mean service", self.mean_service)?;
        positive_time("duration", self.duration)?;
        probability("NAT share", self.nat_share)?;
        match self.speed {
            Speed::Slow(factor) => positive("slow factor", factor).map(|_| ()),
            Speed::Cold { factor, warmup } => {
                positive("cold factor", factor)?;
                positive_time("warm-up", warmup).map(|_| ())
            }
        }
    }

    /// One policy's run: every policy sees the same arrivals, addresses and service draws.
    fn run(&self, policy: &Policy, seed: u64) -> Result<BalancingRow, SimError> {
        let mut balancer = Balancer::new(policy.clone(), self.servers)?;
        let mut arrivals = Rng::derive(seed, &[0]);
        let mut services = Rng::derive(seed, &[1]);
        let mut choices = Rng::derive(seed, &[2]);
        let mut addresses = Rng::derive(seed, &[3]);
        let rate = self.rate();
        let mut scheduler = Scheduler::new();
        scheduler.schedule(Time::ZERO, Arrival::Request);
        let mut in_flight = vec![0; self.servers];
        let mut free_at = vec![Time::ZERO; self.servers];
        let mut sent = vec![0u64; self.servers];
        let mut responses = Vec::new();
        while let Some((now, event)) = scheduler.pop() {
            match event {
                Arrival::Request => {
                    let gap = Time::from_nanos_f64(arrivals.exponential() * 1e9 / rate);
                    if now + gap < self.duration {
                        scheduler.schedule(now + gap, Arrival::Request);
                    }
                    let client = if addresses.chance(self.nat_share) {
                        0
                    } else {
                        1 + addresses.below(10_000)
                    };
                    let server = balancer.pick_for(now, client, &in_flight, &mut choices);
                    let mean = self.mean_service.as_nanos() as f64 * self.slowness(server, now);
                    let work =
                        Latency::exponential(Time::from_nanos_f64(mean)).sample(&mut services);
                    free_at[server] = free_at[server].max(now) + work;
                    in_flight[server] += 1;
                    sent[server] += 1;
                    let response = free_at[server] - now;
                    responses.push(response.as_millis_f64());
                    scheduler.schedule(free_at[server], Arrival::Departure { server, response });
                }
                Arrival::Departure { server, response } => {
                    in_flight[server] -= 1;
                    balancer.observe(server, response);
                }
            }
        }
        let marks = percentiles(&responses, &[50.0, 99.0])?;
        let total = responses.len() as f64;
        Ok(BalancingRow {
            policy: policy.to_string(),
            p50_ms: marks[0],
            p99_ms: marks[1],
            slow_share: sent[0] as f64 / total,
            busiest_share: sent.iter().copied().max().unwrap_or(0) as f64 / total,
        })
    }
}

/// For each policy: `servers` single-server FIFO queues, server 0 `slow_factor` times slower
/// than the others (exponential service with mean `mean_service`), Poisson arrivals at
/// `utilization` of the servers' total capacity, for `duration`. Every policy sees the same
/// arrivals and service draws.
///
/// # Errors
///
/// [`SimError::Parameter`] for a slow factor or utilization that is not positive, and the
/// errors of [`Balancer::new`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, balancing_experiment};
/// use lessons::sim::{ms, secs};
///
/// let policies = [Policy::RoundRobin, Policy::LeastConnections];
/// let rows = balancing_experiment(&policies, 10, 10.0, ms(10), 0.6, secs(60), 1)?;
/// assert!(rows[1].p99_ms < rows[0].p99_ms / 10.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn balancing_experiment(
    policies: &[Policy],
    servers: usize,
    slow_factor: f64,
    mean_service: Time,
    utilization: f64,
    duration: Time,
    seed: u64,
) -> Result<Vec<BalancingRow>, SimError> {
    let fleet = Fleet {
        servers,
        mean_service,
        speed: Speed::Slow(slow_factor),
        utilization,
        duration,
        nat_share: 0.0,
    };
    fleet.check()?;
    policies
        .iter()
        .map(|policy| fleet.run(policy, seed))
        .collect()
}

/// For each policy: `servers` equal servers, except that server 0 has just started cold: it
/// is `cold_factor` times slower at time zero and warms linearly to full speed over `warmup`
/// (a cache filling, a JIT compiling). Poisson arrivals at `utilization` of the warm servers'
/// capacity, for twice the warm-up. `slow_share` is the share sent to the cold server.
///
/// # Errors
///
/// [`SimError::Parameter`] for a cold factor, warm-up or utilization that is not positive, and
/// the errors of [`Balancer::new`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, cold_start_experiment};
/// use lessons::sim::{ms, secs};
///
/// let policies = [Policy::RoundRobin, Policy::SlowStart(secs(60))];
/// let rows = cold_start_experiment(&policies, 10, 10.0, secs(30), ms(10), 0.6, 1)?;
/// assert!(rows[1].slow_share < rows[0].slow_share);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn cold_start_experiment(
    policies: &[Policy],
    servers: usize,
    cold_factor: f64,
    warmup: Time,
    mean_service: Time,
    utilization: f64,
    seed: u64,
) -> Result<Vec<BalancingRow>, SimError> {
    let fleet = Fleet {
        servers,
        mean_service,
        speed: Speed::Cold {
            factor: cold_factor,
            warmup,
        },
        utilization,
        duration: warmup + warmup,
        nat_share: 0.0,
    };
    fleet.check()?;
    policies
        .iter()
        .map(|policy| fleet.run(policy, seed))
        .collect()
}

/// For each policy: `servers` equal servers and a client mix in which one address (a
/// corporate NAT, a mobile carrier's gateway) sends a share `nat_share` of the requests and
/// 10,000 other addresses send the rest; Poisson arrivals at `utilization` of the total
/// capacity, for `duration`. `busiest_share` is the share the busiest server received.
///
/// # Errors
///
/// [`SimError::Parameter`] for a NAT share that is not a probability, a utilization that is
/// not positive, and the errors of [`Balancer::new`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, nat_experiment};
/// use lessons::sim::{ms, secs};
///
/// let rows = nat_experiment(&[Policy::IpHash, Policy::RoundRobin], 10, 0.3, ms(10), 0.6, secs(20), 1)?;
/// assert!(rows[0].busiest_share > 0.3 && rows[1].busiest_share < 0.11);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn nat_experiment(
    policies: &[Policy],
    servers: usize,
    nat_share: f64,
    mean_service: Time,
    utilization: f64,
    duration: Time,
    seed: u64,
) -> Result<Vec<BalancingRow>, SimError> {
    let fleet = Fleet {
        servers,
        mean_service,
        speed: Speed::Slow(1.0),
        utilization,
        duration,
        nat_share,
    };
    fleet.check()?;
    policies
        .iter()
        .map(|policy| fleet.run(policy, seed))
        .collect()
}

/// One (n, d) pair of [`balls_into_bins`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::balls_into_bins;
///
/// let rows = balls_into_bins(&[1_000], 5, 1)?;
/// assert_eq!((rows[0].bins, rows[0].choices), (1_000, 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BallsRow {
    /// Bins, and balls thrown (as many as bins).
    pub bins: usize,
    /// Bins looked at per ball (1: random; 2: the less loaded of two).
    pub choices: usize,
    /// The fullest bin's load, averaged over the trials.
    pub mean_max_load: f64,
}

/// n balls into n bins, each ball into a random bin (d = 1) or into the less loaded of two
/// random bins (d = 2), `trials` times per n. With one choice the fullest bin holds about
/// ln n / ln ln n balls; with two, about ln ln n / ln 2 (Azar, Broder, Karlin and Upfal, 1994).
///
/// # Errors
///
/// [`SimError::Parameter`] for bins outside 2 to 1,000,000 or trials outside 1 to 1,000.
///
/// # Examples
///
/// ```
/// use lessons::resilience::balls_into_bins;
///
/// let rows = balls_into_bins(&[100_000], 3, 1)?;
/// assert!(rows[1].mean_max_load < rows[0].mean_max_load / 2.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn balls_into_bins(
    bin_counts: &[usize],
    trials: usize,
    seed: u64,
) -> Result<Vec<BallsRow>, SimError> {
    within("trials", trials, 1, 1_000)?;
    let mut rows = Vec::new();
    for &bins in bin_counts {
        within("bins", bins, 2, 1_000_000)?;
        for choices in [1, 2] {
            let mut rng = Rng::derive(seed, &[bins as u64, choices as u64]);
            let mut total = 0;
            for _ in 0..trials {
                let mut loads = vec![0usize; bins];
                for _ in 0..bins {
                    let first = rng.below(bins as u64) as usize;
                    let bin = if choices == 1 {
                        first
                    } else {
                        let second = rng.below(bins as u64) as usize;
                        if loads[second] < loads[first] {
                            second
                        } else {
                            first
                        }
                    };
                    loads[bin] += 1;
                }
                total += loads.iter().max().copied().unwrap_or(0);
            }
            rows.push(BallsRow {
                bins,
                choices,
                mean_max_load: total as f64 / trials as f64,
            });
        }
    }
    Ok(rows)
}

/// The fullest bin against n (log x), one line per number of choices.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{balls_figure, balls_into_bins};
///
/// let rows = balls_into_bins(&[10, 100], 3, 1)?;
/// assert!(balls_figure(&rows).to_svg()?.contains("2 choices"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn balls_figure(rows: &[BallsRow]) -> Figure {
    let mut figure = Figure::new("n balls into n bins: the fullest bin")
        .x_label("n (log)")
        .y_label("balls in the fullest bin")
        .log_x();
    for choices in [1, 2] {
        let points = rows
            .iter()
            .filter(|row| row.choices == choices)
            .map(|row| (row.bins as f64, row.mean_max_load));
        let name = if choices == 1 {
            "1 choice (random)".to_string()
        } else {
            format!("{choices} choices")
        };
        figure = figure.line(name, points);
    }
    figure
}

/// Median and 99th-percentile response time per policy, as bars on a logarithmic axis.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, balancing_experiment, balancing_figure};
/// use lessons::sim::{ms, secs};
///
/// let rows = balancing_experiment(&[Policy::Random], 4, 2.0, ms(10), 0.5, secs(10), 1)?;
/// assert!(balancing_figure(&rows).to_svg()?.contains("random"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn balancing_figure(rows: &[BalancingRow]) -> Figure {
    response_bars(
        "Response time per balancing policy, one server 10x slower",
        rows,
    )
}

/// [`balancing_figure`] with a title of your own, for the cold-start and NAT runs.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Policy, nat_experiment, response_bars};
/// use lessons::sim::{ms, secs};
///
/// let rows = nat_experiment(&[Policy::IpHash], 4, 0.2, ms(10), 0.5, secs(10), 1)?;
/// assert!(response_bars("A NAT", &rows).to_svg()?.contains("IP hash"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn response_bars(title: &str, rows: &[BalancingRow]) -> Figure {
    Figure::new(title)
        .y_label("response time (ms, log)")
        .log_y()
        .bars(
            "median",
            rows.iter().map(|row| (row.policy.clone(), row.p50_ms)),
        )
        .bars(
            "99th percentile",
            rows.iter().map(|row| (row.policy.clone(), row.p99_ms)),
        )
}
