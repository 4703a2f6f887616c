//! Executable lessons on distributed systems, made to be used from Jupyter notebooks.
//!
//! Each concept is a small state machine you drive by hand: you decide when an event happens and
//! which message arrives where, so every run is repeatable and every number in a notebook can be
//! checked by a test. The lessons, in the order the notebooks take them:
//!
//! * [`sim`]: the simulation toolkit every lesson runs on: seeded randomness, virtual time, a
//!   network with delays, loss, duplication and partitions, nodes that crash and pause, clocks
//!   that drift and jump, a recorder, and small statistics helpers.
//! * [`rate_limit`]: token and leaky buckets, fixed and sliding windows, on virtual time; limits
//!   spread over several gateways, cost-weighted and layered limits, fail-open and fail-closed.
//! * [`ids`]: Snowflake IDs and their layouts, clocks that go backwards, UUIDv4, UUIDv7, ULID,
//!   Base62 short codes, the birthday bound, and what each key does to a B-tree index.
//! * [`clocks`]: physical, Lamport, vector and hybrid logical clocks, TrueTime-style intervals,
//!   last-writer-wins and causal delivery, and what each clock can and cannot tell; version
//!   vectors per key, siblings and dotted version vectors.
//! * [`crdt`]: replicated data types that converge without coordination: counters, sets,
//!   registers, the shopping cart, and what they cannot keep (invariants, small metadata).
//! * [`partitioning`]: hash mod N against a consistent-hash ring with virtual nodes, preference
//!   lists across zones, range keys and hot spots, salting, rebalancing, scatter-gather latency.
//! * [`quorum`]: leaderless replication: N, W and R, stale reads, quorum latency, read repair,
//!   sloppy quorums and hinted handoff, Merkle-tree anti-entropy, tombstones, data centres.
//! * [`replication`]: leader-based replication: asynchronous, semi-synchronous and synchronous
//!   followers, writes lost at failover, replication lag, read-your-writes and monotonic reads,
//!   stale balances, two leaders in two regions, CAP in a simulated partition, PACELC.
//! * [`failure_detection`]: timeouts against slow nodes, heartbeats, adaptive timeouts and phi
//!   accrual, gossip, SWIM's indirect probes, presence at scale, leases, split brain and
//!   fencing tokens.
//! * [`raft`]: Raft consensus as a pure state machine on the simulator: randomized elections
//!   and split votes, log replication and the commit rule (the paper's Figure 8), persistence
//!   across crashes, client sessions, snapshots, partitions and cluster sizes, election storms,
//!   and the crash-versus-Byzantine arithmetic; every run checked for Raft's safety properties.
//! * [`transactions`]: isolation levels on a small multi-version store: the lost update and its
//!   fixes, lock upgrades that deadlock, snapshot isolation and write skew, serializable
//!   snapshot isolation, version chains and their garbage collection, optimistic against
//!   locking under contention, the last item in stock, two-phase commit with a crashing
//!   coordinator, and sagas with compensations.
//! * [`messaging`]: delivery semantics with crash points, idempotency keys and the
//!   check-then-insert race, dual writes against the transactional outbox, the idempotent
//!   producer and offsets committed with the output, event sourcing and the write-ahead log,
//!   partitions and consumer groups, event-time windows and late data: what makes an effect
//!   happen exactly once, and in which order; and batch jobs recovered by lineage or
//!   checkpoints.
//! * [`resilience`]: overload and resilience: queues against the M/M/c formulas and Little's
//!   law, goodput with bounded and unbounded queues, retries with backoff and jitter, retry
//!   amplification and budgets, circuit breakers and their false trips, thread pools and
//!   bulkheads, load balancing with a slow server, availability arithmetic.
//! * [`storage`]: storage engines and Bloom filters: B+-tree page splits, height and fill,
//!   LSM trees with leveled and size-tiered compaction and their amplifications, compaction
//!   falling behind a write burst, tombstones after mass deletes, Bloom filters sized from n
//!   and p and measured against the formula, filters past their capacity, counting and
//!   scalable filters, a daily-rebuilt filter with a side set of recent keys, and filters on
//!   the LSM read path.
//! * [`caching`]: caches in front of a slow backend: cache-aside, read-through, write-through,
//!   write-behind and write-around; the invalidation race and versioned sets; TTL arithmetic;
//!   eviction policies against Belady's optimum on skewed traces; hot-key stampedes and their
//!   cures (mutex, singleflight, stale-while-revalidate, early refresh), mass expiry and TTL
//!   jitter, penetration against Bloom filters and cached nulls; hot keys behind local caches.
//! * [`ml_platform`]: the statistics of shipping models and versions: canary analysis and
//!   peeking, A/B power and sample size, drift monitors (PSI, KS), offline metrics and ROC AUC,
//!   point-in-time training joins, grid against random hyperparameter search, ring
//!   all-reduce against a parameter server, feature freshness of a batch DAG with age and
//!   failure alerts, micro-batching inference and batch-prediction staleness, new-category
//!   drift, delayed labels and retraining triggers.
//! * [`check`]: consistency checkers: is a recorded register history linearizable, or at least
//!   sequentially consistent? Which isolation anomaly does a transaction history's dependency
//!   cycle prove? And a bounded explorer that tries every run of a small model and
//!   returns a shortest one that breaks an invariant.
//!
//! And the parts they share:
//!
//! * [`table`]: [`table::Table`], rows of state per node or replica.
//! * [`viz`]: pictures rendered to SVG: [`viz::Figure`] (line, step, scatter, bar and histogram
//!   charts), [`viz::Heatmap`] and [`viz::SpaceTimeDiagram`].
//! * [`display`]: how all of the above show themselves in a notebook (several outputs per cell,
//!   outputs that update in place).
//! * [`try_it`]: the check that ends a "try it" cell, comparing the learner's prediction with the
//!   run.
//! * [`widgets`]: live controls: sliders, dropdowns and checkboxes whose changes rerun a
//!   compiled closure and redraw its output in place, without a compile (ipywidgets 8 models).
//!
//! # Using it from a notebook
//!
//! The first cell of a notebook loads the crate (evcxr syntax), later cells import what they need:
//!
//! ```text
//! :dep lessons = { path = "../lessons" }
//! ```
//!
//! ```
//! use lessons::clocks::LamportClock;
//! use lessons::display::RichDisplay;
//! use lessons::table::Table;
//!
//! let mut clock = LamportClock::new();
//! clock.tick();
//! let mut table = Table::new(["process", "Lamport time"]);
//! table.push_row(["A".to_string(), clock.time().to_string()])?;
//! table.show();
//! # Ok::<(), lessons::table::TableError>(())
//! ```
//!
//! A table, figure or bundle that is the last expression of a cell is displayed by evcxr, which
//! calls its inherent `evcxr_display` method; [`display::RichDisplay::show`] displays one anywhere
//! in a cell.
#![deny(missing_docs)]

pub mod caching;
pub mod check;
pub mod clocks;
pub mod crdt;
pub mod display;
pub mod failure_detection;
pub mod ids;
mod kernel_bridge;
pub mod messaging;
pub mod ml_platform;
pub mod partitioning;
pub mod quorum;
pub mod raft;
pub mod rate_limit;
pub mod replication;
pub mod resilience;
pub mod sim;
pub mod storage;
pub mod table;
pub mod transactions;
pub mod try_it;
pub mod viz;
pub mod widgets;
