//! Ctrl-C in the shell. While a statement runs, SIGINT asks the session to cancel it (the
//! statement fails with `canceling statement due to user request`). As in psql, the
//! interactive shell then goes on with the next input, while a script (standard input
//! that is not a terminal, `-f`, `-c`) ends with exit status 3. At the interactive prompt the terminal is in raw mode, so Ctrl-C
//! reaches rustyline as a key and discards the line being typed. Between statements of a
//! script SIGINT keeps its default effect and ends the shell.

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
    extern "C" fn handle_sigint(_signal: libc::c_int) {
        if !super::on_interrupt() {
            // SAFETY: `signal` and `raise` are async-signal-safe; restoring the default
            // action and raising the signal again ends the process as SIGINT would have.
            unsafe {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::raise(libc::SIGINT);
            }
        }
    }

    pub(super) fn install() -> bool {
        // SAFETY: a zeroed `sigaction` is a valid value (no flags, empty mask) that is
        // then filled in; the handler only touches atomics and async-signal-safe calls.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handle_sigint as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0
        }
    }
}

#[cfg(not(unix))]
mod platform {
    pub(super) fn install() -> bool {
        false
    }
}
