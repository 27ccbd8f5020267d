//! The shell's progress bar for `CREATE INDEX` and `COPY`, drawn by `indicatif` on
//! standard error: one bar per phase of the statement, headed by the statement, what it
//! works on and the phase, and followed by the phase's counts in its unit and the time the
//! statement has run. A bar first appears only once the statement has run for a moment
//! (quick statements never flash one), is redrawn at most ten times a second, and is
//! erased before the statement's result or error is printed, so that the psql-identical
//! output that follows is never garbled. The shell shows it only when standard error is a
//! terminal and `-q` is not given.
//!
//! ```text
//! CREATE INDEX hnsw: loading tuples [=========>          ]  52% 52000/100000 tuples 00:00:12
//! ```
//!
//! Reports may come from several build threads of an index build at once; they are applied
//! under one lock, in the order the engine's phase reporter hands them over.
//!
//! The line stops two columns short of the terminal's width. The terminal echoes a Ctrl-C
//! typed while the statement runs as `^C` after the bar; on a line that reached the last
//! column the echo would wrap onto the next line, where the cursor would then be, and
//! erasing "the bar" would erase that line and leave the bar above the error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use console::Term;
use indicatif::{ProgressDrawTarget, ProgressFinish, ProgressStyle, TermLike};
use parking_lot::Mutex;

use crate::progress::{Command, Progress, ProgressObserver};

/// Redraws a second, at most.
const REDRAWS_PER_SECOND: u8 = 10;
/// How long a statement runs before its bar first appears.
pub const FIRST_DRAW_AFTER: Duration = Duration::from_millis(250);

/// Columns left free at the end of the line, for the terminal's echo of `^C`.
const ECHO_ROOM: u16 = 2;

/// Makes the draw target of each phase's bar.
type MakeTarget = Box<dyn Fn() -> ProgressDrawTarget + Send + Sync>;

/// The progress of the running statement, drawn as one bar per phase.
pub struct ProgressBar {
    make_target: MakeTarget,
    show_after: Duration,
    state: Mutex<BarState>,
}

struct BarState {
    /// When the running statement started.
    started: Instant,
    /// The bar of the phase being reported, once one is shown.
    current: Option<PhaseBar>,
}

/// The bar of one phase and what names the phase.
struct PhaseBar {
    command: Command,
    target: String,
    phase: String,
    unit: String,
    bar: indicatif::ProgressBar,
}

impl PhaseBar {
    /// A bar for the phase of `progress`, drawn on `target`, whose clock starts at
    /// `elapsed` (the time the statement has run so far).
    fn new(progress: &Progress<'_>, target: ProgressDrawTarget, elapsed: Duration) -> PhaseBar {
        let bar = indicatif::ProgressBar::with_draw_target(Some(progress.total), target)
            .with_style(style(progress))
            .with_prefix(format!(
                "{} {}: {}",
                progress.command.name(),
                progress.target,
                progress.phase
            ))
            .with_message(progress.unit.to_string())
            .with_elapsed(elapsed)
            .with_finish(ProgressFinish::AndClear);
        PhaseBar {
            command: progress.command,
            target: progress.target.to_string(),
            phase: progress.phase.to_string(),
            unit: progress.unit.to_string(),
            bar,
        }
    }

    /// Whether `progress` reports this bar's phase.
    fn shows(&self, progress: &Progress<'_>) -> bool {
        self.command == progress.command
            && self.target == progress.target
            && self.phase == progress.phase
            && self.unit == progress.unit
    }
}

/// How a phase's bar looks: a phase of unknown size shows its name and the clock only.
fn style(progress: &Progress<'_>) -> ProgressStyle {
    // `prefix` is the statement, its target and the phase; `msg` is the unit.
    let template = if progress.total == 0 {
        "{prefix} {elapsed_precise}"
    } else if progress.unit == "bytes" {
        "{prefix} [{wide_bar}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {elapsed_precise}"
    } else {
        "{prefix} [{wide_bar}] {percent:>3}% {pos}/{len} {msg} {elapsed_precise}"
    };
    ProgressStyle::with_template(template)
        .expect("the templates are valid")
        .progress_chars("=> ")
}

impl ProgressBar {
    /// A bar on standard error, first shown [`FIRST_DRAW_AFTER`] into a statement.
    /// Nothing is drawn when standard error is not a terminal.
    pub fn stderr() -> Arc<ProgressBar> {
        ProgressBar::with_target(
            || {
                let term = Term::buffered_stderr();
                if term.is_term() {
                    let term = Box::new(NarrowTerm(term));
                    ProgressDrawTarget::term_like_with_hz(term, REDRAWS_PER_SECOND)
                } else {
                    ProgressDrawTarget::hidden()
                }
            },
            FIRST_DRAW_AFTER,
        )
    }

    /// A bar drawn on the targets `make_target` returns (one for each phase), first shown
    /// once a statement has run for `show_after`.
    pub fn with_target(
        make_target: impl Fn() -> ProgressDrawTarget + Send + Sync + 'static,
        show_after: Duration,
    ) -> Arc<ProgressBar> {
        Arc::new(ProgressBar {
            make_target: Box::new(make_target),
            show_after,
            state: Mutex::new(BarState {
                started: Instant::now(),
                current: None,
            }),
        })
    }

    /// The observer to install on the session.
    pub fn observer(self: &Arc<Self>) -> ProgressObserver {
        let bar = self.clone();
        Arc::new(move |progress: &Progress<'_>| bar.update(progress, Instant::now()))
    }

    /// Restarts the clock as a statement starts (erasing any bar left from the last one).
    pub fn start(&self) {
        let mut state = self.state.lock();
        state.started = Instant::now();
        if let Some(previous) = state.current.take() {
            previous.bar.finish_and_clear();
        }
    }

    /// Erases the bar, if one is shown, as the statement ends (whether it succeeded,
    /// failed or was cancelled).
    pub fn finish(&self) {
        if let Some(shown) = self.state.lock().current.take() {
            shown.bar.finish_and_clear();
        }
    }

    /// Shows `progress`, which arrived at `now`, once the statement has run long enough: a
    /// new phase replaces the bar of the previous one.
    fn update(&self, progress: &Progress<'_>, now: Instant) {
        let mut state = self.state.lock();
        let elapsed = now.saturating_duration_since(state.started);
        if elapsed < self.show_after {
            return;
        }
        if !state.current.as_ref().is_some_and(|c| c.shows(progress)) {
            if let Some(previous) = state.current.take() {
                previous.bar.finish_and_clear();
            }
            let target = (self.make_target)();
            state.current = Some(PhaseBar::new(progress, target, elapsed));
        }
        let Some(shown) = &state.current else {
            return;
        };
        if shown.bar.length() != Some(progress.total) {
            shown.bar.set_length(progress.total);
        }
        // The draw target drops redraws beyond its rate.
        shown.bar.set_position(progress.done);
    }
}

/// A terminal that tells indicatif it is [`ECHO_ROOM`] columns narrower than it is.
#[derive(Debug)]
struct NarrowTerm<T>(T);

impl<T: TermLike> TermLike for NarrowTerm<T> {
    fn width(&self) -> u16 {
        self.0.width().saturating_sub(ECHO_ROOM).max(1)
    }
    fn height(&self) -> u16 {
        self.0.height()
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use indicatif::InMemoryTerm;

    use super::*;
    use crate::progress::{Monitor, PhaseLabel};

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

    /// A bar drawing on an in-memory terminal of `columns`, shown after `show_after`, laid
    /// out as on standard error.
    fn on_screen(columns: u16, show_after: Duration) -> (Arc<ProgressBar>, InMemoryTerm) {
        let screen = InMemoryTerm::new(10, columns);
        let term = screen.clone();
        let bar = ProgressBar::with_target(
            move || ProgressDrawTarget::term_like(Box::new(NarrowTerm(term.clone()))),
            show_after,
        );
        (bar, screen)
    }

    /// The moment `ms` milliseconds after the running statement started.
    fn at(bar: &ProgressBar, ms: u64) -> Instant {
        bar.state.lock().started + Duration::from_millis(ms)
    }

    #[test]
    fn each_phase_gets_a_bar_with_its_name_counts_and_unit() {
        let (bar, screen) = on_screen(100, FIRST_DRAW_AFTER);
        bar.start();
        let report = progress("loading tuples", 52_000, 100_000, "tuples");
        bar.update(&report, at(&bar, 100));
        assert_eq!(screen.contents(), "", "too early for a bar");
        bar.update(&report, at(&bar, 300));
        let line = screen.contents();
        assert!(
            line.starts_with("CREATE INDEX hnsw: loading tuples [========"),
            "{line}"
        );
        assert!(line.contains(">  "), "{line}");
        assert!(
            line.contains("]  52% 52000/100000 tuples 00:00:0"),
            "{line}"
        );
        assert!(!line.contains('\n') && line.chars().count() == 98, "{line}");

        // The next phase replaces the bar, whose clock goes on from the statement's.
        bar.update(&progress("building graph", 10, 10, "tuples"), at(&bar, 400));
        let line = screen.contents();
        assert!(
            line.starts_with("CREATE INDEX hnsw: building graph [==="),
            "{line}"
        );
        assert!(line.contains("=] 100% 10/10 tuples"), "{line}");
        assert!(!line.contains("loading"), "{line}");

        // The terminal echoes a Ctrl-C after the bar; erasing the bar erases the echo too.
        screen.write_str("^C").unwrap();
        assert!(screen.contents().ends_with("^C"));
        bar.finish();
        assert_eq!(screen.contents(), "");
        // Finishing again, with nothing shown, draws nothing.
        bar.finish();
        assert_eq!(screen.contents(), "");
    }

    #[test]
    fn byte_counts_and_phases_of_unknown_size() {
        let (bar, screen) = on_screen(100, Duration::ZERO);
        bar.start();
        let copy = Progress {
            command: Command::Copy,
            target: "items",
            phase: "reading rows",
            done: 3 << 20,
            total: 12 << 20,
            unit: "bytes",
        };
        bar.update(&copy, Instant::now());
        let line = screen.contents();
        assert!(line.starts_with("COPY items: reading rows ["), "{line}");
        assert!(line.contains("]  25% 3.00 MiB/12.00 MiB 00:00:0"), "{line}");
        bar.update(&progress("initializing", 0, 0, "tuples"), Instant::now());
        let line = screen.contents();
        assert!(
            line.starts_with("CREATE INDEX hnsw: initializing 00:00:0"),
            "{line}"
        );
        assert!(!line.contains('['), "{line}");
        bar.finish();
        assert_eq!(screen.contents(), "");
    }

    #[test]
    fn a_line_wider_than_the_terminal_is_erased_whole() {
        let (bar, screen) = on_screen(30, Duration::ZERO);
        bar.start();
        bar.update(&progress("loading tuples", 5, 10, "tuples"), Instant::now());
        // The line wraps onto further rows of the screen.
        let shown = screen.contents();
        assert!(shown.lines().count() > 1, "{shown:?}");
        assert!(
            shown.replace('\n', "").contains("loading tuples"),
            "{shown:?}"
        );
        bar.finish();
        assert_eq!(screen.contents(), "");
    }

    #[test]
    fn reports_from_build_threads_move_one_bar() {
        let bar = ProgressBar::with_target(ProgressDrawTarget::hidden, Duration::ZERO);
        bar.start();
        let observer = bar.observer();
        let monitor = Monitor {
            cancel: crate::cancel::CancelHandle::never(),
            observer: Some(&observer),
            threads: 4,
            build_memory: 1 << 20,
        };
        let label = PhaseLabel {
            command: Command::CreateIndex,
            target: "hnsw",
            phase: "loading tuples",
            unit: "tuples",
        };
        let reporter = monitor.phase(label, 4000);
        std::thread::scope(|scope| {
            for thread in 0..4u64 {
                let reporter = &reporter;
                scope.spawn(move || {
                    for i in 0..1000 {
                        reporter.report(i * 4 + thread);
                    }
                });
            }
        });
        {
            let state = bar.state.lock();
            let shown = state.current.as_ref().expect("a bar is shown");
            assert_eq!(shown.bar.length(), Some(4000));
            assert_eq!(shown.bar.position(), 3999);
            assert_eq!(shown.bar.prefix(), "CREATE INDEX hnsw: loading tuples");
            assert_eq!(shown.bar.message(), "tuples");
        }
        reporter.finish();
        assert_eq!(
            bar.state.lock().current.as_ref().unwrap().bar.position(),
            4000
        );
        bar.finish();
        assert!(bar.state.lock().current.is_none());
    }

    #[test]
    fn the_shell_erases_the_bar_before_results_and_errors() {
        use crate::format::PrintOptions;
        use crate::repl::{Shell, ShellOptions};

        let (bar, screen) = on_screen(100, Duration::ZERO);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut shell = Shell::new(
            crate::Database::in_memory().session(),
            PrintOptions::default(),
            ShellOptions::default(),
            &mut out,
            &mut err,
        );
        shell.show_progress(bar);
        shell.run_sql("CREATE TABLE items (id int, embedding vector(2))");
        shell.run_sql(
            "INSERT INTO items SELECT i, ARRAY[i, i % 7]::vector FROM generate_series(1, 2000) i",
        );
        shell.run_sql("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)");
        let drawn = screen.moves_since_last_check();
        assert!(
            drawn.contains("CREATE INDEX hnsw: loading tuples"),
            "{drawn}"
        );
        assert_eq!(screen.contents(), "");
        // COPY reads its rows, then fails on a bad one: the bar goes all the same.
        shell.run_sql("COPY items FROM STDIN");
        shell.finish_copy(b"1\t[1,2]\n2\tnot a vector\n");
        let drawn = screen.moves_since_last_check();
        assert!(drawn.contains("COPY items: reading rows"), "{drawn}");
        assert_eq!(screen.contents(), "");
        drop(shell);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "CREATE TABLE\nINSERT 0 2000\nCREATE INDEX\n"
        );
        let err = String::from_utf8(err).unwrap();
        assert!(err.starts_with("ERROR:  "), "{err}");
    }
}
