//! Failure detection, gossip, leases and fencing: deciding that a node is dead when all you
//! ever observe is silence, and acting safely on a decision that may be wrong.
//!
//! In an asynchronous network a crashed node and a slow one look the same: both are silent.
//! Fischer, Lynch and Paterson showed that no deterministic protocol can tell them apart in
//! bounded time, so every detector here *guesses*, from timing, and every guess trades speed
//! against mistakes. Chandra and Toueg named the two sides: *completeness* (a crashed node is
//! eventually suspected) and *accuracy* (a live node is not).
//!
//! # Detecting
//!
//! * **Timeouts** ([`timeout_experiment`]): a live node with heavy-tailed response times
//!   (log-normal plus GC pauses) against a crashed one. A longer timeout τ means fewer false
//!   suspicions and slower detection; no finite τ makes false suspicions impossible when delays
//!   are unbounded.
//! * **Fixed heartbeats** ([`HeartbeatDetector`], [`heartbeat_experiment`]): a beat every T,
//!   death after K misses, exactly `K·T` after the last beat heard. With independent loss p, a
//!   check finds a live sender suspected with probability `p^K`
//!   ([`false_suspicion_per_check`]).
//! * **Adaptive timeouts** ([`AdaptiveTimeout`]): TCP's `SRTT + 4·RTTVAR` (RFC 6298) applied to
//!   heartbeat intervals, so the timeout follows the network.
//! * **Phi accrual** ([`PhiAccrual`]): a suspicion level, `phi = -log10 P(a beat is still to
//!   come)`, compared with a threshold the caller picks. [`PhiModel::Exponential`] is the model
//!   Cassandra's detector uses (`phi = t / (mean · ln 10)`, so phi = 8, Cassandra's default
//!   `phi_convict_threshold`, comes after `8 · ln 10 ≈ 18.4` mean intervals of silence);
//!   [`PhiModel::Normal`] is the model of Hayashibara et al. and of Akka's detector (a normal
//!   distribution, with Akka's logistic approximation of its tail and a floor on the standard
//!   deviation). [`compare_detectors`] runs them all on the same heartbeats.
//!
//! # Spreading the news
//!
//! * **Gossip** ([`spread`], [`gossip_experiment`]): push, pull and push-pull with fanout f.
//!   Push with f = 1 needs about `log2 N + ln N` rounds ([`push_rounds_estimate`]); push-pull
//!   and larger fanouts fewer.
//! * **SWIM** ([`false_failure_probability`], [`indirect_probe_experiment`]): before declaring
//!   a peer failed, ask k others to probe it, so one bad link does not condemn a healthy node.
//!   SWIM (Das, Gupta and Motivala 2002) adds a *suspect* state and spreads membership changes
//!   by piggybacking them on probes; HashiCorp's memberlist (used by Consul) implements it with
//!   the Lifeguard extensions, which make a node that is itself slow less quick to accuse
//!   others. This module models only the probe arithmetic.
//! * **Gray failures** ([`gray_failure_run`]): a backend that answers its health checks while
//!   failing real requests is caught only by watching the requests themselves: its success
//!   rate against the other backends' ([`Ejection::SuccessRate`], as Envoy's outlier
//!   detection does) or its latency ([`Ejection::LatencyRatio`]). A liveness probe should ask
//!   "restart me?", a readiness probe "send me traffic?"; neither sees a gray failure.
//! * **Presence** ([`writes_per_second`], [`presence_policy`], [`server_crash`]): what
//!   heartbeats cost at millions of users, and how long someone who left shows online.
//!
//! # Acting on a suspicion
//!
//! * **Leases** ([`LeaseBudget`], [`lease_handover`], [`renewal_experiment`]): a lock that
//!   expires unless renewed (etcd grants leases with a TTL in seconds and deletes the keys
//!   attached to one when it expires). A holder that stops `lease·(1-ρ) - max_delay` after the
//!   grant arrives never overlaps its successor, *if* its clock drifts by at most ρ and nothing
//!   pauses it between checking the lease and acting.
//! * **Split brain** ([`failover_run`]): two nodes that lose sight of each other both become
//!   primary unless a third vote (a witness) breaks the tie.
//! * **Fencing** ([`FencedStorage`], [`pause_scenario`]): the lock service hands out a token
//!   that grows with every grant, and the storage refuses writes with a token older than one it
//!   has seen. That closes the gap a pause opens, and only if the storage compares and writes
//!   in one step.
//!
//! # What the simulation follows
//!
//! Everything runs on virtual time ([`crate::sim::Time`]) with seeded randomness; detectors see
//! only arrival times of heartbeats. The phi detectors follow Cassandra's (exponential) and
//! Akka's (normal) models; the lease follows a lock service whose clock is the reference and a
//! holder whose clock drifts. Nothing here models a real product's configuration beyond the
//! numbers named above.
//!
//! # References
//!
//! * Tushar Deepak Chandra and Sam Toueg, "Unreliable Failure Detectors for Reliable
//!   Distributed Systems", JACM 43(2), 1996: completeness and accuracy.
//! * Naohiro Hayashibara, Xavier Défago, Rami Yared and Takuya Katayama, "The φ Accrual Failure
//!   Detector", SRDS 2004.
//! * Vern Paxson, Mark Allman, Jerry Chu and Matt Sargent, RFC 6298, "Computing TCP's
//!   Retransmission Timer", 2011, section 2.
//! * Alan Demers et al., "Epidemic Algorithms for Replicated Database Maintenance", PODC 1987;
//!   Richard Karp, Christian Schindelhauer, Scott Shenker and Berthold Vöcking, "Randomized
//!   Rumor Spreading", FOCS 2000 (push-pull).
//! * Abhinandan Das, Indranil Gupta and Ashish Motivala, "SWIM: Scalable Weakly-consistent
//!   Infection-style Process Group Membership Protocol", DSN 2002, section 3.
//! * Armon Dadgar, James Phillips and Jon Currey, "Lifeguard: Local Health Awareness for More
//!   Accurate Failure Detection", 2018.
//! * Cary Gray and David Cheriton, "Leases: An Efficient Fault-Tolerant Mechanism for
//!   Distributed File Cache Consistency", SOSP 1989.
//! * Martin Kleppmann, "How to do distributed locking", 2016, and "Designing Data-Intensive
//!   Applications", chapter 8 ("The leader and the lock", fencing tokens).
//!
//! # Examples
//!
//! ```
//! use lessons::failure_detection::*;
//! use lessons::sim::secs;
//!
//! let mut detector = HeartbeatDetector::new(secs(5), 3)?;
//! detector.heartbeat(secs(100));
//! assert_eq!(detector.deadline(), Some(secs(115)));
//!
//! let mut storage = FencedStorage::new(Fencing::TokenCheck);
//! assert!(storage.write(34, "B"));
//! assert!(!storage.write(33, "A, after its pause"));
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod adaptive;
mod comparison;
mod detector;
mod fencing;
mod gossip;
mod gray;
mod heartbeat;
mod lease;
mod phi;
mod plots;
mod presence;
mod split_brain;
mod swim;
mod timeouts;

pub use adaptive::AdaptiveTimeout;
pub use comparison::{
    DetectorRow, DetectorSetting, PhiRow, ShiftingNetwork, compare_detectors, phi_timeline,
};
pub use detector::Detector;
pub use fencing::{FencedStorage, Fencing, PauseRun, SCENARIO_LEASE, WriteRow, pause_scenario};
pub use gossip::{
    Exchange, GossipRow, MAX_GOSSIP_NODES, SpreadRun, gossip_experiment, push_rounds_estimate,
    spread,
};
pub use gray::{Ejection, GrayRow, gray_failure_run};
pub use heartbeat::{
    HeartbeatChannel, HeartbeatDetector, HeartbeatRow, false_suspicion_per_check,
    heartbeat_experiment,
};
pub use lease::{
    HandoverRun, LeaseBudget, MAX_DRIFT_PPM, RenewalRow, lease_handover, renewal_experiment,
};
pub use phi::{PhiAccrual, PhiModel, PhiThreshold};
pub use plots::{
    detector_figure, fencing_timeline, gossip_figure, heartbeat_heatmaps, phi_figure,
    phi_threshold_figure, probe_figure, timeout_figure,
};
pub use presence::{
    ArithmeticRow, CrashRow, PresenceRow, UserGroup, c13_presence_arithmetic,
    interval_for_daily_writes, monthly_cost, presence_policy, server_crash, writes_per_second,
};
pub use split_brain::{Failover, FailoverRow, Trouble, failover_run};
pub use swim::{ProbeRow, false_failure_probability, indirect_probe_experiment};
pub use timeouts::{TimeoutRow, timeout_experiment};
