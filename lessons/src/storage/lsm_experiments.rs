//! Experiments on the LSM tree: the three amplifications against the size ratio, and what
//! per-run Bloom filters save on the read path.

use serde::Serialize;

use super::bloom::{optimal_hashes, predicted_fp_rate};
use super::lsm::{Compaction, LsmTree};
use crate::sim::{Rng, SimError};
use crate::viz::{Figure, groups};

/// The shape of an LSM workload: how many distinct keys, how many writes (more writes than
/// keys means updates), the memtable size, and how many lookups to time.
///
/// # Examples
///
/// ```
/// use lessons::storage::LsmWorkload;
///
/// assert_eq!(LsmWorkload::updates(10_000, 50_000).writes, 50_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsmWorkload {
    /// Distinct keys written (drawn uniformly from this many).
    pub keys: u64,
    /// Writes in all.
    pub writes: u64,
    /// Entries per memtable flush.
    pub memtable: usize,
    /// Lookups of present keys, and as many of absent keys.
    pub lookups: u64,
}

impl LsmWorkload {
    /// `writes` random writes over `keys` keys, a 1,000-entry memtable, 2,000 lookups.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::LsmWorkload;
    ///
    /// assert_eq!(LsmWorkload::updates(10, 20).memtable, 1_000);
    /// ```
    pub fn updates(keys: u64, writes: u64) -> LsmWorkload {
        LsmWorkload {
            keys,
            writes,
            memtable: 1_000,
            lookups: 2_000,
        }
    }

    fn check(&self) -> Result<(), SimError> {
        if !(1..=1_000_000).contains(&self.keys) {
            return Err(SimError::parameter(
                "keys",
                self.keys,
                "from 1 to 1,000,000",
            ));
        }
        if !(1..=2_000_000).contains(&self.writes) {
            return Err(SimError::parameter(
                "writes",
                self.writes,
                "from 1 to 2,000,000",
            ));
        }
        if !(1..=100_000).contains(&self.lookups) {
            return Err(SimError::parameter(
                "lookups",
                self.lookups,
                "from 1 to 100,000",
            ));
        }
        Ok(())
    }

    /// Runs the writes into `tree`; returns the keys written (all even, so odd keys are absent).
    fn fill(&self, tree: &mut LsmTree, seed: u64) -> Vec<u64> {
        let mut rng = Rng::derive(seed, &[14, 3]);
        let mut written = Vec::new();
        for value in 0..self.writes {
            let key = 2 * rng.below(self.keys);
            tree.put(key, value);
            written.push(key);
        }
        written
    }

    /// Mean disk reads per lookup of present keys and of absent keys.
    fn reads(&self, tree: &LsmTree, written: &[u64], seed: u64) -> (f64, f64) {
        let mut rng = Rng::derive(seed, &[14, 4]);
        let (mut present, mut absent) = (0, 0);
        for _ in 0..self.lookups {
            present += tree
                .get(written[rng.below(written.len() as u64) as usize])
                .disk_reads;
            absent += tree.get(2 * rng.below(self.keys) + 1).disk_reads;
        }
        let per = |total: u64| total as f64 / self.lookups as f64;
        (per(present), per(absent))
    }
}

/// One LSM run of a workload: its runs on disk and its three amplifications.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmWorkload, lsm_experiment};
///
/// let rows = lsm_experiment(&[Compaction::Leveled], &[10], LsmWorkload::updates(10_000, 50_000), 1)?;
/// assert!(rows[0].write_amplification > 2.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LsmRow {
    /// The compaction strategy.
    pub compaction: String,
    /// The size ratio T.
    pub ratio: usize,
    /// Sorted runs on disk at the end.
    pub runs: usize,
    /// Entries written to disk per user write.
    pub write_amplification: f64,
    /// Runs read per lookup of an absent key, without Bloom filters.
    pub read_amplification: f64,
    /// Entries stored per live key.
    pub space_amplification: f64,
}

/// For each compaction and size ratio: an LSM tree without Bloom filters given `workload`.
///
/// # Errors
///
/// When the workload's counts are out of range, or a ratio is refused by [`LsmTree::new`].
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmWorkload, lsm_experiment};
///
/// let workload = LsmWorkload::updates(5_000, 20_000);
/// let rows = lsm_experiment(&[Compaction::Leveled, Compaction::Tiered], &[4], workload, 1)?;
/// assert!(rows[0].write_amplification > rows[1].write_amplification);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lsm_experiment(
    compactions: &[Compaction],
    ratios: &[usize],
    workload: LsmWorkload,
    seed: u64,
) -> Result<Vec<LsmRow>, SimError> {
    workload.check()?;
    let mut rows = Vec::new();
    for &compaction in compactions {
        for &ratio in ratios {
            let mut tree = LsmTree::new(workload.memtable, ratio, compaction, 0.0)?;
            let written = workload.fill(&mut tree, seed);
            let (_, absent) = workload.reads(&tree, &written, seed);
            rows.push(LsmRow {
                compaction: compaction.name().to_string(),
                ratio,
                runs: tree.run_count(),
                write_amplification: tree.write_amplification(),
                read_amplification: absent,
                space_amplification: tree.space_amplification(),
            });
        }
    }
    Ok(rows)
}

/// Write, read and space amplification against the size ratio, one line per compaction and
/// measure, from [`lsm_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmWorkload, lsm_experiment, lsm_figure};
///
/// let rows = lsm_experiment(&[Compaction::Tiered], &[2, 4], LsmWorkload::updates(2_000, 5_000), 1)?;
/// assert!(lsm_figure(&rows).to_svg()?.contains("size-tiered, write"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lsm_figure(rows: &[LsmRow]) -> Figure {
    let mut figure = Figure::new("LSM amplification against the size ratio T")
        .x_label("size ratio T")
        .y_label("amplification");
    for compaction in groups(rows, |row| row.compaction.clone()) {
        let mine: Vec<&LsmRow> = rows.iter().filter(|r| r.compaction == compaction).collect();
        let series = |measure: fn(&LsmRow) -> f64| {
            mine.iter()
                .map(|row| (row.ratio as f64, measure(row)))
                .collect::<Vec<_>>()
        };
        figure = figure
            .line(
                format!("{compaction}, write"),
                series(|r| r.write_amplification),
            )
            .line(
                format!("{compaction}, read (runs per absent key)"),
                series(|r| r.read_amplification),
            )
            .line(
                format!("{compaction}, space"),
                series(|r| r.space_amplification),
            );
    }
    figure
}

/// Disk reads per lookup with per-run Bloom filters of one size.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmWorkload, read_path_experiment};
///
/// let workload = LsmWorkload::updates(20_000, 20_000);
/// let rows = read_path_experiment(Compaction::Tiered, 4, &[0.0, 10.0], workload, 1)?;
/// assert!(rows[1].absent_reads < rows[0].absent_reads / 10.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadPathRow {
    /// Bloom filter bits per key in every run (0: no filters).
    pub bits_per_key: f64,
    /// Runs on disk.
    pub runs: usize,
    /// Mean runs read per lookup of an absent key.
    pub absent_reads: f64,
    /// Runs × the filter's predicted false-positive rate: what absent lookups should read.
    pub absent_predicted: f64,
    /// Mean runs read per lookup of a present key.
    pub present_reads: f64,
}

/// One tree per filter size, all given the same `workload`, with lookups of present and absent
/// keys; `bits_per_key` of 0 means no filters.
///
/// # Errors
///
/// As [`lsm_experiment`], and when bits per key is not in 0..=64.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmWorkload, read_path_experiment};
///
/// let workload = LsmWorkload::updates(5_000, 5_000);
/// let rows = read_path_experiment(Compaction::Leveled, 10, &[0.0], workload, 1)?;
/// assert_eq!(rows[0].absent_reads, rows[0].runs as f64);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn read_path_experiment(
    compaction: Compaction,
    ratio: usize,
    bits_per_key: &[f64],
    workload: LsmWorkload,
    seed: u64,
) -> Result<Vec<ReadPathRow>, SimError> {
    workload.check()?;
    let mut rows = Vec::new();
    for &bits in bits_per_key {
        let mut tree = LsmTree::new(workload.memtable, ratio, compaction, bits)?;
        let written = workload.fill(&mut tree, seed);
        let (present_reads, absent_reads) = workload.reads(&tree, &written, seed);
        let runs = tree.run_count();
        let fp = if bits == 0.0 {
            1.0
        } else {
            let per_key = bits.ceil() as u64;
            predicted_fp_rate(per_key, optimal_hashes(per_key, 1), 1)
        };
        rows.push(ReadPathRow {
            bits_per_key: bits,
            runs,
            absent_reads,
            absent_predicted: runs as f64 * fp,
            present_reads,
        });
    }
    Ok(rows)
}

/// Disk reads per lookup against Bloom filter bits per key (log y): absent keys measured and
/// predicted, present keys measured, from [`read_path_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, LsmWorkload, read_path_experiment, read_path_figure};
///
/// let workload = LsmWorkload::updates(5_000, 5_000);
/// let rows = read_path_experiment(Compaction::Tiered, 4, &[0.0, 8.0], workload, 1)?;
/// assert!(read_path_figure(&rows).to_svg()?.contains("absent"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_path_figure(rows: &[ReadPathRow]) -> Figure {
    Figure::new("Disk reads per lookup with a Bloom filter on every run")
        .x_label("Bloom filter bits per key (0: none)")
        .y_label("runs read per lookup")
        .log_y()
        .points(
            "absent key, measured",
            rows.iter().map(|row| (row.bits_per_key, row.absent_reads)),
        )
        .line(
            "absent key, runs × predicted false-positive rate",
            rows.iter()
                .map(|row| (row.bits_per_key, row.absent_predicted)),
        )
        .line(
            "present key, measured",
            rows.iter().map(|row| (row.bits_per_key, row.present_reads)),
        )
}
