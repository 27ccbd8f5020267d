//! Planning: the bound query's sources become physical ones. For a query over one
//! table the planner chooses among an exact scan, a vector index scan (see
//! [`vector_index_for`]) and a btree index scan (see [`btree`](super::btree) for the
//! rule and how the two compare); joins hash on the equalities between their sides
//! unless the right side is `LATERAL`.

use super::btree;
use super::conjuncts::{conjuncts, Conjunct};
use super::filtered::{Estimate, FilteredSearch, Prefilter};
use super::implication::implied_by;
use super::path_cost::path_costs;
use super::{
    DeletePlan, ExplainText, InsertPlan, InsertRows, JoinPlan, Planned, QueryPlan,
    RecursiveUnionPlan, SetOperationPlan, Source, UpdatePlan,
};
use crate::analyze::{Analyzed, BoundFrom, BoundQuery, Delete, Insert, Join, Update};
use crate::catalog::{Catalog, IndexKey, Table};
use crate::expr::{is_row_independent, BoundExpr};
use crate::settings::{self, Settings};
use crate::storage::view::Versions;

/// What planning consults: the catalog (tables, their indexes and row counts) and the
/// session's settings.
#[derive(Clone, Copy)]
pub struct PlanContext<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The session's settings.
    pub settings: &'a Settings,
    /// The row versions the statement's view holds, for building a table's btree
    /// indexes on their first use.
    pub versions: Versions<'a>,
}

/// Plans a query and its scalar subqueries.
pub fn plan_query(bound: Analyzed<BoundQuery>, cx: PlanContext<'_>) -> Planned<QueryPlan> {
    Planned {
        plan: query(bound.statement, cx),
        subqueries: subqueries(bound.subqueries, cx),
    }
}

/// Plans an `INSERT` (its query, if it has one) and its scalar subqueries.
pub fn plan_insert(
    bound: Analyzed<Insert<BoundQuery>>,
    cx: PlanContext<'_>,
) -> Planned<InsertPlan> {
    let insert = bound.statement;
    let rows = match insert.rows {
        crate::analyze::InsertRows::Values(values) => InsertRows::Values(values),
        crate::analyze::InsertRows::Query(bound_query, converters) => {
            InsertRows::Query(Box::new(query(*bound_query, cx)), converters)
        }
    };
    Planned {
        plan: Insert {
            table: insert.table,
            targets: insert.targets,
            rows,
            defaulted: insert.defaulted,
            on_conflict: insert.on_conflict,
            returning: insert.returning,
        },
        subqueries: subqueries(bound.subqueries, cx),
    }
}

/// Plans an `UPDATE`'s scalar subqueries (the statement scans its table).
pub fn plan_update(bound: Analyzed<Update>, cx: PlanContext<'_>) -> Planned<UpdatePlan> {
    Planned {
        plan: bound.statement,
        subqueries: subqueries(bound.subqueries, cx),
    }
}

/// Plans a `DELETE`'s scalar subqueries (the statement scans its table).
pub fn plan_delete(bound: Analyzed<Delete>, cx: PlanContext<'_>) -> Planned<DeletePlan> {
    Planned {
        plan: bound.statement,
        subqueries: subqueries(bound.subqueries, cx),
    }
}

fn subqueries(bound: Vec<BoundQuery>, cx: PlanContext<'_>) -> Vec<QueryPlan> {
    bound.into_iter().map(|q| query(q, cx)).collect()
}

/// Plans one query: its source, then the index choice when it reads one table.
fn query(bound: BoundQuery, cx: PlanContext<'_>) -> QueryPlan {
    let mut plan = QueryPlan {
        source: source(bound.source, cx),
        filter: bound.filter,
        aggregate: bound.aggregate,
        windows: bound.windows,
        projection: bound.projection,
        columns: bound.columns,
        order: bound.order,
        distinct: bound.distinct,
        limit: bound.limit,
        offset: bound.offset,
        explain: bound.explain,
    };
    choose_index_scans(&mut plan, cx);
    plan
}

fn source(bound: BoundFrom, cx: PlanContext<'_>) -> Source {
    match bound {
        BoundFrom::Single => Source::Single,
        BoundFrom::Table { name } => Source::Table(name),
        BoundFrom::Function(function) => Source::Function(function),
        BoundFrom::Rows { name, rows } => Source::Rows { name, rows },
        BoundFrom::Values(rows) => Source::Values(rows),
        BoundFrom::Subquery(inner) => Source::Subquery(Box::new(query(*inner, cx))),
        BoundFrom::SetOperation(operation) => {
            let operation = *operation;
            Source::SetOperation(Box::new(SetOperationPlan {
                operator: operation.operator,
                all: operation.all,
                left: query(operation.left, cx),
                right: query(operation.right, cx),
            }))
        }
        BoundFrom::RecursiveUnion(union) => {
            let union = *union;
            Source::RecursiveUnion(Box::new(RecursiveUnionPlan {
                name: union.name,
                alias: union.alias,
                work_table: union.work_table,
                all: union.all,
                non_recursive: query(union.non_recursive, cx),
                recursive: query(union.recursive, cx),
            }))
        }
        BoundFrom::WorkTable(table) => Source::WorkTable(table),
        BoundFrom::CrossJoin {
            left,
            right,
            lateral,
        } => Source::CrossJoin {
            left: Box::new(source(*left, cx)),
            right: Box::new(source(*right, cx)),
            lateral,
        },
        BoundFrom::Join(join) => Source::Join(Box::new(join_plan(*join, cx))),
    }
}

fn join_plan(join: Join<BoundFrom>, cx: PlanContext<'_>) -> JoinPlan {
    let mut plan = JoinPlan {
        kind: join.kind,
        left: source(join.left, cx),
        right: source(join.right, cx),
        lateral: join.lateral,
        left_width: join.left_width,
        right_width: join.right_width,
        condition: join.condition,
        hash_keys: join.hash_keys,
        merged: join.merged,
        text: join.text,
        aliases: join.aliases,
    };
    // A lateral right side changes with every left row, so it is never hashed; with
    // `enable_hashjoin` off (and `enable_nestloop` on) an equality join is not hashed
    // either. Then the whole condition is checked in a nested loop.
    let hash_disabled = !cx.settings.bool(&settings::ENABLE_HASHJOIN)
        && cx.settings.bool(&settings::ENABLE_NESTLOOP);
    if (plan.lateral || hash_disabled) && !plan.hash_keys.is_empty() {
        plan.hash_keys.clear();
        let parts: Vec<String> = [plan.text.hash_condition.take(), plan.text.filter.take()]
            .into_iter()
            .flatten()
            .collect();
        plan.text.filter = match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(format!("({})", parts.join(" AND "))),
        };
    }
    plan
}

/// Turns an exact scan of a table into an index scan: a vector index where pgvector
/// would use it (see [`vector_index_for`]), a btree index for selective `WHERE`
/// conditions (see [`btree`] for the rule and how the two compare).
fn choose_index_scans(plan: &mut QueryPlan, cx: PlanContext<'_>) {
    let Source::Table(name) = &plan.source else {
        return;
    };
    let Some(table) = cx.catalog.table(name) else {
        return;
    };
    let name = name.clone();
    let conjuncts = conjuncts(plan.filter.as_ref());
    let counted = btree::choose(table, &conjuncts, cx.settings, cx.versions);
    // A btree counts the rows its range holds; otherwise `ANALYZE`'s statistics
    // estimate them.
    let from_statistics = counted.is_none();
    let estimate = match &counted {
        Some(choice) => Some(Estimate {
            rows: choice.rows,
            at_least: choice.capped,
            table_rows: choice.table_rows,
        }),
        None => super::selectivity::estimate(table, &conjuncts).map(|e| Estimate {
            rows: e.rows,
            at_least: false,
            table_rows: e.table_rows,
        }),
    };
    let prefilter = counted.as_ref().map(|choice| Prefilter {
        index: choice.index.clone(),
        range: choice.range.clone(),
    });
    let by_btree = counted.filter(|choice| choice.selective);
    // DISTINCT removes rows after the scan, so an index walk sized by LIMIT could come
    // up short: such a query scans exactly.
    let mut vector = match plan.distinct {
        Some(_) => None,
        None => vector_index_for(plan, table, cx.settings),
    };
    // A filter the statistics expect to pass so few rows that a walk would read the
    // table or give up: the exact scan of the table, checking the filter on each row.
    // The cost of each way to answer a filtered vector query with a `LIMIT` (see
    // `path_cost`), when the planner chooses the walk's settings.
    let costs = match (&estimate, &vector, wanted_rows(plan)) {
        (Some(estimate), Some(choice), Some(wanted)) => choice
            .filtered_options
            .as_ref()
            .map(|options| path_costs(table, &choice.index, options, wanted, estimate)),
        _ => None,
    };
    // A filter the statistics expect to pass so few rows that the walk would cost more
    // than reading the table (it would give up and scan the table anyway).
    if let (true, Some(costs)) = (from_statistics, &costs) {
        if costs.exact < costs.walk {
            vector = None;
        }
    }
    let use_btree = match (&by_btree, &vector) {
        // The exact top-k after a btree scan sorts; with `enable_sort` off the vector
        // index's order wins.
        (Some(choice), Some(_)) => {
            cx.settings.bool(&settings::ENABLE_SORT)
                && match &costs {
                    Some(costs) => costs.btree_exact < costs.walk,
                    None => choice.rows <= btree::vector_threshold(cx.settings),
                }
        }
        (Some(_), None) => true,
        (None, _) => false,
    };
    if let (true, Some(choice)) = (use_btree, by_btree) {
        // The executor still checks the whole `WHERE`; `EXPLAIN` shows the rest.
        let cond_text = match plan.explain.as_deref_mut() {
            Some(explain) => {
                let (cond, rest) =
                    condition_texts(&conjuncts, &choice.used, &choice.implied, explain);
                explain.filter = rest;
                cond.unwrap_or_default()
            }
            None => String::new(),
        };
        plan.source = Source::BtreeScan {
            table: name,
            index: choice.index,
            range: choice.range,
            cond_text,
            order: None,
            counted: Some(choice.rows),
        };
        return;
    }
    if vector.is_none() {
        if let Some(choice) = super::gin::choose(table, &conjuncts) {
            let cond_text = match plan.explain.as_deref_mut() {
                Some(explain) => {
                    let (_, rest) = condition_texts(&conjuncts, &[choice.used], &[], explain);
                    explain.filter = rest;
                    let key =
                        crate::expr::deparse::deparse(&choice.key, &explain.scope, explain.qualify);
                    let query = crate::expr::deparse::deparse(
                        &BoundExpr::Const(choice.query.clone()),
                        &explain.scope,
                        explain.qualify,
                    );
                    format!(
                        "({} @@ {})",
                        key.unwrap_or_default(),
                        query.unwrap_or_default()
                    )
                }
                None => String::new(),
            };
            plan.source = Source::GinScan {
                table: name,
                index: choice.index,
                query: choice.query,
                cond_text,
            };
            return;
        }
    }
    let Some(VectorChoice {
        index,
        query,
        options,
        filtered_options,
        target,
        implied,
    }) = vector
    else {
        btree::choose_ordered_scan(plan, table, cx.settings, cx.versions);
        return;
    };
    drop_conditions(plan, &implied);
    let target_text = target.map(|choice| {
        choice.explain(match choice.knob {
            vec_index::Knob::EfSearch => options.ef_search as u32,
            vec_index::Knob::Probes => options.probes,
        })
    });
    if let Some(mut options) = filtered_options {
        let patience = options.ef_search;
        options.ef_search = super::filtered::first_round_ef(
            options.ef_search,
            wanted_rows(plan),
            estimate.as_ref(),
        );
        // A filter-aware walk keeps the query's exact sort over the rows it collects.
        plan.source = Source::IndexScan {
            table: name,
            index,
            query,
            options,
            filtered: Some(FilteredSearch {
                estimate,
                prefilter,
                patience,
            }),
            target_text,
        };
        return;
    }
    plan.source = Source::IndexScan {
        table: name,
        index,
        query,
        options,
        filtered: None,
        target_text,
    };
    // The index yields rows in distance order; no sort follows, as in pgvector.
    plan.order.clear();
}

/// `LIMIT + OFFSET` when both are constants (no `OFFSET` counts as 0).
fn wanted_rows(plan: &QueryPlan) -> Option<usize> {
    let value = |expr: Option<&BoundExpr>| expr.map_or(Some(0), constant_count);
    Some(value(plan.limit.as_ref())?.saturating_add(value(plan.offset.as_ref())?))
}

/// The value of a constant `LIMIT` or `OFFSET` expression (`None` when it is not a
/// constant count).
pub(in crate::plan) fn constant_count(expr: &BoundExpr) -> Option<usize> {
    if !crate::expr::is_constant(expr) {
        return None;
    }
    match crate::expr::eval(expr, &[], &crate::expr::NoEnvironment).ok()? {
        crate::value::Datum::Int8(n) => usize::try_from(n).ok(),
        _ => None,
    }
}

/// The vector index a query can use, with its query vector and scan options.
struct VectorChoice {
    index: String,
    query: BoundExpr,
    options: vec_index::ScanOptions,
    /// The options of a filter-aware walk, when the query has a filter and a `LIMIT` and
    /// the session left the iterative scan to the planner (see [`filtered`](super::filtered)).
    filtered_options: Option<vec_index::ScanOptions>,
    /// The index's recall model's choice while `vecsh.target_recall` is on.
    target: Option<crate::index::TargetChoice>,
    /// The positions of the `WHERE` conditions a partial index's predicate implies (the
    /// index holds only rows where they are true, so they need no check).
    implied: Vec<usize>,
}

/// The `Index Cond:` text of the conditions a btree scan uses and the `Filter:` text of
/// the others, but those a partial index's predicate implies (`implied`).
fn condition_texts(
    conjuncts: &[Conjunct],
    used: &[usize],
    implied: &[usize],
    explain: &ExplainText,
) -> (Option<String>, Option<String>) {
    let text = |position: usize| {
        super::conjuncts::text(&conjuncts[position], explain)
            .or_else(|| explain.conditions.get(position).cloned())
            .unwrap_or_default()
    };
    let (mut cond, mut rest) = (Vec::new(), Vec::new());
    for position in 0..conjuncts.len() {
        if used.contains(&position) {
            cond.push(text(position));
        } else if !implied.contains(&position) {
            rest.push(text(position));
        }
    }
    (and_text(cond), and_text(rest))
}

/// Conditions joined as `EXPLAIN` prints an `AND` list.
fn and_text(parts: Vec<String>) -> Option<String> {
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(format!("({})", parts.join(" AND "))),
    }
}

/// Whether the plan's window functions (if any) can rank the rows of a scan in the
/// query's order as they come (see [`Windowing::ranks_in_order`]), so that an index scan
/// may serve the `ORDER BY`; other window functions need every row, and an exact scan.
///
/// [`Windowing::ranks_in_order`]: crate::expr::window::Windowing::ranks_in_order
pub(super) fn windows_stream(plan: &QueryPlan) -> bool {
    let Some(windows) = &plan.windows else {
        return true;
    };
    let [key] = plan.order.as_slice() else {
        return false;
    };
    plan.projection
        .get(key.column)
        .is_some_and(|expr| windows.ranks_in_order(expr, key.descending, key.nulls_first))
}

/// The vector index pgvector would use for a plan, with the query vector: one serving
/// a single ascending `ORDER BY` distance key on a column (or indexed expression) with
/// the matching operator class, the query vector the same for every row, with
/// `enable_indexscan` on (or `enable_seqscan` off too), and either a `LIMIT` or
/// `enable_seqscan` or `enable_sort` off.
fn vector_index_for(plan: &QueryPlan, table: &Table, settings: &Settings) -> Option<VectorChoice> {
    if plan.aggregate.is_some() || !windows_stream(plan) || !btree::ordered_scan_allowed(settings) {
        return None;
    }
    if plan.limit.is_none() && !btree::order_without_limit(settings) {
        return None;
    }
    let [key] = plan.order.as_slice() else {
        return None;
    };
    if key.descending {
        return None;
    }
    let BoundExpr::Call {
        name,
        args,
        operator: true,
        ..
    } = plan.projection.get(key.column)?
    else {
        return None;
    };
    let [indexed, query] = args.as_slice() else {
        return None;
    };
    if !is_row_independent(query) {
        return None;
    }
    let conditions = conjuncts(plan.filter.as_ref());
    let usable = table.vector_indexes.iter().filter_map(|e| {
        let same_key = match &e.key {
            IndexKey::Column(column) => matches!(indexed, BoundExpr::Column(c) if c == column),
            IndexKey::Expr(expr) => expr == indexed,
        };
        if !(same_key && e.opclass.operator() == &**name && e.index.read().enabled(settings)) {
            return None;
        }
        match &e.predicate {
            None => Some((e, Vec::new())),
            Some(predicate) => implied_by(predicate, &conditions).map(|used| (e, used)),
        }
    });
    // A partial index whose predicate the query implies holds fewer rows: it wins, as
    // in PostgreSQL, whose costs favour the smaller index.
    let (entry, implied) = usable.max_by_key(|(e, _)| e.predicate.is_some())?;
    let index = entry.index.read();
    let rest_filtered = conditions.len() > implied.len();
    let filtered_options = if rest_filtered && plan.limit.is_some() {
        super::filtered::scan_options(&index, settings)
    } else {
        None
    };
    Some(VectorChoice {
        index: entry.name.clone(),
        query: query.clone(),
        options: index.scan_options(settings),
        filtered_options,
        target: index.target_choice(settings),
        implied,
    })
}

/// Drops the `WHERE` conditions at `positions` (implied by a partial index) from the plan
/// and from `EXPLAIN`'s `Filter:` line.
fn drop_conditions(plan: &mut QueryPlan, positions: &[usize]) {
    if positions.is_empty() {
        return;
    }
    let conditions = conjuncts(plan.filter.as_ref());
    if let Some(explain) = plan.explain.as_deref_mut() {
        let (_, rest) = condition_texts(&conditions, &[], positions, explain);
        explain.filter = rest;
    }
    let mut rest: Vec<BoundExpr> = conditions
        .iter()
        .enumerate()
        .filter(|(position, _)| !positions.contains(position))
        .map(|(_, c)| c.expr.clone())
        .collect();
    plan.filter = match rest.len() {
        0 => None,
        1 => rest.pop(),
        _ => Some(BoundExpr::And(rest)),
    };
}
