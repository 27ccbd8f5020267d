//! Opening a database from its directory: the store (recovering from its log), the
//! catalog's entries, every table's rows, and the vector indexes — each mapped from its
//! snapshot and brought up to date with the rows the log changed after it, or rebuilt
//! from the rows when it has no usable snapshot (see
//! [`snapshots`](crate::catalog::snapshots)). A table whose rows cannot be read (a
//! damaged page) is kept with its [`Table::damage`] and the others open; a damaged
//! catalog fails the open. What recovery did that a user should hear about comes back
//! as warnings and notices.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use crate::analyze::index_key::index_key;
use crate::catalog::schema::{decode_entry, encode_table, CatalogEntry};
use crate::catalog::snapshots::{
    changed_rows, side_file_name, IndexRecovery, IndexSource, RecoveryReport,
};
use crate::catalog::{Catalog, Index, Table, VectorIndexEntry};
use crate::error::{EngineError, Result};
use crate::exec::ddl::vector_index::build_entry;
use crate::index::{Opclass, VectorIndex};
use crate::progress::Monitor;
use crate::storage::codec::decode_row;
use crate::storage::durable::{Durable, StoreOp, CATALOG_HEAP};
use crate::storage::view::Versions;
use crate::storage::RowId;

/// An opened database: its store, its catalog with every table loaded, and what was
/// done with each vector index.
pub struct Opened {
    /// The store.
    pub durable: Durable,
    /// The catalog.
    pub catalog: Catalog,
    /// How each vector index was made ready.
    pub recovery: RecoveryReport,
    /// What a user should hear about the open: damage found, log discarded, indexes
    /// rebuilt because their snapshots were damaged.
    pub warnings: Vec<EngineError>,
}

/// Opens (or creates) the database directory at `path` with a buffer pool of
/// `buffer_pool_bytes`; `wal_recovery` says what to do with damage in the middle of the log.
pub fn open(
    path: &Path,
    wal_recovery: vec_storage::WalRecovery,
    buffer_pool_bytes: usize,
) -> Result<Opened> {
    let durable = Durable::open(path, wal_recovery, buffer_pool_bytes)?;
    let mut catalog = Catalog::default();
    let mut recovery = RecoveryReport::default();
    let mut warnings = storage_warnings(durable.store().recovery_report());
    let entries = durable
        .catalog_entries()?
        .into_iter()
        .map(|(row, bytes)| decode_entry(&bytes).map(|entry| (row, entry)))
        .collect::<Result<Vec<_>>>()?;
    // The rows each transaction after the checkpoint changed, for the snapshots.
    let store = durable.store();
    let changed = if store.side_files().is_empty() {
        Some(Default::default())
    } else {
        changed_rows(store, store.checkpoint_lsn()).ok()
    };
    for (catalog_row, entry) in entries {
        match entry {
            CatalogEntry::Extension => catalog.extension_installed = true,
            CatalogEntry::Schema(name) => catalog.add_schema(name, Some(catalog_row)),
            CatalogEntry::StatStatements => catalog.stat_statements = Some(catalog_row),
            CatalogEntry::Table(mut table) => {
                table.catalog_row = Some(catalog_row);
                give_index_ids(&durable, &mut table)?;
                crate::analyze::index_key::bind_stored_predicates(&mut table)?;
                match restore_indexes(&durable, &mut table, changed.as_ref()) {
                    Ok(report) => recovery.indexes.extend(report),
                    // Rebuilding an index read a damaged page of the table.
                    Err(error) if error.sqlstate == "XX001" => {
                        warnings.push(EngineError::warning(
                            "XX001",
                            format!("table \"{}\" is damaged: {}", table.name, error.message),
                        ));
                        table.damage = Some(error.with_detail(format!(
                            "The rows of table \"{}\" could not be read when the database was opened; the other tables are not affected.",
                            table.name
                        )).with_hint("Drop the table, or restore it from a copy of the database."));
                        table.vector_indexes = Vec::new();
                    }
                    Err(error) => return Err(error),
                }
                catalog.add_table(table);
            }
        }
    }
    for index in &recovery.indexes {
        if let IndexSource::Rebuilt { reason } = &index.source {
            if reason != "no snapshot" {
                warnings.push(EngineError::notice(
                    "00000",
                    format!(
                        "index \"{}\" was rebuilt from the rows of table \"{}\": {reason}",
                        index.index, index.table
                    ),
                ));
            }
        }
    }
    Ok(Opened {
        durable,
        catalog,
        recovery,
        warnings,
    })
}

/// A new, empty database in memory with a buffer pool of `buffer_pool_bytes`.
pub fn in_memory(buffer_pool_bytes: usize) -> Opened {
    // A store in memory fails to open only if memory for its first pages is missing.
    let durable = Durable::in_memory(buffer_pool_bytes)
        .unwrap_or_else(|error| panic!("cannot create a database in memory: {}", error.message));
    Opened {
        durable,
        catalog: Catalog::default(),
        recovery: RecoveryReport::default(),
        warnings: Vec::new(),
    }
}

/// The store's recovery report as warnings, when it did anything unusual (a torn tail
/// after a crash is normal and says nothing).
fn storage_warnings(report: &vec_storage::RecoveryReport) -> Vec<EngineError> {
    let mut warnings = Vec::new();
    if let Some(truncation) = &report.wal_truncation {
        warnings.push(EngineError::warning(
            "XX001",
            format!(
                "discarded {} committed transaction{} after the damaged WAL record at offset {} of file \"{}\"",
                truncation.discarded_txns,
                if truncation.discarded_txns == 1 { "" } else { "s" },
                truncation.offset,
                truncation.path.display()
            ),
        ));
    }
    if report.restored_pages > 0 {
        warnings.push(EngineError::notice(
            "00000",
            format!(
                "restored {} torn page{} from the double-write file",
                report.restored_pages,
                if report.restored_pages == 1 { "" } else { "s" }
            ),
        ));
    }
    warnings
}

/// Gives an id to each vector index of a table written before indexes had ids, and
/// stores the table's entry again.
fn give_index_ids(durable: &Durable, table: &mut Table) -> Result<()> {
    let mut missing = table
        .indexes
        .iter_mut()
        .filter(|i| i.method.is_vector() && i.id == 0)
        .peekable();
    if missing.peek().is_none() {
        return Ok(());
    }
    for index in missing {
        index.id = durable.new_index_id();
    }
    if let Some(row) = table.catalog_row {
        durable.commit(
            vec![StoreOp::Overwrite(CATALOG_HEAP.0, row, encode_table(table))],
            true,
        )?;
    }
    Ok(())
}

/// Makes `table`'s vector indexes ready after its rows are loaded: from snapshots where
/// `snapshots` has a usable one, by building otherwise. `changed` holds the rows changed
/// after the checkpoint (`None` if the log could not be read: every snapshot is then
/// distrusted). Returns what was done for each index.
fn restore_indexes(
    durable: &Durable,
    table: &mut Table,
    changed: Option<&HashMap<u32, BTreeSet<u64>>>,
) -> Result<Vec<IndexRecovery>> {
    let store = durable.store();
    let registered: HashSet<String> = store.side_files().into_iter().map(|(n, _)| n).collect();
    let heap = table.heap;
    let no_rows = BTreeSet::new();
    let touched = changed.and_then(|c| c.get(&heap)).unwrap_or(&no_rows);
    if !touched.is_empty() {
        durable.snapshot_state().changed_heaps.insert(heap);
    }
    let mut report = Vec::new();
    let mut entries = Vec::new();
    let definitions: Vec<Index> = table
        .indexes
        .iter()
        .filter(|i| i.method.is_vector())
        .cloned()
        .collect();
    for index in &definitions {
        let name = side_file_name(heap, index.id);
        let attempt = if index.id == 0 || !registered.contains(&name) {
            Err("no snapshot".to_string())
        } else if changed.is_none() {
            Err("the log after the checkpoint could not be read".to_string())
        } else {
            open_snapshot(durable, table, index, &name, touched).map_err(|e| e.message)
        };
        let source = match attempt {
            Ok(entry) => {
                durable.snapshot_state().current.insert(name);
                entries.push(entry);
                IndexSource::Snapshot {
                    replayed_rows: touched.len(),
                }
            }
            Err(reason) => {
                let versions = Versions::Committed(durable);
                let (entry, _notices) = build_entry(table, index, versions, Monitor::none())?;
                entries.push(entry);
                IndexSource::Rebuilt { reason }
            }
        };
        report.push(IndexRecovery {
            table: table.name.clone(),
            index: index.name.clone(),
            source,
        });
    }
    table.vector_indexes = entries;
    Ok(report)
}

/// Opens one index's snapshot and replays the rows changed after it.
fn open_snapshot(
    durable: &Durable,
    table: &Table,
    index: &Index,
    name: &str,
    touched: &BTreeSet<u64>,
) -> Result<VectorIndexEntry> {
    let storage = |e: vec_storage::Error| EngineError::new("XX001", e.to_string());
    let file = durable.store().side_file(name).map_err(storage)?;
    file.verify_checksum().map_err(storage)?;
    let key = index_key(table, index)?;
    let opclass = Opclass::resolve(index.method, index.opclass.as_deref(), &key.ty)?;
    let dimensions = usize::try_from(key.typmod)
        .map_err(|_| EngineError::new("22023", "column does not have dimensions"))?;
    let opened =
        VectorIndex::open_snapshot(index.method, opclass, dimensions, &index.with, file.path())?;
    let mut opened = opened;
    if !touched.is_empty() {
        // Every version the log touched leaves the index, and whatever version its slot
        // holds now (live, or deleted and not yet vacuumed) comes back.
        for &id in touched {
            opened.delete(id as RowId);
        }
        opened.vacuum();
        for &id in touched {
            if let Some(version) = durable.fetch_version(table.heap, id)? {
                let row = decode_row(&version.bytes)?;
                opened.insert(id as RowId, &key.value(&row)?)?;
            }
        }
    }
    Ok(VectorIndexEntry {
        name: index.name.clone(),
        key: key.key,
        key_text: key.text,
        opclass,
        predicate: key.predicate,
        index: parking_lot::RwLock::new(opened),
    })
}
