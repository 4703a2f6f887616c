//! The buffer of a write-behind cache: writes acknowledged from memory, flushed to the
//! database later, lost if the cache dies first.

use std::collections::BTreeMap;

/// Dirty keys waiting for the next flush, and how many acknowledged writes they hold.
///
/// Several writes to one key between two flushes leave one dirty entry (the newest value), but
/// each was acknowledged to a client, so a crash loses every one of them.
///
/// # Examples
///
/// ```
/// use lessons::caching::WriteBehindBuffer;
///
/// let mut buffer = WriteBehindBuffer::default();
/// buffer.write(7, 1);
/// assert_eq!(buffer.flush(), vec![(7, 1)]);
/// buffer.write(7, 2);
/// buffer.write(7, 3);
/// assert_eq!(buffer.crash(), 2); // both writes since the flush are gone
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBehindBuffer {
    dirty: BTreeMap<u64, u64>,
    unflushed_writes: u64,
}

impl WriteBehindBuffer {
    /// Acknowledges a write of `version` to `key` without touching the database.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut buffer = lessons::caching::WriteBehindBuffer::default();
    /// buffer.write(1, 5);
    /// assert_eq!(buffer.unflushed_writes(), 1);
    /// ```
    pub fn write(&mut self, key: u64, version: u64) {
        self.dirty.insert(key, version);
        self.unflushed_writes += 1;
    }

    /// Hands every dirty key's newest version to the database, by key, and empties the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut buffer = lessons::caching::WriteBehindBuffer::default();
    /// buffer.write(2, 1);
    /// buffer.write(1, 4);
    /// assert_eq!(buffer.flush(), vec![(1, 4), (2, 1)]);
    /// assert_eq!(buffer.unflushed_writes(), 0);
    /// ```
    pub fn flush(&mut self) -> Vec<(u64, u64)> {
        self.unflushed_writes = 0;
        std::mem::take(&mut self.dirty).into_iter().collect()
    }

    /// The cache dies: everything not flushed is gone. Returns how many acknowledged writes
    /// were lost.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut buffer = lessons::caching::WriteBehindBuffer::default();
    /// assert_eq!(buffer.crash(), 0);
    /// ```
    pub fn crash(&mut self) -> u64 {
        self.dirty.clear();
        std::mem::take(&mut self.unflushed_writes)
    }

    /// Acknowledged writes not flushed yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let buffer = lessons::caching::WriteBehindBuffer::default();
    /// assert_eq!(buffer.unflushed_writes(), 0);
    /// ```
    pub fn unflushed_writes(&self) -> u64 {
        self.unflushed_writes
    }
}
