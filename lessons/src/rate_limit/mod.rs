//! Rate limiting on virtual time: the token bucket and its relatives.
//!
//! A rate limiter answers one question per request: may it go ahead now? Every limiter here is
//! a small state machine that is handed the request's arrival time and never reads a clock, so
//! the same trace of arrivals gives the same decisions on every run, and a test can replay a
//! million requests in milliseconds.
//!
//! # The algorithms
//!
//! * [`TokenBucket`]: a bucket of at most `B` tokens refilled at rate `R`; a request takes a
//!   token or is refused. It allows a burst of `B`, then holds the long-run rate at `R`. Its
//!   guarantee is an *envelope*: in every interval of length `t` it admits at most `B + R*t`.
//!   The level is an exact integer (see the type's docs): 100 ms at 5 tokens per second adds
//!   exactly half a token.
//! * [`LeakyBucket`]: a bounded FIFO drained at a fixed pace. As a *shaper* its output is
//!   perfectly even, paid for in queueing delay. (The leaky bucket as a *meter* is the token
//!   bucket again, and so is the GCRA of ATM networks and the `governor` crate: three names for
//!   one policer.)
//! * [`FixedWindow`]: one counter per aligned window. Exact inside a window, blind across a
//!   boundary: an interval of one window's length can hold `2 * limit`.
//! * [`SlidingWindowLog`]: every admitted time of the last window. Exact, but it stores up to
//!   `limit` timestamps per client.
//! * [`SlidingWindowCounter`]: two counters and an interpolation that assumes the previous
//!   window's traffic was even. Cheap, and wrong exactly when traffic is bunched: it can admit
//!   nearly twice the limit in a true window.
//!
//! [`traces`] makes the arrivals (steady, on/off bursts, Poisson) and [`replay`] runs them
//! through any [`Limiter`]; the experiments ([`compare_algorithms`], [`boundary_sweep`],
//! [`sliding_counter_trial`], [`rejection_grid`], the shapers) return plain rows for plots.
//!
//! # One quota, many gateways
//!
//! [`GatewaySetup`] runs `K` gateways behind a load balancer ([`Routing`]) on the simulated
//! network, with a shared counter store, and counts one quota in one of five ways
//! ([`LimiterMode`]): each gateway alone with the full limit (up to `K` times the limit), each
//! alone with `floor(limit / K)` (never over, under whenever routing is uneven), a central
//! atomic check-and-increment (exact, one round trip per request), a central read-then-write
//! (over by the checks that overlap), or local counts synced every `S` (over by about what
//! arrives in one interval). [`FailurePolicy`] says what a gateway does when the store does not
//! answer, and [`outage_trial`] measures the cost of each choice.
//!
//! # Costs, tiers and layers
//!
//! A request can cost several tokens ([`Endpoint`], [`cost_trial`]); a customer's plan
//! ([`Tier`]) sets the size and refill of their own bucket ([`TieredLimiter`], [`tier_trial`]);
//! and a
//! [`LayeredLimiter`] checks a request against buckets per API key, per /24 subnet and global,
//! all or nothing: a rejected request charges no bucket. [`key_rotation_trial`] pits it
//! against an attacker rotating keys inside one subnet.
//!
//! # What a limiter does not do
//!
//! A limiter bounds what it *admits*, not what clients *send*: refused requests still cost a
//! round trip, and clients that retry at once make the offered load worse. And a limit is only
//! as good as its counting: several gateways that each count alone admit several times the
//! limit, because each one sees only its share of the traffic.
//!
//! # Examples
//!
//! ```
//! use lessons::rate_limit::{Rate, TokenBucket, replay, traces};
//! use lessons::sim::secs;
//!
//! let arrivals = traces::poisson(20.0, secs(60), 1)?;
//! let mut bucket = TokenBucket::new(10, Rate::per_second(5)?)?;
//! let admitted = replay(&mut bucket, &arrivals);
//! assert!(admitted.len() <= 10 + 5 * 60);
//! # Ok::<(), lessons::rate_limit::RateLimitError>(())
//! ```
//!
//! # References
//!
//! * Jonathan Turner, "New directions in communications (or which way to the information
//!   age?)", IEEE Communications Magazine 24(10), 1986: the leaky bucket.
//! * ATM Forum, Traffic Management Specification 4.0, 1996, section 4.4.2: the generic cell
//!   rate algorithm.
//! * Alex Xu, "System Design Interview", volume 1, 2020, chapter 4 ("Design a rate limiter"):
//!   the five algorithms side by side.
//! * Cloudflare blog, "How we built rate limiting capable of scaling to millions of domains",
//!   2017: the sliding window counter.
//! * Paul Tarjan, "Scaling your API with rate limiters", Stripe blog, 2017: request and
//!   concurrency limiters, load shedding, and failing open when the limiter's store fails.
//! * Redis documentation, `INCR`, section "Pattern: Rate limiter": the read-then-increment race
//!   and its fix with a transaction or a script.

mod cost;
mod experiments;
mod figures;
mod fixed_window;
mod gateway_nodes;
mod gateways;
mod key_rotation;
mod layered;
mod leaky_bucket;
mod outage;
mod rate;
mod routing;
mod sliding_counter;
mod sliding_log;
mod tiers;
mod token_bucket;
pub mod traces;

pub use cost::{CostRow, Endpoint, cost_trial};
pub use experiments::{
    Algorithm, BoundaryRow, CounterRow, LimiterRun, RejectionRow, boundary_sweep, boundary_trace,
    compare_algorithms, rejection_grid, shape_with_leaky_bucket, shape_with_token_bucket,
    sliding_counter_trial,
};
pub use figures::{
    RunSummary, gateway_figure, run_summaries, shaped_figure, trace_figure, wait_figure, waits,
};
pub use fixed_window::FixedWindow;
pub use gateways::{
    CheckAndSet, FailurePolicy, GatewayRow, GatewayRun, GatewaySetup, LimiterMode, RequestOutcome,
    WindowCount,
};
pub use key_rotation::{Layering, RotationRow, key_rotation_trial};
pub use layered::{Layer, LayeredDecision, LayeredLimiter, Request};
pub use leaky_bucket::{LeakyBucket, Offer};
pub use outage::{OutageRow, outage_trial};
pub use rate::{Decision, Limiter, Rate, RateLimitError, max_in_any_window, replay};
pub use routing::Routing;
pub use sliding_counter::SlidingWindowCounter;
pub use sliding_log::SlidingWindowLog;
pub use tiers::{Tier, TierRow, TieredLimiter, tier_trial};
pub use token_bucket::{TokenBucket, Tokens};
