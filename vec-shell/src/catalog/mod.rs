//! The catalog: tables, their columns (type, modifier, constraints, identity counters)
//! and their indexes, each table naming the heap its rows live in and owning its
//! indexes' structures (vector indexes, and the btree and primary key indexes of
//! `row_indexes`). The catalog's durable form is in `schema` (the bytes of its entries)
//! and `snapshots` (vector index snapshots written at checkpoints).

pub mod column_stats;
pub mod column_storage;
pub mod constraint;
pub mod deparsed;
pub mod index_builds;
pub mod index_def;
pub mod namespace;
pub mod pg_stats;
pub mod row_indexes;
pub mod schema;
pub mod snapshots;
pub mod statements;
pub mod stats;
pub mod system;
pub mod system_class;
pub mod system_constraints;
pub mod system_features;
pub mod system_schemas;

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
    /// The statistics target `ALTER TABLE … SET STATISTICS` gave (`None`: the
    /// default, `default_statistics_target`).
    pub statistics_target: Option<i32>,
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
    /// The table's name (unqualified).
    pub name: String,
    /// The schema the table (and its indexes) belong to.
    pub schema: String,
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
    /// What the last `ANALYZE` found about the columns.
    pub stats: Option<column_stats::TableStats>,
}

impl Table {
    /// A new table without rows (its heap is given when it is stored).
    pub fn new(name: String, columns: Vec<Column>, primary_key: Vec<usize>) -> Table {
        Table {
            name,
            schema: namespace::PUBLIC.to_string(),
            columns,
            primary_key,
            indexes: Vec::new(),
            constraints: Vec::new(),
            vector_indexes: Vec::new(),
            row_indexes: RowIndexes::unbuilt(),
            heap: 0,
            catalog_row: None,
            damage: None,
            stats: None,
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

    /// The table's catalog key, its schema-qualified name (`public.items`).
    pub fn key(&self) -> String {
        namespace::key(&self.schema, &self.name)
    }

    /// The table's name as PostgreSQL prints it where it qualifies names only when
    /// needed: bare in `public`, `schema.name` elsewhere.
    pub fn display_name(&self) -> String {
        if self.schema == namespace::PUBLIC {
            self.name.clone()
        } else {
            self.key()
        }
    }

    /// The position of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The position of column `name`, or PostgreSQL's error naming the table.
    pub fn column_position(&self, name: &str) -> crate::error::Result<usize> {
        self.column_index(name).ok_or_else(|| {
            crate::error::EngineError::new(
                "42703",
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    self.name
                ),
            )
        })
    }
}

/// All tables, by schema-qualified name, and the schemas made by `CREATE SCHEMA`.
#[derive(Default)]
pub struct Catalog {
    tables: BTreeMap<String, Table>,
    /// The schemas besides `public`, each with the store's catalog entry recording it.
    schemas: BTreeMap<String, Option<u64>>,
    /// Whether `CREATE EXTENSION vector` has run (the types exist regardless).
    pub extension_installed: bool,
    /// Tables dropped while [`Catalog::keep_dropped_tables`] is on, kept for a
    /// transaction block's undo log.
    dropped: Option<Vec<Table>>,
    /// The tables' activity counters (`pg_stat_user_tables`), kept in memory.
    pub table_stats: stats::TableActivity,
    /// The catalog entry of the `pg_stat_statements` extension, when it is installed.
    pub stat_statements: Option<u64>,
    /// The statements counted while `pg_stat_statements` is installed.
    pub statements: statements::StatementLog,
    /// The index builds running now (`pg_stat_progress_create_index`).
    pub index_builds: std::sync::Arc<index_builds::IndexBuilds>,
}

impl Catalog {
    /// The catalog key of the table a written name (`t`, `a.t`) refers to: a qualified
    /// name's own, an unqualified one's first match along the search path.
    pub fn resolve(&self, name: &str) -> Option<String> {
        match namespace::split(name) {
            (Some(schema), bare) => {
                let key = namespace::key(schema, bare);
                self.tables.contains_key(&key).then_some(key)
            }
            (None, bare) => namespace::search_path()
                .iter()
                .map(|schema| namespace::key(schema, bare))
                .find(|key| self.tables.contains_key(key)),
        }
    }

    /// The key the activity counters (`pg_stat_user_tables`) keep a table under: its
    /// catalog key, resolved along the search path from a written name.
    pub fn stats_key(&self, name: &str) -> String {
        self.resolve(name).unwrap_or_else(|| name.to_string())
    }

    /// The schema a new relation of written name `name` goes to, and its bare name:
    /// the named schema, or the first existing one on the search path (PostgreSQL's
    /// errors when there is none).
    pub fn creation_schema<'a>(&self, name: &'a str) -> Result<(String, &'a str)> {
        match namespace::split(name) {
            (Some(schema), bare) => {
                if self.schema_exists(schema) {
                    Ok((schema.to_string(), bare))
                } else {
                    Err(crate::error::EngineError::new(
                        "3F000",
                        format!("schema \"{schema}\" does not exist"),
                    ))
                }
            }
            (None, bare) => namespace::search_path()
                .iter()
                .find(|schema| self.schema_exists(schema))
                .cloned()
                .map(|schema| (schema, bare))
                .ok_or_else(|| {
                    crate::error::EngineError::new(
                        "3F000",
                        "no schema has been selected to create in",
                    )
                }),
        }
    }

    /// Whether a schema of this name exists (`public` always does; the system schemas
    /// hold no user relations).
    pub fn schema_exists(&self, schema: &str) -> bool {
        schema == namespace::PUBLIC || self.schemas.contains_key(schema)
    }

    /// The schemas besides `public`, in name order, with their catalog entries.
    pub fn schemas(&self) -> impl Iterator<Item = (&String, Option<u64>)> {
        self.schemas.iter().map(|(name, row)| (name, *row))
    }

    /// Records a schema (the caller has checked the name is free).
    pub fn add_schema(&mut self, name: String, catalog_row: Option<u64>) {
        self.schemas.insert(name, catalog_row);
    }

    /// Removes a schema, returning its catalog entry.
    pub fn drop_schema(&mut self, name: &str) -> Option<Option<u64>> {
        self.schemas.remove(name)
    }

    /// The tables of a schema, in name order.
    pub fn tables_in(&self, schema: &str) -> impl Iterator<Item = &Table> + '_ {
        let schema = schema.to_string();
        self.tables.values().filter(move |t| t.schema == schema)
    }

    /// A table by written name (see [`Catalog::resolve`]).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(&self.resolve(name)?)
    }

    /// A table by written name, for changes.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let key = self.resolve(name)?;
        self.tables.get_mut(&key)
    }

    /// Adds a table (the caller has checked the name is free).
    pub fn add_table(&mut self, table: Table) {
        self.table_stats.forget(&table.key());
        self.tables.insert(table.key(), table);
    }

    /// Removes a table by written name, returning whether it existed.
    pub fn drop_table(&mut self, name: &str) -> bool {
        match self.resolve(name).and_then(|key| self.tables.remove(&key)) {
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

    /// The tables in schema-qualified name order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }

    /// The table holding the index a written name (`i`, `a.i`) refers to, and the
    /// index's place in its `indexes`: a qualified name looks in its schema, an
    /// unqualified one along the search path.
    pub fn find_index(&self, name: &str) -> Option<(&Table, usize)> {
        let in_schema = |schema: &str, bare: &str| {
            self.tables_in(schema).find_map(|t| {
                let position = t.indexes.iter().position(|i| i.name == bare)?;
                Some((t, position))
            })
        };
        match namespace::split(name) {
            (Some(schema), bare) => in_schema(schema, bare),
            (None, bare) => namespace::search_path()
                .iter()
                .find_map(|schema| in_schema(schema, bare)),
        }
    }

    /// Whether an index of this written name exists.
    pub fn index_exists(&self, name: &str) -> bool {
        self.find_index(name).is_some()
    }

    /// Whether any relation (table or index) has this written name.
    pub fn relation_exists(&self, name: &str) -> bool {
        self.resolve(name).is_some() || self.index_exists(name)
    }
}
