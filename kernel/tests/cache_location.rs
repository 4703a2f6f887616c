//! Where the kernel's build cache may live. A cell is compiled as a crate in a build slot under
//! `LESSONS_KERNEL_CACHE_DIR`; cargo looks for a workspace in every folder above a crate, so a
//! cache below some project's `Cargo.toml` (a learner's own workspace, or this repository's
//! `target/`) must still build cells and `:dep` dependencies.

mod support;

use std::path::Path;

use support::{Kernel, plain_result, write_crate};

/// A cargo workspace with no members, like any Rust project a learner might keep notebooks in.
fn workspace(dir: &Path) {
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = []\n",
    )
    .unwrap();
}

/// A crate with one function, outside the workspace, for a `:dep` line.
fn tiny_crate(dir: &Path) {
    write_crate(dir, "tinyanswer", "", "pub fn answer() -> u32 { 42 }\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cache_inside_a_cargo_workspace_still_builds_cells() {
    let project = tempfile::tempdir().unwrap();
    workspace(project.path());
    let cache = project.path().join("notebooks/.cache/lessons-kernel");
    let elsewhere = tempfile::tempdir().unwrap();
    tiny_crate(elsewhere.path());
    let mut kernel = Kernel::start_with(&[
        ("LESSONS_KERNEL_LESSONS_DIR", ""),
        ("LESSONS_KERNEL_CACHE_DIR", cache.to_str().unwrap()),
    ])
    .await;

    let (reply, outputs) = kernel.execute("let x: u32 = 40;\nx + 2").await;
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(plain_result(&outputs), "42");
    let slot_manifest = cache.join("builds/slot-0/crate/Cargo.toml");
    assert!(
        slot_manifest.exists(),
        "the cell was built in the cache inside the workspace"
    );

    let code = format!(
        ":dep tinyanswer = {{ path = {:?} }}\ntinyanswer::answer() + x",
        elsewhere.path().display().to_string()
    );
    let (reply, outputs) = kernel.execute(&code).await;
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(
        plain_result(&outputs),
        "82",
        "the dependency loaded, x kept"
    );
}
