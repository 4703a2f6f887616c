//! Consume, transform, produce: a processor reads an input log, writes one output per input and
//! commits its input offset; where the commit goes decides what a crash does.

use std::fmt;

use serde::Serialize;

use super::params::{at_least, at_most, probability};
use crate::sim::{Rng, SimError};

/// When the processor commits its input offset relative to writing the output.
///
/// # Examples
///
/// ```
/// use lessons::messaging::OffsetCommit;
///
/// assert_eq!(OffsetCommit::Atomic.to_string(), "atomically with the output");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OffsetCommit {
    /// Commit, then write: a crash in between skips the input (at-most-once).
    BeforeOutput,
    /// Write, then commit: a crash in between writes the output again (at-least-once).
    AfterOutput,
    /// Write and commit in one transaction (Kafka's `sendOffsetsToTransaction`); a crash aborts
    /// the transaction, and readers with `isolation.level=read_committed` never see its output.
    Atomic,
}

impl OffsetCommit {
    /// The three modes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::messaging::OffsetCommit::ALL.len(), 3);
    /// ```
    pub const ALL: [OffsetCommit; 3] = [
        OffsetCommit::BeforeOutput,
        OffsetCommit::AfterOutput,
        OffsetCommit::Atomic,
    ];
}

impl fmt::Display for OffsetCommit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OffsetCommit::BeforeOutput => "commit before output",
            OffsetCommit::AfterOutput => "commit after output",
            OffsetCommit::Atomic => "atomically with the output",
        })
    }
}

/// The output log of one processor run: for each output, the input it came from and whether
/// its transaction was aborted (only [`OffsetCommit::Atomic`] aborts).
///
/// # Examples
///
/// ```
/// use lessons::messaging::{OffsetCommit, transform_run};
///
/// // A crash between the two steps of input 0 only.
/// let output = transform_run(OffsetCommit::AfterOutput, 2, |input, attempt| input == 0 && attempt == 0);
/// assert_eq!(output.visible(true), [0, 0, 1]);
/// let output = transform_run(OffsetCommit::Atomic, 2, |input, attempt| input == 0 && attempt == 0);
/// assert_eq!(output.visible(true), [0, 1]); // read_committed
/// assert_eq!(output.visible(false), [0, 0, 1]); // read_uncommitted sees the aborted copy
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputLog {
    /// `(input offset, aborted)` per output record, in log order.
    pub records: Vec<(usize, bool)>,
}

impl OutputLog {
    /// The input offsets a reader sees, in order; `read_committed` hides aborted records.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::OutputLog;
    ///
    /// let log = OutputLog { records: vec![(0, true), (0, false)] };
    /// assert_eq!(log.visible(true), [0]);
    /// ```
    pub fn visible(&self, read_committed: bool) -> Vec<usize> {
        self.records
            .iter()
            .filter(|(_, aborted)| !(read_committed && *aborted))
            .map(|(input, _)| *input)
            .collect()
    }
}

/// Runs the processor over `inputs` input records; `crashes(input, attempt)` says whether it
/// crashes between its two steps on the `attempt`-th try (from 0) of that input. After a crash
/// the processor restarts from its last committed offset. A schedule that stops crashing lets
/// the run finish; one that never stops is cut after 1,000 tries of one input.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{OffsetCommit, transform_run};
///
/// let output = transform_run(OffsetCommit::BeforeOutput, 3, |input, _| input == 1);
/// assert_eq!(output.visible(true), [0, 2]); // input 1 committed, never written
/// ```
pub fn transform_run(
    mode: OffsetCommit,
    inputs: usize,
    mut crashes: impl FnMut(usize, u32) -> bool,
) -> OutputLog {
    let mut output = OutputLog {
        records: Vec::new(),
    };
    let mut committed = 0;
    let mut attempt = 0;
    while committed < inputs {
        let input = committed;
        let crash = attempt < 1_000 && crashes(input, attempt);
        attempt += 1;
        match mode {
            OffsetCommit::BeforeOutput => {
                committed += 1;
                if !crash {
                    output.records.push((input, false));
                }
            }
            OffsetCommit::AfterOutput => {
                output.records.push((input, false));
                if !crash {
                    committed += 1;
                }
            }
            OffsetCommit::Atomic => {
                output.records.push((input, crash));
                if !crash {
                    committed += 1;
                }
            }
        }
        if committed > input {
            attempt = 0;
        }
    }
    output
}

/// One mode at one crash rate: inputs missing from the output, written once, written more
/// than once (as a `read_committed` reader sees them), and the duplicates a
/// `read_uncommitted` reader would see.
///
/// # Examples
///
/// ```
/// use lessons::messaging::transform_experiment;
///
/// let rows = transform_experiment(&[0.05], 10_000, 1)?;
/// assert!(rows[0].missing > 0 && rows[0].duplicated == 0); // commit before
/// assert!(rows[1].missing == 0 && rows[1].duplicated > 0); // commit after
/// assert_eq!(rows[2].exactly_once, 10_000); // atomic
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransformRow {
    /// The mode, in words.
    pub mode: String,
    /// The crash probability between the two steps.
    pub crash: f64,
    /// Input records.
    pub inputs: usize,
    /// Inputs with no output.
    pub missing: usize,
    /// Inputs with exactly one output.
    pub exactly_once: usize,
    /// Inputs with two or more.
    pub duplicated: usize,
    /// Inputs a `read_uncommitted` reader sees two or more times.
    pub duplicated_read_uncommitted: usize,
}

/// Runs every [`OffsetCommit`] mode at every crash rate; input `i` draws the same crashes in
/// every mode.
///
/// # Errors
///
/// [`SimError`] for a crash rate outside `[0, 1]`, no inputs or more than a million.
///
/// # Examples
///
/// ```
/// use lessons::messaging::transform_experiment;
///
/// let rows = transform_experiment(&[0.0], 100, 1)?;
/// assert!(rows.iter().all(|row| row.exactly_once == 100));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn transform_experiment(
    crash_rates: &[f64],
    inputs: usize,
    seed: u64,
) -> Result<Vec<TransformRow>, SimError> {
    at_least("inputs", inputs, 1)?;
    at_most("inputs", inputs, 1_000_000)?;
    let mut rows = Vec::new();
    for &crash in crash_rates {
        probability("crash", crash)?;
        for mode in OffsetCommit::ALL {
            let output = transform_run(mode, inputs, |input, attempt| {
                Rng::derive(seed, &[input as u64, u64::from(attempt)]).chance(crash)
            });
            let count = |read_committed: bool| {
                let mut times = vec![0usize; inputs];
                for input in output.visible(read_committed) {
                    times[input] += 1;
                }
                times
            };
            let committed = count(true);
            rows.push(TransformRow {
                mode: mode.to_string(),
                crash,
                inputs,
                missing: committed.iter().filter(|&&n| n == 0).count(),
                exactly_once: committed.iter().filter(|&&n| n == 1).count(),
                duplicated: committed.iter().filter(|&&n| n > 1).count(),
                duplicated_read_uncommitted: count(false).iter().filter(|&&n| n > 1).count(),
            });
        }
    }
    Ok(rows)
}
