//! The exact scan on several threads: for a query over one table without aggregation,
//! the heap's pages are split into contiguous ranges in storage order; each thread reads
//! its pages through the statement's view (the buffer pool), filters and
//! projects its chunk (keeping a bounded top-k heap when there is `ORDER BY … LIMIT`),
//! and the chunks' results are merged in chunk order, so that rows with equal sort
//! keys keep storage order and the result is exactly the sequential one.
//!
//! Small tables (under [`MIN_PAGES`] pages), queries whose expressions are not safe to run
//! on several threads (`random()`, subqueries, set-returning functions) and queries
//! whose `LIMIT` would stop a sequential scan early (no `ORDER BY`) stay sequential.
//! The vector search shape (`ORDER BY column <op> constant LIMIT k`) takes the
//! distance-key loop (`distance_key`) in each chunk, also on one thread (one chunk) and
//! on small tables.

use std::num::NonZeroUsize;

use super::sort::{sort_rows, top_k};
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::expr::{eval, passes};
use crate::plan::{QueryPlan, Source};
use crate::storage::{Row, RowId};
use crate::value::Datum;

/// Tables with fewer heap pages are scanned on one thread.
pub const MIN_PAGES: u32 = 256;

/// Each thread gets at least this many pages.
const MIN_CHUNK_PAGES: u32 = 128;

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
    if plan.aggregate.is_some()
        || plan.windows.is_some()
        || plan.distinct.is_some()
        || (plan.order.is_empty() && limit.is_some())
    {
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
    let heap = table.heap;
    let started = context
        .instruments
        .map(super::instrument::Instruments::start);
    let pages = context.rows.pages(heap)?;
    let keep = limit.map(|limit| offset.saturating_add(limit));
    let by_distance =
        keep.is_some() && super::distance_key::distance_key(plan, context.params).is_some();
    let threads = thread_count(pages);
    if threads < 2 && !by_distance {
        return Ok(None);
    }
    // One thread (a small table, the vector search shape): one chunk of every page, read
    // page by page on this thread.
    let chunk = pages.div_ceil(threads as u32).max(1);
    let results: Vec<(Result<Vec<Row>>, u64)> = if threads < 2 {
        vec![run_chunk(
            plan,
            context,
            Pages {
                heap,
                start: 0,
                end: pages,
            },
            keep,
        )]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..pages)
                .step_by(chunk as usize)
                .map(|start| {
                    let part = Pages {
                        heap,
                        start,
                        end: (start + chunk).min(pages),
                    };
                    scope.spawn(move || run_chunk(plan, context, part, keep))
                })
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
    let read: u64 = results.iter().map(|(_, read)| *read).sum();
    let scanned = read;
    let key = context.catalog.stats_key(name);
    context.catalog.table_stats.seq_scan(&key, read);
    let mut merged = Vec::new();
    for (result, _) in results {
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
    if let (Some(instruments), Some(started)) = (context.instruments, started) {
        instruments.record_parallel(plan, started, scanned, keep, out.len());
    }
    Ok(Some(out))
}

/// A range of a heap's pages: one thread's share of the scan.
#[derive(Clone, Copy)]
struct Pages {
    heap: u32,
    start: u32,
    end: u32,
}

/// How many threads to scan `pages` pages with.
fn thread_count(pages: u32) -> usize {
    if pages < MIN_PAGES {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    cores
        .min(MAX_THREADS)
        .min((pages / MIN_CHUNK_PAGES) as usize)
        .max(1)
}

/// Filters and projects one range of pages; with `keep`, only its best `keep` rows in
/// sort order (ties in storage order); also returns how many rows it read.
fn run_chunk(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    pages: Pages,
    keep: Option<usize>,
) -> (Result<Vec<Row>>, u64) {
    let read = std::cell::Cell::new(0u64);
    let start = context
        .instruments
        .map(super::instrument::Instruments::start);
    let result = run_counted_chunk(plan, context, pages, keep, &read);
    if let (Some(instruments), Some(start)) = (context.instruments, start) {
        instruments.add_parallel_pages(start.spent());
    }
    (result, read.get())
}

fn run_counted_chunk(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    pages: Pages,
    keep: Option<usize>,
    read: &std::cell::Cell<u64>,
) -> Result<Vec<Row>> {
    if let (false, Some(keep)) = (plan.order.is_empty(), keep) {
        if let Some(key) = super::distance_key::distance_key(plan, context.params) {
            let range = (pages.heap, pages.start, pages.end);
            let (result, rows) =
                super::distance_key::top_k_from_pages(plan, context, range, keep, &key);
            read.set(rows);
            return result;
        }
    }
    let rows = context
        .rows
        .scan_pages(pages.heap, pages.start, pages.end)
        .inspect(|row| {
            if row.is_ok() {
                read.set(read.get() + 1);
            }
        });
    if let (false, Some(keep)) = (plan.order.is_empty(), keep) {
        if deferrable(plan) {
            return top_k_deferred(plan, context, pages.heap, rows, keep);
        }
    }
    let projected = rows.filter_map(|found| {
        let row = match found {
            Ok((_, row)) => row,
            Err(error) => return Some(Err(error)),
        };
        if let Some(filter) = &plan.filter {
            match passes(filter, &row, context) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => return Some(Err(error)),
            }
        }
        super::instrument::count_parallel_pass(context);
        Some(
            plan.projection
                .iter()
                .map(|expr| eval(expr, &row, context))
                .collect::<Result<Row>>(),
        )
    });
    match (plan.order.is_empty(), keep) {
        (false, Some(keep)) => top_k(projected, &plan.order, keep),
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

/// The top `keep` rows of a range of pages, computing only the sort keys for every row
/// and the rest of the projection for the winners (fetched again by row id).
fn top_k_deferred(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    heap: u32,
    rows: impl Iterator<Item = Result<(RowId, Row)>>,
    keep: usize,
) -> Result<Vec<Row>> {
    let width = plan.projection.len();
    let mut compiled: Vec<(usize, KeyExpr<'_>)> = plan
        .order
        .iter()
        .map(|key| {
            (
                key.column,
                KeyExpr::new(&plan.projection[key.column], context),
            )
        })
        .collect();
    let keys = rows.filter_map(|found| {
        let (id, row) = match found {
            Ok(found) => found,
            Err(error) => return Some(Err(error)),
        };
        if let Some(filter) = &plan.filter {
            match passes(filter, &row, context) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => return Some(Err(error)),
            }
        }
        super::instrument::count_parallel_pass(context);
        let mut values = vec![Datum::Null; width + 1];
        for (column, key) in &mut compiled {
            match key.eval(&row, context) {
                Ok(value) => values[*column] = value,
                Err(error) => return Some(Err(error)),
            }
        }
        values[width] = Datum::Int8(id as i64);
        Some(Ok(values))
    });
    let best = top_k(keys, &plan.order, keep)?;
    best.into_iter()
        .map(|mut values| {
            let id = match values.pop() {
                Some(Datum::Int8(id)) => id as RowId,
                _ => return Err(EngineError::internal("lost a row id")),
            };
            let row = context
                .rows
                .fetch(heap, id)?
                .ok_or_else(|| EngineError::internal("a scanned row went away"))?;
            for (column, expr) in plan.projection.iter().enumerate() {
                if !plan.order.iter().any(|key| key.column == column) {
                    values[column] = eval(expr, &row, context)?;
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
        BoundExpr::And(operands) | BoundExpr::Or(operands) => operands.iter().all(parallel_safe),
        BoundExpr::Fold { first, steps } => parallel_safe(first) && steps.iter().all(parallel_safe),
        BoundExpr::Accumulator => true,
        BoundExpr::Case { arms, otherwise } => {
            arms.iter()
                .all(|(c, v)| parallel_safe(c) && parallel_safe(v))
                && parallel_safe(otherwise)
        }
        BoundExpr::Coalesce(args) | BoundExpr::Extreme { args, .. } => {
            args.iter().all(parallel_safe)
        }
        BoundExpr::Param(_) => true,
        BoundExpr::ArrayCompare(test) => {
            parallel_safe(&test.left) && parallel_safe(&test.array) && parallel_safe(&test.compare)
        }
        BoundExpr::Subquery(_)
        | BoundExpr::SubLink(_)
        | BoundExpr::Random
        | BoundExpr::RelationSize { .. }
        | BoundExpr::StatementsReset
        | BoundExpr::SetConfig(_)
        | BoundExpr::CurrentSetting(_)
        | BoundExpr::SetReturning(_) => false,
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
    fn new(expr: &'p BoundExpr, context: &ExecContext<'_>) -> KeyExpr<'p> {
        let BoundExpr::Call { imp, args, .. } = expr else {
            return KeyExpr::General(expr);
        };
        let mut values = Vec::with_capacity(args.len());
        let mut columns = Vec::new();
        for (position, arg) in args.iter().enumerate() {
            match arg {
                BoundExpr::Const(value) => values.push(value.clone()),
                // A parameter is the same on every row: its value is taken once.
                BoundExpr::Param(_) => match eval(arg, &[], context) {
                    Ok(value) => values.push(value),
                    Err(_) => return KeyExpr::General(expr),
                },
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
