//! A kernel whose Jupyter server has gone ends too, as ipykernel's parent poller does.
//!
//! jupyter_client names itself in `JPY_PARENT_PID` when it starts a kernel that it owns. If
//! that server dies without shutting its kernels down (killed, crashed), each kernel is handed
//! to another parent; nobody can reach it any more, so it ends instead of holding its memory.

use std::time::Duration;

/// How often the parent is looked at.
const EVERY: Duration = Duration::from_secs(1);

/// Ends this process once its parent changes, if it was started by a Jupyter client that owns
/// it (`JPY_PARENT_PID` set) and by a parent other than init.
pub fn end_when_orphaned() {
    let Some(parent) = rustix::process::getppid() else {
        return;
    };
    if std::env::var_os("JPY_PARENT_PID").is_none() || parent.as_raw_nonzero().get() == 1 {
        return;
    }
    let watch = std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(move || {
            while rustix::process::getppid() == Some(parent) {
                std::thread::sleep(EVERY);
            }
            log::warn!("the process that started this kernel has ended; the kernel ends too");
            std::process::exit(0);
        });
    if let Err(error) = watch {
        log::warn!("cannot watch the process that started this kernel: {error}");
    }
}
