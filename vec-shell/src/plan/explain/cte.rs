//! `EXPLAIN` of recursive `WITH` queries: each query is drawn once as a subplan of the
//! top node (`CTE name` over a `Recursive Union` of its two terms), before the top
//! node's inputs, as PostgreSQL draws it; the references stay `CTE Scan`s where
//! they are read. A work table without an alias is named `name_1` when a reference to
//! the query has none either, as PostgreSQL tells apart two range entries of one name.

use super::node::{PlanNode, Prop};
use super::sources::recursive_estimate;
use super::{query_node, Costing};
use crate::plan::{QueryPlan, RecursiveUnionPlan, Source};

/// Adds the `CTE` subplans of `plan`'s recursive queries to its top node.
pub(super) fn hoist_ctes(plan: &QueryPlan, root: &mut PlanNode, cx: &Costing<'_>) {
    let mut unions: Vec<&RecursiveUnionPlan> = Vec::new();
    collect(&plan.source, &mut unions);
    let mut drawn: Vec<&str> = Vec::new();
    let mut subplans = Vec::new();
    for union in &unions {
        if drawn.contains(&union.name.as_str()) {
            continue;
        }
        drawn.push(&union.name);
        let unaliased = unions
            .iter()
            .any(|other| other.name == union.name && other.alias.is_none());
        let mut recursive = query_node(&union.recursive, cx);
        if unaliased {
            rename_work_table(&mut recursive, &union.name);
        }
        let mut node = PlanNode::new("Recursive Union")
            .costing(recursive_estimate(union, cx))
            .child(query_node(&union.non_recursive, cx), "Outer")
            .child(recursive, "Inner");
        node.subplan_name = Some(format!("CTE {}", union.name));
        node.relationship = Some("InitPlan");
        subplans.push(node);
    }
    root.children.splice(0..0, subplans);
}

/// Names the unaliased work table scans of `name` under `node` `name_1`.
fn rename_work_table(node: &mut PlanNode, name: &str) {
    if node.title == format!("WorkTable Scan on {name}") {
        node.title.push_str(&format!(" {name}_1"));
        for (key, value) in &mut node.identity {
            if *key == "Alias" {
                *value = Prop::Text(format!("{name}_1"));
            }
        }
    }
    for child in &mut node.children {
        rename_work_table(child, name);
    }
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
