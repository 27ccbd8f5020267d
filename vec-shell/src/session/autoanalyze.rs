//! Automatic `ANALYZE`, as PostgreSQL's autovacuum gathers statistics: once per naptime
//! (60 s by default, [`Database::set_autovacuum_naptime`]) the next statement a session
//! runs outside a transaction block looks for the tables whose rows changed, since they
//! were last analyzed, by more than 50 plus 10% of their rows (PostgreSQL's
//! `autovacuum_analyze_threshold` and `autovacuum_analyze_scale_factor`) and analyzes
//! them, counting `last_autoanalyze` and `autoanalyze_count` in `pg_stat_user_tables`.
//! It never waits for the write lock: when a writer holds the database, it tries again
//! a naptime later. Vector indexes are not recalibrated (only `ANALYZE` does that).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Database, Session};
use crate::catalog::Catalog;

/// PostgreSQL's `autovacuum_naptime` default.
pub const DEFAULT_NAPTIME: Duration = Duration::from_secs(60);

/// PostgreSQL's `autovacuum_analyze_threshold` default.
const ANALYZE_THRESHOLD: f64 = 50.0;

/// PostgreSQL's `autovacuum_analyze_scale_factor` default.
const ANALYZE_SCALE_FACTOR: f64 = 0.1;

/// When the next look for tables to analyze is due.
pub(super) struct AutoAnalyze {
    /// The naptime in milliseconds; 0 turns automatic analyze off.
    naptime_ms: AtomicU64,
    /// When the database opened, the origin of `next_due_ms`.
    opened: Instant,
    /// Milliseconds after opening when the next look is due.
    next_due_ms: AtomicU64,
}

impl Default for AutoAnalyze {
    fn default() -> Self {
        let naptime = DEFAULT_NAPTIME.as_millis() as u64;
        AutoAnalyze {
            naptime_ms: AtomicU64::new(naptime),
            opened: Instant::now(),
            next_due_ms: AtomicU64::new(naptime),
        }
    }
}

impl AutoAnalyze {
    /// Whether a look is due now; claims it (one session looks per naptime).
    fn claim(&self) -> bool {
        let naptime = self.naptime_ms.load(Ordering::Relaxed);
        if naptime == 0 {
            return false;
        }
        let now = self.opened.elapsed().as_millis() as u64;
        let due = self.next_due_ms.load(Ordering::Relaxed);
        now >= due
            && self
                .next_due_ms
                .compare_exchange(due, now + naptime, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

impl Database {
    /// Sets how often automatic `ANALYZE` looks for tables to analyze (PostgreSQL's
    /// `autovacuum_naptime`); `None` turns it off. The next look is one naptime away.
    pub fn set_autovacuum_naptime(&self, naptime: Option<Duration>) {
        let auto = &self.shared.autoanalyze;
        let ms = naptime.map_or(0, |n| n.as_millis().max(1) as u64);
        auto.naptime_ms.store(ms, Ordering::Relaxed);
        let now = auto.opened.elapsed().as_millis() as u64;
        auto.next_due_ms.store(now + ms, Ordering::Relaxed);
    }
}

/// The tables whose changes since their last analyze pass the threshold.
fn tables_due(catalog: &Catalog) -> Vec<String> {
    catalog
        .tables()
        .filter(|table| {
            let changed = catalog.table_stats.get(&table.key()).n_mod_since_analyze as f64;
            let rows = table.stats.as_ref().map_or(0, |s| s.rows) as f64;
            changed > ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * rows
        })
        .map(|table| table.key())
        .collect()
}

impl Session {
    /// Runs automatic `ANALYZE` when a look is due (see the module's documentation);
    /// called after each statement that succeeds outside a block. Failures are dropped:
    /// the statement that triggered the look has succeeded already.
    pub(super) fn auto_analyze(&mut self) {
        let shared = Arc::clone(&self.database.shared);
        if self.txn.in_block() || !shared.autoanalyze.claim() {
            return;
        }
        if tables_due(&shared.catalog.read()).is_empty() {
            return;
        }
        let mut settings = self.settings.clone();
        // Never wait for another writer.
        if settings.set("lock_timeout", Some("1")).is_err() {
            return;
        }
        let Ok(writes) = self
            .txn
            .writes(&shared.durable, &shared.write_lock, &settings, "ANALYZE")
        else {
            return;
        };
        let mut catalog = shared.catalog.write();
        let mut analyzed = false;
        for key in tables_due(&catalog) {
            analyzed |=
                crate::exec::ddl::maintenance::auto_analyze(&mut catalog, &writes, &key).is_ok();
        }
        drop(catalog);
        drop(writes);
        if analyzed {
            // New statistics: prepared queries are planned again at their next
            // execution, as PostgreSQL's plan cache is invalidated by an ANALYZE.
            self.database.schema_changed();
        }
    }
}
