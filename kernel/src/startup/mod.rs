//! Start-up and caching: one kernel process before it has sockets, the build slot that
//! outlives it, a class's shared build, the warm spare, the toolchain cells compile with, and the end of an orphaned
//! kernel. Uses every layer below; nothing below uses it.

pub mod build_slot;
pub mod orphan;
pub mod process;
pub mod shared_build;
pub mod spare;
pub mod toolchain;
