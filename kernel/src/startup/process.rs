//! One kernel process before it has sockets: its stderr capture and log, its build slot, the
//! pipe that carries cell output, the environment the user-code process inherits, and evcxr
//! warming up. `run` prepares one and serves at once; a spare prepares one and serves later.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::execution::comm_bridge::EventsPipe;
use crate::execution::runtime_child;
use crate::output::build_progress::StderrCapture;
use crate::server::{self, Warm};
use crate::startup::build_slot::BuildSlot;
use crate::startup::toolchain::Toolchain;
use crate::startup::{shared_build, spare};

/// A kernel that is starting (or has started) evcxr and waits for a connection file.
pub struct KernelProcess {
    pub runtime: tokio::runtime::Runtime,
    pub warm: Warm,
    rust_version: String,
    /// What a `run` must share with this kernel to be served by it (see [`spare::identity`]).
    pub identity: String,
    slot: Option<BuildSlot>,
    original_stderr: Option<std::fs::File>,
    /// The output pipe's writing end stays open so that every restarted user-code process
    /// inherits it.
    _pipe_writer: Option<OwnedFd>,
}

impl KernelProcess {
    /// Sets everything up and starts evcxr on its thread. Call before any other thread starts.
    pub fn prepare() -> anyhow::Result<KernelProcess> {
        // From here on the kernel watches its own stderr for build progress (the thread that
        // reads it lives as long as the process); its log goes to the real stderr.
        let stderr = StderrCapture::start().ok();
        let original_stderr = stderr
            .as_ref()
            .and_then(|capture| capture.log.try_clone().ok());
        crate::init_logging(
            original_stderr
                .as_ref()
                .and_then(|file| file.try_clone().ok()),
        );
        let toolchain = Toolchain::detect();
        // A build directory that survives restarts; without one evcxr uses a temporary directory.
        let slot = match BuildSlot::default_root().map(|root| BuildSlot::claim(&root)) {
            Some(Ok(slot)) => Some(slot),
            Some(Err(error)) => {
                log::warn!("building in a temporary directory: {error:#}");
                None
            }
            None => None,
        };
        // Taken before evcxr reads `lessons`, so that it names the sources this kernel loads.
        let identity = spare::identity();
        if let (Some(slot), Some(shared)) = (&slot, shared_build::shared_slot())
            && !slot.warmed.names(&identity)
            && !slot.crate_dir.starts_with(&shared)
        {
            match shared_build::link_into(slot, &shared, &identity) {
                Ok(0) => log::info!(
                    "the shared build at {} was made for another kernel (binary, lessons or \
                     environment): building on our own",
                    shared.display()
                ),
                Ok(linked) => log::info!(
                    "starting from the shared build at {} ({linked} files linked)",
                    shared.display()
                ),
                Err(error) => log::warn!("cannot link the shared build: {error}"),
            }
        }
        let output_pipe = match runtime_child::OutputPipe::create() {
            Ok(pipe) => Some(pipe),
            Err(error) => {
                log::warn!("no output pipe, output will arrive in whole lines: {error}");
                None
            }
        };
        let events = match EventsPipe::create() {
            Ok(pipe) => Some(Arc::new(pipe)),
            Err(error) => {
                log::warn!("no events pipe, widgets will not respond: {error}");
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
            if let Some(events) = &events {
                let (name, value) = events.child_environment();
                std::env::set_var(name, value);
            }
        }
        let runtime = crate::protocol::wire::socket_runtime()?;
        let (reader, pipe_writer) = match output_pipe {
            Some(pipe) => (Some(pipe.reader), Some(pipe.writer)),
            None => (None, None),
        };
        // Once evcxr has loaded `lessons`, the slot is marked as warm for a kernel like this.
        let marker = slot
            .as_ref()
            .map(|slot| (slot.warmed.clone(), identity.clone()));
        let mark_slot = Box::new(move || {
            if let Some((marker, identity)) = marker {
                marker.set(&identity);
            }
        });
        let warm = {
            let _inside = runtime.enter();
            Warm::start(reader, events, stderr, mark_slot)
        };
        Ok(KernelProcess {
            runtime,
            warm,
            rust_version: toolchain.version,
            identity,
            slot,
            original_stderr,
            _pipe_writer: pipe_writer,
        })
    }

    /// Whether a kernel like this one loaded `lessons` in its build directory before (then
    /// every crate it needs is built there).
    pub fn slot_is_warm(&self) -> bool {
        self.slot
            .as_ref()
            .is_some_and(|slot| slot.warmed.names(&self.identity))
    }

    /// Binds the sockets of `connection` and serves until a shutdown request.
    pub fn serve(self, connection: jupyter_protocol::ConnectionInfo) -> anyhow::Result<()> {
        let served = self
            .runtime
            .block_on(server::serve(connection, self.warm, self.rust_version));
        drop(self.slot);
        // A failure is printed on the real stderr, whatever became of the capture.
        if let Some(original) = self.original_stderr {
            let _ = rustix::stdio::dup2_stderr(&original);
        }
        served
    }
}
