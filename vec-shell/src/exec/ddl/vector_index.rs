//! Building a vector index's structure from its table's rows (`CREATE INDEX`,
//! `REINDEX`, `TRUNCATE`, and an index without a usable snapshot when a database
//! opens).

use crate::analyze::index_key::index_key;
use crate::cancel::CHECK_EVERY;
use crate::catalog::{Index, Table, VectorIndexEntry};
use crate::error::{EngineError, Result};
use crate::index::{Opclass, VectorIndex};
use crate::progress::{Command, Monitor, PhaseLabel};
use crate::storage::view::Versions;

/// Builds the structure of a vector index from the table's rows; also returns the
/// notices the build raised.
///
/// The build polls `monitor`'s cancel request and reports its phases to its observer:
/// `initializing` while the table is read, then the access method's own.
pub fn build_entry(
    table: &Table,
    index: &Index,
    versions: Versions<'_>,
    monitor: Monitor<'_>,
) -> Result<(VectorIndexEntry, Vec<EngineError>)> {
    let key = index_key(table, index)?;
    let opclass = Opclass::resolve(index.method, index.opclass.as_deref(), &key.ty)?;
    let dimensions = usize::try_from(key.typmod)
        .map_err(|_| EngineError::new("22023", "column does not have dimensions"))?;
    let label = PhaseLabel {
        command: Command::CreateIndex,
        target: index.method.name(),
        phase: "initializing",
        unit: "tuples",
    };
    // Every stored version gets an entry: scans skip the ones their readers do not see.
    let reading = monitor.phase(label, 0);
    let mut values = Vec::new();
    versions.for_each(table.heap, &mut |id, row| {
        if values.len() % CHECK_EVERY == CHECK_EVERY - 1 {
            monitor.check()?;
            reading.report(values.len() as u64 + 1);
        }
        values.push((id, key.value(&row)?));
        Ok(())
    })?;
    reading.finish();
    let rows = values.iter().map(|(id, value)| (*id, value));
    let (built, notices) = VectorIndex::build(
        index.method,
        opclass,
        dimensions,
        &index.with,
        rows,
        monitor,
    )?;
    let entry = VectorIndexEntry {
        name: index.name.clone(),
        key: key.key,
        key_text: key.text,
        opclass,
        predicate: key.predicate,
        index: parking_lot::RwLock::new(built),
    };
    Ok((entry, notices))
}

/// Rebuilds every vector index of a table from `versions` (after truncating its rows);
/// returns the builds' notices.
pub fn rebuild_all(table: &mut Table, versions: Versions<'_>) -> Result<Vec<EngineError>> {
    let mut built = Vec::new();
    let mut notices = Vec::new();
    for index in table.indexes.iter().filter(|i| i.method.is_vector()) {
        let (entry, raised) = build_entry(table, index, versions, Monitor::none())?;
        built.push(entry);
        notices.extend(raised);
    }
    table.vector_indexes = built;
    Ok(notices)
}
