//! Cancelling a running statement: a [`CancelHandle`] is a shared flag that another thread
//! or a signal handler sets, and that the long loops of the engine poll (index builds, table
//! scans, joins, `COPY`). A statement that sees it fails with PostgreSQL's
//! `ERROR:  canceling statement due to user request` (SQLSTATE 57014) and changes nothing,
//! since statements apply their changes only after they have finished computing them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::{EngineError, Result};

/// A cloneable request flag that cancels the statement a [`Session`](crate::Session) is
/// running. Setting it is one atomic store, so a signal handler may call
/// [`CancelHandle::cancel`].
///
/// ```
/// use vec_shell::Database;
///
/// let mut session = Database::in_memory().session();
/// let cancel = session.cancel_handle();
/// // Another thread (or a SIGINT handler) would call this while a statement runs.
/// let canceller = std::thread::spawn(move || cancel.cancel());
/// canceller.join().unwrap();
/// // A request made while no statement runs is dropped when the next one starts.
/// let results = session.execute("SELECT 1")?;
/// assert_eq!(results[0].tag, "SELECT 1");
/// # Ok::<(), vec_shell::EngineError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelHandle {
    requested: Arc<AtomicBool>,
}

impl CancelHandle {
    /// A handle with no request made.
    pub fn new() -> CancelHandle {
        CancelHandle::default()
    }

    /// Asks the running statement to stop.
    pub fn cancel(&self) {
        self.requested.store(true, Ordering::Relaxed);
    }

    /// Whether a request is pending.
    pub fn is_cancelled(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// Drops a pending request (done as each statement starts).
    pub fn reset(&self) {
        self.requested.store(false, Ordering::Relaxed);
    }

    /// `Err(57014)` if a request is pending.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(canceled())
        } else {
            Ok(())
        }
    }

    /// A handle that nobody can reach, for work that cannot be cancelled.
    pub fn never() -> &'static CancelHandle {
        static NEVER: OnceLock<CancelHandle> = OnceLock::new();
        NEVER.get_or_init(CancelHandle::new)
    }
}

/// PostgreSQL's error for a cancelled statement.
pub fn canceled() -> EngineError {
    EngineError::new("57014", "canceling statement due to user request")
}

/// How many rows a loop handles between two looks at the flag.
pub(crate) const CHECK_EVERY: usize = 1024;

/// Wraps a row stream so that it ends with the cancel error once a request is seen (looked
/// at every [`CHECK_EVERY`] rows).
pub(crate) fn checked<'a, T: 'a>(
    rows: Box<dyn Iterator<Item = Result<T>> + 'a>,
    cancel: &'a CancelHandle,
) -> Box<dyn Iterator<Item = Result<T>> + 'a> {
    let mut seen = 0usize;
    let mut failed = false;
    Box::new(rows.map_while(move |row| {
        if failed {
            return None;
        }
        seen += 1;
        if seen.is_multiple_of(CHECK_EVERY) && cancel.is_cancelled() {
            failed = true;
            return Some(Err(canceled()));
        }
        Some(row)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_streams_stop_with_57014() {
        let cancel = CancelHandle::new();
        let rows: Box<dyn Iterator<Item = Result<usize>>> = Box::new((0..10_000).map(Ok));
        assert_eq!(checked(rows, &cancel).count(), 10_000);

        cancel.cancel();
        let rows: Box<dyn Iterator<Item = Result<usize>>> = Box::new((0..10_000).map(Ok));
        let out: Vec<Result<usize>> = checked(rows, &cancel).collect();
        assert_eq!(out.len(), CHECK_EVERY);
        let error = out.last().unwrap().as_ref().unwrap_err();
        assert_eq!(error.sqlstate, "57014");
        assert_eq!(error.message, "canceling statement due to user request");

        let clone = cancel.clone();
        clone.reset();
        assert!(!cancel.is_cancelled());
        assert!(cancel.check().is_ok());
        assert!(!CancelHandle::never().is_cancelled());
    }
}
