//! The shell's progress bar for `CREATE INDEX` and `COPY`: one line on standard error,
//! redrawn in place with `\r` at most ten times a second, first drawn only once a
//! statement has run for a moment (quick statements never flash one), and erased before
//! the statement's result is printed. The shell shows it only when standard error is a
//! terminal and `-q` is not given.
//!
//! ```text
//! CREATE INDEX hnsw: loading tuples [==========>           ]  52% 52000/100000 tuples 00:12
//! ```

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::progress::{Progress, ProgressObserver};

/// The shortest time between two redraws.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// How long a statement runs before its bar first appears.
const FIRST_DRAW_AFTER: Duration = Duration::from_millis(250);
/// Characters between the brackets.
const BAR_WIDTH: usize = 24;

/// A progress line drawn on a terminal.
pub struct ProgressBar {
    state: Mutex<BarState>,
}

struct BarState {
    out: Box<dyn Write + Send>,
    width: usize,
    started: Instant,
    last_draw: Option<Instant>,
    shown: bool,
}

impl ProgressBar {
    /// A bar drawing on `out` (a terminal `width` characters wide).
    pub fn new(out: Box<dyn Write + Send>, width: usize) -> Arc<ProgressBar> {
        Arc::new(ProgressBar {
            state: Mutex::new(BarState {
                out,
                width: width.max(20),
                started: Instant::now(),
                last_draw: None,
                shown: false,
            }),
        })
    }

    /// The observer to install on the session.
    pub fn observer(self: &Arc<Self>) -> ProgressObserver {
        let bar = self.clone();
        Arc::new(move |progress: &Progress<'_>| bar.update(progress, Instant::now()))
    }

    /// Restarts the clock as a statement starts.
    pub fn start(&self) {
        let mut state = self.state.lock();
        state.started = Instant::now();
        state.last_draw = None;
    }

    /// Erases the bar, if it is shown, as the statement ends.
    pub fn finish(&self) {
        let mut state = self.state.lock();
        if state.shown {
            let _ = state.out.write_all(b"\r\x1b[K");
            let _ = state.out.flush();
            state.shown = false;
        }
    }

    /// Draws `progress` if the statement has run long enough and the last redraw is old
    /// enough.
    fn update(&self, progress: &Progress<'_>, now: Instant) {
        let mut state = self.state.lock();
        let elapsed = now.saturating_duration_since(state.started);
        if elapsed < FIRST_DRAW_AFTER {
            return;
        }
        if state
            .last_draw
            .is_some_and(|last| now.saturating_duration_since(last) < REDRAW_EVERY)
        {
            return;
        }
        let line = render(progress, elapsed, state.width - 1);
        let _ = write!(state.out, "\r{line}\x1b[K");
        let _ = state.out.flush();
        state.last_draw = Some(now);
        state.shown = true;
    }
}

/// The text of one progress line, at most `width` characters (the bar narrows, then goes,
/// then the line is cut).
pub fn render(progress: &Progress<'_>, elapsed: Duration, width: usize) -> String {
    let mut line = render_with_bar(progress, elapsed, width);
    if let Some((cut, _)) = line.char_indices().nth(width) {
        line.truncate(cut);
    }
    line
}

fn render_with_bar(progress: &Progress<'_>, elapsed: Duration, width: usize) -> String {
    let seconds = elapsed.as_secs();
    let clock = format!("{:02}:{:02}", seconds / 60, seconds % 60);
    let head = format!(
        "{} {}: {}",
        progress.command.name(),
        progress.target,
        progress.phase
    );
    if progress.total == 0 {
        return format!("{head} {clock}");
    }
    let fraction = (progress.done as f64 / progress.total as f64).clamp(0.0, 1.0);
    let counts = if progress.unit == "bytes" {
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        format!("{:.1}/{:.1} MiB", mib(progress.done), mib(progress.total))
    } else {
        format!("{}/{} {}", progress.done, progress.total, progress.unit)
    };
    let percent = format!("{:>3}%", (fraction * 100.0) as u32);
    let without_bar = format!("{head} {percent} {counts} {clock}");
    // The bar and its brackets and space take `bar_width + 3` characters.
    let room = width.saturating_sub(without_bar.chars().count() + 3);
    let bar_width = room.min(BAR_WIDTH);
    if bar_width < 5 {
        return without_bar;
    }
    let filled = (fraction * bar_width as f64) as usize;
    let mut bar = "=".repeat(filled);
    if filled < bar_width {
        bar.push('>');
        bar.push_str(&" ".repeat(bar_width - filled - 1));
    }
    format!("{head} [{bar}] {percent} {counts} {clock}")
}

/// The width of the terminal on standard error (80 when it cannot be told).
pub fn terminal_width() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the zeroed `winsize` it is given and touches nothing
        // else; on failure the value is left alone and ignored.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        // SAFETY: as above; fd 2 is standard error.
        let ok = unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut size) } == 0;
        if ok && size.ws_col > 0 {
            return usize::from(size.ws_col);
        }
    }
    80
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Command;

    fn progress(
        phase: &'static str,
        done: u64,
        total: u64,
        unit: &'static str,
    ) -> Progress<'static> {
        Progress {
            command: Command::CreateIndex,
            target: "hnsw",
            phase,
            done,
            total,
            unit,
        }
    }

    #[test]
    fn lines_show_phase_bar_counts_and_clock() {
        let line = render(
            &progress("loading tuples", 52_000, 100_000, "tuples"),
            Duration::from_secs(72),
            120,
        );
        assert_eq!(
            line,
            "CREATE INDEX hnsw: loading tuples [============>           ]  52% 52000/100000 tuples 01:12"
        );
        let line = render(
            &progress("initializing", 0, 0, "tuples"),
            Duration::ZERO,
            120,
        );
        assert_eq!(line, "CREATE INDEX hnsw: initializing 00:00");
        let done = render(
            &progress("loading tuples", 7, 7, "tuples"),
            Duration::ZERO,
            120,
        );
        assert!(done.contains(&format!("[{}] 100% 7/7", "=".repeat(BAR_WIDTH))));
        let copy = Progress {
            command: Command::Copy,
            target: "items",
            phase: "reading rows",
            done: 3 << 20,
            total: 12 << 20,
            unit: "bytes",
        };
        assert!(render(&copy, Duration::ZERO, 120).ends_with(" 25% 3.0/12.0 MiB 00:00"));
        // A narrow terminal gets a narrower bar, then none, then a cut line.
        let report = progress("loading tuples", 5, 10, "tuples");
        let plain = "CREATE INDEX hnsw: loading tuples  50% 5/10 tuples 00:00";
        let narrow = render(&report, Duration::ZERO, plain.len() + 13);
        assert_eq!(
            narrow,
            "CREATE INDEX hnsw: loading tuples [=====>    ]  50% 5/10 tuples 00:00"
        );
        assert_eq!(render(&report, Duration::ZERO, plain.len() + 7), plain);
        assert_eq!(render(&report, Duration::ZERO, 20), "CREATE INDEX hnsw: l");
    }

    /// A shared buffer standing in for the terminal.
    #[derive(Clone, Default)]
    struct Screen(Arc<Mutex<Vec<u8>>>);

    impl Write for Screen {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn redraws_are_delayed_throttled_and_erased() {
        let screen = Screen::default();
        let bar = ProgressBar::new(Box::new(screen.clone()), 60);
        bar.start();
        let started = bar.state.lock().started;
        let at = |ms: u64| started + Duration::from_millis(ms);
        let report = progress("loading tuples", 10, 100, "tuples");
        bar.update(&report, at(100));
        assert!(screen.0.lock().is_empty(), "too early for a bar");
        bar.finish();
        assert!(screen.0.lock().is_empty(), "nothing to erase");
        for ms in [300, 320, 350, 390, 410, 450] {
            bar.update(&report, at(ms));
        }
        let text = String::from_utf8(screen.0.lock().clone()).unwrap();
        // Drawn at 300 ms and 410 ms only; each line fits the 60 columns.
        assert_eq!(text.matches('\r').count(), 2);
        assert!(text
            .split('\r')
            .all(|line| line.trim_end_matches("\x1b[K").chars().count() < 60));
        bar.finish();
        let text = String::from_utf8(screen.0.lock().clone()).unwrap();
        assert!(text.ends_with("\r\x1b[K"));
    }
}
