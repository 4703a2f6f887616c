//! The laws of UUIDv4, UUIDv7, ULID, Base62 and strided auto-increment (lesson 2, sections
//! 2.4 and 2.5), for all inputs (proptest, regressions persisted beside this file), and the
//! exact values the lesson quotes.

use std::collections::HashSet;

use lessons::ids::{
    Base62, IdError, KeyKind, LeafLevel, LeafSplit, StridedCounter, Ulid, Uuid, add_server_trial,
    collision_probability, expected_colliding_pairs, keys_in_issue_order,
};
use lessons::sim::Rng;
use proptest::prelude::*;

const MAX_MILLIS: u64 = (1 << 48) - 1;
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Strictly increasing millisecond timestamps that fit in 48 bits.
fn increasing_millis() -> impl Strategy<Value = Vec<u64>> {
    (
        0..MAX_MILLIS / 2,
        prop::collection::vec(1u64..5_000_000, 1..200),
    )
        .prop_map(|(start, steps)| {
            steps
                .iter()
                .scan(start, |now, step| {
                    *now += step;
                    Some(*now)
                })
                .collect()
        })
}

fn alphabets() -> impl Strategy<Value = Base62> {
    prop_oneof![Just(Base62::letters_first()), Just(Base62::digits_first())]
}

proptest! {
    #[test]
    fn v4_has_version_nibble_4_and_variant_bits_10(seed in any::<u64>()) {
        let uuid = Uuid::v4(&mut Rng::new(seed));
        prop_assert_eq!(uuid.as_u128() >> 76 & 0xF, 4);
        prop_assert_eq!(uuid.as_u128() >> 62 & 0b11, 0b10);
        prop_assert_eq!((uuid.version(), uuid.variant_bits()), (4, 0b10));
        let text = uuid.to_string();
        prop_assert_eq!(text.len(), 36);
        prop_assert_eq!(text.as_bytes()[14], b'4');
        prop_assert!(matches!(text.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn v7_has_version_7_variant_10_and_its_first_48_bits_are_the_millis(
        seed in any::<u64>(),
        millis in 0..=MAX_MILLIS,
    ) {
        let uuid = Uuid::v7(millis, &mut Rng::new(seed)).unwrap();
        prop_assert_eq!((uuid.as_u128() >> 80) as u64, millis);
        prop_assert_eq!((uuid.version(), uuid.variant_bits()), (7, 0b10));
        prop_assert_eq!(uuid.millis(), Some(millis));
        let hex: String = uuid.to_string().chars().filter(|&c| c != '-').take(12).collect();
        prop_assert_eq!(u64::from_str_radix(&hex, 16).unwrap(), millis);
    }

    #[test]
    fn timestamps_beyond_48_bits_are_an_error(millis in MAX_MILLIS + 1.., seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let expected = IdError::FieldOutOfRange { field: "millis", value: millis, max: MAX_MILLIS };
        prop_assert_eq!(Uuid::v7(millis, &mut rng), Err(expected.clone()));
        prop_assert_eq!(Ulid::new(millis, &mut rng), Err(expected));
    }

    #[test]
    fn v7_and_ulid_text_generated_in_increasing_millis_sorts_in_generation_order(
        millis in increasing_millis(),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng::new(seed);
        let v7: Vec<String> = millis.iter().map(|&ms| Uuid::v7(ms, &mut rng).unwrap().to_string()).collect();
        let ulids: Vec<String> = millis.iter().map(|&ms| Ulid::new(ms, &mut rng).unwrap().to_string()).collect();
        prop_assert!(v7.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert!(ulids.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn ulid_text_is_26_crockford_digits_the_first_at_most_7(bits in any::<u128>()) {
        let text = Ulid::from_u128(bits).to_string();
        prop_assert_eq!(text.len(), 26);
        prop_assert!(text.chars().all(|c| CROCKFORD.contains(c)));
        prop_assert!(text.as_bytes()[0] <= b'7');
    }

    #[test]
    fn ulid_parse_inverts_display(bits in any::<u128>()) {
        let ulid = Ulid::from_u128(bits);
        prop_assert_eq!(Ulid::parse(&ulid.to_string()).unwrap(), ulid);
        prop_assert_eq!(Ulid::parse(&ulid.to_string().to_lowercase()).unwrap(), ulid);
    }

    #[test]
    fn ulid_display_inverts_parse(text in "[0-7][0-9A-HJKMNP-TV-Z]{25}") {
        prop_assert_eq!(Ulid::parse(&text).unwrap().to_string(), text);
    }

    #[test]
    fn ulid_parts_survive_the_round_trip(millis in 0..=MAX_MILLIS, random in 0..(1u128 << 80)) {
        let ulid = Ulid::from_parts(millis, random).unwrap();
        prop_assert_eq!((ulid.millis(), ulid.random()), (millis, random));
    }

    #[test]
    fn base62_decode_inverts_encode(alphabet in alphabets(), value in any::<u64>()) {
        prop_assert_eq!(alphabet.decode(&alphabet.encode(value)).unwrap(), value);
    }

    #[test]
    fn base62_encode_inverts_decode_for_text_without_leading_zero_digits(
        alphabet in alphabets(),
        value in any::<u64>(),
        shift in 0u32..64,
        padding in 0usize..4,
    ) {
        let value = value >> shift;
        let text = alphabet.encode(value);
        prop_assert_eq!(alphabet.encode(alphabet.decode(&text).unwrap()), text.clone());
        let padded = alphabet.encode_padded(value, text.len() + padding).unwrap();
        prop_assert_eq!(padded.len(), text.len() + padding);
        prop_assert_eq!(alphabet.decode(&padded).unwrap(), value);
        prop_assert!(alphabet.encode_padded(value, text.len() - 1).is_err());
    }

    #[test]
    fn random_codes_have_their_length_and_decode_below_the_space(
        length in 1u32..=10,
        seed in any::<u64>(),
    ) {
        let alphabet = Base62::letters_first();
        let code = alphabet.random_code(length, &mut Rng::new(seed)).unwrap();
        prop_assert_eq!(code.len(), length as usize);
        prop_assert!(alphabet.decode(&code).unwrap() < Base62::code_space(length).unwrap());
    }

    #[test]
    fn striding_with_one_step_and_distinct_offsets_never_collides(
        (step, offsets) in (1u64..64).prop_flat_map(|step| {
            (Just(step), prop::collection::hash_set(0..step, 1..=step as usize))
        }),
        count in 1usize..300,
    ) {
        let mut seen = HashSet::new();
        for offset in offsets {
            let mut counter = StridedCounter::new(step, offset).unwrap();
            for _ in 0..count {
                let id = counter.next_id().unwrap();
                prop_assert_eq!(id % step, offset);
                prop_assert!(seen.insert(id), "{id} issued twice");
            }
        }
    }

    #[test]
    fn the_leaf_level_keeps_every_key_in_order(
        keys in prop::collection::vec(any::<u128>(), 0..600),
        capacity in 1usize..40,
        half in any::<bool>(),
    ) {
        let split = if half { LeafSplit::Half } else { LeafSplit::RightmostAppend };
        let mut index = LeafLevel::new(capacity).unwrap().with_split(split);
        for &key in &keys {
            index.insert(key);
        }
        prop_assert!(index.is_ordered());
        prop_assert_eq!(index.leaf_sizes().iter().sum::<usize>(), keys.len());
        prop_assert!(index.leaf_sizes().iter().all(|&size| size <= capacity));
        prop_assert_eq!(index.leaves() as u64, index.splits() + 1);
    }

    #[test]
    fn collision_probability_is_between_0_and_1_and_grows_with_the_ids(
        ids in 0.0f64..1e7,
        more in 0.0f64..1e7,
        bits in 10i32..128,
    ) {
        let space = 2f64.powi(bits);
        let p = collision_probability(ids, space).unwrap();
        let q = collision_probability(ids + more, space).unwrap();
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(p <= q);
        // For tiny probabilities, P is the expected number of pairs to within a tiny error.
        let pairs = expected_colliding_pairs(ids, space).unwrap();
        prop_assert!(p <= pairs * (1.0 + 1e-12));
    }
}

#[test]
fn id_1000_is_qi_only_with_letters_first() {
    assert_eq!(Base62::letters_first().encode(1_000), "qi");
    assert_eq!(Base62::digits_first().encode(1_000), "g8");
    assert_eq!(Base62::letters_first().decode("qi").unwrap(), 1_000);
    assert_eq!(Base62::digits_first().decode("qi").unwrap(), 26 * 62 + 18);
}

#[test]
fn seven_base62_characters_give_3_5_trillion_codes() {
    assert_eq!(Base62::code_space(7).unwrap(), 3_521_614_606_208);
}

#[test]
fn the_birthday_bound_matches_the_exact_product_and_known_values() {
    // 23 people and 365 days: 0.507297...
    let exact = 1.0 - (0..23).map(|i| 1.0 - i as f64 / 365.0).product::<f64>();
    let ours = collision_probability(23.0, 365.0).unwrap();
    assert!((ours - exact).abs() < 1e-12);
    // Past 10,000 IDs the series takes over; it meets the term-by-term sum there.
    let space = 1e9;
    let below = collision_probability(10_000.0, space).unwrap();
    let above = collision_probability(10_001.0, space).unwrap();
    assert!(above > below && (above - below) / below < 3e-4);
    // 2^61 v4 UUIDs give about a 39% chance (1 - e^-1/2) of one collision.
    let v4 = collision_probability(2f64.powi(61), 2f64.powi(122)).unwrap();
    assert_eq!(format!("{v4:.4}"), "0.3935");
    // 100 million random 7-character codes: about 1,420 colliding pairs (claim C24).
    let pairs = expected_colliding_pairs(1e8, Base62::code_space(7).unwrap() as f64).unwrap();
    assert_eq!(pairs.round(), 1_420.0);
}

#[test]
fn known_ulid_text_decodes_to_the_spec_timestamp() {
    let ulid = Ulid::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap();
    assert_eq!(ulid.millis(), 1_469_922_850_259);
    assert_eq!(Ulid::from_u128(0).to_string(), "00000000000000000000000000");
}

#[test]
fn sequential_keys_leave_leaves_half_full_with_the_50_50_split_and_full_with_the_append_split() {
    let mut append = LeafLevel::new(100).unwrap();
    let mut half = LeafLevel::new(100).unwrap().with_split(LeafSplit::Half);
    for key in 1..=10_000 {
        append.insert(key);
        half.insert(key);
    }
    assert_eq!((append.leaves(), append.fill()), (100, 1.0));
    // Every split of a 101-key leaf leaves 51 behind: 195 leaves of 51 and a last one of 55.
    let sizes = half.leaf_sizes();
    assert_eq!(sizes.len(), 196);
    assert!(sizes[..195].iter().all(|&size| size == 51));
    assert_eq!(sizes[195], 55);
    assert_eq!(half.fill(), 10_000.0 / 19_600.0);
}

#[test]
fn sequential_keys_fill_every_leaf_and_random_ones_about_69_percent() {
    let mut sequential = LeafLevel::new(100).unwrap();
    for key in 1..=10_000 {
        sequential.insert(key);
    }
    assert_eq!((sequential.leaves(), sequential.fill()), (100, 1.0));
    let mut random = LeafLevel::new(100).unwrap();
    for key in keys_in_issue_order(KeyKind::UuidV4, 50_000, 1, 3).unwrap() {
        random.insert(key);
    }
    // Yao (1978): random insertion into a B-tree leaves its nodes ln 2 = 69% full.
    assert!(
        (random.fill() - std::f64::consts::LN_2).abs() < 0.03,
        "{}",
        random.fill()
    );
}

#[test]
fn adding_a_server_to_a_stride_collides_unless_everyone_restarts_or_room_was_reserved() {
    let rows = add_server_trial(3, 1_000, 10).unwrap();
    let summary: Vec<(&str, usize, bool, u64)> = rows
        .iter()
        .map(|row| {
            (
                row.plan,
                row.duplicates,
                row.all_servers_coordinate,
                row.highest_id,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("newcomer alone", 1_000, false, 5_999),
            ("all switch, counters kept", 750, false, 6_998),
            ("all restart above the highest", 0, true, 6_999),
            ("step reserved in advance", 0, false, 19_992),
        ]
    );
}

#[test]
fn bad_parameters_and_malformed_text_are_errors_that_say_what_is_allowed() {
    assert_eq!(
        LeafLevel::new(0).unwrap_err().to_string(),
        "leaf capacity = 0 is not allowed: 1 to 100,000 keys per leaf"
    );
    assert_eq!(
        StridedCounter::new(0, 0).unwrap_err().to_string(),
        "step = 0 is not allowed: a step of at least 1"
    );
    assert_eq!(
        StridedCounter::new(3, 3).unwrap_err().to_string(),
        "offset = 3 is not allowed: an offset from 0 to step - 1"
    );
    assert_eq!(
        Ulid::parse("01ARZ3NDEKTSV4RRFFQ69G5FA")
            .unwrap_err()
            .to_string(),
        "\"01ARZ3NDEKTSV4RRFFQ69G5FA\" is not a ULID: it has 25 characters; allowed: 26 Crockford \
         Base32 digits (0-9 and A-Z without I, L, O, U; either case), the first 0 to 7"
    );
    assert!(
        Ulid::parse("01ARZ3NDEKTSV4RRFFQ69G5FAU")
            .unwrap_err()
            .to_string()
            .contains("'U' at position 26 is not a digit")
    );
    assert!(
        Ulid::parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")
            .unwrap_err()
            .to_string()
            .contains("more than 128 bits")
    );
    assert_eq!(
        Base62::letters_first()
            .decode("ab_c")
            .unwrap_err()
            .to_string(),
        "\"ab_c\" is not a Base62 code: '_' at position 3 is not in the alphabet; allowed: 1 or \
         more characters of the alphabet, standing for a number up to 2^64 - 1"
    );
    assert!(
        Base62::digits_first()
            .decode("LygHa16AHYG")
            .unwrap_err()
            .to_string()
            .contains("does not fit in 64 bits")
    );
    assert_eq!(
        Uuid::v7(1 << 48, &mut Rng::new(0)).unwrap_err().to_string(),
        "millis 281474976710656 does not fit: the layout allows 0 to 281474976710655"
    );
    assert!(Base62::new("0123456789").is_err());
    assert!(Base62::code_space(0).is_err());
}
