//! Build progress in the notebook: while a cell waits for dependencies to compile (the first
//! `lessons` build, or a rebuild after `lessons/` changed), the cell shows which crate is being
//! compiled instead of sitting silent.
//!
//! evcxr reports each dependency it compiles as a `Compiling <crate> <version>` line on the
//! kernel's stderr. We put a pipe behind the kernel's stderr, pass every line on to the real
//! stderr (the Jupyter server's log), and turn those lines into an updating display.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::output::output_router::OutputRouter;

/// The kernel's stderr, redirected: `log` is the original stderr, for our own log lines.
pub struct StderrCapture {
    pub log: File,
    reader: OwnedFd,
}

impl StderrCapture {
    /// Puts a pipe behind file descriptor 2. Call before other threads start.
    pub fn start() -> std::io::Result<StderrCapture> {
        let log = File::from(rustix::io::dup(rustix::stdio::stderr())?);
        let (reader, writer) = rustix::pipe::pipe()?;
        rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::CLOEXEC)?;
        rustix::stdio::dup2_stderr(&writer)?;
        Ok(StderrCapture { log, reader })
    }

    /// Passes every line on to the log and build progress to the running cell.
    pub fn forward(self, router: Arc<OutputRouter>) {
        let mut log = self.log;
        let lines = BufReader::new(File::from(self.reader));
        std::thread::Builder::new()
            .name("stderr".into())
            .spawn(move || {
                for line in lines.split(b'\n') {
                    let Ok(mut line) = line else { return };
                    if let Some(krate) = compiling(&String::from_utf8_lossy(&line)) {
                        router.build_progress(&krate);
                    }
                    line.push(b'\n');
                    let _ = log.write_all(&line);
                }
            })
            .expect("the stderr thread starts");
    }
}

/// The crate in cargo's `Compiling lessons v0.1.0 (/path)` line: `lessons v0.1.0`.
fn compiling(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix("Compiling ")?;
    let mut words = rest.split_whitespace();
    let name = words.next()?;
    Some(match words.next() {
        Some(version) if version.starts_with('v') => format!("{name} {version}"),
        _ => name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_compiling_lines_name_the_crate() {
        assert_eq!(
            compiling("   Compiling lessons v0.1.0 (/work/main/lessons)"),
            Some("lessons v0.1.0".into())
        );
        assert_eq!(
            compiling("Compiling plotters v0.3.7"),
            Some("plotters v0.3.7".into())
        );
        assert_eq!(compiling("    Finished `dev` profile"), None);
        assert_eq!(compiling("[INFO ] listening"), None);
    }
}
