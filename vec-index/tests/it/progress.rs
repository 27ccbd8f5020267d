//! Progress reporting: `PhaseProgress` from several threads reaches the hook in order, and
//! `check_progress` accepts well-formed report sequences and rejects broken ones.

use std::sync::Mutex;

use vec_index::testing::check_progress;
use vec_index::{BuildHooks, BuildProgress, PhaseProgress};

#[test]
fn reports_from_threads_never_go_back() {
    let seen = Mutex::new(Vec::new());
    let hooks = BuildHooks {
        progress: &|p| seen.lock().unwrap().push(p),
        should_stop: &|| false,
    };
    let phase = PhaseProgress::start(hooks, "loading tuples", "tuples", 4000);
    std::thread::scope(|scope| {
        for thread in 0..4u64 {
            let phase = &phase;
            scope.spawn(move || {
                for step in 0..1000 {
                    phase.report(thread * 1000 + step);
                }
            });
        }
    });
    phase.finish();
    let seen = seen.into_inner().unwrap();
    check_progress(&seen, &["loading tuples"]).unwrap();
    assert_eq!(seen.first().map(|p| p.done), Some(0));
    assert!(seen.iter().all(|p| p.unit == "tuples" && p.total == 4000));
}

fn report(phase: &'static str, done: u64, total: u64) -> BuildProgress {
    BuildProgress {
        phase,
        unit: "tuples",
        done,
        total,
    }
}

#[test]
fn broken_sequences_are_rejected() {
    let good = [report("a", 0, 2), report("a", 2, 2), report("b", 1, 1)];
    check_progress(&good, &["a", "b"]).unwrap();
    let backwards = [report("a", 2, 3), report("a", 1, 3), report("a", 3, 3)];
    assert!(check_progress(&backwards, &["a"]).is_err());
    let unfinished = [report("a", 1, 2), report("b", 1, 1)];
    assert!(check_progress(&unfinished, &["a", "b"]).is_err());
    assert!(check_progress(&good, &["a", "b", "c"]).is_err());
    assert!(check_progress(&good, &["b", "a"]).is_err());
}
