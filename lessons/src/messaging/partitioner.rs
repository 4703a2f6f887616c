//! Kafka's default partitioner for keyed records: murmur2 of the key bytes, made non-negative,
//! modulo the partition count. Adding partitions changes the modulus, so most keys move.

use serde::Serialize;

use super::params::at_least;
use crate::sim::SimError;

/// Kafka's 32-bit murmur2 of `data` (seed `0x9747b28c`), as its `Utils.murmur2` computes it.
///
/// # Examples
///
/// The values Kafka's own tests check:
///
/// ```
/// use lessons::messaging::murmur2;
///
/// assert_eq!(murmur2(b"21"), -973932308);
/// assert_eq!(murmur2(b"foobar"), -790332482);
/// assert_eq!(murmur2(b"abc"), 479470107);
/// ```
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    let mut h: u32 = 0x9747_b28c ^ data.len() as u32;
    let mut words = data.chunks_exact(4);
    for word in &mut words {
        let mut k = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate().rev() {
            h ^= u32::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition Kafka's default partitioner gives a record with key `key` among `partitions`:
/// `(murmur2(key) & 0x7fffffff) % partitions`.
///
/// # Errors
///
/// [`SimError::Parameter`] for zero partitions.
///
/// # Examples
///
/// ```
/// use lessons::messaging::partition_for_key;
///
/// assert_eq!(partition_for_key(b"21", 6)?, (-973932308i32 & 0x7fffffff) as usize % 6);
/// assert!(partition_for_key(b"21", 0).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn partition_for_key(key: &[u8], partitions: usize) -> Result<usize, SimError> {
    at_least("partitions", partitions, 1)?;
    Ok((murmur2(key) & 0x7fff_ffff) as usize % partitions)
}

/// How many of `keys` keys (`"key-0"`, `"key-1"`, ...) change partition when a topic goes from
/// `from` to `to` partitions.
///
/// # Examples
///
/// ```
/// use lessons::messaging::moved_keys;
///
/// let row = moved_keys(10_000, 6, 6)?;
/// assert_eq!(row.moved, 0);
/// let row = moved_keys(10_000, 6, 12)?;
/// assert!((row.moved_fraction - 0.5).abs() < 0.02); // doubling keeps half in place
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovedKeys {
    /// Partitions before.
    pub from: usize,
    /// Partitions after.
    pub to: usize,
    /// Keys counted.
    pub keys: usize,
    /// Keys whose partition changed.
    pub moved: usize,
    /// The fraction that moved.
    pub moved_fraction: f64,
}

/// Counts the keys that move between partition counts `from` and `to`.
///
/// # Errors
///
/// [`SimError::Parameter`] for zero keys or partitions, or more than a million keys.
///
/// # Examples
///
/// ```
/// use lessons::messaging::moved_keys;
///
/// assert!(moved_keys(1_000, 6, 7)?.moved_fraction > 0.8);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn moved_keys(keys: usize, from: usize, to: usize) -> Result<MovedKeys, SimError> {
    at_least("keys", keys, 1)?;
    super::params::at_most("keys", keys, 1_000_000)?;
    let mut moved = 0;
    for key in 0..keys {
        let bytes = format!("key-{key}");
        moved += usize::from(
            partition_for_key(bytes.as_bytes(), from)? != partition_for_key(bytes.as_bytes(), to)?,
        );
    }
    Ok(MovedKeys {
        from,
        to,
        keys,
        moved,
        moved_fraction: moved as f64 / keys as f64,
    })
}
