//! Transactions: what isolation levels allow when transactions run at the same time, the
//! mechanisms behind them (locks, validation, multiple versions), and committing atomically
//! across several participants.
//!
//! The harness is a small multi-version key-value store ([`Database`]) and a scheduler that
//! decides which transaction takes the next step: in a given order ([`run_in_order`]), at
//! random from a seed ([`run_random`]), or in every possible order ([`every_interleaving`]).
//! A transaction is a [`Program`] of reads, locking reads, writes, store-side increments and
//! guards, followed by a commit. The store records which version each read saw, so every run
//! ends with a [`TransactionHistory`](crate::check::TransactionHistory) that
//! [`check_isolation`](crate::check::check_isolation) turns into a dependency graph and, when
//! it has a cycle, the anomaly's name.
//!
//! # The levels, as modelled
//!
//! [`Isolation`] has five: read committed (no read locks, X locks on writes), strict two-phase
//! locking (S on read, X on write, upgrades, a wait-for graph that aborts the transaction whose
//! request closes a cycle), optimistic concurrency control (no locks, the read set validated at
//! commit), snapshot isolation (reads from a snapshot, **first committer wins** on write
//! conflicts), and serializable snapshot isolation (snapshot isolation that also aborts, never
//! blocks, when a transaction would have both an incoming and an outgoing rw anti-dependency
//! with concurrent transactions: Cahill's "dangerous structure").
//!
//! What real systems do, and where this model differs:
//!
//! * PostgreSQL's default is READ COMMITTED. Its REPEATABLE READ is snapshot isolation with
//!   **first updater wins**: a writer that meets a row updated by a concurrent transaction
//!   waits for that transaction's row lock, and fails with "could not serialize access due to
//!   concurrent update" if it committed. Here the check happens at commit (first committer
//!   wins): the same transactions survive, the loser finds out later and nobody waits.
//! * PostgreSQL's SERIALIZABLE is SSI (Ports and Grittner): SIREAD "locks" record reads and
//!   never block; it tracks anti-dependencies as reads and writes happen and uses commit order
//!   to avoid some false positives. Here the test runs at commit, over committed transactions:
//!   simpler, and a little more eager to abort.
//! * MySQL InnoDB's default is REPEATABLE READ: plain SELECTs read a consistent snapshot, but
//!   locking reads and UPDATEs act on the latest committed row, so a read-modify-write done in
//!   the application can still lose an update unless it reads with FOR UPDATE.
//! * CockroachDB runs SERIALIZABLE by default.
//!
//! Every level here buffers writes until commit, so no run can read uncommitted data (G1a,
//! G1b) or interleave writes into a cycle (G0): the interesting anomalies are the ones with rw
//! edges, which is where the levels differ.
//!
//! # MVCC is a mechanism, snapshot isolation a level
//!
//! The store keeps a chain of committed versions per key ([`Database::versions`]). A snapshot
//! is not a copy: it is one number, the commit counter at the transaction's first step, and a
//! read takes the newest version committed at or before it ([`Database::version_at`]). Old
//! versions are garbage once no active snapshot can see them
//! ([`Database::collect_garbage`], [`long_reader_experiment`]).
//!
//! # Experiments
//!
//! * The lost update and its fixes ([`IncrementMethod`], [`increment_interleavings`],
//!   [`lost_update_experiment`], [`lost_updates_figure`], [`deadlocks_figure`]).
//! * Write skew with doctors on call ([`on_call_interleavings`], [`on_call_experiment`],
//!   [`on_call_figure`]).
//! * Optimistic against locking as contention grows, and a long optimistic transaction starved
//!   by short writers until it is given priority ([`contention_experiment`],
//!   [`contention_figure`], [`retry_tail_figure`], [`starvation_run`]).
//! * The last item in stock: a lagging replica oversells, a conditional decrement cannot, and
//!   reservations with a time to live hold units for abandoned carts
//!   ([`oversell_experiment`], [`oversell_figure`], [`reservation_experiment`],
//!   [`reservation_figure`]).
//! * Two-phase commit with the coordinator crashing at every step: presumed abort, the
//!   blocking window, locks held through the coordinator's downtime, recovery from its
//!   decision log; three-phase commit split by a partition ([`two_phase_commit`],
//!   [`crash_at_every_step`], [`lock_hold_figure`], [`hot_row_figure`],
//!   [`three_phase_commit_split`]).
//! * Version chains behind a long reader ([`long_reader_experiment`], [`chain_figure`]).
//! * A saga for an order (reserve, charge, ship, notify), orchestrated or choreographed, under
//!   random failure schedules: compensations in reverse, idempotency keys, the pivot, and
//!   what readers see without isolation ([`run_saga`], [`saga_experiment`],
//!   [`saga_outcome_figure`], [`saga_read_experiment`], [`saga_read_figure`]).
//!
//! # Sagas: atomicity without isolation
//!
//! A saga (Garcia-Molina and Salem) replaces one long transaction by a sequence of local
//! transactions, each committed on its own, and gives each one a *compensation* that
//! semantically undoes it (a refund, not a deleted row). If step k fails, the compensations
//! of steps k−1 … 1 run, last first. What it guarantees: eventually all steps, or all
//! compensations of the steps that took effect. What it does not: isolation. Every step
//! is visible the moment it commits, so a reader can see a charge that is refunded a second
//! later. The usual fix is a *semantic lock*: the order carries a status such as PENDING
//! until the saga ends, and readers and other sagas treat it accordingly. Retries make every
//! request possibly repeated, so each service must ignore repeats of a request it has
//! applied: an idempotency key of order id and step. The *pivot* is the step after which the
//! saga cannot be undone (the parcel has left); steps after it must be retriable, so the
//! pivot belongs as late as possible.
//!
//! # References
//!
//! * Hal Berenson, Phil Bernstein, Jim Gray, Jim Melton, Elizabeth O'Neil and Patrick O'Neil,
//!   "A Critique of ANSI SQL Isolation Levels", SIGMOD 1995: snapshot isolation, first
//!   committer wins, the lost update and write skew (section 4).
//! * Michael Cahill, Uwe Röhm and Alan Fekete, "Serializable Isolation for Snapshot
//!   Databases", SIGMOD 2008: the dangerous structure, and aborting instead of blocking.
//! * Dan Ports and Kevin Grittner, "Serializable Snapshot Isolation in PostgreSQL", VLDB 2012.
//! * H. T. Kung and John Robinson, "On Optimistic Methods for Concurrency Control", ACM TODS
//!   6(2), 1981: validation at commit.
//! * Philip Bernstein, Vassos Hadzilacos and Nathan Goodman, "Concurrency Control and Recovery
//!   in Database Systems", 1987: chapter 3 (two-phase locking, deadlock detection).
//! * Jim Gray, "Notes on Data Base Operating Systems", 1978, and C. Mohan, Bruce Lindsay and
//!   Ron Obermarck, "Transaction Management in the R* Distributed Database Management
//!   System", ACM TODS 11(4), 1986: two-phase commit and presumed abort.
//! * Hector Garcia-Molina and Kenneth Salem, "Sagas", SIGMOD 1987: compensating transactions,
//!   and the loss of isolation between sagas.
//! * Chris Richardson, "Microservices Patterns", 2018, chapter 4: orchestration and
//!   choreography, pivot and retriable transactions, semantic locks.
//! * Dale Skeen, "Nonblocking Commit Protocols", SIGMOD 1981: three-phase commit, which
//!   assumes failures can be told apart from slowness (no partitions).
//! * Martin Kleppmann, "Designing Data-Intensive Applications", chapters 7 and 9.
//!
//! # Examples
//!
//! ```
//! use lessons::transactions::*;
//!
//! let (initial, programs) = on_call_workload(2)?;
//! let skewed = run_in_order(Isolation::Snapshot, &initial, &programs, &[0, 1, 0, 1, 0, 1, 0, 1])?;
//! assert_eq!((skewed.value("alice"), skewed.value("bob")), (Some(0), Some(0)));
//! assert_eq!(skewed.check().anomaly.map(|a| a.to_string()).as_deref(), Some("G2-item"));
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod atomic_commit;
mod contention;
mod database;
mod isolation;
mod locks;
mod lost_update;
mod oversell;
mod program;
mod saga;
mod saga_experiment;
mod schedule;
mod versions;
mod write_skew;

pub use atomic_commit::{
    CommitRow, CrashPoint, Outcome, crash_at_every_step, hot_row_figure, lock_hold_figure,
    three_phase_commit_split, two_phase_commit,
};
pub use contention::{
    ContentionParameters, ContentionRow, StarvationRow, contention_experiment, contention_figure,
    retry_tail_figure, starvation_run,
};
pub use database::{Counters, Database, Status, Step, Version};
pub use isolation::{AbortReason, Isolation};
pub use lost_update::{
    IncrementMethod, IncrementRow, deadlocks_figure, increment_interleavings,
    lost_update_experiment, lost_updates_figure,
};
pub use oversell::{
    Checkout, OversellRow, ReservationRow, oversell_experiment, oversell_figure,
    reservation_experiment, reservation_figure,
};
pub use program::{NewValue, Operation, Program};
pub use saga::{
    SagaConfig, SagaEffect, SagaFault, SagaOutcome, SagaRun, SagaSchedule, SagaStep, SagaStyle,
    run_saga,
};
pub use saga_experiment::{
    SagaReadRow, SagaRow, saga_experiment, saga_outcome_figure, saga_read_experiment,
    saga_read_figure,
};
pub use schedule::{
    Interleaving, MAX_INTERLEAVINGS, RunTotals, every_interleaving, run_in_order, run_random,
};
pub use versions::{ChainRow, chain_figure, long_reader_experiment};
pub use write_skew::{
    InitialValues, OnCallRow, doctor_names, on_call_experiment, on_call_figure,
    on_call_interleavings, on_call_workload,
};
