//! Our CRDTs against the `crdts` crate (rust-crdt 7.3.2) in the same run: merge and apply for
//! the G-Counter and PN-Counter (16 replicas), the LWW- and MV-Register, and the OR-Set against
//! `Orswot` (100 members).
//!
//! Merges and applies work on a fresh copy of the state, since they change it; each side pays for
//! the copies its API needs (`crdts` merges and applies consume their argument, so that is copied
//! too; ours borrow it). The counters and the LWW-Register, whose single apply takes a few
//! nanoseconds, replay a stream of 1,024 operations from all replicas in turn instead, so that
//! the apply itself, not the timing loop, is what is measured. After criterion, a plain timing
//! loop runs each pair back to back, best of three, and prints the ratio ours / peer (below 1
//! means ours is faster; the target is below 1).
//!
//! Run it with `cargo bench -p lessons --bench crdts`.

use std::hint::black_box;

use crdts::{CmRDT, CvRDT, LWWReg, MVReg, Orswot};
use lessons::clocks::LamportTimestamp;
use lessons::crdt::{Crdt, GCounter, LwwRegister, MvRegister, OperationBased, OrSet, PNCounter};

mod peer_timing;

use peer_timing::{Case, Table};

const REPLICAS: usize = 16;
const MEMBERS: u64 = 100;
/// How many operations a replayed apply stream holds.
const STREAM: usize = 1024;

/// A merge on both sides: a copy of `a` takes `b` in.
fn merge_case<O, P>(name: &str, a: O, b: O, peer_a: P, peer_b: P) -> Case
where
    O: Crdt + 'static,
    P: CvRDT + Clone + 'static,
{
    Case {
        name: format!("{name} merge"),
        ours: Box::new(move || {
            let mut state = a.clone();
            state.merge(black_box(&b));
            black_box(state);
        }),
        peer: Box::new(move || {
            let mut state = peer_a.clone();
            state.merge(peer_b.clone());
            black_box(state);
        }),
    }
}

/// An apply on both sides: a copy of `state` takes `op`.
fn apply_case<O, P>(name: &str, state: O, op: O::Op, peer_state: P, peer_op: P::Op) -> Case
where
    O: OperationBased + Clone + 'static,
    O::Op: 'static,
    P: CmRDT + Clone + 'static,
    P::Op: Clone + 'static,
{
    Case {
        name: format!("{name} apply"),
        ours: Box::new(move || {
            let mut replica = state.clone();
            replica.apply(black_box(&op));
            black_box(replica);
        }),
        peer: Box::new(move || {
            let mut replica = peer_state.clone();
            replica.apply(peer_op.clone());
            black_box(replica);
        }),
    }
}

/// A stream of applies on both sides: a copy of `state` takes every operation of `ops` in turn.
fn replay_case<O, P>(
    name: &str,
    state: O,
    ops: Vec<O::Op>,
    peer_state: P,
    peer_ops: Vec<P::Op>,
) -> Case
where
    O: OperationBased + Clone + 'static,
    O::Op: 'static,
    P: CmRDT + Clone + 'static,
    P::Op: Clone + 'static,
{
    Case {
        name: format!("{name} apply {} ops", ops.len()),
        ours: Box::new(move || {
            let mut replica = state.clone();
            for op in black_box(&ops) {
                replica.apply(op);
            }
            black_box(replica);
        }),
        peer: Box::new(move || {
            let mut replica = peer_state.clone();
            for op in black_box(&peer_ops) {
                replica.apply(op.clone());
            }
            black_box(replica);
        }),
    }
}

fn counter_cases() -> Vec<Case> {
    let mut a = GCounter::new();
    let mut peer_a = crdts::GCounter::<usize>::new();
    for replica in 0..REPLICAS {
        let amount = 3 + replica as u64 % 7;
        a.increment_by(replica, amount);
        peer_a.apply(peer_a.inc_many(replica, amount));
    }
    let (mut b, mut peer_b) = (a.clone(), peer_a.clone());
    let ops: Vec<_> = (0..STREAM).map(|i| b.increment(i % REPLICAS)).collect();
    let peer_ops: Vec<_> = (0..STREAM)
        .map(|i| {
            let op = peer_b.inc(i % REPLICAS);
            peer_b.apply(op);
            op
        })
        .collect();

    let mut c = PNCounter::new();
    let mut peer_c = crdts::PNCounter::<usize>::new();
    for replica in 0..REPLICAS {
        let amount = 3 + replica as u64 % 7;
        c.increment_by(replica, amount);
        c.decrement_by(replica, 1);
        peer_c.apply(peer_c.inc_many(replica, amount));
        peer_c.apply(peer_c.dec_many(replica, 1));
    }
    // Increments and decrements in turn.
    let (mut d, mut peer_d) = (c.clone(), peer_c.clone());
    let steps: Vec<_> = (0..STREAM)
        .map(|i| match i % 2 {
            0 => d.increment(i % REPLICAS),
            _ => d.decrement(i % REPLICAS),
        })
        .collect();
    let peer_steps: Vec<_> = (0..STREAM)
        .map(|i| {
            let op = match i % 2 {
                0 => peer_d.inc(i % REPLICAS),
                _ => peer_d.dec(i % REPLICAS),
            };
            peer_d.apply(op.clone());
            op
        })
        .collect();
    vec![
        merge_case(
            "G-Counter, 16 replicas,",
            a.clone(),
            b,
            peer_a.clone(),
            peer_b,
        ),
        replay_case("G-Counter, 16 replicas,", a, ops, peer_a, peer_ops),
        merge_case(
            "PN-Counter, 16 replicas,",
            c.clone(),
            d,
            peer_c.clone(),
            peer_d,
        ),
        replay_case("PN-Counter, 16 replicas,", c, steps, peer_c, peer_steps),
    ]
}

fn register_cases() -> Vec<Case> {
    let mut a = LwwRegister::new();
    a.set(0, 1u64);
    let mut b = a.clone();
    b.set(1, 2);
    let stamp = |s: LamportTimestamp| (s.time, s.node);
    // Writes from every replica in turn, each newer than the last.
    let mut writer = a.clone();
    let writes: Vec<_> = (0..STREAM)
        .map(|i| writer.set(i % REPLICAS, i as u64))
        .collect();
    let peer_writes: Vec<_> = writes
        .iter()
        .map(|write| LWWReg {
            val: write.value().copied().unwrap_or_default(),
            marker: stamp(write.stamp()),
        })
        .collect();
    let peer_a = LWWReg {
        val: 1u64,
        marker: stamp(a.stamp()),
    };
    let peer_b = LWWReg {
        val: 2u64,
        marker: stamp(b.stamp()),
    };

    // Eight replicas write concurrently, then replica 0 sees them all and writes once more.
    let mut m = MvRegister::new();
    let mut peer_m = MVReg::<u64, usize>::new();
    for replica in 0..8 {
        let mut writer = MvRegister::new();
        writer.set(replica, replica as u64);
        m.merge(&writer);
        let mut peer_writer = MVReg::<u64, usize>::new();
        let context = peer_writer.read_ctx().derive_add_ctx(replica);
        peer_writer.apply(peer_writer.write(replica as u64, context));
        peer_m.merge(peer_writer);
    }
    let mut n = m.clone();
    let write = n.set(0, 99);
    let mut peer_n = peer_m.clone();
    let peer_write = peer_n.write(99, peer_n.read_ctx().derive_add_ctx(0));
    peer_n.apply(peer_write.clone());
    vec![
        merge_case("LWW-Register", a.clone(), b, peer_a.clone(), peer_b.clone()),
        replay_case("LWW-Register", a, writes, peer_a, peer_writes),
        merge_case(
            "MV-Register, 8 siblings,",
            m.clone(),
            n,
            peer_m.clone(),
            peer_n,
        ),
        apply_case("MV-Register, 8 siblings,", m, write, peer_m, peer_write),
    ]
}

fn set_cases() -> Vec<Case> {
    let mut a = OrSet::new();
    let mut peer_a = Orswot::<u64, usize>::new();
    for member in 0..MEMBERS {
        let replica = (member % 4) as usize;
        a.add(replica, member);
        peer_a.apply(peer_a.add(member, peer_a.read_ctx().derive_add_ctx(replica)));
    }
    let (mut b, mut peer_b) = (a.clone(), peer_a.clone());
    b.remove(&7);
    peer_b.apply(peer_b.rm(7, peer_b.contains(&7).derive_rm_ctx()));
    let add = b.add(1, MEMBERS);
    let peer_add = peer_b.add(MEMBERS, peer_b.read_ctx().derive_add_ctx(1));
    peer_b.apply(peer_add.clone());
    vec![
        merge_case("OR-Set, 100 members,", a.clone(), b, peer_a.clone(), peer_b),
        apply_case("OR-Set (add), 100 members,", a, add, peer_a, peer_add),
    ]
}

fn cases() -> Vec<Case> {
    let mut all = counter_cases();
    all.extend(register_cases());
    all.extend(set_cases());
    all
}

fn main() {
    peer_timing::compare(
        cases,
        Table {
            heading: "operation",
            peer: "crdts",
            time_decimals: 1,
            ratio_decimals: 2,
        },
    );
}
