//! The laws of the CRDT lesson, for all inputs (proptest, regressions persisted beside this
//! file): merge is commutative, associative and idempotent for every type, every update is an
//! inflation, and any delivery order of the same operations, with duplicates, to any number of
//! replicas gives the same state. Then the per-type properties of the curriculum, as laws or as
//! exact cases with the expected values written down.

use std::collections::BTreeSet;

use lessons::crdt::{
    CartParameters, Crdt, GCounter, GSet, LwwRegister, MvRegister, OperationBased, OrSet,
    PNCounter, Rga, TextInsert, TwoPhaseSet, cart_experiment, stability_experiment,
};
use lessons::sim::Rng;
use proptest::prelude::*;

mod crdt_histories;

use crdt_histories::{REPLICAS, Step, steps};

/// A CRDT the laws are checked on, with one random update per `(choice, value)`.
trait Subject: Crdt + OperationBased + Default {
    fn update(&mut self, replica: usize, choice: u8, value: u8) -> Self::Op;
}

impl Subject for GCounter {
    fn update(&mut self, replica: usize, _: u8, value: u8) -> Self::Op {
        self.increment_by(replica, u64::from(value % 3) + 1)
    }
}

impl Subject for PNCounter {
    fn update(&mut self, replica: usize, choice: u8, value: u8) -> Self::Op {
        let amount = u64::from(value % 3) + 1;
        if choice.is_multiple_of(2) {
            self.increment_by(replica, amount)
        } else {
            self.decrement_by(replica, amount)
        }
    }
}

impl Subject for GSet<u8> {
    fn update(&mut self, _: usize, _: u8, value: u8) -> Self::Op {
        self.add(value % 8)
    }
}

impl Subject for TwoPhaseSet<u8> {
    fn update(&mut self, _: usize, choice: u8, value: u8) -> Self::Op {
        let element = value % 8;
        if !choice.is_multiple_of(2)
            && self.contains(&element)
            && let Ok(op) = self.remove(element)
        {
            return op;
        }
        self.add(element)
    }
}

impl Subject for LwwRegister<u8> {
    fn update(&mut self, replica: usize, _: u8, value: u8) -> Self::Op {
        self.set(replica, value)
    }
}

impl Subject for MvRegister<u8> {
    fn update(&mut self, replica: usize, _: u8, value: u8) -> Self::Op {
        self.set(replica, value)
    }
}

impl Subject for OrSet<u8> {
    fn update(&mut self, replica: usize, choice: u8, value: u8) -> Self::Op {
        let element = value % 6;
        if choice.is_multiple_of(3) {
            self.remove(&element)
        } else {
            self.add(replica, element)
        }
    }
}

impl Subject for Rga<u8> {
    fn update(&mut self, replica: usize, _: u8, value: u8) -> Self::Op {
        let index = usize::from(value) % (self.len() + 1);
        self.insert(replica, index, value)
            .unwrap_or_else(|_| unreachable!("the index is at most the length"))
    }
}

/// Runs a history: the replicas' final states and every operation the updates returned.
fn run<C: Subject>(steps: &[Step]) -> (Vec<C>, Vec<C::Op>) {
    let mut replicas: Vec<C> = (0..REPLICAS).map(|_| C::default()).collect();
    let mut ops = Vec::new();
    for step in steps {
        match *step {
            Step::Update {
                replica,
                choice,
                value,
            } => ops.push(replicas[replica].update(replica, choice, value)),
            Step::Merge { from, into } => {
                let state = replicas[from].clone();
                replicas[into].merge(&state);
            }
        }
    }
    (replicas, ops)
}

/// Merge is commutative, associative and idempotent on the three states of a history.
fn merge_is_a_join<C: Subject>(steps: &[Step]) -> Result<(), TestCaseError> {
    let (states, _) = run::<C>(steps);
    let (a, b, c) = (&states[0], &states[1], &states[2]);
    prop_assert_eq!(a.merged(b), b.merged(a), "commutative");
    prop_assert_eq!(a.merged(b).merged(c), a.merged(&b.merged(c)), "associative");
    prop_assert_eq!(a.merged(a), a.clone(), "idempotent");
    prop_assert_eq!(
        a.merged(b).merged(b),
        a.merged(b),
        "idempotent after a merge"
    );
    Ok(())
}

/// Every update moves the state up: the old state merged into the new one changes nothing.
fn updates_inflate<C: Subject>(steps: &[Step], choice: u8, value: u8) -> Result<(), TestCaseError> {
    let (states, _) = run::<C>(steps);
    for (replica, before) in states.iter().enumerate() {
        let mut after = before.clone();
        after.update(replica, choice, value);
        prop_assert_eq!(after.merged(before), after.clone());
    }
    Ok(())
}

/// The operations of a history, delivered to `receivers` fresh replicas, each in its own random
/// order and with random duplicates, give every receiver the join of the history's states.
fn any_delivery_order_converges<C: Subject>(
    steps: &[Step],
    receivers: usize,
    seed: u64,
) -> Result<(), TestCaseError> {
    let (states, ops) = run::<C>(steps);
    let mut everything = C::default();
    for state in &states {
        everything.merge(state);
    }
    let mut rng = Rng::new(seed);
    for _ in 0..receivers {
        let mut delivery: Vec<&C::Op> = ops.iter().collect();
        for op in &ops {
            if rng.chance(0.2) {
                delivery.push(op);
            }
        }
        rng.shuffle(&mut delivery);
        let mut receiver = C::default();
        for op in delivery {
            receiver.apply(op);
        }
        prop_assert_eq!(&receiver, &everything);
    }
    Ok(())
}

/// The states of a history merged in a random order and grouping, with repeats, give the join.
fn any_merge_order_converges<C: Subject>(steps: &[Step], seed: u64) -> Result<(), TestCaseError> {
    let (states, _) = run::<C>(steps);
    let mut everything = C::default();
    for state in &states {
        everything.merge(state);
    }
    let mut rng = Rng::new(seed);
    let mut pool = states.clone();
    while pool.len() > 1 {
        let i = rng.below(pool.len() as u64) as usize;
        let taken = pool.swap_remove(i);
        let j = rng.below(pool.len() as u64) as usize;
        pool[j].merge(&taken);
        if rng.chance(0.3) {
            pool[j].merge(&taken);
        }
    }
    prop_assert_eq!(&pool[0], &everything);
    Ok(())
}

macro_rules! laws {
    ($name:ident, $type:ty) => {
        mod $name {
            use super::*;

            proptest! {
                #[test]
                fn merge_is_commutative_associative_and_idempotent(steps in steps(40)) {
                    merge_is_a_join::<$type>(&steps)?;
                }

                #[test]
                fn every_update_is_an_inflation(steps in steps(40), choice: u8, value: u8) {
                    updates_inflate::<$type>(&steps, choice, value)?;
                }

                #[test]
                fn any_delivery_order_of_the_operations_converges(
                    steps in steps(40),
                    receivers in 1usize..6,
                    seed: u64,
                ) {
                    any_delivery_order_converges::<$type>(&steps, receivers, seed)?;
                }

                #[test]
                fn any_merge_order_of_the_states_converges(steps in steps(40), seed: u64) {
                    any_merge_order_converges::<$type>(&steps, seed)?;
                }
            }
        }
    };
}

laws!(g_counter, GCounter);
laws!(pn_counter, PNCounter);
laws!(g_set, GSet<u8>);
laws!(two_phase_set, TwoPhaseSet<u8>);
laws!(lww_register, LwwRegister<u8>);
laws!(mv_register, MvRegister<u8>);
laws!(or_set, OrSet<u8>);
laws!(rga, Rga<u8>);

proptest! {
    /// 5.1: after convergence the value is the number of increments, however often each
    /// operation was delivered.
    #[test]
    fn a_g_counter_counts_every_increment_once(
        increments in prop::collection::vec((0usize..4, 1u64..5), 0..50),
        seed: u64,
    ) {
        let mut origin = vec![GCounter::new(); 4];
        let mut ops = Vec::new();
        for &(replica, amount) in &increments {
            ops.push(origin[replica].increment_by(replica, amount));
        }
        let mut rng = Rng::new(seed);
        let mut delivery: Vec<_> = ops.iter().chain(ops.iter()).collect();
        rng.shuffle(&mut delivery);
        let mut receiver = GCounter::new();
        for op in delivery {
            receiver.apply(op);
        }
        prop_assert_eq!(receiver.value(), increments.iter().map(|i| i.1).sum::<u64>());
    }

    /// 5.2: after convergence a PN-Counter's value is increments minus decrements.
    #[test]
    fn a_pn_counter_converges_to_increments_minus_decrements(
        changes in prop::collection::vec((0usize..3, any::<bool>()), 0..60),
    ) {
        let mut replicas = vec![PNCounter::new(); 3];
        for &(replica, up) in &changes {
            if up { replicas[replica].increment(replica); } else { replicas[replica].decrement(replica); }
        }
        let all = replicas.iter().fold(PNCounter::new(), |all, r| all.merged(r));
        let expected = changes.iter().map(|&(_, up)| if up { 1 } else { -1 }).sum::<i64>();
        prop_assert_eq!(all.value(), expected);
    }

    /// 5.3: an element of a 2P-Set, once removed anywhere, is absent from every state that has
    /// seen the remove, whatever was added later; and tombstones only grow.
    #[test]
    fn a_two_phase_set_never_brings_a_removed_element_back(steps in steps(40)) {
        let mut replicas = vec![TwoPhaseSet::<u8>::new(); REPLICAS];
        let mut tombstones = [0; REPLICAS];
        for step in &steps {
            match *step {
                Step::Update { replica, choice, value } => {
                    replicas[replica].update(replica, choice, value);
                }
                Step::Merge { from, into } => {
                    let state = replicas[from].clone();
                    replicas[into].merge(&state);
                }
            }
            for (replica, state) in replicas.iter().enumerate() {
                prop_assert!(state.tombstones() >= tombstones[replica]);
                tombstones[replica] = state.tombstones();
                for element in 0..8 {
                    prop_assert!(!(state.was_removed(&element) && state.contains(&element)));
                }
            }
        }
    }

    /// 5.4: of k concurrent writes to an LWW-Register exactly one survives, the one with the
    /// largest stamp, on every replica.
    #[test]
    fn an_lww_register_keeps_exactly_one_of_k_concurrent_writes(values in prop::collection::vec(any::<u8>(), 1..8)) {
        let mut replicas: Vec<LwwRegister<(usize, u8)>> = vec![LwwRegister::new(); values.len()];
        for (replica, &value) in values.iter().enumerate() {
            replicas[replica].set(replica, (replica, value));
        }
        let all = replicas.iter().fold(LwwRegister::new(), |all, r| all.merged(r));
        let survivors = replicas.iter().filter(|r| r.value() == all.value()).count();
        prop_assert_eq!(survivors, 1);
        prop_assert_eq!(all.value().map(|v| v.0), Some(values.len() - 1));
    }

    /// 5.5: after merges an MV-Register holds exactly the writes no other write has seen.
    #[test]
    fn an_mv_register_holds_the_writes_no_other_write_saw(steps in steps(40)) {
        // Track, for each write, which writes its replica had seen when it was made.
        let mut replicas = vec![MvRegister::<u32>::new(); REPLICAS];
        let mut seen: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); REPLICAS];
        let mut writes: Vec<(u32, BTreeSet<u32>)> = Vec::new();
        for step in &steps {
            match *step {
                Step::Update { replica, .. } => {
                    let id = writes.len() as u32;
                    writes.push((id, seen[replica].clone()));
                    replicas[replica].set(replica, id);
                    seen[replica].insert(id);
                }
                Step::Merge { from, into } => {
                    let state = replicas[from].clone();
                    replicas[into].merge(&state);
                    let known = seen[from].clone();
                    seen[into].extend(known);
                }
            }
        }
        let all = replicas.iter().fold(MvRegister::new(), |all, r| all.merged(r));
        let maximal: BTreeSet<u32> = writes
            .iter()
            .filter(|(id, _)| !writes.iter().any(|(_, saw)| saw.contains(id)))
            .map(|(id, _)| *id)
            .collect();
        let held: BTreeSet<u32> = all.values().into_iter().copied().collect();
        prop_assert_eq!(held, maximal);
    }

    /// 5.6: a remove that observed every add of an element takes it out of every replica after
    /// convergence; an add the remove did not observe survives (add-wins).
    #[test]
    fn an_or_set_removes_what_was_observed_and_keeps_what_was_not(
        steps in steps(40),
        remover in 0..REPLICAS,
        adder in 0..REPLICAS,
    ) {
        let (mut replicas, _) = run::<OrSet<u8>>(&steps);
        let all = replicas.iter().fold(OrSet::new(), |all, r| all.merged(r));
        for replica in replicas.iter_mut() {
            replica.merge(&all);
        }
        // The remover has seen every add: its remove wins everywhere.
        replicas[remover].remove(&0);
        // Concurrently (without seeing that remove), another replica adds element 1, which
        // the remover removes too: that add was not observed, so element 1 stays.
        let unseen_add = if adder == remover { None } else { Some(replicas[adder].add(adder, 1)) };
        replicas[remover].remove(&1);
        let converged = replicas.iter().fold(OrSet::new(), |all, r| all.merged(r));
        prop_assert!(!converged.contains(&0));
        prop_assert_eq!(converged.contains(&1), unseen_add.is_some());
    }

    /// 5.7: over many seeds and concurrency levels, the OR-Set cart never resurrects a removed
    /// item and never loses an add; the union of siblings never loses one either.
    #[test]
    fn an_or_set_cart_never_resurrects(seed: u64, concurrency in 0.0f64..=1.0) {
        let parameters = CartParameters { trials: 50, concurrency, ..CartParameters::default() };
        let row = cart_experiment(&parameters, seed).unwrap();
        prop_assert_eq!((row.or_set_resurrected, row.or_set_lost, row.union_lost), (0, 0, 0));
    }
}

#[test]
fn a_removed_element_of_a_two_phase_set_cannot_be_added_again() {
    let mut a = TwoPhaseSet::new();
    a.add("milk");
    let mut b = a.clone();
    b.remove("milk").unwrap();
    a.add("milk");
    a.merge(&b);
    assert!(!a.contains(&"milk"));
    a.add("milk");
    assert!(!a.contains(&"milk"));
}

#[test]
fn an_or_set_element_can_be_removed_and_added_again() {
    let mut a = OrSet::new();
    a.add(0, "milk");
    a.remove(&"milk");
    a.add(0, "milk");
    let mut b = OrSet::new();
    b.merge(&a);
    assert!(b.contains(&"milk"));
}

/// 5.2: a bounded counter (value >= 0) cannot be kept without coordination: two replicas each
/// see one unit left and each take it.
#[test]
fn two_replicas_each_taking_the_last_unit_go_below_zero() {
    let mut a = PNCounter::new();
    a.increment(0);
    let mut b = a.clone();
    assert!(a.value() >= 1 && b.value() >= 1);
    a.decrement(0);
    b.decrement(1);
    assert_eq!(a.merged(&b).value(), -1);
}

/// The cart story of the Dynamo paper, section 4.4, with two replicas: union of siblings brings
/// a deleted item back, the OR-Set does not.
#[test]
fn dynamo_cart_resurrects_a_deleted_item_and_the_or_set_does_not() {
    let mut siblings_a: MvRegister<BTreeSet<&str>> = MvRegister::new();
    siblings_a.set(0, ["milk", "eggs"].into_iter().collect());
    let mut siblings_b = siblings_a.clone();
    siblings_a.set(0, ["eggs"].into_iter().collect());
    siblings_b.set(1, ["milk", "eggs", "flour"].into_iter().collect());
    siblings_a.merge(&siblings_b);
    let union: BTreeSet<&str> = siblings_a.values().into_iter().flatten().copied().collect();
    assert_eq!(union, ["eggs", "flour", "milk"].into_iter().collect());

    let mut cart_a = OrSet::new();
    cart_a.add(0, "milk");
    cart_a.add(0, "eggs");
    let mut cart_b = cart_a.clone();
    cart_a.remove(&"milk");
    cart_b.add(1, "flour");
    cart_a.merge(&cart_b);
    assert_eq!(
        cart_a.iter().copied().collect::<Vec<_>>(),
        ["eggs", "flour"]
    );
}

/// Parameters outside their ranges come back as errors that say what is allowed; nothing
/// panics.
#[test]
fn bad_parameters_are_refused_with_what_is_allowed() {
    use lessons::crdt::{
        ConvergenceParameters, CounterParameters, MetadataParameters, OverdraftParameters,
        convergence_run, counter_run, metadata_experiment, overdraft_experiment,
    };
    use lessons::sim::ms;

    let one_replica = CounterParameters {
        replicas: 1,
        ..CounterParameters::default()
    };
    assert_eq!(
        counter_run(&one_replica, 1).unwrap_err().to_string(),
        "replicas = 1 is not allowed: use 2 to 26 replicas"
    );
    let certain_loss = ConvergenceParameters {
        loss: 1.5,
        ..ConvergenceParameters::default()
    };
    let update = |c: &mut GCounter, me: usize, _: &mut Rng| {
        c.increment(me);
    };
    assert_eq!(
        convergence_run(&certain_loss, GCounter::new(), update, 1)
            .unwrap_err()
            .to_string(),
        "loss = 1.5 is not allowed: use a probability in [0, 1]"
    );
    let backwards = ConvergenceParameters {
        partition: Some((ms(500), ms(100))),
        ..ConvergenceParameters::default()
    };
    assert!(convergence_run(&backwards, GCounter::new(), update, 1).is_err());
    let no_trials = CartParameters {
        trials: 0,
        ..CartParameters::default()
    };
    assert_eq!(
        cart_experiment(&no_trials, 1).unwrap_err().to_string(),
        "trials = 0 is not allowed: use 1 to 100,000 trials"
    );
    let no_demand = OverdraftParameters {
        demand_per_second: 0.0,
        ..OverdraftParameters::default()
    };
    assert!(
        overdraft_experiment(&no_demand, 1)
            .unwrap_err()
            .to_string()
            .contains("more than 0 and at most 10,000")
    );
    let no_samples = MetadataParameters {
        samples: 0,
        ..MetadataParameters::default()
    };
    assert_eq!(
        metadata_experiment(&no_samples, 1).unwrap_err().to_string(),
        "samples = 0 is not allowed: use 1 to 100 rows"
    );
}

/// 5.8: two concurrent inserts at the same place. Applied as sent, the two sites end with
/// different texts; transformed against each other (operational transformation), they agree.
#[test]
fn two_sites_diverge_without_transformation_and_agree_with_it() {
    let a = TextInsert {
        position: 1,
        value: 'X',
        site: 0,
    };
    let b = TextInsert {
        position: 1,
        value: 'Y',
        site: 1,
    };
    let (at_a, at_b) = (a.applied_to("abc"), b.applied_to("abc"));
    assert_ne!(b.applied_to(&at_a), a.applied_to(&at_b));
    assert_eq!(
        b.transformed_against(&a).applied_to(&at_a),
        a.transformed_against(&b).applied_to(&at_b)
    );
}

proptest! {
    /// 5.8: two sites each make one insert concurrently into the same text, anywhere: with the
    /// transformation both sites end with the same text.
    #[test]
    fn transformed_concurrent_inserts_converge(
        text in "[a-e]{0,8}",
        p in 0usize..10,
        q in 0usize..10,
        x in proptest::char::range('A', 'Z'),
        y in proptest::char::range('A', 'Z'),
    ) {
        let length = text.chars().count();
        let a = TextInsert { position: p.min(length), value: x, site: 0 };
        let b = TextInsert { position: q.min(length), value: y, site: 1 };
        prop_assert_eq!(
            b.transformed_against(&a).applied_to(&a.applied_to(&text)),
            a.transformed_against(&b).applied_to(&b.applied_to(&text))
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A collector never holds more tombstones than there were removes, and while a replica is
    /// away nothing removed after it left becomes stable: what is stable was removed before.
    #[test]
    fn nothing_removed_while_a_replica_is_away_becomes_stable(
        replicas in 2usize..=8,
        leave in 1u64..=50,
        stay in 1u64..=50,
        seed in any::<u64>(),
    ) {
        let from = leave * 10 + 1;
        let rows = stability_experiment(replicas, 1_000, Some((from, from + stay * 10)), seed).unwrap();
        let removes_before = rows
            .iter()
            .find(|row| row.operations == from - 1)
            .map(|row| row.removes)
            .unwrap();
        for row in &rows {
            prop_assert!(row.unstable <= row.removes);
            if row.offline {
                prop_assert!(row.removes - row.unstable <= removes_before);
            }
        }
    }
}
