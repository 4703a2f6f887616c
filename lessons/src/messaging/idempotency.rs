//! An idempotency-key store: the server side of "send the same key, get the same answer".

use std::collections::BTreeMap;

use serde::Serialize;

use super::params::positive_time;
use crate::sim::{SimError, Time};

/// What the store says when a request with a key begins.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Begin, IdempotencyStore};
/// use lessons::sim::secs;
///
/// let mut store = IdempotencyStore::new(secs(86_400))?;
/// assert_eq!(store.begin("k1", "charge 10 EUR", secs(0)), Begin::Fresh);
/// assert_eq!(store.begin("k1", "charge 10 EUR", secs(1)), Begin::InProgress);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Begin {
    /// The key was not there (or had expired): it is now recorded as in progress, and this
    /// request, alone, does the work.
    Fresh,
    /// Another request with this key has begun and not finished: do not do the work again.
    InProgress,
    /// The key has finished: return its stored response.
    Replay(String),
    /// The key was used with a different request body: refuse, since returning the first
    /// response would answer a question the client did not ask.
    DifferentBody,
}

/// One key's record: the request body it came with, when it was created, and its response once
/// the work is done (`None` is the "in progress" sentinel).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    body: String,
    created: Time,
    response: Option<String>,
}

/// Idempotency keys with a time to live, checked and inserted in one step, as
/// `INSERT ... ON CONFLICT DO NOTHING` does in a database: [`begin`](Self::begin) is the atomic
/// check. A key older than the TTL counts as absent, so a retry that arrives later is treated as
/// a new request (the documented hazard: Stripe says keys may be removed once they are at least
/// 24 hours old).
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Begin, IdempotencyStore};
/// use lessons::sim::secs;
///
/// let mut store = IdempotencyStore::new(secs(60))?;
/// store.begin("k", "pay 5", secs(0));
/// store.finish("k", "charged ch_1");
/// assert_eq!(store.begin("k", "pay 5", secs(30)), Begin::Replay("charged ch_1".into()));
/// assert_eq!(store.begin("k", "pay 6", secs(30)), Begin::DifferentBody);
/// assert_eq!(store.begin("k", "pay 5", secs(61)), Begin::Fresh); // expired: charged again
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyStore {
    ttl: Time,
    records: BTreeMap<String, Record>,
}

impl IdempotencyStore {
    /// An empty store whose keys live for `ttl`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `ttl` is not longer than zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::IdempotencyStore;
    /// use lessons::sim::secs;
    ///
    /// assert!(IdempotencyStore::new(secs(0)).is_err());
    /// assert_eq!(IdempotencyStore::new(secs(5))?.len(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(ttl: Time) -> Result<IdempotencyStore, SimError> {
        Ok(IdempotencyStore {
            ttl: positive_time("key TTL", ttl)?,
            records: BTreeMap::new(),
        })
    }

    /// Begins a request with `key` and `body` at `now`, checking and inserting in one step.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::{Begin, IdempotencyStore};
    /// use lessons::sim::secs;
    ///
    /// let mut store = IdempotencyStore::new(secs(60))?;
    /// assert_eq!(store.begin("a", "x", secs(0)), Begin::Fresh);
    /// assert_eq!(store.begin("b", "x", secs(0)), Begin::Fresh); // keys are independent
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn begin(&mut self, key: &str, body: &str, now: Time) -> Begin {
        if let Some(record) = self.records.get(key)
            && now - record.created < self.ttl
        {
            return if record.body != body {
                Begin::DifferentBody
            } else {
                match &record.response {
                    Some(response) => Begin::Replay(response.clone()),
                    None => Begin::InProgress,
                }
            };
        }
        let record = Record {
            body: body.to_string(),
            created: now,
            response: None,
        };
        self.records.insert(key.to_string(), record);
        Begin::Fresh
    }

    /// Whether `key` has a record younger than the TTL at `now`: the read half of a
    /// check-then-insert server, which is a race because nothing stops another request between
    /// this read and the insert.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::IdempotencyStore;
    /// use lessons::sim::secs;
    ///
    /// let mut store = IdempotencyStore::new(secs(60))?;
    /// assert!(!store.holds("k", secs(0)));
    /// store.begin("k", "x", secs(0));
    /// assert!(store.holds("k", secs(59)) && !store.holds("k", secs(60)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn holds(&self, key: &str, now: Time) -> bool {
        self.records
            .get(key)
            .is_some_and(|record| now - record.created < self.ttl)
    }

    /// Stores the response of the request that began `key`; `false` if the key is unknown.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::IdempotencyStore;
    /// use lessons::sim::secs;
    ///
    /// let mut store = IdempotencyStore::new(secs(60))?;
    /// assert!(!store.finish("nobody", "ok"));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn finish(&mut self, key: &str, response: &str) -> bool {
        match self.records.get_mut(key) {
            Some(record) => {
                record.response = Some(response.to_string());
                true
            }
            None => false,
        }
    }

    /// Forgets every key older than the TTL at `now` (what a TTL or a cleanup job does); returns
    /// how many were removed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::IdempotencyStore;
    /// use lessons::sim::secs;
    ///
    /// let mut store = IdempotencyStore::new(secs(60))?;
    /// store.begin("a", "x", secs(0));
    /// store.begin("b", "x", secs(30));
    /// assert_eq!(store.expire(secs(75)), 1);
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn expire(&mut self, now: Time) -> usize {
        let before = self.records.len();
        let ttl = self.ttl;
        self.records.retain(|_, record| now - record.created < ttl);
        before - self.records.len()
    }

    /// How many keys the store holds, expired or not.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::IdempotencyStore;
    /// use lessons::sim::secs;
    ///
    /// let mut store = IdempotencyStore::new(secs(60))?;
    /// store.begin("a", "x", secs(0));
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the store holds no keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::IdempotencyStore;
    /// use lessons::sim::secs;
    ///
    /// assert!(IdempotencyStore::new(secs(60))?.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}
