//! Two leaders in two regions, both accepting edits to the same record, each replicating to the
//! other after the inter-region delay. How the conflicts are resolved decides which concurrent
//! edits survive; the resolutions are the ones of lessons 03 to 05, reused as they are.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::clocks::{HybridClock, HybridTimestamp, WriteStamp};
use crate::crdt::{Crdt, MvRegister, OrSet};
use crate::sim::{Rng, SimError, Time};
use crate::viz::Figure;

/// How the two leaders resolve concurrent edits of the record (a set of edit numbers: each edit
/// reads the record and writes it back with one more number).
///
/// # Examples
///
/// ```
/// use lessons::replication::Resolution;
///
/// assert_eq!(Resolution::Siblings.name(), "version-vector siblings");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Resolution {
    /// Last writer wins, stamped by each leader's wall clock; region 1's clock runs `skew`
    /// behind region 0's ([`WriteStamp`]).
    WallClockLww {
        /// How far region 1's clock is behind.
        skew: Time,
    },
    /// Last writer wins, stamped by hybrid logical clocks ([`HybridClock`]), with the same skew.
    HybridLww {
        /// How far region 1's clock is behind.
        skew: Time,
    },
    /// Concurrent writes kept side by side ([`MvRegister`], dots and version vectors) and
    /// merged by the reader.
    Siblings,
    /// Each edit an element of an observed-remove set ([`OrSet`]), merged by union.
    Crdt,
}

impl Resolution {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::Resolution;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(Resolution::HybridLww { skew: ms(50) }.name(), "LWW, hybrid clock");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Resolution::WallClockLww { .. } => "LWW, wall clock",
            Resolution::HybridLww { .. } => "LWW, hybrid clock",
            Resolution::Siblings => "version-vector siblings",
            Resolution::Crdt => "CRDT (OR-Set)",
        }
    }
}

/// The record as one leader holds it, under one resolution.
#[derive(Debug, Clone, PartialEq)]
enum RecordCopy {
    Stamped {
        edits: BTreeSet<u64>,
        stamp: Option<WriteStamp>,
        clock: HybridClock,
    },
    Siblings(MvRegister<BTreeSet<u64>>),
    Set(OrSet<u64>),
}

/// What one leader sends the other after an edit.
#[derive(Debug, Clone)]
enum Sent {
    Stamped(BTreeSet<u64>, WriteStamp),
    Siblings(MvRegister<BTreeSet<u64>>),
    Set(OrSet<u64>),
}

impl RecordCopy {
    fn new(resolution: Resolution) -> RecordCopy {
        match resolution {
            Resolution::WallClockLww { .. } | Resolution::HybridLww { .. } => RecordCopy::Stamped {
                edits: BTreeSet::new(),
                stamp: None,
                clock: HybridClock::new(),
            },
            Resolution::Siblings => RecordCopy::Siblings(MvRegister::new()),
            Resolution::Crdt => RecordCopy::Set(OrSet::new()),
        }
    }

    /// The edits a reader sees (siblings merged by union).
    fn edits(&self) -> BTreeSet<u64> {
        match self {
            RecordCopy::Stamped { edits, .. } => edits.clone(),
            RecordCopy::Siblings(register) => {
                register.values().into_iter().flatten().copied().collect()
            }
            RecordCopy::Set(set) => set.iter().copied().collect(),
        }
    }

    fn edit(&mut self, resolution: Resolution, region: usize, reading: Time, edit: u64) -> Sent {
        let mut seen = self.edits();
        seen.insert(edit);
        match self {
            RecordCopy::Stamped {
                edits,
                stamp,
                clock,
            } => {
                let major = match resolution {
                    Resolution::HybridLww { .. } => {
                        let hybrid = clock.tick(reading);
                        (hybrid.wall.as_nanos(), hybrid.logical)
                    }
                    _ => (reading.as_nanos(), 0),
                };
                let new_stamp = WriteStamp {
                    major: major.0,
                    minor: major.1,
                    node: region,
                };
                // The local copy follows the same rule as every other: a write stamped older
                // than what it holds (its clock is behind a stamp it has received) loses here too.
                keep_newer(edits, stamp, &seen, new_stamp);
                Sent::Stamped(seen, new_stamp)
            }
            RecordCopy::Siblings(register) => Sent::Siblings(register.set(region, seen)),
            RecordCopy::Set(set) => Sent::Set(set.add(region, edit)),
        }
    }

    fn receive(&mut self, resolution: Resolution, reading: Time, sent: &Sent) {
        match (self, sent) {
            (
                RecordCopy::Stamped {
                    edits,
                    stamp,
                    clock,
                },
                Sent::Stamped(theirs, their_stamp),
            ) => {
                if let Resolution::HybridLww { .. } = resolution {
                    let wall = Time::from_nanos(their_stamp.major);
                    let logical = their_stamp.minor;
                    clock.receive(reading, HybridTimestamp { wall, logical });
                }
                keep_newer(edits, stamp, theirs, *their_stamp);
            }
            (RecordCopy::Siblings(register), Sent::Siblings(delta)) => register.merge(delta),
            (RecordCopy::Set(set), Sent::Set(delta)) => set.merge(delta),
            _ => {}
        }
    }
}

/// Last writer wins: the copy takes `candidate` if its stamp is newer than the one it holds;
/// on equal stamps, as Cassandra does for equal timestamps, the larger value wins, so that every
/// copy picks the same one.
fn keep_newer(
    edits: &mut BTreeSet<u64>,
    stamp: &mut Option<WriteStamp>,
    candidate: &BTreeSet<u64>,
    candidate_stamp: WriteStamp,
) {
    let newer = stamp.is_none_or(|ours| {
        candidate_stamp > ours || (candidate_stamp == ours && candidate > &*edits)
    });
    if newer {
        *edits = candidate.clone();
        *stamp = Some(candidate_stamp);
    }
}

/// One run of [`multi_leader_run`]: every edit made, and what each leader holds at the end.
///
/// # Examples
///
/// ```
/// use lessons::replication::{Resolution, multi_leader_run};
/// use lessons::sim::ms;
///
/// let run = multi_leader_run(Resolution::Crdt, ms(50), ms(100), 50, 1)?;
/// assert!(run.converged && run.lost == 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiLeaderRun {
    /// Edits made, in both regions.
    pub edits: usize,
    /// Edits missing from the final record.
    pub lost: usize,
    /// Whether both leaders ended with the same record.
    pub converged: bool,
}

/// Each region's clients make `edits_per_region` edits, an exponential time apart (mean
/// `edit_gap`); every edit is applied at once on the local leader and reaches the other after
/// `delay`. After every message has arrived, counts the edits the record lost.
///
/// # Errors
///
/// [`SimError::Parameter`] for a negative delay, a gap that is not positive, or a negative skew.
///
/// # Examples
///
/// ```
/// use lessons::replication::{Resolution, multi_leader_run};
/// use lessons::sim::ms;
///
/// let run = multi_leader_run(Resolution::WallClockLww { skew: ms(0) }, ms(50), ms(100), 50, 1)?;
/// assert!(run.converged && run.lost > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn multi_leader_run(
    resolution: Resolution,
    delay: Time,
    edit_gap: Time,
    edits_per_region: usize,
    seed: u64,
) -> Result<MultiLeaderRun, SimError> {
    if delay < Time::ZERO {
        return Err(SimError::parameter("delay", delay, "at least 0"));
    }
    if edit_gap <= Time::ZERO {
        return Err(SimError::parameter(
            "edit_gap",
            edit_gap,
            "it must be positive",
        ));
    }
    let skew = match resolution {
        Resolution::WallClockLww { skew } | Resolution::HybridLww { skew } => skew,
        _ => Time::ZERO,
    };
    if skew < Time::ZERO {
        return Err(SimError::parameter(
            "skew",
            skew,
            "at least 0: region 1's clock is behind",
        ));
    }
    // Events: (time, 0 = a delivery before 1 = an edit at the same instant, region, edit number).
    let mut events = Vec::new();
    for region in 0..2 {
        let mut rng = Rng::derive(seed, &[8, 10, region as u64]);
        let mut now = Time::ZERO;
        for k in 0..edits_per_region {
            now += Time::from_nanos_f64(edit_gap.as_nanos() as f64 * rng.exponential());
            events.push((now, 1, region, (region * 1_000_000 + k) as u64));
        }
    }
    events.sort();
    let mut copies = [RecordCopy::new(resolution), RecordCopy::new(resolution)];
    let reading = |region: usize, now: Time| if region == 1 { now - skew } else { now };
    let mut in_flight: Vec<(Time, usize, Sent)> = Vec::new();
    for (now, _, region, edit) in events {
        deliver_until(&mut copies, &mut in_flight, resolution, now, reading);
        let sent = copies[region].edit(resolution, region, reading(region, now), edit);
        in_flight.push((now + delay, 1 - region, sent));
    }
    deliver_until(&mut copies, &mut in_flight, resolution, Time::MAX, reading);
    let kept = copies[0].edits();
    let edits = 2 * edits_per_region;
    Ok(MultiLeaderRun {
        edits,
        lost: edits - kept.len(),
        converged: kept == copies[1].edits(),
    })
}

/// Delivers, in arrival order, every message due by `now`.
fn deliver_until(
    copies: &mut [RecordCopy; 2],
    in_flight: &mut Vec<(Time, usize, Sent)>,
    resolution: Resolution,
    now: Time,
    reading: impl Fn(usize, Time) -> Time,
) {
    in_flight.sort_by_key(|&(at, to, _)| (at, to));
    let due = in_flight.iter().take_while(|(at, ..)| *at <= now).count();
    for (at, to, sent) in in_flight.drain(..due) {
        copies[to].receive(resolution, reading(to, at), &sent);
    }
}

/// One point of [`multi_leader_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::replication::{Resolution, multi_leader_experiment};
/// use lessons::sim::ms;
///
/// let rows = multi_leader_experiment(&[Resolution::Siblings], &[ms(20)], ms(100), 50, 1)?;
/// assert_eq!(rows[0].lost, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiLeaderRow {
    /// [`Resolution::name`].
    pub resolution: String,
    /// The inter-region delay, in milliseconds.
    pub delay_ms: f64,
    /// Edits made.
    pub edits: usize,
    /// Edits the final record does not have.
    pub lost: usize,
    /// Whether the two leaders converged.
    pub converged: bool,
}

/// [`multi_leader_run`] for each resolution and delay.
///
/// # Errors
///
/// As [`multi_leader_run`].
///
/// # Examples
///
/// ```
/// use lessons::replication::{Resolution, multi_leader_experiment};
/// use lessons::sim::ms;
///
/// let rows = multi_leader_experiment(&[Resolution::HybridLww { skew: ms(0) }], &[ms(1), ms(200)], ms(100), 100, 1)?;
/// assert!(rows[0].lost < rows[1].lost);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn multi_leader_experiment(
    resolutions: &[Resolution],
    delays: &[Time],
    edit_gap: Time,
    edits_per_region: usize,
    seed: u64,
) -> Result<Vec<MultiLeaderRow>, SimError> {
    let mut rows = Vec::new();
    for &resolution in resolutions {
        for &delay in delays {
            let run = multi_leader_run(resolution, delay, edit_gap, edits_per_region, seed)?;
            rows.push(MultiLeaderRow {
                resolution: resolution.name().to_string(),
                delay_ms: delay.as_millis_f64(),
                edits: run.edits,
                lost: run.lost,
                converged: run.converged,
            });
        }
    }
    Ok(rows)
}

/// Lost edits against the inter-region delay, one line per resolution.
///
/// # Examples
///
/// ```
/// use lessons::replication::{Resolution, multi_leader_experiment, multi_leader_figure};
/// use lessons::sim::ms;
///
/// let rows = multi_leader_experiment(&[Resolution::Crdt], &[ms(1), ms(50)], ms(100), 20, 1)?;
/// assert!(multi_leader_figure(&rows).to_svg()?.contains("OR-Set"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn multi_leader_figure(rows: &[MultiLeaderRow]) -> Figure {
    let mut figure = Figure::new("Two leaders, one record: edits lost")
        .x_label("inter-region delay (ms)")
        .y_label("edits missing from the final record");
    for name in super::first_seen(rows.iter().map(|row| row.resolution.as_str())) {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.resolution == name)
            .map(|row| (row.delay_ms, row.lost as f64))
            .collect();
        figure = figure.line(name, points);
    }
    figure
}
