//! A client of the replicated register: one request at a time, retried with the same sequence
//! number until some server answers it.

use serde::Serialize;

use super::log::{Command, Operation};
use super::server::Wire;
use super::state_machine::Outcome;
use crate::sim::{Context, Node, NodeId, SimError, Time, TimerId, ms};

/// What a client does: how many requests, how far apart, how long it waits before retrying
/// elsewhere, and the share of reads (the rest are writes of fresh values).
///
/// # Examples
///
/// ```
/// use lessons::raft::Workload;
/// use lessons::sim::ms;
///
/// let steady = Workload::new(20, ms(30), ms(100), 0.5)?;
/// assert_eq!(steady.requests, 20);
/// assert!(Workload::new(20, ms(30), ms(100), 1.5).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Requests to make, one after another.
    pub requests: u32,
    /// The pause after an answer before the next request.
    pub interval: Time,
    /// How long to wait for an answer before sending the same request to the next server.
    pub retry_after: Time,
    /// The probability that a request is a read.
    pub reads: f64,
}

impl Workload {
    /// A workload; see the fields.
    ///
    /// # Errors
    ///
    /// A non-positive interval or retry time, or a read share outside `[0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::Workload;
    /// use lessons::sim::ms;
    ///
    /// let error = Workload::new(5, ms(0), ms(10), 0.0).unwrap_err();
    /// assert_eq!(error.to_string(), "request interval 0ns is not allowed; more than zero");
    /// ```
    pub fn new(
        requests: u32,
        interval: Time,
        retry_after: Time,
        reads: f64,
    ) -> Result<Workload, SimError> {
        if interval <= Time::ZERO {
            return Err(SimError::parameter(
                "request interval",
                interval,
                "more than zero",
            ));
        }
        if retry_after <= Time::ZERO {
            return Err(SimError::parameter(
                "retry time",
                retry_after,
                "more than zero",
            ));
        }
        if !(0.0..=1.0).contains(&reads) {
            return Err(SimError::parameter("read share", reads, "from 0 to 1"));
        }
        Ok(Workload {
            requests,
            interval,
            retry_after,
            reads,
        })
    }

    /// Writes only, one every 20 ms, retried after 100 ms.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::raft::Workload::writes(10).reads, 0.0);
    /// ```
    pub fn writes(requests: u32) -> Workload {
        Workload {
            requests,
            interval: ms(20),
            retry_after: ms(100),
            reads: 0.0,
        }
    }
}

/// One request as the client saw it.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Operation, RequestRecord};
/// use lessons::sim::ms;
///
/// let record = RequestRecord {
///     client: 3, sequence: 1, operation: Operation::Write(7), invoked_at: ms(1),
///     answered_at: None, outcome: None, attempts: 1,
/// };
/// assert!(record.answered_at.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// The client's id.
    pub client: u32,
    /// Its sequence number.
    pub sequence: u32,
    /// What it asked.
    pub operation: Operation,
    /// When it was first sent.
    pub invoked_at: Time,
    /// When an answer came (`None`: never, so it may or may not have taken effect).
    pub answered_at: Option<Time>,
    /// The answer.
    pub outcome: Option<Outcome>,
    /// How many times it was sent.
    pub attempts: u32,
}

const NEXT: u64 = 1;
const RETRY: u64 = 2;

/// A simulated client: sends each request to the server it believes leads, follows
/// "not leader" hints, and after `retry_after` without an answer sends the same request (same
/// sequence number) to the next server.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, RaftCluster, Timing, Workload};
/// use lessons::sim::ms;
///
/// let mut cluster = RaftCluster::new(7, Config::new(3)?, Timing::paper())?;
/// let client = cluster.add_client(Workload::writes(5))?;
/// cluster.run_until(ms(2_000))?;
/// let records = cluster.client(client).unwrap().records();
/// assert!(records.iter().all(|record| record.answered_at.is_some()));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RaftClient {
    servers: usize,
    workload: Workload,
    target: NodeId,
    records: Vec<RequestRecord>,
    waiting: bool,
    retry: Option<TimerId>,
}

impl RaftClient {
    pub(crate) fn new(servers: usize, workload: Workload) -> RaftClient {
        RaftClient {
            servers,
            workload,
            target: 0,
            records: Vec::new(),
            waiting: false,
            retry: None,
        }
    }

    /// Every request made so far, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing, Workload};
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// let client = cluster.add_client(Workload::writes(1))?;
    /// assert!(cluster.client(client).unwrap().records().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn records(&self) -> &[RequestRecord] {
        &self.records
    }

    fn send_current(&mut self, ctx: &mut Context<'_, Wire>) {
        let Some(record) = self.records.last_mut() else {
            return;
        };
        record.attempts += 1;
        let command = Command {
            client: record.client,
            sequence: record.sequence,
            operation: record.operation,
        };
        ctx.send(self.target, Wire::Request(command));
        if let Some(timer) = self.retry.take() {
            ctx.cancel_timer(timer);
        }
        self.retry = Some(ctx.set_timer(self.workload.retry_after, RETRY));
    }

    fn start_next(&mut self, ctx: &mut Context<'_, Wire>) {
        let sequence = self.records.len() as u32 + 1;
        if sequence > self.workload.requests {
            return;
        }
        let client = ctx.me() as u32;
        let operation = if ctx.rng().chance(self.workload.reads) {
            Operation::Read
        } else {
            Operation::Write(u64::from(client) * 1_000_000 + u64::from(sequence))
        };
        self.records.push(RequestRecord {
            client,
            sequence,
            operation,
            invoked_at: ctx.now(),
            answered_at: None,
            outcome: None,
            attempts: 0,
        });
        self.waiting = true;
        self.send_current(ctx);
    }

    fn current_sequence(&self) -> Option<u32> {
        self.records
            .last()
            .filter(|_| self.waiting)
            .map(|record| record.sequence)
    }
}

impl Node<Wire> for RaftClient {
    fn on_start(&mut self, ctx: &mut Context<'_, Wire>) {
        ctx.set_timer(self.workload.interval, NEXT);
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Wire>, _from: NodeId, message: Wire) {
        let Wire::Reply(reply) = message else {
            return;
        };
        if self.current_sequence() != Some(reply.sequence) {
            return;
        }
        match reply.outcome {
            Outcome::NotLeader { leader } => {
                // Follow a fresh hint at once; otherwise wait for the retry timer.
                if let Some(leader) = leader.filter(|&leader| leader != self.target) {
                    self.target = leader;
                    self.send_current(ctx);
                }
            }
            outcome => {
                if let Some(record) = self.records.last_mut() {
                    record.answered_at = Some(ctx.now());
                    record.outcome = Some(outcome);
                }
                self.waiting = false;
                if let Some(timer) = self.retry.take() {
                    ctx.cancel_timer(timer);
                }
                ctx.set_timer(self.workload.interval, NEXT);
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Wire>, tag: u64) {
        if tag == NEXT {
            self.start_next(ctx);
            return;
        }
        // The retry timer of the request still waiting: try the next server.
        self.retry = None;
        if tag == RETRY && self.waiting {
            self.target = (self.target + 1) % self.servers;
            self.send_current(ctx);
        }
    }
}
