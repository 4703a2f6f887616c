//! Load-balancing policies in front of servers of unequal speed, and the balls-into-bins
//! arithmetic behind the power of two choices.

use serde::Serialize;

use super::checks::{positive, positive_time, within};
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
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Policy::RoundRobin => f.write_str("round robin"),
            Policy::WeightedRoundRobin(weights) => write!(f, "weighted round robin {weights:?}"),
            Policy::Random => f.write_str("random"),
            Policy::LeastConnections => f.write_str("least connections"),
            Policy::PowerOfTwoChoices => f.write_str("power of two choices"),
        }
    }
}

/// A balancer: the policy and its position in the round-robin cycle.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balancer {
    policy: Policy,
    servers: usize,
    cycle: Vec<usize>,
    next: usize,
}

impl Balancer {
    /// A balancer over `servers` servers.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless servers is 1 to 10,000 (2 or more for the power of two
    /// choices), and weights (if any) are one per server, each 1 to 1,000.
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
            _ => (0..servers).collect(),
        };
        Ok(Balancer {
            policy,
            servers,
            cycle,
            next: 0,
        })
    }

    /// The server for the next request, given each server's requests in flight (one entry per
    /// server; the round-robin policies ignore it).
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
        }
    }
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
    /// Share of requests sent to the slow server (server 0).
    pub slow_share: f64,
}

enum Arrival {
    Request,
    Departure(usize),
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
    positive("slow factor", slow_factor)?;
    positive("utilization", utilization)?;
    positive_time("mean service", mean_service)?;
    positive_time("duration", duration)?;
    let fast = mean_service.as_secs_f64();
    let capacity = (servers as f64 - 1.0) / fast + 1.0 / (fast * slow_factor);
    let rate = utilization * capacity;
    let mut rows = Vec::new();
    for policy in policies {
        let mut balancer = Balancer::new(policy.clone(), servers)?;
        let mut arrivals = Rng::derive(seed, &[0]);
        let mut services = Rng::derive(seed, &[1]);
        let mut choices = Rng::derive(seed, &[2]);
        let mut scheduler = Scheduler::new();
        scheduler.schedule(Time::ZERO, Arrival::Request);
        let mut in_flight = vec![0; servers];
        let mut free_at = vec![Time::ZERO; servers];
        let (mut responses, mut to_slow) = (Vec::new(), 0u64);
        while let Some((now, event)) = scheduler.pop() {
            match event {
                Arrival::Request => {
                    let gap = Time::from_nanos_f64(arrivals.exponential() * 1e9 / rate);
                    if now + gap < duration {
                        scheduler.schedule(now + gap, Arrival::Request);
                    }
                    let server = balancer.pick(&in_flight, &mut choices);
                    let factor = if server == 0 { slow_factor } else { 1.0 };
                    let work = Latency::exponential(Time::from_nanos_f64(
                        mean_service.as_nanos() as f64 * factor,
                    ))
                    .sample(&mut services);
                    free_at[server] = free_at[server].max(now) + work;
                    in_flight[server] += 1;
                    to_slow += u64::from(server == 0);
                    responses.push((free_at[server] - now).as_millis_f64());
                    scheduler.schedule(free_at[server], Arrival::Departure(server));
                }
                Arrival::Departure(server) => in_flight[server] -= 1,
            }
        }
        let marks = percentiles(&responses, &[50.0, 99.0])?;
        rows.push(BalancingRow {
            policy: policy.to_string(),
            p50_ms: marks[0],
            p99_ms: marks[1],
            slow_share: to_slow as f64 / responses.len() as f64,
        });
    }
    Ok(rows)
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
    Figure::new("Response time per balancing policy, one server 10x slower")
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
