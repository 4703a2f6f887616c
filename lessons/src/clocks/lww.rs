//! Last-writer-wins registers, stamped by a wall clock, a Lamport clock or a hybrid logical
//! clock: which writes survive, and which are silently lost.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::{Dot, HybridClock, HybridTimestamp, LamportClock};
use crate::sim::{
    Context, Latency, Link, Node, NodeId, PhysicalClock, Rng, SimError, Simulation, Time, ms,
};

/// Which clock stamps the writes of a last-writer-wins register.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Stamping;
///
/// assert_eq!(Stamping::ALL.map(Stamping::name), ["wall clock", "Lamport clock", "hybrid logical clock"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Stamping {
    /// The writer's physical clock reading.
    Wall,
    /// The writer's Lamport time.
    Lamport,
    /// The writer's hybrid logical clock.
    Hybrid,
}

impl Stamping {
    /// The three stampings.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::Stamping::ALL.len(), 3);
    /// ```
    pub const ALL: [Stamping; 3] = [Stamping::Wall, Stamping::Lamport, Stamping::Hybrid];

    /// The clock's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::Stamping::Lamport.name(), "Lamport clock");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Stamping::Wall => "wall clock",
            Stamping::Lamport => "Lamport clock",
            Stamping::Hybrid => "hybrid logical clock",
        }
    }
}

/// A write's timestamp: compared by `major`, then `minor`, then the writer's node id, so two
/// writes never tie. `major` is the wall reading or hybrid wall part in nanoseconds, or the
/// Lamport time; `minor` is the hybrid counter (0 otherwise).
///
/// # Examples
///
/// ```
/// use lessons::clocks::WriteStamp;
///
/// let a = WriteStamp { major: 50, minor: 0, node: 1 };
/// let b = WriteStamp { major: 50, minor: 1, node: 0 };
/// assert!(a < b);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct WriteStamp {
    /// Wall or hybrid wall time in nanoseconds, or Lamport time.
    pub major: i64,
    /// The hybrid logical counter, or 0.
    pub minor: u32,
    /// The writer, which breaks ties.
    pub node: NodeId,
}

/// One write to the register: who wrote it (its dot), its stamp, and the write whose value its
/// writer read just before, which it overwrites (its parent; `None` for a write on an empty
/// register).
///
/// The parents link every write to the history of values it builds on. A write is *kept* when
/// it is in the history of the register's final value, and *lost* otherwise.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Dot, Write, WriteStamp};
///
/// let first = Write {
///     dot: Dot { node: 0, counter: 1 },
///     stamp: WriteStamp { major: 50, minor: 0, node: 0 },
///     parent: None,
/// };
/// let second = Write {
///     dot: Dot { node: 1, counter: 1 },
///     stamp: WriteStamp { major: 20, minor: 0, node: 1 },
///     parent: Some(first.dot),
/// };
/// assert!(second.stamp < first.stamp); // causally later, stamped earlier
/// assert_eq!(second.to_string(), "B1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Write {
    /// The writer and the write's number among its writes.
    pub dot: Dot,
    /// The timestamp last-writer-wins compares.
    pub stamp: WriteStamp,
    /// The write whose value the writer held when it wrote.
    pub parent: Option<Dot>,
}

impl fmt::Display for Write {
    /// The writer's letter and the write's number: `A1`, `B3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", super::node_name(self.dot.node), self.dot.counter)
    }
}

/// What replicas of the register send each other: a write, with the sender's logical clocks at
/// the send.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Dot, HybridTimestamp, Update, Write, WriteStamp};
///
/// let update = Update {
///     write: Write {
///         dot: Dot { node: 0, counter: 1 },
///         stamp: WriteStamp { major: 1, minor: 0, node: 0 },
///         parent: None,
///     },
///     lamport: 2,
///     hybrid: HybridTimestamp::ZERO,
/// };
/// assert_eq!(format!("{update:?}"), "A1");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Update {
    /// The write.
    pub write: Write,
    /// The sender's Lamport time at the send.
    pub lamport: u64,
    /// The sender's hybrid timestamp at the send.
    pub hybrid: HybridTimestamp,
}

impl fmt::Debug for Update {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.write)
    }
}

/// A replica of one last-writer-wins register that also writes to it, at given true times.
///
/// Before writing, it reads its replica, so each write causally follows the write it overwrites
/// (its [parent](Write::parent)). It stamps the write with the chosen clock, keeps it if its stamp is larger
/// than the stamp it holds, and sends it to every other replica, which does the same. Its
/// logical clocks tick on the same events as [`Readings`](super::Readings) counts (the write is
/// a note, each copy sent a send, each update received a receipt), so a diagram labelled by
/// `Readings` shows the stamps the replicas used.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{LwwReplica, Stamping};
/// use lessons::sim::{Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || LwwReplica::new(Stamping::Wall, vec![ms(10)]));
/// sim.add_node("B", || LwwReplica::new(Stamping::Wall, vec![]));
/// sim.run()?;
/// let b = sim.node::<LwwReplica>(1).unwrap();
/// assert_eq!(b.value().map(|write| write.to_string()), Some("A1".to_string()));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct LwwReplica {
    stamping: Stamping,
    schedule: Vec<Time>,
    value: Option<Write>,
    writes_made: u64,
    lamport: LamportClock,
    hybrid: HybridClock,
    written: Vec<Write>,
}

impl LwwReplica {
    /// A replica stamping with `stamping` that writes at the true times in `schedule`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{LwwReplica, Stamping};
    /// use lessons::sim::ms;
    ///
    /// let replica = LwwReplica::new(Stamping::Hybrid, vec![ms(10), ms(30)]);
    /// assert!(replica.value().is_none());
    /// ```
    pub fn new(stamping: Stamping, schedule: Vec<Time>) -> LwwReplica {
        LwwReplica {
            stamping,
            schedule,
            value: None,
            writes_made: 0,
            lamport: LamportClock::new(),
            hybrid: HybridClock::new(),
            written: Vec::new(),
        }
    }

    /// The write this replica holds: the one with the largest stamp it has seen.
    ///
    /// # Examples
    ///
    /// See [`LwwReplica`].
    pub fn value(&self) -> Option<&Write> {
        self.value.as_ref()
    }

    /// The writes this replica made, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{LwwReplica, Stamping};
    /// use lessons::sim::{Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || LwwReplica::new(Stamping::Lamport, vec![ms(1), ms(2)]));
    /// sim.run()?;
    /// assert_eq!(sim.node::<LwwReplica>(0).unwrap().written().len(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn written(&self) -> &[Write] {
        &self.written
    }

    /// Keeps `write` if it beats the value held; says which was kept.
    fn offer(&mut self, write: Write) -> bool {
        let wins = self
            .value
            .as_ref()
            .is_none_or(|held| write.stamp > held.stamp);
        if wins {
            self.value = Some(write);
        }
        wins
    }

    fn write(&mut self, ctx: &mut Context<'_, Update>) {
        let me = ctx.me();
        let physical = ctx.read_clock();
        let lamport = self.lamport.tick();
        let hybrid = self.hybrid.tick(physical);
        self.writes_made += 1;
        let dot = Dot {
            node: me,
            counter: self.writes_made,
        };
        let (major, minor) = match self.stamping {
            Stamping::Wall => (physical.as_nanos(), 0),
            Stamping::Lamport => (lamport as i64, 0),
            Stamping::Hybrid => (hybrid.wall.as_nanos(), hybrid.logical),
        };
        let write = Write {
            dot,
            stamp: WriteStamp {
                major,
                minor,
                node: me,
            },
            parent: self.value.map(|held| held.dot),
        };
        let held = self.value.as_ref().map(ToString::to_string);
        self.written.push(write);
        let kept = self.offer(write);
        let outcome = match (kept, held) {
            (false, Some(held)) => format!(" (lost to {held})"),
            _ => String::new(),
        };
        ctx.note(format!("write {write}{outcome}"));
        for peer in ctx.peers() {
            let update = Update {
                write,
                lamport: self.lamport.send(),
                hybrid: self.hybrid.send(ctx.read_clock()),
            };
            ctx.send(peer, update);
        }
    }
}

impl Node<Update> for LwwReplica {
    fn on_start(&mut self, ctx: &mut Context<'_, Update>) {
        for &at in &self.schedule {
            ctx.set_timer(at - ctx.now(), 0);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Update>, _from: NodeId, update: Update) {
        self.lamport.receive(update.lamport);
        self.hybrid.receive(ctx.read_clock(), update.hybrid);
        let name = update.write.to_string();
        let kept = self.offer(update.write);
        ctx.label(if kept {
            format!("keep {name}")
        } else {
            format!("drop {name}")
        });
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Update>, _tag: u64) {
        self.write(ctx);
    }
}

/// A last-writer-wins run: one [`LwwReplica`] per writer, with the given clocks and write
/// schedules, run until every update has arrived. Replicas are named `A`, `B`, ...
///
/// # Errors
///
/// A [`SimError`] if there are no writers or more than 26, the clocks and schedules do not
/// have one entry per writer, a clock or the latency is invalid, or a write is scheduled before
/// time 0.
///
/// # Examples
///
/// A's clock is 40 ms fast. A writes at 10 ms; B reads A's write and overwrites it at 20 ms,
/// but its wall clock stamps 20 ms against A's 50 ms: B's write is lost.
///
/// ```
/// use lessons::clocks::{LwwReplica, Stamping, lww_run};
/// use lessons::sim::{Latency, PhysicalClock, ms};
///
/// let clocks = vec![PhysicalClock::new().offset(ms(40)), PhysicalClock::new()];
/// let schedules = vec![vec![ms(10)], vec![ms(20)]];
/// let run = lww_run(Stamping::Wall, &clocks, &schedules, &Latency::constant(ms(5)), 1)?;
/// let final_value = run.node::<LwwReplica>(1).unwrap().value().unwrap();
/// assert_eq!(final_value.to_string(), "A1");
///
/// let run = lww_run(Stamping::Hybrid, &clocks, &schedules, &Latency::constant(ms(5)), 1)?;
/// assert_eq!(run.node::<LwwReplica>(0).unwrap().value().unwrap().to_string(), "B1");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lww_run(
    stamping: Stamping,
    clocks: &[PhysicalClock],
    schedules: &[Vec<Time>],
    latency: &Latency,
    seed: u64,
) -> Result<Simulation<Update>, SimError> {
    let writers = clocks.len();
    if !(1..=26).contains(&writers) || schedules.len() != writers {
        return Err(SimError::parameter(
            "writers",
            format!("{writers} clocks and {} schedules", schedules.len()),
            "from 1 to 26 writers, one clock and one schedule each",
        ));
    }
    if let Some(at) = schedules.iter().flatten().find(|at| **at < Time::ZERO) {
        return Err(SimError::parameter(
            "write time",
            at,
            "writes at time 0 or later",
        ));
    }
    let mut sim = Simulation::new(seed);
    for (writer, schedule) in schedules.iter().enumerate() {
        let schedule = schedule.clone();
        sim.add_node(super::node_name(writer), move || {
            LwwReplica::new(stamping, schedule.clone())
        });
    }
    for (writer, clock) in clocks.iter().enumerate() {
        sim.set_clock(writer, clock.clone())?;
    }
    sim.set_links(Link::new().latency(latency.clone()))?;
    sim.run()?;
    Ok(sim)
}

/// The fate of one write at the end of a last-writer-wins run.
///
/// # Examples
///
/// ```
/// use lessons::clocks::WriteFate;
///
/// assert_eq!(WriteFate::LostToOlder.name(), "lost to an older write");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum WriteFate {
    /// It is the final value or in its history: it was overwritten only by writes that had
    /// read it.
    Kept,
    /// Lost, and its stamp is smaller than that of a write it causally follows: it could never
    /// win, not even on its own writer, although the application wrote it later.
    LostToOlder,
    /// Lost to a write it is concurrent with: last-writer-wins had to drop one of the two.
    LostToConcurrent,
}

impl WriteFate {
    /// The fate in words.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::WriteFate::Kept.name(), "kept");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            WriteFate::Kept => "kept",
            WriteFate::LostToOlder => "lost to an older write",
            WriteFate::LostToConcurrent => "lost to a concurrent write",
        }
    }
}

/// Every write of a finished [`lww_run`] with its fate, in writer order.
///
/// A write is kept if it is the final value or one of its ancestors (following parents);
/// otherwise it is lost, and the loss is to an older write when one of its own ancestors has a
/// larger stamp: it came later, yet lost to what it had read.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{Stamping, WriteFate, lww_fates, lww_run};
/// use lessons::sim::{Latency, PhysicalClock, ms};
///
/// let clocks = vec![PhysicalClock::new().offset(ms(40)), PhysicalClock::new()];
/// let schedules = vec![vec![ms(10)], vec![ms(20)]];
/// let run = lww_run(Stamping::Wall, &clocks, &schedules, &Latency::constant(ms(5)), 1)?;
/// let fates: Vec<WriteFate> = lww_fates(&run).into_iter().map(|(_, fate)| fate).collect();
/// assert_eq!(fates, [WriteFate::Kept, WriteFate::LostToOlder]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lww_fates(run: &Simulation<Update>) -> Vec<(Write, WriteFate)> {
    let writes: Vec<Write> = (0..run.node_count())
        .filter_map(|node| run.node::<LwwReplica>(node))
        .flat_map(|replica| replica.written().iter().copied())
        .collect();
    let by_dot: HashMap<Dot, Write> = writes.iter().map(|write| (write.dot, *write)).collect();
    let ancestors = |write: &Write| {
        std::iter::successors(write.parent, |dot| by_dot.get(dot).and_then(|w| w.parent))
            .filter_map(|dot| by_dot.get(&dot))
    };
    let mut kept = HashSet::new();
    if let Some(last) = writes.iter().max_by_key(|write| write.stamp) {
        kept.insert(last.dot);
        kept.extend(ancestors(last).map(|write| write.dot));
    }
    writes
        .iter()
        .map(|write| {
            let fate = if kept.contains(&write.dot) {
                WriteFate::Kept
            } else if ancestors(write).any(|older| older.stamp > write.stamp) {
                WriteFate::LostToOlder
            } else {
                WriteFate::LostToConcurrent
            };
            (*write, fate)
        })
        .collect()
}

/// The settings of a random last-writer-wins experiment.
///
/// # Examples
///
/// ```
/// use lessons::clocks::LwwParameters;
/// use lessons::sim::ms;
///
/// let wide = LwwParameters { skew: ms(200), ..LwwParameters::default() };
/// assert!(wide.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LwwParameters {
    /// How many replicas write, from 2 to 26.
    pub writers: usize,
    /// The spread of the clocks: writer `i` of `n` is `-skew/2 + i·skew/(n−1)` off, so the
    /// first is the slowest and the last the fastest. At least 0.
    pub skew: Time,
    /// Writes per writer, at most 10 000.
    pub writes_per_writer: usize,
    /// Time between one writer's writes: uniform between half and one and a half times this.
    pub mean_gap: Time,
    /// How long updates take between replicas.
    pub latency: Latency,
}

impl Default for LwwParameters {
    /// Three writers, 50 ms of skew, 200 writes each about 30 ms apart, updates taking 1 to
    /// 10 ms.
    fn default() -> LwwParameters {
        LwwParameters {
            writers: 3,
            skew: ms(50),
            writes_per_writer: 200,
            mean_gap: ms(30),
            latency: Latency::uniform(ms(1), ms(10)),
        }
    }
}

impl LwwParameters {
    /// Checks every parameter.
    ///
    /// # Errors
    ///
    /// A [`SimError`] naming the first parameter out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LwwParameters;
    ///
    /// let error = LwwParameters { writers: 1, ..LwwParameters::default() }.validate().unwrap_err();
    /// assert_eq!(error.to_string(), "writers 1 is not allowed; from 2 to 26");
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        if !(2..=26).contains(&self.writers) {
            return Err(SimError::parameter(
                "writers",
                self.writers.to_string(),
                "from 2 to 26",
            ));
        }
        if self.skew < Time::ZERO || self.skew > crate::sim::secs(3_600) {
            return Err(SimError::parameter(
                "skew",
                self.skew.to_string(),
                "from 0 to an hour",
            ));
        }
        if self.writes_per_writer > 10_000 {
            return Err(SimError::parameter(
                "writes per writer",
                self.writes_per_writer.to_string(),
                "at most 10000",
            ));
        }
        if self.mean_gap <= Time::ZERO || self.mean_gap > crate::sim::secs(3_600) {
            return Err(SimError::parameter(
                "mean gap",
                self.mean_gap.to_string(),
                "more than 0 and at most an hour",
            ));
        }
        self.latency.validate()
    }

    /// Writer `writer`'s clock: its offset in the spread.
    fn clock(&self, writer: usize) -> PhysicalClock {
        let step = self.skew.as_nanos() / (self.writers as i64 - 1);
        PhysicalClock::new().offset(Time::from_nanos(
            -self.skew.as_nanos() / 2 + step * writer as i64,
        ))
    }
}

/// The losses of one stamping in one [`lww_experiment`], over all writers or for one.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{LwwParameters, lww_experiment};
///
/// let rows = lww_experiment(&LwwParameters::default(), 1)?;
/// assert!(rows.iter().all(|row| row.lost == row.lost_to_older + row.lost_to_concurrent));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LwwRow {
    /// The clock that stamped the writes.
    pub stamping: &'static str,
    /// The skew, in milliseconds.
    pub skew_ms: f64,
    /// `"all"`, or the writer's name.
    pub writer: String,
    /// The writer's clock offset in milliseconds (0 for `"all"`).
    pub offset_ms: f64,
    /// Writes made.
    pub writes: usize,
    /// Writes lost.
    pub lost: usize,
    /// Of those, lost to a write they causally follow.
    pub lost_to_older: usize,
    /// Of those, lost to a concurrent write.
    pub lost_to_concurrent: usize,
    /// `lost / writes`.
    pub lost_fraction: f64,
}

/// Runs the same random write schedule three times, stamped by each [`Stamping`], and counts
/// the lost writes: one row per stamping over all writers, then one per stamping and writer.
///
/// # Errors
///
/// A [`SimError`] if a parameter is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{LwwParameters, lww_experiment};
///
/// let rows = lww_experiment(&LwwParameters::default(), 1)?;
/// let all: Vec<_> = rows.iter().filter(|row| row.writer == "all").collect();
/// assert_eq!(all.len(), 3);
/// assert!(all[0].lost_to_older > 0); // wall clocks lose causally later writes
/// assert_eq!(all[1].lost_to_older + all[2].lost_to_older, 0); // logical clocks never do
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lww_experiment(parameters: &LwwParameters, seed: u64) -> Result<Vec<LwwRow>, SimError> {
    parameters.validate()?;
    let mut rng = Rng::new(seed);
    let half = Time::from_nanos(parameters.mean_gap.as_nanos() / 2);
    let schedules: Vec<Vec<Time>> = (0..parameters.writers)
        .map(|_| {
            let mut at = Time::ZERO;
            (0..parameters.writes_per_writer)
                .map(|_| {
                    at += rng.between(half, half * 3);
                    at
                })
                .collect()
        })
        .collect();
    let clocks: Vec<PhysicalClock> = (0..parameters.writers)
        .map(|writer| parameters.clock(writer))
        .collect();
    let mut rows = Vec::new();
    for stamping in Stamping::ALL {
        let run = lww_run(stamping, &clocks, &schedules, &parameters.latency, seed)?;
        let fates = lww_fates(&run);
        let row = |writer: String, offset: Time, filter: &dyn Fn(&Write) -> bool| {
            let mine: Vec<WriteFate> = fates
                .iter()
                .filter(|(write, _)| filter(write))
                .map(|(_, fate)| *fate)
                .collect();
            let count = |fate| mine.iter().filter(|&&f| f == fate).count();
            let (older, concurrent) = (
                count(WriteFate::LostToOlder),
                count(WriteFate::LostToConcurrent),
            );
            LwwRow {
                stamping: stamping.name(),
                skew_ms: parameters.skew.as_millis_f64(),
                writer,
                offset_ms: offset.as_millis_f64(),
                writes: mine.len(),
                lost: older + concurrent,
                lost_to_older: older,
                lost_to_concurrent: concurrent,
                lost_fraction: if mine.is_empty() {
                    0.0
                } else {
                    (older + concurrent) as f64 / mine.len() as f64
                },
            }
        };
        rows.push(row("all".into(), Time::ZERO, &|_| true));
        for (writer, clock) in clocks.iter().enumerate() {
            rows.push(row(super::node_name(writer), clock.offset, &|write| {
                write.dot.node == writer
            }));
        }
    }
    rows.sort_by_key(|row| row.writer != "all");
    Ok(rows)
}
