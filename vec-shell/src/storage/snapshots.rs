//! Vector index snapshots of a database on disk, so that opening it does not rebuild its
//! indexes.
//!
//! A checkpoint ([`Snapshots::write`]) writes, as a side file of the store, the snapshot
//! of every vector index whose table changed since the index's last snapshot, or that has
//! none; the store registers the files in its manifest with the checkpoint LSN, and
//! unregisters those of dropped indexes and tables. So every registered snapshot shows
//! its index as of the last checkpoint. A snapshot's name holds the table's heap id and
//! the index's id (unique in the database, kept in the catalog entry): a truncated table
//! (new heap) or a dropped and recreated index never reads an old file.
//!
//! Opening ([`restore_indexes`]) maps each index's snapshot and brings it up to date
//! from the log: every row of the table touched by a transaction committed after the
//! checkpoint leaves the index and, if it still exists, comes back with its current
//! value. An index without a snapshot, or whose snapshot cannot be used (damaged, another
//! format version), is rebuilt from the rows as before; a bad snapshot never stops the
//! database from opening.
//!
//! Checkpoints run when the database closes, after `CREATE INDEX` (so that a crash soon
//! after a long build does not rebuild) and after a statement once the log written since
//! the last checkpoint passes [`CHECKPOINT_WAL_BYTES`].

use std::collections::{BTreeSet, HashMap, HashSet};

use vec_storage::{Change, CheckpointWriter, Lsn, Store};

use crate::catalog::{Catalog, Index, Table, VectorIndexEntry};
use crate::error::{EngineError, Result};
use crate::index::{Opclass, VectorIndex};
use crate::storage::RowId;

/// Log bytes written since the last checkpoint after which a statement's commit runs a
/// checkpoint (writing the snapshots of changed indexes and recycling the log): 64 MiB.
/// It bounds both the log replayed when the database opens and the disk the log takes.
/// [`crate::Database::set_checkpoint_wal_bytes`] changes it for an open database.
pub const CHECKPOINT_WAL_BYTES: u64 = 64 << 20;

/// The prefix of index snapshot side files.
const PREFIX: &str = "ix-";

/// The side file name of the snapshot of index `index_id` over heap `heap`.
pub fn side_file_name(heap: u32, index_id: u64) -> String {
    format!("{PREFIX}{heap}-{index_id:x}")
}

/// How a vector index was made ready when its database was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexSource {
    /// Opened from its snapshot (memory-mapped), then brought up to date by replaying
    /// this many rows changed after the snapshot.
    Snapshot {
        /// Rows removed and re-inserted because the log changed them after the snapshot.
        replayed_rows: usize,
    },
    /// Built from the table's rows.
    Rebuilt {
        /// Why: no snapshot, or why the snapshot could not be used.
        reason: String,
    },
}

/// One vector index in a [`RecoveryReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexRecovery {
    /// The table's name.
    pub table: String,
    /// The index's name.
    pub index: String,
    /// Snapshot or rebuild.
    pub source: IndexSource,
}

/// What opening a database did with its vector indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Every vector index, in the order they were opened.
    pub indexes: Vec<IndexRecovery>,
}

impl RecoveryReport {
    /// Names of the indexes opened from their snapshots.
    pub fn from_snapshots(&self) -> Vec<&str> {
        self.names(|source| matches!(source, IndexSource::Snapshot { .. }))
    }

    /// Names of the indexes built from the rows.
    pub fn rebuilt(&self) -> Vec<&str> {
        self.names(|source| matches!(source, IndexSource::Rebuilt { .. }))
    }

    fn names(&self, keep: impl Fn(&IndexSource) -> bool) -> Vec<&str> {
        self.indexes
            .iter()
            .filter(|i| keep(&i.source))
            .map(|i| i.index.as_str())
            .collect()
    }
}

/// Which snapshots are current: the names registered and up to date as of the last
/// checkpoint, and the heaps changed since.
#[derive(Default)]
pub struct Snapshots {
    current: HashSet<String>,
    changed_heaps: HashSet<u32>,
}

impl Snapshots {
    /// Notes that a transaction changes `heap`, so its indexes' snapshots are stale.
    pub fn note_change(&mut self, heap: u32) {
        self.changed_heaps.insert(heap);
    }

    /// Runs a checkpoint that writes the snapshots of every changed index and drops those
    /// no index uses any more. An index whose snapshot cannot be written loses its old
    /// one (it is rebuilt at the next open); the checkpoint still completes.
    pub fn checkpoint(&mut self, store: &Store, catalog: &Catalog) -> vec_storage::Result<Lsn> {
        let registered: Vec<String> = store
            .side_files()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with(PREFIX))
            .collect();
        let mut live = HashSet::new();
        let mut written = HashSet::new();
        let mut failed = HashSet::new();
        let lsn = store.checkpoint_with(|writer| {
            for table in catalog.tables() {
                let Some(heap) = table.heap else { continue };
                for entry in &table.vector_indexes {
                    let Some(id) = index_id(table, &entry.name) else {
                        continue;
                    };
                    if !entry.index.has_snapshot_format() {
                        continue;
                    }
                    let name = side_file_name(heap, id);
                    live.insert(name.clone());
                    if self.current.contains(&name) && !self.changed_heaps.contains(&heap) {
                        continue;
                    }
                    if write_one(writer, &name, &entry.index).is_ok() {
                        written.insert(name);
                    } else {
                        writer.remove_side_file(&name);
                        failed.insert(name);
                    }
                }
            }
            for name in &registered {
                if !live.contains(name) {
                    writer.remove_side_file(name);
                }
            }
            Ok(())
        })?;
        self.current.retain(|name| live.contains(name));
        self.current.extend(written);
        self.current.retain(|name| !failed.contains(name));
        self.changed_heaps.clear();
        Ok(lsn)
    }
}

fn write_one(
    writer: &mut CheckpointWriter<'_>,
    name: &str,
    index: &VectorIndex,
) -> vec_storage::Result<()> {
    let mut file = writer.create_side_file(name)?;
    index
        .write_snapshot(&mut file)
        .map_err(|e| vec_storage::Error::io(std::path::Path::new(name), "write", e))?;
    writer.finish_side_file(file)
}

/// The id of a table's index by name (`None` for indexes without one).
fn index_id(table: &Table, name: &str) -> Option<u64> {
    table
        .indexes
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.id)
        .filter(|&id| id != 0)
}

/// The rows of each heap changed by transactions committed at or after `since`.
pub fn changed_rows(store: &Store, since: Lsn) -> vec_storage::Result<HashMap<u32, BTreeSet<u64>>> {
    let mut rows: HashMap<u32, BTreeSet<u64>> = HashMap::new();
    for txn in store.committed_since(since)? {
        for logged in txn?.changes {
            match logged.change {
                Change::Insert { heap, row, .. }
                | Change::Update { heap, row, .. }
                | Change::Delete { heap, row } => {
                    rows.entry(heap.0).or_default().insert(row.0);
                }
                _ => {}
            }
        }
    }
    Ok(rows)
}

/// Makes `table`'s vector indexes ready after its rows are loaded: from snapshots where
/// `snapshots` has a usable one, by building otherwise. `changed` holds the rows changed
/// after the checkpoint (`None` if the log could not be read: every snapshot is then
/// distrusted). Returns what was done for each index.
pub fn restore_indexes(
    store: &Store,
    table: &mut Table,
    changed: Option<&HashMap<u32, BTreeSet<u64>>>,
    snapshots: &mut Snapshots,
) -> Result<Vec<IndexRecovery>> {
    let registered: HashSet<String> = store.side_files().into_iter().map(|(n, _)| n).collect();
    let heap = table.heap.unwrap_or(0);
    let no_rows = BTreeSet::new();
    let touched = changed.and_then(|c| c.get(&heap)).unwrap_or(&no_rows);
    if !touched.is_empty() {
        snapshots.note_change(heap);
    }
    let mut report = Vec::new();
    let mut entries = Vec::new();
    let definitions: Vec<Index> = table
        .indexes
        .iter()
        .filter(|i| i.method != "btree")
        .cloned()
        .collect();
    for index in &definitions {
        let name = side_file_name(heap, index.id);
        let attempt = if index.id == 0 || !registered.contains(&name) {
            Err("no snapshot".to_string())
        } else if changed.is_none() {
            Err("the log after the checkpoint could not be read".to_string())
        } else {
            open_snapshot(store, table, index, &name, touched).map_err(|e| e.message)
        };
        let source = match attempt {
            Ok(entry) => {
                snapshots.current.insert(name);
                entries.push(entry);
                IndexSource::Snapshot {
                    replayed_rows: touched.len(),
                }
            }
            Err(reason) => {
                let (entry, _notices) =
                    table.build_vector_index(index, crate::progress::Monitor::none())?;
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
    store: &Store,
    table: &Table,
    index: &Index,
    name: &str,
    touched: &BTreeSet<u64>,
) -> Result<VectorIndexEntry> {
    let storage = |e: vec_storage::Error| EngineError::new("XX001", e.to_string());
    let file = store.side_file(name).map_err(storage)?;
    file.verify_checksum().map_err(storage)?;
    let (key, key_text, ty, typmod) = table.index_key(index)?;
    let opclass = Opclass::resolve(&index.method, index.opclass.as_deref(), &ty)?;
    let dimensions = usize::try_from(typmod)
        .map_err(|_| EngineError::new("22023", "column does not have dimensions"))?;
    let opened = VectorIndex::open_snapshot(&index.method, opclass, dimensions, file.path())?;
    let mut entry = VectorIndexEntry {
        name: index.name.clone(),
        key,
        key_text,
        opclass,
        index: opened,
    };
    if !touched.is_empty() {
        for &id in touched {
            entry.index.delete(id as RowId);
        }
        entry.index.vacuum();
        for &id in touched {
            if let Some(row) = table.store.get(id as RowId) {
                let value = entry.key_value(row)?;
                entry.index.insert(id as RowId, &value)?;
            }
        }
    }
    Ok(entry)
}
