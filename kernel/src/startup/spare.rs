//! The warm spare: a kernel process that has already started evcxr and loaded `lessons`, and
//! waits for the next `run` to hand it a connection file.
//!
//! Starting evcxr and loading `lessons` into it costs about 12 s of rust-analyzer and cargo
//! work on a 2-core machine, even with every crate built. So each `run` starts a spare for the
//! next one (at a lower priority), and the next `run` (a restart, another notebook) sends its
//! connection file over a Unix socket in the cache directory to that spare, which binds the
//! sockets and serves at once, at normal priority, with whatever warm-up is left. The `run`
//! process stays, as Jupyter expects, and passes the spare's log on to its own stderr; when it
//! ends (shut down, killed by a restart) the spare sees its socket close and ends too.
//!
//! A spare only serves a `run` of the same binary, the same `lessons` sources and the same
//! environment; otherwise it ends and the `run` starts normally. An unclaimed spare ends after
//! `LESSONS_KERNEL_SPARE_IDLE` seconds (default 1800), or as soon as the process that started
//! its `run` (the Jupyter server) has ended: it never outlives the server that led to it.
//! `LESSONS_KERNEL_SPARE=0` turns spares off.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::execution::prelude;
use crate::startup::build_slot::BuildSlot;
use crate::startup::process::KernelProcess;

/// `0` turns spares off.
const SPARE_VAR: &str = "LESSONS_KERNEL_SPARE";
/// Seconds an unclaimed spare waits before it ends.
const IDLE_VAR: &str = "LESSONS_KERNEL_SPARE_IDLE";
const DEFAULT_IDLE: Duration = Duration::from_secs(1800);
/// How nice a spare is while it warms up and waits (it gives the CPU to running kernels).
const SPARE_NICENESS: i32 = 10;

/// Descriptors below this are closed in a spare when it starts.
const INHERITED_FD_LIMIT: i32 = 4096;

/// The environment this process started with, before the kernel set its own variables.
static STARTING_ENVIRONMENT: OnceLock<Vec<(OsString, OsString)>> = OnceLock::new();

/// Records the starting environment; call first thing in `main`.
pub fn remember_environment() {
    STARTING_ENVIRONMENT.get_or_init(|| std::env::vars_os().collect());
}

/// What `run` sends to a spare.
#[derive(Serialize, Deserialize)]
struct Claim {
    identity: String,
    cwd: PathBuf,
    connection: String,
}

/// What the spare answers.
#[derive(Serialize, Deserialize)]
enum Answer {
    /// The spare serves the connection; its log is at `log`.
    Serving { pid: u32, log: PathBuf },
    /// The spare does not fit this `run` and has ended.
    Refused { reason: String },
}

fn enabled() -> bool {
    std::env::var_os(SPARE_VAR).is_none_or(|value| value != "0")
}

/// Where spares wait: beside the build slots.
fn socket_path() -> Option<PathBuf> {
    BuildSlot::default_root().map(|root| root.join("spare.sock"))
}

/// Hands `connection` to a waiting spare and follows it until it ends; `None` if there is no
/// spare (or it does not fit), and this process should serve itself.
pub fn hand_over(connection: &str) -> Option<anyhow::Result<()>> {
    if !enabled() {
        return None;
    }
    let mut stream = UnixStream::connect(socket_path()?).ok()?;
    let claim = Claim {
        identity: identity(),
        cwd: std::env::current_dir().ok()?,
        connection: connection.to_string(),
    };
    send_line(&mut stream, &claim).ok()?;
    match receive_line(&stream) {
        Ok(Answer::Serving { pid, log }) => {
            eprintln!("lessons-kernel: served by the warm spare kernel (process {pid})");
            start_next();
            Some(follow(stream, &log))
        }
        Ok(Answer::Refused { reason }) => {
            eprintln!("lessons-kernel: not using the spare kernel: {reason}");
            None
        }
        Err(_) => None,
    }
}

/// Copies the spare's log to this process's stderr until the spare closes the socket.
fn follow(mut stream: UnixStream, log: &Path) -> anyhow::Result<()> {
    let mut log_file = File::open(log).with_context(|| format!("opening {}", log.display()))?;
    // Only what the spare logs from now on: its warm-up is old news.
    std::io::copy(&mut log_file, &mut std::io::sink())?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut byte = [0u8; 1];
    loop {
        std::io::copy(&mut log_file, &mut std::io::stderr())?;
        match stream.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    std::io::copy(&mut log_file, &mut std::io::stderr())?;
    let _ = std::fs::remove_file(log);
    Ok(())
}

/// Starts a spare for the next `run`, detached from this process (its own session, its log in
/// the cache directory), with the environment this process started with.
pub fn start_next() {
    if !enabled() {
        return;
    }
    let (Some(socket), Ok(exe)) = (socket_path(), std::env::current_exe()) else {
        return;
    };
    let Some(dir) = socket.parent() else { return };
    let log = dir.join(format!("spare-{}.log", uuid::Uuid::new_v4().simple()));
    let Ok(log_file) = std::fs::create_dir_all(dir).and_then(|()| File::create(&log)) else {
        return;
    };
    let mut command = std::process::Command::new(exe);
    command.arg("spare").arg("--log").arg(&log);
    if let Some(server) = rustix::process::getppid() {
        command
            .arg("--server-pid")
            .arg(server.as_raw_nonzero().to_string());
    }
    command
        .env_clear()
        .envs(STARTING_ENVIRONMENT.get().into_iter().flatten().cloned())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log_file);
    // SAFETY: setsid, setpriority and fcntl are async-signal-safe system calls, and the
    // descriptors are only flagged, never used.
    unsafe {
        command.pre_exec(|| {
            // Nothing of this process stays open in the spare (a pipe to whoever started this
            // kernel would wait for the spare to end).
            for fd in 3..INHERITED_FD_LIMIT {
                let fd = std::os::fd::BorrowedFd::borrow_raw(fd);
                let _ = rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC);
            }
            rustix::process::setsid()?;
            rustix::process::setpriority_process(None, SPARE_NICENESS)?;
            Ok(())
        });
    }
    if let Err(error) = command.spawn() {
        log::warn!("no spare kernel for the next start: {error}");
    }
}

/// The `spare` command: warm up, wait for one `run`, serve it; end unclaimed if the process
/// `server_pid` (the server that started the `run` that started this spare) ends first.
pub fn wait_and_serve(log: &Path, server_pid: Option<u32>) -> anyhow::Result<()> {
    let socket = socket_path().context("no cache directory for the spare's socket")?;
    let dir = socket.parent().context("the socket has no directory")?;
    std::fs::create_dir_all(dir)?;
    // One spare at a time: the lock is held until a `run` claims this one.
    let lock = File::create(dir.join("spare.lock"))?;
    if rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_err() {
        let _ = std::fs::remove_file(log);
        return Ok(());
    }
    let claimed = Arc::new(AtomicBool::new(false));
    if let Some(pid) = server_pid {
        let Some(server) = Server::with_pid(pid) else {
            log::info!("the server that led to this spare has ended; so does the spare");
            let _ = std::fs::remove_file(log);
            return Ok(());
        };
        end_unclaimed_with(server, claimed.clone(), socket.clone(), log.to_path_buf());
    }
    let kernel = KernelProcess::prepare()?;
    // In a slot where a kernel like this one loaded `lessons` before, a `run` may claim the
    // spare while it still warms up: what is left is never more than a fresh start would do.
    // In a cold slot (the first spare beside a running kernel, an edited `lessons`) the spare
    // builds first: a fresh start in the restarted kernel's own warm slot is faster than that.
    if !kernel.slot_is_warm() {
        log::info!("spare kernel building; it takes a claim once lessons are loaded");
        kernel.warm.executor.wait_for_warm_up();
    }
    let _ = std::fs::remove_file(&socket);
    let listener =
        UnixListener::bind(&socket).with_context(|| format!("binding {}", socket.display()))?;
    // Only this user may hand the spare a connection file (it carries the signing key).
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))?;
    log::info!("spare kernel waiting on {}", socket.display());
    let Some(mut stream) = wait_for_claim(&listener, &socket) else {
        let _ = std::fs::remove_file(&socket);
        let _ = std::fs::remove_file(log);
        return Ok(());
    };
    claimed.store(true, Ordering::SeqCst);
    // The next spare may take the socket and the lock.
    let _ = std::fs::remove_file(&socket);
    drop(listener);
    drop(lock);
    let claim: Claim = receive_line(&stream)?;
    stream.set_read_timeout(None)?;
    if claim.identity != kernel.identity {
        send_line(
            &mut stream,
            &Answer::Refused {
                reason: "it was started by another build or environment".into(),
            },
        )?;
        let _ = std::fs::remove_file(log);
        return Ok(());
    }
    let connection: jupyter_protocol::ConnectionInfo = serde_json::from_str(&claim.connection)?;
    move_to(&kernel, &claim.cwd);
    // Serving now: back to normal priority (allowed for root; otherwise it stays nice).
    normal_priority();
    send_line(
        &mut stream,
        &Answer::Serving {
            pid: std::process::id(),
            log: log.to_path_buf(),
        },
    )?;
    end_with(stream);
    kernel.serve(connection)
}

/// A running process, told apart from a later one that reuses its pid by its start time.
struct Server {
    pid: u32,
    started: u64,
}

impl Server {
    /// The process `pid`, if it is running.
    fn with_pid(pid: u32) -> Option<Server> {
        Some(Server {
            pid,
            started: start_time(pid)?,
        })
    }

    fn is_running(&self) -> bool {
        start_time(self.pid) == Some(self.started)
    }
}

/// When process `pid` started (clock ticks after boot), or `None` if it has ended (a zombie
/// has ended too).
fn start_time(pid: u32) -> Option<u64> {
    let fields = stat_fields(pid)?;
    if fields.first().map(String::as_str) == Some("Z") {
        return None;
    }
    fields.get(22 - 3)?.parse().ok()
}

/// The fields of `/proc/PID/stat` after the command name in parentheses: field 3 (the state)
/// onwards, so field N is at index N - 3.
fn stat_fields(pid: impl std::fmt::Display) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    )
}

/// Ends this process if `server` ends before a `run` claims the spare (a spare left by a
/// Jupyter server that was stopped would otherwise wait out its idle time, holding memory).
fn end_unclaimed_with(server: Server, claimed: Arc<AtomicBool>, socket: PathBuf, log: PathBuf) {
    std::thread::Builder::new()
        .name("server-watch".into())
        .spawn(move || {
            while !claimed.load(Ordering::SeqCst) {
                if !server.is_running() {
                    log::info!("the server that led to this spare has ended; so does the spare");
                    // Unclaimed, this spare still holds the spare lock: the socket is its own.
                    let _ = std::fs::remove_file(&socket);
                    let _ = std::fs::remove_file(&log);
                    // The spare leads its own process group (setsid): its build and its cell
                    // process end with it.
                    let _ =
                        rustix::process::kill_current_process_group(rustix::process::Signal::TERM);
                    std::process::exit(0);
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        })
        .expect("the watching thread starts");
}

/// Waits for a connection until the idle time is over or the socket file is gone (someone
/// cleared the cache).
fn wait_for_claim(listener: &UnixListener, socket: &Path) -> Option<UnixStream> {
    let idle = std::env::var(IDLE_VAR)
        .ok()
        .and_then(|seconds| seconds.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_IDLE);
    listener.set_nonblocking(true).ok()?;
    let started = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                return Some(stream);
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                if started.elapsed() > idle || !socket.exists() {
                    log::info!("spare kernel unclaimed, ending");
                    return None;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) => {
                log::warn!("spare kernel cannot accept: {error}");
                return None;
            }
        }
    }
}

/// Sends one message of the hand-over: a line of JSON.
fn send_line(stream: &mut UnixStream, message: &impl Serialize) -> anyhow::Result<()> {
    let mut line = serde_json::to_string(message)?;
    line.push('\n');
    stream.write_all(line.as_bytes())?;
    Ok(())
}

/// Reads one message of the hand-over, waiting at most 10 s for it.
fn receive_line<T: for<'de> Deserialize<'de>>(stream: &UnixStream) -> anyhow::Result<T> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut line = String::new();
    BufReader::new(stream.try_clone()?).read_line(&mut line)?;
    Ok(serde_json::from_str(&line)?)
}

/// Works in `cwd` from now on, as a kernel started there would: this process (relative `:dep`
/// paths) and, through an unseen first cell, the user-code process.
fn move_to(kernel: &KernelProcess, cwd: &Path) {
    if std::env::current_dir().is_ok_and(|current| current == cwd) {
        return;
    }
    if let Err(error) = std::env::set_current_dir(cwd) {
        log::warn!("the spare kernel cannot work in {}: {error}", cwd.display());
        return;
    }
    let _inside = kernel.runtime.enter();
    kernel.warm.executor.run_unseen(format!(
        "std::env::set_current_dir({:?}).ok();",
        cwd.display().to_string()
    ));
}

/// Puts every thread of this process, and the processes it started, back to priority 0 (on
/// Linux each thread has its own).
fn normal_priority() {
    let mut tasks: Vec<i32> = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        .collect();
    tasks.extend(children_of(std::process::id()));
    for task in tasks {
        if let Some(pid) = rustix::process::Pid::from_raw(task) {
            let _ = rustix::process::setpriority_process(Some(pid), 0);
        }
    }
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<i32> {
    let parent = parent.to_string();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            // Field 4: the parent's pid.
            let ppid = stat_fields(pid)?.into_iter().nth(4 - 3)?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}

/// Ends this process when the `run` that claimed it ends (its socket closes).
fn end_with(mut stream: UnixStream) {
    std::thread::Builder::new()
        .name("claimed-by".into())
        .spawn(move || {
            let mut byte = [0u8; 1];
            while matches!(stream.read(&mut byte), Ok(n) if n > 0) {}
            log::info!("the kernel's front process ended; the spare ends too");
            std::process::exit(0);
        })
        .expect("the watching thread starts");
}

/// Variables that say where a kernel keeps its builds and whether it has a spare, not how
/// cells build: a class's shared build (see [`shared_build`]) is prepared with another cache
/// directory than the learners' kernels use, and still serves them.
///
/// [`shared_build`]: crate::startup::shared_build
const NOT_IN_IDENTITY: [&str; 4] = [
    "LESSONS_KERNEL_CACHE_DIR",
    "LESSONS_KERNEL_SHARED_CACHE",
    SPARE_VAR,
    IDLE_VAR,
];

/// What a spare must share with the `run` it serves, and a shared build with the kernels that
/// link from it: the binary, the `lessons` sources it loaded, and the environment that decides
/// how cells build and run.
pub fn identity() -> String {
    let exe = std::env::current_exe().ok();
    let exe_time = exe
        .as_ref()
        .and_then(|exe| exe.metadata().ok())
        .and_then(|meta| meta.modified().ok())
        .map(whole_seconds);
    let lessons = prelude::lessons_dir();
    let lessons_time = lessons.as_deref().and_then(newest_change);
    let mut environment: Vec<String> = STARTING_ENVIRONMENT
        .get()
        .into_iter()
        .flatten()
        .filter(|(name, _)| {
            let name = name.to_string_lossy();
            [
                "LESSONS_KERNEL",
                "EVCXR",
                "CARGO",
                "RUST",
                "PATH",
                "LD_LIBRARY_PATH",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
                && !NOT_IN_IDENTITY.contains(&name.as_ref())
        })
        .map(|(name, value)| format!("{}={}", name.to_string_lossy(), value.to_string_lossy()))
        .collect();
    environment.sort();
    format!("{exe:?} {exe_time:?} {lessons:?} {lessons_time:?} {environment:?}")
}

/// `time` without its fraction of a second: copies (an image's `COPY`, `tar`, many file
/// systems) keep whole seconds only, and a shared build copied that way still names the same
/// binary and sources.
fn whole_seconds(time: SystemTime) -> SystemTime {
    let since_epoch = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    SystemTime::UNIX_EPOCH + Duration::from_secs(since_epoch.as_secs())
}

/// The newest modification time of the crate's manifest and sources.
fn newest_change(crate_dir: &Path) -> Option<SystemTime> {
    fn walk(path: &Path, newest: &mut Option<SystemTime>) {
        let Ok(meta) = path.metadata() else { return };
        if let Ok(modified) = meta.modified() {
            *newest = (*newest).max(Some(whole_seconds(modified)));
        }
        if meta.is_dir()
            && let Ok(entries) = std::fs::read_dir(path)
        {
            for entry in entries.flatten() {
                walk(&entry.path(), newest);
            }
        }
    }
    let mut newest = None;
    for part in ["Cargo.toml", "src", "build.rs"] {
        walk(&crate_dir.join(part), &mut newest);
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_the_identity_keep_whole_seconds_only() {
        let copied = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_668_488);
        let built = copied + Duration::from_nanos(695_359_983);
        assert_eq!(
            whole_seconds(built),
            copied,
            "a copy that drops the fraction matches"
        );
        assert_ne!(whole_seconds(built + Duration::from_secs(1)), copied);
    }
}
