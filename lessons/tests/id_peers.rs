//! Our UUIDs and ULIDs against the `uuid` and `ulid` crates: the same bits read the same way.

use lessons::ids::{Ulid, Uuid};
use lessons::sim::Rng;
use proptest::prelude::*;

const MAX_MILLIS: u64 = (1 << 48) - 1;

proptest! {
    #[test]
    fn the_uuid_crate_reads_our_v4_as_a_random_rfc_uuid(seed in any::<u64>()) {
        let ours = Uuid::v4(&mut Rng::new(seed));
        let theirs = uuid::Uuid::parse_str(&ours.to_string()).unwrap();
        prop_assert_eq!(theirs.as_u128(), ours.as_u128());
        prop_assert_eq!(theirs.get_version(), Some(uuid::Version::Random));
        prop_assert_eq!(theirs.get_version_num(), 4);
        prop_assert_eq!(theirs.get_variant(), uuid::Variant::RFC4122);
        prop_assert_eq!(theirs.hyphenated().to_string(), ours.to_string());
    }

    #[test]
    fn the_uuid_crate_reads_our_v7_with_its_timestamp(seed in any::<u64>(), millis in 0..=MAX_MILLIS) {
        let ours = Uuid::v7(millis, &mut Rng::new(seed)).unwrap();
        let theirs = uuid::Uuid::parse_str(&ours.to_string()).unwrap();
        prop_assert_eq!(theirs.get_version(), Some(uuid::Version::SortRand));
        prop_assert_eq!(theirs.get_variant(), uuid::Variant::RFC4122);
        let (seconds, nanos) = theirs.get_timestamp().unwrap().to_unix();
        prop_assert_eq!(seconds * 1_000 + u64::from(nanos) / 1_000_000, millis);
    }

    #[test]
    fn the_ulid_crate_decodes_our_text_to_the_same_value(seed in any::<u64>(), millis in 0..=MAX_MILLIS) {
        let ours = Ulid::new(millis, &mut Rng::new(seed)).unwrap();
        let theirs = ulid::Ulid::from_string(&ours.to_string()).unwrap();
        prop_assert_eq!(theirs.0, ours.as_u128());
        prop_assert_eq!(theirs.timestamp_ms(), millis);
        prop_assert_eq!(theirs.random(), ours.random());
    }

    #[test]
    fn we_decode_the_ulid_crates_text_to_the_same_value(millis in 0..=MAX_MILLIS, random in 0..(1u128 << 80)) {
        let theirs = ulid::Ulid::from_parts(millis, random);
        let ours = Ulid::parse(&theirs.to_string()).unwrap();
        prop_assert_eq!(ours.as_u128(), theirs.0);
        prop_assert_eq!(ours.millis(), theirs.timestamp_ms());
        prop_assert_eq!(ours.to_string(), theirs.to_string());
    }

    #[test]
    fn both_accept_and_reject_the_same_text_that_starts_with_0_to_7(text in "[0-7][0-9A-Za-z]{23,27}") {
        prop_assert_eq!(Ulid::parse(&text).is_ok(), ulid::Ulid::from_string(&text).is_ok());
    }
}

/// A first digit above 7 needs a 129th or 130th bit. The spec calls that an overflow to
/// reject; the `ulid` crate (3.0.0) shifts the extra bits out and returns another ULID.
#[test]
fn a_first_digit_above_7_is_an_error_here_and_wraps_around_in_the_ulid_crate() {
    let text = "8ZZZZZZZZZZZZZZZZZZZZZZZZZ";
    assert!(Ulid::parse(text).is_err());
    let theirs = ulid::Ulid::from_string(text).unwrap();
    assert_eq!(theirs.to_string(), "0ZZZZZZZZZZZZZZZZZZZZZZZZZ");
}

#[test]
fn the_uuid_crates_own_v7_reads_back_through_our_accessors() {
    let theirs = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        1_767_225_600,
        123_000_000,
    ));
    let ours = Uuid::from_u128(theirs.as_u128());
    assert_eq!(ours.version(), 7);
    assert_eq!(ours.variant_bits(), 0b10);
    assert_eq!(ours.millis(), Some(1_767_225_600_123));
    assert_eq!(ours.to_string(), theirs.to_string());
}
