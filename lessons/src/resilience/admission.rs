//! What a server does with work it cannot take yet: keep it (an unbounded line), turn it away
//! (a bounded line that rejects), make the producer wait (backpressure), or turn away the
//! low-priority part first (priority shedding). One server, one line, virtual time.

use std::collections::VecDeque;

use serde::Serialize;

use super::checks::{positive, positive_time, probability, within};
use crate::sim::{Latency, Rng, Scheduler, SimError, Time, percentile, secs};
use crate::viz::Figure;

/// The longest line an [`Admission`] policy may set.
pub const MAX_LINE: usize = 100_000;

/// What happens to a request that finds the line in front of the server full.
///
/// # Examples
///
/// ```
/// use lessons::resilience::Admission;
///
/// assert_eq!(Admission::ShedLowPriority(20).to_string(), "shed low priority, line of 20");
/// assert_eq!(Admission::Block(20).to_string(), "block the producer, line of 20");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// No bound: every request waits its turn, however long the line.
    Unbounded,
    /// At most this many wait; a request that finds them all there is rejected at once (a 429
    /// or 503).
    Reject(usize),
    /// At most this many wait; a producer that finds the line full holds its request and makes
    /// no new one until a place frees up (a full TCP window, a reactive-streams `request(n)`,
    /// a consumer that pulls at its own pace).
    Block(usize),
    /// At most this many wait, high-priority requests are served first, and a high-priority
    /// request that finds the line full takes the place of the newest low-priority one (which
    /// is shed); a low-priority request that finds it full is rejected.
    ShedLowPriority(usize),
}

impl Admission {
    fn line(self) -> Option<usize> {
        match self {
            Admission::Unbounded => None,
            Admission::Reject(room) | Admission::Block(room) | Admission::ShedLowPriority(room) => {
                Some(room)
            }
        }
    }
}

impl std::fmt::Display for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Admission::Unbounded => f.write_str("unbounded line"),
            Admission::Reject(room) => write!(f, "reject, line of {room}"),
            Admission::Block(room) => write!(f, "block the producer, line of {room}"),
            Admission::ShedLowPriority(room) => write!(f, "shed low priority, line of {room}"),
        }
    }
}

/// The traffic of [`admission_experiment`]: one server with exponential service of mean
/// `mean_service`; a producer offering `offered_load` times the server's capacity as a Poisson
/// stream, a share `high_share` of it high priority; clients that count a reply later than
/// `deadline` after admission as a failure; arrivals for `duration`.
///
/// # Examples
///
/// ```
/// use lessons::resilience::OverloadScenario;
/// use lessons::sim::{ms, secs};
///
/// assert!(OverloadScenario::new(1.5, 0.3, ms(10), ms(200), secs(60)).is_ok());
/// assert!(OverloadScenario::new(1.5, 1.3, ms(10), ms(200), secs(60)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverloadScenario {
    offered_load: f64,
    high_share: f64,
    mean_service: Time,
    deadline: Time,
    duration: Time,
}

impl OverloadScenario {
    /// A scenario.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless the offered load is a positive number, the high share a
    /// probability, and the service time, deadline and duration are positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::OverloadScenario;
    /// use lessons::sim::{ms, secs};
    ///
    /// assert!(OverloadScenario::new(0.0, 0.3, ms(10), ms(200), secs(60)).is_err());
    /// ```
    pub fn new(
        offered_load: f64,
        high_share: f64,
        mean_service: Time,
        deadline: Time,
        duration: Time,
    ) -> Result<OverloadScenario, SimError> {
        Ok(OverloadScenario {
            offered_load: positive("offered load", offered_load)?,
            high_share: probability("high share", high_share)?,
            mean_service: positive_time("mean service", mean_service)?,
            deadline: positive_time("deadline", deadline)?,
            duration: positive_time("duration", duration)?,
        })
    }
}

/// One second of an [`AdmissionRun`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Admission, OverloadScenario, admission_experiment};
/// use lessons::sim::{ms, secs};
///
/// let scenario = OverloadScenario::new(0.5, 0.3, ms(10), ms(200), secs(5))?;
/// let runs = admission_experiment(&scenario, &[Admission::Reject(10)], 1)?;
/// assert_eq!(runs[0].seconds.len(), 5);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdmissionSecond {
    /// The second's start, seconds.
    pub second: f64,
    /// The longest the line got during the second.
    pub longest_line: usize,
    /// 99th percentile response time of the requests admitted during the second, from admission
    /// to reply, milliseconds (`None` if none was admitted).
    pub p99_ms: Option<f64>,
}

/// One policy's run of [`admission_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Admission, OverloadScenario, admission_experiment};
/// use lessons::sim::{ms, secs};
///
/// let scenario = OverloadScenario::new(1.5, 0.3, ms(10), ms(200), secs(20))?;
/// let runs = admission_experiment(&scenario, &[Admission::Reject(10)], 1)?;
/// assert!(runs[0].longest_line <= 10 && runs[0].rejected > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdmissionRun {
    /// The policy's name.
    pub policy: String,
    /// Per second of the arrival period.
    pub seconds: Vec<AdmissionSecond>,
    /// Requests the producer made (fewer than offered when it was blocked).
    pub produced: u64,
    /// Requests turned away: rejected at the door or shed from the line.
    pub rejected: u64,
    /// Requests made per second as a share of the rate offered (below 1 only when blocked).
    pub producer_rate_share: f64,
    /// Requests answered within the deadline per second, as a share of the server's capacity.
    pub goodput_share: f64,
    /// 99th percentile response time of admitted requests, milliseconds.
    pub p99_ms: f64,
    /// Share of high-priority requests answered within the deadline.
    pub high_success: f64,
    /// Share of low-priority requests answered within the deadline.
    pub low_success: f64,
    /// The longest the line ever got.
    pub longest_line: usize,
}

enum Event {
    Arrival,
    Departure { admitted: Time, high: bool },
}

#[derive(Clone, Copy)]
struct Waiting {
    admitted: Time,
    high: bool,
}

#[derive(Default)]
struct Tally {
    produced: [u64; 2],
    on_time: [u64; 2],
    rejected: u64,
    longest_line: usize,
    responses: Vec<f64>,
}

/// Runs the scenario once per policy. Arrivals, classes and service times come from separate
/// streams of `seed`, so every policy sees the same offered traffic (a blocked producer makes
/// its next request later, so it sees fewer of them).
///
/// # Errors
///
/// [`SimError::Parameter`] for a line longer than [`MAX_LINE`], or when no request arrives
/// in the run.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Admission, OverloadScenario, admission_experiment};
/// use lessons::sim::{ms, secs};
///
/// let scenario = OverloadScenario::new(1.5, 0.3, ms(10), ms(200), secs(60))?;
/// let policies = [Admission::Unbounded, Admission::ShedLowPriority(10)];
/// let runs = admission_experiment(&scenario, &policies, 1)?;
/// assert!(runs[0].high_success < 0.1 && runs[1].high_success > 0.99);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn admission_experiment(
    scenario: &OverloadScenario,
    policies: &[Admission],
    seed: u64,
) -> Result<Vec<AdmissionRun>, SimError> {
    policies
        .iter()
        .map(|&policy| run_policy(scenario, policy, seed))
        .collect()
}

fn run_policy(
    scenario: &OverloadScenario,
    policy: Admission,
    seed: u64,
) -> Result<AdmissionRun, SimError> {
    if let Some(room) = policy.line() {
        within("line", room, 0, MAX_LINE)?;
    }
    let capacity = 1.0 / scenario.mean_service.as_secs_f64();
    let rate = scenario.offered_load * capacity;
    let service = Latency::exponential(scenario.mean_service);
    let (mut arrivals, mut classes, mut services) = (
        Rng::derive(seed, &[0]),
        Rng::derive(seed, &[1]),
        Rng::derive(seed, &[2]),
    );
    let gap = |rng: &mut Rng| Time::from_nanos_f64(rng.exponential() * 1e9 / rate);
    let second_of = |at: Time| (at.as_nanos() / secs(1).as_nanos()) as usize;
    let seconds = second_of(scenario.duration - Time::from_nanos(1)) + 1;
    let mut per_second: Vec<(usize, Vec<f64>)> = vec![(0, Vec::new()); seconds];

    let mut scheduler = Scheduler::new();
    scheduler.schedule(gap(&mut arrivals), Event::Arrival);
    let mut line: VecDeque<Waiting> = VecDeque::new();
    let mut busy = false;
    let mut held: Option<Waiting> = None; // the blocked producer's request
    let mut tally = Tally::default();
    while let Some((now, event)) = scheduler.pop() {
        match event {
            Event::Arrival => {
                let high = classes.chance(scenario.high_share);
                tally.produced[usize::from(high)] += 1;
                let request = Waiting {
                    admitted: now,
                    high,
                };
                let full = policy.line().is_some_and(|room| line.len() >= room);
                if !busy {
                    busy = true;
                    scheduler.schedule(now + service.sample(&mut services), request.departure());
                } else if !full {
                    line.push_back(request);
                } else {
                    match policy {
                        Admission::Block(_) => held = Some(request),
                        Admission::ShedLowPriority(_) if high => {
                            // One request is turned away either way: the newest low-priority
                            // one if there is one, else this one.
                            if let Some(newest_low) = line.iter().rposition(|w| !w.high) {
                                line.remove(newest_low);
                                line.push_back(request);
                            }
                            tally.rejected += 1;
                        }
                        _ => tally.rejected += 1,
                    }
                }
                if held.is_none() {
                    schedule_next(&mut scheduler, now + gap(&mut arrivals), scenario.duration);
                }
            }
            Event::Departure { admitted, high } => {
                let response = now - admitted;
                tally.responses.push(response.as_millis_f64());
                per_second[second_of(admitted).min(seconds - 1)]
                    .1
                    .push(response.as_millis_f64());
                if response <= scenario.deadline {
                    tally.on_time[usize::from(high)] += 1;
                }
                if let Some(request) = held.take() {
                    // Room again: the producer hands its request over and goes back to work.
                    line.push_back(Waiting {
                        admitted: now,
                        ..request
                    });
                    schedule_next(&mut scheduler, now + gap(&mut arrivals), scenario.duration);
                }
                let next = if matches!(policy, Admission::ShedLowPriority(_)) {
                    match line.iter().position(|waiting| waiting.high) {
                        Some(first_high) => line.remove(first_high),
                        None => line.pop_front(),
                    }
                } else {
                    line.pop_front()
                };
                match next {
                    Some(waiting) => {
                        scheduler.schedule(now + service.sample(&mut services), waiting.departure())
                    }
                    None => busy = false,
                }
            }
        }
        tally.longest_line = tally.longest_line.max(line.len());
        if now < scenario.duration {
            let slot = &mut per_second[second_of(now)].0;
            *slot = (*slot).max(line.len());
        }
    }
    finish(policy, scenario, capacity, tally, per_second)
}

impl Waiting {
    fn departure(self) -> Event {
        Event::Departure {
            admitted: self.admitted,
            high: self.high,
        }
    }
}

fn schedule_next(scheduler: &mut Scheduler<Event>, at: Time, duration: Time) {
    if at < duration {
        scheduler.schedule(at, Event::Arrival);
    }
}

fn finish(
    policy: Admission,
    scenario: &OverloadScenario,
    capacity: f64,
    tally: Tally,
    per_second: Vec<(usize, Vec<f64>)>,
) -> Result<AdmissionRun, SimError> {
    let run_secs = scenario.duration.as_secs_f64();
    let produced = tally.produced[0] + tally.produced[1];
    let share = |ok: u64, all: u64| {
        if all == 0 {
            1.0
        } else {
            ok as f64 / all as f64
        }
    };
    let seconds = per_second
        .iter()
        .enumerate()
        .map(|(second, (longest_line, responses))| AdmissionSecond {
            second: second as f64,
            longest_line: *longest_line,
            p99_ms: percentile(responses, 99.0).ok(),
        })
        .collect();
    Ok(AdmissionRun {
        policy: policy.to_string(),
        seconds,
        produced,
        rejected: tally.rejected,
        producer_rate_share: produced as f64 / (scenario.offered_load * capacity * run_secs),
        goodput_share: (tally.on_time[0] + tally.on_time[1]) as f64 / run_secs / capacity,
        p99_ms: percentile(&tally.responses, 99.0)?,
        high_success: share(tally.on_time[1], tally.produced[1]),
        low_success: share(tally.on_time[0], tally.produced[0]),
        longest_line: tally.longest_line,
    })
}

/// The longest line in each second, one line per policy.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Admission, OverloadScenario, admission_experiment, line_figure};
/// use lessons::sim::{ms, secs};
///
/// let scenario = OverloadScenario::new(1.2, 0.3, ms(10), ms(200), secs(5))?;
/// let runs = admission_experiment(&scenario, &[Admission::Block(10)], 1)?;
/// assert!(line_figure(&runs).to_svg()?.contains("block the producer"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn line_figure(runs: &[AdmissionRun]) -> Figure {
    let mut figure = Figure::new("Requests waiting, per admission policy")
        .x_label("time (s)")
        .y_label("longest line in the second (log)")
        .log_y();
    for run in runs {
        let points = run
            .seconds
            .iter()
            .map(|s| (s.second, (s.longest_line as f64).max(1.0)));
        figure = figure.step(run.policy.clone(), points);
    }
    figure
}

/// The 99th percentile response time of the requests admitted in each second, one line per
/// policy.
///
/// # Examples
///
/// ```
/// use lessons::resilience::{Admission, OverloadScenario, admission_experiment, admitted_p99_figure};
/// use lessons::sim::{ms, secs};
///
/// let scenario = OverloadScenario::new(1.2, 0.3, ms(10), ms(200), secs(5))?;
/// let runs = admission_experiment(&scenario, &[Admission::Unbounded], 1)?;
/// assert!(admitted_p99_figure(&runs).to_svg()?.contains("unbounded line"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn admitted_p99_figure(runs: &[AdmissionRun]) -> Figure {
    let mut figure = Figure::new("Latency of admitted work, per admission policy")
        .x_label("time admitted (s)")
        .y_label("p99 response time (ms, log)")
        .log_y();
    for run in runs {
        let points = run
            .seconds
            .iter()
            .filter_map(|s| s.p99_ms.map(|p99| (s.second, p99)));
        figure = figure.line(run.policy.clone(), points);
    }
    figure
}
