//! Our CRDTs against the `crdts` crate (rust-crdt 7.3.2) on the same histories: `GCounter`,
//! `PNCounter`, `LwwRegister` against `LWWReg`, `MvRegister` against `MVReg`, and `OrSet`
//! against `Orswot`.
//!
//! A history is a random sequence of steps on three replicas: a local update, or one replica
//! merging another's state. Both implementations run the same history side by side, and after
//! every step each replica must read the same value in both: the same count, the same register
//! value, the same set of siblings, the same members. Updates that need a causal context in
//! `crdts` (MV-Register writes, OR-Set adds and removes) take it from the replica's own read,
//! the way that crate's documentation says to.

use std::collections::BTreeSet;

use crdts::{CmRDT, CvRDT, LWWReg, MVReg, Orswot};
use lessons::crdt::{Crdt, GCounter, LwwRegister, MvRegister, OrSet, PNCounter};
use proptest::prelude::*;

mod crdt_histories;

use crdt_histories::{REPLICAS, Step, steps};

/// A pair of replicas, ours and the peer's, that take the same updates and reads.
trait Pair: Clone {
    fn update(&mut self, replica: usize, choice: u8, value: u8);
    fn merge(&mut self, other: &Self);
    /// The value each side reads, as text, to compare.
    fn reads(&self) -> (String, String);
}

/// Runs a history on pairs and checks after every step that both sides read the same.
fn agree<P: Pair>(fresh: P, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut replicas = vec![fresh; REPLICAS];
    for step in steps {
        match *step {
            Step::Update {
                replica,
                choice,
                value,
            } => replicas[replica].update(replica, choice, value),
            Step::Merge { from, into } => {
                let state = replicas[from].clone();
                replicas[into].merge(&state);
            }
        }
        for replica in &replicas {
            let (ours, theirs) = replica.reads();
            prop_assert_eq!(ours, theirs, "after {:?}", step);
        }
    }
    Ok(())
}

#[derive(Clone, Default)]
struct Counters(GCounter, crdts::GCounter<usize>);

impl Pair for Counters {
    fn update(&mut self, replica: usize, _: u8, value: u8) {
        let amount = u64::from(value % 4) + 1;
        self.0.increment_by(replica, amount);
        self.1.apply(self.1.inc_many(replica, amount));
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
        self.1.merge(other.1.clone());
    }
    fn reads(&self) -> (String, String) {
        (self.0.value().to_string(), self.1.read().to_string())
    }
}

#[derive(Clone, Default)]
struct UpDownCounters(PNCounter, crdts::PNCounter<usize>);

impl Pair for UpDownCounters {
    fn update(&mut self, replica: usize, choice: u8, value: u8) {
        let amount = u64::from(value % 4) + 1;
        if choice.is_multiple_of(2) {
            self.0.increment_by(replica, amount);
            self.1.apply(self.1.inc_many(replica, amount));
        } else {
            self.0.decrement_by(replica, amount);
            self.1.apply(self.1.dec_many(replica, amount));
        }
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
        self.1.merge(other.1.clone());
    }
    fn reads(&self) -> (String, String) {
        (self.0.value().to_string(), self.1.read().to_string())
    }
}

#[derive(Clone, Default)]
struct Registers(LwwRegister<u8>, LWWReg<Option<u8>, (u64, usize)>);

impl Pair for Registers {
    fn update(&mut self, replica: usize, _: u8, value: u8) {
        let op = self.0.set(replica, value);
        let stamp = op.stamp();
        self.1.update(Some(value), (stamp.time, stamp.node));
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
        self.1.merge(other.1.clone());
    }
    fn reads(&self) -> (String, String) {
        (
            format!("{:?}", self.0.value()),
            format!("{:?}", self.1.val.as_ref()),
        )
    }
}

#[derive(Clone, Default)]
struct MultiValue(MvRegister<u8>, MVReg<u8, usize>);

impl Pair for MultiValue {
    fn update(&mut self, replica: usize, _: u8, value: u8) {
        self.0.set(replica, value);
        let context = self.1.read().derive_add_ctx(replica);
        self.1.apply(self.1.write(value, context));
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
        self.1.merge(other.1.clone());
    }
    fn reads(&self) -> (String, String) {
        let ours: Vec<u8> = {
            let mut values: Vec<u8> = self.0.values().into_iter().copied().collect();
            values.sort_unstable();
            values
        };
        let mut theirs = self.1.read().val;
        theirs.sort_unstable();
        (format!("{ours:?}"), format!("{theirs:?}"))
    }
}

#[derive(Clone, Default)]
struct Sets(OrSet<u8>, Orswot<u8, usize>);

impl Pair for Sets {
    fn update(&mut self, replica: usize, choice: u8, value: u8) {
        let member = value % 6;
        if choice.is_multiple_of(3) {
            self.0.remove(&member);
            let context = self.1.contains(&member).derive_rm_ctx();
            self.1.apply(self.1.rm(member, context));
        } else {
            self.0.add(replica, member);
            let context = self.1.read_ctx().derive_add_ctx(replica);
            self.1.apply(self.1.add(member, context));
        }
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
        self.1.merge(other.1.clone());
    }
    fn reads(&self) -> (String, String) {
        let ours: BTreeSet<u8> = self.0.iter().copied().collect();
        let theirs: BTreeSet<u8> = self.1.read().val.into_iter().collect();
        (format!("{ours:?}"), format!("{theirs:?}"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn g_counters_agree_with_crdts(steps in steps(60)) {
        agree(Counters::default(), &steps)?;
    }

    #[test]
    fn pn_counters_agree_with_crdts(steps in steps(60)) {
        agree(UpDownCounters::default(), &steps)?;
    }

    #[test]
    fn lww_registers_agree_with_crdts(steps in steps(60)) {
        agree(Registers::default(), &steps)?;
    }

    #[test]
    fn mv_registers_agree_with_crdts(steps in steps(60)) {
        agree(MultiValue::default(), &steps)?;
    }

    #[test]
    fn or_sets_agree_with_crdts_orswot(steps in steps(60)) {
        agree(Sets::default(), &steps)?;
    }
}

/// The two implementations also agree on the classic add-wins case, step by step.
#[test]
fn a_concurrent_add_survives_a_remove_in_both() {
    let mut ours_a = OrSet::new();
    let mut theirs_a: Orswot<&str, usize> = Orswot::new();
    ours_a.add(0, "milk");
    theirs_a.apply(theirs_a.add("milk", theirs_a.read_ctx().derive_add_ctx(0)));
    let (mut ours_b, mut theirs_b) = (ours_a.clone(), theirs_a.clone());
    ours_b.remove(&"milk");
    theirs_b.apply(theirs_b.rm("milk", theirs_b.contains(&"milk").derive_rm_ctx()));
    ours_a.add(0, "milk");
    theirs_a.apply(theirs_a.add("milk", theirs_a.read_ctx().derive_add_ctx(0)));
    ours_a.merge(&ours_b);
    theirs_a.merge(theirs_b);
    assert!(ours_a.contains(&"milk"));
    assert!(theirs_a.contains(&"milk").val);
}
