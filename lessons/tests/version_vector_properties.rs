//! Version vectors per key (curriculum 4.2 and 4.3): which schemes keep exactly the writes no
//! later write superseded, which lose writes, and which keep false siblings, on random
//! interleavings of read-then-write clients; plus the smallest runs that show each failure.

use lessons::clocks::{
    VectorClock, VersionRun, VersionScheme, VersionWorkload, VersionedKey, Writer, run_versions,
};
use proptest::prelude::*;

fn workload() -> impl Strategy<Value = (VersionWorkload, u64)> {
    (1usize..9, 1usize..5, 1usize..12, any::<u64>()).prop_map(
        |(clients, servers, writes_per_client, seed)| {
            let workload = VersionWorkload {
                clients,
                servers,
                writes_per_client,
            };
            (workload, seed)
        },
    )
}

fn run(workload: &VersionWorkload, scheme: VersionScheme, seed: u64) -> VersionRun {
    run_versions(workload, scheme, seed).expect("a valid workload")
}

const ALICE_VIA_S0: Writer = Writer {
    client: 0,
    server: 0,
};
const BOB_VIA_S0: Writer = Writer {
    client: 1,
    server: 0,
};

proptest! {
    #[test]
    fn client_vectors_and_dotted_version_vectors_are_exact((workload, seed) in workload()) {
        let clients = run(&workload, VersionScheme::ClientVectors, seed);
        let dotted = run(&workload, VersionScheme::DottedVersionVectors, seed);
        for exact in [&clients, &dotted] {
            prop_assert_eq!(exact.row.lost_writes, 0);
            prop_assert_eq!(exact.row.reads_with_false_siblings, 0);
        }
        prop_assert_eq!(&clients.siblings_after_write, &dotted.siblings_after_write);
    }

    #[test]
    fn dotted_version_vectors_stay_bounded_by_servers_per_sibling((workload, seed) in workload()) {
        let dotted = run(&workload, VersionScheme::DottedVersionVectors, seed).row;
        prop_assert!(dotted.peak_metadata_entries <= dotted.peak_siblings * (workload.servers + 1));
    }

    #[test]
    fn one_vector_per_key_never_loses_a_write((workload, seed) in workload()) {
        let row = run(&workload, VersionScheme::ServerKeyVector, seed).row;
        prop_assert_eq!(row.lost_writes, 0);
        prop_assert!(row.peak_metadata_entries <= workload.servers);
    }

    #[test]
    fn server_vectors_never_keep_a_false_sibling((workload, seed) in workload()) {
        let row = run(&workload, VersionScheme::ServerVectors, seed).row;
        prop_assert_eq!(row.reads_with_false_siblings, 0);
    }

    #[test]
    fn pruning_adds_false_siblings_but_loses_no_write((workload, seed) in workload(), keep in 1usize..4) {
        let row = run(&workload, VersionScheme::PrunedClientVectors { keep }, seed).row;
        prop_assert_eq!(row.lost_writes, 0);
    }

    #[test]
    fn pruning_to_at_least_the_clients_changes_nothing((workload, seed) in workload()) {
        let pruned = run(&workload, VersionScheme::PrunedClientVectors { keep: workload.clients }, seed);
        let exact = run(&workload, VersionScheme::ClientVectors, seed);
        prop_assert_eq!(pruned.siblings_after_write, exact.siblings_after_write);
        prop_assert_eq!(pruned.row.peak_metadata_entries, exact.row.peak_metadata_entries);
    }
}

#[test]
fn a_write_that_read_the_stored_version_replaces_it_and_a_blind_one_adds_a_sibling() {
    let mut key = VersionedKey::new(VersionScheme::ClientVectors).unwrap();
    key.put(ALICE_VIA_S0, "a1", &VectorClock::new());
    key.put(ALICE_VIA_S0, "a2", &key.read().context);
    assert_eq!(key.read().values, ["a2"]);
    key.put(BOB_VIA_S0, "b1", &VectorClock::new());
    assert_eq!(key.read().values, ["a2", "b1"]);
}

#[test]
fn last_writer_wins_drops_one_of_two_concurrent_writes() {
    let mut key = VersionedKey::new(VersionScheme::LastWriterWins).unwrap();
    let empty = key.read().context;
    key.put(ALICE_VIA_S0, "milk", &empty);
    key.put(BOB_VIA_S0, "eggs", &empty);
    assert_eq!(key.read().values, ["eggs"]);
}

#[test]
fn server_vectors_lose_a_concurrent_write_through_the_same_server() {
    let mut key = VersionedKey::new(VersionScheme::ServerVectors).unwrap();
    let empty = key.read().context;
    key.put(ALICE_VIA_S0, "milk", &empty);
    key.put(BOB_VIA_S0, "eggs", &empty);
    // Bob never saw "milk", yet his version {0: 2} covers milk's {0: 1}.
    assert_eq!(key.read().values, ["eggs"]);
    assert_eq!(key.read().context.to_dense(1), [2]);
}

#[test]
fn the_dot_keeps_the_concurrent_write_and_drops_only_what_was_read() {
    let mut key = VersionedKey::new(VersionScheme::DottedVersionVectors).unwrap();
    let empty = key.read().context;
    key.put(ALICE_VIA_S0, "milk", &empty);
    let alice_saw = key.read().context;
    key.put(BOB_VIA_S0, "eggs", &empty);
    assert_eq!(key.read().values, ["milk", "eggs"]);
    key.put(ALICE_VIA_S0, "milk, bread", &alice_saw);
    assert_eq!(key.read().values, ["eggs", "milk, bread"]);
    let dots: Vec<String> = key
        .siblings()
        .iter()
        .map(|s| s.dot.unwrap().to_string())
        .collect();
    assert_eq!(dots, ["(0, 2)", "(0, 3)"]);
}

#[test]
fn a_pruned_vector_no_longer_covers_what_it_read() {
    // keep 1: Bob's vector after reading Alice's write keeps only his own entry, so Alice's
    // version, which he read and replaced, survives beside his as a false sibling.
    let mut key = VersionedKey::new(VersionScheme::PrunedClientVectors { keep: 1 }).unwrap();
    key.put(ALICE_VIA_S0, "milk", &VectorClock::new());
    key.put(BOB_VIA_S0, "milk, eggs", &key.read().context);
    assert_eq!(key.read().values, ["milk", "milk, eggs"]);
}

#[test]
fn the_same_seed_gives_the_same_interleaving_under_every_scheme() {
    let workload = VersionWorkload::default();
    for scheme in VersionScheme::compared(2) {
        let first = run(&workload, scheme, 3);
        assert_eq!(first, run(&workload, scheme, 3));
        assert_eq!((first.row.writes, first.row.reads), (100, 100));
    }
}

#[test]
fn invalid_workloads_say_what_is_allowed() {
    let too_many = VersionWorkload {
        clients: 100,
        writes_per_client: 300,
        ..VersionWorkload::default()
    };
    assert_eq!(
        run_versions(&too_many, VersionScheme::ClientVectors, 1)
            .unwrap_err()
            .to_string(),
        "writes in all 30000 is not allowed; from 1 to 20000"
    );
    assert_eq!(
        run_versions(
            &VersionWorkload::default(),
            VersionScheme::PrunedClientVectors { keep: 0 },
            1
        )
        .unwrap_err()
        .to_string(),
        "keep 0 is not allowed; at least 1 entry"
    );
}
