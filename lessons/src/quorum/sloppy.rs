//! Sloppy quorums and hinted handoff: when home replicas are unreachable, write to other nodes
//! further along the key's preference list, which keep a *hint* and hand the write over when
//! the home replica comes back.
//!
//! This raises write availability, and gives up the overlap argument: the W nodes that took a
//! write need not be among the key's N home replicas, so a read of R home replicas can miss it
//! even when `W + R > N`. Hints are kept only while the target has been down for less than the
//! hint window; writes after that reach the recovered node only through anti-entropy.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{QuorumError, at_least};
use super::overlap::Quorum;
use crate::sim::{NodeId, Rng, Time};

/// A write held by a stand-in node for a home replica that was down.
///
/// # Examples
///
/// ```
/// use lessons::quorum::Hint;
/// use lessons::sim::ms;
///
/// let hint = Hint { holder: 3, target: 1, key: 7, version: 2, written_at: ms(5) };
/// assert_eq!(hint.target, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// The node keeping it.
    pub holder: NodeId,
    /// The home replica it is for.
    pub target: NodeId,
    /// The key.
    pub key: u64,
    /// The version written (larger is newer).
    pub version: u64,
    /// When it was written.
    pub written_at: Time,
}

/// What a write did.
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, SloppyCluster};
/// use lessons::sim::ms;
///
/// let mut cluster = SloppyCluster::new(5, ms(100))?;
/// let outcome = cluster.write(ms(0), 1, 1, &[0, 1, 2, 3, 4], Quorum::new(3, 2, 2)?, true)?;
/// assert!(outcome.succeeded && outcome.stored_on == [0, 1, 2]);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteOutcome {
    /// Whether at least W nodes stored it.
    pub succeeded: bool,
    /// The nodes that stored it, home replicas and stand-ins.
    pub stored_on: Vec<NodeId>,
    /// How many hints were kept for later handoff.
    pub hints: usize,
}

/// A cluster of nodes, each up or down, each holding versions of keys and hints for others.
///
/// # Examples
///
/// Every home replica unreachable: a sloppy write lands on stand-ins, and a read of the home
/// replicas after they return (before the handoff) misses it, although `W + R > N`.
///
/// ```
/// use lessons::quorum::{Quorum, SloppyCluster};
/// use lessons::sim::ms;
///
/// let quorum = Quorum::new(3, 2, 2)?;
/// let preference = [0, 1, 2, 3, 4];
/// let mut cluster = SloppyCluster::new(5, ms(1_000))?;
/// cluster.write(ms(0), 7, 1, &preference, quorum, true)?;
/// for home in 0..3 {
///     cluster.set_down(ms(10), home, true)?;
/// }
/// let outcome = cluster.write(ms(20), 7, 2, &preference, quorum, true)?;
/// assert_eq!(outcome.stored_on, [3, 4]);
/// for home in 0..3 {
///     cluster.set_down(ms(30), home, false)?;
/// }
/// assert_eq!(cluster.read(7, &preference, quorum)?, Some(1)); // stale
/// cluster.hand_off();
/// assert_eq!(cluster.read(7, &preference, quorum)?, Some(2));
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SloppyCluster {
    stores: Vec<BTreeMap<u64, u64>>,
    down_since: Vec<Option<Time>>,
    hints: Vec<Hint>,
    hint_window: Time,
}

impl SloppyCluster {
    /// `nodes` nodes, all up and empty, keeping hints for targets down less than `hint_window`.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for no nodes or a negative window.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::SloppyCluster;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(SloppyCluster::new(4, ms(10))?.nodes(), 4);
    /// assert!(SloppyCluster::new(0, ms(10)).is_err());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn new(nodes: usize, hint_window: Time) -> Result<SloppyCluster, QuorumError> {
        at_least("nodes", nodes, 1)?;
        if hint_window < Time::ZERO {
            return Err(QuorumError::parameter(
                "hint_window",
                hint_window,
                "a hint window cannot be negative",
            ));
        }
        Ok(SloppyCluster {
            stores: vec![BTreeMap::new(); nodes],
            down_since: vec![None; nodes],
            hints: Vec::new(),
            hint_window,
        })
    }

    /// How many nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::SloppyCluster::new(2, lessons::sim::ms(1))?.nodes(), 2);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn nodes(&self) -> usize {
        self.stores.len()
    }

    fn check_node(&self, node: NodeId) -> Result<(), QuorumError> {
        if node < self.nodes() {
            Ok(())
        } else {
            Err(QuorumError::parameter(
                "node",
                node,
                format!("nodes are numbered 0 to {}", self.nodes() - 1),
            ))
        }
    }

    fn check_preference(&self, preference: &[NodeId], quorum: Quorum) -> Result<(), QuorumError> {
        for &node in preference {
            self.check_node(node)?;
        }
        if preference.len() < quorum.n() {
            return Err(QuorumError::parameter(
                "preference",
                format!("{preference:?}"),
                format!(
                    "the preference list must start with the N = {} home replicas",
                    quorum.n()
                ),
            ));
        }
        Ok(())
    }

    /// Takes `node` down (unreachable) at `now`, or brings it back up.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for an unknown node.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::SloppyCluster;
    /// use lessons::sim::ms;
    ///
    /// let mut cluster = SloppyCluster::new(3, ms(10))?;
    /// cluster.set_down(ms(1), 2, true)?;
    /// assert!(cluster.is_down(2));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn set_down(&mut self, now: Time, node: NodeId, down: bool) -> Result<(), QuorumError> {
        self.check_node(node)?;
        let state = &mut self.down_since[node];
        match (down, *state) {
            (true, None) => *state = Some(now),
            (false, Some(_)) => *state = None,
            _ => {}
        }
        Ok(())
    }

    /// Whether `node` is down (false for unknown nodes).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::quorum::SloppyCluster::new(3, lessons::sim::ms(1))?.is_down(0));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn is_down(&self, node: NodeId) -> bool {
        self.down_since.get(node).is_some_and(Option::is_some)
    }

    /// Writes `version` of `key` at `now`. The live home replicas (the first N of `preference`)
    /// store it; with `sloppy`, each down home replica is replaced by the next live node further
    /// down the list, which stores it too and keeps a hint if the home replica has been down
    /// for less than the hint window. The write succeeds when at least W nodes stored it.
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for unknown nodes or a preference list shorter than N.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Quorum, SloppyCluster};
    /// use lessons::sim::ms;
    ///
    /// let quorum = Quorum::new(3, 2, 2)?;
    /// let mut cluster = SloppyCluster::new(5, ms(100))?;
    /// cluster.set_down(ms(0), 0, true)?;
    /// cluster.set_down(ms(0), 1, true)?;
    /// assert!(!cluster.write(ms(1), 9, 1, &[0, 1, 2, 3, 4], quorum, false)?.succeeded);
    /// let sloppy = cluster.write(ms(1), 9, 1, &[0, 1, 2, 3, 4], quorum, true)?;
    /// assert_eq!((sloppy.succeeded, sloppy.hints), (true, 2));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn write(
        &mut self,
        now: Time,
        key: u64,
        version: u64,
        preference: &[NodeId],
        quorum: Quorum,
        sloppy: bool,
    ) -> Result<WriteOutcome, QuorumError> {
        self.check_preference(preference, quorum)?;
        let (home, rest) = preference.split_at(quorum.n());
        let live_stand_ins: Vec<NodeId> = rest
            .iter()
            .copied()
            .filter(|&node| !self.is_down(node))
            .collect();
        let mut stand_ins = live_stand_ins.into_iter();
        let mut stored_on = Vec::new();
        let mut hints = 0;
        for &target in home {
            let holder = match self.down_since[target] {
                None => target,
                Some(since) if sloppy => {
                    let Some(stand_in) = stand_ins.next() else {
                        continue;
                    };
                    if now - since < self.hint_window {
                        self.hints.push(Hint {
                            holder: stand_in,
                            target,
                            key,
                            version,
                            written_at: now,
                        });
                        hints += 1;
                    }
                    stand_in
                }
                Some(_) => continue,
            };
            let stored = self.stores[holder].entry(key).or_insert(version);
            *stored = (*stored).max(version);
            stored_on.push(holder);
        }
        Ok(WriteOutcome {
            succeeded: stored_on.len() >= quorum.w(),
            stored_on,
            hints,
        })
    }

    /// Delivers every hint whose holder and target are both up, each exactly once, and returns
    /// how many were delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Quorum, SloppyCluster};
    /// use lessons::sim::ms;
    ///
    /// let quorum = Quorum::new(1, 1, 1)?;
    /// let mut cluster = SloppyCluster::new(2, ms(100))?;
    /// cluster.set_down(ms(0), 0, true)?;
    /// cluster.write(ms(1), 5, 1, &[0, 1], quorum, true)?;
    /// assert_eq!(cluster.hand_off(), 0); // the target is still down
    /// cluster.set_down(ms(3), 0, false)?;
    /// assert_eq!((cluster.hand_off(), cluster.hand_off()), (1, 0));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn hand_off(&mut self) -> usize {
        let (ready, waiting): (Vec<Hint>, Vec<Hint>) = self
            .hints
            .iter()
            .partition(|hint| !self.is_down(hint.holder) && !self.is_down(hint.target));
        self.hints = waiting;
        for hint in &ready {
            let stored = self.stores[hint.target]
                .entry(hint.key)
                .or_insert(hint.version);
            *stored = (*stored).max(hint.version);
        }
        ready.len()
    }

    /// The hints not yet delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::quorum::SloppyCluster::new(1, lessons::sim::ms(1))?.hints().is_empty());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn hints(&self) -> &[Hint] {
        &self.hints
    }

    /// The version of `key` that `node` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::SloppyCluster::new(1, lessons::sim::ms(1))?.version_on(0, 3), None);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn version_on(&self, node: NodeId, key: u64) -> Option<u64> {
        self.stores.get(node)?.get(&key).copied()
    }

    /// A strict read: the newest version among the first R live home replicas, or `None` if
    /// fewer than R are up or none of them has the key.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Quorum, SloppyCluster};
    /// use lessons::sim::ms;
    ///
    /// let quorum = Quorum::new(3, 2, 2)?;
    /// let mut cluster = SloppyCluster::new(3, ms(1))?;
    /// cluster.write(ms(0), 1, 4, &[0, 1, 2], quorum, false)?;
    /// assert_eq!(cluster.read(1, &[0, 1, 2], quorum)?, Some(4));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn read(
        &self,
        key: u64,
        preference: &[NodeId],
        quorum: Quorum,
    ) -> Result<Option<u64>, QuorumError> {
        self.check_preference(preference, quorum)?;
        let live: Vec<NodeId> = preference[..quorum.n()]
            .iter()
            .copied()
            .filter(|&node| !self.is_down(node))
            .take(quorum.r())
            .collect();
        if live.len() < quorum.r() {
            return Ok(None);
        }
        Ok(live
            .iter()
            .filter_map(|&node| self.version_on(node, key))
            .max())
    }
}

/// What a recovered replica is missing after an outage, by outage length.
///
/// # Examples
///
/// ```
/// use lessons::quorum::hinted_handoff_experiment;
/// use lessons::sim::{ms, secs};
///
/// let rows = hinted_handoff_experiment(&[secs(2)], secs(1), 1_000, 1)?;
/// assert!((rows[0].missing_fraction - 0.5).abs() < 0.05);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoffRow {
    /// How long the replica was down, in hint windows.
    pub outage_in_windows: f64,
    /// Writes made while it was down.
    pub writes: usize,
    /// Of those, how many it lacks after the handoff.
    pub missing: usize,
    /// `missing / writes`.
    pub missing_fraction: f64,
    /// `max(0, 1 - window / outage)`: only writes in the window were hinted.
    pub computed: f64,
}

/// One home replica (of N = 3, W = 2, five nodes) is down for each `outage` in turn, while
/// `writes` writes at uniformly random moments of the outage go to distinct keys with sloppy
/// quorums; then it recovers and the hints are handed off.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for zero writes, a non-positive outage or a negative window.
///
/// # Examples
///
/// ```
/// use lessons::quorum::hinted_handoff_experiment;
/// use lessons::sim::secs;
///
/// let rows = hinted_handoff_experiment(&[secs(1)], secs(3), 100, 1)?;
/// assert_eq!(rows[0].missing, 0); // back within the window: every write handed over
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn hinted_handoff_experiment(
    outages: &[Time],
    hint_window: Time,
    writes: usize,
    seed: u64,
) -> Result<Vec<HandoffRow>, QuorumError> {
    at_least("writes", writes, 1)?;
    let quorum = Quorum::new(3, 2, 2)?;
    let preference = [0, 1, 2, 3, 4];
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    for &outage in outages {
        if outage <= Time::ZERO {
            return Err(QuorumError::parameter(
                "outage",
                outage,
                "an outage must be positive",
            ));
        }
        let mut cluster = SloppyCluster::new(5, hint_window)?;
        cluster.set_down(Time::ZERO, 0, true)?;
        let mut times: Vec<Time> = (0..writes)
            .map(|_| rng.between(Time::ZERO, outage))
            .collect();
        times.sort();
        for (key, &at) in times.iter().enumerate() {
            cluster.write(at, key as u64, 1, &preference, quorum, true)?;
        }
        cluster.set_down(outage, 0, false)?;
        cluster.hand_off();
        let missing = (0..writes as u64)
            .filter(|&key| cluster.version_on(0, key).is_none())
            .count();
        let ratio = hint_window.as_secs_f64() / outage.as_secs_f64();
        rows.push(HandoffRow {
            outage_in_windows: 1.0 / ratio.max(f64::MIN_POSITIVE),
            writes,
            missing,
            missing_fraction: missing as f64 / writes as f64,
            computed: (1.0 - ratio).max(0.0),
        });
    }
    Ok(rows)
}
