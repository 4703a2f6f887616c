//! Our ring against the `hashring` crate (0.3.6), a minimal consistent-hash ring that leaves
//! virtual nodes to its user (its README adds a `VNode { id, addr }` per point).
//!
//! Two comparisons: with the same points on the circle (a hasher that passes our hashes
//! through) the two rings must agree on every key; with `hashring`'s own SipHash placement the
//! statistics of a join must agree (about `1/(N+1)` of the keys move, all to the newcomer, and
//! loads are as even for the same number of vnodes).

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};

use hashring::HashRing;
use lessons::partitioning::{Ring, VNODE_SEED, hash_key, hash_with_seed, sample_hashes};

/// A hasher that returns the last `u64` written to it, so a value can choose its own point.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by the types below; anything else still gets a hash.
        self.0 = hash_key(bytes);
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[derive(Clone, Default)]
struct PassThroughBuilder;

impl BuildHasher for PassThroughBuilder {
    type Hasher = PassThrough;
    fn build_hasher(&self) -> PassThrough {
        PassThrough::default()
    }
}

/// A virtual node as the `hashring` README writes it: a node and the number of its point.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VNode {
    node: String,
    index: u64,
    /// Where our ring puts this point (used only with the pass-through hasher).
    token: u64,
}

impl Hash for VNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if self.token != 0 {
            state.write_u64(self.token);
        } else {
            (&self.node, self.index).hash(state);
        }
    }
}

/// A key that hashes to a given point (pass-through) or to its SipHash (default hasher).
#[derive(Hash)]
struct Point(u64);

fn names(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("node-{n}")).collect()
}

fn vnodes(name: &str, count: u64, ours: bool) -> Vec<VNode> {
    (0..count)
        .map(|index| VNode {
            node: name.to_string(),
            index,
            token: if ours {
                hash_with_seed(name.as_bytes(), VNODE_SEED + index)
            } else {
                0
            },
        })
        .collect()
}

#[test]
fn with_the_same_points_both_rings_give_every_key_the_same_owner() {
    let ring = Ring::with_nodes(64, names(20)).unwrap();
    let mut theirs: HashRing<VNode, PassThroughBuilder> = HashRing::with_hasher(PassThroughBuilder);
    for name in names(20) {
        theirs.batch_add(vnodes(&name, 64, true));
    }
    for hash in sample_hashes(50_000, 1) {
        let owner = &theirs.get(&Point(hash)).unwrap().node;
        assert_eq!(ring.node_for_hash(hash).unwrap(), owner, "hash {hash}");
    }
}

/// The fraction of `keys` whose owner changes, and whether every move went to `newcomer`.
fn join_statistics(
    before: impl Fn(u64) -> String,
    after: impl Fn(u64) -> String,
    keys: &[u64],
    newcomer: &str,
) -> (f64, bool) {
    let mut moved = 0;
    let mut only_to_newcomer = true;
    for &key in keys {
        let (old, new) = (before(key), after(key));
        if old != new {
            moved += 1;
            only_to_newcomer &= new == newcomer;
        }
    }
    (moved as f64 / keys.len() as f64, only_to_newcomer)
}

#[test]
fn a_join_moves_the_same_share_of_keys_in_both_rings() {
    let keys = sample_hashes(100_000, 2);
    let all = names(11);
    for vnode_count in [64u64, 256] {
        let ours_before = Ring::with_nodes(vnode_count as u32, &all[..10]).unwrap();
        let mut ours_after = ours_before.clone();
        ours_after.add_node(&all[10]).unwrap();
        let mut theirs_before: HashRing<VNode> = HashRing::new();
        for name in &all[..10] {
            theirs_before.batch_add(vnodes(name, vnode_count, false));
        }
        let mut theirs_after = theirs_before.clone();
        theirs_after.batch_add(vnodes(&all[10], vnode_count, false));

        let (ours_moved, ours_only_new) = join_statistics(
            |key| ours_before.node_for_hash(key).unwrap().to_string(),
            |key| ours_after.node_for_hash(key).unwrap().to_string(),
            &keys,
            &all[10],
        );
        let (theirs_moved, theirs_only_new) = join_statistics(
            |key| theirs_before.get(&Point(key)).unwrap().node.clone(),
            |key| theirs_after.get(&Point(key)).unwrap().node.clone(),
            &keys,
            &all[10],
        );
        assert!(ours_only_new && theirs_only_new);
        let ideal = 1.0 / 11.0;
        assert!((ours_moved - ideal).abs() < 0.02, "ours {ours_moved}");
        assert!((theirs_moved - ideal).abs() < 0.02, "theirs {theirs_moved}");
        assert!(
            (ours_moved - theirs_moved).abs() < 0.025,
            "V = {vnode_count}: ours {ours_moved}, hashring {theirs_moved}"
        );
    }
}

#[test]
fn loads_are_as_even_in_both_rings_for_the_same_vnodes() {
    let keys = sample_hashes(200_000, 3);
    for vnode_count in [16u64, 256] {
        let ours = Ring::with_nodes(vnode_count as u32, names(10)).unwrap();
        let mut theirs: HashRing<VNode> = HashRing::new();
        for name in names(10) {
            theirs.batch_add(vnodes(&name, vnode_count, false));
        }
        let mut ours_load = [0usize; 10];
        let mut theirs_load = std::collections::HashMap::new();
        for &key in &keys {
            ours_load[ours.index_for_hash(key).unwrap()] += 1;
            *theirs_load
                .entry(theirs.get(&Point(key)).unwrap().node.clone())
                .or_insert(0usize) += 1;
        }
        let mean = keys.len() as f64 / 10.0;
        let ours_max = *ours_load.iter().max().unwrap() as f64 / mean;
        let theirs_max = *theirs_load.values().max().unwrap() as f64 / mean;
        // The max over 10 nodes is about 1 + 1.5 / sqrt(V) for either placement.
        let bound = 1.0 + 3.5 / (vnode_count as f64).sqrt();
        assert!(
            ours_max < bound && theirs_max < bound,
            "V = {vnode_count}: ours {ours_max}, hashring {theirs_max}"
        );
    }
}

#[test]
fn hashrings_replica_walk_repeats_physical_nodes_and_ours_does_not() {
    let ours = Ring::with_nodes(256, names(10)).unwrap();
    let mut theirs: HashRing<VNode> = HashRing::new();
    for name in names(10) {
        theirs.batch_add(vnodes(&name, 256, false));
    }
    let keys = sample_hashes(2_000, 4);
    let repeats = keys
        .iter()
        .filter(|&&key| {
            // `get_with_replicas(key, 2)` returns the owner and the next 2 points: 3 entries.
            let list = theirs.get_with_replicas(&Point(key), 2).unwrap();
            list.iter()
                .map(|vnode| &vnode.node)
                .collect::<HashSet<_>>()
                .len()
                < 3
        })
        .count();
    // Two of the next three points share a node about 1 - (9/10)(8/10) = 28% of the time.
    assert!((400..750).contains(&repeats), "{repeats}");
    for key in keys {
        let list = ours.preference_list(key.to_le_bytes(), 3).unwrap();
        assert_eq!(list.iter().collect::<HashSet<_>>().len(), 3);
    }
}
