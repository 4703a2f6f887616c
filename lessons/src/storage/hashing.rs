//! One deterministic 64-bit hash per key, and the k bit positions double hashing derives from it.
//!
//! The filters must give the same answer in every run and on every machine, so they cannot use
//! the standard library's randomly keyed `RandomState`. [`KeyHasher`] is a small fixed hasher:
//! each 8-byte word of the key is folded into the state with one multiplication, and the result
//! goes through the MurmurHash3 64-bit finalizer, which spreads every input bit over every output
//! bit. From that one hash, [`probe_positions`] derives all k positions the way Kirsch and
//! Mitzenmacher (2006) show loses nothing asymptotically: `g_i = h1 + i * h2`.

use std::hash::{Hash, Hasher};

/// A fixed, seedless hasher for filter keys: the same key hashes to the same 64 bits everywhere.
///
/// # Examples
///
/// ```
/// use lessons::storage::key_hash;
///
/// assert_eq!(key_hash(&42_u64), key_hash(&42_u64));
/// assert_ne!(key_hash("user-1"), key_hash("user-2"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher {
    state: u64,
}

/// An odd constant with well-mixed bits (the golden ratio in 64-bit fixed point).
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

impl KeyHasher {
    fn absorb(&mut self, word: u64) {
        self.state = (self.state ^ word).wrapping_mul(MULTIPLIER).rotate_left(31);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.absorb(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length goes in too, so "a" and "a\0" differ.
            self.absorb(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.absorb(value);
    }

    fn finish(&self) -> u64 {
        finalize(self.state)
    }
}

/// The MurmurHash3 64-bit finalizer: a bijection whose output bits each depend on every input bit.
fn finalize(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The 64-bit hash every filter in this module starts from.
///
/// # Examples
///
/// ```
/// use lessons::storage::key_hash;
///
/// // Pinned, so that a change to the hasher shows up here.
/// assert_eq!(key_hash(&1_u64), 12_442_802_196_665_083_182);
/// ```
pub fn key_hash<K: Hash + ?Sized>(key: &K) -> u64 {
    let mut hasher = KeyHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}

/// The `hashes` slot positions in `0..slots` for a key whose hash is `hash`, by double hashing:
/// `h1 + i * h2` for `i` in `0..hashes`, each mapped into range by a multiply-shift (no division).
///
/// # Examples
///
/// ```
/// use lessons::storage::{key_hash, probe_positions};
///
/// let positions: Vec<u64> = probe_positions(key_hash("x"), 7, 100).collect();
/// assert_eq!(positions.len(), 7);
/// assert!(positions.iter().all(|&p| p < 100));
/// ```
pub fn probe_positions(hash: u64, hashes: u32, slots: u64) -> impl Iterator<Item = u64> {
    let first = hash;
    // The second hash must be odd so that the steps never collapse onto one position mod 2^64.
    let step = finalize(hash ^ MULTIPLIER) | 1;
    (0..u64::from(hashes)).map(move |i| {
        let mixed = first.wrapping_add(i.wrapping_mul(step));
        ((u128::from(mixed) * u128::from(slots)) >> 64) as u64
    })
}
