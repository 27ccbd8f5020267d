//! `CREATE INDEX`: the statement is checked, the index's structure built from the
//! table's rows, then installed in the catalog and committed. Outside a transaction
//! block the build runs under the catalog's read lock, so other sessions keep reading
//! (and see the build in `pg_stat_progress_create_index`) while writers wait on the
//! write lock the statement holds, as under PostgreSQL's `SHARE` lock; the catalog's
//! write lock is taken only to install the index.

use parking_lot::RwLock;

use super::{vector_index, with_notice, with_regconfig};
use crate::catalog::schema::encode_table;
use crate::catalog::{namespace, Catalog, Index, Table, VectorIndexEntry};
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::index::AccessMethod;
use crate::progress::Monitor;
use crate::sql::ast::{CreateIndex, ExprKind};
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::txn::StoreWrites;
use crate::value::SqlType;

/// What a checked `CREATE INDEX` does.
enum IndexPlan {
    /// Nothing more: `IF NOT EXISTS` found the name taken.
    Done(StatementResult),
    /// Build and install this index.
    Build(Index),
}

/// A vector index's built structure and the notices of its build (none for a btree).
type Built = (Option<VectorIndexEntry>, Vec<EngineError>);

/// `CREATE INDEX` with the catalog held for writing throughout (inside a block).
pub fn create_index(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    create: &CreateIndex,
    monitor: Monitor<'_>,
) -> Result<StatementResult> {
    let index = match plan_index(catalog, writes, create)? {
        IndexPlan::Done(result) => return Ok(result),
        IndexPlan::Build(index) => index,
    };
    let built = build_index(catalog, writes, create, &index, monitor)?;
    install_index(catalog, writes, create, index, built)
}

/// `CREATE INDEX` reading the catalog while it builds, and writing it only to install
/// the index. The caller holds the database's write lock (`writes`), so the table and
/// the schema cannot change between the two.
pub fn create_index_shared(
    lock: &RwLock<Catalog>,
    writes: &StoreWrites<'_>,
    create: &CreateIndex,
    monitor: Monitor<'_>,
) -> Result<StatementResult> {
    let catalog = lock.read();
    let index = match plan_index(&catalog, writes, create)? {
        IndexPlan::Done(result) => return Ok(result),
        IndexPlan::Build(index) => index,
    };
    let built = build_index(&catalog, writes, create, &index, monitor)?;
    drop(catalog);
    install_index(&mut lock.write(), writes, create, index, built)
}

/// Checks the statement and makes the index's catalog entry.
fn plan_index(
    catalog: &Catalog,
    writes: &StoreWrites<'_>,
    create: &CreateIndex,
) -> Result<IndexPlan> {
    let method_name = create.method.as_deref().unwrap_or("btree");
    let Some(method) = AccessMethod::from_name(method_name) else {
        return Err(EngineError::unsupported(format!(
            "access method \"{method_name}\" is not supported yet"
        ))
        .at(create.method_pos.0));
    };
    let table = catalog.table(&create.table).ok_or_else(|| {
        EngineError::new(
            "42P01",
            format!("relation \"{}\" does not exist", create.table),
        )
    })?;
    let mut columns = Vec::new();
    let opclass = create.keys.first().and_then(|(_, opclass)| opclass.clone());
    if method.is_vector() && create.keys.len() != 1 {
        return Err(EngineError::new(
            "0A000",
            format!("access method \"{method}\" does not support multicolumn indexes"),
        ));
    }
    let mut expression = None;
    for (key, _opclass) in &create.keys {
        let ExprKind::Column(parts) = &key.kind else {
            if method == AccessMethod::Btree {
                return Err(EngineError::unsupported(
                    "btree indexes on expressions are not supported yet",
                )
                .at(key.pos.0));
            }
            expression = Some(with_regconfig(key).to_string());
            continue;
        };
        let name = parts.last().cloned().unwrap_or_default();
        let index = table.column_index(&name).ok_or_else(|| {
            EngineError::new("42703", format!("column \"{name}\" does not exist")).at(key.pos.0)
        })?;
        columns.push(index);
    }
    let name = match &create.name {
        Some(name) => {
            if catalog.relation_exists(&namespace::key(&table.schema, name)) {
                if create.if_not_exists {
                    return Ok(IndexPlan::Done(with_notice(
                        "CREATE INDEX",
                        format!("relation \"{name}\" already exists, skipping"),
                        "42P07",
                    )));
                }
                return Err(EngineError::new(
                    "42P07",
                    format!("relation \"{name}\" already exists"),
                ));
            }
            name.clone()
        }
        None => {
            let mut column_names: Vec<&str> = columns
                .iter()
                .map(|&i| table.columns[i].name.as_str())
                .collect();
            let figured;
            if expression.is_some() {
                figured = expression_column(&create.keys);
                column_names = vec![figured.as_str()];
            }
            let base = format!("{}_{}_idx", table.name, column_names.join("_"));
            let mut candidate = base.clone();
            let mut n = 1;
            while catalog.relation_exists(&namespace::key(&table.schema, &candidate)) {
                candidate = format!("{base}{n}");
                n += 1;
            }
            candidate
        }
    };
    let with: Vec<(String, String)> = create
        .with
        .iter()
        .map(|(option, value)| (option.clone(), value.as_str().to_string()))
        .collect();
    let bound_predicate = create
        .predicate
        .as_ref()
        .map(|condition| crate::analyze::index_key::bind_predicate(table, condition))
        .transpose()?;
    let predicate = create.predicate.as_ref().map(ToString::to_string);
    let mut index = Index {
        name,
        method,
        columns,
        opclass: if create.method.is_some() {
            opclass
        } else {
            None
        },
        with,
        expression,
        predicate,
        bound_predicate,
        gin_key: None,
        id: writes.new_index_id(),
    };
    if method == AccessMethod::Gin {
        index.gin_key = Some(check_gin_key(table, &index, opclass_of(create))?);
    }
    Ok(IndexPlan::Build(index))
}

/// Builds a vector index's structure from the table's rows (the build finishes, fails or
/// is cancelled before the catalog changes).
fn build_index(
    catalog: &Catalog,
    writes: &StoreWrites<'_>,
    create: &CreateIndex,
    index: &Index,
    monitor: Monitor<'_>,
) -> Result<Built> {
    Ok(match (index.method, catalog.table(&create.table)) {
        (AccessMethod::Btree | AccessMethod::Gin, _) | (_, None) => (None, Vec::new()),
        (_, Some(table)) => {
            // The build finishes (or fails, or is cancelled) before the catalog changes.
            let (entry, notices) = writes.with_versions(|versions| {
                vector_index::build_entry(table, index, versions, monitor)
            })?;
            (Some(entry), notices)
        }
    })
}

/// Adds the index to the catalog and commits its entry.
fn install_index(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    create: &CreateIndex,
    index: Index,
    (vector_index, notices): Built,
) -> Result<StatementResult> {
    let vector_built = vector_index.is_some();
    let Some(table) = catalog.table_mut(&create.table) else {
        return Err(EngineError::internal("the indexed table went away"));
    };
    // A btree or gin index lives with the row indexes.
    let btree = matches!(index.method, AccessMethod::Btree | AccessMethod::Gin);
    table.indexes.push(index);
    let bytes = encode_table(table);
    if let Some(row) = table.catalog_row {
        if let Err(error) = writes.commit(vec![StoreOp::Overwrite(CATALOG_HEAP.0, row, bytes)]) {
            table.indexes.pop();
            return Err(error);
        }
    }
    table.vector_indexes.extend(vector_index);
    if btree {
        // The row indexes take the new shape, built now through the writer's view.
        table.row_indexes.invalidate();
        writes.build_row_indexes(table)?;
    }
    // Snapshot the new index now, so that a crash does not cost another build. It is
    // committed already; if the checkpoint fails, the next open rebuilds it.
    if vector_built {
        let _ = writes.checkpoint(catalog);
    }
    // The build read the table as one sequential scan of every stored version (the
    // dead ones not yet vacuumed too), as PostgreSQL's builds do.
    if let Some(table) = catalog.table(&create.table) {
        let key = table.key();
        let mut versions_read = 0;
        writes.with_versions(|versions| {
            versions.for_each(table.heap, &mut |_, _| {
                versions_read += 1;
                Ok(())
            })
        })?;
        catalog.table_stats.seq_scan(&key, versions_read);
    }
    let mut result = StatementResult::tag("CREATE INDEX");
    result.notices = notices;
    Ok(result)
}

/// The name PostgreSQL's `FigureIndexColname` gives an expression key: a function's
/// name, a column's name through casts, a cast's type for anything weaker; `expr` when
/// there is none (an operator expression).
fn expression_column(keys: &[(crate::sql::ast::Expr, Option<String>)]) -> String {
    keys.first()
        .map(|(key, _)| crate::analyze::naming::column_label(key))
        .filter(|label| label != "?column?")
        .unwrap_or_else(|| "expr".to_string())
}

/// The operator class written for the first key, if any.
fn opclass_of(create: &CreateIndex) -> Option<&str> {
    create
        .keys
        .first()
        .and_then(|(_, opclass)| opclass.as_deref())
}

/// A `gin` index takes one key of type `tsvector` (operator class `tsvector_ops`);
/// returns it bound.
fn check_gin_key(
    table: &Table,
    index: &Index,
    opclass: Option<&str>,
) -> Result<crate::catalog::IndexKey> {
    if index.columns.len() + usize::from(index.expression.is_some()) != 1 {
        return Err(EngineError::unsupported(
            "gin indexes on more than one key are not supported yet",
        ));
    }
    let key = crate::analyze::index_key::index_key(table, index)?;
    if let Some(opclass) = opclass.filter(|o| *o != "tsvector_ops") {
        return Err(EngineError::new(
            "42704",
            format!("operator class \"{opclass}\" does not exist for access method \"gin\""),
        ));
    }
    if key.ty != SqlType::TsVector {
        return Err(EngineError::new(
            "42704",
            format!(
                "data type {} has no default operator class for access method \"gin\"",
                key.ty.name()
            ),
        )
        .with_hint("You must specify an operator class for the index or define a default operator class for the data type."));
    }
    Ok(key.key)
}
