//! Many clients writing one key at once, under each [`VersionScheme`], scored against what the
//! clients actually saw.
//!
//! Every client repeats *read, then write*, and the clients' steps interleave at random, so a
//! client's write often misses writes made between its read and its write. A write *supersedes*
//! exactly the versions its client read; the versions that should be stored at the end are the
//! writes no later write superseded. A scheme that drops one of those has *lost* a write; one
//! that still stores a superseded version shows a *false sibling*.

use serde::Serialize;

use super::versions::{VersionError, VersionScheme, VersionedKey, Writer};
use crate::sim::{NodeId, Rng, SimError};

/// The workload: how many clients and servers, and how many writes each client makes.
///
/// # Examples
///
/// ```
/// use lessons::clocks::VersionWorkload;
///
/// let workload = VersionWorkload { clients: 8, ..VersionWorkload::default() };
/// assert!(workload.validate().is_ok());
/// assert!(VersionWorkload { servers: 0, ..workload }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VersionWorkload {
    /// Clients writing the key, from 1 to 1000.
    pub clients: usize,
    /// Servers coordinating writes (each write goes to one at random), from 1 to 64.
    pub servers: usize,
    /// Writes per client, from 1 to 1000; at most 20 000 writes in all.
    pub writes_per_client: usize,
}

impl Default for VersionWorkload {
    /// Four clients, three servers, 25 writes each.
    fn default() -> VersionWorkload {
        VersionWorkload {
            clients: 4,
            servers: 3,
            writes_per_client: 25,
        }
    }
}

impl VersionWorkload {
    /// Checks every parameter.
    ///
    /// # Errors
    ///
    /// A [`SimError::Parameter`] naming the first parameter out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VersionWorkload;
    ///
    /// let error = VersionWorkload { clients: 0, ..VersionWorkload::default() }.validate().unwrap_err();
    /// assert_eq!(error.to_string(), "clients 0 is not allowed; from 1 to 1000");
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        let check = |name, value: usize, high: usize| {
            if (1..=high).contains(&value) {
                Ok(())
            } else {
                Err(SimError::parameter(
                    name,
                    value,
                    format!("from 1 to {high}"),
                ))
            }
        };
        check("clients", self.clients, 1_000)?;
        check("servers", self.servers, 64)?;
        check("writes per client", self.writes_per_client, 1_000)?;
        check(
            "writes in all",
            self.clients * self.writes_per_client,
            20_000,
        )
    }

    /// The interleaved steps: which client acts, and for a write, through which server.
    fn steps(&self, seed: u64) -> Vec<Step> {
        let mut rng = Rng::new(seed);
        let mut left: Vec<usize> = vec![2 * self.writes_per_client; self.clients];
        let mut active: Vec<NodeId> = (0..self.clients).collect();
        let mut steps = Vec::with_capacity(2 * self.clients * self.writes_per_client);
        while !active.is_empty() {
            let slot = rng.below(active.len() as u64) as usize;
            let client = active[slot];
            let reading = left[client].is_multiple_of(2);
            steps.push(if reading {
                Step::Read { client }
            } else {
                Step::Write {
                    client,
                    server: rng.below(self.servers as u64) as usize,
                }
            });
            left[client] -= 1;
            if left[client] == 0 {
                active.swap_remove(slot);
            }
        }
        steps
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Read { client: NodeId },
    Write { client: NodeId, server: NodeId },
}

/// How one scheme did on one workload.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionWorkload, run_versions};
///
/// let run = run_versions(&VersionWorkload::default(), VersionScheme::DottedVersionVectors, 1)?;
/// let row = &run.row;
/// assert_eq!((row.lost_writes, row.reads_with_false_siblings), (0, 0));
/// assert_eq!((row.writes, row.reads), (100, 100));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionRow {
    /// The scheme's name.
    pub scheme: String,
    /// Clients in the workload.
    pub clients: usize,
    /// Writes made.
    pub writes: usize,
    /// Reads made.
    pub reads: usize,
    /// Writes the store dropped although no write had superseded them: lost for good.
    pub lost_writes: usize,
    /// Reads that returned a version some write had already superseded (a false sibling the
    /// client has to reconcile for nothing).
    pub reads_with_false_siblings: usize,
    /// The most versions stored at once.
    pub peak_siblings: usize,
    /// The largest metadata the key held at any time, in vector entries and dots.
    pub peak_metadata_entries: usize,
    /// The same in bytes, at 16 bytes an entry.
    pub peak_metadata_bytes: usize,
}

/// A [`VersionRow`] and the number of stored versions after each write.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionWorkload, run_versions};
///
/// let run = run_versions(&VersionWorkload::default(), VersionScheme::LastWriterWins, 1)?;
/// assert!(run.siblings_after_write.iter().all(|&count| count == 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionRun {
    /// The scores.
    pub row: VersionRow,
    /// How many versions were stored right after each write.
    pub siblings_after_write: Vec<usize>,
}

/// Runs `workload` under `scheme`: the same seed gives the same interleaving under every scheme.
///
/// # Errors
///
/// A [`SimError`] if the workload is out of range, or pruning keeps no entry.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionWorkload, run_versions};
///
/// let workload = VersionWorkload { clients: 6, ..VersionWorkload::default() };
/// let exact = run_versions(&workload, VersionScheme::ClientVectors, 7)?.row;
/// let lww = run_versions(&workload, VersionScheme::LastWriterWins, 7)?.row;
/// assert_eq!(exact.lost_writes, 0);
/// assert!(lww.lost_writes > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn run_versions(
    workload: &VersionWorkload,
    scheme: VersionScheme,
    seed: u64,
) -> Result<VersionRun, SimError> {
    workload.validate()?;
    let mut key = VersionedKey::new(scheme)
        .map_err(|VersionError::KeepNothing| SimError::parameter("keep", 0, "at least 1 entry"))?;
    let mut last_read = vec![key.read(); workload.clients];
    let mut superseded = Vec::new();
    let mut siblings_after_write = Vec::new();
    let (mut reads, mut false_reads, mut peak_metadata) = (0, 0, 0);
    for step in workload.steps(seed) {
        match step {
            Step::Read { client } => {
                let read = key.read();
                reads += 1;
                if read.writes.iter().any(|&write| superseded[write]) {
                    false_reads += 1;
                }
                last_read[client] = read;
            }
            Step::Write { client, server } => {
                let read = &last_read[client];
                let value = format!("w{}", superseded.len());
                key.put(Writer { client, server }, value, &read.context);
                superseded.push(false);
                for &seen in &read.writes {
                    superseded[seen] = true;
                }
                siblings_after_write.push(key.siblings().len());
                peak_metadata = peak_metadata.max(key.metadata_entries());
            }
        }
    }
    let stored: Vec<usize> = key.siblings().iter().map(|s| s.write).collect();
    let lost_writes = (0..superseded.len())
        .filter(|write| !superseded[*write] && !stored.contains(write))
        .count();
    let row = VersionRow {
        scheme: scheme.name(),
        clients: workload.clients,
        writes: superseded.len(),
        reads,
        lost_writes,
        reads_with_false_siblings: false_reads,
        peak_siblings: siblings_after_write.iter().copied().max().unwrap_or(0),
        peak_metadata_entries: peak_metadata,
        peak_metadata_bytes: peak_metadata * super::VectorClock::BYTES_PER_ENTRY,
    };
    Ok(VersionRun {
        row,
        siblings_after_write,
    })
}

/// One [`VersionRow`] per scheme and number of clients, all on interleavings from `seed`.
///
/// # Errors
///
/// A [`SimError`] if any workload is out of range.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionWorkload, version_experiment};
///
/// let rows = version_experiment(&VersionWorkload::default(), &[2, 8], &VersionScheme::compared(2), 1)?;
/// assert_eq!(rows.len(), 12);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn version_experiment(
    workload: &VersionWorkload,
    clients: &[usize],
    schemes: &[VersionScheme],
    seed: u64,
) -> Result<Vec<VersionRow>, SimError> {
    let mut rows = Vec::new();
    for &count in clients {
        let workload = VersionWorkload {
            clients: count,
            ..*workload
        };
        for &scheme in schemes {
            rows.push(run_versions(&workload, scheme, seed)?.row);
        }
    }
    Ok(rows)
}
