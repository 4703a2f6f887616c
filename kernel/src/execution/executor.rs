//! The executor: one thread that owns evcxr's `CommandContext` and runs every job that needs it
//! (cells, completions, hovers) one at a time. A panic inside evcxr is caught and becomes an
//! error for that job; the thread and the kernel live on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use evcxr::{CommandContext, EvalCallbacks, EvalOutputs};
use jupyter_protocol::Stdio;
use parking_lot::Condvar;
use tokio::sync::oneshot;

use crate::execution::comm_bridge::EventsPipe;
use crate::execution::prelude;
use crate::execution::stdin::StdinBridge;
use crate::output::output_pipe::OutputPipeReader;
use crate::output::output_router::{CellReport, OutputRouter};
use crate::output::panic_location::{self, GeneratedLine};

/// How a cell ended, as far as evcxr is concerned.
pub enum ExecuteOutcome {
    /// evcxr ran the cell; its final value's display, if any, is in the outputs.
    Finished(EvalOutputs, CellReport),
    /// evcxr reported an error (compile errors, a lost child process...).
    Failed(evcxr::Error),
    /// Something broke inside the kernel or evcxr itself.
    KernelFault(String),
}

/// A completion or hover question about a cell.
pub struct CodeQuery {
    pub code: String,
    /// Byte offset of the cursor in `code`.
    pub cursor: usize,
}

enum Job {
    Execute {
        code: String,
        allow_stdin: Option<StdinBridge>,
        reply: oneshot::Sender<ExecuteOutcome>,
    },
    Complete {
        query: CodeQuery,
        reply: oneshot::Sender<Result<evcxr::Completions, String>>,
    },
    Hover {
        query: CodeQuery,
        reply: oneshot::Sender<Result<(String, String), String>>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
}

/// Stops a running cell: first by asking it (the stop flag of the comm bridge, which library
/// loops check; the process and its variables survive), then, if the cell is still running
/// after [`STOP_GRACE`], by ending the user-code process (evcxr starts a new one).
#[derive(Default)]
pub struct Interrupter {
    process: OnceLock<Arc<Mutex<Child>>>,
    /// Where the request to stop goes; without it an interrupt ends the process at once.
    events: OnceLock<Arc<EventsPipe>>,
    /// A cell is being compiled or run; an interrupt at any other time does nothing.
    cell_running: Mutex<bool>,
    /// Counts cells, so that a late fallback never ends a later cell's process.
    cells_started: AtomicU64,
    requested: AtomicBool,
    /// The process was ended: the variables are gone.
    ended_process: AtomicBool,
}

/// How long a cell has to stop by itself before its process is ended.
pub const STOP_GRACE: Duration = Duration::from_millis(500);

impl Interrupter {
    /// Sends later interrupts to the cell process through `events` first.
    pub fn ask_through(&self, events: Arc<EventsPipe>) {
        let _ = self.events.set(events);
    }

    pub fn interrupt(self: &Arc<Self>) {
        let running = self.cell_running.lock().unwrap();
        if !*running {
            return;
        }
        self.requested.store(true, Ordering::SeqCst);
        let asked = self
            .events
            .get()
            .is_some_and(|events| events.send(&serde_json::json!({"msg_type": "interrupt"})));
        drop(running);
        if !asked {
            self.end_process();
            return;
        }
        let cell = self.cells_started.load(Ordering::SeqCst);
        let interrupter = Arc::clone(self);
        let _ = std::thread::Builder::new()
            .name("interrupt-fallback".into())
            .spawn(move || {
                let deadline = std::time::Instant::now() + STOP_GRACE;
                while std::time::Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                    if !interrupter.still_running(cell) {
                        return;
                    }
                }
                let running = interrupter.cell_running.lock().unwrap();
                if *running && interrupter.cells_started.load(Ordering::SeqCst) == cell {
                    log::info!("the cell did not stop within {STOP_GRACE:?}; ending its process");
                    interrupter.end_process();
                }
            });
    }

    fn still_running(&self, cell: u64) -> bool {
        *self.cell_running.lock().unwrap() && self.cells_started.load(Ordering::SeqCst) == cell
    }

    fn end_process(&self) {
        self.ended_process.store(true, Ordering::SeqCst);
        if let Some(process) = self.process.get()
            && let Ok(mut child) = process.lock()
        {
            let _ = child.kill();
        }
    }

    fn cell_started(&self) {
        *self.cell_running.lock().unwrap() = true;
        self.cells_started.fetch_add(1, Ordering::SeqCst);
        self.requested.store(false, Ordering::SeqCst);
        self.ended_process.store(false, Ordering::SeqCst);
    }

    fn cell_ended(&self) {
        *self.cell_running.lock().unwrap() = false;
    }

    /// How the last cell was interrupted, once, after an interrupt was requested.
    pub fn take_request(&self) -> Option<Interruption> {
        self.requested.swap(false, Ordering::SeqCst).then(|| {
            if self.ended_process.load(Ordering::SeqCst) {
                Interruption::ProcessEnded
            } else {
                Interruption::Stopped
            }
        })
    }

    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// How an interrupted cell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// The cell stopped by itself when asked: the cell process and its variables remain.
    Stopped,
    /// The cell did not stop in time and its process was ended: variables are lost.
    ProcessEnded,
}

/// A handle for sending jobs to the executor thread.
#[derive(Clone)]
pub struct Executor {
    jobs: crossbeam_channel::Sender<Job>,
    warm_up: Arc<WarmUp>,
}

/// Whether evcxr's warm-up is over, and whether it loaded `lessons`; any thread may wait for it.
#[derive(Default)]
struct WarmUp {
    loaded: parking_lot::Mutex<Option<bool>>,
    over: Condvar,
}

impl WarmUp {
    fn finish(&self, loaded: bool) {
        *self.loaded.lock() = Some(loaded);
        self.over.notify_all();
    }

    fn wait(&self) -> bool {
        let mut loaded = self.loaded.lock();
        self.over.wait_while(&mut loaded, |loaded| loaded.is_none());
        loaded.unwrap_or(false)
    }
}

impl Executor {
    /// Starts the thread; evcxr warms up there while the kernel already answers requests.
    pub fn start(
        router: Arc<OutputRouter>,
        pipe: Option<Arc<OutputPipeReader>>,
        interrupter: Arc<Interrupter>,
        on_lessons_loaded: Box<dyn FnOnce() + Send>,
    ) -> Executor {
        let (jobs, queue) = crossbeam_channel::unbounded();
        let warm_up = Arc::new(WarmUp::default());
        let finished = Arc::clone(&warm_up);
        std::thread::Builder::new()
            .name("executor".into())
            .spawn(move || {
                run(
                    queue,
                    &finished,
                    on_lessons_loaded,
                    router,
                    pipe,
                    interrupter,
                )
            })
            .expect("the executor thread starts");
        Executor { jobs, warm_up }
    }

    /// Blocks until evcxr has started and tried to load `lessons`; true if it loaded.
    pub fn wait_for_warm_up(&self) -> bool {
        self.warm_up.wait()
    }

    pub async fn execute(&self, code: String, allow_stdin: Option<StdinBridge>) -> ExecuteOutcome {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Execute {
            code,
            allow_stdin,
            reply,
        });
        answer
            .await
            .unwrap_or_else(|_| ExecuteOutcome::KernelFault("the executor stopped".into()))
    }

    pub async fn complete(&self, query: CodeQuery) -> Result<evcxr::Completions, String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Complete { query, reply });
        answer
            .await
            .unwrap_or_else(|_| Err("the executor stopped".into()))
    }

    /// Hover documentation at the cursor: (plain text, HTML).
    pub async fn hover(&self, query: CodeQuery) -> Result<(String, String), String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Hover { query, reply });
        answer
            .await
            .unwrap_or_else(|_| Err("the executor stopped".into()))
    }

    /// Runs `code` before any later job, with no request to report to; a failure is logged.
    pub fn run_unseen(&self, code: String) {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Execute {
            code,
            allow_stdin: None,
            reply,
        });
        tokio::spawn(async move {
            match answer.await {
                Ok(ExecuteOutcome::Finished(..)) => {}
                Ok(ExecuteOutcome::Failed(error)) => log::warn!("an unseen cell failed: {error}"),
                Ok(ExecuteOutcome::KernelFault(fault)) => {
                    log::warn!("an unseen cell failed: {fault}")
                }
                Err(_) => log::warn!("the executor stopped before an unseen cell"),
            }
        });
    }

    /// Drops evcxr's context (which removes its temporary build directory), waiting at most
    /// `limit` for a running job to end.
    pub async fn shut_down(&self, limit: Duration) {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Shutdown { reply });
        let _ = tokio::time::timeout(limit, answer).await;
    }

    fn send(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            log::error!("the executor thread is gone");
        }
    }
}

fn run(
    queue: crossbeam_channel::Receiver<Job>,
    warm_up: &WarmUp,
    on_lessons_loaded: Box<dyn FnOnce() + Send>,
    router: Arc<OutputRouter>,
    pipe: Option<Arc<OutputPipeReader>>,
    interrupter: Arc<Interrupter>,
) {
    let started = std::time::Instant::now();
    let context = catch_unwind(CommandContext::new);
    let mut context = match context {
        Ok(Ok((mut context, outputs))) => {
            log::info!("evcxr ready after {:?}", started.elapsed());
            forward_lines(outputs.stdout, Stdio::Stdout, Arc::clone(&router));
            forward_lines(outputs.stderr, Stdio::Stderr, Arc::clone(&router));
            let _ = interrupter.process.set(context.process_handle());
            // Cells build fastest unoptimised; the build slot keeps dependencies optimised.
            if let Err(error) = context.set_opt_level("0") {
                log::warn!("cells stay at evcxr's default opt-level: {error}");
            }
            let loaded = prepare_lessons(&mut context);
            // Before anyone waiting for the warm-up hears of it.
            if loaded {
                on_lessons_loaded();
            }
            warm_up.finish(loaded);
            context
        }
        Ok(Err(error)) => {
            warm_up.finish(false);
            return refuse_all(queue, format!("evcxr could not start: {error}"));
        }
        Err(_) => {
            warm_up.finish(false);
            return refuse_all(queue, "evcxr panicked while starting".into());
        }
    };
    for job in queue {
        match job {
            Job::Execute {
                code,
                allow_stdin,
                reply,
            } => {
                let outcome = execute(
                    &mut context,
                    &code,
                    allow_stdin,
                    &router,
                    &pipe,
                    &interrupter,
                );
                let _ = reply.send(outcome);
            }
            Job::Complete { query, reply } => {
                let answer = guarded(|| context.completions(&query.code, query.cursor));
                let _ = reply.send(answer);
            }
            Job::Hover { query, reply } => {
                let answer = guarded(|| context.hover_at(&query.code, query.cursor));
                let _ = reply.send(answer);
            }
            Job::Shutdown { reply } => {
                drop(context);
                let _ = reply.send(());
                return;
            }
        }
    }
}

fn execute(
    context: &mut CommandContext,
    code: &str,
    stdin: Option<StdinBridge>,
    router: &OutputRouter,
    pipe: &Option<Arc<OutputPipeReader>>,
    interrupter: &Interrupter,
) -> ExecuteOutcome {
    // evcxr does not export the request type, so the closure is written where its type is known.
    let mut callbacks = EvalCallbacks {
        input_reader: &|request| match &stdin {
            Some(bridge) => bridge
                .ask(&request.prompt, request.is_password, interrupter)
                .unwrap_or_default(),
            None => {
                router.stream_text(
                    Stdio::Stderr,
                    "input was requested, but this frontend does not allow stdin; using \"\"\n",
                );
                String::new()
            }
        },
    };
    interrupter.cell_started();
    let result = catch_unwind(AssertUnwindSafe(|| {
        context.execute_with_callbacks(code, &mut callbacks)
    }));
    interrupter.cell_ended();
    if let Some(pipe) = pipe {
        pipe.drain(Duration::from_secs(2));
    }
    let mut report = router.finish_cell();
    if let Some(panic) = &mut report.panic {
        panic.generated_line = generated_line(context, &panic.location);
    }
    match result {
        Ok(Ok(outputs)) => ExecuteOutcome::Finished(outputs, report),
        Ok(Err(error)) => ExecuteOutcome::Failed(error),
        Err(panic) => ExecuteOutcome::KernelFault(panic_text(&panic)),
    }
}

/// Adds `lessons` before any cell runs (see [`prelude`]); without it cells still work. True
/// if `lessons` loaded.
fn prepare_lessons(context: &mut CommandContext) -> bool {
    let Some(dir) = prelude::lessons_dir() else {
        return false;
    };
    let started = std::time::Instant::now();
    for cell in prelude::cells(&dir) {
        match catch_unwind(AssertUnwindSafe(|| context.execute(&cell))) {
            Ok(Ok(_)) => {
                log::info!("lessons ready after {:?}", started.elapsed());
                return true;
            }
            Ok(Err(error)) => log::warn!("lessons prelude cell failed: {error}"),
            Err(_) => log::warn!("lessons prelude cell failed: evcxr panicked"),
        }
    }
    false
}

/// The line of evcxr's generated crate that a panic location points to.
fn generated_line(context: &mut CommandContext, location: &str) -> Option<GeneratedLine> {
    let outputs = context.execute(":last_compile_dir").ok()?;
    let dir = outputs.get("text/plain")?.trim().to_string();
    let generated = std::fs::read_to_string(std::path::Path::new(&dir).join("src/lib.rs")).ok()?;
    panic_location::generated_line(location, &generated)
}

fn guarded<T>(job: impl FnOnce() -> anyhow::Result<T>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(job)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(panic) => Err(format!("evcxr panicked: {}", panic_text(&panic))),
    }
}

/// The message a panic was raised with.
pub fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".into())
}

fn forward_lines(
    lines: crossbeam_channel::Receiver<String>,
    name: Stdio,
    router: Arc<OutputRouter>,
) {
    std::thread::spawn(move || {
        for line in lines {
            router.stream_text(name.clone(), &format!("{line}\n"));
        }
    });
}

fn refuse_all(queue: crossbeam_channel::Receiver<Job>, reason: String) {
    log::error!("{reason}");
    for job in queue {
        match job {
            Job::Execute { reply, .. } => {
                let _ = reply.send(ExecuteOutcome::KernelFault(reason.clone()));
            }
            Job::Complete { reply, .. } => {
                let _ = reply.send(Err(reason.clone()));
            }
            Job::Hover { reply, .. } => {
                let _ = reply.send(Err(reason.clone()));
            }
            Job::Shutdown { reply } => {
                let _ = reply.send(());
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_evcxr_becomes_an_error_for_that_job() {
        let answer: Result<(), String> = guarded(|| panic!("rust-analyzer fell over"));
        assert_eq!(
            answer,
            Err("evcxr panicked: rust-analyzer fell over".to_string())
        );
        assert_eq!(guarded(|| Ok(7)), Ok(7));
        assert_eq!(
            guarded::<()>(|| anyhow::bail!("no such crate")),
            Err("no such crate".into())
        );
    }
}
