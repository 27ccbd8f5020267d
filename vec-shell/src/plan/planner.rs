//! Planning: the bound query's sources become physical ones. For a query over one
//! table the planner chooses among an exact scan, a vector index scan (see
//! [`vector_index_for`]) and a btree index scan (see [`btree`](super::btree) for the
//! rule and how the two compare); joins hash on the equalities between their sides
//! unless the right side is `LATERAL`.

use super::btree;
use super::conjuncts::{conjuncts, Conjunct};
use super::{
    DeletePlan, ExplainText, InsertPlan, InsertRows, JoinPlan, Planned, QueryPlan, Source,
    UpdatePlan,
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
        projection: bound.projection,
        columns: bound.columns,
        order: bound.order,
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
        BoundFrom::Subquery(inner) => Source::Subquery(Box::new(query(*inner, cx))),
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
    if plan.lateral && !plan.hash_keys.is_empty() {
        // A lateral right side changes with every left row, so it is never hashed: the
        // whole condition is checked in a nested loop.
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
    let by_btree = btree::choose(table, &conjuncts, cx.settings, cx.versions)
        .filter(|choice| choice.selective);
    let vector = vector_index_for(plan, table, cx.settings);
    let use_btree = match (&by_btree, &vector) {
        (Some(choice), Some(_)) => choice.rows <= btree::vector_threshold(cx.settings),
        (Some(_), None) => true,
        (None, _) => false,
    };
    if let (true, Some(choice)) = (use_btree, by_btree) {
        // The executor still checks the whole `WHERE`; `EXPLAIN` shows the rest.
        let cond_text = match plan.explain.as_deref_mut() {
            Some(explain) => {
                let (cond, rest) = condition_texts(&conjuncts, &choice.used, explain);
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
        };
        return;
    }
    let Some((index, query, options, target)) = vector else {
        btree::choose_ordered_scan(plan, table, cx.settings, cx.versions);
        return;
    };
    let target_text = target.map(|choice| {
        choice.explain(match choice.knob {
            vec_index::Knob::EfSearch => options.ef_search as u32,
            vec_index::Knob::Probes => options.probes,
        })
    });
    plan.source = Source::IndexScan {
        table: name,
        index,
        query,
        options,
        target_text,
    };
    // The index yields rows in distance order; no sort follows, as in pgvector.
    plan.order.clear();
}

/// The `Index Cond:` text of the conditions a btree scan uses and the `Filter:` text of
/// the others.
fn condition_texts(
    conjuncts: &[Conjunct],
    used: &[usize],
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
        } else {
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

/// The vector index pgvector would use for a plan, with the query vector: one serving
/// a single ascending `ORDER BY` distance key on a column (or indexed expression) with
/// the matching operator class, the query vector the same for every row, with
/// `enable_indexscan` on, and either a `LIMIT` or `enable_seqscan` off.
fn vector_index_for(
    plan: &QueryPlan,
    table: &Table,
    settings: &Settings,
) -> Option<(
    String,
    BoundExpr,
    vec_index::ScanOptions,
    Option<crate::index::TargetChoice>,
)> {
    if plan.aggregate.is_some() || !settings.bool(&settings::ENABLE_INDEXSCAN) {
        return None;
    }
    if plan.limit.is_none() && settings.bool(&settings::ENABLE_SEQSCAN) {
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
    let entry = table.vector_indexes.iter().find(|e| {
        let same_key = match &e.key {
            IndexKey::Column(column) => matches!(indexed, BoundExpr::Column(c) if c == column),
            IndexKey::Expr(expr) => expr == indexed,
        };
        same_key && e.opclass.operator() == &**name && e.index.read().enabled(settings)
    })?;
    Some((
        entry.name.clone(),
        query.clone(),
        entry.index.read().scan_options(settings),
        entry.index.read().target_choice(settings),
    ))
}
