//! `hash mod N`: the partitioner that forgets everything when N changes.

use super::{PartitionError, hash_key};

/// `hash mod N` partitioning: key `k` goes to partition `hash_key(k) % N`.
///
/// Every partition gets an equal share of the hash space, and looking a key up costs one
/// division. The trouble is a change of `N`: a key stays put only if its hash leaves the same
/// remainder for both counts, and for `N -> N + 1` that is only `1/(N+1)` of the keys; the
/// other `N/(N+1)` move ([`kept_in_period`] counts them exactly).
///
/// # Examples
///
/// ```
/// use lessons::partitioning::ModN;
///
/// let partitions = ModN::new(10)?;
/// assert!(partitions.partition_for("user:42") < 10);
/// assert_eq!(partitions.partition_for_hash(1_234), 4);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModN {
    partitions: u64,
}

impl ModN {
    /// `N` partitions.
    ///
    /// # Errors
    ///
    /// [`PartitionError::Parameter`] if `partitions` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::ModN;
    ///
    /// assert_eq!(
    ///     ModN::new(0).unwrap_err().to_string(),
    ///     "partition count N = 0 is not allowed: N must be at least 1"
    /// );
    /// ```
    pub fn new(partitions: u64) -> Result<ModN, PartitionError> {
        if partitions == 0 {
            return Err(PartitionError::parameter(
                "partition count N",
                partitions,
                "N must be at least 1",
            ));
        }
        Ok(ModN { partitions })
    }

    /// `N`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::ModN::new(7)?.partitions(), 7);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn partitions(&self) -> u64 {
        self.partitions
    }

    /// The partition of `key`, from 0 to `N - 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::{ModN, hash_key};
    ///
    /// let partitions = ModN::new(4)?;
    /// assert_eq!(partitions.partition_for("k"), hash_key("k") % 4);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn partition_for(&self, key: impl AsRef<[u8]>) -> u64 {
        self.partition_for_hash(hash_key(key))
    }

    /// The partition of a key whose hash is `hash`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::ModN::new(4)?.partition_for_hash(10), 2);
    /// # Ok::<(), lessons::partitioning::PartitionError>(())
    /// ```
    pub fn partition_for_hash(&self, hash: u64) -> u64 {
        hash % self.partitions
    }
}

/// Of any `lcm(n, m)` consecutive hash values, how many land in the same partition under
/// `mod n` and `mod m`: exactly `min(n, m)`.
///
/// A hash `h` keeps its partition when `h mod n == h mod m = r`, so `r < min(n, m)` and, by
/// the Chinese remainder theorem, `h` is `r` modulo `lcm(n, m)`: one value per `r` in every
/// period. The function counts them by brute force, so tests can check the formula.
///
/// # Errors
///
/// [`PartitionError::Parameter`] unless `n` and `m` are at least 1 and `lcm(n, m)` is at most
/// 10,000,000.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::kept_in_period;
///
/// assert_eq!(kept_in_period(10, 11)?, (10, 110)); // 1 in 11 stays, 10 in 11 move
/// assert_eq!(kept_in_period(4, 8)?, (4, 8)); // doubling keeps half
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn kept_in_period(n: u64, m: u64) -> Result<(u64, u64), PartitionError> {
    const MAX_PERIOD: u64 = 10_000_000;
    for (name, value) in [("n", n), ("m", m)] {
        if value == 0 {
            return Err(PartitionError::parameter(name, value, "must be at least 1"));
        }
    }
    let period = n / gcd(n, m) * m;
    if period > MAX_PERIOD {
        return Err(PartitionError::parameter(
            "lcm(n, m)",
            period,
            format!("the period must be at most {MAX_PERIOD}"),
        ));
    }
    let kept = (0..period).filter(|h| h % n == h % m).count() as u64;
    Ok((kept, period))
}

/// Of any `lcm(n, m)` consecutive hash values, how many change partition going from `mod n`
/// to `mod m`; the second number is the period.
///
/// # Errors
///
/// As [`kept_in_period`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::moved_in_period;
///
/// assert_eq!(moved_in_period(100, 99)?, (9_801, 9_900)); // 99%
/// assert_eq!(moved_in_period(50, 70)?, (300, 350)); // 6/7
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn moved_in_period(n: u64, m: u64) -> Result<(u64, u64), PartitionError> {
    let (kept, period) = kept_in_period(n, m)?;
    Ok((period - kept, period))
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
