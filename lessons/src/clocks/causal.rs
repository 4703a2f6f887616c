//! Causal delivery: holding a broadcast back until everything it depends on has been delivered,
//! compared with delivering at once and with FIFO delivery.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{Dot, VectorClock};
use crate::sim::{Context, Latency, Link, Node, NodeId, SimError, Simulation, Time, ms};

/// When a received broadcast may be handed to the application.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Delivery;
///
/// assert_eq!(Delivery::ALL.map(Delivery::name), ["immediate", "FIFO", "causal"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Delivery {
    /// At once, in whatever order the network brings messages (eventual consistency).
    Immediate,
    /// Each sender's messages in the order it sent them; different senders in any order.
    Fifo,
    /// Only after every message the sender had delivered before sending it (vector timestamps).
    Causal,
}

impl Delivery {
    /// The three modes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::Delivery::ALL.len(), 3);
    /// ```
    pub const ALL: [Delivery; 3] = [Delivery::Immediate, Delivery::Fifo, Delivery::Causal];

    /// The mode's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::Delivery::Causal.name(), "causal");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::Fifo => "FIFO",
            Delivery::Causal => "causal",
        }
    }
}

/// A broadcast message: its sender, its vector timestamp and what it carries.
///
/// The timestamp counts, per node, the broadcasts the sender had delivered when it sent this
/// one; the sender's own entry is this message's number among its broadcasts, so
/// `(sender, stamp.get(sender))` identifies the message (its [`dot`](Self::dot)).
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CausalBroadcast, Delivery};
///
/// let mut a = CausalBroadcast::new(0, Delivery::Causal);
/// let message = a.broadcast("hello");
/// assert_eq!((message.sender, message.stamp.get(0)), (0, 1));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Broadcast<T> {
    /// Who broadcast it.
    pub sender: NodeId,
    /// What the sender had delivered, with its own entry counting this message.
    pub stamp: VectorClock,
    /// The application's content.
    pub payload: T,
}

impl<T> Broadcast<T> {
    /// The message's identity: its sender and its number among the sender's broadcasts.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{CausalBroadcast, Delivery, Dot};
    ///
    /// let mut a = CausalBroadcast::new(2, Delivery::Fifo);
    /// a.broadcast(());
    /// assert_eq!(a.broadcast(()).dot(), Dot { node: 2, counter: 2 });
    /// ```
    pub fn dot(&self) -> Dot {
        Dot {
            node: self.sender,
            counter: self.stamp.get(self.sender),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Broadcast<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.payload)
    }
}

/// One node's broadcast layer: stamps what the node broadcasts, and decides when what it
/// receives is delivered, holding messages back as its [`Delivery`] mode requires.
///
/// Causal mode uses the rule of Birman, Schiper and Stephenson (1991): a message from `s` is
/// delivered when it is the next one from `s` (`stamp[s] = delivered[s] + 1`) and the sender
/// had delivered nothing this node has not (`stamp[k] ≤ delivered[k]` for every other `k`).
/// A Lamport timestamp could not support this rule: one number does not say which messages
/// are missing ([`StableDelivery`](super::StableDelivery) uses Lamport timestamps another way,
/// waiting for every process). FIFO mode checks only the first condition. A node delivers its own broadcasts
/// at once. Copies of a message already delivered are ignored.
///
/// # Examples
///
/// A comment from node 0, a reply from node 1 that had delivered it; node 2 receives the reply
/// first.
///
/// ```
/// use lessons::clocks::{CausalBroadcast, Delivery};
///
/// let mut alice = CausalBroadcast::new(0, Delivery::Causal);
/// let mut bob = CausalBroadcast::new(1, Delivery::Causal);
/// let mut carol = CausalBroadcast::new(2, Delivery::Causal);
/// let comment = alice.broadcast("comment");
/// bob.receive(comment.clone());
/// let reply = bob.broadcast("reply");
/// assert!(carol.receive(reply).is_empty()); // held back
/// assert_eq!(carol.held(), 1);
/// let delivered: Vec<&str> = carol.receive(comment).into_iter().map(|m| m.payload).collect();
/// assert_eq!(delivered, ["comment", "reply"]);
/// ```
#[derive(Debug, Clone)]
pub struct CausalBroadcast<T> {
    me: NodeId,
    mode: Delivery,
    delivered: VectorClock,
    held: Vec<Broadcast<T>>,
}

impl<T: Clone> CausalBroadcast<T> {
    /// The layer of node `me`, delivering by `mode`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{CausalBroadcast, Delivery};
    ///
    /// let layer: CausalBroadcast<String> = CausalBroadcast::new(0, Delivery::Causal);
    /// assert_eq!(layer.held(), 0);
    /// ```
    pub fn new(me: NodeId, mode: Delivery) -> CausalBroadcast<T> {
        CausalBroadcast {
            me,
            mode,
            delivered: VectorClock::new(),
            held: Vec::new(),
        }
    }

    /// Stamps `payload` for broadcasting, and delivers it here at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{CausalBroadcast, Delivery};
    ///
    /// let mut layer = CausalBroadcast::new(1, Delivery::Causal);
    /// layer.broadcast(7);
    /// assert_eq!(layer.delivered().get(1), 1);
    /// ```
    pub fn broadcast(&mut self, payload: T) -> Broadcast<T> {
        self.delivered.tick(self.me);
        Broadcast {
            sender: self.me,
            stamp: self.delivered.clone(),
            payload,
        }
    }

    /// Takes a received message and returns every message that can now be delivered, in
    /// delivery order: possibly none (it is held back), possibly several (it released others).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{CausalBroadcast, Delivery};
    ///
    /// let mut sender = CausalBroadcast::new(0, Delivery::Fifo);
    /// let first = sender.broadcast(1);
    /// let second = sender.broadcast(2);
    /// let mut receiver = CausalBroadcast::new(1, Delivery::Fifo);
    /// assert!(receiver.receive(second).is_empty());
    /// assert_eq!(receiver.receive(first).len(), 2);
    /// ```
    pub fn receive(&mut self, message: Broadcast<T>) -> Vec<Broadcast<T>> {
        let mut ready = Vec::new();
        if self.is_duplicate(&message) {
            return ready;
        }
        if self.mode == Delivery::Immediate {
            self.delivered.apply(message.dot());
            ready.push(message);
            return ready;
        }
        self.held.push(message);
        while let Some(position) = self.held.iter().position(|m| self.deliverable(m)) {
            let message = self.held.remove(position);
            self.delivered.apply(message.dot());
            ready.push(message);
        }
        ready
    }

    /// How many received messages wait for their dependencies.
    ///
    /// # Examples
    ///
    /// See [`CausalBroadcast`].
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// How many broadcasts of each node have been delivered here (for immediate delivery, the
    /// largest number delivered per node).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{CausalBroadcast, Delivery};
    ///
    /// let layer: CausalBroadcast<()> = CausalBroadcast::new(0, Delivery::Immediate);
    /// assert!(layer.delivered().is_empty());
    /// ```
    pub fn delivered(&self) -> &VectorClock {
        &self.delivered
    }

    fn is_duplicate(&self, message: &Broadcast<T>) -> bool {
        let dot = message.dot();
        let done = match self.mode {
            Delivery::Immediate => false,
            _ => dot.counter <= self.delivered.get(dot.node),
        };
        done || self.held.iter().any(|held| held.dot() == dot)
    }

    fn deliverable(&self, message: &Broadcast<T>) -> bool {
        let sender = message.sender;
        let next = message.stamp.get(sender) == self.delivered.get(sender) + 1;
        match self.mode {
            Delivery::Immediate => true,
            Delivery::Fifo => next,
            Delivery::Causal => {
                next && message
                    .stamp
                    .iter()
                    .all(|(node, count)| node == sender || count <= self.delivered.get(node))
            }
        }
    }
}

/// A post in a discussion: a comment, or a reply to an earlier post.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Dot, Post};
///
/// let reply = Post { id: Dot { node: 1, counter: 1 }, reply_to: Some(Dot { node: 0, counter: 1 }) };
/// assert_eq!(format!("{reply:?}"), "reply B1 to A1");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Post {
    /// Its author and number among the author's posts.
    pub id: Dot,
    /// The post it answers.
    pub reply_to: Option<Dot>,
}

fn post_name(dot: Dot) -> String {
    format!("{}{}", super::node_name(dot.node), dot.counter)
}

impl fmt::Debug for Post {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reply_to {
            Some(parent) => write!(f, "reply {} to {}", post_name(self.id), post_name(parent)),
            None => write!(f, "comment {}", post_name(self.id)),
        }
    }
}

/// A member of a discussion group, over a [`CausalBroadcast`] layer: it posts comments at
/// given times, replies at once to some of the comments it sees, and counts the anomalies its
/// readers would see: a reply shown before the post it answers.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Delivery, Member};
/// use lessons::sim::{Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Member::new(Delivery::Causal, vec![ms(1)], 1.0));
/// sim.add_node("B", || Member::new(Delivery::Causal, vec![], 1.0));
/// sim.run()?;
/// assert_eq!(sim.node::<Member>(0).unwrap().shown(), 2); // A's comment, B's reply
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Member {
    layer: Option<CausalBroadcast<Post>>,
    mode: Delivery,
    comments_at: Vec<Time>,
    reply_probability: f64,
    posts: u64,
    shown_posts: Vec<Dot>,
    anomalies: usize,
    arrived: BTreeMap<Dot, Time>,
    holds: Vec<Time>,
    queue: Vec<(Time, usize)>,
}

impl Member {
    /// A member delivering by `mode`, commenting at the true times `comments_at`, and replying
    /// to each comment of another member it is shown with probability `reply_probability`.
    ///
    /// # Examples
    ///
    /// See [`Member`].
    pub fn new(mode: Delivery, comments_at: Vec<Time>, reply_probability: f64) -> Member {
        Member {
            layer: None,
            mode,
            comments_at,
            reply_probability,
            posts: 0,
            shown_posts: Vec::new(),
            anomalies: 0,
            arrived: BTreeMap::new(),
            holds: Vec::new(),
            queue: Vec::new(),
        }
    }

    /// How many posts this member has been shown, its own included.
    ///
    /// # Examples
    ///
    /// See [`Member`].
    pub fn shown(&self) -> usize {
        self.shown_posts.len()
    }

    /// Replies shown before the post they answer.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Delivery, Member};
    ///
    /// assert_eq!(Member::new(Delivery::Causal, vec![], 0.5).anomalies(), 0);
    /// ```
    pub fn anomalies(&self) -> usize {
        self.anomalies
    }

    /// How long each message that had to wait was held back, from arrival to delivery.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Delivery, Member};
    ///
    /// assert!(Member::new(Delivery::Fifo, vec![], 0.5).hold_times().is_empty());
    /// ```
    pub fn hold_times(&self) -> &[Time] {
        &self.holds
    }

    /// The hold-back queue's length after each arrival, with the time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Delivery, Member};
    ///
    /// assert!(Member::new(Delivery::Causal, vec![], 0.5).queue_lengths().is_empty());
    /// ```
    pub fn queue_lengths(&self) -> &[(Time, usize)] {
        &self.queue
    }

    /// Messages still held back when the run ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Delivery, Member};
    ///
    /// assert_eq!(Member::new(Delivery::Causal, vec![], 0.5).still_held(), 0);
    /// ```
    pub fn still_held(&self) -> usize {
        self.layer.as_ref().map_or(0, CausalBroadcast::held)
    }

    /// Posts this member wrote.
    pub(crate) fn posts(&self) -> usize {
        self.posts as usize
    }

    fn layer(&mut self, me: NodeId) -> &mut CausalBroadcast<Post> {
        let mode = self.mode;
        self.layer
            .get_or_insert_with(|| CausalBroadcast::new(me, mode))
    }

    fn post(&mut self, ctx: &mut Context<'_, Broadcast<Post>>, reply_to: Option<Dot>) {
        self.posts += 1;
        let id = Dot {
            node: ctx.me(),
            counter: self.posts,
        };
        let post = Post { id, reply_to };
        let message = self.layer(ctx.me()).broadcast(post);
        self.shown_posts.push(id);
        ctx.note(format!("{post:?}"));
        ctx.broadcast(message);
    }

    /// Shows `post` to the reader: returns the delivery's label, and the post to reply to if
    /// the member decides to answer it.
    fn show(
        &mut self,
        ctx: &mut Context<'_, Broadcast<Post>>,
        post: Post,
    ) -> (String, Option<Dot>) {
        let early = post
            .reply_to
            .is_some_and(|parent| !self.shown_posts.contains(&parent));
        self.anomalies += usize::from(early);
        self.shown_posts.push(post.id);
        if let Some(arrived) = self.arrived.remove(&post.id)
            && arrived < ctx.now()
        {
            self.holds.push(ctx.now() - arrived);
        }
        let name = post_name(post.id);
        let label = if early {
            format!("show {name}, parent unseen!")
        } else {
            format!("show {name}")
        };
        let answer = post.reply_to.is_none()
            && post.id.node != ctx.me()
            && ctx.rng().chance(self.reply_probability);
        (label, answer.then_some(post.id))
    }
}

impl Node<Broadcast<Post>> for Member {
    fn on_start(&mut self, ctx: &mut Context<'_, Broadcast<Post>>) {
        for &at in &self.comments_at {
            ctx.set_timer(at - ctx.now(), 0);
        }
    }

    fn on_message(
        &mut self,
        ctx: &mut Context<'_, Broadcast<Post>>,
        _from: NodeId,
        message: Broadcast<Post>,
    ) {
        self.arrived.insert(message.payload.id, ctx.now());
        let ready = self.layer(ctx.me()).receive(message);
        let held = self.layer(ctx.me()).held();
        self.queue.push((ctx.now(), held));
        let mut labels = Vec::new();
        let mut answers = Vec::new();
        for delivered in ready {
            let (label, answer) = self.show(ctx, delivered.payload);
            labels.push(label);
            answers.extend(answer);
        }
        if labels.is_empty() {
            labels.push("hold".into());
        }
        ctx.label(labels.join("; "));
        for parent in answers {
            self.post(ctx, Some(parent));
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Broadcast<Post>>, _tag: u64) {
        self.post(ctx, None);
    }
}

/// The settings of a [`causal_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::clocks::CausalParameters;
///
/// assert!(CausalParameters::default().validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CausalParameters {
    /// Members of the group, from 3 to 26.
    pub members: usize,
    /// Comments per member, at most 10 000, at random times within `span`.
    pub comments_per_member: usize,
    /// The chance that a member replies to a comment it is shown, in `[0, 1]`.
    pub reply_probability: f64,
    /// The time over which comments are spread.
    pub span: Time,
    /// How long messages take.
    pub latency: Latency,
}

impl Default for CausalParameters {
    /// Five members, 40 comments each over 10 s, replies to 30% of comments, log-normal delays
    /// with a median of 20 ms and σ = 1.
    fn default() -> CausalParameters {
        CausalParameters {
            members: 5,
            comments_per_member: 40,
            reply_probability: 0.3,
            span: crate::sim::secs(10),
            latency: Latency::log_normal(ms(20), 1.0),
        }
    }
}

impl CausalParameters {
    /// Checks every parameter.
    ///
    /// # Errors
    ///
    /// A [`SimError`] naming the first parameter out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::CausalParameters;
    ///
    /// let pair = CausalParameters { members: 2, ..CausalParameters::default() };
    /// assert_eq!(pair.validate().unwrap_err().to_string(), "members 2 is not allowed; from 3 to 26");
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        if !(3..=26).contains(&self.members) {
            return Err(SimError::parameter(
                "members",
                self.members.to_string(),
                "from 3 to 26",
            ));
        }
        if self.comments_per_member > 10_000 {
            return Err(SimError::parameter(
                "comments per member",
                self.comments_per_member.to_string(),
                "at most 10000",
            ));
        }
        if !(0.0..=1.0).contains(&self.reply_probability) {
            return Err(SimError::Probability {
                name: "reply",
                value: self.reply_probability,
            });
        }
        if self.span <= Time::ZERO || self.span > crate::sim::secs(86_400) {
            return Err(SimError::parameter(
                "span",
                self.span.to_string(),
                "more than 0 and at most a day",
            ));
        }
        self.latency.validate()
    }
}

/// What one delivery mode showed in a [`causal_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CausalParameters, causal_experiment};
///
/// let rows = causal_experiment(&CausalParameters::default(), 1)?;
/// assert_eq!(rows.len(), 3);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CausalRow {
    /// The delivery mode.
    pub delivery: &'static str,
    /// Posts written (comments and replies).
    pub posts: usize,
    /// Posts shown to members other than their author.
    pub shown: usize,
    /// Replies shown before the post they answer.
    pub anomalies: usize,
    /// Messages held back at all.
    pub held_back: usize,
    /// Their mean hold time, in milliseconds (0 if none).
    pub mean_hold_ms: f64,
    /// The longest hold-back queue any member had.
    pub longest_queue: usize,
}

/// Runs the same discussion (the same comment times, the same network) with each delivery
/// mode, and counts what the members saw.
///
/// Replies depend on what a member is shown, so the runs differ after the first reply; the
/// comment schedule and the network's delays are drawn from the same seed.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CausalParameters, causal_experiment};
///
/// let rows = causal_experiment(&CausalParameters::default(), 1)?;
/// assert!(rows[0].anomalies > 0); // immediate delivery shows replies before comments
/// assert_eq!(rows[2].anomalies, 0); // causal delivery never does
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn causal_experiment(
    parameters: &CausalParameters,
    seed: u64,
) -> Result<Vec<CausalRow>, SimError> {
    parameters.validate()?;
    Delivery::ALL
        .iter()
        .map(|&mode| {
            let run = discussion_run(mode, parameters, seed)?;
            let members: Vec<&Member> = (0..run.node_count())
                .filter_map(|node| run.node::<Member>(node))
                .collect();
            let posts: usize = members.iter().map(|m| m.posts as usize).sum();
            let holds: Vec<Time> = members
                .iter()
                .flat_map(|m| m.hold_times().iter().copied())
                .collect();
            let total_hold: f64 = holds.iter().map(|t| t.as_millis_f64()).sum();
            Ok(CausalRow {
                delivery: mode.name(),
                posts,
                shown: members.iter().map(|m| m.shown()).sum::<usize>() - posts,
                anomalies: members.iter().map(|m| m.anomalies()).sum(),
                held_back: holds.len(),
                mean_hold_ms: if holds.is_empty() {
                    0.0
                } else {
                    total_hold / holds.len() as f64
                },
                longest_queue: members
                    .iter()
                    .flat_map(|m| m.queue_lengths().iter().map(|&(_, length)| length))
                    .max()
                    .unwrap_or(0),
            })
        })
        .collect()
}

/// A discussion: one [`Member`] per member, named `A`, `B`, ..., delivering by `mode`, each
/// commenting at random times within the span (the same times for every mode, drawn from the
/// seed), run until every message has arrived.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{CausalParameters, Delivery, Member, discussion_run};
///
/// let run = discussion_run(Delivery::Causal, &CausalParameters::default(), 1)?;
/// let longest = run.node::<Member>(0).unwrap().queue_lengths().iter().map(|q| q.1).max();
/// assert!(longest > Some(0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn discussion_run(
    mode: Delivery,
    parameters: &CausalParameters,
    seed: u64,
) -> Result<Simulation<Broadcast<Post>>, SimError> {
    parameters.validate()?;
    let mut sim = Simulation::new(seed);
    for (member, schedule) in comment_schedules(parameters, seed).into_iter().enumerate() {
        let reply = parameters.reply_probability;
        sim.add_node(super::node_name(member), move || {
            Member::new(mode, schedule.clone(), reply)
        });
    }
    sim.set_links(Link::new().latency(parameters.latency.clone()))?;
    sim.run()?;
    Ok(sim)
}

/// Each member's comment times, drawn from `seed`: the same for every delivery rule.
pub(crate) fn comment_schedules(parameters: &CausalParameters, seed: u64) -> Vec<Vec<Time>> {
    let mut rng = crate::sim::Rng::new(seed);
    (0..parameters.members)
        .map(|_| {
            let mut schedule: Vec<Time> = (0..parameters.comments_per_member)
                .map(|_| rng.between(Time::ZERO, parameters.span))
                .collect();
            schedule.sort();
            schedule
        })
        .collect()
}
