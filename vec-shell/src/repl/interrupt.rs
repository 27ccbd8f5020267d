//! Ctrl-C in the shell. While a statement runs, SIGINT asks the session to cancel it (the
//! statement fails with `canceling statement due to user request`). As in psql, the
//! interactive shell then goes on with the next input, while a script (standard input
//! that is not a terminal, `-f`, `-c`) ends with exit status 3. At the interactive prompt
//! rustyline has the terminal in raw mode, so Ctrl-C reaches it as a key and discards the
//! line being typed; between interactive statements SIGINT is ignored. Between statements
//! of a script SIGINT keeps its default effect and ends the shell.
//!
//! The handler is registered with `signal-hook` and runs in the signal handler itself, so
//! whether a statement is running is decided at the moment the signal arrives, and the
//! default effect is SIGINT's own (the shell dies by the signal). A crate that runs the
//! handler later on a thread of its own (as `ctrlc` does) could do neither: a signal that
//! arrives as a statement ends would be judged after it, and between script statements
//! the shell could only exit with a status instead of dying by the signal.
//!
//! SIGXFSZ (the file-size limit) gets a handler too, so that a write past the limit fails
//! with an error instead of killing the shell.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use crate::cancel::CancelHandle;

/// The handle the signal handler cancels through.
static CANCEL: OnceLock<CancelHandle> = OnceLock::new();
/// Whether a statement is running.
static RUNNING: AtomicBool = AtomicBool::new(false);
/// Whether the shell reads from a terminal (Ctrl-C between statements is then ignored).
static INTERACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether Ctrl-C cancelled the running statement (psql's `cancel_pressed`).
static CANCEL_PRESSED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed while the last statement ran and a script should therefore
/// stop (always `false` in the interactive shell, which goes on). Clears the mark.
pub(crate) fn script_interrupted() -> bool {
    CANCEL_PRESSED.swap(false, Ordering::SeqCst) && !INTERACTIVE.load(Ordering::Relaxed)
}

/// Installs the SIGINT handler for a shell whose session is cancelled through `cancel`.
/// Returns whether a handler was installed (only on Unix, and only once per process).
pub fn install_sigint_handler(cancel: CancelHandle, interactive: bool) -> bool {
    INTERACTIVE.store(interactive, Ordering::Relaxed);
    if CANCEL.set(cancel).is_err() {
        return false;
    }
    platform::install()
}

/// Marks a statement as running until dropped, so that SIGINT cancels it.
pub(crate) struct Running(());

impl Running {
    /// Starts the running span.
    pub(crate) fn start() -> Running {
        CANCEL_PRESSED.store(false, Ordering::SeqCst);
        RUNNING.store(true, Ordering::SeqCst);
        Running(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// What the handler does; it only loads and stores atomics, which is safe in a handler.
/// Returns whether the signal was taken (else its default effect should follow).
fn on_interrupt() -> bool {
    if RUNNING.load(Ordering::SeqCst) {
        if let Some(cancel) = CANCEL.get() {
            cancel.cancel();
        }
        CANCEL_PRESSED.store(true, Ordering::SeqCst);
        return true;
    }
    INTERACTIVE.load(Ordering::Relaxed)
}

#[cfg(unix)]
mod platform {
    use signal_hook::consts::SIGINT;
    use signal_hook::low_level;

    pub(super) fn install() -> bool {
        let action = || {
            if !super::on_interrupt() {
                // Ends the process as SIGINT's default action does.
                let _ = low_level::emulate_default_handler(SIGINT);
            }
        };
        // SAFETY: the action runs inside the signal handler. It only loads and stores
        // atomics (`on_interrupt`, `OnceLock::get`, `CancelHandle::cancel`) and calls
        // `emulate_default_handler`, which signal-hook documents as async-signal-safe; it
        // neither allocates nor locks.
        unsafe { low_level::register(SIGINT, action) }.is_ok()
    }
}

#[cfg(not(unix))]
mod platform {
    pub(super) fn install() -> bool {
        false
    }
}

/// Keeps SIGXFSZ (a write past the file-size limit, `ulimit -f`) from killing the shell
/// without a word: with a handler registered the write fails with `EFBIG` instead, and
/// the statement fails with `could not extend file …: File too large`, as PostgreSQL
/// reports it. Returns whether the handler was registered (only on Unix).
pub fn survive_file_size_limit() -> bool {
    #[cfg(unix)]
    {
        static EXCEEDED: std::sync::LazyLock<std::sync::Arc<AtomicBool>> =
            std::sync::LazyLock::new(|| std::sync::Arc::new(AtomicBool::new(false)));
        signal_hook::flag::register(signal_hook::consts::SIGXFSZ, EXCEEDED.clone()).is_ok()
    }
    #[cfg(not(unix))]
    {
        false
    }
}
