//! Raft consensus: a replicated log that stays consistent through crashes, partitions and lost
//! messages, as long as a majority of servers can talk.
//!
//! (essay to come)

mod chaos;
mod client;
mod cluster;
mod log;
mod monitor;
mod node;
mod scripted;
mod server;
mod state_machine;

pub use chaos::{ChaosParameters, ChaosRow, chaos_run, random_faults};
pub use client::{RaftClient, RequestRecord, Workload};
pub use cluster::RaftCluster;
pub use log::{Command, Entry, LogIndex, Operation, PersistentState, Snapshot, Term};
pub use monitor::{CommitAdvance, Election, SafetyMonitor, Violation};
pub use node::{
    Applied, CommitRule, Config, Input, MAX_CLUSTER, Message, Output, RaftNode, Reply, Role,
};
pub use scripted::{HandNetwork, ScriptStep, figure_8, script_table};
pub use server::{RaftServer, Timing, Wire};
pub use state_machine::{Outcome, Register};
