//! `ANALYZE`'s column statistics: a sample of a table's visible rows (the whole table up
//! to 300 × the largest statistics target, 30,000 rows by default), each column's
//! statistics computed from it at its own target (`SET STATISTICS`)
//! ([`crate::catalog::column_stats`]), kept on the table and in its durable catalog entry.

use crate::catalog::column_stats::{compute_with_target, Sampler, TableStats, STATISTICS_TARGET};
use crate::catalog::schema::encode_table;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::txn::StoreWrites;
use crate::value::SqlType;

/// Gathers the statistics of table `key` (a catalog key), of the columns at `only`
/// (every column when `None`; the others keep what they had), and stores them.
pub fn analyze_table(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    key: &str,
    only: Option<&[usize]>,
) -> Result<()> {
    let Some(table) = catalog.table(key) else {
        return Ok(());
    };
    // Each column's statistics target (`SET STATISTICS`; 0: not analyzed); the
    // sample holds 300 rows per unit of the largest.
    let targets: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .map(|(position, column)| {
            if only.is_some_and(|only| !only.contains(&position)) {
                return 0;
            }
            column
                .statistics_target
                .map_or(STATISTICS_TARGET, |target| target.max(0) as usize)
        })
        .collect();
    let largest = targets.iter().copied().max().unwrap_or(0);
    let mut sampler = Sampler::with_capacity(300 * largest.max(1));
    {
        let source = writes.read_source();
        let view = source.view();
        for row in view.scan(table.heap)? {
            let (_, row) = row?;
            sampler.offer(&row);
        }
    }
    let total = sampler.total_rows();
    if total == 0 {
        // As in PostgreSQL, an empty table keeps whatever statistics it had.
        return Ok(());
    }
    let rows = sampler.into_rows();
    let previous = table.stats.as_ref();
    let stats = TableStats {
        rows: total,
        columns: (0..table.columns.len())
            .map(|column| {
                if targets[column] == 0 {
                    return previous.and_then(|p| p.columns.get(column).cloned().flatten());
                }
                let mut stats = compute_with_target(&rows, column, total, targets[column]);
                if stats.null_frac == 1.0 {
                    // A column of NULLs only: PostgreSQL gives a fixed-size type's size.
                    stats.avg_width = fixed_width(&table.columns[column].ty);
                }
                Some(stats)
            })
            .collect(),
    };
    let Some(table) = catalog.table_mut(key) else {
        return Ok(());
    };
    let before = table.stats.replace(stats);
    if let Some(row) = table.catalog_row {
        let bytes = encode_table(table);
        if let Err(error) = writes.commit(vec![StoreOp::Overwrite(CATALOG_HEAP.0, row, bytes)]) {
            table.stats = before;
            return Err(error);
        }
    }
    Ok(())
}

/// The size of a fixed-size type's values (0 for variable-size types).
fn fixed_width(ty: &SqlType) -> i32 {
    match ty {
        SqlType::Bool => 1,
        SqlType::Int4 | SqlType::Float4 => 4,
        SqlType::Int8 | SqlType::Float8 => 8,
        _ => 0,
    }
}
