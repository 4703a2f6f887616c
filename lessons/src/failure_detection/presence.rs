//! Presence at scale: what "online" costs when millions of users heartbeat.

use serde::Serialize;

use super::heartbeat::{positive, round_to};
use crate::sim::{Rng, SimError, Time, secs};

/// Heartbeat writes per second for `users` users each beating every `interval`: `users /
/// interval`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::writes_per_second;
/// use lessons::sim::secs;
///
/// assert_eq!(writes_per_second(5_000_000, secs(5)), 1_000_000.0);
/// ```
pub fn writes_per_second(users: u64, interval: Time) -> f64 {
    users as f64 / interval.as_secs_f64()
}

/// The heartbeat interval at which `users` users produce `ops_per_day` writes a day.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::interval_for_daily_writes;
///
/// let interval = interval_for_daily_writes(5_000_000, 2e9);
/// assert_eq!(format!("{:.0}", interval.as_secs_f64()), "216");
/// ```
pub fn interval_for_daily_writes(users: u64, ops_per_day: f64) -> Time {
    Time::from_nanos_f64(users as f64 * 86_400e9 / ops_per_day)
}

/// What `nodes` machines at `dollars_per_hour` cost a month of 730 hours (365 × 24 / 12).
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::monthly_cost;
///
/// assert_eq!(format!("{:.0}", monthly_cost(40, 0.065)), "1898");
/// ```
pub fn monthly_cost(nodes: u64, dollars_per_hour: f64) -> f64 {
    nodes as f64 * dollars_per_hour * 730.0
}

/// A group of users with one heartbeat interval: active, idle or in the background.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::UserGroup;
/// use lessons::sim::secs;
///
/// let idle = UserGroup::new("idle", 3_000_000, secs(60))?;
/// assert_eq!(idle.writes_per_second(), 50_000.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserGroup {
    name: String,
    users: u64,
    interval: Time,
}

impl UserGroup {
    /// `users` users called `name` beating every `interval`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a non-positive interval.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::UserGroup;
    /// use lessons::sim::secs;
    ///
    /// assert!(UserGroup::new("active", 10, secs(0)).is_err());
    /// ```
    pub fn new(name: &str, users: u64, interval: Time) -> Result<UserGroup, SimError> {
        positive("interval", interval)?;
        Ok(UserGroup {
            name: name.to_string(),
            users,
            interval,
        })
    }

    /// The group's heartbeat writes per second.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::UserGroup;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(UserGroup::new("active", 10, secs(5))?.writes_per_second(), 2.0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn writes_per_second(&self) -> f64 {
        writes_per_second(self.users, self.interval)
    }
}

/// One presence policy: its write load and how long a user who left still shows online.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{UserGroup, presence_policy};
/// use lessons::sim::secs;
///
/// let everyone = [UserGroup::new("all", 1_000, secs(5))?];
/// let row = presence_policy("fixed 5 s", &everyone, 3, 2_000, 1)?;
/// assert_eq!(row.writes_per_second, 200.0);
/// assert!(row.worst_online_after_leaving_s <= 15.0); // never beyond the TTL
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PresenceRow {
    /// The policy's name.
    pub policy: String,
    /// Heartbeat writes per second, summed over the groups.
    pub writes_per_second: f64,
    /// Mean time a user who left still shows online, in seconds.
    pub online_after_leaving_s: f64,
    /// The longest such time seen, in seconds.
    pub worst_online_after_leaving_s: f64,
}

/// A presence policy: every user writes a key with TTL `ttl_beats` × its group's interval at
/// each heartbeat; a user who leaves (at a random moment) stops beating and shows online until
/// the key expires. `departures` departures are drawn, each from a group in proportion to its
/// size.
///
/// # Errors
///
/// [`SimError::Parameter`] for no groups, no users, `ttl_beats` of 0 or no departures.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{UserGroup, presence_policy};
/// use lessons::sim::secs;
///
/// let tiered = [
///     UserGroup::new("active", 1_000_000, secs(10))?,
///     UserGroup::new("idle", 1_500_000, secs(60))?,
///     UserGroup::new("background", 2_500_000, secs(300))?,
/// ];
/// let row = presence_policy("tiered", &tiered, 3, 1_000, 1)?;
/// assert_eq!(format!("{:.0}", row.writes_per_second), "133333");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn presence_policy(
    name: &str,
    groups: &[UserGroup],
    ttl_beats: u32,
    departures: usize,
    seed: u64,
) -> Result<PresenceRow, SimError> {
    let users: u64 = groups.iter().map(|group| group.users).sum();
    if users == 0 {
        return Err(SimError::parameter(
            "groups",
            groups.len(),
            "give at least one group with at least one user",
        ));
    }
    if ttl_beats == 0 || departures == 0 {
        return Err(SimError::parameter(
            "ttl_beats and departures",
            format!("{ttl_beats} and {departures}"),
            "both must be at least 1",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut delays = Vec::with_capacity(departures);
    for _ in 0..departures {
        let mut pick = rng.below(users);
        let group = groups
            .iter()
            .find(|group| {
                let inside = pick < group.users;
                if !inside {
                    pick -= group.users;
                }
                inside
            })
            .unwrap_or(&groups[0]);
        // The last beat came some time in the interval before leaving; the key outlives it
        // by the TTL.
        let since_last_beat = rng.between(Time::ZERO, group.interval);
        let ttl = group.interval * i64::from(ttl_beats);
        delays.push((ttl - since_last_beat).as_secs_f64());
    }
    Ok(PresenceRow {
        policy: name.to_string(),
        writes_per_second: round_to(groups.iter().map(UserGroup::writes_per_second).sum(), 1),
        online_after_leaving_s: round_to(delays.iter().sum::<f64>() / departures as f64, 2),
        worst_online_after_leaving_s: round_to(delays.iter().copied().fold(0.0, f64::max), 2),
    })
}

/// When a chat server with many connected users crashes, how long they keep showing online:
/// with one presence key per user (TTL `user_ttl`, refreshed at each beat every
/// `user_interval`), each key lives on for its remaining TTL; with a per-server registry (the
/// server's own key, TTL `server_ttl`), all its users go offline together when that key
/// expires.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::server_crash;
/// use lessons::sim::secs;
///
/// let row = server_crash(50_000, secs(10), secs(30), secs(5), 1)?;
/// assert!(row.per_user_last_offline_s <= 30.0 && row.per_user_last_offline_s > 29.0);
/// assert_eq!(row.registry_all_offline_s, 5.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrashRow {
    /// Users connected to the server.
    pub users: u64,
    /// Per-user keys: mean seconds until a user shows offline.
    pub per_user_mean_offline_s: f64,
    /// Per-user keys: seconds until the last user shows offline.
    pub per_user_last_offline_s: f64,
    /// Per-server registry: seconds until all show offline (the server key's TTL at worst).
    pub registry_all_offline_s: f64,
}

/// See [`CrashRow`].
///
/// # Errors
///
/// [`SimError::Parameter`] for no users or more than 10 million, non-positive times, or a TTL
/// shorter than the interval.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::server_crash;
/// use lessons::sim::secs;
///
/// assert!(server_crash(10, secs(30), secs(10), secs(5), 1).is_err()); // TTL < interval
/// ```
pub fn server_crash(
    users: u64,
    user_interval: Time,
    user_ttl: Time,
    server_ttl: Time,
    seed: u64,
) -> Result<CrashRow, SimError> {
    if !(1..=10_000_000).contains(&users) {
        return Err(SimError::parameter(
            "users",
            users,
            "from 1 to 10 million users",
        ));
    }
    positive("user_interval", user_interval)?;
    positive("server_ttl", server_ttl)?;
    if user_ttl < user_interval {
        return Err(SimError::parameter(
            "user_ttl",
            user_ttl,
            format!(
                "a TTL of at least one interval ({user_interval}), or keys expire between beats"
            ),
        ));
    }
    let mut rng = Rng::new(seed);
    let remaining: Vec<f64> = (0..users)
        .map(|_| (user_ttl - rng.between(Time::ZERO, user_interval)).as_secs_f64())
        .collect();
    Ok(CrashRow {
        users,
        per_user_mean_offline_s: round_to(remaining.iter().sum::<f64>() / users as f64, 2),
        per_user_last_offline_s: round_to(remaining.iter().copied().fold(0.0, f64::max), 2),
        registry_all_offline_s: server_ttl.as_secs_f64(),
    })
}

/// One line of the seed's presence arithmetic (claim C13), recomputed.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::c13_presence_arithmetic;
///
/// let rows = c13_presence_arithmetic();
/// assert_eq!(rows[2].computed, "216 s");
/// assert_eq!(rows[2].the_seed_says, "30 s");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArithmeticRow {
    /// What is computed.
    pub quantity: String,
    /// Our value.
    pub computed: String,
    /// The seed's value.
    pub the_seed_says: String,
    /// Whether they agree.
    pub verdict: String,
}

/// The five numbers of the seed's presence scenario (5 million users), recomputed with
/// [`writes_per_second`], [`interval_for_daily_writes`] and [`monthly_cost`].
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::c13_presence_arithmetic;
///
/// let wrong = c13_presence_arithmetic().iter().filter(|row| row.verdict != "right").count();
/// assert_eq!(wrong, 3);
/// ```
pub fn c13_presence_arithmetic() -> Vec<ArithmeticRow> {
    let users = 5_000_000;
    let per_day_at_30 = writes_per_second(users, secs(30)) * 86_400.0;
    let interval = interval_for_daily_writes(users, 2e9).as_secs_f64();
    let rows = [
        (
            "writes/s, 5M users every 5 s",
            format!("{:.0}", writes_per_second(users, secs(5))),
            "1M",
            "right",
        ),
        (
            "writes/day, 5M users every 30 s",
            format!("{:.1}B", per_day_at_30 / 1e9),
            "2B",
            "wrong",
        ),
        (
            "interval giving 2B writes/day",
            format!("{interval:.0} s"),
            "30 s",
            "wrong",
        ),
        (
            "nodes at 26K ops/s for 1M writes/s",
            format!("{:.1}", 1e6 / 26_000.0),
            "~40",
            "right",
        ),
        (
            "40 nodes at $0.065/h, per month",
            format!("${:.0}", monthly_cost(40, 0.065)),
            "~$23K",
            "wrong",
        ),
    ];
    rows.into_iter()
        .map(|(quantity, computed, claimed, verdict)| ArithmeticRow {
            quantity: quantity.to_string(),
            computed,
            the_seed_says: claimed.to_string(),
            verdict: verdict.to_string(),
        })
        .collect()
}
