// lessons-kernel patch: this file is ours (see vendor/README.md), under evcxr's licence.

//! Compiling a cell with rustc directly, when cargo would do nothing but run rustc.
//!
//! Every cell is a `cargo build` of the cell's crate. When the only change since the last build
//! is the cell's source, cargo's work (reading the manifests, checking every dependency's
//! fingerprint) ends in the same rustc command as last time, and on a crate with a few dozen
//! dependencies that work is a sizeable part of a small cell's time. The rustc wrapper records
//! the command cargo ran for the cell's crate (program, arguments, environment and directory);
//! the next cell runs it again directly, as long as nothing cargo looks at has changed: the
//! cargo command and its environment, the crate's manifest and cargo configuration files, and
//! the sources of every path dependency (a learner editing `lessons` gets cargo again, which
//! rebuilds it). Registry and git dependencies never change once fetched. Anything we cannot
//! vouch for (a path dependency with path dependencies of its own, a non-UTF-8 path) means no
//! replay: cargo runs, as before.

use super::CodeBlock;
use super::Error;
use super::errors_from_cargo_output;
use anyhow::Result;
use serde::Deserialize;
use serde::Serialize;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

/// Where the wrapper writes the command it ran for the cell's crate.
pub(crate) const RECORD_ENV: &str = "EVCXR_RUSTC_RECORD_PATH";
pub(crate) const RECORD_FILE: &str = ".evcxr-rustc-command.json";

/// The rustc command cargo ran for the cell's crate, as the wrapper saw it.
#[derive(Serialize, Deserialize)]
struct RecordedRustc {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: String,
}

/// Writes the command the wrapper is about to run, when the kernel asked for it.
pub(crate) fn record(command: &Command) -> Result<()> {
    let Some(path) = std::env::var_os(RECORD_ENV) else {
        return Ok(());
    };
    let text = |value: &std::ffi::OsStr| value.to_str().map(str::to_owned);
    let recorded = (|| {
        Some(RecordedRustc {
            program: text(command.get_program())?,
            args: command.get_args().map(text).collect::<Option<_>>()?,
            env: std::env::vars_os()
                .map(|(key, value)| Some((text(&key)?, text(&value)?)))
                .collect::<Option<_>>()?,
            dir: text(std::env::current_dir().ok()?.as_os_str())?,
        })
    })();
    match recorded {
        Some(recorded) => std::fs::write(path, serde_json::to_vec(&recorded)?)?,
        None => {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// A recorded rustc command and what must stay unchanged for it to be what cargo would run.
pub(crate) struct Replay {
    recorded: RecordedRustc,
    key: String,
    built_at: SystemTime,
    path_dependencies: Vec<PathBuf>,
    jobserver: Option<Jobserver>,
}

/// Variables through which cargo hands rustc its jobserver; the recorded ones name file
/// descriptors that only existed in cargo's process.
const JOBSERVER_VARIABLES: [&str; 3] = ["CARGO_MAKEFLAGS", "MAKEFLAGS", "MFLAGS"];

/// A jobserver like cargo's (one token per core, the first implicit), so that the replayed
/// rustc runs as many codegen threads as under cargo; without one rustc allows itself 32. A
/// named pipe, so that rustc can open it by its path (`--jobserver-auth=fifo:PATH`).
struct Jobserver {
    path: PathBuf,
    cores: usize,
    // Held open so that the pipe and its tokens outlive each rustc.
    _pipe: std::fs::File,
}

impl Jobserver {
    #[cfg(unix)]
    fn new(dir: &Path) -> Option<Jobserver> {
        use std::io::Write;
        use std::os::unix::ffi::OsStrExt;
        let path = dir.join(".evcxr-jobserver");
        let _ = std::fs::remove_file(&path);
        let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
            return None;
        }
        // Read and write: opening never blocks waiting for the other end.
        let mut pipe = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .ok()?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        pipe.write_all(&vec![b'|'; cores - 1]).ok()?;
        Some(Jobserver {
            path,
            cores,
            _pipe: pipe,
        })
    }

    #[cfg(not(unix))]
    fn new(_dir: &Path) -> Option<Jobserver> {
        None
    }

    fn make_flags(&self) -> String {
        format!(
            "-j{} --jobserver-auth=fifo:{}",
            self.cores,
            self.path.display()
        )
    }
}

impl Replay {
    /// The command the wrapper recorded during the cargo build that started at `built_at`.
    pub(crate) fn load(crate_dir: &Path, key: String, built_at: SystemTime) -> Option<Replay> {
        let recorded: RecordedRustc =
            serde_json::from_slice(&std::fs::read(crate_dir.join(RECORD_FILE)).ok()?).ok()?;
        Some(Replay {
            recorded,
            key,
            built_at,
            path_dependencies: path_dependencies(crate_dir)?,
            jobserver: Jobserver::new(crate_dir),
        })
    }

    /// Whether running the recorded rustc gives what `cargo build` would, for this `key`.
    pub(crate) fn still_valid(&self, key: &str) -> bool {
        key == self.key
            && self
                .path_dependencies
                .iter()
                .all(|dir| !modified_since(dir, self.built_at))
    }

    /// Runs the recorded rustc; the shared object it wrote, or the compile errors.
    pub(crate) fn run(&self, code_block: &CodeBlock) -> Result<PathBuf, Error> {
        let mut command = Command::new(&self.recorded.program);
        command
            .args(&self.recorded.args)
            .env_clear()
            .envs(
                self.recorded
                    .env
                    .iter()
                    .filter(|(key, _)| !JOBSERVER_VARIABLES.contains(&key.as_str()))
                    .map(|(key, value)| (key, value)),
            )
            .current_dir(&self.recorded.dir);
        if let Some(jobserver) = &self.jobserver {
            command.env("CARGO_MAKEFLAGS", jobserver.make_flags());
        }
        let output = command.output()?;
        if !output.status.success() {
            let (errors, _) = errors_from_cargo_output(&output, code_block);
            if errors.is_empty() {
                return Err(Error::Message(format!(
                    "rustc failed without a parsable error:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                )));
            }
            return Err(Error::CompilationErrors(errors));
        }
        let out_dir = self
            .recorded
            .args
            .iter()
            .skip_while(|arg| *arg != "--out-dir")
            .nth(1)
            .ok_or_else(|| Error::Message("recorded rustc has no --out-dir".into()))?;
        Ok(Path::new(out_dir).join(super::shared_object_name_from_crate_name(super::CRATE_NAME)))
    }
}

/// What cargo's decision depends on besides sources: its command and environment, and the
/// manifest and configuration files it reads.
pub(crate) fn key(command: &Command, crate_dir: &Path) -> String {
    let mut key = format!(
        "{:?} {:?} {:?} {:?}",
        command.get_program(),
        command.get_args().collect::<Vec<_>>(),
        command.get_envs().collect::<Vec<_>>(),
        command.get_current_dir()
    );
    for file in [
        crate_dir.join("Cargo.toml"),
        crate_dir.join(".cargo/config.toml"),
        crate_dir.join("../.cargo/config.toml"),
    ] {
        key.push('\0');
        key.push_str(&std::fs::read_to_string(file).unwrap_or_default());
    }
    key
}

/// The directories of the cell crate's path dependencies; None when one of them has path
/// dependencies of its own (we would have to follow them: cargo runs instead).
fn path_dependencies(crate_dir: &Path) -> Option<Vec<PathBuf>> {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(crate_dir.join("Cargo.toml")).ok()?).ok()?;
    let mut dirs = Vec::new();
    for (_, dependency) in manifest.get("dependencies")?.as_table()? {
        if let Some(path) = dependency.get("path").and_then(|path| path.as_str()) {
            let dir = crate_dir.join(path);
            if has_path_dependencies(&dir)? {
                return None;
            }
            dirs.push(dir);
        }
    }
    Some(dirs)
}

fn has_path_dependencies(dir: &Path) -> Option<bool> {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).ok()?).ok()?;
    let tables = ["dependencies", "build-dependencies"];
    Some(tables.iter().any(|table| {
        manifest
            .get(*table)
            .and_then(|deps| deps.as_table())
            .is_some_and(|deps| deps.values().any(|dep| dep.get("path").is_some()))
    }))
}

/// Whether any file below `dir` (build outputs and hidden folders aside) changed after `time`.
fn modified_since(dir: &Path, time: SystemTime) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    for entry in entries {
        let Ok(entry) = entry else { return true };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let Ok(metadata) = entry.metadata() else {
            return true;
        };
        if metadata.is_dir() {
            if modified_since(&entry.path(), time) {
                return true;
            }
        } else if metadata
            .modified()
            .map_or(true, |modified| modified >= time)
        {
            return true;
        }
    }
    false
}
