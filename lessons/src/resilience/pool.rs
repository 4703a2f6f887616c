//! A service with a fixed pool of worker threads, some of whose requests call a dependency that
//! turns slow: how the slow calls take the whole pool, and what timeouts and a bulkhead (a
//! partition of the pool reserved per dependency) change.

use serde::Serialize;

use super::breaker::CircuitBreaker;
use super::checks::{positive, positive_time, probability, within};
use crate::sim::{Latency, Rng, Scheduler, SimError, Time, percentile, secs};
use crate::viz::Figure;

/// The service and its traffic in [`pool_experiment`]: `threads` workers; requests arrive at
/// `arrival_rate` per second and a share `using_dependency` of them call the dependency, whose
/// latency is drawn from `normal` until `slow_from` and from `slow` after; the other requests
/// only do local work (`local`). A request holds its thread from start to end and is rejected
/// at once when no thread may take it (no waiting line, as with a semaphore).
///
/// # Examples
///
/// ```
/// use lessons::resilience::PoolScenario;
/// use lessons::sim::{Latency, ms, secs};
///
/// let scenario = PoolScenario::new(200, 400.0, 0.5, secs(40))?
///     .dependency(Latency::exponential(ms(10)), Latency::constant(secs(8)), secs(10))?;
/// assert!(PoolScenario::new(0, 400.0, 0.5, secs(40)).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PoolScenario {
    threads: usize,
    arrival_rate: f64,
    using_dependency: f64,
    duration: Time,
    local: Latency,
    normal: Latency,
    slow: Latency,
    slow_from: Time,
}

impl PoolScenario {
    /// A pool of `threads` with local work of 10 ms on average (exponential) and a dependency
    /// that answers in 10 ms on average and never slows down, until
    /// [`dependency`](Self::dependency) says otherwise; the run lasts `duration`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless threads is 1 to 100,000, the rate positive, the share a
    /// probability and the duration positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::PoolScenario;
    /// use lessons::sim::secs;
    ///
    /// assert!(PoolScenario::new(10, 50.0, 1.5, secs(10)).is_err());
    /// ```
    pub fn new(
        threads: usize,
        arrival_rate: f64,
        using_dependency: f64,
        duration: Time,
    ) -> Result<PoolScenario, SimError> {
        within("threads", threads, 1, 100_000)?;
        positive("arrival rate", arrival_rate)?;
        probability("share using the dependency", using_dependency)?;
        positive_time("duration", duration)?;
        let ten_ms = Latency::exponential(Time::from_nanos(10_000_000));
        Ok(PoolScenario {
            threads,
            arrival_rate,
            using_dependency,
            duration,
            local: ten_ms.clone(),
            normal: ten_ms.clone(),
            slow: ten_ms,
            slow_from: duration,
        })
    }

    /// The same scenario with a dependency answering from `normal` before `slow_from` and from
    /// `slow` after.
    ///
    /// # Errors
    ///
    /// The errors of [`Latency::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::PoolScenario;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let scenario = PoolScenario::new(10, 50.0, 0.5, secs(10))?;
    /// let slow_after_two = scenario.dependency(Latency::constant(ms(10)), Latency::constant(secs(1)), secs(2));
    /// assert!(slow_after_two.is_ok());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn dependency(
        mut self,
        normal: Latency,
        slow: Latency,
        slow_from: Time,
    ) -> Result<PoolScenario, SimError> {
        normal.validate()?;
        slow.validate()?;
        self.normal = normal;
        self.slow = slow;
        self.slow_from = slow_from;
        Ok(self)
    }
}

/// What protects the pool in [`pool_experiment`]: a `timeout` on dependency calls (the thread
/// is freed and the request fails when it passes) and a `bulkhead`, the most threads that
/// dependency calls may hold at once.
///
/// # Examples
///
/// ```
/// use lessons::resilience::Protection;
/// use lessons::sim::ms;
///
/// let both = Protection { timeout: Some(ms(200)), bulkhead: Some(50) };
/// assert_eq!(both.to_string(), "timeout 200ms + bulkhead 50");
/// assert_eq!(Protection::default().to_string(), "no protection");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Protection {
    /// Give up on a dependency call after this long.
    pub timeout: Option<Time>,
    /// At most this many threads may be in dependency calls at once.
    pub bulkhead: Option<usize>,
}

impl std::fmt::Display for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.timeout, self.bulkhead) {
            (None, None) => f.write_str("no protection"),
            (Some(limit), None) => write!(f, "timeout {limit}"),
            (None, Some(room)) => write!(f, "bulkhead {room}"),
            (Some(limit), Some(room)) => write!(f, "timeout {limit} + bulkhead {room}"),
        }
    }
}

/// One second of a [`PoolRun`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, Protection, pool_experiment};
/// use lessons::sim::secs;
///
/// let run = pool_experiment(&PoolScenario::new(20, 100.0, 0.5, secs(5))?, Protection::default(), 1)?;
/// assert_eq!(run.seconds.len(), 5);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoolSecond {
    /// The second's start, seconds.
    pub second: f64,
    /// Share of the requests that do not use the dependency served successfully.
    pub others_success: f64,
    /// Share of the dependency's requests that arrived this second and succeeded.
    pub dependency_success: f64,
    /// The 99th percentile (nearest rank) of the response times of every request that arrived
    /// this second, in milliseconds: all of the service's callers, failures included at the
    /// time they took to fail (a rejection or a breaker's refusal at once, 0 ms; a timeout, the
    /// timeout). 0 for a second without arrivals.
    pub p99_ms: f64,
}

/// One run of [`pool_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, Protection, pool_experiment};
/// use lessons::sim::secs;
///
/// let run = pool_experiment(&PoolScenario::new(20, 100.0, 0.5, secs(5))?, Protection::default(), 1)?;
/// assert_eq!(run.protection, "no protection");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolRun {
    /// The protection's name.
    pub protection: String,
    /// Per second of the run.
    pub seconds: Vec<PoolSecond>,
    /// Success rate of requests that do not use the dependency, after it slowed down.
    pub others_success_after: f64,
    /// Dependency requests that succeeded per second, after it slowed down.
    pub dependency_throughput_after: f64,
    /// The most threads ever held by dependency calls at once.
    pub most_dependency_threads: usize,
    /// Dependency requests the bulkhead turned away before the slowdown while the pool had
    /// idle threads: the price of a partition too small for normal traffic.
    pub rejected_while_healthy: u64,
    /// p99 response time of all requests that arrived before the second the slowdown starts
    /// in, milliseconds, counted as [`PoolSecond::p99_ms`] counts them.
    pub p99_before_ms: f64,
    /// p99 response time of all requests that arrived from that second on, milliseconds.
    pub p99_after_ms: f64,
}

enum PoolEvent {
    Arrival,
    Done {
        uses_dependency: bool,
        succeeded: bool,
        started: Time,
    },
}

#[derive(Default, Clone, Copy)]
struct Counts {
    others: u64,
    others_ok: u64,
    dependency: u64,
    dependency_ok: u64,
}

/// Runs `scenario` under `protection`. Arrivals, the choice of dependency or not, and all
/// latencies come from separate streams of `seed`, so every protection sees the same traffic.
///
/// # Errors
///
/// [`SimError::Parameter`] for a timeout that is not positive or a bulkhead of 0 or more
/// threads than the pool has.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, Protection, pool_experiment};
/// use lessons::sim::{Latency, ms, secs};
///
/// let scenario = PoolScenario::new(200, 400.0, 0.5, secs(30))?
///     .dependency(Latency::exponential(ms(10)), Latency::constant(secs(8)), secs(10))?;
/// let bare = pool_experiment(&scenario, Protection::default(), 1)?;
/// let walled = pool_experiment(&scenario, Protection { timeout: None, bulkhead: Some(50) }, 1)?;
/// assert!(bare.others_success_after < 0.2 && walled.others_success_after > 0.99);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn pool_experiment(
    scenario: &PoolScenario,
    protection: Protection,
    seed: u64,
) -> Result<PoolRun, SimError> {
    run_pool(scenario, protection, None, seed)
}

/// [`pool_experiment`] with a circuit breaker in front of the dependency as well: a dependency
/// request the breaker refuses fails at once without taking a thread, and every call that
/// took one reports its outcome to the breaker when it ends. A breaker learns of failures only
/// from timeouts: without one, a slow call ends in success, however late. The run's name is
/// the protection's with " + breaker".
///
/// # Errors
///
/// The errors of [`pool_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{CircuitBreaker, PoolScenario, Protection, guarded_pool_experiment};
/// use lessons::sim::{Latency, ms, secs};
///
/// let scenario = PoolScenario::new(200, 400.0, 0.5, secs(30))?
///     .dependency(Latency::exponential(ms(10)), Latency::constant(secs(8)), secs(10))?;
/// let timeout = Protection { timeout: Some(secs(1)), bulkhead: None };
/// let breaker = CircuitBreaker::new(20, 10, secs(5), 1)?;
/// let guarded = guarded_pool_experiment(&scenario, timeout, breaker, 1)?;
/// assert_eq!(guarded.protection, "timeout 1s + breaker");
/// assert!(guarded.others_success_after > 0.99);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn guarded_pool_experiment(
    scenario: &PoolScenario,
    protection: Protection,
    breaker: CircuitBreaker,
    seed: u64,
) -> Result<PoolRun, SimError> {
    run_pool(scenario, protection, Some(breaker), seed)
}

fn run_pool(
    scenario: &PoolScenario,
    protection: Protection,
    mut breaker: Option<CircuitBreaker>,
    seed: u64,
) -> Result<PoolRun, SimError> {
    if let Some(limit) = protection.timeout {
        positive_time("timeout", limit)?;
    }
    if let Some(room) = protection.bulkhead {
        within("bulkhead", room, 1, scenario.threads)?;
    }
    let mut arrivals = Rng::derive(seed, &[0]);
    let mut choices = Rng::derive(seed, &[1]);
    let mut latencies = Rng::derive(seed, &[2]);
    let mut scheduler = Scheduler::new();
    scheduler.schedule(Time::ZERO, PoolEvent::Arrival);
    let seconds = (scenario.duration.as_nanos() + secs(1).as_nanos() - 1) / secs(1).as_nanos();
    let mut per_second = vec![Counts::default(); seconds as usize];
    // Every request's response time, by the second it arrived in.
    let mut responses: Vec<Vec<Time>> = vec![Vec::new(); seconds as usize];
    let (mut busy, mut dependency_busy, mut most, mut rejected_while_healthy) = (0, 0, 0, 0);
    while let Some((now, event)) = scheduler.pop() {
        let second = (now.as_nanos() / secs(1).as_nanos()) as usize;
        match event {
            PoolEvent::Arrival => {
                let gap =
                    Time::from_nanos_f64(arrivals.exponential() * 1e9 / scenario.arrival_rate);
                if now + gap < scenario.duration {
                    scheduler.schedule(now + gap, PoolEvent::Arrival);
                }
                let uses_dependency = choices.chance(scenario.using_dependency);
                let counts = &mut per_second[second];
                let walled_off = uses_dependency
                    && protection
                        .bulkhead
                        .is_some_and(|room| dependency_busy >= room);
                if busy >= scenario.threads || walled_off {
                    if walled_off && busy < scenario.threads && now < scenario.slow_from {
                        rejected_while_healthy += 1;
                    }
                    if uses_dependency {
                        counts.dependency += 1;
                    } else {
                        counts.others += 1;
                    }
                    responses[second].push(Time::ZERO);
                    continue;
                }
                if uses_dependency && breaker.as_mut().is_some_and(|b| !b.allow(now)) {
                    counts.dependency += 1; // refused at once: a failure, but no thread held
                    responses[second].push(Time::ZERO);
                    continue;
                }
                busy += 1;
                let (hold, succeeded) = if uses_dependency {
                    dependency_busy += 1;
                    most = most.max(dependency_busy);
                    let answer = if now < scenario.slow_from {
                        scenario.normal.sample(&mut latencies)
                    } else {
                        scenario.slow.sample(&mut latencies)
                    };
                    match protection.timeout {
                        Some(limit) if answer > limit => (limit, false),
                        _ => (answer, true),
                    }
                } else {
                    (scenario.local.sample(&mut latencies), true)
                };
                let done = PoolEvent::Done {
                    uses_dependency,
                    succeeded,
                    started: now,
                };
                scheduler.schedule(now + hold, done);
            }
            PoolEvent::Done {
                uses_dependency,
                succeeded,
                started,
            } => {
                busy -= 1;
                let arrived_in = (started.as_nanos() / secs(1).as_nanos()) as usize;
                responses[arrived_in].push(now - started);
                let counts = &mut per_second[arrived_in];
                if uses_dependency {
                    if let Some(breaker) = breaker.as_mut() {
                        breaker.record(now, succeeded);
                    }
                    dependency_busy -= 1;
                    counts.dependency += 1;
                    counts.dependency_ok += u64::from(succeeded);
                } else {
                    counts.others += 1;
                    counts.others_ok += 1;
                }
            }
        }
    }
    let share = |ok: u64, all: u64| {
        if all == 0 {
            1.0
        } else {
            ok as f64 / all as f64
        }
    };
    let first_slow = (scenario.slow_from.as_nanos() / secs(1).as_nanos()).max(0) as usize;
    let after: Counts = per_second
        .iter()
        .skip(first_slow)
        .fold(Counts::default(), |sum, c| Counts {
            others: sum.others + c.others,
            others_ok: sum.others_ok + c.others_ok,
            dependency: sum.dependency + c.dependency,
            dependency_ok: sum.dependency_ok + c.dependency_ok,
        });
    let slow_seconds = per_second.len().saturating_sub(first_slow).max(1) as f64;
    let first_slow = first_slow.min(responses.len());
    let responses_before: Vec<Time> = responses[..first_slow].concat();
    let responses_after: Vec<Time> = responses[first_slow..].concat();
    let name = match breaker {
        Some(_) => format!("{protection} + breaker"),
        None => protection.to_string(),
    };
    Ok(PoolRun {
        protection: name,
        seconds: per_second
            .iter()
            .enumerate()
            .zip(&responses)
            .map(|((second, c), times)| PoolSecond {
                second: second as f64,
                others_success: share(c.others_ok, c.others),
                dependency_success: share(c.dependency_ok, c.dependency),
                p99_ms: p99_ms(times),
            })
            .collect(),
        others_success_after: share(after.others_ok, after.others),
        dependency_throughput_after: after.dependency_ok as f64 / slow_seconds,
        most_dependency_threads: most,
        rejected_while_healthy,
        p99_before_ms: p99_ms(&responses_before),
        p99_after_ms: p99_ms(&responses_after),
    })
}

/// The nearest-rank 99th percentile of `times` in milliseconds, 0 when there are none.
fn p99_ms(times: &[Time]) -> f64 {
    percentile(times, 99.0).map_or(0.0, Time::as_millis_f64)
}

/// Success rate over time of the requests that never touch the dependency, one line per run.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, Protection, pool_experiment, pool_figure};
/// use lessons::sim::secs;
///
/// let run = pool_experiment(&PoolScenario::new(20, 100.0, 0.5, secs(5))?, Protection::default(), 1)?;
/// assert!(pool_figure(&[run]).to_svg()?.contains("no protection"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pool_figure(runs: &[PoolRun]) -> Figure {
    let mut figure = Figure::new("Requests that do not use the slow dependency")
        .x_label("time (s)")
        .y_label("success rate");
    for run in runs {
        let points = run.seconds.iter().map(|s| (s.second, s.others_success));
        figure = figure.line(run.protection.clone(), points);
    }
    figure
}

/// The p99 response time over time of all the service's requests, one line per run, on a log
/// scale: the callers' side of [`pool_figure`]. Failures count at the time they took, as in
/// [`PoolSecond::p99_ms`]; a rejection takes no time in this model, so a second whose p99 is
/// under 1 ms (most requests turned away at once) is drawn at 1 ms, the bottom of the axis.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, Protection, pool_experiment, pool_p99_figure};
/// use lessons::sim::{Latency, ms, secs};
///
/// let scenario = PoolScenario::new(20, 100.0, 0.5, secs(5))?
///     .dependency(Latency::exponential(ms(10)), Latency::constant(secs(2)), secs(2))?;
/// let run = pool_experiment(&scenario, Protection::default(), 1)?;
/// assert_eq!(run.seconds[2].p99_ms, 2_000.0);
/// assert!(pool_p99_figure(&[run]).to_svg()?.contains("no protection"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pool_p99_figure(runs: &[PoolRun]) -> Figure {
    let mut figure = Figure::new("p99 response time of all requests, failures included")
        .x_label("time (s)")
        .y_label("p99 response time (ms)")
        .log_y();
    for run in runs {
        let points = run.seconds.iter().map(|s| (s.second, s.p99_ms.max(1.0)));
        figure = figure.line(run.protection.clone(), points);
    }
    figure
}

/// One partition size of [`bulkhead_sweep`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, bulkhead_sweep};
/// use lessons::sim::secs;
///
/// let rows = bulkhead_sweep(&PoolScenario::new(20, 100.0, 0.5, secs(5))?, None, &[5, 20], 1)?;
/// assert_eq!(rows[1].bulkhead, 20);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkheadRow {
    /// Threads the dependency's calls may hold at once.
    pub bulkhead: usize,
    /// Success rate of the other requests after the slowdown.
    pub others_success_after: f64,
    /// Dependency requests that succeeded per second after the slowdown.
    pub dependency_throughput_after: f64,
    /// Dependency requests turned away before the slowdown while threads sat idle.
    pub rejected_while_healthy: u64,
}

/// [`pool_experiment`] with each bulkhead size in `sizes` (and the given timeout), same seed.
///
/// # Errors
///
/// The errors of [`pool_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, bulkhead_sweep};
/// use lessons::sim::{Latency, ms, secs};
///
/// let scenario = PoolScenario::new(200, 400.0, 0.5, secs(20))?
///     .dependency(Latency::exponential(ms(10)), Latency::constant(secs(8)), secs(5))?;
/// let rows = bulkhead_sweep(&scenario, None, &[50, 200], 1)?;
/// assert!(rows[0].others_success_after > rows[1].others_success_after);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn bulkhead_sweep(
    scenario: &PoolScenario,
    timeout: Option<Time>,
    sizes: &[usize],
    seed: u64,
) -> Result<Vec<BulkheadRow>, SimError> {
    sizes
        .iter()
        .map(|&size| {
            let protection = Protection {
                timeout,
                bulkhead: Some(size),
            };
            let run = pool_experiment(scenario, protection, seed)?;
            Ok(BulkheadRow {
                bulkhead: size,
                others_success_after: run.others_success_after,
                dependency_throughput_after: run.dependency_throughput_after,
                rejected_while_healthy: run.rejected_while_healthy,
            })
        })
        .collect()
}

/// The two sides of a bulkhead's size against the partition size: the other requests' success
/// rate after the slowdown, and the dependency requests turned away before it while threads sat
/// idle (as a share of the largest such count).
///
/// # Examples
///
/// ```
/// use lessons::resilience::{PoolScenario, bulkhead_figure, bulkhead_sweep};
/// use lessons::sim::secs;
///
/// let rows = bulkhead_sweep(&PoolScenario::new(20, 100.0, 0.5, secs(5))?, None, &[5, 20], 1)?;
/// assert!(bulkhead_figure(&rows).to_svg()?.contains("turned away"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bulkhead_figure(rows: &[BulkheadRow]) -> Figure {
    let most = rows
        .iter()
        .map(|r| r.rejected_while_healthy)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    Figure::new("Bulkhead size: protection against idle capacity")
        .x_label("threads reserved for the slow dependency's calls")
        .y_label("share")
        .line(
            "other requests: success rate",
            rows.iter()
                .map(|r| (r.bulkhead as f64, r.others_success_after)),
        )
        .line(
            "healthy dependency calls turned away (share of the most)",
            rows.iter()
                .map(|r| (r.bulkhead as f64, r.rejected_while_healthy as f64 / most)),
        )
}
