//! A class's shared build: one `lessons` build that every learner's kernel starts from.
//!
//! On a server with many learners, each kernel would compile `lessons` and its dependencies
//! into its own build slot: minutes of CPU and about 430 MB of disk per learner. Instead an
//! administrator runs `lessons-kernel prepare` once with `LESSONS_KERNEL_CACHE_DIR` set to a
//! directory learners can read but not write, and gives every learner's kernel
//! `LESSONS_KERNEL_SHARED_CACHE` naming that directory (in the system-wide kernelspec).
//!
//! A learner's kernel whose own slot is cold, when the shared slot was warmed by a kernel like
//! it (the same binary, `lessons` sources, toolchain and build environment), fills its slot with
//! links to the shared build's compiled dependencies. Cargo then finds them fresh and compiles
//! only the cells. The links are read-only to the learner, so nothing a learner does changes
//! the shared build; a learner who points a notebook at an edited copy of `lessons` gets that
//! copy built in their own slot beside the links (a crate at another path is another package
//! to cargo, with outputs of its own names).
//!
//! Cargo decides freshness from the paths it was built with, so learners must use the same
//! `CARGO_HOME` and toolchain paths as the administrator's `prepare` (the kernelspec's
//! environment sets them); otherwise the identities differ and the kernel builds on its own.

use std::path::{Path, PathBuf};

use crate::startup::build_slot::{BuildSlot, WarmedMarker};

/// Names a cache directory prepared by `lessons-kernel prepare` that kernels link from.
pub const SHARED_CACHE_VAR: &str = "LESSONS_KERNEL_SHARED_CACHE";

/// The shared slot: the first slot of the shared cache, the one `prepare` warms.
pub fn shared_slot() -> Option<PathBuf> {
    let root = std::env::var_os(SHARED_CACHE_VAR).filter(|value| !value.is_empty())?;
    Some(PathBuf::from(root).join("builds").join("slot-0"))
}

/// Makes `slot` start from the shared build when that build was warmed by a kernel that says
/// `identity`: every link into the shared build it held is removed first (they may name an
/// older build), then each compiled dependency is linked. Returns how many files were linked.
pub fn link_into(slot: &BuildSlot, shared: &Path, identity: &str) -> std::io::Result<usize> {
    let own_target = slot.crate_dir.join("target");
    remove_links_into(&own_target, shared)?;
    if !WarmedMarker::at(shared).names(identity) {
        return Ok(0);
    }
    let shared_crate = shared.join("crate");
    // The same resolution as the shared build, so that cargo picks the same versions.
    if let Ok(lock) = std::fs::read(shared_crate.join("Cargo.lock")) {
        std::fs::create_dir_all(&slot.crate_dir)?;
        std::fs::write(slot.crate_dir.join("Cargo.lock"), lock)?;
    }
    link_tree(&shared_crate.join("target"), &own_target)
}

/// Links every file under `from` that a dependency's build produced into the same place under
/// `to`, creating directories as the learner's own.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<usize> {
    let mut linked = 0;
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(0);
    };
    std::fs::create_dir_all(to)?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if !is_shared(&name.to_string_lossy()) {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            linked += link_tree(&source, &destination)?;
        } else if !destination.exists() {
            std::os::unix::fs::symlink(&source, &destination)?;
            linked += 1;
        }
    }
    Ok(linked)
}

/// Whether a file or directory of the shared target is a dependency's, not the cell crate's
/// (`ctx`, rebuilt by every cell), nor its variable store's (`evcxr_internal_runtime`, a crate
/// in the slot's own folder, which cargo finds newer than any shared build and rebuilds once),
/// nor one cargo rewrites on every build (locks, caches).
fn is_shared(name: &str) -> bool {
    !(name.starts_with("ctx")
        || name.starts_with("libctx")
        || name.starts_with("evcxr_internal_runtime")
        || name.starts_with("libevcxr_internal_runtime")
        || name == "incremental"
        || name == ".cargo-lock"
        || name == ".rustc_info.json")
}

/// Removes every symbolic link under `dir` that points into `shared`.
fn remove_links_into(dir: &Path, shared: &Path) -> std::io::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            remove_links_into(&entry.path(), shared)?;
        } else if kind.is_symlink()
            && std::fs::read_link(entry.path()).is_ok_and(|target| target.starts_with(shared))
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shared slot as `prepare` leaves it: a dependency's outputs, the cell crate's own, and
    /// cargo's lock, warmed for `identity`.
    fn shared_slot(identity: &str) -> tempfile::TempDir {
        let shared = tempfile::tempdir().unwrap();
        let slot = BuildSlot::claim(shared.path()).unwrap();
        let deps = slot
            .crate_dir
            .join("target/x86_64-unknown-linux-gnu/debug/deps");
        std::fs::create_dir_all(&deps).unwrap();
        std::fs::write(deps.join("liblessons-1234.rlib"), "lessons").unwrap();
        std::fs::write(deps.join("libctx-99.so"), "cell").unwrap();
        std::fs::write(deps.join("libevcxr_internal_runtime-7.rlib"), "store").unwrap();
        std::fs::write(deps.join("../.cargo-lock"), "").unwrap();
        std::fs::write(slot.crate_dir.join("Cargo.lock"), "# resolved").unwrap();
        slot.warmed.set(identity);
        shared
    }

    #[test]
    fn a_cold_slot_links_the_dependencies_of_a_matching_shared_build() {
        let shared = shared_slot("kernel A");
        let shared_slot = shared.path().join("slot-0");
        let own = tempfile::tempdir().unwrap();
        let slot = BuildSlot::claim(own.path()).unwrap();

        assert_eq!(link_into(&slot, &shared_slot, "kernel A").unwrap(), 1);
        let deps = slot
            .crate_dir
            .join("target/x86_64-unknown-linux-gnu/debug/deps");
        let link = deps.join("liblessons-1234.rlib");
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "lessons");
        assert!(
            !deps.join("libctx-99.so").exists(),
            "the cell crate builds its own"
        );
        assert!(
            !deps.join("libevcxr_internal_runtime-7.rlib").exists(),
            "so does the variable store, whose crate is in the slot's own folder"
        );
        assert!(!deps.join("../.cargo-lock").exists());
        assert_eq!(
            std::fs::read_to_string(slot.crate_dir.join("Cargo.lock")).unwrap(),
            "# resolved"
        );
    }

    #[test]
    fn another_kernel_removes_old_links_and_links_nothing() {
        let shared = shared_slot("kernel A");
        let shared_slot = shared.path().join("slot-0");
        let own = tempfile::tempdir().unwrap();
        let slot = BuildSlot::claim(own.path()).unwrap();
        link_into(&slot, &shared_slot, "kernel A").unwrap();
        let deps = slot
            .crate_dir
            .join("target/x86_64-unknown-linux-gnu/debug/deps");
        std::fs::write(deps.join("liblessons-own.rlib"), "my copy").unwrap();

        assert_eq!(link_into(&slot, &shared_slot, "kernel B").unwrap(), 0);
        assert!(
            deps.join("liblessons-1234.rlib")
                .symlink_metadata()
                .is_err()
        );
        assert!(deps.join("liblessons-own.rlib").exists(), "own files stay");
    }
}
