//! A stable 64-bit hash: the same bytes give the same number on every machine, forever.

/// The hash of a key: where the key sits on the ring, and what `hash mod N` divides.
///
/// This is [`hash_with_seed`] with seed 0. The function is written out in this crate (not taken
/// from `std`, whose `DefaultHasher` may change between Rust releases) so that every number a
/// lesson prints stays the same for as long as the lesson exists. It reads the key eight bytes
/// at a time and scrambles each word with the MurmurHash3 finalizer, which flips about half the
/// output bits for any one input bit, so nearby keys (`user:1`, `user:2`) land far apart.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::hash_key;
///
/// // Pinned: a change to the function shows up here.
/// assert_eq!(hash_key("user:42"), 0xbc4e_eb26_4158_6727);
/// assert_eq!(hash_key(b"user:42"), hash_key(String::from("user:42")));
/// assert_ne!(hash_key("user:42"), hash_key("user:43"));
/// ```
pub fn hash_key(key: impl AsRef<[u8]>) -> u64 {
    hash_with_seed(key.as_ref(), 0)
}

/// The hash of `bytes` in the family numbered `seed`: different seeds give unrelated hashes of
/// the same bytes. The ring uses seed `VNODE_SEED + i` for virtual node `i` of a node.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::{hash_key, hash_with_seed};
///
/// assert_eq!(hash_with_seed(b"node-a", 0), hash_key("node-a"));
/// assert_ne!(hash_with_seed(b"node-a", 1), hash_with_seed(b"node-a", 2));
/// ```
pub fn hash_with_seed(bytes: &[u8], seed: u64) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut state = mix(seed ^ (bytes.len() as u64).wrapping_mul(MULTIPLIER));
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight bytes"));
        state = (state ^ mix(word)).rotate_left(29).wrapping_mul(MULTIPLIER);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        state = (state ^ mix(u64::from_le_bytes(tail)))
            .rotate_left(29)
            .wrapping_mul(MULTIPLIER);
    }
    mix(state)
}

/// The MurmurHash3 64-bit finalizer: a bijection with strong avalanche.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_up_to_two_words_gives_a_different_hash() {
        let bytes = [7u8; 17];
        let hashes: std::collections::BTreeSet<u64> =
            (0..=17).map(|len| hash_key(&bytes[..len])).collect();
        assert_eq!(hashes.len(), 18);
    }

    #[test]
    fn the_top_bit_is_set_for_about_half_of_the_keys() {
        let set = (0..10_000u64)
            .filter(|k| hash_key(k.to_le_bytes()) >> 63 == 1)
            .count();
        assert!((4_800..5_200).contains(&set), "{set}");
    }
}
