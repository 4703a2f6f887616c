//! `lessons-kernel`: a Jupyter kernel for Rust built on evcxr, serving the distributed-systems
//! lessons. `install` writes its kernelspec, `run` is what Jupyter starts, `notes` executes
//! notebooks without Jupyter and writes study notes from them.

mod execution;
mod install;
mod notes;
mod output;
mod protocol;
mod server;
mod startup;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::execution::runtime_child;
use crate::install::Location;
use crate::startup::process::KernelProcess;
use crate::startup::spare;

/// A Jupyter kernel for Rust (evcxr) that serves the distributed-systems lessons.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install the kernelspec "rust-lessons" where Jupyter finds it.
    Install {
        #[command(flatten)]
        place: Where,
        /// An environment variable the kernel starts with (repeat for more): a class's
        /// system-wide kernelspec names the toolchain, `CARGO_HOME` and the shared build.
        #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_variable)]
        env: Vec<(String, String)>,
    },
    /// Remove the kernelspec.
    Uninstall(Where),
    /// Run the kernel on a connection file (this is what Jupyter starts).
    Run {
        /// The connection file Jupyter wrote (ports, key, signature scheme).
        #[arg(short = 'f', long)]
        connection_file: PathBuf,
    },
    /// Start a spare kernel that warms up and waits for the next `run` (started by `run`
    /// itself; `LESSONS_KERNEL_SPARE=0` turns spares off).
    #[command(hide = true)]
    Spare {
        /// Where the spare's log goes until a `run` takes it over.
        #[arg(long)]
        log: PathBuf,
        /// The process that started the `run` that started this spare (the Jupyter server):
        /// an unclaimed spare ends when it does.
        #[arg(long)]
        server_pid: Option<u32>,
    },
    /// Execute lesson notebooks through this kernel (no Jupyter needed) and write study notes:
    /// the executed notebooks, one HTML page per lesson and an index, and a Markdown version.
    ///
    /// A notebook whose cell fails is reported with the cell and the error and is not
    /// exported; the others are, and the exit code is 1.
    Notes(NotesArgs),
    /// Build the `lessons` crate into the kernel's cache now (with cargo's progress), so that
    /// the first notebook opens warm; `scripts/study` runs it after installing the kernel
    Prepare,
}

#[derive(Args)]
struct NotesArgs {
    /// The notebooks, in any order (the notes follow their file names); default: every
    /// notebook in ./notebooks.
    #[arg(value_name = "NOTEBOOKS")]
    notebooks: Vec<PathBuf>,
    /// The directory for the notes (created if missing).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Seconds one cell may run before it counts as failed.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    cell_timeout: u64,
    /// Start the HTML pages with every code block folded (each can be opened, or all at once).
    #[arg(long)]
    fold_code: bool,
}

#[derive(Args)]
#[group(multiple = false)]
struct Where {
    /// In the user's Jupyter data directory (the default).
    #[arg(long)]
    user: bool,
    /// In the active Python environment (virtualenv or conda).
    #[arg(long)]
    sys_prefix: bool,
    /// Under DIR/share/jupyter/kernels.
    #[arg(long, value_name = "DIR")]
    prefix: Option<PathBuf>,
}

/// `NAME=VALUE`, as `--env` takes it.
fn parse_variable(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}

impl Where {
    fn location(&self) -> Location {
        match (&self.prefix, self.sys_prefix) {
            (Some(prefix), _) => Location::Prefix(prefix.clone()),
            (None, true) => Location::SysPrefix,
            (None, false) => Location::User,
        }
    }
}

fn main() -> ExitCode {
    // The same binary is evcxr's user-code process and its rustc wrapper; those never return.
    runtime_child::redirect_output_if_runtime();
    evcxr::runtime_hook();
    spare::remember_environment();

    let cli = Cli::parse();
    let result = match cli.command {
        Command::Install { place, env } => {
            init_logging(None);
            std::env::current_exe()
                .context("finding this executable")
                .and_then(|exe| install::install(&place.location(), &exe, &env))
                .map(|dir| {
                    println!(
                        "Installed kernelspec {} in {}",
                        install::KERNEL_NAME,
                        dir.display()
                    )
                })
        }
        Command::Uninstall(place) => {
            init_logging(None);
            install::uninstall(&place.location()).map(|dir| {
                println!(
                    "Removed kernelspec {} from {}",
                    install::KERNEL_NAME,
                    dir.display()
                )
            })
        }
        Command::Run { connection_file } => run(&connection_file),
        Command::Spare { log, server_pid } => spare::wait_and_serve(&log, server_pid),
        Command::Prepare => prepare(),
        Command::Notes(args) => {
            init_logging(None);
            let options = notes::Options {
                notebooks: args.notebooks,
                out: args.out,
                cell_timeout: std::time::Duration::from_secs(args.cell_timeout),
                fold_code: args.fold_code,
            };
            match notes::run(options) {
                Ok(true) => Ok(()),
                Ok(false) => return ExitCode::FAILURE,
                Err(error) => Err(error),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lessons-kernel: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to `target`, or to stderr; `LESSONS_KERNEL_LOG` sets the level (default `info`).
fn init_logging(target: Option<std::fs::File>) {
    let mut logger = env_logger::Builder::from_env(
        env_logger::Env::new().filter_or("LESSONS_KERNEL_LOG", "info"),
    );
    if let Some(file) = target {
        logger.target(env_logger::Target::Pipe(Box::new(file)));
    }
    logger.format_target(false).init();
}

/// Warms a build slot as a kernel's start would, then exits: the next kernel that claims the
/// slot finds `lessons` and its dependencies built and loads them in seconds.
fn prepare() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let kernel = KernelProcess::prepare()?;
    if kernel.slot_is_warm() {
        println!("lessons is built already: the first notebook opens warm");
        return Ok(());
    }
    println!("Building lessons for the kernel (the first time takes a few minutes)...");
    if !kernel.warm.executor.wait_for_warm_up() {
        anyhow::bail!("lessons did not build: the log above says why");
    }
    println!(
        "lessons built in {:.0} s: the first notebook opens warm",
        started.elapsed().as_secs_f32()
    );
    Ok(())
}

fn run(connection_file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(connection_file)
        .with_context(|| format!("reading {}", connection_file.display()))?;
    let connection: jupyter_protocol::ConnectionInfo =
        serde_json::from_str(&text).context("the connection file is not valid")?;
    startup::orphan::end_when_orphaned();
    if let Some(served) = spare::hand_over(&text) {
        return served;
    }
    let kernel = KernelProcess::prepare()?;
    // The next start finds a warm kernel waiting.
    spare::start_next();
    kernel.serve(connection)
}
