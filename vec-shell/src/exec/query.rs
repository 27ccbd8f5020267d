//! Running a query plan as a chain of pull-based operators: the source yields rows,
//! the filter, aggregation and projection transform them, `DISTINCT` (`setop.rs`) and
//! sort (or a bounded top-k heap when there is a `LIMIT`), offset and limit shape the
//! result.

use super::aggregate::aggregate;
use super::instrument::{Instruments, Start};
use super::sort::{sort_stream, top_k};
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::expr::SetFunction;
use crate::expr::{children, columns_read, eval, passes};
use crate::plan::explain::{Probe, Step};
use crate::plan::{QueryPlan, Source};
use crate::storage::Row;
use crate::value::Datum;

/// A stream of rows.
pub type RowStream<'a> = Box<dyn Iterator<Item = Result<Row>> + 'a>;

/// Runs a query to completion, holding its result (a result too large for memory
/// fails with `out of memory`).
pub fn run_query(plan: &QueryPlan, context: &ExecContext<'_>) -> Result<Vec<Row>> {
    super::spill::collect_result(stream_query(plan, context)?)
}

/// A query's rows as they are computed: scans, filters, joins and projections pass one
/// row at a time, `LIMIT` stops the pipeline once it has its rows, a sort holds
/// `work_mem` of rows and spills the rest, a top-k holds its `k` rows.
pub fn stream_query<'a>(
    plan: &'a QueryPlan,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let limit = count(plan.limit.as_ref(), context, "LIMIT")?;
    let offset = count(plan.offset.as_ref(), context, "OFFSET")?.unwrap_or(0);
    if let Some(rows) = super::parallel::run(plan, context, limit, offset)? {
        return Ok(Box::new(rows.into_iter().map(Ok)));
    }

    let begun = begin(context);
    let input = match (&plan.source, &plan.filter) {
        (
            Source::IndexScan {
                table,
                index,
                query,
                options,
                filtered: Some(filtered),
                ..
            },
            Some(filter),
        ) => super::filtered::scan(
            super::filtered::FilteredScan {
                table,
                index,
                query,
                options,
                filter,
                wanted: limit.map(|limit| limit.saturating_add(offset)),
                prefilter: filtered.prefilter.as_ref(),
                patience: filtered.patience,
            },
            context,
        )?,
        (
            Source::IndexScan {
                table,
                index,
                query,
                options,
                ..
            },
            _,
        ) => index_scan(
            (table, index),
            query,
            options,
            columns_read_from_source(plan),
            limit.map(|limit| limit.saturating_add(offset)),
            context,
        )?,
        _ => source_rows(&plan.source, context)?,
    };
    let input = match &plan.source {
        Source::IndexScan { table, index, .. } => counted(input, context, table, Some(index)),
        _ => input,
    };
    let mut rows: RowStream<'_> = crate::cancel::checked(input, context.cancel);
    if let Some(filter) = &plan.filter {
        rows = probe(context, &plan.source, Step::Raw, rows, begun);
        rows = Box::new(rows.filter_map(move |row| match row {
            Ok(row) => match passes(filter, &row, context) {
                Ok(true) => Some(Ok(row)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            },
            Err(e) => Some(Err(e)),
        }));
    }
    rows = probe(context, &plan.source, Step::Scan, rows, begun);
    if let Some(aggregation) = &plan.aggregate {
        let begun = begin(context);
        rows = aggregate(aggregation, rows, context)?;
        if let Some(having) = &aggregation.having {
            rows = probe(context, plan, Step::Grouped, rows, None);
            rows = Box::new(rows.filter_map(move |row| match row {
                Ok(row) => match passes(having, &row, context) {
                    Ok(true) => Some(Ok(row)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                },
                Err(e) => Some(Err(e)),
            }));
        }
        rows = probe(context, plan, Step::Aggregate, rows, begun);
    }
    if let Some(windowing) = &plan.windows {
        let begun = begin(context);
        // Rows an index scan yields in the query's order can be ranked as they come: the
        // `LIMIT` then stops the scan, as PostgreSQL's window step streams.
        let ordered_scan = matches!(
            plan.source,
            Source::IndexScan { .. } | Source::BtreeScan { order: Some(_), .. }
        );
        if let (true, Some(limit)) = (ordered_scan, limit) {
            rows = Box::new(rows.take(limit.saturating_add(offset)));
        }
        let computed = super::window::compute(windowing, rows, context)?;
        rows = Box::new(computed.into_iter().map(Ok));
        rows = probe(context, plan, Step::Window, rows, begun);
    }
    let projected: RowStream<'a> =
        Box::new(rows.flat_map(
            move |row| match row.and_then(|row| project(plan, row, context)) {
                Ok(rows) => rows,
                Err(error) => Box::new(std::iter::once(Err(error))),
            },
        ));

    let visible = plan.columns.len();
    // Plain DISTINCT keeps the first of equal rows before the sort; DISTINCT ON keeps
    // the first in ORDER BY's order, after a full sort.
    let begun = begin(context);
    let (projected, distinct_on) = match &plan.distinct {
        Some(distinct) if distinct.on => (projected, Some(&distinct.columns[..])),
        Some(distinct) => {
            let rows = super::setop::distinct(projected, &distinct.columns);
            (probe(context, plan, Step::Distinct, rows, begun), None)
        }
        None => (projected, None),
    };
    let begun = begin(context);
    let ordered: RowStream<'a> = if plan.order.is_empty() {
        projected
    } else if let (Some(limit), None) = (limit, distinct_on) {
        let best = top_k(projected, &plan.order, offset.saturating_add(limit))?;
        probe(
            context,
            plan,
            Step::Sort,
            Box::new(best.into_iter().map(Ok)),
            begun,
        )
    } else {
        let sorted = sort_stream(projected, &plan.order, &context.spill)?;
        probe(context, plan, Step::Sort, sorted, begun)
    };
    let begun = begin(context);
    let ordered = match distinct_on {
        Some(columns) => {
            let rows = super::setop::distinct(ordered, columns);
            probe(context, plan, Step::Distinct, rows, begun)
        }
        None => ordered,
    };
    let begun = begin(context);
    let mut out: RowStream<'a> = Box::new(ordered.skip(offset));
    if let Some(limit) = limit {
        out = Box::new(out.take(limit));
    }
    if plan.limit.is_some() || plan.offset.is_some() {
        out = probe(context, plan, Step::Limit, out, begun);
    }
    Ok(Box::new(out.map(move |row| {
        row.map(|mut row| {
            row.truncate(visible);
            row
        })
    })))
}

/// Counts a scan of `table` in its activity counters (`pg_stat_user_tables`,
/// `pg_stat_user_indexes`): a scan of index `index`, or a sequential one, and the rows
/// it returns.
fn counted<'a>(
    rows: RowStream<'a>,
    context: &'a ExecContext<'a>,
    table: &'a str,
    index: Option<&'a str>,
) -> RowStream<'a> {
    let activity = &context.catalog.table_stats;
    let key = context.catalog.stats_key(table);
    Box::new(crate::catalog::stats::CountedScan::new(
        rows, activity, key, index,
    ))
}

/// Evaluates `LIMIT` or `OFFSET` (NULL means none).
fn count(
    expr: Option<&crate::expr::BoundExpr>,
    context: &ExecContext<'_>,
    what: &str,
) -> Result<Option<usize>> {
    let Some(expr) = expr else {
        return Ok(None);
    };
    match eval(expr, &[], context)? {
        Datum::Null => Ok(None),
        Datum::Int8(n) if n < 0 => Err(EngineError::new(
            if what == "LIMIT" { "2201W" } else { "2201X" },
            format!("{what} must not be negative"),
        )),
        Datum::Int8(n) => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        _ => Err(EngineError::internal("LIMIT is not an integer")),
    }
}

/// Starts measuring a step, when the statement runs under `EXPLAIN ANALYZE`.
fn begin(context: &ExecContext<'_>) -> Option<Start> {
    context.instruments.map(Instruments::start)
}

/// Counts a step's rows under `EXPLAIN ANALYZE` (begun when its building started).
fn probe<'a, T>(
    context: &'a ExecContext<'a>,
    part: &T,
    step: Step,
    rows: RowStream<'a>,
    begun: Option<Start>,
) -> RowStream<'a> {
    match context.instruments {
        Some(instruments) => {
            let spent = begun.map(|b| b.spent()).unwrap_or_default();
            // These steps read their whole input when built.
            let built = matches!(
                step,
                Step::Aggregate | Step::Grouped | Step::Window | Step::Sort
            );
            instruments.wrap(Probe::of(part, step), rows, spent, built)
        }
        None => rows,
    }
}

/// The rows of a source (a join's side, a set operation's operand), counted under
/// `EXPLAIN ANALYZE`.
pub(super) fn source<'a>(
    source: &'a Source,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let begun = begin(context);
    let rows = source_rows(source, context)?;
    Ok(probe(context, source, Step::Scan, rows, begun))
}

/// The rows of a source.
fn source_rows<'a>(source: &'a Source, context: &'a ExecContext<'a>) -> Result<RowStream<'a>> {
    Ok(match source {
        Source::Single => Box::new(std::iter::once(Ok(Vec::new()))),
        Source::Table(name) => {
            let table = context.catalog.table(name).ok_or_else(|| {
                EngineError::new("42P01", format!("relation \"{name}\" does not exist"))
            })?;
            let rows = context
                .rows
                .scan(table.heap)?
                .map(|row| row.map(|(_, row)| row));
            counted(Box::new(rows), context, name, None)
        }
        Source::Subquery(plan) => stream_query(plan, context)?,
        Source::SetOperation(operation) => super::setop::set_operation(operation, context)?,
        Source::RecursiveUnion(union) => super::recursive::recursive_union(union, context)?,
        Source::WorkTable(table) => super::recursive::work_table(table.id, context)?,
        Source::Rows { rows, .. } => Box::new(rows.iter().map(|row| Ok(row.clone()))),
        Source::Values(rows) => Box::new(rows.iter().map(move |row| {
            row.iter()
                .map(|expr| eval(expr, &[], context))
                .collect::<Result<Vec<_>>>()
        })),
        Source::CrossJoin {
            left,
            right,
            lateral,
        } => super::join::cross_join(left, right, *lateral, context)?,
        Source::Join(join) => super::join::join(join, context)?,
        Source::IndexScan {
            table,
            index,
            query,
            options,
            ..
        } => index_scan((table, index), query, options, None, None, context)?,
        Source::BtreeScan {
            table,
            index,
            range,
            order,
            ..
        } => counted(
            super::btree::scan(table, index, range, *order, context)?,
            context,
            table,
            Some(index),
        ),
        Source::GinScan {
            table,
            index,
            query,
            ..
        } => counted(
            super::gin::scan(table, index, query, context)?,
            context,
            table,
            Some(index),
        ),
        // Lazy, so that `LIMIT` stops a long series early and memory stays flat.
        Source::Function(function) => {
            Box::new(set_values(function, &[], context)?.map(|d| d.map(|d| vec![d])))
        }
    })
}

/// The columns of its source's rows that a query reads, `None` when it may read them
/// all: those its filter and projection name, as long as nothing else sees the source
/// row (aggregation and windows read it through their own expressions, and a correlated
/// subquery reads it as its outer row).
fn columns_read_from_source(plan: &QueryPlan) -> Option<Vec<bool>> {
    if plan.aggregate.is_some() || plan.windows.is_some() {
        return None;
    }
    let mut read = Vec::new();
    for expr in plan
        .filter
        .iter()
        .chain(&plan.projection[..projected_len(plan)])
    {
        if reads_outer_row(expr) {
            return None;
        }
        columns_read(expr, &mut read);
    }
    let mut wanted = vec![false; read.iter().max().map_or(0, |max| max + 1)];
    for column in read {
        wanted[column] = true;
    }
    Some(wanted)
}

/// Whether an expression holds a correlated subquery (which reads the row it is
/// evaluated on as its outer row).
fn reads_outer_row(expr: &BoundExpr) -> bool {
    matches!(expr, BoundExpr::SubLink(link) if link.correlated)
        || children(expr).into_iter().any(reads_outer_row)
}

/// Rows from a vector index, nearest first: the index yields row versions, and the
/// statement reads the ones its view sees (an index holds entries for every version).
/// With `columns`, only the columns it marks are decoded (the others are NULL), each
/// row read where it lies on its page.
fn index_scan<'a>(
    (table, index): (&str, &str),
    query: &BoundExpr,
    options: &vec_index::ScanOptions,
    columns: Option<Vec<bool>>,
    wanted: Option<usize>,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let table_name = table;
    let table = context
        .catalog
        .table(table)
        .ok_or_else(|| EngineError::new("42P01", format!("relation \"{table}\" does not exist")))?;
    let entry = table
        .vector_indexes
        .iter()
        .find(|e| e.name == index)
        .ok_or_else(|| EngineError::internal(format!("index \"{index}\" is missing")))?;
    let query = eval(query, &[], context)?;
    let opclass = entry.opclass;
    if !opclass.indexes(&query) {
        // A NULL query (or a zero one under cosine) orders nothing: pgvector returns the
        // indexed rows in no particular order.
        return Ok(Box::new(context.rows.scan(table.heap)?.filter_map(
            move |row| match row.and_then(|(_, row)| Ok((entry.key_value(&row)?, row))) {
                Ok((value, row)) if opclass.indexes(&value) => Some(Ok(row)),
                Ok(_) => None,
                Err(error) => Some(Err(error)),
            },
        )));
    }
    let locked = context.indexes.get(table_name, index).ok_or_else(|| {
        EngineError::internal(format!("index \"{index}\" was not locked for the scan"))
    })?;
    let heap = table.heap;
    let rows = context.rows;
    let lookup = Box::new(move |id| {
        rows.fetch(heap, id)
            .ok()
            .flatten()
            .and_then(|row| entry.key_value(&row).ok())
    });
    // The rows a query with a `LIMIT` takes are looked ahead at; without one, how far
    // the scan goes is not known, and nothing is pulled early.
    let hits = super::prefetch_ahead::PrefetchAhead::new(
        locked.scan(&query, options, lookup)?,
        rows,
        heap,
        wanted.unwrap_or(0),
    );
    Ok(match columns {
        Some(wanted) => {
            Box::new(hits.filter_map(move |id| rows.fetch_columns(heap, id, &wanted).transpose()))
        }
        None => Box::new(hits.filter_map(move |id| rows.fetch(heap, id).transpose())),
    })
}

/// How many of the projection's expressions a row needs: the hidden sort keys after the
/// visible columns only when a sort or `DISTINCT` reads them. A query whose source
/// already yields its order (an index scan) has no sort left, and computing its keys
/// again for every row (a distance, from a vector decoded only for it) would be waste.
fn projected_len(plan: &QueryPlan) -> usize {
    if plan.order.is_empty() && plan.distinct.is_none() {
        plan.columns.len().min(plan.projection.len())
    } else {
        plan.projection.len()
    }
}

/// Projects one input row; set-returning functions in the select list repeat it once
/// per value (the shorter sets padded with NULL, as PostgreSQL 10 and later do), the
/// values computed as they are read.
fn project<'a>(
    plan: &'a QueryPlan,
    row: Row,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let projection = &plan.projection[..projected_len(plan)];
    let mut values = Vec::with_capacity(projection.len());
    let mut sets: Vec<(usize, DatumStream<'a>)> = Vec::new();
    for (index, expr) in projection.iter().enumerate() {
        if let BoundExpr::SetReturning(function) = expr {
            sets.push((index, set_values(function, &row, context)?));
            values.push(Datum::Null);
        } else {
            values.push(eval(expr, &row, context)?);
        }
    }
    if sets.is_empty() {
        return Ok(Box::new(std::iter::once(Ok(values))));
    }
    Ok(Box::new(std::iter::from_fn(move || {
        let mut copy = values.clone();
        let mut any = false;
        for (index, set) in &mut sets {
            match set.next() {
                Some(Ok(value)) => {
                    copy[*index] = value;
                    any = true;
                }
                Some(Err(error)) => return Some(Err(error)),
                None => {}
            }
        }
        any.then_some(Ok(copy))
    })))
}

/// A stream of values.
type DatumStream<'a> = Box<dyn Iterator<Item = Result<Datum>> + 'a>;

/// The values a set-returning function yields for a row, computed as they are read.
fn set_values<'a>(
    function: &SetFunction,
    row: &[Datum],
    context: &ExecContext<'_>,
) -> Result<DatumStream<'a>> {
    match function {
        SetFunction::Unnest(expr) => match eval(expr, row, context)? {
            Datum::Array(array) => Ok(Box::new(array.elements.into_iter().map(Ok))),
            _ => Ok(Box::new(std::iter::empty())),
        },
        SetFunction::Scalar(_, expr) => {
            let value = eval(expr, row, context)?;
            Ok(Box::new(std::iter::once(Ok(value))))
        }
        SetFunction::GenerateSeries(start, stop, step) => {
            let (start, stop, step, narrow) =
                series_bounds(start, stop, step.as_ref(), row, context)?;
            let mut next = Some(start);
            Ok(Box::new(std::iter::from_fn(move || {
                let value = next?;
                if (step > 0 && value > stop) || (step < 0 && value < stop) {
                    return None;
                }
                next = value.checked_add(step);
                Some(Ok(if narrow {
                    Datum::Int4(value as i32)
                } else {
                    Datum::Int8(value)
                }))
            })))
        }
    }
}

/// Evaluates `generate_series` arguments: start, stop, step (an empty range for NULLs)
/// and whether the values are `integer` rather than `bigint`.
fn series_bounds(
    start: &BoundExpr,
    stop: &BoundExpr,
    step: Option<&BoundExpr>,
    row: &[Datum],
    context: &ExecContext<'_>,
) -> Result<(i64, i64, i64, bool)> {
    let start = eval(start, row, context)?;
    let stop = eval(stop, row, context)?;
    let step = match step {
        Some(step) => eval(step, row, context)?,
        None => Datum::Int8(1),
    };
    let (Datum::Int8(start), Datum::Int8(stop), Datum::Int8(step)) = (start, stop, step) else {
        return Ok((1, 0, 1, true));
    };
    if step == 0 {
        return Err(EngineError::new("22023", "step size cannot equal zero"));
    }
    let narrow = i32::try_from(start).is_ok() && i32::try_from(stop).is_ok();
    Ok((start, stop, step, narrow))
}
