//! Our phi accrual detector against the `phi-accrual` crate (0.1.0) on the same heartbeats.
//!
//! The crate implements the normal model with Akka's logistic approximation of the tail and a
//! floor on the standard deviation, which is [`PhiModel::Normal`] here. Its window holds
//! heartbeat *times* (`history_size`), ours holds *intervals*, so a window of `w` intervals
//! is `history_size(w + 1)`.
//!
//! One difference is a bug in the crate, pinned below: it computes the mean as
//! `intervals / (last - first)`, which is the heartbeat *rate*, the reciprocal of the mean
//! interval. The two agree exactly when the window's mean interval is one time unit, so the
//! agreement test feeds heartbeats in units of the mean interval.

use lessons::failure_detection::{PhiAccrual, PhiModel};
use lessons::sim::{ms, secs};
use phi_accrual::PhiFailureDetector;
use proptest::prelude::*;

const WINDOW: usize = 10;

/// Interval pairs that each add up to 2 units: (1, 1), (0, 2) or (2, 0).
fn pairs() -> impl Strategy<Value = Vec<(u64, u64)>> {
    prop::collection::vec(
        prop::sample::select(vec![(1, 1), (0, 2), (2, 0)]),
        WINDOW / 2..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// After every full pair the window's mean interval is exactly one unit (one second for
    /// ours), and both detectors give the same phi for silences of 0 to 6 units.
    #[test]
    fn ours_agrees_with_phi_accrual_when_the_mean_interval_is_one_unit(pairs in pairs()) {
        let mut peer = PhiFailureDetector::new().min_stddev(0.01).history_size(WINDOW + 1);
        let mut ours = PhiAccrual::new(PhiModel::Normal { min_stddev: ms(10) }, WINDOW).unwrap();
        let mut now = 0u64;
        peer.heartbeat(now);
        ours.heartbeat(secs(now as i64));
        for (index, (first, second)) in pairs.into_iter().enumerate() {
            for interval in [first, second] {
                now += interval;
                peer.heartbeat(now);
                ours.heartbeat(secs(now as i64));
            }
            if 2 * (index + 1) < WINDOW {
                continue; // the peer's mean is only right once the window is full
            }
            for silence in 0..=6u64 {
                let theirs = peer.phi(now + silence);
                let mine = ours.phi(secs((now + silence) as i64));
                prop_assert!(
                    (theirs - mine).abs() <= 1e-9 * theirs.abs().max(1.0)
                        || (theirs.is_infinite() && mine.is_infinite()),
                    "silence {silence}: phi-accrual {theirs}, ours {mine}"
                );
            }
        }
    }
}

/// Heartbeats every 1,000 units (milliseconds, say): on time, a beat is as likely to come
/// later as earlier, so phi = -log10(1/2) = 0.301. Ours says so; the crate, whose "mean" is
/// 0.001 beats per unit, says about 0.8.
#[test]
fn phi_accrual_takes_the_heartbeat_rate_for_the_mean_interval() {
    let mut peer = PhiFailureDetector::new()
        .min_stddev(0.01)
        .history_size(WINDOW + 1);
    let mut ours = PhiAccrual::new(PhiModel::Normal { min_stddev: ms(10) }, WINDOW).unwrap();
    for beat in 0..=20u64 {
        peer.heartbeat(beat * 1_000);
        ours.heartbeat(ms(beat as i64 * 1_000));
    }
    let on_time = 21_000;
    assert!((ours.phi(ms(on_time)) - std::f64::consts::LOG10_2).abs() < 1e-12);
    let theirs = peer.phi(on_time as u64);
    assert!((0.7..0.9).contains(&theirs), "phi-accrual says {theirs}");
}
