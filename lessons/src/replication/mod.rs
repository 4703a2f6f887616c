//! Leader-based replication: one primary orders every write and ships it down a log to its
//! followers. What the clients are promised depends on how long the primary waits before it
//! says "ok", and on where reads go.
//!
//! # Waiting, and what it buys
//!
//! An **asynchronous** primary acknowledges a write as soon as it has it; a **semi-synchronous**
//! one waits until one follower (here: a designated one) has it in its log; a **synchronous**
//! one waits for all of them ([`LeaderSetup`]). When the primary dies, a follower is promoted.
//! Whatever the promoted follower had not received is gone, including writes the clients were
//! told had succeeded ([`failover_trial`], [`failover_experiment`]). Waiting for one follower and
//! promoting that follower loses nothing; the price is write latency, an order statistic of the
//! lags of the followers waited for.
//!
//! The model's acknowledgement means "in the follower's log" (PostgreSQL's default
//! `synchronous_commit = on` makes a synchronous standby confirm after flushing the WAL;
//! `remote_apply` waits until it is replayed and visible to reads). MySQL's semi-synchronous
//! replication with `AFTER_SYNC` waits for a replica before the commit becomes visible on the
//! source; with `AFTER_COMMIT` other sessions may see a commit that a failover then loses.
//!
//! # Reading from followers
//!
//! A follower's data is as old as its lag. A user who writes and then reads from a follower may
//! not see their own write; [`ReadPolicy`] compares reading anywhere, reading from the primary
//! for a window after one's own write, and carrying a log-position token
//! ([`read_your_writes_experiment`]). Lag itself is usually measured by canary writes
//! ([`canary_experiment`]), which report it late and rounded up to the canary period.
//!
//! A session that reads from a different follower each time can see newer data and then older
//! data; a sticky follower or a session token carrying the newest position seen prevents that
//! ([`SessionRouting`], [`monotonic_reads_experiment`]). And a stale balance approves a
//! withdrawal the account cannot cover; an atomic conditional update on the primary cannot be
//! fooled ([`WithdrawalCheck`], [`double_debit_experiment`]).
//!
//! # Two leaders
//!
//! With a leader in each of two regions, both accept edits of the same record and replicate to
//! each other; concurrent edits conflict. Last writer wins (by wall clock or hybrid clock, from
//! [`crate::clocks`]) converges by dropping one of them; version-vector siblings and a CRDT
//! (from [`crate::crdt`]) keep them all ([`Resolution`], [`multi_leader_experiment`]).
//!
//! # Partitions
//!
//! During a network partition, a node that cannot reach the leader either refuses
//! ([`CapMode::Consistent`]) or answers from its own copy ([`CapMode::Available`]); the
//! histories go to the checkers of [`crate::check`] ([`cap_run`], [`cap_experiment`]). CAP's
//! "C" is linearizability, and the choice is made per request, only while a partition lasts.
//!
//! Without a partition the trade is latency against staleness (PACELC's "else"): waiting for
//! every region makes writes as slow as the farthest one and every local read fresh; waiting for
//! none makes writes fast and local reads stale by up to the replication delay ([`WaitFor`],
//! [`ReadFrom`], [`pacelc_experiment`]).
//!
//! # Judging histories
//!
//! [`atomic_register_history`] makes histories a single-copy register could produce (all
//! linearizable), and [`checker_cost_experiment`] measures how much searching it takes to
//! reject one.
//!
//! # What this module does not model
//!
//! Leader election (the leader is fixed, on the majority side), the old primary coming back
//! with writes nobody else has (Patroni rewinds or rebuilds it, discarding them), replay lag
//! separate from shipping lag, and network delay between clients and nodes beyond one hop.
//!
//! # References
//!
//! * Martin Kleppmann, "Designing Data-Intensive Applications", O'Reilly 2017, chapter 5
//!   ("Leaders and Followers", "Problems with Replication Lag") and chapter 9
//!   ("Linearizability", "The Cost of Linearizability").
//! * Seth Gilbert and Nancy Lynch, "Brewer's Conjecture and the Feasibility of Consistent,
//!   Available, Partition-Tolerant Web Services", SIGACT News 33(2), 2002: CAP as a theorem,
//!   with C = linearizability (atomic consistency).
//! * Daniel Abadi, "Consistency Tradeoffs in Modern Distributed Database System Design",
//!   IEEE Computer 45(2), 2012: PACELC.
//! * Douglas Terry et al., "Session Guarantees for Weakly Consistent Replicated Data", PDIS
//!   1994: read-your-writes and monotonic reads.
//!
//! # Examples
//!
//! ```
//! use lessons::replication::{LeaderSetup, failover_trial};
//! use lessons::sim::{Latency, ms};
//!
//! let asynchronous = LeaderSetup::new(2, 0, Latency::constant(ms(30)), ms(10))?;
//! let semi = LeaderSetup::new(2, 1, Latency::constant(ms(30)), ms(10))?;
//! assert!(failover_trial(&asynchronous, ms(800), 1)?.lost > 0);
//! assert_eq!(failover_trial(&semi, ms(800), 1)?.lost, 0);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod cap;
mod double_debit;
mod failover;
mod ladder;
mod monotonic;
mod multi_leader;
mod pacelc;
mod read_your_writes;

pub use cap::{
    CapMode, CapRequest, CapRow, CapRun, CapSetup, cap_experiment, cap_figure, cap_run,
    cap_scripted,
};
pub use double_debit::{
    DoubleDebitRow, Withdrawal, WithdrawalCheck, double_debit_experiment, double_debit_figure,
    final_balance,
};
pub use failover::{
    FailoverRow, FailoverTrial, LeaderSetup, MAX_FOLLOWERS, WriteRecord, failover_experiment,
    failover_loss_figure, failover_trial, write_latency_figure,
};
pub use ladder::{
    CheckerCostRow, atomic_register_history, checker_cost_experiment, checker_cost_figure,
};
pub use monotonic::{
    MonotonicRow, SessionRead, SessionRouting, monotonic_reads_experiment, monotonic_reads_figure,
    session_reads,
};
pub use multi_leader::{
    MultiLeaderRow, MultiLeaderRun, Resolution, multi_leader_experiment, multi_leader_figure,
    multi_leader_run,
};
pub use pacelc::{
    PacelcRow, PacelcRun, ReadFrom, Regions, StaleRead, WaitFor, pacelc_experiment, pacelc_figure,
    pacelc_run,
};
pub use read_your_writes::{
    CanaryRow, LagSpike, ReadPolicy, ReadYourWritesRow, Served, canary_experiment, canary_figure,
    read_your_writes_experiment, read_your_writes_figure,
};

/// The distinct names, in the order they first appear: one legend entry per mode or policy of
/// an experiment's rows.
fn first_seen<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for name in names {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen
}
