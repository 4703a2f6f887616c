//! Auto-increment with a stride: server `o` of `k` issues `o, o + k, o + 2k, ...`, and what
//! happens to that plan when a server joins.

use std::collections::HashSet;

use serde::Serialize;

use super::error::IdError;

/// One server's share of an auto-increment sequence: `offset, offset + step, offset + 2·step,
/// ...` (MySQL's `auto_increment_offset` and `auto_increment_increment`).
///
/// Servers with the same step and distinct offsets below it never issue the same ID: their
/// IDs differ modulo the step. The catch is the step itself: it is the number of servers
/// the plan was made for, and changing it later breaks that argument ([`add_server_trial`]).
///
/// # Examples
///
/// ```
/// use lessons::ids::StridedCounter;
///
/// let mut odd = StridedCounter::new(2, 1)?;
/// let mut even = StridedCounter::new(2, 0)?;
/// assert_eq!([odd.next_id(), odd.next_id()], [Some(1), Some(3)]);
/// assert_eq!([even.next_id(), even.next_id()], [Some(0), Some(2)]);
/// assert!(StridedCounter::new(2, 2).is_err());
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StridedCounter {
    step: u64,
    offset: u64,
    next: Option<u64>,
}

impl StridedCounter {
    /// A counter issuing `offset, offset + step, ...`; the step must be at least 1 and the
    /// offset below it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::StridedCounter;
    ///
    /// assert_eq!(
    ///     StridedCounter::new(0, 0).unwrap_err().to_string(),
    ///     "step = 0 is not allowed: a step of at least 1"
    /// );
    /// ```
    pub fn new(step: u64, offset: u64) -> Result<StridedCounter, IdError> {
        StridedCounter::starting_at(step, offset, offset)
    }

    /// A counter with this step and offset whose first ID is the smallest one above
    /// `highest`: how every server restarts when the step changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::StridedCounter;
    ///
    /// let mut restarted = StridedCounter::starting_above(3, 2, 100)?;
    /// assert_eq!(restarted.next_id(), Some(101)); // 101 = 2 + 33 × 3
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn starting_above(step: u64, offset: u64, highest: u64) -> Result<StridedCounter, IdError> {
        check(step, offset)?;
        let first = if highest < offset {
            Some(offset)
        } else {
            let rounds = (highest - offset) / step + 1;
            rounds
                .checked_mul(step)
                .and_then(|distance| distance.checked_add(offset))
        };
        Ok(StridedCounter {
            step,
            offset,
            next: first,
        })
    }

    /// A counter with this step whose first ID is `first` (any number: the offset rule is
    /// the caller's to keep or break, which is what the add-server trial needs).
    fn starting_at(step: u64, offset: u64, first: u64) -> Result<StridedCounter, IdError> {
        check(step, offset)?;
        Ok(StridedCounter {
            step,
            offset,
            next: Some(first),
        })
    }

    /// The next ID, or `None` once the next would pass `u64::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ids::StridedCounter;
    ///
    /// let mut last = StridedCounter::starting_above(2, 1, u64::MAX - 3)?;
    /// assert_eq!(last.next_id(), Some(u64::MAX - 2));
    /// assert_eq!(last.next_id(), Some(u64::MAX));
    /// assert_eq!(last.next_id(), None);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn next_id(&mut self) -> Option<u64> {
        let id = self.next?;
        self.next = id.checked_add(self.step);
        Some(id)
    }

    /// The step.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::StridedCounter::new(3, 1)?.step(), 3);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The offset.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ids::StridedCounter::new(3, 1)?.offset(), 1);
    /// # Ok::<(), lessons::ids::IdError>(())
    /// ```
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

fn check(step: u64, offset: u64) -> Result<(), IdError> {
    if step == 0 {
        return Err(IdError::parameter("step", step, "a step of at least 1"));
    }
    if offset >= step {
        return Err(IdError::parameter(
            "offset",
            offset,
            "an offset from 0 to step - 1",
        ));
    }
    Ok(())
}

/// What one way of adding a server to a strided sequence cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrideRow {
    /// How the servers changed their counters.
    pub plan: &'static str,
    /// IDs issued more than once, over the whole run.
    pub duplicates: usize,
    /// Whether every server had to stop and agree on a new starting point.
    pub all_servers_coordinate: bool,
    /// The largest ID issued: how fast the plan uses up the number space.
    pub highest_id: u64,
}

/// `servers` servers share a sequence with step `servers`, each issuing `ids_per_server`
/// IDs; then a server joins and all of them, the newcomer too, issue `ids_per_server` more.
/// One row per plan for the join:
///
/// * **newcomer alone**: the old servers keep step `k`; the newcomer counts from offset `k`
///   with step `k + 1`;
/// * **all switch, counters kept**: everyone moves to step `k + 1` from where they are; the
///   newcomer starts at its offset `k`;
/// * **all restart above the highest**: everyone moves to step `k + 1`, restarting above the
///   highest ID issued so far (which they must agree on);
/// * **step reserved in advance**: the sequence used step `reserved_step` from the start
///   (more than `servers`), so the newcomer takes the free offset `k` and nobody changes.
///
/// # Examples
///
/// ```
/// use lessons::ids::add_server_trial;
///
/// let rows = add_server_trial(2, 1_000, 10)?;
/// let duplicates: Vec<usize> = rows.iter().map(|row| row.duplicates).collect();
/// assert_eq!(duplicates, [1_000, 1_000, 0, 0]); // 2 servers covered every number
/// # Ok::<(), lessons::ids::IdError>(())
/// ```
pub fn add_server_trial(
    servers: u64,
    ids_per_server: u64,
    reserved_step: u64,
) -> Result<Vec<StrideRow>, IdError> {
    if servers == 0 || servers > 1_000 {
        return Err(IdError::parameter("servers", servers, "1 to 1,000 servers"));
    }
    if ids_per_server == 0 || ids_per_server > 100_000 {
        return Err(IdError::parameter(
            "ids per server",
            ids_per_server,
            "1 to 100,000 IDs per server and phase",
        ));
    }
    if reserved_step <= servers || reserved_step > 1_000_000 {
        return Err(IdError::parameter(
            "reserved step",
            reserved_step,
            "more than the number of servers, at most 1,000,000",
        ));
    }
    let k = servers;
    let before = |step: u64| -> Result<Vec<StridedCounter>, IdError> {
        (0..k)
            .map(|offset| StridedCounter::new(step, offset))
            .collect()
    };
    let mut rows = Vec::new();
    for plan in [
        "newcomer alone",
        "all switch, counters kept",
        "all restart above the highest",
        "step reserved in advance",
    ] {
        let first_step = if plan == "step reserved in advance" {
            reserved_step
        } else {
            k
        };
        let mut counters = before(first_step)?;
        let mut issued = Vec::new();
        run_phase(&mut counters, ids_per_server, &mut issued);
        let highest = issued.iter().copied().max().unwrap_or(0);
        counters = match plan {
            "newcomer alone" => {
                counters.push(StridedCounter::new(k + 1, k)?);
                counters
            }
            "all switch, counters kept" => {
                let mut switched = counters
                    .iter()
                    .map(|counter| {
                        let next = counter.next.unwrap_or(u64::MAX);
                        StridedCounter::starting_at(k + 1, counter.offset, next)
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                switched.push(StridedCounter::new(k + 1, k)?);
                switched
            }
            "all restart above the highest" => (0..=k)
                .map(|offset| StridedCounter::starting_above(k + 1, offset, highest))
                .collect::<Result<_, _>>()?,
            _ => {
                counters.push(StridedCounter::new(reserved_step, k)?);
                counters
            }
        };
        run_phase(&mut counters, ids_per_server, &mut issued);
        let distinct: HashSet<u64> = issued.iter().copied().collect();
        rows.push(StrideRow {
            plan,
            duplicates: issued.len() - distinct.len(),
            all_servers_coordinate: plan == "all restart above the highest",
            highest_id: issued.iter().copied().max().unwrap_or(0),
        });
    }
    Ok(rows)
}

/// Each counter issues `count` IDs, round robin.
fn run_phase(counters: &mut [StridedCounter], count: u64, issued: &mut Vec<u64>) {
    for _ in 0..count {
        for counter in counters.iter_mut() {
            issued.extend(counter.next_id());
        }
    }
}
