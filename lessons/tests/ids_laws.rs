//! The laws of the unique-ID lesson, for all inputs (proptest, regressions persisted beside this
//! file), and the exact values the lesson quotes.

use std::collections::HashSet;

use lessons::ids::{
    Fields, IdError, Layout, OnClockBackwards, SnowflakeGenerator, issue_waiting, rollback_trial,
    skew_issues,
};
use lessons::sim::{Time, ms, ns, us};
use proptest::prelude::*;

/// Any valid layout: widths of at least 1 bit adding up to at most 64, an epoch in 2000-2030.
fn layouts() -> impl Strategy<Value = Layout> {
    (
        1u32..=62,
        1u32..=62,
        1u32..=62,
        946_684_800_000i64..1_893_456_000_000,
    )
        .prop_filter("fits in 64 bits", |(t, m, s, _)| t + m + s <= 64)
        .prop_map(|(t, m, s, epoch)| Layout::new(t, m, s, ms(epoch)).unwrap())
}

fn max_of(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// A layout with a field tuple that fits it.
fn layout_and_fields() -> impl Strategy<Value = (Layout, Fields)> {
    layouts().prop_flat_map(|layout| {
        let (t, m, s) = layout.widths();
        (0..=max_of(t), 0..=max_of(m), 0..=max_of(s)).prop_map(
            move |(millis, machine, sequence)| {
                (
                    layout,
                    Fields {
                        millis,
                        machine,
                        sequence,
                    },
                )
            },
        )
    })
}

/// Clock readings that mostly move forward in small steps but sometimes jump back (up to 50 ms).
fn clock_readings() -> impl Strategy<Value = Vec<Time>> {
    prop::collection::vec(
        prop_oneof![8 => 0i64..2_000_000, 1 => -50_000_000i64..0],
        1..2_000,
    )
    .prop_map(|steps| {
        let start = Layout::twitter().epoch() + ms(1_000_000);
        steps
            .iter()
            .scan(start, |now, &step| {
                *now += ns(step);
                Some(*now)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn decode_inverts_encode_for_every_valid_field_tuple((layout, fields) in layout_and_fields()) {
        let id = layout.encode(fields).unwrap();
        prop_assert_eq!(layout.decode(id).unwrap(), fields);
        let (t, m, s) = layout.widths();
        if t + m + s < 64 {
            prop_assert_eq!(id >> (t + m + s), 0);
        }
    }

    #[test]
    fn encode_inverts_decode_for_every_id_of_the_layout(layout in layouts(), raw in any::<u64>()) {
        let (t, m, s) = layout.widths();
        let id = raw & max_of(t + m + s);
        prop_assert_eq!(layout.encode(layout.decode(id).unwrap()).unwrap(), id);
    }

    #[test]
    fn fields_out_of_range_are_an_error((layout, fields) in layout_and_fields(), which in 0usize..3) {
        let (t, m, s) = layout.widths();
        let mut too_big = fields;
        let (name, bits) = match which {
            0 => ("millis", t),
            1 => ("machine", m),
            _ => ("sequence", s),
        };
        prop_assume!(bits < 64);
        let value = max_of(bits) + 1;
        match which {
            0 => too_big.millis = value,
            1 => too_big.machine = value,
            _ => too_big.sequence = value,
        }
        prop_assert_eq!(
            layout.encode(too_big),
            Err(IdError::FieldOutOfRange { field: name, value, max: max_of(bits) })
        );
    }

    #[test]
    fn ids_from_one_generator_strictly_increase_across_clock_regressions(
        readings in clock_readings(),
        logical in any::<bool>(),
    ) {
        let policy = if logical { OnClockBackwards::ContinueLogically } else { OnClockBackwards::Refuse };
        let mut generator = SnowflakeGenerator::new(Layout::twitter(), 5, policy).unwrap();
        let mut previous = None;
        let mut seen = HashSet::new();
        for reading in readings {
            let (id, _) = issue_waiting(&mut generator, reading).unwrap();
            prop_assert!(previous.is_none_or(|before| id > before), "{id} after {previous:?}");
            prop_assert!(seen.insert(id));
            previous = Some(id);
        }
    }

    #[test]
    fn ids_from_different_machines_never_collide(
        readings in clock_readings(),
        machines in prop::collection::hash_set(0u64..1_024, 2..5),
    ) {
        let mut generators: Vec<SnowflakeGenerator> = machines
            .iter()
            .map(|&machine| {
                SnowflakeGenerator::new(Layout::twitter(), machine, OnClockBackwards::Trust).unwrap()
            })
            .collect();
        let mut per_machine: Vec<HashSet<u64>> = vec![HashSet::new(); generators.len()];
        for (k, reading) in readings.into_iter().enumerate() {
            let index = k % generators.len();
            if let Ok(id) = generators[index].next_id(reading) {
                per_machine[index].insert(id);
            }
        }
        for (i, a) in per_machine.iter().enumerate() {
            for b in &per_machine[i + 1..] {
                prop_assert!(a.is_disjoint(b));
            }
        }
    }
}

proptest! {
    /// Section 2.5: an Instagram-style ID carries its logical shard, so decoding it tells which
    /// database to ask.
    #[test]
    fn an_instagram_id_decodes_to_the_shard_it_was_made_for(
        shard in 0u64..8_192,
        millis_after_epoch in 0i64..1 << 40,
        requests in 1usize..50,
    ) {
        let layout = Layout::instagram();
        let mut generator = SnowflakeGenerator::new(layout, shard, OnClockBackwards::Refuse).unwrap();
        let now = layout.epoch() + ms(millis_after_epoch);
        for _ in 0..requests {
            let (id, _) = issue_waiting(&mut generator, now).unwrap();
            prop_assert_eq!(layout.decode(id).unwrap().machine, shard);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Section 2.3: an ID sorts before an earlier one only if the two were issued less than
    /// (the offset between their machines' clocks + 1 ms) apart. The later ID's millisecond is
    /// at most the earlier one's, and each millisecond is the issue time plus the clock's
    /// offset, rounded down.
    #[test]
    fn an_inversion_implies_issue_times_closer_than_the_clock_offset_plus_1_ms(
        machines in 2u64..12,
        skew_ms in 0i64..300,
        seed in any::<u64>(),
    ) {
        let issues = skew_issues(machines, ms(skew_ms), 400, seed).unwrap();
        let distinct: HashSet<u64> = issues.iter().map(|issue| issue.id).collect();
        prop_assert_eq!(distinct.len(), issues.len());
        for (i, earlier) in issues.iter().enumerate() {
            for later in &issues[i + 1..] {
                if later.id < earlier.id {
                    let gap = later.issued_at - earlier.issued_at;
                    let offset = earlier.clock_offset - later.clock_offset;
                    let bound = Time::from_nanos(offset.as_nanos().abs()) + ms(1);
                    prop_assert!(gap < bound, "{later:?} sorts before {earlier:?}, {gap} apart");
                }
            }
        }
    }
}

#[test]
fn a_public_tweet_id_decodes_to_its_creation_time_under_twitters_epoch() {
    // The Tweet object example in Twitter's API documentation:
    // "created_at": "Wed Oct 10 20:19:24 +0000 2018", "id_str": "1050118621198921728".
    let id = 1_050_118_621_198_921_728;
    let created = Layout::twitter().created_at(id).unwrap();
    // 2018-10-10T20:19:24.211Z
    assert_eq!(created, ms(1_539_202_764_211));
    let fields = Layout::twitter().decode(id).unwrap();
    assert_eq!((fields.machine, fields.sequence), (347, 0));
}

#[test]
fn a_documented_discord_id_decodes_to_its_creation_time() {
    // Discord's developer documentation: 175928847299117063 is 2016-04-30 11:18:25.796 UTC.
    let created = Layout::discord()
        .created_at(175_928_847_299_117_063)
        .unwrap();
    assert_eq!(created, ms(1_462_015_105_796));
}

#[test]
fn twitter_layout_is_t_shifted_22_m_shifted_12_s_with_the_sign_bit_zero() {
    let layout = Layout::twitter();
    let fields = Fields {
        millis: (1 << 41) - 1,
        machine: 1_023,
        sequence: 4_095,
    };
    assert_eq!(layout.encode(fields).unwrap(), i64::MAX as u64);
    assert_eq!(
        layout
            .encode(Fields {
                millis: 3,
                machine: 2,
                sequence: 1
            })
            .unwrap(),
        3 << 22 | 2 << 12 | 1
    );
    assert_eq!(layout.ids_per_millisecond() * 1_000, 4_096_000);
}

#[test]
fn trusting_the_clock_duplicates_when_it_revisits_a_millisecond_with_the_same_sequence() {
    let layout = Layout::twitter();
    let mut generator = SnowflakeGenerator::new(layout, 1, OnClockBackwards::Trust).unwrap();
    let at = layout.epoch() + ms(500);
    let first = generator.next_id(at).unwrap();
    generator.next_id(at + ms(1)).unwrap();
    assert_eq!(generator.next_id(at + us(300)).unwrap(), first);
}

#[test]
fn refusing_says_how_far_back_the_clock_is_and_when_to_retry() {
    let layout = Layout::twitter();
    let mut generator = SnowflakeGenerator::new(layout, 1, OnClockBackwards::Refuse).unwrap();
    generator.next_id(layout.epoch() + ms(5_000)).unwrap();
    let error = generator.next_id(layout.epoch() + ms(0)).unwrap_err();
    assert_eq!(
        error,
        IdError::ClockMovedBackwards {
            behind: ms(5_000),
            retry_at: layout.epoch() + ms(5_000)
        }
    );
}

#[test]
fn a_five_second_rollback_costs_duplicates_a_wait_or_a_lead() {
    let rows = rollback_trial(ms(5_000)).unwrap();
    let summary: Vec<(&str, usize, usize, f64, f64)> = rows
        .iter()
        .map(|row| {
            (
                row.policy,
                row.duplicates,
                row.out_of_order,
                row.longest_wait_ms,
                row.max_lead_ms,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("trust the clock", 20_000, 1, 0.0, 0.0),
            ("refuse and wait", 0, 0, 4_999.0, 0.0),
            ("logical clock", 0, 0, 0.0, 4_999.0),
        ]
    );
}

#[test]
fn bad_parameters_are_errors_that_say_what_is_allowed() {
    assert_eq!(
        Layout::new(42, 11, 12, Time::ZERO).unwrap_err().to_string(),
        "bit widths = 42+11+12 is not allowed: each field has at least 1 bit and all fit in 64 bits"
    );
    assert_eq!(
        Layout::twitter().decode(u64::MAX).unwrap_err().to_string(),
        "18446744073709551615 is not an ID of this layout: it has bits set above its 63 bits"
    );
    assert!(matches!(
        Layout::twitter().millis_at(ms(0)),
        Err(IdError::BeforeEpoch { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The shard in an Instagram-layout ID routes every post to the server holding it, before
    /// and after the servers change, and a post moves exactly when its shard's server changes.
    #[test]
    fn the_shard_in_the_id_routes_every_post_to_its_server(
        servers in 1usize..=16,
        grown_to in 1usize..=16,
        seed in any::<u64>(),
    ) {
        let rows = lessons::ids::shard_routing_experiment(2_000, servers, grown_to, seed).unwrap();
        prop_assert_eq!(rows.len(), servers + grown_to);
        for row in &rows {
            prop_assert_eq!(row.routed_here, row.posts);
        }
        let moved_shards = (0..2_000u64)
            .filter(|s| s % servers as u64 != s % grown_to as u64)
            .count();
        if moved_shards == 0 {
            prop_assert!(rows.iter().all(|row| row.moved_in == 0));
        }
        let total: u64 = rows[servers..].iter().map(|row| row.posts).sum();
        prop_assert_eq!(total, 2_000);
    }
}
