//! *k* replicas write a register at the same time; what does each kind of register keep?

use serde::Serialize;

use super::lattice::Crdt;
use super::lww_register::LwwRegister;
use super::mv_register::MvRegister;

/// One row of [`concurrent_writes`]: what the registers keep after `writers` concurrent writes
/// and a full exchange of states. It lets you test that an LWW-Register converges while
/// dropping all but one concurrent write, and that an MV-Register keeps them all.
///
/// # Examples
///
/// ```
/// use lessons::crdt::concurrent_writes;
///
/// let row = concurrent_writes(3);
/// assert_eq!((row.lww_register_keeps.as_str(), row.mv_register_keeps), ("colour 2", 3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConcurrentWritesRow {
    /// How many replicas wrote, each without seeing the others.
    pub concurrent_writes: usize,
    /// The value every LWW-Register holds at the end.
    pub lww_register_keeps: String,
    /// How many values every MV-Register holds at the end.
    pub mv_register_keeps: usize,
    /// Whether all replicas of both registers end in the same state.
    pub replicas_agree: bool,
}

/// `writers` replicas each write `colour i` (i their id) into an LWW-Register and an
/// MV-Register without seeing each other; then every replica merges every other's state.
///
/// # Examples
///
/// ```
/// use lessons::crdt::concurrent_writes;
///
/// let row = concurrent_writes(5);
/// assert_eq!(row.lww_register_keeps, "colour 4");
/// assert_eq!(row.mv_register_keeps, 5);
/// assert!(row.replicas_agree);
/// assert_eq!(concurrent_writes(0).mv_register_keeps, 0);
/// ```
pub fn concurrent_writes(writers: usize) -> ConcurrentWritesRow {
    let mut lww: Vec<LwwRegister<String>> = vec![LwwRegister::new(); writers];
    let mut mv: Vec<MvRegister<String>> = vec![MvRegister::new(); writers];
    for replica in 0..writers {
        lww[replica].set(replica, format!("colour {replica}"));
        mv[replica].set(replica, format!("colour {replica}"));
    }
    for i in 0..writers {
        for j in 0..writers {
            let (theirs_lww, theirs_mv) = (lww[j].clone(), mv[j].clone());
            lww[i].merge(&theirs_lww);
            mv[i].merge(&theirs_mv);
        }
    }
    let agree = lww.windows(2).all(|pair| pair[0] == pair[1])
        && mv.windows(2).all(|pair| pair[0] == pair[1]);
    ConcurrentWritesRow {
        concurrent_writes: writers,
        lww_register_keeps: lww
            .first()
            .and_then(|register| register.value().cloned())
            .unwrap_or_default(),
        mv_register_keeps: mv.first().map_or(0, |register| register.values().len()),
        replicas_agree: agree,
    }
}
