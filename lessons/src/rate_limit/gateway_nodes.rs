//! The state machines of the gateway simulation: one load balancer, `K` gateways, one counter
//! store. [`super::gateways`] wires them into a [`Simulation`](crate::sim::Simulation).

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use super::gateways::{CheckAndSet, FailurePolicy, LimiterMode, RequestOutcome};
use super::routing::Routing;
use crate::sim::{Context, Node, NodeId, Time, TimerId};

/// A client's counter for one fixed window: `(client, window index)`.
pub(super) type Key = (u32, i64);

/// What the nodes say to each other.
#[derive(Clone)]
pub(super) enum Message {
    /// Balancer to gateway: a request of `client`, numbered `id`, arrives now.
    Request { client: u32, id: u64 },
    /// Gateway to store: admit iff the count is below the limit, and count it if so, in one
    /// step (a Lua script in Redis).
    CheckAndIncrement { key: Key, id: u64 },
    /// Store to gateway: the answer to `CheckAndIncrement`.
    Verdict { id: u64, admitted: bool },
    /// Gateway to store: the first half of a non-atomic check (GET).
    Read { key: Key, id: u64 },
    /// Store to gateway: the count read.
    Count { id: u64, count: u64 },
    /// Gateway to store: the second half (INCR), sent only for an admitted request.
    Increment { key: Key, id: u64 },
    /// Gateway to store: what it admitted since its last report.
    Report { deltas: Vec<(Key, u64)> },
    /// Store to gateway: the totals of the keys reported.
    Totals { totals: Vec<(Key, u64)> },
}

/// Short labels for space-time diagrams: `GET #3` is request 3's read.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Request { client, id } => write!(f, "#{id} from client {client}"),
            Message::CheckAndIncrement { id, .. } => write!(f, "check and INCR #{id}"),
            Message::Verdict { id, admitted } => {
                write!(f, "#{id} {}", if *admitted { "admit" } else { "reject" })
            }
            Message::Read { id, .. } => write!(f, "GET #{id}"),
            Message::Count { id, count } => write!(f, "#{id} count = {count}"),
            Message::Increment { id, .. } => write!(f, "INCR #{id}"),
            Message::Report { deltas } => write!(f, "report {} keys", deltas.len()),
            Message::Totals { totals } => write!(f, "totals of {} keys", totals.len()),
        }
    }
}

/// The timer tag of a gateway's periodic sync; request timeouts use the request's number.
const SYNC: u64 = u64::MAX;

/// Sends each arrival, at its time, to the gateway the routing policy picks.
pub(super) struct Balancer {
    pub(super) arrivals: Rc<[(Time, u32)]>,
    pub(super) routing: Routing,
    pub(super) gateways: usize,
    pub(super) next: usize,
    pub(super) turn: usize,
}

impl Balancer {
    fn wake_for_next(&self, ctx: &mut Context<'_, Message>) {
        if let Some(&(at, _)) = self.arrivals.get(self.next) {
            ctx.set_timer(at - ctx.now(), 0);
        }
    }
}

impl Node<Message> for Balancer {
    fn on_start(&mut self, ctx: &mut Context<'_, Message>) {
        self.wake_for_next(ctx);
    }

    fn on_message(&mut self, _ctx: &mut Context<'_, Message>, _from: NodeId, _message: Message) {}

    fn on_timer(&mut self, ctx: &mut Context<'_, Message>, _tag: u64) {
        while let Some(&(at, client)) = self.arrivals.get(self.next) {
            if at > ctx.now() {
                break;
            }
            let gateway = self
                .routing
                .pick(self.gateways, client, &mut self.turn, ctx.rng());
            let id = self.next as u64;
            ctx.send(1 + gateway, Message::Request { client, id });
            self.next += 1;
        }
        self.wake_for_next(ctx);
    }
}

/// What every gateway is told.
#[derive(Debug, Clone)]
pub(super) struct GatewayConfig {
    pub(super) mode: LimiterMode,
    pub(super) limit: u64,
    pub(super) window: Time,
    pub(super) gateways: usize,
    pub(super) store: NodeId,
    pub(super) timeout: Time,
    pub(super) on_failure: FailurePolicy,
}

impl GatewayConfig {
    /// The per-gateway share of the limit, `floor(limit / K)`.
    fn share(&self) -> u64 {
        self.limit / self.gateways as u64
    }
}

/// A request waiting for the store.
struct Pending {
    key: Key,
    arrived: Time,
    timer: TimerId,
}

/// One gateway: decides each request by its mode and records the outcome.
pub(super) struct Gateway {
    pub(super) config: Rc<GatewayConfig>,
    pub(super) me: usize,
    /// This gateway's own counts (local modes and the local-share fallback).
    local: HashMap<Key, u64>,
    /// Sync mode: the global total as last heard, plus own admissions since then.
    known: HashMap<Key, u64>,
    unsynced: HashMap<Key, u64>,
    pending: HashMap<u64, Pending>,
    pub(super) outcomes: Vec<RequestOutcome>,
}

impl Gateway {
    pub(super) fn new(config: Rc<GatewayConfig>, me: usize) -> Gateway {
        Gateway {
            config,
            me,
            local: HashMap::new(),
            known: HashMap::new(),
            unsynced: HashMap::new(),
            pending: HashMap::new(),
            outcomes: Vec::new(),
        }
    }

    fn key(&self, client: u32, now: Time) -> Key {
        (
            client,
            now.as_nanos().div_euclid(self.config.window.as_nanos()),
        )
    }

    /// Counts one more against a local budget, if it has room.
    fn take_local(&mut self, key: Key, budget: u64) -> bool {
        let count = self.local.entry(key).or_default();
        let admitted = *count < budget;
        if admitted {
            *count += 1;
        }
        admitted
    }

    fn decide(&mut self, id: u64, key: Key, arrived: Time, decided: Time, admitted: bool) {
        self.outcomes.push(RequestOutcome {
            id,
            client: key.0,
            window: key.1,
            gateway: self.me,
            arrived,
            decided,
            admitted,
            fell_back: false,
        });
    }

    fn ask_store(&mut self, ctx: &mut Context<'_, Message>, id: u64, key: Key, message: Message) {
        let timer = ctx.set_timer(self.config.timeout, id);
        let arrived = ctx.now();
        self.pending.insert(
            id,
            Pending {
                key,
                arrived,
                timer,
            },
        );
        ctx.send(self.config.store, message);
    }

    fn answered(&mut self, ctx: &mut Context<'_, Message>, id: u64) -> Option<Pending> {
        let pending = self.pending.remove(&id)?;
        ctx.cancel_timer(pending.timer);
        Some(pending)
    }

    fn on_request(&mut self, ctx: &mut Context<'_, Message>, client: u32, id: u64) {
        let now = ctx.now();
        let key = self.key(client, now);
        let config = Rc::clone(&self.config);
        match config.mode {
            LimiterMode::LocalFull => {
                let admitted = self.take_local(key, config.limit);
                self.decide(id, key, now, now, admitted);
            }
            LimiterMode::LocalShare => {
                let admitted = self.take_local(key, config.share());
                self.decide(id, key, now, now, admitted);
            }
            LimiterMode::CentralAtomic => {
                self.ask_store(ctx, id, key, Message::CheckAndIncrement { key, id });
            }
            LimiterMode::CentralReadThenWrite => {
                self.ask_store(ctx, id, key, Message::Read { key, id });
            }
            LimiterMode::LocalSync { .. } => {
                let known = self.known.get(&key).copied().unwrap_or(0);
                let unsynced = self.unsynced.entry(key).or_default();
                let admitted = known + *unsynced < config.limit;
                if admitted {
                    *unsynced += 1;
                }
                self.decide(id, key, now, now, admitted);
            }
        }
    }

    fn sync(&mut self, ctx: &mut Context<'_, Message>, interval: Time) {
        let current = ctx
            .now()
            .as_nanos()
            .div_euclid(self.config.window.as_nanos());
        self.known.retain(|key, _| key.1 >= current);
        self.unsynced.retain(|key, _| key.1 >= current);
        let mut deltas: Vec<(Key, u64)> = self
            .known
            .keys()
            .chain(self.unsynced.keys())
            .map(|&key| (key, self.unsynced.get(&key).copied().unwrap_or(0)))
            .collect();
        deltas.sort_unstable();
        deltas.dedup();
        for (key, delta) in self.unsynced.drain() {
            *self.known.entry(key).or_default() += delta;
        }
        if !deltas.is_empty() {
            ctx.send(self.config.store, Message::Report { deltas });
        }
        ctx.set_timer(interval, SYNC);
    }

    fn on_timeout(&mut self, ctx: &mut Context<'_, Message>, id: u64) {
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        let admitted = match self.config.on_failure {
            FailurePolicy::FailOpen => true,
            FailurePolicy::FailClosed => false,
            FailurePolicy::LocalShare => {
                let share = self.config.share();
                self.take_local(pending.key, share)
            }
        };
        self.decide(id, pending.key, pending.arrived, ctx.now(), admitted);
        if let Some(last) = self.outcomes.last_mut() {
            last.fell_back = true;
        }
    }
}

impl Node<Message> for Gateway {
    fn on_start(&mut self, ctx: &mut Context<'_, Message>) {
        if let LimiterMode::LocalSync { interval } = self.config.mode {
            ctx.set_timer(interval, SYNC);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Message>, _from: NodeId, message: Message) {
        let now = ctx.now();
        match message {
            Message::Request { client, id } => self.on_request(ctx, client, id),
            Message::Verdict { id, admitted } => {
                if let Some(pending) = self.answered(ctx, id) {
                    self.decide(id, pending.key, pending.arrived, now, admitted);
                }
            }
            Message::Count { id, count } => {
                if let Some(pending) = self.answered(ctx, id) {
                    let admitted = count < self.config.limit;
                    if admitted {
                        let key = pending.key;
                        ctx.send(self.config.store, Message::Increment { key, id });
                    }
                    self.decide(id, pending.key, pending.arrived, now, admitted);
                }
            }
            Message::Totals { totals } => {
                for (key, total) in totals {
                    let known = self.known.entry(key).or_default();
                    *known = (*known).max(total);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Message>, tag: u64) {
        match (tag, self.config.mode) {
            (SYNC, LimiterMode::LocalSync { interval }) => self.sync(ctx, interval),
            _ => self.on_timeout(ctx, tag),
        }
    }
}

/// The shared counter (Redis, say): one count per client and window.
pub(super) struct Store {
    pub(super) limit: u64,
    counts: HashMap<Key, u64>,
    /// How many messages the store has handled: the order of its steps.
    step: u64,
    operations: HashMap<u64, usize>,
    pub(super) check_and_sets: Vec<CheckAndSet>,
}

impl Store {
    pub(super) fn new(limit: u64) -> Store {
        Store {
            limit,
            counts: HashMap::new(),
            step: 0,
            operations: HashMap::new(),
            check_and_sets: Vec::new(),
        }
    }
}

impl Node<Message> for Store {
    fn on_message(&mut self, ctx: &mut Context<'_, Message>, from: NodeId, message: Message) {
        self.step += 1;
        match message {
            Message::CheckAndIncrement { key, id } => {
                let count = self.counts.entry(key).or_default();
                let admitted = *count < self.limit;
                if admitted {
                    *count += 1;
                }
                ctx.send(from, Message::Verdict { id, admitted });
            }
            Message::Read { key, id } => {
                let count = self.counts.get(&key).copied().unwrap_or(0);
                self.operations.insert(id, self.check_and_sets.len());
                self.check_and_sets.push(CheckAndSet {
                    client: key.0,
                    window: key.1,
                    read_step: self.step,
                    count_read: count,
                    increment_step: None,
                });
                ctx.send(from, Message::Count { id, count });
            }
            Message::Increment { key, id } => {
                *self.counts.entry(key).or_default() += 1;
                if let Some(&index) = self.operations.get(&id) {
                    self.check_and_sets[index].increment_step = Some(self.step);
                }
            }
            Message::Report { deltas } => {
                let totals = deltas
                    .into_iter()
                    .map(|(key, delta)| {
                        let count = self.counts.entry(key).or_default();
                        *count += delta;
                        (key, *count)
                    })
                    .collect();
                ctx.send(from, Message::Totals { totals });
            }
            _ => {}
        }
    }
}
