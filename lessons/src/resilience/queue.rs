//! A queue in front of `c` servers, simulated on virtual time: Poisson arrivals, seeded service
//! times, first come first served, an optional bound on the waiting line and an optional
//! deadline after which a reply is useless to the client.

use std::collections::VecDeque;

use serde::Serialize;

use super::checks::{positive, positive_time, within};
use crate::sim::{Latency, Rng, Scheduler, SimError, Time, percentile};

/// The most servers a [`QueueModel`] may have.
pub const MAX_SERVERS: usize = 1_000;

/// A queueing system: requests arrive as a Poisson process at `arrival_rate` per second, wait
/// in one first-come-first-served line, and are served by `servers` identical servers whose
/// service times are drawn from `service`. With `Latency::exponential` service this is the
/// textbook M/M/c queue; any other [`Latency`] gives M/G/c.
///
/// Two optional limits turn it into the overload experiment: a bounded line
/// ([`QueueModel::queue_capacity`], arrivals that find it full are rejected at once) and a
/// client deadline ([`QueueModel::deadline`], a reply later than that counts as a failure,
/// though the server did the work anyway).
///
/// # Examples
///
/// ```
/// use lessons::resilience::QueueModel;
/// use lessons::sim::{Latency, ms, secs};
///
/// let model = QueueModel::new(50.0, Latency::exponential(ms(10)), 1)?; // utilization 0.5
/// let run = model.run(secs(200), 7)?;
/// assert!((run.mean_response_ms - 20.0).abs() < 2.0); // 10 ms / (1 - 0.5)
/// assert!(QueueModel::new(-1.0, Latency::exponential(ms(10)), 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QueueModel {
    arrival_rate: f64,
    service: Latency,
    servers: usize,
    queue_capacity: Option<usize>,
    deadline: Option<Time>,
}

/// What one run of a [`QueueModel`] measured. Arrivals stop at the end of the run's duration;
/// the requests already admitted are then served to the end (a closed run), so every admitted
/// request has a response time.
///
/// # Examples
///
/// ```
/// use lessons::resilience::QueueModel;
/// use lessons::sim::{Latency, ms, secs};
///
/// let run = QueueModel::new(80.0, Latency::exponential(ms(10)), 1)?.run(secs(20), 1)?;
/// assert_eq!(run.arrivals, run.admitted + run.rejected);
/// assert_eq!(run.customer_nanos, run.response_nanos); // Little's law, exactly
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueRun {
    /// Requests that arrived.
    pub arrivals: u64,
    /// Requests let into the system (all of them without a queue bound).
    pub admitted: u64,
    /// Requests turned away because the line was full.
    pub rejected: u64,
    /// Admitted requests answered within the deadline (all of them without a deadline).
    pub on_time: u64,
    /// From the first instant to the last departure, seconds.
    pub closed_after_secs: f64,
    /// Mean response time (waiting plus service) of admitted requests, milliseconds.
    pub mean_response_ms: f64,
    /// 99th percentile of the response time, milliseconds.
    pub p99_response_ms: f64,
    /// Time-averaged number of requests in the system over the closed run (Little's L).
    pub mean_in_system: f64,
    /// Admitted requests per second over the closed run (Little's lambda).
    pub throughput: f64,
    /// The area under "requests in the system" over time, in request-nanoseconds.
    pub customer_nanos: i128,
    /// The sum of all response times, in nanoseconds: equal to `customer_nanos` on every run.
    pub response_nanos: i128,
    /// The longest the waiting line ever got (not counting requests in service).
    pub longest_queue: usize,
    /// Requests waiting in line when the last request arrived (just before it joined).
    pub queue_when_arrivals_stop: usize,
    /// Requests answered on time per second of the arrival period (goodput).
    pub goodput: f64,
}

enum Event {
    Arrival,
    Departure { arrived: Time },
}

impl QueueModel {
    /// A queue with an unbounded line and no deadline.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `arrival_rate` is positive and finite and `servers` is
    /// between 1 and [`MAX_SERVERS`]; the error from [`Latency::validate`] for a bad service
    /// distribution.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::QueueModel;
    /// use lessons::sim::{Latency, ms};
    ///
    /// let model = QueueModel::new(300.0, Latency::exponential(ms(10)), 4)?;
    /// assert_eq!(model.servers(), 4);
    /// assert!(QueueModel::new(300.0, Latency::exponential(ms(10)), 0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(arrival_rate: f64, service: Latency, servers: usize) -> Result<Self, SimError> {
        positive("arrival rate", arrival_rate)?;
        within("servers", servers, 1, MAX_SERVERS)?;
        service.validate()?;
        Ok(QueueModel {
            arrival_rate,
            service,
            servers,
            queue_capacity: None,
            deadline: None,
        })
    }

    /// The same queue, with room for at most `capacity` waiting requests (0: no waiting, a
    /// request is served at once or rejected).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::QueueModel;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let bounded = QueueModel::new(200.0, Latency::exponential(ms(10)), 1)?.queue_capacity(5);
    /// let run = bounded.run(secs(10), 3)?;
    /// assert!(run.longest_queue <= 5 && run.rejected > 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = Some(capacity);
        self
    }

    /// The same queue, with clients that give up on a reply after `deadline`: a later reply
    /// still costs the server its work but does not count as goodput.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `deadline` is positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::QueueModel;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let model = QueueModel::new(50.0, Latency::exponential(ms(10)), 1)?.deadline(ms(1))?;
    /// let run = model.run(secs(10), 3)?;
    /// assert!(run.on_time < run.admitted / 10);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn deadline(mut self, deadline: Time) -> Result<Self, SimError> {
        self.deadline = Some(positive_time("deadline", deadline)?);
        Ok(self)
    }

    /// The number of servers.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::QueueModel;
    /// use lessons::sim::{Latency, ms};
    ///
    /// assert_eq!(QueueModel::new(1.0, Latency::exponential(ms(10)), 2)?.servers(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn servers(&self) -> usize {
        self.servers
    }

    /// Runs the queue: arrivals for `duration`, then the admitted requests are served to the
    /// end. Arrivals and service times come from separate streams of `seed`, so changing the
    /// number of servers does not change who arrives when.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] unless `duration` is positive and at least one request arrives
    /// in it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::resilience::QueueModel;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let model = QueueModel::new(100.0, Latency::exponential(ms(5)), 1)?;
    /// assert_eq!(model.run(secs(5), 9)?, model.run(secs(5), 9)?);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run(&self, duration: Time, seed: u64) -> Result<QueueRun, SimError> {
        positive_time("duration", duration)?;
        let mut arrivals_rng = Rng::derive(seed, &[0]);
        let mut service_rng = Rng::derive(seed, &[1]);
        let mut scheduler = Scheduler::new();
        scheduler.schedule(self.next_gap(&mut arrivals_rng), Event::Arrival);

        let mut line: VecDeque<Time> = VecDeque::new();
        let mut busy = 0;
        let mut in_system: i128 = 0;
        let mut last_change = Time::ZERO;
        let mut run = Tally::default();
        while let Some((now, event)) = scheduler.pop() {
            run.customer_nanos += in_system * i128::from((now - last_change).as_nanos());
            last_change = now;
            match event {
                Event::Arrival => {
                    run.arrivals += 1;
                    let next = now + self.next_gap(&mut arrivals_rng);
                    if next < duration {
                        scheduler.schedule(next, Event::Arrival);
                    } else {
                        run.queue_when_arrivals_stop = line.len();
                    }
                    if busy < self.servers {
                        busy += 1;
                        in_system += 1;
                        let done = now + self.service.sample(&mut service_rng);
                        scheduler.schedule(done, Event::Departure { arrived: now });
                    } else if self.queue_capacity.is_none_or(|room| line.len() < room) {
                        in_system += 1;
                        line.push_back(now);
                        run.longest_queue = run.longest_queue.max(line.len());
                    } else {
                        run.rejected += 1;
                    }
                }
                Event::Departure { arrived } => {
                    in_system -= 1;
                    let response = now - arrived;
                    run.responses.push(response.as_millis_f64());
                    run.response_nanos += i128::from(response.as_nanos());
                    if self.deadline.is_none_or(|limit| response <= limit) {
                        run.on_time += 1;
                    }
                    match line.pop_front() {
                        Some(waiting) => {
                            let done = now + self.service.sample(&mut service_rng);
                            scheduler.schedule(done, Event::Departure { arrived: waiting });
                        }
                        None => busy -= 1,
                    }
                }
            }
        }
        run.finish(last_change, duration)
    }

    fn next_gap(&self, rng: &mut Rng) -> Time {
        Time::from_nanos_f64(rng.exponential() * 1e9 / self.arrival_rate)
    }
}

#[derive(Default)]
struct Tally {
    arrivals: u64,
    rejected: u64,
    on_time: u64,
    responses: Vec<f64>,
    customer_nanos: i128,
    response_nanos: i128,
    longest_queue: usize,
    queue_when_arrivals_stop: usize,
}

impl Tally {
    fn finish(self, closed_at: Time, duration: Time) -> Result<QueueRun, SimError> {
        if self.responses.is_empty() || closed_at <= Time::ZERO {
            return Err(SimError::parameter(
                "duration",
                duration,
                "long enough for at least one request to arrive",
            ));
        }
        let admitted = self.responses.len() as u64;
        let closed = closed_at.as_secs_f64();
        let mean_response_ms = self.responses.iter().sum::<f64>() / admitted as f64;
        Ok(QueueRun {
            arrivals: self.arrivals,
            admitted,
            rejected: self.rejected,
            on_time: self.on_time,
            closed_after_secs: closed,
            mean_response_ms,
            p99_response_ms: percentile(&self.responses, 99.0)?,
            mean_in_system: self.customer_nanos as f64 / closed_at.as_nanos() as f64,
            throughput: admitted as f64 / closed,
            customer_nanos: self.customer_nanos,
            response_nanos: self.response_nanos,
            longest_queue: self.longest_queue,
            queue_when_arrivals_stop: self.queue_when_arrivals_stop,
            goodput: self.on_time as f64 / duration.as_secs_f64(),
        })
    }
}
