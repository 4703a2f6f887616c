//! Our Bloom filter against two maintained crates on the same keys and the same number of
//! bits: `fastbloom` (a blocked Bloom filter) and `bloomfilter` (a classic one, SipHash-1-3).
//! Ours must give no false negatives, like theirs, and a false-positive rate the same as
//! theirs or lower.

use bloomfilter::Bloom;
use lessons::storage::{BloomFilter, random_keys};

const KEYS: u64 = 20_000;
const PROBES: u64 = 400_000;
/// 10 bits per key, a multiple of 64 so every filter gets exactly the same number of bits.
const BITS: u64 = 200_000;
const HASHES: u32 = 7;

/// Five standard errors of a binomial proportion near `rate` over `PROBES` probes.
fn noise(rate: f64) -> f64 {
    5.0 * (rate * (1.0 - rate) / PROBES as f64).sqrt()
}

fn rate(contains: impl Fn(&u64) -> bool, seed: u64) -> f64 {
    let absent = random_keys(seed, PROBES, true);
    absent.iter().filter(|key| contains(key)).count() as f64 / PROBES as f64
}

#[test]
fn ours_is_no_worse_than_fastbloom_at_the_same_size() {
    for seed in 1..=3 {
        let keys = random_keys(seed, KEYS, false);
        let mut ours = BloomFilter::new(BITS, HASHES).unwrap();
        let mut theirs = fastbloom::BloomFilter::with_num_bits(BITS as usize)
            .seed(&u128::from(seed))
            .hashes(HASHES);
        assert_eq!(theirs.num_bits() as u64, BITS);
        for key in &keys {
            ours.insert(key);
            theirs.insert(key);
        }
        assert!(
            keys.iter()
                .all(|key| ours.contains(key) && theirs.contains(key))
        );
        let (mine, peer) = (
            rate(|k| ours.contains(k), seed),
            rate(|k| theirs.contains(k), seed),
        );
        assert!(
            mine <= peer + noise(peer),
            "seed {seed}: ours {mine}, fastbloom {peer}"
        );
    }
}

#[test]
fn ours_is_no_worse_than_bloomfilter_at_the_same_size() {
    for seed in 1..=3_u8 {
        let keys = random_keys(u64::from(seed), KEYS, false);
        let mut ours = BloomFilter::new(BITS, HASHES).unwrap();
        let mut theirs: Bloom<u64> =
            Bloom::new_with_seed(BITS as usize / 8, KEYS as usize, &[seed; 32]).unwrap();
        assert_eq!(theirs.number_of_hash_functions(), HASHES);
        for key in &keys {
            ours.insert(key);
            theirs.set(key);
        }
        assert!(
            keys.iter()
                .all(|key| ours.contains(key) && theirs.check(key))
        );
        let seed = u64::from(seed);
        let (mine, peer) = (
            rate(|k| ours.contains(k), seed),
            rate(|k| theirs.check(k), seed),
        );
        assert!(
            mine <= peer + noise(peer),
            "seed {seed}: ours {mine}, bloomfilter {peer}"
        );
    }
}
