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
//! Opening a database (the session's) maps each index's snapshot and brings it up to
//! date from the log ([`changed_rows`]): every row of the table touched by a transaction
//! committed after the checkpoint leaves the index and, if it still exists, comes back
//! with its current value. An index without a snapshot, or whose snapshot cannot be used
//! (damaged, another format version), is rebuilt from the rows; a bad snapshot never
//! stops the database from opening.
//!
//! Checkpoints run when the database closes, after `CREATE INDEX` (so that a crash soon
//! after a long build does not rebuild) and after a statement once the log written since
//! the last checkpoint passes
//! [`CHECKPOINT_WAL_BYTES`](crate::storage::durable::CHECKPOINT_WAL_BYTES).

use std::collections::{BTreeSet, HashMap, HashSet};

use vec_storage::{Change, CheckpointWriter, Lsn, Store};

use super::{Catalog, Table};
use crate::error::Result;
use crate::index::VectorIndex;
use crate::storage::durable::{storage_error, Durable};

/// The prefix of index snapshot side files.
pub const PREFIX: &str = "ix-";

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

/// Runs a checkpoint that writes the snapshots of every index changed since the last
/// one (or that has none) and drops those no index uses any more. An index whose
/// snapshot cannot be written loses its old one (it is rebuilt at the next open); the
/// checkpoint still completes.
pub fn checkpoint(durable: &Durable, catalog: &Catalog) -> Result<()> {
    let store = durable.store();
    let mut state = durable.snapshot_state();
    let registered: Vec<String> = store
        .side_files()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.starts_with(PREFIX))
        .collect();
    let mut live = HashSet::new();
    let mut written = HashSet::new();
    let mut failed = HashSet::new();
    store
        .checkpoint_with(|writer| {
            for table in catalog.tables() {
                let heap = table.heap;
                for entry in &table.vector_indexes {
                    let Some(id) = index_id(table, &entry.name) else {
                        continue;
                    };
                    let name = side_file_name(heap, id);
                    live.insert(name.clone());
                    if state.current.contains(&name) && !state.changed_heaps.contains(&heap) {
                        continue;
                    }
                    if write_one(writer, &name, &entry.index.read()).is_ok() {
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
        })
        .map_err(storage_error)?;
    state.current.retain(|name| live.contains(name));
    state.current.extend(written);
    state.current.retain(|name| !failed.contains(name));
    state.changed_heaps.clear();
    Ok(())
}

/// Checkpoints if the log written since the last checkpoint passed the threshold. A
/// failure is not the statement's: the log still holds everything, so it is ignored
/// here (the next commit tries again).
pub fn maybe_checkpoint(durable: &Durable, catalog: &Catalog) {
    if durable.needs_checkpoint() {
        let _ = checkpoint(durable, catalog);
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
