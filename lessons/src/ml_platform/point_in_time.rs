//! Point-in-time correct training joins: a training example may only see the feature values
//! that existed when its event happened.
//!
//! A feature store keeps every value of a feature with the time it was written. To build a
//! training set, each labelled event is joined with a feature value. The **as-of join** takes,
//! per event, the newest value written at or before the event's time, which is exactly what a
//! model serving that event online would have seen. The tempting shortcut, the **latest
//! value** of the feature today, can include what happened *because of* the event: a fraud
//! flag set by the investigation that the label itself records. The model then learns from the
//! future, scores well offline and badly online.
//!
//! The model here is one threshold on one feature, chosen for the best training accuracy;
//! the leak shows as the gap between its offline accuracy and its accuracy on the values
//! serving will see.
//!
//! # References
//!
//! * Shachar Kaufman, Saharon Rosset and Claudia Perlich, "Leakage in Data Mining:
//!   Formulation, Detection, and Avoidance", ACM TKDD 6(4), 2012 (leaks from the future).
//! * The Feast feature store's documentation, "point-in-time joins".

use serde::Serialize;

use crate::sim::{Rng, SimError, Time, secs};

/// A value of one entity's feature, written at a time.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::FeatureUpdate;
/// use lessons::sim::secs;
///
/// let update = FeatureUpdate { entity: 7, written_at: secs(60), value: 0.4 };
/// assert_eq!(update.entity, 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FeatureUpdate {
    /// The entity (user, account) the value belongs to.
    pub entity: u64,
    /// When the value was written to the feature store.
    pub written_at: Time,
    /// The value.
    pub value: f64,
}

/// A labelled event: what happened to an entity at a time (here: fraud or not).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::LabelEvent;
/// use lessons::sim::secs;
///
/// let event = LabelEvent { entity: 7, at: secs(90), label: true };
/// assert!(event.label);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelEvent {
    /// The entity.
    pub entity: u64,
    /// When the event happened.
    pub at: Time,
    /// Its label.
    pub label: bool,
}

/// A labelled event joined with one feature value (`None` when the join found no value).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FeatureUpdate, LabelEvent, as_of_join};
/// use lessons::sim::secs;
///
/// let updates = [FeatureUpdate { entity: 1, written_at: secs(10), value: 0.5 }];
/// let joined = as_of_join(&[LabelEvent { entity: 1, at: secs(5), label: false }], &updates);
/// assert_eq!(joined[0].value, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct JoinedExample {
    /// The event.
    pub event: LabelEvent,
    /// The feature value joined to it.
    pub value: Option<f64>,
    /// When that value was written.
    pub written_at: Option<Time>,
}

/// A way of joining events with feature values.
type Join = fn(&[LabelEvent], &[FeatureUpdate]) -> Vec<JoinedExample>;

fn join_by(
    events: &[LabelEvent],
    updates: &[FeatureUpdate],
    usable: impl Fn(&LabelEvent, &FeatureUpdate) -> bool,
) -> Vec<JoinedExample> {
    events
        .iter()
        .map(|event| {
            let chosen = updates
                .iter()
                .filter(|update| update.entity == event.entity && usable(event, update))
                .max_by_key(|update| update.written_at);
            JoinedExample {
                event: *event,
                value: chosen.map(|update| update.value),
                written_at: chosen.map(|update| update.written_at),
            }
        })
        .collect()
}

/// The point-in-time join: each event gets its entity's newest value written at or before the
/// event's time.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FeatureUpdate, LabelEvent, as_of_join};
/// use lessons::sim::secs;
///
/// let updates = [
///     FeatureUpdate { entity: 1, written_at: secs(10), value: 0.2 },
///     FeatureUpdate { entity: 1, written_at: secs(50), value: 3.0 },
/// ];
/// let event = LabelEvent { entity: 1, at: secs(30), label: true };
/// assert_eq!(as_of_join(&[event], &updates)[0].value, Some(0.2));
/// ```
pub fn as_of_join(events: &[LabelEvent], updates: &[FeatureUpdate]) -> Vec<JoinedExample> {
    join_by(events, updates, |event, update| {
        update.written_at <= event.at
    })
}

/// The leaky join: each event gets its entity's newest value, whenever it was written.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{FeatureUpdate, LabelEvent, latest_join};
/// use lessons::sim::secs;
///
/// let updates = [
///     FeatureUpdate { entity: 1, written_at: secs(10), value: 0.2 },
///     FeatureUpdate { entity: 1, written_at: secs(50), value: 3.0 },
/// ];
/// let event = LabelEvent { entity: 1, at: secs(30), label: true };
/// assert_eq!(latest_join(&[event], &updates)[0].value, Some(3.0));
/// ```
pub fn latest_join(events: &[LabelEvent], updates: &[FeatureUpdate]) -> Vec<JoinedExample> {
    join_by(events, updates, |_, _| true)
}

/// A simulated fraud data set: `entities` accounts, each with a hidden riskiness `r` drawn
/// uniformly from [0, 1], a daily risk score `r + noise` (standard deviation 0.3) for 30 days,
/// and one transaction at a random time between day 1 and day 29 that is fraud with
/// probability `r`. Fraud is confirmed some hours to days later, and from then on the account's
/// score carries a flag (+2): a value that exists only because of the label.
///
/// # Errors
///
/// [`SimError::Parameter`] for `entities` outside 2..=100,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::fraud_data;
///
/// let (events, updates) = fraud_data(100, 1)?;
/// assert_eq!(events.len(), 100);
/// assert!(updates.len() >= 3_000);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn fraud_data(
    entities: u64,
    seed: u64,
) -> Result<(Vec<LabelEvent>, Vec<FeatureUpdate>), SimError> {
    if !(2..=100_000).contains(&entities) {
        return Err(SimError::parameter(
            "entities",
            entities,
            "from 2 to 100,000 accounts",
        ));
    }
    let day = secs(86_400);
    let mut rng = Rng::new(seed);
    let mut events = Vec::new();
    let mut updates = Vec::new();
    for entity in 0..entities {
        let riskiness = rng.unit();
        let at = rng.between(day, day * 29);
        let label = rng.chance(riskiness);
        let confirmed = at + Time::from_nanos_f64(rng.exponential() * (day * 2).as_nanos() as f64);
        events.push(LabelEvent { entity, at, label });
        for d in 0..30 {
            let written_at = day * d + rng.between(Time::ZERO, day);
            let flag = if label && written_at >= confirmed {
                2.0
            } else {
                0.0
            };
            let value = riskiness + 0.3 * rng.normal() + flag;
            updates.push(FeatureUpdate {
                entity,
                written_at,
                value,
            });
        }
    }
    Ok((events, updates))
}

/// The threshold with the best accuracy on `examples` ("fraud" when the value is at or above
/// it), tried at every observed value; examples without a value are left out.
fn best_threshold(examples: &[JoinedExample]) -> f64 {
    let mut candidates: Vec<f64> = examples
        .iter()
        .filter_map(|example| example.value)
        .collect();
    candidates.sort_by(f64::total_cmp);
    candidates
        .iter()
        .copied()
        .max_by(|&a, &b| accuracy(examples, a).total_cmp(&accuracy(examples, b)))
        .unwrap_or(0.0)
}

fn accuracy(examples: &[JoinedExample], threshold: f64) -> f64 {
    let scored: Vec<(f64, bool)> = examples
        .iter()
        .filter_map(|example| example.value.map(|value| (value, example.event.label)))
        .collect();
    let right = scored
        .iter()
        .filter(|&&(value, label)| (value >= threshold) == label)
        .count();
    right as f64 / scored.len().max(1) as f64
}

/// One way of building the training set, and what the model it trains is worth.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::leakage_experiment;
///
/// let rows = leakage_experiment(400, 1)?;
/// assert_eq!(rows[0].join, "latest value");
/// assert!(rows[0].offline_accuracy > rows[0].online_accuracy);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakageRow {
    /// "latest value" or "as of event time".
    pub join: String,
    /// Training examples whose feature was written after their event.
    pub future_values: usize,
    /// The threshold that training chose, to 4 decimals.
    pub threshold: f64,
    /// Accuracy on held-out examples joined the same way (what the offline report says).
    pub offline_accuracy: f64,
    /// Accuracy on the same held-out events with the values serving would have seen.
    pub online_accuracy: f64,
}

/// Trains a threshold model on each join of [`fraud_data`]'s even accounts and tests it on the
/// odd ones, offline (same join) and online (as of the event).
///
/// # Errors
///
/// As [`fraud_data`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::leakage_experiment;
///
/// let rows = leakage_experiment(400, 1)?;
/// assert_eq!(rows[1].future_values, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn leakage_experiment(entities: u64, seed: u64) -> Result<Vec<LeakageRow>, SimError> {
    let (events, updates) = fraud_data(entities, seed)?;
    let (train, test): (Vec<LabelEvent>, Vec<LabelEvent>) =
        events.iter().partition(|event| event.entity % 2 == 0);
    let served = as_of_join(&test, &updates);
    let joins: [(&str, Join); 2] = [
        ("latest value", latest_join),
        ("as of event time", as_of_join),
    ];
    Ok(joins
        .iter()
        .map(|(name, join)| {
            let training = join(&train, &updates);
            let threshold = best_threshold(&training);
            LeakageRow {
                join: name.to_string(),
                future_values: training
                    .iter()
                    .filter(|example| example.written_at.is_some_and(|at| at > example.event.at))
                    .count(),
                threshold: (threshold * 10_000.0).round() / 10_000.0,
                offline_accuracy: accuracy(&join(&test, &updates), threshold),
                online_accuracy: accuracy(&served, threshold),
            }
        })
        .collect())
}
