//! The bounded exhaustive explorer: every run of a small model up to a depth, breadth first, so
//! the first violation found is a shortest one.

use std::collections::HashMap;
use std::fmt::{self, Debug};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::time::{Duration, Instant};

use super::run::{Run, StepView};
use crate::sim::{SimError, stop_requested};

/// A system small enough to explore exhaustively: its states, the actions enabled in each, what
/// each action does, and the invariants every reachable state must keep.
///
/// Everything nondeterministic (which message arrives next, whether one is lost, whether a timer
/// fires, whether a node crashes) is an action the model lists in [`actions`](Model::actions);
/// [`next_state`](Model::next_state) itself must be a plain function of the state and the
/// action, so that a run can be replayed and two equal states have the same future.
///
/// The shape follows stateright's `Model` trait (initial states, actions, next state,
/// properties), with two additions for drawing a run: [`node_names`](Model::node_names) and
/// [`view`](Model::view).
///
/// # Examples
///
/// A counter that may add 1 or 2, which must never reach 5:
///
/// ```
/// use lessons::check::{Bounds, Invariant, Model, explore};
///
/// struct Counter;
///
/// impl Model for Counter {
///     type State = u32;
///     type Action = u32;
///     fn initial_states(&self) -> Vec<u32> {
///         vec![0]
///     }
///     fn actions(&self, _state: &u32, actions: &mut Vec<u32>) {
///         actions.extend([1, 2]);
///     }
///     fn next_state(&self, state: &u32, add: &u32) -> Option<u32> {
///         Some(state + add)
///     }
///     fn invariants(&self) -> Vec<Invariant<Counter>> {
///         vec![Invariant::new("below 5", |_, count| *count < 5)]
///     }
/// }
///
/// let exploration = explore(&Counter, Bounds::depth(10)?);
/// let violation = exploration.violation.unwrap();
/// assert_eq!(violation.invariant, "below 5");
/// assert_eq!(violation.run.len(), 3); // 1 + 2 + 2, or any other order of three steps
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub trait Model {
    /// Everything that distinguishes one moment of the system from another.
    type State: Clone + Eq + Hash + Debug;
    /// One thing that can happen: a delivery, a loss, a timer, a crash, a client request.
    type Action: Clone + Debug;

    /// The states a run may start from.
    fn initial_states(&self) -> Vec<Self::State>;

    /// Pushes onto `actions` every action enabled in `state`, in a fixed order.
    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>);

    /// The state after `action`, or `None` when the action changes nothing.
    fn next_state(&self, state: &Self::State, action: &Self::Action) -> Option<Self::State>;

    /// The invariants: named predicates every reachable state must satisfy.
    fn invariants(&self) -> Vec<Invariant<Self>>
    where
        Self: Sized;

    /// The nodes' names, by id, for drawing a run. By default none: nodes are named `n0`,
    /// `n1`, ... after the ids that [`view`](Model::view) uses.
    fn node_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Where `action` (taken in `before`, leading to `after`) happens, which message it
    /// delivers and which it sends, for drawing the run as a space-time diagram. By default
    /// `None`: the step is left out of the drawing.
    fn view(
        &self,
        before: &Self::State,
        action: &Self::Action,
        after: &Self::State,
    ) -> Option<StepView> {
        let _ = (before, action, after);
        None
    }
}

/// A named predicate that every reachable state must satisfy.
///
/// # Examples
///
/// ```
/// use lessons::check::{Invariant, Model};
/// # struct Counter;
/// # impl Model for Counter {
/// #     type State = u32;
/// #     type Action = u32;
/// #     fn initial_states(&self) -> Vec<u32> { vec![0] }
/// #     fn actions(&self, _: &u32, actions: &mut Vec<u32>) { actions.push(1) }
/// #     fn next_state(&self, state: &u32, add: &u32) -> Option<u32> { Some(state + add) }
/// #     fn invariants(&self) -> Vec<Invariant<Counter>> { Vec::new() }
/// # }
///
/// let even: Invariant<Counter> = Invariant::new("even", |_, count| count % 2 == 0);
/// assert!((even.holds)(&Counter, &4));
/// assert!(!(even.holds)(&Counter, &3));
/// ```
pub struct Invariant<M: Model> {
    /// What it promises, in a few words.
    pub name: &'static str,
    /// Whether a state keeps the promise; it may read the model's parameters.
    pub holds: fn(&M, &M::State) -> bool,
}

impl<M: Model> Invariant<M> {
    /// The invariant `name`, kept by the states for which `holds` is true.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::check::{Invariant, Model};
    /// # struct Counter;
    /// # impl Model for Counter {
    /// #     type State = u32;
    /// #     type Action = u32;
    /// #     fn initial_states(&self) -> Vec<u32> { vec![0] }
    /// #     fn actions(&self, _: &u32, actions: &mut Vec<u32>) { actions.push(1) }
    /// #     fn next_state(&self, state: &u32, add: &u32) -> Option<u32> { Some(state + add) }
    /// #     fn invariants(&self) -> Vec<Invariant<Counter>> { Vec::new() }
    /// # }
    /// let small: Invariant<Counter> = Invariant::new("small", |_, count| *count < 10);
    /// assert_eq!(small.name, "small");
    /// ```
    pub fn new(name: &'static str, holds: fn(&M, &M::State) -> bool) -> Invariant<M> {
        Invariant { name, holds }
    }
}

impl<M: Model> Clone for Invariant<M> {
    fn clone(&self) -> Invariant<M> {
        Invariant {
            name: self.name,
            holds: self.holds,
        }
    }
}

impl<M: Model> Debug for Invariant<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Invariant")
            .field("name", &self.name)
            .finish()
    }
}

/// How far to explore: runs of at most `max_depth` actions, and at most `max_states` distinct
/// states in all.
///
/// # Examples
///
/// ```
/// use lessons::check::Bounds;
///
/// let bounds = Bounds::new(12, 1_000)?;
/// assert_eq!((bounds.max_depth(), bounds.max_states()), (12, 1_000));
/// assert_eq!(
///     Bounds::depth(0).unwrap_err().to_string(),
///     "max_depth 0 is not allowed; from 1 to 1000 actions"
/// );
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    max_depth: usize,
    max_states: usize,
}

impl Bounds {
    /// The deepest a run may go.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Bounds::MAX_DEPTH, 1_000);
    /// ```
    pub const MAX_DEPTH: usize = 1_000;

    /// The most distinct states an exploration may keep.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Bounds::MAX_STATES, 20_000_000);
    /// ```
    pub const MAX_STATES: usize = 20_000_000;

    /// The states [`Bounds::depth`] allows.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Bounds::DEFAULT_STATES, 1_000_000);
    /// ```
    pub const DEFAULT_STATES: usize = 1_000_000;

    /// Runs of at most `max_depth` actions, at most `max_states` distinct states.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `max_depth` is not in `1..=MAX_DEPTH` or `max_states` is
    /// not in `1..=MAX_STATES`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::Bounds;
    ///
    /// assert_eq!(
    ///     Bounds::new(5, 0).unwrap_err().to_string(),
    ///     "max_states 0 is not allowed; from 1 to 20000000 states"
    /// );
    /// ```
    pub fn new(max_depth: usize, max_states: usize) -> Result<Bounds, SimError> {
        if !(1..=Self::MAX_DEPTH).contains(&max_depth) {
            return Err(SimError::parameter(
                "max_depth",
                max_depth,
                format!("from 1 to {} actions", Self::MAX_DEPTH),
            ));
        }
        if !(1..=Self::MAX_STATES).contains(&max_states) {
            return Err(SimError::parameter(
                "max_states",
                max_states,
                format!("from 1 to {} states", Self::MAX_STATES),
            ));
        }
        Ok(Bounds {
            max_depth,
            max_states,
        })
    }

    /// Runs of at most `max_depth` actions, at most [`Bounds::DEFAULT_STATES`] states.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `max_depth` is not in `1..=MAX_DEPTH`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Bounds::depth(8)?.max_states(), 1_000_000);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn depth(max_depth: usize) -> Result<Bounds, SimError> {
        Bounds::new(max_depth, Self::DEFAULT_STATES)
    }

    /// The deepest a run may go, in actions.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Bounds::depth(8)?.max_depth(), 8);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The most distinct states the exploration keeps.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::Bounds::new(8, 50)?.max_states(), 50);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn max_states(&self) -> usize {
        self.max_states
    }
}

/// An invariant that a reachable state breaks, with a shortest run that reaches such a state.
///
/// # Examples
///
/// ```
/// use lessons::check::{Run, Violation};
///
/// let violation = Violation { invariant: "below 2", run: Run::new(0u32, vec![(1u32, 1), (1, 2)]) };
/// assert_eq!(violation.run.final_state(), &2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Violation<S, A> {
    /// The invariant's name.
    pub invariant: &'static str,
    /// A shortest run from an initial state to a state that breaks it.
    pub run: Run<S, A>,
}

/// What an exploration found, and how much work it took.
///
/// # Examples
///
/// ```
/// # use lessons::check::{Bounds, Invariant, Model, explore};
/// # struct Counter;
/// # impl Model for Counter {
/// #     type State = u32;
/// #     type Action = u32;
/// #     fn initial_states(&self) -> Vec<u32> { vec![0] }
/// #     fn actions(&self, state: &u32, actions: &mut Vec<u32>) { if *state < 3 { actions.push(1) } }
/// #     fn next_state(&self, state: &u32, add: &u32) -> Option<u32> { Some(state + add) }
/// #     fn invariants(&self) -> Vec<Invariant<Counter>> { vec![Invariant::new("small", |_, c| *c < 9)] }
/// # }
/// // A counter that stops at 3 has four states, and none breaks "small".
/// let exploration = explore(&Counter, Bounds::depth(10)?);
/// assert!(exploration.violation.is_none());
/// assert_eq!((exploration.distinct_states, exploration.max_depth_reached), (4, 3));
/// assert!(exploration.exhausted);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Exploration<S, A> {
    /// The first violation found, breadth first: no shorter run breaks any invariant.
    pub violation: Option<Violation<S, A>>,
    /// Every state computed, repeats included: initial states and the result of every action
    /// that changed something.
    pub states_explored: usize,
    /// Distinct states seen.
    pub distinct_states: usize,
    /// The most actions in any run explored.
    pub max_depth_reached: usize,
    /// Whether every reachable state was visited: no violation stopped the search, no run was
    /// cut by the depth bound and the state bound was not hit. With no violation and `exhausted`, the invariants hold in every
    /// reachable state, not only within the bound.
    pub exhausted: bool,
    /// Whether the learner interrupted the search (under the lessons kernel): what it found
    /// until then is here, and `exhausted` is false.
    pub interrupted: bool,
    /// How long the exploration took on this machine: a measurement of the computation, not
    /// simulated time, and different on every run.
    pub elapsed: Duration,
}

impl<S, A> Exploration<S, A> {
    /// Distinct states per second of the exploration's own run time.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::check::{Bounds, Invariant, Model, explore};
    /// # struct Counter;
    /// # impl Model for Counter {
    /// #     type State = u32;
    /// #     type Action = u32;
    /// #     fn initial_states(&self) -> Vec<u32> { vec![0] }
    /// #     fn actions(&self, state: &u32, actions: &mut Vec<u32>) { if *state < 3 { actions.push(1) } }
    /// #     fn next_state(&self, state: &u32, add: &u32) -> Option<u32> { Some(state + add) }
    /// #     fn invariants(&self) -> Vec<Invariant<Counter>> { Vec::new() }
    /// # }
    /// let exploration = explore(&Counter, Bounds::depth(10)?);
    /// assert!(exploration.states_per_second() > 0.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn states_per_second(&self) -> f64 {
        self.distinct_states as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Whether no state within the bounds breaks an invariant.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::check::{Bounds, Invariant, Model, explore};
    /// # struct Counter;
    /// # impl Model for Counter {
    /// #     type State = u32;
    /// #     type Action = u32;
    /// #     fn initial_states(&self) -> Vec<u32> { vec![0] }
    /// #     fn actions(&self, _: &u32, actions: &mut Vec<u32>) { actions.push(1) }
    /// #     fn next_state(&self, state: &u32, add: &u32) -> Option<u32> { Some(state + add) }
    /// #     fn invariants(&self) -> Vec<Invariant<Counter>> { vec![Invariant::new("small", |_, c| *c < 9)] }
    /// # }
    /// // Within 5 steps the counter stays small; the bound cut the runs, so nothing more is known.
    /// let exploration = explore(&Counter, Bounds::depth(5)?);
    /// assert!(exploration.holds() && !exploration.exhausted);
    /// assert!(!explore(&Counter, Bounds::depth(9)?).holds());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn holds(&self) -> bool {
        self.violation.is_none()
    }
}

/// How a state was first reached: the state it came from and the action taken there, or
/// `None` for an initial state.
struct Visit<S, A> {
    state: S,
    came_from: Option<(usize, A)>,
    depth: usize,
    /// The next visit whose state has the same hash (a collision chain), so every state is
    /// stored once and compared exactly.
    same_hash: Option<usize>,
}

/// What [`Visited::insert`] did with a state.
enum Inserted {
    /// It was seen before.
    Seen,
    /// It is new, and kept at this index.
    New(usize),
    /// It is new, but the state bound is reached.
    NoRoom,
}

/// The states seen so far, in the order they were first reached: that order is the
/// breadth-first queue.
struct Visited<S, A> {
    visits: Vec<Visit<S, A>>,
    first_with_hash: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
}

impl<S: Hash + Eq, A> Visited<S, A> {
    fn new() -> Visited<S, A> {
        Visited {
            visits: Vec::new(),
            first_with_hash: HashMap::default(),
        }
    }

    /// Records `state` if it is new and `bounds` leave room for it.
    fn insert(
        &mut self,
        state: S,
        came_from: Option<(usize, A)>,
        depth: usize,
        bounds: Bounds,
    ) -> Inserted {
        let hash = hash_of(&state);
        let head = self.first_with_hash.get(&hash).copied();
        let mut next = head;
        while let Some(index) = next {
            if self.visits[index].state == state {
                return Inserted::Seen;
            }
            next = self.visits[index].same_hash;
        }
        if self.visits.len() >= bounds.max_states {
            return Inserted::NoRoom;
        }
        let index = self.visits.len();
        self.visits.push(Visit {
            state,
            came_from,
            depth,
            same_hash: head,
        });
        self.first_with_hash.insert(hash, index);
        Inserted::New(index)
    }

    fn contains(&self, state: &S) -> bool {
        let mut next = self.first_with_hash.get(&hash_of(state)).copied();
        while let Some(index) = next {
            if &self.visits[index].state == state {
                return true;
            }
            next = self.visits[index].same_hash;
        }
        false
    }
}

impl<S: Clone, A: Clone> Visited<S, A> {
    /// The run from an initial state to the state at `index`, following the recorded parents.
    fn run_to(&self, index: usize) -> Run<S, A> {
        let mut steps = Vec::new();
        let mut at = index;
        while let Some((parent, action)) = &self.visits[at].came_from {
            steps.push((action.clone(), self.visits[at].state.clone()));
            at = *parent;
        }
        steps.reverse();
        Run::new(self.visits[at].state.clone(), steps)
    }
}

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = Mixer::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A fast non-cryptographic hasher (the multiply-and-rotate scheme of rustc's FxHasher, with a
/// final mix so every bit of the result depends on every input bit). Collisions cost only time:
/// states with equal hashes are still compared in full.
#[derive(Default)]
struct Mixer(u64);

impl Mixer {
    const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::MULTIPLIER);
    }
}

impl Hasher for Mixer {
    fn finish(&self) -> u64 {
        // The finaliser of MurmurHash3.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

/// A hasher for keys that are already hashes: hashing them again would only cost time.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Explores every run of `model` within `bounds`, breadth first, visiting each distinct state
/// once, and checks every invariant on every state it reaches.
///
/// Breadth first means all runs of k actions are looked at before any run of k + 1, so the
/// violation returned, if any, comes with a shortest run. A state is skipped when it was
/// reached before, by a run no longer than the current one: whatever can happen after it was
/// already explored.
///
/// # Examples
///
/// Two processes each increment a shared counter by reading it, then writing what they read
/// plus one. Lost updates need both to read before either writes: four actions.
///
/// ```
/// use lessons::check::{Bounds, Invariant, Model, explore};
///
/// struct LostUpdate;
///
/// #[derive(Clone, PartialEq, Eq, Hash, Debug)]
/// struct State { counter: u8, read: [Option<u8>; 2], done: [bool; 2] }
///
/// impl Model for LostUpdate {
///     type State = State;
///     type Action = usize; // which process moves
///     fn initial_states(&self) -> Vec<State> {
///         vec![State { counter: 0, read: [None; 2], done: [false; 2] }]
///     }
///     fn actions(&self, state: &State, actions: &mut Vec<usize>) {
///         actions.extend((0..2).filter(|&p| !state.done[p]));
///     }
///     fn next_state(&self, state: &State, &p: &usize) -> Option<State> {
///         let mut next = state.clone();
///         match state.read[p] {
///             None => next.read[p] = Some(state.counter),
///             Some(seen) => { next.counter = seen + 1; next.done[p] = true; }
///         }
///         Some(next)
///     }
///     fn invariants(&self) -> Vec<Invariant<LostUpdate>> {
///         vec![Invariant::new("no lost update", |_, s: &State| !(s.done == [true; 2] && s.counter < 2))]
///     }
/// }
///
/// let exploration = explore(&LostUpdate, Bounds::depth(4)?);
/// assert_eq!(exploration.violation.unwrap().run.len(), 4);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn explore<M: Model>(model: &M, bounds: Bounds) -> Exploration<M::State, M::Action> {
    let started = Instant::now();
    let invariants = model.invariants();
    let broken = |state: &M::State| {
        invariants
            .iter()
            .find(|invariant| !(invariant.holds)(model, state))
            .map(|invariant| invariant.name)
    };
    let mut visited = Visited::new();
    let mut states_explored = 0;
    let mut max_depth_reached = 0;
    let mut exhausted = true;
    let mut violation = None;
    let mut interrupted = false;
    let mut actions = Vec::new();

    'search: {
        for state in model.initial_states() {
            states_explored += 1;
            match visited.insert(state, None, 0, bounds) {
                Inserted::Seen => {}
                Inserted::NoRoom => {
                    exhausted = false;
                    break 'search;
                }
                Inserted::New(index) => {
                    if let Some(invariant) = broken(&visited.visits[index].state) {
                        violation = Some((invariant, index));
                        break 'search;
                    }
                }
            }
        }
        // The visits, in the order they were first reached, are the breadth-first queue.
        let mut next_to_expand = 0;
        while next_to_expand < visited.visits.len() {
            let index = next_to_expand;
            next_to_expand += 1;
            if index % 1024 == 1023 && stop_requested() {
                interrupted = true;
                exhausted = false;
                break 'search;
            }
            let depth = visited.visits[index].depth;
            actions.clear();
            model.actions(&visited.visits[index].state, &mut actions);
            for action in actions.drain(..) {
                let Some(next) = model.next_state(&visited.visits[index].state, &action) else {
                    continue;
                };
                if depth == bounds.max_depth {
                    // Too deep to explore: only note whether the bound cut off a new state.
                    exhausted = exhausted && visited.contains(&next);
                    continue;
                }
                states_explored += 1;
                match visited.insert(next, Some((index, action)), depth + 1, bounds) {
                    Inserted::Seen => {}
                    Inserted::NoRoom => {
                        exhausted = false;
                        break 'search;
                    }
                    Inserted::New(new) => {
                        max_depth_reached = depth + 1;
                        if let Some(invariant) = broken(&visited.visits[new].state) {
                            violation = Some((invariant, new));
                            break 'search;
                        }
                    }
                }
            }
        }
    }

    Exploration {
        // A violation stops the search before it has seen everything.
        exhausted: exhausted && violation.is_none(),
        interrupted,
        violation: violation.map(|(invariant, index)| Violation {
            invariant,
            run: visited.run_to(index),
        }),
        states_explored,
        distinct_states: visited.visits.len(),
        max_depth_reached,
        elapsed: started.elapsed(),
    }
}
