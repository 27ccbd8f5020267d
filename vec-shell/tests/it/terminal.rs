//! The interactive `vecsh` on a pseudo-terminal, as a person at a keyboard uses it: Ctrl-C
//! at the prompt discards the line being typed (rustyline reads it as a key), Ctrl-C while
//! a statement runs cancels that statement (the terminal sends SIGINT) and the shell goes
//! on, and the progress bar drawn meanwhile on standard error is erased before the error.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{InMemoryTerm, TermLike};

const ROWS: u16 = 60;
const COLUMNS: u16 = 100;

/// A pseudo-terminal of `ROWS` × `COLUMNS`: its master and slave ends.
fn open_pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let mut size = libc::winsize {
        ws_row: ROWS,
        ws_col: COLUMNS,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty only writes the two descriptors it opens; no name or terminal
    // settings are asked for, and `size` outlives the call.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &raw mut size,
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened, and nothing else owns them.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// `vecsh` running on a pseudo-terminal, killed if the test ends before it does.
struct Terminal {
    child: Child,
    keyboard: File,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of the output the last wait has looked at.
    seen: usize,
}

impl Terminal {
    fn start(history: &std::path::Path) -> Terminal {
        let (master, slave) = open_pty();
        let mut command = Command::new(env!("CARGO_BIN_EXE_vecsh"));
        command
            .arg("-X")
            .env("TERM", "xterm")
            .env("VECSH_HISTFILE", history)
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: the hook runs in the child between fork and exec and only calls setsid
        // and ioctl, which are async-signal-safe. It makes the pseudo-terminal the
        // controlling terminal of a new session, so that Ctrl-C typed on it sends SIGINT.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("vecsh starts");
        // The slave ends are closed here with `command`: reading the master then ends
        // once the shell has exited.
        drop(command);
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut output = File::from(master.try_clone().unwrap());
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = output.read(&mut buffer) {
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        Terminal {
            child,
            keyboard: File::from(master),
            screen,
            seen: 0,
        }
    }

    fn type_keys(&mut self, keys: &str) {
        self.keyboard.write_all(keys.as_bytes()).unwrap();
    }

    /// Waits until `text` appears in the output after what earlier waits have seen.
    fn wait_for(&mut self, text: &str, timeout: Duration) {
        let started = Instant::now();
        loop {
            {
                let screen = self.screen.lock().unwrap();
                let output = String::from_utf8_lossy(&screen[self.seen..]);
                if let Some(at) = output.find(text) {
                    self.seen += output[..at + text.len()].len();
                    return;
                }
            }
            assert!(
                started.elapsed() < timeout,
                "no {text:?} in {:?}",
                String::from_utf8_lossy(&self.screen.lock().unwrap())
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the shell to exit; returns its status and the screen's final text.
    fn finish(&mut self, timeout: Duration) -> (ExitStatus, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < timeout, "vecsh did not exit");
            std::thread::sleep(Duration::from_millis(10));
        };
        // Give the reader a moment to drain what the shell wrote last.
        std::thread::sleep(Duration::from_millis(200));
        let term = InMemoryTerm::new(ROWS, COLUMNS);
        let output = String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned();
        term.write_str(&output).unwrap();
        (status, term.contents())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn ctrl_c_discards_the_line_or_cancels_the_statement() {
    let dir = tempfile::tempdir().unwrap();
    let mut terminal = Terminal::start(&dir.path().join("history"));
    let soon = Duration::from_secs(30);
    terminal.wait_for("vecsh=> ", soon);

    // At the prompt, Ctrl-C throws away what was typed.
    terminal.type_keys("SELECT 'discarded' AS gone");
    terminal.wait_for("AS gone", soon);
    terminal.type_keys("\x03");
    terminal.wait_for("vecsh=> ", soon);
    terminal.type_keys("SELECT 'kept' AS x;\r");
    terminal.wait_for("(1 row)", soon);

    terminal.type_keys("CREATE TABLE items (id int, embedding vector(8));\r");
    terminal.wait_for("CREATE TABLE", soon);
    terminal.type_keys(
        "INSERT INTO items SELECT i, ARRAY[i % 97, i % 89, i % 83, i % 79, i % 73, i % 71, \
         i % 67, i]::vector FROM generate_series(1, 100000) i;\r",
    );
    terminal.wait_for("INSERT 0 100000", Duration::from_secs(120));

    // While the build runs, its bar shows; Ctrl-C cancels the build and the shell goes on.
    terminal.type_keys("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops);\r");
    terminal.wait_for(
        "CREATE INDEX hnsw: loading tuples [",
        Duration::from_secs(60),
    );
    terminal.type_keys("\x03");
    terminal.wait_for("canceling statement due to user request", soon);
    terminal.wait_for("vecsh=> ", soon);
    terminal.type_keys("SELECT count(*) AS n FROM items;\r");
    terminal.wait_for("(1 row)", soon);
    terminal.type_keys("\\q\r");
    let (status, screen) = terminal.finish(soon);

    assert!(status.success(), "{status}\n{screen}");
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    assert!(lines.contains(&" kept"), "{screen}");
    assert!(!lines.contains(&" discarded"), "{screen}");
    assert!(
        lines.contains(&"ERROR:  canceling statement due to user request"),
        "{screen}"
    );
    assert!(lines.contains(&" 100000"), "{screen}");
    // The bar is gone, and nothing else was printed over it.
    assert!(!screen.contains("loading tuples"), "{screen}");
    assert!(!lines.contains(&"CREATE INDEX"), "{screen}");
    assert!(!screen.contains("ERROR:  syntax"), "{screen}");
}
