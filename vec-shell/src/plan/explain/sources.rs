//! The nodes of what a query reads — table and index scans, functions, values,
//! subqueries, joins, set operations, recursive queries — with their estimates.
//! The query's own source shows its details (`Filter:`, `Order By:`, `Index Cond:`)
//! and is probed before and after the query's filter; a join's sides show their
//! scans only, as PostgreSQL draws them.

use super::node::{PlanNode, Probe, Prop, Step};
use super::{bare, query_node, Costing};
use crate::analyze::WorkTable;
use crate::catalog::Table;
use crate::expr::{children, columns_read, BoundExpr, SetFunction};
use crate::index::AccessMethod;
use crate::plan::cost::{self, Estimate, VectorSearch};
use crate::plan::selectivity::{distinct_values, filter_selectivity, DEFAULT_NUM_DISTINCT};
use crate::plan::{ExplainText, JoinPlan, QueryPlan, RecursiveUnionPlan, SetOperationPlan, Source};
use crate::sql::ast::{JoinKind, SetOperator};
use crate::value::Datum;

/// The query's own source, with its filter and details.
pub(super) fn scan_node(plan: &QueryPlan, text: &ExplainText, cx: &Costing<'_>) -> PlanNode {
    let alias = text.alias.as_deref();
    let table = source_table(&plan.source, cx);
    let selectivity = filter_selectivity(table, plan.filter.as_ref());
    let width = scan_width(plan, cx);
    let mut node = match &plan.source {
        Source::Subquery(inner) => {
            let child = query_node(inner, cx);
            let name = alias.unwrap_or("unnamed_subquery");
            let mut node = PlanNode::titled("Subquery Scan", format!("Subquery Scan on {name}"));
            node.identity = vec![("Alias", Prop::Text(name.to_string()))];
            let passed = cost::pass(child.estimate, width.unwrap_or(child.estimate.width));
            let estimate = filtered(passed, selectivity);
            node.costing(estimate).child(child, "Subquery")
        }
        source => source_node(source, alias, Some(text), Some(plan), cx),
    };
    // A table scan applies the filter's selectivity itself.
    let scans_table = table.is_some();
    if !scans_table && !matches!(&plan.source, Source::Subquery(_)) {
        node.estimate = filtered(node.estimate, selectivity);
    }
    match (width, &plan.source) {
        (Some(width), _) => node.estimate.width = width,
        (None, Source::Single) => node.estimate.width = output_width(plan, cx),
        (None, _) => {}
    }
    if let Source::IndexScan {
        filtered: Some(search),
        ..
    } = &plan.source
    {
        node = node.detail("Filter Strategy", Prop::Text(search.strategy()));
    }
    node = node.text_detail("Filter", text.filter.clone());
    node.probe = Some(Probe::of(&plan.source, Step::Scan));
    if plan.filter.is_some() {
        node.before_filter = Some(Probe::of(&plan.source, Step::Raw));
    }
    node
}

/// An estimate passing `selectivity` of its rows.
fn filtered(estimate: Estimate, selectivity: f64) -> Estimate {
    Estimate {
        rows: cost::clamp_rows(estimate.rows * selectivity),
        ..estimate
    }
}

/// The table a source scans, if it scans one.
fn source_table<'c>(source: &Source, cx: &Costing<'c>) -> Option<&'c Table> {
    match source {
        Source::Table(name)
        | Source::BtreeScan { table: name, .. }
        | Source::GinScan { table: name, .. }
        | Source::IndexScan { table: name, .. } => cx.catalog.table(name),
        _ => None,
    }
}

/// A source's node. `text` is the query's own text when the source is the query's
/// (then its details show); `plan` is that query (for its filter).
fn source_node(
    source: &Source,
    alias: Option<&str>,
    text: Option<&ExplainText>,
    plan: Option<&QueryPlan>,
    cx: &Costing<'_>,
) -> PlanNode {
    let suffix = alias.map(|a| format!(" {a}")).unwrap_or_default();
    let filter = plan.and_then(|p| p.filter.as_ref());
    let node = match source {
        Source::Single => PlanNode::new("Result").costing(Estimate {
            startup: 0.0,
            total: cost::CPU_TUPLE_COST,
            rows: 1.0,
            width: 0,
        }),
        Source::Table(table) => {
            let name = bare(table);
            let mut node = PlanNode::titled("Seq Scan", format!("Seq Scan on {name}{suffix}"));
            node.identity = relation(name, alias);
            match cx.catalog.table(table) {
                Some(t) => {
                    let rows = cx.table_rows(t);
                    let width = cost::row_width(t);
                    let sel = filter_selectivity(Some(t), filter);
                    node.costing(cost::seq_scan(rows, width, operators(filter), sel, width))
                }
                None => node,
            }
        }
        Source::Rows { name, rows } => {
            let mut node = PlanNode::titled("Seq Scan", format!("Seq Scan on {name}{suffix}"));
            node.identity = relation(name, alias);
            node.costing(cost::Estimate::per_row(
                rows.len() as f64,
                cost::CPU_TUPLE_COST,
                32,
            ))
        }
        Source::BtreeScan {
            table,
            index,
            cond_text,
            order,
            counted,
            ..
        } => {
            let backward = matches!(order, Some((true, _)));
            let direction = if backward { " Backward" } else { "" };
            let name = bare(table);
            let mut node = PlanNode::titled(
                "Index Scan",
                format!("Index Scan{direction} using {index} on {name}{suffix}"),
            );
            node.identity = index_identity(index, name, alias, backward);
            if text.is_some() {
                node = node.text_detail("Index Cond", Some(cond_text.clone()));
            }
            match cx.catalog.table(table) {
                Some(t) => {
                    let rows = cx.table_rows(t);
                    let width = cost::row_width(t);
                    // The planner's count of the range, else the filter's estimate.
                    let matched = counted
                        .map_or_else(|| rows * filter_selectivity(Some(t), filter), |n| n as f64);
                    node.costing(cost::btree_scan(rows, width, matched, 0, 1.0, width))
                }
                None => node,
            }
        }
        Source::GinScan {
            table,
            index,
            cond_text,
            ..
        } => {
            let name = bare(table);
            let mut heap = PlanNode::titled(
                "Bitmap Heap Scan",
                format!("Bitmap Heap Scan on {name}{suffix}"),
            );
            heap.identity = relation(name, alias);
            let mut bitmap =
                PlanNode::titled("Bitmap Index Scan", format!("Bitmap Index Scan on {index}"));
            bitmap.identity = vec![("Index Name", Prop::Text(index.clone()))];
            if text.is_some() {
                heap = heap.text_detail("Recheck Cond", Some(cond_text.clone()));
                bitmap = bitmap.text_detail("Index Cond", Some(cond_text.clone()));
            }
            if let Some(plan) = plan {
                bitmap.probe = Some(Probe::of(&plan.source, Step::Raw));
            }
            if let Some(t) = cx.catalog.table(table) {
                let rows = cx.table_rows(t);
                let width = cost::row_width(t);
                let matched = rows * filter_selectivity(Some(t), filter);
                let scan = cost::btree_scan(rows, width, matched, 0, 1.0, width);
                bitmap.estimate = Estimate {
                    startup: 0.0,
                    total: scan.startup + matched * cost::CPU_INDEX_TUPLE_COST,
                    rows: cost::clamp_rows(matched),
                    width: 0,
                };
                heap.estimate = Estimate {
                    startup: bitmap.estimate.total,
                    ..scan
                };
            }
            heap.child(bitmap, "Outer")
        }
        Source::IndexScan {
            table,
            index,
            options,
            target_text,
            ..
        } => {
            let name = bare(table);
            let mut node = PlanNode::titled(
                "Index Scan",
                format!("Index Scan using {index} on {name}{suffix}"),
            );
            node.identity = index_identity(index, name, alias, false);
            if let Some(text) = text {
                let order = text
                    .index_order
                    .clone()
                    .or_else(|| text.order.first().cloned())
                    .unwrap_or_default();
                node = node.detail("Order By", Prop::Text(order));
                if let Some(line) = target_text {
                    let (key, value) = line.split_once(": ").unwrap_or(("Target Recall", line));
                    node = node.detail(key, Prop::Text(value.to_string()));
                }
            }
            match cx.catalog.table(table) {
                Some(t) => node.costing(vector_estimate(t, index, options, filter, cx)),
                None => node,
            }
        }
        Source::Values(rows) => {
            let mut node =
                PlanNode::titled("Values Scan", "Values Scan on \"*VALUES*\"".to_string());
            node.identity = vec![("Alias", Prop::Text("*VALUES*".to_string()))];
            let width = rows.first().map_or(0, |row| 4 * row.len() as u32);
            let per_row = cost::CPU_OPERATOR_COST + cost::CPU_TUPLE_COST;
            node.costing(Estimate::per_row(rows.len() as f64, per_row, width))
        }
        Source::Function(function) => {
            let name = match function {
                SetFunction::Unnest(_) => "unnest",
                SetFunction::GenerateSeries(..) => "generate_series",
                SetFunction::Scalar(name, _) => name.as_str(),
            };
            let mut node =
                PlanNode::titled("Function Scan", format!("Function Scan on {name}{suffix}"));
            node.identity = vec![
                ("Function Name", Prop::Text(name.to_string())),
                ("Alias", Prop::Text(alias.unwrap_or(name).to_string())),
            ];
            let rows = function_rows(function);
            node.costing(Estimate::per_row(rows, cost::CPU_TUPLE_COST, 4))
        }
        Source::RecursiveUnion(union) => {
            let (title, identity) = cte_scan(union);
            let mut node = PlanNode::titled("CTE Scan", title);
            node.identity = identity;
            let estimate = recursive_estimate(union, cx);
            node.costing(estimate)
        }
        Source::WorkTable(table) => {
            let mut node = PlanNode::titled("WorkTable Scan", work_table_scan(table));
            node.identity = vec![
                ("CTE Name", Prop::Text(table.name.clone())),
                (
                    "Alias",
                    Prop::Text(table.alias.clone().unwrap_or(table.name.clone())),
                ),
            ];
            node.costing(Estimate::per_row(10.0, cost::CPU_TUPLE_COST, 4))
        }
        Source::Subquery(inner) => query_node(inner, cx),
        Source::SetOperation(operation) => set_operation_node(operation, cx),
        Source::CrossJoin { left, right, .. } => {
            let left = side(left, None, cx);
            let right = side(right, None, cx);
            let rows = left.estimate.rows * right.estimate.rows;
            let estimate = cost::nested_loop(left.estimate, right.estimate, rows);
            let mut node = PlanNode::new("Nested Loop");
            node.identity = join_identity(JoinKind::Inner);
            node.costing(estimate)
                .child(left, "Outer")
                .child(right, "Inner")
        }
        Source::Join(join) => join_node(join, cx),
    };
    node
}

/// A join's or set operation's input: its node, probed as a source.
fn side(source: &Source, alias: Option<&str>, cx: &Costing<'_>) -> PlanNode {
    // A side's alias shows only on table and function scans, as PostgreSQL shows it.
    let alias = match source {
        Source::Table(_) | Source::Function(_) => alias,
        _ => None,
    };
    let mut node = source_node(source, alias, None, None, cx);
    if node.probe.is_none() {
        node.probe = Some(Probe::of(source, Step::Scan));
    }
    node
}

/// `Relation Name` and `Alias` of a scan.
fn relation(name: &str, alias: Option<&str>) -> Vec<(&'static str, Prop)> {
    vec![
        ("Relation Name", Prop::Text(name.to_string())),
        ("Alias", Prop::Text(alias.unwrap_or(name).to_string())),
    ]
}

fn index_identity(
    index: &str,
    name: &str,
    alias: Option<&str>,
    backward: bool,
) -> Vec<(&'static str, Prop)> {
    let direction = if backward { "Backward" } else { "Forward" };
    let mut identity = vec![
        ("Scan Direction", Prop::Text(direction.to_string())),
        ("Index Name", Prop::Text(index.to_string())),
    ];
    identity.extend(relation(name, alias));
    identity
}

fn join_identity(kind: JoinKind) -> Vec<(&'static str, Prop)> {
    let kind = match kind {
        JoinKind::Inner => "Inner",
        JoinKind::Left => "Left",
        JoinKind::Right => "Right",
        JoinKind::Full => "Full",
    };
    vec![
        ("Join Type", Prop::Text(kind.to_string())),
        ("Inner Unique", Prop::Bool(false)),
    ]
}

/// The operators a filter runs per row (column references, constants and NULL tests
/// cost nothing, as in PostgreSQL).
fn operators(filter: Option<&BoundExpr>) -> usize {
    fn count(expr: &BoundExpr) -> usize {
        match expr {
            BoundExpr::And(parts) | BoundExpr::Or(parts) => parts.iter().map(count).sum(),
            BoundExpr::Column(_) | BoundExpr::Const(_) => 0,
            // A NULL test costs nothing in PostgreSQL's accounting.
            BoundExpr::IsNull { operand, .. } => count(operand),
            other => 1 + children(other).into_iter().map(count).sum::<usize>(),
        }
    }
    filter.map_or(0, count)
}

/// A vector index scan's estimate: the search, then the rows in distance order.
fn vector_estimate(
    table: &Table,
    index: &str,
    options: &vec_index::ScanOptions,
    filter: Option<&BoundExpr>,
    cx: &Costing<'_>,
) -> Estimate {
    let rows = cx.table_rows(table);
    let width = cost::row_width(table);
    let shape = crate::plan::path_cost::index_shape(table, index);
    let search = match shape.method {
        Some(AccessMethod::IvfFlat) => {
            VectorSearch::ivfflat(rows, shape.lists, f64::from(options.probes), 0.0)
        }
        _ => VectorSearch::hnsw(options.ef_search as f64, shape.m),
    };
    let selectivity = filter_selectivity(Some(table), filter);
    cost::vector_scan(search, shape.dims, rows * selectivity, width)
}

/// The rows a set-returning function yields: a constant series' length, else
/// PostgreSQL's guesses (1,000 for a series, 10 for an array).
fn function_rows(function: &SetFunction) -> f64 {
    let constant =
        |expr: &BoundExpr| match crate::expr::eval(expr, &[], &crate::expr::NoEnvironment) {
            Ok(Datum::Int4(n)) => Some(f64::from(n)),
            Ok(Datum::Int8(n)) => Some(n as f64),
            _ => None,
        };
    match function {
        SetFunction::GenerateSeries(start, stop, step) => {
            let step = step.as_ref().map_or(Some(1.0), constant);
            match (constant(start), constant(stop), step) {
                (Some(start), Some(stop), Some(step)) if step != 0.0 => {
                    ((stop - start) / step + 1.0).floor().max(0.0)
                }
                _ => 1000.0,
            }
        }
        SetFunction::Unnest(_) => 10.0,
        SetFunction::Scalar(..) => 1.0,
    }
}

/// A qualified join's node: a hash join hashing its right side, or a nested loop.
fn join_node(join: &JoinPlan, cx: &Costing<'_>) -> PlanNode {
    let left = side(&join.left, join.aliases.0.as_deref(), cx);
    let right = side(&join.right, join.aliases.1.as_deref(), cx);
    let (l, r) = (left.estimate, right.estimate);
    let mut selectivity: f64 = join
        .hash_keys
        .iter()
        .map(|(left_key, right_key)| {
            let distinct = |source: &Source, key: &BoundExpr, rows: f64| {
                key_distinct(source, key, cx).unwrap_or(DEFAULT_NUM_DISTINCT.min(rows.max(1.0)))
            };
            1.0 / distinct(&join.left, left_key, l.rows).max(distinct(
                &join.right,
                right_key,
                r.rows,
            ))
        })
        .product();
    if join.hash_keys.is_empty() {
        selectivity = filter_selectivity(None, join.condition.as_ref());
    }
    let inner_rows = l.rows * r.rows * selectivity;
    let rows = match join.kind {
        JoinKind::Inner => inner_rows,
        JoinKind::Left => inner_rows.max(l.rows),
        JoinKind::Right => inner_rows.max(r.rows),
        JoinKind::Full => inner_rows.max(l.rows + r.rows),
    };
    let mut node = PlanNode::titled(join_type(join), join.node_name());
    node.identity = join_identity(join.kind);
    if let Some(condition) = &join.text.hash_condition {
        node = node.detail("Hash Cond", Prop::Text(condition.clone()));
    }
    if let Some(filter) = &join.text.filter {
        node = node.detail("Join Filter", Prop::Text(filter.clone()));
    }
    if join.hash_keys.is_empty() {
        let estimate = cost::nested_loop(l, r, rows);
        return node
            .costing(estimate)
            .child(left, "Outer")
            .child(right, "Inner");
    }
    let estimate = cost::hash_join(l, r, join.hash_keys.len(), rows);
    let hash = PlanNode::new("Hash")
        .costing(Estimate {
            startup: r.total,
            ..r
        })
        .child(right, "Outer");
    node.costing(estimate)
        .child(left, "Outer")
        .child(hash, "Inner")
}

/// PostgreSQL's node type of a join.
fn join_type(join: &JoinPlan) -> &'static str {
    if join.hash_keys.is_empty() {
        "Nested Loop"
    } else {
        "Hash Join"
    }
}

/// The distinct values of a join key that is a column of a scanned table.
fn key_distinct(source: &Source, key: &BoundExpr, cx: &Costing<'_>) -> Option<f64> {
    let BoundExpr::Column(column) = key else {
        return None;
    };
    distinct_values(source_table(source, cx)?, *column)
}

/// A set operation's node and its inputs: `UNION ALL` appends its operands; `UNION`
/// removes duplicates from them (`HashAggregate`), `INTERSECT` and `EXCEPT` count them
/// (`HashSetOp`).
fn set_operation_node(operation: &SetOperationPlan, cx: &Costing<'_>) -> PlanNode {
    let left = query_node(&operation.left, cx);
    let right = query_node(&operation.right, cx);
    let (l, r) = (left.estimate, right.estimate);
    // Each member passes its rows on (through a subquery scan when duplicates are
    // removed), and the append half a row's cost more, as PostgreSQL counts it.
    let (operator, all) = (operation.operator, operation.all);
    let member = if all { 0.0 } else { cost::CPU_TUPLE_COST };
    let rows = l.rows + r.rows;
    let append_estimate = Estimate {
        startup: l.startup,
        total: l.total + r.total + rows * (member + cost::CPU_TUPLE_COST * 0.5),
        rows,
        width: l.width.max(r.width),
    };
    let append = PlanNode::new("Append")
        .costing(append_estimate)
        .child(left, "Member")
        .child(right, "Member");
    if operator == SetOperator::Union {
        if all {
            return append;
        }
        let estimate = cost::aggregate(
            append_estimate,
            1,
            0,
            append_estimate.rows,
            1.0,
            append_estimate.width,
        );
        let mut node = PlanNode::titled("Aggregate", "HashAggregate".to_string());
        node.leading = vec![
            ("Strategy", Prop::Text("Hashed".to_string())),
            ("Partial Mode", Prop::Text("Simple".to_string())),
        ];
        return node.costing(estimate).child(append, "Outer");
    }
    let word = if operator == SetOperator::Intersect {
        "Intersect"
    } else {
        "Except"
    };
    let all_word = if all { " All" } else { "" };
    let rows = if operator == SetOperator::Intersect {
        l.rows.min(r.rows)
    } else {
        l.rows
    };
    let estimate = cost::aggregate(append_estimate, 1, 0, rows, 1.0, append_estimate.width);
    let mut node = PlanNode::titled("SetOp", format!("HashSetOp {word}{all_word}"));
    node.leading = vec![("Strategy", Prop::Text("Hashed".to_string()))];
    node.identity = vec![("Command", Prop::Text(format!("{word}{all_word}")))];
    node.costing(estimate).child(append, "Outer")
}

/// The estimate of a recursive query's rows: the first step's and ten times the
/// recursive step's, as PostgreSQL guesses.
pub(super) fn recursive_estimate(union: &RecursiveUnionPlan, cx: &Costing<'_>) -> Estimate {
    let first = query_node(&union.non_recursive, cx).estimate;
    let step = query_node(&union.recursive, cx).estimate;
    Estimate {
        startup: first.startup,
        total: first.total + 10.0 * step.total,
        rows: cost::clamp_rows(first.rows + 10.0 * step.rows),
        width: first.width,
    }
}

/// `CTE Scan on name [alias]`: where a recursive `WITH` query is read.
fn cte_scan(union: &RecursiveUnionPlan) -> (String, Vec<(&'static str, Prop)>) {
    let title = match &union.alias {
        Some(alias) => format!("CTE Scan on {} {alias}", union.name),
        None => format!("CTE Scan on {}", union.name),
    };
    let alias = union.alias.clone().unwrap_or(union.name.clone());
    (
        title,
        vec![
            ("CTE Name", Prop::Text(union.name.clone())),
            ("Alias", Prop::Text(alias)),
        ],
    )
}

/// `WorkTable Scan on name [alias]`: a recursive term's reference to its query.
fn work_table_scan(table: &WorkTable) -> String {
    match &table.alias {
        Some(alias) => format!("WorkTable Scan on {} {alias}", table.name),
        None => format!("WorkTable Scan on {}", table.name),
    }
}

/// The width of each column of the rows `source` yields (empty when unknown).
fn row_widths(source: &Source, cx: &Costing<'_>) -> Vec<u32> {
    if let Some(table) = source_table(source, cx) {
        return (0..table.columns.len())
            .map(|column| cost::column_width(table, column))
            .collect();
    }
    match source {
        Source::Subquery(inner) => output_widths(inner, cx),
        Source::CrossJoin { left, right, .. } => {
            let mut widths = row_widths(left, cx);
            widths.extend(row_widths(right, cx));
            widths
        }
        Source::Join(join) => {
            let mut widths = row_widths(&join.left, cx);
            widths.extend(row_widths(&join.right, cx));
            widths
        }
        Source::SetOperation(operation) => output_widths(&operation.left, cx),
        Source::RecursiveUnion(union) => output_widths(&union.non_recursive, cx),
        Source::Values(rows) => rows.first().map_or(Vec::new(), |row| vec![4; row.len()]),
        Source::Function(_) => vec![4],
        _ => Vec::new(),
    }
}

/// The width of the rows a query's scan passes up: the source's columns read above it
/// (group keys and aggregate arguments, or the projection), as PostgreSQL's scans
/// return only those; `None` when the source's widths are unknown.
pub(super) fn scan_width(plan: &QueryPlan, cx: &Costing<'_>) -> Option<u32> {
    let widths = row_widths(&plan.source, cx);
    if widths.is_empty() {
        return None;
    }
    let mut read = Vec::new();
    match &plan.aggregate {
        Some(aggregate) => {
            for key in &aggregate.group_keys {
                columns_read(key, &mut read);
            }
            for call in &aggregate.calls {
                for expr in call.arg.iter().chain(&call.filter) {
                    columns_read(expr, &mut read);
                }
            }
        }
        None => {
            for expr in &plan.projection {
                columns_read(expr, &mut read);
            }
        }
    }
    Some(read.iter().filter_map(|&column| widths.get(column)).sum())
}

/// The width of each of a query's result columns.
fn output_widths(plan: &QueryPlan, cx: &Costing<'_>) -> Vec<u32> {
    let widths = row_widths(&plan.source, cx);
    plan.columns
        .iter()
        .enumerate()
        .map(|(position, column)| {
            let from_source = match (plan.aggregate.is_none(), plan.projection.get(position)) {
                (true, Some(BoundExpr::Column(c))) => widths.get(*c).copied(),
                _ => None,
            };
            from_source.unwrap_or_else(|| cost::type_width(&column.ty, column.typmod))
        })
        .collect()
}

/// The width of a query's result rows.
pub(super) fn output_width(plan: &QueryPlan, cx: &Costing<'_>) -> u32 {
    output_widths(plan, cx).iter().sum()
}

/// The groups `keys` (over the query's source row) make of `input_rows` rows: the
/// product of the keys' distinct values (a table column's from the statistics, else
/// 200), at most the rows.
pub(super) fn group_count(
    plan: &QueryPlan,
    cx: &Costing<'_>,
    keys: &[&BoundExpr],
    input_rows: f64,
) -> f64 {
    let table = source_table(&plan.source, cx);
    let groups: f64 = keys
        .iter()
        .map(|key| match (key, table) {
            (BoundExpr::Column(c), Some(t)) => {
                distinct_values(t, *c).unwrap_or(DEFAULT_NUM_DISTINCT)
            }
            _ => DEFAULT_NUM_DISTINCT,
        })
        .product();
    groups.min(input_rows.max(1.0)).max(1.0)
}
