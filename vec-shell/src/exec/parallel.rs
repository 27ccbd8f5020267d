//! The exact scan on several threads: for a query over one table without aggregation,
//! the rows are split into contiguous chunks in storage order; each thread filters and
//! projects its chunk (keeping a bounded top-k heap when there is `ORDER BY … LIMIT`),
//! and the chunks' results are merged in chunk order, so that rows with equal sort
//! keys keep storage order and the result is exactly the sequential one.
//!
//! Small tables (under [`MIN_ROWS`] rows), queries whose expressions are not safe to run
//! on several threads (`random()`, subqueries, set-returning functions) and queries
//! whose `LIMIT` would stop a sequential scan early (no `ORDER BY`) stay sequential.
//! The vector search shape (`ORDER BY column <op> constant LIMIT k`) takes the
//! distance-key loop (`distance_key`) in each chunk, also on one thread (one chunk) and
//! on small tables.

use std::num::NonZeroUsize;

use super::sort::{sort_rows, top_k};
use super::ExecContext;
use crate::error::Result;
use crate::expr::BoundExpr;
use crate::expr::{eval, passes};
use crate::plan::{QueryPlan, Source};
use crate::storage::Row;

/// Tables with fewer rows are scanned on one thread.
pub const MIN_ROWS: usize = 10_000;

/// Each thread gets at least this many rows.
const MIN_CHUNK_ROWS: usize = 5_000;

/// The most threads one scan uses.
const MAX_THREADS: usize = 8;

/// Runs `plan` on several threads when it qualifies; `None` when it does not (the
/// caller then runs it sequentially). `limit` and `offset` are the evaluated counts.
pub fn run(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    limit: Option<usize>,
    offset: usize,
) -> Result<Option<Vec<Row>>> {
    let Source::Table(name) = &plan.source else {
        return Ok(None);
    };
    if plan.aggregate.is_some() || (plan.order.is_empty() && limit.is_some()) {
        return Ok(None);
    }
    let safe = plan
        .filter
        .iter()
        .chain(&plan.projection)
        .all(parallel_safe);
    let Some(table) = context.catalog.table(name).filter(|_| safe) else {
        return Ok(None);
    };
    let total = table.store.len();
    let keep = limit.map(|limit| offset.saturating_add(limit));
    let by_distance = keep.is_some() && super::distance_key::distance_key(plan).is_some();
    let threads = thread_count(total);
    if threads < 2 && !by_distance {
        return Ok(None);
    }
    let results: Vec<Result<Vec<Row>>> = if threads < 2 {
        // One thread: stream the rows, without a list of them.
        let key = super::distance_key::distance_key(plan);
        match (key, keep) {
            (Some(key), Some(keep)) => {
                let rows = table.store.scan().map(|(_, row)| row);
                vec![super::distance_key::top_k_by_distance(
                    plan, context, rows, keep, &key,
                )]
            }
            _ => return Ok(None),
        }
    } else {
        let rows: Vec<&Row> = table.store.scan().map(|(_, row)| row).collect();
        let chunk = rows.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = rows
                .chunks(chunk)
                .map(|part| scope.spawn(move || run_chunk(plan, context, part, keep)))
                .collect();
            workers
                .into_iter()
                .map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    let mut merged = Vec::new();
    for result in results {
        merged.extend(result?);
    }
    let mut out: Vec<Row> = match (plan.order.is_empty(), keep) {
        (true, _) => merged.into_iter().skip(offset).collect(),
        (false, Some(keep)) => top_k(merged.into_iter().map(Ok), &plan.order, keep)?
            .into_iter()
            .skip(offset)
            .collect(),
        (false, None) => sort_rows(merged, &plan.order)
            .into_iter()
            .skip(offset)
            .collect(),
    };
    let visible = plan.columns.len();
    for row in &mut out {
        row.truncate(visible);
    }
    Ok(Some(out))
}

/// How many threads to scan `rows` rows with.
fn thread_count(rows: usize) -> usize {
    if rows < MIN_ROWS {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    cores.min(MAX_THREADS).min(rows / MIN_CHUNK_ROWS).max(1)
}

/// Filters and projects one chunk; with `keep`, only its best `keep` rows in sort
/// order (ties in storage order).
fn run_chunk(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    rows: &[&Row],
    keep: Option<usize>,
) -> Result<Vec<Row>> {
    let projected = rows.iter().filter_map(|row| {
        if let Some(filter) = &plan.filter {
            match passes(filter, row, context) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => return Some(Err(error)),
            }
        }
        Some(
            plan.projection
                .iter()
                .map(|expr| eval(expr, row, context))
                .collect::<Result<Row>>(),
        )
    });
    match (plan.order.is_empty(), keep) {
        (false, Some(keep)) => {
            if let Some(key) = super::distance_key::distance_key(plan) {
                let rows = rows.iter().copied();
                return super::distance_key::top_k_by_distance(plan, context, rows, keep, &key);
            }
            if deferrable(plan) {
                return top_k_deferred(plan, context, rows, keep);
            }
            top_k(projected, &plan.order, keep)
        }
        _ => projected.collect(),
    }
}

/// Whether the columns outside the sort keys are plain columns or constants, which
/// cannot fail, so that only the top-k rows need them (`SELECT *` then copies only the
/// winners, not every row).
fn deferrable(plan: &QueryPlan) -> bool {
    plan.projection.iter().enumerate().all(|(position, expr)| {
        plan.order.iter().any(|key| key.column == position)
            || matches!(expr, BoundExpr::Column(_) | BoundExpr::Const(_))
    })
}

/// The top `keep` rows of a chunk, computing only the sort keys for every row and the
/// rest of the projection for the winners.
fn top_k_deferred(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    rows: &[&Row],
    keep: usize,
) -> Result<Vec<Row>> {
    let width = plan.projection.len();
    let mut compiled: Vec<(usize, KeyExpr<'_>)> = plan
        .order
        .iter()
        .map(|key| (key.column, KeyExpr::new(&plan.projection[key.column])))
        .collect();
    let keys = rows.iter().enumerate().filter_map(|(position, row)| {
        if let Some(filter) = &plan.filter {
            match passes(filter, row, context) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => return Some(Err(error)),
            }
        }
        let mut values = vec![crate::value::Datum::Null; width + 1];
        for (column, key) in &mut compiled {
            match key.eval(row, context) {
                Ok(value) => values[*column] = value,
                Err(error) => return Some(Err(error)),
            }
        }
        values[width] = crate::value::Datum::Int8(position as i64);
        Some(Ok(values))
    });
    let best = top_k(keys, &plan.order, keep)?;
    best.into_iter()
        .map(|mut values| {
            let position = match values.pop() {
                Some(crate::value::Datum::Int8(position)) => position as usize,
                _ => return Err(crate::error::EngineError::internal("lost a row position")),
            };
            for (column, expr) in plan.projection.iter().enumerate() {
                if !plan.order.iter().any(|key| key.column == column) {
                    values[column] = eval(expr, rows[position], context)?;
                }
            }
            Ok(values)
        })
        .collect()
}

/// Whether an expression may be evaluated on several threads at once, in any order,
/// with the same result.
fn parallel_safe(expr: &BoundExpr) -> bool {
    match expr {
        BoundExpr::Const(_) | BoundExpr::Column(_) | BoundExpr::OuterColumn(_) => true,
        BoundExpr::Call { args, .. } | BoundExpr::Array(args) => args.iter().all(parallel_safe),
        BoundExpr::Cast { operand, .. }
        | BoundExpr::Not(operand)
        | BoundExpr::IsNull { operand, .. } => parallel_safe(operand),
        BoundExpr::And(a, b) | BoundExpr::Or(a, b) => parallel_safe(a) && parallel_safe(b),
        BoundExpr::Case { arms, otherwise } => {
            arms.iter()
                .all(|(c, v)| parallel_safe(c) && parallel_safe(v))
                && parallel_safe(otherwise)
        }
        BoundExpr::Coalesce(args) | BoundExpr::Extreme { args, .. } => {
            args.iter().all(parallel_safe)
        }
        BoundExpr::Subquery(_) | BoundExpr::Random | BoundExpr::SetReturning(_) => false,
    }
}

/// A sort key prepared for evaluation on many rows: a function of columns and
/// constants keeps its argument list between rows, so that the constants (a query
/// vector) are not copied for every row.
enum KeyExpr<'p> {
    /// `imp(args)`, with the columns' values put into `args` for each row.
    Call {
        /// The function.
        imp: crate::expr::Imp,
        /// The arguments; the constants stay, the columns' slots are refilled.
        args: Vec<crate::value::Datum>,
        /// For each column argument, its position among the arguments and in the row.
        columns: Vec<(usize, usize)>,
        /// A constant argument is NULL, so the call is NULL on every row.
        null: bool,
    },
    /// Any other expression, evaluated as usual.
    General(&'p BoundExpr),
}

impl<'p> KeyExpr<'p> {
    fn new(expr: &'p BoundExpr) -> KeyExpr<'p> {
        let BoundExpr::Call { imp, args, .. } = expr else {
            return KeyExpr::General(expr);
        };
        let mut values = Vec::with_capacity(args.len());
        let mut columns = Vec::new();
        for (position, arg) in args.iter().enumerate() {
            match arg {
                BoundExpr::Const(value) => values.push(value.clone()),
                BoundExpr::Column(column) => {
                    columns.push((position, *column));
                    values.push(crate::value::Datum::Null);
                }
                _ => return KeyExpr::General(expr),
            }
        }
        let null = values
            .iter()
            .enumerate()
            .any(|(position, v)| v.is_null() && !columns.iter().any(|(p, _)| *p == position));
        KeyExpr::Call {
            imp: *imp,
            args: values,
            columns,
            null,
        }
    }

    /// The value on a row, as [`eval`] computes it (NULL when an argument is NULL).
    fn eval(
        &mut self,
        row: &[crate::value::Datum],
        context: &ExecContext<'_>,
    ) -> Result<crate::value::Datum> {
        match self {
            KeyExpr::General(expr) => eval(expr, row, context),
            KeyExpr::Call {
                imp,
                args,
                columns,
                null,
            } => {
                for (position, column) in columns.iter() {
                    let value = row.get(*column).ok_or_else(|| {
                        crate::error::EngineError::internal("column index out of range")
                    })?;
                    if value.is_null() {
                        return Ok(crate::value::Datum::Null);
                    }
                    args[*position].clone_from(value);
                }
                if *null {
                    return Ok(crate::value::Datum::Null);
                }
                imp(args)
            }
        }
    }
}
