//! `lessons-kernel prepare`: `scripts/study` builds the `lessons` crate into the kernel's cache
//! before JupyterLab opens, so that the first notebook's kernel finds it built.

mod support;

use std::process::Command;

use support::{Kernel, plain_result, write_crate};

#[tokio::test(flavor = "multi_thread")]
async fn prepare_builds_lessons_once_and_the_next_kernel_compiles_nothing_for_it() {
    let cache = tempfile::tempdir().unwrap();
    let lessons = tempfile::tempdir().unwrap();
    write_crate(
        lessons.path(),
        "lessons",
        "",
        "/// The answer.\npub fn answer() -> u32 { 42 }\n",
    );
    let env = [
        (
            "LESSONS_KERNEL_LESSONS_DIR",
            lessons.path().to_str().unwrap(),
        ),
        ("LESSONS_KERNEL_CACHE_DIR", cache.path().to_str().unwrap()),
    ];
    let prepare = || {
        Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
            .arg("prepare")
            .envs(env)
            .env("LESSONS_KERNEL_SPARE", "0")
            .output()
            .unwrap()
    };

    let first = prepare();
    let said = String::from_utf8_lossy(&first.stdout);
    let logged = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{said}\n{logged}");
    assert!(said.contains("lessons built in"), "{said}");
    assert!(
        logged.contains("Compiling lessons"),
        "cargo's progress is shown: {logged}"
    );

    let again = prepare();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("built already"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    let mut kernel = Kernel::start_logging(&env).await;
    let (reply, outputs) = kernel.execute("lessons::answer()").await;
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(plain_result(&outputs), "42");
    assert!(
        !kernel.log().contains("Compiling lessons"),
        "the kernel found lessons built: {}",
        kernel.log()
    );
}

/// A class's shared build: `prepare` into one cache, then a kernel with a cache of its own
/// and `LESSONS_KERNEL_SHARED_CACHE` naming the first compiles nothing for `lessons`; an
/// edited copy of `lessons` is built in the kernel's own cache; the shared build stays as it
/// was.
#[tokio::test(flavor = "multi_thread")]
async fn a_kernel_with_a_cold_cache_starts_from_the_shared_build_and_leaves_it_unchanged() {
    let shared = tempfile::tempdir().unwrap();
    let own = tempfile::tempdir().unwrap();
    let lessons = tempfile::tempdir().unwrap();
    write_crate(
        lessons.path(),
        "lessons",
        "",
        "/// The answer.\npub fn answer() -> u32 { 42 }\n",
    );
    let lessons_dir = (
        "LESSONS_KERNEL_LESSONS_DIR",
        lessons.path().to_str().unwrap(),
    );
    let prepared = Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
        .arg("prepare")
        .env(lessons_dir.0, lessons_dir.1)
        .env("LESSONS_KERNEL_CACHE_DIR", shared.path())
        .env("LESSONS_KERNEL_SPARE", "0")
        .output()
        .unwrap();
    assert!(prepared.status.success(), "{prepared:?}");
    let before = files_and_times(shared.path());

    let env = [
        lessons_dir,
        ("LESSONS_KERNEL_CACHE_DIR", own.path().to_str().unwrap()),
        (
            "LESSONS_KERNEL_SHARED_CACHE",
            shared.path().to_str().unwrap(),
        ),
    ];
    let mut kernel = Kernel::start_logging(&env).await;
    let (reply, outputs) = kernel.execute("lessons::answer() + 1").await;
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(plain_result(&outputs), "43");
    let log = kernel.log();
    assert!(log.contains("starting from the shared build"), "{log}");
    assert!(!log.contains("Compiling lessons"), "{log}");

    // A learner who edits a copy of `lessons` gets that copy built, in their own cache.
    let edited = tempfile::tempdir().unwrap();
    write_crate(
        edited.path(),
        "lessons",
        "",
        "/// The learner's answer.\npub fn answer() -> u32 { 7 }\n",
    );
    let dependency = format!(
        ":dep lessons = {{ path = \"{}\" }}\nlessons::answer()",
        edited.path().display()
    );
    let (reply, outputs) = kernel.execute(&dependency).await;
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(plain_result(&outputs), "7");
    assert!(
        kernel.log().contains("Compiling lessons"),
        "{}",
        kernel.log()
    );
    drop(kernel);

    let after = files_and_times(shared.path());
    let changed: Vec<_> = before
        .iter()
        .filter(|(path, _)| !path.ends_with("lock"))
        .filter(|(path, time)| after.get(*path) != Some(time))
        .collect();
    assert!(changed.is_empty(), "the shared build changed: {changed:?}");
    assert_eq!(
        before.len(),
        after.len(),
        "files appeared in the shared build"
    );
}

/// Every file under `dir` with its modification time.
fn files_and_times(
    dir: &std::path::Path,
) -> std::collections::BTreeMap<std::path::PathBuf, std::time::SystemTime> {
    let mut found = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                found.insert(entry.path(), meta.modified().unwrap());
            }
        }
    }
    found
}
