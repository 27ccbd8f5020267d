//! `EXPLAIN` of recursive `WITH` queries: each query is drawn once as a subplan of the
//! top node (`CTE name` over a `Recursive Union` of its two terms), after the top
//! node's own details, as PostgreSQL draws it; the references stay `CTE Scan`s where
//! they are read. A work table without an alias is named `name_1` when a reference to
//! the query has none either, as PostgreSQL tells apart two range entries of one name.

use super::explain::{hang, plan_lines};
use super::{QueryPlan, RecursiveUnionPlan, Source};

/// Inserts the `CTE` subplans of `plan`'s recursive queries into its lines.
pub(super) fn hoist_ctes(plan: &QueryPlan, lines: &mut Vec<String>) {
    let mut unions: Vec<&RecursiveUnionPlan> = Vec::new();
    collect(&plan.source, &mut unions);
    if unions.is_empty() {
        return;
    }
    let mut block = Vec::new();
    let mut drawn: Vec<&str> = Vec::new();
    for union in &unions {
        if drawn.contains(&union.name.as_str()) {
            continue;
        }
        drawn.push(&union.name);
        let unaliased = unions
            .iter()
            .any(|other| other.name == union.name && other.alias.is_none());
        let mut node = vec!["Recursive Union".to_string()];
        node.extend(hang(plan_lines(&union.non_recursive)));
        node.extend(hang(rename_work_table(
            plan_lines(&union.recursive),
            &union.name,
            unaliased,
        )));
        block.push(format!("  CTE {}", union.name));
        block.extend(hang(node).into_iter().map(|line| format!("  {line}")));
    }
    // The top node's details are its lines indented by two, before its children.
    let at = lines
        .iter()
        .skip(1)
        .position(|line| {
            let rest = line.strip_prefix("  ").unwrap_or(" ");
            rest.starts_with(' ') || rest.starts_with("->")
        })
        .map_or(lines.len(), |index| index + 1);
    lines.splice(at..at, block);
}

/// The recursive term's lines, its unaliased work table renamed `name_1` when a
/// reference to the query is unaliased too.
fn rename_work_table(mut lines: Vec<String>, name: &str, unaliased: bool) -> Vec<String> {
    if unaliased {
        let scan = format!("WorkTable Scan on {name}");
        for line in &mut lines {
            if line.ends_with(&scan) {
                line.push_str(&format!(" {name}_1"));
            }
        }
    }
    lines
}

/// The recursive queries read in `source`, outermost first.
fn collect<'p>(source: &'p Source, out: &mut Vec<&'p RecursiveUnionPlan>) {
    match source {
        Source::RecursiveUnion(union) => {
            out.push(union);
            collect(&union.non_recursive.source, out);
            collect(&union.recursive.source, out);
        }
        Source::Subquery(inner) => collect(&inner.source, out),
        Source::SetOperation(operation) => {
            collect(&operation.left.source, out);
            collect(&operation.right.source, out);
        }
        Source::CrossJoin { left, right, .. } => {
            collect(left, out);
            collect(right, out);
        }
        Source::Join(join) => {
            collect(&join.left, out);
            collect(&join.right, out);
        }
        Source::Single
        | Source::Table(_)
        | Source::Function(_)
        | Source::Rows { .. }
        | Source::Values(_)
        | Source::WorkTable(_)
        | Source::BtreeScan { .. }
        | Source::GinScan { .. }
        | Source::IndexScan { .. } => {}
    }
}
