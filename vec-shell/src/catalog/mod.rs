//! The catalog: tables, their columns (type, modifier, constraints, identity counters)
//! and their indexes, each table naming the heap its rows live in and owning its
//! indexes' structures (vector indexes, and the btree and primary key indexes of
//! `row_indexes`). The catalog's durable form is in `schema` (the bytes of its entries)
//! and `snapshots` (vector index snapshots written at checkpoints).

pub mod column_storage;
pub mod constraint;
pub mod index_def;
pub mod row_indexes;
pub mod schema;
pub mod snapshots;
pub mod system;

pub use column_storage::ColumnStorage;
pub use constraint::{Constraint, ConstraintRule};
pub use row_indexes::{BtreeShape, KeyText, RowIndexes, Shape};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::{MappedMutexGuard, RwLock};

use crate::error::Result;
use crate::expr::BoundExpr;
use crate::index::{AccessMethod, Opclass, VectorIndex};
use crate::storage::view::Versions;
use crate::value::Datum;
use crate::value::{SqlType, TypeMod};

/// The next value of a `serial` or identity column. Data-changing statements draw from
/// it while other sessions read the catalog, so it changes in place; sequences are never
/// rolled back, as in PostgreSQL.
#[derive(Debug)]
pub struct Sequence(AtomicI64);

impl Sequence {
    /// A sequence whose next value is `next`.
    pub fn new(next: i64) -> Sequence {
        Sequence(AtomicI64::new(next))
    }

    /// The next value.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Acquire)
    }

    /// Moves the sequence to `next`.
    pub fn set(&self, next: i64) {
        self.0.store(next, Ordering::Release);
    }
}

impl Clone for Sequence {
    fn clone(&self) -> Sequence {
        Sequence::new(self.get())
    }
}

/// A column's definition.
#[derive(Clone, Debug)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub ty: SqlType,
    /// Its type modifier (`-1` for none).
    pub typmod: TypeMod,
    /// `NOT NULL` (implied by `PRIMARY KEY`, `serial` and identity columns).
    pub not_null: bool,
    /// The next value of a `serial` or identity column.
    pub sequence: Option<Sequence>,
    /// `GENERATED ALWAYS AS IDENTITY`: an explicit value needs `OVERRIDING SYSTEM VALUE`.
    pub identity_always: bool,
    /// `DEFAULT expr`, as SQL text.
    pub default: Option<String>,
    /// `GENERATED ALWAYS AS (expr) STORED`, as SQL text.
    pub generated: Option<String>,
    /// The storage mode `SET STORAGE` gave it (`None`: its type's default).
    pub storage: Option<ColumnStorage>,
}

impl Column {
    /// The column's storage mode.
    pub fn storage_mode(&self) -> ColumnStorage {
        self.storage
            .unwrap_or_else(|| ColumnStorage::default_for(&self.ty))
    }
}

/// An index on a table.
#[derive(Clone, Debug)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// The access method.
    pub method: AccessMethod,
    /// The indexed columns, by position.
    pub columns: Vec<usize>,
    /// The operator class of a vector index (`vector_l2_ops`, …).
    pub opclass: Option<String>,
    /// Storage options (`m`, `ef_construction`) as written.
    pub with: Vec<(String, String)>,
    /// The key expression of an expression index, as SQL text.
    pub expression: Option<String>,
    /// A partial index's predicate (`WHERE …`), as SQL text.
    pub predicate: Option<String>,
    /// The predicate bound over the table's row (when the index is created, and when the
    /// database opens).
    pub bound_predicate: Option<IndexPredicate>,
    /// A `gin` index's key bound over the table's row (when the index is created, and
    /// when the database opens).
    pub gin_key: Option<IndexKey>,
    /// An id no other index of the database has had, given when the index is created
    /// in a database on disk (0 otherwise); names the index's snapshot file, so that a
    /// dropped and recreated index never reads its predecessor's.
    pub id: u64,
}

impl Index {
    /// A plain btree index on `columns` (a primary key's or a unique constraint's), its
    /// id given when it is stored.
    pub fn btree(name: String, columns: Vec<usize>) -> Index {
        Index {
            name,
            method: AccessMethod::Btree,
            columns,
            opclass: None,
            with: Vec::new(),
            expression: None,
            predicate: None,
            bound_predicate: None,
            gin_key: None,
            id: 0,
        }
    }
}

/// What a vector index indexes: a column, or an expression over the row.
#[derive(Clone, Debug)]
pub enum IndexKey {
    /// A column, by position.
    Column(usize),
    /// An expression such as `(embedding::halfvec(3))`.
    Expr(BoundExpr),
}

/// A vector index's live structure, next to its catalog entry of the same name.
pub struct VectorIndexEntry {
    /// The index's name.
    pub name: String,
    /// What it indexes.
    pub key: IndexKey,
    /// The key as SQL text (the column's name, or the expression), for matching
    /// `ORDER BY` keys.
    pub key_text: String,
    /// The operator class.
    pub opclass: Opclass,
    /// A partial index's predicate: rows it does not hold for have no entry.
    pub predicate: Option<IndexPredicate>,
    /// The index: read-locked by each statement that scans it (for the statement), and
    /// write-locked to add a row version's entry.
    pub index: RwLock<VectorIndex>,
}

impl VectorIndexEntry {
    /// The key's value for a row: NULL (no entry) for a row outside a partial index.
    pub fn key_value(&self, row: &[Datum]) -> Result<Datum> {
        match &self.predicate {
            Some(predicate) if !predicate.holds(row)? => Ok(Datum::Null),
            _ => self.key.value(row),
        }
    }
}

/// A partial index's predicate bound over its table's row, with its `AND`ed conditions
/// (which the planner looks for among a query's).
#[derive(Clone, Debug)]
pub struct IndexPredicate {
    /// The bound condition.
    pub expr: BoundExpr,
    /// Its `AND`ed conditions.
    pub parts: Vec<BoundExpr>,
}

impl IndexPredicate {
    /// Whether the predicate is true for a row (NULL counts as false, as in `WHERE`).
    pub fn holds(&self, row: &[Datum]) -> Result<bool> {
        Ok(matches!(
            crate::expr::eval(&self.expr, row, &crate::expr::NoEnvironment)?,
            Datum::Bool(true)
        ))
    }
}

impl IndexKey {
    /// The key's value for a row.
    pub fn value(&self, row: &[Datum]) -> Result<Datum> {
        key_value(self, row)
    }
}

fn key_value(key: &IndexKey, row: &[Datum]) -> Result<Datum> {
    match key {
        IndexKey::Column(column) => Ok(row.get(*column).cloned().unwrap_or(Datum::Null)),
        IndexKey::Expr(expr) => crate::expr::eval(expr, row, &crate::expr::NoEnvironment),
    }
}

/// A table: its definition, where its rows are, and its indexes' structures.
pub struct Table {
    /// The table's name.
    pub name: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// Positions of the primary key's columns (empty when there is none).
    pub primary_key: Vec<usize>,
    /// The indexes.
    pub indexes: Vec<Index>,
    /// The `UNIQUE` and `CHECK` constraints, in the order they were made.
    pub constraints: Vec<Constraint>,
    /// The vector indexes' structures.
    pub vector_indexes: Vec<VectorIndexEntry>,
    /// The btree indexes' and the primary key's structures, built on first use.
    pub row_indexes: RowIndexes,
    /// The store's heap holding the rows.
    pub heap: u32,
    /// The store's catalog entry describing the table.
    pub catalog_row: Option<u64>,
    /// Why the table's rows could not be read when the database was opened (a damaged
    /// page): every statement that reads or writes the table fails with this error, as
    /// PostgreSQL fails when it reads the page, while the other tables stay usable.
    /// `DROP TABLE` and `TRUNCATE` still work.
    pub damage: Option<crate::error::EngineError>,
}

impl Table {
    /// A new table without rows (its heap is given when it is stored).
    pub fn new(name: String, columns: Vec<Column>, primary_key: Vec<usize>) -> Table {
        Table {
            name,
            columns,
            primary_key,
            indexes: Vec::new(),
            constraints: Vec::new(),
            vector_indexes: Vec::new(),
            row_indexes: RowIndexes::unbuilt(),
            heap: 0,
            catalog_row: None,
            damage: None,
        }
    }

    /// Fails with the table's [`Table::damage`], if it has one.
    pub fn check_damage(&self) -> Result<()> {
        match &self.damage {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// The shape of the row indexes: the btree indexes whose leading column has a type
    /// btree keys cover, and the primary key's columns.
    pub fn row_index_shape(&self) -> Shape {
        let btrees = self
            .indexes
            .iter()
            .filter(|i| i.method == AccessMethod::Btree && i.expression.is_none())
            .filter_map(|i| {
                let column = *i.columns.first()?;
                let covered = self
                    .columns
                    .get(column)
                    .is_some_and(|c| crate::storage::btree::indexable(&c.ty));
                covered.then(|| BtreeShape {
                    name: i.name.clone(),
                    column,
                    predicate: i.bound_predicate.clone(),
                })
            })
            .collect();
        let gins = self
            .indexes
            .iter()
            .filter(|i| i.method == AccessMethod::Gin)
            .filter_map(|i| {
                Some(row_indexes::GinShape {
                    name: i.name.clone(),
                    key: i.gin_key.clone()?,
                    predicate: i.bound_predicate.clone(),
                })
            })
            .collect();
        Shape {
            btrees,
            gins,
            key_columns: self.primary_key.clone(),
            unique_keys: self
                .unique_constraints()
                .map(|(_, columns)| columns.to_vec())
                .collect(),
        }
    }

    /// Locks the table's btree and primary key indexes, building them from `versions`
    /// (every stored version the reader's view holds) if this is their first use.
    pub fn lock_row_indexes(
        &self,
        versions: Versions<'_>,
    ) -> Result<MappedMutexGuard<'_, row_indexes::Built>> {
        self.row_indexes.lock(
            || self.row_index_shape(),
            |add| {
                versions.for_each(self.heap, &mut |id, row| {
                    add(id, row);
                    Ok(())
                })
            },
        )
    }

    /// A row's primary key as text.
    pub fn key_of(&self, row: &[Datum]) -> KeyText {
        row_indexes::key_of(&self.primary_key, row)
    }

    /// The position of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// All tables, by name.
#[derive(Default)]
pub struct Catalog {
    tables: BTreeMap<String, Table>,
    /// Whether `CREATE EXTENSION vector` has run (the types exist regardless).
    pub extension_installed: bool,
    /// Tables dropped while [`Catalog::keep_dropped_tables`] is on, kept for a
    /// transaction block's undo log.
    dropped: Option<Vec<Table>>,
}

impl Catalog {
    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// A table by name, for changes.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.get_mut(name)
    }

    /// Adds a table (the caller has checked the name is free).
    pub fn add_table(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
    }

    /// Removes a table, returning whether it existed.
    pub fn drop_table(&mut self, name: &str) -> bool {
        match self.tables.remove(name) {
            Some(table) => {
                if let Some(dropped) = &mut self.dropped {
                    dropped.push(table);
                }
                true
            }
            None => false,
        }
    }

    /// From now until [`Catalog::take_dropped_tables`], [`Catalog::drop_table`] keeps
    /// the tables it removes instead of freeing them.
    pub fn keep_dropped_tables(&mut self) {
        self.dropped.get_or_insert_with(Vec::new);
    }

    /// The tables kept since [`Catalog::keep_dropped_tables`], in the order dropped;
    /// tables dropped from now on are freed again.
    pub fn take_dropped_tables(&mut self) -> Vec<Table> {
        self.dropped.take().unwrap_or_default()
    }

    /// The tables in name order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }

    /// Whether an index of this name exists on any table.
    pub fn index_exists(&self, name: &str) -> bool {
        self.tables
            .values()
            .any(|t| t.indexes.iter().any(|i| i.name == name))
    }

    /// Whether any relation (table or index) has this name.
    pub fn relation_exists(&self, name: &str) -> bool {
        self.tables.contains_key(name) || self.index_exists(name)
    }
}
