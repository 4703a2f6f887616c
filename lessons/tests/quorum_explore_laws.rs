//! The explorer on the quorum store model: the shortest runs to a stale read and to a new-old
//! inversion, and no violation at all with blocking write-back, with the exact numbers the
//! notebook quotes.

use lessons::check::{Bounds, check_register, explore};
use lessons::quorum::InversionModel;

fn bounds() -> Bounds {
    Bounds::depth(60).unwrap()
}

#[test]
fn w_plus_r_at_most_n_gives_a_stale_read_in_six_steps() {
    let model = InversionModel::new(3, 1, 1).unwrap();
    let exploration = explore(&model, bounds());
    let violation = exploration.violation.unwrap();
    assert_eq!(violation.invariant, "no stale read");
    assert_eq!(violation.run.len(), 6);
    assert_eq!(exploration.distinct_states, 749);
    let history = model.history(&violation.run).unwrap();
    assert!(!check_register(&history).is_linearizable());
}

#[test]
fn overlapping_quorums_without_write_back_give_a_new_old_inversion_in_twelve_steps() {
    let model = InversionModel::new(3, 2, 2).unwrap();
    let exploration = explore(&model, bounds());
    let violation = exploration.violation.unwrap();
    assert_eq!(violation.invariant, "no new-old inversion");
    assert_eq!(violation.run.len(), 12);
    assert_eq!(exploration.distinct_states, 52_555);
    assert_eq!(exploration.max_depth_reached, 12);
    let history = model.history(&violation.run).unwrap();
    assert_eq!(history.len(), 3);
    assert!(!check_register(&history).is_linearizable());
    // The diagram draws each delivery as an arrow: one write, four reads, four replies.
    let svg = violation.run.diagram(&model).to_svg().unwrap();
    assert_eq!(svg.matches(r#"class="message""#).count(), 9);
}

#[test]
fn blocking_write_back_leaves_no_violation_in_the_whole_state_space() {
    let model = InversionModel::new(3, 2, 2).unwrap().write_back(true);
    let exploration = explore(&model, bounds());
    assert!(exploration.holds());
    assert!(exploration.exhausted);
    assert_eq!(exploration.distinct_states, 328_337);
    assert_eq!(exploration.max_depth_reached, 26);
}

#[test]
fn one_reader_cannot_invert() {
    let model = InversionModel::new(3, 2, 2).unwrap().readers(1).unwrap();
    let exploration = explore(&model, bounds());
    assert!(exploration.holds() && exploration.exhausted);
    assert_eq!(exploration.distinct_states, 1_442);
}

#[test]
fn every_quorum_shape_of_two_and_three_replicas_behaves_as_overlap_predicts() {
    for n in 2..=3 {
        for w in 1..=n {
            for r in 1..=n {
                let shape = format!("N={n} W={w} R={r}");
                // One reader cannot invert, so what it finds is a stale read: possible exactly
                // when a read quorum can miss the write quorum.
                let one_reader = InversionModel::new(n, w, r).unwrap().readers(1).unwrap();
                let stale = explore(&one_reader, bounds());
                assert_eq!(stale.holds(), w + r > n, "{shape}");
                assert_eq!(stale.exhausted, w + r > n, "{shape}");
                // Two readers: whatever is found is a history the register checker rejects.
                let model = InversionModel::new(n, w, r).unwrap();
                if let Some(violation) = explore(&model, bounds()).violation {
                    let history = model.history(&violation.run).unwrap();
                    assert!(!check_register(&history).is_linearizable(), "{shape}");
                }
            }
        }
    }
}

#[test]
fn write_back_closes_the_inversion_for_every_overlapping_shape_of_two_replicas() {
    for (w, r) in [(1, 2), (2, 1), (2, 2)] {
        let model = InversionModel::new(2, w, r).unwrap().write_back(true);
        let exploration = explore(&model, bounds());
        assert!(exploration.holds() && exploration.exhausted, "W={w} R={r}");
    }
}
