//! Laws of the bounded explorer: its shortest counterexample is a shortest path, its state
//! count is the number of states a brute-force enumeration reaches, and it reports no violation
//! when the invariant holds.

use std::collections::{BTreeSet, HashSet, VecDeque};

use lessons::check::{
    Bounds, Envelope, Invariant, Model, Network, NetworkFaults, NetworkStep, explore,
};
use proptest::prelude::*;

/// A walk on a directed graph: the state is the node the walker is at, an action is an edge
/// out of it. The invariant says the walker never reaches `target`.
#[derive(Debug)]
struct Walk {
    edges: Vec<Vec<u8>>,
    starts: Vec<u8>,
    target: Option<u8>,
}

impl Model for Walk {
    type State = u8;
    type Action = u8;

    fn initial_states(&self) -> Vec<u8> {
        self.starts.clone()
    }

    fn actions(&self, state: &u8, actions: &mut Vec<u8>) {
        actions.extend(&self.edges[*state as usize]);
    }

    fn next_state(&self, _state: &u8, to: &u8) -> Option<u8> {
        Some(*to)
    }

    fn invariants(&self) -> Vec<Invariant<Walk>> {
        vec![Invariant::new("never at the target", |walk, node| {
            walk.target != Some(*node)
        })]
    }
}

/// Plain breadth-first search over the graph: the distance of every node from the starts.
fn distances(walk: &Walk) -> Vec<Option<usize>> {
    let mut distance = vec![None; walk.edges.len()];
    let mut queue = VecDeque::new();
    for &start in &walk.starts {
        if distance[start as usize].is_none() {
            distance[start as usize] = Some(0);
            queue.push_back(start);
        }
    }
    while let Some(node) = queue.pop_front() {
        let next_distance = distance[node as usize].map(|d| d + 1);
        for &to in &walk.edges[node as usize] {
            if distance[to as usize].is_none() {
                distance[to as usize] = next_distance;
                queue.push_back(to);
            }
        }
    }
    distance
}

/// Every state some sequence of at most `depth` actions reaches, by trying every sequence.
fn brute_force_reach<M: Model>(model: &M, depth: usize) -> HashSet<M::State> {
    fn walk<M: Model>(model: &M, state: M::State, left: usize, seen: &mut HashSet<M::State>) {
        seen.insert(state.clone());
        if left == 0 {
            return;
        }
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        for action in actions {
            if let Some(next) = model.next_state(&state, &action) {
                walk(model, next, left - 1, seen);
            }
        }
    }
    let mut seen = HashSet::new();
    for state in model.initial_states() {
        walk(model, state, depth, &mut seen);
    }
    seen
}

fn graphs() -> impl Strategy<Value = Walk> {
    (2usize..9).prop_flat_map(|nodes| {
        let node = 0..nodes as u8;
        (
            prop::collection::vec(prop::collection::vec(node.clone(), 0..4), nodes),
            prop::collection::vec(node.clone(), 1..3),
            prop::option::of(node),
        )
            .prop_map(|(edges, starts, target)| Walk {
                edges,
                starts,
                target,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The counterexample is exactly as long as the shortest path to the target, and is a real
    /// path: each step is an edge, it starts at a start and ends at the target.
    #[test]
    fn the_counterexample_is_a_shortest_path(walk in graphs(), depth in 1usize..8) {
        let exploration = explore(&walk, Bounds::depth(depth).unwrap());
        let shortest = walk.target.and_then(|target| distances(&walk)[target as usize]);
        match (shortest, exploration.violation) {
            (Some(distance), Some(violation)) => {
                prop_assert!(distance <= depth);
                prop_assert_eq!(violation.run.len(), distance);
                prop_assert!(walk.starts.contains(violation.run.initial_state()));
                prop_assert_eq!(Some(*violation.run.final_state()), walk.target);
                let mut at = *violation.run.initial_state();
                for (action, state) in violation.run.steps() {
                    prop_assert!(walk.edges[at as usize].contains(action));
                    prop_assert_eq!(walk.next_state(&at, action), Some(*state));
                    at = *state;
                }
            }
            (Some(distance), None) => prop_assert!(distance > depth),
            (None, found) => prop_assert!(found.is_none()),
        }
    }

    /// With no target the invariant holds everywhere: no violation, and the distinct states are
    /// exactly those a brute-force enumeration of every action sequence reaches.
    #[test]
    fn distinct_states_match_brute_force(mut walk in graphs(), depth in 1usize..6) {
        walk.target = None;
        let exploration = explore(&walk, Bounds::depth(depth).unwrap());
        prop_assert!(exploration.holds());
        let reached = brute_force_reach(&walk, depth);
        prop_assert_eq!(exploration.distinct_states, reached.len());
        let farthest = reached.iter().filter_map(|&n| distances(&walk)[n as usize]).max();
        prop_assert_eq!(Some(exploration.max_depth_reached), farthest);
        // Exhausted exactly when one more step of depth would reach nothing new.
        let reachable = distances(&walk).iter().filter(|d| d.is_some()).count();
        prop_assert_eq!(exploration.exhausted, reachable == reached.len());
    }

    /// A state bound below the number of reachable states stops the search at that many
    /// states, and the exploration says it did not cover everything.
    #[test]
    fn the_state_bound_stops_the_search(mut walk in graphs(), cap in 1usize..4) {
        walk.target = None;
        let reachable = distances(&walk).iter().filter(|d| d.is_some()).count();
        let exploration = explore(&walk, Bounds::new(20, cap).unwrap());
        prop_assert_eq!(exploration.distinct_states, reachable.min(cap));
        if reachable > cap {
            prop_assert!(!exploration.exhausted);
        }
    }
}

/// A sender puts `messages` distinct messages in flight to a receiver, which records what it
/// got; the network may lose up to `drops` of them.
struct Mailbox {
    messages: u8,
    faults: NetworkFaults,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct MailboxState {
    network: Network<u8>,
    received: BTreeSet<u8>,
}

impl Model for Mailbox {
    type State = MailboxState;
    type Action = NetworkStep<u8>;

    fn initial_states(&self) -> Vec<MailboxState> {
        let mut network = Network::new();
        for message in 0..self.messages {
            network.send(0, 1, message);
        }
        vec![MailboxState {
            network,
            received: BTreeSet::new(),
        }]
    }

    fn actions(&self, state: &MailboxState, actions: &mut Vec<NetworkStep<u8>>) {
        actions.extend(state.network.steps(self.faults));
    }

    fn next_state(&self, state: &MailboxState, step: &NetworkStep<u8>) -> Option<MailboxState> {
        let mut next = state.clone();
        if let Some(Envelope { message, .. }) = next.network.apply(step) {
            next.received.insert(message);
        }
        Some(next)
    }

    fn invariants(&self) -> Vec<Invariant<Mailbox>> {
        Vec::new()
    }
}

#[test]
fn a_reliable_network_reaches_every_subset_of_deliveries_once() {
    // Each of 3 messages is in flight or delivered: 2³ states, whatever the delivery order.
    let mailbox = Mailbox {
        messages: 3,
        faults: NetworkFaults::default(),
    };
    let exploration = explore(&mailbox, Bounds::depth(10).unwrap());
    assert_eq!(exploration.distinct_states, 8);
    assert_eq!(exploration.max_depth_reached, 3);
    assert!(exploration.exhausted && exploration.holds());
}

#[test]
fn one_loss_adds_the_states_with_one_message_gone() {
    // In flight, delivered or lost, with at most one lost: 2³ + 3 · 2² = 20 states.
    let mailbox = Mailbox {
        messages: 3,
        faults: NetworkFaults {
            drops: 1,
            duplicates: 0,
        },
    };
    let exploration = explore(&mailbox, Bounds::depth(10).unwrap());
    assert_eq!(exploration.distinct_states, 20);
    assert_eq!(
        exploration.distinct_states,
        brute_force_reach(&mailbox, 10).len()
    );
}

#[test]
fn one_copy_adds_the_states_of_the_copied_message() {
    // No copy made: 2³ states. One copy made: either the copied message still has a copy in
    // flight (two copies undelivered, or one delivered and one left), 3 · 2 · 2² = 24 states,
    // or both copies are delivered, and then the state no longer says which message was
    // copied: any in-flight/delivered split with at least one delivered, 2³ - 1 = 7 states.
    // 8 + 24 + 7 = 39: the multiset forgets what the future cannot tell apart.
    let mailbox = Mailbox {
        messages: 3,
        faults: NetworkFaults {
            drops: 0,
            duplicates: 1,
        },
    };
    let exploration = explore(&mailbox, Bounds::depth(10).unwrap());
    assert_eq!(exploration.distinct_states, 39);
    assert_eq!(
        exploration.distinct_states,
        brute_force_reach(&mailbox, 10).len()
    );
}

#[test]
fn bounds_say_what_is_allowed() {
    assert_eq!(
        Bounds::new(0, 10).unwrap_err().to_string(),
        "max_depth 0 is not allowed; from 1 to 1000 actions"
    );
    assert_eq!(
        Bounds::new(1_001, 10).unwrap_err().to_string(),
        "max_depth 1001 is not allowed; from 1 to 1000 actions"
    );
    assert_eq!(
        Bounds::new(3, 20_000_001).unwrap_err().to_string(),
        "max_states 20000001 is not allowed; from 1 to 20000000 states"
    );
}

#[test]
fn an_initial_state_that_breaks_the_invariant_gives_an_empty_run() {
    let walk = Walk {
        edges: vec![vec![1], vec![0]],
        starts: vec![1],
        target: Some(1),
    };
    let violation = explore(&walk, Bounds::depth(3).unwrap()).violation.unwrap();
    assert!(violation.run.is_empty());
    assert_eq!(violation.invariant, "never at the target");
}
