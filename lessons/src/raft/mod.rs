//! Raft consensus: a log replicated on N servers that stays consistent through crashes,
//! partitions, lost, duplicated and reordered messages, and keeps accepting writes while a
//! majority of the servers can talk to each other.
//!
//! # The pieces
//!
//! * **One server is a pure state machine** ([`RaftNode`]): [`RaftNode::step`] takes one
//!   [`Input`] (a message, a timer, a client request, a restart) and returns an [`Output`]
//!   (persist, messages, timers, replies, applied entries). It reads no clock and draws no
//!   random number, so it is `Clone + Eq + Hash` and a model checker can enumerate it.
//! * **Leader election** (paper, section 5.2): a follower that hears nothing for its election
//!   timeout, drawn from `[T, T + W]` by the driver ([`Timing`]), becomes a candidate in a new
//!   term, votes for itself and asks the others. A server votes at most once per term, and only
//!   for a candidate whose log is at least as up to date as its own: a later last term, or the
//!   same last term and at least as long (section 5.4.1). A majority of the whole cluster elects.
//! * **Log replication** (section 5.3): AppendEntries carries the entries after `prev_index`
//!   and the term there; a follower whose log disagrees refuses, and the leader backs off.
//!   Ours backs off one entry at a time (the paper's basic scheme), jumping straight to the
//!   follower's last index when its log is shorter; we do not use the conflict-term
//!   optimisation. Conflicting entries are deleted and replaced.
//! * **The commit rule** (section 5.4.2) is a parameter, [`CommitRule`]: an entry is
//!   committed once a majority of the whole cluster stores it, the leader counted (2 followers
//!   of 5), *and* it is from the leader's current term; earlier entries commit with it.
//!   [`CommitRule::CountReplicas`] drops the second half, and the paper's Figure 8 ([`figure_8`])
//!   shows a "committed" entry overwritten.
//! * **Persistence**: term, vote, log and snapshot ([`PersistentState`]) go to the simulated
//!   node's disk before any message leaves ([`RaftServer`]); after a crash the node comes back
//!   from the disk as a follower.
//! * **Clients and sessions** (thesis, section 6.3): a [`Command`] carries the client's id and
//!   sequence number; a retry reuses them and the [`Register`] applies it once.
//! * **Snapshots** (paper, section 7): [`Config::snapshot_every`] compacts the applied prefix;
//!   a follower that needs compacted entries gets InstallSnapshot.
//! * **A new leader's no-op** (thesis, section 6.4): it commits the earlier terms' entries at
//!   once instead of waiting for the next client write.
//! * **Reads** ([`ReadMode`], thesis section 6.4): through the log; ReadIndex (note the commit
//!   index, confirm leadership with a heartbeat round a majority acknowledges, wait until
//!   applied); a leader lease (answer locally within `T × (1 − ρ)` of a confirmed round, by the
//!   leader's clock, for a drift bound ρ); and the unsafe shortcuts (any server, or a leader that
//!   does not check), which return stale values from a deposed leader ([`read_trial`]). A
//!   lease is only as safe as its assumptions: bounded drift, and servers that refuse to vote
//!   within T of hearing from a leader, which ours do not (see [`ReadMode::Lease`]).
//! * **Batching**: at most [`Config::max_batch`] entries per AppendEntries; our leader waits for
//!   a follower's answer before sending it more (no pipelining), so a batch of B moves at most B
//!   entries per round trip ([`batch_trial`]).
//!
//! # What it guarantees
//!
//! The paper's Figure 3: election safety (one leader per term), leader append-only, log
//! matching, leader completeness, state machine safety. [`SafetyMonitor`] checks all of them,
//! plus terms that never decrease, one vote per term, commit indexes that never go back and
//! committed entries that stay, after every step of every run ([`chaos_run`],
//! [`HandNetwork`]). Client histories go through the linearizability checker of
//! [`crate::check`].
//!
//! # What it does not
//!
//! * **Progress is not guaranteed**: with slow enough messages elections repeat forever
//!   ([`storm_run`]; Fischer, Lynch and Paterson 1985). Randomized timeouts make split votes rare,
//!   not impossible ([`election_experiment`]).
//! * **A minority side commits nothing**; its leader keeps accepting writes it can never
//!   commit, and they are thrown away when the partition heals ([`partition_trial`]).
//! * **Crash faults only**: a server that lies breaks it; Byzantine tolerance needs 3f + 1
//!   servers and quadratic messages ([`bft_rows`]).
//! * **Membership changes** (joint consensus, section 6) are not modelled: N is fixed.
//!
//! # Which model the simulation follows
//!
//! The node follows the paper's Figure 2 with the thesis' no-op and client sessions; etcd's
//! raft library and TiKV's raft-rs implement the same core, with more (pre-vote, check-quorum,
//! joint consensus, flow control) that we leave out. The paper suggests election timeouts of
//! 150 to 300 ms; etcd's defaults are a 100 ms heartbeat and a 1000 ms election timeout.
//! etcd serves linearizable reads with ReadIndex by default, a lease-based read being an
//! option; Consul's default read mode relies on the leader's lease, with `consistent` (check
//! with a quorum) and `stale` (any server) as the alternatives. Our [`ReadMode`]s are those
//! schemes as the thesis describes them, not those systems' code.
//!
//! # References
//!
//! * Diego Ongaro and John Ousterhout, "In Search of an Understandable Consensus Algorithm",
//!   USENIX ATC 2014: sections 5.1 to 5.4 (terms, election, replication, safety), Figure 2 (the
//!   algorithm), Figure 3 (the properties), Figure 8 (why old-term entries are not counted),
//!   section 7 (snapshots), section 8 (clients).
//! * Diego Ongaro, "Consensus: Bridging Theory and Practice", PhD thesis, Stanford 2014:
//!   section 6.3 (client sessions), 6.4 (ReadIndex, leases, the no-op), 9 (leader election
//!   performance, split votes against the timeout range).
//! * Miguel Castro and Barbara Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999.
//! * Michael Fischer, Nancy Lynch and Michael Paterson, "Impossibility of Distributed Consensus
//!   with One Faulty Process", JACM 32(2), 1985.
//!
//! # Examples
//!
//! ```
//! use lessons::raft::{CommitRule, Config, RaftCluster, Timing, Workload};
//! use lessons::sim::{crash, ms};
//!
//! let mut cluster = RaftCluster::new(7, Config::new(5)?, Timing::paper())?;
//! cluster.add_client(Workload::writes(20))?;
//! cluster.add_fault(crash(0).at(ms(500)).restart_at(ms(900)))?;
//! cluster.run_until(ms(3_000))?;
//! assert!(cluster.monitor().violations().is_empty());
//! assert_eq!(Config::new(5)?.majority(), 3); // the leader and 2 followers
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod bft;
mod chaos;
mod client;
mod cluster;
mod election;
mod explore;
mod figures;
mod log;
mod monitor;
mod node;
mod partitions;
mod reads;
mod scripted;
mod server;
mod sessions;
mod state_machine;
mod storms;

pub use bft::{
    BftRow, MessageRow, bft_rows, message_counts, pbft_messages, quorum_overlap, raft_messages,
};
pub use chaos::{ChaosParameters, ChaosRow, chaos_run, random_faults};
pub use client::{RaftClient, RequestRecord, Workload};
pub use cluster::RaftCluster;
pub use election::{
    ElectionRow, SplitVoteRow, election_experiment, election_trial, split_vote_summary,
};
pub use explore::{ClusterAction, ClusterState, RaftModel};
pub use figures::{
    batch_figure, commit_index_figure, dedupe_figure, election_cdf_figure, messages_figure,
    overwritten_figure, partition_figure, reads_figure, split_vote_figure, storm_figure,
};
pub use log::{Command, Entry, LogIndex, Operation, PersistentState, Snapshot, Term};
pub use monitor::{CommitAdvance, Election, SafetyMonitor, Violation};
pub use node::{
    Applied, CommitRule, Config, Input, MAX_CLUSTER, Message, Output, RaftNode, Reply, Role,
};
pub use partitions::{
    PartitionRow, SizingRow, partition_experiment, partition_trial, sizing_row, tolerated_failures,
};
pub use reads::{ReadRow, read_experiment, read_trial};
pub use scripted::{HandNetwork, ScriptStep, figure_8, script_table};
pub use server::{RaftServer, ReadMode, Timing, Wire};
pub use sessions::{
    BatchRow, DedupeRow, DedupeSummary, batch_experiment, batch_trial, dedupe_experiment,
    dedupe_summary, dedupe_trial,
};
pub use state_machine::{Outcome, Register};
pub use storms::{StormRow, storm_experiment, storm_run};
