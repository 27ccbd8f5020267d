//! `EXPLAIN`: a plan drawn as PostgreSQL draws it. The plan becomes a tree of
//! [`PlanNode`]s — one per node PostgreSQL would show, each with its details
//! (`Filter:`, `Sort Key:`, `Order By:`, `Index Cond:`) and the cost model's estimate
//! ([`super::cost`]) — which prints in the text format (`text.rs`: one node per line,
//! inputs under `->` arrows) or a structured one (`structured.rs`: JSON, YAML, XML).
//! Under `EXPLAIN ANALYZE` each node carries a [`Probe`]: the executor's counters for
//! that node fill in what it did ([`PlanNode::fill`]).

mod cte;
mod node;
mod sources;
mod structured;
mod text;

pub use node::{Actual, PlanNode, Probe, Prop, Step};
pub use structured::render as structured;
pub use text::render as text_lines;

use super::cost::{self, Estimate};
use super::{ExplainText, QueryPlan, Source};
use crate::catalog::Catalog;

/// What the cost model reads: the tables' statistics and their heaps' sizes.
#[derive(Clone, Copy)]
pub struct Costing<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The pages of a heap, by its id, when the statement's view can tell.
    pub heap_pages: Option<&'a dyn Fn(u32) -> Option<u32>>,
}

impl Costing<'_> {
    /// The rows of `table` ([`cost::table_rows`]), its heap's size read when known.
    pub fn table_rows(&self, table: &crate::catalog::Table) -> f64 {
        let pages = self.heap_pages.and_then(|pages| pages(table.heap));
        cost::table_rows(self.catalog, table, pages)
    }
}

/// What the output shows, from `EXPLAIN`'s options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Display {
    /// Estimates (`COSTS`).
    pub costs: bool,
    /// Actual counts (`ANALYZE`).
    pub analyze: bool,
    /// Actual times (`TIMING`).
    pub timing: bool,
    /// Buffer counts (`BUFFERS`).
    pub buffers: bool,
}

/// The drawn plan of a query. Recursive `WITH` queries show as PostgreSQL shows them:
/// a `CTE Scan` where each is read, and the query itself (`CTE name`, a `Recursive
/// Union`) once, under the top node.
pub fn plan_tree(plan: &QueryPlan, costing: &Costing<'_>) -> PlanNode {
    let mut root = query_node(plan, costing);
    cte::hoist_ctes(plan, &mut root, costing);
    root
}

/// A query's nodes: its source (with the query's filter), then aggregation, windows,
/// sort, `DISTINCT` and `LIMIT` above it, each over the one below.
pub(super) fn query_node(plan: &QueryPlan, cx: &Costing<'_>) -> PlanNode {
    let empty = ExplainText::default();
    let text = plan.explain.as_deref().unwrap_or(&empty);
    // A filter-aware vector index scan sorts the rows it collects itself.
    let filtered = matches!(
        &plan.source,
        Source::IndexScan {
            filtered: Some(_),
            ..
        }
    );
    let output_width = sources::output_width(plan, cx);
    let mut node = sources::scan_node(plan, text, cx);
    if let Some(aggregate) = &plan.aggregate {
        let hashed = !aggregate.group_keys.is_empty();
        let title = if hashed { "HashAggregate" } else { "Aggregate" };
        let strategy = if hashed { "Hashed" } else { "Plain" };
        let keys: Vec<_> = aggregate.group_keys.iter().collect();
        let groups = sources::group_count(plan, cx, &keys, node.estimate.rows);
        let having = if aggregate.having.is_some() {
            super::selectivity::DEFAULT_INEQ_SEL
        } else {
            1.0
        };
        let estimate = cost::aggregate(
            node.estimate,
            aggregate.group_keys.len(),
            aggregate.calls.len(),
            groups,
            having,
            output_width,
        );
        let mut aggregated = PlanNode::new("Aggregate");
        aggregated.title = title.to_string();
        aggregated.leading = vec![
            ("Strategy", Prop::Text(strategy.to_string())),
            ("Partial Mode", Prop::Text("Simple".to_string())),
        ];
        if hashed && !text.group_keys.is_empty() {
            aggregated = aggregated.detail("Group Key", Prop::List(text.group_keys.clone()));
        }
        if hashed {
            aggregated.planned = vec![("Planned Partitions", Prop::Number("0".to_string()))];
        }
        aggregated = aggregated.text_detail("Filter", text.having.clone());
        if aggregate.having.is_some() {
            aggregated.before_filter = Some(Probe::of(plan, Step::Grouped));
        }
        node = aggregated
            .costing(estimate)
            .probed(Probe::of(plan, Step::Aggregate))
            .child(node, "Outer");
    }
    if let Some(windowing) = &plan.windows {
        // An index scan chosen for the window's own order needs no sort below it.
        let ordered = matches!(
            plan.source,
            Source::IndexScan { .. } | Source::BtreeScan { order: Some(_), .. }
        );
        node = window_nodes(plan, windowing, text, ordered, node, output_width);
    }
    let constant = |expr: Option<&crate::expr::BoundExpr>| {
        expr.and_then(super::planner::constant_count)
            .map(|n| n as f64)
    };
    let offset = constant(plan.offset.as_ref()).unwrap_or(0.0);
    let count = constant(plan.limit.as_ref());
    let bound = count.map(|count| count + offset);
    if !plan.order.is_empty() && !filtered {
        let sorted = cost::sort(node.estimate, bound);
        node = PlanNode::new("Sort")
            .detail("Sort Key", Prop::List(text.order.clone()))
            .costing(Estimate {
                width: output_width,
                ..sorted
            })
            .probed(Probe::of(plan, Step::Sort))
            .child(node, "Outer");
    }
    match &plan.distinct {
        Some(distinct) if distinct.on || !plan.order.is_empty() => {
            let estimate = Estimate {
                rows: cost::clamp_rows(node.estimate.rows * 0.1),
                total: node.estimate.total + node.estimate.rows * cost::CPU_OPERATOR_COST,
                ..node.estimate
            };
            node = PlanNode::new("Unique")
                .costing(estimate)
                .probed(Probe::of(plan, Step::Distinct))
                .child(node, "Outer");
        }
        Some(distinct) => {
            let input = Estimate {
                width: output_width,
                ..node.estimate
            };
            let keys: Vec<_> = distinct
                .columns
                .iter()
                .filter_map(|&column| plan.projection.get(column))
                .collect();
            let groups = if plan.aggregate.is_none() {
                sources::group_count(plan, cx, &keys, input.rows)
            } else {
                (input.rows * 0.1).max(1.0)
            };
            let estimate = cost::aggregate(input, keys.len(), 0, groups, 1.0, output_width);
            let mut unique = PlanNode::titled("Aggregate", "HashAggregate".to_string());
            unique.leading = vec![
                ("Strategy", Prop::Text("Hashed".to_string())),
                ("Partial Mode", Prop::Text("Simple".to_string())),
            ];
            // The keys as PostgreSQL shows them, when they deparse over the source row.
            let texts: Option<Vec<String>> = match (&plan.explain, &plan.aggregate) {
                (Some(text), None) => keys
                    .iter()
                    .map(|key| crate::expr::deparse::sort_key(key, &text.scope, text.qualify))
                    .collect(),
                _ => None,
            };
            if let Some(texts) = texts.filter(|t| !t.is_empty()) {
                unique = unique.detail("Group Key", Prop::List(texts));
            }
            unique.planned = vec![("Planned Partitions", Prop::Number("0".to_string()))];
            node = unique
                .costing(estimate)
                .probed(Probe::of(plan, Step::Distinct))
                .child(node, "Outer");
        }
        None => {}
    }
    if plan.limit.is_some() || plan.offset.is_some() {
        let estimate = cost::limit(
            Estimate {
                width: output_width,
                ..node.estimate
            },
            offset,
            count,
        );
        node = PlanNode::new("Limit")
            .costing(estimate)
            .probed(Probe::of(plan, Step::Limit))
            .child(node, "Outer");
    }
    node
}

/// A `WindowAgg` per window, the last computed on top, each over a `Sort` unless the
/// rows already come sorted for it (its keys lead the window's below it, or an index
/// scan yields them in its order).
fn window_nodes(
    plan: &QueryPlan,
    windowing: &crate::expr::window::Windowing,
    text: &ExplainText,
    input_ordered: bool,
    mut node: PlanNode,
    width: u32,
) -> PlanNode {
    let order = windowing.order();
    for (position, &index) in order.iter().enumerate() {
        let refs = &windowing.windows[index].sort_refs;
        let sorted = match position.checked_sub(1) {
            Some(below) => windowing.windows[order[below]].sort_refs.starts_with(refs),
            None => refs.is_empty() || input_ordered,
        };
        if !sorted {
            let keys = text.window_keys.get(index).cloned().unwrap_or_default();
            let estimate = cost::sort(node.estimate, None);
            node = PlanNode::new("Sort")
                .detail("Sort Key", Prop::List(keys))
                .costing(estimate)
                .probed(Probe::of(plan, Step::Window))
                .child(node, "Outer");
        }
        let estimate = cost::window(node.estimate, 1, width);
        node = PlanNode::new("WindowAgg")
            .costing(estimate)
            .probed(Probe::of(plan, Step::Window))
            .child(node, "Outer");
    }
    node
}

/// A relation's name as `EXPLAIN` prints it: without its schema.
fn bare(name: &str) -> &str {
    crate::catalog::namespace::split(name).1
}
