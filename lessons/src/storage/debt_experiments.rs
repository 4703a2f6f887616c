//! A write burst against throttled compaction: runs on disk and read cost second by second,
//! leveled against size-tiered.

use serde::Serialize;

use super::lsm::Compaction;
use super::throttled::ThrottledLsm;
use crate::sim::{Rng, SimError, Time, us};
use crate::table::{Table, TableError};
use crate::viz::{Figure, groups};

/// A write burst: uniform random writes over `keys` keys at `ingest` writes per second of
/// virtual time, `burst_ingest` during the seconds in `burst`, with compaction allowed to write
/// `bandwidth` entries per second. Each lookup reads its runs one after another, `read_time`
/// each.
///
/// # Examples
///
/// ```
/// use lessons::storage::WriteBurst;
///
/// let burst = WriteBurst::standard();
/// assert_eq!((burst.ingest, burst.burst_ingest, burst.bandwidth), (1_000, 3_000, 10_000));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WriteBurst {
    /// Distinct keys written.
    pub keys: u64,
    /// Entries per memtable flush.
    pub memtable: usize,
    /// The size ratio T.
    pub ratio: usize,
    /// Writes per second outside the burst.
    pub ingest: u64,
    /// Writes per second during the burst.
    pub burst_ingest: u64,
    /// The seconds of the burst, from its first to before its last.
    pub burst: std::ops::Range<u32>,
    /// Seconds simulated.
    pub seconds: u32,
    /// Entries compaction may write per second.
    pub bandwidth: u64,
    /// What reading one run costs a lookup (an SSD random read is of this order).
    pub read_time: Time,
}

impl WriteBurst {
    /// 20,000 keys, 1,000-entry memtable, T = 10, 1,000 writes per second and 3,000 from
    /// second 20 to 30, 10,000 entries per second of compaction, 90 seconds, 100 µs a read.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::storage::WriteBurst;
    ///
    /// assert_eq!(WriteBurst::standard().burst, 20..30);
    /// ```
    pub fn standard() -> WriteBurst {
        WriteBurst {
            keys: 20_000,
            memtable: 1_000,
            ratio: 10,
            ingest: 1_000,
            burst_ingest: 3_000,
            burst: 20..30,
            seconds: 90,
            bandwidth: 10_000,
            read_time: us(100),
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
        for (name, rate) in [("ingest", self.ingest), ("burst_ingest", self.burst_ingest)] {
            if rate > 100_000 {
                return Err(SimError::parameter(
                    name,
                    rate,
                    "at most 100,000 per second",
                ));
            }
        }
        if !(1..=1_000).contains(&self.seconds) {
            return Err(SimError::parameter(
                "seconds",
                self.seconds,
                "from 1 to 1,000",
            ));
        }
        if self.read_time < Time::ZERO {
            return Err(SimError::parameter(
                "read_time",
                self.read_time.as_millis_f64(),
                "0 ms or more",
            ));
        }
        Ok(())
    }

    /// Writes in second `second`.
    fn ingest_at(&self, second: u32) -> u64 {
        if self.burst.contains(&second) {
            self.burst_ingest
        } else {
            self.ingest
        }
    }
}

/// One second of a [`compaction_debt_experiment`], at its end.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, WriteBurst, compaction_debt_experiment};
///
/// let rows = compaction_debt_experiment(&[Compaction::Tiered], &WriteBurst::standard(), 1)?;
/// assert_eq!(rows.len(), 90);
/// assert_eq!(rows[0].waiting_runs, 0); // compaction keeps up before the burst
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DebtRow {
    /// The compaction strategy.
    pub compaction: String,
    /// The second, counted from 1 (the state at the end of it).
    pub second: u32,
    /// Writes in this second.
    pub ingest: u64,
    /// Entries compaction wrote in this second.
    pub compaction_writes: u64,
    /// Runs (SSTables) on disk.
    pub runs: usize,
    /// Flushed runs compaction has not absorbed yet.
    pub waiting_runs: usize,
    /// Mean runs read per lookup of a random key of the key space.
    pub reads_per_lookup: f64,
    /// `reads_per_lookup` × the read time, in milliseconds.
    pub read_latency_ms: f64,
}

/// Each strategy given the same burst of writes, second by second; at the end of each second
/// compaction spends its bandwidth and 200 lookups of random keys measure the read cost. The
/// trees have no Bloom filters, so the cost is every run a lookup has to look in.
///
/// # Errors
///
/// When a count is out of range (keys 1..=1,000,000, writes per second up to 100,000, 1 to
/// 1,000 seconds, a read time of 0 or more), or the tree is refused by [`ThrottledLsm::new`].
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, WriteBurst, compaction_debt_experiment};
///
/// let burst = WriteBurst { seconds: 40, ..WriteBurst::standard() };
/// let rows = compaction_debt_experiment(&[Compaction::Leveled], &burst, 1)?;
/// assert!(rows[29].waiting_runs > rows[19].waiting_runs); // behind after the burst
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn compaction_debt_experiment(
    compactions: &[Compaction],
    burst: &WriteBurst,
    seed: u64,
) -> Result<Vec<DebtRow>, SimError> {
    burst.check()?;
    let mut rows = Vec::new();
    for &compaction in compactions {
        let mut tree = ThrottledLsm::new(burst.memtable, burst.ratio, compaction, 0.0)?;
        let mut writes = Rng::derive(seed, &[14, 5]);
        let mut lookups = Rng::derive(seed, &[14, 6]);
        let mut value = 0;
        for second in 0..burst.seconds {
            let ingest = burst.ingest_at(second);
            for _ in 0..ingest {
                tree.put(writes.below(burst.keys), value);
                value += 1;
            }
            let compaction_writes = tree.compact(burst.bandwidth);
            let reads: u64 = (0..200)
                .map(|_| tree.get(lookups.below(burst.keys)).disk_reads)
                .sum();
            let reads_per_lookup = reads as f64 / 200.0;
            rows.push(DebtRow {
                compaction: compaction.name().to_string(),
                second: second + 1,
                ingest,
                compaction_writes,
                runs: tree.run_count(),
                waiting_runs: tree.waiting_runs(),
                reads_per_lookup,
                read_latency_ms: reads_per_lookup * burst.read_time.as_millis_f64(),
            });
        }
    }
    Ok(rows)
}

/// Runs on disk over time, one step line per strategy, from [`compaction_debt_experiment`]'s
/// rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, WriteBurst, compaction_debt_experiment, debt_runs_figure};
///
/// let burst = WriteBurst { seconds: 10, ..WriteBurst::standard() };
/// let rows = compaction_debt_experiment(&[Compaction::Leveled], &burst, 1)?;
/// assert!(debt_runs_figure(&rows).to_svg()?.contains("leveled"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn debt_runs_figure(rows: &[DebtRow]) -> Figure {
    by_strategy(
        Figure::new("SSTables on disk through a write burst")
            .x_label("second")
            .y_label("runs on disk"),
        rows,
        |row| row.runs as f64,
    )
}

/// Modelled read latency over time (runs read per lookup × the read time), one line per
/// strategy, from [`compaction_debt_experiment`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, WriteBurst, compaction_debt_experiment, debt_latency_figure};
///
/// let burst = WriteBurst { seconds: 10, ..WriteBurst::standard() };
/// let rows = compaction_debt_experiment(&[Compaction::Tiered], &burst, 1)?;
/// assert!(debt_latency_figure(&rows).to_svg()?.contains("size-tiered"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn debt_latency_figure(rows: &[DebtRow]) -> Figure {
    by_strategy(
        Figure::new("Read latency through a write burst (no Bloom filters)")
            .x_label("second")
            .y_label("modelled read latency (ms)"),
        rows,
        |row| row.read_latency_ms,
    )
}

fn by_strategy(mut figure: Figure, rows: &[DebtRow], measure: fn(&DebtRow) -> f64) -> Figure {
    for compaction in groups(rows, |row| row.compaction.clone()) {
        let mine: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.compaction == compaction)
            .map(|row| (f64::from(row.second), measure(row)))
            .collect();
        figure = figure.step(compaction, mine);
    }
    figure
}

/// One row per strategy from [`compaction_debt_experiment`]'s rows: most runs on disk, worst
/// modelled read latency, compaction entries written per user write before the burst, most
/// runs waiting, and how many seconds ended with a run waiting.
///
/// # Errors
///
/// Never in practice: every row has as many cells as the header.
///
/// # Examples
///
/// ```
/// use lessons::storage::{Compaction, WriteBurst, compaction_debt_experiment, debt_table};
///
/// let burst = WriteBurst { seconds: 10, ..WriteBurst::standard() };
/// let rows = compaction_debt_experiment(&[Compaction::Tiered], &burst, 1)?;
/// assert_eq!(debt_table(&rows, &burst)?.rows()[0][0], "size-tiered");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn debt_table(rows: &[DebtRow], burst: &WriteBurst) -> Result<Table, TableError> {
    let mut table = Table::new([
        "compaction",
        "most runs",
        "worst read (ms)",
        "compaction writes per user write before the burst",
        "most runs waiting",
        "seconds ending with a run waiting",
    ]);
    for compaction in groups(rows, |row| row.compaction.clone()) {
        let mine: Vec<&DebtRow> = rows.iter().filter(|r| r.compaction == compaction).collect();
        let before: Vec<&&DebtRow> = mine
            .iter()
            .filter(|r| r.second <= burst.burst.start)
            .collect();
        let compaction_writes: u64 = before.iter().map(|row| row.compaction_writes).sum();
        let user_writes: u64 = before.iter().map(|row| row.ingest).sum();
        table.push_row([
            compaction,
            mine.iter()
                .map(|row| row.runs)
                .max()
                .unwrap_or(0)
                .to_string(),
            format!(
                "{:.2}",
                mine.iter()
                    .map(|row| row.read_latency_ms)
                    .fold(0.0, f64::max)
            ),
            format!(
                "{:.1}",
                compaction_writes as f64 / user_writes.max(1) as f64
            ),
            mine.iter()
                .map(|row| row.waiting_runs)
                .max()
                .unwrap_or(0)
                .to_string(),
            mine.iter()
                .filter(|row| row.waiting_runs > 0)
                .count()
                .to_string(),
        ])?;
    }
    Ok(table)
}
