//! Causal delivery with Lamport timestamps alone: hold a message until every other process has
//! been heard from with a timestamp at least as large.
//!
//! Over FIFO links this is enough. If `a → b` then `L(a) < L(b)`, and once every process has sent
//! something stamped at least `L(b)`, FIFO order means every message stamped below it has
//! arrived, `a` included; delivering in timestamp order (ties by sender) then gives causal order.
//! Processes that hold back their own messages too all deliver in one total order; this layer
//! delivers a process's own messages at once, as [`CausalBroadcast`](super::CausalBroadcast)
//! does. Lamport's 1978 paper builds its mutual exclusion on this rule,
//! and GentleRain (Du et al., 2014) makes remote updates visible once a *global stable time*
//! passes them. The price is that a receiver waits for *every* process, not only for the ones
//! its message depends on: a process with nothing to say must keep sending heartbeats, and a
//! process that falls silent blocks delivery everywhere. Vector timestamps
//! ([`CausalBroadcast`](super::CausalBroadcast)) wait only for the actual dependencies.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Dot;
use super::causal::{CausalParameters, Delivery, Member, Post, comment_schedules};
use crate::sim::{Context, Link, Node, NodeId, SimError, Simulation, Time, crash};

/// A message of the timestamp-ordered broadcast: its sender, Lamport time and, unless it is a
/// heartbeat, its content.
///
/// # Examples
///
/// ```
/// use lessons::clocks::StableDelivery;
///
/// let mut a: StableDelivery<&str> = StableDelivery::new(0, 3)?;
/// assert_eq!(a.broadcast("hi").time, 1);
/// assert_eq!(a.heartbeat().payload, None);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped<T> {
    /// Who sent it.
    pub sender: NodeId,
    /// The sender's Lamport time when sending.
    pub time: u64,
    /// What it carries; `None` for a heartbeat.
    pub payload: Option<T>,
}

/// One process's delivery layer under the stable-timestamp rule: a message stamped `t` is
/// delivered once every other process has been heard from with a timestamp of at least `t`,
/// in timestamp order (ties by sender). Correct only over FIFO links. A process delivers its own
/// broadcasts at once.
///
/// It lets you test the claim "Lamport timestamps cannot implement causal delivery" (they can)
/// and see the cost: one silent process stops all delivery.
///
/// # Examples
///
/// A comment from 0 (time 1), a reply from 1 (time 3); process 2 receives the reply first and
/// holds it until it has heard from 0 with a timestamp of at least 3.
///
/// ```
/// use lessons::clocks::StableDelivery;
///
/// let mut alice = StableDelivery::new(0, 3)?;
/// let mut bob = StableDelivery::new(1, 3)?;
/// let mut carol = StableDelivery::new(2, 3)?;
/// let comment = alice.broadcast("comment");
/// bob.receive(comment.clone());
/// let reply = bob.broadcast("reply");
/// assert_eq!(reply.time, 3);
/// assert!(carol.receive(reply).is_empty()); // nothing heard from 0 yet
/// assert_eq!(carol.receive(comment), [(0, "comment")]); // 0 and 1 have passed time 1
/// assert!(carol.receive(alice.heartbeat()).is_empty()); // 0 is at time 2
/// assert_eq!(carol.receive(alice.heartbeat()), [(1, "reply")]); // 0 is at time 3
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct StableDelivery<T> {
    me: NodeId,
    clock: u64,
    heard: Vec<u64>,
    held: BTreeMap<(u64, NodeId), T>,
}

impl<T> StableDelivery<T> {
    /// The layer of process `me` in a group of `members` processes.
    ///
    /// # Errors
    ///
    /// A [`SimError`] unless `members` is from 2 to 1000 and `me` below it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::StableDelivery;
    ///
    /// let error = StableDelivery::<()>::new(3, 3).unwrap_err();
    /// assert_eq!(error.to_string(), "process 3 is not allowed; from 0 to members - 1 = 2");
    /// ```
    pub fn new(me: NodeId, members: usize) -> Result<StableDelivery<T>, SimError> {
        if !(2..=1000).contains(&members) {
            return Err(SimError::parameter(
                "members",
                members.to_string(),
                "from 2 to 1000",
            ));
        }
        if me >= members {
            return Err(SimError::parameter(
                "process",
                me.to_string(),
                format!("from 0 to members - 1 = {}", members - 1),
            ));
        }
        Ok(StableDelivery {
            me,
            clock: 0,
            heard: vec![0; members],
            held: BTreeMap::new(),
        })
    }

    /// Stamps `payload` with the next Lamport time, for broadcasting.
    ///
    /// # Examples
    ///
    /// See [`StableDelivery`].
    pub fn broadcast(&mut self, payload: T) -> Stamped<T> {
        self.stamp(Some(payload))
    }

    /// A message with no content, sent so that the others can pass this process's time.
    ///
    /// # Examples
    ///
    /// See [`StableDelivery`].
    pub fn heartbeat(&mut self) -> Stamped<T> {
        self.stamp(None)
    }

    fn stamp(&mut self, payload: Option<T>) -> Stamped<T> {
        self.clock += 1;
        Stamped {
            sender: self.me,
            time: self.clock,
            payload,
        }
    }

    /// Takes a received message and returns the messages that are now stable, in delivery
    /// order, each with its sender.
    ///
    /// # Examples
    ///
    /// See [`StableDelivery`].
    pub fn receive(&mut self, message: Stamped<T>) -> Vec<(NodeId, T)> {
        self.clock = self.clock.max(message.time) + 1;
        if let Some(heard) = self.heard.get_mut(message.sender) {
            *heard = (*heard).max(message.time);
        }
        if let Some(payload) = message.payload {
            self.held.insert((message.time, message.sender), payload);
        }
        let stable = self.stable_time();
        let mut ready = Vec::new();
        while let Some(entry) = self.held.first_entry() {
            if entry.key().0 > stable {
                break;
            }
            let ((_, sender), payload) = entry.remove_entry();
            ready.push((sender, payload));
        }
        ready
    }

    /// The largest time every other process has been heard from at: every message stamped at
    /// or below it has arrived (over FIFO links).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::StableDelivery;
    ///
    /// let mut a = StableDelivery::<()>::new(0, 3)?;
    /// let mut b = StableDelivery::<()>::new(1, 3)?;
    /// a.receive(b.heartbeat());
    /// assert_eq!(a.stable_time(), 0); // nothing from process 2 yet
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn stable_time(&self) -> u64 {
        self.heard
            .iter()
            .enumerate()
            .filter(|&(node, _)| node != self.me)
            .map(|(_, &time)| time)
            .min()
            .unwrap_or(self.clock)
    }

    /// How many received messages wait to become stable.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::StableDelivery;
    ///
    /// let mut a = StableDelivery::new(0, 3)?;
    /// let mut b = StableDelivery::new(1, 3)?;
    /// a.receive(b.broadcast('x'));
    /// assert_eq!(a.held(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn held(&self) -> usize {
        self.held.len()
    }
}

/// A discussion member like [`Member`], delivering by stable Lamport timestamps and
/// broadcasting a heartbeat every `heartbeat` until `until`, so that the others can pass its
/// time when it has nothing to post.
///
/// # Examples
///
/// ```
/// use lessons::clocks::TimestampMember;
/// use lessons::sim::{Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// for comments in [vec![ms(1)], vec![], vec![]] {
///     sim.add_node("", move || TimestampMember::new(comments.clone(), 1.0, ms(10), ms(100)));
/// }
/// sim.run()?;
/// let b = sim.node::<TimestampMember>(1).unwrap();
/// assert_eq!((b.shown(), b.anomalies()), (3, 0)); // A's comment, B's and C's replies
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TimestampMember {
    layer: Option<StableDelivery<Post>>,
    comments_at: Vec<Time>,
    reply_probability: f64,
    heartbeat: Time,
    until: Time,
    posts: u64,
    shown_posts: Vec<Dot>,
    anomalies: usize,
    arrived: BTreeMap<Dot, Time>,
    holds: Vec<Time>,
    queue: Vec<(Time, usize)>,
}

const COMMENT: u64 = 0;
const HEARTBEAT: u64 = 1;

impl TimestampMember {
    /// A member commenting at `comments_at`, replying to each comment of another member it is
    /// shown with probability `reply_probability`, with a heartbeat every `heartbeat` up to
    /// true time `until`.
    ///
    /// # Examples
    ///
    /// See [`TimestampMember`].
    pub fn new(
        comments_at: Vec<Time>,
        reply_probability: f64,
        heartbeat: Time,
        until: Time,
    ) -> TimestampMember {
        TimestampMember {
            layer: None,
            comments_at,
            reply_probability,
            heartbeat,
            until,
            posts: 0,
            shown_posts: Vec::new(),
            anomalies: 0,
            arrived: BTreeMap::new(),
            holds: Vec::new(),
            queue: Vec::new(),
        }
    }

    /// Posts shown to this member, its own included.
    ///
    /// # Examples
    ///
    /// See [`TimestampMember`].
    pub fn shown(&self) -> usize {
        self.shown_posts.len()
    }

    /// Replies shown before the post they answer.
    ///
    /// # Examples
    ///
    /// See [`TimestampMember`].
    pub fn anomalies(&self) -> usize {
        self.anomalies
    }

    /// How long each message that had to wait was held, from arrival to delivery.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::TimestampMember;
    /// use lessons::sim::ms;
    ///
    /// assert!(TimestampMember::new(vec![], 0.5, ms(10), ms(100)).hold_times().is_empty());
    /// ```
    pub fn hold_times(&self) -> &[Time] {
        &self.holds
    }

    /// The hold-back queue's length after each arrival, with the time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::TimestampMember;
    /// use lessons::sim::ms;
    ///
    /// assert!(TimestampMember::new(vec![], 0.5, ms(10), ms(100)).queue_lengths().is_empty());
    /// ```
    pub fn queue_lengths(&self) -> &[(Time, usize)] {
        &self.queue
    }

    /// Messages still held when the run ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::TimestampMember;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(TimestampMember::new(vec![], 0.5, ms(10), ms(100)).still_held(), 0);
    /// ```
    pub fn still_held(&self) -> usize {
        self.layer.as_ref().map_or(0, StableDelivery::held)
    }

    fn layer(&mut self, ctx: &Context<'_, Stamped<Post>>) -> &mut StableDelivery<Post> {
        let (me, members) = (ctx.me(), ctx.node_count());
        self.layer.get_or_insert_with(|| {
            StableDelivery::new(me, members.max(2)).expect("a simulation numbers its nodes")
        })
    }

    fn post(&mut self, ctx: &mut Context<'_, Stamped<Post>>, reply_to: Option<Dot>) {
        self.posts += 1;
        let id = Dot {
            node: ctx.me(),
            counter: self.posts,
        };
        let message = self.layer(ctx).broadcast(Post { id, reply_to });
        self.shown_posts.push(id);
        ctx.broadcast(message);
    }
}

impl Node<Stamped<Post>> for TimestampMember {
    fn on_start(&mut self, ctx: &mut Context<'_, Stamped<Post>>) {
        for &at in &self.comments_at {
            ctx.set_timer(at - ctx.now(), COMMENT);
        }
        ctx.set_timer(self.heartbeat, HEARTBEAT);
    }

    fn on_message(
        &mut self,
        ctx: &mut Context<'_, Stamped<Post>>,
        _from: NodeId,
        message: Stamped<Post>,
    ) {
        if let Some(post) = &message.payload {
            self.arrived.insert(post.id, ctx.now());
        }
        let ready = self.layer(ctx).receive(message);
        let held = self.layer(ctx).held();
        self.queue.push((ctx.now(), held));
        let mut answers = Vec::new();
        for (_, Post { id, reply_to }) in ready {
            let early = reply_to.is_some_and(|parent| !self.shown_posts.contains(&parent));
            self.anomalies += usize::from(early);
            self.shown_posts.push(id);
            if let Some(arrived) = self.arrived.remove(&id)
                && arrived < ctx.now()
            {
                self.holds.push(ctx.now() - arrived);
            }
            if reply_to.is_none() && id.node != ctx.me() && ctx.rng().chance(self.reply_probability)
            {
                answers.push(id);
            }
        }
        for parent in answers {
            self.post(ctx, Some(parent));
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Stamped<Post>>, tag: u64) {
        if tag == COMMENT {
            self.post(ctx, None);
        } else if ctx.now() < self.until {
            let beat = self.layer(ctx).heartbeat();
            ctx.broadcast(beat);
            ctx.set_timer(self.heartbeat, HEARTBEAT);
        }
    }
}

/// What one delivery rule showed in a [`silent_member_experiment`].
///
/// # Examples
///
/// See [`silent_member_experiment`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitRow {
    /// The rule: vector timestamps or stable Lamport timestamps.
    pub delivery: &'static str,
    /// Whether the last member fell silent (crashed) midway.
    pub one_member_silent: bool,
    /// Posts shown to members other than their author, at the members still running.
    pub shown: usize,
    /// Replies shown before the post they answer.
    pub anomalies: usize,
    /// Messages held back at all.
    pub held_back: usize,
    /// Their mean hold time, in milliseconds (0 if none).
    pub mean_hold_ms: f64,
    /// Messages that arrived and were never delivered.
    pub never_delivered: usize,
}

/// The discussion of [`causal_experiment`](super::causal_experiment) over FIFO links, delivered
/// once with vector timestamps and once with stable Lamport timestamps (members broadcast a
/// heartbeat every `heartbeat`); with `silent_from`, the last member crashes at that true time.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range, or `heartbeat` is not from 1 ms to 10 s.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CausalParameters, silent_member_experiment};
/// use lessons::sim::{ms, secs};
///
/// let rows = silent_member_experiment(&CausalParameters::default(), ms(100), Some(secs(5)), 1)?;
/// assert_eq!(rows.len(), 2);
/// assert!(rows.iter().all(|row| row.anomalies == 0));
/// assert_eq!(rows[0].never_delivered, 0); // vector timestamps wait only for dependencies
/// assert!(rows[1].never_delivered > 0); // the silent member blocks the stable time
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn silent_member_experiment(
    parameters: &CausalParameters,
    heartbeat: Time,
    silent_from: Option<Time>,
    seed: u64,
) -> Result<Vec<WaitRow>, SimError> {
    let stamps = stable_discussion_run(parameters, heartbeat, silent_from, seed)?;
    let schedules = comment_schedules(parameters, seed);
    let reply = parameters.reply_probability;
    let vectors = run_with(parameters, silent_from, seed, |sim| {
        for (member, schedule) in schedules.iter().cloned().enumerate() {
            sim.add_node(super::node_name(member), move || {
                Member::new(Delivery::Causal, schedule.clone(), reply)
            });
        }
    })?;
    let silent = silent_from.is_some();
    let vector_members: Vec<&Member> = (0..vectors.node_count())
        .filter_map(|node| vectors.node::<Member>(node))
        .collect();
    let stamp_members: Vec<&TimestampMember> = (0..stamps.node_count())
        .filter_map(|node| stamps.node::<TimestampMember>(node))
        .collect();
    Ok(vec![
        wait_row(
            "vector timestamps",
            silent,
            vector_members.iter().map(|m| {
                (
                    m.shown(),
                    m.posts(),
                    m.anomalies(),
                    m.hold_times(),
                    m.still_held(),
                )
            }),
        ),
        wait_row(
            "stable Lamport timestamps",
            silent,
            stamp_members.iter().map(|m| {
                (
                    m.shown(),
                    m.posts as usize,
                    m.anomalies(),
                    m.hold_times(),
                    m.still_held(),
                )
            }),
        ),
    ])
}

/// The discussion of [`silent_member_experiment`] under stable Lamport timestamps alone, one
/// [`TimestampMember`] per member, named `A`, `B`, ...: for looking inside the run (each
/// member's hold-back queue, say).
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range, or `heartbeat` is not from 1 ms to 10 s.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CausalParameters, TimestampMember, stable_discussion_run};
/// use lessons::sim::{ms, secs};
///
/// let parameters = CausalParameters::default();
/// let run = stable_discussion_run(&parameters, ms(100), Some(secs(5)), 1)?;
/// let a = run.node::<TimestampMember>(0).unwrap();
/// assert!(a.still_held() > 0); // E's silence keeps A's queue from draining
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn stable_discussion_run(
    parameters: &CausalParameters,
    heartbeat: Time,
    silent_from: Option<Time>,
    seed: u64,
) -> Result<Simulation<Stamped<Post>>, SimError> {
    parameters.validate()?;
    if heartbeat < crate::sim::ms(1) || heartbeat > crate::sim::secs(10) {
        return Err(SimError::parameter(
            "heartbeat",
            heartbeat.to_string(),
            "from 1 ms to 10 s",
        ));
    }
    let reply = parameters.reply_probability;
    let until = parameters.span + crate::sim::secs(5);
    let schedules = comment_schedules(parameters, seed);
    run_with(parameters, silent_from, seed, |sim| {
        for (member, schedule) in schedules.into_iter().enumerate() {
            sim.add_node(super::node_name(member), move || {
                TimestampMember::new(schedule.clone(), reply, heartbeat, until)
            });
        }
    })
}

fn run_with<M: Clone + std::fmt::Debug + 'static>(
    parameters: &CausalParameters,
    silent_from: Option<Time>,
    seed: u64,
    add_members: impl FnOnce(&mut Simulation<M>),
) -> Result<Simulation<M>, SimError> {
    let mut sim = Simulation::new(seed);
    add_members(&mut sim);
    sim.set_links(Link::new().latency(parameters.latency.clone()).fifo(true))?;
    if let Some(at) = silent_from {
        sim.add_fault(crash(parameters.members - 1).at(at))?;
    }
    sim.run()?;
    Ok(sim)
}

fn wait_row<'a>(
    delivery: &'static str,
    one_member_silent: bool,
    members: impl Iterator<Item = (usize, usize, usize, &'a [Time], usize)>,
) -> WaitRow {
    let mut row = WaitRow {
        delivery,
        one_member_silent,
        shown: 0,
        anomalies: 0,
        held_back: 0,
        mean_hold_ms: 0.0,
        never_delivered: 0,
    };
    let mut total_hold = 0.0;
    for (shown, own, anomalies, holds, stuck) in members {
        row.shown += shown - own;
        row.anomalies += anomalies;
        row.held_back += holds.len();
        total_hold += holds.iter().map(|t| t.as_millis_f64()).sum::<f64>();
        row.never_delivered += stuck;
    }
    if row.held_back > 0 {
        row.mean_hold_ms = total_hold / row.held_back as f64;
    }
    row
}
