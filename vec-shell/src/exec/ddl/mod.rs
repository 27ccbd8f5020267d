//! Data definition: `CREATE EXTENSION`, `CREATE TABLE`, `DROP TABLE`, `TRUNCATE` and
//! `CREATE INDEX`, with PostgreSQL's messages and `IF [NOT] EXISTS` notices; `ALTER
//! TABLE` and `DROP INDEX` (`alter`), `UNIQUE` and `CHECK` constraints (`constraint`), `REINDEX`, `VACUUM` and `ANALYZE` (`maintenance`),
//! and what a transaction block records to undo them (`block`).

pub mod alter;
pub mod analyze;
pub mod block;
pub mod constraint;
pub mod create_index;
pub mod extension;
pub mod maintenance;
pub mod schema;
pub mod vector_index;

use crate::analyze::types::resolve_type_name;
use crate::catalog::schema::{encode_extension, encode_table};
use std::collections::HashSet;

use crate::catalog::{namespace, Catalog, Column, Index, RowIndexes, Sequence, Table};
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::progress::Monitor;
use crate::sql::ast::{CreateTable, ExprKind, Statement};
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::txn::StoreWrites;
use crate::value::SqlType;

/// Runs a DDL statement: its store changes are committed (or added to the open block's
/// transaction) before the in-memory catalog changes. Index builds poll `monitor`'s
/// cancel request and report their progress to it.
pub fn execute(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    statement: &Statement,
    monitor: Monitor<'_>,
) -> Result<StatementResult> {
    match statement {
        Statement::CreateExtension {
            name,
            if_not_exists,
        } => {
            if name == "pg_stat_statements" {
                return extension::create_stat_statements(catalog, writes, *if_not_exists);
            }
            if name == "vectors" {
                // pgvecto.rs's extension: its types and `USING vectors` are built in.
                return Ok(StatementResult::tag("CREATE EXTENSION"));
            }
            if name != "vector" {
                return Err(EngineError::new(
                    "0A000",
                    format!("extension \"{name}\" is not available"),
                )
                .with_hint("vecsh has the \"vector\" extension built in."));
            }
            if catalog.extension_installed {
                return extension_exists(name, *if_not_exists);
            }
            writes.commit(vec![StoreOp::Insert(CATALOG_HEAP.0, encode_extension())])?;
            catalog.extension_installed = true;
            Ok(StatementResult::tag("CREATE EXTENSION"))
        }
        Statement::DropExtension { names, if_exists } => {
            extension::drop_extensions(catalog, writes, names, *if_exists)
        }
        Statement::AlterExtension { name, version } => alter_extension(catalog, name, version),
        Statement::CreateTable(create) => create_table(catalog, writes, create),
        Statement::DropTable { names, if_exists } => {
            let mut result = StatementResult::tag("DROP TABLE");
            for name in names {
                if catalog.table(name).is_none() {
                    let (schema, bare) = namespace::split(name);
                    match schema.filter(|s| !catalog.schema_exists(s)) {
                        Some(schema) => {
                            let what = format!("schema \"{schema}\"");
                            missing(*if_exists, &mut result, "3F000", &what)?
                        }
                        None => {
                            let what = format!("table \"{bare}\"");
                            missing(*if_exists, &mut result, "42P01", &what)?
                        }
                    }
                }
            }
            let mut ops = Vec::new();
            let mut seen = HashSet::new();
            for name in names {
                if let (true, Some(table)) = (seen.insert(name), catalog.table(name)) {
                    ops.push(StoreOp::DropHeap(table.heap));
                    if let Some(row) = table.catalog_row {
                        ops.push(StoreOp::Remove(CATALOG_HEAP.0, row));
                    }
                }
            }
            writes.commit(ops)?;
            for name in names {
                catalog.drop_table(name);
            }
            Ok(result)
        }
        Statement::Truncate { names } => truncate(catalog, writes, names),
        Statement::CreateIndex(index) => {
            create_index::create_index(catalog, writes, index, monitor)
        }
        Statement::AddColumn {
            table,
            column,
            if_not_exists,
        } => crate::exec::ddl::alter::add_column(catalog, writes, table, column, *if_not_exists),
        Statement::SetStorage {
            table,
            column,
            storage,
        } => crate::exec::ddl::alter::set_storage(catalog, writes, table, column, storage),
        Statement::SetStatistics {
            table,
            column,
            target,
        } => crate::exec::ddl::alter::set_statistics(catalog, writes, table, column, *target),
        Statement::AddConstraint { table, constraint } => {
            constraint::add_constraint(catalog, writes, table, constraint)
        }
        Statement::DropConstraint {
            table,
            name,
            if_exists,
        } => constraint::drop_constraint(catalog, writes, table, name, *if_exists),
        Statement::DropIndex { names, if_exists } => {
            crate::exec::ddl::alter::drop_index(catalog, writes, names, *if_exists)
        }
        Statement::Reindex { table, name, pos } => {
            crate::exec::ddl::maintenance::reindex(catalog, writes, *table, name, *pos, monitor)
        }
        Statement::Maintenance(command) => {
            crate::exec::ddl::maintenance::maintain(catalog, writes, command, monitor)
        }
        Statement::Schema(command) => schema::execute(catalog, writes, command),
        _ => Err(EngineError::internal("not a DDL statement")),
    }
}

/// `TRUNCATE`: each table moves to a new, empty heap (its sequences keep their position,
/// as without `RESTART IDENTITY`) and its indexes start empty. Like PostgreSQL's, it is
/// not MVCC-safe: a snapshot taken before it sees the table empty once it commits.
fn truncate(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    names: &[String],
) -> Result<StatementResult> {
    for name in names {
        if catalog.table(name).is_none() {
            return Err(EngineError::new(
                "42P01",
                format!("relation \"{name}\" does not exist"),
            ));
        }
    }
    let mut ops = Vec::new();
    let mut next_heap = writes.next_heap();
    let mut moves = Vec::new();
    let mut seen = HashSet::new();
    for name in names {
        let (true, Some(table)) = (seen.insert(name), catalog.table_mut(name)) else {
            continue;
        };
        let old = table.heap;
        ops.push(StoreOp::DropHeap(old));
        ops.push(StoreOp::CreateHeap(next_heap));
        table.heap = next_heap;
        let bytes = encode_table(table);
        table.heap = old;
        if let Some(row) = table.catalog_row {
            ops.push(StoreOp::Overwrite(CATALOG_HEAP.0, row, bytes));
        }
        moves.push((name.clone(), next_heap));
        next_heap += 1;
    }
    writes.commit(ops)?;
    let mut result = StatementResult::tag("TRUNCATE TABLE");
    for (name, heap) in moves {
        let key = catalog.stats_key(&name);
        catalog.table_stats.truncated(&key);
        if let Some(table) = catalog.table_mut(&name) {
            table.heap = heap;
            table.row_indexes = RowIndexes::empty(&table.row_index_shape());
            let notices =
                writes.with_versions(|versions| vector_index::rebuild_all(table, versions))?;
            result.notices.extend(notices);
        }
    }
    Ok(result)
}

/// `ALTER EXTENSION vector UPDATE [TO 'version']`: the built-in extension is always at
/// its one version, so the answer is PostgreSQL's when nothing is left to update.
fn alter_extension(
    catalog: &Catalog,
    name: &str,
    version: &Option<String>,
) -> Result<StatementResult> {
    let installed = crate::catalog::system::PGVECTOR_VERSION;
    if name != "vector" || !catalog.extension_installed {
        return Err(EngineError::new(
            "42704",
            format!("extension \"{name}\" does not exist"),
        ));
    }
    match version.as_deref() {
        Some(asked) if asked != installed => Err(EngineError::new(
            "22023",
            format!(
                "extension \"{name}\" has no update path from version \"{installed}\" to version \"{asked}\""
            ),
        )),
        _ => Ok(with_notice(
            "ALTER EXTENSION",
            format!("version \"{installed}\" of extension \"{name}\" is already installed"),
            "00000",
        )),
    }
}

/// A `DROP` names something that does not exist (`what`: `table "t"`): with `IF
/// EXISTS` a NOTICE (`… does not exist, skipping`) and the statement goes on, without it
/// the error.
pub(crate) fn missing(
    if_exists: bool,
    result: &mut StatementResult,
    sqlstate: &'static str,
    what: &str,
) -> Result<()> {
    if if_exists {
        let message = format!("{what} does not exist, skipping");
        result.notices.push(EngineError::notice("00000", message));
        Ok(())
    } else {
        Err(EngineError::new(sqlstate, format!("{what} does not exist")))
    }
}

/// `CREATE EXTENSION` of an installed extension: PostgreSQL's NOTICE with `IF NOT
/// EXISTS`, else its error.
pub(crate) fn extension_exists(name: &str, if_not_exists: bool) -> Result<StatementResult> {
    if if_not_exists {
        return Ok(with_notice(
            "CREATE EXTENSION",
            format!("extension \"{name}\" already exists, skipping"),
            "42710",
        ));
    }
    Err(EngineError::new(
        "42710",
        format!("extension \"{name}\" already exists"),
    ))
}

fn with_notice(tag: &str, message: String, sqlstate: &'static str) -> StatementResult {
    let mut result = StatementResult::tag(tag);
    result.notices.push(EngineError::notice(sqlstate, message));
    result
}

fn create_table(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    create: &CreateTable,
) -> Result<StatementResult> {
    let (schema, bare) = catalog
        .creation_schema(&create.name)
        .map_err(|error| error.at(create.name_pos.0))?;
    let create = &CreateTable {
        name: bare.to_string(),
        ..create.clone()
    };
    if catalog.relation_exists(&namespace::key(&schema, bare)) {
        if create.if_not_exists {
            return Ok(with_notice(
                "CREATE TABLE",
                format!("relation \"{}\" already exists, skipping", create.name),
                "42P07",
            ));
        }
        return Err(EngineError::new(
            "42P07",
            format!("relation \"{}\" already exists", create.name),
        ));
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut primary_key = Vec::new();
    for def in &create.columns {
        if columns.iter().any(|c| c.name == def.name) {
            return Err(EngineError::new(
                "42701",
                format!("column \"{}\" specified more than once", def.name),
            ));
        }
        check_column_clauses(def, &create.name)?;
        let (ty, typmod, serial) = match def.type_name.name.as_str() {
            "serial" | "serial4" => (SqlType::Int4, -1, true),
            "bigserial" | "serial8" => (SqlType::Int8, -1, true),
            _ => {
                let (ty, typmod) = resolve_type_name(&def.type_name)?;
                // `bit` without a length is `bit(1)` in a column definition.
                let typmod = if ty == SqlType::Bit && typmod < 0 {
                    1
                } else {
                    typmod
                };
                (ty, typmod, false)
            }
        };
        let generated = serial || def.identity;
        if def.identity && !matches!(ty, SqlType::Int4 | SqlType::Int8) {
            return Err(EngineError::new(
                "22023",
                format!("identity column type must be smallint, integer, or bigint"),
            ));
        }
        if def.primary_key {
            if !primary_key.is_empty() {
                return Err(EngineError::new(
                    "42P16",
                    format!(
                        "multiple primary keys for table \"{}\" are not allowed",
                        create.name
                    ),
                ));
            }
            primary_key.push(columns.len());
        }
        columns.push(Column {
            name: def.name.clone(),
            ty,
            typmod,
            not_null: def.not_null || def.primary_key || generated,
            sequence: generated.then(|| Sequence::new(1)),
            identity_always: def.identity_always,
            storage: None,
            statistics_target: None,
            // A serial column's default is its sequence, shown as PostgreSQL shows it;
            // inserts draw from `sequence` rather than evaluate this text.
            default: if serial {
                Some(format!(
                    "nextval('{}{}_{}_seq'::regclass)",
                    if schema == namespace::PUBLIC {
                        String::new()
                    } else {
                        format!("{schema}.")
                    },
                    create.name,
                    def.name
                ))
            } else {
                def.default.as_ref().map(ToString::to_string)
            },
            generated: def
                .generated
                .as_ref()
                .map(|e| with_regconfig(e).to_string()),
        });
    }
    if !create.primary_key.is_empty() {
        if !primary_key.is_empty() {
            return Err(EngineError::new(
                "42P16",
                format!(
                    "multiple primary keys for table \"{}\" are not allowed",
                    create.name
                ),
            ));
        }
        for name in &create.primary_key {
            let index = columns
                .iter()
                .position(|c| &c.name == name)
                .ok_or_else(|| {
                    EngineError::new(
                        "42703",
                        format!("column \"{name}\" named in key does not exist"),
                    )
                })?;
            columns[index].not_null = true;
            primary_key.push(index);
        }
    }
    let mut table = Table::new(create.name.clone(), columns, primary_key);
    table.schema = schema;
    check_column_expressions(catalog, &table, &create.columns)?;
    if !table.primary_key.is_empty() {
        let key = table.primary_key.clone();
        table
            .indexes
            .push(Index::btree(format!("{}_pkey", create.name), key));
    }
    constraint::add_to_new_table(catalog, &mut table, create)?;
    table.row_indexes = RowIndexes::empty(&table.row_index_shape());
    let heap = writes.next_heap();
    table.heap = heap;
    let ids = writes.commit(vec![
        StoreOp::CreateHeap(heap),
        StoreOp::Insert(CATALOG_HEAP.0, encode_table(&table)),
    ])?;
    table.catalog_row = ids.first().copied();
    let (name, indexes) = (table.key(), table.indexes.len());
    catalog.add_table(table);
    // PostgreSQL builds each index of a new table (its primary key's, its unique
    // constraints') by scanning the empty table, and counts those scans.
    for _ in 0..indexes {
        catalog.table_stats.seq_scan(&name, 0);
    }
    Ok(StatementResult::tag("CREATE TABLE"))
}

/// PostgreSQL's errors for column clauses that cannot go together.
pub(crate) fn check_column_clauses(def: &crate::sql::ast::ColumnDef, table: &str) -> Result<()> {
    let serial = matches!(
        def.type_name.name.as_str(),
        "serial" | "serial4" | "bigserial" | "serial8"
    );
    let column = &def.name;
    let clash = match (&def.default, &def.generated) {
        (Some(_), Some(_)) => Some("both default and generation expression"),
        (_, Some(_)) if def.identity => Some("both identity and generation expression"),
        (Some(_), None) if def.identity => Some("both default and identity"),
        (Some(_), None) | (None, Some(_)) if serial => {
            return Err(EngineError::new(
                "42601",
                format!("multiple default values specified for column \"{column}\" of table \"{table}\""),
            )
            .at(def.clause_pos.0));
        }
        _ => None,
    };
    match clash {
        Some(what) => Err(EngineError::new(
            "42601",
            format!("{what} specified for column \"{column}\" of table \"{table}\""),
        )
        .at(def.clause_pos.0)),
        None => Ok(()),
    }
}

/// Binds every column's default and generation expression once, so that a bad one
/// fails `CREATE TABLE` rather than the first `INSERT`.
pub(crate) fn check_column_expressions(
    catalog: &Catalog,
    table: &Table,
    defs: &[crate::sql::ast::ColumnDef],
) -> Result<()> {
    use crate::analyze::defaults::{bind_default, bind_generated};
    for def in defs {
        let Some(column) = table.columns.iter().find(|c| c.name == def.name) else {
            continue;
        };
        if let Some(expr) = &def.default {
            bind_default(catalog, column, expr)?;
        }
        if let Some(expr) = &def.generated {
            bind_generated(catalog, table, column, expr)?;
        }
    }
    Ok(())
}

/// An index key or generated column's expression as PostgreSQL stores it: a
/// text-search function's configuration literal is a `regconfig`
/// (`to_tsvector('english'::regconfig, content)`).
pub(crate) fn with_regconfig(key: &crate::sql::ast::Expr) -> crate::sql::ast::Expr {
    use crate::sql::ast::{Expr, TypeName};
    let mut key = key.clone();
    if let ExprKind::Function { name, args, .. } = &mut key.kind {
        let takes_config =
            crate::expr::text_search::DEFAULT_CONFIG_FUNCTIONS.contains(&name.as_str());
        if let (true, [first, _]) = (takes_config, args.as_mut_slice()) {
            if matches!(first.kind, ExprKind::String(_)) {
                let pos = first.pos;
                *first = Expr {
                    kind: ExprKind::Cast {
                        operand: Box::new(first.clone()),
                        type_name: TypeName {
                            name: "regconfig".to_string(),
                            modifiers: Vec::new(),
                            array_dims: 0,
                            pos,
                        },
                    },
                    pos,
                };
            }
        }
    }
    key
}
