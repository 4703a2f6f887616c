//! Online migration: dual writes plus a backfill, and the backfill that overwrites newer data.

use serde::Serialize;

use super::PartitionError;
use crate::sim::Rng;

/// How the backfill writes a copied value into the new store.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::Backfill;
///
/// assert_eq!(Backfill::ALL.map(Backfill::name), ["blind overwrite", "version-checked"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backfill {
    /// Put the copied value, whatever the new store holds.
    BlindOverwrite,
    /// Put the copied value only if its version is newer than the new store's (a conditional
    /// put), so a dual write that landed meanwhile is kept.
    VersionChecked,
}

impl Backfill {
    /// Both policies.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::partitioning::Backfill::ALL.len(), 2);
    /// ```
    pub const ALL: [Backfill; 2] = [Backfill::BlindOverwrite, Backfill::VersionChecked];

    /// The policy's name in rows and plots.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::partitioning::Backfill;
    ///
    /// assert_eq!(Backfill::VersionChecked.name(), "version-checked");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Backfill::BlindOverwrite => "blind overwrite",
            Backfill::VersionChecked => "version-checked",
        }
    }
}

/// One policy and copy lag in [`migration_trial`].
///
/// # Examples
///
/// ```
/// use lessons::partitioning::migration_trial;
///
/// let rows = migration_trial(1_000, 2_000, &[0], 1)?;
/// assert!(rows.iter().all(|row| row.stale_keys == 0)); // no lag, no window for a race
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MigrationRow {
    /// The backfill policy's name.
    pub policy: &'static str,
    /// Time units between reading a key from the old store and writing it to the new one.
    pub copy_lag: u64,
    /// Keys whose value in the new store is older than in the old store when all is done.
    pub stale_keys: usize,
    /// `stale_keys` over the number of keys.
    pub stale_fraction: f64,
}

/// Moves `keys` keys from an old store to a new one while clients keep writing. From time 0
/// every write goes to both stores (dual writes, each with the next version of its key); the
/// backfill reads key `k` from the old store at time `k` and writes it into the new store
/// `copy_lag` time units later. `writes` writes hit random keys at random times during the
/// backfill. A key ends *stale* when the new store holds an older version than the old one:
/// a blind backfill that read before a dual write and wrote after it.
///
/// # Errors
///
/// [`PartitionError::Parameter`] if `keys` is 0.
///
/// # Examples
///
/// ```
/// use lessons::partitioning::migration_trial;
///
/// let rows = migration_trial(10_000, 20_000, &[100], 1)?;
/// let blind = rows.iter().find(|row| row.policy == "blind overwrite").unwrap();
/// let checked = rows.iter().find(|row| row.policy == "version-checked").unwrap();
/// assert!(blind.stale_keys > 0);
/// assert_eq!(checked.stale_keys, 0);
/// # Ok::<(), lessons::partitioning::PartitionError>(())
/// ```
pub fn migration_trial(
    keys: usize,
    writes: usize,
    copy_lags: &[u64],
    seed: u64,
) -> Result<Vec<MigrationRow>, PartitionError> {
    if keys == 0 {
        return Err(PartitionError::parameter(
            "keys",
            keys,
            "at least 1 key to migrate",
        ));
    }
    let mut rows = Vec::new();
    for &lag in copy_lags {
        let mut rng = Rng::derive(seed, &[lag]);
        let span = (keys as u64 + lag) as f64;
        // Each key's write times, in order; times are fractional so none ties a backfill step.
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); keys];
        for _ in 0..writes {
            let key = rng.below(keys as u64) as usize;
            times[key].push(rng.unit() * span);
        }
        for key_times in &mut times {
            key_times.sort_by(f64::total_cmp);
        }
        for policy in Backfill::ALL {
            let stale_keys = times
                .iter()
                .enumerate()
                .filter(|(key, key_times)| {
                    let (read, write) = (*key as f64, (*key as u64 + lag) as f64);
                    let copied = key_times.iter().filter(|&&t| t < read).count();
                    let before_write = key_times.iter().filter(|&&t| t < write).count();
                    // The new store just before the backfill write holds the latest dual write
                    // before it (or nothing); the backfill then puts version `copied`.
                    let at_write = match policy {
                        Backfill::BlindOverwrite => copied,
                        Backfill::VersionChecked => copied.max(before_write),
                    };
                    let after_write = key_times.len() - before_write;
                    let final_version = if after_write > 0 {
                        key_times.len()
                    } else {
                        at_write
                    };
                    final_version < key_times.len()
                })
                .count();
            rows.push(MigrationRow {
                policy: policy.name(),
                copy_lag: lag,
                stale_keys,
                stale_fraction: stale_keys as f64 / keys as f64,
            });
        }
    }
    Ok(rows)
}
