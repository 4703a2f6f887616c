//! A leaderless (Dynamo-style) store on the simulated network: replicas that keep the newest
//! version of each key, and clients that coordinate their own requests with N, W and R.
//!
//! A client sends every write to all N replicas of the key and reports success after W
//! acknowledgements; it sends every read to all N and answers with the newest of the first R
//! replies. Versions are last-writer-wins stamps ([`WriteStamp`]): the writer's clock reading,
//! ties broken by the writer's id. Which replicas hold a key is an input, a list of node ids
//! (a consistent-hash ring's preference list in a real store).
//!
//! What a read does with the versions it saw is the [`ReadRepair`] setting: nothing, push the
//! newest version to the replicas that answered with an older one without waiting, or write
//! the newest version back to all replicas and wait for W acknowledgements before answering
//! (the read phase of the ABD algorithm).

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::error::QuorumError;
use super::overlap::Quorum;
use crate::clocks::WriteStamp;
use crate::sim::{Context, Node, NodeId, OperationId, Time};

/// A value with its last-writer-wins stamp; the larger stamp wins.
///
/// # Examples
///
/// ```
/// use lessons::clocks::WriteStamp;
/// use lessons::quorum::Versioned;
///
/// let old = Versioned { stamp: WriteStamp { major: 5, minor: 0, node: 0 }, value: 1 };
/// let new = Versioned { stamp: WriteStamp { major: 9, minor: 0, node: 1 }, value: 2 };
/// assert!(new.is_newer_than(Some(&old)) && old.is_newer_than(None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Versioned {
    /// The stamp that orders versions.
    pub stamp: WriteStamp,
    /// The value.
    pub value: u64,
}

impl Versioned {
    /// Whether this version should replace `other` (`None`: nothing stored).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::WriteStamp;
    /// use lessons::quorum::Versioned;
    ///
    /// let v = Versioned { stamp: WriteStamp { major: 5, minor: 0, node: 0 }, value: 1 };
    /// assert!(!v.is_newer_than(Some(&v)));
    /// ```
    pub fn is_newer_than(&self, other: Option<&Versioned>) -> bool {
        other.is_none_or(|other| self.stamp > other.stamp)
    }
}

/// The messages of the store.
///
/// # Examples
///
/// ```
/// use lessons::quorum::StoreMessage;
///
/// let read = StoreMessage::Read { request: 1, key: 0 };
/// assert!(matches!(read, StoreMessage::Read { key: 0, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreMessage {
    /// Client to replica: store this version if it is newer than yours, then acknowledge.
    Write {
        /// The client's request number.
        request: u64,
        /// The key.
        key: u64,
        /// The version.
        version: Versioned,
    },
    /// Replica to client: the write is stored (or something newer already was).
    Ack {
        /// The request acknowledged.
        request: u64,
    },
    /// Client to replica: send me your version of the key.
    Read {
        /// The client's request number.
        request: u64,
        /// The key.
        key: u64,
    },
    /// Replica to client: my version (`None`: I have none).
    Reply {
        /// The request answered.
        request: u64,
        /// The replica's version.
        version: Option<Versioned>,
    },
}

/// A replica: the newest version it has seen of each key.
///
/// # Examples
///
/// ```
/// use lessons::quorum::Replica;
///
/// assert!(Replica::new().get(0).is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replica {
    data: BTreeMap<u64, Versioned>,
}

impl Replica {
    /// A replica with no data.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::quorum::Replica::new().data().is_empty());
    /// ```
    pub fn new() -> Replica {
        Replica::default()
    }

    /// A replica that starts with `data` (one that missed some writes, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use lessons::clocks::WriteStamp;
    /// use lessons::quorum::{Replica, Versioned};
    ///
    /// let version = Versioned { stamp: WriteStamp { major: 1, minor: 0, node: 0 }, value: 7 };
    /// let replica = Replica::preloaded(BTreeMap::from([(3, version)]));
    /// assert_eq!(replica.get(3).map(|v| v.value), Some(7));
    /// ```
    pub fn preloaded(data: BTreeMap<u64, Versioned>) -> Replica {
        Replica { data }
    }

    /// The replica's version of `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Replica::new().get(1), None);
    /// ```
    pub fn get(&self, key: u64) -> Option<Versioned> {
        self.data.get(&key).copied()
    }

    /// Everything the replica holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::Replica::new().data().len(), 0);
    /// ```
    pub fn data(&self) -> &BTreeMap<u64, Versioned> {
        &self.data
    }
}

impl Node<StoreMessage> for Replica {
    fn on_message(
        &mut self,
        ctx: &mut Context<'_, StoreMessage>,
        from: NodeId,
        message: StoreMessage,
    ) {
        match message {
            StoreMessage::Write {
                request,
                key,
                version,
            } => {
                if version.is_newer_than(self.data.get(&key)) {
                    self.data.insert(key, version);
                }
                ctx.send(from, StoreMessage::Ack { request });
            }
            StoreMessage::Read { request, key } => {
                let version = self.get(key);
                ctx.send(from, StoreMessage::Reply { request, version });
            }
            StoreMessage::Ack { .. } | StoreMessage::Reply { .. } => {}
        }
    }
}

/// What a read does with the versions it collected.
///
/// # Examples
///
/// ```
/// use lessons::quorum::ReadRepair;
///
/// assert_eq!(ReadRepair::Blocking.name(), "blocking write-back");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ReadRepair {
    /// Answer with the newest version; repair nothing.
    Off,
    /// Answer at once, and send the newest version to the replicas that answered with an
    /// older one, without waiting.
    Background,
    /// Write the newest version back to all replicas and wait for W acknowledgements before
    /// answering.
    Blocking,
}

impl ReadRepair {
    /// All three settings.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::ReadRepair::ALL.len(), 3);
    /// ```
    pub const ALL: [ReadRepair; 3] = [
        ReadRepair::Off,
        ReadRepair::Background,
        ReadRepair::Blocking,
    ];

    /// A short name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::ReadRepair::Off.name(), "no read repair");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ReadRepair::Off => "no read repair",
            ReadRepair::Background => "background read repair",
            ReadRepair::Blocking => "blocking write-back",
        }
    }
}

/// A client request.
///
/// # Examples
///
/// ```
/// use lessons::quorum::Request;
///
/// let write = Request::Write { key: 0, value: 1 };
/// assert_ne!(write, Request::Read { key: 0 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Request {
    /// Write `value` to `key`.
    Write {
        /// The key.
        key: u64,
        /// The value.
        value: u64,
    },
    /// Read `key`.
    Read {
        /// The key.
        key: u64,
    },
}

/// A request a client makes at a given time, or as soon as its previous request is done.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Planned, Request};
/// use lessons::sim::ms;
///
/// let step = Planned { at: ms(5), request: Request::Read { key: 0 } };
/// assert_eq!(step.at, ms(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// The earliest time to start it.
    pub at: Time,
    /// The request.
    pub request: Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Writing,
    Reading,
    WritingBack,
}

#[derive(Debug, Clone)]
struct Pending {
    request: u64,
    operation: Option<OperationId>,
    key: u64,
    phase: Phase,
    acks: usize,
    replies: Vec<(NodeId, Option<Versioned>)>,
}

const NEXT: u64 = 0;
const TIMEOUT: u64 = 1 << 62;

/// A client that coordinates its own requests, one at a time, over the key's replicas.
///
/// Each request is recorded as a client operation (`"write <value>"` answered `"ok"` or
/// `"failed"`, `"read"` answered with the value or `"empty"`), the format
/// [`RegisterHistory::from_operations`](crate::check::RegisterHistory::from_operations) reads.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Client, Planned, Quorum, ReadRepair, Replica, Request, StoreMessage};
/// use lessons::sim::{Simulation, ms};
///
/// let mut sim: Simulation<StoreMessage> = Simulation::new(1);
/// for name in ["r0", "r1", "r2"] {
///     sim.add_node(name, Replica::new);
/// }
/// let client = Client::new(vec![0, 1, 2], Quorum::new(3, 2, 2)?, ReadRepair::Off)?.plan(vec![
///     Planned { at: ms(0), request: Request::Write { key: 0, value: 1 } },
///     Planned { at: ms(0), request: Request::Read { key: 0 } },
/// ]);
/// sim.add_node("client", move || client.clone());
/// sim.run()?;
/// let results: Vec<_> = sim.trace().operations().iter().map(|o| o.result.clone()).collect();
/// assert_eq!(results, [Some("ok".into()), Some("1".into())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    replicas: Vec<NodeId>,
    quorum: Quorum,
    repair: ReadRepair,
    plan: VecDeque<Planned>,
    timeout: Time,
    record: bool,
    next_request: u64,
    pending: Option<Pending>,
}

impl Client {
    /// A client with nothing planned, over the key's replicas `replicas` (exactly N of them),
    /// giving up on a request after 1 s.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] when `replicas` does not hold N distinct ids.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Client, Quorum, ReadRepair};
    ///
    /// let error = Client::new(vec![0, 1], Quorum::new(3, 2, 2)?, ReadRepair::Off).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "replicas = [0, 1] is not allowed: N = 3 needs exactly 3 distinct replica ids"
    /// );
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn new(
        replicas: Vec<NodeId>,
        quorum: Quorum,
        repair: ReadRepair,
    ) -> Result<Client, QuorumError> {
        let mut distinct = replicas.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() != replicas.len() || replicas.len() != quorum.n() {
            return Err(QuorumError::parameter(
                "replicas",
                format!("{replicas:?}"),
                format!(
                    "N = {} needs exactly {} distinct replica ids",
                    quorum.n(),
                    quorum.n()
                ),
            ));
        }
        Ok(Client {
            replicas,
            quorum,
            repair,
            plan: VecDeque::new(),
            timeout: Time::from_nanos(1_000_000_000),
            record: true,
            next_request: 0,
            pending: None,
        })
    }

    /// The requests to make, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Client, Planned, Quorum, ReadRepair, Request};
    /// use lessons::sim::ms;
    ///
    /// let client = Client::new(vec![0], Quorum::new(1, 1, 1)?, ReadRepair::Off)?
    ///     .plan(vec![Planned { at: ms(1), request: Request::Read { key: 0 } }]);
    /// assert_eq!(client.planned().count(), 1);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn plan(mut self, plan: Vec<Planned>) -> Client {
        self.plan = plan.into();
        self
    }

    /// How long to wait for a quorum before reporting `"failed"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Client, Quorum, ReadRepair};
    /// use lessons::sim::ms;
    ///
    /// let client = Client::new(vec![0], Quorum::new(1, 1, 1)?, ReadRepair::Off)?.timeout(ms(50));
    /// assert_eq!(client.planned().count(), 0);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn timeout(mut self, timeout: Time) -> Client {
        self.timeout = timeout;
        self
    }

    /// Whether to record requests as client operations (off for long experiments).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Client, Quorum, ReadRepair};
    ///
    /// let quiet = Client::new(vec![0], Quorum::new(1, 1, 1)?, ReadRepair::Off)?.record(false);
    /// assert_eq!(quiet.planned().count(), 0);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn record(mut self, record: bool) -> Client {
        self.record = record;
        self
    }

    /// The requests not yet started.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Client, Quorum, ReadRepair};
    ///
    /// let client = Client::new(vec![0], Quorum::new(1, 1, 1)?, ReadRepair::Off)?;
    /// assert!(client.planned().next().is_none());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn planned(&self) -> impl Iterator<Item = &Planned> {
        self.plan.iter()
    }

    fn schedule_next(&mut self, ctx: &mut Context<'_, StoreMessage>) {
        if let Some(next) = self.plan.front() {
            let wait = next.at - ctx.now();
            ctx.set_timer(wait.max(Time::ZERO), NEXT);
        }
    }

    fn start(&mut self, ctx: &mut Context<'_, StoreMessage>) {
        let Some(step) = self.plan.pop_front() else {
            return;
        };
        let request = self.fresh_request();
        let (key, phase, text) = match step.request {
            Request::Write { key, value } => {
                let version = Versioned {
                    stamp: WriteStamp {
                        major: ctx.read_clock().as_nanos(),
                        minor: 0,
                        node: ctx.me(),
                    },
                    value,
                };
                send_write(ctx, &self.replicas, request, key, version);
                (key, Phase::Writing, format!("write {value}"))
            }
            Request::Read { key } => {
                for &replica in &self.replicas {
                    ctx.send(replica, StoreMessage::Read { request, key });
                }
                (key, Phase::Reading, "read".to_string())
            }
        };
        let operation = self.record.then(|| ctx.invoke(text));
        ctx.set_timer(self.timeout, TIMEOUT + request);
        self.pending = Some(Pending {
            request,
            operation,
            key,
            phase,
            acks: 0,
            replies: Vec::new(),
        });
    }

    fn fresh_request(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    fn finish(&mut self, ctx: &mut Context<'_, StoreMessage>, result: String) {
        if let Some(pending) = self.pending.take()
            && let Some(operation) = pending.operation
        {
            ctx.respond(operation, result);
        }
        self.schedule_next(ctx);
    }

    fn newest(replies: &[(NodeId, Option<Versioned>)]) -> Option<Versioned> {
        replies
            .iter()
            .filter_map(|(_, version)| *version)
            .max_by_key(|version| version.stamp)
    }

    fn on_reply(
        &mut self,
        ctx: &mut Context<'_, StoreMessage>,
        from: NodeId,
        version: Option<Versioned>,
    ) {
        let Some(pending) = self.pending.as_mut() else {
            return;
        };
        pending.replies.push((from, version));
        if pending.replies.len() < self.quorum.r() {
            return;
        }
        let newest = Client::newest(&pending.replies);
        let answer = shown(newest);
        let key = pending.key;
        match (self.repair, newest) {
            (ReadRepair::Blocking, Some(version)) => {
                let request = self.fresh_request();
                let pending = self.pending.as_mut().expect("a pending read");
                pending.request = request;
                pending.phase = Phase::WritingBack;
                send_write(ctx, &self.replicas, request, key, version);
                ctx.set_timer(self.timeout, TIMEOUT + request);
            }
            (ReadRepair::Background, Some(version)) => {
                let stale: Vec<NodeId> = pending
                    .replies
                    .iter()
                    .filter(|(_, old)| version.is_newer_than(old.as_ref()))
                    .map(|(replica, _)| *replica)
                    .collect();
                let request = self.fresh_request();
                send_write(ctx, &stale, request, key, version);
                self.finish(ctx, answer);
            }
            _ => self.finish(ctx, answer),
        }
    }
}

/// Sends `version` of `key` to each of `replicas` as request `request`.
fn send_write(
    ctx: &mut Context<'_, StoreMessage>,
    replicas: &[NodeId],
    request: u64,
    key: u64,
    version: Versioned,
) {
    for &replica in replicas {
        ctx.send(
            replica,
            StoreMessage::Write {
                request,
                key,
                version,
            },
        );
    }
}

/// What a read answers: the value, or `"empty"`.
fn shown(version: Option<Versioned>) -> String {
    version.map_or("empty".to_string(), |v| v.value.to_string())
}

impl Node<StoreMessage> for Client {
    fn on_start(&mut self, ctx: &mut Context<'_, StoreMessage>) {
        self.schedule_next(ctx);
    }

    fn on_message(
        &mut self,
        ctx: &mut Context<'_, StoreMessage>,
        from: NodeId,
        message: StoreMessage,
    ) {
        let Some(pending) = self.pending.as_mut() else {
            return;
        };
        match message {
            StoreMessage::Ack { request } if request == pending.request => {
                pending.acks += 1;
                if pending.acks < self.quorum.w() {
                    return;
                }
                let result = match pending.phase {
                    Phase::Writing => "ok".to_string(),
                    _ => shown(Client::newest(&pending.replies)),
                };
                self.finish(ctx, result);
            }
            StoreMessage::Reply { request, version }
                if request == pending.request && pending.phase == Phase::Reading =>
            {
                self.on_reply(ctx, from, version);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, StoreMessage>, tag: u64) {
        if tag == NEXT {
            if self.pending.is_none() {
                self.start(ctx);
            }
        } else if self
            .pending
            .as_ref()
            .is_some_and(|pending| TIMEOUT + pending.request == tag)
        {
            self.finish(ctx, "failed".to_string());
        }
    }
}
