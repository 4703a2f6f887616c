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
