//! `lessons-kernel`: a Jupyter kernel for Rust built on evcxr, serving the distributed-systems
//! lessons. `install` writes its kernelspec, `run` is what Jupyter starts.

mod cell_errors;
mod executor;
mod help;
mod history;
mod install;
mod iopub;
mod is_complete;
mod output_frames;
mod output_pipe;
mod output_router;
mod panic_location;
mod runtime_child;
mod server;
mod session;
mod stdin;
mod wire;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::install::Location;

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
    env_logger::Builder::from_env(env_logger::Env::new().filter_or("LESSONS_KERNEL_LOG", "info"))
        .format_target(false)
        .init();
    let result = match cli.command {
        Command::Install(place) => std::env::current_exe()
            .context("finding this executable")
            .and_then(|exe| install::install(&place.location(), &exe))
            .map(|dir| {
                println!(
                    "Installed kernelspec {} in {}",
                    install::KERNEL_NAME,
                    dir.display()
                )
            }),
        Command::Uninstall(place) => install::uninstall(&place.location()).map(|dir| {
            println!(
                "Removed kernelspec {} from {}",
                install::KERNEL_NAME,
                dir.display()
            )
        }),
        Command::Run { connection_file } => run(&connection_file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lessons-kernel: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(connection_file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(connection_file)
        .with_context(|| format!("reading {}", connection_file.display()))?;
    let connection: jupyter_protocol::ConnectionInfo =
        serde_json::from_str(&text).context("the connection file is not valid")?;
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
        for (name, value) in output_pipe.iter().flat_map(|pipe| pipe.child_environment()) {
            std::env::set_var(name, value);
        }
    }
    let rust_version = rust_version();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // The writing end stays open here so that every restarted user-code process inherits it.
    let (reader, _writer) = match output_pipe {
        Some(pipe) => (Some(pipe.reader), Some(pipe.writer)),
        None => (None, None),
    };
    runtime.block_on(server::serve(connection, reader, rust_version))
}

/// The `rustc` version cells compile with, for `language_info.version`.
fn rust_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_default()
}
