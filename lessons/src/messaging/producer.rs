//! A Kafka-style idempotent producer: the broker remembers, per producer and partition, the last
//! sequence number it appended, and drops a retry it has already written.

use std::collections::BTreeMap;

use serde::Serialize;

use super::params::{at_least, at_most, probability};
use crate::sim::{Rng, SimError};

/// What the partition did with one produce request.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Appended, PartitionLog};
///
/// let mut log = PartitionLog::new(true);
/// assert_eq!(log.append(7, 0, "a"), Appended::Written(0));
/// assert_eq!(log.append(7, 0, "a"), Appended::Duplicate); // a retry: acknowledged, not written
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Appended {
    /// Written at this offset.
    Written(usize),
    /// A sequence number already written for this producer: acknowledged, not written again.
    Duplicate,
}

/// One partition's log, with or without the broker's per-producer sequence check.
///
/// With the check, the broker keeps the last sequence number it appended for each producer id
/// and treats a request whose number is not above it as a retry. This model has one request in
/// flight per producer, so the last number is enough; Kafka keeps the last five batches per
/// producer and partition, which allows up to five in flight.
///
/// # Examples
///
/// ```
/// use lessons::messaging::PartitionLog;
///
/// let mut plain = PartitionLog::new(false);
/// plain.append(1, 0, "a");
/// plain.append(1, 0, "a");
/// assert_eq!(plain.records().len(), 2); // without sequence numbers, the retry is a copy
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionLog {
    check_sequences: bool,
    last_sequence: BTreeMap<u64, u64>,
    records: Vec<(u64, u64, String)>,
}

impl PartitionLog {
    /// An empty log; `check_sequences` turns on the broker's duplicate check.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::messaging::PartitionLog::new(true).records().is_empty());
    /// ```
    pub fn new(check_sequences: bool) -> PartitionLog {
        PartitionLog {
            check_sequences,
            last_sequence: BTreeMap::new(),
            records: Vec::new(),
        }
    }

    /// Appends `value` sent by `producer` with sequence number `sequence`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::{Appended, PartitionLog};
    ///
    /// let mut log = PartitionLog::new(true);
    /// log.append(1, 0, "a");
    /// assert_eq!(log.append(2, 0, "b"), Appended::Written(1)); // another producer's numbers
    /// ```
    pub fn append(&mut self, producer: u64, sequence: u64, value: &str) -> Appended {
        if self.check_sequences {
            if self
                .last_sequence
                .get(&producer)
                .is_some_and(|&last| sequence <= last)
            {
                return Appended::Duplicate;
            }
            self.last_sequence.insert(producer, sequence);
        }
        self.records.push((producer, sequence, value.to_string()));
        Appended::Written(self.records.len() - 1)
    }

    /// The records in offset order, as `(producer, sequence, value)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::PartitionLog;
    ///
    /// let mut log = PartitionLog::new(true);
    /// log.append(3, 0, "x");
    /// assert_eq!(log.records(), [(3, 0, "x".to_string())]);
    /// ```
    pub fn records(&self) -> &[(u64, u64, String)] {
        &self.records
    }
}

/// One producer mode at one loss rate: how many records the partitions hold, and how many are
/// copies.
///
/// # Examples
///
/// ```
/// use lessons::messaging::producer_experiment;
///
/// let rows = producer_experiment(&[0.1], 1_000, 3, 1)?;
/// assert_eq!(rows[1].duplicates, 0); // with sequence numbers
/// assert!(rows[0].duplicates > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProducerRow {
    /// Whether the broker checks sequence numbers.
    pub idempotent: bool,
    /// The probability that an acknowledgement is lost (and so is a request).
    pub loss: f64,
    /// Records the producer sent.
    pub records: usize,
    /// Records in the partitions' logs.
    pub in_logs: usize,
    /// Copies beyond the first.
    pub duplicates: usize,
    /// Requests sent, retries included.
    pub requests: usize,
}

/// Sends `records` records round robin to `partitions` partitions, each request lost with
/// probability `loss` and each acknowledgement too, retrying until acknowledged; once with
/// plain logs and once with sequence-checking ones, on the same faults.
///
/// # Errors
///
/// [`SimError`] for a loss outside `[0, 0.99]`, no records or partitions, or more than a
/// million records.
///
/// # Examples
///
/// ```
/// use lessons::messaging::producer_experiment;
///
/// let rows = producer_experiment(&[0.0], 100, 2, 1)?;
/// assert!(rows.iter().all(|row| row.in_logs == 100 && row.requests == 100));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn producer_experiment(
    losses: &[f64],
    records: usize,
    partitions: usize,
    seed: u64,
) -> Result<Vec<ProducerRow>, SimError> {
    at_least("records", records, 1)?;
    at_most("records", records, 1_000_000)?;
    at_least("partitions", partitions, 1)?;
    let mut rows = Vec::new();
    for (j, &loss) in losses.iter().enumerate() {
        if probability("loss", loss)? > 0.99 {
            return Err(SimError::parameter(
                "loss",
                loss,
                "at most 0.99, or retries never end",
            ));
        }
        for idempotent in [false, true] {
            let mut rng = Rng::derive(seed, &[j as u64]);
            let mut logs = vec![PartitionLog::new(idempotent); partitions];
            let mut next_sequence = vec![0u64; partitions];
            let mut requests = 0;
            for record in 0..records {
                let partition = record % partitions;
                let sequence = next_sequence[partition];
                next_sequence[partition] += 1;
                loop {
                    requests += 1;
                    if rng.chance(loss) {
                        continue; // the request never reached the broker
                    }
                    logs[partition].append(1, sequence, &record.to_string());
                    if !rng.chance(loss) {
                        break;
                    }
                }
            }
            let in_logs: usize = logs.iter().map(|log| log.records().len()).sum();
            rows.push(ProducerRow {
                idempotent,
                loss,
                records,
                in_logs,
                duplicates: in_logs - records,
                requests,
            });
        }
    }
    Ok(rows)
}
