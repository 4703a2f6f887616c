//! Overload and resilience: why latency explodes near full utilization, how queues, retries
//! and breakers turn a slow dependency into an outage or keep it contained, and what an
//! availability target allows.
//!
//! # Queues
//!
//! A server that is busy a fraction rho of the time makes arrivals wait. For Poisson arrivals
//! and exponential service (the M/M/1 queue) the mean response time is `S / (1 - rho)`: twice
//! the service time at rho = 0.5, ten times at 0.9, a hundred times at 0.99; with c servers
//! Erlang's C formula gives the chance of waiting ([`erlang_c`], [`mmc_mean_response_ms`]).
//! [`QueueModel`] simulates the queue on the [`sim`](crate::sim) scheduler's virtual time and
//! [`utilization_sweep`] sets the two side by side ([`hockey_stick_figure`]).
//!
//! Little's law, L = lambda W, holds for any queue in steady state whatever the distributions:
//! the average number in the system equals the throughput times the average time in it. Over
//! a closed run (everyone who came in has left) it holds exactly, because both sides are the
//! same area, the integral of "requests in the system" over time, counted once per instant
//! and once per request ([`QueueRun::customer_nanos`], [`QueueRun::response_nanos`]).
//!
//! What the formulas do not promise: they describe steady state, which does not exist at
//! rho >= 1 (the line grows without bound), and they assume independent arrivals; bursts and
//! heavy-tailed service make the tail worse than the M/M/c curve.
//!
//! # Overload
//!
//! A client gives up after its deadline but the server still does the work. An unbounded line
//! in front of an overloaded server then serves only requests nobody waits for any more:
//! goodput collapses. A bounded line rejects the excess at the door and keeps serving the rest
//! on time ([`goodput_sweep`], [`goodput_figure`]).
//!
//! A full line has four answers ([`Admission`], [`admission_experiment`]): keep everything,
//! reject at the door, make the producer wait (backpressure: it makes no new request until
//! the last got in, so the wait moves upstream) or shed by priority (high-priority requests
//! are served first and push the newest low-priority one out of a full line). Shedding keeps
//! the high class on time as if the low-priority flood were not there, but only while the high
//! class alone fits in the server; nothing protects it from itself.
//!
//! # Retries
//!
//! A retry is more load at the moment the server has the least room for it. Retries scheduled
//! by exponential backoff without jitter arrive together ([`retry_storm`]); full, equal and
//! decorrelated jitter ([`Jitter`], [`Backoff`]) spread them. Retries at several layers
//! multiply: `tries^layers` calls reach a failing bottom ([`amplification`]); a retry budget
//! per layer bounds that to `(1 + budget)^layers` ([`amplification_experiment`]).
//!
//! # Circuit breakers
//!
//! A [`CircuitBreaker`] stops calling a dependency that keeps failing and probes it after a
//! while. Its threshold is a statistical test: with a baseline error rate p, a window of n
//! calls holds k or more failures with the binomial tail probability
//! ([`false_trip_probability`]), which is the chance a healthy dependency trips it. Small
//! windows cannot tell a baseline-relative threshold from noise ([`false_trip_experiment`],
//! [`false_trip_figure`]). After an outage, the open duration and the probe count decide how
//! long clients keep getting errors from a recovered dependency ([`recovery_experiment`]).
//!
//! # Balancing load
//!
//! Round robin sends every server the same share whatever its speed, so one slow server
//! collects a queue; policies that look at requests in flight (least connections, the power of
//! two choices) send it less ([`Balancer`], [`balancing_experiment`]). Two random choices
//! instead of one shrink the fullest of n bins from about ln n / ln ln n to ln ln n / ln 2
//! ([`balls_into_bins`]).
//!
//! A server that has just started is slow until it warms up. Round robin gives it its full
//! share at once; a slow start ramps its weight over a window, which helps only if the window
//! outlasts the warm-up ([`cold_start_experiment`]). Least response time avoids a slow server
//! but, fed only by responses, never notices that it recovered. IP hash keeps each client
//! address on one server, so the address of a large NAT overloads its server
//! ([`nat_experiment`]).
//!
//! # A slow dependency and a thread pool
//!
//! A request that waits for a dependency holds a worker thread while it waits. When the
//! dependency turns slow, its calls take the whole pool and requests that never touch it are
//! rejected; the pool caps the dependency's throughput at `threads / latency` (Little's law with
//! L fixed). A timeout helps only while `arrival rate x timeout` stays below the pool size; a
//! bulkhead reserves the rest of the pool whatever the dependency does, at the price of turning
//! healthy calls away when it is too small ([`pool_experiment`], [`bulkhead_sweep`]). A
//! circuit breaker behind the timeout turns the timeouts into refusals that hold no thread
//! ([`guarded_pool_experiment`]); without a timeout it sees no failures at all. The callers
//! feel it as latency: with no protection (or a bulkhead alone) the p99 of all responses
//! reaches the dependency's slow latency in the seconds when slow calls get threads, a timeout
//! caps it at the timeout, and a rejection, which takes no time, pulls it down: a latency chart
//! read without the success rate beside it makes a dead service look fast ([`pool_p99_figure`]).
//!
//! # Availability
//!
//! Independent dependencies in series multiply their availabilities, redundant copies fail
//! only together ([`serial_availability`], [`parallel_availability`],
//! [`availability_experiment`]); 99.99% leaves 52.6 minutes a year
//! ([`downtime_minutes_per_year`]).
//!
//! An SLO over a window is a budget of failures: 99.9% over 30 days is 43.2 minutes of total
//! failure. [`error_budget`] spends it on a list of incidents and evaluates the multiwindow,
//! multi-burn-rate alerts of the SRE workbook on it ([`BURN_RATE_RULES`]).
//!
//! # References
//!
//! * John D. C. Little, "A Proof for the Queuing Formula: L = lambda W", Operations Research
//!   9(3), 1961.
//! * Leonard Kleinrock, "Queueing Systems, Volume 1: Theory", Wiley 1975, chapter 3 (M/M/1
//!   and M/M/c, Erlang's C formula).
//! * Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015: full, equal
//!   and decorrelated jitter.
//! * Michael T. Nygard, "Release It!", Pragmatic Bookshelf, 2nd ed. 2018, chapter 5
//!   (circuit breaker, bulkheads, timeouts, load shedding).
//! * Yossi Azar, Andrei Broder, Anna Karlin and Eli Upfal, "Balanced Allocations", STOC 1994;
//!   Michael Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS
//!   12(10), 2001.
//! * Betsy Beyer et al., "Site Reliability Engineering", O'Reilly 2016, chapter 3 (error
//!   budgets) and chapter 22 ("Addressing Cascading Failures").
//! * Betsy Beyer et al., "The Site Reliability Workbook", O'Reilly 2018, chapter 5
//!   ("Alerting on SLOs": burn rates, multiwindow multi-burn-rate alerts).
//!
//! # Examples
//!
//! ```
//! use lessons::resilience::*;
//! use lessons::sim::ms;
//!
//! assert!((mmc_mean_response_ms(90.0, ms(10), 1)? - 100.0).abs() < 1e-9); // 10x at rho = 0.9
//! assert_eq!(amplification(3, 3)?, 27);
//! assert_eq!(format!("{:.3}", false_trip_probability(20, 2, 0.02)?), "0.060");
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod admission;
mod amplification;
mod availability;
mod backoff;
mod balancing;
mod breaker;
mod budget;
mod checks;
mod false_trips;
mod pool;
mod queue;
mod recovery;
mod shedding;
mod storm;
mod tables;
mod theory;
mod utilization;

pub use admission::{
    Admission, AdmissionRun, AdmissionSecond, MAX_LINE, OverloadScenario, admission_experiment,
    admitted_p99_figure, line_figure,
};
pub use amplification::{
    AmplificationRow, amplification, amplification_experiment, amplification_figure,
};
pub use availability::{
    AvailabilityRow, MINUTES_PER_YEAR, availability_experiment, availability_figure,
    downtime_minutes_per_year, parallel_availability, serial_availability,
};
pub use backoff::{Backoff, Jitter};
pub use balancing::{
    Balancer, BalancingRow, BallsRow, Policy, RESPONSE_AVERAGE_WEIGHT, balancing_experiment,
    balancing_figure, balls_figure, balls_into_bins, cold_start_experiment, nat_experiment,
    response_bars,
};
pub use breaker::{BreakerState, CircuitBreaker, MAX_WINDOW, Transition};
pub use budget::{
    Alert, BURN_RATE_RULES, BudgetHour, BudgetRun, BurnRateRule, Incident, budget_figure,
    error_budget,
};
pub use false_trips::{
    FalseTripRow, false_trip_experiment, false_trip_figure, false_trip_probability,
};
pub use pool::{
    BulkheadRow, PoolRun, PoolScenario, PoolSecond, Protection, bulkhead_figure, bulkhead_sweep,
    guarded_pool_experiment, pool_experiment, pool_figure, pool_p99_figure,
};
pub use queue::{MAX_SERVERS, QueueModel, QueueRun};
pub use recovery::{Outage, RecoveryRow, recovery_experiment, recovery_figure};
pub use shedding::{GoodputRow, goodput_figure, goodput_sweep};
pub use storm::{BucketLoad, Storm, StormRun, retry_storm, storm_figure};
pub use tables::{
    admission_table, availability_table, goodput_table, policy_table, recovery_table,
    utilization_table,
};
pub use theory::{erlang_c, mmc_mean_response_ms, utilization};
pub use utilization::{UtilizationRow, hockey_stick_figure, utilization_sweep};
