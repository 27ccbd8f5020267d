//! `EXPLAIN`'s text format: one node per line, inputs under `->` arrows, each node's
//! details indented below it, as PostgreSQL prints them (`explain.c`'s text mode).

use super::node::PlanNode;
use super::Display;

/// The lines of `root` in the text format.
pub fn render(root: &PlanNode, display: &Display) -> Vec<String> {
    let mut lines = Vec::new();
    node(root, 0, true, display, &mut lines);
    lines
}

fn node(plan: &PlanNode, mut indent: usize, top: bool, display: &Display, out: &mut Vec<String>) {
    if let Some(name) = &plan.subplan_name {
        out.push(format!("{}{name}", spaces(indent)));
        indent += 1;
    }
    let mut head = if top {
        String::new()
    } else {
        let arrow = format!("{}->  ", spaces(indent));
        indent += 2;
        arrow
    };
    head.push_str(&plan.title);
    if display.costs {
        let e = &plan.estimate;
        head.push_str(&format!(
            "  (cost={:.2}..{:.2} rows={:.0} width={})",
            e.startup, e.total, e.rows, e.width
        ));
    }
    if display.analyze {
        match plan.actual.filter(|a| a.loops > 0) {
            None => head.push_str(" (never executed)"),
            Some(actual) => {
                let loops = actual.loops as f64;
                let rows = (actual.rows as f64 / loops).round();
                if display.timing {
                    head.push_str(&format!(
                        " (actual time={:.3}..{:.3} rows={rows:.0} loops={})",
                        actual.startup_ms / loops,
                        actual.total_ms / loops,
                        actual.loops
                    ));
                } else {
                    head.push_str(&format!(" (actual rows={rows:.0} loops={})", actual.loops));
                }
            }
        }
    }
    out.push(head);
    indent += 1;
    let pad = spaces(indent);
    for (key, value) in &plan.details {
        out.push(format!("{pad}{key}: {}", value.text()));
        if key == "Filter" {
            if let Some(removed) = removed(plan).filter(|&r| r > 0.0) {
                out.push(format!("{pad}Rows Removed by Filter: {removed:.0}"));
            }
        }
    }
    if display.buffers {
        if let Some(actual) = plan.actual.filter(|a| a.hit + a.read > 0) {
            let mut line = format!("{pad}Buffers: shared");
            if actual.hit > 0 {
                line.push_str(&format!(" hit={}", actual.hit));
            }
            if actual.read > 0 {
                line.push_str(&format!(" read={}", actual.read));
            }
            out.push(line);
        }
    }
    for child in &plan.children {
        node(child, indent, false, display, out);
    }
}

/// Rows the node's filter removed per loop, under `EXPLAIN ANALYZE`.
pub(super) fn removed(plan: &PlanNode) -> Option<f64> {
    let loops = plan.actual?.loops.max(1) as f64;
    Some((plan.removed_by_filter? as f64 / loops).round())
}

fn spaces(indent: usize) -> String {
    " ".repeat(indent * 2)
}
