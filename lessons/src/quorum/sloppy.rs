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
    /// `(client, node)` pairs cut apart by a partition only that client sees, and since when.
    cut_since: BTreeMap<(usize, NodeId), Time>,
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
            cut_since: BTreeMap::new(),
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

    /// Cuts `client` off from `node` at `now` (`reachable = false`), or heals that cut: a
    /// partition that this client sees and the others do not. The node stays up: other
    /// clients reach it, and the nodes still reach each other (so hints reach it). Clients are
    /// any numbers the caller chooses; [`as_client`](Self::as_client) reads and writes as one.
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
    /// cluster.set_reachable(ms(1), 7, 0, false)?;
    /// assert!(!cluster.can_reach(7, 0) && cluster.can_reach(8, 0) && !cluster.is_down(0));
    /// cluster.set_reachable(ms(2), 7, 0, true)?;
    /// assert!(cluster.can_reach(7, 0));
    /// assert!(cluster.set_reachable(ms(3), 7, 3, false).is_err());
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn set_reachable(
        &mut self,
        now: Time,
        client: usize,
        node: NodeId,
        reachable: bool,
    ) -> Result<(), QuorumError> {
        self.check_node(node)?;
        if reachable {
            self.cut_since.remove(&(client, node));
        } else {
            self.cut_since.entry((client, node)).or_insert(now);
        }
        Ok(())
    }

    /// Whether `client` reaches `node`: the node is up and no partition cuts them apart.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::SloppyCluster;
    /// use lessons::sim::ms;
    ///
    /// let mut cluster = SloppyCluster::new(2, ms(10))?;
    /// cluster.set_down(ms(0), 1, true)?;
    /// assert!(cluster.can_reach(0, 0) && !cluster.can_reach(0, 1));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn can_reach(&self, client: usize, node: NodeId) -> bool {
        self.unreachable_since(Some(client), node).is_none()
    }

    /// Since when `client` (or, for `None`, every client) has not reached `node`: the earlier
    /// of the node going down and the client being cut off from it.
    fn unreachable_since(&self, client: Option<usize>, node: NodeId) -> Option<Time> {
        let down = self.down_since.get(node).copied().flatten();
        let cut = client.and_then(|client| self.cut_since.get(&(client, node)).copied());
        match (down, cut) {
            (Some(down), Some(cut)) => Some(down.min(cut)),
            (down, cut) => down.or(cut),
        }
    }

    /// Reads and writes as `client`, who sees the partitions set for it with
    /// [`set_reachable`](Self::set_reachable): a node it cannot reach counts as down for its
    /// writes (a sloppy write hands its copy to a stand-in) and its reads.
    ///
    /// # Examples
    ///
    /// Client 0 is cut off from home replicas 0 and 1; client 1 is not. Client 0's sloppy
    /// write lands on node 2 and two stand-ins; client 1's strict read of the home replicas
    /// still returns the old version, and client 0 cannot read at all. After the handoff (the
    /// nodes reach each other) client 1 sees the new version.
    ///
    /// ```
    /// use lessons::quorum::{Quorum, SloppyCluster};
    /// use lessons::sim::ms;
    ///
    /// let quorum = Quorum::new(3, 2, 2)?;
    /// let preference = [0, 1, 2, 3, 4];
    /// let mut cluster = SloppyCluster::new(5, ms(1_000))?;
    /// cluster.write(ms(0), 7, 1, &preference, quorum, true)?;
    /// cluster.set_reachable(ms(10), 0, 0, false)?;
    /// cluster.set_reachable(ms(10), 0, 1, false)?;
    /// let outcome = cluster.as_client(0).write(ms(20), 7, 2, &preference, quorum, true)?;
    /// assert_eq!((outcome.stored_on, outcome.hints), (vec![3, 4, 2], 2));
    /// assert_eq!(cluster.as_client(1).read(7, &preference, quorum)?, Some(1)); // stale
    /// assert_eq!(cluster.as_client(0).read(7, &preference, quorum)?, None); // R = 2 unreachable
    /// assert_eq!(cluster.hand_off(), 2);
    /// assert_eq!(cluster.as_client(1).read(7, &preference, quorum)?, Some(2));
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn as_client(&mut self, client: usize) -> ClientSide<'_> {
        ClientSide {
            cluster: self,
            client,
        }
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
        self.write_as(None, now, (key, version), preference, quorum, sloppy)
    }

    /// [`write`](Self::write) as `client` (`None`: a client that no partition cuts off).
    fn write_as(
        &mut self,
        client: Option<usize>,
        now: Time,
        (key, version): (u64, u64),
        preference: &[NodeId],
        quorum: Quorum,
        sloppy: bool,
    ) -> Result<WriteOutcome, QuorumError> {
        self.check_preference(preference, quorum)?;
        let (home, rest) = preference.split_at(quorum.n());
        let live_stand_ins: Vec<NodeId> = rest
            .iter()
            .copied()
            .filter(|&node| self.unreachable_since(client, node).is_none())
            .collect();
        let mut stand_ins = live_stand_ins.into_iter();
        let mut stored_on = Vec::new();
        let mut hints = 0;
        for &target in home {
            let holder = match self.unreachable_since(client, target) {
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
        self.read_as(None, key, preference, quorum)
    }

    /// [`read`](Self::read) as `client` (`None`: a client that no partition cuts off).
    fn read_as(
        &self,
        client: Option<usize>,
        key: u64,
        preference: &[NodeId],
        quorum: Quorum,
    ) -> Result<Option<u64>, QuorumError> {
        self.check_preference(preference, quorum)?;
        let live: Vec<NodeId> = preference[..quorum.n()]
            .iter()
            .copied()
            .filter(|&node| self.unreachable_since(client, node).is_none())
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

/// One client's side of a [`SloppyCluster`]: its reads and writes treat the nodes it cannot
/// reach as down. Made by [`SloppyCluster::as_client`].
///
/// # Examples
///
/// ```
/// use lessons::quorum::{Quorum, SloppyCluster};
/// use lessons::sim::ms;
///
/// let mut cluster = SloppyCluster::new(3, ms(100))?;
/// cluster.set_reachable(ms(0), 5, 2, false)?;
/// let strict = cluster.as_client(5).write(ms(1), 1, 1, &[0, 1, 2], Quorum::new(3, 3, 1)?, false)?;
/// assert!(!strict.succeeded); // W = 3, but client 5 reaches only two home replicas
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug)]
pub struct ClientSide<'a> {
    cluster: &'a mut SloppyCluster,
    client: usize,
}

impl ClientSide<'_> {
    /// [`SloppyCluster::write`] from this client.
    ///
    /// # Errors
    ///
    /// As [`SloppyCluster::write`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Quorum, SloppyCluster};
    /// use lessons::sim::ms;
    ///
    /// let mut cluster = SloppyCluster::new(4, ms(100))?;
    /// cluster.set_reachable(ms(0), 1, 0, false)?;
    /// let outcome = cluster.as_client(1).write(ms(1), 1, 1, &[0, 1, 2, 3], Quorum::new(3, 2, 2)?, true)?;
    /// assert_eq!((outcome.stored_on, outcome.hints), (vec![3, 1, 2], 1));
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
        let client = Some(self.client);
        self.cluster
            .write_as(client, now, (key, version), preference, quorum, sloppy)
    }

    /// [`SloppyCluster::read`] from this client.
    ///
    /// # Errors
    ///
    /// As [`SloppyCluster::read`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::quorum::{Quorum, SloppyCluster};
    /// use lessons::sim::ms;
    ///
    /// let quorum = Quorum::new(2, 1, 1)?;
    /// let mut cluster = SloppyCluster::new(2, ms(100))?;
    /// cluster.as_client(0).write(ms(0), 1, 1, &[0, 1], quorum, false)?;
    /// cluster.set_reachable(ms(1), 0, 0, false)?;
    /// assert_eq!(cluster.as_client(0).read(1, &[0, 1], quorum)?, Some(1)); // node 1 has it
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn read(
        &self,
        key: u64,
        preference: &[NodeId],
        quorum: Quorum,
    ) -> Result<Option<u64>, QuorumError> {
        self.cluster
            .read_as(Some(self.client), key, preference, quorum)
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
