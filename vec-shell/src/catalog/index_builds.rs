//! The index builds running now, the rows of `pg_stat_progress_create_index`: a
//! `CREATE INDEX` registers its build when it starts, its progress reports (the same
//! ones the shell's progress bar draws) update the row, and the row goes when the
//! statement ends, however it ends. Other sessions read the view while the build runs.

use std::collections::BTreeMap;

use parking_lot::Mutex;

use super::system::SystemRelation;
use crate::progress::Progress;
use crate::value::{Datum, SqlType};

/// One running build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildProgress {
    /// The building session's process id.
    pub pid: i32,
    /// The table's OID.
    pub relid: i64,
    /// The new index's OID.
    pub index_relid: i64,
    /// The phase, as PostgreSQL names it (`initializing`, `building index: loading
    /// tuples`).
    pub phase: String,
    /// Tuples the phase has in all.
    pub tuples_total: i64,
    /// Tuples the phase has done.
    pub tuples_done: i64,
}

/// The builds running now.
#[derive(Default)]
pub struct IndexBuilds {
    builds: Mutex<(BTreeMap<u64, BuildProgress>, u64)>,
}

impl IndexBuilds {
    /// Registers a build starting (in phase `initializing`); returns its key.
    pub fn start(&self, pid: i32, relid: i64, index_relid: i64) -> u64 {
        let mut guard = self.builds.lock();
        guard.1 += 1;
        let key = guard.1;
        guard.0.insert(
            key,
            BuildProgress {
                pid,
                relid,
                index_relid,
                phase: "initializing".into(),
                tuples_total: 0,
                tuples_done: 0,
            },
        );
        key
    }

    /// Takes a progress report of build `key`: its phase, and its tuple counts when the
    /// phase counts tuples (else 0, as pgvector's phases that count none).
    pub fn report(&self, key: u64, progress: &Progress<'_>) {
        let mut guard = self.builds.lock();
        let Some(build) = guard.0.get_mut(&key) else {
            return;
        };
        let phase = match progress.phase {
            "initializing" => "initializing".to_string(),
            other => format!("building index: {other}"),
        };
        let (total, done) = match progress.unit {
            "tuples" => (progress.total as i64, progress.done as i64),
            _ => (0, 0),
        };
        build.phase = phase;
        build.tuples_total = total;
        build.tuples_done = done;
    }

    /// The build `key` ended.
    pub fn finish(&self, key: u64) {
        self.builds.lock().0.remove(&key);
    }

    /// The running builds, oldest first.
    pub fn running(&self) -> Vec<BuildProgress> {
        self.builds.lock().0.values().cloned().collect()
    }
}

/// `pg_stat_progress_create_index`, one row per running build.
pub fn pg_stat_progress_create_index(builds: &IndexBuilds) -> SystemRelation {
    let bigint = |name| (name, SqlType::Int8);
    let columns = vec![
        ("pid", SqlType::Int4),
        bigint("datid"),
        ("datname", SqlType::Text),
        bigint("relid"),
        bigint("index_relid"),
        ("command", SqlType::Text),
        ("phase", SqlType::Text),
        bigint("lockers_total"),
        bigint("lockers_done"),
        bigint("current_locker_pid"),
        bigint("blocks_total"),
        bigint("blocks_done"),
        bigint("tuples_total"),
        bigint("tuples_done"),
        bigint("partitions_total"),
        bigint("partitions_done"),
    ];
    let rows = builds
        .running()
        .into_iter()
        .map(|b| {
            let mut row = vec![
                Datum::Int4(b.pid),
                Datum::Int8(super::system::DATABASE_OID),
                Datum::Text(super::system::DATABASE_NAME.into()),
                Datum::Int8(b.relid),
                Datum::Int8(b.index_relid),
                Datum::Text("CREATE INDEX".into()),
                Datum::Text(b.phase),
            ];
            // No lockers to wait for, no block counts (vecsh reads rows, not pages)
            // and no partitions.
            row.extend([0, 0, 0, 0, 0].map(Datum::Int8));
            row.extend([b.tuples_total, b.tuples_done, 0, 0].map(Datum::Int8));
            row
        })
        .collect();
    SystemRelation { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Command;

    #[test]
    fn a_build_is_listed_from_start_to_finish() {
        let builds = IndexBuilds::default();
        let key = builds.start(7, 20_000, 20_002);
        let report = Progress {
            command: Command::CreateIndex,
            target: "hnsw",
            phase: "loading tuples",
            done: 10,
            total: 50,
            unit: "tuples",
        };
        builds.report(key, &report);
        let running = builds.running();
        assert_eq!(running[0].phase, "building index: loading tuples");
        assert_eq!((running[0].tuples_done, running[0].tuples_total), (10, 50));
        let relation = pg_stat_progress_create_index(&builds);
        assert_eq!(relation.rows[0].len(), relation.columns.len());
        builds.finish(key);
        assert!(builds.running().is_empty());
    }
}
