//! Tiered limits: every customer is held to their own plan's envelope, whatever the others do,
//! and a plan change never hands out more tokens than the new plan holds.

use lessons::rate_limit::{Tier, TieredLimiter, tier_trial};
use lessons::sim::{Time, ms};
use proptest::prelude::*;

fn tier() -> impl Strategy<Value = Tier> {
    prop::sample::select(Tier::ALL.to_vec())
}

proptest! {
    #[test]
    fn every_plan_stays_within_its_envelope(per_second in 0.5f64..200.0, seed: u64) {
        for row in tier_trial(per_second, seed).unwrap() {
            prop_assert!(row.admitted <= row.envelope.min(row.offered), "{:?}", row);
        }
    }

    #[test]
    fn one_customer_s_flood_changes_nothing_for_another(
        plans in (tier(), tier()),
        gaps in prop::collection::vec((0u64..50, any::<bool>()), 1..400),
    ) {
        // Customer 1 alone, then the same requests of customer 1 interleaved with customer 2's.
        let mut alone = TieredLimiter::new();
        let mut shared = TieredLimiter::new();
        alone.set_tier(1, plans.0, Time::ZERO);
        shared.set_tier(1, plans.0, Time::ZERO);
        shared.set_tier(2, plans.1, Time::ZERO);
        let mut now = Time::ZERO;
        for (gap, neighbour_too) in gaps {
            now += ms(gap as i64);
            if neighbour_too {
                shared.check(2, now).unwrap();
            }
            prop_assert_eq!(alone.check(1, now).unwrap(), shared.check(1, now).unwrap());
        }
    }

    #[test]
    fn a_plan_change_keeps_at_most_the_new_capacity(from in tier(), to in tier(), spent in 0u64..12_000) {
        let mut limiter = TieredLimiter::new();
        limiter.set_tier(1, from, Time::ZERO);
        for _ in 0..spent.min(from.per_minute()) {
            limiter.check(1, Time::ZERO).unwrap();
        }
        let before = limiter.tokens(1).unwrap();
        limiter.set_tier(1, to, Time::ZERO);
        prop_assert_eq!(limiter.tokens(1).unwrap(), before.min(to.per_minute()));
    }
}

#[test]
fn an_upgrade_raises_the_refill_rate_not_the_tokens_in_hand() {
    let mut limiter = TieredLimiter::new();
    limiter.set_tier(1, Tier::Free, Time::ZERO);
    let burst = (0..150)
        .filter(|_| limiter.check(1, Time::ZERO).unwrap().is_admitted())
        .count();
    assert_eq!(burst, 100);
    limiter.set_tier(1, Tier::Pro, Time::ZERO);
    assert!(!limiter.check(1, Time::ZERO).unwrap().is_admitted());
    // Pro refills 1,000 a minute: one token every 60 ms.
    assert!(limiter.check(1, ms(60)).unwrap().is_admitted());
}
