//! A table's in-memory indexes over its rows: the btree indexes and the primary key's
//! and unique constraints' key-to-rows maps. They hold an entry for every stored row version (live, or deleted and
//! not yet vacuumed); readers check each row they find against their view. They are built
//! from the heap on first use, not when the database opens, and kept current by every
//! change from then on. A writer builds them (through its own transaction, so that its
//! uncommitted rows are in) before it writes the table, so that a reader building them
//! later from the committed rows cannot miss rows an open block has written.

use std::collections::HashMap;

use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};

use super::{IndexKey, IndexPredicate};
use crate::error::Result;
use crate::storage::btree::BtreeIndex;
use crate::storage::gin::GinIndex;
use crate::storage::{Row, RowId};
use crate::value::Datum;

/// A primary key's value, as text (NULL-free by the key's `NOT NULL`).
pub type KeyText = Vec<Option<String>>;

/// The indexes once built.
#[derive(Default)]
pub struct Built {
    /// The btree indexes, by name.
    pub btrees: Vec<BtreeIndex>,
    /// The predicate of each partial btree index (by position in `btrees`).
    predicates: Vec<Option<IndexPredicate>>,
    /// The `gin` indexes, by name.
    pub gins: Vec<GinIndex>,
    /// Each `gin` index's key and predicate (by position in `gins`).
    gin_keys: Vec<(IndexKey, Option<IndexPredicate>)>,
    /// The primary key: each key's row versions.
    pub primary: HashMap<KeyText, Vec<RowId>>,
    /// The primary key's columns.
    key_columns: Vec<usize>,
    /// The unique constraints' keys (in the table's order): each key's row versions;
    /// a key with a NULL is not entered, since NULLs never conflict.
    uniques: Vec<(Vec<usize>, HashMap<KeyText, Vec<RowId>>)>,
}

impl Built {
    /// Indexes a stored row version.
    pub fn insert(&mut self, id: RowId, row: &Row) {
        for (btree, predicate) in self.btrees.iter_mut().zip(&self.predicates) {
            if holds(predicate, row) {
                btree.insert(id, row);
            }
        }
        for (gin, (key, predicate)) in self.gins.iter_mut().zip(&self.gin_keys) {
            if let Some(vector) = gin_vector(key, predicate, row) {
                gin.insert(id, &vector);
            }
        }
        if !self.key_columns.is_empty() {
            let key = key_of(&self.key_columns, row);
            let ids = self.primary.entry(key).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        for (columns, map) in &mut self.uniques {
            let key = key_of(columns, row);
            if key.iter().all(Option::is_some) {
                let ids = map.entry(key).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// Forgets a row version (given as it was indexed).
    pub fn remove(&mut self, id: RowId, row: &Row) {
        for (btree, predicate) in self.btrees.iter_mut().zip(&self.predicates) {
            if holds(predicate, row) {
                btree.remove(id, row);
            }
        }
        for (gin, (key, predicate)) in self.gins.iter_mut().zip(&self.gin_keys) {
            if let Some(vector) = gin_vector(key, predicate, row) {
                gin.remove(id, &vector);
            }
        }
        if !self.key_columns.is_empty() {
            let key = key_of(&self.key_columns, row);
            if let Some(ids) = self.primary.get_mut(&key) {
                ids.retain(|&other| other != id);
                if ids.is_empty() {
                    self.primary.remove(&key);
                }
            }
        }
        for (columns, map) in &mut self.uniques {
            let key = key_of(columns, row);
            if let Some(ids) = map.get_mut(&key) {
                ids.retain(|&other| other != id);
                if ids.is_empty() {
                    map.remove(&key);
                }
            }
        }
    }

    /// The row versions whose key of the `position`th unique constraint is `key`.
    pub fn with_unique_key(&self, position: usize, key: &KeyText) -> &[RowId] {
        self.uniques
            .get(position)
            .and_then(|(_, map)| map.get(key))
            .map_or(&[], Vec::as_slice)
    }

    /// The row versions whose primary key is `key`.
    pub fn with_key(&self, key: &KeyText) -> &[RowId] {
        self.primary.get(key).map_or(&[], Vec::as_slice)
    }

    /// The btree index of this name.
    pub fn btree(&self, name: &str) -> Option<&BtreeIndex> {
        self.btrees.iter().find(|b| b.name() == name)
    }

    /// The `gin` index of this name.
    pub fn gin(&self, name: &str) -> Option<&GinIndex> {
        self.gins.iter().find(|g| g.name() == name)
    }
}

/// A row's `tsvector` key for a `gin` index; `None` for NULL, for a row outside a
/// partial index, or when the key fails to evaluate (a query the index serves would
/// fail on that row too).
fn gin_vector(
    key: &IndexKey,
    predicate: &Option<IndexPredicate>,
    row: &Row,
) -> Option<vec_text::TsVector> {
    if !holds(predicate, row) {
        return None;
    }
    match key.value(row) {
        Ok(Datum::TsVector(vector)) => Some(*vector),
        _ => None,
    }
}

/// Whether a row belongs in an index with this predicate. A predicate that fails to
/// evaluate on the row leaves it out; queries the index serves imply the predicate, so
/// they would have failed on that row too.
fn holds(predicate: &Option<IndexPredicate>, row: &Row) -> bool {
    predicate
        .as_ref()
        .is_none_or(|predicate| predicate.holds(row).unwrap_or(false))
}

/// A row's primary key as text.
pub fn key_of(columns: &[usize], row: &[Datum]) -> KeyText {
    columns
        .iter()
        .map(|&i| row.get(i).and_then(Datum::to_text))
        .collect()
}

/// The indexes' shapes: which btrees (name, column, predicate) and which key columns.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    /// The btree indexes.
    pub btrees: Vec<BtreeShape>,
    /// The `gin` indexes.
    pub gins: Vec<GinShape>,
    /// The primary key's columns.
    pub key_columns: Vec<usize>,
    /// The unique constraints' columns.
    pub unique_keys: Vec<Vec<usize>>,
}

/// A btree index's shape.
#[derive(Clone, Debug)]
pub struct BtreeShape {
    /// Its name.
    pub name: String,
    /// Its leading column.
    pub column: usize,
    /// A partial index's predicate: rows it does not hold for have no entry.
    pub predicate: Option<IndexPredicate>,
}

/// A `gin` index's shape.
#[derive(Clone, Debug)]
pub struct GinShape {
    /// Its name.
    pub name: String,
    /// Its `tsvector` key.
    pub key: IndexKey,
    /// A partial index's predicate.
    pub predicate: Option<IndexPredicate>,
}

/// A table's row indexes, built on first use.
#[derive(Default)]
pub struct RowIndexes {
    state: Mutex<Option<Built>>,
}

impl RowIndexes {
    /// Indexes to build from the table's rows on first use.
    pub fn unbuilt() -> RowIndexes {
        RowIndexes::default()
    }

    /// Empty indexes of this shape (a new or truncated table).
    pub fn empty(shape: &Shape) -> RowIndexes {
        let indexes = RowIndexes::default();
        *indexes.state.lock() = Some(Built::of_shape(shape));
        indexes
    }

    /// Forgets what was built; the next use builds again.
    pub fn invalidate(&self) {
        *self.state.lock() = None;
    }

    /// Drops a btree index's structure, if built.
    pub fn drop_btree(&self, name: &str) {
        if let Some(built) = self.state.lock().as_mut() {
            built.btrees.retain(|b| b.name() != name);
            let keep: Vec<bool> = built.gins.iter().map(|g| g.name() != name).collect();
            let mut flags = keep.iter();
            built.gins.retain(|_| *flags.next().unwrap_or(&true));
            let mut flags = keep.iter();
            built.gin_keys.retain(|_| *flags.next().unwrap_or(&true));
        }
    }

    /// How many row versions they index, when built with a btree or a primary key.
    pub fn estimated_rows(&self) -> Option<usize> {
        let state = self.state.lock();
        let built = state.as_ref()?;
        let btrees = built.btrees.iter().map(BtreeIndex::len).max();
        let keys = (!built.key_columns.is_empty())
            .then(|| built.primary.values().map(Vec::len).sum::<usize>());
        btrees.max(keys)
    }

    /// Whether they are built.
    pub fn is_built(&self) -> bool {
        self.state.lock().is_some()
    }

    /// Locks the indexes, building them of `shape` from every stored row version (as
    /// `versions` lists them) if this is their first use.
    pub fn lock(
        &self,
        shape: impl FnOnce() -> Shape,
        versions: impl FnOnce(&mut dyn FnMut(RowId, Row)) -> Result<()>,
    ) -> Result<MappedMutexGuard<'_, Built>> {
        let mut state = self.state.lock();
        if state.is_none() {
            let mut built = Built::of_shape(&shape());
            versions(&mut |id, row| built.insert(id, &row))?;
            *state = Some(built);
        }
        Ok(MutexGuard::map(state, |state| {
            state.get_or_insert_with(Built::default)
        }))
    }

    /// Locks the indexes if they are built (changes to unbuilt ones need no record: the
    /// build reads them from the heap).
    pub fn lock_if_built(&self) -> Option<MappedMutexGuard<'_, Built>> {
        MutexGuard::try_map(self.state.lock(), Option::as_mut).ok()
    }
}

impl Built {
    fn of_shape(shape: &Shape) -> Built {
        Built {
            btrees: shape
                .btrees
                .iter()
                .map(|b| BtreeIndex::new(b.name.clone(), b.column))
                .collect(),
            predicates: shape.btrees.iter().map(|b| b.predicate.clone()).collect(),
            gins: shape
                .gins
                .iter()
                .map(|g| GinIndex::new(g.name.clone()))
                .collect(),
            gin_keys: shape
                .gins
                .iter()
                .map(|g| (g.key.clone(), g.predicate.clone()))
                .collect(),
            primary: HashMap::new(),
            key_columns: shape.key_columns.clone(),
            uniques: shape
                .unique_keys
                .iter()
                .map(|columns| (columns.clone(), HashMap::new()))
                .collect(),
        }
    }
}
