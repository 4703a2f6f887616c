//! One client quota enforced by `K` gateways: the ways to count, run on the simulated network.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use super::gateway_nodes::{Balancer, Gateway, GatewayConfig, Message, Store};
use super::rate::RateLimitError;
use super::routing::Routing;
use super::traces;
use crate::sim::{Latency, Link, Rng, Simulation, Time, crash, ms, secs, us};
use crate::viz::SpaceTimeDiagram;

/// The most requests a run may expect to offer, so that no setting makes a run take minutes.
const MAX_EXPECTED_REQUESTS: f64 = 5_000_000.0;

/// How the gateways count requests against a quota of `limit` per fixed window.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::LimiterMode;
/// use lessons::sim::ms;
///
/// assert_eq!(LimiterMode::LocalShare.name(), "local limit/K");
/// assert_eq!(LimiterMode::LocalSync { interval: ms(100) }.name(), "local + sync every 100ms");
/// assert!(LimiterMode::CentralAtomic.asks_the_store());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LimiterMode {
    /// Each gateway allows the full limit on its own: no coordination, up to `K * limit`.
    LocalFull,
    /// Each gateway allows `floor(limit / K)` on its own (nothing at all when `K` exceeds the
    /// limit): never above the limit, below it whenever the traffic is not spread evenly (or
    /// `K` does not divide the limit).
    LocalShare,
    /// Every request asks the store to check and count in one atomic step (a Redis Lua
    /// script): exact, for one round trip per request.
    CentralAtomic,
    /// Every request reads the count (GET), decides, and if admitted sends an increment (INCR):
    /// two requests that read the same count both pass.
    CentralReadThenWrite,
    /// Each gateway decides on what it last heard of the global count plus what it admitted
    /// since, and reports to the store every `interval`.
    LocalSync {
        /// How often each gateway reports and hears back.
        interval: Time,
    },
}

impl LimiterMode {
    /// The four modes without a parameter, in the lesson's order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::LimiterMode::FIXED.len(), 4);
    /// ```
    pub const FIXED: [LimiterMode; 4] = [
        LimiterMode::LocalFull,
        LimiterMode::LocalShare,
        LimiterMode::CentralAtomic,
        LimiterMode::CentralReadThenWrite,
    ];

    /// A short name for legends and tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::LimiterMode::CentralReadThenWrite.name(), "central read-then-write");
    /// ```
    pub fn name(self) -> String {
        match self {
            LimiterMode::LocalFull => "local full limit".into(),
            LimiterMode::LocalShare => "local limit/K".into(),
            LimiterMode::CentralAtomic => "central atomic".into(),
            LimiterMode::CentralReadThenWrite => "central read-then-write".into(),
            LimiterMode::LocalSync { interval } => format!("local + sync every {interval}"),
        }
    }

    /// Whether a request waits for the store before it is decided.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::rate_limit::LimiterMode::LocalFull.asks_the_store());
    /// ```
    pub fn asks_the_store(self) -> bool {
        matches!(
            self,
            LimiterMode::CentralAtomic | LimiterMode::CentralReadThenWrite
        )
    }
}

/// What a gateway does with a request when the store does not answer within the timeout.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::FailurePolicy;
///
/// assert_eq!(FailurePolicy::FailOpen.name(), "fail open");
/// assert_eq!(FailurePolicy::ALL.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FailurePolicy {
    /// Admit: keep serving, stop limiting.
    FailOpen,
    /// Reject: keep limiting, stop serving.
    FailClosed,
    /// Fall back to this gateway's own count against `floor(limit / K)`.
    LocalShare,
}

impl FailurePolicy {
    /// Every policy, in the lesson's order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::FailurePolicy::ALL[1].name(), "fail closed");
    /// ```
    pub const ALL: [FailurePolicy; 3] = [
        FailurePolicy::FailOpen,
        FailurePolicy::FailClosed,
        FailurePolicy::LocalShare,
    ];

    /// A short name for legends and tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::FailurePolicy::LocalShare.name(), "fall back to limit/K");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            FailurePolicy::FailOpen => "fail open",
            FailurePolicy::FailClosed => "fail closed",
            FailurePolicy::LocalShare => "fall back to limit/K",
        }
    }
}

/// A run of `K` gateways behind a load balancer, with a shared store, on the simulated
/// network. Build it with [`GatewaySetup::new`] and the setters, then [`run`](Self::run) it.
///
/// Each client sends a Poisson stream of requests, or the requests are scripted one by one
/// with [`scripted`](Self::scripted); the quota is `limit` requests per client per aligned
/// window. Node 0 is the load balancer, nodes `1..=K` the gateways, node `K + 1`
/// the store. Balancer-to-gateway messages take no time; gateway-to-store messages take
/// `store_latency` each way.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode, Routing};
/// use lessons::sim::secs;
///
/// let run = GatewaySetup::new(4, LimiterMode::LocalFull)?
///     .routing(Routing::RoundRobin)
///     .quota(100, secs(60))?
///     .clients(&[40.0])?
///     .run(1)?;
/// let row = run.summary();
/// assert_eq!(row.exact_admits, 100);
/// assert_eq!(row.admitted, 400); // four gateways, each allowing the full 100
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GatewaySetup {
    gateways: usize,
    mode: LimiterMode,
    routing: Routing,
    limit: u64,
    window: Time,
    clients: Vec<f64>,
    script: Option<Vec<(Time, u32)>>,
    duration: Time,
    store_latency: Latency,
    timeout: Time,
    on_failure: FailurePolicy,
    outage: Option<(Time, Time)>,
}

impl GatewaySetup {
    /// `gateways` (1 to 1,000) counting in `mode`; the defaults are round robin, a quota of
    /// 100 per 60 s window, one client sending 40 per second for 60 s, a store 250 to 500 µs
    /// away each way, a 50 ms timeout that fails open, and no outage.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::ms;
    ///
    /// assert!(GatewaySetup::new(12, LimiterMode::CentralAtomic).is_ok());
    /// let error = GatewaySetup::new(0, LimiterMode::LocalFull).unwrap_err();
    /// assert_eq!(error.to_string(), "gateways = 0 is not allowed: from 1 to 1,000 gateways");
    /// assert!(GatewaySetup::new(2, LimiterMode::LocalSync { interval: ms(0) }).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn new(gateways: usize, mode: LimiterMode) -> Result<GatewaySetup, RateLimitError> {
        if !(1..=1_000).contains(&gateways) {
            return Err(RateLimitError::parameter(
                "gateways",
                gateways,
                "from 1 to 1,000 gateways",
            ));
        }
        if let LimiterMode::LocalSync { interval } = mode
            && interval < us(1)
        {
            return Err(RateLimitError::parameter(
                "sync interval",
                interval,
                "gateways sync at least 1 µs apart",
            ));
        }
        Ok(GatewaySetup {
            gateways,
            mode,
            routing: Routing::RoundRobin,
            limit: 100,
            window: secs(60),
            clients: vec![40.0],
            script: None,
            duration: secs(60),
            store_latency: Latency::uniform(us(250), us(500)),
            timeout: ms(50),
            on_failure: FailurePolicy::FailOpen,
            outage: None,
        })
    }

    /// The load balancer's policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode, Routing};
    ///
    /// let setup = GatewaySetup::new(3, LimiterMode::LocalShare)?.routing(Routing::Random);
    /// assert!(setup.run(1).is_ok());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn routing(mut self, routing: Routing) -> GatewaySetup {
        self.routing = routing;
        self
    }

    /// The quota: `limit` (at least 1) requests per client per aligned `window` (at least
    /// 1 ms).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::secs;
    ///
    /// assert!(GatewaySetup::new(2, LimiterMode::LocalFull)?.quota(0, secs(1)).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn quota(mut self, limit: u64, window: Time) -> Result<GatewaySetup, RateLimitError> {
        if limit == 0 {
            return Err(RateLimitError::parameter(
                "limit",
                limit,
                "a quota allows at least 1 request per window",
            ));
        }
        if window < ms(1) {
            return Err(RateLimitError::parameter(
                "window",
                window,
                "a quota window is at least 1 ms",
            ));
        }
        self.limit = limit;
        self.window = window;
        Ok(self)
    }

    /// One client per entry, each sending a Poisson stream of that many requests per second
    /// (more than 0, at most 100,000); 1 to 10,000 clients.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    ///
    /// assert!(GatewaySetup::new(2, LimiterMode::LocalFull)?.clients(&[1.0, 50.0]).is_ok());
    /// assert!(GatewaySetup::new(2, LimiterMode::LocalFull)?.clients(&[]).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn clients(mut self, per_second: &[f64]) -> Result<GatewaySetup, RateLimitError> {
        if !(1..=10_000).contains(&per_second.len()) {
            return Err(RateLimitError::parameter(
                "clients",
                per_second.len(),
                "from 1 to 10,000 clients",
            ));
        }
        if let Some(&bad) = per_second
            .iter()
            .find(|&&rate| !(rate > 0.0 && rate <= 100_000.0))
        {
            return Err(RateLimitError::parameter(
                "client requests per second",
                bad,
                "each client sends more than 0 and at most 100,000 requests per second",
            ));
        }
        self.clients = per_second.to_vec();
        self.script = None;
        Ok(self)
    }

    /// Exactly these requests instead of Poisson streams: one `(time, client)` pair per
    /// request (1 to 100,000 requests, times from 0 to one hour, clients numbered from 0 to
    /// 9,999), so that a particular interleaving can be staged. The run lasts until the later
    /// of [`duration`](Self::duration) and the last request. Calling
    /// [`clients`](Self::clients) afterwards goes back to Poisson traffic.
    ///
    /// # Examples
    ///
    /// Two requests of one client 100 µs apart, on two gateways that read the count and then
    /// increment it: the second reads before the first's increment lands, so both pass a
    /// quota of one.
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode, Routing};
    /// use lessons::sim::{Latency, ms, us};
    ///
    /// let race = GatewaySetup::new(2, LimiterMode::CentralReadThenWrite)?
    ///     .routing(Routing::RoundRobin)
    ///     .quota(1, ms(1_000))?
    ///     .store_latency(Latency::constant(us(300)))?
    ///     .scripted(&[(ms(10), 0), (ms(10) + us(100), 0)])?;
    /// let row = race.run(1)?.summary();
    /// assert_eq!((row.offered, row.admitted, row.over_admitted), (2, 2, 1));
    ///
    /// // 1 ms apart, the increment lands first and the second request is refused.
    /// let apart = race.scripted(&[(ms(10), 0), (ms(11), 0)])?;
    /// assert_eq!(apart.run(1)?.summary().admitted, 1);
    ///
    /// let error = GatewaySetup::new(2, LimiterMode::LocalFull)?.scripted(&[(ms(-1), 0)]);
    /// assert!(error.is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn scripted(mut self, requests: &[(Time, u32)]) -> Result<GatewaySetup, RateLimitError> {
        if !(1..=100_000).contains(&requests.len()) {
            return Err(RateLimitError::parameter(
                "scripted requests",
                requests.len(),
                "from 1 to 100,000 scripted requests",
            ));
        }
        if let Some(&(time, _)) = requests
            .iter()
            .find(|(time, _)| *time < Time::ZERO || *time > secs(3_600))
        {
            return Err(RateLimitError::parameter(
                "request time",
                time,
                "a scripted request comes from 0 to one hour into the run",
            ));
        }
        if let Some(&(_, client)) = requests.iter().find(|(_, client)| *client >= 10_000) {
            return Err(RateLimitError::parameter(
                "client",
                client,
                "clients are numbered from 0 to 9,999",
            ));
        }
        let mut script = requests.to_vec();
        script.sort();
        self.script = Some(script);
        Ok(self)
    }

    /// How long the clients send (at least 1 ms, at most one hour).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::secs;
    ///
    /// assert!(GatewaySetup::new(2, LimiterMode::LocalFull)?.duration(secs(7_200)).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn duration(mut self, duration: Time) -> Result<GatewaySetup, RateLimitError> {
        if duration < ms(1) || duration > secs(3_600) {
            return Err(RateLimitError::parameter(
                "duration",
                duration,
                "a run lasts from 1 ms to one hour",
            ));
        }
        self.duration = duration;
        Ok(self)
    }

    /// The one-way delay between a gateway and the store.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::{Latency, ms};
    ///
    /// let setup = GatewaySetup::new(2, LimiterMode::CentralAtomic)?;
    /// assert!(setup.clone().store_latency(Latency::constant(ms(1))).is_ok());
    /// assert!(setup.store_latency(Latency::constant(ms(-1))).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn store_latency(mut self, latency: Latency) -> Result<GatewaySetup, RateLimitError> {
        latency
            .validate()
            .map_err(|error| RateLimitError::parameter("store latency", error, "see the reason"))?;
        self.store_latency = latency;
        Ok(self)
    }

    /// What a gateway does when the store has not answered after `timeout` (at least 1 µs).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{FailurePolicy, GatewaySetup, LimiterMode};
    /// use lessons::sim::ms;
    ///
    /// let setup = GatewaySetup::new(2, LimiterMode::CentralAtomic)?;
    /// assert!(setup.on_failure(FailurePolicy::FailClosed, ms(20)).is_ok());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn on_failure(
        mut self,
        policy: FailurePolicy,
        timeout: Time,
    ) -> Result<GatewaySetup, RateLimitError> {
        if timeout < us(1) {
            return Err(RateLimitError::parameter(
                "timeout",
                timeout,
                "a gateway waits at least 1 µs for the store",
            ));
        }
        self.on_failure = policy;
        self.timeout = timeout;
        Ok(self)
    }

    /// The store is down (and loses its counts) from `start` until `end`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::secs;
    ///
    /// let setup = GatewaySetup::new(2, LimiterMode::CentralAtomic)?;
    /// assert!(setup.clone().outage(secs(10), secs(20)).is_ok());
    /// assert!(setup.outage(secs(20), secs(10)).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn outage(mut self, start: Time, end: Time) -> Result<GatewaySetup, RateLimitError> {
        if start < Time::ZERO || end <= start {
            return Err(RateLimitError::parameter(
                "outage",
                format!("{start}..{end}"),
                "an outage starts at 0 or later and ends after it starts",
            ));
        }
        self.outage = Some((start, end));
        Ok(self)
    }

    /// Every client's arrivals, merged in time order: `(time, client)`.
    fn arrivals(&self, seed: u64) -> Result<Vec<(Time, u32)>, RateLimitError> {
        if let Some(script) = &self.script {
            return Ok(script.clone());
        }
        let expected: f64 = self.clients.iter().sum::<f64>() * self.duration.as_secs_f64();
        if expected > MAX_EXPECTED_REQUESTS {
            return Err(RateLimitError::parameter(
                "expected requests (client rates × duration)",
                expected.round(),
                "a run offers at most 5 million requests on average; shorten it or slow the clients",
            ));
        }
        let mut arrivals = Vec::new();
        for (client, &rate) in self.clients.iter().enumerate() {
            let stream = Rng::derive(seed, &[client as u64]).next_u64();
            let times = traces::poisson(rate, self.duration, stream)?;
            arrivals.extend(times.into_iter().map(|time| (time, client as u32)));
        }
        arrivals.sort_unstable();
        Ok(arrivals)
    }

    /// Runs the clients' traffic through the gateways, the balancer drawing from `seed`.
    ///
    /// # Errors
    ///
    /// A [`RateLimitError`] if the clients would send more than 5 million requests on average,
    /// or if the simulation itself refuses; the other parameters were checked by the setters.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    ///
    /// let run = GatewaySetup::new(3, LimiterMode::CentralAtomic)?.run(7)?;
    /// assert_eq!(run.summary().admitted, 100);
    /// assert!(run.summary().mean_extra_latency_ms >= 0.5);
    /// let flood = GatewaySetup::new(3, LimiterMode::LocalFull)?.clients(&[100_000.0; 10])?;
    /// assert!(flood.run(7).is_err());
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn run(&self, seed: u64) -> Result<GatewayRun, RateLimitError> {
        let (sim, offered) = self.simulate(seed, false)?;
        let gateways = self.gateways;
        let mut outcomes: Vec<RequestOutcome> = (1..=gateways)
            .filter_map(|id| sim.node::<Gateway>(id))
            .flat_map(|gateway| gateway.outcomes.iter().copied())
            .collect();
        outcomes.sort_unstable_by_key(|outcome| outcome.id);
        let check_and_sets = sim
            .node::<Store>(gateways + 1)
            .map(|store| store.check_and_sets.clone())
            .unwrap_or_default();
        Ok(GatewayRun {
            mode: self.mode,
            routing: self.routing,
            gateways,
            limit: self.limit,
            offered,
            outcomes,
            check_and_sets,
        })
    }

    /// The same run, recorded and drawn: the balancer, the gateways and the store as lines,
    /// every message between them as an arrow labelled with its contents. Meant for small
    /// runs (a few dozen requests).
    ///
    /// # Errors
    ///
    /// As [`run`](Self::run).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::ms;
    ///
    /// let setup = GatewaySetup::new(2, LimiterMode::CentralReadThenWrite)?
    ///     .clients(&[500.0])?
    ///     .duration(ms(10))?;
    /// let svg = setup.space_time_diagram(1)?.to_svg().unwrap();
    /// assert!(svg.contains("GET #0"));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn space_time_diagram(&self, seed: u64) -> Result<SpaceTimeDiagram, RateLimitError> {
        let (sim, _) = self.simulate(seed, true)?;
        Ok(SpaceTimeDiagram::new(sim.trace()))
    }

    /// Builds the nodes and runs the simulation to the end; returns it and the number of
    /// requests offered.
    fn simulate(
        &self,
        seed: u64,
        record: bool,
    ) -> Result<(Simulation<Message>, usize), RateLimitError> {
        let arrivals: Rc<[(Time, u32)]> = self.arrivals(seed)?.into();
        let gateways = self.gateways;
        let store = gateways + 1;
        let config = Rc::new(GatewayConfig {
            mode: self.mode,
            limit: self.limit,
            window: self.window,
            gateways,
            store,
            timeout: self.timeout,
            on_failure: self.on_failure,
        });
        let simulation_error =
            |error| RateLimitError::parameter("simulation", error, "see the reason");
        let mut sim = Simulation::new(seed);
        sim.set_recording(record);
        sim.set_event_limit(u64::MAX);
        let (routing, balancer_arrivals) = (self.routing, Rc::clone(&arrivals));
        sim.add_node("balancer", move || Balancer {
            arrivals: Rc::clone(&balancer_arrivals),
            routing,
            gateways,
            next: 0,
            turn: 0,
        });
        for me in 0..gateways {
            let config = Rc::clone(&config);
            sim.add_node(format!("gw {me}"), move || {
                Gateway::new(Rc::clone(&config), me)
            });
        }
        let limit = self.limit;
        sim.add_node("store", move || Store::new(limit));
        let to_store = Link::new().latency(self.store_latency.clone()).fifo(true);
        sim.set_links(to_store).map_err(simulation_error)?;
        for gateway in 1..=gateways {
            sim.set_link(
                0,
                gateway,
                Link::new().latency(Latency::constant(Time::ZERO)),
            )
            .map_err(simulation_error)?;
        }
        if let Some((start, end)) = self.outage {
            sim.add_fault(crash(store).at(start).restart_at(end))
                .map_err(simulation_error)?;
        }
        let last_request = arrivals.last().map_or(Time::ZERO, |&(time, _)| time);
        sim.run_until(self.duration.max(last_request) + self.timeout + secs(1))
            .map_err(simulation_error)?;
        Ok((sim, arrivals.len()))
    }
}

/// What happened to one request.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode};
///
/// let run = GatewaySetup::new(2, LimiterMode::CentralAtomic)?.run(1)?;
/// let first = run.outcomes[0];
/// assert!(first.admitted && first.decided > first.arrived && !first.fell_back);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RequestOutcome {
    /// The request's number, in arrival order.
    pub id: u64,
    /// Which client sent it.
    pub client: u32,
    /// The index of the quota window it arrived in.
    pub window: i64,
    /// Which gateway (0 to K-1) decided it.
    pub gateway: usize,
    /// When it reached the gateway.
    pub arrived: Time,
    /// When the gateway decided.
    pub decided: Time,
    /// Whether it was admitted.
    pub admitted: bool,
    /// Whether the store did not answer in time and the failure policy decided.
    pub fell_back: bool,
}

/// One non-atomic check at the store: when it read, what it read, and when (if the request
/// was admitted) its increment landed. Steps number the store's messages in the order it
/// handled them.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode};
///
/// let run = GatewaySetup::new(2, LimiterMode::CentralReadThenWrite)?.run(1)?;
/// let first = run.check_and_sets[0];
/// assert_eq!(first.count_read, 0);
/// assert!(first.increment_step.unwrap() > first.read_step);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckAndSet {
    /// The client counted.
    pub client: u32,
    /// The window counted.
    pub window: i64,
    /// The store's step at the read.
    pub read_step: u64,
    /// The count the read returned.
    pub count_read: u64,
    /// The store's step at the increment; `None` for a rejected request.
    pub increment_step: Option<u64>,
}

/// A finished gateway run: every request's outcome, and the store's log of non-atomic checks.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode};
///
/// let run = GatewaySetup::new(2, LimiterMode::LocalShare)?.run(1)?;
/// assert_eq!(run.offered, run.outcomes.len());
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewayRun {
    /// How the gateways counted.
    pub mode: LimiterMode,
    /// How the balancer routed.
    pub routing: Routing,
    /// `K`.
    pub gateways: usize,
    /// The quota per client per window.
    pub limit: u64,
    /// How many requests the clients sent.
    pub offered: usize,
    /// Every request's outcome, in arrival order.
    pub outcomes: Vec<RequestOutcome>,
    /// The store's log of read-then-write checks (empty in other modes).
    pub check_and_sets: Vec<CheckAndSet>,
}

/// Offered and admitted requests of one client in one window.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode};
///
/// let run = GatewaySetup::new(2, LimiterMode::CentralAtomic)?.run(1)?;
/// let windows = run.per_window();
/// assert_eq!((windows[0].client, windows[0].window, windows[0].admitted), (0, 0, 100));
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WindowCount {
    /// The client.
    pub client: u32,
    /// The window's index.
    pub window: i64,
    /// Requests the client sent in the window.
    pub offered: u64,
    /// Requests admitted.
    pub admitted: u64,
}

/// The summary of one gateway run, against what one exact limiter would have admitted.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{GatewaySetup, LimiterMode};
///
/// let row = GatewaySetup::new(12, LimiterMode::LocalShare)?.run(1)?.summary();
/// assert_eq!((row.exact_admits, row.admitted, row.under_admitted), (100, 96, 4)); // 12 × 8
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewayRow {
    /// The counting mode's name.
    pub mode: String,
    /// The routing policy's name.
    pub routing: &'static str,
    /// `K`.
    pub gateways: usize,
    /// Requests sent.
    pub offered: u64,
    /// What one exact limiter admits: the sum over clients and windows of
    /// `min(offered, limit)`. Below `limit` per window when a client offers less.
    pub exact_admits: u64,
    /// Requests admitted.
    pub admitted: u64,
    /// `admitted / exact_admits`: the share of what an exact limiter admits. Not the share of
    /// the quota: in a window where the client offers less than the limit, the denominator is
    /// what it offered.
    pub admitted_over_exact: f64,
    /// The sum over clients and windows of admissions above the limit.
    pub over_admitted: u64,
    /// The sum over clients and windows of requests within `min(offered, limit)` refused.
    pub under_admitted: u64,
    /// The mean time from a request reaching its gateway to its decision, in ms (rounded to
    /// the microsecond).
    pub mean_extra_latency_ms: f64,
    /// Read-then-write admissions whose read came while another admitted check of the same
    /// client and window was between its read and its increment.
    pub overlapping_admissions: u64,
}

impl GatewayRun {
    /// Offered and admitted per client and window, in `(client, window)` order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    /// use lessons::sim::secs;
    ///
    /// let run = GatewaySetup::new(2, LimiterMode::LocalFull)?.duration(secs(120))?.run(1)?;
    /// assert_eq!(run.per_window().len(), 2);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn per_window(&self) -> Vec<WindowCount> {
        let mut counts: BTreeMap<(u32, i64), WindowCount> = BTreeMap::new();
        for outcome in &self.outcomes {
            let count = counts
                .entry((outcome.client, outcome.window))
                .or_insert(WindowCount {
                    client: outcome.client,
                    window: outcome.window,
                    offered: 0,
                    admitted: 0,
                });
            count.offered += 1;
            count.admitted += u64::from(outcome.admitted);
        }
        counts.into_values().collect()
    }

    /// How many read-then-write admissions overlapped another (see
    /// [`GatewayRow::overlapping_admissions`]). Without overlaps the mode is exact: admitted
    /// per client and window is at most the limit plus this count.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    ///
    /// let run = GatewaySetup::new(2, LimiterMode::CentralReadThenWrite)?
    ///     .clients(&[1.0])?
    ///     .run(1)?;
    /// assert_eq!(run.overlapping_admissions(), 0);
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn overlapping_admissions(&self) -> u64 {
        let mut by_key: BTreeMap<(u32, i64), Vec<(u64, u64)>> = BTreeMap::new();
        for check in &self.check_and_sets {
            if let Some(increment) = check.increment_step {
                by_key
                    .entry((check.client, check.window))
                    .or_default()
                    .push((check.read_step, increment));
            }
        }
        by_key
            .values()
            .map(|checks| {
                checks
                    .iter()
                    .filter(|&&(read, _)| {
                        checks.iter().any(|&(other_read, other_increment)| {
                            other_read < read && read < other_increment
                        })
                    })
                    .count() as u64
            })
            .sum()
    }

    /// The run's summary row.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::{GatewaySetup, LimiterMode};
    ///
    /// let row = GatewaySetup::new(1, LimiterMode::LocalFull)?.run(1)?.summary();
    /// assert_eq!((row.admitted, row.over_admitted, row.under_admitted), (100, 0, 0));
    /// # Ok::<(), lessons::rate_limit::RateLimitError>(())
    /// ```
    pub fn summary(&self) -> GatewayRow {
        let windows = self.per_window();
        let exact: u64 = windows.iter().map(|w| w.offered.min(self.limit)).sum();
        let admitted: u64 = windows.iter().map(|w| w.admitted).sum();
        let over: u64 = windows
            .iter()
            .map(|w| w.admitted.saturating_sub(self.limit))
            .sum();
        let under: u64 = windows
            .iter()
            .map(|w| w.offered.min(self.limit).saturating_sub(w.admitted))
            .sum();
        let latency: f64 = self
            .outcomes
            .iter()
            .map(|outcome| (outcome.decided - outcome.arrived).as_millis_f64())
            .sum();
        GatewayRow {
            mode: self.mode.name(),
            routing: self.routing.name(),
            gateways: self.gateways,
            offered: self.offered as u64,
            exact_admits: exact,
            admitted,
            admitted_over_exact: admitted as f64 / exact.max(1) as f64,
            over_admitted: over,
            under_admitted: under,
            mean_extra_latency_ms: round_to_microseconds(
                latency / self.outcomes.len().max(1) as f64,
            ),
            overlapping_admissions: self.overlapping_admissions(),
        }
    }
}

/// Milliseconds rounded to three decimals, for tables.
pub(super) fn round_to_microseconds(millis: f64) -> f64 {
    (millis * 1_000.0).round() / 1_000.0
}
