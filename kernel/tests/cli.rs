//! The command line: help, argument errors, installing and removing the kernelspec.

use std::process::{Command, Output};

fn kernel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
        .args(args)
        .env_remove("JUPYTER_DATA_DIR")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["install", "--help"],
        vec!["uninstall", "--help"],
        vec!["run", "--help"],
        vec!["prepare", "--help"],
    ] {
        let output = kernel(&args);
        assert!(output.status.success(), "{args:?}");
        assert!(
            text(&output.stdout).contains("Usage: lessons-kernel"),
            "{args:?}"
        );
    }
}

#[test]
fn wrong_arguments_say_why_and_exit_with_2() {
    for (args, says) in [
        (vec!["teleport"], "unrecognized subcommand 'teleport'"),
        (vec!["run"], "--connection-file <CONNECTION_FILE>"),
        (
            vec!["install", "--user", "--prefix", "/tmp/x"],
            "cannot be used with",
        ),
        (vec![], "Usage: lessons-kernel"),
    ] {
        let output = kernel(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).contains(says),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
}

#[test]
fn a_missing_connection_file_is_a_clear_failure() {
    let output = kernel(&["run", "--connection-file", "/nonexistent/kernel-1.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("reading /nonexistent/kernel-1.json"));
}

#[test]
fn install_and_uninstall_under_a_prefix() {
    let prefix = tempfile::tempdir().unwrap();
    let prefix_arg = prefix.path().to_str().unwrap();
    let output = kernel(&["install", "--prefix", prefix_arg]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let dir = prefix.path().join("share/jupyter/kernels/rust-lessons");
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap()).unwrap();
    let executable = std::path::Path::new(env!("CARGO_BIN_EXE_lessons-kernel"));
    assert_eq!(
        spec["argv"],
        serde_json::json!([executable, "run", "--connection-file", "{connection_file}"])
    );
    assert!(std::path::Path::new(spec["argv"][0].as_str().unwrap()).is_absolute());
    assert_eq!(spec["display_name"], "Rust (distributed systems lessons)");
    assert_eq!(spec["interrupt_mode"], "message");
    for logo in ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"] {
        assert!(dir.join(logo).exists(), "{logo}");
    }
    assert_eq!(
        &std::fs::read(dir.join("logo-32x32.png")).unwrap()[..4],
        b"\x89PNG"
    );

    let output = kernel(&["uninstall", "--prefix", prefix_arg]);
    assert!(output.status.success());
    assert!(!dir.exists());
    let again = kernel(&["uninstall", "--prefix", prefix_arg]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("no rust-lessons kernelspec"));
}

#[test]
fn user_install_honours_jupyter_data_dir() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
        .args(["install", "--user"])
        .env("JUPYTER_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        data.path()
            .join("kernels/rust-lessons/kernel.json")
            .exists()
    );
}
