//! Shared and exclusive locks per key, and the wait-for graph that finds deadlocks.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::TxnId;

#[derive(Debug, Clone, Default, PartialEq)]
struct KeyLock {
    shared: BTreeSet<TxnId>,
    exclusive: Option<TxnId>,
}

/// Who holds which lock; a request that conflicts returns the holders it must wait for.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LockTable {
    keys: BTreeMap<String, KeyLock>,
}

impl LockTable {
    /// Takes a shared lock, or returns the transaction holding it exclusively.
    pub(crate) fn shared(&mut self, txn: TxnId, key: &str) -> Result<(), Vec<TxnId>> {
        let lock = self.keys.entry(key.to_string()).or_default();
        match lock.exclusive {
            Some(holder) if holder == txn => Ok(()),
            Some(holder) => Err(vec![holder]),
            None => {
                lock.shared.insert(txn);
                Ok(())
            }
        }
    }

    /// Takes an exclusive lock (upgrading a shared one), or returns every other holder.
    pub(crate) fn exclusive(&mut self, txn: TxnId, key: &str) -> Result<(), Vec<TxnId>> {
        let lock = self.keys.entry(key.to_string()).or_default();
        let mut holders: Vec<TxnId> = lock.shared.iter().copied().filter(|&t| t != txn).collect();
        holders.extend(lock.exclusive.filter(|&t| t != txn));
        if !holders.is_empty() {
            return Err(holders);
        }
        lock.shared.remove(&txn);
        lock.exclusive = Some(txn);
        Ok(())
    }

    /// Releases every lock `txn` holds.
    pub(crate) fn release_all(&mut self, txn: TxnId) {
        for lock in self.keys.values_mut() {
            lock.shared.remove(&txn);
            if lock.exclusive == Some(txn) {
                lock.exclusive = None;
            }
        }
    }
}

/// A cycle through `start` in the wait-for graph (`waits_for[t]`: the transactions t waits
/// for), as the transactions along it, or `None`.
pub(crate) fn wait_cycle(
    waits_for: &BTreeMap<TxnId, Vec<TxnId>>,
    start: TxnId,
) -> Option<Vec<TxnId>> {
    let mut path = vec![start];
    let mut seen = BTreeSet::new();
    search(waits_for, start, &mut path, &mut seen)
}

fn search(
    waits_for: &BTreeMap<TxnId, Vec<TxnId>>,
    start: TxnId,
    path: &mut Vec<TxnId>,
    seen: &mut BTreeSet<TxnId>,
) -> Option<Vec<TxnId>> {
    let at = *path.last()?;
    for &next in waits_for.get(&at).into_iter().flatten() {
        if next == start {
            return Some(path.clone());
        }
        if seen.insert(next) {
            path.push(next);
            if let Some(cycle) = search(waits_for, start, path, seen) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}
