//! `EXPLAIN`: the plan as PostgreSQL's text format draws it without costs — one node
//! per line, children under `->` arrows, each node's details (`Filter:`, `Sort Key:`,
//! `Order By:`, `Index Cond:`) indented below it.

use super::{ExplainText, JoinPlan, QueryPlan, SetOperationPlan, Source};
use crate::expr::SetFunction;
use crate::sql::ast::SetOperator;

/// A `WindowAgg` per window, the last computed on top, each over a `Sort` unless the
/// rows already come sorted for it (its keys lead the window's below it, or an index
/// scan yields them in its order).
fn window_nodes(
    windowing: &crate::expr::window::Windowing,
    text: &ExplainText,
    input_ordered: bool,
    nodes: &mut Vec<(String, Vec<String>)>,
) {
    let order = windowing.order();
    for (position, &index) in order.iter().enumerate().rev() {
        nodes.push(("WindowAgg".to_string(), Vec::new()));
        let refs = &windowing.windows[index].sort_refs;
        let sorted = match position.checked_sub(1) {
            Some(below) => windowing.windows[order[below]].sort_refs.starts_with(refs),
            None => refs.is_empty() || input_ordered,
        };
        if !sorted {
            let keys = text.window_keys.get(index).map(|k| k.join(", "));
            let details = keys.into_iter().map(|k| format!("Sort Key: {k}")).collect();
            nodes.push(("Sort".to_string(), details));
        }
    }
}

/// Lines of the plan, top node first (from the text the plan keeps for `EXPLAIN`;
/// a plan of a statement that was not explained shows its shape only). Recursive
/// `WITH` queries show as PostgreSQL shows them: a `CTE Scan` where each is read, and
/// the query itself (`CTE name`, a `Recursive Union`) once, under the top node.
pub fn explain(plan: &QueryPlan) -> Vec<String> {
    let mut lines = plan_lines(plan);
    super::explain_cte::hoist_ctes(plan, &mut lines);
    lines
}

/// The lines of one query's plan, top node first.
pub(super) fn plan_lines(plan: &QueryPlan) -> Vec<String> {
    let empty = ExplainText::default();
    let text = plan.explain.as_deref().unwrap_or(&empty);
    let mut nodes: Vec<(String, Vec<String>)> = Vec::new();
    if plan.limit.is_some() || plan.offset.is_some() {
        nodes.push(("Limit".to_string(), Vec::new()));
    }
    // A filter-aware vector index scan sorts the rows it collects itself.
    let filtered = match &plan.source {
        Source::IndexScan { filtered, .. } => filtered.as_ref(),
        _ => None,
    };
    match &plan.distinct {
        Some(distinct) if distinct.on || !plan.order.is_empty() => {
            nodes.push(("Unique".to_string(), Vec::new()));
        }
        Some(_) => nodes.push(("HashAggregate".to_string(), Vec::new())),
        None => {}
    }
    if !plan.order.is_empty() && filtered.is_none() {
        let keys = text.order.join(", ");
        nodes.push(("Sort".to_string(), vec![format!("Sort Key: {keys}")]));
    }
    if let Some(windowing) = &plan.windows {
        // An index scan chosen for the window's own order needs no sort below it.
        let ordered = matches!(
            plan.source,
            Source::IndexScan { .. } | Source::BtreeScan { order: Some(_), .. }
        );
        window_nodes(windowing, text, ordered, &mut nodes);
    }
    if let Some(aggregate) = &plan.aggregate {
        let name = if aggregate.group_keys.is_empty() {
            "Aggregate"
        } else {
            "HashAggregate"
        };
        let details = text.having.iter().map(|h| format!("Filter: {h}")).collect();
        nodes.push((name.to_string(), details));
    }
    let filter: Vec<String> = text.filter.iter().map(|f| format!("Filter: {f}")).collect();
    let alias = text
        .alias
        .as_ref()
        .map(|a| format!(" {a}"))
        .unwrap_or_default();
    let mut children: Vec<Vec<String>> = Vec::new();
    let (scan, mut details) = match &plan.source {
        Source::Single => ("Result".to_string(), Vec::new()),
        Source::Table(table) => (format!("Seq Scan on {}{alias}", bare(table)), Vec::new()),
        Source::BtreeScan {
            table,
            index,
            cond_text,
            order,
            ..
        } => {
            let backward = if matches!(order, Some((true, _))) {
                " Backward"
            } else {
                ""
            };
            let cond = if cond_text.is_empty() {
                Vec::new()
            } else {
                vec![format!("Index Cond: {cond_text}")]
            };
            (
                format!(
                    "Index Scan{backward} using {index} on {}{alias}",
                    bare(table)
                ),
                cond,
            )
        }
        Source::GinScan {
            table,
            index,
            cond_text,
            ..
        } => {
            children = vec![vec![
                format!("Bitmap Index Scan on {index}"),
                format!("  Index Cond: {cond_text}"),
            ]];
            (
                format!("Bitmap Heap Scan on {}{alias}", bare(table)),
                vec![format!("Recheck Cond: {cond_text}")],
            )
        }
        Source::IndexScan {
            table,
            index,
            target_text,
            ..
        } => {
            let order = text
                .index_order
                .clone()
                .or_else(|| text.order.first().cloned())
                .unwrap_or_default();
            let mut details = vec![format!("Order By: {order}")];
            details.extend(target_text.clone());
            details.extend(filtered.map(super::filtered::FilteredSearch::explain_line));
            (
                format!("Index Scan using {index} on {}{alias}", bare(table)),
                details,
            )
        }
        Source::Rows { name, .. } => (format!("Seq Scan on {name}{alias}"), Vec::new()),
        Source::RecursiveUnion(union) => (cte_scan(union), Vec::new()),
        Source::WorkTable(table) => (work_table_scan(table), Vec::new()),
        Source::Values(_) => ("Values Scan on \"*VALUES*\"".to_string(), Vec::new()),
        Source::Function(function) => {
            let name = match function {
                SetFunction::Unnest(_) => "unnest",
                SetFunction::GenerateSeries(..) => "generate_series",
                SetFunction::Scalar(name, _) => name.as_str(),
            };
            (format!("Function Scan on {name}{alias}"), Vec::new())
        }
        Source::CrossJoin { left, right, .. } => {
            children = vec![source_lines(left), source_lines(right)];
            ("Nested Loop".to_string(), Vec::new())
        }
        Source::Join(join) => {
            children = join_children(join);
            (join.node_name(), join_details(join))
        }
        Source::SetOperation(operation) => {
            let (name, inputs) = set_operation_node(operation);
            children = inputs;
            (name, Vec::new())
        }
        Source::Subquery(inner) => {
            children = vec![plan_lines(inner)];
            (
                format!(
                    "Subquery Scan on{}",
                    if alias.is_empty() {
                        " unnamed_subquery".to_string()
                    } else {
                        alias.clone()
                    }
                ),
                Vec::new(),
            )
        }
    };
    details.extend(filter);
    nodes.push((scan, details));

    let mut lines = Vec::new();
    for (depth, (name, details)) in nodes.iter().enumerate() {
        lines.push(node_line(depth, name));
        let pad = detail_indent(depth);
        lines.extend(details.iter().map(|d| format!("{pad}{d}")));
    }
    let depth = nodes.len();
    // The children's lines hang under the scan node, one level deeper.
    let pad = " ".repeat(6 * (depth - 1) + 2);
    for child in children {
        for (i, line) in child.into_iter().enumerate() {
            if i == 0 {
                lines.push(format!("{pad}->  {line}"));
            } else {
                lines.push(format!("{pad}    {line}"));
            }
        }
    }
    lines
}

/// The lines of one side of a join, relative to its own top node.
fn source_lines(source: &Source) -> Vec<String> {
    match source {
        Source::Single => vec!["Result".to_string()],
        Source::Table(table) | Source::Rows { name: table, .. } => {
            vec![format!("Seq Scan on {}", bare(table))]
        }
        Source::IndexScan { table, index, .. } | Source::BtreeScan { table, index, .. } => {
            vec![format!("Index Scan using {index} on {}", bare(table))]
        }
        Source::GinScan { table, .. } => vec![format!("Bitmap Heap Scan on {}", bare(table))],
        Source::Function(SetFunction::Unnest(_)) => vec!["Function Scan on unnest".to_string()],
        Source::Function(SetFunction::GenerateSeries(..)) => {
            vec!["Function Scan on generate_series".to_string()]
        }
        Source::Function(SetFunction::Scalar(name, _)) => {
            vec![format!("Function Scan on {name}")]
        }
        Source::Values(_) => vec!["Values Scan on \"*VALUES*\"".to_string()],
        Source::RecursiveUnion(union) => vec![cte_scan(union)],
        Source::WorkTable(table) => vec![work_table_scan(table)],
        Source::Subquery(inner) => plan_lines(inner),
        Source::SetOperation(operation) => {
            let (name, inputs) = set_operation_node(operation);
            let mut lines = vec![name];
            for child in inputs {
                lines.extend(hang(child));
            }
            lines
        }
        Source::CrossJoin { left, right, .. } => {
            let mut lines = vec!["Nested Loop".to_string()];
            for child in [source_lines(left), source_lines(right)] {
                lines.extend(hang(child));
            }
            lines
        }
        Source::Join(join) => {
            let mut lines = vec![join.node_name()];
            lines.extend(join_details(join).into_iter().map(|d| format!("  {d}")));
            for child in join_children(join) {
                lines.extend(hang(child));
            }
            lines
        }
    }
}

/// A set operation's node and its inputs: `UNION ALL` appends its operands; `UNION`
/// removes duplicates from them (`HashAggregate`), `INTERSECT` and `EXCEPT` count them
/// (`HashSetOp`).
fn set_operation_node(operation: &SetOperationPlan) -> (String, Vec<Vec<String>>) {
    let operands = vec![plan_lines(&operation.left), plan_lines(&operation.right)];
    let name = match (operation.operator, operation.all) {
        (SetOperator::Union, true) => return ("Append".to_string(), operands),
        (SetOperator::Union, false) => "HashAggregate".to_string(),
        (operator, all) => {
            let word = if operator == SetOperator::Intersect {
                "Intersect"
            } else {
                "Except"
            };
            format!("HashSetOp {word}{}", if all { " All" } else { "" })
        }
    };
    let mut append = vec!["Append".to_string()];
    for operand in operands {
        append.extend(hang(operand));
    }
    (name, vec![append])
}

/// `CTE Scan on name [alias]`: where a recursive `WITH` query is read.
fn cte_scan(union: &super::RecursiveUnionPlan) -> String {
    match &union.alias {
        Some(alias) => format!("CTE Scan on {} {alias}", union.name),
        None => format!("CTE Scan on {}", union.name),
    }
}

/// `WorkTable Scan on name [alias]`: a recursive term's reference to its query.
fn work_table_scan(table: &super::WorkTable) -> String {
    match &table.alias {
        Some(alias) => format!("WorkTable Scan on {} {alias}", table.name),
        None => format!("WorkTable Scan on {}", table.name),
    }
}

/// A child's lines under an arrow, one level deeper.
pub(super) fn hang(child: Vec<String>) -> Vec<String> {
    child
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let arrow = if i == 0 { "  ->  " } else { "      " };
            format!("{arrow}{line}")
        })
        .collect()
}

/// A join's `Hash Cond:` and `Join Filter:` lines.
fn join_details(join: &JoinPlan) -> Vec<String> {
    let mut details = Vec::new();
    if let Some(condition) = &join.text.hash_condition {
        details.push(format!("Hash Cond: {condition}"));
    }
    if let Some(filter) = &join.text.filter {
        details.push(format!("Join Filter: {filter}"));
    }
    details
}

/// A join's two inputs; a hash join builds its hash table from the right one.
fn join_children(join: &JoinPlan) -> Vec<Vec<String>> {
    let right = side_lines(&join.right, join.aliases.1.as_deref());
    let right = if join.hash_keys.is_empty() {
        right
    } else {
        let mut lines = vec!["Hash".to_string()];
        lines.extend(hang(right));
        lines
    };
    vec![side_lines(&join.left, join.aliases.0.as_deref()), right]
}

/// One side of a join, its scan named with the side's alias.
fn side_lines(source: &Source, alias: Option<&str>) -> Vec<String> {
    let mut lines = source_lines(source);
    if let (Some(alias), Source::Table(_) | Source::Function(_)) = (alias, source) {
        if let Some(first) = lines.first_mut() {
            first.push(' ');
            first.push_str(alias);
        }
    }
    lines
}

fn node_line(depth: usize, name: &str) -> String {
    if depth == 0 {
        name.to_string()
    } else {
        format!("{}->  {name}", " ".repeat(6 * (depth - 1) + 2))
    }
}

fn detail_indent(depth: usize) -> String {
    " ".repeat(if depth == 0 { 2 } else { 6 * depth + 2 })
}

/// A relation's name as `EXPLAIN` prints it: without its schema.
fn bare(name: &str) -> &str {
    crate::catalog::namespace::split(name).1
}
