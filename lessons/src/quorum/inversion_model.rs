//! The quorum store as a model for the explorer: small enough to try every delivery order, so
//! the new-old inversion is found rather than staged.
//!
//! One writer writes the value 1 (version 1) over an empty register; one or two readers read
//! once each. A write goes to all N replicas and is acknowledged after W replies; a read asks
//! all N and returns the newest version among the first R replies. With write-back on, the
//! reader first writes that newest version back to all replicas and waits for W
//! acknowledgements (the read phase of the ABD register). Which message arrives next, and when
//! each client starts, is up to the explorer.

use serde::Serialize;

use super::error::QuorumError;
use super::overlap::Quorum;
use crate::check::{
    Bounds, Exploration, Invariant, Model, Network, NetworkFaults, NetworkStep, RegisterHistory,
    Run, StepView, explore,
};
use crate::sim::NodeId;

/// A message between a client and a replica.
///
/// # Examples
///
/// ```
/// use lessons::quorum::StoreCall;
///
/// assert_eq!(format!("{:?}", StoreCall::Write(1)), "Write(1)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreCall {
    /// Store this version (from the writer).
    Write(u8),
    /// The replica stored the write.
    WriteAck,
    /// Send me your version (from a reader).
    Read,
    /// The replica's version.
    ReadReply(u8),
    /// Store this version before I answer (from a reader, with write-back on).
    WriteBack(u8),
    /// The replica stored the write-back.
    WriteBackAck,
}

/// Where the writer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Writer {
    Idle,
    Writing { acks: u8 },
    Done,
}

/// Where a reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Phase {
    Idle,
    Reading { replies: u8, newest: u8 },
    WritingBack { version: u8, acks: u8 },
    Done(u8),
}

/// A reader, with what had already happened when its read began: the real-time order the
/// invariants need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Reader {
    phase: Phase,
    began_after_write_acknowledged: bool,
    began_after_a_read_returned_new: bool,
}

/// A moment of the store: the replicas' versions, the clients' progress, and the messages in
/// flight.
///
/// # Examples
///
/// ```
/// use lessons::check::Model;
/// use lessons::quorum::InversionModel;
///
/// let model = InversionModel::new(3, 2, 2)?;
/// let start = &model.initial_states()[0];
/// assert_eq!(start.versions(), [0, 0, 0]);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreState {
    /// N, the number of replicas.
    replicas: usize,
    /// Replica i's version; only the first N are used.
    versions: [u8; InversionModel::MAX_REPLICAS],
    writer: Writer,
    /// Only the model's first `readers` ever begin.
    readers: [Reader; 2],
    network: Network<StoreCall>,
}

impl StoreState {
    /// The version each replica holds (0: still empty).
    ///
    /// # Examples
    ///
    /// See [`StoreState`].
    pub fn versions(&self) -> &[u8] {
        &self.versions[..self.replicas]
    }
}

/// What can happen next in the store model.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{InversionModel, StoreAction};
///
/// let model = InversionModel::new(3, 2, 2)?;
/// assert_eq!(model.describe(&StoreAction::BeginRead(1)), "reader 1 begins a read");
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoreAction {
    /// The writer sends version 1 to every replica.
    BeginWrite,
    /// This reader asks every replica.
    BeginRead(usize),
    /// The network delivers, loses or copies a message.
    Network(NetworkStep<StoreCall>),
}

/// The quorum store of [`inversion_run`](super::inversion_run) as a model for
/// [`explore`](crate::check::explore): N replicas (1 to 3), one writer, one or two readers.
///
/// Its two invariants are the two ways a single write can be read non-linearizably: a read that
/// began after the write was acknowledged returns the old value (a **stale read**), or a read
/// that began after another read returned the new value returns the old one (a **new-old
/// inversion**). With one write of a fresh value, a history is linearizable exactly when
/// neither happens; [`InversionModel::history`] gives a run's history to the register checker
/// to confirm it.
///
/// # Examples
///
/// ```
/// use lessons::check::{Bounds, explore};
/// use lessons::quorum::InversionModel;
///
/// let overlapping = InversionModel::new(3, 2, 2)?;
/// let found = explore(&overlapping, Bounds::depth(30)?).violation.unwrap();
/// assert_eq!(found.invariant, "no new-old inversion");
/// assert_eq!(found.run.len(), 12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InversionModel {
    quorum: Quorum,
    readers: usize,
    write_back: bool,
    faults: NetworkFaults,
}

impl InversionModel {
    /// The most replicas the model accepts: more make the state space too big for a notebook.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::InversionModel::MAX_REPLICAS, 3);
    /// ```
    pub const MAX_REPLICAS: usize = 3;

    /// N replicas, writes acknowledged by W, reads answered from R; two readers, no
    /// write-back, a network that reorders but neither loses nor copies.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] when N is not 1 to 3, or W or R is not 1 to N.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::InversionModel;
    ///
    /// assert_eq!(
    ///     InversionModel::new(5, 3, 3).unwrap_err().to_string(),
    ///     "N = 5 is not allowed: the explored store has 1 to 3 replicas"
    /// );
    /// ```
    pub fn new(n: usize, w: usize, r: usize) -> Result<InversionModel, QuorumError> {
        if !(1..=Self::MAX_REPLICAS).contains(&n) {
            return Err(QuorumError::parameter(
                "N",
                n,
                format!(
                    "the explored store has 1 to {} replicas",
                    Self::MAX_REPLICAS
                ),
            ));
        }
        Ok(InversionModel {
            quorum: Quorum::new(n, w, r)?,
            readers: 2,
            write_back: false,
            faults: NetworkFaults::default(),
        })
    }

    /// The model with this many readers (1 or 2), each reading once.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for any other count.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::InversionModel;
    ///
    /// assert!(InversionModel::new(3, 2, 2)?.readers(1).is_ok());
    /// assert_eq!(
    ///     InversionModel::new(3, 2, 2)?.readers(3).unwrap_err().to_string(),
    ///     "readers = 3 is not allowed: 1 or 2"
    /// );
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn readers(mut self, count: usize) -> Result<InversionModel, QuorumError> {
        if !(1..=2).contains(&count) {
            return Err(QuorumError::parameter("readers", count, "1 or 2"));
        }
        self.readers = count;
        Ok(self)
    }

    /// The model with (`true`) or without (`false`) blocking write-back: a reader writes the
    /// version it is about to return to all replicas and waits for W acknowledgements first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Bounds, explore};
    /// use lessons::quorum::InversionModel;
    ///
    /// let abd = InversionModel::new(3, 2, 2)?.write_back(true);
    /// let exploration = explore(&abd, Bounds::depth(40)?);
    /// assert!(exploration.holds() && exploration.exhausted);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_back(mut self, on: bool) -> InversionModel {
        self.write_back = on;
        self
    }

    /// The model whose network may lose up to `drops` messages and copy up to `duplicates`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Bounds, NetworkFaults, explore};
    /// use lessons::quorum::InversionModel;
    ///
    /// let reliable = InversionModel::new(2, 1, 1)?.readers(1)?;
    /// let lossy = reliable.clone().network_faults(NetworkFaults { drops: 1, duplicates: 0 });
    /// let bounds = Bounds::depth(20)?;
    /// assert!(explore(&lossy, bounds).distinct_states > explore(&reliable, bounds).distinct_states);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn network_faults(mut self, faults: NetworkFaults) -> InversionModel {
        self.faults = faults;
        self
    }

    /// The same as [`explore`]`(self, bounds)`, compiled with this crate. A notebook cell
    /// compiles generic code such as `explore::<InversionModel>` without optimisation, which
    /// runs several times slower; this function was compiled optimised ahead of time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Bounds, explore};
    /// use lessons::quorum::InversionModel;
    ///
    /// let model = InversionModel::new(3, 1, 1)?;
    /// let bounds = Bounds::depth(20)?;
    /// assert_eq!(model.explore(bounds).distinct_states, explore(&model, bounds).distinct_states);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explore(&self, bounds: Bounds) -> Exploration<StoreState, StoreAction> {
        explore(self, bounds)
    }

    fn writer_id(&self) -> NodeId {
        self.quorum.n()
    }

    fn reader_id(&self, reader: usize) -> NodeId {
        self.quorum.n() + 1 + reader
    }

    /// The client history of `run` (step k at k ms), for
    /// [`check_register`](crate::check::check_register).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Bounds, check_register, explore};
    /// use lessons::quorum::InversionModel;
    ///
    /// let model = InversionModel::new(3, 2, 2)?;
    /// let found = explore(&model, Bounds::depth(30)?).violation.unwrap();
    /// let history = model.history(&found.run)?;
    /// assert_eq!(history.len(), 3); // the write and two reads
    /// assert!(!check_register(&history).is_linearizable());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// None in practice: the model records only operations the checker reads.
    pub fn history(
        &self,
        run: &Run<StoreState, StoreAction>,
    ) -> Result<RegisterHistory, crate::check::CheckError> {
        RegisterHistory::from_operations(run.trace(self).operations())
    }

    /// The action in words, with the nodes' names.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Envelope, NetworkStep};
    /// use lessons::quorum::{InversionModel, StoreAction, StoreCall};
    ///
    /// let model = InversionModel::new(3, 2, 2)?;
    /// let write = Envelope { from: 3, to: 0, message: StoreCall::Write(1) };
    /// let delivery = StoreAction::Network(NetworkStep::Deliver(write));
    /// assert_eq!(model.describe(&delivery), "r0 receives Write(1) from writer");
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn describe(&self, action: &StoreAction) -> String {
        let names = self.node_names();
        match action {
            StoreAction::BeginWrite => "the writer begins writing 1".to_string(),
            StoreAction::BeginRead(reader) => format!("reader {reader} begins a read"),
            StoreAction::Network(step) => {
                let envelope = step.envelope();
                let (from, to) = (&names[envelope.from], &names[envelope.to]);
                let message = envelope.message;
                match step {
                    NetworkStep::Deliver(_) => format!("{to} receives {message:?} from {from}"),
                    NetworkStep::Drop(_) => format!("{message:?} from {from} to {to} is lost"),
                    NetworkStep::Duplicate(_) => {
                        format!("{message:?} from {from} to {to} is copied")
                    }
                }
            }
        }
    }

    /// What a replica or client does with a delivered message.
    fn receive(&self, state: &mut StoreState, from: NodeId, to: NodeId, call: StoreCall) {
        let w = self.quorum.w() as u8;
        let r = self.quorum.r() as u8;
        match call {
            StoreCall::Write(version) | StoreCall::WriteBack(version) => {
                state.versions[to] = state.versions[to].max(version);
                let ack = match call {
                    StoreCall::Write(_) => StoreCall::WriteAck,
                    _ => StoreCall::WriteBackAck,
                };
                state.network.send(to, from, ack);
            }
            StoreCall::Read => {
                state
                    .network
                    .send(to, from, StoreCall::ReadReply(state.versions[to]))
            }
            StoreCall::WriteAck => {
                if let Writer::Writing { acks } = state.writer {
                    state.writer = if acks + 1 >= w {
                        Writer::Done
                    } else {
                        Writer::Writing { acks: acks + 1 }
                    };
                }
            }
            StoreCall::ReadReply(version) => {
                let reader = to - self.reader_id(0);
                if let Phase::Reading { replies, newest } = state.readers[reader].phase {
                    let newest = newest.max(version);
                    state.readers[reader].phase = if replies + 1 < r {
                        Phase::Reading {
                            replies: replies + 1,
                            newest,
                        }
                    } else if self.write_back {
                        for replica in 0..self.quorum.n() {
                            state
                                .network
                                .send(to, replica, StoreCall::WriteBack(newest));
                        }
                        Phase::WritingBack {
                            version: newest,
                            acks: 0,
                        }
                    } else {
                        Phase::Done(newest)
                    };
                }
            }
            StoreCall::WriteBackAck => {
                let reader = to - self.reader_id(0);
                if let Phase::WritingBack { version, acks } = state.readers[reader].phase {
                    state.readers[reader].phase = if acks + 1 >= w {
                        Phase::Done(version)
                    } else {
                        Phase::WritingBack {
                            version,
                            acks: acks + 1,
                        }
                    };
                }
            }
        }
    }

    /// Drops the messages that can no longer change anything: answers a client no longer
    /// waits for (it has returned, or moved on to its write-back), read requests of a reader
    /// that is not reading any more (a replica answers a read without changing), and
    /// write-backs of the empty value once their reader has returned. Without this, every
    /// order in which such late messages might trickle in would count as a different state.
    fn forget_unheard(&self, state: &mut StoreState) {
        let first_reader = self.reader_id(0);
        let readers = &state.readers;
        let reading =
            |node: NodeId| matches!(readers[node - first_reader].phase, Phase::Reading { .. });
        let writing_back = |node: NodeId| {
            matches!(
                readers[node - first_reader].phase,
                Phase::WritingBack { .. }
            )
        };
        let writing = matches!(state.writer, Writer::Writing { .. });
        state.network.retain(|envelope| match envelope.message {
            StoreCall::Write(_) | StoreCall::WriteBack(1..) => true,
            StoreCall::WriteAck => writing,
            StoreCall::Read => reading(envelope.from),
            StoreCall::ReadReply(_) => reading(envelope.to),
            StoreCall::WriteBack(0) => writing_back(envelope.from),
            StoreCall::WriteBackAck => writing_back(envelope.to),
        });
    }

    /// The client `node`'s answer if `after` has it and `before` did not.
    fn answer(&self, before: &StoreState, after: &StoreState, node: NodeId) -> Option<String> {
        if node == self.writer_id() {
            return (before.writer != Writer::Done && after.writer == Writer::Done)
                .then(|| "ok".to_string());
        }
        let reader = node.checked_sub(self.reader_id(0))?;
        match (
            before.readers.get(reader)?.phase,
            after.readers[reader].phase,
        ) {
            (Phase::Done(_), _) => None,
            (_, Phase::Done(0)) => Some("empty".to_string()),
            (_, Phase::Done(version)) => Some(version.to_string()),
            _ => None,
        }
    }
}

impl Model for InversionModel {
    type State = StoreState;
    type Action = StoreAction;

    fn initial_states(&self) -> Vec<StoreState> {
        let idle = Reader {
            phase: Phase::Idle,
            began_after_write_acknowledged: false,
            began_after_a_read_returned_new: false,
        };
        vec![StoreState {
            replicas: self.quorum.n(),
            versions: [0; InversionModel::MAX_REPLICAS],
            writer: Writer::Idle,
            readers: [idle; 2],
            network: Network::new(),
        }]
    }

    fn actions(&self, state: &StoreState, actions: &mut Vec<StoreAction>) {
        if state.writer == Writer::Idle {
            actions.push(StoreAction::BeginWrite);
        }
        for (index, reader) in state.readers.iter().enumerate().take(self.readers) {
            if reader.phase == Phase::Idle {
                actions.push(StoreAction::BeginRead(index));
            }
        }
        actions.extend(
            state
                .network
                .steps(self.faults)
                .into_iter()
                .map(StoreAction::Network),
        );
    }

    fn next_state(&self, state: &StoreState, action: &StoreAction) -> Option<StoreState> {
        let mut next = state.clone();
        match action {
            StoreAction::BeginWrite => {
                next.writer = Writer::Writing { acks: 0 };
                for replica in 0..self.quorum.n() {
                    next.network
                        .send(self.writer_id(), replica, StoreCall::Write(1));
                }
            }
            StoreAction::BeginRead(index) => {
                let returned_new = state.readers.iter().any(|r| r.phase == Phase::Done(1));
                next.readers[*index] = Reader {
                    phase: Phase::Reading {
                        replies: 0,
                        newest: 0,
                    },
                    began_after_write_acknowledged: state.writer == Writer::Done,
                    began_after_a_read_returned_new: returned_new,
                };
                for replica in 0..self.quorum.n() {
                    next.network
                        .send(self.reader_id(*index), replica, StoreCall::Read);
                }
            }
            StoreAction::Network(step) => {
                if let Some(envelope) = next.network.apply(step) {
                    self.receive(&mut next, envelope.from, envelope.to, envelope.message);
                }
            }
        }
        self.forget_unheard(&mut next);
        Some(next)
    }

    fn invariants(&self) -> Vec<Invariant<InversionModel>> {
        vec![
            Invariant::new("no stale read", |_, state: &StoreState| {
                !state.readers.iter().any(|reader| {
                    reader.phase == Phase::Done(0) && reader.began_after_write_acknowledged
                })
            }),
            Invariant::new("no new-old inversion", |_, state: &StoreState| {
                !state.readers.iter().any(|reader| {
                    reader.phase == Phase::Done(0) && reader.began_after_a_read_returned_new
                })
            }),
        ]
    }

    fn node_names(&self) -> Vec<String> {
        let replicas = (0..self.quorum.n()).map(|i| format!("r{i}"));
        let readers = ["reader 0", "reader 1"]
            .into_iter()
            .take(self.readers)
            .map(String::from);
        replicas
            .chain(["writer".to_string()])
            .chain(readers)
            .collect()
    }

    fn view(
        &self,
        before: &StoreState,
        action: &StoreAction,
        after: &StoreState,
    ) -> Option<StepView> {
        let sent = after.network.sent_since(&before.network);
        let view = match action {
            StoreAction::BeginWrite => StepView::at(self.writer_id())
                .invoking("write 1")
                .label("write 1"),
            StoreAction::BeginRead(index) => StepView::at(self.reader_id(*index))
                .invoking("read")
                .label("read"),
            StoreAction::Network(NetworkStep::Deliver(e)) => {
                StepView::at(e.to).receiving(e.from, format!("{:?}", e.message))
            }
            StoreAction::Network(NetworkStep::Drop(e)) => {
                return Some(StepView::at(e.to).losing(e.from, format!("{:?}", e.message)));
            }
            StoreAction::Network(NetworkStep::Duplicate(e)) => {
                let copy = StepView::at(e.from).label("network copies");
                return Some(copy.sending(e.to, format!("{:?}", e.message)));
            }
        };
        let node = view.node;
        let view = view.sending_all(&sent);
        Some(match self.answer(before, after, node) {
            Some(answer) => view.label(format!("→ {answer}")).responding(answer),
            None => view,
        })
    }
}

/// One exploration of the store as a table row: which invariant broke (if any), after how many
/// steps at the least, and how many states the explorer saw.
///
/// # Examples
///
/// ```
/// use lessons::check::{Bounds, explore};
/// use lessons::quorum::{ExplorationRow, InversionModel};
///
/// let model = InversionModel::new(3, 1, 1)?;
/// let row = ExplorationRow::new("N = 3, W = R = 1", &explore(&model, Bounds::depth(20)?));
/// assert_eq!((row.invariant_broken.as_str(), row.shortest_run), ("no stale read", Some(6)));
/// assert_eq!((row.distinct_states, row.whole_state_space), (749, false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplorationRow {
    /// Which store was explored.
    pub store: String,
    /// The invariant the shortest violation breaks, or `none`.
    pub invariant_broken: String,
    /// The steps of the shortest violating run.
    pub shortest_run: Option<usize>,
    /// Distinct states seen.
    pub distinct_states: usize,
    /// Whether every reachable state was seen (so "none" holds beyond the bound).
    pub whole_state_space: bool,
}

impl ExplorationRow {
    /// The row of `exploration`, named `store`.
    ///
    /// # Examples
    ///
    /// See [`ExplorationRow`].
    pub fn new<S, A>(store: &str, exploration: &Exploration<S, A>) -> ExplorationRow {
        let violation = exploration.violation.as_ref();
        ExplorationRow {
            store: store.to_string(),
            invariant_broken: violation.map_or("none", |v| v.invariant).to_string(),
            shortest_run: violation.map(|v| v.run.len()),
            distinct_states: exploration.distinct_states,
            whole_state_space: exploration.exhausted,
        }
    }
}
