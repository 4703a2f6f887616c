//! A node's disk: what survives a crash.
//!
//! When a node crashes, the simulation throws away its value, and with it everything the node
//! kept in memory. The [`Disk`] stays. It is a small key-value store of serialized values
//! (JSON text), so what a node gets back after a restart is exactly what it chose to write, in a
//! form that had to be written out: the lesson of write-ahead logs and Raft's persistent state.
//!
//! Writes are instant and never fail halfway: this disk models what survives, not how disks
//! break.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::Disk;
//!
//! let mut disk = Disk::new();
//! disk.write("term", &3u64)?;
//! disk.write("log", &vec!["set x=1", "set y=2"])?;
//! assert_eq!(disk.read::<u64>("term"), Some(3));
//! assert_eq!(disk.read::<Vec<String>>("log").unwrap().len(), 2);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::SimError;

/// A key-value store of JSON-serialized values that survives its node's crashes.
///
/// # Examples
///
/// ```
/// use lessons::sim::Disk;
///
/// let mut disk = Disk::new();
/// disk.write("voted_for", &Some(2usize))?;
/// assert_eq!(disk.read::<Option<usize>>("voted_for"), Some(Some(2)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Disk {
    entries: BTreeMap<String, String>,
}

impl Disk {
    /// An empty disk.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::sim::Disk::new().is_empty());
    /// ```
    pub fn new() -> Disk {
        Disk::default()
    }

    /// Stores `value` under `key`, replacing what was there.
    ///
    /// # Errors
    ///
    /// [`SimError::Disk`] if `value` cannot be written as JSON (a map whose keys are not
    /// strings or numbers, for instance); the disk is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Disk;
    ///
    /// let mut disk = Disk::new();
    /// disk.write("commit_index", &5u64)?;
    /// disk.write("commit_index", &6u64)?;
    /// assert_eq!(disk.read::<u64>("commit_index"), Some(6));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn write<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), SimError> {
        let text = serde_json::to_string(value).map_err(|error| SimError::Disk {
            key: key.to_string(),
            reason: error.to_string(),
        })?;
        self.entries.insert(key.to_string(), text);
        Ok(())
    }

    /// The value stored under `key`, or `None` if there is none or it is not a `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Disk;
    ///
    /// let mut disk = Disk::new();
    /// disk.write("name", "n1")?;
    /// assert_eq!(disk.read::<String>("name").as_deref(), Some("n1"));
    /// assert_eq!(disk.read::<u64>("name"), None); // not a number
    /// assert_eq!(disk.read::<u64>("missing"), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn read<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        serde_json::from_str(self.entries.get(key)?).ok()
    }

    /// Deletes `key`; returns whether it was there.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Disk;
    ///
    /// let mut disk = Disk::new();
    /// disk.write("lease", &1u8)?;
    /// assert!(disk.remove("lease"));
    /// assert!(!disk.remove("lease"));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn remove(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    /// Every key, in sorted order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Disk;
    ///
    /// let mut disk = Disk::new();
    /// disk.write("b", &1u8)?;
    /// disk.write("a", &2u8)?;
    /// assert_eq!(disk.keys().collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Whether nothing is stored.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Disk;
    ///
    /// let mut disk = Disk::new();
    /// disk.write("x", &0u8)?;
    /// assert!(!disk.is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn unwritable_values_leave_the_disk_unchanged() {
        let mut disk = Disk::new();
        let mut bad = HashMap::new();
        bad.insert(vec![1u8], 2u8);
        let error = disk.write("bad", &bad).unwrap_err();
        assert!(matches!(error, SimError::Disk { ref key, .. } if key == "bad"));
        assert!(
            error
                .to_string()
                .starts_with("cannot write \"bad\" to disk: ")
        );
        assert!(disk.is_empty());
    }
}
