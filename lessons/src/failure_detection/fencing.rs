//! Fencing tokens: the storage, not the lock holder, decides whose write is too old.

use serde::Serialize;

use crate::sim::{SimError, Time, ms, secs};

/// What the storage does with the token a write carries.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::Fencing;
///
/// assert_eq!(Fencing::TokenCheck.to_string(), "token check");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Fencing {
    /// Tokens are ignored: every write is applied.
    Off,
    /// When a write is applied, its token is compared with the largest seen so far, in the same
    /// step: a smaller token is refused (Kleppmann 2016).
    TokenCheck,
    /// The token is checked when the write arrives, and the write is applied later without a
    /// second look: a check-then-act race.
    CheckThenWrite,
}

impl std::fmt::Display for Fencing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fencing::Off => "no fencing",
            Fencing::TokenCheck => "token check",
            Fencing::CheckThenWrite => "check, then write",
        })
    }
}

/// A register that stores the last applied write and, when fencing, the largest token seen.
///
/// It lets you test the fencing property: with [`Fencing::TokenCheck`] the applied writes are
/// ordered by token, and nothing from an older holder lands once a newer token was seen.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Fencing, FencedStorage};
///
/// let mut storage = FencedStorage::new(Fencing::TokenCheck);
/// assert!(storage.write(34, "B"));
/// assert!(!storage.write(33, "A")); // the old holder is fenced off
/// assert_eq!(storage.value(), Some("B"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FencedStorage<V> {
    fencing: Fencing,
    largest_token: Option<u64>,
    value: Option<V>,
}

impl<V: Clone> FencedStorage<V> {
    /// An empty register with this fencing.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Fencing, FencedStorage};
    ///
    /// let storage: FencedStorage<u32> = FencedStorage::new(Fencing::Off);
    /// assert_eq!(storage.largest_token(), None);
    /// ```
    pub fn new(fencing: Fencing) -> FencedStorage<V> {
        FencedStorage {
            fencing,
            largest_token: None,
            value: None,
        }
    }

    /// Whether a write with `token` passes the check (always, without fencing).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Fencing, FencedStorage};
    ///
    /// let mut storage = FencedStorage::new(Fencing::Off);
    /// storage.write(34, 'B');
    /// assert!(storage.admits(33));
    /// ```
    pub fn admits(&self, token: u64) -> bool {
        self.fencing == Fencing::Off || self.largest_token.is_none_or(|largest| token >= largest)
    }

    /// Applies a write if [`FencedStorage::admits`] its token, in one step; returns whether it
    /// was applied.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Fencing, FencedStorage};
    ///
    /// let mut storage = FencedStorage::new(Fencing::TokenCheck);
    /// assert!(storage.write(1, 10));
    /// assert!(storage.write(1, 11)); // the same holder again
    /// assert_eq!(storage.value(), Some(11));
    /// ```
    pub fn write(&mut self, token: u64, value: V) -> bool {
        if !self.admits(token) {
            return false;
        }
        self.apply(token, value);
        true
    }

    /// Applies a write without checking: the second half of a check-then-write.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Fencing, FencedStorage};
    ///
    /// let mut storage = FencedStorage::new(Fencing::CheckThenWrite);
    /// let a_passed = storage.admits(33); // A is checked first...
    /// storage.write(34, "B"); // ...then B writes...
    /// if a_passed {
    ///     storage.apply(33, "A"); // ...and A's write lands on top
    /// }
    /// assert_eq!(storage.value(), Some("A"));
    /// ```
    pub fn apply(&mut self, token: u64, value: V) {
        self.largest_token = Some(
            self.largest_token
                .map_or(token, |largest| largest.max(token)),
        );
        self.value = Some(value);
    }

    /// The value of the last applied write.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Fencing, FencedStorage};
    ///
    /// let storage: FencedStorage<&str> = FencedStorage::new(Fencing::TokenCheck);
    /// assert_eq!(storage.value(), None);
    /// ```
    pub fn value(&self) -> Option<V> {
        self.value.clone()
    }

    /// The largest token among applied writes.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Fencing, FencedStorage};
    ///
    /// let mut storage = FencedStorage::new(Fencing::TokenCheck);
    /// storage.write(7, ());
    /// assert_eq!(storage.largest_token(), Some(7));
    /// ```
    pub fn largest_token(&self) -> Option<u64> {
        self.largest_token
    }
}

/// One write of the pause scenario, as the storage saw it.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Fencing, pause_scenario};
/// use lessons::sim::secs;
///
/// let run = pause_scenario(Fencing::Off, secs(0))?;
/// assert!(run.writes.iter().all(|write| write.applied));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WriteRow {
    /// Who wrote: `A` (token 33) or `B` (token 34).
    pub client: String,
    /// The fencing token the write carried.
    pub token: u64,
    /// When the write reached the storage, in seconds.
    pub arrived_s: f64,
    /// When the storage applied or refused it, in seconds.
    pub decided_s: f64,
    /// Whether it was applied.
    pub applied: bool,
    /// Applied after the storage had applied a write with a newer token: a lost update.
    pub overwrote_newer: bool,
}

/// The pause scenario, write by write.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Fencing, pause_scenario};
/// use lessons::sim::secs;
///
/// let run = pause_scenario(Fencing::TokenCheck, secs(8))?;
/// assert_eq!(run.lost_updates, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PauseRun {
    /// The fencing mode.
    pub fencing: String,
    /// A's pause, in seconds.
    pub pause_s: f64,
    /// When A's lease expired at the lock service, in seconds.
    pub a_lease_ends_s: f64,
    /// When A, after its pause, learned that it had lost the lease, in seconds.
    pub a_stops_believing_s: f64,
    /// Every write, in the order the storage decided them.
    pub writes: Vec<WriteRow>,
    /// Writes of A applied after its lease had expired.
    pub stale_applied: usize,
    /// Writes applied on top of a newer token's write.
    pub lost_updates: usize,
}

/// The lease of the scenario: 10 s.
pub const SCENARIO_LEASE: Time = secs(10);

/// Kleppmann's scenario. Client A holds the lease with token 33 from time 0 for
/// [`SCENARIO_LEASE`] and writes every second, checking its lease before each write. At 4 s,
/// just after a check, A pauses (a long GC) for `pause`; the write it had prepared reaches the
/// storage when it wakes. The lease expires at 10 s and B gets it with token 34 at once, writing
/// from 10.1 s every 100 ms until 15 s. The storage needs 50 ms to apply a write (5 ms for
/// B's small ones), and in [`Fencing::CheckThenWrite`] mode it checks the token on arrival
/// only.
///
/// # Errors
///
/// [`SimError::Parameter`] for a negative pause or one longer than 60 s.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Fencing, pause_scenario};
/// use lessons::sim::{ms, secs};
///
/// let unfenced = pause_scenario(Fencing::Off, secs(8))?;
/// assert_eq!((unfenced.stale_applied, unfenced.lost_updates), (1, 1));
/// let race = pause_scenario(Fencing::CheckThenWrite, ms(6_080))?;
/// assert_eq!(race.lost_updates, 1); // checked at 10.08 s, applied on top of B's 10.1 s write
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn pause_scenario(fencing: Fencing, pause: Time) -> Result<PauseRun, SimError> {
    if pause < Time::ZERO || pause > secs(60) {
        return Err(SimError::parameter(
            "pause",
            pause,
            "a pause from 0 to 60 s",
        ));
    }
    // (arrival, client, token, time to apply)
    let mut requests: Vec<(Time, &str, u64, Time)> = Vec::new();
    let resume = secs(4) + pause;
    requests.extend((1..=3).map(|second| (secs(second), "A", 33, ms(50))));
    requests.push((resume, "A", 33, ms(50)));
    // After waking, A checks before each further write and stops once the lease is gone.
    let mut a_stops = SCENARIO_LEASE;
    let mut next = resume + secs(1);
    while next < SCENARIO_LEASE {
        requests.push((next, "A", 33, ms(50)));
        next += secs(1);
    }
    if resume >= SCENARIO_LEASE {
        a_stops = resume + secs(1);
    }
    requests.extend((0..50).map(|step| (secs(10) + ms(100) * (step + 1), "B", 34, ms(5))));
    // A request is decided when it is applied; with check-then-write its check came earlier.
    let mut decisions: Vec<(Time, Time, &str, u64)> = requests
        .iter()
        .map(|&(arrival, client, token, apply)| (arrival + apply, arrival, client, token))
        .collect();
    decisions.sort_by_key(|&(decided, arrival, _, _)| (decided, arrival));
    let mut storage = FencedStorage::new(fencing);
    // (when applied, token), to know what the storage held when a request arrived.
    let mut applied: Vec<(Time, u64)> = Vec::new();
    let mut writes = Vec::new();
    for &(decided, arrival, client, token) in &decisions {
        let admitted = if fencing == Fencing::CheckThenWrite {
            let mut at_arrival = FencedStorage::new(Fencing::TokenCheck);
            for &(when, earlier) in applied.iter().filter(|(when, _)| *when <= arrival) {
                at_arrival.apply(earlier, when);
            }
            at_arrival.admits(token)
        } else {
            storage.admits(token)
        };
        let overwrote_newer = admitted && storage.largest_token().is_some_and(|t| t > token);
        if admitted {
            storage.apply(token, client);
            applied.push((decided, token));
        }
        writes.push(WriteRow {
            client: client.to_string(),
            token,
            arrived_s: arrival.as_secs_f64(),
            decided_s: decided.as_secs_f64(),
            applied: admitted,
            overwrote_newer,
        });
    }
    let stale_applied = writes
        .iter()
        .filter(|w| w.client == "A" && w.applied && w.decided_s > SCENARIO_LEASE.as_secs_f64())
        .count();
    let lost_updates = writes.iter().filter(|w| w.overwrote_newer).count();
    Ok(PauseRun {
        fencing: fencing.to_string(),
        pause_s: pause.as_secs_f64(),
        a_lease_ends_s: SCENARIO_LEASE.as_secs_f64(),
        a_stops_believing_s: a_stops.as_secs_f64(),
        writes,
        stale_applied,
        lost_updates,
    })
}
