//! A run found by the explorer: the states it went through and the actions between them,
//! printable as numbered steps and drawable as a space-time diagram.

use std::collections::{HashMap, VecDeque};
use std::fmt::{self, Debug};

use super::explore::Model;
use super::network::Envelope;
use crate::sim::{
    DropReason, EventKind, MessageId, NodeId, OperationId, Recorder, Time, Trace, ms,
};
use crate::viz::SpaceTimeDiagram;

/// A run: an initial state, then each action with the state it led to.
///
/// # Examples
///
/// ```
/// use lessons::check::Run;
///
/// let run = Run::new(0u32, vec![("add 2", 2), ("add 1", 3)]);
/// assert_eq!(run.len(), 2);
/// assert_eq!(run.final_state(), &3);
/// assert_eq!(run.to_string(), "1. \"add 2\"\n2. \"add 1\"\n");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Run<S, A> {
    initial: S,
    steps: Vec<(A, S)>,
}

impl<S, A> Run<S, A> {
    /// The run from `initial` through `steps`.
    ///
    /// # Examples
    ///
    /// ```
    /// let run = lessons::check::Run::<u8, ()>::new(7, Vec::new());
    /// assert!(run.is_empty());
    /// ```
    pub fn new(initial: S, steps: Vec<(A, S)>) -> Run<S, A> {
        Run { initial, steps }
    }

    /// How many actions the run takes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Run::new(0, vec![((), 1)]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the run takes no action (an initial state already breaks the invariant).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::check::Run::new(0, vec![((), 1)]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The state the run starts from.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Run::new(0, vec![((), 1)]).initial_state(), &0);
    /// ```
    pub fn initial_state(&self) -> &S {
        &self.initial
    }

    /// The state the run ends in.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Run::new(0, vec![((), 1)]).final_state(), &1);
    /// ```
    pub fn final_state(&self) -> &S {
        self.steps.last().map_or(&self.initial, |(_, state)| state)
    }

    /// Each action with the state after it.
    ///
    /// # Examples
    ///
    /// ```
    /// let run = lessons::check::Run::new(0, vec![('a', 1), ('b', 2)]);
    /// assert_eq!(run.steps()[1], ('b', 2));
    /// ```
    pub fn steps(&self) -> &[(A, S)] {
        &self.steps
    }

    /// The actions, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// let run = lessons::check::Run::new(0, vec![('a', 1), ('b', 2)]);
    /// assert_eq!(run.actions().collect::<String>(), "ab");
    /// ```
    pub fn actions(&self) -> impl Iterator<Item = &A> {
        self.steps.iter().map(|(action, _)| action)
    }

    /// Each step as the state before it, its action and the state after it.
    fn transitions(&self) -> impl Iterator<Item = (&S, &A, &S)> {
        let befores = std::iter::once(&self.initial).chain(self.steps.iter().map(|(_, s)| s));
        befores
            .zip(&self.steps)
            .map(|(before, (a, after))| (before, a, after))
    }
}

impl<S: Debug, A: Debug> Run<S, A> {
    /// The run as a client history and a message diagram: step k happens at k ms, on the node
    /// the model's [`Model::view`] names, with the messages, client operations and labels it
    /// gives. Steps the model does not place are left out. The trace's
    /// [`operations`](Trace::operations) feed the register checker.
    ///
    /// # Examples
    ///
    /// See [`Run::diagram`], and `lessons::quorum::InversionModel` for a model that places its
    /// steps.
    ///
    /// ```
    /// # use lessons::check::{Bounds, Invariant, Model, Run, StepView};
    /// struct Ping;
    /// impl Model for Ping {
    ///     type State = u8; // 0: nothing yet, 1: ping sent, 2: ping received
    ///     type Action = ();
    ///     fn initial_states(&self) -> Vec<u8> { vec![0] }
    ///     fn actions(&self, state: &u8, actions: &mut Vec<()>) { if *state < 2 { actions.push(()) } }
    ///     fn next_state(&self, state: &u8, _: &()) -> Option<u8> { Some(state + 1) }
    ///     fn invariants(&self) -> Vec<Invariant<Ping>> { Vec::new() }
    ///     fn view(&self, before: &u8, _: &(), _: &u8) -> Option<StepView> {
    ///         Some(match before {
    ///             0 => StepView::at(0).sending(1, "ping"),
    ///             _ => StepView::at(1).receiving(0, "ping"),
    ///         })
    ///     }
    /// }
    /// let run = Run::new(0, vec![((), 1), ((), 2)]);
    /// let trace = run.trace(&Ping);
    /// assert_eq!(trace.node_names(), ["n0", "n1"]);
    /// assert_eq!(trace.deliveries().count(), 1);
    /// ```
    pub fn trace<M: Model<State = S, Action = A>>(&self, model: &M) -> Trace<MessageText> {
        let views: Vec<StepView> = self
            .transitions()
            .enumerate()
            .filter_map(|(k, (before, action, after))| {
                model
                    .view(before, action, after)
                    .map(|view| view.at_step(k + 1))
            })
            .collect();
        let mut names = model.node_names();
        let highest = views.iter().flat_map(StepView::nodes).max();
        while highest.is_some_and(|node| node >= names.len()) {
            names.push(format!("n{}", names.len()));
        }
        let mut drawing = Drawing::new(names);
        for view in &views {
            drawing.step(view);
        }
        drawing.recorder.set_end(ms(self.len() as i64 + 1));
        drawing.recorder.trace().clone()
    }

    /// The run as a space-time diagram: one line per node, one arrow per delivered message,
    /// step k at k ms.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::check::{Bounds, Invariant, Model, Run, StepView};
    /// # struct Ping;
    /// # impl Model for Ping {
    /// #     type State = u8;
    /// #     type Action = ();
    /// #     fn initial_states(&self) -> Vec<u8> { vec![0] }
    /// #     fn actions(&self, state: &u8, actions: &mut Vec<()>) { if *state < 2 { actions.push(()) } }
    /// #     fn next_state(&self, state: &u8, _: &()) -> Option<u8> { Some(state + 1) }
    /// #     fn invariants(&self) -> Vec<Invariant<Ping>> { Vec::new() }
    /// #     fn view(&self, before: &u8, _: &(), _: &u8) -> Option<StepView> {
    /// #         Some(match before {
    /// #             0 => StepView::at(0).sending(1, "ping"),
    /// #             _ => StepView::at(1).receiving(0, "ping"),
    /// #         })
    /// #     }
    /// # }
    /// let run = Run::new(0, vec![((), 1), ((), 2)]);
    /// let svg = run.diagram(&Ping).to_svg()?;
    /// assert_eq!(svg.matches(r#"class="message""#).count(), 1);
    /// # Ok::<(), lessons::viz::FigureError>(())
    /// ```
    pub fn diagram<M: Model<State = S, Action = A>>(&self, model: &M) -> SpaceTimeDiagram {
        SpaceTimeDiagram::new(&self.trace(model)).title(format!("A run of {} steps", self.len()))
    }
}

impl<S, A> Run<S, A> {
    /// The actions as a numbered list, one per line, each in the words `describe` gives it.
    ///
    /// # Examples
    ///
    /// ```
    /// let run = lessons::check::Run::new(0, vec![(2, 2), (1, 3)]);
    /// assert_eq!(run.numbered(|add| format!("add {add}")), "1. add 2\n2. add 1\n");
    /// ```
    pub fn numbered(&self, describe: impl Fn(&A) -> String) -> String {
        let mut text = String::new();
        for (number, action) in self.actions().enumerate() {
            text.push_str(&format!("{}. {}\n", number + 1, describe(action)));
        }
        text
    }
}

impl<S, A: Debug> fmt::Display for Run<S, A> {
    /// The actions as a numbered list, one per line, as their `Debug` text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.numbered(|action| format!("{action:?}")))
    }
}

/// A message of a drawn run, as the model's [`StepView`] wrote it. Its `Debug` text is the text
/// itself, without quotes, so arrows read `Write(1)` rather than `"Write(1)"`.
///
/// # Examples
///
/// ```
/// use lessons::check::MessageText;
///
/// assert_eq!(format!("{:?}", MessageText("Write(1)".into())), "Write(1)");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MessageText(pub String);

impl Debug for MessageText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where one step of a run happens and what it does there, for drawing it: the node, a short
/// label, the message it receives or loses, the messages it sends, and the client operation it
/// starts or answers.
///
/// # Examples
///
/// ```
/// use lessons::check::StepView;
///
/// let view = StepView::at(2).receiving(0, "write 1").sending(0, "ack").label("stores 1");
/// assert_eq!(view.node, 2);
/// assert_eq!(view.sent, [(0, "ack".to_string())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepView {
    /// The node the step happens at (for a lost message: its addressee).
    pub node: NodeId,
    /// Text to show beside the step (empty for none).
    pub text: String,
    /// The message the node receives: its sender and text.
    pub received: Option<(NodeId, String)>,
    /// The message addressed to the node that the network loses: its sender and text.
    pub lost: Option<(NodeId, String)>,
    /// The messages the node sends: addressee and text.
    pub sent: Vec<(NodeId, String)>,
    /// The client operation the node starts, as the register checker reads it (`"write 1"`,
    /// `"read"`).
    pub invoked: Option<String>,
    /// The answer to the node's open client operation (`"ok"`, `"1"`, `"empty"`).
    pub responded: Option<String>,
    /// The step's number in the run (filled in when drawing).
    step: usize,
}

impl StepView {
    /// A step at `node` that, so far, does nothing visible.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::StepView::at(3).node, 3);
    /// ```
    pub fn at(node: NodeId) -> StepView {
        StepView {
            node,
            ..StepView::default()
        }
    }

    /// The step with this text beside it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::StepView::at(0).label("crash").text, "crash");
    /// ```
    pub fn label(mut self, text: impl Into<String>) -> StepView {
        self.text = text.into();
        self
    }

    /// The step receives `message` from `from`.
    ///
    /// # Examples
    ///
    /// ```
    /// let view = lessons::check::StepView::at(1).receiving(0, "ping");
    /// assert_eq!(view.received, Some((0, "ping".to_string())));
    /// ```
    pub fn receiving(mut self, from: NodeId, message: impl Into<String>) -> StepView {
        self.received = Some((from, message.into()));
        self
    }

    /// The network loses `message`, sent by `from` to this step's node.
    ///
    /// # Examples
    ///
    /// ```
    /// let view = lessons::check::StepView::at(1).losing(0, "ping");
    /// assert_eq!(view.lost, Some((0, "ping".to_string())));
    /// ```
    pub fn losing(mut self, from: NodeId, message: impl Into<String>) -> StepView {
        self.lost = Some((from, message.into()));
        self
    }

    /// The step sends `message` to `to`.
    ///
    /// # Examples
    ///
    /// ```
    /// let view = lessons::check::StepView::at(0).sending(1, "a").sending(2, "a");
    /// assert_eq!(view.sent.len(), 2);
    /// ```
    pub fn sending(mut self, to: NodeId, message: impl Into<String>) -> StepView {
        self.sent.push((to, message.into()));
        self
    }

    /// The step sends each of `envelopes` (from this node), with the messages' `Debug` text:
    /// pair it with [`Network::sent_since`](super::Network::sent_since).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Envelope, StepView};
    ///
    /// let view = StepView::at(0).sending_all(&[Envelope { from: 0, to: 1, message: 5 }]);
    /// assert_eq!(view.sent, [(1, "5".to_string())]);
    /// ```
    pub fn sending_all<M: Debug>(mut self, envelopes: &[Envelope<M>]) -> StepView {
        for envelope in envelopes {
            self.sent
                .push((envelope.to, format!("{:?}", envelope.message)));
        }
        self
    }

    /// The step starts a client operation.
    ///
    /// # Examples
    ///
    /// ```
    /// let view = lessons::check::StepView::at(4).invoking("write 1");
    /// assert_eq!(view.invoked.as_deref(), Some("write 1"));
    /// ```
    pub fn invoking(mut self, operation: impl Into<String>) -> StepView {
        self.invoked = Some(operation.into());
        self
    }

    /// The step answers the node's open client operation.
    ///
    /// # Examples
    ///
    /// ```
    /// let view = lessons::check::StepView::at(4).responding("ok");
    /// assert_eq!(view.responded.as_deref(), Some("ok"));
    /// ```
    pub fn responding(mut self, result: impl Into<String>) -> StepView {
        self.responded = Some(result.into());
        self
    }

    fn at_step(mut self, step: usize) -> StepView {
        self.step = step;
        self
    }

    /// Every node the step mentions.
    fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        let peers = self.received.iter().chain(&self.lost).chain(&self.sent);
        std::iter::once(self.node).chain(peers.map(|(peer, _)| *peer))
    }
}

/// Turns step views into a trace, matching each delivery with the earliest send of the same
/// message on the same link that is not yet matched.
struct Drawing {
    recorder: Recorder<MessageText>,
    unmatched_sends: HashMap<(NodeId, NodeId, String), VecDeque<MessageId>>,
    open_operation: HashMap<NodeId, OperationId>,
}

impl Drawing {
    fn new(names: Vec<String>) -> Drawing {
        let mut recorder = Recorder::new();
        for name in names {
            recorder.add_node(name);
        }
        Drawing {
            recorder,
            unmatched_sends: HashMap::new(),
            open_operation: HashMap::new(),
        }
    }

    fn step(&mut self, view: &StepView) {
        let time = ms(view.step as i64);
        let node = view.node;
        if let Some(operation) = &view.invoked {
            let id = self.recorder.invoke(node, time, time, operation.clone());
            self.open_operation.insert(node, id);
        }
        if let Some((from, message)) = &view.received {
            let id = self.sent_message(*from, node, message, time);
            let kind = EventKind::Deliver {
                message: id,
                from: *from,
            };
            self.recorder.event(time, node, time, kind);
        }
        if let Some((from, message)) = &view.lost {
            let id = self.sent_message(*from, node, message, time);
            let reason = DropReason::Loss;
            let kind = EventKind::Drop {
                message: id,
                from: *from,
                reason,
            };
            self.recorder.event(time, node, time, kind);
        }
        let quiet = view.invoked.is_none() && view.received.is_none() && view.lost.is_none();
        if quiet && view.responded.is_none() {
            self.recorder.event(time, node, time, EventKind::Note);
        }
        if !view.text.is_empty() {
            self.recorder.label(node, view.text.clone());
        }
        if let Some(result) = &view.responded
            && let Some(id) = self.open_operation.remove(&node)
        {
            self.recorder.respond(node, time, time, id, result.clone());
        }
        for (to, message) in &view.sent {
            let text = MessageText(message.clone());
            let id = self.recorder.message(node, *to, time, 1, &text);
            self.recorder.event(
                time,
                node,
                time,
                EventKind::Send {
                    message: id,
                    to: *to,
                },
            );
            self.unmatched_sends
                .entry((node, *to, message.clone()))
                .or_default()
                .push_back(id);
        }
    }

    /// The id of the earliest unmatched send of `message` from `from` to `to`; a message no
    /// step sent (it was in flight in the initial state) is recorded as sent now.
    fn sent_message(&mut self, from: NodeId, to: NodeId, message: &str, time: Time) -> MessageId {
        let key = (from, to, message.to_string());
        match self
            .unmatched_sends
            .get_mut(&key)
            .and_then(VecDeque::pop_front)
        {
            Some(id) => id,
            None => {
                let text = MessageText(message.to_string());
                self.recorder.message(from, to, time, 1, &text)
            }
        }
    }
}
