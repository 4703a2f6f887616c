//! A build directory that outlives the kernel, so that a restarted kernel finds `lessons` and
//! its dependencies already compiled.
//!
//! evcxr compiles every cell as a small crate in its work directory, dependencies included.
//! By default that directory is temporary, and every kernel start recompiles `lessons` and
//! `plotters` from scratch. We give evcxr a directory under the user's cache instead, one per
//! running kernel: a kernel claims the first free *slot* by locking it, and a restarted kernel
//! claims it again and finds everything built. Cargo's own fingerprints rebuild what changed
//! (an edited `lessons`, a new toolchain), so the cache is never stale.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// How many kernels can run at once with a warm build directory each.
const SLOTS: usize = 16;

/// Compiler settings for every crate of a cell's build but the cell itself, read by cargo from
/// the slot directory (a parent of evcxr's crate). evcxr compiles cells at opt-level 0 for
/// speed; this keeps the lessons and their dependencies optimised.
const CARGO_CONFIG: &str = "\
# Written by lessons-kernel. Cells compile at opt-level 0 (fast to build); every dependency,
# `lessons` included, is optimised (fast to run).
[profile.dev.package.\"*\"]
opt-level = 2
debug-assertions = false
overflow-checks = false
";

/// A claimed build directory; the claim lasts as long as this value (the process).
pub struct BuildSlot {
    /// The directory evcxr builds cells in (its `EVCXR_TMPDIR`).
    pub crate_dir: PathBuf,
    /// Which kernel last loaded `lessons` here.
    pub warmed: WarmedMarker,
    /// Holds the lock that marks the slot as taken.
    _lock: File,
}

/// A file in a slot naming the kernel (binary, `lessons` sources, environment) that last
/// loaded `lessons` there, so that everything that kernel needs is built in the slot.
#[derive(Clone)]
pub struct WarmedMarker(PathBuf);

impl WarmedMarker {
    /// The marker of the slot directory `slot` (a `slot-N` directory, not its crate).
    pub fn at(slot: &Path) -> WarmedMarker {
        WarmedMarker(slot.join("warmed-for"))
    }

    /// Whether a kernel that says `identity` loaded `lessons` in this slot.
    pub fn names(&self, identity: &str) -> bool {
        std::fs::read_to_string(&self.0).is_ok_and(|marked| marked == identity)
    }

    /// Records that a kernel that says `identity` loaded `lessons` in this slot.
    pub fn set(&self, identity: &str) {
        if let Err(error) = std::fs::write(&self.0, identity) {
            log::warn!("cannot write {}: {error}", self.0.display());
        }
    }
}

impl BuildSlot {
    /// Claims the first free slot under `root`.
    pub fn claim(root: &Path) -> anyhow::Result<BuildSlot> {
        for number in 0..SLOTS {
            let slot = root.join(format!("slot-{number}"));
            std::fs::create_dir_all(&slot)
                .with_context(|| format!("creating {}", slot.display()))?;
            let lock = File::create(slot.join("lock"))?;
            if rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
                .is_err()
            {
                continue;
            }
            std::fs::create_dir_all(slot.join(".cargo"))?;
            std::fs::write(slot.join(".cargo/config.toml"), CARGO_CONFIG)?;
            let crate_dir = slot.join("crate");
            std::fs::create_dir_all(&crate_dir)?;
            return Ok(BuildSlot {
                crate_dir,
                warmed: WarmedMarker::at(&slot),
                _lock: lock,
            });
        }
        anyhow::bail!(
            "all {SLOTS} build directories under {} are in use",
            root.display()
        )
    }

    /// Where slots live: `LESSONS_KERNEL_CACHE_DIR`, else the user's cache directory.
    pub fn default_root() -> Option<PathBuf> {
        std::env::var_os("LESSONS_KERNEL_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|cache| cache.join("lessons-kernel")))
            .map(|root| root.join("builds"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_slot_is_skipped_and_freed_on_drop() {
        let root = tempfile::tempdir().unwrap();
        let first = BuildSlot::claim(root.path()).unwrap();
        let second = BuildSlot::claim(root.path()).unwrap();
        assert_eq!(first.crate_dir, root.path().join("slot-0/crate"));
        assert_eq!(second.crate_dir, root.path().join("slot-1/crate"));
        drop(first);
        let again = BuildSlot::claim(root.path()).unwrap();
        assert_eq!(
            again.crate_dir,
            root.path().join("slot-0/crate"),
            "a restart gets its slot back"
        );
        let config =
            std::fs::read_to_string(root.path().join("slot-0/.cargo/config.toml")).unwrap();
        assert!(config.contains("[profile.dev.package.\"*\"]\nopt-level = 2"));
    }

    #[test]
    fn a_slot_is_warm_only_for_the_kernel_that_marked_it() {
        let root = tempfile::tempdir().unwrap();
        let slot = BuildSlot::claim(root.path()).unwrap();
        assert!(!slot.warmed.names("kernel A"), "a new slot is cold");
        slot.warmed.set("kernel A");
        assert!(slot.warmed.names("kernel A"));
        assert!(
            !slot.warmed.names("kernel B"),
            "another build or environment"
        );
        drop(slot);
        let again = BuildSlot::claim(root.path()).unwrap();
        assert!(
            again.warmed.names("kernel A"),
            "the mark outlives the claim"
        );
    }
}
