//! Messaging and idempotency: what retries, crashes and duplicates do to messages, and what
//! turns "delivered at least once" into "applied exactly once".
//!
//! A sender that gets no acknowledgement cannot tell whether its message was lost or only the
//! acknowledgement was. It can send again, and risk a second copy, or give up, and risk none:
//! **at-least-once** or **at-most-once**. No protocol over a network that loses messages gets
//! "delivered exactly once" (the two generals problem). What a system can get is an
//! exactly-once **effect**: deliver at least once, and make applying a message twice the same
//! as applying it once, by remembering which message ids were applied in the same local
//! transaction as the effect. That is the one idea behind everything below.
//!
//! # The pieces
//!
//! * **Delivery semantics** ([`deliver`], [`Strategy`], [`delivery_experiment`]): one message,
//!   four strategies, crash points before and after the effect and the acknowledgement. Only
//!   retry + receiver-side dedupe applies every message exactly once; marking "sent" before
//!   sending (Redis `SETNX`) is at-most-once, and loses messages (claim C18).
//! * **Idempotency keys** ([`IdempotencyStore`], [`charges_for_payment`],
//!   [`payment_experiment`], [`PaymentRace`], [`race_exploration`]): a payment API that must
//!   charge once per logical payment. Checking then inserting the key is a race; inserting
//!   first (`INSERT ... ON CONFLICT DO NOTHING`, with an "in progress" sentinel) is not; a key
//!   with a different body is refused; a retry that outlives the key's TTL, or a client that
//!   makes a fresh key per retry, charges again; and the key must travel on to the processor.
//! * **Dual writes and the outbox** ([`write_order`], [`dual_write_experiment`],
//!   [`relay_run`], [`relay_row`], [`poll_interval_experiment`]): committing a row and
//!   publishing an event can disagree three ways; writing the event into an outbox table in the
//!   same transaction cannot, and the relay that publishes it is at-least-once (claim C17).
//! * **The idempotent producer and transactional offsets** ([`PartitionLog`],
//!   [`producer_experiment`], [`transform_run`], [`transform_experiment`]): a broker that
//!   remembers each producer's last sequence number per partition drops retried copies; a
//!   consume-transform-produce loop is exactly-once only when the output and the input offset
//!   commit together.
//! * **Event sourcing, projections and the write-ahead log** ([`Account`],
//!   [`recover_from_snapshots`], [`replay_experiment`], [`state_at`], [`projection_run`],
//!   [`WriteAheadLog`], [`wal_experiment`]): state is the fold of the events, a snapshot plus
//!   the events after it gives the same state with a shorter replay, duplicates are skipped by
//!   event id, a read model lags the write model by what its projector has not applied yet, and
//!   only a record fsynced before its acknowledgement is sure to survive a crash.
//! * **Partitions and consumer groups** ([`partition_for_key`], [`moved_keys`],
//!   [`range_assignment`], [`group_run`], [`throughput_experiment`]): Kafka's default
//!   partitioner (murmur2 of the key modulo the partition count) keeps a key's records in one
//!   partition, and so in order, until partitions are added and most keys move; a group gives
//!   each partition to one consumer, so consumers beyond the partition count idle, and lag grows
//!   at the produce rate minus the consume rate.
//! * **Event time and windows** ([`event_stream`], [`event_time_windows`],
//!   [`processing_time_windows`], [`lateness_experiment`]): counting by the time events
//!   happened needs a watermark, the newest event time seen minus an allowed lateness; a larger
//!   lateness drops fewer late events and delays every result. Counting by arrival time never
//!   waits and puts delayed events in the wrong window.
//! * **Batch jobs on failing workers** ([`BatchJob`], [`run_batch`], [`failure_schedule`],
//!   [`batch_experiment`], [`batch_figure`]): word count as map and shuffle stages whose
//!   outputs live on the workers that computed them. Because the input never changes and
//!   every task is deterministic, a lost partition can be recomputed from its lineage (its
//!   parents, back to the input or a checkpoint) and the output is the same as without
//!   failures. MapReduce re-runs the completed map tasks of a failed worker, because their
//!   output was on its local disk, but not its completed reduce tasks, whose output is in the
//!   global file system; Spark recomputes lost partitions of an RDD from its lineage and
//!   checkpoints RDDs whose lineage has grown long. Checkpointing every k stages costs time
//!   on every run and shortens recovery when workers fail.
//!
//! # What it does not model
//!
//! Time in the key-store and relay runs is virtual ([`crate::sim::Time`]); every random choice
//! comes from a seeded [`crate::sim::Rng`]. There is no real broker: "Kafka-style" means the
//! mechanism (producer ids and per-partition sequence numbers, offsets committed in a
//! transaction, `read_committed` readers skipping aborted records), not Kafka's protocol,
//! batching or timeouts. The dedupe store is assumed to commit with the effect; a store that
//! commits separately has its own crash window.
//!
//! # References
//!
//! * Martin Kleppmann, "Designing Data-Intensive Applications", O'Reilly 2017: chapter 11
//!   ("Stream Processing": exactly-once, idempotence, the outbox's cousin change data capture)
//!   and chapter 12 ("end-to-end argument", operation identifiers).
//! * Jerome H. Saltzer, David P. Reed, David D. Clark, "End-to-End Arguments in System Design",
//!   ACM TOCS 2(4), 1984: duplicate suppression belongs at the ends.
//! * Chris Richardson, "Pattern: Transactional outbox", microservices.io.
//! * Apache Kafka KIP-98, "Exactly Once Delivery and Transactional Messaging": producer ids,
//!   sequence numbers, transactions and `read_committed`.
//! * Stripe API reference, "Idempotent requests".
//! * Jeffrey Dean and Sanjay Ghemawat, "MapReduce: Simplified Data Processing on Large
//!   Clusters", OSDI 2004, section 3.3 (fault tolerance: re-executing map tasks of a failed
//!   worker).
//! * Matei Zaharia et al., "Resilient Distributed Datasets: A Fault-Tolerant Abstraction for
//!   In-Memory Cluster Computing", NSDI 2012: lineage, and checkpointing long lineage chains.
//! * Tyler Akidau et al., "The Dataflow Model", VLDB 2015: event time, processing time,
//!   windows and watermarks.
//!
//! # Examples
//!
//! ```
//! use lessons::messaging::{Begin, IdempotencyStore, Strategy, deliver};
//! use lessons::sim::secs;
//!
//! // A network with no faults: every strategy applies the message once.
//! assert!(Strategy::ALL.iter().all(|&s| deliver(s, |_| false).effects == 1));
//!
//! let mut keys = IdempotencyStore::new(secs(86_400))?;
//! assert_eq!(keys.begin("order-42", "10 EUR", secs(0)), Begin::Fresh);
//! assert_eq!(keys.begin("order-42", "10 EUR", secs(1)), Begin::InProgress);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod batch;
mod batch_experiment;
mod consumer_group;
mod delivery;
mod dual_write;
mod event_sourcing;
mod figures;
mod idempotency;
mod outbox;
mod params;
mod partitioner;
mod payment_race;
mod payments;
mod producer;
mod projection;
mod transform;
mod wal;
mod windows;

pub use batch::{BatchJob, BatchRun, Counts, WorkerFailure, failure_schedule, run_batch};
pub use batch_experiment::{BatchRow, batch_experiment, batch_figure};
pub use consumer_group::{
    GroupRun, GroupSetup, LagSample, ThroughputRow, group_run, range_assignment,
    throughput_experiment,
};
pub use delivery::{
    Delivery, DeliveryFaults, DeliveryRow, FaultPoint, MAX_ATTEMPTS, MAX_MESSAGES, Strategy,
    deliver, delivery_experiment,
};
pub use dual_write::{
    DualWriteRow, WriteApproach, WrittenOrder, dual_write_experiment, write_order,
};
pub use event_sourcing::{
    Account, AccountEvent, ReplayRow, account_history, recover_from_snapshots, replay_experiment,
    state_at,
};
pub use figures::{
    delivery_figure, delivery_loss_figure, dual_write_figure, lag_figure, lateness_figure,
    payment_figure, producer_figure, projection_figure, relay_latency_figure, replay_figure,
    throughput_figure, transform_figure, ttl_figure,
};
pub use idempotency::{Begin, IdempotencyStore};
pub use outbox::{
    Published, RelayRow, RelayRun, RelaySetup, poll_interval_experiment, relay_row, relay_run,
};
pub use partitioner::{MovedKeys, moved_keys, murmur2, partition_for_key};
pub use payment_race::{
    KeyRow, PaymentRace, RaceRow, RaceState, RaceStep, Stage, race_exploration,
};
pub use payments::{
    KeyCheck, MAX_PAYMENTS, PaymentLoad, PaymentRow, PaymentVariant, charges_for_payment,
    payment_experiment,
};
pub use producer::{Appended, PartitionLog, ProducerRow, producer_experiment};
pub use projection::{ProjectionRow, projection_run};
pub use transform::{OffsetCommit, OutputLog, TransformRow, transform_experiment, transform_run};
pub use wal::{Durability, WalRow, WriteAheadLog, wal_experiment, wal_run};
pub use windows::{
    LatenessRow, TimedEvent, WindowCounts, event_stream, event_time_windows, lateness_experiment,
    processing_time_windows, true_counts,
};
