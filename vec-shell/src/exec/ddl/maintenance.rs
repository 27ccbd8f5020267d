//! The maintenance commands: `REINDEX INDEX|TABLE` rebuilds vector indexes from the
//! table's rows; `VACUUM` makes the vector indexes reclaim the entries of deleted rows;
//! `ANALYZE` (and `VACUUM ANALYZE`) calibrates the vector indexes again for
//! `vecsh.target_recall` (the recall each `ef_search` / `probes` reaches now) and marks
//! their snapshots out of date; it gathers no other statistics. Unknown names get
//! PostgreSQL's errors; an index given to `VACUUM` or `ANALYZE` is skipped with
//! PostgreSQL's warning.

use crate::catalog::{Catalog, Table};
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::sql::ast::{Maintenance, Pos};
use crate::txn::StoreWrites;

/// PostgreSQL reports an unknown relation here without a position.
fn missing(name: &str, _pos: Pos) -> EngineError {
    EngineError::new("42P01", format!("relation \"{name}\" does not exist"))
}

/// `REINDEX INDEX name` or `REINDEX TABLE name`.
pub fn reindex(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table: bool,
    name: &str,
    pos: Pos,
    monitor: crate::progress::Monitor<'_>,
) -> Result<StatementResult> {
    let owner = catalog.find_index(name).map(|(t, _)| t.key());
    let mut result = StatementResult::tag("REINDEX");
    let (table_name, only) = match (table, owner) {
        (true, _) if catalog.table(name).is_some() => (name.to_string(), None),
        (true, Some(_)) => {
            return Err(EngineError::new(
                "42809",
                format!("\"{name}\" is not a table or materialized view"),
            ));
        }
        (false, Some(owner)) => (owner, Some(crate::catalog::namespace::split(name).1)),
        (false, None) if catalog.table(name).is_some() => {
            return Err(EngineError::new(
                "42809",
                format!("\"{name}\" is not an index"),
            ));
        }
        _ => return Err(missing(name, pos)),
    };
    let Some(table) = catalog.table_mut(&table_name) else {
        return Err(missing(name, pos));
    };
    if table.indexes.is_empty() {
        result.notices.push(EngineError::notice(
            "00000",
            format!("table \"{table_name}\" has no indexes to reindex"),
        ));
        return Ok(result);
    }
    let mut rebuilt = Vec::new();
    for index in &table.indexes {
        if !index.method.is_vector() || only.is_some_and(|only| only != index.name) {
            continue;
        }
        let (entry, notices) = writes.with_versions(|versions| {
            super::vector_index::build_entry(table, index, versions, monitor)
        })?;
        rebuilt.push(entry);
        result.notices.extend(notices);
    }
    for entry in rebuilt {
        match table
            .vector_indexes
            .iter_mut()
            .find(|e| e.name == entry.name)
        {
            Some(slot) => *slot = entry,
            None => table.vector_indexes.push(entry),
        }
    }
    Ok(result)
}

/// `VACUUM [ANALYZE] [table, …]` or `ANALYZE [table, …]`. `VACUUM` removes the row
/// versions no snapshot can see any more from each table's heap, then their entries from
/// its indexes (it runs outside a block, holding the write lock). `ANALYZE` calibrates
/// each vector index again for `vecsh.target_recall` and gathers the columns' statistics
/// (`pg_stats`).
pub fn maintain(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    command: &Maintenance,
    monitor: crate::progress::Monitor<'_>,
) -> Result<StatementResult> {
    let mut result = StatementResult::tag(if command.vacuum { "VACUUM" } else { "ANALYZE" });
    let mut tables = Vec::new();
    for (i, (name, pos)) in command.tables.iter().enumerate() {
        if let Some(table) = catalog.table(name) {
            let listed = command
                .columns
                .get(i)
                .map(Vec::as_slice)
                .unwrap_or_default();
            tables.push((table.key(), listed_columns(table, listed)?));
        } else if catalog.index_exists(name) {
            let verb = if command.vacuum { "vacuum" } else { "analyze" };
            result.notices.push(EngineError::warning(
                "01000",
                format!(
                    "skipping \"{name}\" --- cannot {verb} non-tables or special system tables"
                ),
            ));
        } else {
            return Err(missing(name, *pos));
        }
    }
    if command.tables.is_empty() {
        tables = catalog.tables().map(|t| (t.key(), None)).collect();
    }
    for (name, columns) in tables {
        let Some(table) = catalog.table(&name) else {
            continue;
        };
        if command.vacuum {
            vacuum_table(table, writes)?;
            let live = live_rows(table, writes)?;
            catalog.table_stats.vacuumed(&table.key(), live);
        }
        if command.analyze {
            let live = live_rows(table, writes)?;
            catalog.table_stats.analyzed(&table.key(), live);
            if columns.is_none() {
                for entry in &table.vector_indexes {
                    entry.index.write().calibrate(monitor)?;
                }
                // The snapshots hold the old calibrations: write them again at the next
                // checkpoint.
                writes.note_index_changed(table.heap);
            }
            super::analyze::analyze_table(catalog, writes, &name, columns.as_deref())?;
        }
    }
    Ok(result)
}

/// Automatic `ANALYZE` of table `key` (a catalog key): its columns' statistics, counted
/// as an automatic analyze.
pub fn auto_analyze(catalog: &mut Catalog, writes: &StoreWrites<'_>, key: &str) -> Result<()> {
    let Some(table) = catalog.table(key) else {
        return Ok(());
    };
    let live = live_rows(table, writes)?;
    super::analyze::analyze_table(catalog, writes, key, None)?;
    catalog.table_stats.autoanalyzed(key, live);
    Ok(())
}

/// The positions of the columns an `ANALYZE t (a, b)` names (`None` when it names
/// none: every column), with PostgreSQL's errors for an unknown or repeated one.
fn listed_columns(table: &Table, listed: &[String]) -> Result<Option<Vec<usize>>> {
    if listed.is_empty() {
        return Ok(None);
    }
    let mut positions = Vec::new();
    for name in listed {
        let position = table.column_position(name)?;
        if positions.contains(&position) {
            return Err(EngineError::new(
                "42701",
                format!(
                    "column \"{name}\" of relation \"{}\" appears more than once",
                    table.name
                ),
            ));
        }
        positions.push(position);
    }
    Ok(Some(positions))
}

/// Vacuums one table: dead versions leave the heap, then the vector indexes (whose
/// entries must go before a later insert reuses the slots) and the row indexes (rebuilt
/// on next use).
pub fn vacuum_table(table: &Table, writes: &StoreWrites<'_>) -> Result<usize> {
    let removed = writes.vacuum(table.heap)?;
    if removed.is_empty() {
        return Ok(0);
    }
    for entry in &table.vector_indexes {
        let mut index = entry.index.write();
        for id in &removed {
            index.delete(*id);
        }
        index.vacuum();
    }
    table.row_indexes.invalidate();
    Ok(removed.len())
}

/// The rows of a table the writer's view sees, as `VACUUM` and `ANALYZE` count them.
pub(super) fn live_rows(table: &Table, writes: &StoreWrites<'_>) -> Result<i64> {
    let source = writes.read_source();
    let mut live = 0;
    for row in source.view().scan(table.heap)? {
        row?;
        live += 1;
    }
    Ok(live)
}
