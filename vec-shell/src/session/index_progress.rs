//! A `CREATE INDEX`'s row in `pg_stat_progress_create_index`: registered when the
//! statement starts, fed by the build's progress reports (which also go on to the
//! session's own observer, the shell's progress bar), removed when the statement ends.

use std::sync::Arc;

use parking_lot::RwLock;

use crate::catalog::index_builds::IndexBuilds;
use crate::catalog::Catalog;
use crate::progress::{Progress, ProgressObserver};

/// A registered build; dropping it removes the row.
pub(super) struct BuildRegistration {
    builds: Arc<IndexBuilds>,
    key: u64,
}

impl BuildRegistration {
    /// Registers the build of an index on `table` by the session with process id `pid`.
    pub(super) fn start(catalog: &RwLock<Catalog>, pid: i32, table: &str) -> BuildRegistration {
        let catalog = catalog.read();
        let relid = crate::catalog::system::relation_oid(&catalog, table).unwrap_or(0);
        // The new index takes the OID after the table's other indexes.
        let index_relid = catalog
            .table(table)
            .map_or(0, |t| relid + 1 + t.indexes.len() as i64);
        let builds = Arc::clone(&catalog.index_builds);
        let key = builds.start(pid, relid, index_relid);
        BuildRegistration { builds, key }
    }

    /// An observer that updates the row and passes each report on to `next`.
    pub(super) fn observer(&self, next: Option<ProgressObserver>) -> ProgressObserver {
        let builds = Arc::clone(&self.builds);
        let key = self.key;
        Arc::new(move |progress: &Progress<'_>| {
            builds.report(key, progress);
            if let Some(next) = &next {
                next(progress);
            }
        })
    }
}

impl Drop for BuildRegistration {
    fn drop(&mut self) {
        self.builds.finish(self.key);
    }
}
