//! Runs to read clocks on: a scripted run for worked examples, random runs for experiments, and
//! the experiment that counts how often a Lamport clock orders concurrent events.

use std::fmt;

use serde::Serialize;

use super::{HappenedBefore, Readings};
use crate::sim::{
    Context, Latency, Link, Node, NodeId, PhysicalClock, SimError, Simulation, Time, ms,
};

/// One step of a [`Script`].
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Local(String),
    Send { to: NodeId, message: String },
}

/// A node that does what it is told, when it is told: local events and sends at given true
/// times, for worked examples whose every event has a name.
///
/// A local event is a note labelled with its name; a send is labelled with the message's text,
/// and a receipt with the name given by [`receive_as`](Self::receive_as) (or `got <message>`).
/// Messages are strings.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Script;
/// use lessons::sim::{Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Script::new().local(ms(1), "a").send(ms(2), 1, "m"));
/// sim.add_node("B", || Script::new().receive_as("m", "b"));
/// sim.run()?;
/// let labels: Vec<_> = sim.trace().events().iter().filter_map(|e| e.label.clone()).collect();
/// assert_eq!(labels, ["a", "m", "b"]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    steps: Vec<(Time, Step)>,
    receipt_names: Vec<(String, String)>,
}

impl Script {
    /// A node that does nothing but receive.
    ///
    /// # Examples
    ///
    /// ```
    /// let idle = lessons::clocks::Script::new();
    /// # let _ = idle;
    /// ```
    pub fn new() -> Script {
        Script::default()
    }

    /// The script with one more local event, `name`, at true time `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Script;
    /// use lessons::sim::ms;
    ///
    /// let script = Script::new().local(ms(5), "e1").local(ms(9), "e2");
    /// # let _ = script;
    /// ```
    pub fn local(mut self, at: Time, name: impl Into<String>) -> Script {
        self.steps.push((at, Step::Local(name.into())));
        self
    }

    /// The script with one more send, of `message` to node `to`, at true time `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Script;
    /// use lessons::sim::ms;
    ///
    /// let script = Script::new().send(ms(5), 2, "hello");
    /// # let _ = script;
    /// ```
    pub fn send(mut self, at: Time, to: NodeId, message: impl Into<String>) -> Script {
        let message = message.into();
        self.steps.push((at, Step::Send { to, message }));
        self
    }

    /// The script naming the receipt of `message` `name` in the trace.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Script;
    ///
    /// let script = Script::new().receive_as("m1", "b");
    /// # let _ = script;
    /// ```
    pub fn receive_as(mut self, message: impl Into<String>, name: impl Into<String>) -> Script {
        self.receipt_names.push((message.into(), name.into()));
        self
    }
}

impl Node<String> for Script {
    fn on_start(&mut self, ctx: &mut Context<'_, String>) {
        for (index, (at, _)) in self.steps.iter().enumerate() {
            ctx.set_timer(*at - ctx.now(), index as u64);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<'_, String>, _from: NodeId, message: String) {
        let name = self
            .receipt_names
            .iter()
            .find(|(known, _)| *known == message)
            .map_or_else(|| format!("got {message}"), |(_, name)| name.clone());
        ctx.label(name);
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, String>, tag: u64) {
        let Some((_, step)) = self.steps.get(tag as usize) else {
            return;
        };
        match step.clone() {
            Step::Local(name) => ctx.note(name),
            Step::Send { to, message } => {
                ctx.send(to, message.clone());
                ctx.label(message);
            }
        }
    }
}

/// What a [random run](random_run) looks like.
///
/// # Examples
///
/// ```
/// use lessons::clocks::RunParameters;
///
/// let busy = RunParameters { send_probability: 0.9, ..RunParameters::default() };
/// assert!(busy.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunParameters {
    /// How many processes (nodes); at least 2.
    pub processes: usize,
    /// How many events each process starts (sends and local events; receipts come on top).
    pub events_per_process: u32,
    /// The chance that an event is a send rather than a local event, in `[0, 1]`.
    pub send_probability: f64,
    /// How long a process waits between its events: uniform between half and one and a half
    /// times this.
    pub mean_gap: Time,
    /// How long messages take.
    pub latency: Latency,
    /// The physical clocks of the first processes, in order; the others keep perfect clocks.
    pub clocks: Vec<PhysicalClock>,
}

impl Default for RunParameters {
    /// Four processes, ten events each, half of them sends, 10 ms apart on average, messages
    /// taking 1 to 30 ms, perfect clocks.
    fn default() -> RunParameters {
        RunParameters {
            processes: 4,
            events_per_process: 10,
            send_probability: 0.5,
            mean_gap: ms(10),
            latency: Latency::uniform(ms(1), ms(30)),
            clocks: Vec::new(),
        }
    }
}

impl RunParameters {
    /// The most processes a run may have.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::RunParameters::MAX_PROCESSES, 1_000);
    /// ```
    pub const MAX_PROCESSES: usize = 1_000;

    /// The most events per process a run may have.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::RunParameters::MAX_EVENTS_PER_PROCESS, 10_000);
    /// ```
    pub const MAX_EVENTS_PER_PROCESS: u32 = 10_000;

    /// Checks every parameter.
    ///
    /// # Errors
    ///
    /// A [`SimError`] naming the first parameter out of range and what is allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::RunParameters;
    ///
    /// let lonely = RunParameters { processes: 1, ..RunParameters::default() };
    /// assert_eq!(
    ///     lonely.validate().unwrap_err().to_string(),
    ///     "processes 1 is not allowed; between 2 and 1000 processes"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        if !(2..=Self::MAX_PROCESSES).contains(&self.processes) {
            return Err(SimError::parameter(
                "processes",
                self.processes,
                format!("between 2 and {} processes", Self::MAX_PROCESSES),
            ));
        }
        if self.events_per_process > Self::MAX_EVENTS_PER_PROCESS {
            return Err(SimError::parameter(
                "events per process",
                self.events_per_process,
                format!("at most {}", Self::MAX_EVENTS_PER_PROCESS),
            ));
        }
        if !(0.0..=1.0).contains(&self.send_probability) {
            return Err(SimError::Probability {
                name: "send",
                value: self.send_probability,
            });
        }
        if self.mean_gap <= Time::ZERO || self.mean_gap > crate::sim::secs(3_600) {
            return Err(SimError::parameter(
                "mean gap",
                self.mean_gap,
                "more than 0 and at most an hour",
            ));
        }
        if self.clocks.len() > self.processes {
            return Err(SimError::parameter(
                "clocks",
                format!("{} clocks", self.clocks.len()),
                format!("at most one per process ({})", self.processes),
            ));
        }
        for clock in &self.clocks {
            clock.validate()?;
        }
        self.latency.validate()
    }
}

/// A message of a random run: its number among the sender's messages.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Chat;
///
/// assert_eq!(format!("{:?}", Chat(3)), "m3");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Chat(pub u32);

impl fmt::Debug for Chat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m{}", self.0)
    }
}

/// A process of a [random run](random_run): at random intervals it either sends a message to a
/// random peer or notes a local event, until it has done its share.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Chatter, RunParameters};
///
/// let node = Chatter::new(&RunParameters::default());
/// # let _ = node;
/// ```
#[derive(Debug, Clone)]
pub struct Chatter {
    events_left: u32,
    sent: u32,
    send_probability: f64,
    mean_gap: Time,
}

impl Chatter {
    /// A process that follows `parameters`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{Chatter, RunParameters};
    ///
    /// let quiet = Chatter::new(&RunParameters { send_probability: 0.0, ..RunParameters::default() });
    /// # let _ = quiet;
    /// ```
    pub fn new(parameters: &RunParameters) -> Chatter {
        Chatter {
            events_left: parameters.events_per_process,
            sent: 0,
            send_probability: parameters.send_probability,
            mean_gap: parameters.mean_gap,
        }
    }

    fn wait(&self, ctx: &mut Context<'_, Chat>) {
        let gap = ctx.rng().between(
            Time::from_nanos(self.mean_gap.as_nanos() / 2),
            Time::from_nanos(self.mean_gap.as_nanos() / 2 * 3),
        );
        ctx.set_timer(gap, 0);
    }
}

impl Node<Chat> for Chatter {
    fn on_start(&mut self, ctx: &mut Context<'_, Chat>) {
        self.wait(ctx);
    }

    fn on_message(&mut self, _ctx: &mut Context<'_, Chat>, _from: NodeId, _message: Chat) {}

    fn on_timer(&mut self, ctx: &mut Context<'_, Chat>, _tag: u64) {
        if self.events_left == 0 {
            return;
        }
        self.events_left -= 1;
        if ctx.rng().chance(self.send_probability) {
            let others = ctx.node_count() as u64 - 1;
            let pick = ctx.rng().below(others) as NodeId;
            let to = if pick >= ctx.me() { pick + 1 } else { pick };
            self.sent += 1;
            ctx.send(to, Chat(self.sent));
        } else {
            ctx.note("");
        }
        self.wait(ctx);
    }
}

/// A random message-passing run: [`Chatter`] processes named `P0`, `P1`, ..., with the given
/// physical clocks, run until every message has arrived.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{RunParameters, random_run};
///
/// let run = random_run(&RunParameters::default(), 7)?;
/// let sends = run.trace().events().iter().filter(|e| e.kind.name() == "send").count();
/// assert_eq!(sends, run.trace().deliveries().count()); // nothing is lost
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn random_run(parameters: &RunParameters, seed: u64) -> Result<Simulation<Chat>, SimError> {
    parameters.validate()?;
    let mut sim = Simulation::new(seed);
    for process in 0..parameters.processes {
        let node = Chatter::new(parameters);
        sim.add_node(format!("P{process}"), move || node.clone());
    }
    for (process, clock) in parameters.clocks.iter().enumerate() {
        sim.set_clock(process, clock.clone())?;
    }
    sim.set_links(Link::new().latency(parameters.latency.clone()))?;
    sim.run()?;
    Ok(sim)
}

/// What the clocks say about the pairs of events of one random run.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{RunParameters, false_order};
///
/// let row = false_order(&RunParameters::default(), 1)?;
/// assert_eq!(row.pairs, row.ordered_pairs + row.concurrent_pairs);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRow {
    /// The seed of the run.
    pub seed: u64,
    /// The run's send probability.
    pub send_probability: f64,
    /// Counted events (sends, receipts, local events).
    pub events: usize,
    /// Pairs of distinct events.
    pub pairs: usize,
    /// Pairs where one happened before the other.
    pub ordered_pairs: usize,
    /// Pairs of concurrent events.
    pub concurrent_pairs: usize,
    /// Pairs with different Lamport times: the pairs a Lamport clock seems to order.
    pub lamport_ordered_pairs: usize,
    /// Of those, the concurrent ones: an order the Lamport times show but the run does not have.
    pub lamport_false_order: usize,
    /// `lamport_false_order / lamport_ordered_pairs`: the chance that `L(a) < L(b)` is a false
    /// lead.
    pub false_order_fraction: f64,
    /// Concurrent pairs with different hybrid timestamps: an order a hybrid logical clock shows
    /// but the run does not have.
    pub hybrid_false_order: usize,
    /// Ordered pairs whose Lamport times are not in the same order: always 0.
    pub lamport_violations: usize,
    /// Pairs where the vector clocks' comparison disagrees with the message graph: always 0.
    pub vector_disagreements: usize,
}

/// Runs a [random run](random_run) and compares, for every pair of counted events, what the
/// message graph says ([`HappenedBefore`]), what the Lamport times say and what the vector
/// clocks say.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{RunParameters, false_order};
///
/// let row = false_order(&RunParameters::default(), 1)?;
/// assert_eq!(row.lamport_violations, 0);
/// assert_eq!(row.vector_disagreements, 0);
/// assert!(row.lamport_false_order > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn false_order(parameters: &RunParameters, seed: u64) -> Result<OrderRow, SimError> {
    let run = random_run(parameters, seed)?;
    let order = HappenedBefore::of(run.trace());
    let readings = Readings::of(run.trace());
    let events: Vec<usize> = readings.events().collect();
    let mut row = OrderRow {
        seed,
        send_probability: parameters.send_probability,
        events: events.len(),
        pairs: 0,
        ordered_pairs: 0,
        concurrent_pairs: 0,
        lamport_ordered_pairs: 0,
        lamport_false_order: 0,
        false_order_fraction: 0.0,
        hybrid_false_order: 0,
        lamport_violations: 0,
        vector_disagreements: 0,
    };
    for (position, &a) in events.iter().enumerate() {
        for &b in &events[position + 1..] {
            let (lamport_a, lamport_b) = (readings.lamport(a), readings.lamport(b));
            let before = order.holds(a, b);
            let after = order.holds(b, a);
            row.pairs += 1;
            if before || after {
                row.ordered_pairs += 1;
                if (before && lamport_a >= lamport_b) || (after && lamport_b >= lamport_a) {
                    row.lamport_violations += 1;
                }
            } else {
                row.concurrent_pairs += 1;
                row.hybrid_false_order += usize::from(readings.hybrid(a) != readings.hybrid(b));
            }
            if lamport_a != lamport_b {
                row.lamport_ordered_pairs += 1;
                row.lamport_false_order += usize::from(!before && !after);
            }
            let vector = readings
                .vector(a)
                .zip(readings.vector(b))
                .map(|(x, y)| x.compare(y));
            let expected = match (before, after) {
                (true, _) => super::Causality::Before,
                (_, true) => super::Causality::After,
                _ => super::Causality::Concurrent,
            };
            row.vector_disagreements += usize::from(vector != Some(expected));
        }
    }
    if row.lamport_ordered_pairs > 0 {
        row.false_order_fraction =
            row.lamport_false_order as f64 / row.lamport_ordered_pairs as f64;
    }
    Ok(row)
}
