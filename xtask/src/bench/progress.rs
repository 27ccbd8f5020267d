//! A one-line progress indicator on stderr while datasets load, indexes build and sweeps
//! run. It draws only when stderr is a terminal (never into logs or CI output), at most ten
//! times a second, and may be updated from several threads.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The progress line and its state.
#[derive(Debug)]
pub struct Progress {
    draw: bool,
    quiet: bool,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    /// A progress line that draws when stderr is a terminal; `quiet` also silences notes.
    pub fn new(quiet: bool) -> Self {
        Progress {
            draw: !quiet && std::io::stderr().is_terminal(),
            quiet,
            last: Mutex::new(None),
        }
    }

    /// A progress line that never draws or prints (tests).
    pub fn silent() -> Self {
        Progress {
            draw: false,
            quiet: true,
            last: Mutex::new(None),
        }
    }

    /// Shows `label: done/total` with a bar; `total = 0` shows the count alone.
    pub fn update(&self, label: &str, done: usize, total: usize) {
        if !self.draw {
            return;
        }
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let now = Instant::now();
        let finished = total > 0 && done >= total;
        if !finished && last.is_some_and(|at| now - at < Duration::from_millis(100)) {
            return;
        }
        *last = Some(now);
        let line = match (done.min(total) * 24).checked_div(total) {
            Some(filled) => format!(
                "{label} [{}{}] {done}/{total}",
                "#".repeat(filled),
                ".".repeat(24 - filled)
            ),
            None => format!("{label} {done}"),
        };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
    }

    /// Clears the line.
    pub fn finish(&self) {
        if self.draw {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
            *self
                .last
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()) = None;
        }
    }

    /// Prints a line of information to stderr unless quiet.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.finish();
            eprintln!("{text}");
        }
    }
}
