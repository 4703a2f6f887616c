//! Crash faults against Byzantine faults: node counts, quorum overlaps and messages per request.
//!
//! Raft survives f crashed servers with 2f + 1, because two majorities share a server. A
//! Byzantine server can lie, so two quorums must share an *honest* server: f + 1 in common,
//! which takes 3f + 1 servers and quorums of 2f + 1 (PBFT, Castro and Liskov, OSDI 1999). PBFT's
//! prepare and commit phases are all-to-all, so its messages grow as n², Raft's as n.

use serde::Serialize;

use super::node::Config;
use super::scripted::HandNetwork;
use crate::sim::SimError;

/// The fewest servers two quorums of size `quorum` out of `servers` share: `2q - n` (zero when
/// negative).
///
/// # Examples
///
/// ```
/// use lessons::raft::quorum_overlap;
///
/// assert_eq!(quorum_overlap(5, 3), 1); // two majorities of 2f+1 share one server
/// assert_eq!(quorum_overlap(7, 5), 3); // 2f+1 of 3f+1 (f = 2) share f+1
/// ```
pub fn quorum_overlap(servers: usize, quorum: usize) -> usize {
    (2 * quorum).saturating_sub(servers)
}

/// Messages in PBFT's normal case for one request with `n` replicas (Castro and Liskov 1999,
/// section 4.2): the request, pre-prepare to n - 1 backups, each backup's prepare to the n - 1
/// others, every replica's commit to the n - 1 others, and n replies.
///
/// # Examples
///
/// ```
/// use lessons::raft::pbft_messages;
///
/// assert_eq!(pbft_messages(4), 1 + 3 + 9 + 12 + 4);
/// ```
pub fn pbft_messages(n: usize) -> usize {
    let others = n.saturating_sub(1);
    1 + others + others * others + n * others + n
}

/// Messages one write costs in our Raft, counted on a [`HandNetwork`] once a leader is in
/// place: the request, AppendEntries to each follower and their answers, the reply, and the
/// heartbeat round that tells the followers it committed.
///
/// # Errors
///
/// An invalid cluster size.
///
/// # Examples
///
/// ```
/// use lessons::raft::raft_messages;
///
/// assert_eq!(raft_messages(5)?, 1 + 4 + 4 + 1 + 8);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn raft_messages(n: usize) -> Result<usize, SimError> {
    let mut network = HandNetwork::new(Config::new(n)?)?;
    let everyone: Vec<usize> = (0..n).collect();
    network.timeout(0);
    network.exchange(&everyone);
    let before = network.delivered();
    network.write(0, 1);
    network.exchange(&everyone);
    network.heartbeat(0);
    network.exchange(&everyone);
    // The client's request and the leader's reply travel outside the hand network.
    Ok(network.delivered() - before + 2)
}

/// One cluster size: servers needed and messages per request, crash faults against Byzantine.
///
/// # Examples
///
/// ```
/// use lessons::raft::bft_rows;
///
/// let rows = bft_rows(&[1, 2])?;
/// assert_eq!((rows[0].crash_servers, rows[0].byzantine_servers), (3, 4));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BftRow {
    /// Faults to tolerate, f.
    pub faults: usize,
    /// Servers for crash faults, 2f + 1.
    pub crash_servers: usize,
    /// Servers for Byzantine faults, 3f + 1.
    pub byzantine_servers: usize,
    /// Two majorities of 2f + 1 share this many servers.
    pub crash_overlap: usize,
    /// Two quorums of 2f + 1 out of 3f + 1 share this many (f + 1: one is honest).
    pub byzantine_overlap: usize,
    /// Messages per write in Raft on 2f + 1 servers (counted).
    pub raft_messages: usize,
    /// Messages per request in PBFT on 3f + 1 replicas.
    pub pbft_messages: usize,
}

/// [`BftRow`] for every f in `faults`.
///
/// # Errors
///
/// A cluster too large for [`Config::new`].
///
/// # Examples
///
/// ```
/// use lessons::raft::bft_rows;
///
/// let rows = bft_rows(&[1, 2, 3])?;
/// assert!(rows.iter().all(|row| row.byzantine_overlap == row.faults + 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn bft_rows(faults: &[usize]) -> Result<Vec<BftRow>, SimError> {
    faults
        .iter()
        .map(|&f| {
            let (crash, byzantine) = (2 * f + 1, 3 * f + 1);
            Ok(BftRow {
                faults: f,
                crash_servers: crash,
                byzantine_servers: byzantine,
                crash_overlap: quorum_overlap(crash, f + 1),
                byzantine_overlap: quorum_overlap(byzantine, 2 * f + 1),
                raft_messages: raft_messages(crash)?,
                pbft_messages: pbft_messages(byzantine),
            })
        })
        .collect()
}

/// Messages per request at one cluster size, Raft (counted) against PBFT (its pattern).
///
/// # Examples
///
/// ```
/// use lessons::raft::message_counts;
///
/// let rows = message_counts(&[4, 16])?;
/// assert_eq!((rows[0].raft, rows[0].pbft), (14, 29));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MessageRow {
    /// Servers, n.
    pub servers: usize,
    /// Raft's messages per write.
    pub raft: usize,
    /// PBFT's messages per request.
    pub pbft: usize,
}

/// [`MessageRow`] for every n in `servers`.
///
/// # Errors
///
/// A cluster too large for [`Config::new`].
///
/// # Examples
///
/// ```
/// use lessons::raft::message_counts;
///
/// assert!(message_counts(&[64]).is_err());
/// ```
pub fn message_counts(servers: &[usize]) -> Result<Vec<MessageRow>, SimError> {
    servers
        .iter()
        .map(|&n| {
            Ok(MessageRow {
                servers: n,
                raft: raft_messages(n)?,
                pbft: pbft_messages(n),
            })
        })
        .collect()
}
