//! `lessons-kernel`: a Jupyter kernel for Rust built on evcxr, serving the distributed-systems
//! lessons. `install` writes its kernelspec, `run` is what Jupyter starts, `notes` executes
//! notebooks without Jupyter and writes study notes from them.

mod build_progress;
mod build_slot;
mod cell_errors;
mod executor;
mod help;
mod history;
mod install;
mod iopub;
mod is_complete;
mod notes;
mod output_frames;
mod output_pipe;
mod output_router;
mod panic_location;
mod prelude;
mod runtime_child;
mod server;
mod session;
mod stdin;
mod toolchain;
mod wire;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::build_progress::StderrCapture;
use crate::build_slot::BuildSlot;
use crate::install::Location;
use crate::toolchain::Toolchain;

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
    Install(Where),
    /// Remove the kernelspec.
    Uninstall(Where),
    /// Run the kernel on a connection file (this is what Jupyter starts).
    Run {
        /// The connection file Jupyter wrote (ports, key, signature scheme).
        #[arg(short = 'f', long)]
        connection_file: PathBuf,
    },
    /// Execute lesson notebooks through this kernel (no Jupyter needed) and write study notes:
    /// the executed notebooks, one HTML page per lesson and an index, and a Markdown version.
    ///
    /// A notebook whose cell fails is reported with the cell and the error and is not
    /// exported; the others are, and the exit code is 1.
    Notes(NotesArgs),
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

    let cli = Cli::parse();
    let result = match cli.command {
        Command::Install(place) => {
            init_logging(None);
            std::env::current_exe()
                .context("finding this executable")
                .and_then(|exe| install::install(&place.location(), &exe))
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

fn run(connection_file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(connection_file)
        .with_context(|| format!("reading {}", connection_file.display()))?;
    let connection: jupyter_protocol::ConnectionInfo =
        serde_json::from_str(&text).context("the connection file is not valid")?;
    // From here on the kernel watches its own stderr for build progress (the thread that reads
    // it lives as long as the process); its log goes to the real stderr.
    let stderr = StderrCapture::start().ok();
    let original_stderr = stderr
        .as_ref()
        .and_then(|capture| capture.log.try_clone().ok());
    init_logging(
        original_stderr
            .as_ref()
            .and_then(|file| file.try_clone().ok()),
    );
    let toolchain = Toolchain::detect();
    // A build directory that survives restarts; without one evcxr uses a temporary directory.
    let slot = BuildSlot::default_root().map(|root| BuildSlot::claim(&root));
    let slot = match slot {
        Some(Ok(slot)) => Some(slot),
        Some(Err(error)) => {
            log::warn!("building in a temporary directory: {error:#}");
            None
        }
        None => None,
    };
    let output_pipe = match runtime_child::OutputPipe::create() {
        Ok(pipe) => Some(pipe),
        Err(error) => {
            log::warn!("no output pipe, output will arrive in whole lines: {error}");
            None
        }
    };
    // SAFETY: no other thread exists yet; the user-code process inherits these variables.
    unsafe {
        std::env::set_var("LESSONS_KERNEL_PROTOCOL", "1");
        if let Some(slot) = &slot {
            std::env::set_var("EVCXR_TMPDIR", &slot.crate_dir);
            if let Some(path) = toolchain.library_path() {
                std::env::set_var("LD_LIBRARY_PATH", path);
            }
        }
        for (name, value) in output_pipe.iter().flat_map(|pipe| pipe.child_environment()) {
            std::env::set_var(name, value);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // The writing end stays open here so that every restarted user-code process inherits it.
    let (reader, _writer) = match output_pipe {
        Some(pipe) => (Some(pipe.reader), Some(pipe.writer)),
        None => (None, None),
    };
    let served = runtime.block_on(server::serve(connection, reader, toolchain.version, stderr));
    drop(slot);
    // A failure is printed on the real stderr, whatever became of the capture.
    if let Some(original) = original_stderr {
        let _ = rustix::stdio::dup2_stderr(&original);
    }
    served
}
